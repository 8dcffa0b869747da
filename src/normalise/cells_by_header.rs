//! A row's cells by header, as the JSON object text that is stored.
//!
//! Built once, in the parse worker, straight from the row's (header, value)
//! pairs: the service passes it to the database as it is, instead of
//! rebuilding a map of a dozen strings per row and serialising it again —
//! a large share of its work on a big import.

use std::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::ser::{Error as _, SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

/// A JSON object of header → cell text. In JSON (an API reply) it is that
/// object; in the worker's binary protocol it travels as its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellsByHeader(String);

/// No cells: the empty object `{}` (never an empty text, which is not a
/// JSON document and would not read back).
impl Default for CellsByHeader {
    fn default() -> Self {
        CellsByHeader("{}".to_owned())
    }
}

impl CellsByHeader {
    /// The object of these pairs, in order (a repeated header keeps its
    /// last value when read).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut text = String::new();
        for (header, value) in pairs {
            if text.is_empty() {
                // Room for a typical row, so that it is rarely grown (an
                // empty object, as most rows' extra cells, stays small).
                text.reserve(512);
                text.push('{');
            } else {
                text.push(',');
            }
            push_json_string(&mut text, header);
            text.push(':');
            push_json_string(&mut text, value);
        }
        if text.is_empty() {
            text.push('{');
        }
        text.push('}');
        CellsByHeader(text)
    }

    /// The JSON text.
    pub fn as_json(&self) -> &str {
        &self.0
    }

    /// The JSON text, as stored.
    pub fn into_json(self) -> String {
        self.0
    }
}

/// Appends `text` as a JSON string, escaped exactly as serde_json escapes
/// it (quotes, backslashes, control characters), straight into `out`: this
/// runs for every cell and header of every row.
fn push_json_string(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    // Most cells need no escape: one pass without branches tells.
    let plain = text.bytes().fold(true, |plain, b| plain & (b >= 0x20) & (b != b'"') & (b != b'\\'));
    if plain {
        out.push_str(text);
        out.push('"');
        return;
    }
    let mut start = 0;
    for (i, byte) in text.bytes().enumerate() {
        let short = match byte {
            b'"' => Some("\\\""),
            b'\\' => Some("\\\\"),
            b'\n' => Some("\\n"),
            b'\r' => Some("\\r"),
            b'\t' => Some("\\t"),
            0x08 => Some("\\b"),
            0x0c => Some("\\f"),
            0x00..=0x1f => None,
            _ => continue,
        };
        // `byte` is ASCII, so `i` is a character boundary.
        out.push_str(&text[start..i]);
        match short {
            Some(escape) => out.push_str(escape),
            None => {
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 0xf)]));
            }
        }
        start = i + 1;
    }
    out.push_str(&text[start..]);
    out.push('"');
}

impl Serialize for CellsByHeader {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if !serializer.is_human_readable() {
            return serializer.serialize_str(&self.0);
        }
        let pairs: Vec<(String, String)> = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&self.0)
            .map_err(S::Error::custom)?
            .into_iter()
            .map(|(k, v)| (k, v.as_str().unwrap_or_default().to_owned()))
            .collect();
        let mut map = serializer.serialize_map(Some(pairs.len()))?;
        for (header, value) in &pairs {
            map.serialize_entry(header, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for CellsByHeader {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            deserializer.deserialize_map(PairsVisitor)
        } else {
            String::deserialize(deserializer).map(CellsByHeader)
        }
    }
}

struct PairsVisitor;

impl<'de> Visitor<'de> for PairsVisitor {
    type Value = CellsByHeader;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object of header → cell text")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<CellsByHeader, A::Error> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        while let Some(pair) = access.next_entry()? {
            pairs.push(pair);
        }
        Ok(CellsByHeader::from_pairs(pairs.iter().map(|(h, v)| (h.as_str(), v.as_str()))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_cells_is_the_empty_object() {
        assert_eq!(CellsByHeader::default().as_json(), "{}");
        assert_eq!(CellsByHeader::default(), CellsByHeader::from_pairs([]));
    }

    #[test]
    fn the_text_is_the_json_object_of_the_pairs() {
        let cells = CellsByHeader::from_pairs([("Logiciel", "Dx\"Care"), ("Coût (€)", "1 200,50 €")]);
        let parsed: serde_json::Value = serde_json::from_str(cells.as_json()).unwrap_or_default();
        assert_eq!(parsed, serde_json::json!({"Logiciel": "Dx\"Care", "Coût (€)": "1 200,50 €"}));
        assert_eq!(CellsByHeader::from_pairs([]).as_json(), "{}");
    }

    proptest::proptest! {
        #[test]
        fn strings_are_escaped_as_serde_json_escapes_them(text in "(\\PC|[\\x00-\\x1f\"\\\\\\x7f])*") {
            let mut ours = String::new();
            push_json_string(&mut ours, &text);
            proptest::prop_assert_eq!(Some(ours), serde_json::to_string(&text).ok());
        }
    }

    #[test]
    fn in_json_it_is_an_object_and_in_the_worker_protocol_its_text() {
        let cells = CellsByHeader::from_pairs([("Couleur", "bleu")]);
        assert_eq!(serde_json::to_value(&cells).ok(), Some(serde_json::json!({"Couleur": "bleu"})));
        let back: Result<CellsByHeader, _> = serde_json::from_value(serde_json::json!({"Couleur": "bleu"}));
        assert_eq!(back.ok(), Some(cells.clone()));
        let wire = postcard::to_stdvec(&cells).unwrap_or_default();
        assert_eq!(postcard::from_bytes::<CellsByHeader>(&wire).ok(), Some(cells));
    }
}
