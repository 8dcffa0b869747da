//! Located rows → normalised rows, matched against the reference.
//!
//! What hospitals write is matched against the reference (taxonomy,
//! catalogue) through normalised keys ([`crate::domain::normalise_key`]), so
//! that `DX CARE`, `Dx-Care` and `dxcare` are one name.

pub mod cells_by_header;
pub mod inventory;
pub mod lying_column;
pub mod matcher;
pub mod message_page;
mod reference_data;
pub mod report;
pub mod row;
pub mod sentinel;
pub mod taxonomy;
pub mod vendor;

pub use reference_data::ReferenceData;

#[cfg(test)]
mod labelled_tests;
