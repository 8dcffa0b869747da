//! A GHT's targets: the target product of each sub-domain and the planned
//! migrations, as dated versions.

use std::collections::{BTreeSet, HashMap};

use chrono::{NaiveDate, Utc};
use sea_orm::ConnectionTrait;

use super::{Write, access};
use crate::auth::Principal;
use crate::domain::{CampaignYear, Finess, GhtCode, SubdomainCode};
use crate::error::AppError;
use crate::store::answers::{self, Answer};
use crate::store::audit::Actor;
use crate::store::entities::indicator_answer;
use crate::store::lock::{self, LockKey};
use crate::store::targets::{self, TargetSet, TargetVersion};
use crate::store::{Db, catalogue, ghts, indicators, taxonomy};

/// A set of targets as proposed, before it is checked.
#[derive(Debug, Clone, Default)]
pub struct ProposedTargets {
    /// (sub-domain, product id) pairs.
    pub products: Vec<(String, i64)>,
    /// (FINESS EJ, sub-domain, planned date) triples.
    pub migrations: Vec<(String, String, NaiveDate)>,
    /// Why this version.
    pub comment: Option<String>,
}

/// A version of targets with the names of its products.
#[derive(Debug, Clone)]
pub struct NamedTargets {
    /// The version as stored.
    pub version: TargetVersion,
    /// Name of each target product, by id.
    pub names: HashMap<i64, String>,
}

/// The targets of a GHT the caller sees, in force on a day or now.
///
/// # Errors
/// `NotFound` for a GHT out of scope, or without targets then.
pub async fn in_force(
    db: &Db,
    principal: &Principal,
    ght: &GhtCode,
    at: Option<NaiveDate>,
) -> Result<NamedTargets, AppError> {
    let reader = db.reader();
    access::readable_ght(reader, principal, ght).await?;
    let found = targets::in_force(reader, ght, at).await?.ok_or_else(|| match at {
        Some(day) => AppError::not_found(format!("le GHT {ght} n'avait pas de cibles au {}", day.format("%d/%m/%Y"))),
        None => AppError::not_found(format!("le GHT {ght} n'a pas encore de cibles")),
    })?;
    named(reader, found).await
}

/// Replaces a GHT's targets by a new version, checked against the
/// reference and the GHT's members inside the write (a member that leaves
/// meanwhile, or a product merged meanwhile, is seen).
///
/// # Errors
/// `NotFound` / `Forbidden` by [`access::writable_ght`]; `Invalid` naming
/// the first entry refused (`products[2]`, `migrations[0]`): malformed or
/// unknown sub-domain, unknown or merged product, a sub-domain twice, an
/// établissement that is not a member, a migration without a target.
pub async fn replace(
    db: &Db,
    actor: Actor<'_>,
    ght: &GhtCode,
    proposed: ProposedTargets,
) -> Result<NamedTargets, AppError> {
    edit(db, actor, ght, |_| proposed).await
}

/// One change to a GHT's targets, as its page makes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetEdit {
    /// The sub-domain's target becomes this product.
    Target {
        /// Sub-domain code.
        subdomain: String,
        /// Catalogue product.
        product_id: i64,
    },
    /// The sub-domain has no target any more (nor planned dates).
    Untarget {
        /// Sub-domain code.
        subdomain: String,
    },
    /// An établissement's planned migration date in a sub-domain (`None`:
    /// no date any more).
    Plan {
        /// FINESS EJ.
        finess: String,
        /// Sub-domain code.
        subdomain: String,
        /// The planned date.
        on: Option<NaiveDate>,
    },
}

impl TargetEdit {
    /// The version in force with this change.
    fn apply(self, mut proposed: ProposedTargets, comment: Option<String>) -> ProposedTargets {
        match self {
            TargetEdit::Target { subdomain, product_id } => {
                proposed.products.retain(|(s, _)| *s != subdomain);
                proposed.products.push((subdomain, product_id));
            }
            TargetEdit::Untarget { subdomain } => {
                proposed.products.retain(|(s, _)| *s != subdomain);
                proposed.migrations.retain(|(_, s, _)| *s != subdomain);
            }
            TargetEdit::Plan { finess, subdomain, on } => {
                proposed.migrations.retain(|(f, s, _)| !(*f == finess && *s == subdomain));
                if let Some(on) = on {
                    proposed.migrations.push((finess, subdomain, on));
                }
            }
        }
        proposed.comment = comment;
        proposed
    }
}

/// Changes one thing in a GHT's targets: a new version made from the one
/// in force, read under the GHT's lock, so that two changes at once each
/// keep the other.
///
/// # Errors
/// As [`replace`].
pub async fn change(
    db: &Db,
    actor: Actor<'_>,
    ght: &GhtCode,
    change: TargetEdit,
    comment: Option<String>,
) -> Result<NamedTargets, AppError> {
    edit(db, actor, ght, |current| change.apply(current, comment)).await
}

/// A new version of a GHT's targets made from the one in force (read under
/// the GHT's lock) by `make`, checked against the reference and the GHT's
/// members inside the write (a member that leaves meanwhile, or a product
/// merged meanwhile, is seen).
async fn edit(
    db: &Db,
    actor: Actor<'_>,
    ght: &GhtCode,
    make: impl FnOnce(ProposedTargets) -> ProposedTargets,
) -> Result<NamedTargets, AppError> {
    access::writable_ght(db.reader(), actor.principal, ght).await?;
    let mut write = Write::begin(db, actor).await?;
    lock::serialise(write.txn(), LockKey::Ght(ght.as_str())).await?;
    let in_force = targets::in_force(write.txn(), ght, None).await?;
    let proposed = make(in_force.as_ref().map(ProposedTargets::of).unwrap_or_default());
    let set = checked(write.txn(), ght, proposed).await?;
    targets::replace(write.txn(), actor, ght, set).await?;
    let current = targets::in_force(write.txn(), ght, None)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("targets vanished after replace")))?;
    let current = named(write.txn(), current).await?;
    write.touched().ght(ght);
    write.commit().await?;
    Ok(current)
}

impl ProposedTargets {
    /// A version as a proposal to change (without its comment).
    fn of(version: &TargetVersion) -> Self {
        ProposedTargets {
            products: version.products.iter().map(|p| (p.subdomain_code.to_string(), p.product_id)).collect(),
            migrations: version
                .migrations
                .iter()
                .map(|m| (m.finess_ej.to_string(), m.subdomain_code.to_string(), m.planned_on))
                .collect(),
            comment: None,
        }
    }
}

/// Parses and checks a set of targets against the reference and the GHT.
async fn checked(conn: &impl ConnectionTrait, ght: &GhtCode, proposed: ProposedTargets) -> Result<TargetSet, AppError> {
    let mut products = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, (raw, product_id)) in proposed.products.iter().enumerate() {
        let place = format!("products[{i}]");
        let subdomain = SubdomainCode::parse(raw)
            .map_err(|e| AppError::Invalid(format!("{place} : sous-domaine « {raw} » refusé ({e})")))?;
        if !taxonomy::subdomain_exists(conn, &subdomain).await? {
            return Err(AppError::Invalid(format!(
                "{place} : le sous-domaine {subdomain} n'existe pas dans la nomenclature"
            )));
        }
        let Some(product) = super::catalogue::seen_by(conn, ght, *product_id).await? else {
            return Err(AppError::Invalid(format!("{place} : le produit {product_id} n'existe pas au catalogue")));
        };
        if let Some(into) = product.merged_into {
            return Err(AppError::Invalid(format!(
                "{place} : le produit {product_id} (« {} ») a été fusionné dans le produit {into} : choisissez ce dernier comme cible",
                product.name
            )));
        }
        if !seen.insert(subdomain.clone()) {
            return Err(AppError::Invalid(format!(
                "{place} : le sous-domaine {subdomain} a déjà une cible dans cet envoi"
            )));
        }
        products.push((subdomain, *product_id));
    }
    let members: BTreeSet<String> = ghts::members_at(conn, ght, Utc::now().date_naive())
        .await?
        .into_iter()
        .map(|(_, e)| e.finess_ej.to_string())
        .collect();
    let mut migrations = Vec::new();
    for (i, (finess, subdomain, planned_on)) in proposed.migrations.iter().enumerate() {
        let place = format!("migrations[{i}]");
        let finess = Finess::parse(finess)
            .map_err(|e| AppError::Invalid(format!("{place} : FINESS « {finess} » refusé ({e})")))?;
        if !members.contains(finess.as_str()) {
            return Err(AppError::Invalid(format!("{place} : l'établissement {finess} n'est pas membre du GHT {ght}")));
        }
        let subdomain = SubdomainCode::parse(subdomain)
            .map_err(|e| AppError::Invalid(format!("{place} : sous-domaine « {subdomain} » refusé ({e})")))?;
        if !seen.contains(&subdomain) {
            return Err(AppError::Invalid(format!(
                "{place} : le sous-domaine {subdomain} n'a pas de produit cible dans cet envoi"
            )));
        }
        migrations.push((finess, subdomain, *planned_on));
    }
    Ok(TargetSet { products, migrations, comment: proposed.comment })
}

async fn named(conn: &impl ConnectionTrait, version: TargetVersion) -> Result<NamedTargets, AppError> {
    let ids: Vec<i64> = version.products.iter().map(|p| p.product_id).collect();
    let names = catalogue::product_names(conn, ids).await?;
    Ok(NamedTargets { version, names })
}

/// Declares (or replaces) a GHT's answer to a governance indicator for an
/// open campaign, checked against the schema in force inside the write.
///
/// # Errors
/// `NotFound` / `Forbidden` by [`access::writable_ght`]; `Conflict` for a
/// closed campaign; `Invalid` for an indicator that is not a declared one
/// of the schema, or an unknown status.
pub async fn declare_answer(
    db: &Db,
    actor: Actor<'_>,
    ght: &GhtCode,
    year: CampaignYear,
    answer: Answer,
) -> Result<indicator_answer::Model, AppError> {
    access::writable_ght(db.reader(), actor.principal, ght).await?;
    if !answer.indicator_code.starts_with("GOV.") {
        return Err(AppError::Invalid(format!(
            "« {} » n'est pas un indicateur déclaratif (GOV.*)",
            answer.indicator_code
        )));
    }
    let write = Write::begin(db, actor).await?;
    lock::serialise(write.txn(), LockKey::Ght(ght.as_str())).await?;
    let (_, schema) = indicators::current_schema(write.txn()).await?;
    if !schema.iter().any(|d| d.code == answer.indicator_code && d.is_declared()) {
        return Err(AppError::Invalid(format!(
            "« {} » n'est pas un indicateur déclaratif du schéma en vigueur",
            answer.indicator_code
        )));
    }
    super::referential::ensure_open(write.txn(), year).await?;
    let saved = answers::declare(write.txn(), actor, ght, year, answer).await?;
    write.commit().await?;
    Ok(saved)
}

/// Every version of a GHT's targets, latest first, with their products'
/// names.
///
/// # Errors
/// `NotFound` for a GHT out of scope.
pub async fn history(db: &Db, principal: &Principal, ght: &GhtCode) -> Result<Vec<NamedTargets>, AppError> {
    let reader = db.reader();
    access::readable_ght(reader, principal, ght).await?;
    let mut all = Vec::new();
    for version in targets::versions(reader, ght).await? {
        if let Some(found) = targets::version(reader, ght, version.id).await? {
            all.push(named(reader, found).await?);
        }
    }
    Ok(all)
}

/// What changed from one version of targets to another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetChange {
    /// A sub-domain got a target.
    Added { subdomain: String, product: String },
    /// A sub-domain lost its target.
    Removed { subdomain: String, product: String },
    /// A sub-domain's target changed.
    Replaced { subdomain: String, from: String, to: String },
    /// An établissement's planned migration date appeared, moved or went.
    Planned { finess: String, subdomain: String, from: Option<NaiveDate>, to: Option<NaiveDate> },
}

/// The changes from `before` to `after`, sub-domains in order, then the
/// planned dates.
pub fn changes(before: &NamedTargets, after: &NamedTargets) -> Vec<TargetChange> {
    use std::collections::BTreeMap;
    let products = |t: &NamedTargets| -> BTreeMap<String, String> {
        t.version
            .products
            .iter()
            .map(|p| {
                let name = t.names.get(&p.product_id).cloned().unwrap_or_else(|| format!("produit {}", p.product_id));
                (p.subdomain_code.to_string(), name)
            })
            .collect()
    };
    let plans = |t: &NamedTargets| -> BTreeMap<(String, String), NaiveDate> {
        t.version
            .migrations
            .iter()
            .map(|m| ((m.finess_ej.to_string(), m.subdomain_code.to_string()), m.planned_on))
            .collect()
    };
    let (a, b) = (products(before), products(after));
    let mut found = Vec::new();
    let subdomains: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    for subdomain in subdomains {
        match (a.get(subdomain), b.get(subdomain)) {
            (None, Some(to)) => found.push(TargetChange::Added { subdomain: subdomain.clone(), product: to.clone() }),
            (Some(from), None) => {
                found.push(TargetChange::Removed { subdomain: subdomain.clone(), product: from.clone() })
            }
            (Some(from), Some(to)) if from != to => {
                found.push(TargetChange::Replaced { subdomain: subdomain.clone(), from: from.clone(), to: to.clone() })
            }
            _ => {}
        }
    }
    let (a, b) = (plans(before), plans(after));
    let keys: BTreeSet<&(String, String)> = a.keys().chain(b.keys()).collect();
    for key in keys {
        let (from, to) = (a.get(key).copied(), b.get(key).copied());
        if from != to {
            found.push(TargetChange::Planned { finess: key.0.clone(), subdomain: key.1.clone(), from, to });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::entities::{target_migration, target_product, target_version};

    fn version(products: &[(&str, i64)], migrations: &[(&str, &str, &str)]) -> NamedTargets {
        let ght = GhtCode::parse("NOR-02").unwrap_or_else(|e| panic!("{e}"));
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();
        NamedTargets {
            version: TargetVersion {
                version: target_version::Model {
                    id: 1,
                    ght_code: ght,
                    created_at: Utc::now(),
                    created_by: "test".into(),
                    comment: None,
                },
                products: products
                    .iter()
                    .map(|(s, id)| target_product::Model {
                        id: 0,
                        version_id: 1,
                        subdomain_code: SubdomainCode::parse(s).unwrap_or_else(|e| panic!("{e}")),
                        product_id: *id,
                    })
                    .collect(),
                migrations: migrations
                    .iter()
                    .map(|(f, s, d)| target_migration::Model {
                        id: 0,
                        version_id: 1,
                        finess_ej: Finess::parse(f).unwrap_or_else(|e| panic!("{e}")),
                        subdomain_code: SubdomainCode::parse(s).unwrap_or_else(|e| panic!("{e}")),
                        planned_on: day(d),
                    })
                    .collect(),
            },
            names: [(1, "DxCare".to_owned()), (2, "M-CrossWay".to_owned()), (3, "Pastel".to_owned())].into(),
        }
    }

    #[test]
    fn one_change_keeps_the_rest_of_the_version_in_force() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();
        let current = ProposedTargets {
            products: vec![("DPI.CORE".into(), 1), ("GAP.ADM".into(), 3)],
            migrations: vec![("760780726".into(), "DPI.CORE".into(), day("2026-06-30"))],
            comment: Some("avant".into()),
        };
        let retargeted = TargetEdit::Target { subdomain: "DPI.CORE".into(), product_id: 2 }
            .apply(current.clone(), Some("comité".into()));
        assert_eq!(retargeted.products, vec![("GAP.ADM".to_owned(), 3), ("DPI.CORE".to_owned(), 2)]);
        assert_eq!(retargeted.migrations, current.migrations, "the planned dates stay");
        assert_eq!(retargeted.comment.as_deref(), Some("comité"));
        let untargeted = TargetEdit::Untarget { subdomain: "DPI.CORE".into() }.apply(current.clone(), None);
        assert_eq!((untargeted.products.len(), untargeted.migrations.len()), (1, 0), "its dates go with it");
        let moved =
            TargetEdit::Plan { finess: "760780726".into(), subdomain: "DPI.CORE".into(), on: Some(day("2027-01-31")) }
                .apply(current.clone(), None);
        assert_eq!(moved.migrations, vec![("760780726".to_owned(), "DPI.CORE".to_owned(), day("2027-01-31"))]);
        let unplanned = TargetEdit::Plan { finess: "760780726".into(), subdomain: "DPI.CORE".into(), on: None }
            .apply(current, None);
        assert!(unplanned.migrations.is_empty());
    }

    #[test]
    fn the_changes_between_two_versions_say_each_target_and_each_date() {
        let before = version(&[("DPI.CORE", 1), ("GAP.ADM", 3)], &[("760780726", "DPI.CORE", "2026-06-30")]);
        let after = version(
            &[("DPI.CORE", 2), ("LAB.SIL", 3)],
            &[("760780726", "DPI.CORE", "2027-01-31"), ("760780734", "DPI.CORE", "2027-06-30")],
        );
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        assert_eq!(
            changes(&before, &after),
            vec![
                TargetChange::Replaced { subdomain: "DPI.CORE".into(), from: "DxCare".into(), to: "M-CrossWay".into() },
                TargetChange::Removed { subdomain: "GAP.ADM".into(), product: "Pastel".into() },
                TargetChange::Added { subdomain: "LAB.SIL".into(), product: "Pastel".into() },
                TargetChange::Planned {
                    finess: "760780726".into(),
                    subdomain: "DPI.CORE".into(),
                    from: day("2026-06-30"),
                    to: day("2027-01-31"),
                },
                TargetChange::Planned {
                    finess: "760780734".into(),
                    subdomain: "DPI.CORE".into(),
                    from: None,
                    to: day("2027-06-30"),
                },
            ]
        );
        assert!(changes(&after, &after).is_empty());
    }
}
