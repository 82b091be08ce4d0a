//! The normalized profile model: interned strings and frames, prefix-tree stacks and samples.
//!
//! Every input format is converted into one [`Profile`] by [`crate::ingest`]; no later stage
//! knows which file format a profile came from. Stacks are stored **root → leaf** as a prefix
//! tree ([`StackNode`]), so a sample is one [`StackId`] plus a value, and stacks that share a
//! prefix share its nodes (the layout of samply's `fxprof-processed-profile` stack table).
//!
//! Ids ([`StrId`], [`FrameId`], [`StackId`]) are indices into the tables of the profile that
//! created them; an id is only meaningful together with that profile.

use std::num::NonZeroU32;
use std::sync::OnceLock;

use indexmap::IndexSet;
use rustc_hash::{FxBuildHasher, FxHashMap};

/// Interning tables hash with FxHash: the keys are small ids and short names, hashed millions
/// of times per profile, and the default SipHash (DoS-resistant, several times slower) buys
/// nothing for a local tool reading its user's own files.
type Table<T> = IndexSet<T, FxBuildHasher>;

pub mod transform;

/// Index of an interned string in [`Profile::string`]. Only valid for the profile that made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StrId(u32);

/// Index of a frame in [`Profile::frame`]. Only valid for the profile that made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FrameId(u32);

/// Index of a node of the stack prefix tree in [`Profile::stack_node`].
///
/// A `StackId` names a whole stack: the node's frame is the leaf, and its parent chain leads to
/// the root frame. Only valid for the profile that made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StackId(u32);

impl StrId {
    /// The index into the string table.
    pub fn index(self) -> usize {
        self.0 as usize
    }

    pub(crate) fn from_index(i: usize) -> Self {
        StrId(index_u32(i))
    }
}

impl FrameId {
    /// The index into the frame table, `0..Profile::frame_count()`.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl StackId {
    /// The index into the stack table, `0..Profile::stack_node_count()`.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// What kind of code a frame stands for, decided from its text when it is ingested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FrameKind {
    /// Interpreted Python code: a location that is a Python source (`.py`, `<frozen ...>`,
    /// `<string>`), the frames py-spy records by default.
    Python,
    /// Machine code: a location that is a shared object or executable (`libc.so.6`), or a bare
    /// address such as `0x7fdb9544524a`; py-spy writes these with `--native`.
    Native,
    /// A thread frame as py-spy's `--threads` writes it at the root: `thread (2611): MainThread`.
    Thread,
    /// A process frame as py-spy's `--subprocesses` writes it: `process 2674:"python3 app.py"`.
    Process,
    /// A frame that stands for the program waiting, not running: `(idle)` (Node.js, pprof
    /// converters) and the like. Samples whose leaf is idle are dropped unless `--idle`.
    Idle,
    /// A frame with no location at all, as plain collapsed-stack tools write it (`main`).
    Unknown,
}

impl FrameKind {
    /// Decides a frame's kind from its parts as profilers write them: py-spy's thread and
    /// process frames by name, `(idle)` (and `:(idle):0`), Python sources by file (`.py`, `<frozen ...>`,
    /// `<string>`, Cython `.pyx` with a line), any other file (shared objects, C sources of
    /// native frames) and bare addresses as native, and no file as unknown.
    pub fn classify(function: &str, file: Option<&str>, has_line: bool) -> FrameKind {
        if is_thread_frame(function) {
            return FrameKind::Thread;
        }
        if function.starts_with("process ") && function.contains(":\"") {
            return FrameKind::Process;
        }
        if is_idle_name(function) {
            return FrameKind::Idle;
        }
        let Some(file) = file.filter(|f| !f.is_empty()) else {
            return if is_address(function) {
                FrameKind::Native
            } else {
                FrameKind::Unknown
            };
        };
        if is_python_file(file) || (has_line && is_cython_file(file)) {
            // Cython sources (.pyx) are code the team owns, mapped like Python.
            FrameKind::Python
        } else {
            // Shared objects, addresses, and C/C++ sources of native frames with debug info
            // (py-spy --native writes `name (_json.c:1549)`).
            FrameKind::Native
        }
    }

    /// A short lowercase name for reports: `python`, `native`, `thread`, `process`, `idle`,
    /// `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            FrameKind::Python => "python",
            FrameKind::Native => "native",
            FrameKind::Thread => "thread",
            FrameKind::Process => "process",
            FrameKind::Idle => "idle",
            FrameKind::Unknown => "unknown",
        }
    }
}

/// `thread (2611): MainThread`, `thread (0x7f..): name` or `thread (2611)` (py-spy `--threads`).
fn is_thread_frame(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("thread (") else {
        return false;
    };
    // Before a thread is named, py-spy writes only `thread (TID)`.
    let id = match rest.find("): ") {
        Some(close) => &rest[..close],
        None => match rest.strip_suffix(')') {
            Some(id) => id,
            None => return false,
        },
    };
    !id.is_empty()
        && (id.bytes().all(|b| b.is_ascii_digit())
            || id
                .strip_prefix("0x")
                .is_some_and(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit())))
}

fn is_address(name: &str) -> bool {
    name.strip_prefix("0x")
        .is_some_and(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn is_python_file(file: &str) -> bool {
    file.ends_with(".py")
        || file.ends_with(".pyw")
        || file.starts_with("<frozen ")
        || file == "<string>"
        || file == "<stdin>"
}

/// `(idle)`, also as the Node.js wall profiler writes it in pprof, `:(idle):0`.
fn is_idle_name(name: &str) -> bool {
    name == "(idle)" || name.split(':').any(|part| part == "(idle)")
}

/// The last component of a path, with `/` or `\` separators (`libc.so.6` of
/// `/usr/lib/libc.so.6`).
pub fn file_basename(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

fn is_cython_file(file: &str) -> bool {
    file.ends_with(".pyx") || file.ends_with(".pxd") || file.ends_with(".pxi")
}

/// One frame: a function at a place in a file.
///
/// `file` is the location exactly as the profiler wrote it (a path, a shared object, or a
/// pseudo-file such as `<frozen importlib._bootstrap>`). `line` is 1-based; `None` when the
/// profiler gave no line (never `0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Frame {
    /// The function name as written by the profiler (py-spy writes `co_qualname` on
    /// Python 3.11+, e.g. `Tokenizer.next_token` or `outer.<locals>.inner`).
    pub function: StrId,
    /// The file or object the frame is in, if the profiler gave one.
    pub file: Option<StrId>,
    /// The 1-based line number, if the profiler gave one.
    pub line: Option<NonZeroU32>,
    /// What kind of code this frame is.
    pub kind: FrameKind,
}

/// One node of the stack prefix tree: a frame and the stack it was called from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StackNode {
    /// The caller's stack, `None` for a root frame.
    pub parent: Option<StackId>,
    /// The frame at this depth (the leaf of the stack this node names).
    pub frame: FrameId,
}

/// One observation (or an aggregate of identical ones): a stack and a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    /// The stack, `None` when the profiler recorded an empty stack (py-spy writes these as a
    /// line with only a count, e.g. while the interpreter starts or while a thread has no
    /// Python frame).
    pub stack: Option<StackId>,
    /// The value in the profile's [`ValueUnit`]; for py-spy, a number of samples.
    pub value: u64,
    /// The sample's labels (pprof `Sample.label`), `None` when it has none.
    pub labels: Option<LabelSetId>,
}

/// Index of an interned label set in [`Profile::label_set`]. Only valid for its profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LabelSetId(u32);

impl LabelSetId {
    /// The index into the label-set table.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// One label of a sample, as in profile.proto's `Label`: a key with a string or a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Label {
    /// The label's key (`thread_name`, `goroutine`, `stage`).
    pub key: StrId,
    /// The label's value.
    pub value: LabelValue,
}

/// A label's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LabelValue {
    /// A string value (profile.proto `Label.str`).
    Str(StrId),
    /// A numeric value (profile.proto `Label.num`) with its unit (`Label.num_unit`), if any.
    Num {
        /// The number.
        value: i64,
        /// Its unit, e.g. `bytes`.
        unit: Option<StrId>,
    },
}

/// The unit of sample values. Time is always stored in nanoseconds: readers convert
/// microseconds, milliseconds and seconds when they ingest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ValueUnit {
    /// Each unit is one sample taken by a sampling profiler (py-spy's raw counts, pprof's
    /// `samples/count`).
    Samples,
    /// Nanoseconds of CPU or wall time.
    Nanoseconds,
    /// Bytes (heap profiles).
    Bytes,
    /// Events of some other kind (pprof `count` units other than samples).
    Count,
    /// Dimensionless weights: profiles merged with `--normalize`, each scaled to the same total.
    Weight,
}

impl ValueUnit {
    /// The unit's name as reports print it: `samples`, `nanoseconds`, `bytes`, `count`,
    /// `weight`.
    pub fn as_str(self) -> &'static str {
        match self {
            ValueUnit::Samples => "samples",
            ValueUnit::Nanoseconds => "nanoseconds",
            ValueUnit::Bytes => "bytes",
            ValueUnit::Count => "count",
            ValueUnit::Weight => "weight",
        }
    }
}

/// Where a profile came from and what its values measure.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Metadata {
    /// The input format: `collapsed`, `speedscope`, `pprof`; `merged` for several inputs.
    pub format: String,
    /// The sample type the values are, as `type/unit` (`cpu/nanoseconds`, `samples/count`).
    pub sample_type: String,
    /// The sampling period as `value type/unit` (profile.proto `period` and `period_type`),
    /// e.g. `10000000 cpu/nanoseconds`, if the format records it.
    pub period: Option<String>,
    /// Duration of the recording in nanoseconds (profile.proto `duration_nanos`), if known.
    pub duration_nanos: Option<u64>,
    /// Number of input profiles merged into this one (1 for a single file).
    pub profiles_merged: usize,
    /// The files the profile was read from, as given.
    pub sources: Vec<String>,
    /// The total of each file in `sources` as read (before filters), in the profile's unit;
    /// same order.
    pub source_totals: Vec<u64>,
}

/// A whole profile: tables of strings, frames and stack nodes, and the samples.
///
/// Build one with [`ProfileBuilder`]. Invariants (kept by the builder): every id stored in the
/// tables is in range, and a stack node's parent has a smaller index than the node itself.
#[derive(Debug, Clone)]
pub struct Profile {
    strings: Table<Box<str>>,
    frames: Table<Frame>,
    stacks: Vec<StackNode>,
    label_sets: Table<Box<[Label]>>,
    samples: Vec<Sample>,
    unit: ValueUnit,
    total: u64,
    metadata: Metadata,
    /// [`Profile::values_by_stack`], computed on first use (several stages walk it).
    by_stack: OnceLock<Vec<Sample>>,
}

impl Profile {
    /// The string an id names. Panics only if the id is from another profile.
    pub fn string(&self, id: StrId) -> &str {
        self.strings
            .get_index(id.index())
            .expect("StrId from this profile")
    }

    /// The frame an id names. Panics only if the id is from another profile.
    pub fn frame(&self, id: FrameId) -> &Frame {
        self.frames
            .get_index(id.index())
            .expect("FrameId from this profile")
    }

    /// The stack node an id names. Panics only if the id is from another profile.
    pub fn stack_node(&self, id: StackId) -> &StackNode {
        self.stacks
            .get(id.index())
            .expect("StackId from this profile")
    }

    /// The labels of a label set, sorted by key. Panics only if the id is from another profile.
    pub fn label_set(&self, id: LabelSetId) -> &[Label] {
        self.label_sets
            .get_index(id.index())
            .expect("LabelSetId from this profile")
    }

    /// The profile's metadata.
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// Keeps the samples for which `keep` is true and recomputes the total. The tables are left
    /// as they are (a frame or stack no sample uses any more does no harm).
    pub fn retain_samples(&mut self, mut keep: impl FnMut(&Profile, &Sample) -> bool) {
        let samples = std::mem::take(&mut self.samples);
        let kept: Vec<Sample> = samples.into_iter().filter(|s| keep(self, s)).collect();
        // The kept values summed to at most the old total, which fitted in a u64.
        self.total = kept.iter().map(|s| s.value).sum();
        self.samples = kept;
        self.by_stack = OnceLock::new();
    }

    /// Records the one file the profile was read from, with the profile's total as that
    /// file's total.
    pub fn set_source(&mut self, source: String) {
        self.metadata.source_totals = vec![self.total()];
        self.metadata.sources = vec![source];
    }

    /// All stack ids, parents before children (a node's parent always has a smaller index).
    pub fn stack_ids(&self) -> impl Iterator<Item = StackId> + '_ {
        (0..self.stacks.len() as u32).map(StackId)
    }

    /// Number of distinct frames; valid [`FrameId`]s are `0..frame_count()`.
    pub fn frame_count(&self) -> usize {
        self.frames.len()
    }

    /// Number of stack prefix-tree nodes; valid [`StackId`]s are `0..stack_node_count()`.
    pub fn stack_node_count(&self) -> usize {
        self.stacks.len()
    }

    /// All frame ids, in table order.
    pub fn frame_ids(&self) -> impl Iterator<Item = FrameId> + '_ {
        (0..self.frames.len() as u32).map(FrameId)
    }

    /// The samples, in input order.
    pub fn samples(&self) -> &[Sample] {
        &self.samples
    }

    /// One sample per distinct stack, values summed and labels dropped (computed once and kept), in
    /// the order stacks first appear. Walkers that only need values per stack use this, so a
    /// deep stack sampled many times is walked once.
    pub fn values_by_stack(&self) -> &[Sample] {
        self.by_stack.get_or_init(|| {
            let mut index: FxHashMap<Option<StackId>, usize> = FxHashMap::default();
            let mut out: Vec<Sample> = Vec::new();
            for s in &self.samples {
                match index.get(&s.stack) {
                    Some(&i) => out[i].value += s.value,
                    None => {
                        index.insert(s.stack, out.len());
                        out.push(Sample {
                            stack: s.stack,
                            value: s.value,
                            labels: None,
                        });
                    }
                }
            }
            out
        })
    }

    /// Self (flat, exclusive) and total (cum, inclusive) value of every entry of a grouping
    /// of frames: `entry_of[frame index]` is the frame's entry in `0..entries`, or `None` for
    /// frames that belong to no entry.
    ///
    /// Self is the value of samples whose leaf frame is in the entry; total the value of samples
    /// with the entry anywhere on the stack, counted **once per sample** even under recursion
    /// (each entry remembers the last stack that counted it, so no per-sample set is built).
    /// Samples are grouped by stack first, so a stack sampled many times is walked once.
    /// Returns `(self, total)`, each `entries` long, in the profile's unit.
    pub fn self_and_total(
        &self,
        entry_of: &[Option<usize>],
        entries: usize,
    ) -> (Vec<u64>, Vec<u64>) {
        let mut self_value = vec![0u64; entries];
        let mut total_value = vec![0u64; entries];
        let mut last_counted = vec![usize::MAX; entries];
        for (i, sample) in self.values_by_stack().iter().enumerate() {
            let mut frames = self.frames_leaf_to_root(sample.stack);
            if let Some(leaf) = frames.next()
                && let Some(e) = entry_of[leaf.index()]
            {
                self_value[e] += sample.value;
                total_value[e] += sample.value;
                last_counted[e] = i;
            }
            for frame in frames {
                if let Some(e) = entry_of[frame.index()]
                    && last_counted[e] != i
                {
                    last_counted[e] = i;
                    total_value[e] += sample.value;
                }
            }
        }
        (self_value, total_value)
    }

    /// The unit of every sample value.
    pub fn unit(&self) -> ValueUnit {
        self.unit
    }

    /// The sum of all sample values (the denominator of every share), in [`Profile::unit`].
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The frames of a stack from **leaf to root** (walks the prefix tree iteratively, so deep
    /// stacks cannot overflow the call stack). An empty iterator for `None`.
    pub fn frames_leaf_to_root(
        &self,
        stack: Option<StackId>,
    ) -> impl Iterator<Item = FrameId> + '_ {
        let mut next = stack;
        std::iter::from_fn(move || {
            let id = next?;
            let node = self.stack_node(id);
            next = node.parent;
            Some(node.frame)
        })
    }

    /// The frames of a stack from **root to leaf**, collected into `out` (cleared first), so a
    /// caller can reuse one buffer for every sample.
    pub fn frames_root_to_leaf(&self, stack: Option<StackId>, out: &mut Vec<FrameId>) {
        out.clear();
        out.extend(self.frames_leaf_to_root(stack));
        out.reverse();
    }
}

/// Builds a [`Profile`] while a parser reads its input: interns strings, frames and stack nodes
/// as they arrive, so memory grows with the number of *distinct* frames and stacks, not with the
/// input size.
#[derive(Debug)]
pub struct ProfileBuilder {
    profile: Profile,
    /// Stack node → id. Kept beside the profile's `Vec` rather than as an `IndexSet`: a lookup
    /// then touches one hash-table slot (key and value inline) instead of a slot and an entry,
    /// which matters when the table outgrows the caches.
    stack_ids: FxHashMap<StackNode, StackId>,
    /// The most recent child pushed under each node (index = parent index + 1, 0 for roots):
    /// `(frame, child)`. Walking a stack that was seen before hits this one-slot cache instead of
    /// hashing and probing the table.
    last_child: Vec<(FrameId, StackId)>,
}

impl ProfileBuilder {
    /// An empty profile whose values are in `unit`.
    pub fn new(unit: ValueUnit) -> Self {
        ProfileBuilder {
            profile: Profile {
                strings: Table::default(),
                frames: Table::default(),
                stacks: Vec::new(),
                label_sets: Table::default(),
                samples: Vec::new(),
                unit,
                total: 0,
                metadata: Metadata {
                    profiles_merged: 1,
                    ..Metadata::default()
                },
                by_stack: OnceLock::new(),
            },
            stack_ids: FxHashMap::default(),
            last_child: Vec::new(),
        }
    }

    /// Interns a string; looks it up borrowed first, so a known string allocates nothing.
    pub fn intern(&mut self, s: &str) -> StrId {
        if let Some(i) = self.profile.strings.get_index_of(s) {
            return StrId(i as u32);
        }
        let (i, _) = self.profile.strings.insert_full(s.into());
        StrId(index_u32(i))
    }

    /// Interns a frame.
    pub fn frame(&mut self, frame: Frame) -> FrameId {
        let (i, _) = self.profile.frames.insert_full(frame);
        FrameId(index_u32(i))
    }

    /// The kind of a frame interned by this builder.
    pub fn frame_kind(&self, id: FrameId) -> FrameKind {
        self.profile.frame(id).kind
    }

    /// Interns the stack `parent` + `frame` and returns its id (the stack one frame deeper).
    pub fn push_frame(&mut self, parent: Option<StackId>, frame: FrameId) -> StackId {
        let slot = parent.map_or(0, |p| p.index() + 1);
        if let Some(&(f, child)) = self.last_child.get(slot)
            && f == frame
            && child != NO_STACK
        {
            return child;
        }
        let node = StackNode { parent, frame };
        let stacks = &mut self.profile.stacks;
        let id = *self.stack_ids.entry(node).or_insert_with(|| {
            let id = StackId(index_u32(stacks.len()));
            stacks.push(node);
            id
        });
        if self.last_child.len() <= stacks.len() {
            self.last_child
                .resize(stacks.len() * 2 + 1, (FrameId(u32::MAX), NO_STACK));
        }
        self.last_child[slot] = (frame, id);
        id
    }

    /// Adds a sample.
    ///
    /// # Errors
    /// Returns `Err(())` when the profile total would overflow `u64`; the caller reports where.
    #[allow(clippy::result_unit_err)]
    pub fn add_sample(&mut self, stack: Option<StackId>, value: u64) -> Result<(), ()> {
        self.add_labelled_sample(stack, value, None)
    }

    /// Adds a sample with a label set (from [`ProfileBuilder::label_set`]).
    ///
    /// # Errors
    /// Returns `Err(())` when the profile total would overflow `u64`; the caller reports where.
    #[allow(clippy::result_unit_err)]
    pub fn add_labelled_sample(
        &mut self,
        stack: Option<StackId>,
        value: u64,
        labels: Option<LabelSetId>,
    ) -> Result<(), ()> {
        self.profile.total = self.profile.total.checked_add(value).ok_or(())?;
        self.profile.samples.push(Sample {
            stack,
            value,
            labels,
        });
        Ok(())
    }

    /// Interns a label set (sorted by key first, so the same labels in any order are one set);
    /// `None` for an empty set.
    pub fn label_set(&mut self, mut labels: Vec<Label>) -> Option<LabelSetId> {
        if labels.is_empty() {
            return None;
        }
        labels.sort();
        let (i, _) = self
            .profile
            .label_sets
            .insert_full(labels.into_boxed_slice());
        Some(LabelSetId(index_u32(i)))
    }

    /// Sets the metadata (format, sample type, period, duration, merge count).
    pub fn set_metadata(&mut self, metadata: Metadata) {
        self.profile.metadata = metadata;
    }

    /// The unit of the values being added.
    pub fn unit(&self) -> ValueUnit {
        self.profile.unit
    }

    /// The total so far.
    pub fn total(&self) -> u64 {
        self.profile.total
    }

    /// Number of samples added so far.
    pub fn sample_count(&self) -> usize {
        self.profile.samples.len()
    }

    /// The finished profile.
    pub fn finish(self) -> Profile {
        self.profile
    }
}

/// Marks an empty slot of [`ProfileBuilder::last_child`].
const NO_STACK: StackId = StackId(u32::MAX);

/// Table indices stay below `u32::MAX`: four billion distinct frames or stacks would need far more
/// memory than any machine this runs on, so reaching it is a bug, not bad input.
fn index_u32(i: usize) -> u32 {
    u32::try_from(i).expect("fewer than 2^32 distinct strings, frames and stacks")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stacks_share_prefixes_and_walk_both_ways() {
        let mut b = ProfileBuilder::new(ValueUnit::Samples);
        let main = b.intern("main");
        let f = b.frame(Frame {
            function: main,
            file: None,
            line: None,
            kind: FrameKind::Unknown,
        });
        let g_name = b.intern("g");
        let g = b.frame(Frame {
            function: g_name,
            file: None,
            line: NonZeroU32::new(3),
            kind: FrameKind::Unknown,
        });
        let s1 = b.push_frame(None, f);
        let s2 = b.push_frame(Some(s1), g);
        let s1_again = b.push_frame(None, f);
        assert_eq!(s1, s1_again);
        b.add_sample(Some(s2), 5).unwrap();
        b.add_sample(None, 2).unwrap();
        let p = b.finish();
        assert_eq!(p.total(), 7);
        assert_eq!(p.stack_node_count(), 2);
        let mut out = Vec::new();
        p.frames_root_to_leaf(Some(s2), &mut out);
        assert_eq!(out, vec![f, g]);
        assert_eq!(
            p.frames_leaf_to_root(Some(s2)).collect::<Vec<_>>(),
            vec![g, f]
        );
        assert_eq!(p.frames_leaf_to_root(None).count(), 0);
    }

    #[test]
    fn total_overflow_is_reported() {
        let mut b = ProfileBuilder::new(ValueUnit::Samples);
        b.add_sample(None, u64::MAX).unwrap();
        assert!(b.add_sample(None, 1).is_err());
    }
}
