//! `microarb emergency` reaches a running engine: with `execution.emergency_file` set, writing the
//! file while the pipeline runs (as the command does) puts every venue in rate-limit emergency
//! mode through the watcher thread, seen in the run's counters.

use std::time::Duration;

use crate::common::config::demo_with;
use crate::common::sim_feed::sim_feed;
use crate::common::tmp::TempDir;
use microarb::exec::write_emergency_file;
use microarb::pipeline::{run, RunOptions};
use mockex::SimParams;

#[test]
fn the_emergency_file_written_while_running_slows_every_venue() {
    let dir = TempDir::new("emergency-run");
    let file = dir.join("EMERGENCY");
    let path = file.display().to_string();
    let cfg = demo_with(|c| {
        c.telemetry.interval_ms = 100;
        c.execution.emergency_file = Some(path);
    });
    let venues = cfg.venues.len() as u64;
    let opts = RunOptions {
        seconds: Some(1.5),
        no_pin: true,
        status_line: Some(false),
        ..Default::default()
    };
    let feed = sim_feed(&cfg, SimParams::default(), 5_000, None);
    let engine = std::thread::spawn(move || run(&cfg, feed, &opts));
    std::thread::sleep(Duration::from_millis(400));
    write_emergency_file(&file, 60).unwrap();
    let summary = engine.join().unwrap().expect("run");
    let c = &summary.report["counters"];
    let n = |k: &str| c[k].as_u64().unwrap_or_else(|| panic!("{k} in {c}"));
    assert_eq!(n("exec.emergency.entries.operator"), venues, "{c}");
    assert_eq!(n("exec.emergency.active"), venues, "still on at the end");
    assert_eq!(n("exec.emergency.exits"), 0);
    assert_eq!(n("exec.emergency.entries.ban_418"), 0);
}
