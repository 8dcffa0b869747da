//! Sentinels: cells that state a situation, not a product (DOMAIN.md §5).

use crate::domain::normalise_key;

/// What an inventory row holds.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema, sea_orm::DeriveValueType,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(value_type = "String")]
pub enum EntryState {
    /// A catalogue product.
    Product,
    /// A name the catalogue does not know (yet): listed for review.
    Unmatched,
    /// An in-house development of the établissement.
    InHouse,
    /// The need exists but no software serves it.
    NotComputerised,
    /// The cell says "other" or "N/A": nothing can be said.
    Unspecified,
}

crate::domain::stored_name!(EntryState, "état de ligne", [Product, Unmatched, InHouse, NotComputerised, Unspecified]);

impl EntryState {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryState::Product => "product",
            EntryState::Unmatched => "unmatched",
            EntryState::InHouse => "in_house",
            EntryState::NotComputerised => "not_computerised",
            EntryState::Unspecified => "unspecified",
        }
    }
}

const IN_HOUSE: [&str; 9] = [
    "developpementinterne",
    "devinterne",
    "developpementmaison",
    "logicielmaison",
    "outilmaison",
    "applicationmaison",
    "outilinterne",
    "applicationinterne",
    "interne",
];
const NOT_COMPUTERISED: [&str; 9] = [
    "noninformatise",
    "noninformatisee",
    "aucun",
    "aucune",
    "neant",
    "papier",
    "sanslogiciel",
    "pasdelogiciel",
    "manuel",
];
const UNSPECIFIED: [&str; 7] = ["autre", "autres", "na", "nc", "nonconnu", "inconnu", "nonrenseigne"];

/// The state a sentinel cell states, or `None` for a product name.
pub fn sentinel(raw: &str) -> Option<EntryState> {
    let key = normalise_key(raw);
    if IN_HOUSE.contains(&key.as_str()) {
        Some(EntryState::InHouse)
    } else if NOT_COMPUTERISED.contains(&key.as_str()) {
        Some(EntryState::NotComputerised)
    } else if UNSPECIFIED.contains(&key.as_str()) {
        Some(EntryState::Unspecified)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentinels_become_states() {
        assert_eq!(sentinel("Développement interne"), Some(EntryState::InHouse));
        assert_eq!(sentinel("Logiciel maison"), Some(EntryState::InHouse));
        assert_eq!(sentinel("Non informatisé"), Some(EntryState::NotComputerised));
        assert_eq!(sentinel("AUCUN"), Some(EntryState::NotComputerised));
        assert_eq!(sentinel("autre"), Some(EntryState::Unspecified));
        assert_eq!(sentinel("N/A"), Some(EntryState::Unspecified));
        assert_eq!(sentinel("DxCare"), None);
    }
}
