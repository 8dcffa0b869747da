//! The labelled names (`tests/labelled/names.tsv`): what hospitals write
//! in the Application column and what it must become. Measured as the
//! importer decides (state first, then product), printed, and held to the
//! thresholds: no wrong match, products and states found at 95 % or more,
//! every unknown product left unmatched.

use super::matcher::tests::seed_matcher;
use super::sentinel::{EntryState, sentinel};

const NAMES: &str = include_str!("../../tests/labelled/names.tsv");

/// What a name must become.
#[derive(Debug, Clone, PartialEq)]
enum Expected {
    Product(String),
    State(EntryState),
    Unmatched,
}

fn labelled() -> Vec<(&'static str, Expected)> {
    NAMES
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let (raw, expected) = line.split_once('\t').unwrap_or_else(|| panic!("no tab in « {line} »"));
            let expected = match expected.trim() {
                "unmatched" => Expected::Unmatched,
                other => match other.strip_prefix("state:") {
                    Some(state) => {
                        Expected::State(EntryState::parse(state).unwrap_or_else(|| panic!("state « {state} »")))
                    }
                    None => Expected::Product(other.to_owned()),
                },
            };
            (raw, expected)
        })
        .collect()
}

#[test]
fn the_labelled_names_meet_the_thresholds() {
    let matcher = seed_matcher();
    let names = labelled();
    assert!(names.len() >= 150, "{} labelled names", names.len());
    let (mut products, mut products_found, mut states, mut states_found, mut unknown, mut unknown_left) =
        (0, 0, 0, 0, 0, 0);
    let mut wrong = Vec::new();
    let mut missed = Vec::new();
    for (raw, expected) in &names {
        let found = match sentinel(raw) {
            Some(state) => Expected::State(state),
            None => match matcher.match_product(raw).and_then(|m| matcher.product(m.product_id)) {
                Some(product) => Expected::Product(product.name.clone()),
                None => Expected::Unmatched,
            },
        };
        match expected {
            Expected::Product(_) => products += 1,
            Expected::State(_) => states += 1,
            Expected::Unmatched => unknown += 1,
        }
        if &found == expected {
            match expected {
                Expected::Product(_) => products_found += 1,
                Expected::State(_) => states_found += 1,
                Expected::Unmatched => unknown_left += 1,
            }
        } else if found == Expected::Unmatched {
            missed.push(format!("« {raw} » : attendu {expected:?}, non reconnu"));
        } else {
            wrong.push(format!("« {raw} » : attendu {expected:?}, trouvé {found:?}"));
        }
    }
    let share = |n: usize, of: usize| if of == 0 { 100.0 } else { n as f64 * 100.0 / of as f64 };
    println!("{} noms étiquetés", names.len());
    println!("rapprochements faux : {}", wrong.len());
    println!("produits trouvés : {products_found}/{products} ({:.1} %)", share(products_found, products));
    println!("états trouvés : {states_found}/{states} ({:.1} %)", share(states_found, states));
    println!(
        "produits inconnus laissés non reconnus : {unknown_left}/{unknown} ({:.1} %)",
        share(unknown_left, unknown)
    );
    for line in missed.iter().chain(&wrong) {
        println!("  {line}");
    }
    assert!(wrong.is_empty(), "wrong matches: {wrong:#?}");
    assert!(share(products_found, products) >= 95.0, "products found: {missed:#?}");
    assert!(share(states_found, states) >= 95.0, "states found: {missed:#?}");
    assert_eq!(unknown_left, unknown);
}
