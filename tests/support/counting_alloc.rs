//! A counting global allocator for the zero-allocation tests, shared so each test file holds only
//! its test. It counts allocations (alloc, alloc_zeroed, realloc; frees are not counted) made by
//! threads that switched tracking on, so the harness's own threads never disturb a count.
//!
//! Use: `#[path = "support/counting_alloc.rs"] mod counting_alloc;` then
//! `#[global_allocator] static GLOBAL: counting_alloc::Counting = counting_alloc::Counting;`.
#![allow(dead_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

/// Forwards to the system allocator, counting what tracking threads allocate.
pub struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);

thread_local! {
    // `const` init, no destructor: reading it never allocates or registers a TLS destructor.
    static TRACK: Cell<bool> = const { Cell::new(false) };
}

/// Count (or stop counting) this thread's allocations.
pub fn track(on: bool) {
    TRACK.with(|t| t.set(on));
}

/// Allocations counted so far, from every tracking thread.
pub fn allocations() -> u64 {
    ALLOCS.load(Ordering::Relaxed)
}

/// Set the count back to zero.
pub fn reset() {
    ALLOCS.store(0, Ordering::Relaxed);
}

#[inline]
fn count() {
    // `try_with`: a thread being torn down may still allocate; it is simply not counted.
    if TRACK.try_with(Cell::get).unwrap_or(false) {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
    }
}

// SAFETY: every method forwards unchanged to `System`, which upholds the `GlobalAlloc` contract;
// the counting touches only a const thread-local and an atomic, neither of which allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: the caller upholds `alloc`'s contract; passed through.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: `ptr` came from this allocator (hence from `System`) with `layout`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator (hence from `System`) with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}
