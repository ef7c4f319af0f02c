//! Swap: a page of the engine swapped out is a millisecond stall; `vm.swappiness` says how eagerly.

use super::finding::Finding;
use super::host::Host;

const CHECK: &str = "swap";

/// Pass with no swap device; warn listing the devices (and swappiness) otherwise.
pub fn check(host: &Host) -> Finding {
    let swappiness = host
        .read_line("/proc/sys/vm/swappiness")
        .map(|s| format!("vm.swappiness={s}"))
        .unwrap_or_else(|_| "vm.swappiness unknown".to_string());
    let swaps = match host.read("/proc/swaps") {
        Ok(s) => s,
        Err(e) => {
            return Finding::warn(
                CHECK,
                format!("unknown: {e} ({swappiness})"),
                "sudo swapoff -a",
            )
        }
    };
    let devices: Vec<&str> = swaps
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    if devices.is_empty() {
        return Finding::pass(CHECK, format!("no swap ({swappiness})"));
    }
    Finding::warn(
        CHECK,
        format!("swap on {} ({swappiness})", devices.join(", ")),
        "sudo swapoff -a (and remove it from /etc/fstab), or at least sudo sysctl -w vm.swappiness=1",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::doctor::finding::Level;
    use crate::cli::doctor::fixture::Fixture;

    const HEADER: &str = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n";

    #[test]
    fn none_passes_some_warns() {
        let f = Fixture::new();
        f.file("/proc/swaps", HEADER)
            .file("/proc/sys/vm/swappiness", "60\n");
        let p = check(&f.host());
        assert_eq!(p.level, Level::Pass);
        assert!(p.finding.contains("vm.swappiness=60"), "{p}");
        f.file(
            "/proc/swaps",
            &format!("{HEADER}/dev/sda2 partition\t8388604\t0\t-2\n"),
        );
        let w = check(&f.host());
        assert_eq!(w.level, Level::Warn);
        assert!(w.finding.contains("/dev/sda2"), "{w}");
        let u = check(&Fixture::new().host());
        assert_eq!(u.level, Level::Warn);
        assert!(u.finding.contains("unknown"));
    }
}
