//! Reconnect pacing: exponential backoff with jitter (seed 001: `delay = min(delay * 2, max)`),
//! reset once a session has been healthy for a while. Jitter spreads reconnects of many engines
//! (or many connections) after a venue outage, so they do not arrive in lock step.

use crate::base::Rng;

/// Backoff settings, ns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackoffConfig {
    /// First delay.
    pub initial_ns: u64,
    /// Largest delay.
    pub max_ns: u64,
    /// Jitter as a fraction of the delay, in percent (the delay is drawn in `[d - j, d + j]`).
    pub jitter_pct: u64,
    /// A session that stayed open this long resets the delay to `initial_ns`.
    pub healthy_after_ns: u64,
}

impl Default for BackoffConfig {
    fn default() -> Self {
        BackoffConfig {
            initial_ns: 100_000_000,
            max_ns: 30_000_000_000,
            jitter_pct: 20,
            healthy_after_ns: 30_000_000_000,
        }
    }
}

/// Backoff state of one connection.
#[derive(Debug, Clone)]
pub struct Backoff {
    cfg: BackoffConfig,
    next_delay_ns: u64,
    rng: Rng,
}

impl Backoff {
    /// Fresh state; `seed` varies the jitter between connections.
    pub fn new(cfg: BackoffConfig, seed: u64) -> Backoff {
        Backoff {
            next_delay_ns: cfg.initial_ns,
            cfg,
            rng: Rng::new(seed),
        }
    }

    /// The delay before the next attempt (with jitter); doubles the one after, up to the max.
    pub fn next_delay(&mut self) -> u64 {
        let d = self.next_delay_ns;
        self.next_delay_ns = (d.saturating_mul(2)).min(self.cfg.max_ns);
        let j = d / 100 * self.cfg.jitter_pct;
        d - j + self.rng.below(2 * j + 1)
    }

    /// A session ended after lasting `session_ns`: a healthy one resets the delay.
    pub fn session_ended(&mut self, session_ns: u64) {
        if session_ns >= self.cfg.healthy_after_ns {
            self.reset();
        }
    }

    /// Back to the initial delay.
    pub fn reset(&mut self) {
        self.next_delay_ns = self.cfg.initial_ns;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_to_the_cap_with_bounded_jitter_and_resets_when_healthy() {
        let cfg = BackoffConfig {
            initial_ns: 100,
            max_ns: 1000,
            jitter_pct: 20,
            healthy_after_ns: 50,
        };
        let mut b = Backoff::new(cfg, 3);
        let mut base = 100u64;
        for _ in 0..10 {
            let d = b.next_delay();
            assert!(
                d >= base - base / 5 && d <= base + base / 5,
                "{d} around {base}"
            );
            base = (base * 2).min(1000);
        }
        b.session_ended(10);
        assert!(b.next_delay() >= 800, "a short session does not reset");
        b.session_ended(50);
        assert!(b.next_delay() <= 120);
    }
}
