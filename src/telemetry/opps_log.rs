//! The `--opps FILE` output: one JSON line per detected opportunity with how it ended
//! (docs/architecture.md, "Contracts": `recv_ts`, `instrument`, `buy_venue`, `sell_venue`, `buy_px`, `sell_px`,
//! `qty` as decimal strings, `net_bps` as a number, `outcome`).
//!
//! The stage that ends an opportunity hands a `Copy` entry through an SPSC ring; a writer thread
//! formats and writes the lines (the hot path never formats or writes). Live, a full ring drops the
//! line and counts it (`opps_log.<stage>.dropped`); in a replay the ring is lossless (the stage
//! waits for room), so the file holds every opportunity.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::thread::JoinHandle;
use std::time::Duration;

use super::registry::Registry;
use crate::base::Counter;
use crate::config::Config;
use crate::model::{format_decimal, Opportunity, Outcome};

/// One ended opportunity.
#[derive(Debug, Clone, Copy)]
pub struct OppLogEntry {
    /// The opportunity (a duplicate carries id 0: it was never emitted).
    pub opp: Opportunity,
    /// How it ended.
    pub outcome: Outcome,
    /// When its order bytes were written (unix ns), 0 when no order was written.
    pub order_unix_ns: u64,
}

/// The hot side: one per stage that ends opportunities.
pub struct OppLogTx {
    tx: rtrb::Producer<OppLogEntry>,
    dropped: Counter,
    lossless: bool,
}

impl OppLogTx {
    /// Log `opp` ending as `outcome` (no order written).
    #[inline]
    pub fn log(&mut self, opp: Opportunity, outcome: Outcome) {
        self.log_order(opp, outcome, 0);
    }

    /// Log `opp` ending as `outcome`, its order bytes written at `order_unix_ns`.
    #[inline]
    pub fn log_order(&mut self, opp: Opportunity, outcome: Outcome, order_unix_ns: u64) {
        let mut e = OppLogEntry {
            opp,
            outcome,
            order_unix_ns,
        };
        loop {
            match self.tx.push(e) {
                Ok(()) => return,
                Err(rtrb::PushError::Full(back)) => {
                    if !self.lossless || self.tx.is_abandoned() {
                        self.dropped.inc();
                        return;
                    }
                    e = back;
                    std::thread::yield_now();
                }
            }
        }
    }
}

/// Channels from the stages to the writer, built on the cold path.
pub struct OppLog {
    rxs: Vec<rtrb::Consumer<OppLogEntry>>,
    lossless: bool,
}

impl OppLog {
    /// A log; `lossless` for replays.
    pub fn new(lossless: bool) -> OppLog {
        OppLog {
            rxs: Vec::new(),
            lossless,
        }
    }

    /// A channel for `stage`.
    pub fn channel(&mut self, stage: &str, reg: &mut Registry) -> OppLogTx {
        let (mut tx, rx) = rtrb::RingBuffer::new(1 << 16);
        crate::runtime::prefault(&mut tx);
        self.rxs.push(rx);
        OppLogTx {
            tx,
            dropped: reg.counter(&format!("opps_log.{stage}.dropped")),
            lossless: self.lossless,
        }
    }

    /// Start the writer thread on `path`; it ends when every stage has dropped its channel and
    /// everything was written, returning the number of lines.
    pub fn spawn_writer(
        self,
        path: &Path,
        cfg: &Config,
    ) -> std::io::Result<JoinHandle<std::io::Result<u64>>> {
        let file = std::fs::File::create(path)?;
        let names = Names::of(cfg);
        let mut rxs = self.rxs;
        std::thread::Builder::new()
            .name("opps-log".to_string())
            .spawn(move || {
                let mut out = BufWriter::new(file);
                let mut lines = 0u64;
                loop {
                    let mut n = 0;
                    for rx in rxs.iter_mut() {
                        while let Ok(e) = rx.pop() {
                            names.write_line(&mut out, &e)?;
                            n += 1;
                        }
                    }
                    lines += n;
                    if n == 0 {
                        if rxs.iter().all(|r| r.is_abandoned() && r.is_empty()) {
                            out.flush()?;
                            return Ok(lines);
                        }
                        out.flush()?;
                        std::thread::sleep(Duration::from_millis(2));
                    }
                }
            })
    }
}

struct Names {
    venues: Vec<String>,
    instruments: Vec<(String, u8, u8)>,
}

impl Names {
    fn of(cfg: &Config) -> Names {
        Names {
            venues: cfg.venues.iter().map(|v| v.name.clone()).collect(),
            instruments: cfg
                .instruments
                .iter()
                .map(|i| (i.name.clone(), i.price_scale, i.qty_scale))
                .collect(),
        }
    }

    fn write_line(&self, out: &mut impl Write, e: &OppLogEntry) -> std::io::Result<()> {
        let o = &e.opp;
        let unknown = (String::from("?"), 0, 0);
        let (ins, ps, qs) = self
            .instruments
            .get(o.instrument.index())
            .unwrap_or(&unknown);
        let venue = |v: crate::model::VenueId| {
            self.venues
                .get(v.index())
                .map(String::as_str)
                .unwrap_or("?")
        };
        let dec = |m: i64, s: u8| {
            let mut b = [0u8; 48];
            String::from_utf8_lossy(format_decimal(m, s, &mut b)).into_owned()
        };
        let mut line = serde_json::json!({
            "opp": o.id.0,
            "recv_ts": o.recv_ts_ns,
            "instrument": ins,
            "buy_venue": venue(o.buy_venue),
            "sell_venue": venue(o.sell_venue),
            "buy_px": dec(o.buy_px.0, *ps),
            "sell_px": dec(o.sell_px.0, *ps),
            "qty": dec(o.qty.0, *qs),
            "net_bps": o.net_bps.as_f64(),
            "outcome": e.outcome.name(),
            "trigger_venue": venue(o.trigger_venue),
            "trigger_seq": o.trigger_seq,
        });
        if e.order_unix_ns != 0 {
            line["order_ts"] = e.order_unix_ns.into();
        }
        writeln!(out, "{line}")
    }
}
