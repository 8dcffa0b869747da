//! A site (FINESS ET) of the FINESS directory, as the public extract gives
//! it; closed, never deleted, when a newer full extract no longer lists it.

use sea_orm::entity::prelude::*;

/// A site of the loaded FINESS directory.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "finess_sites")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub finess_et: String,
    pub finess_ej: String,
    pub short_name: String,
    pub long_name: String,
    pub category_code: Option<String>,
    pub category_label: Option<String>,
    pub departement: Option<String>,
    pub commune: Option<String>,
    pub coord_x: Option<f64>,
    pub coord_y: Option<f64>,
    pub coord_source: Option<String>,
    pub opened_on: Option<Date>,
    pub updated_on: Option<Date>,
    pub closed_on: Option<Date>,
    /// The date of the extract that last changed it (or closed it).
    pub extract_date: Date,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
