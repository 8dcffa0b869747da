//! The computed indicators of a campaign, per établissement and per GHT,
//! exactly as DOMAIN.md §7 defines them. Each deliberate choice is written
//! in the indicator schema's definition text (`reference/data/indicators.csv`)
//! and pinned by a test here.
//!
//! Vocabulary used below:
//! - a *solution* is what a row runs: a matched product, an unmatched name
//!   (by its normalised form) or an établissement's in-house tool; a
//!   « non informatisé » or unspecified row runs none;
//! - an établissement is *concerned* by a sub-domain when it has a row there
//!   that is a solution or « non informatisé »;
//! - an *off-target* row is a solution, in a sub-domain that has a target,
//!   other than the target product.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::detail::{self, Detail};
use crate::normalise::sentinel::EntryState;

/// L1 domains whose applications consume the patient identity.
pub const IDENTITY_DOMAINS: [&str; 7] = ["GAP", "DPI", "URG", "PRESC", "LAB", "IMG", "PMSI"];

/// The sub-domain whose convergence is `APP.DPI_COMMON`.
pub const DPI_CORE: &str = "DPI.CORE";

/// One validated inventory row, as the indicators read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Its établissement (EJ).
    pub finess_ej: String,
    /// Its sub-domain, when known.
    pub subdomain: Option<String>,
    /// Product, unmatched, in-house, not computerised, unspecified.
    pub state: EntryState,
    /// The matched product.
    pub product_id: Option<i64>,
    /// The application's normalised name (tells unmatched names apart).
    pub normalised_name: String,
    /// Declared users.
    pub users: Option<i32>,
    /// Annual cost in cents.
    pub annual_cost_cents: Option<i64>,
    /// Declared connected to the identity référentiel.
    pub identity_connected: Option<bool>,
    /// End of contract.
    pub contract_end: Option<NaiveDate>,
}

/// What one GHT's indicators for one campaign are computed from.
#[derive(Debug, Clone, Default)]
pub struct CampaignInputs {
    /// The campaign's reference date (contracts are counted from it).
    pub reference_date: NaiveDate,
    /// Établissements expected to report (members at the reference date).
    pub expected: BTreeSet<String>,
    /// Établissements with a validated inventory.
    pub reporting: BTreeSet<String>,
    /// The validated rows of the reporting établissements.
    pub rows: Vec<Row>,
    /// Target product per sub-domain.
    pub targets: BTreeMap<String, i64>,
}

/// One computed value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Value {
    /// Indicator code (`APP.TARGET_RATE.DPI.CORE`).
    pub code: String,
    /// The établissement, or `None` for the GHT.
    pub finess_ej: Option<String>,
    /// The value; `None` when it cannot be computed (nothing to measure, or
    /// every input unknown) — never a zero standing for « unknown ».
    pub value: Option<f64>,
    /// Share of the rows the value rests on whose input was known (users,
    /// costs, identity answers, contract ends), when that matters.
    pub known_share: Option<f64>,
    /// Numerator, denominator or breakdown.
    pub detail: Detail,
}

/// Every indicator of the GHT and of each reporting établissement.
pub fn compute(inputs: &CampaignInputs) -> Vec<Value> {
    let all: Vec<&Row> = inputs.rows.iter().collect();
    let mut by_etablissement: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
    for row in &all {
        by_etablissement.entry(row.finess_ej.as_str()).or_default().push(row);
    }
    let mut values = scope_values(inputs, None, &all);
    for finess in &inputs.reporting {
        let rows = by_etablissement.get(finess.as_str()).map(Vec::as_slice).unwrap_or_default();
        values.extend(scope_values(inputs, Some(finess), rows));
    }
    values
}

/// What a row runs, if anything.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Solution {
    Product(i64),
    Unmatched(String),
    InHouse(String),
}

fn solution(row: &Row) -> Option<Solution> {
    match (row.state, row.product_id) {
        (EntryState::Product, Some(id)) => Some(Solution::Product(id)),
        (EntryState::Unmatched, _) | (EntryState::Product, None) => {
            Some(Solution::Unmatched(row.normalised_name.clone()))
        }
        (EntryState::InHouse, _) => Some(Solution::InHouse(row.finess_ej.clone())),
        (EntryState::NotComputerised | EntryState::Unspecified, _) => None,
    }
}

/// Per sub-domain: each concerned établissement and the solutions it runs.
type Usage<'r> = BTreeMap<&'r str, BTreeMap<&'r str, BTreeSet<Solution>>>;

fn usage<'r>(rows: &[&'r Row]) -> Usage<'r> {
    let mut usage: Usage<'_> = BTreeMap::new();
    for row in rows {
        let Some(subdomain) = row.subdomain.as_deref() else { continue };
        if row.state == EntryState::Unspecified {
            continue;
        }
        let solutions = usage.entry(subdomain).or_default().entry(row.finess_ej.as_str()).or_default();
        solutions.extend(solution(row));
    }
    usage
}

fn value(code: impl Into<String>, finess: Option<&String>, value: Option<f64>, detail: Detail) -> Value {
    Value { code: code.into(), finess_ej: finess.cloned(), value, known_share: None, detail }
}

fn ratio(numerator: usize, denominator: usize) -> Option<f64> {
    (denominator > 0).then(|| numerator as f64 / denominator as f64)
}

fn scope_values(inputs: &CampaignInputs, finess: Option<&String>, rows: &[&Row]) -> Vec<Value> {
    let usage = usage(rows);
    let mut values = Vec::new();

    for (subdomain, etablissements) in &usage {
        let all: BTreeSet<&Solution> = etablissements.values().flatten().collect();
        let count = |f: fn(&Solution) -> bool| all.iter().filter(|s| f(s)).count();
        values.push(value(
            format!("APP.N_SOLUTIONS.{subdomain}"),
            finess,
            Some(all.len() as f64),
            Detail::Solutions(detail::Solutions {
                products: count(|s| matches!(s, Solution::Product(_))),
                unmatched_names: count(|s| matches!(s, Solution::Unmatched(_))),
                in_house: count(|s| matches!(s, Solution::InHouse(_))),
            }),
        ));
    }

    // Target rate and legacy per sub-domain with a target.
    let mut rates = Vec::new();
    let (mut converged, mut eligible) = (Vec::new(), 0usize);
    for (subdomain, target) in &inputs.targets {
        let Some(etablissements) = usage.get(subdomain.as_str()) else { continue };
        let target = Solution::Product(*target);
        let on_target: Vec<&str> =
            etablissements.iter().filter(|(_, s)| s.contains(&target)).map(|(f, _)| *f).collect();
        let legacy: Vec<&str> =
            etablissements.iter().filter(|(_, s)| s.contains(&target) && s.len() > 1).map(|(f, _)| *f).collect();
        let rate = ratio(on_target.len(), etablissements.len());
        rates.extend(rate);
        values.push(value(
            format!("APP.TARGET_RATE.{subdomain}"),
            finess,
            rate,
            Detail::TargetRate(detail::TargetRate {
                on_target: on_target.len(),
                concerned: etablissements.len(),
                concerned_etablissements: etablissements.keys().map(|f| (*f).to_owned()).collect(),
            }),
        ));
        values.push(value(
            format!("APP.LEGACY_REMAINING.{subdomain}"),
            finess,
            Some(legacy.len() as f64),
            Detail::Legacy(detail::Legacy { etablissements: legacy.iter().map(|f| (*f).to_owned()).collect() }),
        ));
        if etablissements.len() >= 2 {
            eligible += 1;
            let only_target = etablissements.values().all(|s| s.len() == 1 && s.contains(&target));
            if only_target {
                converged.push(subdomain.clone());
            }
            if finess.is_none() && subdomain == DPI_CORE {
                values.push(value(
                    "APP.DPI_COMMON",
                    finess,
                    Some(if only_target { 1.0 } else { 0.0 }),
                    Detail::Concerned(detail::Concerned { concerned: etablissements.len() }),
                ));
            }
        }
    }
    let mean = (!rates.is_empty()).then(|| rates.iter().sum::<f64>() / rates.len() as f64);
    values.push(value("APP.CONV_RATE", finess, mean, Detail::Mean(detail::Mean { subdomains: rates.len() })));
    values.push(users_weighted_rate(inputs, finess, rows));
    if finess.is_none() {
        values.push(value(
            "APP.CONVERGED",
            finess,
            ratio(converged.len(), eligible),
            Detail::Converged(detail::Converged { converged, eligible }),
        ));
    }

    let products: BTreeSet<i64> =
        rows.iter().filter(|r| r.state == EntryState::Product).filter_map(|r| r.product_id).collect();
    values.push(value("APP.COUNT", finess, Some(rows.len() as f64), Detail::none()));
    values.push(value("APP.DISTINCT_PRODUCTS", finess, Some(products.len() as f64), Detail::none()));
    if finess.is_none() {
        values.push(value(
            "APP.PER_ETAB",
            finess,
            ratio(rows.len(), inputs.reporting.len()),
            Detail::PerEtablissement(detail::PerEtablissement { rows: rows.len(), reporting: inputs.reporting.len() }),
        ));
    }
    values.push(identity_rate(finess, rows));

    let software: Vec<&Row> = rows.iter().copied().filter(|r| solution(r).is_some()).collect();
    let off_target: Vec<&Row> = software.iter().copied().filter(|r| is_off_target(inputs, r)).collect();
    values.push(cost("COST.ANNUAL", finess, &software));
    values.push(cost("COST.OFF_TARGET", finess, &off_target));
    for (code, months) in [("OPP.CONTRACTS_12M", 12), ("OPP.CONTRACTS_24M", 24)] {
        values.push(contracts(code, finess, &off_target, inputs.reference_date, months));
    }
    values
}

fn is_off_target(inputs: &CampaignInputs, row: &Row) -> bool {
    let Some(target) = row.subdomain.as_ref().and_then(|s| inputs.targets.get(s)) else { return false };
    solution(row).is_some_and(|s| s != Solution::Product(*target))
}

/// `APP.CONV_RATE_USERS`: the share of users, over the rows of sub-domains
/// with a target, that work on the target; a row with unknown users weighs
/// the median of the known ones (1 when none is known).
fn users_weighted_rate(inputs: &CampaignInputs, finess: Option<&String>, rows: &[&Row]) -> Value {
    let rows: Vec<(&Row, i64)> = rows
        .iter()
        .copied()
        .filter_map(|r| {
            let target = inputs.targets.get(r.subdomain.as_ref()?)?;
            solution(r).map(|_| (r, *target))
        })
        .collect();
    let mut known: Vec<f64> = rows.iter().filter_map(|(r, _)| r.users).map(f64::from).collect();
    known.sort_by(f64::total_cmp);
    let median = median(&known).unwrap_or(1.0);
    let (mut on_target, mut total) = (0.0, 0.0);
    for (row, target) in &rows {
        let weight = row.users.map_or(median, f64::from);
        total += weight;
        if row.product_id == Some(*target) && row.state == EntryState::Product {
            on_target += weight;
        }
    }
    Value {
        code: "APP.CONV_RATE_USERS".to_owned(),
        finess_ej: finess.cloned(),
        value: (total > 0.0).then(|| on_target / total),
        known_share: ratio(known.len(), rows.len()),
        detail: Detail::UsersWeighted(detail::UsersWeighted {
            rows: rows.len(),
            rows_with_users: known.len(),
            median_users: median,
        }),
    }
}

fn median(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// `APP.ID_CONNECTED_RATE`: among the software rows of identity-consuming
/// domains, those declared connected over those with an answer.
fn identity_rate(finess: Option<&String>, rows: &[&Row]) -> Value {
    let consuming: Vec<&Row> = rows
        .iter()
        .copied()
        .filter(|r| solution(r).is_some())
        .filter(|r| {
            r.subdomain.as_deref().and_then(|s| s.split('.').next()).is_some_and(|l1| IDENTITY_DOMAINS.contains(&l1))
        })
        .collect();
    let answered = consuming.iter().filter(|r| r.identity_connected.is_some()).count();
    let connected = consuming.iter().filter(|r| r.identity_connected == Some(true)).count();
    Value {
        code: "APP.ID_CONNECTED_RATE".to_owned(),
        finess_ej: finess.cloned(),
        value: ratio(connected, answered),
        known_share: ratio(answered, consuming.len()),
        detail: Detail::Identity(detail::Identity { connected, answered, rows: consuming.len() }),
    }
}

/// A sum of annual costs in euros over the rows with a known cost; `None`
/// when no cost is known.
fn cost(code: &str, finess: Option<&String>, rows: &[&Row]) -> Value {
    let known: Vec<i64> = rows.iter().filter_map(|r| r.annual_cost_cents).collect();
    Value {
        code: code.to_owned(),
        finess_ej: finess.cloned(),
        value: (!known.is_empty()).then(|| known.iter().sum::<i64>() as f64 / 100.0),
        known_share: ratio(known.len(), rows.len()),
        detail: Detail::Cost(detail::Cost { rows: rows.len(), rows_with_cost: known.len() }),
    }
}

/// Off-target rows whose contract ends after the reference date and at
/// most `months` months after it.
fn contracts(code: &str, finess: Option<&String>, off_target: &[&Row], reference: NaiveDate, months: u32) -> Value {
    let horizon = reference.checked_add_months(Months::new(months)).unwrap_or(NaiveDate::MAX);
    let known = off_target.iter().filter(|r| r.contract_end.is_some()).count();
    let ending =
        off_target.iter().filter(|r| r.contract_end.is_some_and(|end| end > reference && end <= horizon)).count();
    Value {
        code: code.to_owned(),
        finess_ej: finess.cloned(),
        value: Some(ending as f64),
        known_share: ratio(known, off_target.len()),
        detail: Detail::Contracts(detail::Contracts { off_target_rows: off_target.len(), with_contract_end: known }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    struct R(&'static str, Option<&'static str>, EntryState, Option<i64>, &'static str);

    impl R {
        fn row(self) -> Row {
            Row {
                finess_ej: self.0.to_owned(),
                subdomain: self.1.map(str::to_owned),
                state: self.2,
                product_id: self.3,
                normalised_name: self.4.to_owned(),
                users: None,
                annual_cost_cents: None,
                identity_connected: None,
                contract_end: None,
            }
        }
    }

    fn with(mut row: Row, users: Option<i32>, euros: Option<i64>, connected: Option<bool>, end: Option<&str>) -> Row {
        row.users = users;
        row.annual_cost_cents = euros.map(|e| e * 100);
        row.identity_connected = connected;
        row.contract_end = end.map(date);
        row
    }

    /// A GHT of four établissements, D not reporting. Targets: DPI.CORE →
    /// product 1, LAB.SIL → product 10. Reference date 2026-01-01.
    fn fixture() -> CampaignInputs {
        use EntryState::*;
        let rows = vec![
            with(R("A", Some("DPI.CORE"), Product, Some(1), "dpi").row(), Some(300), Some(100_000), Some(true), None),
            with(
                R("A", Some("DPI.CORE"), Product, Some(2), "ancien").row(),
                Some(50),
                None,
                Some(false),
                Some("2026-06-30"),
            ),
            with(R("A", Some("LAB.SIL"), Product, Some(10), "sil").row(), None, Some(20_000), None, None),
            with(R("A", Some("GRH.PAIE"), InHouse, None, "paie maison").row(), Some(20), None, None, None),
            with(R("B", Some("DPI.CORE"), Product, Some(1), "dpi").row(), Some(200), Some(80_000), Some(true), None),
            with(
                R("B", Some("LAB.SIL"), Unmatched, None, "logiciel labo").row(),
                Some(10),
                Some(5_000),
                Some(true),
                Some("2027-06-30"),
            ),
            R("B", Some("GRH.PAIE"), NotComputerised, None, "non informatise").row(),
            with(R("C", Some("DPI.CORE"), Product, Some(1), "dpi").row(), Some(100), None, None, None),
            with(R("C", Some("LAB.SIL"), Product, Some(10), "sil").row(), Some(5), None, Some(true), None),
            R("C", Some("PIL.BI"), Unspecified, None, "autre").row(),
            R("C", None, Unmatched, None, "truc").row(),
        ];
        CampaignInputs {
            reference_date: date("2026-01-01"),
            expected: ["A", "B", "C", "D"].map(str::to_owned).into(),
            reporting: ["A", "B", "C"].map(str::to_owned).into(),
            rows,
            targets: [("DPI.CORE".to_owned(), 1), ("LAB.SIL".to_owned(), 10)].into(),
        }
    }

    fn get<'v>(values: &'v [Value], finess: Option<&str>, code: &str) -> &'v Value {
        values
            .iter()
            .find(|v| v.code == code && v.finess_ej.as_deref() == finess)
            .unwrap_or_else(|| panic!("{code} for {finess:?} missing"))
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn ght_indicators_match_the_hand_computation() {
        let values = compute(&fixture());
        let ght = |code| get(&values, None, code);
        // DPI.CORE runs products 1 and 2; LAB.SIL product 10 and one unmatched
        // name; GRH.PAIE A's in-house tool (B's « non informatisé » is no solution).
        assert_eq!(ght("APP.N_SOLUTIONS.DPI.CORE").value, Some(2.0));
        assert_eq!(
            ght("APP.N_SOLUTIONS.LAB.SIL").detail,
            Detail::Solutions(detail::Solutions { products: 1, unmatched_names: 1, in_house: 0 })
        );
        assert_eq!(ght("APP.N_SOLUTIONS.GRH.PAIE").value, Some(1.0));
        // C's unspecified PIL.BI row concerns nobody.
        assert!(values.iter().all(|v| v.code != "APP.N_SOLUTIONS.PIL.BI"));
        // A, B, C all run product 1 in DPI.CORE; A still runs product 2 beside it.
        assert_eq!(ght("APP.TARGET_RATE.DPI.CORE").value, Some(1.0));
        assert_eq!(ght("APP.LEGACY_REMAINING.DPI.CORE").value, Some(1.0));
        assert_eq!(
            ght("APP.LEGACY_REMAINING.DPI.CORE").detail,
            Detail::Legacy(detail::Legacy { etablissements: vec!["A".to_owned()] })
        );
        // LAB.SIL: A and C on target, B on an unmatched name: 2/3.
        assert!(close(ght("APP.TARGET_RATE.LAB.SIL").value, 2.0 / 3.0));
        // Mean of 1 and 2/3.
        assert!(close(ght("APP.CONV_RATE").value, 5.0 / 6.0));
        // Users: known 300, 50, 200, 10, 100, 5 → median 75 for A's LAB.SIL row;
        // on target 300 + 75 + 200 + 100 + 5 = 680 of 740.
        let weighted = ght("APP.CONV_RATE_USERS");
        assert!(close(weighted.value, 680.0 / 740.0));
        assert!(close(weighted.known_share, 6.0 / 7.0));
        // Neither sub-domain is converged (A's legacy DPI, B's unmatched SIL).
        assert_eq!(ght("APP.CONVERGED").value, Some(0.0));
        assert!(matches!(&ght("APP.CONVERGED").detail, Detail::Converged(c) if c.eligible == 2));
        assert_eq!(ght("APP.DPI_COMMON").value, Some(0.0));
        assert_eq!(ght("APP.COUNT").value, Some(11.0));
        assert_eq!(ght("APP.DISTINCT_PRODUCTS").value, Some(3.0));
        assert!(close(ght("APP.PER_ETAB").value, 11.0 / 3.0));
        // Identity: 7 software rows in DPI and LAB, 5 answered, 4 connected.
        assert!(close(ght("APP.ID_CONNECTED_RATE").value, 0.8));
        assert!(close(ght("APP.ID_CONNECTED_RATE").known_share, 5.0 / 7.0));
        // Costs: 9 software rows, 4 costs known: 100,000 + 20,000 + 80,000 + 5,000.
        assert_eq!(ght("COST.ANNUAL").value, Some(205_000.0));
        assert!(close(ght("COST.ANNUAL").known_share, 4.0 / 9.0));
        // Off target: A's product 2 (cost unknown) and B's unmatched SIL (5,000).
        assert_eq!(ght("COST.OFF_TARGET").value, Some(5_000.0));
        assert!(close(ght("COST.OFF_TARGET").known_share, 0.5));
        // Contracts: A's ends 2026-06-30 (within 12 months), B's 2027-06-30 (within 24).
        assert_eq!(ght("OPP.CONTRACTS_12M").value, Some(1.0));
        assert_eq!(ght("OPP.CONTRACTS_24M").value, Some(2.0));
    }

    #[test]
    fn etablissement_indicators_are_the_same_definitions_on_its_rows() {
        let values = compute(&fixture());
        assert_eq!(get(&values, Some("A"), "APP.TARGET_RATE.DPI.CORE").value, Some(1.0));
        assert_eq!(get(&values, Some("A"), "APP.LEGACY_REMAINING.DPI.CORE").value, Some(1.0));
        assert_eq!(get(&values, Some("A"), "APP.COUNT").value, Some(4.0));
        assert_eq!(get(&values, Some("B"), "APP.TARGET_RATE.LAB.SIL").value, Some(0.0));
        assert_eq!(get(&values, Some("B"), "APP.CONV_RATE").value, Some(0.5));
        // B is concerned by GRH.PAIE but runs no software there.
        assert_eq!(get(&values, Some("B"), "APP.N_SOLUTIONS.GRH.PAIE").value, Some(0.0));
        // GHT-only indicators are not computed per établissement; D reported nothing.
        assert!(values.iter().all(|v| v.finess_ej.is_none() || v.code != "APP.CONVERGED"));
        assert!(values.iter().all(|v| v.finess_ej.as_deref() != Some("D")));
    }

    #[test]
    fn unknown_costs_are_never_zero() {
        let mut inputs = fixture();
        for row in &mut inputs.rows {
            row.annual_cost_cents = None;
        }
        let values = compute(&inputs);
        let annual = get(&values, None, "COST.ANNUAL");
        assert_eq!((annual.value, annual.known_share), (None, Some(0.0)));
    }

    #[test]
    fn a_sub_domain_where_everyone_runs_only_the_target_is_converged() {
        let mut inputs = fixture();
        inputs.rows.retain(|r| !(r.finess_ej == "A" && r.product_id == Some(2)));
        let values = compute(&inputs);
        assert_eq!(get(&values, None, "APP.DPI_COMMON").value, Some(1.0));
        assert_eq!(get(&values, None, "APP.CONVERGED").value, Some(0.5));
        assert!(matches!(
            &get(&values, None, "APP.CONVERGED").detail,
            Detail::Converged(c) if c.converged == ["DPI.CORE"]
        ));
    }

    mod properties {
        use proptest::prelude::*;

        use super::super::*;
        use crate::reference::indicator_schema;

        const SUBDOMAINS: [&str; 4] = ["DPI.CORE", "LAB.SIL", "GAP.ADM", "URG.DPU"];
        const STATES: [EntryState; 5] = [
            EntryState::Product,
            EntryState::Unmatched,
            EntryState::InHouse,
            EntryState::NotComputerised,
            EntryState::Unspecified,
        ];

        fn row() -> impl Strategy<Value = Row> {
            (
                0usize..4,
                proptest::option::of(0usize..4),
                0usize..5,
                1i64..6,
                proptest::option::of(0i32..5000),
                proptest::option::of(0i64..10_000_000),
                proptest::option::of(any::<bool>()),
                proptest::option::of(0i64..1500),
            )
                .prop_map(|(e, sub, state, product, users, cost, connected, days)| {
                    let state = STATES[state];
                    Row {
                        finess_ej: ["A", "B", "C", "D"][e].to_owned(),
                        subdomain: sub.map(|s| SUBDOMAINS[s].to_owned()),
                        state,
                        product_id: (state == EntryState::Product).then_some(product),
                        normalised_name: format!("nom{product}"),
                        users,
                        annual_cost_cents: cost,
                        identity_connected: connected,
                        contract_end: days.and_then(|d| {
                            NaiveDate::from_ymd_opt(2025, 1, 1)
                                .and_then(|s| s.checked_add_days(chrono::Days::new(d as u64)))
                        }),
                    }
                })
        }

        fn inputs() -> impl Strategy<Value = CampaignInputs> {
            (proptest::collection::vec(row(), 0..40), proptest::collection::btree_map(0usize..4, 1i64..6, 0..4))
                .prop_map(|(rows, targets)| {
                    let reporting: BTreeSet<String> = rows.iter().map(|r| r.finess_ej.clone()).collect();
                    let mut expected = reporting.clone();
                    expected.insert("E".to_owned());
                    CampaignInputs {
                        reference_date: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
                        expected,
                        reporting,
                        rows,
                        targets: targets.into_iter().map(|(s, p)| (SUBDOMAINS[s].to_owned(), p)).collect(),
                    }
                })
        }

        fn percent_codes() -> Vec<crate::reference::IndicatorDefinition> {
            indicator_schema().unwrap_or_default().into_iter().filter(|d| d.unit == "percent").collect()
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(200))]

            #[test]
            fn every_rate_and_every_known_share_lies_in_zero_to_one(inputs in inputs()) {
                let percents = percent_codes();
                prop_assert!(!percents.is_empty());
                for value in compute(&inputs) {
                    if let Some(share) = value.known_share {
                        prop_assert!((0.0..=1.0).contains(&share), "{} known share {}", value.code, share);
                    }
                    if percents.iter().any(|d| d.covers(&value.code)) && let Some(rate) = value.value {
                        prop_assert!((0.0..=1.0).contains(&rate), "{} = {}", value.code, rate);
                    }
                    if let Some(v) = value.value {
                        prop_assert!(v.is_finite() && v >= 0.0, "{} = {}", value.code, v);
                    }
                }
            }

            #[test]
            fn a_ghts_values_do_not_depend_on_the_order_of_its_rows(inputs in inputs(), seed in any::<u64>()) {
                let mut shuffled = inputs.clone();
                // A deterministic permutation drawn from the seed.
                let n = shuffled.rows.len();
                let mut state = seed | 1;
                for i in (1..n).rev() {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    shuffled.rows.swap(i, (state % (i as u64 + 1)) as usize);
                }
                type Shown = (String, Option<String>, Option<String>, Option<String>);
                let key = |values: Vec<Value>| -> Vec<Shown> {
                    let mut list: Vec<_> = values
                        .into_iter()
                        .map(|v| (v.code, v.finess_ej, v.value.map(|x| format!("{x:.9}")), v.known_share.map(|x| format!("{x:.9}"))))
                        .collect();
                    list.sort();
                    list
                };
                prop_assert_eq!(key(compute(&inputs)), key(compute(&shuffled)));
            }
        }
    }
}
