//! `[runtime]` and `[telemetry]`: rings, parking, the thread topology (every stage on exactly one
//! thread, cores that exist on this machine), and the telemetry interval.

use std::collections::{BTreeMap, BTreeSet};

use crate::config::check::Check;
use crate::config::machine::Machine;
use crate::config::metrics_addr::parse_metrics_addr;
use crate::config::schema::{Config, StageName};

/// Check the runtime section against `machine`.
pub(in crate::config) fn runtime(k: &mut Check, c: &Config, machine: &Machine) {
    let rt = &c.runtime;
    k.range_u64("runtime.ring_capacity", rt.ring_capacity as u64, 1, 1 << 24);
    k.range_u64("runtime.park_us", rt.park_us, 1, 1_000_000);
    let mut thread_names = BTreeSet::new();
    let mut placed: BTreeMap<StageName, usize> = BTreeMap::new();
    for (i, t) in rt.threads.iter().enumerate() {
        let p = format!("runtime.threads[{i}]");
        if t.name.is_empty() || t.name.len() > 15 {
            k.fail(
                format!("{p}.name"),
                "must be 1 to 15 characters (the OS thread-name limit)",
            );
        }
        if !thread_names.insert(t.name.as_str()) {
            k.fail(
                format!("{p}.name"),
                format!("duplicate thread name {:?}", t.name),
            );
        }
        if t.stages.is_empty() {
            k.fail(format!("{p}.stages"), "must list at least one stage");
        }
        for st in &t.stages {
            if let Some(other) = placed.insert(*st, i) {
                k.fail(
                    format!("{p}.stages"),
                    format!(
                        "stage {:?} is already on runtime.threads[{other}]",
                        st.name()
                    ),
                );
            }
        }
        if let (Some(core), true) = (t.core, machine.check_cores) {
            if core >= machine.cores {
                k.fail(
                    format!("{p}.core"),
                    format!(
                        "this machine has cores 0..={} (got {core}); fix it or run with --no-pin",
                        machine.cores.saturating_sub(1)
                    ),
                );
            }
        }
    }
    if !rt.threads.is_empty() {
        for st in StageName::ALL {
            if !placed.contains_key(&st) {
                k.fail(
                    "runtime.threads",
                    format!("stage {:?} is on no thread", st.name()),
                );
            }
        }
    }
}

/// Check the telemetry section.
pub(in crate::config) fn telemetry(k: &mut Check, c: &Config) {
    k.range_u64("telemetry.interval_ms", c.telemetry.interval_ms, 10, 60_000);
    if let Some(addr) = &c.telemetry.metrics_addr {
        if let Err(e) = parse_metrics_addr(addr, c.telemetry.metrics_allow_remote) {
            k.fail("telemetry.metrics_addr", e.to_string());
        }
    }
}
