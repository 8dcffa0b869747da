//! Raw text → comparable keys and reference matches.
//!
//! What hospitals write is matched against the reference (taxonomy,
//! catalogue) through normalised keys, so that `DX CARE`, `Dx-Care` and
//! `dxcare` are one name.

pub mod cells_by_header;
pub mod inventory;
mod key;
pub mod matcher;
pub mod message_page;
pub mod report;
pub mod row;
pub mod sentinel;
pub mod taxonomy;

pub use key::normalise_key;
