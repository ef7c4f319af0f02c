//! Fixture hosts for the checks' tests: small `/proc` and `/sys` trees in a temporary directory,
//! removed on drop.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use super::host::Host;

/// A temporary root directory to write a fake host into.
pub struct Fixture(PathBuf);

impl Fixture {
    /// An empty fixture: every file absent.
    pub fn new() -> Fixture {
        static N: AtomicU64 = AtomicU64::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("microarb-doctor-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("fixture dir");
        Fixture(dir)
    }

    /// Write `contents` to host path `rel` (directories created); returns self for chaining.
    pub fn file(&self, rel: &str, contents: &str) -> &Fixture {
        let p = self.0.join(rel.trim_start_matches('/'));
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("fixture parent");
        }
        std::fs::write(p, contents).expect("fixture file");
        self
    }

    /// Create directory `rel`.
    pub fn dir(&self, rel: &str) -> &Fixture {
        std::fs::create_dir_all(self.0.join(rel.trim_start_matches('/'))).expect("fixture dir");
        self
    }

    /// CPUs `0..n` as directories, each its own SMT sibling.
    pub fn cpus(&self, n: usize) -> &Fixture {
        for c in 0..n {
            self.file(
                &format!("/sys/devices/system/cpu/cpu{c}/topology/thread_siblings_list"),
                &format!("{c}\n"),
            );
        }
        self
    }

    /// The host reading this tree.
    pub fn host(&self) -> Host {
        Host::new(&self.0)
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
