//! Domain types that refuse bad values.
//!
//! Every value that comes from a user, a file or the database is parsed into
//! one of these types once, at the boundary; the rest of the code trusts it.

mod alias_scope;
mod campaign_year;
mod finess;
mod ght_code;
mod inventory_terms;
mod key;
mod money;
mod region_code;
mod role;
mod status;
mod subdomain_code;

pub use alias_scope::AliasScope;
pub use campaign_year::{CampaignYear, CampaignYearError};
pub use finess::{Finess, FinessError, FinessWarning, RecoveredFiness};
pub use ght_code::{GhtCode, GhtCodeError};
pub use inventory_terms::{ConvergenceStatus, Criticality, Hosting};
pub use key::normalise_key;
pub use money::{Money, MoneyError};
pub use region_code::{REGIONS, RegionCode, RegionCodeError, region_of_finess};
pub use role::{Role, RoleError};
pub use status::{AnswerStatus, CampaignStatus, ProductStatus, UploadStatus};
pub use subdomain_code::{SubdomainCode, SubdomainCodeError};

/// Implements `Display`, `serde` (as a string) and `utoipa::ToSchema` for a
/// newtype around a `String` that has a `parse` constructor.
macro_rules! string_newtype {
    ($ty:ident, $err:ty, $example:literal, $description:literal) => {
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl $ty {
            /// The canonical text form.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(deserializer)?;
                $ty::parse(&raw).map_err(serde::de::Error::custom)
            }
        }

        impl std::str::FromStr for $ty {
            type Err = $err;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $ty::parse(s)
            }
        }

        impl utoipa::PartialSchema for $ty {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .description(Some($description))
                    .examples([serde_json::json!($example)])
                    .into()
            }
        }

        impl utoipa::ToSchema for $ty {}
    };
}
pub(crate) use string_newtype;

/// A stored name that names no variant of an enumeration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("« {value} » n'est pas un(e) {kind} connu(e)")]
pub struct UnknownName {
    /// What was expected (`état de ligne`).
    pub kind: &'static str,
    /// What was found.
    pub value: String,
}

/// Implements `Display` and `FromStr` for an enumeration stored as text,
/// from its `as_str` and its list of variants, so that it is stored as a
/// sea-orm value type (`DeriveValueType` with `value_type = "String"`): a
/// value read back is parsed once, at the database edge, and one that names
/// no variant is an error, never a silent default.
macro_rules! stored_name {
    ($ty:ident, $kind:literal, [$($variant:ident),+ $(,)?]) => {
        impl $ty {
            /// Every variant.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// Parses a stored name.
            pub fn parse(raw: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == raw)
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $ty {
            type Err = $crate::domain::UnknownName;
            fn from_str(raw: &str) -> Result<Self, Self::Err> {
                Self::parse(raw).ok_or_else(|| $crate::domain::UnknownName { kind: $kind, value: raw.to_owned() })
            }
        }
    };
}
pub(crate) use stored_name;
