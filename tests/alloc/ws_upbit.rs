//! Upbit's private-stream dialect reads pushes without allocating: `classify` and `on_push` over
//! the frames the stream carries (`myOrder` wait / trade / done / cancel for a few hundred of our
//! orders, repeats of their finals, `myAsset`, `{"status":"UP"}`, Upbit's error frame, a foreign
//! order), shaped as Upbit's docs show them (docs.upbit.com "내 주문 및 체결 (MyOrder)", global-docs
//! "My Asset"), built before counting. Expected: 0 allocations; every final forwarded once per
//! order while the dialect remembers it.

use microarb::exec::gateway::codec::jwt::JwtSigner;
use microarb::exec::gateway::codec::nonce::UuidGen;
use microarb::exec::gateway::codec::InstrumentSpec;
use microarb::exec::gateway::ws::{AssetNames, Inbound, StreamEvent, UpbitDialect, WsDialect};
use microarb::exec::guards::AssetId;
use microarb::exec::private::upbit::{UpbitMarket, UpbitPrivateParser};
use microarb::model::{
    InstrumentId, OppId, Order, OrderId, Price, Qty, Side, TimeInForce, VenueId,
};

use crate::common::alloc as counting_alloc;

fn frame(id: u64, state: &str, executed: &str) -> String {
    let trade = if state == "trade" {
        r#""trade_uuid":"68315169-fba4-4175-ade3-aff14a616657","trade_fee":23.75,"is_maker":false,"trade_timestamp":1710751590421"#
    } else {
        r#""trade_uuid":null,"trade_fee":null,"is_maker":null,"trade_timestamp":null"#
    };
    format!(
        r#"{{"type":"myOrder","code":"KRW-BTC","uuid":"ac2dc2a3-fce9-40a2-a4f6-{id:012}","ask_bid":"BID","order_type":"limit","state":"{state}",{trade},"price":95000000,"avg_price":95000000,"volume":0.001,"remaining_volume":0,"executed_volume":{executed},"trades_count":1,"reserved_fee":0,"remaining_fee":0,"paid_fee":47.5,"locked":0,"executed_funds":95000,"time_in_force":"ioc","identifier":"ma{id}","smp_type":null,"prevented_volume":0,"prevented_locked":0,"order_timestamp":1710751590000,"timestamp":1710751598500,"stream_type":"REALTIME"}}"#
    )
}

fn order(id: OrderId) -> Order {
    Order {
        id,
        opp: OppId(id.0),
        px: Price(95_000_000),
        qty: Qty(100_000),
        sent_ts_ns: 0,
        recv_ts_ns: 0,
        instrument: InstrumentId(0),
        venue: VenueId(1),
        side: Side::Buy,
        tif: TimeInForce::Ioc,
    }
}

#[test]
fn upbit_pushes_read_without_allocating() {
    let _serial = counting_alloc::serial();
    let parser = UpbitPrivateParser::new(
        vec![UpbitMarket {
            instrument: InstrumentId(0),
            spec: InstrumentSpec {
                symbol: "KRW-BTC".into(),
                price_scale: 0,
                qty_scale: 8,
            },
        }],
        "ma",
    );
    let mut d = UpbitDialect::new(
        JwtSigner::new(b"access", b"secret").unwrap(),
        UuidGen::from_seed(3),
        parser,
        AssetNames::new([("KRW", AssetId(0)), ("BTC", AssetId(1))]),
    );
    const ORDERS: u64 = 200;
    let mut frames: Vec<String> = Vec::new();
    for id in 1..=ORDERS {
        frames.push(frame(id, "wait", "0"));
        frames.push(frame(id, "trade", "0.001"));
        let last = if id % 2 == 0 { "done" } else { "cancel" };
        frames.push(frame(id, last, "0.001"));
        frames.push(frame(id, last, "0.001"));
        frames.push(r#"{"type":"myAsset","asset_uuid":"e635f223-1609-4969-8fb6-4376937baad6","assets":[{"currency":"KRW","balance":2061832.35,"locked":3824127.3},{"currency":"BTC","balance":156.70564833,"locked":38.81945789}],"asset_timestamp":1727052537592,"timestamp":1727052537687,"stream_type":"REALTIME"}"#.into());
        frames.push(r#"{"status":"UP"}"#.into());
    }
    frames.push(frame(7, "done", "0.001").replace("\"ma7\"", "\"other-7\""));
    frames.push(r#"{"error":{"name":"INVALID_AUTH","message":"x"}}"#.into());
    let lookup = |id: OrderId| Some(order(id));
    let (mut finals, mut balances, mut pushes, mut other) = (0u64, 0u64, 0u64, 0u64);
    counting_alloc::reset();
    counting_alloc::track(true);
    for f in &frames {
        match d.classify(f.as_bytes()) {
            Inbound::Push => {
                pushes += 1;
                let read = d.on_push(f.as_bytes(), 1, &lookup, &mut |e| match e {
                    StreamEvent::Order(_) => finals += 1,
                    StreamEvent::Balance { .. } => balances += 1,
                });
                assert!(read);
            }
            _ => other += 1,
        }
    }
    counting_alloc::track(false);
    let allocs = counting_alloc::allocations();
    assert_eq!(finals, ORDERS, "one final per order, the repeats dropped");
    assert_eq!(balances, 2 * ORDERS);
    assert_eq!((pushes, other), (5 * ORDERS + 1, ORDERS + 1));
    let c = d.push_counters();
    assert_eq!(
        (c.duplicates, c.working, c.foreign),
        (ORDERS, 2 * ORDERS, 1)
    );
    assert_eq!(allocs, 0, "Upbit push reading allocated");
}
