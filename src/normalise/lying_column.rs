//! Columns that lie: a sheet whose header is shifted or mis-assigned reads
//! the wrong column as the application (survey workbooks pasted one column
//! off, a header row that does not match its data). Its first rows show
//! it: the column taken as Application names almost no known software
//! while another column names plenty, or it holds communes and hospital
//! names. Such a sheet must not be imported as if nothing were wrong.

use crate::import::table::{InventorySheet, TableRow};

/// Rows of a sheet looked at before any is imported.
pub const SAMPLE_ROWS: usize = 50;
/// Values the application column must hold before it is judged.
const MIN_VALUES: usize = 5;

/// What the sample says of the application column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// It reads as applications (or there is too little to say).
    Trusted,
    /// It names less than a tenth of known software or states, and
    /// another column names far more.
    Shifted {
        /// Its index, values and how many were recognised.
        application: (usize, usize, usize),
        /// The other column's index, values and how many were recognised.
        better: (usize, usize, usize),
    },
    /// It holds mostly communes or établissement names.
    Places {
        /// Its index, values and how many are places.
        application: (usize, usize, usize),
    },
}

/// Judges the application column of a sheet from its first rows.
/// `recognises` says whether a text is a known product, alias or state;
/// `is_place` whether it is a commune or an établissement's name.
pub fn judge(
    sheet: &InventorySheet,
    rows: &[TableRow],
    recognises: impl Fn(&str) -> bool,
    is_place: impl Fn(&str) -> bool,
) -> Verdict {
    let Some(application) = sheet.column_of(crate::import::headers::Field::Application) else {
        return Verdict::Trusted;
    };
    let texts = |column: usize| -> Vec<String> {
        rows.iter()
            .filter_map(|r| r.cells.get(column))
            .filter(|c| !c.is_blank())
            .map(|c| c.display().trim().to_owned())
            .collect()
    };
    let own = texts(application);
    if own.len() < MIN_VALUES {
        return Verdict::Trusted;
    }
    let recognised = own.iter().filter(|t| recognises(t)).count();
    if recognised * 10 >= own.len() {
        return Verdict::Trusted;
    }
    let places = own.iter().filter(|t| is_place(t)).count();
    if places * 2 > own.len() {
        return Verdict::Places { application: (application, own.len(), places) };
    }
    let better = (0..sheet.columns.len())
        .filter(|&i| i != application)
        .map(|i| {
            let values = texts(i);
            let found = values.iter().filter(|t| recognises(t)).count();
            (i, values.len(), found)
        })
        .filter(|&(_, values, found)| found >= 3 && found >= 4 * recognised.max(1) && found * 2 >= values)
        .max_by_key(|&(_, _, found)| found);
    match better {
        Some(better) => Verdict::Shifted { application: (application, own.len(), recognised), better },
        None => Verdict::Trusted,
    }
}

/// Values a presumed application column must hold before it is read.
const PRESUMED_MIN_VALUES: usize = 3;

/// Whether the column presumed to hold the applications (the only one of
/// its header row naming no field) does: more than half of its values in
/// the first rows are known products or states, and one at least is a
/// product (a column of « oui », « non », « NC » is an answer to something
/// else). Returns its values and how many were recognised.
pub fn presumed_confirmed(
    rows: &[TableRow],
    column: usize,
    product: impl Fn(&str) -> bool,
    state: impl Fn(&str) -> bool,
) -> (bool, usize, usize) {
    let values: Vec<String> = rows
        .iter()
        .filter_map(|r| r.cells.get(column))
        .filter(|c| !c.is_blank())
        .map(|c| c.display().trim().to_owned())
        .collect();
    let products = values.iter().filter(|t| product(t)).count();
    let recognised = products + values.iter().filter(|t| !product(t) && state(t)).count();
    let confirmed = values.len() >= PRESUMED_MIN_VALUES && products > 0 && recognised * 2 > values.len();
    (confirmed, values.len(), recognised)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::Cell;
    use crate::import::headers::Field;
    use crate::import::table::Column;

    fn sheet(headers: &[(&str, Option<Field>)]) -> InventorySheet {
        let columns = headers
            .iter()
            .enumerate()
            .map(|(i, (header, field))| Column {
                number: i as u32 + 1,
                letter: ((b'A' + i as u8) as char).to_string(),
                header: (*header).to_owned(),
                field: *field,
                duplicate: false,
                understood: None,
                chosen: None,
                presumed: false,
            })
            .collect();
        InventorySheet { name: "Enquête".to_owned(), header_row: 1, columns }
    }

    fn rows(cells: &[[&str; 3]]) -> Vec<TableRow> {
        cells
            .iter()
            .enumerate()
            .map(|(i, r)| TableRow {
                excel_row: i as u32 + 2,
                cells: r.iter().map(|c| Cell::Text((*c).to_owned())).collect(),
            })
            .collect()
    }

    const PRODUCTS: [&str; 6] = ["DxCare", "Pastel", "Glims", "Magh2", "Agirh", "Sillage"];
    const PLACES: [&str; 6] = ["Le Havre", "Fécamp", "Lillebonne", "Bolbec", "CH du Havre", "Rouen"];

    #[test]
    fn a_shifted_header_is_told_and_a_right_one_trusted() {
        let sheet = sheet(&[("Application", Some(Field::Application)), ("x", None), ("Éditeur", Some(Field::Vendor))]);
        let shifted = rows(&[
            ["Urgences", "DxCare", "Dedalus"],
            ["Administratif", "Pastel", "MiPih"],
            ["Biologie", "Glims", "Clinisys"],
            ["Finances", "Magh2", "MiPih"],
            ["Paie", "Agirh", "MiPih"],
        ]);
        let recognises = |t: &str| PRODUCTS.contains(&t);
        let is_place = |t: &str| PLACES.contains(&t);
        assert_eq!(
            judge(&sheet, &shifted, recognises, is_place),
            Verdict::Shifted { application: (0, 5, 0), better: (1, 5, 5) }
        );
        let right = rows(&[
            ["DxCare", "", "Dedalus"],
            ["Pastel", "", "MiPih"],
            ["Logiciel maison X", "", ""],
            ["Glims", "", "Clinisys"],
            ["Registre", "", ""],
        ]);
        assert_eq!(judge(&sheet, &right, recognises, is_place), Verdict::Trusted);
        let places = rows(&[
            ["Le Havre", "", ""],
            ["Fécamp", "", ""],
            ["Lillebonne", "", ""],
            ["Bolbec", "", ""],
            ["Tableur", "", ""],
        ]);
        assert_eq!(judge(&sheet, &places, recognises, is_place), Verdict::Places { application: (0, 5, 4) });
        assert_eq!(judge(&sheet, &places[..3], recognises, is_place), Verdict::Trusted, "too little to say");
    }

    #[test]
    fn a_presumed_column_is_confirmed_by_products_and_states_not_by_answers() {
        let product = |t: &str| PRODUCTS.contains(&t);
        let state = |t: &str| ["NC", "papier", "non"].contains(&t);
        let named = rows(&[["DxCare", "", ""], ["papier", "", ""], ["Glims", "", ""], ["Registre", "", ""]]);
        assert_eq!(presumed_confirmed(&named, 0, product, state), (true, 4, 3));
        let answers = rows(&[["non", "", ""], ["NC", "", ""], ["non", "", ""], ["oui", "", ""]]);
        assert_eq!(presumed_confirmed(&answers, 0, product, state), (false, 4, 3), "no product among them");
        let half = rows(&[["DxCare", "", ""], ["Registre", "", ""], ["Tableur", "", ""], ["Pastel", "", ""]]);
        assert_eq!(presumed_confirmed(&half, 0, product, state), (false, 4, 2), "not more than half");
        assert!(!presumed_confirmed(&named[..2], 0, product, state).0, "too little to say");
    }
}
