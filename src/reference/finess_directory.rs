//! The FINESS directory of French hospital sites (2025 extract).

use std::collections::HashMap;
use std::sync::OnceLock;

use super::{ReferenceError, reader};
use crate::domain::Finess;

const FILE: &str = "finess_hospitals_2025.csv";
const DATA: &str = include_str!("data/finess_hospitals_2025.csv");

/// One hospital site (FINESS ET) and its legal entity (EJ).
#[derive(Debug, Clone)]
pub struct DirectorySite {
    /// FINESS géographique.
    pub finess_et: Finess,
    /// FINESS juridique the site belongs to.
    pub finess_ej: Finess,
    /// Short name of the site (`CH DE FLEYRIAT`).
    pub short_name: String,
    /// Long name of the site.
    pub long_name: String,
    /// Département code (`01`, `2A`, `9A` for Guadeloupe).
    pub departement: String,
    /// Postcode and commune (`01440 VIRIAT`).
    pub commune: String,
    /// FINESS category label.
    pub category: String,
}

/// Sites by ET and by EJ, to fill in names and sites when an operator
/// registers an établissement by its FINESS alone.
#[derive(Debug, Default)]
pub struct FinessDirectory {
    sites: Vec<DirectorySite>,
    by_et: HashMap<Finess, usize>,
    by_ej: HashMap<Finess, Vec<usize>>,
}

impl FinessDirectory {
    /// Every FINESS juridique of the directory, in order.
    pub fn ejs(&self) -> Vec<&Finess> {
        let mut ejs: Vec<&Finess> = self.by_ej.keys().collect();
        ejs.sort();
        ejs
    }

    /// Every site, in file order.
    pub fn sites(&self) -> &[DirectorySite] {
        &self.sites
    }

    /// A site by its FINESS ET.
    pub fn site(&self, finess_et: &Finess) -> Option<&DirectorySite> {
        self.by_et.get(finess_et).map(|&i| &self.sites[i])
    }

    /// Every site of a legal entity, in FINESS order.
    pub fn sites_of(&self, finess_ej: &Finess) -> impl Iterator<Item = &DirectorySite> {
        self.by_ej.get(finess_ej).into_iter().flatten().map(|&i| &self.sites[i])
    }

    /// Whether the number is a known EJ.
    pub fn is_ej(&self, finess: &Finess) -> bool {
        self.by_ej.contains_key(finess)
    }

    /// Number of sites.
    pub fn len(&self) -> usize {
        self.sites.len()
    }

    /// Whether the directory is empty.
    pub fn is_empty(&self) -> bool {
        self.sites.is_empty()
    }
}

#[derive(serde::Deserialize)]
struct Row {
    nofinesset: String,
    nofinessej: String,
    rs_courte: String,
    rs_longue: String,
    departement_code: String,
    ville_cp: String,
    categorie_libelle: String,
}

fn parse() -> Result<FinessDirectory, ReferenceError> {
    let mut directory = FinessDirectory::default();
    for (i, record) in reader(DATA).deserialize::<Row>().enumerate() {
        let error = |reason: String| ReferenceError { file: FILE, line: i + 2, reason };
        let row = record.map_err(|e| error(e.to_string()))?;
        let site = DirectorySite {
            finess_et: Finess::parse(&row.nofinesset).map_err(|e| error(e.to_string()))?,
            finess_ej: Finess::parse(&row.nofinessej).map_err(|e| error(e.to_string()))?,
            short_name: row.rs_courte.trim().to_owned(),
            long_name: row.rs_longue.trim().to_owned(),
            departement: row.departement_code,
            commune: row.ville_cp.trim().to_owned(),
            category: row.categorie_libelle,
        };
        let index = directory.sites.len();
        directory.by_et.insert(site.finess_et.clone(), index);
        directory.by_ej.entry(site.finess_ej.clone()).or_default().push(index);
        directory.sites.push(site);
    }
    Ok(directory)
}

/// The directory, parsed once on first use.
///
/// # Errors
/// When the embedded file is malformed (a release bug, tested).
pub fn finess_directory() -> Result<&'static FinessDirectory, &'static ReferenceError> {
    static DIRECTORY: OnceLock<Result<FinessDirectory, ReferenceError>> = OnceLock::new();
    DIRECTORY.get_or_init(parse).as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_site_of_the_2025_extract_passes_its_key() {
        let directory = finess_directory().map_err(|e| e.to_string());
        assert_eq!(directory.map(FinessDirectory::len), Ok(4657));
    }

    #[test]
    fn sites_are_found_by_their_legal_entity() {
        let Ok(directory) = finess_directory() else { panic!("directory") };
        let Ok(chu_rouen) = Finess::parse("760780239") else { panic!("finess") };
        assert!(directory.is_ej(&chu_rouen));
        assert!(directory.sites_of(&chu_rouen).count() >= 1);
    }
}
