//! pprof's profile.proto (<https://github.com/google/pprof/blob/main/proto/profile.proto>),
//! decoded with the `pprof` crate's prost types.
//!
//! - **Sample type**: `--sample-type NAME` picks a `sample_type` by its type name; otherwise the
//!   `default_sample_type`, else the **last** sample type, as `go tool pprof` does.
//! - **Stacks**: `Sample.location_id[0]` is the leaf; a location with several `line`s holds
//!   inlined frames, the last line being the caller the others were inlined into. Both are turned
//!   root → leaf here.
//! - **Frames**: a function's `name` (else `system_name`), `filename` and the line's `line`
//!   (≤ 0 means none). A location with no line (address only, no symbols) becomes a frame named
//!   after its mapping, `[libfoo.so]`, as pprof prints it, or `<unknown>` without a mapping.
//!   Functions named `file.py:LINE - name` (pyroscope's Python converter) are split into file,
//!   line and name; `(idle)` frames (also Node.js's `:(idle):0`) are idle.
//! - **Units**: time units become nanoseconds; `samples/count` becomes samples; `bytes` stay
//!   bytes; any other unit is a count.
//! - **Labels** (`Sample.label`) are kept, string and numeric.
//!
//! Validation follows pprof's `CheckValid`: the string table starts with `""`; ids are non-zero
//! and unique; every reference (string index, mapping, function, location id) is in range;
//! every sample has one value per sample type. brownfield also refuses negative values (diff
//! profiles) and totals over 2^64 − 1. Errors name the message kind and its index.

use std::num::NonZeroU32;
use std::path::Path;

use pprof::protos::Message;
use rustc_hash::FxHashMap;

use super::{IngestError, IngestOptions};
use crate::profile::{
    Frame, FrameId, FrameKind, Label, LabelValue, Metadata, Profile, ProfileBuilder, StackId,
    StrId, ValueUnit,
};

/// Decodes and validates a profile.proto (already gunzipped) into a [`Profile`].
///
/// # Errors
/// [`IngestError::Invalid`] when the bytes do not decode as profile.proto (prost's message
/// names the field) or no sample type matches `--sample-type`; [`IngestError::Message`] naming
/// the message kind and index for invalid references, ids and values.
pub fn parse(path: &Path, bytes: &[u8], options: &IngestOptions) -> Result<Profile, IngestError> {
    let p = pprof::protos::Profile::decode(bytes).map_err(|e| {
        IngestError::invalid(
            path,
            format!(
                "is not a profile brownfield can read: binary data that does not decode as pprof profile.proto ({e}); \
                 formats tried: collapsed, speedscope, pprof (use --input-format to force one; legacy pre-protobuf \
                 profiles convert with `go tool pprof -proto FILE > FILE.pb.gz`)"
            ),
        )
    })?;
    Reader::new(path, &p, bytes.len())?.read(options)
}

struct Reader<'a> {
    path: &'a Path,
    p: &'a pprof::protos::Profile,
    encoded_len: usize,
}

impl<'a> Reader<'a> {
    fn new(
        path: &'a Path,
        p: &'a pprof::protos::Profile,
        encoded_len: usize,
    ) -> Result<Self, IngestError> {
        if p.string_table.first().is_some_and(|s| !s.is_empty()) {
            return Err(IngestError::message(
                path,
                "string_table",
                0,
                "the first string must be empty",
            ));
        }
        Ok(Reader {
            path,
            p,
            encoded_len,
        })
    }

    fn err(&self, kind: &'static str, index: usize, message: impl Into<String>) -> IngestError {
        IngestError::message(self.path, kind, index, message)
    }

    /// The string at `index`, checked.
    fn string(&self, kind: &'static str, at: usize, index: i64) -> Result<&'a str, IngestError> {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.p.string_table.get(i))
            .map(String::as_str)
            .ok_or_else(|| {
                self.err(
                    kind,
                    at,
                    format!(
                        "string index {index} is out of range (the string table has {} entries)",
                        self.p.string_table.len()
                    ),
                )
            })
    }

    fn read(&self, options: &IngestOptions) -> Result<Profile, IngestError> {
        let p = self.p;
        let (value_index, type_name, unit_name) = self.pick_sample_type(options)?;
        let (unit, scale) = unit_of(type_name, unit_name);
        let mut b = ProfileBuilder::new(unit);

        // Mappings: id → file name.
        let mut mappings: FxHashMap<u64, &str> = FxHashMap::default();
        for (i, m) in p.mapping.iter().enumerate() {
            if m.id == 0 {
                return Err(self.err("mapping", i, "id 0 is reserved"));
            }
            let file = self.string("mapping", i, m.filename)?;
            if mappings.insert(m.id, file).is_some() {
                return Err(self.err("mapping", i, format!("duplicate mapping id {}", m.id)));
            }
        }

        // Functions: id → (name, file).
        let mut functions: FxHashMap<u64, (&str, &str)> = FxHashMap::default();
        for (i, f) in p.function.iter().enumerate() {
            if f.id == 0 {
                return Err(self.err("function", i, "id 0 is reserved"));
            }
            let name = self.string("function", i, f.name)?;
            let system = self.string("function", i, f.system_name)?;
            let file = self.string("function", i, f.filename)?;
            let name = if name.is_empty() { system } else { name };
            if functions.insert(f.id, (name, file)).is_some() {
                return Err(self.err("function", i, format!("duplicate function id {}", f.id)));
            }
        }

        // Locations: id → frames root → leaf (inlined callers first).
        let mut locations: FxHashMap<u64, Vec<FrameId>> = FxHashMap::default();
        for (i, loc) in p.location.iter().enumerate() {
            if loc.id == 0 {
                return Err(self.err("location", i, "id 0 is reserved"));
            }
            let mapping = if loc.mapping_id == 0 {
                None
            } else {
                Some(*mappings.get(&loc.mapping_id).ok_or_else(|| {
                    self.err(
                        "location",
                        i,
                        format!(
                            "refers to mapping id {}, which does not exist",
                            loc.mapping_id
                        ),
                    )
                })?)
            };
            let mut frames = Vec::with_capacity(loc.line.len().max(1));
            for line in loc.line.iter().rev() {
                let &(name, file) = functions.get(&line.function_id).ok_or_else(|| {
                    self.err(
                        "location",
                        i,
                        format!(
                            "refers to function id {}, which does not exist",
                            line.function_id
                        ),
                    )
                })?;
                frames.push(frame(&mut b, name, file, line.line));
            }
            if frames.is_empty() {
                frames.push(address_frame(&mut b, mapping));
            }
            if locations.insert(loc.id, frames).is_some() {
                return Err(self.err("location", i, format!("duplicate location id {}", loc.id)));
            }
        }

        let table = LocationTable::new(locations);
        let mut pushed: FxHashMap<(Option<StackId>, u32), StackId> = FxHashMap::default();
        let bytes_len = self.encoded_len;
        let mut budget = frame_budget(bytes_len);
        let types = p.sample_type.len();
        let mut label_buf: Vec<Label> = Vec::new();
        for (i, s) in p.sample.iter().enumerate() {
            if s.value.len() != types {
                return Err(self.err(
                    "sample",
                    i,
                    format!(
                        "has {} values but the profile has {types} sample types",
                        s.value.len()
                    ),
                ));
            }
            let raw = s.value[value_index];
            if raw < 0 {
                return Err(self.err(
                    "sample",
                    i,
                    format!("negative value {raw} for {type_name}/{unit_name} (diff profiles are not supported)"),
                ));
            }
            let value = (raw as u64).checked_mul(scale).ok_or_else(|| {
                self.err(
                    "sample",
                    i,
                    format!(
                        "value {raw} {unit_name} overflows when converted to {}",
                        unit.as_str()
                    ),
                )
            })?;
            if value == 0 {
                continue;
            }
            let mut stack: Option<StackId> = None;
            let mut depth = 0usize;
            for &loc_id in s.location_id.iter().rev() {
                let (slot, frames) = table.get(loc_id).ok_or_else(|| {
                    self.err(
                        "sample",
                        i,
                        format!("refers to location id {loc_id}, which does not exist"),
                    )
                })?;
                depth += frames.len();
                if depth > MAX_STACK_DEPTH {
                    return Err(self.err(
                        "sample",
                        i,
                        format!("its stack is deeper than {MAX_STACK_DEPTH} frames (inlined frames included); refusing it"),
                    ));
                }
                if frames.len() > 1 {
                    // A location with inlined frames is pushed as a whole once per parent, so
                    // a location with thousands of lines referenced by thousands of samples
                    // costs one lookup each, not thousands of pushes.
                    if let Some(&id) = pushed.get(&(stack, slot)) {
                        stack = Some(id);
                        continue;
                    }
                }
                let parent = stack;
                budget = budget.checked_sub(frames.len()).ok_or_else(|| {
                    self.err(
                        "sample",
                        i,
                        format!(
                            "the profile expands to more than {} stack frames from {} bytes; refusing it as corrupt or hostile",
                            frame_budget(bytes_len),
                            bytes_len
                        ),
                    )
                })?;
                for &f in frames {
                    stack = Some(b.push_frame(stack, f));
                }
                if frames.len() > 1
                    && let Some(id) = stack
                {
                    pushed.insert((parent, slot), id);
                }
            }
            label_buf.clear();
            for l in &s.label {
                let key = self.string("sample", i, l.key)?;
                let key = b.intern(key);
                let value = if l.str != 0 {
                    LabelValue::Str(b.intern(self.string("sample", i, l.str)?))
                } else {
                    let unit = self.string("sample", i, l.num_unit)?;
                    LabelValue::Num {
                        value: l.num,
                        unit: (!unit.is_empty()).then(|| b.intern(unit)),
                    }
                };
                label_buf.push(Label { key, value });
            }
            let labels = b.label_set(label_buf.clone());
            b.add_labelled_sample(stack, value, labels).map_err(|()| {
                self.err(
                    "sample",
                    i,
                    "the sum of the sample values overflows a 64-bit integer",
                )
            })?;
        }

        let period = match &p.period_type {
            Some(t) if p.period != 0 => Some(format!(
                "{} {}/{}",
                p.period,
                self.string("period_type", 0, t.ty)?,
                self.string("period_type", 0, t.unit)?
            )),
            _ => None,
        };
        b.set_metadata(Metadata {
            format: "pprof".to_string(),
            sample_type: format!("{type_name}/{unit_name}"),
            period,
            duration_nanos: u64::try_from(p.duration_nanos).ok().filter(|&d| d > 0),
            profiles_merged: 1,
            sources: Vec::new(),
            source_totals: Vec::new(),
        });
        Ok(b.finish())
    }

    /// The index of the sample type to read, with its type and unit names.
    fn pick_sample_type(
        &self,
        options: &IngestOptions,
    ) -> Result<(usize, &'a str, &'a str), IngestError> {
        let p = self.p;
        if p.sample_type.is_empty() {
            return Err(IngestError::invalid(
                self.path,
                "has no sample_type: it is not a usable pprof profile",
            ));
        }
        let mut types = Vec::with_capacity(p.sample_type.len());
        for (i, t) in p.sample_type.iter().enumerate() {
            types.push((
                self.string("sample_type", i, t.ty)?,
                self.string("sample_type", i, t.unit)?,
            ));
        }
        let wanted = match &options.sample_type {
            Some(name) => Some(name.as_str()),
            None if p.default_sample_type != 0 => {
                Some(self.string("default_sample_type", 0, p.default_sample_type)?)
            }
            None => None,
        };
        let index = match wanted {
            Some(name) => match types.iter().position(|(t, _)| *t == name) {
                Some(i) => i,
                None if options.sample_type.is_none() => types.len() - 1,
                None => {
                    let names: Vec<String> =
                        types.iter().map(|(t, u)| format!("{t} ({u})")).collect();
                    return Err(IngestError::invalid(
                        self.path,
                        format!("has no sample type {name:?}; it has: {}", names.join(", ")),
                    ));
                }
            },
            None => types.len() - 1,
        };
        let (t, u) = types[index];
        Ok((index, t, u))
    }
}

/// How many frames a profile of `bytes` bytes may expand to while its stacks are built (8 per
/// byte, at least 2 million): far more than real profiles need (Go's runtime/pprof output
/// expands to about 0.1 frame per byte, a synthetic 114 MB profile of distinct deep stacks to
/// 0.3), and a bound on the memory a small hostile file can claim (fuzzing found 100 KB files
/// that referenced one deep inlined location thousands of times).
fn frame_budget(bytes: usize) -> usize {
    bytes.saturating_mul(8).saturating_add(2_000_000)
}

/// The deepest stack accepted, in frames (inlined frames included): deep enough for any real
/// recursion, and a bound on what a small hostile file can expand to.
pub const MAX_STACK_DEPTH: usize = 1_000_000;

/// Location id → its frames (root → leaf), laid out for the hot loop over samples: one arena of
/// frame ids, and a dense index by id when ids are compact (Go numbers them 1..N), else a map.
struct LocationTable {
    arena: Vec<FrameId>,
    dense: Vec<(u32, u32)>,
    sparse: FxHashMap<u64, (u32, u32)>,
}

impl LocationTable {
    /// Marks a dense slot with no location.
    const EMPTY: (u32, u32) = (u32::MAX, 0);

    fn new(locations: FxHashMap<u64, Vec<FrameId>>) -> Self {
        let mut ids: Vec<u64> = locations.keys().copied().collect();
        ids.sort_unstable();
        let max = ids.last().copied().unwrap_or(0);
        let dense_ok = max <= (ids.len() as u64).saturating_mul(4).saturating_add(1024);
        let mut t = LocationTable {
            arena: Vec::new(),
            dense: if dense_ok {
                vec![Self::EMPTY; max as usize + 1]
            } else {
                Vec::new()
            },
            sparse: FxHashMap::default(),
        };
        for id in ids {
            let frames = &locations[&id];
            let slot = (t.arena.len() as u32, frames.len() as u32);
            t.arena.extend_from_slice(frames);
            if dense_ok {
                t.dense[id as usize] = slot;
            } else {
                t.sparse.insert(id, slot);
            }
        }
        t
    }

    /// The location's slot (a small id of its own) and its frames.
    fn get(&self, id: u64) -> Option<(u32, &[FrameId])> {
        let (start, len) = if self.dense.is_empty() {
            *self.sparse.get(&id)?
        } else {
            *self.dense.get(usize::try_from(id).ok()?)?
        };
        if start == u32::MAX {
            return None;
        }
        Some((
            start,
            self.arena.get(start as usize..(start + len) as usize)?,
        ))
    }
}

/// The value unit of a pprof `type/unit`, and the factor that converts to it.
fn unit_of(type_name: &str, unit: &str) -> (ValueUnit, u64) {
    match unit {
        "nanoseconds" | "ns" => (ValueUnit::Nanoseconds, 1),
        "microseconds" | "us" => (ValueUnit::Nanoseconds, 1_000),
        "milliseconds" | "ms" => (ValueUnit::Nanoseconds, 1_000_000),
        "seconds" | "s" => (ValueUnit::Nanoseconds, 1_000_000_000),
        "bytes" => (ValueUnit::Bytes, 1),
        "count" | "" if type_name == "samples" => (ValueUnit::Samples, 1),
        _ => (ValueUnit::Count, 1),
    }
}

fn frame(b: &mut ProfileBuilder, name: &str, file: &str, line: i64) -> FrameId {
    let (name, file, line) = match split_embedded_location(name, file) {
        Some((n, f, l)) => (n, f, if line > 0 { line } else { l }),
        None => (name, file, line),
    };
    // Every pprof frame is program code: one with no file is compiled code without debug info.
    let kind = match FrameKind::classify(name, Some(file), line > 0) {
        FrameKind::Unknown => FrameKind::Native,
        k => k,
    };
    let function = b.intern(if name.is_empty() { "<unknown>" } else { name });
    let file: Option<StrId> = (!file.is_empty()).then(|| b.intern(file));
    let line = u32::try_from(line).ok().and_then(NonZeroU32::new);
    b.frame(Frame {
        function,
        file,
        line,
        kind,
    })
}

/// pyroscope's Python converter writes `lib/utility/utility.py:-1 - find_nearest_vehicle` as the
/// function name (with the same file as the function's `filename`, or none): split it into
/// (name, file, line).
fn split_embedded_location<'s>(name: &'s str, file: &'s str) -> Option<(&'s str, &'s str, i64)> {
    let (location, function) = name.split_once(" - ")?;
    let (f, l) = location.rsplit_once(':')?;
    if !f.ends_with(".py") || !(file.is_empty() || file == f) {
        return None;
    }
    let line: i64 = l.parse().ok()?;
    Some((function, f, line))
}

fn address_frame(b: &mut ProfileBuilder, mapping: Option<&str>) -> FrameId {
    let (name, file) = match mapping {
        Some(m) if !m.is_empty() => {
            let base = crate::profile::file_basename(m);
            (format!("[{base}]"), Some(m))
        }
        _ => ("<unknown>".to_string(), None),
    };
    let function = b.intern(&name);
    let file = file.map(|f| b.intern(f));
    b.frame(Frame {
        function,
        file,
        line: None,
        kind: FrameKind::Native,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pprof::protos::{Function, Line, Location, Mapping, Sample, ValueType};

    fn base() -> pprof::protos::Profile {
        let strings = [
            "",
            "cpu",
            "nanoseconds",
            "samples",
            "count",
            "main",
            "main.go",
            "work",
            "/bin/app",
            "thread",
            "t1",
        ];
        pprof::protos::Profile {
            string_table: strings.iter().map(|s| s.to_string()).collect(),
            sample_type: vec![ValueType { ty: 3, unit: 4 }, ValueType { ty: 1, unit: 2 }],
            mapping: vec![Mapping {
                id: 1,
                filename: 8,
                ..Default::default()
            }],
            function: vec![
                Function {
                    id: 1,
                    name: 5,
                    filename: 6,
                    ..Default::default()
                },
                Function {
                    id: 2,
                    name: 7,
                    filename: 6,
                    ..Default::default()
                },
            ],
            location: vec![
                // main calls work, which is inlined into it at this location.
                Location {
                    id: 10,
                    mapping_id: 1,
                    line: vec![
                        Line {
                            function_id: 2,
                            line: 7,
                        },
                        Line {
                            function_id: 1,
                            line: 3,
                        },
                    ],
                    ..Default::default()
                },
                Location {
                    id: 11,
                    mapping_id: 1,
                    address: 0x1234,
                    ..Default::default()
                },
            ],
            sample: vec![
                Sample {
                    location_id: vec![10],
                    value: vec![2, 20_000_000],
                    label: vec![pprof::protos::Label {
                        key: 9,
                        str: 10,
                        ..Default::default()
                    }],
                },
                Sample {
                    location_id: vec![11, 10],
                    value: vec![1, 10_000_000],
                    label: vec![],
                },
            ],
            ..Default::default()
        }
    }

    fn read(p: &pprof::protos::Profile, options: &IngestOptions) -> Result<Profile, IngestError> {
        parse(Path::new("p.pb"), &p.encode_to_vec(), options)
    }

    fn names(profile: &Profile, stack: Option<StackId>) -> Vec<String> {
        let mut out = Vec::new();
        profile.frames_root_to_leaf(stack, &mut out);
        out.iter()
            .map(|&f| profile.string(profile.frame(f).function).to_string())
            .collect()
    }

    #[test]
    fn reads_the_last_sample_type_inlined_frames_and_address_frames() {
        let p = read(&base(), &IngestOptions::default()).unwrap();
        assert_eq!(p.unit(), ValueUnit::Nanoseconds);
        assert_eq!(p.total(), 30_000_000);
        assert_eq!(p.metadata().sample_type, "cpu/nanoseconds");
        assert_eq!(names(&p, p.samples()[0].stack), vec!["main", "work"]);
        assert_eq!(
            names(&p, p.samples()[1].stack),
            vec!["main", "work", "[app]"]
        );
        let labels = p.label_set(p.samples()[0].labels.unwrap());
        assert_eq!(p.string(labels[0].key), "thread");
        assert_eq!(p.samples()[1].labels, None);
    }

    #[test]
    fn sample_type_can_be_chosen_or_defaulted() {
        let mut o = IngestOptions::default();
        o.sample_type = Some("samples".into());
        let p = read(&base(), &o).unwrap();
        assert_eq!((p.unit(), p.total()), (ValueUnit::Samples, 3));
        o.sample_type = Some("alloc".into());
        let e = read(&base(), &o).unwrap_err().to_string();
        assert_eq!(
            e,
            "p.pb: has no sample type \"alloc\"; it has: samples (count), cpu (nanoseconds)"
        );
        let mut d = base();
        d.default_sample_type = 3;
        assert_eq!(
            read(&d, &IngestOptions::default()).unwrap().unit(),
            ValueUnit::Samples
        );
    }

    #[test]
    fn invalid_references_name_the_message() {
        type Mutation = Box<dyn Fn(&mut pprof::protos::Profile)>;
        let cases: Vec<(Mutation, &str)> = vec![
            (
                Box::new(|p| p.sample[1].location_id[0] = 99),
                "p.pb: sample #1: refers to location id 99, which does not exist",
            ),
            (
                Box::new(|p| p.location[0].line[0].function_id = 7),
                "p.pb: location #0: refers to function id 7, which does not exist",
            ),
            (
                Box::new(|p| p.function[0].id = 0),
                "p.pb: function #0: id 0 is reserved",
            ),
            (
                Box::new(|p| p.function[1].name = 500),
                "p.pb: function #1: string index 500 is out of range (the string table has 11 entries)",
            ),
            (
                Box::new(|p| p.sample[0].value[1] = -5),
                "p.pb: sample #0: negative value -5 for cpu/nanoseconds (diff profiles are not supported)",
            ),
            (
                Box::new(|p| p.sample[0].value.pop().map(|_| ()).unwrap_or(())),
                "p.pb: sample #0: has 1 values but the profile has 2 sample types",
            ),
            (
                Box::new(|p| p.location[1].mapping_id = 4),
                "p.pb: location #1: refers to mapping id 4, which does not exist",
            ),
            (
                Box::new(|p| {
                    p.sample[0].value[1] = i64::MAX;
                    p.sample[1].value[1] = i64::MAX;
                    p.sample.push(p.sample[0].clone());
                }),
                "p.pb: sample #2: the sum of the sample values overflows a 64-bit integer",
            ),
            (
                Box::new(|p| p.string_table[0] = "x".into()),
                "p.pb: string_table #0: the first string must be empty",
            ),
        ];
        for (mutate, expected) in cases {
            let mut p = base();
            mutate(&mut p);
            assert_eq!(
                read(&p, &IngestOptions::default()).unwrap_err().to_string(),
                expected
            );
        }
    }

    #[test]
    fn garbage_is_not_a_profile() {
        let e = parse(
            Path::new("x.bin"),
            b"\xff\xff\xff\xff\x00\x01",
            &IngestOptions::default(),
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("x.bin: is not a profile brownfield can read"),
            "{e}"
        );
    }

    #[test]
    fn embedded_python_locations_are_split() {
        assert_eq!(
            split_embedded_location("lib/utility/utility.py:-1 - find_nearest_vehicle", ""),
            Some(("find_nearest_vehicle", "lib/utility/utility.py", -1))
        );
        assert_eq!(
            split_embedded_location("a.py:3 - f", "a.py"),
            Some(("f", "a.py", 3))
        );
        assert_eq!(split_embedded_location("a.py:3 - f", "b.py"), None);
        assert_eq!(split_embedded_location("main.work", ""), None);
        let kind = |n: &str| FrameKind::classify(n, None, false);
        assert!(
            kind(":(idle):0") == FrameKind::Idle
                && kind("(idle)") == FrameKind::Idle
                && kind("idle") != FrameKind::Idle
        );
    }
}
