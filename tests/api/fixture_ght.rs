//! One hand-built GHT followed over three campaigns, end to end through the
//! API: every indicator, delta, diff line and trajectory status is asserted
//! against the hand computation written beside it.
//!
//! The GHT (NOR-02) has three établissements: Le Havre (H), Fécamp (F) and
//! Dieppe (D). Its targets, set once before the first campaign: DxCare for
//! DPI.CORE, with migrations planned for F on 2024-06-30, H on 2025-06-30
//! and D on 2026-06-30; Glims for LAB.SIL, without dates.
//!
//! | campaign (reference date) | H | F | D |
//! |---|---|---|---|
//! | 2024 (2024-01-01), closed | M-CrossWay, Glims 9, Pastel, Agirh | DxCare 8, in-house (LAB) | M-CrossWay, « non informatisé » (LAB) |
//! | 2025 (2025-01-01), closed | DxCare 8.1 beside M-CrossWay, Glims 10, Pastel | DxCare 8.1, in-house, unmatched name (PHARMA) | nothing deposited |
//! | 2026 (2026-01-01), open | DxCare 8.2, Glims 10, Pastel | DxCare 8.2, Glims 10, unmatched name | M-CrossWay, « non informatisé » |

use std::collections::BTreeMap;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::db_test;
#[allow(unused_imports)]
use crate::helpers::*;

const H: &str = "760780726";
const F: &str = "760780734";
const D: &str = "760780023";

const HEADER: &str = "Application;Sous-domaine;Version;Nombre d'utilisateurs;Coût annuel;\
                      Connecté au référentiel d'identités;Fin de contrat\n";

/// Expected value and known share of each indicator, by code.
type Expected = BTreeMap<&'static str, (Option<f64>, Option<f64>)>;

/// Asserts that `computed` holds exactly these codes, with these values and
/// known shares (to 1e-9).
fn assert_computed(label: &str, computed: &Value, expected: &Expected) {
    let actual: BTreeMap<String, (Option<f64>, Option<f64>)> = computed
        .as_array()
        .unwrap_or_else(|| panic!("{label}: no values in {computed}"))
        .iter()
        .map(|v| (v["code"].as_str().unwrap().to_owned(), (v["value"].as_f64(), v["known_share"].as_f64())))
        .collect();
    let codes: Vec<&String> = actual.keys().collect();
    let wanted: Vec<&&str> = expected.keys().collect();
    assert_eq!(codes, wanted, "{label}: the indicators computed");
    let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() < 1e-9,
        (a, b) => a == b,
    };
    for (code, (value, share)) in expected {
        let (actual_value, actual_share) = actual[*code];
        assert!(close(actual_value, *value), "{label} {code}: value {actual_value:?}, expected {value:?}");
        assert!(close(actual_share, *share), "{label} {code}: known share {actual_share:?}, expected {share:?}");
    }
}

fn expected(values: &[(&'static str, Option<f64>, Option<f64>)]) -> Expected {
    values.iter().map(|(code, value, share)| (*code, (*value, *share))).collect()
}

db_test!(a_hand_built_ght_over_three_campaigns_matches_the_hand_computation, |app| {
    app.given_ght("NOR-02", "NOR", &[H, F, D]).await;
    let dsi = app.token(convergence::domain::Role::Ght, Some("NOR-02"), None, None).await;
    let (dxcare, glims) = (app.product_id("DxCare").await, app.product_id("Glims").await);
    let open = |year: i32| {
        let app = &app;
        async move {
            let reply = app.post("/api/v1/campaigns", json!({"year": year})).await;
            assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
        }
    };
    let close = |year: i32| {
        let app = &app;
        async move {
            let reply = app.post(&format!("/api/v1/campaigns/{year}/close"), json!({})).await;
            assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
        }
    };
    let deposit = |year: i32, finess: &'static str, rows: &'static str| {
        let app = &app;
        let dsi = dsi.clone();
        async move {
            let path = format!("/api/v1/etablissements/{finess}/campaigns/{year}/inventory");
            let csv = format!("{HEADER}{rows}");
            let reply = app.deposit(&path, &dsi, &format!("{finess}-{year}.csv"), csv.into_bytes(), None).await;
            assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
            assert_eq!(reply.body["upload"]["status"], "validated", "a DSI's deposit counts at once");
        }
    };

    open(2024).await;
    let targets = json!({
        "products": [{"subdomain": "DPI.CORE", "product_id": dxcare}, {"subdomain": "LAB.SIL", "product_id": glims}],
        "migrations": [
            {"finess_ej": F, "subdomain": "DPI.CORE", "planned_on": "2024-06-30"},
            {"finess_ej": H, "subdomain": "DPI.CORE", "planned_on": "2025-06-30"},
            {"finess_ej": D, "subdomain": "DPI.CORE", "planned_on": "2026-06-30"},
        ],
    });
    let put = app.send(Method::PUT, "/api/v1/ghts/NOR-02/targets", Some(&dsi), Some(targets)).await;
    assert_eq!(put.status, StatusCode::OK, "{put:?}");

    // 2024.
    deposit(
        2024,
        H,
        "Crossway;DPI.CORE;8;200;80 000;oui;30/06/2024\n\
         Glims;LAB.SIL;9;40;;oui;\n\
         Pastel;GAP.ADM;;100;20 000;non;\n\
         Agirh;GRH.PAIE;;;10 000;;\n",
    )
    .await;
    deposit(
        2024,
        F,
        "DxCare;DPI.CORE;8;150;60 000;oui;\n\
         Développement interne;LAB.SIL;;10;;non;31/12/2025\n",
    )
    .await;
    deposit(2024, D, "Crossway;DPI.CORE;8;;50 000;;31/12/2024\nNon informatisé;LAB.SIL;;;;;\n").await;
    close(2024).await;

    // 2025: Dieppe deposits nothing.
    open(2025).await;
    deposit(
        2025,
        H,
        "DxCare;DPI.CORE;8.1;220;90 000;oui;\n\
         Crossway;DPI.CORE;8;30;10 000;oui;31/03/2025\n\
         Glims;LAB.SIL;10;40;;oui;\n\
         Pastel;GAP.ADM;;100;20 000;non;\n",
    )
    .await;
    deposit(
        2025,
        F,
        "DxCare;DPI.CORE;8.1;150;60 000;oui;\n\
         Développement interne;LAB.SIL;;10;;non;31/12/2025\n\
         Logiciel du service;PHARMA.GEST;;;5 000;;\n",
    )
    .await;
    close(2025).await;

    // 2026, still open.
    open(2026).await;
    deposit(
        2026,
        H,
        "DxCare;DPI.CORE;8.2;250;95 000;oui;\n\
         Glims;LAB.SIL;10;40;12 000;oui;\n\
         Pastel;GAP.ADM;;100;20 000;non;\n",
    )
    .await;
    deposit(
        2026,
        F,
        "DxCare;DPI.CORE;8.2;150;60 000;oui;\n\
         Glims;LAB.SIL;10;10;8 000;oui;\n\
         Logiciel du service;PHARMA.GEST;;;5 000;;\n",
    )
    .await;
    deposit(2026, D, "Crossway;DPI.CORE;8;80;50 000;non;30/06/2026\nNon informatisé;LAB.SIL;;;;;\n").await;

    let ght = |year: i32| {
        let app = &app;
        let dsi = dsi.clone();
        async move {
            let path = format!("/api/v1/ghts/NOR-02/indicators?campaign={year}");
            let reply = app.send(Method::GET, &path, Some(&dsi), None).await;
            assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
            reply.body
        }
    };

    // ── 2024, GHT. 8 rows, 3 of 3 établissements.
    // Solutions: DPI.CORE {M-CrossWay (H, D), DxCare (F)} = 2; LAB.SIL {Glims (H),
    // F's in-house} = 2, D concerned by « non informatisé » but running none;
    // GAP.ADM {Pastel}; GRH.PAIE {Agirh}.
    // DPI.CORE: 1 of 3 concerned on DxCare (F); LAB.SIL: 1 of 3 on Glims (H);
    // nobody keeps another product beside the target. Both sub-domains have
    // ≥ 2 concerned and neither is converged: APP.CONVERGED 0/2, DPI_COMMON 0.
    // Users on target sub-domains' solutions: 200 (H CrossWay), 40 (H Glims),
    // 150 (F DxCare), 10 (F in-house), unknown (D CrossWay) weighs the median
    // of [10, 40, 150, 200] = 95: (40 + 150) / 495, 4 of 5 known.
    // Products: M-CrossWay, Glims, Pastel, Agirh, DxCare = 5.
    // Identity (GAP, DPI, LAB solutions): H 2 yes 1 no, F 1 yes 1 no, D
    // unanswered: 3 / 5 answered, 5 of 6 known.
    // Costs of the 7 solutions: 80,000 + 20,000 + 10,000 + 60,000 + 50,000,
    // 5 of 7 known. Off target: H and D CrossWay, F in-house: 130,000, 2 of 3.
    // Contracts off target after 2024-01-01: H 2024-06-30, D 2024-12-31 within
    // 12 months; F 2025-12-31 within 24.
    let y2024 = ght(2024).await;
    assert_eq!(y2024["completeness"], json!({"expected": 3, "reporting": 3, "rate": 1.0}));
    assert_computed(
        "GHT 2024",
        &y2024["computed"],
        &expected(&[
            ("APP.N_SOLUTIONS.DPI.CORE", Some(2.0), None),
            ("APP.N_SOLUTIONS.GAP.ADM", Some(1.0), None),
            ("APP.N_SOLUTIONS.GRH.PAIE", Some(1.0), None),
            ("APP.N_SOLUTIONS.LAB.SIL", Some(2.0), None),
            ("APP.TARGET_RATE.DPI.CORE", Some(1.0 / 3.0), None),
            ("APP.LEGACY_REMAINING.DPI.CORE", Some(0.0), None),
            ("APP.DPI_COMMON", Some(0.0), None),
            ("APP.TARGET_RATE.LAB.SIL", Some(1.0 / 3.0), None),
            ("APP.LEGACY_REMAINING.LAB.SIL", Some(0.0), None),
            ("APP.CONV_RATE", Some(1.0 / 3.0), None),
            ("APP.CONV_RATE_USERS", Some(190.0 / 495.0), Some(0.8)),
            ("APP.CONVERGED", Some(0.0), None),
            ("APP.COUNT", Some(8.0), None),
            ("APP.DISTINCT_PRODUCTS", Some(5.0), None),
            ("APP.PER_ETAB", Some(8.0 / 3.0), None),
            ("APP.ID_CONNECTED_RATE", Some(0.6), Some(5.0 / 6.0)),
            ("COST.ANNUAL", Some(220_000.0), Some(5.0 / 7.0)),
            ("COST.OFF_TARGET", Some(130_000.0), Some(2.0 / 3.0)),
            ("OPP.CONTRACTS_12M", Some(2.0), Some(1.0)),
            ("OPP.CONTRACTS_24M", Some(3.0), Some(1.0)),
        ]),
    );

    // ── 2025, GHT. 7 rows, 2 of 3 établissements (Dieppe missing, not zero).
    // DPI.CORE: H and F both on DxCare (2/2), H keeps M-CrossWay beside it:
    // legacy 1, not converged. LAB.SIL: H on Glims, F in-house: 1/2.
    // APP.CONV_RATE (1 + 0.5) / 2. PHARMA.GEST holds F's unmatched name (a
    // solution of its own, no target there).
    // Users: 220 + 40 + 150 on target of 220 + 30 + 40 + 150 + 10, all known.
    // Identity: H DxCare, CrossWay, Glims yes, Pastel no; F DxCare yes,
    // in-house no (PHARMA consumes no identity): 4 / 6.
    // Costs: 90,000 + 10,000 + 20,000 + 60,000 + 5,000, 5 of 7 known; off
    // target: H CrossWay 10,000 and F in-house (unknown), 1 of 2.
    // Contracts off target after 2025-01-01: CrossWay 2025-03-31, in-house
    // 2025-12-31, both within 12 months.
    let y2025 = ght(2025).await;
    assert_eq!(y2025["completeness"], json!({"expected": 3, "reporting": 2, "rate": 2.0 / 3.0}));
    let values_2025 = expected(&[
        ("APP.N_SOLUTIONS.DPI.CORE", Some(2.0), None),
        ("APP.N_SOLUTIONS.GAP.ADM", Some(1.0), None),
        ("APP.N_SOLUTIONS.LAB.SIL", Some(2.0), None),
        ("APP.N_SOLUTIONS.PHARMA.GEST", Some(1.0), None),
        ("APP.TARGET_RATE.DPI.CORE", Some(1.0), None),
        ("APP.LEGACY_REMAINING.DPI.CORE", Some(1.0), None),
        ("APP.DPI_COMMON", Some(0.0), None),
        ("APP.TARGET_RATE.LAB.SIL", Some(0.5), None),
        ("APP.LEGACY_REMAINING.LAB.SIL", Some(0.0), None),
        ("APP.CONV_RATE", Some(0.75), None),
        ("APP.CONV_RATE_USERS", Some(410.0 / 450.0), Some(1.0)),
        ("APP.CONVERGED", Some(0.0), None),
        ("APP.COUNT", Some(7.0), None),
        ("APP.DISTINCT_PRODUCTS", Some(4.0), None),
        ("APP.PER_ETAB", Some(3.5), None),
        ("APP.ID_CONNECTED_RATE", Some(4.0 / 6.0), Some(1.0)),
        ("COST.ANNUAL", Some(185_000.0), Some(5.0 / 7.0)),
        ("COST.OFF_TARGET", Some(10_000.0), Some(0.5)),
        ("OPP.CONTRACTS_12M", Some(2.0), Some(1.0)),
        ("OPP.CONTRACTS_24M", Some(2.0), Some(1.0)),
    ]);
    assert_computed("GHT 2025", &y2025["computed"], &values_2025);

    // ── 2026, GHT. 8 rows (3 + 3 + 2), 3 of 3.
    // DPI.CORE: H and F on DxCare, D still on M-CrossWay: 2/3, no legacy
    // beside the target. LAB.SIL: H and F on Glims, D « non informatisé »:
    // 2/3, one solution left (Glims).
    // Users: 250 + 40 + 150 + 10 on target of those + 80 (D CrossWay).
    // Identity: H 2 yes 1 no, F 2 yes, D no: 4 / 6. Every cost known:
    // 95,000 + 12,000 + 20,000 + 60,000 + 8,000 + 5,000 + 50,000; off target
    // only D's CrossWay, 50,000, ending 2026-06-30.
    let y2026 = ght(2026).await;
    assert_eq!(y2026["completeness"], json!({"expected": 3, "reporting": 3, "rate": 1.0}));
    let values_2026 = expected(&[
        ("APP.N_SOLUTIONS.DPI.CORE", Some(2.0), None),
        ("APP.N_SOLUTIONS.GAP.ADM", Some(1.0), None),
        ("APP.N_SOLUTIONS.LAB.SIL", Some(1.0), None),
        ("APP.N_SOLUTIONS.PHARMA.GEST", Some(1.0), None),
        ("APP.TARGET_RATE.DPI.CORE", Some(2.0 / 3.0), None),
        ("APP.LEGACY_REMAINING.DPI.CORE", Some(0.0), None),
        ("APP.DPI_COMMON", Some(0.0), None),
        ("APP.TARGET_RATE.LAB.SIL", Some(2.0 / 3.0), None),
        ("APP.LEGACY_REMAINING.LAB.SIL", Some(0.0), None),
        ("APP.CONV_RATE", Some(2.0 / 3.0), None),
        ("APP.CONV_RATE_USERS", Some(450.0 / 530.0), Some(1.0)),
        ("APP.CONVERGED", Some(0.0), None),
        ("APP.COUNT", Some(8.0), None),
        ("APP.DISTINCT_PRODUCTS", Some(4.0), None),
        ("APP.PER_ETAB", Some(8.0 / 3.0), None),
        ("APP.ID_CONNECTED_RATE", Some(4.0 / 6.0), Some(1.0)),
        ("COST.ANNUAL", Some(250_000.0), Some(1.0)),
        ("COST.OFF_TARGET", Some(50_000.0), Some(1.0)),
        ("OPP.CONTRACTS_12M", Some(1.0), Some(1.0)),
        ("OPP.CONTRACTS_24M", Some(1.0), Some(1.0)),
    ]);
    assert_computed("GHT 2026", &y2026["computed"], &values_2026);

    // ── Per établissement.
    let etablissement = |finess: &'static str, year: i32| {
        let app = &app;
        let dsi = dsi.clone();
        async move {
            let path = format!("/api/v1/etablissements/{finess}/indicators?campaign={year}");
            let reply = app.send(Method::GET, &path, Some(&dsi), None).await;
            assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
            reply.body
        }
    };
    // Fécamp 2025: DxCare (150 users, 60,000, yes), in-house LAB (10 users,
    // unknown cost, no, ends 2025-12-31), unmatched PHARMA (5,000).
    // DPI.CORE on target, LAB.SIL not: mean 0.5; users 150 / 160. Off target
    // only the in-house tool, whose cost is unknown: no value, 0 of 1 known.
    let fecamp = etablissement(F, 2025).await;
    assert_eq!((fecamp["reporting"].as_bool(), fecamp["ght_code"].as_str()), (Some(true), Some("NOR-02")));
    assert_computed(
        "Fécamp 2025",
        &fecamp["computed"],
        &expected(&[
            ("APP.N_SOLUTIONS.DPI.CORE", Some(1.0), None),
            ("APP.N_SOLUTIONS.LAB.SIL", Some(1.0), None),
            ("APP.N_SOLUTIONS.PHARMA.GEST", Some(1.0), None),
            ("APP.TARGET_RATE.DPI.CORE", Some(1.0), None),
            ("APP.LEGACY_REMAINING.DPI.CORE", Some(0.0), None),
            ("APP.TARGET_RATE.LAB.SIL", Some(0.0), None),
            ("APP.LEGACY_REMAINING.LAB.SIL", Some(0.0), None),
            ("APP.CONV_RATE", Some(0.5), None),
            ("APP.CONV_RATE_USERS", Some(150.0 / 160.0), Some(1.0)),
            ("APP.COUNT", Some(3.0), None),
            ("APP.DISTINCT_PRODUCTS", Some(1.0), None),
            ("APP.ID_CONNECTED_RATE", Some(0.5), Some(1.0)),
            ("COST.ANNUAL", Some(65_000.0), Some(2.0 / 3.0)),
            ("COST.OFF_TARGET", None, Some(0.0)),
            ("OPP.CONTRACTS_12M", Some(1.0), Some(1.0)),
            ("OPP.CONTRACTS_24M", Some(1.0), Some(1.0)),
        ]),
    );
    // Dieppe deposited nothing in 2025: missing, never zero.
    let dieppe_2025 = etablissement(D, 2025).await;
    assert_eq!((dieppe_2025["reporting"].as_bool(), dieppe_2025["computed"].clone()), (Some(false), json!([])));
    // Dieppe 2026: M-CrossWay (80 users, 50,000, no, ends 2026-06-30) and
    // « non informatisé » in LAB.SIL (concerned, no solution: 0 solutions).
    let dieppe = etablissement(D, 2026).await;
    assert_computed(
        "Dieppe 2026",
        &dieppe["computed"],
        &expected(&[
            ("APP.N_SOLUTIONS.DPI.CORE", Some(1.0), None),
            ("APP.N_SOLUTIONS.LAB.SIL", Some(0.0), None),
            ("APP.TARGET_RATE.DPI.CORE", Some(0.0), None),
            ("APP.LEGACY_REMAINING.DPI.CORE", Some(0.0), None),
            ("APP.TARGET_RATE.LAB.SIL", Some(0.0), None),
            ("APP.LEGACY_REMAINING.LAB.SIL", Some(0.0), None),
            ("APP.CONV_RATE", Some(0.0), None),
            ("APP.CONV_RATE_USERS", Some(0.0), Some(1.0)),
            ("APP.COUNT", Some(2.0), None),
            ("APP.DISTINCT_PRODUCTS", Some(1.0), None),
            ("APP.ID_CONNECTED_RATE", Some(0.0), Some(1.0)),
            ("COST.ANNUAL", Some(50_000.0), Some(1.0)),
            ("COST.OFF_TARGET", Some(50_000.0), Some(1.0)),
            ("OPP.CONTRACTS_12M", Some(1.0), Some(1.0)),
            ("OPP.CONTRACTS_24M", Some(1.0), Some(1.0)),
        ]),
    );

    // The 2025 campaign page says whom to chase, and F's unmatched name.
    let page = app.send(Method::GET, "/api/v1/ghts/NOR-02/campaigns/2025", Some(&dsi), None).await;
    assert_eq!(page.body["status"], "closed");
    let progress: BTreeMap<String, (String, Option<i64>, Option<i64>)> = page.body["etablissements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let key = e["finess_ej"].as_str().unwrap().to_owned();
            (key, (e["status"].as_str().unwrap().to_owned(), e["rows"].as_i64(), e["unmatched"].as_i64()))
        })
        .collect();
    assert_eq!(
        progress,
        BTreeMap::from([
            (D.to_owned(), ("missing".to_owned(), None, None)),
            (H.to_owned(), ("validated".to_owned(), Some(4), Some(0))),
            (F.to_owned(), ("validated".to_owned(), Some(3), Some(1))),
        ])
    );

    // ── Deltas, 2025 → 2026 by default: each value of 2026 minus 2025.
    let deltas = app.send(Method::GET, "/api/v1/ghts/NOR-02/deltas", Some(&dsi), None).await;
    assert_eq!((deltas.body["from"].as_i64(), deltas.body["to"].as_i64()), (Some(2025), Some(2026)));
    assert_eq!(deltas.body["completeness_from"]["reporting"], 2);
    let actual: BTreeMap<String, Option<f64>> = deltas.body["deltas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap().to_owned(), d["delta"].as_f64()))
        .collect();
    let wanted: BTreeMap<&str, f64> = BTreeMap::from([
        ("APP.N_SOLUTIONS.DPI.CORE", 0.0),
        ("APP.N_SOLUTIONS.GAP.ADM", 0.0),
        ("APP.N_SOLUTIONS.LAB.SIL", -1.0),
        ("APP.N_SOLUTIONS.PHARMA.GEST", 0.0),
        ("APP.TARGET_RATE.DPI.CORE", -1.0 / 3.0),
        ("APP.LEGACY_REMAINING.DPI.CORE", -1.0),
        ("APP.DPI_COMMON", 0.0),
        ("APP.TARGET_RATE.LAB.SIL", 1.0 / 6.0),
        ("APP.LEGACY_REMAINING.LAB.SIL", 0.0),
        ("APP.CONV_RATE", -1.0 / 12.0),
        ("APP.CONV_RATE_USERS", 450.0 / 530.0 - 410.0 / 450.0),
        ("APP.CONVERGED", 0.0),
        ("APP.COUNT", 1.0),
        ("APP.DISTINCT_PRODUCTS", 0.0),
        ("APP.PER_ETAB", 8.0 / 3.0 - 3.5),
        ("APP.ID_CONNECTED_RATE", 0.0),
        ("COST.ANNUAL", 65_000.0),
        ("COST.OFF_TARGET", 40_000.0),
        ("OPP.CONTRACTS_12M", -1.0),
        ("OPP.CONTRACTS_24M", -1.0),
    ]);
    assert_eq!(actual.keys().collect::<Vec<_>>(), wanted.keys().collect::<Vec<_>>());
    for (code, delta) in &wanted {
        let got = actual[*code].unwrap_or_else(|| panic!("{code}: no delta"));
        assert!((got - delta).abs() < 1e-9, "{code}: delta {got}, expected {delta}");
    }

    // ── Diffs. Dieppe, missing in 2025, is compared in neither.
    let diff = |from: i32, to: i32| {
        let app = &app;
        let dsi = dsi.clone();
        async move {
            let path = format!("/api/v1/ghts/NOR-02/diff?from={from}&to={to}");
            app.send(Method::GET, &path, Some(&dsi), None).await.body["changes"].clone()
        }
    };
    assert_eq!(
        diff(2024, 2025).await,
        json!([
            {"change": "added", "finess_ej": H, "subdomain": "DPI.CORE", "name": "DxCare"},
            {"change": "removed", "finess_ej": H, "subdomain": "GRH.PAIE", "name": "Agirh"},
            {"change": "version_changed", "finess_ej": H, "subdomain": "LAB.SIL", "name": "Glims", "from": "9", "to": "10"},
            {"change": "version_changed", "finess_ej": F, "subdomain": "DPI.CORE", "name": "DxCare", "from": "8", "to": "8.1"},
            {"change": "added", "finess_ej": F, "subdomain": "PHARMA.GEST", "name": "Logiciel du service"},
        ])
    );
    assert_eq!(
        diff(2025, 2026).await,
        json!([
            {"change": "removed", "finess_ej": H, "subdomain": "DPI.CORE", "name": "M-CrossWay"},
            {"change": "version_changed", "finess_ej": H, "subdomain": "DPI.CORE", "name": "DxCare", "from": "8.1", "to": "8.2"},
            {"change": "version_changed", "finess_ej": F, "subdomain": "DPI.CORE", "name": "DxCare", "from": "8.1", "to": "8.2"},
            {"change": "replaced", "finess_ej": F, "subdomain": "LAB.SIL", "from": "Développement interne", "to": "Glims"},
        ])
    );

    // ── Trajectories.
    let reply = app.send(Method::GET, "/api/v1/ghts/NOR-02/trajectories", Some(&dsi), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    // DPI.CORE, concerned D, H, F except in 2025 (H, F).
    // 2024: actual 1/3, planned 0 (no date passed on 2024-01-01), no pace
    //   yet and before the last planned date (2026-06-30): on track.
    // 2025: everyone concerned on DxCare: converged, completed on the
    //   reference date; planned 1/2 (F's 2024-06-30 passed, not H's).
    // 2026: actual 2/3 = planned 2/3 (F, H passed, not D) but the rate fell
    //   (1 → 2/3): never at this pace, late; 0 days against the plan (its
    //   last date, 2026-06-30, is not past), 1,826 days from 2021-01-01 to
    //   the reference date.
    // LAB.SIL has no dates: no plan. Its pace: 1/3 → 1/2 over 366 days puts
    // completion 1,098 days after 2025-01-01; 1/2 → 2/3 over 365 days, 730
    // days after 2026-01-01.
    let third = 1.0 / 3.0;
    let two_thirds = 2.0 / 3.0;
    assert_eq!(
        reply.body["trajectories"],
        json!([
            {
                "subdomain": "DPI.CORE",
                "planned_curve": [
                    {"date": "2024-06-30", "rate": third},
                    {"date": "2025-06-30", "rate": two_thirds},
                    {"date": "2026-06-30", "rate": 1.0},
                ],
                "campaigns": [
                    {"year": 2024, "reference_date": "2024-01-01", "actual": third, "planned": 0.0,
                     "projected_completion": null, "status": "on_track", "days_late_vs_plan": null,
                     "days_late_vs_milestone": null},
                    {"year": 2025, "reference_date": "2025-01-01", "actual": 1.0, "planned": 0.5,
                     "projected_completion": "2025-01-01", "status": "converged", "days_late_vs_plan": null,
                     "days_late_vs_milestone": null},
                    {"year": 2026, "reference_date": "2026-01-01", "actual": two_thirds, "planned": two_thirds,
                     "projected_completion": null, "status": "late", "days_late_vs_plan": 0,
                     "days_late_vs_milestone": 1826},
                ],
            },
            {
                "subdomain": "LAB.SIL",
                "planned_curve": [],
                "campaigns": [
                    {"year": 2024, "reference_date": "2024-01-01", "actual": third, "planned": 0.0,
                     "projected_completion": null, "status": "no_plan", "days_late_vs_plan": null,
                     "days_late_vs_milestone": null},
                    {"year": 2025, "reference_date": "2025-01-01", "actual": 0.5, "planned": 0.0,
                     "projected_completion": "2028-01-04", "status": "no_plan", "days_late_vs_plan": null,
                     "days_late_vs_milestone": null},
                    {"year": 2026, "reference_date": "2026-01-01", "actual": two_thirds, "planned": 0.0,
                     "projected_completion": "2028-01-01", "status": "no_plan", "days_late_vs_plan": null,
                     "days_late_vs_milestone": null},
                ],
            },
        ])
    );
    assert_eq!(reply.body["summary"], json!({"subdomains": 2, "converged": 0, "on_track": 0, "late": 1, "no_plan": 1}));

    // ── The vision workbook of 2026 says the same, cell by cell.
    crate::exports::assert_fixture_vision(&app, &dsi, H, F, D).await;
    crate::exports::assert_fixture_resah(&app, &dsi, H, D).await;
    crate::exports::assert_fixture_schema_directeur(&app, &dsi, D).await;
    crate::exports::assert_fixture_national(&app, &dsi).await;
    // Deposited back, its consolidated inventory changes nothing: the
    // indicators below are still the hand computation.
    crate::exports::assert_vision_round_trip(&app, &dsi).await;

    // ── The DSI drops the LAB.SIL target: the open campaign follows, the
    // closed ones keep what they were published with.
    let targets = json!({
        "products": [{"subdomain": "DPI.CORE", "product_id": dxcare}],
        "migrations": [
            {"finess_ej": F, "subdomain": "DPI.CORE", "planned_on": "2024-06-30"},
            {"finess_ej": H, "subdomain": "DPI.CORE", "planned_on": "2025-06-30"},
            {"finess_ej": D, "subdomain": "DPI.CORE", "planned_on": "2026-06-30"},
        ],
    });
    let put = app.send(Method::PUT, "/api/v1/ghts/NOR-02/targets", Some(&dsi), Some(targets)).await;
    assert_eq!(put.status, StatusCode::OK, "{put:?}");
    assert_computed("GHT 2025 after the change", &ght(2025).await["computed"], &values_2025);
    // 2026 without a LAB.SIL target: no rate or legacy there; the mean is
    // DPI.CORE's 2/3; users 400 / 480 on DPI.CORE; 1 sub-domain eligible for
    // convergence; off target still D's CrossWay.
    let mut without_lab = values_2026.clone();
    without_lab.remove("APP.TARGET_RATE.LAB.SIL");
    without_lab.remove("APP.LEGACY_REMAINING.LAB.SIL");
    without_lab.insert("APP.CONV_RATE_USERS", (Some(400.0 / 480.0), Some(1.0)));
    assert_computed("GHT 2026 after the change", &ght(2026).await["computed"], &without_lab);
    let converged = ght(2026).await["computed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["code"] == "APP.CONVERGED")
        .unwrap()["detail"]
        .clone();
    assert_eq!(converged, json!({"converged": [], "eligible": 1}));
    crate::exports::assert_targets_of_their_time(&app, &dsi).await;
});
