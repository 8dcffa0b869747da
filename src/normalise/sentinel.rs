//! Sentinels: cells that state a situation, not a product (DOMAIN.md §5).

use std::collections::HashMap;
use std::sync::OnceLock;

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

/// The national list of spellings that state a situation (reference data,
/// `states.csv`): survey answers about the survey itself, in-house tools,
/// and needs served by no software.
const STATES: &str = include_str!("../reference/data/states.csv");

fn national() -> &'static HashMap<String, EntryState> {
    static NATIONAL: OnceLock<HashMap<String, EntryState>> = OnceLock::new();
    NATIONAL.get_or_init(|| {
        STATES
            .lines()
            .skip(1)
            .filter_map(|line| {
                let (state, spelling) = line.split_once(',')?;
                Some((normalise_key(spelling), EntryState::parse(state)?))
            })
            .collect()
    })
}

/// The state a sentinel cell states, or `None` for a product name. A cell
/// of punctuation only (« ? », « - », « / ») says nothing: `Unspecified`.
pub fn sentinel(raw: &str) -> Option<EntryState> {
    let key = normalise_key(raw);
    if key.is_empty() {
        return (!raw.trim().is_empty()).then_some(EntryState::Unspecified);
    }
    national().get(&key).copied().or_else(|| survey_answer(&key))
}

/// Answers about the survey rather than the software, in their many
/// wordings (« MAIL ATTENTE REPONSE le 12/03 »): a prefix says it.
fn survey_answer(key: &str) -> Option<EntryState> {
    const PREFIXES: [&str; 8] = [
        "mailattente",
        "mailenvoye",
        "enattentede",
        "attentereponse",
        "attentederetour",
        "relance",
        "nesaitpas",
        "voiravec",
    ];
    PREFIXES.iter().any(|p| key.starts_with(p)).then_some(EntryState::Unspecified)
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
        assert_eq!(sentinel("MAIL ATTENTE REPONSE"), Some(EntryState::Unspecified));
        assert_eq!(sentinel("mail envoyé sur le site le 3/4"), Some(EntryState::Unspecified));
        assert_eq!(sentinel("Fait maison"), Some(EntryState::InHouse));
        assert_eq!(sentinel("?"), Some(EntryState::Unspecified));
        assert_eq!(sentinel(" - "), Some(EntryState::Unspecified));
        assert_eq!(sentinel("   "), None);
        assert_eq!(sentinel("Papier"), Some(EntryState::NotComputerised));
    }
}
