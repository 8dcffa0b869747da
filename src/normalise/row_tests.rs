//! `normalise_row`, one rule per line of a table: what a hospital writes
//! in a row, and what the row becomes.

use std::cell::RefCell;
use std::collections::HashMap;

use super::*;
use crate::normalise::matcher::tests::seed_matcher;
use crate::reference::taxonomy;

const HAVRE: &str = "760780726";
const FECAMP: &str = "760780734";
/// A site (FINESS ET) of Le Havre in the directory.
const HAVRE_SITE: &str = "760000356";

fn finess(raw: &str) -> Finess {
    Finess::parse(raw).unwrap_or_else(|e| panic!("{e}"))
}

fn taxonomy_index() -> TaxonomyIndex {
    let domains = taxonomy().unwrap_or_else(|e| panic!("{e}"));
    let mut synonyms = Vec::new();
    let mut subdomains = Vec::new();
    for domain in &domains {
        for word in std::iter::once(&domain.label).chain(&domain.synonyms) {
            synonyms.push((word.clone(), domain.code.clone(), None));
        }
        for sub in &domain.subdomains {
            subdomains.push((sub.code.to_string(), domain.code.clone()));
            for word in std::iter::once(&sub.label).chain(&sub.synonyms) {
                synonyms.push((word.clone(), domain.code.clone(), Some(sub.code.to_string())));
            }
        }
    }
    TaxonomyIndex::new(synonyms, subdomains)
}

fn target(ej: &str, name: &str, sites: &[&str]) -> RouteTarget {
    RouteTarget { finess_ej: finess(ej), name: name.to_owned(), sites: sites.iter().map(|s| finess(s)).collect() }
}

/// The columns every case's sheet has, in this order.
const FIELDS: [(Field, &str); 5] = [
    (Field::Application, "Application"),
    (Field::Vendor, "Éditeur"),
    (Field::Domain, "Domaine"),
    (Field::Finess, "FINESS"),
    (Field::EtablissementName, "Établissement"),
];

fn sheet(name: &str) -> InventorySheet {
    let columns = FIELDS
        .iter()
        .enumerate()
        .map(|(i, (field, header))| crate::import::table::Column {
            number: i as u32 + 1,
            letter: ((b'A' + i as u8) as char).to_string(),
            header: (*header).to_owned(),
            field: Some(*field),
            duplicate: false,
            understood: None,
            chosen: None,
            presumed: false,
        })
        .collect();
    InventorySheet { name: name.to_owned(), header_row: 1, columns }
}

/// One rule: a row as written (application, vendor, domain, FINESS,
/// établissement name), where it is read, and what it must become.
struct Case {
    rule: &'static str,
    cells: [&'static str; 5],
    sheet: &'static str,
    ght_routing: bool,
    /// `None`: the row is refused (an error).
    expected: Option<Expected>,
    /// Message codes, in order.
    codes: &'static [&'static str],
}

struct Expected {
    state: EntryState,
    product: Option<&'static str>,
    method: Option<MatchMethod>,
    subdomain: Option<&'static str>,
    inferred: bool,
    finess_ej: &'static str,
    finess_et: Option<&'static str>,
    flags: &'static [&'static str],
}

const fn product(name: &'static str, method: MatchMethod, subdomain: &'static str) -> Expected {
    Expected {
        state: EntryState::Product,
        product: Some(name),
        method: Some(method),
        subdomain: Some(subdomain),
        inferred: true,
        finess_ej: HAVRE,
        finess_et: None,
        flags: &[],
    }
}

const fn state(state: EntryState) -> Expected {
    Expected {
        state,
        product: None,
        method: None,
        subdomain: None,
        inferred: false,
        finess_ej: HAVRE,
        finess_et: None,
        flags: &[],
    }
}

fn cases() -> Vec<Case> {
    use MatchMethod::*;
    let case =
        |rule, cells, expected, codes| Case { rule, cells, sheet: "Inventaire", ght_routing: false, expected, codes };
    vec![
        case(
            "the canonical name",
            ["DxCare", "", "", "", ""],
            Some(product("DxCare", Alias, "DPI.CORE")),
            &["inferred_subdomain"],
        ),
        case(
            "a national alias",
            ["Dx Care", "", "", "", ""],
            Some(product("DxCare", Alias, "DPI.CORE")),
            &["inferred_subdomain"],
        ),
        case(
            "case, accents and punctuation folded into the key",
            ["DX-CARE", "", "", "", ""],
            Some(product("DxCare", Alias, "DPI.CORE")),
            &["inferred_subdomain"],
        ),
        case(
            "a vendor in parentheses stripped, and taken as evidence",
            ["DxCare (Dedalus)", "", "", "", ""],
            Some(product("DxCare", Stripped, "DPI.CORE")),
            &["value_normalised", "inferred_subdomain"],
        ),
        case(
            "a version stripped",
            ["DxCare V7.4", "", "", "", ""],
            Some(product("DxCare", Stripped, "DPI.CORE")),
            &["value_normalised", "inferred_subdomain"],
        ),
        case(
            "the product followed by a module",
            ["Sillage Urgences", "", "", "", ""],
            Some(product("Sillage", Prefix, "DPI.CORE")),
            &["value_normalised", "inferred_subdomain"],
        ),
        case(
            "a close spelling, in the fuzzy band below the review threshold",
            ["Dx Kare", "", "", "", ""],
            Some(Expected { flags: &["low_confidence"], ..product("DxCare", Fuzzy, "DPI.CORE") }),
            &["low_confidence_match", "inferred_subdomain"],
        ),
        case(
            "a name far from every product stays unmatched",
            ["Logiciel du service", "", "", "", ""],
            Some(state(EntryState::Unmatched)),
            &["unmatched_product"],
        ),
        case(
            "a short name matches only exactly",
            ["BO", "", "", "", ""],
            Some(state(EntryState::Unmatched)),
            &["unmatched_product"],
        ),
        case(
            "an in-house tool is a state",
            ["Développement interne", "", "", "", ""],
            Some(state(EntryState::InHouse)),
            &[],
        ),
        case(
            "no software is a state",
            ["Non informatisé", "", "", "", ""],
            Some(state(EntryState::NotComputerised)),
            &[],
        ),
        case("« N/A » says nothing", ["N/A", "", "", "", ""], Some(state(EntryState::Unspecified)), &[]),
        case(
            "the current vendor",
            ["ORBIS", "Dedalus", "", "", ""],
            Some(product("ORBIS", Alias, "DPI.CORE")),
            &["inferred_subdomain"],
        ),
        case(
            "a former vendor of the product's own lineage is no mismatch",
            ["ORBIS", "Agfa HealthCare", "", "", ""],
            Some(product("ORBIS", Alias, "DPI.CORE")),
            &["value_normalised", "inferred_subdomain"],
        ),
        case(
            "a vendor outside the lineage is flagged",
            ["ORBIS", "Microsoft", "", "", ""],
            Some(Expected { flags: &["vendor_mismatch"], ..product("ORBIS", Alias, "DPI.CORE") }),
            &["vendor_mismatch", "inferred_subdomain"],
        ),
        case(
            "a written sub-domain wins over the product's, with a warning when it lies in another domain",
            ["DxCare", "", "RPU", "", ""],
            Some(Expected { subdomain: Some("URG.DPU"), inferred: false, ..product("DxCare", Alias, "DPI.CORE") }),
            &["domain_conflict"],
        ),
        case(
            "a domain with one sub-domain names it",
            ["Logiciel du service", "", "Urgences", "", ""],
            Some(Expected { subdomain: Some("URG.DPU"), ..state(EntryState::Unmatched) }),
            &["unmatched_product"],
        ),
        case(
            "an unknown domain is a warning",
            ["DxCare", "", "Couleur bleue", "", ""],
            Some(product("DxCare", Alias, "DPI.CORE")),
            &["unknown_domain", "inferred_subdomain"],
        ),
        case(
            "a site's FINESS routes to its établissement",
            ["Pastel", "", "", HAVRE_SITE, ""],
            Some(Expected { finess_et: Some(HAVRE_SITE), ..product("Pastel", Alias, "GAP.ADM") }),
            &["inferred_subdomain"],
        ),
        case(
            "an 8-digit FINESS is read with its key computed, and warned",
            ["Pastel", "", "", "76078072", ""],
            Some(product("Pastel", Alias, "GAP.ADM")),
            &["value_normalised", "inferred_subdomain"],
        ),
        case(
            "another établissement's FINESS is an error",
            ["Pastel", "", "", FECAMP, ""],
            None,
            &["foreign_finess", "inferred_subdomain"],
        ),
        case(
            "a FINESS with a wrong key is an error",
            ["Pastel", "", "", "760780727", ""],
            None,
            &["invalid_finess", "inferred_subdomain"],
        ),
        case(
            "an empty application on a row naming its vendor is unspecified, with a warning",
            ["", "Dedalus", "", "", ""],
            Some(state(EntryState::Unspecified)),
            &["missing_application"],
        ),
        Case {
            rule: "in a GHT workbook, the sheet's name routes the row",
            cells: ["DxCare", "", "", "", ""],
            sheet: "CH Fécamp",
            ght_routing: true,
            expected: Some(Expected { finess_ej: FECAMP, ..product("DxCare", Alias, "DPI.CORE") }),
            codes: &["inferred_subdomain"],
        },
        Case {
            rule: "in a GHT workbook, a row no member claims is an error",
            cells: ["DxCare", "", "", "", ""],
            sheet: "Feuil1",
            ght_routing: true,
            expected: None,
            codes: &["unroutable_row", "inferred_subdomain"],
        },
    ]
}

#[test]
fn each_rule_of_a_row_normalises_as_written() {
    let matcher = seed_matcher();
    let taxonomy = taxonomy_index();
    let havre = target(HAVRE, "GH du Havre", &[HAVRE_SITE]);
    let fecamp = target(FECAMP, "CH Fécamp", &[]);
    let single = Routing::Etablissement(havre.clone());
    let ght = Routing::Ght(vec![havre, fecamp]);
    let mut failures = Vec::new();
    let no_layouts = HashMap::new();
    for case in cases() {
        let matches = RefCell::new(HashMap::new());
        let routing = if case.ght_routing { &ght } else { &single };
        let context = Context {
            file: "inventaire.xlsx",
            matcher: &matcher,
            taxonomy: &taxonomy,
            routing,
            matches: &matches,
            file_domain: None,
            layout_domains: &no_layouts,
        };
        let cells =
            case.cells.iter().map(|c| if c.is_empty() { Cell::Empty } else { Cell::Text((*c).to_owned()) }).collect();
        let (row, messages) = normalise_row(&context, &sheet(case.sheet), &TableRow { excel_row: 2, cells });
        let codes: Vec<&str> = messages.iter().map(|m| m.code.as_str()).collect();
        if codes != case.codes {
            failures.push(format!("{}: messages {codes:?}, expected {:?}", case.rule, case.codes));
        }
        let got = row.map(|r| {
            let name = r.product_id.and_then(|id| matcher.product(id)).map(|p| p.name.clone());
            (
                r.state,
                name,
                r.match_method,
                r.subdomain,
                r.subdomain_inferred,
                r.finess_ej.to_string(),
                r.finess_et.map(|f| f.to_string()),
                r.flags,
            )
        });
        let want = case.expected.as_ref().map(|e| {
            (
                e.state,
                e.product.map(str::to_owned),
                e.method,
                e.subdomain.map(str::to_owned),
                e.inferred,
                e.finess_ej.to_owned(),
                e.finess_et.map(str::to_owned),
                e.flags.iter().map(|f| (*f).to_owned()).collect::<Vec<_>>(),
            )
        });
        if got != want {
            failures.push(format!("{}: got {got:?}, expected {want:?}", case.rule));
        }
    }
    assert!(failures.is_empty(), "{} rule(s) broken:\n{}", failures.len(), failures.join("\n"));
}
