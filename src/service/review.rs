//! The review queue of a GHT and the confirmation of names, one by one or
//! as a filled review workbook.

use chrono::Utc;

use super::recompute::Recomputed;
use super::{Write, access};
use crate::auth::Principal;
use crate::domain::GhtCode;
use crate::domain::normalise_key;
use crate::error::AppError;
use crate::export::review::{CHOICE_HEADER, filled_lines};
use crate::intake::worker::{WorkerConfig, parse_isolated};
use crate::normalise::matcher::{MatchMethod, Matcher};
use crate::normalise::row::Routing;
use crate::normalise::sentinel::{EntryState, sentinel};
use crate::store::audit::Actor;
use crate::store::lock::{self, LockKey};
use crate::store::pagination::{Page, PageOf};
use crate::store::review::{self, ReviewItem};
use crate::store::{Db, ghts, inventory};

/// Suggestions offered per name.
const SUGGESTIONS: usize = 3;

/// Names a review workbook holds at most: the most frequent ones (a
/// workbook of 100,000 junk names helps nobody; the rest come once these
/// are confirmed).
pub const WORKBOOK_NAMES: u64 = 5000;

/// A page of the review queue of a GHT the caller sees, most frequent
/// names first, with suggestions and the matcher they come from. The
/// suggestions (fuzzy comparisons with the catalogue) are computed for the
/// page's names only, off the request threads.
///
/// # Errors
/// `NotFound` for a GHT out of scope.
pub async fn queue(
    db: &Db,
    principal: &Principal,
    ght: &GhtCode,
    page: Page,
) -> Result<(PageOf<ReviewItem>, Matcher), AppError> {
    access::readable_ght(db.reader(), principal, ght).await?;
    let matcher = matcher(db, ght).await?;
    let items = review::queue(db.reader(), &members(db, ght).await?, page).await?;
    tokio::task::spawn_blocking(move || {
        let items = items.map(|mut item| {
            item.suggestions =
                matcher.suggestions(&item.normalised_name, SUGGESTIONS).into_iter().map(|(s, id)| (id, s)).collect();
            item
        });
        (items, matcher)
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))
}

/// What a confirmation did.
#[derive(Debug, Clone)]
pub struct Confirmed {
    /// The GHT's alias, when one name was confirmed.
    pub alias_id: Option<i64>,
    /// Names confirmed.
    pub names: usize,
    /// Rows of open campaigns re-normalised.
    pub rows_updated: u64,
    /// Indicators recomputed (once per GHT and campaign, whatever the
    /// number of names).
    pub recomputed: Vec<Recomputed>,
}

/// What a name of the review queue is resolved to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// A catalogue product.
    Product(i64),
    /// A state (`in_house`, `not_computerised`, `unspecified`): the name
    /// was a placeholder, a survey answer or an in-house tool.
    State(EntryState),
}

impl Resolution {
    /// A state a name can be resolved to (not `product` nor `unmatched`),
    /// by its stored name or as people write it (« développement interne »).
    pub fn state(raw: &str) -> Option<Self> {
        EntryState::parse(raw.trim())
            .or_else(|| sentinel(raw))
            .filter(|s| !matches!(s, EntryState::Product | EntryState::Unmatched))
            .map(Resolution::State)
    }
}

/// Confirms that a spelling means a product, or states a situation, in this
/// GHT: it becomes a GHT alias, used by every later import, and the rows of
/// open campaigns that carry it are re-normalised.
///
/// # Errors
/// `NotFound` / `Forbidden` by [`access::writable_ght`]; `Invalid` for an
/// empty name; `NotFound` for an unknown or merged product.
pub async fn confirm(
    db: &Db,
    actor: Actor<'_>,
    ght: &GhtCode,
    spelling: &str,
    resolution: Resolution,
) -> Result<Confirmed, AppError> {
    access::writable_ght(db.reader(), actor.principal, ght).await?;
    confirm_all(db, actor, ght, &[(spelling.to_owned(), resolution)]).await
}

/// Confirms a filled review workbook (column « Produit retenu »: a
/// product's exact name or id): all or nothing, every unreadable choice
/// named with its sheet and row; indicators are recomputed once.
///
/// # Errors
/// `NotFound` / `Forbidden` by [`access::writable_ght`]; `Ingest` for an
/// unreadable file; `Invalid` listing every refused choice.
pub async fn confirm_workbook(
    db: &Db,
    worker: &WorkerConfig,
    actor: Actor<'_>,
    ght: &GhtCode,
    file_name: &str,
    bytes: &[u8],
) -> Result<Confirmed, AppError> {
    access::writable_ght(db.reader(), actor.principal, ght).await?;
    let workbook = parse_isolated(bytes, file_name, worker).await?;
    let matcher = matcher(db, ght).await?;
    let mut choices = Vec::new();
    let mut problems = Vec::new();
    for line in filled_lines(&workbook.sheets) {
        let product = match line.choice.parse::<i64>() {
            Ok(id) => matcher.product(id).map(|p| Resolution::Product(p.id)),
            Err(_) => matcher
                .match_product(&line.choice)
                .filter(|m| matches!(m.method, MatchMethod::Alias | MatchMethod::LocalAlias))
                .map(|m| Resolution::Product(m.product_id)),
        };
        match product.or_else(|| Resolution::state(&line.choice)) {
            Some(resolution) => choices.push((line.spelling, resolution)),
            None => problems.push(format!(
                "feuille « {} », ligne {}, colonne « {CHOICE_HEADER} » : « {} » n'est ni le nom exact ni l'identifiant d'un produit du catalogue, ni un état (« développement interne », « non informatisé », « non renseigné »)",
                line.sheet, line.row, line.choice
            )),
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(format!("rien n'a été confirmé : {}", problems.join(" ; "))));
    }
    confirm_all(db, actor, ght, &choices).await
}

/// Confirms (spelling, product) pairs in one write, for a caller already
/// allowed to change the GHT.
async fn confirm_all(
    db: &Db,
    actor: Actor<'_>,
    ght: &GhtCode,
    choices: &[(String, Resolution)],
) -> Result<Confirmed, AppError> {
    let members = members(db, ght).await?;
    let mut write = Write::begin(db, actor).await?;
    lock::serialise(write.txn(), LockKey::Ght(ght.as_str())).await?;
    let mut alias_id = None;
    let mut rows_updated = 0;
    for (spelling, resolution) in choices {
        if normalise_key(spelling).is_empty() {
            return Err(AppError::Invalid("le nom à rapprocher est vide".to_owned()));
        }
        let done = match resolution {
            Resolution::Product(product_id) => {
                let product = super::catalogue::usable_in(write.txn(), ght, *product_id).await?;
                review::confirm(write.txn(), actor, ght, &members, spelling, &product).await?
            }
            Resolution::State(state) => {
                review::confirm_state(write.txn(), actor, ght, &members, spelling, *state).await?
            }
        };
        alias_id = Some(done.alias_id);
        rows_updated += done.rows_updated;
    }
    if rows_updated > 0 {
        write.touched().ght(ght);
    }
    let recomputed = write.commit().await?;
    let alias_id = if choices.len() == 1 { alias_id } else { None };
    Ok(Confirmed { alias_id, names: choices.len(), rows_updated, recomputed })
}

/// The GHT's members today, by FINESS EJ.
async fn members(db: &Db, ght: &GhtCode) -> Result<Vec<String>, AppError> {
    Ok(ghts::members_at(db.reader(), ght, Utc::now().date_naive())
        .await?
        .into_iter()
        .map(|(m, _)| m.finess_ej.to_string())
        .collect())
}

/// The catalogue as the GHT sees it.
async fn matcher(db: &Db, ght: &GhtCode) -> Result<Matcher, AppError> {
    let reference =
        inventory::load_reference(db.reader(), ght, Routing::Ght(Vec::new()), None, &Default::default()).await?;
    Ok(Matcher::new(reference.products, reference.aliases))
}
