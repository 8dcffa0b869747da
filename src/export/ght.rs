//! What the workbooks of one GHT and campaign show, gathered once by the
//! service (`service::exports`) and written by `vision`, `resah` and
//! `schema_directeur`.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::compute::trajectories::Trajectory;

/// One indicator of the synthesis.
#[derive(Debug, Clone)]
pub struct SynthesisLine {
    /// Code.
    pub code: String,
    /// French label.
    pub label: String,
    /// `percent`, `count`, `euro`, `boolean` or `enum`.
    pub unit: String,
    /// Whether a higher value is better.
    pub higher_is_better: bool,
    /// Value at the campaign.
    pub value: Option<f64>,
    /// Share of the rows whose input was known.
    pub known_share: Option<f64>,
    /// Value at the previous campaign.
    pub previous: Option<f64>,
    /// A declared answer's status, in French, for declared indicators.
    pub declared: Option<String>,
}

/// One counted inventory row, named.
#[derive(Debug, Clone, Default)]
pub struct ExportRow {
    /// Établissement name.
    pub etablissement: String,
    /// FINESS EJ.
    pub finess_ej: String,
    /// FINESS ET.
    pub finess_et: Option<String>,
    /// As written.
    pub application_raw: String,
    /// The catalogue product, when matched.
    pub product: Option<(i64, String)>,
    /// `product`, `unmatched`, `in_house`, `not_computerised`, `unspecified`.
    pub state: String,
    /// Vendor name.
    pub vendor: Option<String>,
    /// Version.
    pub version: Option<String>,
    /// Sub-domain code.
    pub subdomain: Option<String>,
    /// Users.
    pub users: Option<i32>,
    /// Hosting, as the template writes it.
    pub hosting: Option<&'static str>,
    /// Contract end.
    pub contract_end: Option<NaiveDate>,
    /// Annual cost in euros.
    pub annual_cost: Option<f64>,
    /// Connected to the identity référentiel.
    pub identity_connected: Option<bool>,
    /// How the name was matched, in French.
    pub match_method: Option<String>,
    /// Go-live.
    pub go_live: Option<NaiveDate>,
    /// Interfaces and flows, as written.
    pub interfaces: Option<String>,
    /// Convergence status, in French.
    pub convergence_status: Option<&'static str>,
}

/// Everything the vision shows.
#[derive(Debug, Clone, Default)]
pub struct GhtExport {
    /// GHT code.
    pub ght_code: String,
    /// GHT name.
    pub ght_name: String,
    /// Campaign year.
    pub campaign: i32,
    /// Previous campaign year, if any.
    pub previous_campaign: Option<i32>,
    /// Day of extraction.
    pub extracted_on: NaiveDate,
    /// Établissements expected and reporting.
    pub completeness: (i32, i32),
    /// The indicators.
    pub indicators: Vec<SynthesisLine>,
    /// The GHT's region (code and name).
    pub region: (String, String),
    /// The support établissement's FINESS EJ.
    pub support: Option<String>,
    /// Member établissements at the reference date.
    pub etablissements: Vec<Member>,
    /// Domains of the taxonomy: code and label, in order.
    pub domains: Vec<(String, String)>,
    /// Sub-domains of the taxonomy: code, domain code and label, in order.
    pub subdomains: Vec<(String, String, String)>,
    /// Planned migrations of the targets in force.
    pub migrations: Vec<PlannedMigration>,
    /// Target product per sub-domain: id and name.
    pub targets: BTreeMap<String, (i64, String)>,
    /// The counted rows.
    pub rows: Vec<ExportRow>,
    /// Trajectories of the sub-domains with a target.
    pub trajectories: Vec<Trajectory>,
}

/// A member établissement.
#[derive(Debug, Clone, Default)]
pub struct Member {
    /// FINESS EJ.
    pub finess: String,
    /// Raison sociale.
    pub name: String,
    /// Category, as the FINESS directory gives it.
    pub category: Option<String>,
    /// Commune.
    pub commune: Option<String>,
}

/// A planned migration of an établissement to a sub-domain's target.
#[derive(Debug, Clone)]
pub struct PlannedMigration {
    /// FINESS EJ.
    pub finess: String,
    /// Sub-domain code.
    pub subdomain: String,
    /// Planned date.
    pub planned_on: NaiveDate,
}

impl GhtExport {
    /// A member's name.
    pub fn name_of(&self, finess: &str) -> &str {
        self.etablissements.iter().find(|m| m.finess == finess).map_or("", |m| m.name.as_str())
    }

    /// A sub-domain's label.
    pub fn subdomain_label(&self, code: &str) -> &str {
        self.subdomains.iter().find(|(c, _, _)| c == code).map_or("", |(_, _, l)| l.as_str())
    }

    /// A sub-domain's domain label.
    pub fn domain_label(&self, subdomain: &str) -> &str {
        let domain = self.subdomains.iter().find(|(c, _, _)| c == subdomain).map(|(_, d, _)| d.as_str());
        self.domains.iter().find(|(c, _)| Some(c.as_str()) == domain).map_or("", |(_, l)| l.as_str())
    }

    /// The target of a sub-domain: product id and name.
    pub fn target_of(&self, subdomain: Option<&str>) -> Option<&(i64, String)> {
        subdomain.and_then(|s| self.targets.get(s))
    }
}
