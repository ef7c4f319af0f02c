//! `--trades FILE` on `demo` and `replay`: the binary writes the trade log (one JSON line per
//! order sent, fill and final state), every order with exactly one final, and the report's
//! `trades` object adds it up.

use std::process::Command;

use crate::common::config::{checked, demo, demo_venue, set_venues, to_toml};
use crate::common::tmp::TempDir;
use crate::common::trades::{check_lifecycle, read_log};
use microarb::model::format_decimal;
use microarb::record::CaptureWriter;
use mockex::{SimParams, SyntheticMarket};

fn dec(m: i64, s: u8) -> String {
    let mut b = [0u8; 48];
    String::from_utf8(format_decimal(m, s, &mut b).to_vec()).unwrap()
}

/// The log at `trades` and the report at `report` agree: orders, finals, nothing open.
fn check(trades: &std::path::Path, report: &std::path::Path) -> usize {
    let lines = read_log(trades);
    let orders = check_lifecycle(&lines);
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(report).unwrap()).unwrap();
    assert_eq!(
        r["counters"]["exec.orders_sent"].as_u64().unwrap(),
        orders as u64
    );
    assert_eq!(r["trades"]["orders"].as_u64().unwrap(), orders as u64);
    assert_eq!(r["trades"]["open_orders"], 0, "{}", r["trades"]);
    assert!(r["trades"]["realized_pnl_by_quote_asset"].is_object());
    orders
}

#[test]
fn demo_writes_the_trade_log() {
    let dir = TempDir::new("cli-trades-demo");
    let (trades, report) = (dir.join("trades.jsonl"), dir.join("report.json"));
    let out = Command::new(env!("CARGO_BIN_EXE_microarb"))
        .args(["demo", "--seconds", "2", "--no-pin", "--quiet", "--out-dir"])
        .arg(dir.join("out"))
        .arg("--trades")
        .arg(&trades)
        .arg("--report")
        .arg(&report)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(check(&trades, &report) > 0, "the demo traded: {err}");
}

#[test]
fn replay_writes_the_trade_log_of_its_paper_orders() {
    let names = ["b0", "b1"];
    let dir = TempDir::new("cli-trades-replay");
    let capture = dir.join("synthetic.tsv");
    let mut m = SyntheticMarket::new(SimParams {
        venues: names.len(),
        dislocation_every: 200,
        dislocation_bps: 40,
        seed: 11,
        ..SimParams::default()
    });
    let mut w = CaptureWriter::create(&capture).unwrap();
    for k in 0..5_000u64 {
        let s = m.next_quote();
        let payload = format!(
            r#"{{"stream":"btcusdt@bookTicker","data":{{"u":{},"s":"BTCUSDT","b":"{}","B":"{}","a":"{}","A":"{}"}}}}"#,
            s.seq,
            dec(s.bid_px, 8),
            dec(s.bid_qty, 8),
            dec(s.ask_px, 8),
            dec(s.ask_qty, 8)
        );
        w.write(
            1_700_000_000_000_000_000 + k * 250_000,
            names[s.venue],
            payload.as_bytes(),
        )
        .unwrap();
    }
    w.finish().unwrap();
    let mut cfg = demo();
    let list: Vec<_> = names
        .iter()
        .map(|n| {
            let mut c = demo_venue("binance");
            c.name = n.to_string();
            c.taker_fee_bps = 10.0;
            c.stale_after_ms = 500;
            c
        })
        .collect();
    set_venues(&mut cfg, list, |_| "BTCUSDT".into());
    cfg.strategy.min_profit_bps = 2.0;
    let cfg = checked(cfg);
    let cfg_path = dir.join("replay.toml");
    std::fs::write(&cfg_path, to_toml(&cfg)).unwrap();
    let (trades, report) = (dir.join("trades.jsonl"), dir.join("report.json"));
    let out = Command::new(env!("CARGO_BIN_EXE_microarb"))
        .args(["replay", "--no-pin", "--quiet", "--config"])
        .arg(&cfg_path)
        .arg(&capture)
        .arg("--trades")
        .arg(&trades)
        .arg("--report")
        .arg(&report)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        check(&trades, &report) > 0,
        "the replay's dislocations were traded: {err}"
    );
}

#[test]
fn record_refuses_a_trade_log_it_would_never_write() {
    let dir = TempDir::new("cli-trades-record");
    let cfg_path = dir.join("demo.toml");
    std::fs::write(&cfg_path, to_toml(&demo())).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_microarb"))
        .args(["record", "--config"])
        .arg(&cfg_path)
        .arg("--out")
        .arg(dir.join("c.tsv"))
        .arg("--trades")
        .arg(dir.join("t.jsonl"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("--trades"), "{err}");
}
