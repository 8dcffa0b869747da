//! GHTs and their memberships.

use crate::store::StoreError;
use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::Serialize;

use super::audit::{self, Actor, Change};
use super::entities::{etablissement, ght, ght_membership};
use super::pagination::{Page, PageOf, fetch_page};
use crate::domain::{Finess, GhtCode, RegionCode};

/// A GHT as the audit trail records it.
#[derive(Debug, Serialize)]
struct GhtSnapshot<'a> {
    code: &'a str,
    name: &'a str,
    region_code: &'a str,
    support_finess_ej: Option<&'a str>,
    auto_validate: bool,
}

fn snapshot(model: &ght::Model) -> Option<serde_json::Value> {
    audit::snapshot(&GhtSnapshot {
        code: model.code.as_str(),
        name: &model.name,
        region_code: model.region_code.as_str(),
        support_finess_ej: model.support_finess_ej.as_ref().map(Finess::as_str),
        auto_validate: model.auto_validate,
    })
}

/// Which GHTs a read covers: decided by `service::access` from the
/// caller, applied here as a filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GhtReach {
    /// Every GHT.
    All,
    /// The GHTs of one region.
    Region(RegionCode),
    /// One GHT.
    One(GhtCode),
    /// None.
    Nothing,
}

/// The GHTs within reach, optionally of one region, by code.
///
/// # Errors
/// When the query fails.
pub async fn list(
    conn: &impl ConnectionTrait,
    reach: &GhtReach,
    region: Option<&RegionCode>,
    page: Page,
) -> Result<PageOf<ght::Model>, StoreError> {
    let mut select = ght::Entity::find().order_by_asc(ght::Column::Code);
    select = match reach {
        GhtReach::All => select,
        GhtReach::Region(own) => select.filter(ght::Column::RegionCode.eq(own.as_str())),
        GhtReach::One(own) => select.filter(ght::Column::Code.eq(own.as_str())),
        GhtReach::Nothing => return Ok(PageOf::empty(page)),
    };
    if let Some(region) = region {
        select = select.filter(ght::Column::RegionCode.eq(region.as_str()));
    }
    fetch_page(conn, select, page).await
}

/// Every GHT's name, by code (for a table of them all).
///
/// # Errors
/// When the query fails.
pub async fn names(conn: &impl ConnectionTrait) -> Result<std::collections::BTreeMap<String, String>, StoreError> {
    Ok(ght::Entity::find().all(conn).await?.into_iter().map(|g| (g.code.to_string(), g.name)).collect())
}

/// A GHT by code, whether or not the caller sees it.
///
/// # Errors
/// When the query fails.
pub async fn find(conn: &impl ConnectionTrait, code: &GhtCode) -> Result<Option<ght::Model>, StoreError> {
    Ok(ght::Entity::find_by_id(code.clone()).one(conn).await?)
}

/// Fields of a new GHT.
#[derive(Debug)]
pub struct NewGht {
    /// Its code.
    pub code: GhtCode,
    /// Its name.
    pub name: String,
    /// Its region.
    pub region: RegionCode,
}

/// Creates a GHT.
///
/// # Errors
/// When a write fails (a unique violation when the code exists).
pub async fn create(txn: &DatabaseTransaction, actor: Actor<'_>, new: NewGht) -> Result<ght::Model, StoreError> {
    let now = super::now();
    let model = ght::ActiveModel {
        code: Set(new.code.clone()),
        name: Set(new.name),
        region_code: Set(new.region.clone()),
        support_finess_ej: Set(None),
        auto_validate: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await?;
    audit::record(
        txn,
        actor,
        Change {
            action: "ght.create",
            object_type: "ght",
            object_id: model.code.to_string(),
            ght_code: Some(model.code.clone()),
            before: None,
            after: snapshot(&model),
        },
    )
    .await?;
    Ok(model)
}

/// Changes to a GHT; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct GhtPatch {
    /// New name.
    pub name: Option<String>,
    /// New établissement support (must be a current member).
    pub support_finess_ej: Option<Finess>,
    /// Whether uploads by établissements count without the DSI's validation.
    pub auto_validate: Option<bool>,
}

/// Applies a patch to a GHT, audited. The caller checks it (the support
/// établissement is a current member).
///
/// # Errors
/// When a write fails.
pub async fn update(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    current: ght::Model,
    patch: GhtPatch,
) -> Result<ght::Model, StoreError> {
    let before = snapshot(&current);
    let mut model = current.into_active_model();
    if let Some(name) = patch.name {
        model.name = Set(name);
    }
    if let Some(support) = patch.support_finess_ej {
        model.support_finess_ej = Set(Some(support));
    }
    if let Some(auto_validate) = patch.auto_validate {
        model.auto_validate = Set(auto_validate);
    }
    model.updated_at = Set(super::now());
    let updated = model.update(txn).await?;
    audit::record(
        txn,
        actor,
        Change {
            action: "ght.update",
            object_type: "ght",
            object_id: updated.code.to_string(),
            ght_code: Some(updated.code.clone()),
            before,
            after: snapshot(&updated),
        },
    )
    .await?;
    Ok(updated)
}

/// Members of a GHT on a date, by FINESS, with their membership row.
///
/// # Errors
/// When the query fails.
pub async fn members_at(
    conn: &impl ConnectionTrait,
    code: &GhtCode,
    on: NaiveDate,
) -> Result<Vec<(ght_membership::Model, etablissement::Model)>, StoreError> {
    let memberships = ght_membership::Entity::find()
        .filter(ght_membership::Column::GhtCode.eq(code.as_str()))
        .filter(active_on(on))
        .order_by_asc(ght_membership::Column::FinessEj)
        .all(conn)
        .await?;
    let ids: Vec<Finess> = memberships.iter().map(|m| m.finess_ej.clone()).collect();
    let etablissements =
        etablissement::Entity::find().filter(etablissement::Column::FinessEj.is_in(ids)).all(conn).await?;
    Ok(memberships
        .into_iter()
        .filter_map(|m| {
            let e = etablissements.iter().find(|e| e.finess_ej == m.finess_ej)?.clone();
            Some((m, e))
        })
        .collect())
}

/// The FINESS EJ of a GHT's members on a date, in order (one query: for
/// the listings that need nothing more of them).
///
/// # Errors
/// When the query fails.
pub async fn member_finess_at(
    conn: &impl ConnectionTrait,
    code: &GhtCode,
    on: NaiveDate,
) -> Result<Vec<String>, StoreError> {
    Ok(ght_membership::Entity::find()
        .select_only()
        .column(ght_membership::Column::FinessEj)
        .filter(ght_membership::Column::GhtCode.eq(code.as_str()))
        .filter(active_on(on))
        .order_by_asc(ght_membership::Column::FinessEj)
        .into_tuple()
        .all(conn)
        .await?)
}

/// Membership rows active on a date: `valid_from <= on` and (`valid_to` is
/// empty or `on < valid_to`); `valid_to` is the first day outside the GHT.
pub fn active_on(on: NaiveDate) -> Condition {
    Condition::all().add(ght_membership::Column::ValidFrom.lte(on)).add(
        Condition::any().add(ght_membership::Column::ValidTo.is_null()).add(ght_membership::Column::ValidTo.gt(on)),
    )
}

/// The membership of an établissement in force today, if any.
///
/// # Errors
/// When the query fails.
pub async fn current_membership(
    conn: &impl ConnectionTrait,
    finess: &Finess,
) -> Result<Option<ght_membership::Model>, StoreError> {
    Ok(ght_membership::Entity::find()
        .filter(ght_membership::Column::FinessEj.eq(finess.as_str()))
        .filter(active_on(chrono::Utc::now().date_naive()))
        .one(conn)
        .await?)
}

/// An établissement's membership that is open on `from` or starts after
/// it (an établissement belongs to one GHT at a time).
///
/// # Errors
/// When the query fails.
pub async fn membership_overlapping(
    conn: &impl ConnectionTrait,
    finess: &Finess,
    from: NaiveDate,
) -> Result<Option<ght_membership::Model>, StoreError> {
    Ok(ght_membership::Entity::find()
        .filter(ght_membership::Column::FinessEj.eq(finess.as_str()))
        .filter(
            Condition::any()
                .add(ght_membership::Column::ValidTo.is_null())
                .add(ght_membership::Column::ValidTo.gt(from)),
        )
        .one(conn)
        .await?)
}

/// One membership by id.
///
/// # Errors
/// When the query fails.
pub async fn find_membership(
    conn: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<ght_membership::Model>, StoreError> {
    Ok(ght_membership::Entity::find_by_id(id).one(conn).await?)
}

/// Records a membership from a date, open-ended, audited.
///
/// # Errors
/// When a write fails.
pub async fn insert_membership(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    code: &GhtCode,
    finess: &Finess,
    valid_from: NaiveDate,
    other_region: bool,
) -> Result<ght_membership::Model, StoreError> {
    let model = ght_membership::ActiveModel {
        ght_code: Set(code.clone()),
        finess_ej: Set(finess.clone()),
        valid_from: Set(valid_from),
        valid_to: Set(None),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    audit::record(
        txn,
        actor,
        Change {
            action: "membership.create",
            object_type: "membership",
            object_id: model.id.to_string(),
            ght_code: Some(code.clone()),
            before: None,
            after: audit::snapshot(&MembershipSnapshot { other_region, ..MembershipSnapshot::of(&model) }),
        },
    )
    .await?;
    Ok(model)
}

#[derive(Debug, Serialize)]
struct MembershipSnapshot {
    ght_code: String,
    finess_ej: String,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
    /// An établissement of another region, admitted on purpose.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    other_region: bool,
}

impl MembershipSnapshot {
    fn of(m: &ght_membership::Model) -> Self {
        MembershipSnapshot {
            ght_code: m.ght_code.to_string(),
            finess_ej: m.finess_ej.to_string(),
            valid_from: m.valid_from,
            valid_to: m.valid_to,
            other_region: false,
        }
    }
}

/// Sets the end of a membership (`valid_to`, the first day outside the
/// GHT), audited. History is kept, never deleted.
///
/// # Errors
/// When a write fails.
pub async fn set_membership_end(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    current: ght_membership::Model,
    valid_to: NaiveDate,
) -> Result<ght_membership::Model, StoreError> {
    let before = audit::snapshot(&MembershipSnapshot::of(&current));
    let mut model = current.into_active_model();
    model.valid_to = Set(Some(valid_to));
    let updated = model.update(txn).await?;
    audit::record(
        txn,
        actor,
        Change {
            action: "membership.end",
            object_type: "membership",
            object_id: updated.id.to_string(),
            ght_code: Some(updated.ght_code.clone()),
            before,
            after: audit::snapshot(&MembershipSnapshot::of(&updated)),
        },
    )
    .await?;
    Ok(updated)
}
