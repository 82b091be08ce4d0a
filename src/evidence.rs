//! How strong a profile's evidence is (docs/scoring.md §9): an interval on every share from
//! the number of samples behind it, and how stable the ranking is when those samples are
//! drawn again.
//!
//! - **Intervals.** A share is `x` samples of `n`; its interval is Wilson's score interval for
//!   a binomial proportion at the configured confidence (`[evidence] confidence`), which
//!   behaves at 0 and 1 and with few samples, unlike the normal approximation.
//! - **Stability.** The Poisson bootstrap: each distinct stack's sample count `k` is replaced
//!   by a draw from Poisson(`k`), independently, which resamples the whole profile the way
//!   drawing `n` samples with replacement would (Hanley & MacGibbon, "Creating non-parametric
//!   bootstrap samples using Poisson frequencies", 2006). The model is run again on each
//!   resample, with the units of the full profile ([`crate::model::FrozenUnits`]: the code
//!   and call graph do not change, and which helpers are tiny barely does); the share of
//!   resamples in which a result holds says how much the samples support it. Seeds are
//!   fixed, so the same input gives the same figures.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Poisson};
use rayon::prelude::*;
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};

use crate::model::Attribution;
use crate::profile::{Profile, ValueUnit};

/// A confidence interval on a share, both ends fractions in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    /// Lower end.
    pub low: f64,
    /// Upper end.
    pub high: f64,
}

/// The value one sample carries in `profile`'s unit: 1 for sample counts, the sampling
/// period for CPU time when the profile records it (pprof `period`); `None` when samples
/// cannot be counted (then no interval or resampling is reported).
pub fn sample_weight(profile: &Profile) -> Option<u64> {
    match profile.unit() {
        ValueUnit::Samples | ValueUnit::Count => Some(1),
        ValueUnit::Nanoseconds => profile
            .metadata()
            .period
            .as_deref()
            .and_then(|p| p.split_whitespace().next())
            .and_then(|p| p.parse::<u64>().ok())
            .filter(|&p| p > 0),
        _ => None,
    }
}

/// Wilson's score interval for a share `p` (in [0, 1]) of `n` samples at `confidence` (in
/// (0, 1)); `None` for `n = 0`.
pub fn wilson(p: f64, n: u64, confidence: f64) -> Option<Interval> {
    if n == 0 {
        return None;
    }
    let z = Normal::standard().inverse_cdf(0.5 + confidence / 2.0);
    let n = n as f64;
    let p = p.clamp(0.0, 1.0);
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denom;
    let half = z / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some(Interval {
        low: (center - half).max(0.0),
        high: (center + half).min(1.0),
    })
}

/// The values of `attribution`'s stacks (same order) with every stack's sample count redrawn
/// from Poisson(count) (module docs), `weight` being the value of one sample. A stack can be
/// drawn 0 times.
pub fn resample(attribution: &Attribution, weight: u64, seed: u64) -> Vec<u64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let weight = weight.max(1);
    attribution
        .stacks
        .iter()
        .map(|s| {
            let k = s.value / weight;
            let drawn = match Poisson::new(k as f64) {
                Ok(d) if k > 0 => d.sample(&mut rng) as u64,
                _ => 0,
            };
            drawn * weight
        })
        .collect()
}

/// `pick` applied to the values of `resamples` resamples of `attribution` (seeds 1 to
/// `resamples`, in that order; run in parallel).
pub fn over_resamples<T: Send>(
    attribution: &Attribution,
    weight: u64,
    resamples: usize,
    pick: impl Fn(&[u64]) -> T + Sync,
) -> Vec<T> {
    (1..=resamples as u64)
        .into_par_iter()
        .map(|seed| pick(&resample(attribution, weight, seed)))
        .collect()
}

/// Fraction of resamples (`[evidence] resamples`) of `attribution` in which the ranking's
/// first candidate is still first, in [0, 1]; `None` without countable samples, resamples or a
/// first candidate.
/// `frozen` and `scores` are [`crate::model::score_and_freeze`]'s for `attribution`.
pub fn first_candidate_stability(
    attribution: &Attribution,
    frozen: &crate::model::FrozenUnits,
    config: &crate::config::Config,
    scores: &crate::model::Scores,
) -> Option<f64> {
    let first = scores.candidates.first()?.function.as_str();
    let weight = attribution.sample_weight?;
    let resamples = config.evidence.resamples;
    if resamples == 0 || attribution.total == 0 {
        return None;
    }
    let firsts = over_resamples(attribution, weight, resamples, |values| {
        let s = crate::model::score_with_units(attribution, values, frozen, config);
        s.candidates.first().map(|c| c.function == first)
    });
    let same = firsts.iter().filter(|&&f| f == Some(true)).count();
    Some(same as f64 / resamples as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_the_textbook_and_narrows_with_samples() {
        // 95%, 10 of 100: Wilson gives 0.0552 .. 0.1744.
        let i = wilson(0.1, 100, 0.95).unwrap();
        assert!((i.low - 0.0552).abs() < 1e-3, "{i:?}");
        assert!((i.high - 0.1744).abs() < 1e-3, "{i:?}");
        let wide = wilson(0.1, 116, 0.95).unwrap();
        let narrow = wilson(0.1, 20_000, 0.95).unwrap();
        assert!(narrow.high - narrow.low < (wide.high - wide.low) / 10.0);
        // Defined at the ends.
        let zero = wilson(0.0, 50, 0.95).unwrap();
        assert_eq!(zero.low, 0.0);
        assert!(zero.high > 0.0);
        assert_eq!(wilson(0.5, 0, 0.95), None);
    }
}
