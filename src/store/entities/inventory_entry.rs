//! One inventory row: raw cells kept verbatim beside their normalised values.

use sea_orm::entity::prelude::*;

use crate::domain::{CampaignYear, ConvergenceStatus, Criticality, Finess, Hosting, SubdomainCode};
use crate::normalise::matcher::MatchMethod;
use crate::normalise::sentinel::EntryState;

/// One inventory row: raw cells kept verbatim beside their normalised values.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "inventory_entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub upload_id: i64,
    pub campaign_year: CampaignYear,
    pub finess_ej: Finess,
    pub finess_et: Option<Finess>,
    pub sheet: String,
    pub row_number: i32,
    #[sea_orm(column_type = "Text")]
    pub raw: String,
    pub application_raw: String,
    pub normalised_name: String,
    pub state: EntryState,
    pub product_id: Option<i64>,
    pub match_confidence: Option<f64>,
    pub match_method: Option<MatchMethod>,
    pub vendor_id: Option<i64>,
    pub subdomain_code: Option<SubdomainCode>,
    pub subdomain_inferred: bool,
    pub module: Option<String>,
    pub version: Option<String>,
    pub go_live: Option<Date>,
    pub users: Option<i32>,
    pub beds: Option<i32>,
    pub hosting: Option<Hosting>,
    pub contract: Option<String>,
    pub contract_end: Option<Date>,
    pub acquisition_cost_cents: Option<i64>,
    pub annual_cost_cents: Option<i64>,
    pub interfaces: Option<String>,
    pub identity_connected: Option<bool>,
    pub sso: Option<bool>,
    pub ins: Option<bool>,
    pub criticality: Option<Criticality>,
    pub convergence_status: Option<ConvergenceStatus>,
    pub comment: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub flags: String,
    #[sea_orm(column_type = "Text")]
    pub extra: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
