//! The closed vocabularies of an inventory row (hosting, criticality,
//! convergence status): read from what hospitals write, stored by their
//! names, parsed once at the database edge.

use serde::{Deserialize, Serialize};

use super::stored_name;

/// Where an application runs.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema, sea_orm::DeriveValueType,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(value_type = "String")]
pub enum Hosting {
    /// On the établissement's own premises.
    Local,
    /// In the GHT's shared datacenter.
    DatacenterGht,
    /// At a certified health-data host (HDS).
    Hds,
    /// Software as a service.
    Saas,
}

stored_name!(Hosting, "hébergement", [Local, DatacenterGht, Hds, Saas]);

impl Hosting {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Hosting::Local => "local",
            Hosting::DatacenterGht => "datacenter_ght",
            Hosting::Hds => "hds",
            Hosting::Saas => "saas",
        }
    }
}

/// How critical an application is to care.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema, sea_orm::DeriveValueType,
)]
#[sea_orm(value_type = "String")]
pub enum Criticality {
    /// `faible`.
    #[serde(rename = "faible")]
    Low,
    /// `moyenne`.
    #[serde(rename = "moyenne")]
    Medium,
    /// `haute`.
    #[serde(rename = "haute")]
    High,
    /// `critique`.
    #[serde(rename = "critique")]
    Critical,
}

stored_name!(Criticality, "criticité", [Low, Medium, High, Critical]);

impl Criticality {
    /// Stored name, as the template writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Criticality::Low => "faible",
            Criticality::Medium => "moyenne",
            Criticality::High => "haute",
            Criticality::Critical => "critique",
        }
    }
}

/// What the GHT plans for an application.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema, sea_orm::DeriveValueType,
)]
#[sea_orm(value_type = "String")]
pub enum ConvergenceStatus {
    /// `cible`: the GHT's target solution.
    #[serde(rename = "cible")]
    Target,
    /// `a_conserver`: kept.
    #[serde(rename = "a_conserver")]
    Keep,
    /// `a_remplacer`: to migrate to the target.
    #[serde(rename = "a_remplacer")]
    Replace,
    /// `a_decommissionner`: to switch off.
    #[serde(rename = "a_decommissionner")]
    Decommission,
}

stored_name!(ConvergenceStatus, "statut de convergence", [Target, Keep, Replace, Decommission]);

impl ConvergenceStatus {
    /// Stored name, as the template writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            ConvergenceStatus::Target => "cible",
            ConvergenceStatus::Keep => "a_conserver",
            ConvergenceStatus::Replace => "a_remplacer",
            ConvergenceStatus::Decommission => "a_decommissionner",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_term_is_stored_and_served_by_one_name() {
        for term in Hosting::ALL {
            assert_eq!(term.as_str().parse::<Hosting>().ok(), Some(*term));
            assert_eq!(serde_json::to_value(term).ok(), Some(serde_json::json!(term.as_str())));
        }
        for term in Criticality::ALL {
            assert_eq!(term.as_str().parse::<Criticality>().ok(), Some(*term));
            assert_eq!(serde_json::to_value(term).ok(), Some(serde_json::json!(term.as_str())));
        }
        for term in ConvergenceStatus::ALL {
            assert_eq!(term.as_str().parse::<ConvergenceStatus>().ok(), Some(*term));
            assert_eq!(serde_json::to_value(term).ok(), Some(serde_json::json!(term.as_str())));
        }
    }
}
