//! The accounting checks every scenario ends with: every opportunity fed (or detected) ended in
//! exactly one terminal state, every execution slot came back, nothing is left open, every ring
//! drained. Each rig adds its own venue-side checks on top (`gateway::Rig::check_accounting`, the
//! mock's counters in `mockex_rest::Engine::check_accounting`).

use microarb::exec::gateway::Gateway;
use microarb::exec::AssetId;
use microarb::exec::ExecStage;
use microarb::model::{Outcome, OUTCOME_COUNT};
use microarb::telemetry::counter_name;

/// Sum of every exec terminal counter, read through `count`.
pub fn terminal_sum(count: impl Fn(&str) -> u64) -> u64 {
    (0..OUTCOME_COUNT)
        .map(|i| {
            count(&counter_name(
                "exec",
                Outcome::from_index(i).expect("dense"),
            ))
        })
        .sum()
}

/// The stage-side invariant, once the stage is idle and its counters flushed: the terminal
/// counters add up to `fed`, every slot was given back, no notional is left open.
pub fn check_stage<G: Gateway>(stage: &ExecStage<G>, count: impl Fn(&str) -> u64, fed: u64) {
    assert_eq!(terminal_sum(&count), fed, "terminal counters == fed");
    assert_eq!(
        count("exec.slots.acquired"),
        count("exec.slots.released"),
        "every slot given back"
    );
    assert_eq!(stage.risk().open_notional(AssetId(1)), 0);
}

/// A counter of a run report (panics when absent: a typo must not read as zero).
pub fn report_counter(r: &serde_json::Value, name: &str) -> u64 {
    r["counters"][name]
        .as_u64()
        .unwrap_or_else(|| panic!("no counter {name}"))
}

/// The run report's invariant: every detected opportunity in exactly one terminal state, none in
/// flight at exit, both rings drained.
pub fn check_report(r: &serde_json::Value) {
    let o = &r["opportunities"];
    assert_eq!(o["terminal_sum"], o["detected"], "accounting: {o}");
    assert_eq!(o["in_flight_at_exit"].as_u64(), Some(0));
    assert_eq!(
        report_counter(r, "ring.quotes.pushed"),
        report_counter(r, "ring.quotes.popped")
    );
    assert_eq!(
        report_counter(r, "ring.opps.pushed"),
        report_counter(r, "ring.opps.popped")
    );
}
