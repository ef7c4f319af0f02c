//! Which threads the demo runs, where, how they idle, and why on this machine: the same decision
//! the pipeline makes ([`effective_threads`] over [`machine_cores`], `runtime.idle`), in words.

use microarb::config::{machine_cores, Config, IdleKind};
use microarb::runtime::effective_threads;

/// The demo's thread layout in words: one line per worker thread, then why.
pub struct Layout {
    /// `pipeline: ingest -> strategy -> exec, pinned to core 1, idle park`, one per thread.
    pub threads: Vec<String>,
    /// Why this layout and idle strategy on this machine.
    pub why: Vec<String>,
}

/// Describe how `cfg` places its stages on this machine (`no_pin`: nothing is pinned).
pub fn describe(cfg: &Config, no_pin: bool) -> Layout {
    let cores = machine_cores();
    let threads = effective_threads(&cfg.runtime, cores);
    let lines = threads
        .iter()
        .map(|t| {
            let stages: Vec<&str> = t.stages.iter().map(|s| s.name()).collect();
            let place = match (no_pin, t.core) {
                (false, Some(c)) => format!("pinned to core {c}"),
                _ => "not pinned".to_string(),
            };
            let idle = t.idle.unwrap_or(cfg.runtime.idle);
            format!(
                "{}: {}, {place}, idle {}",
                t.name,
                stages.join(" -> "),
                idle_name(idle)
            )
        })
        .collect();
    let mut why = Vec::new();
    if !cfg.runtime.threads.is_empty() {
        why.push("the config lists its threads ([[runtime.threads]])".to_string());
    } else if cores >= 4 {
        why.push(format!("{cores} cores: one core per stage (1, 2, 3)"));
        why.push(
            "core 0 is left to the OS, telemetry, the metrics endpoint and the mock venues"
                .to_string(),
        );
    } else if cores >= 2 {
        why.push(format!(
            "{cores} cores: too few for a core per stage, so one thread runs all three on core {}",
            cores - 1
        ));
        why.push(
            "each quote goes through to its order before the next frame is read (run to completion)"
                .to_string(),
        );
        why.push(format!(
            "telemetry, the metrics endpoint and the mock venues share core{}",
            if cores == 2 { " 0" } else { "s 0-1" }
        ));
    } else {
        why.push("1 core: one unpinned thread runs every stage".to_string());
    }
    if no_pin {
        why.push("--no-pin: the scheduler places every thread".to_string());
    }
    why.extend(idle_reason(
        cfg.runtime.idle,
        cfg.runtime.spin_iterations,
        cfg.runtime.park_us,
    ));
    Layout {
        threads: lines,
        why,
    }
}

/// The config spelling of an idle strategy.
fn idle_name(k: IdleKind) -> &'static str {
    match k {
        IdleKind::BusySpin => "busy-spin",
        IdleKind::SpinYield => "spin-yield",
        IdleKind::Park => "park",
    }
}

/// What `runtime.idle` does and why the demo's config picks it.
fn idle_reason(k: IdleKind, spins: u32, park_us: u64) -> Vec<String> {
    match k {
        IdleKind::Park => vec![
            format!(
                "idle park ([runtime] idle in the demo config): spin {spins} times, back off, \
                 then sleep at most {park_us} µs"
            ),
            "so the demo gives its core back to your desktop when the market is quiet; a \
             dedicated host sets busy-spin"
                .to_string(),
        ],
        IdleKind::SpinYield => vec![format!(
            "idle spin-yield: spin {spins} times, then yield the core to the scheduler"
        )],
        IdleKind::BusySpin => vec![
            "idle busy-spin: never gives the core back (lowest latency, one core per thread)"
                .to_string(),
        ],
    }
}
