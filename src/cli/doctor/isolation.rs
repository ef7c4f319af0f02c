//! Are the pinned cores isolated from the scheduler (`isolcpus=`, `/sys/.../isolated`) and from
//! the timer tick (`nohz_full=`)?

use std::collections::BTreeSet;

use super::cpulist;
use super::finding::Finding;
use super::host::Host;
use super::targets::Targets;

/// The CPUs of a kernel parameter `name=` on the command line (`isolcpus=` may prefix flags such
/// as `domain,managed_irq,`); `None` when the parameter is absent or does not parse.
pub fn cmdline_cpus(cmdline: &str, name: &str) -> Option<BTreeSet<usize>> {
    let value = cmdline
        .split_whitespace()
        .take_while(|w| *w != "--")
        .filter_map(|w| w.strip_prefix(name)?.strip_prefix('='))
        .last()?;
    let list: Vec<&str> = value
        .split(',')
        .filter(|p| p.starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    cpulist::parse(&list.join(",")).ok()
}

/// Pass when every pinned core is isolated (sysfs `isolated` or `isolcpus=`); warn otherwise.
pub fn check_isolated(host: &Host, t: &Targets) -> Finding {
    const CHECK: &str = "isolcpus";
    if t.pinned.is_empty() {
        return Finding::pass(CHECK, "no thread is pinned");
    }
    let sys = host
        .read("/sys/devices/system/cpu/isolated")
        .ok()
        .and_then(|s| cpulist::parse(&s).ok());
    let cmdline = host.read("/proc/cmdline");
    let cmd = cmdline
        .as_ref()
        .ok()
        .and_then(|s| cmdline_cpus(s, "isolcpus"));
    if sys.is_none() && cmdline.is_err() {
        return Finding::warn(
            CHECK,
            "unknown: /sys/devices/system/cpu/isolated and /proc/cmdline unreadable",
            format!("kernel parameter isolcpus={}", cpulist::format(&t.pinned)),
        );
    }
    let isolated: BTreeSet<usize> = sys
        .unwrap_or_default()
        .union(&cmd.unwrap_or_default())
        .copied()
        .collect();
    let missing: BTreeSet<usize> = t.pinned.difference(&isolated).copied().collect();
    if missing.is_empty() {
        return Finding::pass(
            CHECK,
            format!("pinned core(s) {} isolated", cpulist::format(&t.pinned)),
        );
    }
    Finding::warn(
        CHECK,
        format!(
            "pinned core(s) {} not isolated (isolated: {})",
            cpulist::format(&missing),
            cpulist::format_or_none(&isolated)
        ),
        format!(
            "kernel parameter isolcpus={} (then reboot)",
            cpulist::format(&t.pinned)
        ),
    )
}

/// Pass when every pinned core runs tickless (`nohz_full=` or sysfs `nohz_full`); warn otherwise.
pub fn check_nohz(host: &Host, t: &Targets) -> Finding {
    const CHECK: &str = "nohz_full";
    if t.pinned.is_empty() {
        return Finding::pass(CHECK, "no thread is pinned");
    }
    let sys = host
        .read("/sys/devices/system/cpu/nohz_full")
        .ok()
        .and_then(|s| cpulist::parse(&s.replace("(null)", "")).ok());
    let cmdline = host.read("/proc/cmdline");
    let cmd = cmdline
        .as_ref()
        .ok()
        .and_then(|s| cmdline_cpus(s, "nohz_full"));
    let fix = format!(
        "kernel parameter nohz_full={0} rcu_nocbs={0} (then reboot)",
        cpulist::format(&t.pinned)
    );
    if sys.is_none() && cmdline.is_err() {
        return Finding::warn(CHECK, "unknown: /proc/cmdline unreadable", fix);
    }
    let tickless: BTreeSet<usize> = sys
        .unwrap_or_default()
        .union(&cmd.unwrap_or_default())
        .copied()
        .collect();
    let missing: BTreeSet<usize> = t.pinned.difference(&tickless).copied().collect();
    if missing.is_empty() {
        return Finding::pass(
            CHECK,
            format!("pinned core(s) {} tickless", cpulist::format(&t.pinned)),
        );
    }
    Finding::warn(
        CHECK,
        format!(
            "pinned core(s) {} take the timer tick (nohz_full: {})",
            cpulist::format(&missing),
            cpulist::format_or_none(&tickless)
        ),
        fix,
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
    fn reads_kernel_parameters() {
        let c = "ro isolcpus=domain,managed_irq,2-3 nohz_full=1-3 -- isolcpus=9";
        assert_eq!(
            cmdline_cpus(c, "isolcpus"),
            Some([2, 3].into_iter().collect())
        );
        assert_eq!(
            cmdline_cpus(c, "nohz_full"),
            Some([1, 2, 3].into_iter().collect())
        );
        assert_eq!(cmdline_cpus(c, "rcu_nocbs"), None);
    }

    #[test]
    fn isolated_pass_warn_unknown() {
        let f = Fixture::new();
        f.file("/sys/devices/system/cpu/isolated", "2-3\n")
            .file("/proc/cmdline", "ro isolcpus=1 nohz_full=2-3\n");
        let h = f.host();
        assert_eq!(check_isolated(&h, &t(&[1, 2])).level, Level::Pass);
        let w = check_isolated(&h, &t(&[0, 2]));
        assert_eq!(w.level, Level::Warn);
        assert!(w.fix.contains("isolcpus=0,2"), "{w}");
        assert_eq!(check_nohz(&h, &t(&[2, 3])).level, Level::Pass);
        assert_eq!(check_nohz(&h, &t(&[1])).level, Level::Warn);
        let empty = Fixture::new();
        let u = check_isolated(&empty.host(), &t(&[1]));
        assert_eq!(u.level, Level::Warn);
        assert!(u.finding.contains("unknown"));
        assert!(check_nohz(&empty.host(), &t(&[1]))
            .finding
            .contains("unknown"));
    }
}
