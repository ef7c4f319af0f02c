//! Does the process's cpuset allow the pinned cores? Pinning to a core outside it fails.

use std::collections::BTreeSet;

use super::cpulist;
use super::finding::Finding;
use super::host::Host;
use super::targets::Targets;

/// Fail when the process's cpuset (`Cpus_allowed_list`) does not allow a pinned core.
pub fn check(host: &Host, t: &Targets) -> Finding {
    const CHECK: &str = "cpuset";
    if t.pinned.is_empty() {
        return Finding::pass(CHECK, "no thread is pinned");
    }
    let allowed = host.read("/proc/self/status").ok().and_then(|s| {
        s.lines()
            .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
            .and_then(|v| cpulist::parse(v).ok())
    });
    let Some(allowed) = allowed else {
        return Finding::warn(
            CHECK,
            "unknown: no Cpus_allowed_list in /proc/self/status",
            "check with: taskset -cp $$",
        );
    };
    let denied: BTreeSet<usize> = t.pinned.difference(&allowed).copied().collect();
    if denied.is_empty() {
        return Finding::pass(
            CHECK,
            format!(
                "cpuset allows {} (pinned {})",
                cpulist::format(&allowed),
                cpulist::format(&t.pinned)
            ),
        );
    }
    Finding::fail(
        CHECK,
        format!(
            "cpuset allows only {}: pinned core(s) {} refused",
            cpulist::format_or_none(&allowed),
            cpulist::format(&denied)
        ),
        format!(
            "run it where core(s) {} are allowed (taskset -c {} microarb ..., or the container's \
             --cpuset-cpus), or pin other cores",
            cpulist::format(&t.pinned),
            cpulist::format(&t.pinned)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::doctor::finding::Level;
    use crate::cli::doctor::fixture::Fixture;

    fn t(c: &[usize]) -> Targets {
        Targets {
            pinned: c.iter().copied().collect(),
            threads: Vec::new(),
        }
    }

    #[test]
    fn cpuset_pass_fail_unknown() {
        let f = Fixture::new();
        f.file("/proc/self/status", "Name:\tx\nCpus_allowed_list:\t0-2\n");
        let h = f.host();
        assert_eq!(check(&h, &t(&[1, 2])).level, Level::Pass);
        let bad = check(&h, &t(&[2, 3]));
        assert_eq!(bad.level, Level::Fail);
        assert!(bad.finding.contains("refused"), "{bad}");
        let empty = Fixture::new();
        assert_eq!(check(&empty.host(), &t(&[1])).level, Level::Warn);
    }
}
