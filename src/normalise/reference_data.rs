//! The reference data rows are normalised against, as one value: loaded by
//! the service from the database, sent to the parse worker.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::matcher::{CatalogueAlias, CatalogueProduct, StateAlias};
use super::row::Routing;
use super::taxonomy::DomainRef;
use crate::import::headers::Field;

/// The reference data a worker normalises against.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReferenceData {
    /// Catalogue products visible to the GHT.
    pub products: Vec<CatalogueProduct>,
    /// Their aliases (national, and the GHT's own).
    pub aliases: Vec<CatalogueAlias>,
    /// Spellings that state a situation, taught nationally or by the GHT
    /// (on top of the national list built into the service).
    #[serde(default)]
    pub states: Vec<StateAlias>,
    /// Taxonomy synonyms: (word, domain, sub-domain).
    pub synonyms: Vec<(String, String, Option<String>)>,
    /// Sub-domains: (code, domain).
    pub subdomains: Vec<(String, String)>,
    /// Header mappings confirmed by the GHT or given with the upload.
    pub mappings: HashMap<String, Field>,
    /// Where rows go.
    pub routing: Routing,
    /// The campaign's year: of two columns for one field (« Logiciel 2015 »,
    /// « Logiciel 2026 »), the one naming it is read.
    #[serde(default)]
    pub campaign: Option<i32>,
    /// The domain or sub-domain the whole file is about, when the deposit
    /// names one: rows without a domain cell take it.
    #[serde(default)]
    pub file_domain: Option<DomainRef>,
    /// The domain the GHT declared for earlier deposits of a layout
    /// ([`crate::import::table::InventorySheet::layout`]), applied to a sheet
    /// of that layout when the deposit names none.
    #[serde(default)]
    pub layout_domains: HashMap<String, DomainRef>,
}
