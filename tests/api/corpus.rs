//! Every real-world or hostile spreadsheet of the shared corpus yields rows
//! or a clear French error through the isolated reader — never a panic, a
//! hang or a memory blow-up of the service.

use std::path::{Path, PathBuf};
use std::time::Duration;

use convergence::import::{IngestError, Limits};
use convergence::intake::worker::{WorkerConfig, WorkerError, parse_isolated};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files(&path));
        } else if !matches!(
            path.file_name().and_then(|n| n.to_str()),
            Some("README.md" | "INDEX.md" | "LICENSE" | "LICENSE-MIT.md")
        ) {
            found.push(path);
        }
    }
    found.sort();
    found
}

pub fn worker_config() -> WorkerConfig {
    WorkerConfig {
        program: PathBuf::from(env!("CARGO_BIN_EXE_convergence")),
        memory_bytes: 1024 * 1024 * 1024,
        cpu_seconds: 20,
        timeout: Duration::from_secs(30),
        limits: Limits::default(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_corpus_file_gives_rows_or_a_clear_error() {
    let dir = corpus_dir();
    if !dir.is_dir() {
        eprintln!("skipped: {} is absent (the shared corpus is not on this machine)", dir.display());
        return;
    }
    let paths = files(&dir);
    assert!(paths.len() > 100, "corpus found but nearly empty: {}", paths.len());
    let config = worker_config();
    let semaphore = std::sync::Arc::new(tokio::sync::Semaphore::new(2));
    let mut tasks = Vec::new();
    for path in paths {
        let config = config.clone();
        let permit = semaphore.clone().acquire_owned().await.expect("semaphore");
        tasks.push(tokio::spawn(async move {
            let bytes = std::fs::read(&path).expect("corpus file readable");
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
            let outcome = parse_isolated(&bytes, &name, &config).await;
            drop(permit);
            (path, outcome)
        }));
    }
    let (mut parsed, mut refused) = (0, 0);
    for task in tasks {
        let (path, outcome) = task.await.expect("no panic in the service");
        match outcome {
            Ok(workbook) => {
                parsed += 1;
                assert!(!workbook.sheets.is_empty(), "{}", path.display());
            }
            Err(WorkerError::File(error)) => {
                refused += 1;
                let message = error.to_string();
                assert!(message.len() > 20, "{}: {message}", path.display());
                if let Some(cause) = error.cause() {
                    assert!(
                        !message.contains(cause),
                        "{}: the library's words reach the user: {message}",
                        path.display()
                    );
                }
                eprintln!("{}: {} — {message}", path.display(), error.slug());
            }
            Err(service) => panic!("{}: the service failed, not the file: {service}", path.display()),
        }
    }
    eprintln!("corpus: {parsed} read, {refused} refused with a message");
    assert!(parsed > refused, "most corpus files are valid spreadsheets: {parsed} read, {refused} refused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_files_that_break_calamine_become_errors_of_their_own_class() {
    let dir = corpus_dir().join("exceldatareader");
    if !dir.is_dir() {
        eprintln!("skipped: {} is absent", dir.display());
        return;
    }
    let config = worker_config();
    let panicking = std::fs::read(dir.join("Test_Issue_12556_corrupt.xls")).expect("file");
    let outcome = parse_isolated(&panicking, "Test_Issue_12556_corrupt.xls", &config).await;
    assert!(
        matches!(outcome, Err(WorkerError::File(IngestError::ReaderCrashed { .. } | IngestError::Corrupted { .. }))),
        "{outcome:?}"
    );
    // The same through the import's reading and normalising threads.
    let reference = convergence::normalise::ReferenceData {
        products: Vec::new(),
        aliases: Vec::new(),
        states: Vec::new(),
        synonyms: Vec::new(),
        subdomains: Vec::new(),
        mappings: std::collections::HashMap::new(),
        routing: convergence::normalise::row::Routing::Ght(Vec::new()),
        campaign: None,
        file_domain: None,
        layout_domains: std::collections::HashMap::new(),
    };
    let mut run = convergence::intake::worker::normalise_isolated(&panicking, "corrompu.xls", reference, &config)
        .await
        .expect("worker starts");
    let outcome = run.next().await.map(|_| ());
    assert!(
        matches!(outcome, Err(WorkerError::File(IngestError::ReaderCrashed { .. } | IngestError::Corrupted { .. }))),
        "{outcome:?}"
    );
    let oom = std::fs::read(dir.join("Test_git_issue_382_oom.xls")).expect("file");
    let outcome = parse_isolated(&oom, "Test_git_issue_382_oom.xls", &config).await;
    assert!(
        matches!(outcome, Err(WorkerError::File(IngestError::ReaderCrashed { .. } | IngestError::Corrupted { .. }))),
        "{outcome:?}"
    );
    let encrypted = std::fs::read(dir.join("standard_AES128_SHA1_ECB_pwd_password.xlsx")).expect("file");
    let outcome = parse_isolated(&encrypted, "x.xlsx", &config).await;
    assert!(matches!(outcome, Err(WorkerError::File(IngestError::PasswordProtected))), "{outcome:?}");
}
