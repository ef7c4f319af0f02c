//! Shutdown requests: SIGINT, SIGTERM, `--seconds N` or a test all set one flag that every worker
//! reads once per loop (a relaxed load: a few ns). A second SIGINT/SIGTERM while draining exits at
//! once with status 1, for an operator who does not want to wait.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A shared stop flag.
#[derive(Debug, Clone, Default)]
pub struct Shutdown {
    flag: Arc<AtomicBool>,
}

impl Shutdown {
    /// A flag that is not set.
    pub fn new() -> Shutdown {
        Shutdown::default()
    }

    /// Ask every worker to drain and stop.
    pub fn request(&self) {
        self.flag.store(true, Ordering::Release);
    }

    /// Whether a stop was asked for.
    #[inline]
    pub fn is_requested(&self) -> bool {
        self.flag.load(Ordering::Relaxed)
    }

    /// Route SIGINT and SIGTERM to this flag; a second signal exits with status 1.
    pub fn install_signal_handlers(&self) -> std::io::Result<()> {
        use signal_hook::consts::{SIGINT, SIGTERM};
        for sig in [SIGINT, SIGTERM] {
            signal_hook::flag::register_conditional_shutdown(sig, 1, Arc::clone(&self.flag))?;
            signal_hook::flag::register(sig, Arc::clone(&self.flag))?;
        }
        Ok(())
    }
}
