//! The atomics the exec module shares between threads, routed through one place so that
//! `RUSTFLAGS="--cfg loom"` swaps in loom's model-checked versions (crossbeam's habit).
//!
//! Only [`super::gcra_atomic`] uses it today; anything else in `exec/` that shares state between
//! threads must import its atomics from here, never from `std` directly.

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicU64, Ordering};

#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicU64, Ordering};
