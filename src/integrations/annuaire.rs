//! The ANS *Annuaire Santé* FHIR API: organisations by FINESS.
//!
//! `GET {base}/Organization?identifier={finess},{finess}…` with the
//! `ESANTE-API-KEY` header answers a FHIR Bundle of Organization
//! resources: name, address, type, and for a site (FINESS ET) the legal
//! entity (EJ) it is part of. FINESS numbers are batched per call. The
//! base URL and key are configuration; without them the feature is off and
//! everything else works.

use std::collections::HashMap;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::outbound::{Outbound, OutboundError, RetryPolicy};
use crate::domain::Finess;

/// FINESS numbers asked per call.
pub const BATCH: usize = 50;

/// The identifier systems of FINESS numbers (the older one in `http`).
const FINESS_SYSTEMS: [&str; 2] = ["https://finess.esante.gouv.fr", "http://finess.esante.gouv.fr"];

/// Where the Annuaire Santé is and the key to it.
#[derive(Debug, Clone)]
pub struct AnnuaireSettings {
    /// The FHIR base (`https://gateway.api.esante.gouv.fr/fhir/v2`).
    pub base: url::Url,
    /// The `ESANTE-API-KEY` (never logged).
    pub key: SecretString,
}

/// Whether a FINESS names a legal entity or a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FinessKind {
    /// FINESS juridique.
    Ej,
    /// FINESS géographique.
    Et,
}

/// An organisation as the Annuaire Santé describes it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct Organization {
    /// Its FINESS.
    #[schema(value_type = String)]
    pub finess: Finess,
    /// EJ or ET, when the identifier says.
    pub kind: Option<FinessKind>,
    /// Its name.
    pub name: String,
    /// Postcode and city (`76600 LE HAVRE`).
    pub commune: Option<String>,
    /// Street lines.
    pub address: Vec<String>,
    /// Its type (the FINESS category label).
    pub category: Option<String>,
    /// For a site, the legal entity it is part of.
    #[schema(value_type = Option<String>)]
    pub part_of: Option<Finess>,
}

/// A client of the Annuaire Santé.
#[derive(Debug, Clone)]
pub struct Annuaire {
    outbound: Outbound,
    settings: AnnuaireSettings,
}

impl Annuaire {
    /// A client; nothing is called until asked.
    ///
    /// # Errors
    /// When the TLS stack cannot be set up.
    pub fn new(settings: AnnuaireSettings, policy: RetryPolicy) -> Result<Self, reqwest::Error> {
        Ok(Annuaire { outbound: Outbound::new("l'Annuaire Santé", policy)?, settings })
    }

    /// The organisations of these FINESS numbers (those it knows), asked
    /// [`BATCH`] at a time.
    ///
    /// # Errors
    /// When a call fails for good (see [`OutboundError`]).
    pub async fn organizations(&self, finess: &[Finess]) -> Result<Vec<Organization>, OutboundError> {
        let mut found = Vec::new();
        let url = self.settings.base.as_str().trim_end_matches('/').to_owned() + "/Organization";
        for batch in finess.chunks(BATCH) {
            let identifiers: Vec<&str> = batch.iter().map(Finess::as_str).collect();
            let identifiers = identifiers.join(",");
            let answer = self
                .outbound
                .send(|http| {
                    http.get(&url)
                        .query(&[("identifier", identifiers.as_str()), ("_count", "100")])
                        .header("ESANTE-API-KEY", self.settings.key.expose_secret())
                        .header(reqwest::header::ACCEPT, "application/fhir+json, application/json")
                })
                .await?;
            let organizations = read_bundle(&answer.body)
                .map_err(|detail| OutboundError::Invalid { service: self.outbound.service(), detail })?;
            found.extend(organizations.into_iter().filter(|o| batch.contains(&o.finess)));
        }
        Ok(found)
    }
}

#[derive(Debug, Deserialize)]
struct Bundle {
    #[serde(rename = "resourceType")]
    resource_type: String,
    #[serde(default)]
    entry: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
struct Entry {
    resource: Option<Resource>,
}

#[derive(Debug, Deserialize)]
struct Resource {
    #[serde(rename = "resourceType")]
    resource_type: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    identifier: Vec<Identifier>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default, rename = "type")]
    kinds: Vec<CodeableConcept>,
    #[serde(default)]
    address: Vec<Address>,
    #[serde(default, rename = "partOf")]
    part_of: Option<Reference>,
}

#[derive(Debug, Deserialize)]
struct Identifier {
    #[serde(default)]
    system: Option<String>,
    #[serde(default)]
    value: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<CodeableConcept>,
}

#[derive(Debug, Deserialize)]
struct CodeableConcept {
    #[serde(default)]
    coding: Vec<Coding>,
    #[serde(default)]
    text: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Coding {
    #[serde(default)]
    system: Option<String>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    display: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Address {
    #[serde(default)]
    line: Vec<String>,
    #[serde(default, rename = "postalCode")]
    postal_code: Option<String>,
    #[serde(default)]
    city: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Reference {
    #[serde(default)]
    reference: Option<String>,
    #[serde(default)]
    identifier: Option<Identifier>,
}

impl Identifier {
    fn finess(&self) -> Option<Finess> {
        let system = self.system.as_deref()?;
        if !FINESS_SYSTEMS.iter().any(|s| system.trim_end_matches('/') == *s) {
            return None;
        }
        Finess::parse(self.value.as_deref()?).ok()
    }

    fn finess_kind(&self) -> Option<FinessKind> {
        let codes = self.kind.iter().flat_map(|k| &k.coding).filter_map(|c| c.code.as_deref());
        codes.into_iter().find_map(|code| match code {
            "FINEJ" => Some(FinessKind::Ej),
            "FINEG" => Some(FinessKind::Et),
            _ => None,
        })
    }
}

/// Reads a FHIR Bundle of Organization resources.
///
/// # Errors
/// When it is not a Bundle.
pub fn read_bundle(bytes: &[u8]) -> Result<Vec<Organization>, String> {
    let bundle: Bundle = serde_json::from_slice(bytes).map_err(|e| format!("JSON FHIR illisible : {e}"))?;
    if bundle.resource_type != "Bundle" {
        return Err(format!("un Bundle FHIR était attendu, pas « {} »", bundle.resource_type));
    }
    let resources: Vec<Resource> =
        bundle.entry.into_iter().filter_map(|e| e.resource).filter(|r| r.resource_type == "Organization").collect();
    // `partOf` may name the legal entity by identifier, or by the id of
    // another resource of the bundle.
    let by_id: HashMap<String, Finess> = resources
        .iter()
        .filter_map(|r| Some((r.id.clone()?, r.identifier.iter().find_map(Identifier::finess)?)))
        .collect();
    Ok(resources
        .iter()
        .filter_map(|r| {
            let identifier = r.identifier.iter().find(|i| i.finess().is_some())?;
            let finess = identifier.finess()?;
            let part_of = r.part_of.as_ref().and_then(|p| {
                p.identifier.as_ref().and_then(Identifier::finess).or_else(|| {
                    let id = p.reference.as_deref()?.rsplit('/').next()?;
                    by_id.get(id).cloned()
                })
            });
            let address = r.address.first();
            let commune = address.and_then(|a| {
                let text =
                    [a.postal_code.as_deref(), a.city.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
                Some(text).filter(|t| !t.is_empty())
            });
            let category = r.kinds.iter().find_map(|k| {
                k.coding
                    .iter()
                    .find(|c| c.system.as_deref().is_some_and(|s| s.contains("R66")))
                    .and_then(|c| c.display.clone())
                    .or_else(|| k.text.clone())
            });
            Some(Organization {
                kind: identifier.finess_kind().or(if part_of.is_some() { Some(FinessKind::Et) } else { None }),
                name: r.name.clone().unwrap_or_default(),
                commune,
                address: address.map(|a| a.line.clone()).unwrap_or_default(),
                category,
                part_of,
                finess,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organisations_are_read_with_both_identifier_systems_and_the_ej_link() {
        let bundle = serde_json::json!({
            "resourceType": "Bundle",
            "entry": [
                {"resource": {
                    "resourceType": "Organization", "id": "org-ej",
                    "identifier": [{"system": "http://finess.esante.gouv.fr", "value": "760780239",
                        "type": {"coding": [{"code": "FINEJ"}]}}],
                    "name": "GROUPE HOSPITALIER DU HAVRE"
                }},
                {"resource": {
                    "resourceType": "Organization", "id": "org-et",
                    "identifier": [{"system": "https://finess.esante.gouv.fr", "value": "760780726"}],
                    "name": "HOPITAL JACQUES MONOD",
                    "type": [{"coding": [{"system": "https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement", "code": "355", "display": "Centre Hospitalier (C.H.)"}]}],
                    "address": [{"line": ["29 AVENUE PIERRE MENDES FRANCE"], "postalCode": "76290", "city": "MONTIVILLIERS"}],
                    "partOf": {"reference": "Organization/org-ej"}
                }},
                {"resource": {"resourceType": "OperationOutcome"}}
            ]
        });
        let read = read_bundle(bundle.to_string().as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read.len(), 2);
        assert_eq!((read[0].kind, read[0].part_of.as_ref()), (Some(FinessKind::Ej), None));
        let site = &read[1];
        assert_eq!(site.part_of.as_ref().map(Finess::as_str), Some("760780239"));
        assert_eq!((site.kind, site.commune.as_deref()), (Some(FinessKind::Et), Some("76290 MONTIVILLIERS")));
        assert_eq!(site.category.as_deref(), Some("Centre Hospitalier (C.H.)"));
        assert!(read_bundle(br#"{"resourceType": "OperationOutcome"}"#).is_err());
        assert!(read_bundle(b"<html>").is_err());
    }
}
