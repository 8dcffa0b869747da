//! The IDSI-style inventory template an établissement fills, and a filled
//! example, written from the live taxonomy.
//!
//! The headers are the importer's own (`import::headers::FIELDS`), so a
//! filled template is read without any mapping; the dropdown lists hold
//! values the importer reads (a sub-domain is offered as « CODE — libellé »,
//! which the taxonomy lookup understands); dates and numbers are validated
//! as Excel dates and numbers. A *Notice* sheet explains each column with
//! an example, and the lists live in a hidden *Listes* sheet (a list longer
//! than 255 characters must be a range).

use std::collections::HashSet;

use chrono::NaiveDate;
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, ExcelDateTime, Format, Workbook, Worksheet,
    XlsxError,
};

use super::cells;
use crate::import::headers::{FIELDS, Field};

/// The sheet the rows go in.
pub const INVENTORY_SHEET: &str = "Inventaire";
/// The sheet explaining each column.
pub const NOTICE_SHEET: &str = "Notice";
/// The hidden sheet of dropdown values.
pub const LISTS_SHEET: &str = "Listes";
/// Rows prepared with validations below the header.
const PREPARED_ROWS: u32 = 2_000;
/// The separator of « CODE — libellé » in the sub-domain list.
pub const CODE_LABEL_SEPARATOR: &str = " — ";

/// The taxonomy as the template offers it.
#[derive(Debug, Clone, Default)]
pub struct TemplateTaxonomy {
    /// Domains: code and label.
    pub domains: Vec<(String, String)>,
    /// Sub-domains: code, domain code and label.
    pub subdomains: Vec<(String, String, String)>,
}

impl TemplateTaxonomy {
    /// « CODE — libellé » of a sub-domain, as the dropdown offers it.
    pub fn subdomain_choice(code: &str, label: &str) -> String {
        format!("{code}{CODE_LABEL_SEPARATOR}{label}")
    }
}

/// What a column holds, for its validation and format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Date,
    Count,
    Money,
    YesNo,
    Domain,
    Subdomain,
    Hosting,
    Contract,
    Criticality,
    Status,
}

/// One column: its field, kind, width, explanation and example.
struct Column {
    field: Field,
    kind: Kind,
    width: f64,
    explanation: &'static str,
    example: &'static str,
}

const fn column(field: Field, kind: Kind, width: f64, explanation: &'static str, example: &'static str) -> Column {
    Column { field, kind, width, explanation, example }
}

const COLUMNS: [Column; 23] = [
    column(
        Field::EtablissementName,
        Kind::Text,
        30.0,
        "Nom de l'établissement (ou du site) où l'application est déployée.",
        "Centre hospitalier du Havre",
    ),
    column(
        Field::Finess,
        Kind::Text,
        13.0,
        "Numéro FINESS à 9 caractères : juridique (EJ) ou géographique (ET) ; un ET est rattaché à son EJ. Saisi comme texte (les zéros de tête sont gardés).",
        "760780726",
    ),
    column(
        Field::Application,
        Kind::Text,
        26.0,
        "Obligatoire. Le nom du logiciel tel que vous le connaissez ; il est rapproché du catalogue (« non reconnu » sinon, jamais un rapprochement hasardeux). « Développement interne », « Non informatisé » et « Aucun » sont des états, pas des produits.",
        "DxCare",
    ),
    column(Field::Module, Kind::Text, 18.0, "Module(s) utilisés, s'il y a lieu.", "Urgences"),
    column(Field::Vendor, Kind::Text, 20.0, "Éditeur actuel ; facultatif (déduit du catalogue).", "Dedalus"),
    column(Field::Version, Kind::Text, 10.0, "Version installée ; facultatif.", "8.3"),
    column(
        Field::Domain,
        Kind::Domain,
        28.0,
        "Domaine fonctionnel (liste) ; facultatif quand le sous-domaine est donné.",
        "Dossier patient informatisé",
    ),
    column(
        Field::Subdomain,
        Kind::Subdomain,
        40.0,
        "Sous-domaine fonctionnel (liste « code — libellé ») : c'est à ce niveau que la convergence est mesurée. Sans lui, il est déduit du produit quand c'est possible.",
        "DPI.CORE — Dossier patient (noyau)",
    ),
    column(Field::GoLive, Kind::Date, 14.0, "Date de mise en service (JJ/MM/AAAA).", "01/03/2019"),
    column(Field::Users, Kind::Count, 12.0, "Nombre d'utilisateurs (entier).", "1200"),
    column(Field::Beds, Kind::Count, 10.0, "Nombre de lits couverts (entier).", "850"),
    column(
        Field::Hosting,
        Kind::Hosting,
        20.0,
        "Hébergement (liste) : local, datacenter du GHT, hébergeur HDS, SaaS.",
        "Datacenter du GHT",
    ),
    column(
        Field::Contract,
        Kind::Contract,
        18.0,
        "Mode d'acquisition (liste, ou votre texte) : licence, SaaS, open source, marché, centrale d'achat…",
        "Resah",
    ),
    column(
        Field::ContractEnd,
        Kind::Date,
        14.0,
        "Date de fin du contrat ou de la maintenance (JJ/MM/AAAA) : le bon moment pour converger.",
        "31/12/2027",
    ),
    column(
        Field::AcquisitionCost,
        Kind::Money,
        16.0,
        "Coût d'acquisition en euros TTC ; laissez vide si inconnu (vide n'est pas zéro).",
        "450000",
    ),
    column(
        Field::AnnualCost,
        Kind::Money,
        16.0,
        "Coût annuel (maintenance, abonnement) en euros TTC ; laissez vide si inconnu.",
        "85000,50",
    ),
    column(Field::Interfaces, Kind::Text, 20.0, "Interfaces et flux (HL7, HPRIM, IHE, FHIR, DICOM…).", "HL7, HPRIM"),
    column(
        Field::IdentityConnected,
        Kind::YesNo,
        14.0,
        "Connecté au référentiel unique d'identités du GHT (oui / non).",
        "Oui",
    ),
    column(Field::Sso, Kind::YesNo, 14.0, "Authentification personnelle, SSO ou carte CPS (oui / non).", "Oui"),
    column(Field::Ins, Kind::YesNo, 10.0, "Identité nationale de santé (INS) intégrée (oui / non).", "Oui"),
    column(
        Field::Criticality,
        Kind::Criticality,
        12.0,
        "Criticité (liste) : faible, moyenne, haute, critique.",
        "Critique",
    ),
    column(
        Field::ConvergenceStatus,
        Kind::Status,
        18.0,
        "Statut au regard de la convergence (liste) : cible GHT, à conserver, à remplacer, à décommissionner.",
        "Cible GHT",
    ),
    column(Field::Comment, Kind::Text, 30.0, "Commentaire libre.", "Exemple : supprimez cette ligne"),
];

const HOSTING: [&str; 4] = ["Local", "Datacenter du GHT", "Hébergeur HDS", "SaaS"];
const CONTRACT: [&str; 9] =
    ["Licence", "SaaS", "Open source", "Développement interne", "Marché", "UGAP", "CAIH", "Resah", "UniHA"];
const CRITICALITY: [&str; 4] = ["Faible", "Moyenne", "Haute", "Critique"];
const STATUS: [&str; 4] = ["Cible GHT", "À conserver", "À remplacer", "À décommissionner"];
const YES_NO: [&str; 2] = ["Oui", "Non"];

/// A hosting as the template's list writes it.
pub fn hosting_choice(hosting: crate::domain::Hosting) -> &'static str {
    use crate::domain::Hosting;
    match hosting {
        Hosting::Local => HOSTING[0],
        Hosting::DatacenterGht => HOSTING[1],
        Hosting::Hds => HOSTING[2],
        Hosting::Saas => HOSTING[3],
    }
}

/// A convergence status as the template's list writes it.
pub fn status_choice(status: crate::domain::ConvergenceStatus) -> &'static str {
    use crate::domain::ConvergenceStatus;
    match status {
        ConvergenceStatus::Target => STATUS[0],
        ConvergenceStatus::Keep => STATUS[1],
        ConvergenceStatus::Replace => STATUS[2],
        ConvergenceStatus::Decommission => STATUS[3],
    }
}

/// The header the importer knows a field by.
fn header(field: Field) -> &'static str {
    FIELDS.iter().find(|(f, _, _)| *f == field).map_or("", |(_, name, _)| name)
}

/// The headers of the inventory sheet, in order.
pub fn headers() -> Vec<&'static str> {
    COLUMNS.iter().map(|c| header(c.field)).collect()
}

/// One row of the filled example, in the columns' order (text as typed).
#[derive(Debug, Clone)]
pub struct ExampleRow {
    /// The application.
    pub application: &'static str,
    /// Its vendor.
    pub vendor: &'static str,
    /// Its version.
    pub version: &'static str,
    /// Its sub-domain code.
    pub subdomain: &'static str,
    /// Go-live.
    pub go_live: NaiveDate,
    /// Users.
    pub users: u32,
    /// Hosting (a list value).
    pub hosting: &'static str,
    /// Contract end.
    pub contract_end: NaiveDate,
    /// Annual cost in euros.
    pub annual_cost: f64,
    /// Connected to the identity référentiel.
    pub identity: bool,
    /// Criticality (a list value).
    pub criticality: &'static str,
    /// Convergence status (a list value).
    pub status: &'static str,
}

/// The établissement of the filled example (a real EJ of the directory:
/// Groupe hospitalier du Havre).
pub const EXAMPLE_ETABLISSEMENT: (&str, &str) = ("Groupe hospitalier du Havre", "760780726");

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// The rows of the filled example.
pub fn example_rows() -> Vec<ExampleRow> {
    let row = |application, vendor, version, subdomain, go_live, users, hosting, end, cost, identity, crit, status| {
        ExampleRow {
            application,
            vendor,
            version,
            subdomain,
            go_live,
            users,
            hosting,
            contract_end: end,
            annual_cost: cost,
            identity,
            criticality: crit,
            status,
        }
    };
    vec![
        row(
            "DxCare",
            "Dedalus",
            "8.3",
            "DPI.CORE",
            day(2015, 3, 1),
            2400,
            "Datacenter du GHT",
            day(2027, 12, 31),
            185_000.0,
            true,
            "Critique",
            "Cible GHT",
        ),
        row(
            "Pastel",
            "MiPih",
            "2024.1",
            "GAP.ADM",
            day(2009, 1, 5),
            320,
            "Datacenter du GHT",
            day(2026, 12, 31),
            42_500.5,
            true,
            "Critique",
            "À remplacer",
        ),
        row(
            "ResUrgences",
            "Berger-Levrault",
            "5.2",
            "URG.DPU",
            day(2018, 6, 12),
            260,
            "Local",
            day(2028, 6, 30),
            18_900.0,
            true,
            "Critique",
            "À conserver",
        ),
        row(
            "Glims",
            "Clinisys",
            "10",
            "LAB.SIL",
            day(2012, 9, 1),
            95,
            "Local",
            day(2026, 3, 31),
            31_200.0,
            true,
            "Haute",
            "Cible GHT",
        ),
        row(
            "Pharma",
            "Computer Engineering",
            "6.1",
            "PHARMA.GEST",
            day(2016, 2, 1),
            60,
            "Hébergeur HDS",
            day(2029, 1, 31),
            12_750.0,
            false,
            "Haute",
            "À conserver",
        ),
    ]
}

struct Formats {
    header: Format,
    text: Format,
    date: Format,
    count: Format,
    money: Format,
    example: Format,
    example_date: Format,
}

impl Formats {
    fn new() -> Self {
        let styles = super::style::Styles::default();
        let header = styles.header.clone();
        let text = Format::new().set_num_format("@");
        let date = styles.date.clone();
        let count = Format::new().set_num_format("0");
        let money = styles.money.clone();
        let example = Format::new().set_italic().set_font_color(Color::RGB(0x59_59_59));
        let example_date = example.clone().set_num_format("dd/mm/yyyy");
        Formats { header, text, date, count, money, example, example_date }
    }

    fn of(&self, kind: Kind) -> &Format {
        match kind {
            Kind::Date => &self.date,
            Kind::Count => &self.count,
            Kind::Money => &self.money,
            _ => &self.text,
        }
    }
}

/// Writes the dropdown lists; returns the range of each list.
fn write_lists(book: &mut Workbook, taxonomy: &TemplateTaxonomy) -> Result<Vec<(Kind, String)>, XlsxError> {
    let sheet = book.add_worksheet();
    sheet.set_name(LISTS_SHEET)?;
    let domains: Vec<String> = taxonomy.domains.iter().map(|(_, label)| label.clone()).collect();
    let subdomains: Vec<String> =
        taxonomy.subdomains.iter().map(|(code, _, label)| TemplateTaxonomy::subdomain_choice(code, label)).collect();
    let own = |values: &[&str]| values.iter().map(|v| (*v).to_owned()).collect::<Vec<_>>();
    let lists: Vec<(Kind, &str, Vec<String>)> = vec![
        (Kind::Domain, "Domaines", domains),
        (Kind::Subdomain, "Sous-domaines", subdomains),
        (Kind::Hosting, "Hébergement", own(&HOSTING)),
        (Kind::Contract, "Mode d'acquisition", own(&CONTRACT)),
        (Kind::Criticality, "Criticité", own(&CRITICALITY)),
        (Kind::Status, "Statut", own(&STATUS)),
        (Kind::YesNo, "Oui / non", own(&YES_NO)),
    ];
    let bold = Format::new().set_bold();
    let mut ranges = Vec::new();
    for (col, (kind, title, values)) in lists.into_iter().enumerate() {
        let col = col as u16;
        sheet.write_string_with_format(0, col, title, &bold)?;
        for (row, value) in values.iter().enumerate() {
            cells::text(sheet, row as u32 + 1, col, value, None)?;
        }
        sheet.set_column_width(col, 36)?;
        let letter = column_letter(col);
        let last = values.len().max(1) + 1;
        ranges.push((kind, format!("={LISTS_SHEET}!${letter}$2:${letter}${last}")));
    }
    sheet.set_hidden(true);
    Ok(ranges)
}

fn column_letter(col: u16) -> String {
    let mut n = u32::from(col) + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

fn validation(kind: Kind, ranges: &[(Kind, String)]) -> Result<Option<DataValidation>, XlsxError> {
    let list = |message: &str, strict: bool| -> Result<Option<DataValidation>, XlsxError> {
        let Some((_, range)) = ranges.iter().find(|(k, _)| *k == kind) else { return Ok(None) };
        let mut rule = DataValidation::new()
            .allow_list_formula(range.as_str().into())
            .set_input_message(message)?
            .set_error_message("Choisissez une valeur de la liste.")?;
        if !strict {
            rule = rule.set_error_style(DataValidationErrorStyle::Information);
        }
        Ok(Some(rule))
    };
    Ok(match kind {
        Kind::Text => None,
        Kind::Date => Some(
            DataValidation::new()
                .allow_date(DataValidationRule::Between(
                    ExcelDateTime::from_ymd(1980, 1, 1)?,
                    ExcelDateTime::from_ymd(2100, 12, 31)?,
                ))
                .set_error_message("Saisissez une date (JJ/MM/AAAA).")?,
        ),
        Kind::Count => Some(
            DataValidation::new()
                .allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(0))
                .set_error_message("Saisissez un nombre entier positif ou nul.")?,
        ),
        Kind::Money => Some(
            DataValidation::new()
                .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0))
                .set_error_message("Saisissez un montant en euros, positif ou nul (vide si inconnu).")?,
        ),
        Kind::YesNo => list("Oui ou non ; vide si vous ne savez pas.", true)?,
        Kind::Domain => list("Le domaine fonctionnel.", true)?,
        Kind::Subdomain => list("Le sous-domaine : c'est à ce niveau que la convergence est mesurée.", true)?,
        Kind::Hosting => list("Où l'application est hébergée.", true)?,
        Kind::Contract => list("Mode d'acquisition : une valeur de la liste, ou votre texte.", false)?,
        Kind::Criticality => list("Criticité pour l'établissement.", true)?,
        Kind::Status => list("Statut au regard de la convergence du GHT.", true)?,
    })
}

fn write_inventory_sheet(
    sheet: &mut Worksheet,
    formats: &Formats,
    ranges: &[(Kind, String)],
    rows: &[Vec<CellValue>],
    example: bool,
) -> Result<(), XlsxError> {
    sheet.set_row_height(0, 45)?;
    for (col, column) in COLUMNS.iter().enumerate() {
        let col = col as u16;
        sheet.write_string_with_format(0, col, header(column.field), &formats.header)?;
        sheet.set_column_width(col, column.width)?;
        if let Some(rule) = validation(column.kind, ranges)? {
            sheet.add_data_validation(1, col, PREPARED_ROWS, col, &rule)?;
        }
        if matches!(column.kind, Kind::Date | Kind::Count | Kind::Money) || column.field == Field::Finess {
            sheet.set_column_format(col, formats.of(column.kind))?;
        }
    }
    sheet.set_freeze_panes(1, 3)?;
    sheet.autofilter(0, 0, 0, COLUMNS.len() as u16 - 1)?;
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, value) in row.iter().enumerate() {
            let c = c as u16;
            let kind = COLUMNS.get(usize::from(c)).map_or(Kind::Text, |col| col.kind);
            match value {
                CellValue::Empty => {}
                CellValue::Text(text) => {
                    let format = if example { &formats.example } else { formats.of(Kind::Text) };
                    cells::text(sheet, r, c, text, Some(format))?;
                }
                CellValue::Number(n) => {
                    let format = if example { &formats.example } else { formats.of(kind) };
                    let format = if kind == Kind::Money && example { &formats.money } else { format };
                    sheet.write_number_with_format(r, c, *n, format)?;
                }
                CellValue::Date(d) => {
                    let format = if example { &formats.example_date } else { &formats.date };
                    sheet.write_date_with_format(r, c, cells::excel_date(*d)?, format)?;
                }
            }
        }
    }
    Ok(())
}

/// A value of the template's rows.
#[derive(Debug, Clone)]
enum CellValue {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
}

fn write_notice(book: &mut Workbook, formats: &Formats, title: &str) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet();
    sheet.set_name(NOTICE_SHEET)?;
    let bold = Format::new().set_bold().set_font_size(14);
    let wrap = Format::new().set_text_wrap().set_align(rust_xlsxwriter::FormatAlign::Top);
    sheet.write_string_with_format(0, 0, title, &bold)?;
    sheet.write_string(
        1,
        0,
        "Une ligne = une application déployée dans un établissement pour un sous-domaine fonctionnel. Seule la colonne Application est obligatoire ; laissez vide ce que vous ne savez pas (vide n'est pas zéro). Déposez le classeur tel quel : les en-têtes sont reconnus sans correspondance à saisir.",
    )?;
    for (c, title) in ["Colonne", "Obligatoire", "Explication", "Exemple"].iter().enumerate() {
        sheet.write_string_with_format(3, c as u16, *title, &formats.header)?;
    }
    // Each column named with its letter (« C — Application »): a bare
    // header name in a cell would make the importer take this sheet for
    // an inventory.
    for (r, column) in COLUMNS.iter().enumerate() {
        let letter = column_letter(r as u16);
        let r = r as u32 + 4;
        sheet.write_string(r, 0, format!("{letter}{CODE_LABEL_SEPARATOR}{}", header(column.field)))?;
        sheet.write_string(r, 1, if column.field == Field::Application { "oui" } else { "non" })?;
        sheet.write_string_with_format(r, 2, column.explanation, &wrap)?;
        sheet.write_string(r, 3, column.example)?;
    }
    sheet.set_column_width(0, 34)?;
    sheet.set_column_width(1, 12)?;
    sheet.set_column_width(2, 90)?;
    sheet.set_column_width(3, 36)?;
    Ok(())
}

fn workbook(
    taxonomy: &TemplateTaxonomy,
    sheets: &[(String, Vec<Vec<CellValue>>)],
    example: bool,
    title: &str,
) -> Result<Vec<u8>, XlsxError> {
    let formats = Formats::new();
    let mut book = Workbook::new();
    let mut used = HashSet::new();
    for reserved in [NOTICE_SHEET, LISTS_SHEET] {
        cells::sheet_name(reserved, &mut used);
    }
    let mut names = Vec::with_capacity(sheets.len());
    for (name, _) in sheets {
        let name = cells::sheet_name(name, &mut used);
        book.add_worksheet().set_name(&name)?;
        names.push(name);
    }
    write_notice(&mut book, &formats, title)?;
    let ranges = write_lists(&mut book, taxonomy)?;
    for (index, (name, (_, rows))) in names.iter().zip(sheets).enumerate() {
        let sheet = book.worksheet_from_name(name)?;
        write_inventory_sheet(sheet, &formats, &ranges, rows, example)?;
        if index == 0 {
            sheet.set_active(true);
        }
    }
    book.save_to_buffer()
}

fn subdomain_choice(taxonomy: &TemplateTaxonomy, code: &str) -> String {
    taxonomy
        .subdomains
        .iter()
        .find(|(c, _, _)| c == code)
        .map_or_else(|| code.to_owned(), |(c, _, label)| TemplateTaxonomy::subdomain_choice(c, label))
}

fn domain_label(taxonomy: &TemplateTaxonomy, subdomain: &str) -> String {
    let domain = taxonomy.subdomains.iter().find(|(c, _, _)| c == subdomain).map(|(_, d, _)| d.as_str());
    taxonomy.domains.iter().find(|(c, _)| Some(c.as_str()) == domain).map(|(_, l)| l.clone()).unwrap_or_default()
}

/// The blank template: headers, lists, validations, and one example row
/// in grey italics (to delete).
///
/// # Errors
/// When the workbook cannot be written.
pub fn inventory_template(taxonomy: &TemplateTaxonomy) -> Result<Vec<u8>, XlsxError> {
    let example: Vec<CellValue> = COLUMNS
        .iter()
        .map(|c| match c.kind {
            Kind::Date => CellValue::Date(match c.field {
                Field::GoLive => day(2019, 3, 1),
                _ => day(2027, 12, 31),
            }),
            Kind::Count | Kind::Money => {
                c.example.replace(',', ".").parse::<f64>().map_or(CellValue::Empty, CellValue::Number)
            }
            Kind::Subdomain => CellValue::Text(subdomain_choice(taxonomy, "DPI.CORE")),
            Kind::Domain => CellValue::Text(domain_label(taxonomy, "DPI.CORE")),
            _ => CellValue::Text(c.example.to_owned()),
        })
        .collect();
    workbook(taxonomy, &[(INVENTORY_SHEET.to_owned(), vec![example])], true, "Inventaire des applications — modèle")
}

/// The filled example: a few rows of one établissement, which import with
/// no error and no warning.
///
/// # Errors
/// When the workbook cannot be written.
pub fn filled_example(taxonomy: &TemplateTaxonomy) -> Result<Vec<u8>, XlsxError> {
    let (name, finess) = EXAMPLE_ETABLISSEMENT;
    let rows: Vec<Vec<CellValue>> = example_rows()
        .into_iter()
        .map(|row| {
            COLUMNS
                .iter()
                .map(|c| match c.field {
                    Field::EtablissementName => CellValue::Text(name.to_owned()),
                    Field::Finess => CellValue::Text(finess.to_owned()),
                    Field::Application => CellValue::Text(row.application.to_owned()),
                    Field::Vendor => CellValue::Text(row.vendor.to_owned()),
                    Field::Version => CellValue::Text(row.version.to_owned()),
                    Field::Domain => CellValue::Text(domain_label(taxonomy, row.subdomain)),
                    Field::Subdomain => CellValue::Text(subdomain_choice(taxonomy, row.subdomain)),
                    Field::GoLive => CellValue::Date(row.go_live),
                    Field::Users => CellValue::Number(f64::from(row.users)),
                    Field::Hosting => CellValue::Text(row.hosting.to_owned()),
                    Field::ContractEnd => CellValue::Date(row.contract_end),
                    Field::AnnualCost => CellValue::Number(row.annual_cost),
                    Field::IdentityConnected => CellValue::Text(if row.identity { "Oui" } else { "Non" }.to_owned()),
                    Field::Criticality => CellValue::Text(row.criticality.to_owned()),
                    Field::ConvergenceStatus => CellValue::Text(row.status.to_owned()),
                    _ => CellValue::Empty,
                })
                .collect()
        })
        .collect();
    workbook(taxonomy, &[(INVENTORY_SHEET.to_owned(), rows)], false, "Inventaire des applications — exemple rempli")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_has_the_importers_header() {
        for (column, name) in COLUMNS.iter().zip(headers()) {
            assert!(!name.is_empty(), "{:?}", column.field);
        }
        let unique: HashSet<_> = headers().into_iter().collect();
        assert_eq!(unique.len(), COLUMNS.len());
    }

    #[test]
    fn column_letters_follow_excel() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
    }
}

/// A row of a campaign kit: what an établissement declared at the previous
/// campaign, normalised (the catalogue's name for a matched product), to
/// update rather than type again.
#[derive(Debug, Clone, Default)]
pub struct KitRow {
    /// Établissement name.
    pub etablissement: String,
    /// FINESS (the ET when the row had one, else the EJ).
    pub finess: String,
    /// The catalogue's name, or the name as written.
    pub application: String,
    /// Module(s).
    pub module: Option<String>,
    /// Vendor.
    pub vendor: Option<String>,
    /// Version.
    pub version: Option<String>,
    /// Sub-domain code.
    pub subdomain: Option<String>,
    /// Go-live.
    pub go_live: Option<NaiveDate>,
    /// Users.
    pub users: Option<i32>,
    /// Beds.
    pub beds: Option<i32>,
    /// Hosting, as the list writes it.
    pub hosting: Option<&'static str>,
    /// Acquisition mode.
    pub contract: Option<String>,
    /// Contract end.
    pub contract_end: Option<NaiveDate>,
    /// Acquisition cost, euros.
    pub acquisition_cost: Option<f64>,
    /// Annual cost, euros.
    pub annual_cost: Option<f64>,
    /// Interfaces.
    pub interfaces: Option<String>,
    /// Identity référentiel.
    pub identity_connected: Option<bool>,
    /// SSO.
    pub sso: Option<bool>,
    /// INS.
    pub ins: Option<bool>,
    /// Criticality, as the list writes it.
    pub criticality: Option<&'static str>,
    /// Convergence status, as the list writes it.
    pub status: Option<&'static str>,
    /// Comment.
    pub comment: Option<String>,
}

fn kit_cells(taxonomy: &TemplateTaxonomy, row: &KitRow) -> Vec<CellValue> {
    let text = |value: &Option<String>| value.clone().map_or(CellValue::Empty, CellValue::Text);
    let word = |value: Option<&'static str>| value.map_or(CellValue::Empty, |v| CellValue::Text(v.to_owned()));
    let yes_no = |value: Option<bool>| word(value.map(|v| if v { "Oui" } else { "Non" }));
    let number = |value: Option<f64>| value.map_or(CellValue::Empty, CellValue::Number);
    let date = |value: Option<NaiveDate>| value.map_or(CellValue::Empty, CellValue::Date);
    COLUMNS
        .iter()
        .map(|c| match c.field {
            Field::EtablissementName => CellValue::Text(row.etablissement.clone()),
            Field::Finess => CellValue::Text(row.finess.clone()),
            Field::Application => CellValue::Text(row.application.clone()),
            Field::Module => text(&row.module),
            Field::Vendor => text(&row.vendor),
            Field::Version => text(&row.version),
            Field::Domain => {
                row.subdomain.as_deref().map_or(CellValue::Empty, |s| CellValue::Text(domain_label(taxonomy, s)))
            }
            Field::Subdomain => {
                row.subdomain.as_deref().map_or(CellValue::Empty, |s| CellValue::Text(subdomain_choice(taxonomy, s)))
            }
            Field::GoLive => date(row.go_live),
            Field::Users => number(row.users.map(f64::from)),
            Field::Beds => number(row.beds.map(f64::from)),
            Field::Hosting => word(row.hosting),
            Field::Contract => text(&row.contract),
            Field::ContractEnd => date(row.contract_end),
            Field::AcquisitionCost => number(row.acquisition_cost),
            Field::AnnualCost => number(row.annual_cost),
            Field::Interfaces => text(&row.interfaces),
            Field::IdentityConnected => yes_no(row.identity_connected),
            Field::Sso => yes_no(row.sso),
            Field::Ins => yes_no(row.ins),
            Field::Criticality => word(row.criticality),
            Field::ConvergenceStatus => word(row.status),
            Field::Comment => text(&row.comment),
            _ => CellValue::Empty,
        })
        .collect()
}

/// A campaign kit: the template pre-filled, one sheet per établissement
/// (named after it; its rows carry their FINESS, so a GHT-level kit is
/// routed back row by row when deposited on the GHT's route).
///
/// # Errors
/// When the workbook cannot be written.
pub fn campaign_kit(
    taxonomy: &TemplateTaxonomy,
    sheets: &[(String, Vec<KitRow>)],
    campaign: i32,
) -> Result<Vec<u8>, XlsxError> {
    let sheets: Vec<(String, Vec<Vec<CellValue>>)> = sheets
        .iter()
        .map(|(name, rows)| (name.clone(), rows.iter().map(|row| kit_cells(taxonomy, row)).collect()))
        .collect();
    workbook(
        taxonomy,
        &sheets,
        false,
        &format!("Inventaire des applications — campagne {campaign} : mettez à jour vos lignes"),
    )
}
