//! The command line: `serve`, `migrate`, `campaign`, `token`.

use std::net::SocketAddr;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};

use crate::auth::Principal;
use crate::config::Settings;
use crate::demo::{self, DemoOutcome};
use crate::domain::{CampaignYear, Finess, GhtCode, RegionCode, Role};
use crate::import::{Limits, worker};
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
    /// Parse a file read on standard input, in an isolated process (used by the service).
    #[command(hide = true)]
    Worker {
        /// Name of the uploaded file (extension hint, CSV sheet name).
        #[arg(long)]
        file_name: String,
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
        Command::Worker { file_name, memory_bytes, cpu_seconds, max_cells, max_decompressed_bytes } => {
            let limits = Limits { max_file_bytes: u64::MAX, max_decompressed_bytes, max_cells };
            worker::run_worker(&file_name, memory_bytes, cpu_seconds, limits)?;
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
    let app = Application::build(settings).await?;
    let addr = app.local_addr()?;
    if demo {
        match demo::load(app.db()).await? {
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
