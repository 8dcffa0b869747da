//! Raw text → comparable keys and reference matches.
//!
//! What hospitals write is matched against the reference (taxonomy,
//! catalogue) through normalised keys, so that `DX CARE`, `Dx-Care` and
//! `dxcare` are one name.

mod key;

pub use key::normalise_key;
