//! A word hospitals write for a domain or sub-domain.

use sea_orm::entity::prelude::*;

use crate::domain::SubdomainCode;

/// A word hospitals write for a domain or sub-domain.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "taxonomy_synonyms")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub synonym: String,
    pub normalised_key: String,
    pub domain_code: String,
    pub subdomain_code: Option<SubdomainCode>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
