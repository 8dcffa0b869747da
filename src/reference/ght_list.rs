//! The DGOS list of GHTs and their établissements parties: one row per
//! établissement, in one of two layouts — 2017 (`REGION`, `DENOMINATION
//! GHT`, `CODE GHT`, `FINESS`, `CATEGORIE`, `DENOMINATION ETABLISSEMENT`,
//! `COMMUNE`, `CODE POSTAL`) or 2024 (`GHT_CODE`, `GHT_LIB`, `ARS_CODE`,
//! `ES_FINESS`, `GHT_SUPPORT`…). The header row is found anywhere in the
//! first rows, as the importer finds an inventory's.
//!
//! Reading is pure: cells in, rows and problems out.

use std::collections::HashMap;

use crate::domain::{Finess, FinessWarning, GhtCode, normalise_key};
use crate::import::{Cell, RawWorkbook, column_letter};

/// Rows looked at for the header.
const HEADER_SEARCH_ROWS: usize = 30;

/// What a column of the list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Column {
    GhtCode,
    GhtName,
    Region,
    Finess,
    EtablissementName,
    Support,
}

fn column_of(header: &str) -> Option<Column> {
    Some(match normalise_key(header).as_str() {
        "codeght" | "ghtcode" => Column::GhtCode,
        "denominationght" | "ghtlib" | "ghtlibelle" | "nomght" => Column::GhtName,
        "region" | "arscode" => Column::Region,
        "finess" | "esfiness" | "finessej" | "finessjuridique" => Column::Finess,
        "denominationetablissement" | "eslib" | "raisonsociale" | "eslibelle" => Column::EtablissementName,
        "ghtsupport" | "support" | "etablissementsupport" => Column::Support,
        _ => return None,
    })
}

/// One établissement partie of a GHT.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedMember {
    /// Sheet and Excel row, for the report.
    pub sheet: String,
    /// Excel row.
    pub row: u32,
    /// The GHT, normalised (`MAR_01` → `MAR-01`).
    pub ght: GhtCode,
    /// The GHT's name, when the list gives one.
    pub ght_name: Option<String>,
    /// The établissement's FINESS juridique.
    pub finess: Finess,
    /// How the FINESS was repaired (leading zero, key), in French.
    pub repaired: Option<String>,
    /// The établissement's name, when the list gives one.
    pub name: Option<String>,
    /// Whether the list marks it as the GHT's support.
    pub support: bool,
}

/// A row that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ListProblem {
    /// Sheet.
    pub sheet: String,
    /// Excel row.
    pub row: u32,
    /// Column letter.
    pub column: String,
    /// The value found.
    pub value: String,
    /// What is wrong, in French.
    pub reason: String,
}

/// The list as read.
#[derive(Debug, Default)]
pub struct GhtList {
    /// Its members, in file order.
    pub members: Vec<ListedMember>,
    /// Rows that could not be read.
    pub problems: Vec<ListProblem>,
}

/// Why a workbook is not a GHT list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "aucune feuille n'a, dans ses {HEADER_SEARCH_ROWS} premières lignes, un en-tête avec le code du GHT (CODE GHT ou GHT_CODE) et le FINESS (FINESS ou ES_FINESS) : ce n'est pas la liste des GHT de la DGOS"
)]
pub struct NotAGhtList;

/// Reads the list from a workbook: every sheet with a header row.
///
/// # Errors
/// When no sheet has a header naming the GHT code and the FINESS.
pub fn read(workbook: &RawWorkbook) -> Result<GhtList, NotAGhtList> {
    let mut list = GhtList::default();
    let mut found = false;
    for sheet in &workbook.sheets {
        let Some((header_index, columns)) = header(&sheet.rows) else { continue };
        found = true;
        let at = |row: &[Cell], wanted: Column| {
            columns
                .iter()
                .find(|(_, c)| *c == wanted)
                .and_then(|(i, _)| row.get(*i))
                .map(|cell| cell.display().trim().to_owned())
                .filter(|text| !text.is_empty())
        };
        let letter = |wanted: Column| {
            columns
                .iter()
                .find(|(_, c)| *c == wanted)
                .map(|(i, _)| column_letter(sheet.first_col + *i as u32))
                .unwrap_or_default()
        };
        for (offset, row) in sheet.rows.iter().enumerate().skip(header_index + 1) {
            let excel_row = sheet.first_row + offset as u32;
            let (code, finess) = (at(row, Column::GhtCode), at(row, Column::Finess));
            if code.is_none() && finess.is_none() {
                continue;
            }
            let problem = |column: Column, value: Option<String>, reason: String| ListProblem {
                sheet: sheet.name.clone(),
                row: excel_row,
                column: letter(column),
                value: value.unwrap_or_default(),
                reason,
            };
            let ght = match code.as_deref().map(GhtCode::parse) {
                Some(Ok(ght)) => ght,
                Some(Err(e)) => {
                    list.problems.push(problem(Column::GhtCode, code, format!("code de GHT illisible : {e}")));
                    continue;
                }
                None => {
                    list.problems.push(problem(Column::GhtCode, None, "code de GHT manquant".to_owned()));
                    continue;
                }
            };
            let recovered = match finess.as_deref().map(Finess::recover) {
                Some(Ok(recovered)) => recovered,
                Some(Err(e)) => {
                    list.problems.push(problem(Column::Finess, finess, format!("FINESS invalide : {e}")));
                    continue;
                }
                None => {
                    list.problems.push(problem(Column::Finess, None, "FINESS manquant".to_owned()));
                    continue;
                }
            };
            let repaired = (!recovered.warnings.is_empty()).then(|| {
                let what: Vec<&str> = recovered
                    .warnings
                    .iter()
                    .map(|w| match w {
                        FinessWarning::LeadingZeroRestored => "zéro initial mangé par le tableur, rétabli",
                        FinessWarning::KeyComputed => "numéro sans sa clé, clé calculée : à vérifier",
                        FinessWarning::CorsicanKeyUnverified => "clé d'un numéro corse non vérifiable",
                    })
                    .collect();
                format!("« {} » lu {} ({})", finess.clone().unwrap_or_default(), recovered.finess, what.join(", "))
            });
            let support =
                at(row, Column::Support).is_some_and(|s| matches!(normalise_key(&s).as_str(), "o" | "oui" | "x" | "1"));
            list.members.push(ListedMember {
                sheet: sheet.name.clone(),
                row: excel_row,
                ght,
                ght_name: at(row, Column::GhtName),
                finess: recovered.finess,
                repaired,
                name: at(row, Column::EtablissementName),
                support,
            });
        }
    }
    if found { Ok(list) } else { Err(NotAGhtList) }
}

/// The header row: the first of the first rows naming both the GHT code
/// and the FINESS; each column's meaning.
fn header(rows: &[Vec<Cell>]) -> Option<(usize, Vec<(usize, Column)>)> {
    rows.iter().take(HEADER_SEARCH_ROWS).enumerate().find_map(|(index, row)| {
        let mut seen: HashMap<Column, usize> = HashMap::new();
        for (i, cell) in row.iter().enumerate() {
            if let Some(column) = column_of(&cell.display()) {
                seen.entry(column).or_insert(i);
            }
        }
        (seen.contains_key(&Column::GhtCode) && seen.contains_key(&Column::Finess))
            .then(|| (index, seen.into_iter().map(|(c, i)| (i, c)).collect()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{Format, RawSheet};

    fn workbook(rows: &[&[&str]]) -> RawWorkbook {
        let rows = rows
            .iter()
            .map(|r| r.iter().map(|c| if c.is_empty() { Cell::Empty } else { Cell::Text((*c).to_owned()) }).collect())
            .collect();
        RawWorkbook {
            format: Format::Xlsx,
            sheets: vec![RawSheet { name: "GHT".to_owned(), first_row: 1, first_col: 1, rows }],
        }
    }

    #[test]
    fn both_layouts_are_read_and_codes_normalised() {
        let list_2017 = workbook(&[
            &["Liste des GHT au 1er juillet 2016"],
            &["REGION", "DENOMINATION GHT", "CODE GHT", "FINESS", "CATEGORIE", "DENOMINATION ETABLISSEMENT"],
            &["Normandie", "GHT Estuaire", "NOR_02", "760780239", "CH", "GH DU HAVRE"],
        ]);
        let read_2017 = read(&list_2017).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read_2017.members.len(), 1);
        let member = &read_2017.members[0];
        assert_eq!((member.ght.as_str(), member.row, member.support), ("NOR-02", 3, false));
        assert_eq!(member.name.as_deref(), Some("GH DU HAVRE"));

        let list_2024 = workbook(&[
            &["GHT_CODE", "GHT_LIB", "ARS_CODE", "ES_FINESS", "GHT_SUPPORT"],
            &["MAR_01", "GHT Martinique", "MAR", "97210004", "O"],
            &["MAR_01", "GHT Martinique", "MAR", "972000123", ""],
            &["MAR-1", "GHT Martinique", "MAR", "970000000", ""],
        ]);
        let read_2024 = read(&list_2024).unwrap_or_else(|e| panic!("{e}"));
        let member = &read_2024.members[0];
        assert_eq!((member.ght.as_str(), member.support), ("MAR-01", true));
        assert!(member.repaired.is_some(), "an 8-digit FINESS is repaired and said");
        let problems: Vec<(u32, &str)> = read_2024.problems.iter().map(|p| (p.row, p.column.as_str())).collect();
        assert_eq!(problems, [(3, "D"), (4, "A")]);
    }

    #[test]
    fn a_workbook_without_the_columns_is_not_a_list() {
        assert_eq!(read(&workbook(&[&["Application", "Editeur"], &["DxCare", "Dedalus"]])).err(), Some(NotAGhtList));
    }
}
