//! How a page of report messages is written (`upload_message_pages`).
//!
//! A report repeats itself: the same sheet, headers, codes and most texts
//! come back on every row (« ne précise que le domaine IMG… » once per
//! imaging row). A page therefore holds each distinct string once and its
//! messages as rows of indexes into them — about a fifth of the bytes of a
//! list of objects, which is what the database writes and the import waits
//! for (migration 8 rewrote the pages written before). The parse worker
//! encodes each page, so the service only stores it.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::report::{Message, Severity};

/// A message as indexes into the page's strings: severity, code, sheet,
/// row, column letter, header, value, text.
type Row = (u32, u32, u32, Option<u32>, Option<u32>, Option<u32>, Option<u32>, u32);

#[derive(Serialize)]
struct InternedRef<'a> {
    strings: Vec<&'a str>,
    messages: Vec<Row>,
}

#[derive(Deserialize)]
struct Interned {
    strings: Vec<String>,
    messages: Vec<Row>,
}

fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

/// A page of messages, encoded, with its counts per severity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EncodedPage {
    /// The stored JSON text.
    pub content: String,
    /// Messages in the page.
    pub len: u32,
    /// Errors among them.
    pub errors: u32,
    /// Warnings among them.
    pub warnings: u32,
    /// Informations among them.
    pub infos: u32,
}

impl EncodedPage {
    /// Encodes these messages.
    ///
    /// # Errors
    /// When serialisation fails.
    pub fn new(messages: &[Message]) -> Result<Self, serde_json::Error> {
        let count = |severity: Severity| messages.iter().filter(|m| m.severity == severity).count() as u32;
        Ok(EncodedPage {
            content: encode(messages)?,
            len: messages.len() as u32,
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
        })
    }
}

/// Writes a page's content (the file name is the upload's, not stored).
fn encode(messages: &[Message]) -> Result<String, serde_json::Error> {
    let mut strings = Strings::default();
    let rows: Vec<Row> = messages
        .iter()
        .map(|m| {
            (
                strings.index(severity_name(m.severity)),
                strings.index(&m.code),
                strings.index(&m.sheet),
                m.row,
                m.column.as_deref().map(|c| strings.index(c)),
                m.header.as_deref().map(|h| strings.index(h)),
                m.value.as_deref().map(|v| strings.index(v)),
                strings.index(&m.text),
            )
        })
        .collect();
    serde_json::to_string(&InternedRef { strings: strings.list, messages: rows })
}

/// Each distinct string once, in order of first use. The index hashes
/// every string of every message: foldhash, not the standard SipHash
/// (a page holds at most a thousand messages, so collisions cannot cost
/// much).
#[derive(Default)]
struct Strings<'a> {
    list: Vec<&'a str>,
    index: HashMap<&'a str, u32, foldhash::fast::RandomState>,
}

impl<'a> Strings<'a> {
    fn index(&mut self, text: &'a str) -> u32 {
        let list = &mut self.list;
        *self.index.entry(text).or_insert_with(|| {
            list.push(text);
            (list.len() - 1) as u32
        })
    }
}

/// Reads a page's messages, in order, for an upload of `file`.
///
/// # Errors
/// When the content is not a page, or names a string it lacks.
pub fn decode(content: &str, file: &str) -> Result<Vec<Message>, String> {
    let Interned { strings, messages } = serde_json::from_str(content).map_err(|e| e.to_string())?;
    let text = |i: u32| strings.get(i as usize).cloned().ok_or_else(|| format!("chaîne {i} absente de la page"));
    let optional = |i: Option<u32>| i.map(text).transpose();
    messages
        .into_iter()
        .map(|(severity, code, sheet, row, column, header, value, message)| {
            let severity = match strings.get(severity as usize).map(String::as_str) {
                Some("error") => Severity::Error,
                Some("warning") => Severity::Warning,
                Some("info") => Severity::Info,
                other => return Err(format!("gravité inconnue : {other:?}")),
            };
            Ok(Message {
                severity,
                code: text(code)?,
                file: file.to_owned(),
                sheet: text(sheet)?,
                row,
                column: optional(column)?,
                header: optional(header)?,
                value: optional(value)?,
                text: text(message)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(severity: Severity, row: u32, value: Option<&str>, text: &str) -> Message {
        Message {
            severity,
            code: "inferred_subdomain".to_owned(),
            file: "inventaire.xlsx".to_owned(),
            sheet: "Inventaire".to_owned(),
            row: Some(row),
            column: value.map(|_| "F".to_owned()),
            header: value.map(|_| "Domaine fonctionnel".to_owned()),
            value: value.map(str::to_owned),
            text: text.to_owned(),
        }
    }

    #[test]
    fn a_page_reads_back_as_written_and_holds_each_string_once() {
        let text = "ne précise que le domaine IMG, qui a plusieurs sous-domaines : précisez le sous-domaine.";
        let messages = vec![
            message(Severity::Warning, 4, Some("Imagerie"), text),
            message(Severity::Error, 5, None, "le nom de l'application est vide."),
            message(Severity::Warning, 6, Some("Imagerie"), text),
            message(Severity::Info, 7, Some(""), text),
        ];
        let content = encode(&messages).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(content.matches(text).count(), 1, "{content}");
        assert_eq!(decode(&content, "inventaire.xlsx"), Ok(messages));
    }

    #[test]
    fn a_page_naming_a_missing_string_is_an_error() {
        let content = r#"{"strings":["warning"],"messages":[[0,1,0,3,null,null,null,0]]}"#;
        assert!(decode(content, "a.xlsx").is_err());
    }
}
