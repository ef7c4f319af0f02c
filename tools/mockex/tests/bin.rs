//! The `mockex` binary: prints `<venue> ws=<url> rest=<url>` per venue, serves, and stops cleanly
//! after `--seconds`; bad usage exits 2.

use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn prints_one_line_per_venue_and_stops() {
    let t = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_mockex"))
        .args(["--venues", "binance,okx,usdm=binance", "--seconds", "1"])
        .args([
            "--api-key",
            "k",
            "--api-secret",
            "s",
            "--api-passphrase",
            "p",
        ])
        .output()
        .expect("run mockex");
    assert!(out.status.success(), "{out:?}");
    assert!(t.elapsed() < Duration::from_secs(5));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    for (line, (name, path)) in
        lines
            .iter()
            .zip([("binance", ""), ("okx", "/ws/v5/public"), ("usdm", "")])
    {
        let rest = line
            .strip_prefix(&format!("{name} ws=ws://127.0.0.1:"))
            .unwrap_or_else(|| panic!("{line}"));
        let (port, tail) = rest.split_at(rest.find(|c: char| !c.is_ascii_digit()).unwrap());
        assert!(port.parse::<u16>().is_ok(), "{line}");
        // With --api-key/--api-secret every venue serves REST, OKX included.
        let rest_url = tail
            .strip_prefix(&format!("{path} rest="))
            .unwrap_or_else(|| panic!("{line}"));
        let port = rest_url
            .strip_prefix("http://127.0.0.1:")
            .unwrap_or_else(|| panic!("{line}"));
        assert!(port.parse::<u16>().is_ok(), "{line}");
        assert_eq!(name == "okx", path == "/ws/v5/public");
    }
    // Without credentials, no venue serves REST.
    let out = Command::new(env!("CARGO_BIN_EXE_mockex"))
        .args(["--venues", "bybit", "--seconds", "0.2"])
        .output()
        .expect("run mockex");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.trim_end().ends_with(" rest=-"), "{text}");
}

#[test]
fn bad_usage_exits_2() {
    for args in [
        &["--venues", "nasdaq"][..],
        &["--rate", "fast"][..],
        &["--api-passphrase", "p"][..],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_mockex"))
            .args(args)
            .output()
            .expect("run mockex");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}
