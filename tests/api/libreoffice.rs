//! Every workbook the service writes opens in LibreOffice: each is
//! converted to PDF by `soffice --headless` (a conversion error fails the
//! test), and the vision's rendering is kept for a person to look at, under
//! `target/tmp/rendering/`. Skipped, with a message, where LibreOffice is
//! absent (`.ci/run` installs it).

use std::path::Path;
use std::process::Command;

use convergence::demo;

use crate::helpers::*;

fn soffice() -> Option<&'static str> {
    ["soffice", "libreoffice"]
        .into_iter()
        .find(|program| Command::new(program).arg("--version").output().is_ok_and(|out| out.status.success()))
}

/// Converts a workbook to PDF; returns the PDF's path.
fn to_pdf(program: &str, workbook: &Path, out: &Path) -> std::path::PathBuf {
    let profile = tempfile::tempdir().unwrap();
    let output = Command::new(program)
        .arg(format!("-env:UserInstallation=file://{}", profile.path().display()))
        .args(["--headless", "--norestore", "--convert-to", "pdf", "--outdir"])
        .arg(out)
        .arg(workbook)
        .output()
        .expect("soffice runs");
    let pdf = out.join(workbook.file_stem().unwrap()).with_extension("pdf");
    let size = std::fs::metadata(&pdf).map(|m| m.len()).unwrap_or(0);
    assert!(
        output.status.success() && size > 1000,
        "LibreOffice could not open {}: {}{}",
        workbook.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    pdf
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_workbook_opens_in_libreoffice() {
    let Some(program) = soffice() else {
        eprintln!("SKIPPED: LibreOffice (soffice) is not installed; .ci/run installs libreoffice-calc-nogui");
        return;
    };
    let app = spawn_app(Backend::Sqlite).await.expect("SQLite is always available");
    run_bounded(async {
        let worker = crate::corpus::worker_config();
        demo::load(&app.db, &worker).await.unwrap();
        let admin = app.admin_token.clone();
        let ght = demo::DEMO_GHT;
        let dir = tempfile::tempdir().unwrap();
        let rendering = Path::new(env!("CARGO_TARGET_TMPDIR")).join("rendering");
        std::fs::create_dir_all(&rendering).unwrap();
        for (path, file) in [
            (format!("/api/v1/ghts/{ght}/exports/vision.xlsx"), "vision.xlsx"),
            (format!("/api/v1/ghts/{ght}/exports/resah.xlsx"), "resah.xlsx"),
            (format!("/api/v1/ghts/{ght}/exports/schema-directeur.xlsx"), "schema-directeur.xlsx"),
            ("/api/v1/national/exports/indicators.xlsx".to_owned(), "national.xlsx"),
            ("/api/v1/templates/inventaire.xlsx".to_owned(), "inventaire.xlsx"),
            ("/api/v1/templates/inventaire-exemple.xlsx".to_owned(), "inventaire-exemple.xlsx"),
            (format!("/api/v1/ghts/{ght}/review.xlsx?campaign=2026"), "revue.xlsx"),
            (format!("/api/v1/ghts/{ght}/exports/kit.xlsx"), "kit-ght.xlsx"),
            ("/api/v1/etablissements/760780726/exports/kit.xlsx".to_owned(), "kit-etablissement.xlsx"),
        ] {
            let response = app.client.get(format!("{}{path}", app.address)).bearer_auth(&admin).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            let workbook = dir.path().join(file);
            std::fs::write(&workbook, response.bytes().await.unwrap()).unwrap();
            let pdf = to_pdf(program, &workbook, dir.path());
            if file == "vision.xlsx" {
                // Matrice and Trajectoires among its pages, for a person to see.
                let kept = rendering.join(format!("vision-{ght}.pdf"));
                std::fs::copy(&pdf, &kept).unwrap();
                eprintln!("rendering of the vision: {}", kept.display());
            }
        }
    })
    .await;
    app.close().await;
}
