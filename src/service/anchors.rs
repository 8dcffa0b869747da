//! A role and its anchor (a GHT, a region or an établissement's FINESS EJ):
//! what a token and a person are granted, checked once when granted, and
//! turned into a scope at each request from the memberships of that day.
//! Tokens and people share these two rules, so that a person and a token
//! of the same role and anchor see exactly the same things.

use sea_orm::ConnectionTrait;

use crate::auth::Scope;
use crate::domain::{Finess, GhtCode, RegionCode, Role};
use crate::error::AppError;
use crate::store::{StoreError, ghts, regions};

/// The anchor given with a role.
#[derive(Debug, Clone, Default)]
pub struct Anchor {
    /// The GHT, for role `ght`.
    pub ght: Option<GhtCode>,
    /// The region, for role `regional`.
    pub region: Option<RegionCode>,
    /// The établissement (EJ), for role `etablissement`.
    pub finess: Option<Finess>,
}

/// Checks that an anchor fits its role and exists; returns what is
/// stored (for an établissement, its GHT of the day too, for the record).
///
/// # Errors
/// `Invalid` when the anchor does not fit the role or the établissement
/// belongs to no GHT today; `NotFound` when the GHT or region does not
/// exist.
pub async fn check(conn: &impl ConnectionTrait, role: Role, anchor: Anchor) -> Result<Anchor, AppError> {
    let needs = |what: &str| AppError::Invalid(format!("le rôle {role} exige {what}"));
    let extra = || AppError::Invalid(format!("le rôle {role} ne prend ni GHT, ni région, ni FINESS"));
    match role {
        Role::Admin | Role::National => {
            if anchor.ght.is_some() || anchor.region.is_some() || anchor.finess.is_some() {
                return Err(extra());
            }
            Ok(Anchor::default())
        }
        Role::Regional => {
            let region = anchor.region.ok_or_else(|| needs("une région (--region)"))?;
            regions::get(conn, &region)
                .await?
                .ok_or_else(|| AppError::not_found(format!("région {region} introuvable")))?;
            Ok(Anchor { region: Some(region), ..Anchor::default() })
        }
        Role::Ght => {
            let ght = anchor.ght.ok_or_else(|| needs("un GHT (--ght)"))?;
            ghts::find(conn, &ght).await?.ok_or_else(|| AppError::not_found(format!("GHT « {ght} » introuvable")))?;
            Ok(Anchor { ght: Some(ght), ..Anchor::default() })
        }
        Role::Etablissement => {
            let finess = anchor.finess.ok_or_else(|| needs("un FINESS juridique (--finess)"))?;
            let membership = ghts::current_membership(conn, &finess).await?.ok_or_else(|| {
                AppError::Invalid(format!("l'établissement {finess} n'est membre d'aucun GHT à ce jour"))
            })?;
            Ok(Anchor { ght: Some(membership.ght_code), region: None, finess: Some(finess) })
        }
    }
}

/// A stored grant (token or person), for [`scope`].
#[derive(Debug, Clone, Copy)]
pub struct Stored<'a> {
    /// The table it is read from, to name a corrupt row.
    pub table: &'static str,
    /// Its row id.
    pub id: i64,
    /// Its role, as stored.
    pub role: &'a str,
    /// Its anchor, as stored.
    pub ght: Option<&'a GhtCode>,
    /// Its region, as stored.
    pub region: Option<&'a RegionCode>,
    /// Its établissement, as stored.
    pub finess: Option<&'a Finess>,
}

/// The role and scope of a stored grant today: an établissement's GHT is
/// the one it belongs to on the day of the request.
///
/// # Errors
/// When a query fails, or the row does not decode.
pub async fn scope(conn: &impl ConnectionTrait, stored: Stored<'_>) -> Result<(Role, Scope), AppError> {
    let corrupt = |column: &'static str| StoreError::corrupt(stored.table, stored.id, column, "missing for its role");
    let role = Role::parse(stored.role).map_err(|e| StoreError::corrupt(stored.table, stored.id, "role", e))?;
    let scope = match role {
        Role::Admin | Role::National => Scope::All,
        Role::Regional => Scope::Region(stored.region.cloned().ok_or_else(|| corrupt("region_code"))?),
        Role::Ght => Scope::Ght(stored.ght.cloned().ok_or_else(|| corrupt("ght_code"))?),
        Role::Etablissement => {
            let finess = stored.finess.cloned().ok_or_else(|| corrupt("finess_ej"))?;
            let ght = ghts::current_membership(conn, &finess).await?.map(|m| m.ght_code);
            Scope::Etablissement { finess, ght }
        }
    };
    Ok((role, scope))
}
