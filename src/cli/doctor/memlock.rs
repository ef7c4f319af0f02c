//! The locked-memory limit: `mlockall` (keeping the engine's pages resident) needs it unlimited.

use super::finding::Finding;
use super::host::Host;

const CHECK: &str = "memlock";
const FIX: &str = "ulimit -l unlimited in the starting shell, LimitMEMLOCK=infinity in the \
                   systemd unit, or '<user> - memlock unlimited' in /etc/security/limits.conf";

/// The soft and hard "Max locked memory" of a `/proc/self/limits`, as written there.
pub fn parse(limits: &str) -> Option<(String, String)> {
    let rest = limits
        .lines()
        .find_map(|l| l.strip_prefix("Max locked memory"))?;
    let mut words = rest.split_whitespace();
    Some((words.next()?.to_string(), words.next()?.to_string()))
}

/// Pass when the soft limit is unlimited; warn with the limit otherwise.
pub fn check(host: &Host) -> Finding {
    let limit = host.read("/proc/self/limits").ok().and_then(|s| parse(&s));
    match limit {
        None => Finding::warn(
            CHECK,
            "unknown: no \"Max locked memory\" in /proc/self/limits",
            FIX,
        ),
        Some((soft, _)) if soft == "unlimited" => Finding::pass(CHECK, "unlimited"),
        Some((soft, hard)) => Finding::warn(
            CHECK,
            format!("max locked memory {} (hard {})", human(&soft), human(&hard)),
            FIX,
        ),
    }
}

/// A byte count as KiB/MiB when it parses; otherwise as written.
fn human(v: &str) -> String {
    match v.parse::<u64>() {
        Ok(b) if b >= 1 << 20 => format!("{} MiB", b >> 20),
        Ok(b) => format!("{} KiB", b >> 10),
        Err(_) => v.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::doctor::finding::Level;
    use crate::cli::doctor::fixture::Fixture;

    fn limits(v: &str) -> String {
        format!(
            "Limit                     Soft Limit           Hard Limit           Units\n\
             Max locked memory         {v}              {v}              bytes\n"
        )
    }

    #[test]
    fn unlimited_passes_limited_warns() {
        let f = Fixture::new();
        f.file("/proc/self/limits", &limits("unlimited"));
        assert_eq!(check(&f.host()).level, Level::Pass);
        f.file("/proc/self/limits", &limits("8388608"));
        let w = check(&f.host());
        assert_eq!(w.level, Level::Warn);
        assert!(w.finding.contains("8 MiB"), "{w}");
        let u = check(&Fixture::new().host());
        assert_eq!(u.level, Level::Warn);
        assert!(u.finding.contains("unknown"));
    }
}
