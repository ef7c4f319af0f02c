//! The `mockex` binary: prints `<venue> ws=<url> rest=<url>` per venue, serves, and stops cleanly
//! after `--seconds`; bad usage exits 2.

use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn prints_one_line_per_venue_and_stops() {
    let t = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_mockex"))
        .args(["--venues", "binance,okx,usdm=binance", "--seconds", "1"])
        .args(["--api-key", "k", "--api-secret", "s"])
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
        // With --api-key/--api-secret, Binance-kind venues serve REST orders; OKX has none.
        let rest_url = tail
            .strip_prefix(&format!("{path} rest="))
            .unwrap_or_else(|| panic!("{line}"));
        if name == "okx" {
            assert_eq!(rest_url, "-", "{line}");
        } else {
            let port = rest_url
                .strip_prefix("http://127.0.0.1:")
                .unwrap_or_else(|| panic!("{line}"));
            assert!(port.parse::<u16>().is_ok(), "{line}");
        }
    }
}

#[test]
fn bad_usage_exits_2() {
    for args in [&["--venues", "nasdaq"][..], &["--rate", "fast"][..]] {
        let out = Command::new(env!("CARGO_BIN_EXE_mockex"))
            .args(args)
            .output()
            .expect("run mockex");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}
