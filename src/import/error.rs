//! Why a file cannot be read at all (row-level problems are report
//! messages, not errors).

use serde::{Deserialize, Serialize};

/// A file that cannot be read. Each variant has its own problem type and
/// French message, so the user knows what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IngestError {
    /// The file exceeds the size limit.
    #[error("le fichier dépasse la taille maximale autorisée ({} Mio)", limit / (1024 * 1024))]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// The archive would exceed the limit once decompressed (zip bomb, or a
    /// huge workbook).
    #[error("le fichier est trop volumineux une fois décompressé (plus de {} Mio) : découpez-le ou supprimez les feuilles inutiles", limit / (1024 * 1024))]
    TooLargeDecompressed {
        /// The limit in bytes.
        limit: u64,
    },
    /// More cells than allowed.
    #[error("le classeur contient trop de cellules (plus de {limit}) : supprimez les feuilles et colonnes inutiles")]
    TooManyCells {
        /// The limit.
        limit: u64,
    },
    /// The workbook is encrypted.
    #[error(
        "le classeur est protégé par un mot de passe : enregistrez-en une copie sans mot de passe, puis déposez-la"
    )]
    PasswordProtected,
    /// Not a spreadsheet, or a format that is not supported.
    #[error(
        "ce fichier n'est pas un tableur reconnu ({detected}) : formats acceptés .xlsx, .xlsm, .xls, .xlsb, .ods et .csv"
    )]
    NotASpreadsheet {
        /// What the bytes look like.
        detected: String,
    },
    /// A web page without a table (an error page, a redirection) saved
    /// under a spreadsheet's name.
    #[error(
        "ce fichier est une page web, pas un tableur : ouvrez l'export dans votre tableur, enregistrez-le au format .xlsx, puis déposez-le"
    )]
    WebPage,
    /// The file is truncated or corrupted.
    #[error(
        "le fichier est tronqué ou endommagé ({detail}) : ouvrez-le dans votre tableur, enregistrez-le à nouveau, puis déposez-le"
    )]
    Corrupted {
        /// What is wrong, in French, in the user's words (« archive zip
        /// tronquée »).
        detail: String,
        /// What the library said, in its own (English, technical) words:
        /// for the log, never shown.
        cause: String,
    },
    /// No cell holds anything.
    #[error("le fichier est vide : aucune cellule n'est remplie")]
    Empty,
    /// No row looks like the inventory's header.
    #[error("aucune ligne d'en-tête reconnue dans les 30 premières lignes d'aucune feuille : la colonne « Application » (ou « Logiciel », « Produit », « Solution ») est obligatoire. Colonnes attendues : {}", expected.join(", "))]
    NoHeaderRow {
        /// The columns the template expects.
        expected: Vec<String>,
    },
    /// A header row was found, but no row of inventory under it (a blank
    /// template, or only a total row).
    #[error("aucune ligne d'inventaire sous l'en-tête ({}) : ajoutez une ligne par application sous la ligne d'en-tête, puis déposez le fichier à nouveau", sheets.join(", "))]
    NoInventoryRows {
        /// Each sheet read, as « feuille « Inventaire », en-tête ligne 3 ».
        sheets: Vec<String>,
    },
    /// Reading took longer than allowed.
    #[error(
        "la lecture du fichier a dépassé le temps autorisé : le fichier est peut-être endommagé ou anormalement complexe"
    )]
    Timeout,
    /// The isolated reader crashed or ran out of memory on this file.
    #[error(
        "la lecture du fichier a échoué ({detail}) : le fichier est probablement endommagé ; enregistrez-le à nouveau depuis votre tableur"
    )]
    ReaderCrashed {
        /// How the reader ended, in French.
        detail: String,
        /// What the reader said (a panic message, in English): for the
        /// log, never shown.
        cause: String,
    },
}

impl IngestError {
    /// A damaged file: `detail` in French for the user, the library's
    /// `cause` for the log only.
    pub fn corrupted(detail: &str, cause: impl std::fmt::Display) -> Self {
        IngestError::Corrupted { detail: detail.to_owned(), cause: cause.to_string() }
    }

    /// A reader that stopped: `detail` in French for the user, `cause`
    /// for the log only.
    pub fn crashed(detail: &str, cause: impl std::fmt::Display) -> Self {
        IngestError::ReaderCrashed { detail: detail.to_owned(), cause: cause.to_string() }
    }

    /// What a library said, for the log (never shown to the user).
    pub fn cause(&self) -> Option<&str> {
        match self {
            IngestError::Corrupted { cause, .. } | IngestError::ReaderCrashed { cause, .. } if !cause.is_empty() => {
                Some(cause)
            }
            _ => None,
        }
    }

    /// Stable problem slug of each kind.
    pub fn slug(&self) -> &'static str {
        match self {
            IngestError::TooLarge { .. } => "file-too-large",
            IngestError::TooLargeDecompressed { .. } => "file-too-large-decompressed",
            IngestError::TooManyCells { .. } => "too-many-cells",
            IngestError::PasswordProtected => "password-protected",
            IngestError::NotASpreadsheet { .. } | IngestError::WebPage => "not-a-spreadsheet",
            IngestError::Corrupted { .. } => "corrupted-file",
            IngestError::Empty => "empty-file",
            IngestError::NoHeaderRow { .. } => "no-header-row",
            IngestError::NoInventoryRows { .. } => "no-inventory-rows",
            IngestError::Timeout => "parse-timeout",
            IngestError::ReaderCrashed { .. } => "reader-crashed",
        }
    }

    /// Whether the problem is the size (HTTP 413) rather than the content (422).
    pub fn is_size(&self) -> bool {
        matches!(
            self,
            IngestError::TooLarge { .. } | IngestError::TooLargeDecompressed { .. } | IngestError::TooManyCells { .. }
        )
    }
}
