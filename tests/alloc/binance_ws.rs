//! The Binance WebSocket API codec allocates nothing per order: writing `order.place`,
//! `order.status` and `order.cancel` into a buffer reserved once, and reading answers (filled,
//! expired, refused, timed out, rate limited, malformed) and `executionReport` /
//! `outboundAccountPosition` events, thousands of times under the counting allocator.

use microarb::exec::gateway::codec::binance_ws::{
    parse_inbound, read_order_answer, UserEvent, WsInbound, WsRequestWriter, WsSettings,
};
use microarb::exec::gateway::codec::{AnswerKind, InstrumentSpec, InstrumentTable};
use microarb::model::{
    ExecStatus, InstrumentId, OppId, Order, OrderId, Price, Qty, Side, TimeInForce, VenueId,
};

use crate::common::alloc as counting_alloc;

const ANSWERS: &[&str] = &[
    r#"{"id":"p1","status":200,"result":{"symbol":"BTCUSDT","orderId":28,"clientOrderId":"ma1","status":"FILLED","executedQty":"0.01500000","cummulativeQuoteQty":"900.00750000","fills":[{"price":"60000.50","qty":"0.01500000","commission":"0.00001500","commissionAsset":"BTC","tradeId":56}]},"rateLimits":[{"rateLimitType":"ORDERS","interval":"SECOND","intervalNum":10,"limit":50,"count":12},{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000,"count":321}]}"#,
    r#"{"id":"p1","status":200,"result":{"orderId":29,"status":"EXPIRED","executedQty":"0.00000000","cummulativeQuoteQty":"0.00000000","fills":[]}}"#,
    r#"{"id":"p1","status":400,"error":{"code":-2010,"msg":"Account has insufficient balance for requested action."}}"#,
    r#"{"id":"p1","status":408,"error":{"code":-1007,"msg":"Timeout waiting for response from backend server."}}"#,
    r#"{"id":"p1","status":503,"error":{"code":-1001,"msg":"Internal error."}}"#,
    r#"{"id":"p1","status":429,"error":{"code":-1015,"msg":"Too many new orders.","data":{"serverTime":1,"retryAfter":3001}}}"#,
    r#"{"id":"p1","status":200,"result":{"#,
];

const EVENTS: &[&str] = &[
    r#"{"subscriptionId":0,"event":{"e":"executionReport","E":1,"s":"BTCUSDT","c":"ma1","x":"TRADE","X":"FILLED","i":4293153,"l":"0.01500000","z":"0.01500000","L":"60000.50","n":"0.00001500","N":"BTC","T":1,"t":77,"Z":"900.00750000"}}"#,
    r#"{"subscriptionId":0,"event":{"e":"outboundAccountPosition","E":1,"u":1,"B":[{"a":"ETH","f":"10000.000000","l":"0.000000"}]}}"#,
];

#[test]
fn binance_ws_orders_and_answers_do_not_allocate() {
    let _serial = counting_alloc::serial();
    let spec = InstrumentSpec {
        symbol: "BTCUSDT".into(),
        price_scale: 2,
        qty_scale: 8,
    };
    let table = InstrumentTable::new(&[(InstrumentId(1), spec.clone())]).unwrap();
    let writer = WsRequestWriter::new(
        WsSettings {
            recv_window_ms: 5000,
            client_id_prefix: "ma".into(),
            query_rate_limits: false,
        },
        table.clone(),
    )
    .unwrap();
    let mut order = Order {
        id: OrderId(1),
        opp: OppId(1),
        px: Price(6_000_050),
        qty: Qty(1_500_000),
        sent_ts_ns: 0,
        recv_ts_ns: 0,
        instrument: InstrumentId(1),
        venue: VenueId(0),
        side: Side::Buy,
        tif: TimeInForce::Ioc,
    };
    let mut out = Vec::with_capacity(WsRequestWriter::FRAME_CAPACITY);
    let (mut bytes, mut finals, mut unknown, mut refused, mut bad, mut fills, mut balances) =
        (0usize, 0u32, 0u32, 0u32, 0u32, 0u32, 0u32);
    counting_alloc::reset();
    counting_alloc::track(true);
    for i in 0..2000u64 {
        order.id = OrderId(u64::MAX - i);
        order.side = if i % 2 == 0 { Side::Buy } else { Side::Sell };
        writer
            .write_place(&order, 1_700_000_000_000 + i, &mut out)
            .unwrap();
        bytes += out.len();
        writer
            .write_status(&order, 1_700_000_000_000 + i, &mut out)
            .unwrap();
        bytes += out.len();
        writer
            .write_cancel(&order, 1_700_000_000_000 + i, &mut out)
            .unwrap();
        bytes += out.len();
        for frame in ANSWERS {
            match parse_inbound(frame.as_bytes()) {
                Ok(WsInbound::Answer(env)) => {
                    let a = read_order_answer(&table, &order, &env, i);
                    match (a.kind, a.report.status) {
                        (AnswerKind::Final, _) => finals += 1,
                        (_, ExecStatus::Unknown) => unknown += 1,
                        _ => refused += 1,
                    }
                }
                Ok(WsInbound::Event(_)) | Err(_) => bad += 1,
            }
        }
        for frame in EVENTS {
            let Ok(WsInbound::Event(ev)) = parse_inbound(frame.as_bytes()) else {
                bad += 1;
                continue;
            };
            match UserEvent::parse(ev) {
                Ok(UserEvent::Execution(r)) => {
                    if r.trade(&spec).is_some() && r.status(&spec).is_some() {
                        fills += 1;
                    }
                }
                Ok(UserEvent::Position(p)) => balances += p.balances().count() as u32,
                _ => bad += 1,
            }
        }
    }
    counting_alloc::track(false);
    let allocs = counting_alloc::allocations();
    assert!(bytes > 0);
    assert_eq!(
        (finals, unknown, refused, bad, fills, balances),
        (4000, 4000, 4000, 2000, 2000, 2000)
    );
    assert_eq!(out.capacity(), WsRequestWriter::FRAME_CAPACITY);
    assert_eq!(allocs, 0, "the WebSocket codec allocated");
}
