//! `microarb doctor [--config FILE]`: check this host for the cores the config pins (the default
//! topology for this machine without `--config`): frequency governor, isolation, cpuset, IRQ
//! affinity, SMT siblings, transparent huge pages, clock source, swap and the memlock limit.
//!
//! One line per check: `pass`, `warn` or `fail`, the finding, and the fix (the exact command or
//! kernel parameter). It reads `/proc` and `/sys` only and changes nothing. Exit status: 0 unless
//! a check fails (a pinned core missing, offline or outside the cpuset: 1); 2 for a bad config.

use std::path::PathBuf;
use std::process::ExitCode;

use microarb::config::{load, machine_cores, Machine, RuntimeConfig};
use microarb::runtime::effective_threads;

mod clocksource;
mod cores;
mod cpulist;
mod cpuset;
mod finding;
#[cfg(test)]
mod fixture;
mod governor;
mod host;
mod irq;
mod isolation;
mod memlock;
mod smt;
mod swap;
mod targets;
mod thp;

use finding::{Finding, Level};
use host::Host;
use targets::Targets;

/// Arguments of `doctor`.
#[derive(Debug, clap::Args)]
pub struct DoctorArgs {
    /// The config whose pinned cores to check (default: this machine's default topology).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Read /proc and /sys under this directory instead of / (for tests).
    #[arg(long, hide = true, default_value = "/")]
    root: PathBuf,
}

/// Run every check against the host under `--root` and print one line per check.
pub fn main(a: DoctorArgs) -> ExitCode {
    let host = Host::new(&a.root);
    let runtime = match &a.config {
        // Cores are not checked by the loader: a missing core is this command's own `fail`.
        Some(file) => match load(file, &Machine::this(false)) {
            Ok(c) => c.runtime,
            Err(e) => return super::config_failure(&e),
        },
        None => RuntimeConfig::default(),
    };
    let cores = if host.is_real() {
        machine_cores()
    } else {
        host.listed_cpus().len().max(1)
    };
    let threads = effective_threads(&runtime, cores);
    let targets = Targets::of(&threads);
    let source = match &a.config {
        Some(f) => f.display().to_string(),
        None => format!("default topology for {cores} cores"),
    };
    println!(
        "microarb doctor: threads {} ({source})",
        targets.threads.join(" ")
    );
    let findings = run(&host, &targets);
    for f in &findings {
        println!("{f}");
    }
    let count = |l: Level| findings.iter().filter(|f| f.level == l).count();
    println!(
        "{} pass, {} warn, {} fail",
        count(Level::Pass),
        count(Level::Warn),
        count(Level::Fail)
    );
    if count(Level::Fail) > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Every check, in report order.
fn run(host: &Host, t: &Targets) -> Vec<Finding> {
    vec![
        cores::check(host, t),
        cpuset::check(host, t),
        governor::check(host, t),
        isolation::check_isolated(host, t),
        isolation::check_nohz(host, t),
        irq::check(host, t),
        smt::check(host, t),
        thp::check(host),
        clocksource::check(host),
        swap::check(host),
        memlock::check(host),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use fixture::Fixture;

    #[test]
    fn an_empty_root_warns_everywhere_and_never_panics() {
        let f = Fixture::new();
        let t = Targets {
            pinned: [1].into_iter().collect(),
            threads: Vec::new(),
        };
        for finding in run(&f.host(), &t) {
            assert_eq!(finding.level, Level::Warn, "{finding}");
            assert!(finding.finding.contains("unknown"), "{finding}");
            assert!(!finding.fix.is_empty(), "{finding}");
        }
    }
}
