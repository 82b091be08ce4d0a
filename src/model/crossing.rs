//! Whether a unit pays for its boundary (docs/scoring.md §4): every call into a Rust unit
//! still crosses from Python (PyO3 converts the arguments and the result), and a unit whose
//! body is a few lines saves less per call than that crossing costs.
//!
//! Sampling cannot count calls, but a unit's code bounds the Python time of one: a body with
//! no loop and no recursion runs each of its lines at most once per call, so one call costs at
//! most `python_call_ns + lines × python_line_ns` per member (`[crossing]` in
//! brownfield.toml, measured in sample-profiles/crossing/). A generator is resumed once per
//! element, so one resumption of a generator with a single loop runs about its body once.
//!
//! When a member loops, the samples bound the call instead: the root's lines outside its loops
//! (and a multi-line loop's header, which evaluates its iterable once) run once per call,
//! those calling a bulk operation over a container left out (their time grows with the data), so their share `q` of the unit's movable samples gives the time of one
//! call as `(python_call_ns + straight lines × python_line_ns) / q`. No sample on those lines
//! means no bound. A recursive unit has none either: its calls can be long, and the crossing
//! is taken as negligible.
//!
//! With `t` the Python time of one call, `c` the time its crossings cost in Rust and `s` the
//! per-unit speedup, the unit's time becomes `t / s + c`: the effective speedup is
//! `1 / (1/s + c/t)`, never above `t / c` however fast the Rust body.

use serde::Serialize;

use crate::config::{Config, Range};

/// What a unit's boundary costs per call, when its code bounds the time of a call.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Crossing {
    /// Python time of one call into the unit (its lines once, its members' calls, and its
    /// standard-library Python in proportion), in nanoseconds.
    pub python_ns: f64,
    /// Crossings per call: the call in, plus one per place in the unit that calls back a
    /// codebase function outside it.
    pub crossings: u32,
    /// What those crossings cost in Rust per call, in nanoseconds
    /// (`crossings × [crossing] per_call_ns`).
    pub crossing_ns: f64,
    /// The best end speedup of the unit's time, however fast its Rust body:
    /// `python_ns / crossing_ns` (infinite without a crossing cost).
    pub ceiling: f64,
    /// The crossing costs at least as much as the Rust body would at the mid speedup
    /// (`crossing_ns ≥ python_ns / s_mid`): the unit runs at most half as fast as its
    /// category assumes. Such a unit moves with the function holding the loop that calls it,
    /// or is fixed in Python.
    pub eats_gain: bool,
}

/// One member's shape, as the bound needs it.
#[derive(Debug, Clone, Copy)]
pub(super) struct MemberBody {
    /// Non-blank, non-comment lines, the `def` line included.
    pub code_lines: u32,
    /// Its `for`/`while` loops and comprehensions.
    pub loops: u32,
    /// It is a generator (each element resumes it).
    pub generator: bool,
    /// Lines inside its loops, headers of loops spanning several lines left out (they run
    /// once per call), summed over the loops.
    pub loop_lines: u32,
    /// Lines that run once per call but call a bulk operation (`sorted`, `dict.fromkeys`,
    /// `str.join`, ...): their time grows with the data, so they are left out of the bound.
    pub bulk_lines: u32,
}

impl MemberBody {
    /// Lines that run once per call and take one line's time: the code lines outside
    /// loops, less the `def` line and the bulk lines, at least 1.
    fn straight_lines(&self) -> u32 {
        self.code_lines
            .saturating_sub(1)
            .saturating_sub(self.loop_lines)
            .saturating_sub(self.bulk_lines)
            .max(1)
    }
}

/// What the samples say about the root of a unit that loops.
#[derive(Debug, Clone, Copy)]
pub(super) struct RootSamples {
    /// Value of the root's own samples on lines outside its loops, movable.
    pub straight: u64,
    /// Value of the unit's movable samples.
    pub movable: u64,
}

/// The Python time of one call into a unit whose `root` loops, from the share of its samples
/// on the root's lines outside loops (module docs); `None` without such samples.
pub(super) fn sampled_ns_per_call(
    config: &Config,
    root: MemberBody,
    samples: RootSamples,
) -> Option<f64> {
    if samples.straight == 0 || samples.movable == 0 {
        return None;
    }
    let c = &config.crossing;
    let once = c.python_call_ns + f64::from(root.straight_lines()) * c.python_line_ns;
    let q = (samples.straight as f64 / samples.movable as f64).min(1.0);
    Some(once / q)
}

/// The Python time of one call into a loop-free unit made of `members`, in nanoseconds, or
/// `None` when its code does not bound it (a member loops, other than a generator's one
/// yielding loop, or the
/// unit recurses).
///
/// `python_fraction` is the share of the unit's movable time in its own code (the rest is
/// standard-library Python it calls, which moves too): the bound on its own lines is scaled
/// up by it. `None` also when that fraction is 0.
pub(super) fn python_ns_per_call(
    config: &Config,
    members: impl IntoIterator<Item = MemberBody>,
    recursive: bool,
    python_fraction: f64,
) -> Option<f64> {
    if recursive || python_fraction <= 0.0 {
        return None;
    }
    let c = &config.crossing;
    let mut ns = 0.0;
    for m in members {
        // A generator's single loop is the one that yields: one element, one pass.
        if m.loops > u32::from(m.generator) {
            return None;
        }
        // The `def` line does not run per call.
        let executed = m.code_lines.saturating_sub(1).max(1);
        ns += c.python_call_ns + f64::from(executed) * c.python_line_ns;
    }
    Some(ns / python_fraction.min(1.0))
}

/// The boundary's cost for a unit whose call takes `python_ns` (from [`python_ns_per_call`])
/// with `callbacks` calls back into Python per call, at the mid per-unit speedup `mid`.
pub(super) fn crossing(config: &Config, python_ns: f64, callbacks: usize, mid: f64) -> Crossing {
    let crossings = u32::try_from(callbacks.saturating_add(1)).unwrap_or(u32::MAX);
    let crossing_ns = f64::from(crossings) * config.crossing.per_call_ns;
    let ceiling = if crossing_ns > 0.0 {
        python_ns / crossing_ns
    } else {
        f64::INFINITY
    };
    Crossing {
        python_ns,
        crossings,
        crossing_ns,
        ceiling,
        eats_gain: crossing_ns > 0.0 && crossing_ns >= python_ns / mid,
    }
}

/// The per-unit speedup `s` once the crossing is paid: `1 / (1/s + crossing_ns/python_ns)`,
/// at least 1 (a rewrite that would be slower than the Python is not made; [`Crossing::ceiling`]
/// says how far below 1 it would be); `s` itself without a bound.
pub fn effective(s: f64, crossing: Option<&Crossing>) -> f64 {
    match crossing {
        Some(c) if c.python_ns > 0.0 => {
            let inverse = if s.is_infinite() { 0.0 } else { 1.0 / s };
            (1.0 / (inverse + c.crossing_ns / c.python_ns)).max(1.0)
        }
        _ => s,
    }
}

/// [`effective`] at each end of a range.
pub fn effective_range(r: Range, crossing: Option<&Crossing>) -> Range {
    Range {
        low: effective(r.low, crossing),
        mid: effective(r.mid, crossing),
        high: effective(r.high, crossing),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(code_lines: u32) -> MemberBody {
        MemberBody {
            code_lines,
            loops: 0,
            generator: false,
            loop_lines: 0,
            bulk_lines: 0,
        }
    }

    #[test]
    fn a_loop_is_bounded_by_the_share_of_samples_outside_it() {
        let config = Config::default();
        let c = &config.crossing;
        let root = MemberBody {
            code_lines: 8,
            loops: 1,
            generator: false,
            loop_lines: 4,
            bulk_lines: 0,
        };
        // 3 straight lines hold a quarter of the samples: a call is 4 times their cost.
        let ns = sampled_ns_per_call(
            &config,
            root,
            RootSamples {
                straight: 25,
                movable: 100,
            },
        )
        .unwrap();
        assert!((ns - 4.0 * (c.python_call_ns + 3.0 * c.python_line_ns)).abs() < 1e-9);
        let none = RootSamples {
            straight: 0,
            movable: 100,
        };
        assert_eq!(sampled_ns_per_call(&config, root, none), None);
    }

    #[test]
    fn a_loop_free_body_bounds_the_call_and_a_loop_does_not() {
        let config = Config::default();
        let c = &config.crossing;
        let two_lines = python_ns_per_call(&config, [body(3)], false, 1.0).unwrap();
        assert_eq!(two_lines, c.python_call_ns + 2.0 * c.python_line_ns);
        // Half the time in library Python: the call is twice as long.
        let half = python_ns_per_call(&config, [body(3)], false, 0.5).unwrap();
        assert!((half - 2.0 * two_lines).abs() < 1e-9);
        let looping = MemberBody {
            loops: 1,
            ..body(3)
        };
        assert_eq!(python_ns_per_call(&config, [looping], false, 1.0), None);
        assert_eq!(python_ns_per_call(&config, [body(3)], true, 1.0), None);
        // A generator's loop runs once per element: still bounded.
        let generator = MemberBody {
            generator: true,
            ..looping
        };
        assert!(python_ns_per_call(&config, [generator], false, 1.0).is_some());
        // With an inner loop, one resumption can run for long: no bound.
        let nested = MemberBody {
            loops: 2,
            ..generator
        };
        assert_eq!(python_ns_per_call(&config, [nested], false, 1.0), None);
    }

    #[test]
    fn a_one_line_accessor_does_not_pay_for_its_boundary_and_a_long_body_does() {
        let config = Config::default();
        let tiny = python_ns_per_call(&config, [body(2)], false, 1.0).unwrap();
        let x = crossing(&config, tiny, 0, 10.0);
        assert!(x.eats_gain, "{x:?}");
        // Whatever the per-unit speedup, the unit cannot go faster than its ceiling.
        assert!(effective(1e9, Some(&x)) <= x.ceiling + 1e-9);
        assert!(
            effective(10.0, Some(&x)) < 2.0,
            "{}",
            effective(10.0, Some(&x))
        );
        let long = python_ns_per_call(&config, [body(80)], false, 1.0).unwrap();
        let y = crossing(&config, long, 0, 10.0);
        assert!(!y.eats_gain, "{y:?}");
        assert!(effective(10.0, Some(&y)) > 7.0);
        // Each callback is one more crossing.
        assert_eq!(crossing(&config, long, 2, 10.0).crossings, 3);
        assert_eq!(effective(10.0, None), 10.0);
    }
}
