//! The kill switch: one shared flag the execution stage reads once per opportunity (two relaxed
//! loads, a few ns), set from outside the hot path by
//!
//! - a signal: [`KillSwitch::register_signal`] routes `SIGUSR1` (the pipeline registers it) to the
//!   flag through `signal-hook`, which does nothing in the handler but store `true`;
//! - a file: while `risk.kill_file` exists the switch is on. Checking it is a `stat` system call,
//!   so the stage never does it; [`KillSwitch::watch_file`] runs a tiny watcher thread that looks
//!   every `period` (100 ms in the pipeline) and sets or clears the file flag. `microarb kill
//!   --config FILE` creates that file ([`create_kill_file`]);
//! - a call: [`KillSwitch::trip`] (tests, embedding).
//!
//! The signal and [`KillSwitch::trip`] latch (a signal cannot be taken back); the file flag follows
//! the file, as the config documents ("while this file exists"). Orders already sent are tracked
//! to a final state as usual; on a REST run the trade-log writer also cancels at its venue every
//! order still open when the switch turns on and reports what is still exposed
//! (`src/pipeline/trades.rs`; docs/architecture.md, "Trade log"): the blocking calls never run on
//! the execution stage.
//!
//! These flags are `std` atomics, not the loom-swappable ones of `exec::sync`: `signal-hook` stores
//! into a `std::sync::atomic::AtomicBool`, and a flag set once and read relaxed needs no model check.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// A shared kill switch. Clones share the flags.
#[derive(Debug, Clone, Default)]
pub struct KillSwitch {
    manual: Arc<AtomicBool>,
    file: Arc<AtomicBool>,
}

impl KillSwitch {
    /// A switch that is off.
    pub fn new() -> KillSwitch {
        KillSwitch::default()
    }

    /// Whether trading must stop. Hot path: two relaxed loads.
    #[inline]
    pub fn is_on(&self) -> bool {
        self.manual.load(Ordering::Relaxed) || self.file.load(Ordering::Relaxed)
    }

    /// Turn it on for good (this process).
    pub fn trip(&self) {
        self.manual.store(true, Ordering::Relaxed);
    }

    /// Route signal `sig` (the pipeline uses `SIGUSR1`) to [`KillSwitch::trip`].
    pub fn register_signal(&self, sig: i32) -> io::Result<signal_hook::SigId> {
        signal_hook::flag::register(sig, Arc::clone(&self.manual))
    }

    /// Look at `path` once: the file flag follows whether it exists. Returns the new switch state.
    /// A system call: cold side only.
    pub fn check_file(&self, path: &Path) -> bool {
        self.file.store(path.exists(), Ordering::Relaxed);
        self.is_on()
    }

    /// Spawn a watcher thread that calls [`KillSwitch::check_file`] every `period` until `stop` is
    /// set. Join it after setting `stop`.
    pub fn watch_file(
        &self,
        path: PathBuf,
        period: Duration,
        stop: Arc<AtomicBool>,
    ) -> io::Result<JoinHandle<()>> {
        let me = self.clone();
        std::thread::Builder::new()
            .name("kill-watch".into())
            .spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    me.check_file(&path);
                    std::thread::sleep(period);
                }
            })
    }
}

/// Create the kill file (and its parent directory), writing who made it. What `microarb kill` does.
pub fn create_kill_file(path: &Path) -> io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let unix_s = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    std::fs::write(
        path,
        format!(
            "kill switch set by `microarb kill` (pid {}) at unix {unix_s}\n",
            std::process::id()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trip_latches_and_clones_share() {
        let k = KillSwitch::new();
        let seen = k.clone();
        assert!(!seen.is_on());
        k.trip();
        assert!(seen.is_on());
    }

    #[test]
    fn file_flag_follows_the_file_through_the_watcher() {
        let dir = std::env::temp_dir().join(format!("microarb-kill-{}", std::process::id()));
        let path = dir.join("sub").join("KILL");
        let _ = std::fs::remove_file(&path);
        let k = KillSwitch::new();
        assert!(!k.check_file(&path));
        let stop = Arc::new(AtomicBool::new(false));
        let h = k
            .watch_file(path.clone(), Duration::from_millis(5), Arc::clone(&stop))
            .unwrap();
        create_kill_file(&path).unwrap();
        let wait = |want: bool| {
            for _ in 0..400 {
                if k.is_on() == want {
                    return true;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            false
        };
        assert!(wait(true), "watcher saw the file");
        std::fs::remove_file(&path).unwrap();
        assert!(wait(false), "file flag follows the file");
        stop.store(true, Ordering::Relaxed);
        h.join().unwrap();
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_signal_trips_it() {
        let k = KillSwitch::new();
        let id = k.register_signal(signal_hook::consts::SIGUSR2).unwrap();
        signal_hook::low_level::raise(signal_hook::consts::SIGUSR2).unwrap();
        assert!(k.is_on());
        signal_hook::low_level::unregister(id);
    }
}
