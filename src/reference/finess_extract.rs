//! The public FINESS extract (« FINESS Extraction du Fichier des
//! établissements », open data): ISO-8859-1, `;`-separated, no header
//! names, a first line of metadata that dates the extract, then one record
//! per line, typed by its first field. `structureet` lines describe a site
//! (FINESS ET) and its legal entity (EJ); `geolocalisation` lines give a
//! site's coordinates. Later extracts append columns and record types:
//! both are tolerated.
//!
//! Reading is pure and total: every line is either a record or a
//! [`MalformedLine`] naming its number and the field at fault, in French.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use crate::domain::Finess;

/// Fields of a `structureet` line after its type, in order.
const STRUCTURE_FIELDS: [&str; 30] = [
    "nofinesset",
    "nofinessej",
    "rs",
    "rslongue",
    "complrs",
    "compldistrib",
    "numvoie",
    "typvoie",
    "voie",
    "compvoie",
    "lieuditbp",
    "commune",
    "departement",
    "libdepartement",
    "ligneacheminement",
    "telephone",
    "telecopie",
    "categetab",
    "libcategetab",
    "categagretab",
    "libcategagretab",
    "siret",
    "codeape",
    "codemft",
    "libmft",
    "codesph",
    "libsph",
    "dateouv",
    "dateautor",
    "datemaj",
];

/// Fields of a `geolocalisation` line after its type, in order.
const GEOLOCATION_FIELDS: [&str; 5] = ["nofinesset", "coordxet", "coordyet", "sourcecoordet", "datemaj"];

/// Malformed lines kept in the report; the others are counted.
pub const MALFORMED_KEPT: usize = 1000;

/// A site as the extract describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtractSite {
    /// FINESS géographique.
    pub finess_et: Finess,
    /// FINESS juridique.
    pub finess_ej: Finess,
    /// Raison sociale (`CH DE FLEYRIAT`).
    pub short_name: String,
    /// Raison sociale longue.
    pub long_name: String,
    /// Category code (`355`) and label (`Centre Hospitalier (C.H.)`).
    pub category: Option<(String, String)>,
    /// Département code (`01`, `2A`, `9A`).
    pub departement: Option<String>,
    /// Postcode and commune as the post office writes it (`01440 VIRIAT`).
    pub commune: Option<String>,
    /// Lambert coordinates and their source, from the `geolocalisation`
    /// line.
    pub coordinates: Option<Coordinates>,
    /// Date of opening.
    pub opened_on: Option<NaiveDate>,
    /// Date of the record's last update in the directory.
    pub updated_on: Option<NaiveDate>,
}

/// A site's coordinates as the extract gives them (Lambert 93 in
/// metropolitan France, a local projection overseas).
#[derive(Debug, Clone, PartialEq)]
pub struct Coordinates {
    /// X.
    pub x: f64,
    /// Y.
    pub y: f64,
    /// How they were obtained.
    pub source: String,
}

/// A line that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct MalformedLine {
    /// Line number in the file (1 = the metadata line).
    pub line: usize,
    /// The field at fault (`nofinesset`, `dateouv`…), or `ligne`.
    pub field: String,
    /// What is wrong, in French.
    pub reason: String,
}

/// An extract read whole.
#[derive(Debug, Default)]
pub struct Extract {
    /// The extract's date, from its metadata line.
    pub date: Option<NaiveDate>,
    /// Sites, in file order, coordinates merged in.
    pub sites: Vec<ExtractSite>,
    /// Lines read (the metadata line included, blank lines excluded).
    pub lines: usize,
    /// The first [`MALFORMED_KEPT`] malformed lines.
    pub malformed: Vec<MalformedLine>,
    /// How many lines were malformed in all.
    pub malformed_total: usize,
    /// Record types the reader does not use, with their counts.
    pub other_records: BTreeMap<String, usize>,
}

/// Why a file is not an extract at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    /// Nothing in it.
    #[error("le fichier est vide")]
    Empty,
    /// No `structureet` line.
    #[error(
        "le fichier ne contient aucune ligne « structureet » : ce n'est pas l'extraction publique du fichier FINESS des établissements"
    )]
    NoSites,
    /// The metadata line gives no date.
    #[error(
        "la première ligne (métadonnées) ne donne pas la date de l'extraction (attendu : finess;etalab;…;AAAA-MM-JJ)"
    )]
    NoDate,
}

/// Reads an extract.
///
/// # Errors
/// When the file is not an extract at all (empty, no site, undated);
/// malformed lines are reported in the [`Extract`], not as an error.
pub fn read(bytes: &[u8]) -> Result<Extract, ExtractError> {
    // ISO-8859-1 as the open-data portal publishes it; a UTF-8 copy (opened
    // and saved again) is read as such.
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0,
    };
    let text: &str = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut extract = Extract::default();
    let mut coordinates: HashMap<Finess, (Coordinates, usize)> = HashMap::new();
    let mut first = true;
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        extract.lines += 1;
        let fields: Vec<&str> = line.split(';').map(str::trim).collect();
        let kind = fields[0].to_ascii_lowercase();
        if first {
            first = false;
            if kind != "structureet" && kind != "geolocalisation" {
                extract.date = fields.iter().rev().find_map(|f| date(f).ok().flatten());
                continue;
            }
        }
        let result = match kind.as_str() {
            "structureet" => structure(&fields[1..]).map(|site| extract.sites.push(site)),
            "geolocalisation" => geolocation(&fields[1..]).map(|(finess, c)| {
                coordinates.insert(finess, (c, number));
            }),
            other => {
                *extract.other_records.entry(other.to_owned()).or_default() += 1;
                Ok(())
            }
        };
        if let Err((field, reason)) = result {
            extract.malformed_total += 1;
            if extract.malformed.len() < MALFORMED_KEPT {
                extract.malformed.push(MalformedLine { line: number, field: field.to_owned(), reason });
            }
        }
    }
    if extract.lines == 0 {
        return Err(ExtractError::Empty);
    }
    if extract.sites.is_empty() && extract.malformed_total == 0 {
        return Err(ExtractError::NoSites);
    }
    if extract.date.is_none() {
        return Err(ExtractError::NoDate);
    }
    for site in &mut extract.sites {
        if let Some((c, _)) = coordinates.remove(&site.finess_et) {
            site.coordinates = Some(c);
        }
    }
    Ok(extract)
}

type FieldError = (&'static str, String);

fn structure(fields: &[&str]) -> Result<ExtractSite, FieldError> {
    let get = |name: &str| -> &str {
        STRUCTURE_FIELDS.iter().position(|f| *f == name).and_then(|i| fields.get(i)).copied().unwrap_or("")
    };
    if fields.len() < STRUCTURE_FIELDS.len() {
        return Err((
            "ligne",
            format!(
                "{} champs après « structureet » au lieu d'au moins {} : la ligne est tronquée ou son séparateur n'est pas « ; »",
                fields.len(),
                STRUCTURE_FIELDS.len()
            ),
        ));
    }
    let finess_et = finess(get("nofinesset")).map_err(|reason| ("nofinesset", reason))?;
    let finess_ej = finess(get("nofinessej")).map_err(|reason| ("nofinessej", reason))?;
    let short_name = get("rs").to_owned();
    if short_name.is_empty() {
        return Err(("rs", "la raison sociale est vide".to_owned()));
    }
    let text = |name: &str| Some(get(name).to_owned()).filter(|t| !t.is_empty());
    let category = text("categetab").map(|code| (code, get("libcategetab").to_owned()));
    Ok(ExtractSite {
        finess_et,
        finess_ej,
        long_name: text("rslongue").unwrap_or_else(|| short_name.clone()),
        short_name,
        category,
        departement: text("departement"),
        commune: text("ligneacheminement").or_else(|| text("commune")),
        coordinates: None,
        opened_on: date(get("dateouv")).map_err(|reason| ("dateouv", reason))?,
        updated_on: date(get("datemaj")).map_err(|reason| ("datemaj", reason))?,
    })
}

fn geolocation(fields: &[&str]) -> Result<(Finess, Coordinates), FieldError> {
    if fields.len() < GEOLOCATION_FIELDS.len() - 1 {
        return Err((
            "ligne",
            format!(
                "{} champs après « geolocalisation » au lieu d'au moins {}",
                fields.len(),
                GEOLOCATION_FIELDS.len() - 1
            ),
        ));
    }
    let finess_et = finess(fields[0]).map_err(|reason| ("nofinesset", reason))?;
    let number = |raw: &str, name: &'static str| {
        raw.replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .ok_or_else(|| (name, format!("« {raw} » n'est pas une coordonnée (nombre attendu)")))
    };
    let x = number(fields[1], "coordxet")?;
    let y = number(fields[2], "coordyet")?;
    Ok((finess_et, Coordinates { x, y, source: fields[3].to_owned() }))
}

fn finess(raw: &str) -> Result<Finess, String> {
    Finess::parse(raw)
        .or_else(|error| Finess::from_stored(raw).map_err(|_| error))
        .map_err(|error| format!("« {raw} » : {error}"))
}

/// A date as the extract writes it (`2024-12-31`, sometimes `31/12/2024`);
/// empty is none.
fn date(raw: &str) -> Result<Option<NaiveDate>, String> {
    if raw.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(raw, "%d/%m/%Y"))
        .map(Some)
        .map_err(|_| format!("« {raw} » n'est pas une date (attendu : AAAA-MM-JJ)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `structureet` line for a site.
    pub(crate) fn site_line(et: &str, ej: &str, name: &str, category: &str, commune: &str) -> String {
        format!(
            "structureet;{et};{ej};{name};{name} LONG;;;1;RUE;DE LA PAIX;;;440;76;SEINE MARITIME;{commune};0232737475;;{category};Centre Hospitalier (C.H.);1102;Centres Hospitaliers;26760000000000;8610Z;03;ARS TG HOSPIT;1;Etablissement public de santé;1975-01-01;1975-01-01;2024-06-12"
        )
    }

    #[test]
    fn sites_are_read_with_their_coordinates_and_the_extract_is_dated() {
        let text = format!(
            "finess;etalab;95;2024-12-31\n{}\n{};colonne ajoutée\nstructureej;760780239;X\ngeolocalisation;760780726;508012.5;6939981.2;1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93;2024-06-12\n",
            site_line("760780726", "760780239", "CH DU HAVRE", "355", "76600 LE HAVRE"),
            site_line("760780734", "760780239", "CH FECAMP", "355", "76400 FECAMP"),
        );
        let extract = read(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(extract.date, NaiveDate::from_ymd_opt(2024, 12, 31));
        assert_eq!(extract.sites.len(), 2);
        assert!(extract.malformed.is_empty(), "{:?}", extract.malformed);
        assert_eq!(extract.other_records.get("structureej"), Some(&1), "an unknown record type is counted");
        let havre = &extract.sites[0];
        assert_eq!((havre.finess_ej.as_str(), havre.commune.as_deref()), ("760780239", Some("76600 LE HAVRE")));
        assert_eq!(havre.coordinates.as_ref().map(|c| (c.x, c.y)), Some((508012.5, 6939981.2)));
        assert_eq!(extract.sites[1].coordinates, None);
    }

    #[test]
    fn each_malformed_line_names_its_number_and_field() {
        let text = format!(
            "finess;etalab;95;2024-12-31\n{}\nstructureet;760780726;trop court\n{}\n{}\ngeolocalisation;760780726;abc;1;x;2024-01-01\n",
            site_line("760780727", "760780239", "CH DU HAVRE", "355", "76600 LE HAVRE"),
            site_line("760780734", "760780239", "CH FECAMP", "355", "76400 FECAMP")
                .replace("1975-01-01;1975", "31/02/1975;1975"),
            site_line("760780734", "760780239", "", "355", "76400 FECAMP"),
        );
        let extract = read(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let found: Vec<(usize, &str)> = extract.malformed.iter().map(|m| (m.line, m.field.as_str())).collect();
        assert_eq!(found, [(2, "nofinesset"), (3, "ligne"), (4, "dateouv"), (5, "rs"), (6, "coordxet")]);
        assert!(extract.malformed[0].reason.contains("760780727"), "{:?}", extract.malformed[0]);
        assert_eq!(extract.malformed_total, 5);
    }

    #[test]
    fn a_file_that_is_not_an_extract_says_so() {
        assert_eq!(read(b"").err(), Some(ExtractError::Empty));
        assert_eq!(read(b"Application;Editeur\nDxCare;Dedalus\n").err(), Some(ExtractError::NoSites));
        let undated = format!("finess;etalab\n{}\n", site_line("760780726", "760780239", "CH", "355", "X"));
        assert_eq!(read(undated.as_bytes()).err(), Some(ExtractError::NoDate));
    }

    #[test]
    fn latin_1_names_are_decoded() {
        let line = site_line("760780726", "760780239", "CH FÉCAMP", "355", "76400 FÉCAMP");
        let text = format!("finess;etalab;95;2024-12-31\n{line}\n");
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
        let extract = read(&bytes).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(extract.sites[0].short_name, "CH FÉCAMP");
    }
}
