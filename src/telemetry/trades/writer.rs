//! The trade log's cold side: the channels from the execution stage ([`TradeLog`]) and the writer
//! thread that formats each record as a JSON line, keeps the [`TradeBook`], and on a kill hands
//! the orders still open to a [`KillHook`].
//!
//! Durability: the thread polls the ring every millisecond, writes what it found and flushes it to
//! the file (a `write` to the kernel) before sleeping again, and `fdatasync`s at most once a
//! second while records arrive (and at the end). A SIGKILL therefore loses only the records still
//! on the ring or being formatted: the last millisecond or two. A power cut can lose up to the
//! last second.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::book::{decimal_text, OpenOrder, TradeBook, BOOK_SCALE};
use super::format::TradeNames;
use super::record::{TradeRecord, TradeTx};
use crate::telemetry::Registry;

/// Records the ring holds: far more than a run sends between two polls of the writer (each
/// arbitrage makes at most about ten records).
pub const TRADE_RING: usize = 1 << 15;

/// How long the writer sleeps when the ring is empty.
const POLL: Duration = Duration::from_millis(1);

/// How often the file is synced to the disk while records arrive.
const SYNC_EVERY: Duration = Duration::from_secs(1);

/// What the writer does when the kill switch turns on: cancel the orders still open. Runs on the
/// writer thread, so blocking calls (HTTP) are allowed.
pub trait KillHook: Send {
    /// Whether the kill switch is on (polled once per writer loop).
    fn is_on(&self) -> bool;
    /// Cancel every order in `open`; returns one JSON entry per order saying what came of it.
    fn cancel(&mut self, open: &[OpenOrder], names: &TradeNames) -> Vec<serde_json::Value>;
}

/// The channel from the execution stage to the writer, built on the cold path.
pub struct TradeLog {
    rx: Option<rtrb::Consumer<TradeRecord>>,
    lossless: bool,
    head: Vec<String>,
}

impl TradeLog {
    /// A log; `lossless` for replays (the stage waits for room rather than drop a record).
    pub fn new(lossless: bool) -> TradeLog {
        TradeLog {
            rx: None,
            lossless,
            head: Vec::new(),
        }
    }

    /// Lines written first, before any record of this run (the previous run's orders settled at
    /// start-up: `exec::startup::previous`). Each is one JSON object without its newline.
    pub fn set_head(&mut self, lines: Vec<String>) {
        self.head = lines;
    }

    /// The execution stage's end (one per log). Allocates and prefaults the ring.
    pub fn channel(&mut self, reg: &mut Registry) -> TradeTx {
        let (mut tx, rx) = rtrb::RingBuffer::new(TRADE_RING);
        crate::runtime::prefault(&mut tx);
        self.rx = Some(rx);
        TradeTx {
            tx,
            dropped: reg.counter("trades_log.dropped"),
            lossless: self.lossless,
        }
    }

    /// Start the writer thread: lines to `path` when given (created, truncated), the accounting
    /// always. It ends when the stage has dropped its end and everything was taken, returning the
    /// report's `trades` object.
    pub fn spawn_writer(
        self,
        path: Option<&Path>,
        names: TradeNames,
        kill: Option<Box<dyn KillHook>>,
    ) -> std::io::Result<JoinHandle<std::io::Result<serde_json::Value>>> {
        let mut file = path.map(File::create).transpose()?;
        if let Some(f) = file.as_mut() {
            for line in &self.head {
                writeln!(f, "{line}")?;
            }
            f.sync_data()?;
        }
        let rx = self.rx;
        std::thread::Builder::new()
            .name("trades-log".to_string())
            .spawn(move || write_loop(rx, file.map(BufWriter::new), names, kill))
    }
}

fn write_loop(
    mut rx: Option<rtrb::Consumer<TradeRecord>>,
    mut out: Option<BufWriter<File>>,
    names: TradeNames,
    mut kill: Option<Box<dyn KillHook>>,
) -> std::io::Result<serde_json::Value> {
    let mut book = TradeBook::default();
    let mut last_sync = Instant::now();
    let mut unsynced = false;
    let mut kill_report = serde_json::Value::Null;
    loop {
        let mut n = 0u64;
        if let Some(rx) = rx.as_mut() {
            while let Ok(r) = rx.pop() {
                book.apply(&r, names.scales(r.order.instrument.index()));
                if let Some(out) = out.as_mut() {
                    names.write_line(out, &r)?;
                }
                n += 1;
            }
        }
        if n > 0 {
            if let Some(out) = out.as_mut() {
                out.flush()?;
                unsynced = true;
                if last_sync.elapsed() >= SYNC_EVERY {
                    out.get_ref().sync_data()?;
                    last_sync = Instant::now();
                    unsynced = false;
                }
            }
        }
        if kill_report.is_null() && kill.as_ref().is_some_and(|k| k.is_on()) {
            if let Some(hook) = kill.as_mut() {
                kill_report = on_kill(hook.as_mut(), &book, &names);
            }
        }
        if n == 0 {
            let done = rx.as_ref().is_none_or(|r| r.is_abandoned() && r.is_empty());
            if done {
                if let Some(out) = out.as_mut() {
                    out.flush()?;
                    if unsynced {
                        out.get_ref().sync_data()?;
                    }
                }
                let mut summary = book.to_json(&|v| names.venue(v), &|i| names.instrument(i));
                summary["kill"] = kill_report;
                return Ok(summary);
            }
            std::thread::sleep(POLL);
        }
    }
}

/// The kill switch is on: cancel what is open, then say what is still exposed (stderr and the
/// report).
fn on_kill(hook: &mut dyn KillHook, book: &TradeBook, names: &TradeNames) -> serde_json::Value {
    let open = book.open_orders();
    let cancels = hook.cancel(&open, names);
    let residual: Vec<serde_json::Value> = book
        .residuals()
        .into_iter()
        .map(|(v, asset, amount)| {
            serde_json::json!({
                "venue": names.venue(v),
                "asset": asset,
                "amount": decimal_text(amount, BOOK_SCALE),
            })
        })
        .collect();
    eprintln!(
        "microarb: kill switch on: {} order(s) open, cancel requested for each",
        open.len()
    );
    for c in &cancels {
        eprintln!("microarb: kill: cancel {c}");
    }
    if residual.is_empty() {
        eprintln!("microarb: kill: no residual position from this run's fills");
    }
    for r in &residual {
        eprintln!(
            "microarb: kill: still exposed on {}: {} {}",
            r["venue"].as_str().unwrap_or("?"),
            r["amount"].as_str().unwrap_or("?"),
            r["asset"].as_str().unwrap_or("?")
        );
    }
    serde_json::json!({
        "open_orders": open.len(),
        "cancels": cancels,
        "residual_at_kill": residual,
    })
}
