//! The two-level functional taxonomy (DOMAIN.md §4).

use super::{ReferenceError, reader, split_list};
use crate::domain::SubdomainCode;

const FILE: &str = "taxonomy.csv";
const DATA: &str = include_str!("data/taxonomy.csv");

/// A level-1 domain with its sub-domains.
#[derive(Debug, Clone)]
pub struct Domain {
    /// `DPI`, `GAP`…
    pub code: String,
    /// French label.
    pub label: String,
    /// Words hospitals write for the domain.
    pub synonyms: Vec<String>,
    /// Level-2 sub-domains, where convergence is measured.
    pub subdomains: Vec<Subdomain>,
}

/// A level-2 sub-domain.
#[derive(Debug, Clone)]
pub struct Subdomain {
    /// `DPI.CORE`…
    pub code: SubdomainCode,
    /// French label.
    pub label: String,
    /// Words hospitals write for the sub-domain.
    pub synonyms: Vec<String>,
}

#[derive(serde::Deserialize)]
struct Row {
    level: u8,
    code: String,
    label: String,
    synonyms: String,
}

/// The seed taxonomy, in the order of DOMAIN.md §4.
///
/// # Errors
/// When the embedded file is malformed (a release bug, tested).
pub fn taxonomy() -> Result<Vec<Domain>, ReferenceError> {
    let mut domains: Vec<Domain> = Vec::new();
    for (i, record) in reader(DATA).deserialize::<Row>().enumerate() {
        let line = i + 2;
        let error = |reason: String| ReferenceError { file: FILE, line, reason };
        let row = record.map_err(|e| error(e.to_string()))?;
        match row.level {
            1 => domains.push(Domain {
                code: row.code,
                label: row.label,
                synonyms: split_list(&row.synonyms),
                subdomains: Vec::new(),
            }),
            2 => {
                let code = SubdomainCode::parse(&row.code).map_err(|e| error(e.to_string()))?;
                let parent = domains
                    .last_mut()
                    .filter(|d| d.code == code.domain())
                    .ok_or_else(|| error(format!("{code} ne suit pas son domaine")))?;
                parent.subdomains.push(Subdomain { code, label: row.label, synonyms: split_list(&row.synonyms) });
            }
            other => return Err(error(format!("niveau {other} inconnu"))),
        }
    }
    Ok(domains)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_taxonomy_has_the_domains_of_the_reference() {
        let domains = taxonomy().map_err(|e| e.to_string());
        let domains = domains.as_deref().unwrap_or_default();
        let codes: Vec<&str> = domains.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "ID", "GAP", "DPI", "URG", "PRESC", "PHARMA", "LAB", "IMG", "BLOC", "PROG", "PMSI", "GEF", "GRH",
                "PIL", "COM", "LOG", "INFRA"
            ]
        );
        let subdomains: usize = domains.iter().map(|d| d.subdomains.len()).sum();
        assert_eq!(subdomains, 43);
        assert!(domains.iter().all(|d| !d.subdomains.is_empty()));
    }
}
