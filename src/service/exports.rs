//! Workbooks given back to users: what each needs from the database, then
//! the pure writer of `export`.

use crate::error::AppError;
use crate::export::template::{self, TemplateTaxonomy};
use crate::store::{Db, taxonomy};

/// A workbook to send: its bytes and the file name to offer.
#[derive(Debug)]
pub struct Download {
    /// The workbook.
    pub bytes: Vec<u8>,
    /// The file name to offer (French, no path).
    pub file_name: String,
}

/// Which template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    /// The blank inventory template.
    Inventory,
    /// The filled example.
    Example,
}

impl Template {
    /// The file name it is committed and served under.
    pub fn file_name(self) -> &'static str {
        match self {
            Template::Inventory => "inventaire.xlsx",
            Template::Example => "inventaire-exemple.xlsx",
        }
    }
}

async fn template_taxonomy(db: &Db) -> Result<TemplateTaxonomy, AppError> {
    let stored = taxonomy::load(db.reader()).await?;
    Ok(TemplateTaxonomy {
        domains: stored.domains.into_iter().map(|d| (d.code, d.label)).collect(),
        subdomains: stored.subdomains.into_iter().map(|s| (s.code.to_string(), s.domain_code, s.label)).collect(),
    })
}

/// An inventory template, written from the taxonomy in force.
///
/// # Errors
/// When the taxonomy cannot be read or the workbook written.
pub async fn template(db: &Db, which: Template) -> Result<Download, AppError> {
    let taxonomy = template_taxonomy(db).await?;
    let bytes = match which {
        Template::Inventory => template::inventory_template(&taxonomy),
        Template::Example => template::filled_example(&taxonomy),
    }
    .map_err(|e| AppError::Internal(e.into()))?;
    Ok(Download { bytes, file_name: which.file_name().to_owned() })
}
