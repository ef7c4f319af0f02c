//! A replay never sends an order to a venue: with `execution.gateway = "rest"` the library refuses
//! the run before anything starts (so no caller can replay old prices into a live venue), the
//! command line refuses it with exit 2 naming `execution.gateway`, and `replay --paper` replays
//! the same config on the paper venue. The REST base URL points at a listener this test owns,
//! which must never see a connection.

use std::net::TcpListener;
use std::path::Path;
use std::process::Command;

use crate::common::config::{checked, demo, demo_venue, set_venues, to_toml};
use crate::common::tmp::TempDir;
use microarb::config::{Config, GatewayKind};
use microarb::pipeline::{run, Feed, Pace, RunError, RunOptions};
use microarb::record::CaptureWriter;

/// Two Binance-kind venues, one dislocation the detector will find: orders would be sent.
fn capture(path: &Path) {
    let mut w = CaptureWriter::create(path).unwrap();
    let t0 = 1_700_000_000_000_000_000u64;
    let frame = |bid: &str, ask: &str| {
        format!(
            r#"{{"stream":"btcusdt@bookTicker","data":{{"u":1,"s":"BTCUSDT","b":"{bid}","B":"1.0","a":"{ask}","A":"1.0"}}}}"#
        )
    };
    for k in 0..50u64 {
        let t = t0 + k * 1_000_000;
        w.write(t, "b0", frame("60000.00", "60000.10").as_bytes())
            .unwrap();
        w.write(t + 1, "b1", frame("60100.00", "60100.10").as_bytes())
            .unwrap();
    }
    w.finish().unwrap();
}

/// The config: both venues trade over REST against `rest_url`.
fn rest_config(rest_url: &str) -> Config {
    let mut cfg = demo();
    let list: Vec<_> = ["b0", "b1"]
        .iter()
        .map(|n| {
            let mut v = demo_venue("binance");
            v.name = n.to_string();
            v.rest_url = Some(rest_url.to_string());
            v.api_key_env = Some("MICROARB_TEST_REPLAY_KEY".into());
            v.api_secret_env = Some("MICROARB_TEST_REPLAY_SECRET".into());
            v
        })
        .collect();
    set_venues(&mut cfg, list, |_| "BTCUSDT".into());
    cfg.execution.gateway = GatewayKind::Rest;
    checked(cfg)
}

fn listener() -> (TcpListener, String) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.set_nonblocking(true).unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    (l, url)
}

fn assert_untouched(l: &TcpListener) {
    match l.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("the venue's REST address saw a connection: {other:?}"),
    }
}

#[test]
fn the_library_refuses_a_replay_through_a_network_gateway() {
    let dir = TempDir::new("replay-rest");
    let path = dir.join("capture.tsv");
    capture(&path);
    let (l, url) = listener();
    let cfg = rest_config(&url);
    let opts = RunOptions {
        no_pin: true,
        status_line: Some(false),
        ..Default::default()
    };
    let feed = Feed::Replay {
        path: path.clone(),
        pace: Pace::Max,
    };
    match run(&cfg, feed, &opts) {
        Err(RunError::ReplayNeedsPaper { gateway }) => assert_eq!(gateway, "rest"),
        Err(e) => panic!("refused for another reason: {e}"),
        Ok(_) => panic!("a replay ran through the REST gateway"),
    }
    assert_untouched(&l);
}

#[test]
fn the_command_line_refuses_it_and_replays_on_paper_with_the_flag() {
    let dir = TempDir::new("replay-rest-cli");
    let path = dir.join("capture.tsv");
    capture(&path);
    let (l, url) = listener();
    let file = dir.join("rest.toml");
    std::fs::write(&file, to_toml(&rest_config(&url))).unwrap();
    let replay = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_microarb"))
            .args(["replay", "--no-pin", "--config"])
            .arg(&file)
            .arg(&path)
            .args(extra)
            .env("MICROARB_TEST_REPLAY_KEY", "k")
            .env("MICROARB_TEST_REPLAY_SECRET", "s")
            .output()
            .unwrap()
    };
    let out = replay(&[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("execution.gateway"), "{err}");
    assert_untouched(&l);

    let out = replay(&["--paper"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("replayed 100 frames"), "{err}");
    assert_untouched(&l);
}
