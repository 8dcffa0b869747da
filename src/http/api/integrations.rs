//! Which outbound integrations this deployment has, without their secrets.

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use crate::error::AppError;
use crate::http::AppState;
use crate::http::auth::{AnyRole, Auth};

/// One integration's status.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IntegrationStatus {
    /// Whether it is configured and used.
    pub enabled: bool,
    /// What it does here, or how to turn it on, in French.
    pub detail: String,
}

/// The integrations of this deployment.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IntegrationsView {
    /// The ANS Annuaire Santé (FHIR): fills and checks établissements.
    pub annuaire_sante: IntegrationStatus,
    /// The OSIS-like endpoint indicators are pushed to.
    pub osis: IntegrationStatus,
    /// Personal sign-in through OpenID Connect.
    pub openid_connect: IntegrationStatus,
}

fn status(enabled: bool, on: &str, off: &str) -> IntegrationStatus {
    IntegrationStatus { enabled, detail: if enabled { on } else { off }.to_owned() }
}

/// Lists the integrations and whether each is on.
#[utoipa::path(get, path = "/api/v1/integrations", tag = "exploitation",
    description = "Les services extérieurs de ce déploiement et leur état (activé ou non, sans aucun secret) : Annuaire Santé, envoi à OSIS, connexion OpenID Connect. Sans configuration, une fonction est désactivée et le reste du service fonctionne. Rôles : tous.",
    responses((status = 200, description = "Intégrations", body = IntegrationsView)))]
pub async fn list_integrations(
    _auth: Auth<AnyRole>,
    State(state): State<AppState>,
) -> Result<Json<IntegrationsView>, AppError> {
    Ok(Json(IntegrationsView {
        annuaire_sante: status(
            state.annuaire.is_some(),
            "activé : l'enregistrement d'un établissement inconnu du répertoire FINESS est complété par l'Annuaire Santé ; `convergence reference refresh` vérifie les établissements enregistrés",
            "désactivé : configurez CONVERGENCE_ANNUAIRE_URL et CONVERGENCE_ANNUAIRE_KEY",
        ),
        osis: status(
            state.osis.is_some(),
            "activé : POST /api/v1/ghts/{code}/campaigns/{year}/submit envoie les indicateurs",
            "désactivé : configurez CONVERGENCE_OSIS_URL et CONVERGENCE_OSIS_TOKEN ; osis.json reste servi à la DGOS",
        ),
        openid_connect: status(
            state.oidc.is_some(),
            "activé : connexion personnelle par le fournisseur d'identité",
            "désactivé : configurez CONVERGENCE_OIDC_ISSUER, CONVERGENCE_OIDC_CLIENT_ID et CONVERGENCE_OIDC_CLIENT_SECRET",
        ),
    }))
}
