//! What a recording holds: py-spy's stack traces aggregated into distinct stacks of interned
//! frames, with the counts and the facts the writers need (rate, duration, program).

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

/// One frame as py-spy reports it (`py_spy::Frame`), or a synthetic root frame naming a thread
/// or a process, as py-spy's own `record` adds them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordedFrame {
    /// The function (`parse_line`), or `thread (0x7F..)` / `process 123:"python app.py"`.
    pub name: String,
    /// The file as py-spy shortens it (relative to `sys.path`), else the full path; empty for
    /// thread and process frames.
    pub file: String,
    /// 1-based line; 0 when unknown (thread and process frames, some native frames).
    pub line: u32,
}

/// The aggregated samples of one recording.
#[derive(Debug, Clone, Default)]
pub struct Recording {
    /// Interned frames; stacks refer to them by index.
    pub frames: Vec<RecordedFrame>,
    frame_ids: FxHashMap<RecordedFrame, u32>,
    /// Distinct stacks (frame indices, **root first**) and the samples of each; ordered, so
    /// every writer is deterministic for the same samples.
    pub stacks: BTreeMap<Vec<u32>, u64>,
    /// Sampling rate, in samples per second.
    pub rate_hz: u64,
    /// Wall time sampled, in nanoseconds.
    pub duration_nanos: u64,
    /// What was sampled (the command line, or `pid N`), for the writers' names.
    pub program: String,
}

impl Recording {
    /// An empty recording at `rate_hz` of `program`.
    pub fn new(rate_hz: u64, program: String) -> Recording {
        Recording {
            rate_hz,
            program,
            ..Recording::default()
        }
    }

    fn intern(&mut self, frame: RecordedFrame) -> u32 {
        if let Some(&id) = self.frame_ids.get(&frame) {
            return id;
        }
        let id = u32::try_from(self.frames.len()).unwrap_or(u32::MAX);
        self.frames.push(frame.clone());
        self.frame_ids.insert(frame, id);
        id
    }

    /// Adds one sample of a stack given **root first**.
    pub fn add(&mut self, root_first: impl IntoIterator<Item = RecordedFrame>) {
        let stack: Vec<u32> = root_first.into_iter().map(|f| self.intern(f)).collect();
        *self.stacks.entry(stack).or_default() += 1;
    }

    /// Samples recorded.
    pub fn samples(&self) -> u64 {
        self.stacks.values().sum()
    }

    /// The sampling period, in nanoseconds (`1e9 / rate_hz`).
    pub fn period_nanos(&self) -> u64 {
        1_000_000_000 / self.rate_hz.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(name: &str, line: u32) -> RecordedFrame {
        RecordedFrame {
            name: name.to_string(),
            file: "app.py".to_string(),
            line,
        }
    }

    #[test]
    fn frames_are_interned_and_stacks_counted() {
        let mut r = Recording::new(100, "python app.py".to_string());
        r.add([frame("main", 1), frame("work", 5)]);
        r.add([frame("main", 1), frame("work", 5)]);
        r.add([frame("main", 1)]);
        assert_eq!(r.frames.len(), 2);
        assert_eq!(r.samples(), 3);
        assert_eq!(r.stacks[&vec![0, 1]], 2);
        assert_eq!(r.period_nanos(), 10_000_000);
    }
}
