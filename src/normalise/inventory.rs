//! An inventory's rows, as they are located → normalised rows and the
//! report.

use super::lying_column::{self, SAMPLE_ROWS, Verdict};
use super::report::{Message, Report, Severity, SheetSummary};
use super::row::{Context, NormalisedRow, normalise_row};
use super::sentinel::sentinel;
use super::taxonomy::DomainRef;
use crate::domain::normalise_key;
use crate::import::Cell;
use crate::import::cells::{self, MonthDay};
use crate::import::headers::{Field, in_thousands};
use crate::import::table::{InventorySheet, Located, TableRow};

/// Where normalised rows and report messages go as they are produced, so
/// that neither need all be held in memory.
pub trait Output {
    /// A valid row, with the number of errors seen so far in the file.
    fn row(&mut self, row: NormalisedRow, errors_so_far: u32);
    /// A report message.
    fn message(&mut self, message: Message);
}

/// Normalises an inventory sheet by sheet and row by row, and counts the
/// report. Messages come in reading order: for each sheet, its header's
/// messages (unknown or duplicate columns), then for each row the messages
/// about it — a total row, a column without a header holding its first
/// value, the row's own problems.
pub struct InventoryNormaliser<'c, O> {
    /// The import's context, with the domain of the sheet being read.
    context: Context<'c>,
    /// The domain the deposit declared for the whole file.
    declared: Option<&'c DomainRef>,
    output: O,
    report: Report,
    sheet_rows: u32,
    /// Per column of the sheet being read: values, dates and amounts seen
    /// (to say what an unrecognised column might be).
    looks: Vec<ColumnLooks>,
    /// The first rows of the sheet being read, held until its application
    /// column is judged.
    sample: Vec<TableRow>,
    /// What the sheet's application column was judged (`None`: not yet).
    judged: Option<Judged>,
    /// The sheet's messages held until its presumed application column is
    /// judged: they are told only if the sheet is read.
    held: Vec<Message>,
    /// Why a sheet whose presumed application column was not confirmed is
    /// left out, when its values say something.
    ignored_because: Option<String>,
    /// The layout of each sheet read, in order (see
    /// [`InventorySheet::layout`]).
    layouts: Vec<String>,
}

/// What the first rows of a sheet say of its application column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Judged {
    /// Its rows are read.
    Trusted,
    /// It lies (a shifted header): its rows are counted and rejected.
    Lies,
    /// It was presumed and its values do not confirm it: the sheet is not
    /// an inventory, and is left out like a sheet without a header.
    Ignored,
}

/// What the values of a column look like.
#[derive(Debug, Clone, Copy, Default)]
struct ColumnLooks {
    values: u32,
    dates: u32,
    amounts: u32,
}

/// Whether a text is a commune or a hospital's name of the FINESS
/// directory.
fn is_place(text: &str) -> bool {
    static PLACES: std::sync::OnceLock<std::collections::HashSet<String>> = std::sync::OnceLock::new();
    let places = PLACES.get_or_init(|| {
        let Ok(directory) = crate::reference::finess_directory() else { return Default::default() };
        directory
            .sites()
            .iter()
            .flat_map(|site| {
                let commune = site.commune.split_once(' ').map_or(site.commune.as_str(), |(_, name)| name);
                [normalise_key(&site.short_name), normalise_key(&site.long_name), normalise_key(commune)]
            })
            .filter(|key| key.chars().count() > 3)
            .collect()
    });
    places.contains(&normalise_key(text))
}

/// Values an unrecognised column must hold before its look is reported.
const LOOKS_MIN_VALUES: u32 = 3;

impl<'c, O: Output> InventoryNormaliser<'c, O> {
    /// Starts an empty report for the context's file.
    pub fn new(context: &'c Context<'c>, output: O) -> Self {
        let report = Report { file: context.file.to_owned(), ..Report::default() };
        InventoryNormaliser {
            context: context.clone(),
            declared: context.file_domain,
            output,
            report,
            sheet_rows: 0,
            looks: Vec::new(),
            sample: Vec::new(),
            judged: None,
            held: Vec::new(),
            ignored_because: None,
            layouts: Vec::new(),
        }
    }

    /// The output, to act on it between rows.
    pub fn output(&mut self) -> &mut O {
        &mut self.output
    }

    /// Forgets every row and message: the file is read again.
    pub fn restart(&mut self) {
        self.report = Report { file: self.context.file.to_owned(), ..Report::default() };
        self.sheet_rows = 0;
        self.looks.clear();
        self.sample.clear();
        self.judged = None;
        self.held.clear();
        self.ignored_because = None;
        self.layouts.clear();
        self.context.file_domain = self.declared;
    }

    /// Takes what the locator made known about a sheet.
    pub fn located(&mut self, sheet: &InventorySheet, event: Located) {
        match event {
            // A presumed application column is judged on its values before
            // anything is said of the sheet.
            Located::Header if sheet.presumed_application().is_some() => {}
            Located::Header => self.header(sheet),
            Located::UnheadedColumn(index) => {
                let Some(column) = sheet.columns.get(index) else { return };
                let message = self.sheet_message(
                    sheet,
                    Severity::Warning,
                    "unknown_column",
                    Some(sheet.header_row),
                    Some((&column.letter, &column.header)),
                    "colonne sans en-tête : ses valeurs sont conservées comme attribut supplémentaire.",
                );
                self.tell(sheet, message);
            }
            Located::Total(row) => {
                let message = self.sheet_message(
                    sheet,
                    Severity::Info,
                    "total_row_skipped",
                    Some(row),
                    None,
                    "ligne de total ou de sous-total : ignorée.",
                );
                self.tell(sheet, message);
            }
            Located::RepeatedHeader(row) => {
                let message = self.sheet_message(
                    sheet,
                    Severity::Info,
                    "repeated_header_skipped",
                    Some(row),
                    None,
                    "ligne d'en-tête répétée (saut de page, blocs collés, seconde ligne d'en-tête) : ignorée.",
                );
                self.tell(sheet, message);
            }
            Located::Row(row) => match self.judged {
                None => {
                    self.sample.push(row);
                    if self.sample.len() >= SAMPLE_ROWS {
                        self.judge(sheet);
                    }
                }
                Some(judged) => self.take_row(sheet, row, judged),
            },
        }
    }

    /// Emits a message of the sheet, or holds it while the sheet's presumed
    /// application column is not yet judged.
    fn tell(&mut self, sheet: &InventorySheet, message: Message) {
        if self.judged.is_none() && sheet.presumed_application().is_some() {
            self.held.push(message);
        } else {
            self.emit(message);
        }
    }

    /// A row of a sheet whose application column was judged.
    fn take_row(&mut self, sheet: &InventorySheet, row: TableRow, judged: Judged) {
        if judged == Judged::Ignored {
            return;
        }
        self.report.rows_read += 1;
        self.sheet_rows += 1;
        if judged == Judged::Lies {
            self.report.rows_rejected += 1;
            return;
        }
        self.look_at(sheet, &row.cells);
        let (normalised, messages) = normalise_row(&self.context, sheet, &row);
        for message in messages {
            self.emit(message);
        }
        match normalised {
            Some(normalised) => {
                self.report.rows_imported += 1;
                self.output.row(normalised, self.report.errors);
            }
            None => self.report.rows_rejected += 1,
        }
    }

    /// Judges the sheet's application column on its first rows (see
    /// [`lying_column`]), says why when it lies, then takes the rows held.
    fn judge(&mut self, sheet: &InventorySheet) {
        let sample = std::mem::take(&mut self.sample);
        let context = self.context.clone();
        if !self.confirm_presumed(sheet, &sample) {
            self.judged = Some(Judged::Ignored);
            return;
        }
        let recognises = |text: &str| sentinel(text).is_some() || context.match_product(text).is_some();
        let verdict = lying_column::judge(sheet, &sample, recognises, is_place);
        let column = |i: usize| {
            sheet.columns.get(i).map_or((String::new(), String::new()), |c| (c.letter.clone(), c.header.clone()))
        };
        let text = match &verdict {
            Verdict::Trusted => None,
            Verdict::Shifted { application: (a, values, found), better: (b, _, better_found) } => {
                let ((letter, header), (better_letter, better_header)) = (column(*a), column(*b));
                let mapping = better_header.replace('"', "\\\"");
                Some((
                    *a,
                    format!(
                        "la colonne {letter} (« {header} »), lue comme le nom de l'application, ne contient presque aucun logiciel connu ({found} sur {values} dans les premières lignes), alors que la colonne {better_letter} (« {better_header} ») en reconnaît {better_found} : l'en-tête est sans doute décalé ou mal attribué. Aucune ligne de cette feuille n'est importée. Corrigez l'en-tête, ou envoyez le paramètre mapping={{\"{mapping}\": \"application\"}}."
                    ),
                ))
            }
            Verdict::Places { application: (a, values, places) } => {
                let (letter, header) = column(*a);
                Some((
                    *a,
                    format!(
                        "la colonne {letter} (« {header} »), lue comme le nom de l'application, contient surtout des noms de communes ou d'établissements ({places} sur {values} dans les premières lignes) : l'en-tête est sans doute décalé ou mal attribué. Aucune ligne de cette feuille n'est importée. Corrigez l'en-tête, ou indiquez la colonne des applications avec le paramètre mapping."
                    ),
                ))
            }
        };
        if let Some((index, text)) = &text {
            let position = sheet.columns.get(*index).map(|c| (c.letter.as_str(), c.header.as_str()));
            let message = self.sheet_message(
                sheet,
                Severity::Error,
                "application_column_lies",
                Some(sheet.header_row),
                position,
                text,
            );
            self.emit(message);
        }
        let judged = if text.is_none() { Judged::Trusted } else { Judged::Lies };
        self.judged = Some(judged);
        for row in sample {
            self.take_row(sheet, row, judged);
        }
    }

    /// A sheet without a header naming the application, read on the only
    /// column of its header row naming no field (« V1 »), is read only if
    /// the first values of that column are mostly known software or states:
    /// then a note says so, and what was held of the sheet is told.
    /// Otherwise nothing is said of it but that it was left out, and why.
    fn confirm_presumed(&mut self, sheet: &InventorySheet, sample: &[TableRow]) -> bool {
        let Some(index) = sheet.presumed_application() else { return true };
        let context = self.context.clone();
        let (confirmed, values, recognised) = lying_column::presumed_confirmed(
            sample,
            index,
            |text| context.match_product(text).is_some(),
            |text| context.matcher.state_of(text).is_some(),
        );
        let held = std::mem::take(&mut self.held);
        let Some(column) = sheet.columns.get(index) else { return false };
        let position = Some((column.letter.as_str(), column.header.as_str()));
        if !confirmed {
            let mapping = column.header.replace('"', "\\\"");
            self.ignored_because = (values >= 3).then(|| format!(
                "feuille ignorée : aucun en-tête n'y désigne l'application, et la colonne {} (« {} »), la seule dont l'en-tête n'est pas reconnu, ne contient pas surtout des logiciels connus ou des états ({recognised} sur {values} dans les premières lignes). Si elle contient bien les applications, envoyez le paramètre mapping={{\"{mapping}\": \"application\"}}.",
                column.letter, column.header
            ));
            return false;
        }
        let text = format!(
            "aucun en-tête ne désigne l'application : cette colonne, la seule dont l'en-tête n'est pas reconnu, contient surtout des logiciels connus ou des états ({recognised} sur {values} dans les premières lignes) ; elle est lue comme le nom de l'application."
        );
        let message = self.sheet_message(
            sheet,
            Severity::Info,
            "application_column_presumed",
            Some(sheet.header_row),
            position,
            &text,
        );
        self.emit(message);
        self.header(sheet);
        for message in held {
            self.emit(message);
        }
        true
    }

    /// A sheet has ended.
    pub fn sheet_done(&mut self, sheet: &InventorySheet) {
        if self.judged.is_none() {
            self.judge(sheet);
        }
        if self.judged.take() == Some(Judged::Ignored) {
            self.looks.clear();
            let because = self.ignored_because.take();
            self.ignore(sheet.name.clone(), because);
            return;
        }
        self.unknown_columns_that_look_like_fields(sheet);
        self.context.file_domain = self.declared;
        let rows = std::mem::take(&mut self.sheet_rows);
        self.report.sheets.push(SheetSummary { name: sheet.name.clone(), header_row: sheet.header_row, rows });
        self.layouts.push(sheet.layout());
    }

    /// A sheet without a header row was left out.
    pub fn sheet_ignored(&mut self, name: String) {
        self.ignore(name, None);
    }

    /// A sheet was left out: for want of a header row, or for the reason
    /// given.
    fn ignore(&mut self, name: String, because: Option<String>) {
        let text = because.unwrap_or_else(|| {
            "feuille ignorée : aucune ligne d'en-tête avec une colonne « Application » dans ses 30 premières lignes."
                .to_owned()
        });
        let message = Message {
            severity: Severity::Info,
            code: "sheet_ignored".to_owned(),
            file: self.context.file.to_owned(),
            sheet: name.clone(),
            row: None,
            column: None,
            header: None,
            value: None,
            text,
        };
        self.report.ignored_sheets.push(name);
        self.emit(message);
    }

    /// Whether a sheet with a header row was read.
    pub fn found_inventory(&self) -> bool {
        !self.report.sheets.is_empty()
    }

    /// Each sheet read, with its header row, when none had a row of
    /// inventory under its header; `None` as soon as one row was read.
    pub fn headers_without_rows(&self) -> Option<Vec<String>> {
        (self.report.rows_read == 0).then(|| {
            self.report
                .sheets
                .iter()
                .map(|sheet| format!("feuille « {} », en-tête ligne {}", sheet.name, sheet.header_row))
                .collect()
        })
    }

    /// The layout of each sheet read, in order: what a domain declared with
    /// the deposit is remembered for.
    pub fn layouts(&self) -> &[String] {
        &self.layouts
    }

    /// The report's counts (its messages went to the output) and the output.
    pub fn finish(self, format: &str) -> (Report, O) {
        let mut report = Report { format: format.to_owned(), ..self.report };
        report.summarise_notes();
        (report, self.output)
    }

    fn header(&mut self, sheet: &InventorySheet) {
        self.remembered_domain(sheet);
        for column in &sheet.columns {
            let position = Some((column.letter.as_str(), column.header.as_str()));
            if let (Some(field), Some(understood), false) = (column.field, &column.understood, column.duplicate) {
                let text = format!(
                    "en-tête compris comme « {understood} » : la colonne est lue comme le champ « {} ».",
                    field.label()
                );
                let message = self.sheet_message(
                    sheet,
                    Severity::Info,
                    "header_understood",
                    Some(sheet.header_row),
                    position,
                    &text,
                );
                self.emit(message);
            }
            if matches!(column.field, Some(Field::AnnualCost | Field::AcquisitionCost))
                && !column.duplicate
                && in_thousands(&column.header)
            {
                let message = self.sheet_message(
                    sheet,
                    Severity::Info,
                    "amounts_in_thousands",
                    Some(sheet.header_row),
                    position,
                    "l'en-tête indique des milliers d'euros : les montants de la colonne sont multipliés par 1 000.",
                );
                self.emit(message);
            }
            if let (Some(field), Some(why)) = (column.field, &column.chosen) {
                let text = format!(
                    "plusieurs colonnes désignent le champ « {} » : celle-ci est lue, car {why}.",
                    field.label()
                );
                let message =
                    self.sheet_message(sheet, Severity::Info, "column_chosen", Some(sheet.header_row), position, &text);
                self.emit(message);
            }
            let read_instead = sheet
                .columns
                .iter()
                .find(|c| c.field == column.field && !c.duplicate)
                .map_or_else(String::new, |c| format!(" (la colonne {} est lue)", c.letter));
            let message = if column.duplicate {
                let text = format!(
                    "désigne le même champ qu'une autre colonne{read_instead} : celle-ci est conservée comme attribut supplémentaire."
                );
                self.sheet_message(
                    sheet,
                    Severity::Warning,
                    "duplicate_column",
                    Some(sheet.header_row),
                    position,
                    &text,
                )
            } else if column.field.is_none() && !column.header.is_empty() {
                self.sheet_message(sheet, Severity::Warning, "unknown_column", Some(sheet.header_row), position,
                    "colonne non reconnue : ses valeurs sont conservées comme attribut supplémentaire. Si elle correspond à un champ de l'inventaire, indiquez-le une fois (paramètre mapping) et il sera reconnu aux prochains dépôts.")
            } else {
                continue;
            };
            self.emit(message);
        }
    }

    /// A sheet of a layout the GHT declared a domain for, in a deposit that
    /// declares none, is read as declared then, and the report says so.
    fn remembered_domain(&mut self, sheet: &InventorySheet) {
        if self.declared.is_some() {
            return;
        }
        let remembered = self.context.layout_domains.get(&sheet.layout());
        self.context.file_domain = remembered;
        let Some(domain) = remembered else { return };
        let code = match domain {
            DomainRef::Subdomain(code) | DomainRef::Domain(code) => code,
        };
        let text = format!(
            "un dépôt précédent de même présentation était déclaré sur {code} (paramètre domain) : les lignes sans domaine y sont rattachées. Envoyez domain=aucun pour l'oublier, ou un autre domaine pour le remplacer."
        );
        let message =
            self.sheet_message(sheet, Severity::Info, "file_domain_remembered", Some(sheet.header_row), None, &text);
        self.emit(message);
    }

    fn look_at(&mut self, sheet: &InventorySheet, cells: &[Cell]) {
        if self.looks.len() < sheet.columns.len() {
            self.looks.resize(sheet.columns.len(), ColumnLooks::default());
        }
        for ((cell, column), looks) in cells.iter().zip(&sheet.columns).zip(self.looks.iter_mut()) {
            if column.field.is_some() || cell.is_blank() {
                continue;
            }
            looks.values += 1;
            let is_date = matches!(cell, Cell::Date(_))
                || matches!(cell, Cell::Text(t) if t.trim().len() >= 8 && cells::date(cell, MonthDay::Last).is_ok());
            if is_date {
                looks.dates += 1;
            } else if cells::money(cell).is_ok() {
                looks.amounts += 1;
            }
        }
    }

    /// An unrecognised column whose values are mostly dates or amounts is
    /// likely a field under a header nobody foresaw: it is named, with the
    /// mapping that would read it.
    fn unknown_columns_that_look_like_fields(&mut self, sheet: &InventorySheet) {
        let looks = std::mem::take(&mut self.looks);
        for (column, looks) in sheet.columns.iter().zip(looks) {
            if column.field.is_some() || looks.values < LOOKS_MIN_VALUES {
                continue;
            }
            let mostly = |n: u32| n * 10 >= looks.values * 8;
            let (what, label, field, other) = if mostly(looks.dates) {
                ("des dates", "la fin de contrat", "contract_end", "« go_live » pour une date de mise en service")
            } else if mostly(looks.amounts) {
                (
                    "des montants ou des nombres",
                    "le coût annuel",
                    "annual_cost",
                    "« users » pour un nombre d'utilisateurs",
                )
            } else {
                continue;
            };
            let header =
                if column.header.is_empty() { column.letter.clone() } else { column.header.replace('"', "\\\"") };
            let text = format!(
                "colonne non reconnue dont les valeurs sont surtout {what} : elle n'entre pas dans les indicateurs. S'il s'agit de {label}, envoyez le paramètre mapping={{\"{header}\": \"{field}\"}} (ou {other})."
            );
            let position = Some((column.letter.as_str(), column.header.as_str()));
            let message = self.sheet_message(
                sheet,
                Severity::Warning,
                "unknown_column_values",
                Some(sheet.header_row),
                position,
                &text,
            );
            self.emit(message);
        }
    }

    fn sheet_message(
        &self,
        sheet: &InventorySheet,
        severity: Severity,
        code: &str,
        row: Option<u32>,
        column: Option<(&str, &str)>,
        text: &str,
    ) -> Message {
        Message {
            severity,
            code: code.to_owned(),
            file: self.context.file.to_owned(),
            sheet: sheet.name.clone(),
            row,
            column: column.map(|(letter, _)| letter.to_owned()),
            header: column.map(|(_, header)| header.to_owned()),
            value: None,
            text: text.to_owned(),
        }
    }

    fn emit(&mut self, message: Message) {
        self.report.count(&message);
        self.output.message(message);
    }
}
