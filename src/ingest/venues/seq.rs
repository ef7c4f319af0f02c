//! Per-instrument "last update id seen" for one venue connection, so that an update which is not
//! newer than what was already applied is dropped and counted instead of moving the book backwards.
//!
//! Why it is needed even over one TCP stream: after a reconnect the venue replays or overlaps
//! updates, two connections may feed one venue during a hand-over, and Bybit restarts its update id
//! at 1 after a service restart. The rule:
//! - `seq == 0` means the venue sends no sequence (Upbit): always accepted, nothing recorded;
//! - otherwise `seq > last` is fresh (and recorded), `seq <= last` is stale;
//! - [`SeqGuard::reset`] forgets an instrument (Bybit `u == 1`, a reconnect), so the next update is
//!   fresh whatever its id.
//!
//! Storage is one `u64` per instrument in a boxed slice sized at construction; checks never allocate.

use crate::model::{InstrumentId, MAX_INSTRUMENTS};

/// Verdict of [`SeqGuard::check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeqCheck {
    /// Newer than anything seen (or the first for the instrument, or unsequenced): apply it.
    Fresh,
    /// Not newer than `last`: drop and count it.
    Stale {
        /// The last update id accepted for this instrument.
        last: u64,
    },
}

/// Last accepted update id per instrument of one venue.
#[derive(Debug, Clone)]
pub struct SeqGuard {
    /// 0 = nothing seen yet (venues' update ids start at 1 or above).
    last: Box<[u64]>,
}

impl Default for SeqGuard {
    fn default() -> Self {
        SeqGuard::new()
    }
}

impl SeqGuard {
    /// A guard for every possible instrument id ([`MAX_INSTRUMENTS`]); allocates once.
    pub fn new() -> Self {
        SeqGuard::with_instruments(MAX_INSTRUMENTS)
    }

    /// A guard for instrument ids `0..instruments` (at most [`MAX_INSTRUMENTS`]), the size a
    /// venue's symbol table needs; allocates once.
    pub fn with_instruments(instruments: usize) -> Self {
        SeqGuard {
            last: vec![0; instruments.min(MAX_INSTRUMENTS)].into_boxed_slice(),
        }
    }

    /// Check `seq` for `instrument` and record it when fresh. An instrument id beyond the table is
    /// treated as unsequenced (accepted), which cannot happen with ids from the config.
    #[inline]
    pub fn check(&mut self, instrument: InstrumentId, seq: u64) -> SeqCheck {
        if seq == 0 {
            return SeqCheck::Fresh;
        }
        match self.last.get_mut(instrument.index()) {
            Some(last) if seq <= *last => SeqCheck::Stale { last: *last },
            Some(last) => {
                *last = seq;
                SeqCheck::Fresh
            }
            None => SeqCheck::Fresh,
        }
    }

    /// Forget what was seen for `instrument`: its next update is fresh.
    #[inline]
    pub fn reset(&mut self, instrument: InstrumentId) {
        if let Some(last) = self.last.get_mut(instrument.index()) {
            *last = 0;
        }
    }

    /// Forget every instrument (after a reconnect).
    pub fn reset_all(&mut self) {
        self.last.fill(0);
    }

    /// The last accepted update id for `instrument`, if any.
    #[inline]
    pub fn last(&self, instrument: InstrumentId) -> Option<u64> {
        self.last
            .get(instrument.index())
            .copied()
            .filter(|&s| s != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    #[test]
    fn stale_equal_and_reset() {
        let mut g = SeqGuard::new();
        let i = InstrumentId(3);
        assert_eq!(g.check(i, 10), SeqCheck::Fresh);
        assert_eq!(g.check(i, 10), SeqCheck::Stale { last: 10 });
        assert_eq!(g.check(i, 9), SeqCheck::Stale { last: 10 });
        assert_eq!(g.check(InstrumentId(4), 1), SeqCheck::Fresh);
        assert_eq!(g.check(i, 11), SeqCheck::Fresh);
        assert_eq!(g.last(i), Some(11));
        g.reset(i);
        assert_eq!(g.last(i), None);
        assert_eq!(g.check(i, 1), SeqCheck::Fresh);
        assert_eq!(g.check(i, 0), SeqCheck::Fresh);
        assert_eq!(g.check(InstrumentId(u16::MAX), 5), SeqCheck::Fresh);
        g.reset_all();
        assert_eq!(g.last(InstrumentId(4)), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// Against a HashMap model: fresh iff strictly above the last accepted id.
        #[test]
        fn matches_model(ops in proptest::collection::vec((0u16..4, 0u64..20, any::<bool>()), 0..100)) {
            let mut g = SeqGuard::new();
            let mut model: HashMap<u16, u64> = HashMap::new();
            for (inst, seq, reset) in ops {
                let id = InstrumentId(inst);
                if reset {
                    g.reset(id);
                    model.remove(&inst);
                    continue;
                }
                let expect = match model.get(&inst) {
                    Some(&last) if seq != 0 && seq <= last => SeqCheck::Stale { last },
                    _ => {
                        if seq != 0 { model.insert(inst, seq); }
                        SeqCheck::Fresh
                    }
                };
                prop_assert_eq!(g.check(id, seq), expect);
            }
        }
    }
}
