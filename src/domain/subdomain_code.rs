//! Functional sub-domain codes (DOMAIN.md §4).

use super::string_newtype;

/// Prefixes reserved for indicator codes (DOMAIN.md §7): a sub-domain code
/// never starts with them, so a code parser can tell the two apart.
pub const INDICATOR_PREFIXES: [&str; 4] = ["GOV", "APP", "COST", "OPP"];

/// A level-2 taxonomy code: two dotted upper-case words, `DPI.CORE`,
/// `PHARMA.CHIMIO`. Whether the code exists is a question for the taxonomy
/// (reference data, editable); this type only guarantees the form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, sea_orm::DeriveValueType)]
#[sea_orm(value_type = "String")]
pub struct SubdomainCode(String);

string_newtype!(
    SubdomainCode,
    SubdomainCodeError,
    "DPI.CORE",
    "Code de sous-domaine fonctionnel (niveau 2), ex. DPI.CORE"
);

/// Why a text is not a sub-domain code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("« {0} » n'est pas un code de sous-domaine (attendu DOMAINE.SOUS_DOMAINE, ex. DPI.CORE)")]
pub struct SubdomainCodeError(pub String);

/// A sub-domain code is a primary key the database never generates.
impl sea_orm::TryFromU64 for SubdomainCode {
    fn try_from_u64(_: u64) -> Result<Self, sea_orm::DbErr> {
        Err(sea_orm::DbErr::ConvertFromU64("SubdomainCode"))
    }
}

impl SubdomainCode {
    /// Parses a sub-domain code (case-insensitive).
    ///
    /// # Errors
    /// When the text is not two dotted words, or uses an indicator prefix.
    pub fn parse(raw: &str) -> Result<Self, SubdomainCodeError> {
        let upper = raw.trim().to_ascii_uppercase();
        let word = |w: &str| {
            !w.is_empty()
                && w.len() <= 16
                && w.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        };
        match upper.split_once('.') {
            Some((domain, sub)) if word(domain) && word(sub) && !INDICATOR_PREFIXES.contains(&domain) => {
                Ok(SubdomainCode(upper))
            }
            _ => Err(SubdomainCodeError(raw.trim().to_owned())),
        }
    }

    /// The level-1 domain (`DPI` for `DPI.CORE`).
    pub fn domain(&self) -> &str {
        self.0.split('.').next().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_two_dotted_words() {
        assert_eq!(SubdomainCode::parse("dpi.core").map(|c| c.domain().to_owned()), Ok("DPI".into()));
        for bad in ["DPI", "DPI.", ".CORE", "DPI.CORE.X", "APP.COUNT", "GOV.SDSI", "DPI CORE"] {
            assert!(SubdomainCode::parse(bad).is_err(), "{bad} should be refused");
        }
    }
}
