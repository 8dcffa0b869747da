//! Regional and national views for DGOS and the ARS: each GHT indicator's
//! distribution over the GHTs that reported, each GHT's rank and
//! percentile, and the GHTs meeting each milestone — the way ANAP's Hospi
//! Diag places a hospital among its peers.
//!
//! Choices: quartiles interpolate linearly between ranks (Excel's
//! QUARTILE.INC); ties share the best rank (1, 2, 2, 4); the percentile is
//! `100 × (n − rank) / (n − 1)` (the best GHT is at 100, the worst at 0, a
//! lone GHT at 100); a GHT without a value for an indicator is left out of
//! that indicator's distribution and ranking.

use std::collections::BTreeMap;

use serde::Serialize;

/// A distribution over GHTs.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Distribution {
    /// GHTs with a value.
    pub count: usize,
    /// Smallest value.
    pub min: f64,
    /// First quartile.
    pub q1: f64,
    /// Median: the middle value (the mean of the two middle ones for an even count).
    pub median: f64,
    /// Third quartile.
    pub q3: f64,
    /// Largest value.
    pub max: f64,
    /// Arithmetic mean.
    pub mean: f64,
}

/// Where one GHT stands for one indicator.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Rank {
    /// GHT code.
    pub ght_code: String,
    /// Its value.
    pub value: f64,
    /// 1 = best, ties share the best rank.
    pub rank: usize,
    /// 100 = best, 0 = worst.
    pub percentile: f64,
}

/// Linear-interpolation quantile of sorted values (`q` in 0..=1).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let position = q * (sorted.len() - 1) as f64;
    let (low, high) = (position.floor() as usize, position.ceil() as usize);
    let fraction = position - low as f64;
    sorted[low] + (sorted[high] - sorted[low]) * fraction
}

/// The distribution of some values; `None` when there are none.
pub fn distribution(values: &[f64]) -> Option<Distribution> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    Some(Distribution {
        count: sorted.len(),
        min: sorted[0],
        q1: quantile(&sorted, 0.25),
        median: quantile(&sorted, 0.5),
        q3: quantile(&sorted, 0.75),
        max: sorted[sorted.len() - 1],
        mean: sorted.iter().sum::<f64>() / sorted.len() as f64,
    })
}

/// Ranks GHTs on one indicator; `higher_is_better` says which way.
pub fn ranks(values: &BTreeMap<String, f64>, higher_is_better: bool) -> Vec<Rank> {
    let mut ordered: Vec<(&String, f64)> = values.iter().map(|(g, v)| (g, *v)).collect();
    ordered.sort_by(|a, b| {
        let order = if higher_is_better { b.1.total_cmp(&a.1) } else { a.1.total_cmp(&b.1) };
        order.then_with(|| a.0.cmp(b.0))
    });
    let n = ordered.len();
    let mut ranks: Vec<Rank> = Vec::with_capacity(n);
    for (i, (ght, value)) in ordered.iter().enumerate() {
        let rank = match ranks.last() {
            Some(previous) if previous.value == *value => previous.rank,
            _ => i + 1,
        };
        let percentile = if n > 1 { 100.0 * (n - rank) as f64 / (n - 1) as f64 } else { 100.0 };
        ranks.push(Rank { ght_code: (*ght).clone(), value: *value, rank, percentile });
    }
    ranks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quartiles_interpolate_like_excel() {
        // QUARTILE.INC({1,2,3,4,10}) = 2, 3, 4; mean 4.
        let d = distribution(&[10.0, 1.0, 3.0, 2.0, 4.0]);
        assert_eq!(d, Some(Distribution { count: 5, min: 1.0, q1: 2.0, median: 3.0, q3: 4.0, max: 10.0, mean: 4.0 }));
        // {1,2,3,4}: Q1 = 1.75, median 2.5, Q3 = 3.25.
        let d = distribution(&[1.0, 2.0, 3.0, 4.0]).map(|d| (d.q1, d.median, d.q3));
        assert_eq!(d, Some((1.75, 2.5, 3.25)));
        assert_eq!(distribution(&[]), None);
    }

    #[test]
    fn ties_share_the_best_rank_and_direction_matters() {
        let values: BTreeMap<String, f64> =
            [("A", 0.9), ("B", 0.5), ("C", 0.5), ("D", 0.1)].map(|(g, v)| (g.to_owned(), v)).into();
        let higher = ranks(&values, true);
        let got: Vec<(&str, usize, f64)> = higher.iter().map(|r| (r.ght_code.as_str(), r.rank, r.percentile)).collect();
        assert_eq!(got, [("A", 1, 100.0), ("B", 2, 200.0 / 3.0), ("C", 2, 200.0 / 3.0), ("D", 4, 0.0)]);
        let lower = ranks(&values, false);
        assert_eq!((lower[0].ght_code.as_str(), lower[0].rank), ("D", 1));
    }
}
