//! The seed product catalogue (DOMAIN.md §6).

use super::{ReferenceError, reader, split_list};
use crate::domain::SubdomainCode;

const FILE: &str = "catalogue.csv";
const DATA: &str = include_str!("data/catalogue.csv");

/// One product of the seed catalogue.
#[derive(Debug, Clone)]
pub struct CatalogueEntry {
    /// Canonical product name.
    pub product: String,
    /// Current vendor.
    pub vendor: String,
    /// Sub-domain the product serves unless a row says otherwise.
    pub subdomain: SubdomainCode,
    /// Other spellings seen in inventories.
    pub aliases: Vec<String>,
    /// Earlier vendors of this product, oldest first: the lineage is per
    /// product (Agfa sold ORBIS to Dedalus but still sells its imaging).
    pub former_vendors: Vec<String>,
}

#[derive(serde::Deserialize)]
struct Row {
    product: String,
    vendor: String,
    subdomain: String,
    aliases: String,
    former_vendors: String,
}

/// The seed catalogue.
///
/// # Errors
/// When the embedded file is malformed (a release bug, tested).
pub fn catalogue() -> Result<Vec<CatalogueEntry>, ReferenceError> {
    reader(DATA)
        .deserialize::<Row>()
        .enumerate()
        .map(|(i, record)| {
            let error = |reason: String| ReferenceError { file: FILE, line: i + 2, reason };
            let row = record.map_err(|e| error(e.to_string()))?;
            Ok(CatalogueEntry {
                subdomain: SubdomainCode::parse(&row.subdomain).map_err(|e| error(e.to_string()))?,
                product: row.product.trim().to_owned(),
                vendor: row.vendor.trim().to_owned(),
                aliases: split_list(&row.aliases),
                former_vendors: split_list(&row.former_vendors),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::taxonomy;

    #[test]
    fn every_catalogue_product_points_at_a_known_subdomain() {
        let entries = catalogue().map_err(|e| e.to_string());
        let entries = entries.as_deref().unwrap_or_default();
        assert_eq!(entries.len(), 91);
        let known: Vec<String> = taxonomy()
            .map(|ds| ds.into_iter().flat_map(|d| d.subdomains).map(|s| s.code.to_string()).collect())
            .unwrap_or_default();
        for entry in entries {
            assert!(known.contains(&entry.subdomain.to_string()), "{} → {}", entry.product, entry.subdomain);
        }
        let dxcare = entries.iter().find(|e| e.product == "DxCare");
        assert_eq!(dxcare.map(|e| e.former_vendors.clone()), Some(vec!["Medasys".to_owned()]));
    }
}
