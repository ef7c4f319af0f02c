//! `replay` finds exactly the opportunities of DESIGN section 11, checked against a brute-force
//! reference that enumerates every ordered venue pair with exact integer arithmetic:
//! - a synthetic capture whose dislocations are known (each one is found, nothing else is);
//! - the real Binance spot + USD-M capture in `../shared/data` (skipped with a notice if absent).
//!
//! The `--opps` file lists every detected opportunity, duplicates included, so it must equal the
//! reference's candidate list exactly, and the report's terminal states must add up.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::common::config::{checked, demo, demo_venue, set_venues};
use crate::common::tmp::TempDir;
use microarb::config::Config;
use microarb::model::{format_decimal, parse_decimal};
use microarb::pipeline::{run, Feed, Pace, RunOptions};
use microarb::record::{CaptureReader, CaptureWriter};
use mockex::{SimParams, SyntheticMarket};

const ONE: i128 = 1_000_000;

#[derive(Clone, Copy, Default)]
struct Q {
    recv: u64,
    bid: i64,
    bid_qty: i64,
    ask: i64,
    ask_qty: i64,
    set: bool,
}

struct Params {
    fees: Vec<i128>, // millionths
    stale_ns: Vec<u64>,
    min_profit: i128,   // millionths (hundredths of a bp)
    max_notional: i128, // price-scale mantissa
    qty_unit: i128,     // 10^qty_scale
    lot: i64,
}

/// (recv, buy venue, sell venue, ask_a, bid_b, qty) of every candidate.
type Cand = (u64, usize, usize, i64, i64, i64);

fn reference(quotes: &[(usize, Q)], p: &Params) -> Vec<Cand> {
    let n = p.fees.len();
    let mut book = vec![Q::default(); n];
    let mut out = Vec::new();
    for &(v, q) in quotes {
        book[v] = Q { set: true, ..q };
        let now = q.recv;
        let fresh = |u: usize| book[u].set && now.saturating_sub(book[u].recv) <= p.stale_ns[u];
        let mut best: Option<(usize, usize, i128, i128)> = None;
        for a in 0..n {
            if !fresh(a) || book[a].ask <= 0 || book[a].ask_qty <= 0 {
                continue;
            }
            for b in 0..n {
                if a == b || !fresh(b) || book[b].bid <= 0 || book[b].bid_qty <= 0 {
                    continue;
                }
                let cost = book[a].ask as i128 * (ONE + p.fees[a]);
                let proceeds = book[b].bid as i128 * (ONE - p.fees[b]);
                // Strictly better only: ties keep the earlier (buy, then sell) pair.
                if best.is_none_or(|(_, _, c, pr)| proceeds * c > pr * cost) {
                    best = Some((a, b, cost, proceeds));
                }
            }
        }
        let Some((a, b, cost, proceeds)) = best else {
            continue;
        };
        if proceeds * ONE < cost * (ONE + p.min_profit) || (a != v && b != v) {
            continue;
        }
        let by_notional = p.max_notional * p.qty_unit / book[a].ask as i128;
        let raw = by_notional
            .min(book[a].ask_qty as i128)
            .min(book[b].bid_qty as i128) as i64;
        let qty = raw - raw.rem_euclid(p.lot);
        if qty > 0 {
            out.push((now, a, b, book[a].ask, book[b].bid, qty));
        }
    }
    out
}

fn dec(m: i64, s: u8) -> String {
    let mut b = [0u8; 48];
    String::from_utf8(format_decimal(m, s, &mut b).to_vec()).unwrap()
}

/// Candidates as the `--opps` file writes them, as a sorted multiset.
fn as_lines(c: &[Cand], names: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = c
        .iter()
        .map(|&(t, a, b, ask, bid, qty)| {
            format!(
                "{t} {} {} {} {} {}",
                names[a],
                names[b],
                dec(ask, 8),
                dec(bid, 8),
                dec(qty, 8)
            )
        })
        .collect();
    v.sort();
    v
}

fn replay(
    cfg: &Config,
    capture: &Path,
    tag: &str,
) -> (Vec<String>, serde_json::Value, Vec<serde_json::Value>) {
    let dir = TempDir::new(&format!("replay-{tag}"));
    let opps = dir.join("opps.jsonl");
    let opts = RunOptions {
        no_pin: true,
        status_line: Some(false),
        opps: Some(opps.clone()),
        ..Default::default()
    };
    let feed = Feed::Replay {
        path: capture.to_path_buf(),
        pace: Pace::Max,
    };
    let summary = run(cfg, feed, &opts).expect("replay runs");
    let rows: Vec<serde_json::Value> = std::fs::read_to_string(&opps)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut lines: Vec<String> = rows
        .iter()
        .map(|o| {
            format!(
                "{} {} {} {} {} {}",
                o["recv_ts"],
                o["buy_venue"].as_str().unwrap(),
                o["sell_venue"].as_str().unwrap(),
                o["buy_px"].as_str().unwrap(),
                o["sell_px"].as_str().unwrap(),
                o["qty"].as_str().unwrap()
            )
        })
        .collect();
    lines.sort();
    (lines, summary.report, rows)
}

fn config(venues: &[&str], fee_bps: f64, min_profit_bps: f64, stale_ms: u64) -> Config {
    let mut cfg = demo();
    let list: Vec<_> = venues
        .iter()
        .map(|v| {
            let mut c = demo_venue("binance");
            c.name = v.to_string();
            c.taker_fee_bps = fee_bps;
            c.stale_after_ms = stale_ms;
            c
        })
        .collect();
    set_venues(&mut cfg, list, |_| "BTCUSDT".into());
    cfg.strategy.min_profit_bps = min_profit_bps;
    checked(cfg)
}

fn params(n: usize, fee_bps: i128, min_profit_bps: i128, stale_ms: u64) -> Params {
    Params {
        fees: vec![fee_bps * 100; n],
        stale_ns: vec![stale_ms * 1_000_000; n],
        min_profit: min_profit_bps * 100,
        max_notional: 1000 * 100_000_000,
        qty_unit: 100_000_000,
        lot: 1000,
    }
}

fn check_accounting(report: &serde_json::Value, lines: usize) {
    let o = &report["opportunities"];
    assert_eq!(
        o["detected"].as_u64().unwrap() as usize,
        lines,
        "one line per detected"
    );
    assert_eq!(o["terminal_sum"], o["detected"]);
    assert_eq!(o["dropped"], 0, "a replay never drops");
}

#[test]
fn a_synthetic_capture_yields_exactly_its_dislocations() {
    let names = ["b0", "b1", "b2", "b3"];
    let sim = SimParams {
        venues: names.len(),
        dislocation_every: 300,
        dislocation_bps: 40,
        seed: 7,
        ..SimParams::default()
    };
    let mut m = SyntheticMarket::new(sim);
    let dir = TempDir::new("synth");
    let path = dir.join("synthetic.tsv");
    let mut w = CaptureWriter::create(&path).unwrap();
    let mut quotes = Vec::new();
    let mut dislocated_at = BTreeMap::new();
    let t0 = 1_700_000_000_000_000_000u64;
    for k in 0..20_000u64 {
        let s = m.next_quote();
        let recv = t0 + k * 250_000; // 4 updates per ms
        let payload = format!(
            r#"{{"stream":"btcusdt@bookTicker","data":{{"u":{},"s":"BTCUSDT","b":"{}","B":"{}","a":"{}","A":"{}"}}}}"#,
            s.seq,
            dec(s.bid_px, 8),
            dec(s.bid_qty, 8),
            dec(s.ask_px, 8),
            dec(s.ask_qty, 8)
        );
        w.write(recv, names[s.venue], payload.as_bytes()).unwrap();
        if s.dislocated {
            dislocated_at.insert(recv, s.venue);
        }
        quotes.push((
            s.venue,
            Q {
                recv,
                bid: s.bid_px,
                bid_qty: s.bid_qty,
                ask: s.ask_px,
                ask_qty: s.ask_qty,
                set: true,
            },
        ));
    }
    w.finish().unwrap();
    let injected = m.injected().len();
    assert!(injected >= 60);

    let cfg = config(&names, 10.0, 2.0, 500);
    let want = reference(&quotes, &params(names.len(), 10, 2, 500));
    let (got, report, rows) = replay(&cfg, &path, "synthetic");
    assert_eq!(got, as_lines(&want, &names), "replay == brute force");
    check_accounting(&report, got.len());

    // Every injected dislocation is found at the quote that carried it, on its venue...
    for (t, v) in &dislocated_at {
        assert!(
            want.iter().any(|c| c.0 == *t && (c.1 == *v || c.2 == *v)),
            "dislocation at {t} on venue {v} found"
        );
    }
    // ...and nothing else: every opportunity has the dislocated venue as a leg, from its
    // dislocated quote until that venue quotes again (4 venues quote in turn).
    for r in &rows {
        let t = r["recv_ts"].as_u64().unwrap();
        let (start, v) = dislocated_at
            .range(..=t)
            .next_back()
            .expect("after a dislocation");
        assert!(
            t - start < 4 * 250_000,
            "opportunity at {t} within the dislocation's window"
        );
        let leg = |k: &str| r[k].as_str().unwrap() == names[*v];
        assert!(leg("buy_venue") || leg("sell_venue"));
    }
}

#[test]
fn the_binance_spot_usdm_capture_matches_brute_force() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/binance-btcusdt-spot-usdm-20240808.tsv.gz");
    if !path.exists() {
        eprintln!(
            "NOTICE: {} absent; skipping the real-capture replay",
            path.display()
        );
        return;
    }
    let names = ["binance", "binance_usdm"];
    // Reference quotes, extracted independently of the engine's scanner (serde_json).
    let mut quotes = Vec::new();
    let mut r = CaptureReader::open(&path).unwrap();
    while let Some(rec) = r.next_record().unwrap() {
        let Some(v) = names.iter().position(|n| *n == rec.venue) else {
            continue;
        };
        let j: serde_json::Value = serde_json::from_slice(rec.payload).unwrap();
        if !j["stream"].as_str().unwrap_or("").ends_with("@bookTicker") {
            continue;
        }
        let d = &j["data"];
        let px = |k: &str| parse_decimal(d[k].as_str().unwrap().as_bytes(), 8).unwrap();
        quotes.push((
            v,
            Q {
                recv: rec.recv_ns,
                bid: px("b"),
                bid_qty: px("B"),
                ask: px("a"),
                ask_qty: px("A"),
                set: true,
            },
        ));
    }
    assert_eq!(quotes.len(), 94_129, "every bookTicker frame");
    // Zero fees and a low threshold so the spot/perp basis yields many candidates.
    let cfg = config(&names, 0.0, 0.5, 500);
    let p = Params {
        min_profit: 50,
        ..params(2, 0, 0, 500)
    };
    let want = reference(&quotes, &p);
    assert!(want.len() > 1000, "{} candidates", want.len());
    let (got, report, _) = replay(&cfg, &path, "binance");
    assert_eq!(report["counters"]["replay.quotes"], 94_129);
    assert_eq!(got.len(), want.len());
    assert_eq!(got, as_lines(&want, &names), "replay == brute force");
    check_accounting(&report, got.len());
}
