//! Unit tests and the brute-force property test for `detector.rs`.

use super::*;
use crate::strategy::{
    ConfidenceParams, DetectorParams, FeeRate, InstrumentParams, VenueParams, VolParams,
};
use proptest::prelude::*;

const NOW: u64 = 1_000_000;

fn params(
    fees: &[u32],
    stale: &[u64],
    min_profit: i64,
    lot: i64,
    max_notional: i64,
) -> DetectorParams {
    DetectorParams {
        venues: fees
            .iter()
            .zip(stale)
            .map(|(&f, &s)| VenueParams {
                taker_fee: FeeRate::from_millionths(f).expect("test fee < 100 %"),
                stale_after_ns: s,
            })
            .collect(),
        instruments: vec![InstrumentParams {
            price_scale: 0,
            qty_scale: 0,
            lot: Qty(lot),
            max_notional: Price(max_notional),
            ref_qty: Qty(10),
        }],
        min_profit: Bps(min_profit),
        volatility: VolParams::default(),
        confidence: ConfidenceParams::default(),
    }
}

fn detector(fees: &[u32], min_profit: i64) -> Detector {
    let stale = vec![1_000; fees.len()];
    Detector::new(params(fees, &stale, min_profit, 1, i64::MAX)).expect("valid test params")
}

fn quote(v: u8, bid: i64, bid_qty: i64, ask: i64, ask_qty: i64, recv: u64) -> Quote {
    Quote {
        instrument: InstrumentId(0),
        venue: VenueId(v),
        bid_px: Price(bid),
        bid_qty: Qty(bid_qty),
        ask_px: Price(ask),
        ask_qty: Qty(ask_qty),
        recv_ts_ns: recv,
        ..Quote::default()
    }
}

fn pair(c: &Option<Candidate>) -> Option<(u8, u8)> {
    c.map(|c| (c.buy_venue.0, c.sell_venue.0))
}

#[test]
fn simple_cross_with_zero_fees() {
    let mut d = detector(&[0, 0], 0);
    assert_eq!(d.on_quote(quote(0, 99, 5, 100, 5, NOW), NOW), None);
    let c = d
        .on_quote(quote(1, 101, 3, 102, 3, NOW), NOW)
        .expect("candidate");
    assert_eq!(pair(&Some(c)), Some((0, 1)));
    assert_eq!(
        (c.buy_px, c.sell_px, c.qty),
        (Price(100), Price(101), Qty(3))
    );
    // 1 % = 100 bp = 10 000 hundredths, gross and net alike without fees.
    assert_eq!((c.gross_bps, c.net_bps), (Bps(10_000), Bps(10_000)));
    assert_eq!((c.recv_ts_ns, c.detect_ts_ns), (NOW, NOW));
    let key = c.key();
    assert_eq!(
        (key.ask_a, key.bid_b, key.sell_venue),
        (Price(100), Price(101), VenueId(1))
    );
    let o = c.into_opportunity(OppId(7), NOW + 5);
    assert_eq!(
        (o.id, o.expiry_ts_ns, o.qty, o.net_bps),
        (OppId(7), NOW + 5, Qty(3), Bps(10_000))
    );
    assert_eq!(d.stats().candidates, 1);
}

#[test]
fn threshold_is_inclusive_and_exact() {
    // Exactly 100 bp net with zero fees.
    let mut d = detector(&[0, 0], 10_000);
    d.on_quote(quote(0, 1, 1, 10_000, 5, NOW), NOW);
    assert!(d
        .on_quote(quote(1, 10_100, 5, 20_000, 5, NOW), NOW)
        .is_some());
    // One tick less is 99 bp.
    assert!(d
        .on_quote(quote(1, 10_099, 5, 20_000, 5, NOW), NOW)
        .is_none());
    assert_eq!(d.stats().below_threshold, 1);
}

#[test]
fn fees_eat_the_spread() {
    // 10 bp taker on each side; a 15 bp gross spread nets about -5 bp.
    let mut d = detector(&[1_000, 1_000], 0);
    d.on_quote(quote(0, 1, 1, 100_000, 5, NOW), NOW);
    assert_eq!(d.on_quote(quote(1, 100_150, 5, 200_000, 5, NOW), NOW), None);
    // Break-even: cost 100 000 * 1.001 = 100 100; proceeds b * 0.999 >= 100 100 needs b >= 100 200.2.
    assert_eq!(d.on_quote(quote(1, 100_200, 5, 200_000, 5, NOW), NOW), None);
    let c = d
        .on_quote(quote(1, 100_201, 5, 200_000, 5, NOW), NOW)
        .expect("just positive");
    assert_eq!(c.gross_bps, Bps(2_010));
    // 100 201 * 0.999 - 100 100 = 0.799 -> 0.0798 bp, floored to 7 hundredths for display.
    assert_eq!(c.net_bps, Bps(7));
}

#[test]
fn fee_of_100_percent_refused_at_construction() {
    assert!(FeeRate::from_millionths(1_000_000).is_err());
    assert!(VenueParams::from_config(10_000.0, 500).is_err());
    assert!(VenueParams::from_config(f64::NAN, 500).is_err());
    let v = VenueParams::from_config(7.5, 500).unwrap();
    assert_eq!(
        (v.taker_fee.millionths(), v.stale_after_ns),
        (750, 500_000_000)
    );
}

#[test]
fn bad_params_refused() {
    let ok = params(&[0, 0], &[1, 1], 0, 1, 100);
    assert!(Detector::new(ok.clone()).is_ok());
    let mut p = ok.clone();
    p.instruments[0].lot = Qty(0);
    assert!(matches!(
        Detector::new(p),
        Err(ParamsError::Lot {
            instrument: 0,
            lot: 0
        })
    ));
    let mut p = ok.clone();
    p.instruments[0].max_notional = Price(-1);
    assert!(matches!(
        Detector::new(p),
        Err(ParamsError::MaxNotional { .. })
    ));
    let mut p = ok.clone();
    p.venues.clear();
    assert!(matches!(
        Detector::new(p),
        Err(ParamsError::VenueCount { count: 0 })
    ));
    let mut p = ok.clone();
    p.min_profit = Bps(-1_000_000);
    assert!(matches!(Detector::new(p), Err(ParamsError::MinProfit(_))));
    let mut p = ok.clone();
    p.volatility.half_life_updates = 0.0;
    assert!(matches!(Detector::new(p), Err(ParamsError::HalfLife(_))));
    assert_eq!(ok.with_min_profit_bps(2.5).unwrap().min_profit, Bps(250));
}

#[test]
fn stale_venues_are_excluded() {
    let mut d = Detector::new(params(&[0, 0], &[100, 100], 0, 1, i64::MAX)).unwrap();
    d.on_quote(quote(0, 1, 1, 100, 5, NOW - 100), NOW - 100);
    // Age exactly stale_after: still fresh.
    assert!(d.on_quote(quote(1, 101, 5, 200, 5, NOW), NOW).is_some());
    // One ns later venue 0 is stale.
    assert!(d
        .on_quote(quote(1, 101, 5, 200, 5, NOW + 1), NOW + 1)
        .is_none());
    // The updating venue's own quote can be stale on arrival (replay lag): no candidate.
    d.on_quote(quote(0, 1, 1, 100, 5, NOW + 1), NOW + 1);
    assert!(d
        .on_quote(quote(1, 101, 5, 200, 5, NOW - 500), NOW + 1)
        .is_none());
}

#[test]
fn zero_sizes_and_empty_sides_cannot_be_legs() {
    let mut d = detector(&[0, 0, 0], 0);
    d.on_quote(quote(0, 1, 1, 100, 0, NOW), NOW); // best ask, but no size
    d.on_quote(quote(1, 1, 1, 101, 4, NOW), NOW);
    let c = d
        .on_quote(quote(2, 105, 2, 0, 9, NOW), NOW)
        .expect("venue 1 is the buy leg");
    assert_eq!((pair(&Some(c)), c.qty), (Some((1, 2)), Qty(2)));
    // A zero-size bid on venue 2 leaves no profitable sell leg.
    assert!(d.on_quote(quote(2, 105, 0, 0, 9, NOW), NOW).is_none());
}

#[test]
fn best_pair_without_the_updating_venue_is_not_a_candidate() {
    let mut d = detector(&[0, 0, 0], 0);
    d.on_quote(quote(0, 1, 1, 100, 5, NOW), NOW);
    assert!(d.on_quote(quote(1, 110, 5, 200, 5, NOW), NOW).is_some());
    // Venue 2 crosses venue 0 too, but less than venue 1 does: the best pair is still (0, 1).
    assert!(d.on_quote(quote(2, 105, 5, 300, 5, NOW), NOW).is_none());
    assert_eq!(d.stats().other_venues, 1);
}

#[test]
fn ties_go_to_lower_buy_then_lower_sell_venue() {
    let mut d = detector(&[0, 0, 0, 0], 0);
    d.on_quote(quote(0, 1, 1, 200, 5, NOW), NOW);
    d.on_quote(quote(1, 1, 1, 100, 5, NOW), NOW);
    d.on_quote(quote(2, 110, 5, 100, 5, NOW), NOW); // ask ties venue 1's
    let c = d.on_quote(quote(3, 110, 5, 300, 5, NOW), NOW);
    // Pairs (1,2), (1,3), (2,3) all 10 %; (1,2) has the lowest buy, then sell venue.
    assert_eq!(pair(&c), None, "venue 3 is not in the winning pair (1, 2)");
    let c = d.on_quote(quote(2, 110, 5, 100, 5, NOW), NOW);
    assert_eq!(pair(&c), Some((1, 2)));
}

#[test]
fn same_venue_best_on_both_sides_uses_runner_up() {
    // Venue 0: cheapest ask and richest bid (a crossed book of its own).
    let mut d = detector(&[0, 0, 0], 0);
    d.on_quote(quote(1, 104, 5, 102, 5, NOW), NOW);
    d.on_quote(quote(2, 103, 5, 101, 5, NOW), NOW);
    // X = (0, 1): 104/100; Y = (2, 0): 110/101 -> Y.
    let c = d.on_quote(quote(0, 110, 5, 100, 5, NOW), NOW);
    assert_eq!(pair(&c), Some((2, 0)));
}

#[test]
fn quantity_is_capped_by_notional_and_lot() {
    // lot 3, max notional 1 000 at price 100 -> 10 units -> 9 after lot rounding.
    let mut d = Detector::new(params(&[0, 0], &[1_000, 1_000], 0, 3, 1_000)).unwrap();
    d.on_quote(quote(0, 1, 1, 100, 50, NOW), NOW);
    let c = d.on_quote(quote(1, 101, 50, 200, 5, NOW), NOW).unwrap();
    assert_eq!(c.qty, Qty(9));
    // Sizes of 2 round down to zero lots: no candidate.
    assert!(d.on_quote(quote(1, 101, 2, 200, 5, NOW), NOW).is_none());
    assert_eq!(d.stats().zero_qty, 1);
}

#[test]
fn notional_cap_uses_scales() {
    // price_scale 2, qty_scale 8: max notional 1000.00 at ask 50 000.00 -> 0.02 units.
    let mut p = params(&[0, 0], &[1_000, 1_000], 0, 1_000, 100_000);
    p.instruments[0] = InstrumentParams {
        price_scale: 2,
        qty_scale: 8,
        lot: Qty(1_000),
        max_notional: Price(100_000),
        ref_qty: Qty(100_000_000),
    };
    let mut d = Detector::new(p).unwrap();
    d.on_quote(quote(0, 1, 1, 5_000_000, 100_000_000, NOW), NOW);
    let c = d
        .on_quote(quote(1, 5_010_000, 100_000_000, 9_000_000, 1, NOW), NOW)
        .unwrap();
    assert_eq!(c.qty, Qty(2_000_000));
}

#[test]
fn mantissas_near_i64_max_compare_exactly() {
    // Venue 0 best on both sides, so X = (0, 1) and Y = (1, 0) are compared by products near
    // 2^170, far beyond i128.
    let big = 9_000_000_000_000_000_000i64;
    let mut d = detector(&[0, 0, 0], 0);
    d.on_quote(
        quote(1, big / 1000 * 1002, 5, big / 1000 * 1005, 5, NOW),
        NOW,
    );
    let c = d.on_quote(quote(0, big / 1000 * 1010, 5, big, 5, NOW), NOW);
    // X: 1.002; Y: 1.010/1.005 = 1.004975 -> Y.
    assert_eq!(pair(&c), Some((1, 0)));
    // Exact tie: X = p1/c0 = 6.75/6, Y = p0/c1 = 9/8 -> lower buy venue (0) wins.
    let mut d = detector(&[0, 0, 0], 0);
    d.on_quote(
        quote(
            1,
            6_750_000_000_000_000_000,
            5,
            8_000_000_000_000_000_000,
            5,
            NOW,
        ),
        NOW,
    );
    let c = d.on_quote(
        quote(
            0,
            9_000_000_000_000_000_000,
            5,
            6_000_000_000_000_000_000,
            5,
            NOW,
        ),
        NOW,
    );
    assert_eq!(pair(&c), Some((0, 1)));
    // Absurd spreads saturate the displayed edge rather than wrap.
    let mut d = detector(&[0, 0], 0);
    d.on_quote(quote(0, 1, 1, 1, 5, NOW), NOW);
    let c = d
        .on_quote(quote(1, i64::MAX, 5, i64::MAX, 5, NOW), NOW)
        .unwrap();
    assert_eq!(c.gross_bps, Bps(i64::MAX));
}

#[test]
fn unknown_ids_are_counted_not_stored() {
    let mut d = detector(&[0, 0], 0);
    assert!(d.on_quote(quote(2, 1, 1, 1, 1, NOW), NOW).is_none());
    let q = Quote {
        instrument: InstrumentId(1),
        ..quote(0, 1, 1, 1, 1, NOW)
    };
    assert!(d.on_quote(q, NOW).is_none());
    assert_eq!(d.stats().unknown_ids, 2);
    assert_eq!(d.stats().quotes, 2);
}

#[test]
fn confidence_and_volatility_flow_through() {
    let mut d = detector(&[0, 0], 0);
    d.on_quote(quote(0, 99, 10, 100, 10, NOW), NOW);
    let c = d.on_quote(quote(1, 101, 10, 102, 10, NOW), NOW).unwrap();
    assert_eq!(c.confidence, 10_000);
    d.on_quote(quote(0, 104, 10, 105, 10, NOW), NOW); // mid moves on venue 0
    assert!(d.volatility(InstrumentId(0)) > 0.0);
    d.on_quote(quote(0, 99, 10, 100, 10, NOW - 1_000), NOW);
    let c = d.on_quote(quote(1, 101, 5, 102, 10, NOW), NOW).unwrap();
    assert!(
        c.confidence < 2_500,
        "old leg, half size, volatile: {}",
        c.confidence
    );
}

// ---- Property test: on_quote against brute force over every ordered pair. ----

#[derive(Debug, Clone)]
struct Case {
    fees: Vec<u32>,
    stale: Vec<u64>,
    min_profit: i64,
    lot: i64,
    max_notional: i64,
    /// (venue, bid, bid_qty, ask, ask_qty, age) per step; `now` advances by 10 each step.
    steps: Vec<(u8, i64, i64, i64, i64, u64)>,
}

fn case() -> impl Strategy<Value = Case> {
    (2usize..=8).prop_flat_map(|n| {
        // Few distinct prices force ties; 0 (empty side) and zero sizes appear now and then.
        let price = prop::sample::select(vec![0i64, 9_980, 9_990, 10_000, 10_000, 10_010, 10_020]);
        let size = prop::sample::select(vec![0i64, 1, 4, 100, 100]);
        let age = prop::sample::select(vec![0u64, 0, 20, 50, 100, 1_000]);
        let step = (0..n as u8, price.clone(), size.clone(), price, size, age);
        (
            prop::collection::vec(prop::sample::select(vec![0u32, 0, 500, 750, 1_000]), n),
            prop::collection::vec(prop::sample::select(vec![0u64, 50, 100, 10_000, 10_000]), n),
            prop::sample::select(vec![-500i64, 0, 0, 100, 1_000]),
            1i64..=3,
            prop::sample::select(vec![5_000i64, 50_000, 1_000_000]),
            prop::collection::vec(step, 1..40),
        )
            .prop_map(|(fees, stale, min_profit, lot, max_notional, steps)| Case {
                fees,
                stale,
                min_profit,
                lot,
                max_notional,
                steps,
            })
    })
}

/// The rule read literally: every ordered pair, exact rational comparison in i128 (the values are
/// small), strict improvement so the first pair in (buy, sell) order wins ties.
fn reference(
    c: &Case,
    book: &[Option<Quote>],
    v: u8,
    now: u64,
) -> Option<(u8, u8, Price, Price, Qty)> {
    let one = RATE_ONE as i128;
    let fresh = |x: usize| book[x].filter(|q| now.saturating_sub(q.recv_ts_ns) <= c.stale[x]);
    let mut best: Option<(usize, usize, i128, i128)> = None;
    for a in 0..book.len() {
        for b in 0..book.len() {
            if a == b {
                continue;
            }
            let (Some(qa), Some(qb)) = (fresh(a), fresh(b)) else {
                continue;
            };
            if qa.ask_px.0 <= 0 || qa.ask_qty.0 <= 0 || qb.bid_px.0 <= 0 || qb.bid_qty.0 <= 0 {
                continue;
            }
            let cost = qa.ask_px.0 as i128 * (one + c.fees[a] as i128);
            let proceeds = qb.bid_px.0 as i128 * (one - c.fees[b] as i128);
            // net = (p - c) / c; compare (p1 - c1) / c1 > (p2 - c2) / c2 exactly.
            let better = match best {
                None => true,
                Some((_, _, c2, p2)) => (proceeds - cost) * c2 > (p2 - c2) * cost,
            };
            if better {
                best = Some((a, b, cost, proceeds));
            }
        }
    }
    let (a, b, cost, proceeds) = best?;
    // net_bps >= min_profit (hundredths of bp): (p - c) / c * 1e6 >= m.
    if (proceeds - cost) * one < c.min_profit as i128 * cost {
        return None;
    }
    if a != v as usize && b != v as usize {
        return None;
    }
    let (qa, qb) = (book[a].unwrap(), book[b].unwrap());
    let by_notional = c.max_notional / qa.ask_px.0; // scales are 0
    let raw = qa.ask_qty.0.min(qb.bid_qty.0).min(by_notional);
    let qty = raw / c.lot * c.lot;
    (qty > 0).then_some((a as u8, b as u8, qa.ask_px, qb.bid_px, Qty(qty)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn on_quote_matches_brute_force(c in case()) {
        let n = c.fees.len();
        let mut d = Detector::new(params(&c.fees, &c.stale, c.min_profit, c.lot, c.max_notional))
            .expect("generated params are valid");
        let mut book: Vec<Option<Quote>> = vec![None; n];
        let mut now = NOW;
        for &(v, bid, bq, ask, aq, age) in &c.steps {
            now += 10;
            let q = quote(v, bid, bq, ask, aq, now - age);
            book[v as usize] = Some(q);
            let got = d
                .on_quote(q, now)
                .map(|x| (x.buy_venue.0, x.sell_venue.0, x.buy_px, x.sell_px, x.qty));
            prop_assert_eq!(got, reference(&c, &book, v, now));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    /// Metamorphic check of the 256-bit path: multiplying every price and the max notional by the
    /// same factor leaves every ratio, threshold test and quantity unchanged, so the decisions must
    /// match the brute force on the small book, while the scaled cross products (up to ~2^152)
    /// no longer fit an i128.
    #[test]
    fn scaled_books_decide_the_same(c in case(), scale in 1i64..=9_000_000_000_000) {
        let n = c.fees.len();
        let mut d = Detector::new(params(
            &c.fees,
            &c.stale,
            c.min_profit,
            c.lot,
            c.max_notional * scale,
        ))
        .expect("generated params are valid");
        let mut book: Vec<Option<Quote>> = vec![None; n];
        let mut now = NOW;
        for &(v, bid, bq, ask, aq, age) in &c.steps {
            now += 10;
            let q = quote(v, bid, bq, ask, aq, now - age);
            book[v as usize] = Some(q);
            let big = Quote {
                bid_px: Price(bid * scale),
                ask_px: Price(ask * scale),
                ..q
            };
            let got = d
                .on_quote(big, now)
                .map(|x| (x.buy_venue.0, x.sell_venue.0, x.buy_px.0 / scale, x.sell_px.0 / scale, x.qty));
            let want = reference(&c, &book, v, now)
                .map(|(a, b, buy, sell, qty)| (a, b, buy.0, sell.0, qty));
            prop_assert_eq!(got, want);
        }
    }
}
