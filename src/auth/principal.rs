//! The authenticated caller and the scope of what it may see.

use crate::domain::{Finess, GhtCode, RegionCode, Role};

/// What part of the country a token sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Everything (admin, national).
    All,
    /// The GHTs of one region (regional).
    Region(RegionCode),
    /// One GHT (ght).
    Ght(GhtCode),
    /// One établissement, and the GHT it belongs to on the day of the
    /// request (none between two memberships).
    Etablissement {
        /// Its FINESS EJ.
        finess: Finess,
        /// Its GHT today.
        ght: Option<GhtCode>,
    },
}

/// How the caller proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Caller {
    /// An API token (its row id).
    Token(i64),
    /// A person signed in through OpenID Connect (their row id in `users`).
    Person(i64),
    /// An operator on the server's command line.
    CommandLine,
}

/// The caller of a request, or of a command.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The token or person behind the request.
    pub caller: Caller,
    /// Who it is, as the audit trail names them: a token's holder, a
    /// person's e-mail, `cli:<command>`.
    pub label: String,
    /// The token's role.
    pub role: Role,
    /// What it may see.
    pub scope: Scope,
}

impl Principal {
    /// The principal of a command run on the server (CLI): an operator with
    /// shell access is an admin.
    pub fn command_line(command: &str) -> Self {
        Principal { caller: Caller::CommandLine, label: format!("cli:{command}"), role: Role::Admin, scope: Scope::All }
    }

    /// The token's row id, when the caller presented a token.
    pub fn token_id(&self) -> Option<i64> {
        match self.caller {
            Caller::Token(id) => Some(id),
            Caller::Person(_) | Caller::CommandLine => None,
        }
    }

    /// The person's row id, when the caller signed in.
    pub fn user_id(&self) -> Option<i64> {
        match self.caller {
            Caller::Person(id) => Some(id),
            Caller::Token(_) | Caller::CommandLine => None,
        }
    }

    /// The GHT a DSI's token names, or the one an établissement belongs to
    /// today.
    pub fn own_ght(&self) -> Option<&GhtCode> {
        match &self.scope {
            Scope::Ght(code) | Scope::Etablissement { ght: Some(code), .. } => Some(code),
            Scope::All | Scope::Region(_) | Scope::Etablissement { ght: None, .. } => None,
        }
    }

    /// Whether the caller may read a GHT (of the given region).
    pub fn sees_ght(&self, ght: &GhtCode, region: &str) -> bool {
        match &self.scope {
            Scope::All => true,
            Scope::Region(own) => own.as_str() == region,
            Scope::Ght(_) | Scope::Etablissement { .. } => self.own_ght() == Some(ght),
        }
    }

    /// Whether the caller may read an établissement that belongs (or
    /// belonged) to these GHTs, given as (code, region) pairs.
    pub fn sees_etablissement<'a>(
        &self,
        finess: &Finess,
        ghts: impl IntoIterator<Item = (&'a GhtCode, &'a str)>,
    ) -> bool {
        match &self.scope {
            Scope::All => true,
            Scope::Etablissement { finess: own, .. } => own == finess,
            _ => ghts.into_iter().any(|(code, region)| self.sees_ght(code, region)),
        }
    }

    /// Whether the caller may change a GHT's own data (targets, settings,
    /// inventories): the admin and the GHT's DSI.
    pub fn writes_ght(&self, ght: &GhtCode) -> bool {
        match (&self.role, &self.scope) {
            (Role::Admin, _) => true,
            (Role::Ght, Scope::Ght(own)) => own == ght,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(raw: &str) -> GhtCode {
        GhtCode::parse(raw).unwrap_or_else(|e| panic!("{e}"))
    }

    fn principal(role: Role, scope: Scope) -> Principal {
        Principal { caller: Caller::Token(1), label: "test".into(), role, scope }
    }

    #[test]
    fn each_scope_sees_what_it_should() {
        let nor = code("NOR-02");
        let hdf = code("HDF-01");
        let regional =
            principal(Role::Regional, Scope::Region(RegionCode::parse("NOR").unwrap_or_else(|e| panic!("{e}"))));
        assert!(regional.sees_ght(&nor, "NOR"));
        assert!(!regional.sees_ght(&hdf, "HDF"));
        let dsi = principal(Role::Ght, Scope::Ght(nor.clone()));
        assert!(dsi.sees_ght(&nor, "NOR") && dsi.writes_ght(&nor));
        assert!(!dsi.sees_ght(&hdf, "HDF") && !dsi.writes_ght(&hdf));
        assert!(!regional.writes_ght(&nor));
        assert!(principal(Role::National, Scope::All).sees_ght(&hdf, "HDF"));
        assert!(!principal(Role::National, Scope::All).writes_ght(&hdf));
    }
}
