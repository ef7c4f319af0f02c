//! `microarb kill --config FILE` creates the config's kill file (exit 0), and refuses a config
//! without one (exit 2, naming the key).

use std::process::Command;

fn tmp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("microarb-killcli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn kill_creates_the_kill_file_of_a_config() {
    let kill_file = tmp("state").join("KILL");
    let _ = std::fs::remove_file(&kill_file);
    let cfg = tmp("with_kill.toml");
    std::fs::write(
        &cfg,
        format!(
            "{}\n[risk]\nkill_file = {:?}\n",
            microarb::config::DEMO_TOML,
            kill_file.display().to_string()
        ),
    )
    .unwrap();
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

    let plain = tmp("no_kill.toml");
    std::fs::write(&plain, microarb::config::DEMO_TOML).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_microarb"))
        .args(["kill", "--config"])
        .arg(&plain)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("risk.kill_file"));
}
