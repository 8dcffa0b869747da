//! Web pages saved as `.xls`: what many business applications call an
//! « export Excel » is an HTML table, which Excel opens as a sheet. Each
//! table of the page is read as a sheet (« Tableau 1 », …), as Excel reads
//! it: cell text decoded (entities), `<br>` as a line break, white space
//! collapsed as a browser does, a cell spanning columns followed by empty
//! ones. The locator then takes the table(s) with a header row.

use scraper::{ElementRef, Html, Node, Selector};

use super::{Cell, IngestError, Limits, RawSheet};

/// How far into the file the HTML markers are looked for.
const SNIFF_BYTES: usize = 4096;
/// Widest span of one cell honoured (`colspan="100000"` is not a sheet).
const MAX_COLSPAN: usize = 256;

/// Whether the bytes are an HTML document or fragment (after a BOM and
/// blank space, a tag, and an `<html`, `<table` or doctype near the start).
pub fn looks_like_html(bytes: &[u8]) -> bool {
    let start = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = &start[start.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(start.len())..];
    if !start.starts_with(b"<") {
        return false;
    }
    let head = String::from_utf8_lossy(&start[..start.len().min(SNIFF_BYTES)]).to_ascii_lowercase();
    ["<!doctype html", "<html", "<table", "<head", "<body", "<meta"].iter().any(|m| head.contains(m))
}

/// Whether an HTML file holds a table at all (else it is a web page: an
/// error page, « 301 Moved Permanently »).
pub fn has_table(bytes: &[u8]) -> bool {
    bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"<table"))
}

/// Reads each table of the page as a sheet.
///
/// # Errors
/// `TooManyCells` past the limit.
pub fn read_html(bytes: &[u8], limits: &Limits) -> Result<Vec<RawSheet>, IngestError> {
    let text = super::delimited::decode(bytes);
    let document = Html::parse_document(&text);
    let tables = Selector::parse("table").map_err(|e| IngestError::corrupted("page web illisible", e.to_string()))?;
    let mut sheets = Vec::new();
    let mut cells: u64 = 0;
    for (index, table) in document.select(&tables).enumerate() {
        let mut rows: Vec<Vec<Cell>> = Vec::new();
        for row in table.descendants().filter_map(ElementRef::wrap).filter(|e| e.value().name() == "tr") {
            if nearest_table(row).map(|t| t.id()) != Some(table.id()) {
                continue;
            }
            let mut cells_of_row = Vec::new();
            for cell in row.children().filter_map(ElementRef::wrap) {
                if !matches!(cell.value().name(), "td" | "th") {
                    continue;
                }
                let text = cell_text(cell);
                cells_of_row.push(if text.is_empty() { Cell::Empty } else { Cell::Text(text) });
                let span = cell.value().attr("colspan").and_then(|s| s.trim().parse::<usize>().ok()).unwrap_or(1);
                for _ in 1..span.clamp(1, MAX_COLSPAN) {
                    cells_of_row.push(Cell::Empty);
                }
            }
            cells += cells_of_row.len() as u64;
            if cells > limits.max_cells {
                return Err(IngestError::TooManyCells { limit: limits.max_cells });
            }
            rows.push(cells_of_row);
        }
        if rows.iter().any(|r| r.iter().any(|c| !c.is_blank())) {
            sheets.push(RawSheet { name: format!("Tableau {}", index + 1), first_row: 1, first_col: 1, rows });
        }
    }
    Ok(sheets)
}

/// The table a row belongs to (not a table nested in one of its cells).
fn nearest_table(row: ElementRef<'_>) -> Option<ElementRef<'_>> {
    row.ancestors().filter_map(ElementRef::wrap).find(|e| e.value().name() == "table")
}

/// A cell's text as a browser shows it: runs of white space made one
/// space, `<br>` a line break, entities decoded (by the parser).
fn cell_text(cell: ElementRef<'_>) -> String {
    let mut text = String::new();
    for node in cell.descendants() {
        match node.value() {
            Node::Text(t) => {
                for c in t.chars() {
                    if c.is_whitespace() {
                        if !text.ends_with([' ', '\n']) && !text.is_empty() {
                            text.push(' ');
                        }
                    } else {
                        text.push(c);
                    }
                }
            }
            Node::Element(e) if e.name() == "br" => {
                if text.ends_with(' ') {
                    text.pop();
                }
                text.push('\n');
            }
            _ => {}
        }
    }
    text.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_saved_as_xls_is_read_as_excel_reads_it() {
        let page = "<html><head><meta charset=\"utf-8\"></head><body><p>Export du 12/03</p>\
            <table border=1><tr><th>Application</th><th>&Eacute;diteur</th><th>Commentaire</th></tr>\
            <tr><td>DxCare</td><td>Dedalus &amp; co</td><td>ligne 1<br>ligne 2</td></tr>\
            <tr><td colspan=2>  Pastel\n   MiPih </td><td><table><tr><td>imbriqué</td></tr></table></td></tr></table>\
            </body></html>";
        assert!(looks_like_html(page.as_bytes()) && has_table(page.as_bytes()));
        let sheets = read_html(page.as_bytes(), &Limits::default()).unwrap_or_else(|e| panic!("{e}"));
        let first = &sheets[0];
        assert_eq!(first.name, "Tableau 1");
        let text = |c: &Cell| c.display();
        assert_eq!(first.rows[0].iter().map(text).collect::<Vec<_>>(), ["Application", "Éditeur", "Commentaire"]);
        assert_eq!(first.rows[1].iter().map(text).collect::<Vec<_>>(), ["DxCare", "Dedalus & co", "ligne 1\nligne 2"]);
        assert_eq!(first.rows[2].iter().map(text).collect::<Vec<_>>(), ["Pastel MiPih", "", "imbriqué"]);
        assert_eq!(first.rows.len(), 3, "the nested table's row is not the outer table's");
    }

    #[test]
    fn a_web_page_without_a_table_is_told_apart_and_text_is_not_html() {
        let moved = b"<html><head><title>301 Moved Permanently</title></head><body><h1>Moved</h1></body></html>";
        assert!(looks_like_html(moved) && !has_table(moved));
        assert!(!looks_like_html(b"Application;Editeur\nDxCare;Dedalus\n"));
        assert!(!looks_like_html(b"<Application>;Editeur\n"));
    }
}
