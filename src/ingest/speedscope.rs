//! speedscope's JSON file format
//! (<https://www.speedscope.app/file-format-schema.json>, `SpeedscopeFile`).
//!
//! - `shared.frames`: the frame table (`name`, optional `file`, `line`, `col`).
//! - `profiles`: one per thread (py-spy names them `Thread 1050 "MainThread"`), each either
//!   - `sampled`: `samples[i]` is a stack of frame indices, **root first** (the schema is silent
//!     on the order; speedscope's importers and py-spy's writer put the root first), with
//!     `weights[i]` in the profile's `unit`;
//!   - `evented`: `events` of `{"type": "O" | "C", "at", "frame"}` opening and closing frames;
//!     the time between two events is charged to the stack open in between.
//! - `unit`: `none` (a count), `nanoseconds`, `microseconds`, `milliseconds`, `seconds` (all
//!   stored as nanoseconds) or `bytes`. Every profile of a file must have the same kind of unit.
//!
//! When a file holds several profiles, each sample gets a root thread frame named after its
//! profile, unless its stack already starts with one (py-spy `--threads` writes its own).

use std::io::BufRead;
use std::num::NonZeroU32;
use std::path::Path;

use indexmap::IndexMap;
use serde::Deserialize;

use super::IngestError;
use crate::profile::{
    Frame, FrameId, FrameKind, Metadata, Profile, ProfileBuilder, StackId, ValueUnit,
};

#[derive(Deserialize)]
struct File {
    shared: Shared,
    profiles: Vec<SpeedscopeProfile>,
}

#[derive(Deserialize)]
struct Shared {
    frames: Vec<FrameJson>,
}

#[derive(Deserialize)]
struct FrameJson {
    name: String,
    #[serde(default)]
    file: Option<String>,
    #[serde(default)]
    line: Option<f64>,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum SpeedscopeProfile {
    Sampled {
        #[serde(default)]
        name: String,
        unit: String,
        samples: Vec<Vec<usize>>,
        weights: Vec<f64>,
    },
    Evented {
        #[serde(default)]
        name: String,
        unit: String,
        events: Vec<Event>,
    },
}

#[derive(Deserialize)]
struct Event {
    #[serde(rename = "type")]
    kind: String,
    at: f64,
    frame: usize,
}

/// Parses a speedscope file.
///
/// # Errors
/// [`IngestError::Line`] (with the column in the message) when the JSON is malformed or is not
/// a speedscope file; [`IngestError::Message`] naming the profile for a frame index out of range,
/// a weight that is negative or not finite, weights and samples of different lengths, events
/// that go back in time or close a frame that is not open; [`IngestError::Invalid`] for an
/// unknown unit, mixed units, or no profile.
pub fn parse(path: &Path, reader: impl BufRead) -> Result<Profile, IngestError> {
    let file: File = serde_json::from_reader(reader).map_err(|e| {
        let what = if e.is_eof() {
            format!("is truncated JSON ({e})")
        } else if e.is_data() {
            format!(
                "is JSON but not a speedscope file ({e}); expected speedscope's file format with `shared.frames` and `profiles`"
            )
        } else {
            format!("invalid JSON: {e}")
        };
        IngestError::line(path, e.line() as u64, what)
    })?;
    if file.profiles.is_empty() {
        return Err(IngestError::invalid(
            path,
            "is a speedscope file with no profile in it",
        ));
    }

    let mut units = Vec::with_capacity(file.profiles.len());
    for (i, p) in file.profiles.iter().enumerate() {
        let unit = match p {
            SpeedscopeProfile::Sampled { unit, .. } | SpeedscopeProfile::Evented { unit, .. } => {
                unit
            }
        };
        units.push(unit_of(unit).ok_or_else(|| {
            IngestError::message(path, "profile", i, format!("unknown unit {unit:?} (speedscope units: none, nanoseconds, microseconds, milliseconds, seconds, bytes)"))
        })?);
    }
    let unit = units[0].0;
    if let Some(i) = units.iter().position(|(u, _)| *u != unit) {
        return Err(IngestError::message(
            path,
            "profile",
            i,
            format!(
                "its unit is {} but profile #0's is {}; brownfield reads one unit per file",
                units[i].0.as_str(),
                unit.as_str()
            ),
        ));
    }

    let mut b = ProfileBuilder::new(unit);
    let frames: Vec<FrameId> = file
        .shared
        .frames
        .iter()
        .map(|f| {
            let line = f
                .line
                .filter(|l| l.is_finite() && *l >= 1.0 && *l <= f64::from(u32::MAX))
                .and_then(|l| NonZeroU32::new(l as u32));
            let kind = FrameKind::classify(&f.name, f.file.as_deref(), line.is_some());
            let function = b.intern(&f.name);
            let file = f
                .file
                .as_deref()
                .filter(|s| !s.is_empty())
                .map(|s| b.intern(s));
            b.frame(Frame {
                function,
                file,
                line,
                kind,
            })
        })
        .collect();

    let several = file.profiles.len() > 1;
    // Values per stack, summed in f64 and rounded once at the end, in first-seen order.
    let mut sums: IndexMap<Option<StackId>, f64> = IndexMap::new();
    for (pi, p) in file.profiles.iter().enumerate() {
        let scale = units[pi].1;
        let name = match p {
            SpeedscopeProfile::Sampled { name, .. } | SpeedscopeProfile::Evented { name, .. } => {
                name
            }
        };
        let thread_root = if several {
            let label = if name.is_empty() {
                format!("thread (profile {pi})")
            } else {
                format!("thread: {name}")
            };
            let function = b.intern(&label);
            Some(b.frame(Frame {
                function,
                file: None,
                line: None,
                kind: FrameKind::Thread,
            }))
        } else {
            None
        };
        let root_for = |b: &ProfileBuilder, first: Option<FrameId>| -> bool {
            thread_root.is_some() && !first.is_some_and(|f| is_thread(b, f))
        };
        match p {
            SpeedscopeProfile::Sampled {
                samples, weights, ..
            } => {
                if samples.len() != weights.len() {
                    return Err(IngestError::message(
                        path,
                        "profile",
                        pi,
                        format!(
                            "has {} samples but {} weights",
                            samples.len(),
                            weights.len()
                        ),
                    ));
                }
                for (si, (stack_idx, &w)) in samples.iter().zip(weights).enumerate() {
                    if !w.is_finite() || w < 0.0 {
                        return Err(IngestError::message(
                            path,
                            "profile",
                            pi,
                            format!("sample {si}: weight {w} is negative or not a number"),
                        ));
                    }
                    let mut stack = None;
                    let first = stack_idx.first().and_then(|&i| frames.get(i).copied());
                    if root_for(&b, first) {
                        stack = Some(b.push_frame(None, thread_root.expect("checked")));
                    }
                    for &fi in stack_idx {
                        let f = *frames.get(fi).ok_or_else(|| {
                            IngestError::message(path, "profile", pi, format!("sample {si}: frame index {fi} is out of range (shared.frames has {})", frames.len()))
                        })?;
                        stack = Some(b.push_frame(stack, f));
                    }
                    *sums.entry(stack).or_insert(0.0) += w * scale;
                }
            }
            SpeedscopeProfile::Evented { events, .. } => {
                let mut open: Vec<(FrameId, Option<StackId>)> = Vec::new();
                let mut last_at: Option<f64> = None;
                for (ei, e) in events.iter().enumerate() {
                    if !e.at.is_finite() {
                        return Err(IngestError::message(
                            path,
                            "profile",
                            pi,
                            format!("event {ei}: time {} is not a number", e.at),
                        ));
                    }
                    if let Some(prev) = last_at {
                        if e.at < prev {
                            return Err(IngestError::message(
                                path,
                                "profile",
                                pi,
                                format!(
                                    "event {ei}: time {} is before the previous event's {prev}",
                                    e.at
                                ),
                            ));
                        }
                        if let Some(&(_, stack)) = open.last()
                            && e.at > prev
                        {
                            *sums.entry(stack).or_insert(0.0) += (e.at - prev) * scale;
                        }
                    }
                    last_at = Some(e.at);
                    let f = *frames.get(e.frame).ok_or_else(|| {
                        IngestError::message(
                            path,
                            "profile",
                            pi,
                            format!(
                                "event {ei}: frame index {} is out of range (shared.frames has {})",
                                e.frame,
                                frames.len()
                            ),
                        )
                    })?;
                    match e.kind.as_str() {
                        "O" => {
                            let parent = match open.last() {
                                Some(&(_, s)) => s,
                                None if root_for(&b, Some(f)) => {
                                    Some(b.push_frame(None, thread_root.expect("checked")))
                                }
                                None => None,
                            };
                            let stack = Some(b.push_frame(parent, f));
                            open.push((f, stack));
                        }
                        "C" => match open.pop() {
                            Some((top, _)) if top == f => {}
                            _ => {
                                return Err(IngestError::message(
                                    path,
                                    "profile",
                                    pi,
                                    format!(
                                        "event {ei}: closes frame {} which is not the innermost open frame",
                                        e.frame
                                    ),
                                ));
                            }
                        },
                        other => {
                            return Err(IngestError::message(
                                path,
                                "profile",
                                pi,
                                format!(
                                    "event {ei}: unknown event type {other:?} (expected \"O\" or \"C\")"
                                ),
                            ));
                        }
                    }
                }
            }
        }
    }

    for (stack, value) in sums {
        let v = value.round();
        if v >= u64::MAX as f64 {
            return Err(IngestError::invalid(
                path,
                "a stack's total weight overflows a 64-bit integer",
            ));
        }
        if v > 0.0 {
            b.add_sample(stack, v as u64).map_err(|()| {
                IngestError::invalid(path, "the sum of the weights overflows a 64-bit integer")
            })?;
        }
    }
    b.set_metadata(Metadata {
        format: "speedscope".to_string(),
        sample_type: format!("weight/{}", unit.as_str()),
        profiles_merged: 1,
        ..Metadata::default()
    });
    if b.sample_count() == 0 {
        return Err(IngestError::invalid(
            path,
            "is a speedscope file whose profiles hold no weight",
        ));
    }
    Ok(b.finish())
}

fn is_thread(b: &ProfileBuilder, f: FrameId) -> bool {
    b.frame_kind(f) == FrameKind::Thread
}

/// The value unit of a speedscope unit and the factor that converts to it.
fn unit_of(unit: &str) -> Option<(ValueUnit, f64)> {
    Some(match unit {
        "none" => (ValueUnit::Count, 1.0),
        "nanoseconds" => (ValueUnit::Nanoseconds, 1.0),
        "microseconds" => (ValueUnit::Nanoseconds, 1e3),
        "milliseconds" => (ValueUnit::Nanoseconds, 1e6),
        "seconds" => (ValueUnit::Nanoseconds, 1e9),
        "bytes" => (ValueUnit::Bytes, 1.0),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn parse_str(s: &str) -> Result<Profile, IngestError> {
        parse(Path::new("s.json"), Cursor::new(s.as_bytes().to_vec()))
    }

    fn stacks(p: &Profile) -> Vec<(Vec<String>, u64)> {
        let mut buf = Vec::new();
        p.samples()
            .iter()
            .map(|s| {
                p.frames_root_to_leaf(s.stack, &mut buf);
                (
                    buf.iter()
                        .map(|&f| p.string(p.frame(f).function).to_string())
                        .collect(),
                    s.value,
                )
            })
            .collect()
    }

    const FRAMES: &str = r#""shared":{"frames":[{"name":"main","file":"/srv/app.py","line":3},{"name":"work","file":"/srv/app.py","line":9}]}"#;

    #[test]
    fn sampled_profiles_are_root_first_and_weighted() {
        let s = format!(
            r#"{{"$schema":"https://www.speedscope.app/file-format-schema.json",{FRAMES},"profiles":[
              {{"type":"sampled","name":"Thread 1 \"MainThread\"","unit":"seconds","startValue":0,"endValue":1,"samples":[[0,1],[0,1],[0]],"weights":[0.01,0.01,0.02]}}]}}"#
        );
        let p = parse_str(&s).unwrap();
        assert_eq!(p.unit(), ValueUnit::Nanoseconds);
        assert_eq!(
            stacks(&p),
            vec![
                (vec!["main".into(), "work".into()], 20_000_000),
                (vec!["main".into()], 20_000_000)
            ]
        );
        assert_eq!(
            p.frame(p.frames_leaf_to_root(p.samples()[0].stack).next().unwrap())
                .kind,
            FrameKind::Python
        );
    }

    #[test]
    fn several_profiles_get_thread_roots_and_evented_time_is_charged_between_events() {
        let s = format!(
            r#"{{{FRAMES},"profiles":[
              {{"type":"evented","name":"a","unit":"milliseconds","startValue":0,"endValue":10,"events":[
                 {{"type":"O","at":0,"frame":0}},{{"type":"O","at":2,"frame":1}},{{"type":"C","at":5,"frame":1}},{{"type":"C","at":10,"frame":0}}]}},
              {{"type":"sampled","name":"b","unit":"nanoseconds","samples":[[1]],"weights":[7]}}]}}"#
        );
        let p = parse_str(&s).unwrap();
        assert_eq!(
            stacks(&p),
            vec![
                (vec!["thread: a".into(), "main".into()], 7_000_000),
                (
                    vec!["thread: a".into(), "main".into(), "work".into()],
                    3_000_000
                ),
                (vec!["thread: b".into(), "work".into()], 7),
            ]
        );
    }

    #[test]
    fn malformed_files_name_the_problem() {
        let e = |s: &str| parse_str(s).unwrap_err().to_string();
        assert!(
            e(r#"{"traceEvents": []}"#)
                .starts_with("s.json:1: is JSON but not a speedscope file (missing field `shared`"),
            "{}",
            e(r#"{"traceEvents": []}"#)
        );
        assert!(e("{\n\"shared\": {\"frames\": [").starts_with("s.json:2: is truncated JSON"));
        assert!(e("{\"shared\": }").starts_with("s.json:1: invalid JSON"));
        let bad_index = format!(
            r#"{{{FRAMES},"profiles":[{{"type":"sampled","unit":"none","samples":[[0,5]],"weights":[1]}}]}}"#
        );
        assert_eq!(
            e(&bad_index),
            "s.json: profile #0: sample 0: frame index 5 is out of range (shared.frames has 2)"
        );
        let neg = format!(
            r#"{{{FRAMES},"profiles":[{{"type":"sampled","unit":"none","samples":[[0]],"weights":[-1]}}]}}"#
        );
        assert_eq!(
            e(&neg),
            "s.json: profile #0: sample 0: weight -1 is negative or not a number"
        );
        let unit = format!(
            r#"{{{FRAMES},"profiles":[{{"type":"sampled","unit":"parsecs","samples":[],"weights":[]}}]}}"#
        );
        assert!(e(&unit).contains("unknown unit \"parsecs\""));
        let close = format!(
            r#"{{{FRAMES},"profiles":[{{"type":"evented","unit":"none","events":[{{"type":"O","at":0,"frame":0}},{{"type":"C","at":1,"frame":1}}]}}]}}"#
        );
        assert_eq!(
            e(&close),
            "s.json: profile #0: event 1: closes frame 1 which is not the innermost open frame"
        );
        let back = format!(
            r#"{{{FRAMES},"profiles":[{{"type":"evented","unit":"none","events":[{{"type":"O","at":5,"frame":0}},{{"type":"C","at":1,"frame":0}}]}}]}}"#
        );
        assert_eq!(
            e(&back),
            "s.json: profile #0: event 1: time 1 is before the previous event's 5"
        );
    }
}
