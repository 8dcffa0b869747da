//! Parsing isolated in a child process.
//!
//! The spreadsheet libraries are not safe on hostile input (a corrupt `.xls`
//! makes calamine panic, a 25 KB one drives it to 24 GB of memory), so the
//! service never parses an upload itself: it runs its own binary in worker
//! mode (`convergence worker`), which caps its own memory and CPU time with
//! `setrlimit` before reading anything, and waits for it under a wall-clock
//! timeout. A crash, a kill or a timeout becomes an error for that upload;
//! the service keeps serving.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{IngestError, Limits, RawWorkbook, read_workbook};

/// How the parent runs the worker.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// The `convergence` binary.
    pub program: PathBuf,
    /// Address-space cap of the worker.
    pub memory_bytes: u64,
    /// CPU-time cap of the worker.
    pub cpu_seconds: u64,
    /// Wall-clock limit, enforced by the parent.
    pub timeout: Duration,
    /// File limits, checked by the worker.
    pub limits: Limits,
}

/// What the worker writes on its standard output.
#[derive(Debug, Serialize, Deserialize)]
enum WorkerReply {
    Parsed(RawWorkbook),
    Refused(IngestError),
}

/// Parses a file in a worker process.
///
/// # Errors
/// Every `IngestError`; `Timeout` and `ReaderCrashed` when the worker does
/// not finish normally.
pub async fn parse_isolated(bytes: &[u8], file_name: &str, config: &WorkerConfig) -> Result<RawWorkbook, IngestError> {
    if bytes.len() as u64 > config.limits.max_file_bytes {
        return Err(IngestError::TooLarge { limit: config.limits.max_file_bytes });
    }
    let crashed = |detail: String| IngestError::ReaderCrashed { detail };
    let mut child = tokio::process::Command::new(&config.program)
        .arg("worker")
        .arg("--file-name")
        .arg(file_name)
        .arg("--memory-bytes")
        .arg(config.memory_bytes.to_string())
        .arg("--cpu-seconds")
        .arg(config.cpu_seconds.to_string())
        .arg("--max-cells")
        .arg(config.limits.max_cells.to_string())
        .arg("--max-decompressed-bytes")
        .arg(config.limits.max_decompressed_bytes.to_string())
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| crashed(format!("lancement du lecteur impossible : {e}")))?;
    let (Some(mut stdin), Some(mut stdout), Some(mut stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return Err(crashed("canaux du lecteur indisponibles".to_owned()));
    };
    let input = bytes.to_vec();
    let run = async move {
        let writer = async move {
            // A worker that dies early closes its stdin: not an error here.
            let _ = stdin.write_all(&input).await;
            drop(stdin);
        };
        let mut output = Vec::new();
        let mut diagnostics = Vec::new();
        let (_, out, err) = tokio::join!(writer, stdout.read_to_end(&mut output), stderr.read_to_end(&mut diagnostics));
        out.map_err(|e| crashed(e.to_string()))?;
        drop(err);
        let status = child.wait().await.map_err(|e| crashed(e.to_string()))?;
        Ok::<_, IngestError>((status, output, diagnostics))
    };
    let (status, output, diagnostics) = match tokio::time::timeout(config.timeout, run).await {
        Ok(result) => result?,
        Err(_) => return Err(IngestError::Timeout),
    };
    if !status.success() {
        let last_line = String::from_utf8_lossy(&diagnostics)
            .lines()
            .last()
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect::<String>();
        tracing::warn!(?status, diagnostics = %last_line, "parse worker failed");
        return Err(crashed(describe_exit(status)));
    }
    match serde_json::from_slice::<WorkerReply>(&output) {
        Ok(WorkerReply::Parsed(workbook)) => Ok(workbook),
        Ok(WorkerReply::Refused(error)) => Err(error),
        Err(e) => Err(crashed(format!("réponse du lecteur illisible : {e}"))),
    }
}

fn describe_exit(status: std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        match status.signal() {
            Some(24) => return "temps de calcul épuisé".to_owned(),
            Some(6 | 9 | 11) => return "mémoire épuisée ou arrêt brutal du lecteur".to_owned(),
            Some(signal) => return format!("lecteur arrêté par le signal {signal}"),
            None => {}
        }
    }
    format!("le lecteur s'est arrêté en erreur ({status})")
}

/// Worker side: caps this process, reads the file on standard input and
/// writes the reply on standard output. Called by `convergence worker`.
///
/// # Errors
/// When the limits cannot be set or standard input/output fail.
pub fn run_worker(file_name: &str, memory_bytes: u64, cpu_seconds: u64, limits: Limits) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        rlimit::setrlimit(rlimit::Resource::AS, memory_bytes, memory_bytes)?;
        rlimit::setrlimit(rlimit::Resource::CPU, cpu_seconds, cpu_seconds.saturating_add(1))?;
    }
    let mut bytes = Vec::new();
    std::io::stdin().lock().read_to_end(&mut bytes)?;
    let reply = match std::panic::catch_unwind(|| read_workbook(&bytes, file_name, &limits)) {
        Ok(Ok(workbook)) => WorkerReply::Parsed(workbook),
        Ok(Err(error)) => WorkerReply::Refused(error),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("panique");
            WorkerReply::Refused(IngestError::ReaderCrashed { detail: format!("erreur du lecteur : {message}") })
        }
    };
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    serde_json::to_writer(&mut stdout, &reply).map_err(std::io::Error::other)?;
    stdout.flush()
}
