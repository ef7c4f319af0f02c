//! The paper venue: matching, latency, faults, status queries, determinism, bounds.
use super::*;
use crate::model::TimeInForce;

const A: VenueId = VenueId(0);
const B: VenueId = VenueId(1);

fn opp() -> Opportunity {
    Opportunity {
        id: OppId(1),
        buy_px: Price(100_000),
        sell_px: Price(101_000),
        qty: Qty(10),
        buy_venue: A,
        sell_venue: B,
        ..Opportunity::default()
    }
}

fn order(id: u64, venue: VenueId, side: Side, px: i64, qty: i64) -> Order {
    Order {
        id: OrderId(id),
        opp: OppId(1),
        px: Price(px),
        qty: Qty(qty),
        sent_ts_ns: 0,
        recv_ts_ns: 0,
        instrument: InstrumentId(0),
        venue,
        side,
        tif: TimeInForce::Ioc,
    }
}

fn gw(faults: PaperFaults) -> PaperGateway {
    PaperGateway::new(PaperParams {
        latency_ns: 1_000,
        jitter_ns: 0,
        faults: [faults; MAX_VENUES],
        venues: 2,
        capacity: 8,
        ..PaperParams::default()
    })
}

fn reports(g: &mut PaperGateway, now: u64) -> Vec<ExecReport> {
    let mut out = [GatewayEvent::Banned {
        venue: A,
        retry_after_ms: 0,
    }; 16];
    let n = g.poll(now, &mut out);
    out[..n]
        .iter()
        .map(|e| match e {
            GatewayEvent::Report(r) => *r,
            other => panic!("unexpected {other:?}"),
        })
        .collect()
}

#[test]
fn fills_at_the_book_or_better_up_to_its_size_after_the_latency() {
    let mut g = gw(PaperFaults::default());
    g.on_market(&opp(), 0);
    g.submit(&order(1, A, Side::Buy, 100_500, 6), 0).unwrap();
    assert!(reports(&mut g, 999).is_empty(), "not before the latency");
    let r = reports(&mut g, 1_000);
    assert_eq!(r.len(), 1);
    assert_eq!(
        (r[0].status, r[0].filled_qty, r[0].avg_px),
        (ExecStatus::Filled, Qty(6), Price(100_000))
    );
    // 4 left at the ask: a second buy of 6 fills 4.
    g.submit(&order(2, A, Side::Buy, 100_000, 6), 0).unwrap();
    let r = reports(&mut g, 1_000);
    assert_eq!(
        (r[0].status, r[0].filled_qty),
        (ExecStatus::PartiallyFilled, Qty(4))
    );
    // A sell below the bid on B fills at the bid; above it, nothing.
    g.submit(&order(3, B, Side::Sell, 100_900, 10), 0).unwrap();
    g.submit(&order(4, B, Side::Sell, 101_001, 1), 0).unwrap();
    let r = reports(&mut g, 1_000);
    assert_eq!((r[0].filled_qty, r[0].avg_px), (Qty(10), Price(101_000)));
    assert_eq!(r[1].status, ExecStatus::Cancelled);
    assert_eq!(g.counters().answers, 4);
}

#[test]
fn faults_are_what_they_say() {
    let mut g = gw(PaperFaults {
        p_429: 1.0,
        ..Default::default()
    });
    g.on_market(&opp(), 0);
    g.submit(&order(1, A, Side::Buy, 100_000, 1), 0).unwrap();
    let r = reports(&mut g, 1_000)[0];
    assert_eq!(r.status, ExecStatus::Rejected { code: 429 });
    assert_eq!(r.retry_after_ms, 1000);

    let mut g = gw(PaperFaults {
        p_reject: 1.0,
        ..Default::default()
    });
    g.submit(&order(1, A, Side::Buy, 100_000, 1), 0).unwrap();
    assert_eq!(
        reports(&mut g, 1_000)[0].status,
        ExecStatus::Rejected { code: 400 }
    );

    let mut g = gw(PaperFaults {
        p_partial: 1.0,
        ..Default::default()
    });
    g.on_market(&opp(), 0);
    g.submit(&order(1, A, Side::Buy, 100_000, 10), 0).unwrap();
    let r = reports(&mut g, 1_000)[0];
    assert_eq!(
        (r.status, r.filled_qty),
        (ExecStatus::PartiallyFilled, Qty(5))
    );
}

#[test]
fn unknown_fates_are_resolved_by_a_status_query() {
    for (faults, answered) in [
        (
            PaperFaults {
                p_5xx: 1.0,
                ..Default::default()
            },
            true,
        ),
        (
            PaperFaults {
                p_timeout: 1.0,
                ..Default::default()
            },
            false,
        ),
    ] {
        let mut g = gw(faults);
        g.on_market(&opp(), 0);
        let mut finals = Vec::new();
        for id in 1..=6 {
            g.submit(&order(id, A, Side::Buy, 100_000, 1), 0).unwrap();
        }
        let first = reports(&mut g, 1_000);
        assert_eq!(first.len(), if answered { 6 } else { 0 });
        assert!(first.iter().all(|r| r.status == ExecStatus::Unknown));
        for id in 1..=6 {
            g.status_query(OrderId(id), A, 2_000).unwrap();
        }
        for r in reports(&mut g, 3_000) {
            assert_ne!(r.status, ExecStatus::Unknown);
            finals.push(r.status);
        }
        assert_eq!(finals.len(), 6);
        assert!(finals.contains(&ExecStatus::Filled), "{finals:?}");
        assert!(finals.contains(&ExecStatus::Rejected { code: 404 }));
    }
    let mut g = gw(PaperFaults::default());
    assert_eq!(
        g.status_query(OrderId(9), A, 0),
        Err(SubmitError::UnknownOrder(OrderId(9)))
    );
}

#[test]
fn deterministic_for_a_seed_and_bounded() {
    let run = |seed| {
        let mut g = PaperGateway::new(PaperParams {
            seed,
            faults: [PaperFaults {
                p_429: 0.2,
                p_5xx: 0.2,
                p_partial: 0.2,
                ..Default::default()
            }; MAX_VENUES],
            venues: 2,
            capacity: 64,
            ..PaperParams::default()
        });
        let mut all = Vec::new();
        for id in 1..=40 {
            g.on_market(&opp(), 0);
            g.submit(&order(id, A, Side::Buy, 100_000, 3), id * 10)
                .unwrap();
            all.extend(reports(&mut g, id * 10 + 200_000));
        }
        all
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8));
    let mut g = gw(PaperFaults::default());
    for id in 1..=8 {
        g.submit(&order(id, A, Side::Buy, 1, 1), 0).unwrap();
    }
    assert_eq!(
        g.submit(&order(9, A, Side::Buy, 1, 1), 0),
        Err(SubmitError::Full { capacity: 8 })
    );
    assert_eq!(
        g.submit(&order(9, VenueId(5), Side::Buy, 1, 1), 0),
        Err(SubmitError::UnknownVenue(VenueId(5)))
    );
}

#[test]
fn latency_changes_apply_to_later_orders_only() {
    let mut g = gw(PaperFaults::default());
    g.on_market(&opp(), 0);
    g.submit(&order(1, A, Side::Buy, 100_000, 1), 0).unwrap();
    g.set_latency(50_000, 0);
    g.submit(&order(2, A, Side::Buy, 100_000, 1), 0).unwrap();
    // The first keeps its 1 us latency; the second waits the new 50 us.
    let r = reports(&mut g, 1_000);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].order, OrderId(1));
    assert!(reports(&mut g, 49_999).is_empty());
    let r = reports(&mut g, 50_000);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].order, OrderId(2));
}

#[test]
fn answers_come_earliest_first_ties_in_submission_order_and_slots_are_reused() {
    let mut g = gw(PaperFaults::default());
    g.on_market(&opp(), 0);
    // The first is submitted last in time (due 1.5 us); the next two are due earlier (1 us).
    g.submit(&order(1, A, Side::Buy, 100_000, 1), 500).unwrap();
    g.submit(&order(2, A, Side::Buy, 100_000, 1), 0).unwrap();
    g.submit(&order(3, A, Side::Buy, 100_000, 1), 0).unwrap();
    assert!(reports(&mut g, 999).is_empty());
    let r: Vec<u64> = reports(&mut g, 1_000).iter().map(|r| r.order.0).collect();
    assert_eq!(r, vec![2, 3], "due at 1 us, in submission order");
    let r = reports(&mut g, 1_500);
    assert_eq!(
        (r.len(), r[0].order, r[0].recv_ts_ns),
        (1, OrderId(1), 1_500)
    );
    assert_eq!(g.outstanding(), 0);
    // The table refills to capacity again and again: freed slots are reused.
    for round in 0..3u64 {
        for i in 0..8 {
            g.submit(&order(100 + round * 8 + i, A, Side::Buy, 1, 1), 0)
                .unwrap();
        }
        assert_eq!(g.outstanding(), 8);
        assert!(g.submit(&order(999, A, Side::Buy, 1, 1), 0).is_err());
        assert_eq!(reports(&mut g, 10_000).len(), 8);
    }
}

#[test]
fn a_poll_delivers_at_most_its_buffer_and_keeps_the_rest() {
    let mut g = gw(PaperFaults::default());
    for id in 1..=8 {
        g.submit(&order(id, A, Side::Buy, 1, 1), 0).unwrap();
    }
    let mut out = [GatewayEvent::Banned {
        venue: A,
        retry_after_ms: 0,
    }; 3];
    assert_eq!(g.poll(5_000, &mut out), 3);
    assert_eq!(g.outstanding(), 5);
    assert_eq!(reports(&mut g, 5_000).len(), 5);
}

fn quote(venue: VenueId, bid: i64, ask: i64, size: i64) -> Quote {
    Quote {
        bid_px: Price(bid),
        bid_qty: Qty(size),
        ask_px: Price(ask),
        ask_qty: Qty(size),
        venue,
        ..Quote::default()
    }
}

#[test]
fn an_order_matches_the_book_as_it_stands_when_it_arrives() {
    let mut g = gw(PaperFaults::default());
    g.on_quote(&quote(A, 99_000, 100_000, 10));
    // The ask moves away while the buy is on its way: nothing fills (IOC).
    g.submit(&order(1, A, Side::Buy, 100_000, 5), 0).unwrap();
    g.on_quote(&quote(A, 100_500, 101_000, 10));
    let r = reports(&mut g, 1_000);
    assert_eq!(
        (r[0].status, r[0].filled_qty),
        (ExecStatus::Cancelled, Qty::ZERO)
    );
    // The ask comes down while a buy is on its way: it fills at the better price, only what is
    // shown.
    g.submit(&order(2, A, Side::Buy, 101_000, 5), 1_000)
        .unwrap();
    g.on_quote(&quote(A, 99_000, 99_500, 3));
    let r = reports(&mut g, 2_000);
    assert_eq!(
        (r[0].status, r[0].filled_qty, r[0].avg_px),
        (ExecStatus::PartiallyFilled, Qty(3), Price(99_500))
    );
}

#[test]
fn once_quotes_arrive_opportunities_no_longer_set_the_book() {
    let mut g = gw(PaperFaults::default());
    g.on_quote(&quote(A, 101_000, 102_000, 10));
    // The opportunity says the ask is 100 000; the book (the venue's last quote) says 102 000.
    g.on_market(&opp(), 0);
    g.submit(&order(1, A, Side::Buy, 100_000, 5), 0).unwrap();
    assert_eq!(reports(&mut g, 1_000)[0].status, ExecStatus::Cancelled);
}

#[test]
fn a_status_query_before_the_order_arrives_hears_it_is_still_working() {
    // A query that falls due before the arrival (the order is slower than the query), then one
    // after it.
    let mut g = gw(PaperFaults::default());
    g.on_quote(&quote(A, 99_000, 100_000, 10));
    g.submit(&order(1, A, Side::Buy, 100_000, 1), 0).unwrap();
    g.set_latency(100, 0);
    g.status_query(OrderId(1), A, 0).unwrap();
    let r = reports(&mut g, 100);
    assert_eq!(r[0].status, ExecStatus::Unknown, "not arrived yet");
    let r = reports(&mut g, 1_000);
    assert_eq!(r[0].status, ExecStatus::Filled);
    g.status_query(OrderId(1), A, 1_000).unwrap();
    assert_eq!(reports(&mut g, 1_100)[0].status, ExecStatus::Filled);
}
