//! The import report: counts and one message per problem, each with its
//! position (file, sheet, row as Excel shows it, column letter and header),
//! the value found and a French explanation. The report is data, not a log.

use serde::{Deserialize, Serialize};

/// Whether a message blocks its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The row is unusable.
    Error,
    /// The row is imported; something was guessed or is missing.
    Warning,
    /// For information (a sheet or a total row left out).
    Info,
}

/// One message of the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Message {
    /// Error, warning or information.
    pub severity: Severity,
    /// Stable code (`unreadable_date`, `unmatched_product`…).
    pub code: String,
    /// The uploaded file's name.
    pub file: String,
    /// The sheet.
    pub sheet: String,
    /// Row number as Excel shows it (`None` for a sheet-level message).
    pub row: Option<u32>,
    /// Column letter.
    pub column: Option<String>,
    /// The column's header.
    pub header: Option<String>,
    /// The value found, verbatim.
    pub value: Option<String>,
    /// What is wrong and what to do, in French.
    pub text: String,
}

impl Message {
    /// The message as one French sentence, position first.
    pub fn sentence(&self) -> String {
        let mut place = format!("Feuille « {} »", self.sheet);
        if let Some(row) = self.row {
            place.push_str(&format!(", ligne {row}"));
        }
        if let Some(column) = &self.column {
            match &self.header {
                Some(header) if !header.is_empty() => place.push_str(&format!(", colonne {column} ({header})")),
                _ => place.push_str(&format!(", colonne {column}")),
            }
        }
        match &self.value {
            Some(value) => format!("{place} : « {value} » {}", self.text),
            None => format!("{place} : {}", self.text),
        }
    }
}

/// A sheet read as inventory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SheetSummary {
    /// Sheet name.
    pub name: String,
    /// Excel row of the header.
    pub header_row: u32,
    /// Data rows read.
    pub rows: u32,
}

/// The whole report of an upload.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Report {
    /// The uploaded file's name.
    pub file: String,
    /// The detected format.
    pub format: String,
    /// Sheets read as inventory.
    pub sheets: Vec<SheetSummary>,
    /// Sheets left out (no recognisable header: notices, lists).
    pub ignored_sheets: Vec<String>,
    /// Data rows read.
    pub rows_read: u32,
    /// Rows imported (or that would be, in a dry run).
    pub rows_imported: u32,
    /// Rows rejected because of an error.
    pub rows_rejected: u32,
    /// Number of warnings.
    pub warnings: u32,
    /// Number of errors.
    pub errors: u32,
    /// Number of messages of every severity.
    #[serde(default)]
    pub messages_total: u32,
    /// The notes (inferences that are expected and sound) by kind, with
    /// their count: read apart from the errors and warnings, which are what
    /// a person must act on.
    #[serde(default)]
    pub notes: Vec<NoteKind>,
    /// The messages in sheet and row order — all of them, or the first
    /// [`MESSAGES_INLINE`] when `messages_total` is larger (the rest are
    /// served page by page with the upload).
    pub messages: Vec<Message>,
}

/// One kind of note in a report, collapsed: « 4 lignes : sous-domaine
/// déduit du produit ».
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NoteKind {
    /// The notes' code.
    pub code: String,
    /// How many.
    pub count: u32,
    /// The line a person reads, in French.
    pub summary: String,
}

/// What each kind of note says, and what it is counted in (singular,
/// plural).
fn note_words(code: &str) -> (&'static str, &'static str, &'static str) {
    match code {
        "inferred_subdomain" => ("ligne", "lignes", "sous-domaine déduit du produit"),
        "value_normalised" => ("valeur", "valeurs", "valeur comprise et écrite sous sa forme de référence"),
        "header_understood" => ("en-tête", "en-têtes", "en-tête compris malgré son orthographe"),
        "amounts_in_thousands" => ("colonne", "colonnes", "montants en milliers d'euros, multipliés par 1 000"),
        "repeated_header_skipped" => ("ligne", "lignes", "ligne d'en-tête répétée, ignorée"),
        "total_row_skipped" => ("ligne", "lignes", "ligne de total, ignorée"),
        "sheet_ignored" => ("feuille", "feuilles", "feuille sans inventaire, ignorée"),
        "subdomain_from_label" => ("ligne", "lignes", "sous-domaine écrit retenu plutôt que celui du produit"),
        "file_domain_remembered" => {
            ("feuille", "feuilles", "domaine du fichier repris d'un dépôt précédent de même présentation")
        }
        "file_domain_kept" => ("ligne", "lignes", "domaine déclaré pour le fichier retenu plutôt que celui du produit"),
        "application_column_presumed" => {
            ("feuille", "feuilles", "colonne des applications reconnue à ses valeurs, faute d'en-tête")
        }
        "column_chosen" => ("colonne", "colonnes", "colonne choisie parmi plusieurs pour un même champ"),
        _ => ("message", "messages", "autre information"),
    }
}

/// Messages returned inline with a report; a larger report is read page by
/// page (`GET /api/v1/uploads/{id}/messages`).
pub const MESSAGES_INLINE: usize = 1000;

impl Report {
    /// Counts a message (without keeping it).
    pub fn count(&mut self, message: &Message) {
        self.messages_total += 1;
        match message.severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Info => match self.notes.iter_mut().find(|n| n.code == message.code) {
                Some(kind) => kind.count += 1,
                None => self.notes.push(NoteKind { code: message.code.clone(), count: 1, summary: String::new() }),
            },
        }
    }

    /// Writes each kind of note's line from its count, once the file is
    /// read (not at every note: 100,000 rows may each carry one).
    pub fn summarise_notes(&mut self) {
        for kind in &mut self.notes {
            let (one, many, label) = note_words(&kind.code);
            kind.summary = format!("{} {} : {label}", kind.count, if kind.count == 1 { one } else { many });
        }
    }

    /// Counts a message and keeps it inline while there is room.
    pub fn push(&mut self, message: Message) {
        self.count(&message);
        if self.messages.len() < MESSAGES_INLINE {
            self.messages.push(message);
        }
    }
}
