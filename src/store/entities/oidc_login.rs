//! A sign-in in flight: what the callback must find, once.

use sea_orm::entity::prelude::*;

/// A sign-in in flight: what the callback must find, once.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "oidc_logins")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// SHA-256 of the `state` sent to the provider.
    pub state_sha256: String,
    /// The `nonce` the ID token must carry.
    pub nonce: String,
    /// The PKCE verifier sent with the code.
    pub pkce_verifier: String,
    /// Where to send the person once signed in (a local path).
    pub return_to: String,
    pub created_at: DateTimeUtc,
    /// Set by the one callback that uses it.
    pub consumed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
