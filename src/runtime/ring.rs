//! Rings between stages: `rtrb` SPSC ring buffers of small `Copy` messages, with the accounting the
//! engine needs on top.
//!
//! Each message is stamped with its push time so the consumer can record the ring hop latency.
//! A push onto a full ring never waits: it fails, the producer's `dropped` counter goes up, and the
//! message is handed back so the caller can account for it (an opportunity dropped this way ends as
//! `dropped`). The consumer can read the producer's drop count as its gap counter. Only `replay`
//! uses [`RingTx::push_wait`], which spins until there is room, so a replay never drops.
//!
//! ```
//! use microarb::runtime::ring;
//! use microarb::base::Counters;
//! let mut counters = Counters::new();
//! let (mut tx, mut rx) = ring::<u32>("demo", 2, &mut counters);
//! assert!(tx.push(1, 10).is_ok());
//! assert!(tx.push(2, 11).is_ok());
//! assert_eq!(tx.push(3, 12), Err(3)); // full: dropped and counted
//! assert_eq!(rx.pop().map(|m| m.msg), Some(1));
//! assert_eq!(rx.dropped_upstream(), 1);
//! ```

use crate::base::{Counter, Counters};

/// A message with the monotonic time it was pushed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamped<T> {
    /// When the producer pushed it (ns, the engine clock).
    pub push_ts_ns: u64,
    /// The message.
    pub msg: T,
}

/// Producer end of a ring.
pub struct RingTx<T> {
    inner: rtrb::Producer<Stamped<T>>,
    pushed: Counter,
    dropped: Counter,
}

/// Consumer end of a ring.
pub struct RingRx<T> {
    inner: rtrb::Consumer<Stamped<T>>,
    popped: Counter,
    dropped: Counter,
}

/// A ring of `capacity` slots named `name`; its counters (`ring.<name>.pushed`, `.dropped`,
/// `.popped`) are registered in `counters`. Capacity 0 is raised to 1.
pub fn ring<T: Copy + Send>(
    name: &str,
    capacity: usize,
    counters: &mut Counters,
) -> (RingTx<T>, RingRx<T>) {
    let (mut p, c) = rtrb::RingBuffer::new(capacity.max(1));
    prefault(&mut p);
    let dropped = counters.register(&format!("ring.{name}.dropped"));
    (
        RingTx {
            inner: p,
            pushed: counters.register(&format!("ring.{name}.pushed")),
            dropped: dropped.clone(),
        },
        RingRx {
            inner: c,
            popped: counters.register(&format!("ring.{name}.popped")),
            dropped,
        },
    )
}

/// Write every slot of an empty ring once, without making anything readable, so its memory is
/// mapped now rather than on the hot path. A fresh ring's pages are mapped on first write: the
/// opportunities ring (4096 slots, about 32 per page) took a page fault, several microseconds on a
/// virtual machine, on one push in 32 for its whole first lap, which at a few hundred
/// opportunities a second lasts longer than a benchmark run.
pub fn prefault<T>(p: &mut rtrb::Producer<T>) {
    let n = p.slots();
    if let Ok(mut chunk) = p.write_chunk_uninit(n) {
        let (a, b) = chunk.as_mut_slices();
        for slot in a.iter_mut().chain(b.iter_mut()) {
            *slot = std::mem::MaybeUninit::zeroed();
        }
        std::hint::black_box(&mut chunk);
        // Dropped without `commit`: the ring is still empty.
    }
}

impl<T: Copy + Send> RingTx<T> {
    /// Push without waiting. On a full ring the message is counted as dropped and handed back.
    #[inline]
    pub fn push(&mut self, msg: T, now_ns: u64) -> Result<(), T> {
        match self.inner.push(Stamped {
            push_ts_ns: now_ns,
            msg,
        }) {
            Ok(()) => {
                self.pushed.inc();
                Ok(())
            }
            Err(rtrb::PushError::Full(s)) => {
                self.dropped.inc();
                Err(s.msg)
            }
        }
    }

    /// Push, spinning until there is room or `give_up` says to stop (then the message is handed
    /// back and counted as dropped). For `replay`, which must never drop.
    pub fn push_wait(
        &mut self,
        msg: T,
        now: impl Fn() -> u64,
        give_up: impl Fn() -> bool,
    ) -> Result<(), T> {
        let mut backoff = crossbeam_utils::Backoff::new();
        loop {
            if !self.inner.is_full() {
                return self.push(msg, now());
            }
            if give_up() || self.inner.is_abandoned() {
                self.dropped.inc();
                return Err(msg);
            }
            if backoff.is_completed() {
                std::thread::yield_now();
                backoff = crossbeam_utils::Backoff::new();
            } else {
                backoff.snooze();
            }
        }
    }

    /// Free slots right now.
    #[inline]
    pub fn slots(&self) -> usize {
        self.inner.slots()
    }

    /// True when the consumer end is gone.
    pub fn is_abandoned(&self) -> bool {
        self.inner.is_abandoned()
    }
}

impl<T: Copy + Send> RingRx<T> {
    /// Take the oldest message, if any.
    #[inline]
    pub fn pop(&mut self) -> Option<Stamped<T>> {
        match self.inner.pop() {
            Ok(m) => {
                self.popped.inc();
                Some(m)
            }
            Err(_) => None,
        }
    }

    /// Messages waiting.
    #[inline]
    pub fn len(&self) -> usize {
        self.inner.slots()
    }

    /// True when nothing is waiting.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// True when the producer end is gone: once also empty, no message will ever come.
    #[inline]
    pub fn is_abandoned(&self) -> bool {
        self.inner.is_abandoned()
    }

    /// True when the producer is gone and everything it pushed has been taken.
    #[inline]
    pub fn is_drained(&self) -> bool {
        self.inner.is_abandoned() && self.inner.is_empty()
    }

    /// The oldest message without taking it (a consumer merging two rings by time looks first).
    #[inline]
    pub fn peek(&self) -> Option<&Stamped<T>> {
        self.inner.peek().ok()
    }

    /// Messages the producer had to drop because this ring was full: the consumer's gap counter.
    pub fn dropped_upstream(&self) -> u64 {
        self.dropped.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefaulted_ring_is_empty_with_every_slot_free_and_in_order() {
        let mut c = Counters::new();
        let (mut tx, mut rx) = ring::<[u64; 4]>("pf", 100, &mut c);
        assert_eq!(tx.slots(), 100);
        assert!(rx.pop().is_none(), "prefaulting made nothing readable");
        for lap in 0..3u64 {
            for i in 0..100u64 {
                assert!(tx.push([lap, i, 0, 0], i).is_ok());
            }
            assert!(tx.push([9; 4], 0).is_err(), "full at capacity");
            for i in 0..100u64 {
                assert_eq!(rx.pop().map(|m| m.msg), Some([lap, i, 0, 0]));
            }
            assert!(rx.pop().is_none());
        }
        // Prefaulting a ring that already holds messages leaves them alone.
        let (mut p, mut q) = rtrb::RingBuffer::<u32>::new(4);
        p.push(7).unwrap();
        prefault(&mut p);
        assert_eq!((q.pop(), q.pop().is_err()), (Ok(7), true));
    }

    #[test]
    fn capacity_one_and_zero() {
        let mut c = Counters::new();
        for cap in [0, 1] {
            let (mut tx, mut rx) = ring::<u8>(&format!("c{cap}"), cap, &mut c);
            assert!(tx.push(1, 0).is_ok());
            assert_eq!(tx.push(2, 0), Err(2));
            assert_eq!(rx.pop().unwrap().msg, 1);
            assert!(rx.pop().is_none());
            assert!(tx.push(3, 0).is_ok());
            assert_eq!(rx.pop().unwrap().msg, 3);
        }
    }

    #[test]
    fn drop_accounting_adds_up() {
        let mut c = Counters::new();
        let (mut tx, mut rx) = ring::<u32>("acct", 8, &mut c);
        let (mut ok, mut dropped) = (0u64, 0u64);
        let mut popped = 0u64;
        for i in 0..1000u32 {
            match tx.push(i, i as u64) {
                Ok(()) => ok += 1,
                Err(v) => {
                    assert_eq!(v, i, "the dropped message is handed back");
                    dropped += 1
                }
            }
            if i % 10 == 0 {
                while let Some(m) = rx.pop() {
                    assert_eq!(m.push_ts_ns, m.msg as u64);
                    popped += 1;
                }
            }
        }
        while rx.pop().is_some() {
            popped += 1;
        }
        assert_eq!(ok + dropped, 1000);
        assert_eq!(popped, ok);
        assert_eq!(rx.dropped_upstream(), dropped);
        assert!(dropped > 0);
        let get = |n: &str| c.get(n).unwrap();
        assert_eq!(get("ring.acct.pushed"), ok);
        assert_eq!(get("ring.acct.dropped"), dropped);
        assert_eq!(get("ring.acct.popped"), popped);
    }

    #[test]
    fn wrap_around_keeps_order_and_drained_after_producer_drop() {
        let mut c = Counters::new();
        let (mut tx, mut rx) = ring::<u64>("wrap", 3, &mut c);
        for i in 0..100u64 {
            tx.push(i, 0).unwrap();
            assert_eq!(rx.pop().unwrap().msg, i);
        }
        tx.push(7, 0).unwrap();
        drop(tx);
        assert!(rx.is_abandoned());
        assert!(!rx.is_drained());
        assert_eq!(rx.pop().unwrap().msg, 7);
        assert!(rx.is_drained());
    }

    #[test]
    fn threaded_spsc_loses_nothing_it_accepted() {
        let mut c = Counters::new();
        let (mut tx, mut rx) = ring::<u64>("thr", 16, &mut c);
        let n = 100_000u64;
        let prod = std::thread::spawn(move || {
            let mut accepted = Vec::new();
            for i in 0..n {
                if tx.push(i, 0).is_ok() {
                    accepted.push(i);
                }
            }
            accepted
        });
        let mut got = Vec::new();
        loop {
            match rx.pop() {
                Some(m) => got.push(m.msg),
                None if rx.is_drained() => break,
                None => std::hint::spin_loop(),
            }
        }
        let accepted = prod.join().unwrap();
        assert_eq!(got, accepted);
        assert_eq!(rx.dropped_upstream() + accepted.len() as u64, n);
    }

    #[test]
    fn push_wait_never_drops_while_consumer_lives() {
        let mut c = Counters::new();
        let (mut tx, mut rx) = ring::<u32>("wait", 2, &mut c);
        let cons = std::thread::spawn(move || {
            let mut got = 0u32;
            while !rx.is_drained() {
                if rx.pop().is_some() {
                    got += 1;
                }
            }
            got
        });
        for i in 0..10_000 {
            tx.push_wait(i, || 0, || false).unwrap();
        }
        drop(tx);
        assert_eq!(cons.join().unwrap(), 10_000);
    }
}
