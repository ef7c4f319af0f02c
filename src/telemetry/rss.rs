//! Resident memory, from `/proc/self/status` (Linux). `None` where that file is absent.

/// Current and peak resident set size, bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rss {
    /// `VmRSS`.
    pub current: u64,
    /// `VmHWM` (high-water mark).
    pub peak: u64,
}

/// Read this process's RSS.
pub fn read() -> Option<Rss> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = text.lines().find(|l| l.starts_with(name))?;
        let kb: u64 = line[name.len()..]
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(kb * 1024)
    };
    Some(Rss {
        current: field("VmRSS:")?,
        peak: field("VmHWM:")?,
    })
}
