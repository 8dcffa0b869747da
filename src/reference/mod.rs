//! Reference data shipped with the service: regions, taxonomy, product
//! catalogue, the FINESS hospital directory and real GHT compositions; and
//! the readers of the national reference files an operator loads (the
//! FINESS extract, the DGOS list of GHTs).
//!
//! The files are embedded in the binary (see `data/README.md`) and parsed
//! here, without IO; `store::seed` writes them to the database on first
//! start, after which the database is the reference operators edit.

mod catalogue;
mod finess_directory;
pub mod finess_extract;
pub mod ght_list;
mod ght_sample;
mod indicators;
mod taxonomy;

pub use catalogue::{CatalogueEntry, catalogue};
pub use finess_directory::{DirectorySite, FinessDirectory, finess_directory};
pub use ght_sample::{SampleGht, SampleMember, ght_sample};
pub use indicators::{IndicatorDefinition, indicator_schema};
pub use taxonomy::{Domain, Subdomain, taxonomy};

/// A problem in an embedded reference file: a bug of the release, caught by
/// the unit tests of this module.
#[derive(Debug, thiserror::Error)]
#[error("donnée de référence invalide ({file}, ligne {line}) : {reason}")]
pub struct ReferenceError {
    /// The embedded file.
    pub file: &'static str,
    /// Line number in the file (1 = header).
    pub line: usize,
    /// What is wrong.
    pub reason: String,
}

fn reader(data: &'static str) -> csv::Reader<&'static [u8]> {
    csv::ReaderBuilder::new().has_headers(true).from_reader(data.as_bytes())
}

fn split_list(cell: &str) -> Vec<String> {
    cell.split('|').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}
