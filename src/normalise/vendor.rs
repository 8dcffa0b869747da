//! Whether a vendor cell names a product's vendor: hospitals write the
//! vendor as they knew it (a former vendor of the product, its group, an
//! abbreviation, « Maincare (ex-McKesson) ») or write nothing useful
//! (« NA », « ? », « inconnu »). Only a real disagreement is a warning.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::domain::normalise_key;

/// Spellings of catalogue vendors (groups, abbreviations, trade names)
/// from the reference data.
const SPELLINGS: &str = include_str!("../reference/data/vendor_spellings.csv");

/// Shortest vendor key read as the start of another (`Oracle` for `Oracle
/// Health`, `Dedalus France` for `Dedalus`).
const MIN_PREFIX: usize = 4;

/// What a vendor cell says about a product's vendor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VendorReading {
    /// Nothing (blank, « NA », « ? », « inconnu »).
    Blank,
    /// The product's current vendor, in some spelling.
    Current,
    /// One of its former vendors (the one named).
    Former(String),
    /// Another vendor.
    Other,
}

fn spellings() -> &'static HashMap<String, Vec<String>> {
    static SPELLINGS_BY_VENDOR: OnceLock<HashMap<String, Vec<String>>> = OnceLock::new();
    SPELLINGS_BY_VENDOR.get_or_init(|| {
        let mut by_vendor: HashMap<String, Vec<String>> = HashMap::new();
        for line in SPELLINGS.lines().skip(1) {
            if let Some((vendor, spelling)) = line.split_once(',') {
                by_vendor.entry(normalise_key(vendor)).or_default().push(normalise_key(spelling));
            }
        }
        by_vendor
    })
}

/// Whether a cell says nothing about the vendor.
pub fn is_blank(written: &str) -> bool {
    let key = normalise_key(written);
    key.is_empty()
        || matches!(
            key.as_str(),
            "na" | "nc"
                | "nr"
                | "nsp"
                | "inconnu"
                | "inconnue"
                | "nonconnu"
                | "nonrenseigne"
                | "aucun"
                | "neant"
                | "sansobjet"
        )
}

/// Whether `key` (a written vendor, normalised) designates the vendor
/// named `name`: the same key, a listed spelling (its group, an
/// abbreviation: `C.E.`), or one the start of the other (four letters or
/// more).
fn designates(key: &str, name: &str) -> bool {
    let vendor = normalise_key(name);
    if key == vendor || spellings().get(&vendor).is_some_and(|s| s.iter().any(|s| s == key)) {
        return true;
    }
    let (short, long) = if key.len() <= vendor.len() { (key, vendor.as_str()) } else { (vendor.as_str(), key) };
    short.chars().count() >= MIN_PREFIX && long.starts_with(short)
}

/// Reads a vendor cell against a product's current and former vendors.
/// Each part of the cell is tried: « Maincare (ex-McKesson) », « Dedalus /
/// Agfa ».
pub fn read(written: &str, current: &str, former: &[&str]) -> VendorReading {
    if is_blank(written) {
        return VendorReading::Blank;
    }
    let parts: Vec<String> = std::iter::once(written.to_owned())
        .chain(
            written
                .split(['(', ')', '/', ',', ';', '[', ']'])
                .map(|p| {
                    let p = p.trim();
                    let p = p.strip_prefix("ex-").or_else(|| p.strip_prefix("ex ")).or_else(|| p.strip_prefix("Ex-"));
                    p.unwrap_or_default().to_owned()
                })
                .chain(written.split(['(', ')', '/', ',', ';', '[', ']']).map(|p| p.trim().to_owned())),
        )
        .map(|p| normalise_key(&p))
        .filter(|k| !k.is_empty())
        .collect();
    if parts.iter().any(|key| designates(key, current)) {
        return VendorReading::Current;
    }
    for name in former {
        if parts.iter().any(|key| designates(key, name)) {
            return VendorReading::Former((*name).to_owned());
        }
    }
    VendorReading::Other
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_right_vendor_in_any_spelling_is_no_mismatch() {
        for (written, current, former) in [
            ("Dedalus", "Dedalus", &[][..]),
            ("DEDALUS FRANCE", "Dedalus", &[]),
            ("Oracle", "Oracle Health", &["Cerner"][..]),
            ("C.E.", "Computer Engineering", &[]),
            ("CE", "Computer Engineering", &[]),
            ("Softway", "Softway Medical", &[]),
            ("Maincare (ex-McKesson)", "Maincare", &["McKesson"]),
            ("GE", "GE HealthCare", &[]),
            ("Berger Levrault", "Berger-Levrault", &[]),
        ] {
            assert_eq!(read(written, current, former), VendorReading::Current, "{written}");
        }
    }

    #[test]
    fn a_former_vendor_is_named_and_noise_is_blank() {
        assert_eq!(read("AGFA", "Dedalus", &["Agfa HealthCare"]), VendorReading::Former("Agfa HealthCare".to_owned()));
        assert_eq!(read("McKesson", "Maincare", &["McKesson"]), VendorReading::Former("McKesson".to_owned()));
        for noise in ["NA", "N/A", "?", "-", "inconnu", "  "] {
            assert_eq!(read(noise, "Dedalus", &[]), VendorReading::Blank, "{noise}");
        }
    }

    #[test]
    fn a_real_disagreement_stays_one() {
        assert_eq!(read("MiPih", "Dedalus", &["Medasys"]), VendorReading::Other);
        assert_eq!(read("Maincare", "Dedalus", &[]), VendorReading::Other);
        assert_eq!(read("Ded", "Dedalus", &[]), VendorReading::Other, "three letters are not a vendor");
        assert_eq!(read("CE", "Cpage", &[]), VendorReading::Other);
    }
}
