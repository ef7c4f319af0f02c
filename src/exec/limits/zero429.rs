//! The adaptive zero-429 policy for one venue: a GCRA per endpoint group whose rate is cut on a 429
//! and recovered slowly, `Retry-After` and bans honoured, and the venue's usage headers used to stop
//! *before* a 429 (seed 003's policy: `error_429_threshold = 1`, `recovery_delay = 300 s`,
//! `recovery_step = 0.05`, emergency mode at 50 %).
//!
//! # Rules
//!
//! - **429 on a group**: after `error_429_threshold` of them (1: the first) the group's ratio is
//!   multiplied by `cut_ratio` (0.5; a second cut from 0.5 gives 0.25, floored at
//!   [`RateRatio::MIN`]); the group is blocked until `now + Retry-After` (or `default_retry_after_ns`
//!   when the venue sent none or an unparsable one); the recovery clock restarts.
//! - **Recovery**: `recovery_delay_ns` after the last 429 the ratio rises by `recovery_step`, then one
//!   more step every `recovery_interval_ns` while no 429 comes, up to 1.0. The default interval equals
//!   the delay (300 s): each 5 % step must itself survive five quiet minutes before the next, so a cut
//!   to 0.5 takes 50 minutes to undo. That is slow on purpose: a 429 leads to a 418 ban, which costs
//!   far more than a slow hour. Steps are computed from the time, so a group nobody checked for an
//!   hour catches up in one go.
//! - **418 (ban)**: every group of the venue is blocked until `now + Retry-After` (or
//!   `default_ban_ns`), and every group's ratio is cut as for a 429.
//! - **Emergency mode** ([`super::emergency`]): for a set duration every group runs at half its
//!   ratio and half its burst, one 429 cuts a group and recovery waits 600 s; entered on a 418, on
//!   429s in more than one group within a window, or by the operator
//!   ([`Zero429::enter_emergency`]); recovery continues underneath, and rate and burst come back by
//!   themselves when the duration ends.
//! - **Usage headers**: Upbit `Remaining-Req ... sec=N` with `N <= upbit_hold_at_sec` (1) holds that
//!   group for one second (we do not know where the venue's second starts, so a whole second is the
//!   only hold that is never early). Binance `X-MBX-USED-WEIGHT-1M` / `X-MBX-ORDER-COUNT-10S` / `-1D`
//!   at or above `binance_hold_at_pct` (90 %) of the limit hold that group until the venue's window
//!   ends; Binance windows are aligned to wall-clock time, so the caller passes the wall clock
//!   (`unix_ns`) next to the monotonic `now_ns`.
//!
//! Everything is driven by `now_ns` arguments and returns what changed, so the caller counts and
//! logs off the hot path. [`Zero429::check`] costs a few compares plus the GCRA; the division that
//! rescales a GCRA happens only when a ratio actually changes.

use super::emergency::{Emergency, EmergencyCause, EmergencyConfig};
use super::gcra::{Gcra, GcraError, RateRatio};
use super::rate_headers::BinanceUsage;
use super::venue::{default_limit, EndpointGroup, LimitError, LimitSpec};
use crate::model::VenueKind;
use thiserror::Error;

const SEC: u64 = 1_000_000_000;
const GROUPS: usize = EndpointGroup::COUNT;

/// Policy knobs. Defaults are seed 003's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zero429Config {
    /// 429s on a group before its ratio is cut (1: the first one).
    pub error_429_threshold: u32,
    /// Factor applied to a group's ratio on a cut.
    pub cut_ratio: RateRatio,
    /// Quiet time after the last 429 before the first recovery step.
    pub recovery_delay_ns: u64,
    /// Ratio added per recovery step.
    pub recovery_step: RateRatio,
    /// Quiet time between recovery steps.
    pub recovery_interval_ns: u64,
    /// Emergency mode: duration, trigger window, factor, and its threshold and recovery delay.
    pub emergency: EmergencyConfig,
    /// Block after a 429 without a usable `Retry-After`.
    pub default_retry_after_ns: u64,
    /// Ban after a 418 without a usable `Retry-After` (Binance bans last 2 min at least).
    pub default_ban_ns: u64,
    /// Upbit: hold a group when `Remaining-Req` `sec` is at or below this.
    pub upbit_hold_at_sec: u32,
    /// Binance: hold a group when usage reaches this percentage of its limit.
    pub binance_hold_at_pct: u32,
}

impl Default for Zero429Config {
    fn default() -> Self {
        Zero429Config {
            error_429_threshold: 1,
            cut_ratio: RateRatio::HALF,
            recovery_delay_ns: 300 * SEC,
            recovery_step: RateRatio(RateRatio::SCALE / 20),
            recovery_interval_ns: 300 * SEC,
            emergency: EmergencyConfig::default(),
            default_retry_after_ns: SEC,
            default_ban_ns: 120 * SEC,
            upbit_hold_at_sec: 1,
            binance_hold_at_pct: 90,
        }
    }
}

/// Why a request may not go now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum Throttle {
    /// The venue banned us (418) until then.
    #[error("venue ban until {until_ns} ns")]
    Banned {
        /// End of the ban, monotonic ns.
        until_ns: u64,
    },
    /// A 429's `Retry-After` blocks the group until then.
    #[error("retry-after until {until_ns} ns")]
    RetryAfter {
        /// End of the block, monotonic ns.
        until_ns: u64,
    },
    /// A usage header said the venue's window is nearly spent.
    #[error("usage header hold until {until_ns} ns")]
    HeaderHold {
        /// End of the hold, monotonic ns.
        until_ns: u64,
    },
    /// The group's GCRA has no token before then.
    #[error("rate limited until {until_ns} ns")]
    Rate {
        /// Earliest token, monotonic ns.
        until_ns: u64,
    },
    /// More tokens than the group's effective burst: never passes in one piece.
    #[error("batch of {n} exceeds burst {burst}")]
    BatchTooLarge {
        /// Tokens asked for.
        n: u32,
        /// Effective burst.
        burst: u32,
    },
    /// This venue has no limit configured for the group: refused rather than sent unlimited.
    #[error("no limit configured for group {0:?}")]
    NoLimit(EndpointGroup),
}

impl Throttle {
    /// When the request could pass, if ever.
    pub fn until_ns(&self) -> Option<u64> {
        match *self {
            Throttle::Banned { until_ns }
            | Throttle::RetryAfter { until_ns }
            | Throttle::HeaderHold { until_ns }
            | Throttle::Rate { until_ns } => Some(until_ns),
            Throttle::BatchTooLarge { .. } | Throttle::NoLimit(_) => None,
        }
    }
}

/// A group's ratio moved (returned so the caller can log it off the hot path).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RatioChange {
    /// Which group.
    pub group: EndpointGroup,
    /// Policy ratio before.
    pub from: RateRatio,
    /// Policy ratio after.
    pub to: RateRatio,
}

/// Per-group counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GroupCounters {
    /// 429s seen.
    pub status_429: u64,
    /// Ratio cuts made.
    pub cuts: u64,
    /// Recovery steps taken.
    pub recovery_steps: u64,
    /// Holds set from usage headers.
    pub header_holds: u64,
    /// Requests refused by [`Zero429::check`].
    pub throttled: u64,
}

#[derive(Debug, Clone, Copy)]
struct Group {
    gcra: Option<Gcra>,
    spec: Option<LimitSpec>,
    ratio: RateRatio,
    blocked_until_ns: u64,
    block_is_header: bool,
    pending_429: u32,
    next_step_ns: u64,
    counters: GroupCounters,
    /// The limiter's tolerance at full burst, ns.
    base_tolerance_ns: u64,
}

/// The zero-429 limiter set for one venue. Single owner (the execution stage).
#[derive(Debug, Clone)]
pub struct Zero429 {
    cfg: Zero429Config,
    groups: [Group; GROUPS],
    banned_until_ns: u64,
    emergency: Emergency,
    bans: u64,
}

impl Zero429 {
    /// The venue's default limits ([`default_limit`]) under `cfg`.
    pub fn for_venue(kind: VenueKind, cfg: Zero429Config) -> Result<Zero429, LimitError> {
        Zero429::with_limits(EndpointGroup::ALL.map(|g| default_limit(kind, g)), cfg)
    }

    /// Explicit limits, indexed by [`EndpointGroup::index`]; `None` for groups the venue lacks.
    pub fn with_limits(
        specs: [Option<LimitSpec>; GROUPS],
        cfg: Zero429Config,
    ) -> Result<Zero429, LimitError> {
        let mut groups = [Group {
            gcra: None,
            spec: None,
            ratio: RateRatio::ONE,
            blocked_until_ns: 0,
            block_is_header: false,
            pending_429: 0,
            next_step_ns: 0,
            counters: GroupCounters::default(),
            base_tolerance_ns: 0,
        }; GROUPS];
        for (g, spec) in groups.iter_mut().zip(specs) {
            if let Some(spec) = spec {
                let gcra = spec.gcra()?;
                g.base_tolerance_ns = gcra.tolerance_ns;
                g.gcra = Some(gcra);
                g.spec = Some(spec);
            }
        }
        Ok(Zero429 {
            cfg,
            groups,
            banned_until_ns: 0,
            emergency: Emergency::new(),
            bans: 0,
        })
    }

    /// Take `n` tokens of `group` at `now_ns` (all or none), or say why not and until when.
    #[inline]
    pub fn check(&mut self, group: EndpointGroup, n: u32, now_ns: u64) -> Result<(), Throttle> {
        self.refresh(group, now_ns);
        let banned = self.banned_until_ns;
        let g = &mut self.groups[group.index()];
        let verdict = if now_ns < banned {
            Err(Throttle::Banned { until_ns: banned })
        } else if now_ns < g.blocked_until_ns {
            let until_ns = g.blocked_until_ns;
            Err(if g.block_is_header {
                Throttle::HeaderHold { until_ns }
            } else {
                Throttle::RetryAfter { until_ns }
            })
        } else if let Some(gcra) = g.gcra.as_mut() {
            gcra.check_n(n, now_ns).map_err(|e| match e {
                GcraError::NotUntil { earliest_ns } => Throttle::Rate {
                    until_ns: earliest_ns,
                },
                GcraError::BatchTooLarge { n, burst } => Throttle::BatchTooLarge { n, burst },
            })
        } else {
            Err(Throttle::NoLimit(group))
        };
        if verdict.is_err() {
            g.counters.throttled += 1;
        }
        verdict
    }

    /// The earliest time one token of `group` could be taken (for [`super::wait`]); `None` when the
    /// venue has no limit for it.
    pub fn earliest_at(&mut self, group: EndpointGroup, now_ns: u64) -> Option<u64> {
        self.refresh(group, now_ns);
        let g = &self.groups[group.index()];
        let gcra = g.gcra.as_ref()?;
        Some(
            gcra.earliest_at(now_ns)
                .max(g.blocked_until_ns)
                .max(self.banned_until_ns),
        )
    }

    /// A 429 on `group`; `retry_after_ns` as parsed from the header, if any.
    pub fn on_429(
        &mut self,
        group: EndpointGroup,
        retry_after_ns: Option<u64>,
        now_ns: u64,
    ) -> Option<RatioChange> {
        let cfg = self.cfg;
        if self
            .emergency
            .on_429(group, cfg.emergency.window_ns, now_ns)
        {
            self.enter_emergency(EmergencyCause::Multi429, cfg.emergency.duration_ns, now_ns);
        }
        let (threshold, delay) = self.policy(now_ns);
        let g = &mut self.groups[group.index()];
        g.counters.status_429 += 1;
        let until = now_ns.saturating_add(retry_after_ns.unwrap_or(cfg.default_retry_after_ns));
        if until > g.blocked_until_ns {
            g.blocked_until_ns = until;
            g.block_is_header = false;
        }
        g.next_step_ns = now_ns.saturating_add(delay);
        g.pending_429 += 1;
        if g.pending_429 < threshold.max(1) {
            return None;
        }
        g.pending_429 = 0;
        g.counters.cuts += 1;
        let from = g.ratio;
        g.ratio = from.mul(cfg.cut_ratio);
        self.apply_ratio(group, now_ns);
        Some(RatioChange {
            group,
            from,
            to: self.groups[group.index()].ratio,
        })
    }

    /// A 418: the venue is banned until `now + retry_after`, emergency mode starts (or is
    /// extended) and every group is cut. Returns how many groups were cut.
    pub fn on_418(&mut self, retry_after_ns: Option<u64>, now_ns: u64) -> usize {
        self.bans += 1;
        let d = self.cfg.emergency.duration_ns;
        self.enter_emergency(EmergencyCause::Ban418, d, now_ns);
        let (_, delay) = self.policy(now_ns);
        let until = now_ns.saturating_add(retry_after_ns.unwrap_or(self.cfg.default_ban_ns));
        self.banned_until_ns = self.banned_until_ns.max(until);
        let mut cut = 0;
        for group in EndpointGroup::ALL {
            let g = &mut self.groups[group.index()];
            if g.gcra.is_none() {
                continue;
            }
            g.ratio = g.ratio.mul(self.cfg.cut_ratio);
            g.counters.cuts += 1;
            g.pending_429 = 0;
            g.next_step_ns = now_ns.saturating_add(delay);
            self.apply_ratio(group, now_ns);
            cut += 1;
        }
        cut
    }

    /// Upbit's `Remaining-Req` said `sec_remaining` for `group`: hold it a second when nearly spent.
    /// Returns whether a hold was set.
    pub fn on_upbit_remaining(
        &mut self,
        group: EndpointGroup,
        sec_remaining: u32,
        now_ns: u64,
    ) -> bool {
        if sec_remaining > self.cfg.upbit_hold_at_sec {
            return false;
        }
        self.hold(group, now_ns.saturating_add(SEC))
    }

    /// Bybit's `X-Bapi-Limit-Status` said `remaining` requests are left for `group`, the window
    /// resetting at `reset_unix_ms` (`unix_ns` is the wall clock at `now_ns`). At or below
    /// `upbit_hold_at_sec` (the same "nearly spent" threshold as Upbit's per-second count: Bybit's
    /// window is a rolling second too) the group is held until the reset, at least one second (the
    /// venue sends the current time when the limit was not exceeded) and at most a minute (a
    /// wall clock far off must not stop trading for longer). Returns whether a hold was set.
    pub fn on_bybit_limit(
        &mut self,
        group: EndpointGroup,
        remaining: u32,
        reset_unix_ms: Option<u64>,
        now_ns: u64,
        unix_ns: u64,
    ) -> bool {
        if remaining > self.cfg.upbit_hold_at_sec {
            return false;
        }
        let left = reset_unix_ms
            .map_or(0, |ms| ms.saturating_mul(1_000_000).saturating_sub(unix_ns))
            .clamp(SEC, 60 * SEC);
        self.hold(group, now_ns.saturating_add(left))
    }

    /// Binance usage headers from one response; `unix_ns` is the wall clock at `now_ns`, used to find
    /// the end of the venue's window. Returns how many holds were set.
    pub fn on_binance_usage(&mut self, usage: &BinanceUsage, now_ns: u64, unix_ns: u64) -> usize {
        let mut holds = 0;
        for (group, used, window_ns) in [
            (EndpointGroup::RequestWeight, usage.used_weight_1m, 60 * SEC),
            (EndpointGroup::Orders10s, usage.order_count_10s, 10 * SEC),
            (EndpointGroup::OrdersDay, usage.order_count_1d, 86_400 * SEC),
        ] {
            let (Some(used), Some(spec)) = (used, self.groups[group.index()].spec) else {
                continue;
            };
            if u64::from(used) * 100
                >= u64::from(spec.limit) * u64::from(self.cfg.binance_hold_at_pct)
            {
                let left = window_ns - unix_ns % window_ns;
                holds += usize::from(self.hold(group, now_ns.saturating_add(left)));
            }
        }
        holds
    }

    /// The group's policy ratio (before the emergency factor).
    pub fn ratio(&self, group: EndpointGroup) -> RateRatio {
        self.groups[group.index()].ratio
    }

    /// The group's limiter as it stands (effective interval and burst included).
    pub fn gcra(&self, group: EndpointGroup) -> Option<&Gcra> {
        self.groups[group.index()].gcra.as_ref()
    }

    /// The group's counters.
    pub fn counters(&self, group: EndpointGroup) -> GroupCounters {
        self.groups[group.index()].counters
    }

    /// Bans (418s) seen.
    pub fn bans(&self) -> u64 {
        self.bans
    }

    fn hold(&mut self, group: EndpointGroup, until_ns: u64) -> bool {
        let g = &mut self.groups[group.index()];
        if g.gcra.is_none() || until_ns <= g.blocked_until_ns {
            return false;
        }
        g.blocked_until_ns = until_ns;
        g.block_is_header = true;
        g.counters.header_holds += 1;
        true
    }

    /// Apply a due end of emergency mode, due recovery steps and the emergency factor to `group`'s
    /// limiter.
    #[inline]
    fn refresh(&mut self, group: EndpointGroup, now_ns: u64) {
        if self.emergency.expire(now_ns) {
            for g in EndpointGroup::ALL {
                self.apply_ratio(g, now_ns);
            }
        }
        let cfg = self.cfg;
        let g = &mut self.groups[group.index()];
        if g.ratio < RateRatio::ONE && now_ns >= g.next_step_ns {
            let interval = cfg.recovery_interval_ns.max(1);
            let step = u64::from(cfg.recovery_step.0.max(1));
            let needed = u64::from(RateRatio::SCALE - g.ratio.0).div_ceil(step);
            let steps = (1 + (now_ns - g.next_step_ns) / interval).min(needed);
            let raised = u64::from(g.ratio.0) + steps * step;
            g.ratio = RateRatio(raised.min(u64::from(RateRatio::SCALE)) as u32);
            g.next_step_ns = g
                .next_step_ns
                .saturating_add(steps.saturating_mul(interval));
            g.counters.recovery_steps += steps;
        }
        self.apply_ratio(group, now_ns);
    }

    /// Push the effective ratio (policy x emergency) into the group's GCRA if it changed, and
    /// its tolerance: the full burst's, or in emergency mode at most `max(1, burst / 2)` tokens
    /// (never more than the full burst's tolerance, so a cut group's burst only shrinks).
    #[inline]
    fn apply_ratio(&mut self, group: EndpointGroup, now_ns: u64) {
        let emergency = self.emergency.is_on(now_ns);
        let factor = self.cfg.emergency.factor;
        let g = &mut self.groups[group.index()];
        let (Some(gcra), Some(spec)) = (g.gcra.as_mut(), g.spec) else {
            return;
        };
        let effective = if emergency {
            g.ratio.mul(factor)
        } else {
            g.ratio
        };
        if gcra.ratio() != effective {
            gcra.set_ratio(effective);
        }
        let tolerance = if emergency {
            let half = u64::from((spec.burst / 2).max(1));
            gcra.emission_interval_ns
                .saturating_mul(half - 1)
                .min(g.base_tolerance_ns)
        } else {
            g.base_tolerance_ns
        };
        if gcra.tolerance_ns != tolerance {
            gcra.set_tolerance_ns(tolerance);
        }
    }
}

#[path = "zero429_emergency.rs"]
mod emergency_mode;

#[cfg(test)]
#[path = "zero429_tests.rs"]
mod tests;
