//! The command line: `serve`, `migrate`, `campaign`, `token`, `user`,
//! `templates`, `import`.

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
use crate::service::referential;
use crate::service::tokens::{self, NewToken};
use crate::startup::{Application, shutdown_signal};
use crate::store::audit::Actor;
use crate::store::{Db, seed};

/// Suivi de la convergence des systèmes d'information des GHT.
#[derive(Debug, Parser)]
#[command(name = "convergence", version, about, long_about = None)]
pub struct Cli {
    /// La commande à exécuter.
    #[command(subcommand)]
    pub command: Command,
}

/// Les commandes.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Démarre le service HTTP (les migrations s'appliquent d'abord).
    Serve {
        /// Adresse d'écoute (par défaut CONVERGENCE_BIND, sinon 127.0.0.1:8080).
        #[arg(long, value_name = "ADRESSE")]
        bind: Option<SocketAddr>,
        /// Charge le GHT de démonstration s'il manque et affiche un jeton administrateur pour essayer l'API.
        #[arg(long)]
        demo: bool,
    },
    /// Applique les migrations de la base et charge le référentiel initial.
    Migrate,
    /// Ouvre ou clôt la campagne d'une année.
    Campaign {
        /// Que faire.
        #[command(subcommand)]
        action: CampaignAction,
    },
    /// Crée, liste ou révoque des jetons d'accès à l'API.
    Token {
        /// Que faire.
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Accorde, liste ou retire les droits des personnes qui se connectent par OpenID Connect.
    User {
        /// Que faire.
        #[command(subcommand)]
        action: UserAction,
    },
    /// Écrit les modèles d'inventaire (modèle vierge et exemple rempli) à partir de la nomenclature en vigueur.
    Templates {
        /// Le dossier où les écrire.
        #[arg(long, value_name = "DOSSIER", default_value = "import-templates")]
        out: std::path::PathBuf,
    },
    /// Écrit un export : vision, schema-directeur, resah (--ght), kit (--ght ou --finess), indicators (--region ou --national ; .xlsx ou .csv selon -o).
    Export {
        /// vision, schema-directeur, resah ou indicators.
        #[arg(value_name = "GENRE")]
        kind: ExportKind,
        /// Le GHT (vision, schema-directeur, resah, kit).
        #[arg(long, value_name = "CODE", conflicts_with_all = ["region", "national", "finess"])]
        ght: Option<GhtCode>,
        /// L'établissement, FINESS juridique (kit).
        #[arg(long, value_name = "EJ", conflicts_with_all = ["region", "national"])]
        finess: Option<Finess>,
        /// La région (indicators).
        #[arg(long, value_name = "CODE", conflicts_with = "national")]
        region: Option<RegionCode>,
        /// Tout le pays (indicators).
        #[arg(long)]
        national: bool,
        /// La campagne (année) ; par défaut la dernière.
        #[arg(long, value_name = "ANNÉE")]
        campaign: Option<CampaignYear>,
        /// Le fichier à écrire (.xlsx, ou .csv pour indicators).
        #[arg(short = 'o', long = "output", value_name = "FICHIER")]
        output: std::path::PathBuf,
    },
    /// Importe un fichier d'inventaire et affiche son rapport.
    Import {
        /// Le fichier (.xlsx, .xlsm, .xls, .xlsb, .ods, .csv).
        #[arg(value_name = "FICHIER")]
        file: std::path::PathBuf,
        /// L'établissement (FINESS juridique) dont c'est l'inventaire.
        #[arg(long, value_name = "EJ", conflicts_with = "ght", required_unless_present = "ght")]
        finess: Option<Finess>,
        /// Le GHT, pour un classeur couvrant plusieurs établissements.
        #[arg(long, value_name = "CODE")]
        ght: Option<GhtCode>,
        /// La campagne (année).
        #[arg(long, value_name = "ANNÉE")]
        campaign: CampaignYear,
        /// Importe les lignes valides même si d'autres ont des erreurs.
        #[arg(long)]
        partial: bool,
        /// Affiche le rapport sans rien écrire.
        #[arg(long)]
        dry_run: bool,
        /// Le domaine ou sous-domaine dont traite tout le fichier (URG, « Urgences », LAB.SIL) : les lignes sans domaine le prennent, et il est retenu pour les dépôts suivants de même présentation (mêmes en-têtes) ; « aucun » l'oublie.
        #[arg(long, value_name = "DOMAINE")]
        domain: Option<String>,
    },
    /// Envoie à OSIS les indicateurs d'un GHT pour une campagne (une fois par contenu : un envoi déjà accepté n'est pas refait).
    Submit {
        /// Le GHT.
        #[arg(long, value_name = "CODE")]
        ght: GhtCode,
        /// La campagne (année).
        #[arg(long, value_name = "ANNÉE")]
        campaign: CampaignYear,
    },
    /// Charge le référentiel national : extraction FINESS, liste des GHT de la DGOS.
    Reference {
        /// Que charger.
        #[command(subcommand)]
        action: ReferenceAction,
    },
    /// Lit un fichier reçu sur l'entrée standard, dans un processus isolé (utilisé par le service).
    #[command(hide = true)]
    Worker {
        /// Plafond de l'espace d'adressage, en octets.
        #[arg(long)]
        memory_bytes: u64,
        /// Plafond du temps de calcul, en secondes.
        #[arg(long)]
        cpu_seconds: u64,
        /// Nombre maximal de cellules.
        #[arg(long)]
        max_cells: u64,
        /// Taille maximale d'une archive décompressée, en octets.
        #[arg(long)]
        max_decompressed_bytes: u64,
    },
}

/// `reference …`.
#[derive(Debug, Subcommand)]
pub enum ReferenceAction {
    /// Charge l'extraction publique du fichier FINESS des établissements (structureet, geolocalisation) : sites créés, modifiés, fermés s'ils n'y sont plus ; le même fichier deux fois ne change rien.
    LoadFiness {
        /// Le fichier d'extraction (ISO-8859-1, séparateur « ; »).
        #[arg(value_name = "FICHIER")]
        file: std::path::PathBuf,
    },
    /// Charge la liste des GHT de la DGOS (disposition 2017 ou 2024) : GHT et établissements créés s'ils manquent, adhésions à la date d'effet ; un établissement qui change de GHT voit son adhésion close et une nouvelle ouverte.
    LoadGht {
        /// Le classeur (.xlsx, .xls, .ods, .csv).
        #[arg(value_name = "FICHIER")]
        file: std::path::PathBuf,
        /// Date d'effet des adhésions, AAAA-MM-JJ (par défaut aujourd'hui).
        #[arg(long, value_name = "DATE")]
        effective: Option<NaiveDate>,
    },
    /// Vérifie chaque établissement enregistré auprès de l'Annuaire Santé : complète la commune et la catégorie manquantes, liste les noms qui diffèrent.
    Refresh,
    /// Enregistre qu'une entité juridique devient (une partie d') une autre : l'adhésion de l'ancienne se termine à la date, celle de la nouvelle commence le même jour dans le même GHT.
    Merge {
        /// L'ancienne entité (FINESS juridique).
        #[arg(value_name = "ANCIEN_EJ")]
        old: Finess,
        /// La nouvelle entité (FINESS juridique).
        #[arg(value_name = "NOUVEL_EJ")]
        new: Finess,
        /// Premier jour de la nouvelle entité, AAAA-MM-JJ.
        #[arg(long, value_name = "DATE")]
        date: NaiveDate,
        /// Nom de la nouvelle entité, si elle n'est pas encore enregistrée et que le répertoire lui connaît plusieurs sites.
        #[arg(long, value_name = "NOM")]
        name: Option<String>,
    },
}

/// `campaign …`.
#[derive(Debug, Subcommand)]
pub enum CampaignAction {
    /// Ouvre la campagne d'une année.
    Open {
        /// Année de la campagne (de 2016 à 2100).
        #[arg(value_name = "ANNÉE")]
        year: CampaignYear,
        /// Date dont la campagne décrit l'état (par défaut le 1er janvier de l'année), AAAA-MM-JJ.
        #[arg(long, value_name = "DATE")]
        reference_date: Option<NaiveDate>,
        /// Date limite de dépôt des inventaires, AAAA-MM-JJ.
        #[arg(long, value_name = "DATE")]
        deadline: Option<NaiveDate>,
    },
    /// Clôt (fige) la campagne d'une année.
    Close {
        /// Année de la campagne.
        #[arg(value_name = "ANNÉE")]
        year: CampaignYear,
    },
}

/// A role and its anchor, for a token or a person.
#[derive(Debug, clap::Args)]
pub struct GrantArgs {
    /// admin, national, regional, ght ou etablissement.
    #[arg(long, value_name = "RÔLE")]
    role: Role,
    /// Code du GHT, pour le rôle ght.
    #[arg(long, value_name = "CODE")]
    ght: Option<GhtCode>,
    /// Code court de la région, pour le rôle regional.
    #[arg(long, value_name = "CODE")]
    region: Option<RegionCode>,
    /// FINESS juridique, pour le rôle etablissement.
    #[arg(long, value_name = "EJ")]
    finess: Option<Finess>,
}

/// `token …`.
#[derive(Debug, Subcommand)]
pub enum TokenAction {
    /// Crée un jeton et l'affiche une seule fois.
    Create {
        /// Le rôle et son périmètre.
        #[command(flatten)]
        grant: GrantArgs,
        /// Qui détient le jeton (affiché dans le journal d'audit).
        #[arg(long, value_name = "TEXTE")]
        label: Option<String>,
        /// Dernier jour de validité (AAAA-MM-JJ) ; sans date, jusqu'à révocation.
        #[arg(long, value_name = "DATE")]
        valid_until: Option<chrono::NaiveDate>,
    },
    /// Liste les jetons (leurs préfixes : les secrets ne sont jamais conservés), leur fin de validité et leur dernière utilisation.
    List,
    /// Remplace un jeton par un nouveau (même rôle, périmètre, titulaire et fin de validité) et révoque l'ancien.
    Rotate {
        /// Le préfixe de 12 caractères affiché par `token list`.
        #[arg(value_name = "PRÉFIXE")]
        prefix: String,
    },
    /// Révoque un jeton par son préfixe.
    Revoke {
        /// Le préfixe de 12 caractères affiché par `token list`.
        #[arg(value_name = "PRÉFIXE")]
        prefix: String,
    },
}

/// What `export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportKind {
    /// La vision SI consolidée d'un GHT.
    Vision,
    /// Les entrées du schéma directeur d'un GHT.
    SchemaDirecteur,
    /// L'annexe RESAH d'un GHT.
    Resah,
    /// Le kit de campagne d'un établissement ou d'un GHT.
    Kit,
    /// Le tableau des indicateurs des GHT (national ou régional).
    Indicators,
}

/// `user …`.
#[derive(Debug, Subcommand)]
pub enum UserAction {
    /// Accorde un rôle et un périmètre à une adresse électronique (la personne se connecte ensuite par OpenID Connect).
    Grant {
        /// L'adresse électronique de la personne, telle que le fournisseur d'identité la transmet.
        #[arg(value_name = "EMAIL")]
        email: String,
        /// Le rôle et son périmètre.
        #[command(flatten)]
        grant: GrantArgs,
    },
    /// Liste les personnes, leur rôle, leur périmètre et leur dernière connexion.
    List,
    /// Retire les droits d'une personne et ferme ses sessions.
    Revoke {
        /// L'adresse électronique de la personne.
        #[arg(value_name = "EMAIL")]
        email: String,
    },
}

/// How each command's help is laid out, in French (clap writes its own
/// headings in English).
const HELP_TEMPLATE: &str = "{before-help}{about-with-newline}\nUtilisation : {usage}\n\n{all-args}{after-help}";

/// The command line as clap builds it, with every heading and built-in
/// flag in French, in every sub-command.
pub fn command() -> clap::Command {
    french(<Cli as clap::CommandFactory>::command(), true)
}

fn french(command: clap::Command, top: bool) -> clap::Command {
    use clap::{Arg, ArgAction};
    let names: Vec<String> = command.get_subcommands().map(|c| c.get_name().to_owned()).collect();
    let mut command = command
        .help_template(HELP_TEMPLATE)
        .subcommand_help_heading("Commandes")
        .subcommand_value_name("COMMANDE")
        .disable_help_subcommand(true)
        .disable_help_flag(true)
        .arg(Arg::new("help").short('h').long("help").action(ArgAction::Help).help("Affiche l'aide"));
    if top {
        command = command
            .disable_version_flag(true)
            .arg(Arg::new("version").short('V').long("version").action(ArgAction::Version).help("Affiche la version"));
    }
    for name in names {
        command = command.mut_subcommand(name, |sub| french(sub, false));
    }
    command
}

/// Parses the process's arguments; on a mistake, says what is wrong in
/// French and exits with status 2 (help and version exit with 0).
pub fn parse() -> Cli {
    use clap::FromArgMatches;
    let mut command = command();
    let parsed = command.try_get_matches_from_mut(std::env::args_os()).and_then(|m| Cli::from_arg_matches(&m));
    match parsed {
        Ok(cli) => cli,
        Err(error) => {
            use clap::error::ErrorKind;
            if matches!(error.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                error.exit();
            }
            let usage = match error.get(clap::error::ContextKind::Usage) {
                Some(usage) => usage.to_string(),
                None => command.render_usage().to_string(),
            };
            let usage = usage.trim().replacen("Usage:", "Utilisation :", 1);
            eprintln!("Erreur : {}\n\n{usage}\n\nPour l'aide : convergence --help", explain(&error));
            std::process::exit(2);
        }
    }
}

/// What a command-line mistake is, in French.
fn explain(error: &clap::Error) -> String {
    use clap::error::{ContextKind, ErrorKind};
    let context = |kind: ContextKind| error.get(kind).map(ToString::to_string).unwrap_or_default();
    let argument = context(ContextKind::InvalidArg);
    let value = context(ContextKind::InvalidValue);
    match error.kind() {
        ErrorKind::ValueValidation => match std::error::Error::source(error) {
            Some(why) => format!("valeur refusée pour {argument} : {why}"),
            None => format!("valeur refusée pour {argument} : « {value} »"),
        },
        ErrorKind::InvalidValue => {
            let valid = context(ContextKind::ValidValue);
            format!("valeur refusée pour {argument} : « {value} » (valeurs possibles : {valid})")
        }
        ErrorKind::UnknownArgument => format!("argument inconnu : {argument}"),
        ErrorKind::InvalidSubcommand => format!("commande inconnue : {}", context(ContextKind::InvalidSubcommand)),
        ErrorKind::MissingRequiredArgument => format!("argument obligatoire manquant : {argument}"),
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "indiquez une commande".to_owned()
        }
        ErrorKind::ArgumentConflict => {
            format!("{argument} ne peut pas être utilisé avec {}", context(ContextKind::PriorArg))
        }
        ErrorKind::NoEquals => format!("{argument} attend une valeur après « = »"),
        ErrorKind::TooManyValues => format!("trop de valeurs pour {argument} : « {value} »"),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("nombre de valeurs incorrect pour {argument}")
        }
        ErrorKind::InvalidUtf8 => "un argument n'est pas du texte UTF-8".to_owned(),
        _ => "ligne de commande invalide".to_owned(),
    }
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
        Command::Reference { action } => reference(&settings, action).await,
        Command::Submit { ght, campaign } => submit(&settings, &ght, campaign).await,
        Command::Templates { out } => {
            use crate::service::exports::{self, Template};
            let db = connect(&settings).await?;
            seed::seed_reference(&db).await?;
            std::fs::create_dir_all(&out)?;
            for which in [Template::Inventory, Template::Example] {
                let download = exports::template(&db, which).await?;
                let path = out.join(&download.file_name);
                std::fs::write(&path, &download.bytes)?;
                println!("{}", path.display());
            }
            db.close().await?;
            Ok(())
        }
        Command::Token { action } => token(&settings, action).await,
        Command::User { action } => user(&settings, action).await,
        Command::Export { kind, ght, finess, region, national, campaign, output } => {
            let scope = ExportScope { ght, finess, region, national };
            export(&settings, kind, scope, campaign, &output).await
        }
        Command::Import { file, finess, ght, campaign, partial, dry_run, domain } => {
            let scope = match (finess, ght) {
                (Some(finess), _) => ImportScope::Etablissement(finess),
                (None, Some(ght)) => ImportScope::Ght(ght),
                (None, None) => anyhow::bail!("indiquez --finess ou --ght"),
            };
            import(&settings, file, scope, campaign, Options { partial, dry_run, domain }).await
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
        let outcome = demo::load(app.db(), &worker).await?;
        println!("Service : http://{addr}  (documentation de l'API : http://{addr}/api/docs)");
        match outcome {
            DemoOutcome::Loaded => {
                println!("Données de démonstration chargées (GHT {}).", demo::DEMO_GHT);
                let principal = Principal::command_line("demo");
                let new = NewToken {
                    role: Role::Admin,
                    label: "démo".to_owned(),
                    ght: None,
                    region: None,
                    finess: None,
                    valid_until: None,
                };
                let (_, token) =
                    tokens::create(app.db(), Actor { principal: &principal, request_id: None }, new).await?;
                println!("Jeton administrateur de démonstration (affiché une seule fois) :\n  {token}");
                println!("Dans un navigateur : http://{addr}/ (collez ce jeton sur la page de connexion)");
                println!("Par l'API : curl -H 'Authorization: Bearer {token}' http://{addr}/api/v1/ghts");
            }
            DemoOutcome::AlreadyPresent => {
                println!("Données de démonstration déjà présentes (GHT {}).", demo::DEMO_GHT);
                println!(
                    "Le jeton de démonstration a été affiché au premier démarrage ; pour en créer un autre : \
                     convergence token create --role admin --label démo"
                );
            }
        }
    }
    tracing::info!(%addr, database, "listening");
    app.run_until(shutdown_signal()).await?;
    Ok(())
}

async fn campaign(settings: &Settings, action: CampaignAction) -> anyhow::Result<()> {
    let db = connect(settings).await?;
    let principal = Principal::command_line("campaign");
    let actor = Actor { principal: &principal, request_id: None };
    let message = match action {
        CampaignAction::Open { year, reference_date, deadline } => {
            let opened = referential::open_campaign(&db, actor, year, reference_date, deadline).await?;
            format!("Campagne {} ouverte (date de référence {}).", opened.year, opened.reference_date)
        }
        CampaignAction::Close { year } => {
            referential::close_campaign(&db, actor, year).await?;
            format!("Campagne {year} close : ses inventaires et indicateurs sont figés.")
        }
    };
    println!("{message}");
    db.close().await?;
    Ok(())
}

async fn submit(settings: &Settings, ght: &GhtCode, campaign: CampaignYear) -> anyhow::Result<()> {
    let db = connect(settings).await?;
    let principal = Principal::command_line("submit");
    let actor = Actor { principal: &principal, request_id: None };
    let osis = match settings.osis.clone() {
        Some(osis) => Some(crate::integrations::osis::Osis::new(osis, settings.outbound)?),
        None => None,
    };
    let outcome = crate::service::osis::submit(&db, actor, osis.as_ref(), ght, campaign).await;
    db.close().await?;
    let done = outcome?;
    if done.already_sent {
        println!("Déjà envoyé (empreinte {}) : rien n'a été renvoyé.", &done.content_hash[..12]);
    } else {
        println!(
            "Envoyé à OSIS en {} tentative(s) : {}",
            done.attempts.len().max(1),
            done.response.unwrap_or_default()
        );
    }
    Ok(())
}

async fn reference(settings: &Settings, action: ReferenceAction) -> anyhow::Result<()> {
    let db = connect(settings).await?;
    seed::seed_reference(&db).await?;
    let principal = Principal::command_line("reference");
    let actor = Actor { principal: &principal, request_id: None };
    match action {
        ReferenceAction::LoadFiness { file } => {
            let bytes =
                std::fs::read(&file).map_err(|e| anyhow::anyhow!("lecture de {} impossible : {e}", file.display()))?;
            let name =
                file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned());
            let report = crate::service::directory::load_finess(&db, actor, &name, bytes).await?;
            println!("{}", report.summary);
            for (kind, count) in &report.other_records {
                println!("  {count} ligne(s) « {kind} » non utilisées");
            }
        }
        ReferenceAction::LoadGht { file, effective } => {
            let bytes =
                std::fs::read(&file).map_err(|e| anyhow::anyhow!("lecture de {} impossible : {e}", file.display()))?;
            let name =
                file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned());
            let worker = crate::startup::worker_config(settings)?;
            let report = crate::service::ght_list::load_ght_list(&db, &worker, actor, &name, &bytes, effective).await?;
            println!("{}", report.summary);
            for change in &report.moved {
                println!(
                    "  {} : du GHT {} au GHT {}",
                    change.finess,
                    change.from_ght.as_deref().unwrap_or("?"),
                    change.ght
                );
            }
            for change in &report.left {
                println!("  {} : quitte le GHT {}", change.finess, change.ght);
            }
            for finess in &report.absent_from_directory {
                println!("  {finess} : absent du répertoire FINESS, enregistré sous le nom de la liste");
            }
            for repaired in &report.repaired {
                println!("  FINESS réparé : {repaired}");
            }
        }
        ReferenceAction::Refresh => {
            let Some(annuaire) = settings.annuaire.clone() else {
                anyhow::bail!(
                    "l'Annuaire Santé n'est pas configuré (CONVERGENCE_ANNUAIRE_URL et CONVERGENCE_ANNUAIRE_KEY) : fonction désactivée"
                );
            };
            let annuaire = crate::integrations::annuaire::Annuaire::new(annuaire, settings.outbound)?;
            let refresh = crate::service::directory::refresh_from_annuaire(&db, actor, &annuaire).await?;
            println!(
                "Annuaire Santé : {} établissements vérifiés, {} connus, {} complétés, {} inconnus.",
                refresh.asked,
                refresh.found,
                refresh.filled.len(),
                refresh.unknown.len()
            );
            for (finess, registered, annuaire) in &refresh.names_differ {
                println!("  {finess} : enregistré « {registered} », Annuaire « {annuaire} »");
            }
        }
        ReferenceAction::Merge { old, new, date, name } => {
            let successor = referential::record_succession(&db, actor, &old, &new, date, name).await?;
            let ght = successor.memberships.last().map(|(m, _)| m.ght_code.to_string()).unwrap_or_default();
            println!(
                "Succession enregistrée : {old} devient {new} ({}) le {date} ; GHT {ght}.",
                successor.etablissement.name
            );
        }
    }
    db.close().await?;
    Ok(())
}

/// How `convergence import` reads a file.
struct Options {
    partial: bool,
    dry_run: bool,
    domain: Option<String>,
}

async fn import(
    settings: &Settings,
    file: std::path::PathBuf,
    scope: ImportScope,
    campaign: CampaignYear,
    options: Options,
) -> anyhow::Result<()> {
    let Options { partial, dry_run, domain } = options;
    let bytes = std::fs::read(&file).map_err(|e| anyhow::anyhow!("lecture de {} impossible : {e}", file.display()))?;
    let file_name = file.file_name().and_then(|n| n.to_str()).unwrap_or("inventaire").to_owned();
    let db = connect(settings).await?;
    let worker = crate::startup::worker_config(settings)?;
    let principal = Principal::command_line("import");
    let actor = Actor { principal: &principal, request_id: None };
    let request =
        ImportRequest { scope, campaign, file_name, bytes, partial, dry_run, mapping: Default::default(), domain };
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
                    println!("Dépôt {} enregistré ({}).", upload.id, upload.status.label())
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

/// What an export covers, as given on the command line.
struct ExportScope {
    ght: Option<GhtCode>,
    finess: Option<Finess>,
    region: Option<RegionCode>,
    national: bool,
}

async fn export(
    settings: &Settings,
    kind: ExportKind,
    scope: ExportScope,
    campaign: Option<CampaignYear>,
    output: &std::path::Path,
) -> anyhow::Result<()> {
    use crate::service::exports::{self, GhtWorkbook, KitOf, TableFormat};
    let ExportScope { ght, finess, region, national } = scope;
    let db = connect(settings).await?;
    let principal = Principal::command_line("export");
    eprintln!("Lecture des données et écriture du fichier…");
    let started = std::time::Instant::now();
    let download = match kind {
        ExportKind::Vision | ExportKind::SchemaDirecteur | ExportKind::Resah => {
            if finess.is_some() {
                anyhow::bail!("cet export est celui d'un GHT : précisez --ght CODE");
            }
            let ght = ght.ok_or_else(|| anyhow::anyhow!("cet export est celui d'un GHT : précisez --ght CODE"))?;
            let which = match kind {
                ExportKind::Vision => GhtWorkbook::Vision,
                ExportKind::SchemaDirecteur => GhtWorkbook::SchemaDirecteur,
                _ => GhtWorkbook::Resah,
            };
            exports::ght_workbook(&db, &principal, &ght, campaign, which).await?
        }
        ExportKind::Kit => {
            let of = match (ght, finess) {
                (Some(ght), None) => KitOf::Ght(ght),
                (None, Some(finess)) => KitOf::Etablissement(finess),
                _ => anyhow::bail!("précisez --ght CODE ou --finess EJ"),
            };
            exports::campaign_kit(&db, &principal, &of, campaign).await?
        }
        ExportKind::Indicators => {
            if region.is_none() && !national {
                anyhow::bail!("précisez --region CODE ou --national");
            }
            let csv = output.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
            let format = if csv { TableFormat::Csv } else { TableFormat::Xlsx };
            exports::indicators_table(&db, &principal, region.as_ref(), campaign, format).await?
        }
    };
    std::fs::write(output, &download.bytes)?;
    eprintln!(
        "Écrit : {} ({} Kio, {:.1} s ; nom proposé par le service : {})",
        output.display(),
        download.bytes.len() / 1024,
        started.elapsed().as_secs_f64(),
        download.file_name
    );
    db.close().await?;
    Ok(())
}

async fn user(settings: &Settings, action: UserAction) -> anyhow::Result<()> {
    use crate::service::anchors::Anchor;
    use crate::service::people::{self, NewGrant, Who};
    let db = connect(settings).await?;
    let principal = Principal::command_line("user");
    let actor = Actor { principal: &principal, request_id: None };
    match action {
        UserAction::Grant { email, grant: GrantArgs { role, ght, region, finess } } => {
            let saved =
                people::grant(&db, actor, NewGrant { email, role, anchor: Anchor { ght, region, finess } }).await?;
            println!("Rôle {} accordé à {} : la personne peut se connecter.", saved.role, saved.email);
        }
        UserAction::List => {
            for p in people::list(&db).await? {
                let scope = p
                    .finess_ej
                    .map(|f| f.to_string())
                    .or(p.ght_code.map(|c| c.to_string()))
                    .or(p.region_code.map(|r| r.to_string()))
                    .unwrap_or_else(|| "-".to_owned());
                let state = if p.revoked_at.is_some() { "retiré" } else { "actif" };
                let seen = p.last_sign_in_at.map_or_else(
                    || "jamais connecté".to_owned(),
                    |at| format!("connecté le {}", at.format("%Y-%m-%d %H:%M")),
                );
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    p.email,
                    p.role,
                    scope,
                    state,
                    seen,
                    p.display_name.unwrap_or_default()
                );
            }
        }
        UserAction::Revoke { email } => {
            let revoked = people::revoke(&db, actor, Who::Email(&email)).await?;
            println!("Droits de {} retirés ; ses sessions sont fermées.", revoked.email);
        }
    }
    db.close().await?;
    Ok(())
}

async fn token(settings: &Settings, action: TokenAction) -> anyhow::Result<()> {
    let db = connect(settings).await?;
    let principal = Principal::command_line("token");
    let actor = Actor { principal: &principal, request_id: None };
    match action {
        TokenAction::Create { grant: GrantArgs { role, ght, region, finess }, label, valid_until } => {
            let label = label.unwrap_or_else(|| {
                format!("{role} {}", ght.as_ref().map(ToString::to_string).unwrap_or_default()).trim().to_owned()
            });
            let new = NewToken { role, label, ght, region, finess, valid_until };
            let (row, token) = tokens::create(&db, actor, new).await?;
            eprintln!(
                "Jeton {} créé pour « {} » (rôle {}). Conservez-le : il ne sera plus affiché.",
                row.prefix, row.label, row.role
            );
            println!("{token}");
        }
        TokenAction::List => {
            for t in tokens::list(&db).await? {
                let scope = t
                    .ght_code
                    .map(|c| c.to_string())
                    .or(t.region_code.map(|r| r.to_string()))
                    .or(t.finess_ej.map(|f| f.to_string()))
                    .unwrap_or_else(|| "-".to_owned());
                let now = chrono::Utc::now();
                let state = match (t.revoked_at, t.expires_at) {
                    (Some(_), _) => "révoqué".to_owned(),
                    (None, Some(end)) if end <= now => "expiré".to_owned(),
                    (None, Some(end)) => {
                        format!("actif jusqu'au {}", (end - chrono::TimeDelta::days(1)).format("%Y-%m-%d"))
                    }
                    (None, None) => "actif".to_owned(),
                };
                let used = t.last_used_at.map_or_else(
                    || "jamais utilisé".to_owned(),
                    |at| format!("utilisé le {}", at.format("%Y-%m-%d %H:%M")),
                );
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    t.prefix,
                    t.role,
                    scope,
                    state,
                    t.created_at.format("%Y-%m-%d %H:%M"),
                    used,
                    t.label
                );
            }
        }
        TokenAction::Rotate { prefix } => {
            let (row, token) = tokens::rotate(&db, actor, prefix.trim()).await?;
            eprintln!(
                "Jeton {} révoqué, remplacé par {} pour « {} ». Conservez-le : il ne sera plus affiché.",
                prefix.trim(),
                row.prefix,
                row.label
            );
            println!("{token}");
        }
        TokenAction::Revoke { prefix } => {
            tokens::revoke(&db, actor, prefix.trim()).await?;
            println!("Jeton {prefix} révoqué.");
        }
    }
    db.close().await?;
    Ok(())
}
