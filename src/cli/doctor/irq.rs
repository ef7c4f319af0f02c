//! Interrupt affinity: an IRQ allowed on a pinned core may interrupt the hot loop there.

use std::collections::BTreeSet;

use super::cpulist;
use super::finding::Finding;
use super::host::Host;
use super::targets::Targets;

const CHECK: &str = "irq";
/// IRQ numbers named in a finding before it says "and N more".
const SHOWN: usize = 12;

/// Warn listing the IRQs whose `smp_affinity_list` includes a pinned core.
pub fn check(host: &Host, t: &Targets) -> Finding {
    if t.pinned.is_empty() {
        return Finding::pass(CHECK, "no thread is pinned");
    }
    let Ok(entries) = host.list("/proc/irq") else {
        return Finding::warn(
            CHECK,
            "unknown: /proc/irq absent",
            format!("kernel parameter irqaffinity={}", housekeeping(host, t)),
        );
    };
    let mut irqs: Vec<(u32, BTreeSet<usize>)> = Vec::new();
    let mut unreadable = 0usize;
    for name in entries {
        let Ok(n) = name.parse::<u32>() else { continue };
        match host
            .read(&format!("/proc/irq/{n}/smp_affinity_list"))
            .ok()
            .and_then(|s| cpulist::parse(&s).ok())
        {
            Some(cpus) => irqs.push((n, cpus)),
            None => unreadable += 1,
        }
    }
    irqs.sort_unstable_by_key(|(n, _)| *n);
    let hits: Vec<u32> = irqs
        .iter()
        .filter(|(_, cpus)| !cpus.is_disjoint(&t.pinned))
        .map(|(n, _)| *n)
        .collect();
    if hits.is_empty() {
        if irqs.is_empty() && unreadable > 0 {
            return Finding::warn(
                CHECK,
                format!("unknown: {unreadable} IRQ affinities unreadable"),
                "run as root: sudo microarb doctor",
            );
        }
        return Finding::pass(
            CHECK,
            format!(
                "none of {} IRQs may land on core(s) {}",
                irqs.len(),
                cpulist::format(&t.pinned)
            ),
        );
    }
    let mut shown: Vec<String> = hits.iter().take(SHOWN).map(u32::to_string).collect();
    if hits.len() > SHOWN {
        shown.push(format!("and {} more", hits.len() - SHOWN));
    }
    let all: Vec<String> = hits.iter().map(u32::to_string).collect();
    let hk = housekeeping(host, t);
    Finding::warn(
        CHECK,
        format!(
            "{} IRQ(s) may land on pinned core(s) {}: {}",
            hits.len(),
            cpulist::format(&t.pinned),
            shown.join(" ")
        ),
        format!(
            "for i in {}; do echo {hk} | sudo tee /proc/irq/$i/smp_affinity_list; done \
             (and stop irqbalance, or kernel parameter irqaffinity={hk})",
            all.join(" ")
        ),
    )
}

/// The online cores nothing is pinned to, as a CPU list (`0` when there are none).
fn housekeeping(host: &Host, t: &Targets) -> String {
    let free: Vec<usize> = host
        .listed_cpus()
        .into_iter()
        .filter(|c| !t.is_pinned(*c) && host.cpu_online(*c) == Some(true))
        .collect();
    if free.is_empty() {
        "0".to_string()
    } else {
        cpulist::format(&free)
    }
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
    fn irqs_on_pinned_cores_warn() {
        let f = Fixture::new();
        f.cpus(4)
            .file("/proc/irq/24/smp_affinity_list", "0\n")
            .file("/proc/irq/25/smp_affinity_list", "0-3\n")
            .file("/proc/irq/9/smp_affinity_list", "2\n")
            .dir("/proc/irq/default_smp_affinity");
        let h = f.host();
        let w = check(&h, &t(&[2, 3]));
        assert_eq!(w.level, Level::Warn);
        assert!(w.finding.contains(": 9 25"), "{w}");
        assert!(w.fix.contains("for i in 9 25; do echo 0-1 |"), "{w}");
        let p = check(&h, &t(&[1]));
        assert_eq!(p.level, Level::Warn, "25 covers 1: {p}");
        let f2 = Fixture::new();
        f2.cpus(2).file("/proc/irq/24/smp_affinity_list", "0\n");
        assert_eq!(check(&f2.host(), &t(&[1])).level, Level::Pass);
        let empty = Fixture::new();
        let u = check(&empty.host(), &t(&[1]));
        assert_eq!(u.level, Level::Warn);
        assert!(u.finding.contains("unknown"));
    }
}
