//! Emergency mode of one venue's limiters (seed 003): for a duration every endpoint group runs at
//! half its rate and half its burst (`max(1, burst / 2)`), a single 429 cuts a group, and recovery
//! waits 600 s instead of 300 s. It is entered
//!
//! - by a 418 from the venue ([`EmergencyCause::Ban418`]);
//! - by 429s on more than one endpoint group of the venue within `window_ns`
//!   ([`EmergencyCause::Multi429`]): one group drawing 429s is that group's problem (its ratio is
//!   cut), two say the venue is tighter than we think everywhere;
//! - by the operator (`microarb emergency`, [`EmergencyCause::Operator`]).
//!
//! It leaves by itself when the duration has passed; a new cause while it is on extends it to the
//! later end. Entries (by cause), extensions and exits are counted here and copied to telemetry by
//! the execution stage. This file holds the state and its rules; [`super::zero429`] applies the
//! factor to the groups' limiters. Pure arithmetic on `now_ns`.

use super::gcra::RateRatio;
use super::venue::EndpointGroup;

const SEC: u64 = 1_000_000_000;

/// Why emergency mode was entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmergencyCause {
    /// The venue answered 418 (a ban).
    Ban418,
    /// 429s on more than one endpoint group within the window.
    Multi429,
    /// The operator asked for it (`microarb emergency`).
    Operator,
}

impl EmergencyCause {
    /// Number of causes.
    pub const COUNT: usize = 3;
    /// Every cause, in index order.
    pub const ALL: [EmergencyCause; Self::COUNT] = [
        EmergencyCause::Ban418,
        EmergencyCause::Multi429,
        EmergencyCause::Operator,
    ];

    /// Dense index.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// Stable name for counters and reports.
    pub const fn name(self) -> &'static str {
        match self {
            EmergencyCause::Ban418 => "ban_418",
            EmergencyCause::Multi429 => "multi_group_429",
            EmergencyCause::Operator => "operator",
        }
    }
}

/// Emergency-mode settings. Defaults are seed 003's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmergencyConfig {
    /// How long an automatic entry lasts (`execution.emergency_seconds`; seed: 300 s).
    pub duration_ns: u64,
    /// 429s on two groups within this window enter it (`execution.emergency_window_ms`).
    pub window_ns: u64,
    /// Rate (and burst) factor of every group (seed: 0.5).
    pub factor: RateRatio,
    /// 429s on a group before its ratio is cut, while on (seed: 1).
    pub error_429_threshold: u32,
    /// Quiet time after a 429 before recovery steps start, while on (seed: 600 s).
    pub recovery_delay_ns: u64,
}

impl Default for EmergencyConfig {
    fn default() -> Self {
        EmergencyConfig {
            duration_ns: 300 * SEC,
            window_ns: 60 * SEC,
            factor: RateRatio::HALF,
            error_429_threshold: 1,
            recovery_delay_ns: 600 * SEC,
        }
    }
}

/// What emergency mode has done so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EmergencyCounters {
    /// Times it was entered while off, by [`EmergencyCause::index`].
    pub entries: [u64; EmergencyCause::COUNT],
    /// Times a cause came while it was on and pushed its end later.
    pub extensions: u64,
    /// Times it ended.
    pub exits: u64,
}

/// One venue's emergency state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Emergency {
    /// End of emergency mode, monotonic ns; 0 when off.
    until_ns: u64,
    /// Time of each group's last 429 plus one (0: none yet).
    last_429: [u64; EndpointGroup::COUNT],
    counters: EmergencyCounters,
}

impl Emergency {
    /// Off, nothing counted.
    pub fn new() -> Emergency {
        Emergency::default()
    }

    /// Whether it is on at `now_ns`.
    #[inline]
    pub fn is_on(&self, now_ns: u64) -> bool {
        now_ns < self.until_ns
    }

    /// When it ends (monotonic ns); 0 when it is off or never was.
    pub fn until_ns(&self) -> u64 {
        self.until_ns
    }

    /// Turn it on until `now + duration` (or keep a later end). Returns true when it was off.
    pub fn enter(&mut self, cause: EmergencyCause, duration_ns: u64, now_ns: u64) -> bool {
        let until = now_ns.saturating_add(duration_ns);
        if self.is_on(now_ns) {
            if until > self.until_ns {
                self.until_ns = until;
                self.counters.extensions += 1;
            }
            return false;
        }
        if self.until_ns != 0 {
            // It had ended without anyone looking: that exit counts first.
            self.counters.exits += 1;
        }
        if duration_ns == 0 {
            self.until_ns = 0;
            return false;
        }
        self.until_ns = until;
        self.counters.entries[cause.index()] += 1;
        true
    }

    /// A 429 on `group` at `now_ns`; true when another group had one within `window_ns`, which
    /// is the [`EmergencyCause::Multi429`] rule.
    pub fn on_429(&mut self, group: EndpointGroup, window_ns: u64, now_ns: u64) -> bool {
        self.last_429[group.index()] = now_ns.saturating_add(1);
        self.last_429.iter().enumerate().any(|(i, &t)| {
            i != group.index() && t != 0 && now_ns.saturating_sub(t - 1) <= window_ns
        })
    }

    /// Leave now (counted as an exit when it was on or had ended unobserved). Returns whether
    /// there was anything to leave.
    pub fn exit(&mut self) -> bool {
        let was = self.until_ns != 0;
        if was {
            self.counters.exits += 1;
        }
        self.until_ns = 0;
        was
    }

    /// Leave if the duration has passed at `now_ns`. Returns true on that exit. One compare when
    /// nothing is due.
    #[inline]
    pub fn expire(&mut self, now_ns: u64) -> bool {
        if self.until_ns == 0 || now_ns < self.until_ns {
            return false;
        }
        self.until_ns = 0;
        self.counters.exits += 1;
        true
    }

    /// The counts so far.
    pub fn counters(&self) -> EmergencyCounters {
        self.counters
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enter_extend_expire_are_counted() {
        let mut e = Emergency::new();
        assert!(!e.is_on(0));
        assert!(e.enter(EmergencyCause::Operator, 300 * SEC, 10 * SEC));
        assert!(e.is_on(309 * SEC) && !e.is_on(310 * SEC));
        assert!(
            !e.enter(EmergencyCause::Ban418, 300 * SEC, 100 * SEC),
            "already on"
        );
        assert_eq!(e.until_ns(), 400 * SEC);
        assert!(
            !e.enter(EmergencyCause::Ban418, SEC, 101 * SEC),
            "an earlier end is ignored"
        );
        assert!(!e.expire(399 * SEC));
        assert!(e.expire(400 * SEC));
        assert!(!e.expire(401 * SEC), "one exit");
        let c = e.counters();
        assert_eq!(c.entries, [0, 0, 1]);
        assert_eq!((c.extensions, c.exits), (1, 1));
    }

    #[test]
    fn an_unobserved_end_counts_its_exit_on_the_next_entry() {
        let mut e = Emergency::new();
        e.enter(EmergencyCause::Multi429, SEC, 0);
        assert!(e.enter(EmergencyCause::Multi429, SEC, 5 * SEC));
        assert_eq!(e.counters().exits, 1);
        assert_eq!(e.counters().entries[EmergencyCause::Multi429.index()], 2);
        assert!(e.exit());
        assert!(!e.is_on(5 * SEC));
        assert_eq!(e.counters().exits, 2);
    }

    #[test]
    fn two_groups_within_the_window_trigger_one_does_not() {
        let mut e = Emergency::new();
        let w = 60 * SEC;
        assert!(
            !e.on_429(EndpointGroup::Order, w, 0),
            "a first 429 at t = 0 counts"
        );
        assert!(!e.on_429(EndpointGroup::Order, w, 10 * SEC), "same group");
        assert!(e.on_429(EndpointGroup::ExchangeDefault, w, 70 * SEC));
        assert!(
            !e.on_429(EndpointGroup::Quotation, w, 200 * SEC),
            "too far apart"
        );
    }
}
