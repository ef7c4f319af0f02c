//! `microarb kill --config FILE` creates the config's kill file (exit 0), and refuses a config
//! without one (exit 2, naming the key).

use std::process::Command;

use crate::common::config::{demo, to_toml};
use crate::common::tmp::TempDir;

#[test]
fn kill_creates_the_kill_file_of_a_config() {
    let dir = TempDir::new("killcli");
    std::fs::create_dir_all(dir.join("state")).unwrap();
    let kill_file = dir.join("state").join("KILL");
    let cfg = dir.join("with_kill.toml");
    let mut with_kill = demo();
    with_kill.risk.kill_file = Some(kill_file.display().to_string());
    std::fs::write(&cfg, to_toml(&with_kill)).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_microarb"))
        .args(["kill", "--config"])
        .arg(&cfg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(kill_file.exists());
    // The engine's watcher reading that file turns the switch on.
    let k = microarb::exec::KillSwitch::new();
    assert!(k.check_file(&kill_file));

    let plain = dir.join("no_kill.toml");
    std::fs::write(&plain, microarb::config::DEMO_TOML).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_microarb"))
        .args(["kill", "--config"])
        .arg(&plain)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("risk.kill_file"));
}
