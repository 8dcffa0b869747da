//! A located inventory table → normalised rows and the full report.

use super::report::{Message, Report, Severity, SheetSummary};
use super::row::{Context, NormalisedRow, normalise_row};
use crate::import::table::InventoryTable;

/// Normalises every row of the table and builds the report: sheet-level
/// messages (ignored sheets, unknown or duplicate columns, total rows)
/// first, then row messages in sheet and row order.
pub fn normalise_table(context: &Context<'_>, format: &str, table: &InventoryTable) -> (Vec<NormalisedRow>, Report) {
    let mut rows = Vec::new();
    let mut messages = Vec::new();
    let mut report = normalise_table_into(context, format, table, |row, _| rows.push(row), |m| messages.push(m));
    report.messages = messages;
    (rows, report)
}

/// [`normalise_table`], handing each valid row to `on_row` as soon as it is
/// normalised (with the number of errors seen so far) and each message to
/// `on_message`, so that neither rows nor messages need all be held in
/// memory. The returned report holds the counts, not the messages.
pub fn normalise_table_into(
    context: &Context<'_>,
    format: &str,
    table: &InventoryTable,
    mut on_row: impl FnMut(NormalisedRow, u32),
    mut on_message: impl FnMut(Message),
) -> Report {
    let mut report = Report { file: context.file.to_owned(), format: format.to_owned(), ..Report::default() };
    let mut emit = |report: &mut Report, message: Message| {
        report.count(&message);
        on_message(message);
    };
    let sheet_message = |sheet: &str, severity, code: &str, row, column: Option<(&str, &str)>, text: String| Message {
        severity,
        code: code.to_owned(),
        file: context.file.to_owned(),
        sheet: sheet.to_owned(),
        row,
        column: column.map(|(letter, _)| letter.to_owned()),
        header: column.map(|(_, header)| header.to_owned()),
        value: None,
        text,
    };
    for name in &table.ignored_sheets {
        report.ignored_sheets.push(name.clone());
        emit(&mut report, sheet_message(
            name,
            Severity::Info,
            "sheet_ignored",
            None,
            None,
            "feuille ignorée : aucune ligne d'en-tête avec une colonne « Application » dans ses 30 premières lignes."
                .to_owned(),
        ));
    }
    for sheet in &table.sheets {
        report.sheets.push(SheetSummary {
            name: sheet.name.clone(),
            header_row: sheet.header_row,
            rows: sheet.rows.len() as u32,
        });
        for column in &sheet.columns {
            let position = Some((column.letter.as_str(), column.header.as_str()));
            if column.duplicate {
                emit(&mut report, sheet_message(&sheet.name, Severity::Warning, "duplicate_column", Some(sheet.header_row), position,
                    "désigne le même champ qu'une colonne précédente : seule la première est lue, celle-ci est conservée comme attribut supplémentaire.".to_owned()));
            } else if column.field.is_none() {
                let has_data = sheet.rows.iter().any(|r| {
                    r.cells.get((column.number - sheet.columns[0].number) as usize).is_some_and(|c| !c.is_blank())
                });
                if column.header.is_empty() && !has_data {
                    continue;
                }
                let text = if column.header.is_empty() {
                    "colonne sans en-tête : ses valeurs sont conservées comme attribut supplémentaire.".to_owned()
                } else {
                    "colonne non reconnue : ses valeurs sont conservées comme attribut supplémentaire. Si elle correspond à un champ de l'inventaire, indiquez-le une fois (paramètre mapping) et il sera reconnu aux prochains dépôts.".to_owned()
                };
                emit(
                    &mut report,
                    sheet_message(
                        &sheet.name,
                        Severity::Warning,
                        "unknown_column",
                        Some(sheet.header_row),
                        position,
                        text,
                    ),
                );
            }
        }
        for total in &sheet.total_rows {
            emit(
                &mut report,
                sheet_message(
                    &sheet.name,
                    Severity::Info,
                    "total_row_skipped",
                    Some(*total),
                    None,
                    "ligne de total ou de sous-total : ignorée.".to_owned(),
                ),
            );
        }
        for row in &sheet.rows {
            report.rows_read += 1;
            let (normalised, messages) = normalise_row(context, sheet, row);
            for message in messages {
                emit(&mut report, message);
            }
            match normalised {
                Some(normalised) => {
                    report.rows_imported += 1;
                    on_row(normalised, report.errors);
                }
                None => report.rows_rejected += 1,
            }
        }
    }
    report
}
