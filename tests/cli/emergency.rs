//! `microarb emergency --config FILE [--seconds N]` writes the config's emergency file with the
//! expiry (exit 0), which the engine's watcher turns into emergency mode on every venue until
//! then; a config without the file is refused (exit 2, naming the key), and so is `--seconds 0`.

use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::common::config::{demo, to_toml};
use crate::common::tmp::TempDir;
use microarb::base::Clock;
use microarb::exec::{build_stage, EmergencySwitch, KillSwitch};
use microarb::model::{Opportunity, VenueId};
use microarb::runtime::{ring, Stage};
use microarb::telemetry::Registry;

fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

#[test]
fn emergency_writes_the_file_the_engine_acts_on() {
    let dir = TempDir::new("emergencycli");
    let file = dir.join("state").join("EMERGENCY");
    let cfg_path = dir.join("with_emergency.toml");
    let mut cfg = demo();
    cfg.execution.emergency_file = Some(file.display().to_string());
    std::fs::write(&cfg_path, to_toml(&cfg)).unwrap();
    let before = unix_ms();
    let out = Command::new(env!("CARGO_BIN_EXE_microarb"))
        .args(["emergency", "--seconds", "120", "--config"])
        .arg(&cfg_path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("emergency mode for 120 s"));
    // What the engine's watcher reads from it.
    let switch = EmergencySwitch::new();
    let until = switch.check_file(&file, 300_000).expect("file written");
    assert!(
        until >= before + 120_000 && until <= unix_ms() + 120_000,
        "{until}"
    );

    // A stage on that config, given the switch the watcher feeds, puts every venue in emergency
    // mode until then, and out after.
    let mut reg = Registry::new();
    let (_tx, rx) = ring::<Opportunity>("opps", 8, &mut reg.counters);
    let clock = Clock::new();
    let mut stage = build_stage(&cfg, rx, clock, KillSwitch::new(), &mut reg).unwrap();
    stage.set_emergency_switch(switch);
    let now = clock.now_ns();
    stage.poll(now);
    for v in 0..cfg.venues.len() {
        assert!(stage.in_emergency(VenueId(v as u8), now), "venue {v}");
        assert!(!stage.in_emergency(VenueId(v as u8), now + 121_000_000_000));
    }

    // Without --seconds: the config's emergency_seconds.
    let out = Command::new(env!("CARGO_BIN_EXE_microarb"))
        .args(["emergency", "--config"])
        .arg(&cfg_path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("for 300 s"));
}

#[test]
fn emergency_refuses_a_config_without_the_file_and_zero_seconds() {
    let dir = TempDir::new("emergencycli2");
    let plain = dir.join("plain.toml");
    std::fs::write(&plain, microarb::config::DEMO_TOML).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_microarb"))
        .args(["emergency", "--config"])
        .arg(&plain)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("execution.emergency_file"));
    let out = Command::new(env!("CARGO_BIN_EXE_microarb"))
        .args(["emergency", "--seconds", "0", "--config"])
        .arg(&plain)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}
