//! Roles of API tokens.

use std::fmt;

/// What a token holder is. The scope that goes with the role (GHT, region,
/// établissement) is carried by the token, see `auth::Principal`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Operator of the service: reference data, catalogue, tokens.
    Admin,
    /// DGOS: reads everything, opens and closes campaigns.
    National,
    /// ARS: reads the GHTs of its region.
    Regional,
    /// DSI de territoire: reads and writes its GHT.
    Ght,
    /// An établissement: uploads and reads its own inventory.
    Etablissement,
}

/// Why a text is not a role.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("« {0} » n'est pas un rôle : admin, national, regional, ght ou etablissement")]
pub struct RoleError(pub String);

impl Role {
    /// Every role, in order of decreasing reach.
    pub const ALL: [Role; 5] = [Role::Admin, Role::National, Role::Regional, Role::Ght, Role::Etablissement];

    /// The stored and displayed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::National => "national",
            Role::Regional => "regional",
            Role::Ght => "ght",
            Role::Etablissement => "etablissement",
        }
    }

    /// Parses a role name.
    ///
    /// # Errors
    /// When the name is not one of the five roles.
    pub fn parse(raw: &str) -> Result<Self, RoleError> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == raw.trim().to_ascii_lowercase())
            .ok_or_else(|| RoleError(raw.trim().to_owned()))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Role {
    type Err = RoleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::parse(s)
    }
}
