//! The OKX v5 private WebSocket codec allocates nothing per order: writing `order` and
//! `cancel-order` ops into a buffer reserved once, reading their answers (with OKX's
//! `inTime`/`outTime`), pongs, refusals and the `orders` / `account` pushes, thousands of times
//! under the counting allocator. The login is signed once per session (cold path) and left out.

use microarb::exec::gateway::codec::okx_ws::{
    is_pong, parse_inbound, read_op_answer, AccountUpdate, OkxInbound, OkxWsSettings, OkxWsWriter,
    OrderUpdates, PING,
};
use microarb::exec::gateway::codec::{AnswerKind, InstrumentSpec, InstrumentTable};
use microarb::model::{
    ExecStatus, InstrumentId, OppId, Order, OrderId, Price, Qty, Side, TimeInForce, VenueId,
};

use crate::common::alloc as counting_alloc;

const ANSWERS: &[&str] = &[
    r#"{"id":"o7","op":"order","code":"0","msg":"","data":[{"clOrdId":"ma7","ordId":"12345689","tag":"","ts":"1695190491421","sCode":"0","sMsg":""}],"inTime":"1695190491421339","outTime":"1695190491423240"}"#,
    r#"{"id":"o7","op":"order","code":"1","msg":"","data":[{"clOrdId":"ma7","ordId":"","sCode":"51008","sMsg":"Insufficient balance"}],"inTime":"1","outTime":"2"}"#,
    r#"{"id":"o7","op":"order","code":"50011","msg":"Too Many Requests","data":[]}"#,
    r#"{"event":"error","code":"60012","msg":"Invalid request","connId":"a"}"#,
    "pong",
    r#"{"id":"o7","op":"order","code":"0","data":[{"#,
];

const PUSHES: &[&str] = &[
    r#"{"arg":{"channel":"orders","instType":"SPOT","uid":"1"},"data":[{"instId":"BTC-USDT","ordId":"680800019749904384","clOrdId":"ma7","state":"filled","fillPx":"60000.5","fillSz":"0.01","tradeId":"1234","fillFee":"-0.00001","fillFeeCcy":"BTC","accFillSz":"0.01","avgPx":"60000.5","uTime":"1708587373361"}]}"#,
    r#"{"arg":{"channel":"account","uid":"1"},"data":[{"uTime":"1705564223311","totalEq":"1","details":[{"ccy":"USDT","availBal":"100.5","cashBal":"120.5","frozenBal":"20"},{"ccy":"BTC","availBal":"1","cashBal":"1","frozenBal":"0"}]}]}"#,
];

#[test]
fn okx_ws_orders_and_answers_do_not_allocate() {
    let _serial = counting_alloc::serial();
    let spec = InstrumentSpec {
        symbol: "BTC-USDT".into(),
        price_scale: 1,
        qty_scale: 8,
    };
    let mut table = InstrumentTable::new(&[(InstrumentId(0), spec.clone())]).unwrap();
    assert_eq!(table.set_venue_codes(&[("BTC-USDT".to_string(), 10)]), 1);
    let writer = OkxWsWriter::new(
        OkxWsSettings {
            client_id_prefix: "ma".into(),
        },
        table.clone(),
    )
    .unwrap();
    let mut order = Order {
        id: OrderId(7),
        opp: OppId(1),
        px: Price(600_005),
        qty: Qty(1_000_000),
        sent_ts_ns: 0,
        recv_ts_ns: 0,
        instrument: InstrumentId(0),
        venue: VenueId(0),
        side: Side::Buy,
        tif: TimeInForce::Ioc,
    };
    let mut out = Vec::with_capacity(OkxWsWriter::FRAME_CAPACITY);
    let (mut bytes, mut accepted, mut refused, mut venue_us) = (0usize, 0u32, 0u32, 0u64);
    let (mut errors, mut pongs, mut bad, mut fills, mut coins) = (0u32, 0u32, 0u32, 0u32, 0u32);
    counting_alloc::reset();
    counting_alloc::track(true);
    for i in 0..2000u64 {
        order.id = OrderId(u64::MAX - i);
        order.side = if i % 2 == 0 { Side::Buy } else { Side::Sell };
        writer.write_order(&order, &mut out).unwrap();
        bytes += out.len();
        writer.write_cancel(&order, &mut out).unwrap();
        bytes += out.len();
        bytes += PING.len();
        for frame in ANSWERS {
            match parse_inbound(frame.as_bytes()) {
                Ok(OkxInbound::Answer(env)) => {
                    let a = read_op_answer(&table, &order, &env, i);
                    venue_us += a.venue_latency_us().unwrap_or(0);
                    match a.answer.kind {
                        AnswerKind::Accepted => accepted += 1,
                        _ => refused += 1,
                    }
                }
                Ok(OkxInbound::Error { .. }) => errors += 1,
                Ok(OkxInbound::Pong) if is_pong(frame.as_bytes()) => pongs += 1,
                _ => bad += 1,
            }
        }
        for frame in PUSHES {
            let Ok(OkxInbound::Push(p)) = parse_inbound(frame.as_bytes()) else {
                bad += 1;
                continue;
            };
            match p.channel {
                b"orders" => {
                    for u in OrderUpdates::new(p.data).flatten() {
                        if u.status(&spec) == Some((ExecStatus::Filled, true))
                            && u.trade(&spec).is_some()
                        {
                            fills += 1;
                        }
                    }
                }
                b"account" => {
                    if let Ok(a) = AccountUpdate::parse(p.data) {
                        coins += a.balances().flatten().count() as u32;
                    }
                }
                _ => bad += 1,
            }
        }
    }
    counting_alloc::track(false);
    let allocs = counting_alloc::allocations();
    assert!(bytes > 0);
    assert_eq!(
        (accepted, refused, errors, pongs, bad, fills, coins),
        (2000, 4000, 2000, 2000, 2000, 2000, 4000)
    );
    assert_eq!(venue_us, 2000 * (1_901 + 1));
    assert_eq!(out.capacity(), OkxWsWriter::FRAME_CAPACITY);
    assert_eq!(allocs, 0, "the OKX WebSocket codec allocated");
}
