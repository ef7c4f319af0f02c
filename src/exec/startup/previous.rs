//! The previous run's orders, settled before this run trades (`execution.reconcile.
//! previous_trades`, `microarb run --resume FILE`): after a crash (a SIGKILL, a power cut) the
//! previous run's trade log holds orders with no `final` line, and possibly none at all for the
//! last order or two it sent (the log reaches the file a millisecond or so after the send).
//!
//! Start-up reads that log, then asks each order's venue for its state with the same signed status
//! query the REST gateway sends ([`VenueCodec::write_status_request`], read by the codec's own
//! answer parser), under the client id the order was sent with:
//! - every logged order without a `final` line;
//! - the next [`PROBE`] order ids after the last one logged, on every trading venue and
//!   instrument: order ids are dense, so an order sent but never logged has one of them. A found
//!   one is logged as `kind: "order"` with `"recovered": true`.
//!
//! Each settled order gets its `fill` (when it filled) and `final` lines at the head of this run's
//! trade log, marked `"previous_run": true`, so the two logs together give every order exactly one
//! final state. An order the venue still reports open is queried again (start-up reconciliation
//! has already cancelled the previous run's open orders, whose cancel may take a moment); one
//! still unsettled after [`TRIES`] is counted unresolved and printed, never guessed. Cold path.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

pub use super::error::PreviousError;
use crate::base::{Clock, ClockOffsets};
use crate::config::Config;
use crate::exec::account::client::unix_ms_now;
use crate::exec::account::http::BlockingHttp;
use crate::exec::gateway::codec::VenueCodec;
use crate::exec::gateway::rest::build::{host_header, public_rest_url, resolve, venue_codec};
use crate::exec::gateway::CODE_NO_SUCH_ORDER;
use crate::exec::secrets::ApiSecret;
use crate::model::{
    format_decimal, ExecReport, ExecStatus, InstrumentId, OppId, Order, OrderId, Price, Qty, Side,
    TimeInForce, VenueId, FEE_SCALE,
};

/// Order ids past the last logged one that are probed on every venue and instrument.
pub const PROBE: u64 = 4;
/// Status queries an order gets before it is called unresolved.
pub const TRIES: u32 = 5;
/// Pause between two queries of an order still open.
const PAUSE: Duration = Duration::from_millis(100);

/// The client-id prefix and order id of the last order a run sent.
type LastSent = (String, u64);

/// One order of the previous run, as its log tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Logged {
    venue: usize,
    instrument: usize,
    order_id: u64,
    prefix: String,
    side: Side,
    finals: u32,
}

/// What start-up settled: the lines for the head of this run's trade log and the counts.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Settled {
    /// `fill`, `final` (and recovered `order`) lines, JSON, without newlines.
    pub lines: Vec<String>,
    /// Logged orders without a final that are now final.
    pub resolved: u64,
    /// Orders found at a venue that the log never had.
    pub recovered: u64,
    /// Orders still not final after [`TRIES`] queries (printed).
    pub unresolved: u64,
    /// Logged orders with more than one final line (a contradiction in the log; counted).
    pub duplicate_finals: u64,
}

/// Read the previous run's trade log at `path` (lines that name a venue or an instrument this
/// config lacks are skipped: they cannot be asked about), and the client-id prefix and order id of
/// the last order that run itself sent (lines it carried over from the run before are not its).
fn read_log(cfg: &Config, path: &Path) -> Result<(Vec<Logged>, Option<LastSent>), PreviousError> {
    let p = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| PreviousError::Read {
        path: p.clone(),
        source,
    })?;
    let lines: Vec<&str> = text.lines().collect();
    let mut by_client: BTreeMap<String, Logged> = BTreeMap::new();
    let mut last: Option<LastSent> = None;
    for (n, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = match serde_json::from_str(line) {
            Ok(v) => v,
            // A crash can cut the last line short: nothing after it was written.
            Err(_) if n + 1 == lines.len() => break,
            Err(e) => {
                return Err(PreviousError::Line {
                    path: p,
                    line: n + 1,
                    why: e.to_string(),
                })
            }
        };
        let bad = |why: &str| PreviousError::Line {
            path: p.clone(),
            line: n + 1,
            why: why.to_string(),
        };
        let s = |k: &str| v.get(k).and_then(|x| x.as_str());
        let kind = s("kind").ok_or_else(|| bad("no kind"))?;
        let client = s("client_id")
            .ok_or_else(|| bad("no client_id"))?
            .to_string();
        let order_id = v
            .get("order_id")
            .and_then(|x| x.as_u64())
            .ok_or_else(|| bad("no order_id"))?;
        let (Some(venue), Some(instrument)) = (
            s("venue").and_then(|n| cfg.venues.iter().position(|x| x.name == n)),
            s("instrument").and_then(|n| cfg.instruments.iter().position(|x| x.name == n)),
        ) else {
            continue;
        };
        let prefix = client
            .strip_suffix(&order_id.to_string())
            .ok_or_else(|| bad("client_id does not end with order_id"))?
            .to_string();
        let side = match s("side") {
            Some("sell") => Side::Sell,
            _ => Side::Buy,
        };
        let e = by_client.entry(client).or_insert(Logged {
            venue,
            instrument,
            order_id,
            prefix,
            side,
            finals: 0,
        });
        if kind == "final" {
            e.finals += 1;
        }
        if kind == "order" && v.get("previous_run").is_none() {
            last = Some((e.prefix.clone(), e.order_id));
        }
    }
    Ok((by_client.into_values().collect(), last))
}

/// One venue's status-query channel: the codec with the previous run's client-id prefix.
struct Asker {
    http: BlockingHttp,
    codec: VenueCodec,
    buf: Vec<u8>,
}

impl Asker {
    fn new(cfg: &Config, i: usize, cred: &ApiSecret, prefix: &str) -> Result<Asker, String> {
        let v = &cfg.venues[i];
        let url = v.rest_url.as_deref().unwrap_or(public_rest_url(v.kind));
        let (host, _) = resolve(url).map_err(|e| e.to_string())?;
        let header = host_header(url).map_err(|e| e.to_string())?;
        let timeout = Duration::from_millis(cfg.execution.reconcile.timeout_ms);
        let http = BlockingHttp::new(&host, timeout, 1 << 20)?;
        let codec = venue_codec(cfg, i, cred, header, prefix).map_err(|e| e.to_string())?;
        Ok(Asker {
            http,
            codec,
            buf: Vec::with_capacity(2048),
        })
    }

    /// The venue's answer for `order` (`None`: no answer could be had).
    fn ask(&mut self, order: &Order, offset_ms: i64) -> Option<ExecReport> {
        let now = unix_ms_now().saturating_add_signed(offset_ms);
        self.codec
            .write_status_request(order, now, &mut self.buf)
            .ok()?;
        let resp = self.http.exchange(&self.buf).ok()?;
        let headers: Vec<httparse::Header<'_>> = resp
            .headers
            .iter()
            .map(|(n, v)| httparse::Header {
                name: n.as_str(),
                value: v.as_slice(),
            })
            .collect();
        let a = self
            .codec
            .parse_answer(order, resp.status, &headers, &resp.body, 0);
        Some(a.report)
    }
}

/// The asker for venue `i` under client-id `prefix`, made at its first use.
fn asker<'a>(
    askers: &'a mut BTreeMap<(usize, String), Asker>,
    cfg: &Config,
    creds: &[ApiSecret],
    i: usize,
    prefix: &str,
) -> Result<&'a mut Asker, PreviousError> {
    let key = (i, prefix.to_string());
    if !askers.contains_key(&key) {
        let venue = || cfg.venues[i].name.clone();
        let cred = creds.get(i).ok_or_else(|| PreviousError::Venue {
            venue: venue(),
            why: "no credentials loaded".into(),
        })?;
        let a = Asker::new(cfg, i, cred, prefix).map_err(|why| PreviousError::Venue {
            venue: venue(),
            why,
        })?;
        askers.insert(key.clone(), a);
    }
    Ok(askers.get_mut(&key).expect("inserted above"))
}

fn order_of(l: &Logged) -> Order {
    Order {
        id: OrderId(l.order_id),
        opp: OppId(0),
        px: Price::ZERO,
        qty: Qty::ZERO,
        sent_ts_ns: 0,
        recv_ts_ns: 0,
        instrument: InstrumentId(l.instrument as u16),
        venue: VenueId(l.venue as u8),
        side: l.side,
        tif: TimeInForce::Ioc,
    }
}

/// The final state of `r`, or `None` while the venue reports it open or unknown.
fn final_state(r: &ExecReport) -> Option<&'static str> {
    match r.status {
        ExecStatus::Filled => Some("filled"),
        ExecStatus::PartiallyFilled => Some("partially_filled"),
        ExecStatus::Cancelled => Some("cancelled"),
        ExecStatus::Rejected {
            code: CODE_NO_SUCH_ORDER,
        } => Some("not_found"),
        ExecStatus::Rejected { .. } => Some("rejected"),
        ExecStatus::Unknown => None,
    }
}

/// Settle the previous run's unfinished orders logged at `path` (see the module docs), asking
/// the trading venues with `creds` (one per venue) on `offsets` (the venues' measured clocks).
pub fn settle(
    cfg: &Config,
    creds: &[ApiSecret],
    offsets: &ClockOffsets,
    clock: &Clock,
    path: &Path,
) -> Result<Settled, PreviousError> {
    let (logged, last) = read_log(cfg, path)?;
    let mut out = Settled::default();
    let mut askers: BTreeMap<(usize, String), Asker> = BTreeMap::new();
    let mut todo: Vec<(Logged, bool)> = Vec::new();
    for l in &logged {
        if l.finals > 1 {
            out.duplicate_finals += 1;
        }
        if l.finals == 0 && cfg.venues[l.venue].trade {
            todo.push((l.clone(), false));
        }
    }
    // Orders sent but never logged: the ids after the last one of the last logged run.
    let seen: BTreeSet<(String, u64)> = logged
        .iter()
        .map(|l| (l.prefix.clone(), l.order_id))
        .collect();
    if let Some((prefix, last_id)) = last {
        let last_id = logged
            .iter()
            .filter(|l| l.prefix == prefix)
            .map(|l| l.order_id)
            .max()
            .unwrap_or(last_id);
        for id in last_id + 1..=last_id + PROBE {
            if seen.contains(&(prefix.clone(), id)) {
                continue;
            }
            for (vi, v) in cfg.venues.iter().enumerate() {
                if !v.trade {
                    continue;
                }
                for (ii, ins) in cfg.instruments.iter().enumerate() {
                    if ins.symbols.contains_key(&v.name) {
                        let probe = Logged {
                            venue: vi,
                            instrument: ii,
                            order_id: id,
                            prefix: prefix.clone(),
                            side: Side::Buy,
                            finals: 0,
                        };
                        todo.push((probe, true));
                    }
                }
            }
        }
    }
    for (l, probe) in todo {
        let order = order_of(&l);
        let a = asker(&mut askers, cfg, creds, l.venue, &l.prefix)?;
        let mut settled = None;
        for k in 0..TRIES {
            match a.ask(&order, offsets.get_ms(l.venue)) {
                Some(r) if final_state(&r).is_some() => {
                    settled = Some(r);
                    break;
                }
                _ if k + 1 < TRIES => std::thread::sleep(PAUSE),
                _ => {}
            }
        }
        let Some(r) = settled else {
            out.unresolved += 1;
            eprintln!(
                "microarb: start-up: the previous run's order {}{} on {} is still not final after \
                 {TRIES} status queries; check it at the venue",
                l.prefix, l.order_id, cfg.venues[l.venue].name
            );
            continue;
        };
        let state = final_state(&r).expect("settled above");
        if probe && state == "not_found" {
            continue;
        }
        let names = Names {
            cfg,
            l: &l,
            unix_ns: clock.unix_anchor_ns().saturating_add(clock.now_ns()),
        };
        if probe {
            out.recovered += 1;
            out.lines.push(names.line("order", &r, None));
        } else {
            out.resolved += 1;
        }
        if r.filled_qty.0 > 0 {
            out.lines.push(names.line("fill", &r, None));
        }
        out.lines.push(names.line("final", &r, Some(state)));
    }
    Ok(out)
}

/// Formats the settled lines like the trade log's own (`telemetry::trades::format`).
struct Names<'a> {
    cfg: &'a Config,
    l: &'a Logged,
    unix_ns: u64,
}

impl Names<'_> {
    fn line(&self, kind: &str, r: &ExecReport, state: Option<&str>) -> String {
        let ins = &self.cfg.instruments[self.l.instrument];
        let dec = |m: i64, s: u8| {
            let mut b = [0u8; 48];
            String::from_utf8_lossy(format_decimal(m, s, &mut b)).into_owned()
        };
        let voi = (!r.venue_order_id.is_empty()).then(|| r.venue_order_id.as_str().to_string());
        let mut v = serde_json::json!({
            "kind": kind,
            "time": self.unix_ns,
            "venue": self.cfg.venues[self.l.venue].name,
            "instrument": ins.name,
            "order_id": self.l.order_id,
            "client_id": format!("{}{}", self.l.prefix, self.l.order_id),
            "previous_run": true,
        });
        match kind {
            "order" => {
                v["recovered"] = true.into();
                v["tif"] = "ioc".into();
            }
            "fill" => {
                v["venue_order_id"] = voi.into();
                v["px"] = dec(r.avg_px.0, ins.price_scale).into();
                v["qty"] = dec(r.filled_qty.0, ins.qty_scale).into();
                if let Some(f) = r.fee {
                    v["fee"] = dec(f.amount, FEE_SCALE).into();
                    v["fee_asset"] = f.asset.as_str().into();
                    v["fee_source"] = "venue".into();
                }
            }
            _ => {
                v["venue_order_id"] = voi.into();
                v["state"] = state.unwrap_or("unknown").into();
                v["filled_qty"] = dec(r.filled_qty.0, ins.qty_scale).into();
                v["avg_px"] = dec(r.avg_px.0, ins.price_scale).into();
            }
        }
        v.to_string()
    }
}
