//! The OpenAPI document: what every route accepts, answers and requires.

use std::collections::HashSet;

use axum::http::Method;
use utoipa::Modify;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, ResponseBuilder};

use super::problem::{PROBLEM_JSON, Problem};

/// The document's fixed parts; the paths come from the routes.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "convergence",
        description = "Suivi de la convergence des systèmes d'information des GHT : inventaires applicatifs, \
            indicateurs, trajectoires. Toutes les routes /api exigent un jeton (Authorization: Bearer …). \
            Les erreurs sont des documents application/problem+json (RFC 9457) au `type` stable.",
    ),
    components(schemas(Problem)),
    tags(
        (name = "exploitation", description = "Sondes de vie et de disponibilité"),
        (name = "référentiel", description = "Régions, nomenclature fonctionnelle, catalogue"),
        (name = "GHT", description = "Groupements hospitaliers de territoire et leurs établissements parties"),
        (name = "établissements", description = "Établissements (FINESS juridique) et leurs sites"),
        (name = "campagnes", description = "Campagnes annuelles d'inventaire"),
        (name = "audit", description = "Journal des modifications"),
        (name = "inventaires", description = "Dépôts d'inventaires, rapports, validation, lignes courantes"),
        (name = "indicateurs", description = "Schéma d'indicateurs et valeurs de convergence par campagne"),
    )
)]
pub struct ApiDoc;

/// Adds to every `/api` operation the bearer requirement and the problem
/// responses every route can give, so that no handler has to repeat them.
/// Applied once the routes' paths are merged in (see `startup::router`).
pub struct StandardErrors;

const STANDARD: [(&str, &str); 6] = [
    ("400", "Requête mal formée (JSON illisible, paramètre invalide)"),
    ("401", "Jeton absent, inconnu ou révoqué"),
    ("403", "Le rôle du jeton ne permet jamais cette route"),
    ("404", "Objet introuvable ou hors du périmètre du jeton"),
    ("500", "Erreur interne (journalisée avec l'identifiant de la requête)"),
    ("503", "Base de données indisponible ou délai dépassé"),
];

impl Modify for StandardErrors {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("Jeton de 256 bits créé par `convergence token create`, montré une seule fois"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::session::SESSION_COOKIE,
                "Session d'une personne connectée par OpenID Connect (/auth/oidc/login) ; toute requête qui modifie porte aussi l'en-tête X-CSRF-Token (GET /api/v1/session le donne)",
            ))),
        );
        for (path, item) in &mut openapi.paths.paths {
            if !path.starts_with("/api/") {
                continue;
            }
            for operation in operations_mut(item) {
                operation.security = Some(vec![
                    SecurityRequirement::new("bearer", Vec::<String>::new()),
                    SecurityRequirement::new("session", Vec::<String>::new()),
                ]);
                for (status, description) in STANDARD {
                    if !operation.responses.responses.contains_key(status) {
                        let response = ResponseBuilder::new()
                            .description(description)
                            .content(
                                PROBLEM_JSON,
                                ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build(),
                            )
                            .build();
                        operation.responses.responses.insert(status.to_owned(), response.into());
                    }
                }
            }
        }
    }
}

fn operations_mut(item: &mut utoipa::openapi::PathItem) -> impl Iterator<Item = &mut Operation> {
    [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch]
        .into_iter()
        .filter_map(Option::as_mut)
}

/// The (method, path) pairs the document describes.
pub fn documented_routes(openapi: &OpenApi) -> HashSet<(Method, String)> {
    let mut routes = HashSet::new();
    for (path, item) in &openapi.paths.paths {
        for (method, operation) in [
            (Method::GET, &item.get),
            (Method::PUT, &item.put),
            (Method::POST, &item.post),
            (Method::DELETE, &item.delete),
            (Method::PATCH, &item.patch),
        ] {
            if operation.is_some() {
                routes.insert((method, path.clone()));
            }
        }
    }
    routes
}
