//! The Bybit v5 WebSocket codec allocates nothing per order: writing `order.create`,
//! `order.cancel` and `ping` into a buffer reserved once, and reading acks, refusals, pongs and the
//! private stream's `order` / `execution` / `wallet` pushes (with the dedupe memory), thousands of
//! times under the counting allocator.

use microarb::exec::gateway::codec::bybit_ws::{
    parse_inbound, read_order_answer, write_ping, BybitInbound, BybitWsSettings, BybitWsWriter,
    StreamDedupe, Topic, WsSocket,
};
use microarb::exec::gateway::codec::{AnswerKind, InstrumentSpec, InstrumentTable};
use microarb::model::{
    ExecStatus, InstrumentId, OppId, Order, OrderId, Price, Qty, Side, TimeInForce, VenueId,
};

use crate::common::alloc as counting_alloc;

const ANSWERS: &[&str] = &[
    r#"{"reqId":"c1","retCode":0,"retMsg":"OK","op":"order.create","data":{"orderId":"1321003749386327552","orderLinkId":"ma1"},"header":{"X-Bapi-Limit":"20","X-Bapi-Limit-Status":"19","X-Bapi-Limit-Reset-Timestamp":"1711001595208","Traceid":"38b7","Timenow":"1711001595209"},"connId":"c"}"#,
    r#"{"reqId":"c1","retCode":170131,"retMsg":"Insufficient balance.","op":"order.create","data":{},"header":{},"connId":"c"}"#,
    r#"{"reqId":"c1","retCode":10016,"retMsg":"Server error","op":"order.create","data":{},"connId":"c"}"#,
    r#"{"retCode":0,"retMsg":"OK","op":"pong","data":["1711002002529"],"connId":"c"}"#,
    r#"{"reqId":"c1","retCode":"#,
];

const PUSHES: &[&str] = &[
    r#"{"id":"5923","topic":"order","creationTime":1,"data":[{"category":"spot","symbol":"BTCUSDT","orderId":"1","orderLinkId":"ma1","orderStatus":"Filled","avgPrice":"25000.1","cumExecQty":"0.5","cumExecValue":"12500.05","cumExecFee":"0.0005","feeCurrency":"BTC","updatedTime":"1"}]}"#,
    r#"{"id":"5924","topic":"execution","creationTime":1,"data":[{"symbol":"BTCUSDT","execId":"7e2ae69c-4edf-5800-a352-893d52b446aa","execPrice":"25000.1","execQty":"0.5","execType":"Trade","execFee":"0.0005","feeCurrency":"BTC","orderLinkId":"ma1","execTime":"1"}]}"#,
    r#"{"id":"5925","topic":"wallet","creationTime":1,"data":[{"accountType":"UNIFIED","coin":[{"coin":"BTC","walletBalance":"0.5","locked":"0"}]}]}"#,
];

#[test]
fn bybit_ws_orders_and_answers_do_not_allocate() {
    let _serial = counting_alloc::serial();
    let spec = InstrumentSpec {
        symbol: "BTCUSDT".into(),
        price_scale: 2,
        qty_scale: 6,
    };
    let table = InstrumentTable::new(&[(InstrumentId(1), spec.clone())]).unwrap();
    let writer = BybitWsWriter::new(
        BybitWsSettings {
            recv_window_ms: 5000,
            client_id_prefix: "ma".into(),
        },
        table,
    )
    .unwrap();
    let mut order = Order {
        id: OrderId(1),
        opp: OppId(1),
        px: Price(2_500_010),
        qty: Qty(500_000),
        sent_ts_ns: 0,
        recv_ts_ns: 0,
        instrument: InstrumentId(1),
        venue: VenueId(0),
        side: Side::Buy,
        tif: TimeInForce::Ioc,
    };
    let mut dedupe = Box::new(StreamDedupe::new());
    let mut out = Vec::with_capacity(BybitWsWriter::FRAME_CAPACITY);
    let (mut bytes, mut accepted, mut other, mut pongs, mut bad) = (0usize, 0u32, 0u32, 0u32, 0u32);
    let (mut finals, mut fills, mut coins) = (0u32, 0u32, 0u32);
    counting_alloc::reset();
    counting_alloc::track(true);
    for i in 0..2000u64 {
        order.id = OrderId(u64::MAX - i);
        order.side = if i % 2 == 0 { Side::Buy } else { Side::Sell };
        writer
            .write_create(&order, 1_700_000_000_000 + i, &mut out)
            .unwrap();
        bytes += out.len();
        writer
            .write_cancel(&order, 1_700_000_000_000 + i, &mut out)
            .unwrap();
        bytes += out.len();
        write_ping(WsSocket::Trade, i, &mut out);
        bytes += out.len();
        for frame in ANSWERS {
            match parse_inbound(frame.as_bytes()) {
                Ok(BybitInbound::Order(a)) => {
                    let r = read_order_answer(&order, &a, i);
                    match (r.kind, r.report.status) {
                        (AnswerKind::Accepted, ExecStatus::Unknown) => accepted += 1,
                        _ => other += 1,
                    }
                }
                Ok(BybitInbound::Pong(_)) => pongs += 1,
                _ => bad += 1,
            }
        }
        for frame in PUSHES {
            let Ok(BybitInbound::Push(p)) = parse_inbound(frame.as_bytes()) else {
                bad += 1;
                continue;
            };
            match p.kind() {
                Topic::Order => {
                    for u in p.orders().flatten() {
                        if let Some((_, true)) = u.status(&spec) {
                            if dedupe.first_final(u.order_link_id) == Ok(true) {
                                finals += 1;
                            }
                        }
                    }
                }
                Topic::Execution => {
                    for e in p.executions().flatten() {
                        if e.fill(&spec).is_some() && dedupe.first_exec(e.exec_id) == Ok(true) {
                            fills += 1;
                        }
                    }
                }
                Topic::Wallet => {
                    for w in p.wallets().flatten() {
                        coins += w.coins().count() as u32;
                    }
                }
                Topic::Other(_) => bad += 1,
            }
        }
    }
    counting_alloc::track(false);
    let allocs = counting_alloc::allocations();
    assert!(bytes > 0);
    assert_eq!(
        (accepted, other, pongs, bad, finals, fills, coins),
        (2000, 4000, 2000, 2000, 1, 1, 2000),
        "the same ma1 final and execId repeat: booked once"
    );
    assert_eq!(out.capacity(), BybitWsWriter::FRAME_CAPACITY);
    assert_eq!(allocs, 0, "the Bybit WebSocket codec allocated");
}
