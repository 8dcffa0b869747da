//! Canonical inventory fields and the header words hospitals use for them
//! (DOMAIN.md §5), matched case-, accent-, punctuation- and
//! spacing-insensitively.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::domain::normalise_key;

/// A field of the inventory row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// Établissement (name or site).
    EtablissementName,
    /// A FINESS whose kind is told by its value (EJ or ET).
    Finess,
    /// FINESS juridique.
    FinessEj,
    /// FINESS géographique.
    FinessEt,
    /// The application (required).
    Application,
    /// Module(s).
    Module,
    /// Vendor.
    Vendor,
    /// Version.
    Version,
    /// Functional domain (L1 or L2 label).
    Domain,
    /// Sub-domain (L2 label or code).
    Subdomain,
    /// Go-live date.
    GoLive,
    /// Number of users.
    Users,
    /// Number of beds.
    Beds,
    /// Hosting.
    Hosting,
    /// Acquisition mode / contract.
    Contract,
    /// End of contract or maintenance.
    ContractEnd,
    /// Acquisition cost.
    AcquisitionCost,
    /// Annual cost.
    AnnualCost,
    /// Interfaces and flows.
    Interfaces,
    /// Connected to the identity référentiel.
    IdentityConnected,
    /// Personal authentication / SSO / CPS.
    Sso,
    /// INS integrated.
    Ins,
    /// Criticality.
    Criticality,
    /// Convergence status.
    ConvergenceStatus,
    /// Comment.
    Comment,
}

/// Each field with its French header in the template and the variants seen
/// in real inventories.
pub const FIELDS: [(Field, &str, &[&str]); 25] = [
    (
        Field::EtablissementName,
        "Établissement",
        &["Etablissement", "Raison sociale", "Site", "Nom de l'établissement", "Structure"],
    ),
    (Field::Finess, "FINESS", &["N° FINESS", "No FINESS", "Numéro FINESS", "Code FINESS"]),
    (Field::FinessEj, "FINESS juridique", &["FINESS EJ", "N° FINESS juridique", "FINESS entité juridique"]),
    (Field::FinessEt, "FINESS géographique", &["FINESS ET", "N° FINESS géographique", "FINESS établissement"]),
    (
        Field::Application,
        "Application",
        &[
            "Nom de l'application",
            "Logiciel",
            "Produit",
            "Solution",
            "Nom du logiciel",
            "Applicatif",
            "Progiciel",
            "Nom application",
        ],
    ),
    (Field::Module, "Module(s)", &["Module", "Modules"]),
    (Field::Vendor, "Éditeur", &["Editeur", "Fournisseur", "Prestataire", "Société", "Editeur / fournisseur"]),
    (Field::Version, "Version", &["Release", "N° de version", "Version installée"]),
    (
        Field::Domain,
        "Domaine fonctionnel",
        &["Domaine", "Fonction", "Bloc fonctionnel", "Domaine métier", "Périmètre fonctionnel"],
    ),
    (
        Field::Subdomain,
        "Sous-domaine",
        &["Sous domaine", "Sous-domaine fonctionnel", "Sous domaine fonctionnel", "Fonctionnalité"],
    ),
    (
        Field::GoLive,
        "Date de mise en service",
        &["Mise en service", "Date MES", "Date de déploiement", "Année de mise en service"],
    ),
    (
        Field::Users,
        "Nombre d'utilisateurs",
        &["Nb utilisateurs", "Utilisateurs", "Nombre utilisateurs", "Nb d'utilisateurs"],
    ),
    (Field::Beds, "Nombre de lits", &["Nb lits", "Lits"]),
    (Field::Hosting, "Hébergement", &["Hebergement", "Mode d'hébergement", "Lieu d'hébergement"]),
    (Field::Contract, "Mode d'acquisition", &["Contrat", "Type de contrat", "Mode de contractualisation", "Marché"]),
    (
        Field::ContractEnd,
        "Fin de contrat",
        &[
            "Date de fin de contrat",
            "Échéance maintenance",
            "Echéance maintenance",
            "Fin de maintenance",
            "Échéance du contrat",
            "Date d'échéance",
        ],
    ),
    (Field::AcquisitionCost, "Coût d'acquisition", &["Cout d'acquisition", "Coût d'achat", "Investissement"]),
    (
        Field::AnnualCost,
        "Coût annuel TTC",
        &[
            "Coût annuel",
            "Cout annuel",
            "Maintenance annuelle",
            "Coût de maintenance annuel",
            "Coût annuel TTC (€)",
            "Coût de fonctionnement annuel",
        ],
    ),
    (Field::Interfaces, "Interfaces", &["Flux", "Interfaces / flux", "Interopérabilité"]),
    (
        Field::IdentityConnected,
        "Connecté au référentiel d'identités",
        &[
            "Connecté au référentiel d'identité",
            "Connexion référentiel identités",
            "Connecté au SRI",
            "Connecté à l'EMPI",
        ],
    ),
    (
        Field::Sso,
        "Authentification personnelle / SSO / CPS",
        &["SSO", "Authentification personnelle", "Authentification CPS", "Authentification"],
    ),
    (Field::Ins, "INS intégré", &["INS", "INS integre", "Identité nationale de santé"]),
    (Field::Criticality, "Criticité", &["Criticite", "Niveau de criticité"]),
    (Field::ConvergenceStatus, "Statut", &["Statut de convergence", "Statut convergence", "Cible", "Devenir"]),
    (Field::Comment, "Commentaire", &["Commentaires", "Observations", "Remarques", "Remarque"]),
];

impl Field {
    /// The header the template uses.
    pub fn label(self) -> &'static str {
        FIELDS.iter().find(|(f, _, _)| *f == self).map_or("", |(_, label, _)| label)
    }
}

/// Matches header texts to fields; a GHT's saved mappings come first.
#[derive(Debug, Clone)]
pub struct HeaderMatcher {
    exact: HashMap<String, Field>,
    prefixes: Vec<(String, Field)>,
}

/// Shortest synonym key used as a prefix (`nbutilisateurs…`).
const MIN_PREFIX: usize = 5;

impl HeaderMatcher {
    /// The matcher with the built-in synonyms and the user's mappings
    /// (header text → field), which win.
    pub fn new(mappings: &HashMap<String, Field>) -> Self {
        let mut exact = HashMap::new();
        let mut prefixes = Vec::new();
        for (field, label, synonyms) in FIELDS {
            for word in std::iter::once(&label).chain(synonyms) {
                let key = key(word);
                exact.insert(key.clone(), field);
                if key.len() >= MIN_PREFIX {
                    prefixes.push((key, field));
                }
            }
        }
        // Longest prefixes first: "finessjuridique" before "finess".
        prefixes.sort_by_key(|(key, _)| std::cmp::Reverse(key.len()));
        for (header, field) in mappings {
            exact.insert(key(header), *field);
        }
        HeaderMatcher { exact, prefixes }
    }

    /// The field a header names, if any.
    pub fn field(&self, header: &str) -> Option<Field> {
        let key = key(header);
        if key.is_empty() {
            return None;
        }
        self.exact
            .get(&key)
            .copied()
            .or_else(|| self.prefixes.iter().find(|(prefix, _)| key.starts_with(prefix.as_str())).map(|(_, f)| *f))
    }
}

/// A header's key: parenthesised units dropped (`Coût annuel (€)`), then
/// normalised.
fn key(header: &str) -> String {
    let mut kept = String::with_capacity(header.len());
    let mut depth = 0usize;
    for c in header.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => kept.push(c),
            _ => {}
        }
    }
    let key = normalise_key(&kept);
    if key.is_empty() { normalise_key(header) } else { key }
}

/// The template's headers, for error messages.
pub fn expected_headers() -> Vec<String> {
    FIELDS.iter().map(|(_, label, _)| (*label).to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_matched_whatever_their_spelling() {
        let matcher = HeaderMatcher::new(&HashMap::new());
        assert_eq!(matcher.field("Nom de l'application"), Some(Field::Application));
        assert_eq!(matcher.field(" LOGICIEL "), Some(Field::Application));
        assert_eq!(matcher.field("Éditeur"), Some(Field::Vendor));
        assert_eq!(matcher.field("EDITEUR"), Some(Field::Vendor));
        assert_eq!(matcher.field("Coût annuel TTC (€)"), Some(Field::AnnualCost));
        assert_eq!(matcher.field("Nb utilisateurs actifs"), Some(Field::Users));
        assert_eq!(matcher.field("N° FINESS"), Some(Field::Finess));
        assert_eq!(matcher.field("FINESS géographique"), Some(Field::FinessEt));
        assert_eq!(matcher.field("Échéance maintenance"), Some(Field::ContractEnd));
        assert_eq!(matcher.field("Couleur préférée"), None);
        assert_eq!(matcher.field(""), None);
    }

    #[test]
    fn a_saved_mapping_wins() {
        let mappings = HashMap::from([("Outil".to_owned(), Field::Application)]);
        assert_eq!(HeaderMatcher::new(&mappings).field("outil"), Some(Field::Application));
    }
}
