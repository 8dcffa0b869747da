//! Parsing isolated in a child process.
//!
//! The spreadsheet libraries are not safe on hostile input (a corrupt `.xls`
//! makes calamine panic, a 25 KB one drives it to 24 GB of memory), so the
//! service never parses an upload itself: it runs its own binary in worker
//! mode (`convergence worker`), which caps its own memory and CPU time with
//! `setrlimit` before reading anything, and waits for it under a wall-clock
//! timeout. A crash, a kill or a timeout becomes an error for that upload;
//! the service keeps serving.
//!
//! The worker does all the pure work — reading, finding the inventory,
//! normalising against the reference data it is given — and streams the
//! normalised rows back in batches, so the service stores one batch while
//! the worker normalises the next, and neither holds the whole file's rows.
//! Inside the worker, one thread reads the file and a second one locates
//! and normalises its rows as they come: each is about half of the work.
//!
//! Protocol: frames of a little-endian `u32` length followed by that many
//! bytes of postcard (a compact binary serde encoding: rows cross the pipe
//! several times faster than as JSON). On standard input, the job as one
//! frame, then the file's bytes; on standard output, one [`Event`] per
//! frame.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdout};
use tokio::time::Instant;

use crate::import::headers::{HeaderMatcher, expected_headers};
use crate::import::table::{InventorySheet, Located, SheetLocator};
use crate::import::{Cell, IngestError, Limits, RawWorkbook, RowSink, read_rows, read_workbook};
use crate::normalise::ReferenceData;
use crate::normalise::inventory::{InventoryNormaliser, Output};
use crate::normalise::matcher::Matcher;
use crate::normalise::message_page::EncodedPage;
use crate::normalise::report::{MESSAGES_INLINE, Message, Report};
use crate::normalise::row::{Context, NormalisedRow};
use crate::normalise::taxonomy::TaxonomyIndex;

/// Rows per batch sent back to the service.
pub const ROWS_PER_BATCH: usize = 500;

/// Report messages per batch: one stored page each.
pub const MESSAGES_PER_BATCH: usize = 1000;

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

/// Why a run of the worker gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// The file cannot be read: the user's to fix.
    #[error(transparent)]
    File(#[from] IngestError),
    /// The worker could not be started or waited for (the program is
    /// missing, the system refuses a process): the service's fault, and
    /// perhaps passing.
    #[error("parse worker unavailable: {0}")]
    Unavailable(String),
    /// The worker answered something the service cannot decode or did not
    /// expect: the service's fault, never the file's.
    #[error("parse worker protocol: {0}")]
    Protocol(String),
}

/// What the worker is asked to do.
#[derive(Debug, Serialize, Deserialize)]
enum Job {
    /// Return the file's cells as read (for the annotated copy).
    Raw { file_name: String },
    /// Find the inventory, normalise it and stream the rows.
    Normalise { file_name: String, reference: Box<ReferenceData> },
}

/// One line of the worker's output.
#[derive(Debug, Serialize, Deserialize)]
enum Event {
    /// The raw workbook (answer to `Raw`).
    Raw(RawWorkbook),
    /// A batch of valid rows, and the number of row errors seen so far.
    Rows { rows: Vec<NormalisedRow>, errors_so_far: u32 },
    /// A page of report messages, encoded, and those of its messages that
    /// the report shows inline.
    Messages { page: EncodedPage, inline: Vec<Message> },
    /// Every row and message sent so far is void: the file is read again.
    Restart,
    /// The end, with the report's counts, the worker's peak memory (KiB)
    /// and the layout of each sheet read.
    Done(Box<Report>, Option<u64>, Vec<String>),
    /// The file cannot be read.
    Refused(IngestError),
}

/// What a normalising worker sends.
#[derive(Debug)]
pub enum Normalised {
    /// A batch of valid rows, and the number of row errors seen so far.
    Rows(Vec<NormalisedRow>, u32),
    /// A page of report messages, in order, encoded for storage, and those
    /// of its messages that the report shows inline (the first
    /// [`MESSAGES_INLINE`] of the file).
    Messages(EncodedPage, Vec<Message>),
    /// Every row and message received so far is void: the worker reads the
    /// file again (a worksheet that could not be streamed).
    Restart,
    /// The end, with the report's counts (its messages came before) and the
    /// worker's peak resident memory in KiB (where the system tells it).
    Done(Finished),
}

/// The end of a normalisation.
#[derive(Debug)]
pub struct Finished {
    /// The report's counts (its messages came before).
    pub report: Box<Report>,
    /// The worker's peak resident memory in KiB (where the system tells it).
    pub peak_kib: Option<u64>,
    /// The layout of each sheet read, in order (see
    /// [`crate::import::table::InventorySheet::layout`]).
    pub layouts: Vec<String>,
}

/// Batches read ahead of the consumer: the worker keeps normalising while
/// the service writes, instead of blocking on a full pipe.
const READ_AHEAD: usize = 4;

/// A running worker.
pub struct WorkerRun {
    child: Child,
    events: tokio::sync::mpsc::Receiver<Result<Event, WorkerError>>,
    diagnostics: tokio::task::JoinHandle<Vec<u8>>,
    deadline: Instant,
    finished: bool,
}

/// Reads the worker's output lines and decodes them, ahead of the consumer.
async fn read_events(
    mut stdout: BufReader<ChildStdout>,
    sender: tokio::sync::mpsc::Sender<Result<Event, WorkerError>>,
) {
    let mut frame = Vec::new();
    loop {
        let event = match read_frame(&mut stdout, &mut frame).await {
            Ok(true) => postcard::from_bytes::<Event>(&frame)
                .map_err(|e| WorkerError::Protocol(format!("undecodable frame of {} bytes: {e}", frame.len()))),
            Ok(false) => return,
            Err(e) => Err(WorkerError::Protocol(format!("unreadable output: {e}"))),
        };
        let last = !matches!(event, Ok(Event::Rows { .. } | Event::Messages { .. } | Event::Restart));
        if sender.send(event).await.is_err() || last {
            return;
        }
    }
}

/// The largest frame the service accepts from a worker: far above a batch
/// of rows, low enough that a garbled length cannot exhaust memory.
const MAX_FRAME_BYTES: usize = 256 * 1024 * 1024;

/// Reads one frame into `frame`; `false` at a clean end of stream.
async fn read_frame(input: &mut BufReader<ChildStdout>, frame: &mut Vec<u8>) -> std::io::Result<bool> {
    let mut length = [0u8; 4];
    match input.read_exact(&mut length).await {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(false),
        Err(e) => return Err(e),
    }
    let length = u32::from_le_bytes(length) as usize;
    if length > MAX_FRAME_BYTES {
        return Err(std::io::Error::other(format!("frame of {length} bytes refused")));
    }
    frame.resize(length, 0);
    input.read_exact(frame).await?;
    Ok(true)
}

/// Writes one frame.
fn write_frame(out: &mut impl Write, value: &impl Serialize) -> std::io::Result<()> {
    let bytes = postcard::to_stdvec(value).map_err(std::io::Error::other)?;
    let length = u32::try_from(bytes.len()).map_err(std::io::Error::other)?;
    out.write_all(&length.to_le_bytes())?;
    out.write_all(&bytes)
}

impl WorkerRun {
    async fn spawn(job: &Job, bytes: &[u8], config: &WorkerConfig) -> Result<Self, WorkerError> {
        if bytes.len() as u64 > config.limits.max_file_bytes {
            return Err(IngestError::TooLarge { limit: config.limits.max_file_bytes }.into());
        }
        let mut child = tokio::process::Command::new(&config.program)
            .arg("worker")
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
            .map_err(|e| WorkerError::Unavailable(format!("cannot start {}: {e}", config.program.display())))?;
        let (Some(mut stdin), Some(stdout), Some(mut stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(WorkerError::Unavailable("no pipes to the worker".to_owned()));
        };
        let mut input = Vec::with_capacity(bytes.len() + 4096);
        write_frame(&mut input, job).map_err(|e| WorkerError::Protocol(format!("cannot encode the job: {e}")))?;
        input.extend_from_slice(bytes);
        // A worker that dies early closes its stdin: not an error here.
        tokio::spawn(async move {
            let _ = stdin.write_all(&input).await;
        });
        let diagnostics = tokio::spawn(async move {
            let mut buffer = Vec::new();
            let _ = stderr.read_to_end(&mut buffer).await;
            buffer
        });
        let (sender, events) = tokio::sync::mpsc::channel(READ_AHEAD);
        tokio::spawn(read_events(BufReader::with_capacity(256 * 1024, stdout), sender));
        Ok(WorkerRun { child, events, diagnostics, deadline: Instant::now() + config.timeout, finished: false })
    }

    async fn next_event(&mut self) -> Result<Event, WorkerError> {
        match tokio::time::timeout_at(self.deadline, self.events.recv()).await {
            Err(_) => Err(IngestError::Timeout.into()),
            Ok(Some(event)) => event,
            Ok(None) => Err(self.failure().await),
        }
    }

    /// How the worker ended, once its output stopped early.
    async fn failure(&mut self) -> WorkerError {
        let status = match tokio::time::timeout_at(self.deadline, self.child.wait()).await {
            Err(_) => return IngestError::Timeout.into(),
            Ok(Err(e)) => return WorkerError::Unavailable(format!("cannot wait for the worker: {e}")),
            Ok(Ok(status)) => status,
        };
        let diagnostics = (&mut self.diagnostics).await.unwrap_or_default();
        let last_line: String =
            String::from_utf8_lossy(&diagnostics).lines().last().unwrap_or_default().chars().take(200).collect();
        tracing::warn!(?status, diagnostics = %last_line, "parse worker failed");
        IngestError::crashed(&describe_exit(status), format!("{status}; {last_line}")).into()
    }

    /// The next batch of rows, or the end with the report.
    ///
    /// # Errors
    /// `File` with the file's `IngestError` (`Timeout` and `ReaderCrashed`
    /// included); `Unavailable` or `Protocol` for the service's own faults.
    pub async fn next(&mut self) -> Result<Normalised, WorkerError> {
        if self.finished {
            return Err(WorkerError::Protocol("read past the end".to_owned()));
        }
        match self.next_event().await? {
            Event::Rows { rows, errors_so_far } => Ok(Normalised::Rows(rows, errors_so_far)),
            Event::Messages { page, inline } => Ok(Normalised::Messages(page, inline)),
            Event::Restart => Ok(Normalised::Restart),
            Event::Done(report, peak_kib, layouts) => {
                self.finished = true;
                Ok(Normalised::Done(Finished { report, peak_kib, layouts }))
            }
            Event::Refused(error) => Err(error.into()),
            Event::Raw(_) => Err(WorkerError::Protocol("a raw workbook in answer to a normalisation".to_owned())),
        }
    }
}

/// Reads a file in a worker and returns its cells as read.
///
/// # Errors
/// `File` with every `IngestError` (`Timeout` and `ReaderCrashed` when the
/// worker does not finish normally); `Unavailable` or `Protocol` for the
/// service's own faults.
pub async fn parse_isolated(bytes: &[u8], file_name: &str, config: &WorkerConfig) -> Result<RawWorkbook, WorkerError> {
    let mut run = WorkerRun::spawn(&Job::Raw { file_name: file_name.to_owned() }, bytes, config).await?;
    match run.next_event().await? {
        Event::Raw(workbook) => Ok(workbook),
        Event::Refused(error) => Err(error.into()),
        _ => Err(WorkerError::Protocol("rows in answer to a raw reading".to_owned())),
    }
}

/// Starts a worker that reads, locates and normalises a file against the
/// reference data, streaming the rows back.
///
/// # Errors
/// `File(TooLarge)` for a file over the limit; `Unavailable` when the worker
/// cannot start.
pub async fn normalise_isolated(
    bytes: &[u8],
    file_name: &str,
    reference: ReferenceData,
    config: &WorkerConfig,
) -> Result<WorkerRun, WorkerError> {
    let job = Job::Normalise { file_name: file_name.to_owned(), reference: Box::new(reference) };
    WorkerRun::spawn(&job, bytes, config).await
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
    match status.code() {
        Some(code) => format!("le lecteur s'est arrêté en erreur (code {code})"),
        None => "le lecteur s'est arrêté en erreur".to_owned(),
    }
}

/// Worker side: caps this process, reads the job and the file on standard
/// input, and writes its events on standard output. Called by
/// `convergence worker`.
///
/// # Errors
/// When the limits cannot be set or standard input/output fail.
pub fn run_worker(memory_bytes: u64, cpu_seconds: u64, limits: Limits) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        rlimit::setrlimit(rlimit::Resource::AS, memory_bytes, memory_bytes)?;
        rlimit::setrlimit(rlimit::Resource::CPU, cpu_seconds, cpu_seconds.saturating_add(1))?;
    }
    let mut input = std::io::stdin().lock();
    let mut length = [0u8; 4];
    input.read_exact(&mut length)?;
    let mut job = vec![0u8; u32::from_le_bytes(length) as usize];
    input.read_exact(&mut job)?;
    let job: Job = postcard::from_bytes(&job).map_err(std::io::Error::other)?;
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes)?;
    // Unlocked (`Stdout` is `Send`): the normalising thread writes the events.
    let mut out = std::io::BufWriter::with_capacity(256 * 1024, std::io::stdout());
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_job(job, &bytes, &limits, &mut out)));
    match outcome {
        Ok(result) => result?,
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("panique");
            let error = IngestError::crashed("le lecteur de classeurs s'est arrêté sur une erreur interne", message);
            emit(&mut out, &Event::Refused(error))?;
        }
    }
    out.flush()
}

fn emit(out: &mut impl Write, event: &Event) -> std::io::Result<()> {
    write_frame(out, event)
}

fn run_job(job: Job, bytes: &[u8], limits: &Limits, out: &mut (impl Write + Send)) -> std::io::Result<()> {
    let (file_name, reference) = match job {
        Job::Raw { file_name } => {
            let event = match read_workbook(bytes, &file_name, limits) {
                Ok(workbook) => Event::Raw(workbook),
                Err(error) => Event::Refused(error),
            };
            return emit(out, &event);
        }
        Job::Normalise { file_name, reference } => (file_name, reference),
    };
    // Reading the file and normalising its rows each take about half of the
    // work: this thread reads, a second one normalises and writes.
    let (sender, receiver) = std::sync::mpsc::sync_channel(FED_AHEAD);
    std::thread::scope(|scope| {
        let file = file_name.as_str();
        let normalising = scope.spawn(move || normalise_fed(receiver, *reference, file, out));
        let mut forward = Forward { sender, pending: Vec::with_capacity(FED_PER_BATCH) };
        let read = read_rows(bytes, &file_name, limits, &mut forward);
        forward.pending.push(Fed::End(read));
        forward.send();
        drop(forward);
        normalising.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// What the reading thread hands the normalising one.
enum Fed {
    Sheet(String, u32),
    Row(u32, Vec<Cell>),
    EndSheet,
    Restart,
    /// The file is read: its format, or why it cannot be.
    End(Result<crate::import::Format, IngestError>),
}

/// Rows handed from the reading thread in batches (one channel message per
/// row would cost more than the row).
const FED_PER_BATCH: usize = 256;
/// Batches the reading thread may be ahead.
const FED_AHEAD: usize = 8;

/// The reading thread's sink: forwards to the normalising thread.
struct Forward {
    sender: std::sync::mpsc::SyncSender<Vec<Fed>>,
    pending: Vec<Fed>,
}

impl Forward {
    fn push(&mut self, fed: Fed) {
        self.pending.push(fed);
        if self.pending.len() >= FED_PER_BATCH {
            self.send();
        }
    }

    /// A normalising thread that stopped (its output is gone) is noticed
    /// when it is joined.
    fn send(&mut self) {
        let batch = std::mem::replace(&mut self.pending, Vec::with_capacity(FED_PER_BATCH));
        let _ = self.sender.send(batch);
    }
}

impl RowSink for Forward {
    fn sheet(&mut self, name: String, first_col: u32) {
        self.push(Fed::Sheet(name, first_col));
    }

    fn row(&mut self, excel_row: u32, cells: Vec<Cell>) {
        self.push(Fed::Row(excel_row, cells));
    }

    fn end_sheet(&mut self) {
        self.push(Fed::EndSheet);
    }

    fn restart(&mut self) {
        self.push(Fed::Restart);
    }
}

/// The normalising thread: locates and normalises what the reading thread
/// hands it, and writes the events.
fn normalise_fed(
    receiver: std::sync::mpsc::Receiver<Vec<Fed>>,
    reference: ReferenceData,
    file_name: &str,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let ReferenceData {
        products,
        aliases,
        states,
        synonyms,
        subdomains,
        routing,
        mappings,
        campaign,
        file_domain,
        layout_domains,
    } = reference;
    let headers = HeaderMatcher::new(&mappings).for_campaign(campaign);
    let matcher = Matcher::new(products, aliases).with_states(states);
    let taxonomy = TaxonomyIndex::new(synonyms, subdomains);
    let matches = std::cell::RefCell::new(HashMap::new());
    let context = Context {
        file: file_name,
        matcher: &matcher,
        taxonomy: &taxonomy,
        routing: &routing,
        matches: &matches,
        file_domain: file_domain.as_ref(),
        layout_domains: &layout_domains,
    };
    let outbox =
        Outbox { out, rows: Vec::new(), messages: Vec::new(), errors_so_far: 0, messages_sent: 0, written: Ok(()) };
    let mut reading =
        Reading { headers: &headers, locator: None, normaliser: InventoryNormaliser::new(&context, outbox) };
    let mut read = None;
    'batches: for batch in receiver {
        for fed in batch {
            match fed {
                Fed::Sheet(name, first_col) => reading.sheet(name, first_col),
                Fed::Row(excel_row, cells) => reading.row(excel_row, cells),
                Fed::EndSheet => reading.end_sheet(),
                Fed::Restart => reading.restart(),
                Fed::End(result) => {
                    read = Some(result);
                    break 'batches;
                }
            }
        }
        if reading.normaliser.output().written.is_err() {
            break;
        }
    }
    // Without an end, the reading thread panicked: the caller reports it.
    let Some(read) = read else { return Ok(()) };
    let found = reading.normaliser.found_inventory();
    let format = match read {
        Ok(_) if found && let Some(sheets) = reading.normaliser.headers_without_rows() => {
            return emit(reading.normaliser.output().out, &Event::Refused(IngestError::NoInventoryRows { sheets }));
        }
        Ok(format) if found => format,
        Ok(_) => {
            return emit(
                reading.normaliser.output().out,
                &Event::Refused(IngestError::NoHeaderRow { expected: expected_headers() }),
            );
        }
        Err(error) => return emit(reading.normaliser.output().out, &Event::Refused(error)),
    };
    let layouts = reading.normaliser.layouts().to_vec();
    let (report, mut outbox) = reading.normaliser.finish(format.as_str());
    outbox.flush();
    outbox.written?;
    emit(outbox.out, &Event::Done(Box::new(report), peak_resident_kib(), layouts))
}

/// The worker's side of reading: each sheet's rows go through a locator
/// (header, columns, data rows) into the normaliser, whose rows and
/// messages go out in batches while the file is still being read.
struct Reading<'a, 'c, W: Write> {
    headers: &'a HeaderMatcher,
    locator: Option<SheetLocator<'a>>,
    normaliser: InventoryNormaliser<'c, Outbox<'a, W>>,
}

impl<W: Write> RowSink for Reading<'_, '_, W> {
    fn sheet(&mut self, name: String, first_col: u32) {
        self.locator = Some(SheetLocator::new(self.headers, name, first_col));
    }

    fn row(&mut self, excel_row: u32, cells: Vec<Cell>) {
        let normaliser = &mut self.normaliser;
        if let Some(locator) = &mut self.locator {
            locator
                .push(excel_row, cells, &mut |sheet: &InventorySheet, event: Located| normaliser.located(sheet, event));
        }
    }

    fn end_sheet(&mut self) {
        let normaliser = &mut self.normaliser;
        let Some(locator) = self.locator.take() else { return };
        match locator.finish(&mut |sheet: &InventorySheet, event: Located| normaliser.located(sheet, event)) {
            Ok(sheet) => normaliser.sheet_done(&sheet),
            Err(name) => normaliser.sheet_ignored(name),
        }
    }

    fn restart(&mut self) {
        self.locator = None;
        self.normaliser.restart();
        self.normaliser.output().restart();
    }
}

/// Rows and messages waiting to be sent, in batches.
struct Outbox<'a, W: Write> {
    out: &'a mut W,
    rows: Vec<NormalisedRow>,
    messages: Vec<Message>,
    errors_so_far: u32,
    /// Messages sent so far.
    messages_sent: usize,
    written: std::io::Result<()>,
}

impl<W: Write> Output for Outbox<'_, W> {
    fn row(&mut self, row: NormalisedRow, errors_so_far: u32) {
        self.rows.push(row);
        self.errors_so_far = errors_so_far;
        if self.rows.len() >= ROWS_PER_BATCH {
            self.flush();
        }
    }

    fn message(&mut self, message: Message) {
        self.messages.push(message);
        if self.messages.len() >= MESSAGES_PER_BATCH {
            self.flush_messages();
        }
    }
}

impl<W: Write> Outbox<'_, W> {
    fn flush_messages(&mut self) {
        if self.written.is_ok() && !self.messages.is_empty() {
            let messages = std::mem::take(&mut self.messages);
            let room = MESSAGES_INLINE.saturating_sub(self.messages_sent);
            self.messages_sent += messages.len();
            self.written = EncodedPage::new(&messages).map_err(std::io::Error::other).and_then(|page| {
                let inline = messages.into_iter().take(room).collect();
                emit(self.out, &Event::Messages { page, inline })
            });
        }
    }

    /// Sends what is pending: messages first, so that a batch of rows never
    /// arrives before the errors that precede it.
    fn flush(&mut self) {
        self.flush_messages();
        if self.written.is_ok() && !self.rows.is_empty() {
            let rows = std::mem::take(&mut self.rows);
            let errors_so_far = self.errors_so_far;
            self.written = emit(self.out, &Event::Rows { rows, errors_so_far }).and_then(|()| self.out.flush());
        }
    }

    /// Drops what is pending and tells the service to forget what was sent.
    fn restart(&mut self) {
        self.rows.clear();
        self.messages.clear();
        self.messages_sent = 0;
        self.errors_so_far = 0;
        if self.written.is_ok() {
            self.written = emit(self.out, &Event::Restart);
        }
    }
}

/// This process's peak resident memory in KiB (Linux `VmHWM`).
pub fn peak_resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
