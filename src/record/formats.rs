//! Writing a [`Recording`] in the three formats brownfield reads back:
//!
//! - **raw**: py-spy's `--format raw` (folded stacks): one line per distinct stack, frames root
//!   first joined by `;`, each `name (file:line)` (`name (file)` without a line, `name` alone
//!   without a file), then a space and the sample count. `;` and line breaks inside a name or
//!   file would split the line, so they are written as `:` and spaces.
//! - **speedscope**: speedscope's file format
//!   (<https://www.speedscope.app/file-format-schema.json>): the frame table in
//!   `shared.frames`, one `sampled` profile with root-first stacks and a weight per stack in
//!   unit `none` (samples).
//! - **pprof**: profile.proto (the `pprof` crate's prost types), gzip-compressed as `go tool
//!   pprof` writes it: sample types `samples/count` (the default) and `cpu/nanoseconds`, period
//!   type `cpu/nanoseconds` with the sampling period, the duration, one function and one
//!   location per frame, locations leaf first.

use std::io::Write;

use pprof::protos::{self, Message};
use rustc_hash::FxHashMap;
use serde::Serialize;

use super::recording::{RecordedFrame, Recording};

/// An output format of `brownfield record`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordFormat {
    /// py-spy's raw (folded-stack) text.
    Raw,
    /// speedscope JSON.
    Speedscope,
    /// gzip-compressed profile.proto.
    Pprof,
}

impl RecordFormat {
    /// The file extension brownfield gives this format: `pyspy.txt`, `speedscope.json`,
    /// `pb.gz`.
    pub fn extension(self) -> &'static str {
        match self {
            RecordFormat::Raw => "pyspy.txt",
            RecordFormat::Speedscope => "speedscope.json",
            RecordFormat::Pprof => "pb.gz",
        }
    }
}

/// The recording in `format`, as bytes.
///
/// # Errors
/// Only from the gzip encoder writing to memory, which does not fail in practice.
pub fn encode(recording: &Recording, format: RecordFormat) -> std::io::Result<Vec<u8>> {
    match format {
        RecordFormat::Raw => Ok(raw(recording).into_bytes()),
        RecordFormat::Speedscope => Ok(speedscope(recording)),
        RecordFormat::Pprof => pprof(recording),
    }
}

/// Text safe inside one folded frame.
fn folded_text(s: &str) -> String {
    s.replace(';', ":").replace(['\n', '\r'], " ")
}

fn raw_frame(f: &RecordedFrame) -> String {
    let (name, file) = (folded_text(&f.name), folded_text(&f.file));
    match (file.is_empty(), f.line) {
        (true, _) => name,
        (false, 0) => format!("{name} ({file})"),
        (false, line) => format!("{name} ({file}:{line})"),
    }
}

fn raw(recording: &Recording) -> String {
    let texts: Vec<String> = recording.frames.iter().map(raw_frame).collect();
    let mut out = String::new();
    for (stack, count) in &recording.stacks {
        let line: Vec<&str> = stack.iter().map(|&i| texts[i as usize].as_str()).collect();
        out.push_str(&line.join(";"));
        out.push_str(&format!(" {count}\n"));
    }
    out
}

#[derive(Serialize)]
struct SpeedscopeFile<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    shared: Shared<'a>,
    profiles: [SampledProfile<'a>; 1],
    name: &'a str,
    #[serde(rename = "activeProfileIndex")]
    active_profile_index: usize,
    exporter: String,
}

#[derive(Serialize)]
struct Shared<'a> {
    frames: Vec<SpeedscopeFrame<'a>>,
}

#[derive(Serialize)]
struct SpeedscopeFrame<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    file: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u32>,
}

#[derive(Serialize)]
struct SampledProfile<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'a str,
    unit: &'static str,
    #[serde(rename = "startValue")]
    start_value: u64,
    #[serde(rename = "endValue")]
    end_value: u64,
    samples: Vec<&'a [u32]>,
    weights: Vec<u64>,
}

fn speedscope(recording: &Recording) -> Vec<u8> {
    let file = SpeedscopeFile {
        schema: "https://www.speedscope.app/file-format-schema.json",
        shared: Shared {
            frames: recording
                .frames
                .iter()
                .map(|f| SpeedscopeFrame {
                    name: &f.name,
                    file: &f.file,
                    line: (f.line > 0).then_some(f.line),
                })
                .collect(),
        },
        profiles: [SampledProfile {
            kind: "sampled",
            name: &recording.program,
            unit: "none",
            start_value: 0,
            end_value: recording.samples(),
            samples: recording.stacks.keys().map(Vec::as_slice).collect(),
            weights: recording.stacks.values().copied().collect(),
        }],
        name: &recording.program,
        active_profile_index: 0,
        exporter: format!("brownfield {}", env!("CARGO_PKG_VERSION")),
    };
    let mut out = serde_json::to_vec(&file).unwrap_or_default();
    out.push(b'\n');
    out
}

/// profile.proto's string table: index 0 is the empty string.
#[derive(Default)]
struct Strings {
    table: Vec<String>,
    ids: FxHashMap<String, i64>,
}

impl Strings {
    fn id(&mut self, s: &str) -> i64 {
        if self.table.is_empty() {
            self.table.push(String::new());
            self.ids.insert(String::new(), 0);
        }
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.table.len() as i64;
        self.table.push(s.to_string());
        self.ids.insert(s.to_string(), id);
        id
    }
}

fn pprof(recording: &Recording) -> std::io::Result<Vec<u8>> {
    let mut strings = Strings::default();
    let value_type = |strings: &mut Strings, ty: &str, unit: &str| protos::ValueType {
        ty: strings.id(ty),
        unit: strings.id(unit),
    };
    let sample_type = vec![
        value_type(&mut strings, "samples", "count"),
        value_type(&mut strings, "cpu", "nanoseconds"),
    ];
    let period = recording.period_nanos() as i64;
    let mut function = Vec::with_capacity(recording.frames.len());
    let mut location = Vec::with_capacity(recording.frames.len());
    for (i, f) in recording.frames.iter().enumerate() {
        let id = i as u64 + 1;
        let name = strings.id(&f.name);
        function.push(protos::Function {
            id,
            name,
            system_name: name,
            filename: strings.id(&f.file),
            start_line: 0,
        });
        location.push(protos::Location {
            id,
            line: vec![protos::Line {
                function_id: id,
                line: i64::from(f.line),
            }],
            ..Default::default()
        });
    }
    let sample = recording
        .stacks
        .iter()
        .map(|(stack, &count)| protos::Sample {
            location_id: stack.iter().rev().map(|&i| u64::from(i) + 1).collect(),
            value: vec![count as i64, count as i64 * period],
            label: Vec::new(),
        })
        .collect();
    let period_type = Some(value_type(&mut strings, "cpu", "nanoseconds"));
    let default_sample_type = strings.id("samples");
    let profile = protos::Profile {
        sample_type,
        sample,
        location,
        function,
        duration_nanos: recording.duration_nanos as i64,
        period_type,
        period,
        default_sample_type,
        string_table: strings.table,
        ..Default::default()
    };
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&profile.encode_to_vec())?;
    gz.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recording() -> Recording {
        let mut r = Recording::new(100, "python app.py".to_string());
        let f = |name: &str, file: &str, line: u32| RecordedFrame {
            name: name.to_string(),
            file: file.to_string(),
            line,
        };
        for _ in 0..3 {
            r.add([f("<module>", "app.py", 9), f("work", "app.py", 4)]);
        }
        r.add([f("thread (0x1)", "", 0), f("odd;name", "a\nb.py", 2)]);
        r.duration_nanos = 40_000_000;
        r
    }

    #[test]
    fn raw_is_py_spy_folded_text_with_separators_made_safe() {
        let text = raw(&recording());
        assert_eq!(
            text,
            "<module> (app.py:9);work (app.py:4) 3\nthread (0x1);odd:name (a b.py:2) 1\n"
        );
    }

    #[test]
    fn pprof_is_valid_profile_proto() {
        let bytes = pprof(&recording()).unwrap();
        let mut text = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut text)
            .unwrap();
        let p = protos::Profile::decode(&text[..]).unwrap();
        assert_eq!(p.string_table[0], "");
        assert_eq!(p.period, 10_000_000);
        assert_eq!(p.duration_nanos, 40_000_000);
        let total: i64 = p.sample.iter().map(|s| s.value[0]).sum();
        assert_eq!(total, 4);
        // Leaf first: `work` (frame 1) before `<module>` (frame 0).
        assert_eq!(p.sample[0].location_id, vec![2, 1]);
        assert_eq!(p.string_table[p.default_sample_type as usize], "samples");
    }
}
