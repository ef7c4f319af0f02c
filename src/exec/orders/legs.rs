//! The legging policy: what to do when the two legs of an arbitrage did not fill the same quantity.
//!
//! Both legs go out together as IOC limit orders. When they come back unequal (one filled, the other
//! not, or less), the engine holds an unhedged position: long base on the buy venue when the buy
//! filled more, short base on the sell venue when the sell filled more. The imbalance is recorded
//! and handled by the configured policy (`execution.legging`):
//!
//! - `unwind`: send an opposite IOC on the venue whose leg filled, for the imbalance, at a price at
//!   most `unwind_max_bps` worse than that leg's fill: sell back what was bought at no less than
//!   `buy_fill * (1 - u)`, buy back what was sold at no more than `sell_fill * (1 + u)`. The bound is
//!   rounded toward the better side, so the loss per unit is never above `u`.
//! - `retry`: re-send the missing leg for the imbalance at its original (slippage-widened) limit, so
//!   the arbitrage completes at its planned edge or not at all; the last hedge order allowed
//!   (`legging_max_orders`) is always an unwind, so a retry that keeps missing still flattens.
//!
//! At most `legging_max_orders` hedge orders are sent per arbitrage; what is left after them is a
//! residual imbalance, counted and left to the operator (an engine that chases a market with more
//! and more orders is worse than one that stops and says so). Every hedge is for exactly the current
//! imbalance, so a hedge can never overshoot into the opposite position.
//!
//! The decision is a pure function of the fills so far; the stage owns the orders, and puts each
//! hedge on its venue's tick and step before sending it (`crate::exec::rules::RulesTable::fit_hedge`:
//! the price toward the hedge's better side, so an unwind's bound still holds; a hedge the rules
//! refuse is not sent and the imbalance stays as residual).
//!
//! [`widen`] is exact at the price mantissa's scale and knows no tick: `60000.5` widened by 1 bp
//! is `60006.50005`. Order limits go through `crate::exec::rules::TickTable::limit`, which rounds
//! that onto the tick inside the buffer.

use crate::config::LeggingKind;
use crate::model::{Bps, Outcome, Price, Qty, RejectReason, Side, VenueId};

/// Legging settings from config.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeggingParams {
    /// Unwind or retry.
    pub policy: LeggingKind,
    /// Most hedge orders per arbitrage (at least 1).
    pub max_orders: u32,
    /// Bound on how much worse than the filled leg an unwind may trade.
    pub unwind_max: Bps,
}

impl Default for LeggingParams {
    fn default() -> Self {
        LeggingParams {
            policy: LeggingKind::Unwind,
            max_orders: 2,
            unwind_max: Bps(20 * Bps::SCALE),
        }
    }
}

/// Whether a hedge re-sends the missing leg or reverses the filled one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HedgeKind {
    /// The missing leg again, at its original limit.
    Retry,
    /// The filled leg reversed, at a bounded-worse limit.
    Unwind,
}

/// One hedge order to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hedge {
    /// Retry or unwind.
    pub kind: HedgeKind,
    /// Venue to send it to.
    pub venue: VenueId,
    /// Buy or sell.
    pub side: Side,
    /// Quantity: the whole current imbalance.
    pub qty: Qty,
    /// Limit price.
    pub px: Price,
}

/// What one arbitrage looks like to the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Legs {
    /// Buy venue.
    pub buy_venue: VenueId,
    /// Sell venue.
    pub sell_venue: VenueId,
    /// The buy leg's limit (slippage-widened).
    pub buy_limit: Price,
    /// The sell leg's limit (slippage-widened).
    pub sell_limit: Price,
    /// Reference price of what was bought (buy fill price; the limit when none is known).
    pub buy_ref: Price,
    /// Reference price of what was sold.
    pub sell_ref: Price,
}

/// `px * (1 + sign * bps)`, rounded `up` or down. `bps` in hundredths of a bp.
pub fn widen(px: Price, bps: Bps, add: bool, up: bool) -> Price {
    let den: i128 = 1_000_000;
    let factor = if add {
        den + i128::from(bps.0)
    } else {
        den - i128::from(bps.0)
    };
    let n = i128::from(px.0) * factor;
    let q = n.div_euclid(den);
    let q = if up && n.rem_euclid(den) != 0 {
        q + 1
    } else {
        q
    };
    Price(i64::try_from(q).unwrap_or(if q > 0 { i64::MAX } else { i64::MIN }))
}

impl LeggingParams {
    /// The next hedge for an arbitrage that has `bought` and `sold` so far and already sent
    /// `hedges_sent` hedge orders; `None` when flat or out of hedges.
    pub fn next(&self, legs: &Legs, bought: Qty, sold: Qty, hedges_sent: u32) -> Option<Hedge> {
        let net = bought.0.saturating_sub(sold.0);
        if net == 0 || hedges_sent >= self.max_orders.max(1) {
            return None;
        }
        let last = hedges_sent + 1 >= self.max_orders.max(1);
        let qty = Qty(net.saturating_abs());
        let long = net > 0;
        let h = if self.policy == LeggingKind::Retry && !last {
            if long {
                Hedge {
                    kind: HedgeKind::Retry,
                    venue: legs.sell_venue,
                    side: Side::Sell,
                    qty,
                    px: legs.sell_limit,
                }
            } else {
                Hedge {
                    kind: HedgeKind::Retry,
                    venue: legs.buy_venue,
                    side: Side::Buy,
                    qty,
                    px: legs.buy_limit,
                }
            }
        } else if long {
            Hedge {
                kind: HedgeKind::Unwind,
                venue: legs.buy_venue,
                side: Side::Sell,
                qty,
                px: widen(legs.buy_ref, self.unwind_max, false, true),
            }
        } else {
            Hedge {
                kind: HedgeKind::Unwind,
                venue: legs.sell_venue,
                side: Side::Buy,
                qty,
                px: widen(legs.sell_ref, self.unwind_max, true, false),
            }
        };
        Some(h)
    }
}

/// The terminal state of an arbitrage from its two original legs' fills: equal and non-zero is
/// `Executed` (a smaller hedged trade when both filled partly alike), unequal is `Partial`, nothing
/// at all is `rejected: rate_limited` when a leg was answered 429, else `rejected: no_fill`.
pub fn outcome(bought: Qty, sold: Qty, any_429: bool) -> Outcome {
    if bought.0 == 0 && sold.0 == 0 {
        Outcome::Rejected(if any_429 {
            RejectReason::RateLimited
        } else {
            RejectReason::NoFill
        })
    } else if bought == sold {
        Outcome::Executed
    } else {
        Outcome::Partial
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const A: VenueId = VenueId(0);
    const B: VenueId = VenueId(1);

    fn legs() -> Legs {
        Legs {
            buy_venue: A,
            sell_venue: B,
            buy_limit: Price(1_001_000),
            sell_limit: Price(1_009_000),
            buy_ref: Price(1_000_000),
            sell_ref: Price(1_010_000),
        }
    }

    #[test]
    fn unwind_reverses_the_filled_leg_within_the_bound() {
        let p = LeggingParams::default(); // 20 bp
        let h = p.next(&legs(), Qty(5), Qty(0), 0).unwrap();
        assert_eq!(
            h,
            Hedge {
                kind: HedgeKind::Unwind,
                venue: A,
                side: Side::Sell,
                qty: Qty(5),
                px: Price(998_000)
            }
        );
        let h = p.next(&legs(), Qty(1), Qty(4), 0).unwrap();
        assert_eq!((h.venue, h.side, h.qty), (B, Side::Buy, Qty(3)));
        assert_eq!(h.px, Price(1_012_020));
        assert_eq!(p.next(&legs(), Qty(4), Qty(4), 0), None, "flat");
        assert_eq!(p.next(&legs(), Qty(4), Qty(0), 2), None, "out of hedges");
    }

    #[test]
    fn retry_resends_the_missing_leg_then_unwinds() {
        let p = LeggingParams {
            policy: LeggingKind::Retry,
            max_orders: 3,
            ..Default::default()
        };
        let h = p.next(&legs(), Qty(5), Qty(0), 0).unwrap();
        assert_eq!(
            (h.kind, h.venue, h.side, h.qty, h.px),
            (HedgeKind::Retry, B, Side::Sell, Qty(5), Price(1_009_000))
        );
        let h = p.next(&legs(), Qty(0), Qty(2), 1).unwrap();
        assert_eq!(
            (h.kind, h.venue, h.side, h.px),
            (HedgeKind::Retry, A, Side::Buy, Price(1_001_000))
        );
        let h = p.next(&legs(), Qty(5), Qty(3), 2).unwrap();
        assert_eq!(
            (h.kind, h.venue, h.side, h.qty),
            (HedgeKind::Unwind, A, Side::Sell, Qty(2))
        );
        let one = LeggingParams { max_orders: 1, ..p };
        assert_eq!(
            one.next(&legs(), Qty(5), Qty(0), 0).unwrap().kind,
            HedgeKind::Unwind
        );
    }

    #[test]
    fn outcomes() {
        assert_eq!(outcome(Qty(3), Qty(3), false), Outcome::Executed);
        assert_eq!(outcome(Qty(3), Qty(0), true), Outcome::Partial);
        assert_eq!(
            outcome(Qty(0), Qty(0), true),
            Outcome::Rejected(RejectReason::RateLimited)
        );
        assert_eq!(
            outcome(Qty(0), Qty(0), false),
            Outcome::Rejected(RejectReason::NoFill)
        );
    }

    #[test]
    fn widen_rounds_as_asked() {
        assert_eq!(
            widen(Price(1_000_001), Bps(100), true, true),
            Price(1_000_102)
        );
        assert_eq!(
            widen(Price(1_000_001), Bps(100), true, false),
            Price(1_000_101)
        );
        assert_eq!(
            widen(Price(1_000_001), Bps(100), false, true),
            Price(999_901)
        );
        assert_eq!(
            widen(Price(1_000_001), Bps(100), false, false),
            Price(999_900)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Whatever the hedges fill, the policy sends at most `max_orders`, each for exactly the
        /// current imbalance in the direction that reduces it, and unwinds stay within the bound.
        #[test]
        fn hedging_never_overshoots_and_ends(
            bought in 0i64..1_000, sold in 0i64..1_000,
            retry in any::<bool>(), max_orders in 1u32..5,
            fills in proptest::collection::vec(0u32..=100, 8),
        ) {
            let p = LeggingParams {
                policy: if retry { LeggingKind::Retry } else { LeggingKind::Unwind },
                max_orders,
                unwind_max: Bps(2_000),
            };
            let (mut b, mut s, mut sent) = (Qty(bought), Qty(sold), 0);
            while let Some(h) = p.next(&legs(), b, s, sent) {
                sent += 1;
                prop_assert!(sent <= max_orders);
                let net = b.0 - s.0;
                prop_assert_eq!(h.qty.0, net.abs());
                prop_assert_eq!(h.side == Side::Sell, net > 0);
                if h.kind == HedgeKind::Unwind {
                    if h.side == Side::Sell {
                        prop_assert!(h.px.0 >= 998_000 && h.px.0 <= 1_000_000);
                    } else {
                        prop_assert!(h.px.0 <= 1_012_020 && h.px.0 >= 1_010_000);
                    }
                }
                let f = h.qty.0 * i64::from(fills[sent as usize % fills.len()]) / 100;
                if h.side == Side::Sell { s.0 += f } else { b.0 += f }
                prop_assert!((b.0 - s.0).signum() * net.signum() >= 0, "overshoot");
            }
            prop_assert!(b == s || sent == max_orders);
        }
    }
}
