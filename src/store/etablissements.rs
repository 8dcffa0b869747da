//! Établissements (FINESS EJ), their sites (ET) and successions.

use crate::store::StoreError;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use serde::Serialize;

use super::audit::{self, Actor, Change};
use super::entities::{etablissement, etablissement_site, etablissement_succession, ght, ght_membership};
use crate::domain::{Finess, GhtCode};

/// An établissement with its sites and its GHT memberships (past and
/// present), each membership with its GHT's region.
#[derive(Debug, Clone)]
pub struct EtablissementDetails {
    /// The établissement.
    pub etablissement: etablissement::Model,
    /// Its sites, by FINESS ET.
    pub sites: Vec<etablissement_site::Model>,
    /// Its memberships, oldest first, with the GHT's region.
    pub memberships: Vec<(ght_membership::Model, String)>,
    /// The legal entities it succeeded (merged into it), oldest first.
    pub predecessors: Vec<etablissement_succession::Model>,
    /// The legal entities that succeeded it, oldest first.
    pub successors: Vec<etablissement_succession::Model>,
}

/// An établissement, whether or not the caller sees it.
///
/// # Errors
/// When a query fails.
pub async fn find(conn: &impl ConnectionTrait, finess: &Finess) -> Result<Option<EtablissementDetails>, StoreError> {
    let Some(etablissement) = etablissement::Entity::find_by_id(finess.clone()).one(conn).await? else {
        return Ok(None);
    };
    let sites = etablissement_site::Entity::find()
        .filter(etablissement_site::Column::FinessEj.eq(finess.as_str()))
        .order_by_asc(etablissement_site::Column::FinessEt)
        .all(conn)
        .await?;
    let memberships = ght_membership::Entity::find()
        .filter(ght_membership::Column::FinessEj.eq(finess.as_str()))
        .order_by_asc(ght_membership::Column::ValidFrom)
        .order_by_asc(ght_membership::Column::Id)
        .all(conn)
        .await?;
    let codes: Vec<GhtCode> = memberships.iter().map(|m| m.ght_code.clone()).collect();
    let ghts = ght::Entity::find().filter(ght::Column::Code.is_in(codes)).all(conn).await?;
    let memberships = memberships
        .into_iter()
        .map(|m| {
            let region =
                ghts.iter().find(|g| g.code == m.ght_code).map(|g| g.region_code.to_string()).unwrap_or_default();
            (m, region)
        })
        .collect();
    let successions = |column: etablissement_succession::Column| {
        etablissement_succession::Entity::find()
            .filter(column.eq(finess.as_str()))
            .order_by_asc(etablissement_succession::Column::EffectiveOn)
            .order_by_asc(etablissement_succession::Column::Id)
            .all(conn)
    };
    let predecessors = successions(etablissement_succession::Column::SuccessorEj).await?;
    let successors = successions(etablissement_succession::Column::PredecessorEj).await?;
    Ok(Some(EtablissementDetails { etablissement, sites, memberships, predecessors, successors }))
}

/// Whether a succession between two legal entities is recorded.
///
/// # Errors
/// When the query fails.
pub async fn succession_exists(
    conn: &impl ConnectionTrait,
    predecessor: &Finess,
    successor: &Finess,
) -> Result<bool, StoreError> {
    Ok(etablissement_succession::Entity::find()
        .filter(etablissement_succession::Column::PredecessorEj.eq(predecessor.as_str()))
        .filter(etablissement_succession::Column::SuccessorEj.eq(successor.as_str()))
        .one(conn)
        .await?
        .is_some())
}

/// Records that a legal entity became (part of) another on a date,
/// audited.
///
/// # Errors
/// When a write fails (the same pair twice included).
pub async fn insert_succession(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    predecessor: &Finess,
    successor: &Finess,
    effective_on: chrono::NaiveDate,
    ght_code: Option<GhtCode>,
) -> Result<etablissement_succession::Model, StoreError> {
    let model = etablissement_succession::ActiveModel {
        predecessor_ej: Set(predecessor.to_string()),
        successor_ej: Set(successor.to_string()),
        effective_on: Set(effective_on),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    audit::record(
        txn,
        actor,
        Change {
            action: "etablissement.succession",
            object_type: "succession",
            object_id: model.id.to_string(),
            ght_code,
            before: None,
            after: Some(serde_json::json!({
                "predecessor_ej": model.predecessor_ej,
                "successor_ej": model.successor_ej,
                "effective_on": model.effective_on,
            })),
        },
    )
    .await?;
    Ok(model)
}

/// A site given when registering an établissement.
#[derive(Debug, Clone)]
pub struct NewSite {
    /// FINESS ET.
    pub finess_et: Finess,
    /// Name, as registered.
    pub name: String,
    /// Commune, from the FINESS directory or as registered.
    pub commune: Option<String>,
}

/// Fields of a new établissement; what is missing is taken from the FINESS
/// directory when the EJ is in it.
#[derive(Debug, Clone)]
pub struct NewEtablissement {
    /// FINESS EJ.
    pub finess_ej: Finess,
    /// Name (default: the directory's long name).
    pub name: Option<String>,
    /// Category (default: the directory's).
    pub category: Option<String>,
    /// Commune (default: the directory's).
    pub commune: Option<String>,
    /// Sites (default: the directory's sites of this EJ).
    pub sites: Option<Vec<NewSite>>,
}

#[derive(Debug, Serialize)]
struct EtablissementSnapshot<'a> {
    finess_ej: &'a str,
    name: &'a str,
    category: Option<&'a str>,
    commune: Option<&'a str>,
    sites: Vec<&'a str>,
}

fn snapshot(e: &etablissement::Model, sites: &[etablissement_site::Model]) -> Option<serde_json::Value> {
    audit::snapshot(&EtablissementSnapshot {
        finess_ej: e.finess_ej.as_str(),
        name: &e.name,
        category: e.category.as_deref(),
        commune: e.commune.as_deref(),
        sites: sites.iter().map(|s| s.finess_et.as_str()).collect(),
    })
}

/// An établissement as registered: its fields decided (from the request
/// and the FINESS directory) and its sites.
#[derive(Debug, Clone)]
pub struct Registration {
    /// Its FINESS EJ.
    pub finess_ej: Finess,
    /// Its name.
    pub name: String,
    /// Its FINESS category.
    pub category: Option<String>,
    /// Its commune.
    pub commune: Option<String>,
    /// Its sites.
    pub sites: Vec<NewSite>,
}

/// The établissement a site (FINESS ET) is attached to, if any.
///
/// # Errors
/// When the query fails.
pub async fn site_owner(conn: &impl ConnectionTrait, finess_et: &Finess) -> Result<Option<Finess>, StoreError> {
    Ok(etablissement_site::Entity::find_by_id(finess_et.clone()).one(conn).await?.map(|s| s.finess_ej))
}

/// Records an établissement and its sites, audited. The caller checks it
/// is new and its sites free.
///
/// # Errors
/// When a write fails.
pub async fn insert(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    new: Registration,
) -> Result<EtablissementDetails, StoreError> {
    let now = super::now();
    let model = etablissement::ActiveModel {
        departement: Set(Some(new.finess_ej.departement().to_owned())),
        finess_ej: Set(new.finess_ej),
        name: Set(new.name),
        category: Set(new.category),
        commune: Set(new.commune),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(txn)
    .await?;
    let mut stored_sites = Vec::with_capacity(new.sites.len());
    for site in new.sites {
        let stored = etablissement_site::ActiveModel {
            finess_et: Set(site.finess_et),
            finess_ej: Set(model.finess_ej.clone()),
            name: Set(site.name),
            commune: Set(site.commune),
        }
        .insert(txn)
        .await?;
        stored_sites.push(stored);
    }
    stored_sites.sort_by(|a, b| a.finess_et.cmp(&b.finess_et));
    audit::record(
        txn,
        actor,
        Change {
            action: "etablissement.create",
            object_type: "etablissement",
            object_id: model.finess_ej.to_string(),
            ght_code: None,
            before: None,
            after: snapshot(&model, &stored_sites),
        },
    )
    .await?;
    Ok(EtablissementDetails {
        etablissement: model,
        sites: stored_sites,
        memberships: vec![],
        predecessors: vec![],
        successors: vec![],
    })
}

/// Changes to an établissement; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct EtablissementPatch {
    /// New name.
    pub name: Option<String>,
    /// New category.
    pub category: Option<String>,
    /// New commune.
    pub commune: Option<String>,
}

/// Applies a patch to an établissement, audited.
///
/// # Errors
/// When a write fails.
pub async fn update(
    txn: &DatabaseTransaction,
    actor: Actor<'_>,
    details: EtablissementDetails,
    patch: EtablissementPatch,
) -> Result<EtablissementDetails, StoreError> {
    let before = snapshot(&details.etablissement, &details.sites);
    let mut model = details.etablissement.clone().into_active_model();
    if let Some(name) = patch.name {
        model.name = Set(name);
    }
    if let Some(category) = patch.category {
        model.category = Set(Some(category));
    }
    if let Some(commune) = patch.commune {
        model.commune = Set(Some(commune));
    }
    model.updated_at = Set(super::now());
    let updated = model.update(txn).await?;
    let ght_code = details.memberships.last().map(|(m, _)| m.ght_code.clone());
    audit::record(
        txn,
        actor,
        Change {
            action: "etablissement.update",
            object_type: "etablissement",
            object_id: updated.finess_ej.to_string(),
            ght_code,
            before,
            after: snapshot(&updated, &details.sites),
        },
    )
    .await?;
    Ok(EtablissementDetails { etablissement: updated, ..details })
}

/// These établissements (EJ), as registered.
///
/// # Errors
/// When the query fails.
pub async fn of_finess(
    conn: &impl ConnectionTrait,
    finess: &[String],
) -> Result<Vec<etablissement::Model>, StoreError> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    Ok(etablissement::Entity::find()
        .filter(etablissement::Column::FinessEj.is_in(finess.iter().map(String::as_str)))
        .all(conn)
        .await?)
}

/// Every registered établissement, by FINESS.
///
/// # Errors
/// When the query fails.
pub async fn all(conn: &impl ConnectionTrait) -> Result<Vec<etablissement::Model>, StoreError> {
    Ok(etablissement::Entity::find().order_by_asc(etablissement::Column::FinessEj).all(conn).await?)
}
