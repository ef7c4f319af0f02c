//! The clock source: `tsc` makes `clock_gettime` a few nanoseconds in user space; others
//! (`hpet`, `acpi_pm`, even `kvm-clock` under load) cost a syscall or more.

use super::finding::Finding;
use super::host::Host;

const CHECK: &str = "clocksource";
const PATH: &str = "/sys/devices/system/clocksource/clocksource0/current_clocksource";

/// Pass on `tsc`; warn otherwise or when unreadable.
pub fn check(host: &Host) -> Finding {
    let fix =
        format!("echo tsc | sudo tee {PATH} (or kernel parameters clocksource=tsc tsc=reliable)");
    match host.read_line(PATH) {
        Ok(c) if c == "tsc" => Finding::pass(CHECK, "tsc"),
        Ok(c) => Finding::warn(CHECK, format!("{c} (not tsc)"), fix),
        Err(e) => Finding::warn(CHECK, format!("unknown: {e}"), fix),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::doctor::finding::Level;
    use crate::cli::doctor::fixture::Fixture;

    #[test]
    fn tsc_passes_others_warn() {
        let f = Fixture::new();
        f.file(PATH, "tsc\n");
        assert_eq!(check(&f.host()).level, Level::Pass);
        f.file(PATH, "hpet\n");
        let w = check(&f.host());
        assert_eq!(w.level, Level::Warn);
        assert!(w.fix.contains("clocksource=tsc"));
        let u = check(&Fixture::new().host());
        assert_eq!(u.level, Level::Warn);
        assert!(u.finding.contains("unknown"));
    }
}
