//! Send times, where the latency bench can read them: per venue, a preallocated ring of
//! `(update id, send time)` indexed by `update id & (capacity - 1)`.
//!
//! The venue's connection thread writes the unix-ns time just before it writes a batch of frames
//! to the socket (one time per batch: the frames leave in one `flush`); an in-process reader (the
//! end-to-end bench, a test) looks an update id up after the engine received it. No lock: each slot
//! is two atomics written id-last (Release) and read id-first (Acquire) and checked again after
//! reading the time, so a reader either gets the time written for that id or `None` (slot reused
//! by a later id, or being rewritten). With several connections on one venue the last writer wins.
//!
//! Update ids: the synthetic source's per-venue update id (Binance `u`, Bybit `u`/`seq`, OKX
//! `seqId`; Upbit frames carry no id, so the bench keys them by `timestamp`, which is the send
//! time in ms); for a capture source, the 1-based ordinal of the frame among that venue's frames.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Debug, Default)]
struct Slot {
    id: AtomicU64,
    send_ns: AtomicU64,
}

/// One venue's ring of recent send times.
#[derive(Debug)]
pub struct SendLog {
    slots: Box<[Slot]>,
    mask: u64,
}

impl SendLog {
    /// A log of at least `capacity` slots (a power of two, at least 1). Allocates once.
    pub fn new(capacity: usize) -> SendLog {
        let cap = capacity.max(1).next_power_of_two();
        SendLog {
            slots: (0..cap).map(|_| Slot::default()).collect(),
            mask: cap as u64 - 1,
        }
    }

    /// Number of slots: ids older than the latest minus this are forgotten.
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Record that update `id` (>= 1) was sent at `send_ns` (unix ns).
    #[inline]
    pub fn record(&self, id: u64, send_ns: u64) {
        let slot = &self.slots[(id & self.mask) as usize];
        // Invalidate first so a reader never pairs the new time with the old id.
        slot.id.store(0, Ordering::Release);
        slot.send_ns.store(send_ns, Ordering::Release);
        slot.id.store(id, Ordering::Release);
    }

    /// The send time of update `id` (unix ns), if it is still in the ring.
    #[inline]
    pub fn get(&self, id: u64) -> Option<u64> {
        if id == 0 {
            return None;
        }
        let slot = &self.slots[(id & self.mask) as usize];
        if slot.id.load(Ordering::Acquire) != id {
            return None;
        }
        let t = slot.send_ns.load(Ordering::Acquire);
        (slot.id.load(Ordering::Acquire) == id).then_some(t)
    }
}

/// Wall-clock now as unix ns (the send-time clock; the engine's capture clock is the same).
pub fn unix_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ring_forgets_old_ids() {
        let log = SendLog::new(3);
        assert_eq!(log.capacity(), 4);
        assert_eq!(log.get(0), None);
        for id in 1..=6 {
            log.record(id, id * 10);
        }
        assert_eq!(log.get(1), None);
        assert_eq!(log.get(2), None);
        assert_eq!(log.get(3), Some(30));
        assert_eq!(log.get(6), Some(60));
        assert_eq!(log.get(7), None);
        assert!(unix_ns() > 1_600_000_000_000_000_000);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Against a map of the latest `capacity` ids.
        #[test]
        fn matches_reference(ids in proptest::collection::vec(1u64..200, 0..100), cap in 1usize..32) {
            let log = SendLog::new(cap);
            let mut model = std::collections::HashMap::new();
            for (n, id) in ids.iter().enumerate() {
                log.record(*id, n as u64);
                let mask = log.capacity() as u64 - 1;
                model.retain(|k: &u64, _| k & mask != id & mask);
                model.insert(*id, n as u64);
            }
            for id in 0..200u64 {
                prop_assert_eq!(log.get(id), model.get(&id).copied());
            }
        }
    }
}
