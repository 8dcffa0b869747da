//! `convergence`: see `convergence --help`.

use convergence::cli;
use convergence::config::Settings;
use convergence::telemetry;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = cli::parse();
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("{error}");
            return std::process::ExitCode::from(2);
        }
    };
    telemetry::init(settings.log_format);
    match cli::run(cli, settings).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("Erreur : {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
