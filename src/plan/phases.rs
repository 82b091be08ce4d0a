//! Which candidates become migration units, and in which phase (module docs of
//! [`super`]; the rules are `[plan]` in brownfield.toml).

use std::collections::BTreeMap;

use crate::config::Config;
use crate::model::{Candidate, Scores, Trap};

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
    /// Its crossing costs at least as much as its Rust body would ([`Candidate::crossing_eats_gain`]) and no
    /// planned unit takes it along: fix it in Python.
    CrossingBound,
    /// Saves less than `[plan] min_gain_per_day` of the run per engineer-day.
    PoorReturn,
    /// A loop-free constructor ([`Candidate::object_setup`]): its time is building Python
    /// objects.
    ObjectSetup,
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
    let eligible = |c: &Candidate| c.is_movable() && c.isolation.score >= rules.min_isolation;
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
            return taken_along(scores, selection);
        }
    }
}

/// A crossing-bound candidate inside a planned unit (as a member or a copy) moves with it.
fn taken_along(scores: &Scores, mut selection: Selection) -> Selection {
    for (&ci, why) in selection.rejected.iter_mut() {
        if *why != Rejection::CrossingBound {
            continue;
        }
        let name = &scores.candidates[ci].function;
        if let Some(&(ui, _)) = selection
            .units
            .iter()
            .find(|&&(ui, _)| scores.candidates[ui].unit.contains(name))
        {
            *why = Rejection::MovesWithCaller(scores.candidates[ui].function.clone());
        }
    }
    selection
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
        let marginal = c.marginal_gain();
        // Copies do not belong to a unit: each unit taking a helper along has its own.
        let owned = || c.unit.iter().filter(|m| !c.copies.contains(m));
        let overlap = owned().find_map(|m| owner.get(m.as_str()).copied());
        // The crossing is the reason only for a candidate big enough without it.
        let big_enough =
            c.movable_share * (1.0 - 1.0 / c.assumed_speedup.mid) >= rules.min_marginal_gain;
        let rejection = if !c.is_movable() {
            Some(Rejection::NotMovable)
        } else if c.object_setup {
            Some(Rejection::ObjectSetup)
        } else if let Some(unit) = overlap {
            if c.unit.iter().any(|m| m == unit) {
                Some(Rejection::Covered(unit.to_string()))
            } else {
                Some(Rejection::Overlaps(unit.to_string()))
            }
        } else if c.crossing_eats_gain() && big_enough {
            Some(Rejection::CrossingBound)
        } else if marginal < rules.min_marginal_gain {
            Some(Rejection::TooSmall)
        } else if c.isolation.score < rules.min_isolation {
            Some(Rejection::Entangled)
        } else if marginal / c.effort.days < rules.min_gain_per_day {
            Some(Rejection::PoorReturn)
        } else {
            None
        };
        if let Some(r) = rejection {
            selection.rejected.insert(ci, r);
            continue;
        }
        for m in owned() {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Range;
    use crate::model::{Candidate, Category, Effort, Isolation, Projection, WorkMix};
    use crate::source::FuncId;

    fn candidate(
        function: &str,
        unit: &[&str],
        movable: f64,
        isolation: f64,
        days: f64,
        category: Category,
    ) -> Candidate {
        let speed = Range {
            low: 3.0,
            mid: 10.0,
            high: 30.0,
        };
        Candidate {
            rank: 0,
            function: function.to_string(),
            def: FuncId::from_index(0),
            kind: "function",
            file: "m.py".to_string(),
            line: 1,
            self_share: movable,
            total_share: movable,
            movable_share: movable,
            total_interval: None,
            movable_interval: None,
            work: WorkMix::default(),
            category,
            unit: std::sync::Arc::new(unit.iter().map(|s| s.to_string()).collect()),
            unit_defs: Default::default(),
            copies: Vec::new(),
            public_methods: Vec::new(),
            object_setup: false,
            unit_lines: 10,
            entry_points: vec![function.to_string()],
            incoming: Default::default(),
            callbacks: Vec::new(),
            library_functions: Vec::new(),
            isolation: Isolation {
                score: isolation,
                components: Vec::new(),
            },
            effort: Effort {
                days,
                low: days / 2.0,
                high: days * 2.0,
                terms: Vec::new(),
            },
            assumed_speedup: speed,
            crossing: None,
            effective_speedup: speed,
            projected_speedup: Projection {
                low: 1.0,
                mid: 1.0,
                high: 1.0,
            },
            priority: 0.0,
            traps: Vec::new(),
            why: String::new(),
        }
    }

    fn scores(candidates: Vec<Candidate>) -> Scores {
        Scores {
            candidates,
            total: 100,
            work: WorkMix::default(),
        }
    }

    fn chosen(s: &Scores, sel: &Selection) -> Vec<(String, usize)> {
        sel.units
            .iter()
            .map(|&(ci, p)| (s.candidates[ci].function.clone(), p))
            .collect()
    }

    #[test]
    fn units_do_not_overlap_and_phases_follow_effort_and_isolation() {
        let s = scores(vec![
            candidate("a", &["a"], 0.30, 0.95, 1.5, Category::PurePython),
            // Contains a: covered.
            candidate(
                "outer",
                &["outer", "a", "b"],
                0.35,
                0.9,
                2.0,
                Category::PurePython,
            ),
            candidate("c", &["c"], 0.10, 0.5, 2.0, Category::PurePython),
            candidate("d", &["d"], 0.10, 0.9, 8.0, Category::Mixed),
            candidate("e", &["e"], 0.10, 0.9, 20.0, Category::PurePython),
            candidate("native", &["native"], 0.20, 0.9, 1.0, Category::NativeBound),
            candidate("tiny", &["tiny"], 0.005, 0.9, 1.0, Category::PurePython),
            candidate(
                "tangled",
                &["tangled"],
                0.10,
                0.1,
                1.0,
                Category::PurePython,
            ),
        ]);
        let sel = select(&s, &Config::default());
        assert_eq!(
            chosen(&s, &sel),
            vec![
                ("a".to_string(), 1),
                // Isolation 0.5 < 0.75: not a quick win.
                ("c".to_string(), 2),
                ("d".to_string(), 2),
                ("e".to_string(), 3),
            ]
        );
        assert_eq!(sel.rejected[&1], Rejection::Covered("a".to_string()));
        assert_eq!(sel.rejected[&5], Rejection::NotMovable);
        assert_eq!(sel.rejected[&6], Rejection::TooSmall);
        assert_eq!(sel.rejected[&7], Rejection::Entangled);
    }

    #[test]
    fn a_hot_loop_callee_moves_with_its_caller_only_if_the_caller_is_planned() {
        let trap = Trap::CalledInHotLoop {
            caller: "loop".to_string(),
            file: "m.py".to_string(),
            line: 3,
            caller_fraction: 1.0,
        };
        let mut inner = candidate("inner", &["inner"], 0.2, 0.95, 1.0, Category::PurePython);
        inner.traps.push(trap);
        let caller = candidate(
            "loop",
            &["loop", "inner"],
            0.25,
            0.9,
            2.0,
            Category::PurePython,
        );
        let s = scores(vec![inner.clone(), caller.clone()]);
        let sel = select(&s, &Config::default());
        assert_eq!(chosen(&s, &sel), vec![("loop".to_string(), 1)]);
        assert_eq!(
            sel.rejected[&0],
            Rejection::MovesWithCaller("loop".to_string())
        );

        // The caller overlaps another unit chosen first: it is not planned, so the callee is
        // judged on its own and planned.
        let other = candidate(
            "other",
            &["other", "loop"],
            0.3,
            0.95,
            1.0,
            Category::PurePython,
        );
        let s = scores(vec![other, inner, caller]);
        let sel = select(&s, &Config::default());
        let names: Vec<String> = chosen(&s, &sel).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, vec!["other".to_string(), "inner".to_string()]);
    }

    #[test]
    fn constructors_crossing_bound_helpers_and_poor_returns_are_not_units() {
        let mut init = candidate(
            "C.__init__",
            &["C.__init__"],
            0.2,
            0.95,
            1.0,
            Category::PurePython,
        );
        init.object_setup = true;
        let mut tiny = candidate("tiny", &["tiny"], 0.2, 0.95, 1.0, Category::PurePython);
        tiny.crossing = Some(crate::model::Crossing {
            python_ns: 40.0,
            crossings: 1,
            crossing_ns: 25.0,
            ceiling: 1.6,
            eats_gain: true,
        });
        // Takes `tiny` along as a copy: `tiny` moves with it.
        let mut holder = candidate(
            "holder",
            &["holder", "tiny"],
            0.3,
            0.95,
            2.0,
            Category::PurePython,
        );
        holder.copies = vec!["tiny".to_string()];
        // 200 days for 20% of the run: 0.09% per day.
        let slow = candidate("slow", &["slow"], 0.2, 0.95, 200.0, Category::PurePython);
        let s = scores(vec![init, tiny, holder, slow]);
        let sel = select(&s, &Config::default());
        assert_eq!(chosen(&s, &sel), vec![("holder".to_string(), 1)]);
        assert_eq!(sel.rejected[&0], Rejection::ObjectSetup);
        assert_eq!(
            sel.rejected[&1],
            Rejection::MovesWithCaller("holder".to_string())
        );
        assert_eq!(sel.rejected[&3], Rejection::PoorReturn);
    }
}
