//! The demo's inventory files, generated as hospitals fill them (French
//! headers, French numbers, misspellings, sentinels) and deposited through
//! the import pipeline.

use rust_xlsxwriter::Workbook;

use crate::domain::{CampaignYear, Finess};
use crate::error::AppError;
use crate::intake::worker::WorkerConfig;
use crate::intake::{self, ImportRequest, ImportScope};
use crate::store::Db;
use crate::store::audit::Actor;

const HEADERS: [&str; 9] = [
    "Application",
    "Éditeur",
    "Domaine fonctionnel",
    "Version",
    "Nb utilisateurs",
    "Fin de contrat",
    "Coût annuel TTC (€)",
    "Connecté au référentiel d'identités",
    "Hébergement",
];

type Row = [&'static str; 9];

/// The rows of member `i` (in FINESS order of the sample) for a campaign.
fn rows(i: usize, year: i32) -> Vec<Row> {
    let dpi: &[Row] = match (i, year) {
        (0, _) => &[["DxCare", "Dedalus", "DPI", "8.2", "2 400", "31/12/2029", "185 000", "oui", "datacenter du GHT"]],
        (1, 2025) => {
            &[["Hopital Manager", "Softway Medical", "Dossier patient", "", "310", "06/2026", "", "oui", "local"]]
        }
        (1, _) => &[["DxCare", "Dedalus", "DPI", "8.2", "320", "31/12/2029", "21 500", "oui", "datacenter du GHT"]],
        // Fécamp was planned on DxCare for January 2025 and is still on M-CrossWay: late.
        (2, _) => &[["M-CrossWay", "Maincare", "DPI", "7", "450", "30/06/2027", "48 200,50", "oui", "local"]],
        (3, 2025) => &[["crosway", "", "Dossier de soins", "", "280", "", "", "", "local"]],
        (3, _) => &[
            ["DxCare (Medasys)", "Medasys", "DPI", "8.2", "250", "31/12/2029", "19 000", "oui", "datacenter du GHT"],
            ["crosway", "", "Dossier de soins", "", "40", "31/03/2026", "", "non", "local"],
        ],
        _ => &[["Hopital Manager", "Softway Medical", "DPI", "", "90", "", "", "oui", "local"]],
    };
    let urgences: Row = if i == 2 {
        ["UrQual", "McKesson", "Urgences", "5", "60", "31/12/2026", "9 800", "non", "local"]
    } else {
        ["ResUrgences", "Berger-Levrault", "Urgences", "2024", "80", "31/12/2028", "12 000", "oui", "datacenter du GHT"]
    };
    let mut all: Vec<Row> = dpi.to_vec();
    all.extend([
        urgences,
        ["Pastel", "MiPih", "GAP", "", "120", "31/12/2030", "15 500", "oui", "datacenter du GHT"],
        if i == 2 {
            ["KaliSil", "Dedalus", "Biologie", "", "25", "12/2026", "7 200", "oui", "local"]
        } else {
            ["Glims", "Clinisys", "Biologie", "9", "40", "31/12/2029", "", "oui", "datacenter du GHT"]
        },
        if i == 3 {
            ["Synapse", "Fujifilm", "PACS", "", "35", "30/09/2026", "6 000", "", "local"]
        } else {
            ["Vue PACS", "Philips", "PACS", "12", "90", "31/12/2028", "14 000", "oui", "datacenter du GHT"]
        },
        ["Agirh", "MiPih", "Paie", "", "15", "", "4 100", "", "datacenter du GHT"],
        ["Magh2", "MiPih", "GEF", "", "22", "31/12/2030", "5 300", "", "datacenter du GHT"],
        ["Web100T", "Dedalus", "PMSI", "", "6", "", "", "", "local"],
    ]);
    match i {
        1 => all.push(["Logiciel du service", "", "", "", "4", "", "", "", ""]),
        2 => all.push(["MAIL ATTENTE REPONSE", "", "Messagerie", "", "", "", "", "", ""]),
        3 => all.push(["Développement interne", "", "Qualité", "", "12", "", "", "", "local"]),
        4 => all.push(["Non informatisé", "", "Rendez-vous", "", "", "", "", "", ""]),
        _ => {}
    }
    all
}

fn workbook(i: usize, year: i32) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = Workbook::new();
    let notice = book.add_worksheet();
    notice.set_name("Notice")?;
    notice.write_string(0, 0, "Une ligne par application ; seule la colonne Application est obligatoire.")?;
    let sheet = book.add_worksheet();
    sheet.set_name("Inventaire")?;
    sheet.write_string(0, 0, format!("INVENTAIRE APPLICATIF — CAMPAGNE {year}"))?;
    for (c, header) in HEADERS.iter().enumerate() {
        sheet.write_string(2, c as u16, *header)?;
    }
    for (r, row) in rows(i, year).iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            if !value.is_empty() {
                sheet.write_string(3 + r as u32, c as u16, *value)?;
            }
        }
    }
    book.save_to_buffer()
}

/// A CSV as Excel for Windows writes it: `;` and Windows-1252.
fn csv(i: usize, year: i32) -> Vec<u8> {
    let mut text = HEADERS.join(";");
    text.push_str("\r\n");
    for row in rows(i, year) {
        text.push_str(&row.join(";"));
        text.push_str("\r\n");
    }
    encoding_rs::WINDOWS_1252.encode(&text).0.into_owned()
}

/// Deposits member `i`'s inventory for a campaign.
pub async fn deposit(
    db: &Db,
    worker: &WorkerConfig,
    actor: Actor<'_>,
    finess: &Finess,
    i: usize,
    campaign: CampaignYear,
) -> Result<(), AppError> {
    let year = campaign.get();
    let (file_name, bytes) = if i == 2 {
        (format!("inventaire-{finess}-{year}.csv"), csv(i, year))
    } else {
        let bytes = workbook(i, year).map_err(|e| AppError::Internal(e.into()))?;
        (format!("inventaire-{finess}-{year}.xlsx"), bytes)
    };
    let request = ImportRequest {
        scope: ImportScope::Etablissement(finess.clone()),
        campaign,
        file_name,
        bytes,
        partial: false,
        dry_run: false,
        mapping: Default::default(),
        domain: None,
    };
    intake::import(db, worker, actor, request).await.map(|_| ())
}
