//! Whole-profile transformations: merging several profiles and pprof-style filters.
//!
//! Both rebuild a profile through a [`ProfileBuilder`], walking the stack prefix tree once in
//! index order (parents before children), so their cost grows with the number of distinct stack
//! nodes, not with the number of samples times the stack depth.

use regex::Regex;

use super::{
    Frame, FrameId, FrameKind, Label, LabelSetId, LabelValue, Metadata, Profile, ProfileBuilder,
    StackId, StrId, ValueUnit,
};

/// The total each profile is scaled to by `--normalize`, in [`ValueUnit::Weight`].
pub const NORMALIZED_TOTAL: f64 = 1e9;

/// pprof-style sample filters, applied after merging.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Filters {
    /// Scale every input profile to the same total ([`NORMALIZED_TOTAL`]) before merging, so
    /// profiles of different units or lengths weigh the same. Default is off: merging profiles
    /// of different units is an error.
    pub normalize: bool,
    /// Keep only samples with a frame whose function name or file matches. Default is none.
    pub focus: Option<Regex>,
    /// Drop samples with a frame whose function name or file matches. Default is none.
    pub ignore: Option<Regex>,
    /// Remove frames whose function name or file matches from every stack (the samples stay,
    /// charged to the caller). Default is none.
    pub hide: Option<Regex>,
    /// Keep thread and process frames (py-spy `--threads` / `--subprocesses`, speedscope
    /// profiles of several threads). Default is off: they are removed, so threads merge.
    pub threads: bool,
    /// Keep idle samples (see [`is_idle_frame`]). Default is off: they are dropped.
    pub idle: bool,
    /// Keep only samples with a label of this key whose value (string, or number as decimal
    /// text) matches, like pprof's `-tagfocus key=regex`. Default is none.
    pub tag_focus: Option<TagFilter>,
    /// Drop samples with a label of this key whose value matches (pprof's `-tagignore`).
    /// Default is none.
    pub tag_ignore: Option<TagFilter>,
}

/// A label filter: a key and a regex on the value.
#[derive(Debug, Clone)]
pub struct TagFilter {
    /// The label key, e.g. `thread_name` or `stage`.
    pub key: String,
    /// The regex the value must match.
    pub value: Regex,
}

impl TagFilter {
    /// True when the sample's labels have `key` with a matching value.
    fn matches(&self, p: &Profile, labels: Option<LabelSetId>) -> bool {
        let Some(id) = labels else {
            return false;
        };
        p.label_set(id).iter().any(|l| {
            p.string(l.key) == self.key
                && match l.value {
                    LabelValue::Str(v) => self.value.is_match(p.string(v)),
                    LabelValue::Num { value, .. } => self.value.is_match(&value.to_string()),
                }
        })
    }
}

/// An error while merging profiles.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MergeError {
    /// Two profiles measure different things.
    #[error(
        "cannot merge {first} (values in {first_unit}) with {other} (values in {other_unit}); pass --normalize to weigh each profile to the same total"
    )]
    MixedUnits {
        /// The first profile's source.
        first: String,
        /// Its unit.
        first_unit: &'static str,
        /// The profile whose unit differs.
        other: String,
        /// Its unit.
        other_unit: &'static str,
    },
    /// No profile was given.
    #[error("no profile to read")]
    Empty,
    /// A merged total does not fit in 64 bits.
    #[error("the merged total overflows a 64-bit integer")]
    Overflow,
}

/// Merges profiles into one, re-interning their tables. With `normalize`, each profile is first
/// scaled so its total is [`NORMALIZED_TOTAL`] and the result's unit is
/// [`ValueUnit::Weight`].
///
/// # Errors
/// [`MergeError::MixedUnits`] when units differ and `normalize` is off; [`MergeError::Empty`]
/// for no profile; [`MergeError::Overflow`] when the total overflows.
pub fn merge(mut profiles: Vec<Profile>, normalize: bool) -> Result<Profile, MergeError> {
    if profiles.len() == 1 && !normalize {
        return Ok(profiles.pop().expect("one profile"));
    }
    let first = profiles.first().ok_or(MergeError::Empty)?;
    if !normalize && let Some(other) = profiles.iter().find(|p| p.unit() != first.unit()) {
        return Err(MergeError::MixedUnits {
            first: source_name(first),
            first_unit: first.unit().as_str(),
            other: source_name(other),
            other_unit: other.unit().as_str(),
        });
    }
    let unit = if normalize {
        ValueUnit::Weight
    } else {
        first.unit()
    };
    let mut metadata = Metadata {
        format: if profiles
            .iter()
            .all(|p| p.metadata().format == first.metadata().format)
        {
            first.metadata().format.clone()
        } else {
            "merged".to_string()
        },
        sample_type: if normalize {
            "weight/normalized".to_string()
        } else {
            first.metadata().sample_type.clone()
        },
        period: first.metadata().period.clone(),
        duration_nanos: None,
        profiles_merged: 0,
        sources: Vec::new(),
        source_totals: Vec::new(),
    };
    let mut duration: Option<u64> = Some(0);
    let mut b = ProfileBuilder::new(unit);
    for p in &profiles {
        let scale = if normalize && p.total() > 0 {
            Some(NORMALIZED_TOTAL / p.total() as f64)
        } else {
            None
        };
        copy_into(&mut b, p, scale, None).map_err(|()| MergeError::Overflow)?;
        metadata.profiles_merged += p.metadata().profiles_merged;
        metadata
            .sources
            .extend(p.metadata().sources.iter().cloned());
        metadata
            .source_totals
            .extend(p.metadata().source_totals.iter().copied());
        duration = match (duration, p.metadata().duration_nanos) {
            (Some(a), Some(d)) => a.checked_add(d),
            _ => None,
        };
    }
    metadata.duration_nanos = duration.filter(|&d| d > 0);
    b.set_metadata(metadata);
    Ok(b.finish())
}

fn source_name(p: &Profile) -> String {
    p.metadata()
        .sources
        .first()
        .cloned()
        .unwrap_or_else(|| "a profile".to_string())
}

/// Applies `filters` like [`filter`], but hands `p` back untouched when they would change
/// nothing (no regex or label filter, no thread frame to drop), dropping idle samples in place,
/// which saves rebuilding the tables of a large profile.
pub fn apply(p: Profile, filters: &Filters) -> Profile {
    let by_regex = filters.focus.is_some()
        || filters.ignore.is_some()
        || filters.hide.is_some()
        || filters.tag_focus.is_some()
        || filters.tag_ignore.is_some();
    let drops_frames = !filters.threads
        && p.frame_ids()
            .any(|f| matches!(p.frame(f).kind, FrameKind::Thread | FrameKind::Process));
    if by_regex || drops_frames {
        return filter(&p, filters);
    }
    if filters.idle {
        return p;
    }
    // Only idle samples to drop: remove them in place, the tables stay as they are.
    let idle: Vec<bool> = p.frame_ids().map(|f| is_idle_frame(&p, f)).collect();
    let mut p = p;
    p.retain_samples(|p, s| {
        !s.stack
            .is_some_and(|id| idle[p.stack_node(id).frame.index()])
    });
    p
}

/// Drops the samples whose stack is empty and returns their value. py-spy records an empty
/// stack when it could not read a thread's stack (a very deep one, a thread caught between
/// frames); such samples say nothing about where the time went, so `rank` and `plan` leave
/// them out of every share's denominator and report their value instead.
pub fn drop_empty_stacks(p: &mut Profile) -> u64 {
    let before = p.total();
    p.retain_samples(|_, s| s.stack.is_some());
    before - p.total()
}

/// Applies `filters` (all but `normalize`) and returns the filtered profile.
pub fn filter(p: &Profile, filters: &Filters) -> Profile {
    let mut b = ProfileBuilder::new(p.unit());
    // Cannot overflow: the filtered total is at most the input's.
    copy_into(&mut b, p, None, Some(filters)).expect("a filtered total never exceeds the original");
    b.set_metadata(p.metadata().clone());
    b.finish()
}

fn frame_matches(p: &Profile, f: FrameId, re: &Regex) -> bool {
    let frame = p.frame(f);
    re.is_match(p.string(frame.function))
        || frame.file.is_some_and(|file| re.is_match(p.string(file)))
}

/// Copies `p` into `b`, applying `filters` (none: copy everything) and an optional value scale.
fn copy_into(
    b: &mut ProfileBuilder,
    p: &Profile,
    scale: Option<f64>,
    filters: Option<&Filters>,
) -> Result<(), ()> {
    let mut strings: Vec<Option<StrId>> = Vec::new();
    let mut intern = |b: &mut ProfileBuilder, id: StrId| -> StrId {
        if strings.len() <= id.index() {
            strings.resize(id.index() + 1, None);
        }
        *strings[id.index()].get_or_insert_with(|| b.intern(p.string(id)))
    };
    let frames: Vec<FrameId> = p
        .frame_ids()
        .map(|id| {
            let f = p.frame(id);
            let function = intern(b, f.function);
            let file = f.file.map(|s| intern(b, s));
            b.frame(Frame {
                function,
                file,
                line: f.line,
                kind: f.kind,
            })
        })
        .collect();

    let n = p.stack_node_count();
    // Per old stack node: its new stack, and whether some frame on it matches focus / ignore.
    // Regexes are matched once per distinct frame, not once per stack node.
    let per_frame = |pick: &dyn Fn(&Filters) -> Option<&Regex>| -> Vec<bool> {
        match filters.and_then(pick) {
            Some(re) => p.frame_ids().map(|f| frame_matches(p, f, re)).collect(),
            None => vec![false; p.frame_count()],
        }
    };
    let focus_frame = per_frame(&|f| f.focus.as_ref());
    let ignore_frame = per_frame(&|f| f.ignore.as_ref());
    let hidden = per_frame(&|f| f.hide.as_ref());
    let removed: Vec<bool> = p
        .frame_ids()
        .map(|id| {
            hidden[id.index()]
                || filters.is_some_and(|f| {
                    !f.threads && matches!(p.frame(id).kind, FrameKind::Thread | FrameKind::Process)
                })
        })
        .collect();
    let mut new_stack: Vec<Option<StackId>> = Vec::with_capacity(n);
    let mut focused: Vec<bool> = Vec::with_capacity(n);
    let mut ignored: Vec<bool> = Vec::with_capacity(n);
    for id in p.stack_ids() {
        let node = p.stack_node(id);
        let (parent_new, parent_focus, parent_ignore) = match node.parent {
            Some(parent) => (
                new_stack[parent.index()],
                focused[parent.index()],
                ignored[parent.index()],
            ),
            None => (None, false, false),
        };
        let f = node.frame.index();
        new_stack.push(if removed[f] {
            parent_new
        } else {
            Some(b.push_frame(parent_new, frames[f]))
        });
        focused.push(parent_focus || focus_frame[f]);
        ignored.push(parent_ignore || ignore_frame[f]);
    }

    let idle_frame: Vec<bool> = match filters {
        Some(f) if !f.idle => p.frame_ids().map(|f| is_idle_frame(p, f)).collect(),
        _ => vec![false; p.frame_count()],
    };
    let mut label_sets: Vec<Option<Option<LabelSetId>>> = Vec::new();
    for s in p.samples() {
        if let Some(f) = filters {
            let (is_focused, is_ignored, idle) = match s.stack {
                Some(id) => (
                    focused[id.index()],
                    ignored[id.index()],
                    idle_frame[p.stack_node(id).frame.index()],
                ),
                None => (false, false, false),
            };
            if (f.focus.is_some() && !is_focused) || is_ignored || (!f.idle && idle) {
                continue;
            }
            if f.tag_focus
                .as_ref()
                .is_some_and(|t| !t.matches(p, s.labels))
                || f.tag_ignore
                    .as_ref()
                    .is_some_and(|t| t.matches(p, s.labels))
            {
                continue;
            }
        }
        let value = match scale {
            Some(k) => (s.value as f64 * k).round() as u64,
            None => s.value,
        };
        let labels = match s.labels {
            None => None,
            Some(id) => {
                if label_sets.len() <= id.index() {
                    label_sets.resize(id.index() + 1, None);
                }
                match label_sets[id.index()] {
                    Some(done) => done,
                    None => {
                        let copied: Vec<Label> = p
                            .label_set(id)
                            .iter()
                            .map(|l| Label {
                                key: intern(b, l.key),
                                value: match l.value {
                                    LabelValue::Str(v) => LabelValue::Str(intern(b, v)),
                                    LabelValue::Num { value, unit } => LabelValue::Num {
                                        value,
                                        unit: unit.map(|u| intern(b, u)),
                                    },
                                },
                            })
                            .collect();
                        let new = b.label_set(copied);
                        label_sets[id.index()] = Some(new);
                        new
                    }
                }
            }
        };
        let stack = s.stack.and_then(|id| new_stack[id.index()]);
        b.add_labelled_sample(stack, value, labels)?;
    }
    Ok(())
}

/// Python functions (`name`, file name) that mean a thread is waiting, not running, when they
/// are the leaf of a stack: py-spy `--idle` records them.
const IDLE_PYTHON: &[(&str, &str)] = &[
    ("wait", "threading.py"),
    ("join", "threading.py"),
    ("_wait_for_tstate_lock", "threading.py"),
    ("select", "selectors.py"),
    ("_try_wait", "subprocess.py"),
    ("accept", "socket.py"),
];

/// Native functions that block in the kernel (py-spy `--native` leaves of waiting threads).
const IDLE_NATIVE: &[&str] = &[
    "epoll_wait",
    "epoll_pwait",
    "select",
    "pselect",
    "poll",
    "ppoll",
    "nanosleep",
    "clock_nanosleep",
    "pthread_cond_wait",
    "pthread_cond_timedwait",
    "pthread_cond_clockwait",
    "sem_wait",
    "sem_timedwait",
    "sem_clockwait",
    "futex_wait",
    "futex_abstimed_wait_common",
    "futex_abstimed_wait_common64",
    "do_futex_wait",
    "waitpid",
    "wait4",
    "accept",
    "accept4",
];

/// True when a leaf frame means the thread was waiting: a frame of kind
/// [`FrameKind::Idle`] (`(idle)`), a Python wait in the stdlib (`threading.Condition.wait`,
/// `Thread.join`, `selectors.*.select`, `subprocess.Popen._try_wait`, `socket.accept`), or a
/// native blocking call (`epoll_wait`, `pthread_cond_wait`, `nanosleep`, futex waits, ...).
pub fn is_idle_frame(p: &Profile, f: FrameId) -> bool {
    let frame = p.frame(f);
    let name = p.string(frame.function);
    match frame.kind {
        FrameKind::Idle => true,
        FrameKind::Python => {
            let short = name.rsplit('.').next().unwrap_or(name);
            let file = frame.file.map_or("", |s| p.string(s));
            let base = super::file_basename(file);
            IDLE_PYTHON.iter().any(|&(n, f)| n == short && f == base)
        }
        FrameKind::Native => {
            let bare = name.trim_start_matches('_').trim_start_matches("GI_");
            let bare = bare.split('@').next().unwrap_or(bare);
            IDLE_NATIVE.contains(&bare)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::collapsed;
    use std::io::Cursor;
    use std::path::Path;

    fn parse(text: &str) -> Profile {
        collapsed::parse(Path::new("p"), Cursor::new(text.as_bytes().to_vec())).unwrap()
    }

    fn folded(p: &Profile) -> Vec<String> {
        let mut buf = Vec::new();
        let mut out: Vec<String> = p
            .samples()
            .iter()
            .map(|s| {
                p.frames_root_to_leaf(s.stack, &mut buf);
                let names: Vec<&str> = buf.iter().map(|&f| p.string(p.frame(f).function)).collect();
                format!("{} {}", names.join(";"), s.value)
            })
            .collect();
        out.sort();
        out
    }

    const TEXT: &str = "thread (1): Main;main (a.py:1);work (a.py:5) 6\n\
                        thread (1): Main;main (a.py:1);log (b.py:2) 3\n\
                        thread (2): T;run (threading.py:9);Condition.wait (threading.py:300) 10\n";

    #[test]
    fn default_filters_drop_thread_frames_and_idle_samples() {
        let p = filter(&parse(TEXT), &Filters::default());
        assert_eq!(folded(&p), vec!["main;log 3", "main;work 6"]);
        assert_eq!(p.total(), 9);
        let mut f = Filters::default();
        f.threads = true;
        f.idle = true;
        assert_eq!(filter(&parse(TEXT), &f).total(), 19);
    }

    #[test]
    fn focus_ignore_and_hide_work_like_pprof() {
        let p = parse(TEXT);
        let mut f = Filters::default();
        f.focus = Some(Regex::new("^work$").unwrap());
        assert_eq!(folded(&filter(&p, &f)), vec!["main;work 6"]);
        let mut f = Filters::default();
        f.ignore = Some(Regex::new("b\\.py").unwrap());
        assert_eq!(folded(&filter(&p, &f)), vec!["main;work 6"]);
        let mut f = Filters::default();
        f.hide = Some(Regex::new("^main$").unwrap());
        assert_eq!(folded(&filter(&p, &f)), vec!["log 3", "work 6"]);
    }

    #[test]
    fn apply_skips_the_copy_only_when_nothing_changes() {
        let plain = parse("main (a.py:1);work (a.py:5) 6\n");
        let nodes = plain.stack_node_count();
        let same = apply(plain, &Filters::default());
        assert_eq!((same.total(), same.stack_node_count()), (6, nodes));
        let filtered = apply(parse(TEXT), &Filters::default());
        assert_eq!(folded(&filtered), vec!["main;log 3", "main;work 6"]);
    }

    #[test]
    fn focus_and_ignore_partition_the_samples() {
        let p = filter(&parse(TEXT), &Filters::default());
        let re = Regex::new("work").unwrap();
        let mut focus = Filters::default();
        focus.focus = Some(re.clone());
        let mut ignore = Filters::default();
        ignore.ignore = Some(re);
        assert_eq!(
            filter(&p, &focus).total() + filter(&p, &ignore).total(),
            p.total()
        );
    }

    #[test]
    fn merging_halves_gives_the_whole() {
        let a = parse("main (a.py:1);work (a.py:5) 6\n");
        let b = parse("main (a.py:1);work (a.py:5) 4\nmain (a.py:1) 1\n");
        let whole = parse("main (a.py:1);work (a.py:5) 10\nmain (a.py:1) 1\n");
        let merged = merge(vec![a, b], false).unwrap();
        assert_eq!(merged.total(), whole.total());
        assert_eq!(merged.frame_count(), whole.frame_count());
        assert_eq!(merged.stack_node_count(), whole.stack_node_count());
        assert_eq!(merged.metadata().profiles_merged, 2);
    }

    #[test]
    fn normalize_weighs_profiles_equally_and_mixed_units_are_refused() {
        let a = parse("x (a.py:1) 1\n");
        let b = parse("y (a.py:1) 99\n");
        let m = merge(vec![a.clone(), b], true).unwrap();
        assert_eq!(m.unit(), ValueUnit::Weight);
        assert_eq!(folded(&m), vec!["x 1000000000", "y 1000000000"]);

        let mut other = ProfileBuilder::new(ValueUnit::Nanoseconds);
        other.add_sample(None, 5).unwrap();
        let e = merge(vec![a, other.finish()], false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("pass --normalize"), "{e}");
    }

    #[test]
    fn idle_leaves_are_recognised() {
        let p = parse(
            "a (threading.py:1);Condition.wait (threading.py:3) 1\nb (x.so);__GI_epoll_wait (/lib/libc.so.6) 1\n(idle) 1\nwork (a.py:1) 1\n",
        );
        let idle: Vec<bool> = p
            .samples()
            .iter()
            .map(|s| is_idle_frame(&p, p.stack_node(s.stack.unwrap()).frame))
            .collect();
        assert_eq!(idle, vec![true, true, true, false]);
    }
}
