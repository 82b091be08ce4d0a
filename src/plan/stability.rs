//! How stable the plan is when the profile's samples are drawn again ([`crate::evidence`]):
//! how often the first target stays first, and how often each unit is planned.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Analysis, phases};
use crate::config::Config;
use crate::model::{self, Scores};

/// The plan's evidence: how many samples it rests on and how stable its choices are.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// Samples behind every share; `None` when the profile's values are not countable
    /// samples (then nothing below is computed).
    pub samples: Option<u64>,
    /// Confidence level of every interval in the plan, in (0, 1).
    pub confidence: f64,
    /// Resamples made (`[evidence] resamples`; 0 when off or not countable).
    pub resamples: usize,
    /// The first target (the first unit of the first phase), if any.
    pub first_target: Option<String>,
    /// Fraction of resamples, in [0, 1], whose plan has the same first target; `None`
    /// without resamples.
    pub first_stays_first: Option<f64>,
    /// Per unit id: fraction of resamples, in [0, 1], in which it is planned as a unit.
    #[serde(skip)]
    pub planned_in: BTreeMap<String, f64>,
    /// `first_stays_first` is below `[evidence] min_stability`.
    pub unstable: bool,
}

/// The first target of a selection: its first unit in phase order, then rank.
fn first_target(scores: &Scores, selection: &phases::Selection) -> Option<String> {
    selection
        .units
        .iter()
        .min_by_key(|&&(ci, phase)| (phase, ci))
        .map(|&(ci, _)| scores.candidates[ci].function.clone())
}

/// Resamples the profile and plans each resample again (module docs).
pub(super) fn evidence(a: &Analysis, selection: &phases::Selection, config: &Config) -> Evidence {
    let attribution = a.attribution;
    let first = first_target(a.scores, selection);
    let mut out = Evidence {
        samples: attribution.samples,
        confidence: config.evidence.confidence,
        resamples: 0,
        first_target: first.clone(),
        first_stays_first: None,
        planned_in: BTreeMap::new(),
        unstable: false,
    };
    let Some(weight) = attribution.sample_weight else {
        return out;
    };
    let resamples = config.evidence.resamples;
    if resamples == 0 || attribution.total == 0 {
        return out;
    }
    let plans = crate::evidence::over_resamples(attribution, weight, resamples, |values| {
        let scores = model::score_with_units(attribution, values, a.frozen, config);
        let selection = phases::select(&scores, config);
        let units: Vec<String> = selection
            .units
            .iter()
            .map(|&(ci, _)| scores.candidates[ci].function.clone())
            .collect();
        (first_target(&scores, &selection), units)
    });
    let n = plans.len() as f64;
    let same = plans.iter().filter(|(f, _)| *f == first).count() as f64;
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (_, units) in &plans {
        for u in units {
            *counts.entry(u.clone()).or_default() += 1;
        }
    }
    let planned_in = counts.into_iter().map(|(u, k)| (u, k as f64 / n)).collect();
    out.resamples = resamples;
    out.first_stays_first = Some(same / n);
    out.unstable = first.is_some() && same / n < config.evidence.min_stability;
    out.planned_in = planned_in;
    out
}
