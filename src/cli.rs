//! The command line: `serve`, `migrate`, `campaign`, `token`.

use std::net::SocketAddr;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};

use crate::auth::Principal;
use crate::config::Settings;
use crate::demo::{self, DemoOutcome};
use crate::domain::{CampaignYear, Finess, GhtCode, RegionCode, Role};
use crate::error::AppError;
use crate::import::Limits;
use crate::intake::worker;
use crate::intake::{self, ImportRequest, ImportScope, Step};
use crate::startup::{Application, shutdown_signal};
use crate::store::audit::Actor;
use crate::store::tokens::{self, NewToken};
use crate::store::{Db, campaigns, seed};

/// Suivi de la convergence des systèmes d'information des GHT.
#[derive(Debug, Parser)]
#[command(name = "convergence", version, about, long_about = None)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the HTTP service (migrations run first).
    Serve {
        /// Listening address (default: CONVERGENCE_BIND, else 127.0.0.1:8080).
        #[arg(long)]
        bind: Option<SocketAddr>,
        /// Load the demo GHT if absent and print an admin token to try the API.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and seed the reference data.
    Migrate,
    /// Open or close a yearly campaign.
    Campaign {
        /// What to do.
        #[command(subcommand)]
        action: CampaignAction,
    },
    /// Create, list or revoke API tokens.
    Token {
        /// What to do.
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Import an inventory file and print its report.
    Import {
        /// The file (.xlsx, .xlsm, .xls, .xlsb, .ods, .csv).
        file: std::path::PathBuf,
        /// The établissement (FINESS juridique) whose inventory this is.
        #[arg(long, conflicts_with = "ght", required_unless_present = "ght")]
        finess: Option<Finess>,
        /// The GHT, for a workbook covering several établissements.
        #[arg(long)]
        ght: Option<GhtCode>,
        /// The campaign.
        #[arg(long)]
        campaign: CampaignYear,
        /// Import the valid rows even if others have errors.
        #[arg(long)]
        partial: bool,
        /// Print the report without writing anything.
        #[arg(long)]
        dry_run: bool,
    },
    /// Parse a file read on standard input, in an isolated process (used by the service).
    #[command(hide = true)]
    Worker {
        /// Address-space cap, in bytes.
        #[arg(long)]
        memory_bytes: u64,
        /// CPU-time cap, in seconds.
        #[arg(long)]
        cpu_seconds: u64,
        /// Most cells accepted.
        #[arg(long)]
        max_cells: u64,
        /// Largest decompressed archive accepted, in bytes.
        #[arg(long)]
        max_decompressed_bytes: u64,
    },
}

/// `campaign …`.
#[derive(Debug, Subcommand)]
pub enum CampaignAction {
    /// Open the campaign of a year.
    Open {
        /// Year of the campaign (2016 to 2100).
        year: CampaignYear,
        /// Date whose state the campaign describes (default: 1 January of the year), AAAA-MM-JJ.
        #[arg(long)]
        reference_date: Option<NaiveDate>,
        /// Deadline for inventories, AAAA-MM-JJ.
        #[arg(long)]
        deadline: Option<NaiveDate>,
    },
    /// Close (freeze) the campaign of a year.
    Close {
        /// Year of the campaign.
        year: CampaignYear,
    },
}

/// `token …`.
#[derive(Debug, Subcommand)]
pub enum TokenAction {
    /// Create a token and print it once.
    Create {
        /// admin, national, regional, ght or etablissement.
        #[arg(long)]
        role: Role,
        /// GHT code, for role ght.
        #[arg(long)]
        ght: Option<GhtCode>,
        /// Region short code, for role regional.
        #[arg(long)]
        region: Option<RegionCode>,
        /// FINESS EJ, for role etablissement.
        #[arg(long)]
        finess: Option<Finess>,
        /// Who holds the token (shown in the audit trail).
        #[arg(long)]
        label: Option<String>,
    },
    /// List tokens (their prefixes; secrets are never stored).
    List,
    /// Revoke a token by its prefix.
    Revoke {
        /// The 12-character prefix shown by `token list`.
        prefix: String,
    },
}

/// Runs a parsed command line.
///
/// # Errors
/// When the command fails; the message is for the operator.
pub async fn run(cli: Cli, mut settings: Settings) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { bind, demo } => {
            if let Some(bind) = bind {
                settings.bind = bind;
            }
            serve(settings, demo).await
        }
        Command::Migrate => {
            let db = connect(&settings).await?;
            let seeded = seed::seed_reference(&db).await?;
            println!("Base à jour ({}). Référentiel ajouté : {seeded:?}", settings.database_kind());
            db.close().await?;
            Ok(())
        }
        Command::Campaign { action } => campaign(&settings, action).await,
        Command::Token { action } => token(&settings, action).await,
        Command::Import { file, finess, ght, campaign, partial, dry_run } => {
            let scope = match (finess, ght) {
                (Some(finess), _) => ImportScope::Etablissement(finess),
                (None, Some(ght)) => ImportScope::Ght(ght),
                (None, None) => anyhow::bail!("indiquez --finess ou --ght"),
            };
            import(&settings, file, scope, campaign, partial, dry_run).await
        }
        Command::Worker { memory_bytes, cpu_seconds, max_cells, max_decompressed_bytes } => {
            let limits = Limits { max_file_bytes: u64::MAX, max_decompressed_bytes, max_cells };
            worker::run_worker(memory_bytes, cpu_seconds, limits)?;
            Ok(())
        }
    }
}

async fn connect(settings: &Settings) -> anyhow::Result<Db> {
    let db = Db::connect(&settings.database_url).await?;
    db.migrate().await?;
    Ok(db)
}

async fn serve(settings: Settings, demo: bool) -> anyhow::Result<()> {
    let database = settings.database_kind();
    let settings_for_demo = settings.clone();
    let app = Application::build(settings).await?;
    let addr = app.local_addr()?;
    if demo {
        let worker = crate::startup::worker_config(&settings_for_demo)?;
        match demo::load(app.db(), &worker).await? {
            DemoOutcome::Loaded => println!("Données de démonstration chargées (GHT {}).", demo::DEMO_GHT),
            DemoOutcome::AlreadyPresent => {
                println!("Données de démonstration déjà présentes (GHT {}).", demo::DEMO_GHT)
            }
        }
        let principal = Principal::command_line("demo");
        let txn = app.db().begin_write().await?;
        let new = NewToken { role: Role::Admin, label: "démo".to_owned(), ght: None, region: None, finess: None };
        let (_, token) = tokens::create(&txn, Actor { principal: &principal, request_id: None }, new).await?;
        txn.commit().await?;
        println!("Service : http://{addr}  (documentation de l'API : http://{addr}/api/openapi.json)");
        println!("Jeton administrateur de démonstration (affiché une seule fois) :\n  {token}");
        println!("Essai : curl -H 'Authorization: Bearer {token}' http://{addr}/api/v1/ghts");
    }
    tracing::info!(%addr, database, "listening");
    app.run_until(shutdown_signal()).await?;
    Ok(())
}

async fn campaign(settings: &Settings, action: CampaignAction) -> anyhow::Result<()> {
    let db = connect(settings).await?;
    let principal = Principal::command_line("campaign");
    let actor = Actor { principal: &principal, request_id: None };
    let txn = db.begin_write().await?;
    let message = match action {
        CampaignAction::Open { year, reference_date, deadline } => {
            let opened = campaigns::open(&txn, actor, year, reference_date, deadline).await?;
            format!("Campagne {} ouverte (date de référence {}).", opened.year, opened.reference_date)
        }
        CampaignAction::Close { year } => {
            campaigns::close(&txn, actor, year).await?;
            format!("Campagne {year} close : ses inventaires et indicateurs sont figés.")
        }
    };
    txn.commit().await?;
    println!("{message}");
    db.close().await?;
    Ok(())
}

async fn import(
    settings: &Settings,
    file: std::path::PathBuf,
    scope: ImportScope,
    campaign: CampaignYear,
    partial: bool,
    dry_run: bool,
) -> anyhow::Result<()> {
    let bytes = std::fs::read(&file).map_err(|e| anyhow::anyhow!("lecture de {} impossible : {e}", file.display()))?;
    let file_name = file.file_name().and_then(|n| n.to_str()).unwrap_or("inventaire").to_owned();
    let db = connect(settings).await?;
    let worker = crate::startup::worker_config(settings)?;
    let principal = Principal::command_line("import");
    let actor = Actor { principal: &principal, request_id: None };
    let request = ImportRequest { scope, campaign, file_name, bytes, partial, dry_run, mapping: Default::default() };
    // A spinner on files large enough to take a moment.
    let bar = (request.bytes.len() > 512 * 1024).then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    });
    let progress = |step: Step| {
        if let Some(bar) = &bar {
            bar.set_message(match step {
                Step::Reading => "lecture du fichier…",
                Step::Normalising => "normalisation des lignes…",
                Step::Storing => "enregistrement…",
            });
        }
    };
    let outcome = intake::import_with_progress(&db, &worker, actor, request, &progress).await;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    db.close().await?;
    match outcome {
        Ok(outcome) => {
            print_report(&outcome.report);
            match (&outcome.upload, outcome.duplicate) {
                (Some(upload), true) => {
                    println!("Fichier déjà déposé : dépôt {} inchangé, rien n'a été écrit.", upload.id)
                }
                (Some(upload), false) => {
                    println!(
                        "Dépôt {} enregistré ({}).",
                        upload.id,
                        crate::service::inventory::status_label(&upload.status)
                    )
                }
                (None, _) => println!("Simulation : rien n'a été écrit."),
            }
            Ok(())
        }
        Err(AppError::InvalidInventory { upload_id, report }) => {
            print_report(&report);
            anyhow::bail!(
                "inventaire refusé (dépôt {upload_id}) : corrigez les erreurs ci-dessus, ou relancez avec --partial"
            )
        }
        Err(error) => Err(error.into()),
    }
}

fn print_report(report: &crate::normalise::report::Report) {
    use crate::normalise::report::Severity;
    println!(
        "{} ({}) : {} ligne(s) lue(s), {} importée(s), {} rejetée(s) ; {} erreur(s), {} avertissement(s).",
        report.file,
        report.format,
        report.rows_read,
        report.rows_imported,
        report.rows_rejected,
        report.errors,
        report.warnings
    );
    for (severity, title) in
        [(Severity::Error, "Erreurs"), (Severity::Warning, "Avertissements"), (Severity::Info, "Informations")]
    {
        let lines: Vec<String> =
            report.messages.iter().filter(|m| m.severity == severity).map(|m| m.sentence()).collect();
        if !lines.is_empty() {
            println!("\n{title} :");
            for line in lines {
                println!("  - {line}");
            }
        }
    }
    let hidden = (report.messages_total as usize).saturating_sub(report.messages.len());
    if hidden > 0 {
        println!(
            "\n… et {hidden} autre(s) message(s) : GET /api/v1/uploads/{{id}}/messages, ou la copie annotée du fichier."
        );
    }
}

async fn token(settings: &Settings, action: TokenAction) -> anyhow::Result<()> {
    let db = connect(settings).await?;
    let principal = Principal::command_line("token");
    let actor = Actor { principal: &principal, request_id: None };
    match action {
        TokenAction::Create { role, ght, region, finess, label } => {
            let label = label.unwrap_or_else(|| {
                format!("{role} {}", ght.as_ref().map(ToString::to_string).unwrap_or_default()).trim().to_owned()
            });
            let txn = db.begin_write().await?;
            let (row, token) = tokens::create(&txn, actor, NewToken { role, label, ght, region, finess }).await?;
            txn.commit().await?;
            eprintln!(
                "Jeton {} créé pour « {} » (rôle {}). Conservez-le : il ne sera plus affiché.",
                row.prefix, row.label, row.role
            );
            println!("{token}");
        }
        TokenAction::List => {
            for t in tokens::list(db.reader()).await? {
                let scope = t.ght_code.or(t.region_code).or(t.finess_ej).unwrap_or_else(|| "-".to_owned());
                let state = if t.revoked_at.is_some() { "révoqué" } else { "actif" };
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    t.prefix,
                    t.role,
                    scope,
                    state,
                    t.created_at.format("%Y-%m-%d %H:%M"),
                    t.label
                );
            }
        }
        TokenAction::Revoke { prefix } => {
            let txn = db.begin_write().await?;
            tokens::revoke(&txn, actor, prefix.trim()).await?;
            txn.commit().await?;
            println!("Jeton {prefix} révoqué.");
        }
    }
    db.close().await?;
    Ok(())
}
