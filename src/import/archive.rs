//! Zip-based formats (xlsx, xlsm, xlsb, ods): size checks before anything
//! is inflated, and the repair of OpenDocument files exported without their
//! `mimetype` member (Google Drive does this; LibreOffice opens them).

use std::io::{Cursor, Write};

use super::{IngestError, Limits};

const ODS_MIMETYPE: &[u8] = b"application/vnd.oasis.opendocument.spreadsheet";
/// Members an office archive may hold before it is suspicious.
const MAX_MEMBERS: usize = 10_000;
/// Compression ratio beyond which a member is a bomb, not a workbook
/// (XML compresses ~10–30×; bombs reach 1000×).
const MAX_RATIO: u64 = 200;

/// Checks the archive's directory: declared sizes, member count and
/// compression ratios, without decompressing anything.
///
/// # Errors
/// `TooLargeDecompressed` past the limits, `Corrupted` when the directory
/// cannot be read.
pub fn check(bytes: &[u8], limits: &Limits) -> Result<(), IngestError> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| IngestError::corrupted(zip_problem(&e), e))?;
    if archive.len() > MAX_MEMBERS {
        return Err(IngestError::TooLargeDecompressed { limit: limits.max_decompressed_bytes });
    }
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let member = archive
            .by_index_raw(i)
            .map_err(|e| IngestError::corrupted("un élément de l'archive est illisible", format!("member {i}: {e}")))?;
        let size = member.size();
        total = total.saturating_add(size);
        let ratio_exceeded = size > 1024 * 1024 && size / member.compressed_size().max(1) > MAX_RATIO;
        if total > limits.max_decompressed_bytes || ratio_exceeded {
            return Err(IngestError::TooLargeDecompressed { limit: limits.max_decompressed_bytes });
        }
    }
    Ok(())
}

/// Rebuilds an OpenDocument archive that lacks its `mimetype` member, with
/// that member first and stored, as the standard requires. `None` when the
/// archive needs no repair.
///
/// # Errors
/// `Corrupted` when the archive cannot be copied.
pub fn repair_ods(bytes: &[u8]) -> Result<Option<Vec<u8>>, IngestError> {
    let corrupted = |e: zip::result::ZipError| IngestError::corrupted(zip_problem(&e), format!("ODS repair: {e}"));
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(corrupted)?;
    if archive.file_names().any(|n| n.is_ok_and(|n| n == "mimetype")) {
        return Ok(None);
    }
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(bytes.len() + 128)));
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    writer.start_file("mimetype", stored).map_err(corrupted)?;
    writer
        .write_all(ODS_MIMETYPE)
        .map_err(|e| IngestError::corrupted("l'archive OpenDocument ne peut pas être réparée", e))?;
    for i in 0..archive.len() {
        let member = archive.by_index_raw(i).map_err(corrupted)?;
        writer.raw_copy_file(member).map_err(corrupted)?;
    }
    Ok(Some(writer.finish().map_err(corrupted)?.into_inner()))
}

/// What a zip error means for the user, in French.
pub fn zip_problem(error: &zip::result::ZipError) -> &'static str {
    use zip::result::ZipError;
    match error {
        ZipError::Io(_) => "archive zip tronquée",
        ZipError::InvalidArchive(_) => "archive zip invalide",
        ZipError::UnsupportedArchive(_) => "archive zip d'un type non pris en charge",
        ZipError::FileNotFound => "élément manquant dans l'archive",
        _ => "archive zip illisible",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip_with(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, content) in members {
            writer.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap_or_else(|e| panic!("{e}"));
            writer.write_all(content).unwrap_or_else(|e| panic!("{e}"));
        }
        writer.finish().unwrap_or_else(|e| panic!("{e}")).into_inner()
    }

    #[test]
    fn a_zip_bomb_is_refused_before_inflation() {
        let zeros = vec![0u8; 50 * 1024 * 1024];
        let bomb = zip_with(&[("xl/worksheets/sheet1.xml", &zeros)]);
        assert!(bomb.len() < 1024 * 1024, "the bomb is small: {}", bomb.len());
        assert_eq!(
            check(&bomb, &Limits::default()),
            Err(IngestError::TooLargeDecompressed { limit: 400 * 1024 * 1024 })
        );
    }

    #[test]
    fn an_ods_without_mimetype_gets_it_first() {
        let ods = zip_with(&[("content.xml", b"<office:document-content/>"), ("META-INF/manifest.xml", b"<m/>")]);
        let repaired = repair_ods(&ods).unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|| panic!("repaired"));
        let archive = zip::ZipArchive::new(Cursor::new(repaired)).unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<String> = archive.file_names().filter_map(Result::ok).map(|n| n.into_owned()).collect();
        assert!(names.iter().any(|n| n == "mimetype") && names.iter().any(|n| n == "content.xml"), "{names:?}");
        let complete = zip_with(&[("mimetype", ODS_MIMETYPE), ("content.xml", b"<x/>")]);
        assert_eq!(repair_ods(&complete), Ok(None));
    }
}
