//! The one counting global allocator of the zero-allocation tests (`tests/alloc`). It counts
//! allocations (alloc, alloc_zeroed, realloc) made by threads that switched tracking on, so the
//! harness's own threads never disturb a count, in two ways:
//!
//! - [`allocations`]: allocations of every tracking thread, for tests whose counted work runs on a
//!   thread they spawn (the runtime's worker); only meaningful while no other test tracks, so such
//!   tests hold [`serial`];
//! - [`allocations_in`]: allocations *and frees* made by the calling thread inside a closure,
//!   which no other thread can disturb (the cache's "nothing allocated or freed").
//!
//! Use, once per binary: `#[global_allocator] static GLOBAL: common::alloc::Counting =
//! common::alloc::Counting;`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

/// Forwards to the system allocator, counting what tracking threads allocate.
pub struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);

thread_local! {
    // `const` init, no destructor: reading them never allocates or registers a TLS destructor.
    static TRACK: Cell<bool> = const { Cell::new(false) };
    // This thread's allocations and frees while tracking.
    static LOCAL: Cell<u64> = const { Cell::new(0) };
}

/// Count (or stop counting) this thread's allocations.
pub fn track(on: bool) {
    TRACK.with(|t| t.set(on));
}

/// Allocations counted so far, from every tracking thread.
pub fn allocations() -> u64 {
    ALLOCS.load(Ordering::Relaxed)
}

/// Set the count of every tracking thread back to zero.
pub fn reset() {
    ALLOCS.store(0, Ordering::Relaxed);
}

/// Allocations and frees made by `f` on this thread.
pub fn allocations_in(f: impl FnOnce()) -> u64 {
    LOCAL.with(|a| a.set(0));
    track(true);
    f();
    track(false);
    LOCAL.with(Cell::get)
}

/// Held by every test of an allocation binary, so that only one test tracks at a time and the
/// global count ([`allocations`]) is that test's alone (a failed test's poisoned lock is reused).
pub fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

#[inline]
fn count(alloc: bool) {
    // `try_with`: a thread being torn down may still allocate; it is simply not counted.
    if TRACK.try_with(Cell::get).unwrap_or(false) {
        if alloc {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        let _ = LOCAL.try_with(|a| a.set(a.get() + 1));
    }
}

// SAFETY: every method forwards unchanged to `System`, which upholds the `GlobalAlloc` contract;
// the counting touches only const thread-locals and an atomic, none of which allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(true);
        // SAFETY: the caller upholds `alloc`'s contract; passed through.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(true);
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(true);
        // SAFETY: `ptr` came from this allocator (hence from `System`) with `layout`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(false);
        // SAFETY: `ptr` came from this allocator (hence from `System`) with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}
