//! `floor` runs and reports its five distributions (behaviour only: no figure is asserted).

use std::process::Command;

#[test]
fn floor_reports_one_way_and_the_write_costs() {
    let out = Command::new(env!("CARGO_BIN_EXE_floor"))
        .args(["--messages", "200", "--bytes", "320", "--json"])
        .args([
            "--idle-us",
            "200",
            "--idle-samples",
            "50",
            "--warm-every-us",
            "50",
        ])
        .output()
        .expect("floor runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    for k in [
        "one_way_loopback",
        "write_peer_busy_poll",
        "write_peer_blocked",
    ] {
        assert_eq!(j[k]["count"], 200, "{k}");
        let p50 = j[k]["p50_ns"].as_u64().unwrap();
        let max = j[k]["max_ns"].as_u64().unwrap();
        assert!(p50 > 0 && p50 <= max, "{k}: {p50} {max}");
    }
    for k in ["write_after_idle", "write_after_idle_warmed"] {
        assert_eq!(j[k]["count"], 50, "{k}");
        let p50 = j[k]["p50_ns"].as_u64().unwrap();
        assert!(p50 > 0 && p50 <= j[k]["max_ns"].as_u64().unwrap(), "{k}");
    }
    assert_eq!(
        (j["idle_us"].as_u64(), j["warm_every_us"].as_u64()),
        (Some(200), Some(50))
    );
    assert_eq!(j["bytes"], 320);
}

#[test]
fn floor_refuses_zero_sizes() {
    let out = Command::new(env!("CARGO_BIN_EXE_floor"))
        .args(["--bytes", "0"])
        .output()
        .expect("floor runs");
    assert_eq!(out.status.code(), Some(2));
}
