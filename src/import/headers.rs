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
            "Fin contrat",
            "Échéance",
        ],
    ),
    (
        Field::AcquisitionCost,
        "Coût d'acquisition",
        &["Cout d'acquisition", "Coût d'achat", "Investissement", "Montant d'acquisition"],
    ),
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
            "Montant annuel",
            "Coût",
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
    /// Synonyms by their words once small words, units and qualifiers are
    /// dropped (`Date de fin de contrat` → `fincontrat`); `None` where two
    /// fields share them.
    words: HashMap<String, Option<Field>>,
    /// The synonyms' words, for reading a header with a typo.
    vocabulary: Vec<(String, String, &'static str)>,
    /// The campaign's year, when known.
    campaign: Option<i32>,
}

/// How a header was understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderReading {
    /// As written, a synonym, or its words.
    AsWritten(Field),
    /// With one typo in a word (doubled letters aside): the header as read.
    Typo(Field, String),
    /// UTF-8 that was read as Latin-1 (`Ã‰diteur`): the header repaired.
    Repaired(Field, String),
}

impl HeaderReading {
    /// The field read.
    pub fn field(&self) -> Field {
        match self {
            HeaderReading::AsWritten(f) | HeaderReading::Typo(f, _) | HeaderReading::Repaired(f, _) => *f,
        }
    }

    /// What the header was understood as, when not as written.
    pub fn understood_as(&self) -> Option<String> {
        match self {
            HeaderReading::AsWritten(_) => None,
            HeaderReading::Typo(_, header) | HeaderReading::Repaired(_, header) => Some(header.clone()),
        }
    }
}

/// Shortest synonym key used as a prefix (`nbutilisateurs…`).
const MIN_PREFIX: usize = 5;
/// Shortest header (once reduced) read with a typo: shorter words are too
/// close to one another (`Lits`, `Site`).
const MIN_TYPO: usize = 5;

/// Words a header adds around the field's name: small words, units and
/// qualifiers (`Coût annuel TTC (k€)`, `Date de fin de contrat`).
const IGNORED_WORDS: [&str; 24] = [
    "de", "du", "des", "la", "le", "les", "d", "l", "en", "au", "aux", "a", "par", "annuel", "annuelle", "ttc", "ht",
    "eur", "euros", "keur", "k", "date", "montant", "n",
];

impl HeaderMatcher {
    /// The matcher with the built-in synonyms and the user's mappings
    /// (header text → field), which win.
    pub fn new(mappings: &HashMap<String, Field>) -> Self {
        let mut exact = HashMap::new();
        let mut prefixes = Vec::new();
        let mut words: HashMap<String, Option<Field>> = HashMap::new();
        for (field, label, synonyms) in FIELDS {
            for word in std::iter::once(&label).chain(synonyms) {
                let key = key(word);
                exact.insert(key.clone(), field);
                if key.len() >= MIN_PREFIX {
                    prefixes.push((key, field));
                }
                let reduced = reduced(word);
                if !reduced.is_empty() {
                    let entry = words.entry(reduced).or_insert(Some(field));
                    if *entry != Some(field) {
                        *entry = None;
                    }
                }
            }
        }
        // Longest prefixes first: "finessjuridique" before "finess".
        prefixes.sort_by_key(|(key, _)| std::cmp::Reverse(key.len()));
        for (header, field) in mappings {
            exact.insert(key(header), *field);
        }
        HeaderMatcher { exact, prefixes, words, vocabulary: vocabulary(), campaign: None }
    }

    /// The matcher for a campaign: of two columns for one field, the one
    /// whose header names its year is read.
    pub fn for_campaign(mut self, year: Option<i32>) -> Self {
        self.campaign = year;
        self
    }

    /// The campaign's year, when known.
    pub fn campaign(&self) -> Option<i32> {
        self.campaign
    }

    /// The field a header names, if any.
    pub fn field(&self, header: &str) -> Option<Field> {
        self.reading(header).map(|r| r.field())
    }

    /// The field a header names and how it was understood: as written (or
    /// by its words), with one typo, or once repaired from mojibake.
    pub fn reading(&self, header: &str) -> Option<HeaderReading> {
        if let Some(field) = self.as_written(header) {
            return Some(HeaderReading::AsWritten(field));
        }
        if let Some(repaired) = repair_mojibake(header)
            && let Some(field) = self.as_written(&repaired).or_else(|| self.typo(&repaired).map(|(f, _)| f))
        {
            return Some(HeaderReading::Repaired(field, repaired));
        }
        self.typo(header).map(|(field, read)| HeaderReading::Typo(field, read))
    }

    /// The field a text names as a whole (a synonym, or its words), never
    /// by a prefix or a typo: to tell a header written again among the data
    /// from a value (« Logiciel du service » is a name, not a header).
    pub fn names_exactly(&self, text: &str) -> Option<Field> {
        let key = key(text);
        if key.is_empty() {
            return None;
        }
        self.exact.get(&key).copied().or_else(|| self.words.get(&reduced(text)).copied().flatten())
    }

    fn as_written(&self, header: &str) -> Option<Field> {
        let key = key(header);
        if key.is_empty() {
            return None;
        }
        self.exact
            .get(&key)
            .copied()
            .or_else(|| self.prefixes.iter().find(|(prefix, _)| key.starts_with(prefix.as_str())).map(|(_, f)| *f))
            .or_else(|| self.words.get(&reduced(header)).copied().flatten())
    }

    /// The header with each unknown word of five letters or more replaced
    /// by the one synonym word it is one edit away from, once doubled
    /// letters are made single (`FINNES`, `Etablisement`, `Editteur`), and
    /// the field that reads; `None` when no word was corrected.
    fn typo(&self, header: &str) -> Option<(Field, String)> {
        let mut corrected = false;
        let words: Vec<String> = outside_parentheses(header)
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|word| {
                let key = normalise_key(word);
                if key.chars().count() < MIN_TYPO || self.vocabulary.iter().any(|(k, _, _)| *k == key) {
                    return word.to_owned();
                }
                let single = single_letters(&key);
                let mut close = self
                    .vocabulary
                    .iter()
                    .filter(|(_, s, _)| strsim::damerau_levenshtein(&single, s) <= 1)
                    .map(|(_, _, written)| *written);
                match (close.next(), close.next()) {
                    (Some(written), None) => {
                        corrected = true;
                        written.to_owned()
                    }
                    _ => word.to_owned(),
                }
            })
            .collect();
        if !corrected {
            return None;
        }
        let text = words.join(" ");
        self.as_written(&text).map(|field| (field, text))
    }
}

/// The words of the synonyms, five letters or more: (key, key with single
/// letters, as written), one per key.
fn vocabulary() -> Vec<(String, String, &'static str)> {
    let mut words: Vec<(String, String, &'static str)> = Vec::new();
    for (_, label, synonyms) in FIELDS {
        for synonym in std::iter::once(&label).chain(synonyms) {
            for word in synonym.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
                let key = normalise_key(word);
                if key.chars().count() >= MIN_TYPO && !words.iter().any(|(k, _, _)| *k == key) {
                    words.push((key.clone(), single_letters(&key), word));
                }
            }
        }
    }
    words
}

/// A header's key: parenthesised units dropped (`Coût annuel (€)`), then
/// normalised.
fn key(header: &str) -> String {
    let kept = outside_parentheses(header);
    let key = normalise_key(&kept);
    if key.is_empty() { normalise_key(header) } else { key }
}

fn outside_parentheses(header: &str) -> String {
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
    kept
}

/// A header's words without parentheses, small words, units and
/// qualifiers, joined: `Date de fin de contrat` → `fincontrat`.
fn reduced(header: &str) -> String {
    outside_parentheses(header)
        .split(|c: char| !c.is_alphanumeric() && c != '€')
        .map(normalise_key)
        .filter(|w| !w.is_empty() && !IGNORED_WORDS.contains(&w.as_str()))
        .collect()
}

/// `finness` → `fines`: a letter written twice counts once.
fn single_letters(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for c in key.chars() {
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    out
}

/// UTF-8 text that was decoded as Windows-1252 or Latin-1 on its way
/// (`RÃ©gion`, `Ã‰diteur`), decoded again; `None` when it is not that.
pub fn repair_mojibake(text: &str) -> Option<String> {
    if !text.contains(['Ã', 'Â', 'â']) {
        return None;
    }
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
    if unmappable {
        return None;
    }
    let repaired = std::str::from_utf8(&bytes).ok()?;
    (repaired != text).then(|| repaired.to_owned())
}

/// The years a header names (`Logiciel 2013-2014` → 2013 and 2014).
pub fn years_named(header: &str) -> Vec<i32> {
    header
        .split(|c: char| !c.is_ascii_digit())
        .filter(|d| d.len() == 4)
        .filter_map(|d| d.parse::<i32>().ok())
        .filter(|y| (1990..=2100).contains(y))
        .collect()
}

/// Whether a header says its amounts are in thousands of euros (`k€`,
/// `KEUR`, `milliers d'euros`).
pub fn in_thousands(header: &str) -> bool {
    let lower = header.to_lowercase();
    lower.contains("k€") || lower.contains("keur") || lower.contains("k euros") || lower.contains("milliers d")
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
    fn header_words_are_matched_without_small_words_units_and_qualifiers() {
        let matcher = HeaderMatcher::new(&HashMap::new());
        for header in ["Coût", "Coût (€)", "Montant annuel", "Coût annuel (k€)", "COUT ANNUEL HT"] {
            assert_eq!(matcher.field(header), Some(Field::AnnualCost), "{header}");
        }
        for header in ["Fin contrat", "Date fin contrat", "Échéance du contrat", "Date de fin du contrat"] {
            assert_eq!(matcher.field(header), Some(Field::ContractEnd), "{header}");
        }
        assert_eq!(matcher.field("Coût d'acquisition (k€)"), Some(Field::AcquisitionCost));
        assert_eq!(matcher.field("Date"), None);
        assert_eq!(matcher.field("Montant d'acquisition"), Some(Field::AcquisitionCost));
        assert_eq!(matcher.field("Couleur"), None);
    }

    #[test]
    fn a_typo_or_mojibake_in_a_header_is_understood_and_said() {
        let matcher = HeaderMatcher::new(&HashMap::new());
        assert_eq!(matcher.reading("FINNES"), Some(HeaderReading::Typo(Field::Finess, "FINESS".to_owned())));
        assert_eq!(matcher.reading("C — Application"), None, "a letter before a known word is no typo");
        assert_eq!(matcher.reading("Etablisement").map(|r| r.field()), Some(Field::EtablissementName));
        assert_eq!(matcher.reading("Editteur").map(|r| r.field()), Some(Field::Vendor));
        assert_eq!(matcher.reading("Ã‰diteur"), Some(HeaderReading::Repaired(Field::Vendor, "Éditeur".to_owned())));
        assert_eq!(matcher.reading("Nom de l'aplication").map(|r| r.field()), Some(Field::Application));
        assert_eq!(matcher.reading("Lots"), None, "short words are not read with a typo");
        assert_eq!(matcher.reading("Couleurs"), None);
        assert_eq!(repair_mojibake("RÃ©gion").as_deref(), Some("Région"));
        assert_eq!(repair_mojibake("Région"), None);
    }

    #[test]
    fn a_saved_mapping_wins() {
        let mappings = HashMap::from([("Outil".to_owned(), Field::Application)]);
        assert_eq!(HeaderMatcher::new(&mappings).field("outil"), Some(Field::Application));
    }
}
