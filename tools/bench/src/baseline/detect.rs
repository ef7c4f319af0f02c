//! The detection rule (docs/architecture.md) in `f64`, as seed 000 would compute it.
//!
//! Among the venues whose latest quote of the instrument is fresh (age <= that venue's
//! `stale_after`), for every ordered pair (buy `a`, sell `b`), `a != b`:
//! `cost = ask_a * (1 + fee_a)`, `proceeds = bid_b * (1 - fee_b)`,
//! `net_bps = (proceeds - cost) / cost * 10_000`. The best pair wins (ties to the earlier buy
//! venue, then sell venue, in config order); it is a candidate if `net_bps >= min_profit_bps` and
//! the triggering venue is one of its legs, with `qty = min(ask_qty_a, bid_qty_b,
//! max_notional / ask_a)` floored to the lot; a zero quantity is no candidate.
//!
//! Where `f64` differs from microarb's fixed point: `net_bps` is not rounded to 0.01 bp, so an
//! edge within a rounding error of `min_profit_bps` may fall on the other side of it; and
//! `qty / lot` is floored after adding 1e-9 lots, so a size that is an exact multiple of the lot
//! in decimal (but not in binary, e.g. 0.3 / 0.1 = 2.9999999999999996) is not cut by a lot.

use std::collections::HashMap;

use crate::book::BookQuote;
use crate::spec::{InstrumentSpec, VenueSpec};

/// A detected arbitrage, owned, as seed 000's `MicroArbitrageOpportunity`.
#[derive(Debug, Clone, PartialEq)]
pub struct Opportunity {
    /// Instrument name.
    pub instrument: String,
    /// Venue to buy on (its ask).
    pub buy_venue: String,
    /// Venue to sell on (its bid).
    pub sell_venue: String,
    /// Buy price (`ask_a`).
    pub buy_px: f64,
    /// Sell price (`bid_b`).
    pub sell_px: f64,
    /// Quantity, a whole number of lots.
    pub qty: f64,
    /// Net edge after both fees, bp.
    pub net_bps: f64,
    /// Receive time of the triggering quote, monotonic ns.
    pub recv_ns: u64,
    /// Detection time, monotonic ns.
    pub detected_ns: u64,
    /// Venue of the triggering quote.
    pub trigger_venue: String,
    /// Sequence number (update id) of the triggering quote.
    pub trigger_seq: u64,
}

impl Opportunity {
    /// The dedupe key `(i, a, b, ask_a, bid_b)`, formatted as the seed formats its cache keys.
    pub fn cache_key(&self) -> String {
        format!(
            "{}_{}_{}_{}_{}",
            self.instrument, self.buy_venue, self.sell_venue, self.buy_px, self.sell_px
        )
    }
}

/// Why a quote produced no candidate (for counting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoCandidate {
    /// Fewer than two fresh venues.
    TooFewVenues,
    /// Best pair below `min_profit_bps`.
    BelowThreshold,
    /// Best pair does not involve the triggering venue.
    OtherVenues,
    /// Quantity rounds down to zero lots.
    ZeroQty,
}

/// Run the rule for `inst` after a quote from `trigger` at `now_ns`.
pub fn detect(
    inst: &InstrumentSpec,
    venues: &[VenueSpec],
    book: &HashMap<String, BookQuote>,
    trigger: &str,
    min_profit_bps: f64,
    now_ns: u64,
) -> Result<Opportunity, NoCandidate> {
    let fresh: Vec<(&VenueSpec, &BookQuote)> = venues
        .iter()
        .filter_map(|v| {
            let q = book.get(&v.name)?;
            (now_ns.saturating_sub(q.recv_ns) <= v.stale_after_ns).then_some((v, q))
        })
        .collect();
    if fresh.len() < 2 {
        return Err(NoCandidate::TooFewVenues);
    }
    let mut best: Option<(usize, usize, f64)> = None;
    for (ai, (va, qa)) in fresh.iter().enumerate() {
        if qa.ask <= 0.0 {
            continue;
        }
        let cost = qa.ask * (1.0 + va.fee);
        for (bi, (vb, qb)) in fresh.iter().enumerate() {
            if ai == bi || qb.bid <= 0.0 {
                continue;
            }
            let proceeds = qb.bid * (1.0 - vb.fee);
            let net_bps = (proceeds - cost) / cost * 10_000.0;
            if best.is_none_or(|(_, _, n)| net_bps > n) {
                best = Some((ai, bi, net_bps));
            }
        }
    }
    let Some((ai, bi, net_bps)) = best else {
        return Err(NoCandidate::TooFewVenues);
    };
    if net_bps < min_profit_bps {
        return Err(NoCandidate::BelowThreshold);
    }
    let ((va, qa), (vb, qb)) = (fresh[ai], fresh[bi]);
    if va.name != trigger && vb.name != trigger {
        return Err(NoCandidate::OtherVenues);
    }
    let raw = qa.ask_qty.min(qb.bid_qty).min(inst.max_notional / qa.ask);
    let lots = (raw / inst.lot + 1e-9).floor();
    if lots.is_nan() || lots < 1.0 {
        return Err(NoCandidate::ZeroQty);
    }
    Ok(Opportunity {
        instrument: inst.name.clone(),
        buy_venue: va.name.clone(),
        sell_venue: vb.name.clone(),
        buy_px: qa.ask,
        sell_px: qb.bid,
        qty: lots * inst.lot,
        net_bps,
        recv_ns: if va.name == trigger {
            qa.recv_ns
        } else {
            qb.recv_ns
        },
        detected_ns: now_ns,
        trigger_venue: trigger.to_string(),
        trigger_seq: if va.name == trigger {
            qa.sequence
        } else {
            qb.sequence
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use microarb::model::VenueKind;
    use proptest::prelude::*;

    fn venue(name: &str, fee_bps: f64) -> VenueSpec {
        VenueSpec {
            name: name.into(),
            kind: VenueKind::Binance,
            fee: fee_bps / 10_000.0,
            stale_after_ns: 500_000_000,
        }
    }

    fn inst() -> InstrumentSpec {
        InstrumentSpec {
            name: "BTC/USDT".into(),
            lot: 0.00001,
            max_notional: 1000.0,
            price_scale: 8,
            qty_scale: 8,
        }
    }

    fn q(bid: f64, ask: f64, qty: f64, recv_ns: u64) -> BookQuote {
        BookQuote {
            bid,
            bid_qty: qty,
            ask,
            ask_qty: qty,
            recv_ns,
            sequence: 0,
        }
    }

    fn book(entries: &[(&str, BookQuote)]) -> HashMap<String, BookQuote> {
        entries.iter().map(|(n, q)| (n.to_string(), *q)).collect()
    }

    #[test]
    fn finds_the_dislocation_with_fees() {
        let vs = [venue("a", 10.0), venue("b", 10.0)];
        // Buy on a at 100, sell on b at 101: 1% gross, minus 2 x 10 bp.
        let bk = book(&[
            ("a", q(99.9, 100.0, 5.0, 10)),
            ("b", q(101.0, 101.1, 5.0, 20)),
        ]);
        let o = detect(&inst(), &vs, &bk, "b", 2.0, 30).expect("candidate");
        assert_eq!((o.buy_venue.as_str(), o.sell_venue.as_str()), ("a", "b"));
        let expect = (101.0 * 0.999 - 100.0 * 1.001) / (100.0 * 1.001) * 1e4;
        assert!((o.net_bps - expect).abs() < 1e-9);
        // 1000 / 100 = 10 > 5 available.
        assert!((o.qty - 5.0).abs() < 1e-12);
        assert_eq!((o.recv_ns, o.detected_ns), (20, 30));
        assert_eq!(o.cache_key(), "BTC/USDT_a_b_100_101");
    }

    #[test]
    fn threshold_staleness_trigger_and_lot() {
        let vs = [venue("a", 10.0), venue("b", 10.0), venue("c", 10.0)];
        let i = inst();
        let flat = book(&[
            ("a", q(100.0, 100.01, 1.0, 0)),
            ("b", q(100.0, 100.01, 1.0, 0)),
        ]);
        assert_eq!(
            detect(&i, &vs, &flat, "a", 2.0, 0),
            Err(NoCandidate::BelowThreshold)
        );
        let crossed = book(&[
            ("a", q(99.0, 100.0, 1.0, 0)),
            ("b", q(102.0, 103.0, 1.0, 0)),
            ("c", q(100.0, 100.5, 1.0, 0)),
        ]);
        assert_eq!(
            detect(&i, &vs, &crossed, "c", 2.0, 0),
            Err(NoCandidate::OtherVenues)
        );
        // Venue b's quote is 600 ms old: stale, no edge left.
        assert_eq!(
            detect(&i, &vs, &crossed, "a", 2.0, 600_000_000),
            Err(NoCandidate::TooFewVenues)
        );
        let thin = book(&[
            ("a", q(99.0, 100.0, 0.000001, 0)),
            ("b", q(102.0, 103.0, 1.0, 0)),
        ]);
        assert_eq!(
            detect(&i, &vs, &thin, "a", 2.0, 0),
            Err(NoCandidate::ZeroQty)
        );
    }

    #[test]
    fn ties_go_to_config_order() {
        let vs = [venue("a", 10.0), venue("b", 10.0), venue("c", 10.0)];
        let bk = book(&[
            ("a", q(99.0, 100.0, 1.0, 0)),
            ("b", q(99.0, 100.0, 1.0, 0)),
            ("c", q(102.0, 103.0, 1.0, 0)),
        ]);
        let o = detect(&inst(), &vs, &bk, "c", 2.0, 0).expect("candidate");
        assert_eq!(o.buy_venue, "a");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// The winner's edge is at least every other fresh pair's (brute force over all pairs).
        #[test]
        fn winner_is_the_best_pair(
            px in proptest::collection::vec((1_000u32..2_000, 1u32..20), 2..5),
        ) {
            let names = ["a", "b", "c", "d"];
            let vs: Vec<VenueSpec> = (0..px.len()).map(|i| venue(names[i], 5.0)).collect();
            let bk: HashMap<String, BookQuote> = px
                .iter()
                .enumerate()
                .map(|(i, (bid, spread))| {
                    let bid = f64::from(*bid);
                    (names[i].to_string(), q(bid, bid + f64::from(*spread), 10.0, 0))
                })
                .collect();
            let mut best = f64::NEG_INFINITY;
            for a in &vs {
                for b in &vs {
                    if a.name != b.name {
                        let cost = bk[&a.name].ask * (1.0 + a.fee);
                        let proceeds = bk[&b.name].bid * (1.0 - b.fee);
                        best = best.max((proceeds - cost) / cost * 1e4);
                    }
                }
            }
            for v in &vs {
                match detect(&inst(), &vs, &bk, &v.name, 2.0, 0) {
                    Ok(o) => prop_assert_eq!(o.net_bps, best),
                    Err(NoCandidate::BelowThreshold) => prop_assert!(best < 2.0),
                    Err(e) => prop_assert!(matches!(e, NoCandidate::OtherVenues | NoCandidate::ZeroQty)),
                }
            }
        }
    }
}
