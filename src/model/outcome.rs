//! The terminal states of an opportunity. Every detected opportunity ends in exactly one of them,
//! and the report checks that the counters add up to the number detected.

/// Why an opportunity was not executed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum RejectReason {
    /// The same (instrument, buy, sell, prices) is live in the opportunity cache.
    Duplicate = 0,
    /// A leg's quote went stale before execution.
    StaleQuote = 1,
    /// The edge after fees fell below `min_profit_bps`.
    BelowThreshold = 2,
    /// A risk limit (order notional, open notional, loss) refused it.
    RiskLimit = 3,
    /// No execution slot was free.
    NoSlot = 4,
    /// A rate-limit token did not come before the opportunity's deadline.
    RateLimited = 5,
    /// A leg's venue circuit breaker is open.
    BreakerOpen = 6,
    /// A leg's venue lacks the balance.
    InsufficientBalance = 7,
    /// The kill switch is on.
    KillSwitch = 8,
    /// Both legs were sent and neither filled anything (each IOC found no liquidity at its limit, or
    /// the venue refused it): no position, nothing to unwind.
    NoFill = 9,
    /// A leg's venue is a feed only (`venues[].trade = false`): nothing was sent.
    FeedOnly = 10,
    /// A leg's latest quote came from the REST fallback (polled during a WebSocket outage) and
    /// `ingest.trade_on_rest_quotes` is off.
    RestQuote = 11,
    /// A leg would fall under its venue's minimum quantity or minimum notional once its price is
    /// on tick and its quantity on step (`exec::rules`): refused before any leg is sent, since the
    /// venue would refuse that leg and leave the other one unhedged.
    BelowMinimum = 12,
    /// A leg's venue has no known trading rules for the instrument (its instrument answer at
    /// start-up was missing, refused or contradictory, or no tick covers the price): nothing is
    /// sent to a venue whose tick and step the engine does not know.
    NoRules = 13,
}

impl RejectReason {
    /// Every reason, in counter order.
    pub const ALL: [RejectReason; 14] = [
        RejectReason::Duplicate,
        RejectReason::StaleQuote,
        RejectReason::BelowThreshold,
        RejectReason::RiskLimit,
        RejectReason::NoSlot,
        RejectReason::RateLimited,
        RejectReason::BreakerOpen,
        RejectReason::InsufficientBalance,
        RejectReason::KillSwitch,
        RejectReason::NoFill,
        RejectReason::FeedOnly,
        RejectReason::RestQuote,
        RejectReason::BelowMinimum,
        RejectReason::NoRules,
    ];

    /// Stable snake_case name used in reports and `--opps` output.
    pub const fn name(self) -> &'static str {
        match self {
            RejectReason::Duplicate => "duplicate",
            RejectReason::StaleQuote => "stale_quote",
            RejectReason::BelowThreshold => "below_threshold",
            RejectReason::RiskLimit => "risk_limit",
            RejectReason::NoSlot => "no_slot",
            RejectReason::RateLimited => "rate_limited",
            RejectReason::BreakerOpen => "breaker_open",
            RejectReason::InsufficientBalance => "insufficient_balance",
            RejectReason::KillSwitch => "kill_switch",
            RejectReason::NoFill => "no_fill",
            RejectReason::FeedOnly => "feed_only",
            RejectReason::RestQuote => "rest_quote",
            RejectReason::BelowMinimum => "below_minimum",
            RejectReason::NoRules => "no_rules",
        }
    }
}

/// Number of distinct terminal states (4 plain ones plus one per reject reason).
pub const OUTCOME_COUNT: usize = 4 + RejectReason::ALL.len();

/// How an opportunity ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Both legs filled.
    Executed,
    /// One leg filled, the other not: the imbalance is recorded and handled by the legging policy.
    Partial,
    /// Refused, with the reason.
    Rejected(RejectReason),
    /// Its deadline passed before it could be sent.
    Expired,
    /// A full ring dropped it.
    Dropped,
}

impl Outcome {
    /// Dense index for counter arrays: 0 executed, 1 partial, 2 expired, 3 dropped, 4.. rejected.
    pub const fn index(self) -> usize {
        match self {
            Outcome::Executed => 0,
            Outcome::Partial => 1,
            Outcome::Expired => 2,
            Outcome::Dropped => 3,
            Outcome::Rejected(r) => 4 + r as usize,
        }
    }

    /// Inverse of [`Outcome::index`].
    pub fn from_index(i: usize) -> Option<Outcome> {
        match i {
            0 => Some(Outcome::Executed),
            1 => Some(Outcome::Partial),
            2 => Some(Outcome::Expired),
            3 => Some(Outcome::Dropped),
            _ => RejectReason::ALL.get(i - 4).map(|r| Outcome::Rejected(*r)),
        }
    }

    /// Stable name: `executed`, `partial`, `expired`, `dropped`, or `rejected:<reason>`.
    pub const fn name(self) -> &'static str {
        match self {
            Outcome::Executed => "executed",
            Outcome::Partial => "partial",
            Outcome::Expired => "expired",
            Outcome::Dropped => "dropped",
            Outcome::Rejected(r) => match r {
                RejectReason::Duplicate => "rejected:duplicate",
                RejectReason::StaleQuote => "rejected:stale_quote",
                RejectReason::BelowThreshold => "rejected:below_threshold",
                RejectReason::RiskLimit => "rejected:risk_limit",
                RejectReason::NoSlot => "rejected:no_slot",
                RejectReason::RateLimited => "rejected:rate_limited",
                RejectReason::BreakerOpen => "rejected:breaker_open",
                RejectReason::InsufficientBalance => "rejected:insufficient_balance",
                RejectReason::KillSwitch => "rejected:kill_switch",
                RejectReason::NoFill => "rejected:no_fill",
                RejectReason::FeedOnly => "rejected:feed_only",
                RejectReason::RestQuote => "rejected:rest_quote",
                RejectReason::BelowMinimum => "rejected:below_minimum",
                RejectReason::NoRules => "rejected:no_rules",
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_round_trips() {
        for i in 0..OUTCOME_COUNT {
            let o = Outcome::from_index(i).expect("dense index");
            assert_eq!(o.index(), i);
        }
        assert_eq!(Outcome::from_index(OUTCOME_COUNT), None);
    }
}
