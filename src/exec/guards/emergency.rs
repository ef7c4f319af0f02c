//! The operator's way into rate-limit emergency mode (`exec::limits::emergency`): a file holding
//! an expiry, as the kill switch is a file.
//!
//! - `microarb emergency --config FILE [--seconds N]` writes `execution.emergency_file`
//!   ([`write_emergency_file`]): `until_unix_ms=<wall-clock end>` and a comment saying who asked.
//!   It is written to a temporary name and renamed, so a reader never sees half of it.
//! - The running engine's watcher thread ([`EmergencySwitch::watch_file`], every 100 ms in the
//!   pipeline) reads it and publishes the expiry in one atomic. A file that cannot be parsed counts
//!   as a request for the configured duration from its modification time (slowing down is the safe
//!   reading of a file someone meant as a request); a missing file publishes nothing new.
//! - The execution stage compares that atomic with the last value it acted on, once per poll (a
//!   relaxed load, no system call), and when it changed to a time still ahead puts every venue in
//!   emergency mode until then. Removing the file does not end it early; it ends when its time is
//!   up.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The key the emergency file carries its expiry under.
pub const UNTIL_KEY: &str = "until_unix_ms=";

/// The operator's latest emergency request, shared between the watcher and the execution stage.
/// Clones share it.
#[derive(Debug, Clone, Default)]
pub struct EmergencySwitch {
    until_unix_ms: Arc<AtomicU64>,
}

impl EmergencySwitch {
    /// No request yet.
    pub fn new() -> EmergencySwitch {
        EmergencySwitch::default()
    }

    /// The latest request: emergency mode until this wall-clock time (unix ms); 0 when none was
    /// made. One relaxed load.
    #[inline]
    pub fn requested_until_unix_ms(&self) -> u64 {
        self.until_unix_ms.load(Ordering::Relaxed)
    }

    /// Ask for emergency mode until `until_unix_ms` (the watcher; tests; embedding).
    pub fn request(&self, until_unix_ms: u64) {
        self.until_unix_ms.store(until_unix_ms, Ordering::Relaxed);
    }

    /// Read `path` once and publish what it asks for; an unparsable file asks for
    /// `default_duration_ms` from its modification time. Returns the published expiry, if the
    /// file was there. A system call: cold side only.
    pub fn check_file(&self, path: &Path, default_duration_ms: u64) -> Option<u64> {
        let text = std::fs::read_to_string(path).ok();
        let until = match text.as_deref().and_then(parse_emergency_file) {
            Some(u) => u,
            None => {
                let modified = std::fs::metadata(path).ok()?.modified().ok()?;
                unix_ms(modified).saturating_add(default_duration_ms)
            }
        };
        if until != self.requested_until_unix_ms() {
            self.request(until);
        }
        Some(until)
    }

    /// Spawn a watcher thread that calls [`EmergencySwitch::check_file`] every `period` until
    /// `stop` is set. Join it after setting `stop`.
    pub fn watch_file(
        &self,
        path: PathBuf,
        period: Duration,
        default_duration_ms: u64,
        stop: Arc<AtomicBool>,
    ) -> io::Result<JoinHandle<()>> {
        let me = self.clone();
        std::thread::Builder::new()
            .name("emergency-watch".into())
            .spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    me.check_file(&path, default_duration_ms);
                    std::thread::sleep(period);
                }
            })
    }
}

/// The expiry an emergency file asks for (`until_unix_ms=<ms>` on a line of its own).
pub fn parse_emergency_file(text: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.trim().strip_prefix(UNTIL_KEY))
        .and_then(|v| v.trim().parse().ok())
}

fn unix_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis().min(u128::from(u64::MAX)) as u64)
        .unwrap_or(0)
}

/// Write the emergency file asking for `seconds` of emergency mode from now (creating its parent
/// directory); returns the expiry (unix ms). What `microarb emergency` does.
pub fn write_emergency_file(path: &Path, seconds: u64) -> io::Result<u64> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let until = unix_ms(SystemTime::now()).saturating_add(seconds.saturating_mul(1000));
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    std::fs::write(
        &tmp,
        format!(
            "{UNTIL_KEY}{until}\n# rate-limit emergency mode for {seconds} s, set by `microarb \
             emergency` (pid {})\n",
            std::process::id()
        ),
    )?;
    std::fs::rename(&tmp, path)?;
    Ok(until)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("microarb-em-{name}-{}", std::process::id()))
    }

    #[test]
    fn the_file_round_trips_and_the_watcher_publishes_it() {
        let d = dir("watch");
        let path = d.join("sub").join("EMERGENCY");
        let _ = std::fs::remove_dir_all(&d);
        let sw = EmergencySwitch::new();
        assert_eq!(sw.check_file(&path, 1), None, "no file: nothing");
        assert_eq!(sw.requested_until_unix_ms(), 0);
        let stop = Arc::new(AtomicBool::new(false));
        let h = sw
            .watch_file(
                path.clone(),
                Duration::from_millis(5),
                300_000,
                Arc::clone(&stop),
            )
            .unwrap();
        let until = write_emergency_file(&path, 120).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(parse_emergency_file(&text), Some(until));
        let now = unix_ms(SystemTime::now());
        assert!(
            until > now + 119_000 && until <= now + 120_000,
            "{until} vs {now}"
        );
        let mut seen = false;
        for _ in 0..400 {
            if sw.requested_until_unix_ms() == until {
                seen = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(seen, "the watcher published the expiry");
        stop.store(true, Ordering::Relaxed);
        h.join().unwrap();
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn an_unparsable_file_asks_for_the_default_duration() {
        let d = dir("bad");
        std::fs::create_dir_all(&d).unwrap();
        let path = d.join("EMERGENCY");
        std::fs::write(&path, "please slow down\n").unwrap();
        let sw = EmergencySwitch::new();
        let until = sw.check_file(&path, 300_000).unwrap();
        let now = unix_ms(SystemTime::now());
        assert!(until > now + 290_000 && until <= now + 300_000);
        assert_eq!(sw.requested_until_unix_ms(), until);
        assert_eq!(parse_emergency_file("until_unix_ms=x"), None);
        assert_eq!(parse_emergency_file("# c\n until_unix_ms= 42 \n"), Some(42));
        let _ = std::fs::remove_dir_all(&d);
    }
}
