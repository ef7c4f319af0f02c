//! Transparent huge pages: `madvise` or `always` lets the engine's big buffers use 2 MiB pages.

use super::finding::Finding;
use super::host::Host;

const CHECK: &str = "thp";
const PATH: &str = "/sys/kernel/mm/transparent_hugepage/enabled";

/// The selected value of a sysfs choice list such as `always [madvise] never`.
pub fn selected(s: &str) -> Option<&str> {
    let start = s.find('[')? + 1;
    let end = start + s[start..].find(']')?;
    Some(&s[start..end])
}

/// Pass on `madvise` or `always`; warn on `never` or when unreadable.
pub fn check(host: &Host) -> Finding {
    let fix = format!(
        "echo madvise | sudo tee {PATH} (or kernel parameter transparent_hugepage=madvise)"
    );
    match host.read(PATH) {
        Err(e) => Finding::warn(CHECK, format!("unknown: {e}"), fix),
        Ok(s) => match selected(&s) {
            Some(v @ ("madvise" | "always")) => Finding::pass(CHECK, format!("enabled: {v}")),
            Some(v) => Finding::warn(CHECK, format!("enabled: {v}"), fix),
            None => Finding::warn(CHECK, format!("unknown: {PATH}: {:?}", s.trim()), fix),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::doctor::finding::Level;
    use crate::cli::doctor::fixture::Fixture;

    #[test]
    fn madvise_always_pass_never_warns() {
        for (v, l) in [
            ("always madvise [never]\n", Level::Warn),
            ("always [madvise] never\n", Level::Pass),
            ("[always] madvise never\n", Level::Pass),
            ("garbage\n", Level::Warn),
        ] {
            let f = Fixture::new();
            f.file(PATH, v);
            assert_eq!(check(&f.host()).level, l, "{v}");
        }
        let u = check(&Fixture::new().host());
        assert_eq!(u.level, Level::Warn);
        assert!(u.finding.contains("unknown"));
    }
}
