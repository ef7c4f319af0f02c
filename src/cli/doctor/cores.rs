//! Do the pinned cores exist and are they online? A thread pinned to a missing core cannot start.

use super::finding::Finding;
use super::host::Host;
use super::targets::Targets;

const CHECK: &str = "cores";

/// Fail when a pinned core does not exist or is offline.
pub fn check(host: &Host, t: &Targets) -> Finding {
    if t.pinned.is_empty() {
        return Finding::pass(CHECK, "no thread is pinned");
    }
    if !host.exists("/sys/devices/system/cpu") {
        return Finding::warn(
            CHECK,
            "unknown: /sys/devices/system/cpu absent",
            "mount sysfs: sudo mount -t sysfs sysfs /sys",
        );
    }
    let mut missing = Vec::new();
    let mut offline = Vec::new();
    for &c in &t.pinned {
        match host.cpu_online(c) {
            None => missing.push(c),
            Some(false) => offline.push(c),
            Some(true) => {}
        }
    }
    if !missing.is_empty() {
        let listed = host.listed_cpus();
        return Finding::fail(
            CHECK,
            format!(
                "pinned core(s) {} do not exist (this host has cpu {})",
                super::cpulist::format(&missing),
                super::cpulist::format(&listed)
            ),
            "pin runtime.threads[].core to an existing core, or run with --no-pin",
        );
    }
    if !offline.is_empty() {
        let fix = offline
            .iter()
            .map(|c| format!("echo 1 | sudo tee /sys/devices/system/cpu/cpu{c}/online"))
            .collect::<Vec<_>>()
            .join("; ");
        return Finding::fail(
            CHECK,
            format!(
                "pinned core(s) {} offline",
                super::cpulist::format(&offline)
            ),
            fix,
        );
    }
    Finding::pass(
        CHECK,
        format!(
            "pinned core(s) {} exist and are online",
            super::cpulist::format(&t.pinned)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::doctor::finding::Level;
    use crate::cli::doctor::fixture::Fixture;
    use std::collections::BTreeSet;

    fn pinned(c: &[usize]) -> Targets {
        Targets {
            pinned: c.iter().copied().collect::<BTreeSet<_>>(),
            threads: Vec::new(),
        }
    }

    #[test]
    fn existing_missing_offline_and_unknown() {
        let f = Fixture::new();
        f.cpus(4).file("/sys/devices/system/cpu/cpu3/online", "0\n");
        let h = f.host();
        assert_eq!(check(&h, &pinned(&[1, 2])).level, Level::Pass);
        let miss = check(&h, &pinned(&[1, 7]));
        assert_eq!(miss.level, Level::Fail);
        assert!(miss.finding.contains('7'), "{miss}");
        assert_eq!(check(&h, &pinned(&[3])).level, Level::Fail);
        assert_eq!(check(&h, &pinned(&[])).level, Level::Pass);
        let empty = Fixture::new();
        let u = check(&empty.host(), &pinned(&[1]));
        assert_eq!(u.level, Level::Warn);
        assert!(u.finding.contains("unknown"));
    }
}
