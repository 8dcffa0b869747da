//! The seed indicator schema (DOMAIN.md §7): what each indicator means,
//! in French, with every deliberate choice written in its definition.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{ReferenceError, reader};

const FILE: &str = "indicators.csv";
const DATA: &str = include_str!("data/indicators.csv");

/// Units an indicator can be expressed in.
pub const UNITS: [&str; 6] = ["count", "percent", "euro", "date", "enum", "boolean"];
/// Scopes an indicator can be computed or declared at.
pub const SCOPES: [&str; 4] = ["etablissement", "ght", "region", "nation"];
/// Prefixes that tell an indicator code from a sub-domain code.
pub const PREFIXES: [&str; 4] = ["GOV.", "APP.", "COST.", "OPP."];

/// One indicator of the schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IndicatorDefinition {
    /// Code (`APP.CONV_RATE`); for a per-sub-domain indicator, values carry
    /// the sub-domain after it (`APP.TARGET_RATE.DPI.CORE`).
    pub code: String,
    /// Whether it is computed once per sub-domain.
    pub per_subdomain: bool,
    /// French label.
    pub label: String,
    /// French definition, with the choices made.
    pub definition: String,
    /// `count`, `percent` (a ratio from 0 to 1), `euro`, `date`, `enum`, `boolean`.
    pub unit: String,
    /// Where it exists: `etablissement`, `ght`, `region`, `nation`.
    pub scopes: Vec<String>,
    /// `computed` from inventories or `declared` by the GHT.
    pub kind: String,
    /// `higher`, `lower` or `none`: which way is better.
    pub better: String,
    /// The regulatory milestone it measures, if any.
    #[schema(value_type = Option<String>, format = Date)]
    pub milestone: Option<NaiveDate>,
}

impl IndicatorDefinition {
    /// Whether a value's code is this indicator's (itself, or one of its
    /// sub-domains for a per-sub-domain indicator).
    pub fn covers(&self, code: &str) -> bool {
        code == self.code
            || (self.per_subdomain && code.strip_prefix(self.code.as_str()).is_some_and(|rest| rest.starts_with('.')))
    }

    /// Whether the service computes it (else a GHT declares it).
    pub fn is_computed(&self) -> bool {
        self.kind == "computed"
    }

    /// Whether a GHT declares it (a governance answer).
    pub fn is_declared(&self) -> bool {
        self.kind == "declared"
    }

    /// Whether a higher value is better (ranks and colours follow it).
    pub fn higher_is_better(&self) -> bool {
        self.better != "lower"
    }

    /// Checks a definition (seeded or submitted by an admin).
    ///
    /// # Errors
    /// A French sentence naming what is wrong.
    pub fn check(&self) -> Result<(), String> {
        let code_ok = PREFIXES.iter().any(|p| self.code.starts_with(p))
            && self
                .code
                .split('.')
                .all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'));
        if !code_ok {
            return Err(format!(
                "le code « {} » doit commencer par GOV., APP., COST. ou OPP. et ne contenir que des mots en majuscules séparés par des points",
                self.code
            ));
        }
        if !UNITS.contains(&self.unit.as_str()) {
            return Err(format!("unité « {} » inconnue (attendu : {})", self.unit, UNITS.join(", ")));
        }
        if self.scopes.is_empty() || self.scopes.iter().any(|s| !SCOPES.contains(&s.as_str())) {
            return Err(format!("portées « {} » invalides (attendu : {})", self.scopes.join("|"), SCOPES.join(", ")));
        }
        if !["computed", "declared"].contains(&self.kind.as_str()) {
            return Err(format!("nature « {} » inconnue (attendu : computed ou declared)", self.kind));
        }
        if !["higher", "lower", "none"].contains(&self.better.as_str()) {
            return Err(format!("sens « {} » inconnu (attendu : higher, lower ou none)", self.better));
        }
        if self.label.trim().is_empty() || self.definition.trim().is_empty() {
            return Err(format!("l'indicateur {} doit avoir un libellé et une définition", self.code));
        }
        Ok(())
    }
}

#[derive(Deserialize)]
struct Row {
    code: String,
    per_subdomain: bool,
    label: String,
    definition: String,
    unit: String,
    scopes: String,
    kind: String,
    better: String,
    milestone: String,
}

/// The seed schema (version 1).
///
/// # Errors
/// When the embedded file is malformed (a release bug, tested).
pub fn indicator_schema() -> Result<Vec<IndicatorDefinition>, ReferenceError> {
    let mut definitions = Vec::new();
    for (i, record) in reader(DATA).deserialize::<Row>().enumerate() {
        let error = |reason: String| ReferenceError { file: FILE, line: i + 2, reason };
        let row = record.map_err(|e| error(e.to_string()))?;
        let milestone = match row.milestone.trim() {
            "" => None,
            date => Some(NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|e| error(e.to_string()))?),
        };
        let definition = IndicatorDefinition {
            code: row.code,
            per_subdomain: row.per_subdomain,
            label: row.label,
            definition: row.definition,
            unit: row.unit,
            scopes: row.scopes.split('|').map(str::to_owned).collect(),
            kind: row.kind,
            better: row.better,
            milestone,
        };
        definition.check().map_err(error)?;
        definitions.push(definition);
    }
    Ok(definitions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_schema_has_every_indicator_of_the_domain() {
        let schema = indicator_schema().map_err(|e| e.to_string());
        let codes: Vec<String> = schema.unwrap_or_default().into_iter().map(|d| d.code).collect();
        for code in [
            "GOV.DIAG",
            "GOV.STRAT",
            "GOV.SDSI",
            "GOV.DSI",
            "GOV.GPEC",
            "GOV.ID_REF",
            "GOV.ANNUAIRE",
            "APP.N_SOLUTIONS",
            "APP.TARGET_RATE",
            "APP.LEGACY_REMAINING",
            "APP.CONV_RATE",
            "APP.CONV_RATE_USERS",
            "APP.CONVERGED",
            "APP.DPI_COMMON",
            "APP.COUNT",
            "APP.DISTINCT_PRODUCTS",
            "APP.PER_ETAB",
            "APP.ID_CONNECTED_RATE",
            "COST.ANNUAL",
            "COST.OFF_TARGET",
            "OPP.CONTRACTS_12M",
            "OPP.CONTRACTS_24M",
        ] {
            assert!(codes.iter().any(|c| c == code), "{code} missing");
        }
    }

    #[test]
    fn a_code_that_could_be_a_sub_domain_is_refused() {
        let schema = indicator_schema().map_err(|e| e.to_string()).unwrap_or_default();
        let mut definition = schema[0].clone();
        definition.code = "DPI.CORE".to_owned();
        assert!(definition.check().is_err());
        definition.code = "APP.taux".to_owned();
        assert!(definition.check().is_err());
    }
}
