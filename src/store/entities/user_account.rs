//! A person granted a role and an anchor, who signs in through OpenID
//! Connect.

use sea_orm::entity::prelude::*;

use crate::domain::{Finess, GhtCode, RegionCode};

/// A person granted a role and an anchor, who signs in through OpenID
/// Connect.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Lower-cased.
    pub email: String,
    /// As the identity provider gives it at the last sign-in.
    pub display_name: Option<String>,
    pub role: String,
    pub ght_code: Option<GhtCode>,
    pub region_code: Option<RegionCode>,
    pub finess_ej: Option<Finess>,
    /// The identity provider that bound `subject`.
    pub issuer: Option<String>,
    /// The person's subject at that provider, bound at the first sign-in.
    pub subject: Option<String>,
    pub created_at: DateTimeUtc,
    pub last_sign_in_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
