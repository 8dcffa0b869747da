//! Charts drawn on the server as inline SVG: no script, printable, each
//! with a text alternative; the page puts the same figures in a table
//! beside it for screen readers.

use std::fmt::Write;

use chrono::NaiveDate;

use crate::compute::trajectories::{Trajectory, milestone};

const WIDTH: f64 = 560.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 36.0;

/// Text put inside SVG, escaped.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn open(out: &mut String, id: &str, alternative: &str) {
    let _ = write!(
        out,
        r#"<svg class="graphique" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{id}-titre" xmlns="http://www.w3.org/2000/svg"><title id="{id}-titre">{}</title>"#,
        escape(alternative)
    );
}

/// The horizontal grid and the 0–100 % axis.
fn percent_axis(out: &mut String) {
    for tenth in (0..=10).step_by(2) {
        let y = y_of(f64::from(tenth) / 10.0);
        let _ = write!(
            out,
            r##"<line x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#d0d0d0" stroke-width="1"/><text x="{}" y="{:.1}" font-size="10" text-anchor="end" fill="#333">{} %</text>"##,
            WIDTH - RIGHT,
            LEFT - 4.0,
            y + 3.0,
            tenth * 10
        );
    }
}

fn y_of(share: f64) -> f64 {
    TOP + (1.0 - share.clamp(0.0, 1.0)) * (HEIGHT - TOP - BOTTOM)
}

/// The distribution of GHTs by tenth of their convergence rate, as bars,
/// with the count above each.
pub fn distribution(buckets: &[usize; 10], unknown: usize) -> String {
    let mut out = String::new();
    let total: usize = buckets.iter().sum();
    let alternative = format!(
        "Répartition de {total} GHT par taux de convergence, par tranche de 10 % ; {unknown} GHT sans taux calculé."
    );
    open(&mut out, "repartition", &alternative);
    let max = buckets.iter().copied().max().unwrap_or(0).max(1) as f64;
    let plot = HEIGHT - TOP - BOTTOM;
    let slot = (WIDTH - LEFT - RIGHT) / 10.0;
    for (i, count) in buckets.iter().enumerate() {
        let height = plot * (*count as f64) / max;
        let x = LEFT + slot * i as f64 + 4.0;
        let y = TOP + plot - height;
        let _ = write!(
            out,
            r##"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{height:.1}" fill="#2f5f8a"/><text x="{:.1}" y="{:.1}" font-size="10" text-anchor="middle" fill="#111">{count}</text><text x="{:.1}" y="{:.1}" font-size="9" text-anchor="middle" fill="#333">{}–{} %</text>"##,
            slot - 8.0,
            x + (slot - 8.0) / 2.0,
            y - 3.0,
            x + (slot - 8.0) / 2.0,
            HEIGHT - BOTTOM + 14.0,
            i * 10,
            i * 10 + 10
        );
    }
    let _ = write!(
        out,
        r##"<line x1="{LEFT}" x2="{}" y1="{:.1}" y2="{:.1}" stroke="#333"/></svg>"##,
        WIDTH - RIGHT,
        TOP + plot,
        TOP + plot
    );
    out
}

/// A sub-domain's trajectory: the actual rate at each campaign (a solid
/// line with dots), the planned rate (a dashed staircase), the projected
/// completion (a hollow diamond) and the regulatory milestone (a vertical
/// line), on a time axis that spans them all.
pub fn trajectory(trajectory: &Trajectory, label: &str) -> String {
    let mut days: Vec<NaiveDate> = trajectory.campaigns.iter().map(|c| c.reference_date).collect();
    days.extend(trajectory.planned_curve.iter().map(|p| p.date));
    days.extend(trajectory.campaigns.iter().filter_map(|c| c.projected_completion));
    days.push(milestone());
    let first = days.iter().min().copied().unwrap_or_else(milestone);
    let last = days.iter().max().copied().unwrap_or_else(milestone);
    let span = (last - first).num_days().max(1) as f64;
    let x_of = |day: NaiveDate| LEFT + (WIDTH - LEFT - RIGHT) * ((day - first).num_days() as f64 / span);
    let id = format!("trajectoire-{}", trajectory.subdomain.replace('.', "-"));
    let latest = trajectory.campaigns.last();
    let alternative = format!(
        "Trajectoire de {label} : taux réel {} à la dernière campagne, taux prévu {}, achèvement projeté {} ; jalon réglementaire au {}.",
        super::format::percent(latest.and_then(|c| c.actual)),
        super::format::percent(latest.and_then(|c| c.planned)),
        latest.and_then(|c| c.projected_completion).map_or_else(|| "inconnu".to_owned(), super::format::date),
        super::format::date(milestone()),
    );
    let mut out = String::new();
    open(&mut out, &id, &alternative);
    percent_axis(&mut out);
    // Years on the time axis.
    let first_year = chrono::Datelike::year(&first);
    let last_year = chrono::Datelike::year(&last);
    let step = ((last_year - first_year) / 8).max(1);
    for year in (first_year..=last_year + 1).step_by(step as usize) {
        if let Some(day) = NaiveDate::from_ymd_opt(year, 1, 1).filter(|d| *d >= first && *d <= last) {
            let x = x_of(day);
            let _ = write!(
                out,
                r##"<text x="{x:.1}" y="{:.1}" font-size="10" text-anchor="middle" fill="#333">{year}</text>"##,
                HEIGHT - BOTTOM + 14.0
            );
        }
    }
    let m = x_of(milestone());
    let _ = write!(
        out,
        r##"<line x1="{m:.1}" x2="{m:.1}" y1="{TOP}" y2="{:.1}" stroke="#b34700" stroke-width="2" stroke-dasharray="2 3"/><text x="{:.1}" y="{:.1}" font-size="10" fill="#b34700">jalon</text>"##,
        HEIGHT - BOTTOM,
        m + 3.0,
        TOP + 10.0
    );
    if !trajectory.planned_curve.is_empty() {
        let mut path = format!("M{:.1},{:.1}", x_of(first), y_of(0.0));
        for point in &trajectory.planned_curve {
            let x = x_of(point.date);
            let _ = write!(path, " H{x:.1} V{:.1}", y_of(point.rate));
        }
        let _ = write!(path, " H{:.1}", x_of(last));
        let _ =
            write!(out, r##"<path d="{path}" fill="none" stroke="#555" stroke-width="2" stroke-dasharray="6 4"/>"##);
    }
    let actual: Vec<(f64, f64)> =
        trajectory.campaigns.iter().filter_map(|c| c.actual.map(|rate| (x_of(c.reference_date), y_of(rate)))).collect();
    if actual.len() > 1 {
        let points: Vec<String> = actual.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        let _ = write!(
            out,
            r##"<polyline points="{}" fill="none" stroke="#1a4d7a" stroke-width="2.5"/>"##,
            points.join(" ")
        );
    }
    for (x, y) in &actual {
        let _ = write!(out, r##"<circle cx="{x:.1}" cy="{y:.1}" r="4" fill="#1a4d7a"/>"##);
    }
    if let Some(done) = latest.and_then(|c| c.projected_completion) {
        let (x, y) = (x_of(done), y_of(1.0));
        let _ = write!(
            out,
            r##"<path d="M{x:.1},{:.1} L{:.1},{y:.1} L{x:.1},{:.1} L{:.1},{y:.1} Z" fill="#fff" stroke="#1a4d7a" stroke-width="2"/>"##,
            y - 6.0,
            x + 6.0,
            y + 6.0,
            x - 6.0
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compute::trajectories::{CampaignStatus, PlannedPoint, Status};

    #[test]
    fn a_chart_has_its_text_alternative_and_escapes_text() {
        let svg = distribution(&[1, 0, 0, 0, 0, 2, 0, 0, 0, 3], 4);
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("<title id=\"repartition-titre\">Répartition de 6 GHT"), "{svg}");
        assert_eq!(svg.matches("<rect").count(), 10);
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }

    #[test]
    fn a_trajectory_draws_the_actual_rates_the_plan_and_the_milestone() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        let campaign = |year: i32, actual: f64| CampaignStatus {
            year,
            reference_date: day(year, 1, 1),
            actual: Some(actual),
            planned: Some(0.5),
            projected_completion: Some(day(2028, 1, 1)),
            status: Status::Late,
            days_late_vs_plan: None,
            days_late_vs_milestone: None,
        };
        let t = Trajectory {
            subdomain: "DPI.CORE".into(),
            planned_curve: vec![PlannedPoint { date: day(2025, 6, 30), rate: 0.5 }],
            campaigns: vec![campaign(2025, 0.25), campaign(2026, 0.5)],
        };
        let svg = trajectory(&t, "DPI <cœur>");
        assert!(svg.contains("Trajectoire de DPI &lt;cœur&gt; : taux réel 50,0 %"), "{svg}");
        assert!(svg.contains("achèvement projeté 01/01/2028"), "{svg}");
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains("stroke-dasharray=\"6 4\""), "the plan is drawn");
        assert!(svg.contains(">jalon<"));
    }
}
