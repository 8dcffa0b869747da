//! Finding the inventory in a workbook: the sheets that hold rows, their
//! header row (anywhere in the first 30 rows, below titles and blank
//! lines), the meaning of each column, and the data rows.

use serde::{Deserialize, Serialize};

use super::headers::{Field, HeaderMatcher, HeaderReading, years_named};
use super::{Cell, column_letter};
use crate::domain::normalise_key;

/// How far down a header row is looked for.
pub const HEADER_SEARCH_ROWS: usize = 30;

/// A column of an inventory sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    /// Excel column number (1 = A).
    pub number: u32,
    /// Excel letter.
    pub letter: String,
    /// Header as written (empty when the column has none).
    pub header: String,
    /// The field it holds; `None` for a column kept as an extra attribute.
    pub field: Option<Field>,
    /// Whether another column already holds the same field.
    pub duplicate: bool,
    /// What the header was understood as, when not as written (a typo, or
    /// mojibake repaired), for the report's note.
    #[serde(default)]
    pub understood: Option<String>,
    /// Why this column was read rather than another naming the same field
    /// (in French), when there were several.
    #[serde(default)]
    pub chosen: Option<String>,
    /// Taken as the application on no header naming it: the only column
    /// of its header row that names no field (« x », « V1 »). Its values
    /// must confirm it (mostly catalogue names or states) before a row is
    /// read.
    #[serde(default)]
    pub presumed: bool,
}

/// A data row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableRow {
    /// Row number as Excel shows it.
    pub excel_row: u32,
    /// Cells aligned with the sheet's columns.
    pub cells: Vec<Cell>,
}

/// One sheet that holds inventory rows: where its header is and what its
/// columns hold. Its rows are handed on one by one ([`Located::Row`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InventorySheet {
    /// Sheet name.
    pub name: String,
    /// Excel row of the header.
    pub header_row: u32,
    /// Its columns, left to right. A column without a header is added when
    /// a row first holds a value in it.
    pub columns: Vec<Column>,
}

impl InventorySheet {
    /// Index of the column holding a field.
    pub fn column_of(&self, field: Field) -> Option<usize> {
        self.columns.iter().position(|c| c.field == Some(field) && !c.duplicate)
    }

    /// The column taken as the application on its header row alone, when
    /// no header names it: its values are still to confirm it.
    pub fn presumed_application(&self) -> Option<usize> {
        self.column_of(Field::Application).filter(|&i| self.columns[i].presumed)
    }

    /// The sheet's layout: a fingerprint of its headers, in order, read
    /// the way headers are compared (case, accents and spacing aside). Two
    /// deposits of one export or one template share it whatever their rows,
    /// so what a GHT said about one (« this file is about the emergency
    /// department ») is applied to the next.
    pub fn layout(&self) -> String {
        use sha2::Digest;
        let mut hasher = sha2::Sha256::new();
        for column in self.columns.iter().filter(|c| !c.header.trim().is_empty()) {
            hasher.update(normalise_key(&column.header).as_bytes());
            hasher.update([0x1f]);
        }
        hex::encode(&hasher.finalize()[..8])
    }
}

/// What reading a sheet row by row makes known, in sheet order.
#[derive(Debug, Clone, PartialEq)]
pub enum Located {
    /// The header row is found: the sheet's columns are known.
    Header,
    /// A column without a header holds its first value (given before the
    /// row that holds it).
    UnheadedColumn(usize),
    /// A total or sub-total row, left out.
    Total(u32),
    /// The header again inside the data, left out.
    RepeatedHeader(u32),
    /// A data row (blank rows are left out).
    Row(TableRow),
}

/// Finds a sheet's header row among its first [`HEADER_SEARCH_ROWS`] rows,
/// then hands its data rows on as they come, so that a sheet never needs
/// to be held whole.
pub struct SheetLocator<'m> {
    matcher: &'m HeaderMatcher,
    name: String,
    first_col: u32,
    /// The rows of the header search window, held until the header is chosen.
    window: Vec<(u32, Vec<Cell>)>,
    /// The first Excel row past the window, once the sheet's first row is known.
    window_end: Option<u32>,
    state: State,
}

enum State {
    Searching,
    Found { sheet: InventorySheet, application: Option<usize>, filled: Vec<bool> },
    Ignored,
}

impl<'m> SheetLocator<'m> {
    /// Starts reading a sheet whose cells are numbered from `first_col`.
    pub fn new(matcher: &'m HeaderMatcher, name: String, first_col: u32) -> Self {
        SheetLocator { matcher, name, first_col, window: Vec::new(), window_end: None, state: State::Searching }
    }

    /// Takes the sheet's next row (rows come in ascending order) and hands
    /// on what it makes known.
    pub fn push(&mut self, excel_row: u32, cells: Vec<Cell>, on: &mut impl FnMut(&InventorySheet, Located)) {
        if let State::Searching = self.state {
            let end = *self.window_end.get_or_insert(excel_row.saturating_add(HEADER_SEARCH_ROWS as u32));
            if excel_row < end {
                self.window.push((excel_row, cells));
                return;
            }
            self.choose_header(on);
        }
        self.data_row(excel_row, cells, on);
    }

    /// The sheet has ended: its inventory sheet, or its name when it has no
    /// header row (a notice, a list).
    pub fn finish(mut self, on: &mut impl FnMut(&InventorySheet, Located)) -> Result<InventorySheet, String> {
        if let State::Searching = self.state {
            self.choose_header(on);
        }
        match self.state {
            State::Found { sheet, .. } => Ok(sheet),
            State::Searching | State::Ignored => Err(self.name),
        }
    }

    /// Picks the header: the row of the window that names the most fields,
    /// among those naming the application, or two rows read together when
    /// they name more (a merged group header above detail headers: « Application »
    /// over « Nom » and « Éditeur »). Then hands on the rows below it.
    fn choose_header(&mut self, on: &mut impl FnMut(&InventorySheet, Located)) {
        let window = std::mem::take(&mut self.window);
        let mut best: Option<(usize, Vec<String>, usize)> = None;
        for (index, (_, row)) in window.iter().enumerate() {
            let texts: Vec<String> = row.iter().map(|c| c.display().trim().to_owned()).collect();
            if let Some(score) = self.score(&texts)
                && best.as_ref().is_none_or(|(_, _, s)| score > *s)
            {
                best = Some((index, texts, score));
            }
        }
        for (index, pair) in window.windows(2).enumerate() {
            let [(top_row, top), (bottom_row, bottom)] = pair else { continue };
            if *bottom_row != top_row + 1 {
                continue;
            }
            let texts = two_row_headers(top, bottom, |text| self.matcher.field(text).is_some());
            // At equal score, the higher header wins: the one below repeats it.
            if let Some(score) = self.score(&texts)
                && best.as_ref().is_none_or(|(at, _, s)| score > *s || (score == *s && index + 1 < *at))
            {
                best = Some((index + 1, texts, score));
            }
        }
        let mut presumed = None;
        if best.is_none() {
            best = self.presumed_header(&window);
            presumed = best.as_ref().and_then(|(_, texts, _)| self.unnamed(texts));
        }
        let Some((header_index, texts, _)) = best else {
            self.state = State::Ignored;
            return;
        };
        let header_row = window[header_index].0;
        let width = window[header_index..].iter().map(|(_, r)| last_filled(r)).max().unwrap_or(0).max(texts.len());
        let mut columns: Vec<Column> = Vec::with_capacity(width);
        for index in 0..width {
            let text = texts.get(index).cloned().unwrap_or_default();
            let reading = self.matcher.reading(&text);
            let field = reading.as_ref().map(HeaderReading::field);
            let understood = reading.as_ref().and_then(HeaderReading::understood_as);
            let duplicate = field.is_some() && columns.iter().any(|c| c.field == field);
            let number = self.first_col + index as u32;
            columns.push(Column {
                number,
                letter: column_letter(number),
                header: text,
                field,
                duplicate,
                understood,
                chosen: None,
                presumed: false,
            });
        }
        if let Some(column) = presumed.and_then(|i| columns.get_mut(i)) {
            column.field = Some(Field::Application);
            column.presumed = true;
        }
        choose_among_duplicates(&mut columns, &window[header_index + 1..], self.matcher.campaign());
        let application = columns.iter().position(|c| c.field == Some(Field::Application) && !c.duplicate);
        let sheet = InventorySheet { name: self.name.clone(), header_row, columns };
        on(&sheet, Located::Header);
        self.state = State::Found { sheet, application, filled: vec![false; width] };
        for (excel_row, cells) in window.into_iter().skip(header_index + 1) {
            self.data_row(excel_row, cells, on);
        }
    }

    /// With no row naming the application: the row of the window naming
    /// the most fields (one at least) where exactly one header names none
    /// (« Établissement », « Domaine », « V1 »). That column is presumed to
    /// hold the applications; the rows below must confirm it.
    fn presumed_header(&self, window: &[(u32, Vec<Cell>)]) -> Option<(usize, Vec<String>, usize)> {
        let mut best: Option<(usize, Vec<String>, usize)> = None;
        for (index, (_, row)) in window.iter().enumerate() {
            let texts: Vec<String> = row.iter().map(|c| c.display().trim().to_owned()).collect();
            let fields = texts.iter().filter(|t| self.matcher.field(t).is_some()).count();
            if fields > 0 && self.unnamed(&texts).is_some() && best.as_ref().is_none_or(|(_, _, s)| fields > *s) {
                best = Some((index, texts, fields));
            }
        }
        best
    }

    /// The only header of a row that names no field, when there is one.
    fn unnamed(&self, texts: &[String]) -> Option<usize> {
        let mut unnamed = texts.iter().enumerate().filter(|(_, t)| !t.is_empty() && self.matcher.field(t).is_none());
        match (unnamed.next(), unnamed.next()) {
            (Some((index, _)), None) => Some(index),
            _ => None,
        }
    }

    /// How many fields a header row names; `None` when it does not name
    /// the application.
    fn score(&self, texts: &[String]) -> Option<usize> {
        let fields: Vec<Field> = texts.iter().filter_map(|t| self.matcher.field(t)).collect();
        fields.contains(&Field::Application).then_some(fields.len())
    }

    /// Whether a data row is the header again (a page break, blocks pasted
    /// one under another, a second header row): its application cell names
    /// the application field and another cell names its own column's field
    /// (« Solution maison » alone is an answer, not a header).
    fn repeats_header(&self, sheet: &InventorySheet, cells: &[Cell], application: Option<usize>) -> bool {
        let Some(application) = application else { return false };
        let names = |cell: &Cell| self.matcher.names_exactly(&cell.display());
        if cells.get(application).and_then(names) != Some(Field::Application) {
            return false;
        }
        cells
            .iter()
            .zip(&sheet.columns)
            .enumerate()
            .any(|(i, (cell, column))| i != application && column.field.is_some() && names(cell) == column.field)
    }

    fn data_row(&mut self, excel_row: u32, mut cells: Vec<Cell>, on: &mut impl FnMut(&InventorySheet, Located)) {
        let State::Found { sheet, application, .. } = &mut self.state else {
            return;
        };
        let width = last_filled(&cells);
        if width == 0 {
            return;
        }
        if is_total(&cells, *application) {
            on(sheet, Located::Total(excel_row));
            return;
        }
        let application = *application;
        if let State::Found { sheet, .. } = &self.state
            && self.repeats_header(sheet, &cells, application)
        {
            on(sheet, Located::RepeatedHeader(excel_row));
            return;
        }
        let State::Found { sheet, filled, .. } = &mut self.state else {
            return;
        };
        while sheet.columns.len() < width {
            let number = self.first_col + sheet.columns.len() as u32;
            let letter = column_letter(number);
            sheet.columns.push(Column {
                number,
                letter,
                header: String::new(),
                field: None,
                duplicate: false,
                understood: None,
                chosen: None,
                presumed: false,
            });
            filled.push(false);
        }
        for (index, cell) in cells.iter().enumerate().take(width) {
            if !filled[index] && !cell.is_blank() {
                filled[index] = true;
                let column = &sheet.columns[index];
                if column.header.is_empty() && column.field.is_none() {
                    on(sheet, Located::UnheadedColumn(index));
                }
            }
        }
        cells.truncate(sheet.columns.len());
        cells.resize(sheet.columns.len(), Cell::Empty);
        on(sheet, Located::Row(TableRow { excel_row, cells }));
    }
}

/// Of several columns naming one field (« Logiciel 2013-2014 », « Logiciel
/// 2015 »), reads the one whose header names the campaign's year, else the
/// latest year, else the one with the most values in the rows seen below
/// the header; the others are kept as extra cells. Never the first
/// silently: the chosen column says why.
fn choose_among_duplicates(columns: &mut [Column], below: &[(u32, Vec<Cell>)], campaign: Option<i32>) {
    let fields: Vec<Field> = columns.iter().filter(|c| c.duplicate).filter_map(|c| c.field).collect();
    for field in fields {
        let same: Vec<usize> = (0..columns.len()).filter(|&i| columns[i].field == Some(field)).collect();
        if same.iter().any(|&i| columns[i].chosen.is_some()) {
            continue;
        }
        let filled = |i: usize| below.iter().filter(|(_, row)| row.get(i).is_some_and(|c| !c.is_blank())).count();
        let latest = |i: usize| years_named(&columns[i].header).into_iter().max();
        let naming_campaign: Vec<usize> = same
            .iter()
            .copied()
            .filter(|&i| campaign.is_some_and(|y| years_named(&columns[i].header).contains(&y)))
            .collect();
        let (chosen, why) = if let [only] = naming_campaign[..] {
            (only, format!("son en-tête nomme l'année de la campagne ({})", campaign.unwrap_or_default()))
        } else if let Some(&best) = same.iter().filter(|&&i| latest(i).is_some()).max_by_key(|&&i| latest(i))
            && same.iter().filter(|&&i| latest(i) == latest(best)).count() == 1
        {
            (best, format!("son en-tête nomme l'année la plus récente ({})", latest(best).unwrap_or_default()))
        } else {
            let most = same.iter().copied().max_by_key(|&i| (filled(i), std::cmp::Reverse(i))).unwrap_or(same[0]);
            (most, "c'est la plus remplie".to_owned())
        };
        for &i in &same {
            columns[i].duplicate = i != chosen;
        }
        let others: Vec<String> = same.iter().filter(|&&i| i != chosen).map(|&i| columns[i].letter.clone()).collect();
        columns[chosen].chosen =
            Some(format!("{why} ; {} conservée(s) comme attribut supplémentaire", others.join(", ")));
    }
}

/// Each column's header read on two rows: the lower (detail) header alone
/// when it names a field, else with the group header above it (carried
/// over the columns a merged cell spans), detail first (« Fin » under
/// « Contrat » is « Fin Contrat »).
fn two_row_headers(top: &[Cell], bottom: &[Cell], names_a_field: impl Fn(&str) -> bool) -> Vec<String> {
    let width = top.len().max(bottom.len());
    let mut group = String::new();
    (0..width)
        .map(|i| {
            let upper = top.get(i).map(|c| c.display().trim().to_owned()).unwrap_or_default();
            let lower = bottom.get(i).map(|c| c.display().trim().to_owned()).unwrap_or_default();
            if !upper.is_empty() {
                group = upper.clone();
            } else if lower.is_empty() {
                group.clear();
            }
            if lower.is_empty() {
                upper
            } else if group.is_empty() || names_a_field(&lower) {
                lower
            } else {
                // A long group title (« IDENTIFICATION\nDE L'APPLICATION »)
                // is read with the detail whole, or by its last word.
                let whole = format!("{lower} / {}", group.split_whitespace().collect::<Vec<_>>().join(" "));
                let last = group.split_whitespace().last().map(|word| format!("{lower} / {word}"));
                match last.filter(|candidate| !names_a_field(&whole) && names_a_field(candidate)) {
                    Some(candidate) => candidate,
                    None => whole,
                }
            }
        })
        .collect()
}

fn last_filled(row: &[Cell]) -> usize {
    row.iter().rposition(|c| !c.is_blank()).map_or(0, |i| i + 1)
}

/// A total or sub-total row: its first filled cell (or its application
/// cell) starts with « total » or « sous-total ».
fn is_total(row: &[Cell], application: Option<usize>) -> bool {
    let first = row.iter().find(|c| !c.is_blank());
    let candidates = application.and_then(|i| row.get(i)).into_iter().chain(first);
    candidates.into_iter().any(|cell| {
        let key = normalise_key(&cell.display());
        key.starts_with("total") || key.starts_with("soustotal")
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn t(s: &str) -> Cell {
        if s.is_empty() { Cell::Empty } else { Cell::Text(s.to_owned()) }
    }

    /// Reads rows (Excel row, cells) through a locator: what it handed on,
    /// and the sheet or the name of the ignored sheet.
    fn locate(rows: &[(u32, &[&str])]) -> (Vec<Located>, Result<InventorySheet, String>) {
        let matcher = HeaderMatcher::new(&HashMap::new());
        let mut locator = SheetLocator::new(&matcher, "Inventaire".to_owned(), 1);
        let mut events = Vec::new();
        let mut on = |_: &InventorySheet, event| events.push(event);
        for (excel_row, cells) in rows {
            locator.push(*excel_row, cells.iter().map(|s| t(s)).collect(), &mut on);
        }
        let sheet = locator.finish(&mut on);
        (events, sheet)
    }

    fn rows(events: &[Located]) -> Vec<u32> {
        events.iter().filter_map(|e| if let Located::Row(r) = e { Some(r.excel_row) } else { None }).collect()
    }

    #[test]
    fn without_a_header_naming_the_application_the_only_unnamed_column_is_presumed_to() {
        let (events, sheet) = locate(&[
            (1, &["Enquête SI 2026", "", ""]),
            (2, &["FINESS", "Domaine", "V1"]),
            (3, &["760780726", "DPI", "DxCare"]),
        ]);
        let inventory = sheet.unwrap_or_else(|name| panic!("{name} ignored"));
        assert_eq!((inventory.header_row, inventory.presumed_application()), (2, Some(2)));
        assert_eq!(rows(&events), [3]);
        // Two unnamed columns: nothing to presume.
        let (_, sheet) = locate(&[(1, &["FINESS", "V1", "V2"]), (2, &["760780726", "DxCare", "oui"])]);
        assert_eq!(sheet.map(|s| s.header_row), Err("Inventaire".to_owned()));
        // A header naming the application is never overridden.
        let (_, sheet) = locate(&[(1, &["Logiciel", "V1"]), (2, &["DxCare", "Pastel"])]);
        assert_eq!(sheet.map(|s| s.presumed_application()), Ok(None));
    }

    #[test]
    fn two_deposits_of_one_layout_share_it_and_another_layout_does_not() {
        let layout = |rows: &[(u32, &[&str])]| locate(rows).1.map(|sheet| sheet.layout());
        let first = layout(&[(1, &["Logiciel", "Éditeur"]), (2, &["DxCare", "Dedalus"])]);
        let again = layout(&[(3, &["", "", ""]), (4, &["  LOGICIEL ", "editeur"]), (5, &["Pastel", "MiPih"])]);
        let other = layout(&[(1, &["Logiciel", "Éditeur", "Coût"]), (2, &["DxCare", "Dedalus", "1"])]);
        assert!(first.is_ok());
        assert_eq!(first, again);
        assert_ne!(first, other);
    }

    #[test]
    fn the_header_is_found_below_titles_and_totals_are_left_out() {
        let (events, sheet) = locate(&[
            (1, &["INVENTAIRE APPLICATIF 2026", "", ""]),
            (3, &["Logiciel", "Editeur", "Couleur"]),
            (4, &["DxCare", "Dedalus", "bleu"]),
            (5, &["", "", ""]),
            (6, &["Pastel", "MiPih", ""]),
            (7, &["TOTAL", "", ""]),
        ]);
        let inventory = sheet.unwrap_or_else(|name| panic!("{name} ignored"));
        assert_eq!(inventory.header_row, 3);
        let fields: Vec<Option<Field>> = inventory.columns.iter().map(|c| c.field).collect();
        assert_eq!(fields, [Some(Field::Application), Some(Field::Vendor), None]);
        assert_eq!(inventory.columns[2].letter, "C");
        assert_eq!(events.first(), Some(&Located::Header));
        assert_eq!(rows(&events), [4, 6]);
        assert_eq!(events.last(), Some(&Located::Total(7)));
        let Some(Located::Row(pastel)) = events.get(2) else { panic!("{events:?}") };
        assert_eq!(pastel.cells, [t("Pastel"), t("MiPih"), Cell::Empty]);
    }

    #[test]
    fn a_header_on_two_rows_is_read_together() {
        let (events, sheet) = locate(&[
            (1, &["Inventaire des applications"]),
            (2, &["Établissement", "Application", "", "Contrat", ""]),
            (3, &["", "Nom", "Éditeur", "Fin", "Coût annuel"]),
            (4, &["CH du Havre", "DxCare", "Dedalus", "31/12/2027", "12 000"]),
        ]);
        let inventory = sheet.unwrap_or_else(|name| panic!("{name} ignored"));
        assert_eq!(inventory.header_row, 3);
        let fields: Vec<Option<Field>> = inventory.columns.iter().map(|c| c.field).collect();
        assert_eq!(
            fields,
            [
                Some(Field::EtablissementName),
                Some(Field::Application),
                Some(Field::Vendor),
                Some(Field::ContractEnd),
                Some(Field::AnnualCost)
            ]
        );
        assert_eq!(inventory.columns[1].header, "Nom / Application");
        assert_eq!(rows(&events), [4]);
    }

    #[test]
    fn group_titles_written_on_two_lines_above_the_real_header_are_read_with_it() {
        let (events, sheet) = locate(&[
            (1, &["IDENTIFICATION\nDE L'APPLICATION", "", "CONTRAT\nET COÛTS", ""]),
            (2, &["Nom", "Éditeur", "Fin", "Montant annuel"]),
            (3, &["DxCare", "Dedalus", "31/12/2027", "12 000"]),
        ]);
        let inventory = sheet.unwrap_or_else(|name| panic!("{name} ignored"));
        assert_eq!(inventory.header_row, 2);
        let fields: Vec<Option<Field>> = inventory.columns.iter().map(|c| c.field).collect();
        assert_eq!(
            fields,
            [Some(Field::Application), Some(Field::Vendor), Some(Field::ContractEnd), Some(Field::AnnualCost)]
        );
        assert_eq!(inventory.columns[0].header, "Nom / L'APPLICATION");
        assert_eq!(rows(&events), [3]);
    }

    #[test]
    fn a_single_header_is_not_read_with_the_row_under_it() {
        let (events, sheet) = locate(&[
            (1, &["Application", "Éditeur", "Couleur"]),
            (2, &["DxCare", "Dedalus", "Fin"]),
            (3, &["Pastel", "MiPih", ""]),
        ]);
        assert_eq!(sheet.map(|s| s.header_row), Ok(1));
        assert_eq!(rows(&events), [2, 3]);
    }

    #[test]
    fn the_header_repeated_inside_the_data_is_left_out() {
        let (events, _) = locate(&[
            (1, &["Application", "Éditeur", "Version"]),
            (2, &["DxCare", "Dedalus", "7"]),
            (3, &["APPLICATION", "EDITEUR", "VERSION"]),
            (4, &["Pastel", "MiPih", ""]),
            (5, &["Solution maison", "Dedalus", ""]),
            (6, &["Logiciel", "Fournisseur", "Release"]),
        ]);
        assert_eq!(rows(&events), [2, 4, 5]);
        let repeated: Vec<u32> =
            events.iter().filter_map(|e| if let Located::RepeatedHeader(r) = e { Some(*r) } else { None }).collect();
        assert_eq!(repeated, [3, 6]);
    }

    fn locate_for(campaign: i32, rows: &[(u32, &[&str])]) -> InventorySheet {
        let matcher = HeaderMatcher::new(&HashMap::new()).for_campaign(Some(campaign));
        let mut locator = SheetLocator::new(&matcher, "Enquête".to_owned(), 1);
        let mut on = |_: &InventorySheet, _| {};
        for (excel_row, cells) in rows {
            locator.push(*excel_row, cells.iter().map(|s| t(s)).collect(), &mut on);
        }
        locator.finish(&mut on).unwrap_or_else(|name| panic!("{name} ignored"))
    }

    #[test]
    fn of_several_columns_for_one_field_the_campaigns_year_then_the_latest_then_the_fullest_is_read() {
        let rows: &[(u32, &[&str])] = &[
            (1, &["Logiciel 2013-2014", "Logiciel 2015", "Éditeur", "Éditeur (si connu)"]),
            (2, &["Cristal", "DxCare", "", "Dedalus"]),
            (3, &["Pastel", "Pastel", "", "MiPih"]),
            (4, &["", "Glims", "Clinisys", "Clinisys"]),
        ];
        let read = |sheet: &InventorySheet, field| sheet.column_of(field).map(|i| sheet.columns[i].letter.clone());
        let latest = locate_for(2026, rows);
        assert_eq!(read(&latest, Field::Application).as_deref(), Some("B"));
        assert!(latest.columns[1].chosen.as_deref().is_some_and(|why| why.contains("la plus récente (2015)")));
        assert_eq!(read(&latest, Field::Vendor).as_deref(), Some("D"), "the fullest");
        assert!(latest.columns[2].duplicate && latest.columns[0].duplicate);
        let named = locate_for(2014, rows);
        assert_eq!(read(&named, Field::Application).as_deref(), Some("A"), "the campaign's year");
    }

    #[test]
    fn a_sheet_without_an_application_column_is_not_an_inventory() {
        let (events, sheet) = locate(&[(1, &["Mode d'emploi"]), (2, &["Nom", "Prénom"]), (3, &["Dupont", "Jean"])]);
        assert_eq!(sheet, Err("Inventaire".to_owned()));
        assert!(events.is_empty(), "{events:?}");
    }

    #[test]
    fn the_header_is_looked_for_in_the_first_30_rows_only() {
        let (_, sheet) = locate(&[(2, &["Titre"]), (32, &["Application"]), (33, &["DxCare"])]);
        assert_eq!(sheet, Err("Inventaire".to_owned()));
        let (events, sheet) = locate(&[(2, &["Titre"]), (31, &["Application"]), (33, &["DxCare"])]);
        assert_eq!(sheet.map(|s| s.header_row), Ok(31));
        assert_eq!(rows(&events), [33]);
    }

    #[test]
    fn a_column_without_a_header_is_announced_before_its_first_value() {
        let (events, sheet) = locate(&[
            (1, &["Application", "", "Editeur"]),
            (2, &["DxCare", "x", "Dedalus"]),
            (3, &["Pastel", "", "MiPih"]),
            // Past the header search window: the sheet widens as it is read.
            (40, &["Sillage", "", "SIB", "", "à revoir"]),
        ]);
        let inventory = sheet.unwrap_or_else(|name| panic!("{name} ignored"));
        let letters: Vec<&str> = inventory.columns.iter().map(|c| c.letter.as_str()).collect();
        assert_eq!(letters, ["A", "B", "C", "D", "E"]);
        let kinds: Vec<String> = events
            .iter()
            .map(|e| match e {
                Located::Row(r) => format!("row {} ({} cells)", r.excel_row, r.cells.len()),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "Header",
                "UnheadedColumn(1)",
                "row 2 (3 cells)",
                "row 3 (3 cells)",
                "UnheadedColumn(4)",
                "row 40 (5 cells)"
            ]
        );
    }
}
