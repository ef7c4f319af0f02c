//! SMT siblings: a pinned core shares its execution units with its hyperthread sibling.

use std::collections::BTreeSet;

use super::cpulist;
use super::finding::Finding;
use super::host::Host;
use super::targets::Targets;

const CHECK: &str = "smt";

/// Warn when a pinned core's sibling is another pinned core, or is online and unused.
pub fn check(host: &Host, t: &Targets) -> Finding {
    if t.pinned.is_empty() {
        return Finding::pass(CHECK, "no thread is pinned");
    }
    let mut shared = Vec::new();
    let mut busy = BTreeSet::new();
    let mut unknown = Vec::new();
    for &c in &t.pinned {
        let Some(siblings) = host
            .read(&format!(
                "/sys/devices/system/cpu/cpu{c}/topology/thread_siblings_list"
            ))
            .ok()
            .and_then(|s| cpulist::parse(&s).ok())
        else {
            unknown.push(c);
            continue;
        };
        for s in siblings.into_iter().filter(|s| *s != c) {
            if t.is_pinned(s) {
                if c < s {
                    shared.push(format!("cpu{c}+cpu{s}"));
                }
            } else if host.cpu_online(s) == Some(true) {
                busy.insert(s);
            }
        }
    }
    let mut found = Vec::new();
    if !shared.is_empty() {
        found.push(format!(
            "pinned cores share a physical core: {}",
            shared.join(", ")
        ));
    }
    if !busy.is_empty() {
        found.push(format!(
            "sibling(s) {} of pinned cores online and unused (the OS may schedule there)",
            cpulist::format(&busy)
        ));
    }
    if !found.is_empty() {
        let offline = busy
            .iter()
            .map(|s| format!("echo 0 | sudo tee /sys/devices/system/cpu/cpu{s}/online"))
            .collect::<Vec<_>>();
        let fix = if offline.is_empty() {
            "pin the threads to different physical cores, or kernel parameter nosmt".to_string()
        } else {
            format!("{} (or kernel parameter nosmt)", offline.join("; "))
        };
        return Finding::warn(CHECK, found.join("; "), fix);
    }
    if !unknown.is_empty() {
        return Finding::warn(
            CHECK,
            format!(
                "unknown: no thread_siblings_list for cpu {}",
                cpulist::format(&unknown)
            ),
            "check with: lscpu -e",
        );
    }
    Finding::pass(
        CHECK,
        format!(
            "pinned core(s) {} have no busy sibling",
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

    fn siblings(f: &Fixture, c: usize, list: &str) {
        f.file(
            &format!("/sys/devices/system/cpu/cpu{c}/topology/thread_siblings_list"),
            list,
        );
    }

    #[test]
    fn siblings_pinned_busy_offline_unknown() {
        // 0+2 and 1+3 are siblings; cpu3 is offline.
        let f = Fixture::new();
        f.cpus(4).file("/sys/devices/system/cpu/cpu3/online", "0\n");
        siblings(&f, 0, "0,2\n");
        siblings(&f, 2, "0,2\n");
        siblings(&f, 1, "1,3\n");
        let h = f.host();
        assert_eq!(check(&h, &t(&[1])).level, Level::Pass, "sibling offline");
        let both = check(&h, &t(&[0, 2]));
        assert_eq!(both.level, Level::Warn);
        assert!(both.finding.contains("cpu0+cpu2"), "{both}");
        let busy = check(&h, &t(&[2]));
        assert_eq!(busy.level, Level::Warn);
        assert!(busy.fix.contains("cpu0/online"), "{busy}");
        let empty = Fixture::new();
        empty.cpus(0);
        let u = check(&empty.host(), &t(&[1]));
        assert_eq!(u.level, Level::Warn);
        assert!(u.finding.contains("unknown"));
    }
}
