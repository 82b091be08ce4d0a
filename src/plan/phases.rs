//! Which candidates become migration units, and in which phase (module docs of
//! [`super`]; the rules are `[plan]` in brownfield.toml).

use std::collections::BTreeMap;

use crate::config::Config;
use crate::model::{Candidate, Category, Scores, Trap};

/// Why a candidate did not become a unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Rejection {
    /// Native-bound, I/O-bound, or flagged `time_not_movable`.
    NotMovable,
    /// Isolation below `[plan] min_isolation`.
    Entangled,
    /// Saves less than `[plan] min_marginal_gain`.
    TooSmall,
    /// Shares members with this unit (chosen first), without containing its root.
    Overlaps(String),
    /// Contains this unit (chosen first): its hot part already moves.
    Covered(String),
    /// Called in a hot loop by this candidate, whose unit contains it: it moves with the loop.
    MovesWithCaller(String),
}

/// The outcome: chosen candidates with their phase, and the reasons for the others.
#[derive(Debug, Clone, Default)]
pub(super) struct Selection {
    /// `(candidate index, phase)`, in priority order.
    pub units: Vec<(usize, usize)>,
    /// Candidate index → why it was not chosen.
    pub rejected: BTreeMap<usize, Rejection>,
}

/// Chooses units greedily by priority (the candidates' order) and assigns phases.
///
/// A small unit called in a hot loop is first deferred to its caller's unit (the loop then
/// crosses into Rust once, not once per iteration). When that caller does not become a unit
/// after all, the selection is made again without the deferral, so the function is judged on
/// its own.
pub(super) fn select(scores: &Scores, config: &Config) -> Selection {
    let rules = &config.plan;
    let eligible = |c: &Candidate| {
        !matches!(c.category, Category::NativeBound | Category::IoBound)
            && !c
                .traps
                .iter()
                .any(|t| matches!(t, Trap::TimeNotMovable { .. }))
            && c.isolation.score >= rules.min_isolation
    };
    let mut with_caller: BTreeMap<usize, String> = BTreeMap::new();
    for (ci, c) in scores.candidates.iter().enumerate() {
        for t in &c.traps {
            if let Trap::CalledInHotLoop { caller, .. } = t
                && let Some(parent) = scores.candidates.iter().find(|p| &p.function == caller)
                && parent.unit.contains(&c.function)
                && eligible(parent)
            {
                with_caller.insert(ci, caller.clone());
            }
        }
    }
    // Each round drops at least one deferral, so this ends.
    loop {
        let selection = select_with(scores, config, &with_caller);
        let planned: Vec<&str> = selection
            .units
            .iter()
            .map(|&(ci, _)| scores.candidates[ci].function.as_str())
            .collect();
        let before = with_caller.len();
        with_caller.retain(|_, caller| planned.contains(&caller.as_str()));
        if with_caller.len() == before {
            return selection;
        }
    }
}

fn select_with(
    scores: &Scores,
    config: &Config,
    with_caller: &BTreeMap<usize, String>,
) -> Selection {
    let rules = &config.plan;
    let mut owner: BTreeMap<&str, &str> = BTreeMap::new();
    let mut selection = Selection::default();
    let mut quick = 0;
    for (ci, c) in scores.candidates.iter().enumerate() {
        if let Some(caller) = with_caller.get(&ci) {
            selection
                .rejected
                .insert(ci, Rejection::MovesWithCaller(caller.clone()));
            continue;
        }
        let marginal = c.movable_share * (1.0 - 1.0 / c.assumed_speedup.mid);
        let overlap = c.unit.iter().find_map(|m| owner.get(m.as_str()).copied());
        let rejection = if matches!(c.category, Category::NativeBound | Category::IoBound)
            || c.traps
                .iter()
                .any(|t| matches!(t, Trap::TimeNotMovable { .. }))
        {
            Some(Rejection::NotMovable)
        } else if let Some(unit) = overlap {
            if c.unit.iter().any(|m| m == unit) {
                Some(Rejection::Covered(unit.to_string()))
            } else {
                Some(Rejection::Overlaps(unit.to_string()))
            }
        } else if marginal < rules.min_marginal_gain {
            Some(Rejection::TooSmall)
        } else if c.isolation.score < rules.min_isolation {
            Some(Rejection::Entangled)
        } else {
            None
        };
        if let Some(r) = rejection {
            selection.rejected.insert(ci, r);
            continue;
        }
        for m in &c.unit {
            owner.insert(m, &c.function);
        }
        let phase = if quick < rules.quick_win_max_units
            && c.effort.days <= rules.quick_win_max_days
            && c.isolation.score >= rules.quick_win_min_isolation
        {
            quick += 1;
            1
        } else if c.effort.days <= rules.phase2_max_days {
            2
        } else {
            3
        };
        selection.units.push((ci, phase));
    }
    selection
}
