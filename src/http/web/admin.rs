//! The operator's pages: campaigns (open, close), tokens (create — the
//! secret shown once —, list, revoke), GHTs and their memberships, the
//! national referential loads (a FINESS extract, a DGOS GHT list, and their
//! reports), and the catalogue (proposals to approve, aliases to promote,
//! merges). Every action calls the same service as its API route.

use axum::extract::{Path, State};
use axum::response::Response;
use chrono::NaiveDate;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::format::date;
use super::ght::ght_in_path;
use super::page::{NoFields, PageError, PageQuery, Submitted, Uploaded, Visitor, encode};
use crate::domain::{CampaignStatus, CampaignYear, Finess, GhtCode, RegionCode, Role};
use crate::error::AppError;
use crate::http::AppState;
use crate::http::auth::AdminOnly;
use crate::http::cookies::see_other;
use crate::service::tokens::NewToken;
use crate::service::{catalogue, directory, ght_list, reference, referential, tokens};
use crate::store::pagination::Page;

/// GHTs listed (there are 136).
const GHTS_LISTED: u64 = 500;

/// `?ght=&fait=`.
#[derive(Debug, Default, Deserialize)]
pub struct AdminQuery {
    ght: Option<String>,
    fait: Option<String>,
}

#[derive(Debug, Serialize)]
struct TokenView {
    prefix: String,
    label: String,
    role: String,
    scope: String,
    created: String,
    expires: String,
    last_used: String,
    revoked: bool,
}

/// What an action just did, said at the top of the page.
#[derive(Debug, Default, Serialize)]
struct Done {
    message: Option<String>,
    /// A token's secret, shown this once.
    secret: Option<String>,
    /// A referential load's report.
    report: Option<Vec<String>>,
}

/// The administration page.
pub async fn page(
    visitor: Visitor,
    State(state): State<AppState>,
    PageQuery(query): PageQuery<AdminQuery>,
) -> Result<Response, PageError> {
    visitor.require::<AdminOnly>()?;
    let done = Done { message: query.fait.clone(), ..Done::default() };
    render(&visitor, &state, query.ght.as_deref(), done).await
}

async fn render(visitor: &Visitor, state: &AppState, ght: Option<&str>, done: Done) -> Result<Response, PageError> {
    let fail = |e: AppError| visitor.error(e);
    let campaigns: Vec<(i32, String, String, bool)> = reference::campaigns(&state.db)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|c| {
            (
                c.year.get(),
                date(c.reference_date),
                c.deadline.map(date).unwrap_or_default(),
                c.status == CampaignStatus::Open,
            )
        })
        .collect();
    let tokens: Vec<TokenView> = tokens::list(&state.db)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|t| TokenView {
            scope: t
                .ght_code
                .map(|g| format!("GHT {g}"))
                .or(t.region_code.map(|r| format!("région {r}")))
                .or(t.finess_ej.map(|f| format!("établissement {f}")))
                .unwrap_or_else(|| "tout".to_owned()),
            prefix: t.prefix,
            label: t.label,
            role: t.role,
            created: date(t.created_at.date_naive()),
            expires: t.expires_at.map(|at| date(at.date_naive())).unwrap_or_else(|| "jamais".to_owned()),
            last_used: t.last_used_at.map(|at| date(at.date_naive())).unwrap_or_else(|| "jamais".to_owned()),
            revoked: t.revoked_at.is_some(),
        })
        .collect();
    let ghts: Vec<(String, String, String)> =
        referential::ghts(&state.db, &visitor.principal, None, Page { number: 1, size: GHTS_LISTED })
            .await
            .map_err(fail)?
            .items
            .into_iter()
            .map(|g| (g.code.to_string(), g.name, g.region_code.to_string()))
            .collect();
    let chosen = match ght.map(str::trim).filter(|g| !g.is_empty()) {
        Some(raw) => {
            let code = ght_in_path(raw).map_err(fail)?;
            let (_, members) =
                referential::members(&state.db, &visitor.principal, &code, chrono::Utc::now().date_naive())
                    .await
                    .map_err(fail)?;
            let members: Vec<(i64, String, String, String)> =
                members.into_iter().map(|(m, e)| (m.id, e.finess_ej.to_string(), e.name, date(m.valid_from))).collect();
            Some((code.to_string(), members))
        }
        None => None,
    };
    let pending: Vec<(i64, String, String)> = catalogue::pending(&state.db)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|p| (p.id, p.name, p.proposed_by_ght.map(|g| g.to_string()).unwrap_or_default()))
        .collect();
    let aliases: Vec<(i64, String, i64, String)> = catalogue::aliases(&state.db, true)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|a| (a.id, a.alias, a.product_id, a.scope.to_string()))
        .collect();
    let regions: Vec<(String, String)> =
        reference::regions(&state.db).await.map_err(fail)?.into_iter().map(|r| (r.code.to_string(), r.name)).collect();
    visitor.page(
        "admin.html",
        context! {
            done, campaigns, tokens, ghts, chosen, pending, aliases, regions,
            roles => Role::ALL.iter().map(ToString::to_string).collect::<Vec<_>>(),
            today => chrono::Utc::now().date_naive().to_string(),
        },
    )
}

fn optional_date(raw: &str, what: &str) -> Result<Option<NaiveDate>, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| AppError::Invalid(format!("{what} : « {raw} » n'est pas une date (aaaa-mm-jj)")))
}

fn back(message: &str) -> Result<Response, AppError> {
    see_other(&format!("/admin?fait={}", encode(message)), Vec::new())
}

/// Opens a campaign.
#[derive(Debug, Deserialize)]
pub struct CampaignForm {
    annee: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    limite: String,
}

/// Opens a campaign.
pub async fn open_campaign(
    State(state): State<AppState>,
    Submitted { visitor, form: sent }: Submitted<CampaignForm>,
) -> Result<Response, PageError> {
    let fail = |e: AppError| visitor.error(e);
    visitor.require::<AdminOnly>()?;
    let year = year_of(&sent.annee).map_err(fail)?;
    let reference_date = optional_date(&sent.reference, "date de référence").map_err(fail)?;
    let deadline = optional_date(&sent.limite, "date limite").map_err(fail)?;
    referential::open_campaign(&state.db, visitor.actor(), year, reference_date, deadline).await.map_err(fail)?;
    back(&format!("Campagne {year} ouverte.")).map_err(fail)
}

fn year_of(raw: &str) -> Result<CampaignYear, AppError> {
    super::dashboard::campaign_param(Some(raw))?.ok_or_else(|| AppError::Invalid("année : elle manque".to_owned()))
}

/// Closes a campaign.
pub async fn close_campaign(
    State(state): State<AppState>,
    Path(year): Path<String>,
    Submitted { visitor, .. }: Submitted<NoFields>,
) -> Result<Response, PageError> {
    let fail = |e: AppError| visitor.error(e);
    visitor.require::<AdminOnly>()?;
    let year = year_of(&year).map_err(|_| fail(AppError::not_found(format!("campagne {year} introuvable"))))?;
    referential::close_campaign(&state.db, visitor.actor(), year).await.map_err(fail)?;
    back(&format!("Campagne {year} close : ses inventaires et ses indicateurs sont figés.")).map_err(fail)
}

/// Creates a token.
#[derive(Debug, Deserialize)]
pub struct TokenForm {
    role: String,
    titulaire: String,
    #[serde(default)]
    ght: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    finess: String,
    #[serde(default)]
    expire: String,
}

/// Creates a token and shows its secret, once.
pub async fn create_token(
    State(state): State<AppState>,
    Submitted { visitor, form: sent }: Submitted<TokenForm>,
) -> Result<Response, PageError> {
    let fail = |e: AppError| visitor.error(e);
    visitor.require::<AdminOnly>()?;
    let some = |raw: &str| Some(raw.trim().to_owned()).filter(|v| !v.is_empty());
    let role = Role::parse(sent.role.trim()).map_err(|e| fail(AppError::Invalid(format!("rôle : {e}"))))?;
    let new = NewToken {
        role,
        label: sent.titulaire.trim().to_owned(),
        ght: some(&sent.ght)
            .map(|g| GhtCode::parse(&g).map_err(|e| AppError::Invalid(format!("GHT : {e}"))))
            .transpose()
            .map_err(fail)?,
        region: some(&sent.region)
            .map(|r| RegionCode::parse(&r).map_err(|e| AppError::Invalid(format!("région : {e}"))))
            .transpose()
            .map_err(fail)?,
        finess: some(&sent.finess)
            .map(|f| Finess::parse(&f).map_err(|e| AppError::Invalid(format!("FINESS : {e}"))))
            .transpose()
            .map_err(fail)?,
        valid_until: optional_date(&sent.expire, "expiration").map_err(fail)?,
    };
    let (token, secret) = tokens::create(&state.db, visitor.actor(), new).await.map_err(fail)?;
    let done = Done {
        message: Some(format!(
            "Jeton {} créé pour {} : copiez-le maintenant, il ne sera plus affiché.",
            token.prefix, token.label
        )),
        secret: Some(secret),
        report: None,
    };
    render(&visitor, &state, None, done).await
}

/// Revokes a token.
pub async fn revoke_token(
    State(state): State<AppState>,
    Path(prefix): Path<String>,
    Submitted { visitor, .. }: Submitted<NoFields>,
) -> Result<Response, PageError> {
    let fail = |e: AppError| visitor.error(e);
    visitor.require::<AdminOnly>()?;
    let revoked = tokens::revoke(&state.db, visitor.actor(), &prefix).await.map_err(fail)?;
    back(&format!("Jeton {} révoqué : ses sessions sont closes.", revoked.prefix)).map_err(fail)
}

/// Adds a member to a GHT.
#[derive(Debug, Deserialize)]
pub struct MemberForm {
    ght: String,
    finess: String,
    debut: String,
}

/// Adds a member to a GHT from a day.
pub async fn add_member(
    State(state): State<AppState>,
    Submitted { visitor, form: sent }: Submitted<MemberForm>,
) -> Result<Response, PageError> {
    let fail = |e: AppError| visitor.error(e);
    visitor.require::<AdminOnly>()?;
    let code = ght_in_path(sent.ght.trim()).map_err(fail)?;
    let finess = Finess::parse(sent.finess.trim()).map_err(|e| fail(AppError::Invalid(format!("FINESS : {e}"))))?;
    let from = optional_date(&sent.debut, "début")
        .map_err(fail)?
        .ok_or_else(|| fail(AppError::Invalid("début : la date d'entrée dans le GHT manque".to_owned())))?;
    referential::add_member(&state.db, visitor.actor(), &code, &finess, from, false).await.map_err(fail)?;
    see_other(&format!("/admin?ght={code}&fait={}", encode(&format!("{finess} est membre du GHT {code}."))), Vec::new())
        .map_err(fail)
}

/// Ends a membership.
#[derive(Debug, Deserialize)]
pub struct EndForm {
    fin: String,
}

/// Ends a membership on a day.
pub async fn end_member(
    State(state): State<AppState>,
    Path((code, id)): Path<(String, String)>,
    Submitted { visitor, form: sent }: Submitted<EndForm>,
) -> Result<Response, PageError> {
    let fail = |e: AppError| visitor.error(e);
    visitor.require::<AdminOnly>()?;
    let code = ght_in_path(&code).map_err(fail)?;
    let id: i64 = id.parse().map_err(|_| fail(AppError::not_found(format!("adhésion {id} introuvable"))))?;
    let to = optional_date(&sent.fin, "fin")
        .map_err(fail)?
        .ok_or_else(|| fail(AppError::Invalid("fin : la date de sortie manque".to_owned())))?;
    referential::end_membership(&state.db, visitor.actor(), &code, id, to).await.map_err(fail)?;
    see_other(&format!("/admin?ght={code}&fait={}", encode("Adhésion close.")), Vec::new()).map_err(fail)
}

/// Loads a FINESS extract and shows its report.
pub async fn load_finess(
    State(state): State<AppState>,
    Uploaded { visitor, file, .. }: Uploaded,
) -> Result<Response, PageError> {
    let fail = |e: AppError| visitor.error(e);
    visitor.require::<AdminOnly>()?;
    let (name, bytes) = file.ok_or_else(|| fail(AppError::BadRequest("choisissez l'extraction FINESS".to_owned())))?;
    let report = directory::load_finess(&state.db, visitor.actor(), &name, bytes).await.map_err(fail)?;
    let mut lines = vec![report.summary.clone()];
    lines.extend(report.other_records.iter().map(|(kind, n)| format!("{n} ligne(s) de type « {kind} » ignorée(s)")));
    let done = Done {
        message: Some(format!("Extraction FINESS {} chargée.", report.file_name)),
        secret: None,
        report: Some(lines),
    };
    render(&visitor, &state, None, done).await
}

/// Loads a DGOS GHT list and shows its report.
pub async fn load_ght_list(
    State(state): State<AppState>,
    Uploaded { visitor, form: fields, file }: Uploaded,
) -> Result<Response, PageError> {
    let fail = |e: AppError| visitor.error(e);
    visitor.require::<AdminOnly>()?;
    let effective = optional_date(fields.field("effet").unwrap_or_default(), "date d'effet").map_err(fail)?;
    let (name, bytes) = file.ok_or_else(|| fail(AppError::BadRequest("choisissez la liste des GHT".to_owned())))?;
    let _worker = state.workers.admit(visitor.principal.caller).map_err(fail)?;
    let report = ght_list::load_ght_list(&state.db, &state.worker, visitor.actor(), &name, &bytes, effective)
        .await
        .map_err(fail)?;
    let mut lines = vec![report.summary.clone()];
    lines.extend(report.repaired.iter().map(|r| format!("Réparé : {r}")));
    lines.extend(report.absent_from_directory.iter().map(|f| format!("Absent du répertoire FINESS : {f}")));
    let done = Done {
        message: Some(format!("Liste des GHT {} chargée.", report.file_name)),
        secret: None,
        report: Some(lines),
    };
    render(&visitor, &state, None, done).await
}

/// Approves a proposed product.
pub async fn approve_product(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Submitted { visitor, .. }: Submitted<NoFields>,
) -> Result<Response, PageError> {
    let fail = |e: AppError| visitor.error(e);
    visitor.require::<AdminOnly>()?;
    let id: i64 = id.parse().map_err(|_| fail(AppError::not_found(format!("produit {id} introuvable"))))?;
    let product = catalogue::approve_product(&state.db, visitor.actor(), id).await.map_err(fail)?;
    back(&format!("« {} » est au catalogue national.", product.name)).map_err(fail)
}

/// Promotes a GHT's alias to the national catalogue.
pub async fn promote_alias(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Submitted { visitor, .. }: Submitted<NoFields>,
) -> Result<Response, PageError> {
    let fail = |e: AppError| visitor.error(e);
    visitor.require::<AdminOnly>()?;
    let id: i64 = id.parse().map_err(|_| fail(AppError::not_found(format!("alias {id} introuvable"))))?;
    let alias = catalogue::promote_alias(&state.db, visitor.actor(), id).await.map_err(fail)?;
    back(&format!("« {} » vaut désormais pour tous les GHT.", alias.alias)).map_err(fail)
}

/// Merges a product into another.
#[derive(Debug, Deserialize)]
pub struct MergeForm {
    de: String,
    vers: String,
}

/// Merges a duplicate product into the one kept.
pub async fn merge(
    State(state): State<AppState>,
    Submitted { visitor, form: sent }: Submitted<MergeForm>,
) -> Result<Response, PageError> {
    let fail = |e: AppError| visitor.error(e);
    visitor.require::<AdminOnly>()?;
    let number = |raw: &str, what: &str| {
        raw.trim()
            .parse::<i64>()
            .map_err(|_| AppError::Invalid(format!("{what} : « {raw} » n'est pas un numéro de produit")))
    };
    let (from, into) =
        (number(&sent.de, "produit fusionné").map_err(fail)?, number(&sent.vers, "produit gardé").map_err(fail)?);
    catalogue::merge(&state.db, visitor.actor(), from, into).await.map_err(fail)?;
    back(&format!("Produit {from} fusionné dans le produit {into}.")).map_err(fail)
}

/// Creates a GHT.
#[derive(Debug, Deserialize)]
pub struct GhtForm {
    code: String,
    nom: String,
    region: String,
}

/// Creates a GHT.
pub async fn create_ght(
    State(state): State<AppState>,
    Submitted { visitor, form: sent }: Submitted<GhtForm>,
) -> Result<Response, PageError> {
    let fail = |e: AppError| visitor.error(e);
    visitor.require::<AdminOnly>()?;
    let new = crate::store::ghts::NewGht {
        code: GhtCode::parse(sent.code.trim()).map_err(|e| fail(AppError::Invalid(format!("code du GHT : {e}"))))?,
        name: sent.nom.trim().to_owned(),
        region: RegionCode::parse(sent.region.trim()).map_err(|e| fail(AppError::Invalid(format!("région : {e}"))))?,
    };
    let created = referential::create_ght(&state.db, visitor.actor(), new).await.map_err(fail)?;
    let done = format!("GHT {} créé.", created.code);
    see_other(&format!("/admin?ght={}&fait={}", created.code, encode(&done)), Vec::new()).map_err(fail)
}

/// Registers an établissement.
#[derive(Debug, Deserialize)]
pub struct EtablissementForm {
    finess: String,
    #[serde(default)]
    nom: String,
}

/// Registers an établissement from the FINESS directory (its name and
/// sites), or under the name given.
pub async fn register_etablissement(
    State(state): State<AppState>,
    Submitted { visitor, form: sent }: Submitted<EtablissementForm>,
) -> Result<Response, PageError> {
    let fail = |e: AppError| visitor.error(e);
    visitor.require::<AdminOnly>()?;
    let new = crate::store::etablissements::NewEtablissement {
        finess_ej: Finess::parse(sent.finess.trim()).map_err(|e| fail(AppError::Invalid(format!("FINESS : {e}"))))?,
        name: Some(sent.nom.trim().to_owned()).filter(|n| !n.is_empty()),
        category: None,
        commune: None,
        sites: None,
    };
    let registered = referential::create_etablissement(&state.db, visitor.actor(), new, state.annuaire.as_deref())
        .await
        .map_err(fail)?;
    let e = &registered.etablissement;
    back(&format!("{} ({}) est enregistré.", e.name, e.finess_ej)).map_err(fail)
}
