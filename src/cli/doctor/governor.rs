//! The CPU frequency governor of the pinned cores: `performance` keeps them at full clock.

use super::cpulist;
use super::finding::Finding;
use super::host::Host;
use super::targets::Targets;

const CHECK: &str = "governor";

/// Pass when every pinned core's governor is `performance`; warn otherwise or without cpufreq.
pub fn check(host: &Host, t: &Targets) -> Finding {
    if t.pinned.is_empty() {
        return Finding::pass(CHECK, "no thread is pinned");
    }
    let mut found = Vec::new();
    let mut slow = Vec::new();
    let mut absent = Vec::new();
    for &c in &t.pinned {
        match host.read_line(&format!(
            "/sys/devices/system/cpu/cpu{c}/cpufreq/scaling_governor"
        )) {
            Ok(g) if g == "performance" => found.push(format!("cpu{c} {g}")),
            Ok(g) => {
                found.push(format!("cpu{c} {g}"));
                slow.push(c);
            }
            Err(_) => absent.push(c),
        }
    }
    if !slow.is_empty() {
        return Finding::warn(
            CHECK,
            found.join(", "),
            format!(
                "sudo cpupower -c {} frequency-set -g performance",
                cpulist::format(&slow)
            ),
        );
    }
    if !absent.is_empty() {
        return Finding::warn(
            CHECK,
            format!(
                "unknown: no cpufreq for cpu {} (a VM, or the driver is not loaded)",
                cpulist::format(&absent)
            ),
            format!(
                "sudo modprobe acpi-cpufreq && sudo cpupower -c {} frequency-set -g performance \
                 (in a VM the hypervisor owns the clock)",
                cpulist::format(&absent)
            ),
        );
    }
    Finding::pass(CHECK, found.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::doctor::finding::Level;
    use crate::cli::doctor::fixture::Fixture;

    #[test]
    fn performance_passes_others_warn_absent_warns() {
        let f = Fixture::new();
        f.cpus(4)
            .file(
                "/sys/devices/system/cpu/cpu1/cpufreq/scaling_governor",
                "performance\n",
            )
            .file(
                "/sys/devices/system/cpu/cpu2/cpufreq/scaling_governor",
                "powersave\n",
            );
        let h = f.host();
        let t = |c: &[usize]| Targets {
            pinned: c.iter().copied().collect(),
            threads: Vec::new(),
        };
        assert_eq!(check(&h, &t(&[1])).level, Level::Pass);
        let w = check(&h, &t(&[1, 2]));
        assert_eq!(w.level, Level::Warn);
        assert!(w.fix.contains("-c 2 frequency-set -g performance"), "{w}");
        let a = check(&h, &t(&[3]));
        assert_eq!(a.level, Level::Warn);
        assert!(a.finding.contains("no cpufreq"), "{a}");
    }
}
