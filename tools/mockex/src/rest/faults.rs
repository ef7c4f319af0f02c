//! Fault injection on the REST side, per venue, at run time ([`RestFault`] through
//! [`Control::inject_rest`](crate::Control::inject_rest)).
//!
//! One lasting mode at a time (a new mode replaces the old; [`RestFault::Clear`] ends it) plus an
//! independent answer delay. Modes act on order placements only, so the client's status queries
//! still find out what happened; the delay acts on every answer. Atomics only.

use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::time::Duration;

/// A REST fault for one venue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestFault {
    /// Execute each order, then answer 5xx (Binance 503 with -1001, Upbit 500): the client cannot
    /// know the order's fate until it queries.
    ServerError,
    /// Execute each order and never answer it (the connection stays open): the client's timeout.
    NoAnswer,
    /// Refuse each order (Binance 400 -2010 insufficient balance, Upbit 400
    /// `insufficient_funds_bid`/`_ask`); nothing executes.
    Reject,
    /// Answer every order 429 with `Retry-After: 1` (not a ban); nothing executes.
    RateLimitStorm,
    /// Delay every answer (orders and queries) by this much; `Duration::ZERO` ends the delay.
    Delay(Duration),
    /// End the lasting mode and the delay.
    Clear,
}

/// The lasting mode's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Normal service.
    Normal,
    /// [`RestFault::ServerError`].
    ServerError,
    /// [`RestFault::NoAnswer`].
    NoAnswer,
    /// [`RestFault::Reject`].
    Reject,
    /// [`RestFault::RateLimitStorm`].
    Storm,
}

/// One venue's REST fault state.
#[derive(Debug, Default)]
pub(crate) struct RestFaultState {
    mode: AtomicU8,
    delay_ns: AtomicU64,
}

impl RestFaultState {
    /// Record `f`.
    pub fn inject(&self, f: RestFault) {
        let mode = |m: Mode| self.mode.store(m as u8, Ordering::Release);
        match f {
            RestFault::ServerError => mode(Mode::ServerError),
            RestFault::NoAnswer => mode(Mode::NoAnswer),
            RestFault::Reject => mode(Mode::Reject),
            RestFault::RateLimitStorm => mode(Mode::Storm),
            RestFault::Delay(d) => self.delay_ns.store(
                u64::try_from(d.as_nanos()).unwrap_or(u64::MAX),
                Ordering::Release,
            ),
            RestFault::Clear => {
                mode(Mode::Normal);
                self.delay_ns.store(0, Ordering::Release);
            }
        }
    }

    /// The mode now.
    pub fn mode(&self) -> Mode {
        match self.mode.load(Ordering::Acquire) {
            1 => Mode::ServerError,
            2 => Mode::NoAnswer,
            3 => Mode::Reject,
            4 => Mode::Storm,
            _ => Mode::Normal,
        }
    }

    /// The answer delay now.
    pub fn delay(&self) -> Duration {
        Duration::from_nanos(self.delay_ns.load(Ordering::Acquire))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_and_delay() {
        let f = RestFaultState::default();
        assert_eq!(f.mode(), Mode::Normal);
        f.inject(RestFault::Delay(Duration::from_millis(500)));
        f.inject(RestFault::RateLimitStorm);
        assert_eq!(
            (f.mode(), f.delay()),
            (Mode::Storm, Duration::from_millis(500))
        );
        f.inject(RestFault::NoAnswer);
        assert_eq!(f.mode(), Mode::NoAnswer);
        f.inject(RestFault::Clear);
        assert_eq!((f.mode(), f.delay()), (Mode::Normal, Duration::ZERO));
    }
}
