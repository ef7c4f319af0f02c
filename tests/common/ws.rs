//! What the WebSocket gateway tests against the mock share (`tests/exec/ws_*_mockex.rs`): an IOC
//! buy of one unit, polling a gateway until a condition holds on the events so far, and the
//! answers and pushed finals read out of those events.

use std::time::{Duration, Instant};

use microarb::base::Clock;
use microarb::exec::gateway::ws::WsGateway;
use microarb::exec::gateway::{Gateway, GatewayEvent};
use microarb::model::{
    ExecStatus, InstrumentId, OppId, Order, OrderId, Price, Qty, Side, TimeInForce, VenueId,
};

/// An IOC buy of one unit of instrument 0 on `venue` at `px`, with order (and opportunity) id
/// `id`.
pub fn order(venue: VenueId, id: u64, px: i64) -> Order {
    Order {
        id: OrderId(id),
        opp: OppId(id),
        px: Price(px),
        qty: Qty(1),
        sent_ts_ns: 0,
        recv_ts_ns: 0,
        instrument: InstrumentId(0),
        venue,
        side: Side::Buy,
        tif: TimeInForce::Ioc,
    }
}

/// Poll `g` until `done` holds of the events so far (or 5 s pass: the test fails); every event
/// is kept in `events`.
pub fn poll_until(
    g: &mut WsGateway,
    clock: &Clock,
    events: &mut Vec<GatewayEvent>,
    mut done: impl FnMut(&WsGateway, &[GatewayEvent]) -> bool,
) {
    let t = Instant::now();
    let mut buf = [GatewayEvent::Banned {
        venue: VenueId(0),
        retry_after_ms: 0,
    }; 16];
    while !done(g, events) {
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "not within 5 s: {events:?}"
        );
        let n = g.poll(clock.now_ns(), &mut buf);
        events.extend_from_slice(&buf[..n]);
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// The answers (reports and acknowledgements), in order.
pub fn answers(events: &[GatewayEvent]) -> Vec<(OrderId, ExecStatus)> {
    events
        .iter()
        .filter_map(|e| match e {
            GatewayEvent::Report(r) | GatewayEvent::Accepted(r) => Some((r.order, r.status)),
            _ => None,
        })
        .collect()
}

/// The pushed finals: order, status, filled quantity, in order.
pub fn pushed(events: &[GatewayEvent]) -> Vec<(OrderId, ExecStatus, Qty)> {
    events
        .iter()
        .filter_map(|e| match e {
            GatewayEvent::Pushed(r) => Some((r.order, r.status, r.filled_qty)),
            _ => None,
        })
        .collect()
}
