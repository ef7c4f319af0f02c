//! Upbit's private stream (`/websocket/v1/private`): the subscription frame, the bearer JWT, and
//! the `myOrder` / `myAsset` parsers against frames shaped after Upbit's documented examples and
//! field tables (<https://docs.upbit.com/kr/reference/websocket-myorder>,
//! <https://global-docs.upbit.com/reference/websocket-myasset>; numbers are `Double`s, written as
//! JSON numbers), plus malformed and truncated frames, which are counted and refused.

use microarb::exec::gateway::codec::jwt::JwtSigner;
use microarb::exec::gateway::codec::InstrumentSpec;
use microarb::exec::private::upbit::{
    write_bearer, write_subscription, MyAsset, OrderState, PrivateError, PrivateEvent, UpbitMarket,
    UpbitPrivateParser,
};
use microarb::model::{InstrumentId, OrderId, Price, Qty, Side, FEE_SCALE};

/// A `myOrder` execution (`state: trade`) of our order `ma42` on KRW-BTC, every documented field.
pub const MY_ORDER_TRADE: &str = r#"{"type":"myOrder","code":"KRW-BTC","uuid":"ac2dc2a3-fce9-40a2-a4f6-5987c25c438f","ask_bid":"BID","order_type":"limit","state":"trade","trade_uuid":"68315169-fba4-4175-ade3-aff14a616657","price":95000000,"avg_price":95000000,"volume":0.0005,"remaining_volume":0.0005,"executed_volume":0.0005,"trades_count":1,"reserved_fee":47.5,"remaining_fee":23.75,"paid_fee":23.75,"locked":47523.75,"executed_funds":47500,"time_in_force":null,"trade_fee":23.75,"is_maker":false,"identifier":"ma42","smp_type":null,"prevented_volume":0,"prevented_locked":0,"trade_timestamp":1710751590421,"order_timestamp":1710751590000,"timestamp":1710751597500,"stream_type":"REALTIME"}"#;

/// The same order once fully executed (`state: done`, no trade fields), with a double-noise fee.
pub const MY_ORDER_DONE: &str = r#"{"type":"myOrder","code":"KRW-BTC","uuid":"ac2dc2a3-fce9-40a2-a4f6-5987c25c438f","ask_bid":"BID","order_type":"limit","state":"done","trade_uuid":null,"price":95000000,"avg_price":95000000,"volume":0.001,"remaining_volume":0,"executed_volume":0.001,"trades_count":2,"reserved_fee":47.5,"remaining_fee":0,"paid_fee":47.500000000000007,"locked":0,"executed_funds":95000,"time_in_force":null,"trade_fee":null,"is_maker":null,"identifier":"ma42","smp_type":null,"prevented_volume":0,"prevented_locked":0,"trade_timestamp":null,"order_timestamp":1710751590000,"timestamp":1710751598500,"stream_type":"REALTIME"}"#;

/// A `myAsset` frame after the trade: KRW spent, BTC received.
pub const MY_ASSET: &str = r#"{"type":"myAsset","asset_uuid":"e635f223-1609-4969-8fb6-4376937baad6","assets":[{"currency":"KRW","balance":2061832.35,"locked":3824127.3},{"currency":"BTC","balance":"156.70564833","locked":"38.81945789"}],"asset_timestamp":1727052537592,"timestamp":1727052537687,"stream_type":"REALTIME"}"#;

/// Upbit's WebSocket error frame for a refused token.
pub const ERROR_FRAME: &str =
    r#"{"error":{"name":"INVALID_AUTH","message":"Jwt 토큰 검증에 실패했습니다."}}"#;

/// A check that an error is the expected one.
type IsExpected = fn(&PrivateError) -> bool;

pub fn parser() -> UpbitPrivateParser {
    UpbitPrivateParser::new(
        vec![UpbitMarket {
            instrument: InstrumentId(3),
            spec: InstrumentSpec {
                symbol: "KRW-BTC".into(),
                price_scale: 0,
                qty_scale: 8,
            },
        }],
        "ma",
    )
}

fn events(p: &mut UpbitPrivateParser, frame: &[u8]) -> Result<Vec<PrivateEvent>, PrivateError> {
    let mut out = Vec::new();
    p.parse(frame, &mut |e| out.push(e)).map(|()| out)
}

#[test]
fn balances_are_read_at_the_stage_asset_scale() {
    assert_eq!(
        microarb::exec::private::upbit::BALANCE_SCALE,
        microarb::exec::params::ASSET_SCALE
    );
}

#[test]
fn subscription_frame_asks_for_my_order_and_my_asset() {
    let mut out = Vec::new();
    write_subscription(b"ma-1700000000", &mut out).unwrap();
    assert_eq!(
        out,
        br#"[{"ticket":"ma-1700000000"},{"type":"myOrder"},{"type":"myAsset"},{"format":"DEFAULT"}]"#
    );
    assert!(write_subscription(b"bad\"ticket", &mut Vec::new()).is_err());
}

#[test]
fn bearer_token_has_access_key_and_nonce_and_no_query_hash() {
    let mut signer = JwtSigner::new(b"accesskey1", b"secret").unwrap();
    let mut out = Vec::new();
    write_bearer(
        &mut signer,
        b"6e0f5a38-0000-4000-8000-000000000001",
        &mut out,
    );
    let text = std::str::from_utf8(&out).unwrap();
    let token = text.strip_prefix("Bearer ").expect("Bearer prefix");
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "{token}");
    // Same token as the REST signer writes for a request without parameters.
    let mut rest = Vec::new();
    signer.write_token(&mut rest, b"6e0f5a38-0000-4000-8000-000000000001", None);
    assert_eq!(token.as_bytes(), &rest[..]);
    // The payload: {"access_key":"accesskey1","nonce":"6e0f5a38-..."} (base64url of it).
    assert_eq!(
        parts[1],
        "eyJhY2Nlc3Nfa2V5IjoiYWNjZXNza2V5MSIsIm5vbmNlIjoiNmUwZjVhMzgtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDAxIn0"
    );
}

#[test]
fn my_order_trade_gives_our_fill() {
    let mut p = parser();
    let ev = events(&mut p, MY_ORDER_TRADE.as_bytes()).unwrap();
    let [PrivateEvent::Order(o)] = ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!(o.instrument, InstrumentId(3));
    assert_eq!(o.client, Some(OrderId(42)));
    assert_eq!(o.uuid.as_str(), "ac2dc2a3-fce9-40a2-a4f6-5987c25c438f");
    assert_eq!(o.side, Side::Buy);
    assert_eq!(o.state, OrderState::Trade);
    assert!(!o.state.is_final());
    assert_eq!(o.executed, Qty(50_000));
    assert_eq!(o.avg_price, Price(95_000_000));
    let f = o.fill.expect("a fill on state trade");
    assert_eq!(
        f.trade_uuid.as_str(),
        "68315169-fba4-4175-ade3-aff14a616657"
    );
    assert_eq!(f.price, Price(95_000_000));
    assert_eq!(f.qty, Qty(50_000));
    assert_eq!(f.fee.amount, 2375 * 10i64.pow(u32::from(FEE_SCALE)) / 100);
    assert_eq!(f.fee.asset.as_str(), "KRW");
    assert!(!f.maker);
    assert_eq!(p.counters().orders, 1);
    assert_eq!(p.counters().fills, 1);
}

#[test]
fn my_order_done_is_final_without_a_fill() {
    let mut p = parser();
    let ev = events(&mut p, MY_ORDER_DONE.as_bytes()).unwrap();
    let [PrivateEvent::Order(o)] = ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!(o.state, OrderState::Done);
    assert!(o.state.is_final());
    assert_eq!(o.fill, None);
    assert_eq!(o.executed, Qty(100_000));
    assert_eq!(o.avg_price, Price(95_000_000));
    // 47.500000000000007 truncated at FEE_SCALE (12 decimals).
    assert_eq!(o.paid_fee.amount, 47_500_000_000_000);
    assert_eq!(p.counters().fills, 0);
}

#[test]
fn cancel_wait_and_foreign_orders() {
    let mut p = parser();
    let cancel = MY_ORDER_DONE
        .replace("\"done\"", "\"cancel\"")
        .replace("\"ma42\"", "\"other-7\"");
    let ev = events(&mut p, cancel.as_bytes()).unwrap();
    let [PrivateEvent::Order(o)] = ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!(o.state, OrderState::Cancel);
    assert_eq!(o.client, None);
    let wait = MY_ORDER_DONE
        .replace("\"done\"", "\"wait\"")
        .replace("\"identifier\":\"ma42\"", "\"identifier\":null");
    let ev = events(&mut p, wait.as_bytes()).unwrap();
    let [PrivateEvent::Order(o)] = ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!(o.state, OrderState::Wait);
    assert_eq!(o.client, None);
    assert_eq!(p.counters().foreign_orders, 2);
}

#[test]
fn my_asset_gives_one_balance_per_currency() {
    let mut p = parser();
    let ev = events(&mut p, MY_ASSET.as_bytes()).unwrap();
    let got: Vec<MyAsset> = ev
        .iter()
        .map(|e| match e {
            PrivateEvent::Asset(a) => *a,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].currency.as_str(), "KRW");
    assert_eq!(got[0].free, 206_183_235_000_000);
    assert_eq!(got[0].locked, 382_412_730_000_000);
    assert_eq!(got[1].currency.as_str(), "BTC");
    assert_eq!(got[1].free, 15_670_564_833);
    assert_eq!(got[1].locked, 3_881_945_789);
    assert_eq!(p.counters().assets, 2);
}

#[test]
fn balances_past_1e8_are_truncated_and_beyond_i64_refused() {
    let mut p = parser();
    // A quote balance after a trade, a double with noise past 1e-8.
    let noisy = MY_ASSET.replace("2061832.35,", "2061832.3500000001234,");
    let ev = events(&mut p, noisy.as_bytes()).unwrap();
    let PrivateEvent::Asset(a) = ev[0] else {
        panic!("{ev:?}")
    };
    assert_eq!(a.free, 206_183_235_000_000);
    let huge = MY_ASSET.replace("2061832.35,", "999999999999.5,");
    assert!(matches!(
        events(&mut p, huge.as_bytes()),
        Err(PrivateError::BadValue {
            field: "balance",
            ..
        })
    ));
}

#[test]
fn text_and_binary_messages_read_the_same() {
    // A binary message's payload is the same UTF-8 JSON as a text message's.
    let text = tungstenite::Message::text(MY_ORDER_TRADE);
    let binary = tungstenite::Message::binary(MY_ORDER_TRADE.as_bytes().to_vec());
    let mut p = parser();
    let a = events(&mut p, &text.into_data()).unwrap();
    let b = events(&mut p, &binary.into_data()).unwrap();
    assert_eq!(a, b);
}

#[test]
fn error_frame_and_status_frame() {
    let mut p = parser();
    match events(&mut p, ERROR_FRAME.as_bytes()) {
        Err(PrivateError::VenueError { name }) => assert_eq!(name.as_str(), "INVALID_AUTH"),
        other => panic!("{other:?}"),
    }
    assert_eq!(p.counters().venue_errors, 1);
    let ev = events(&mut p, br#"{"status":"UP"}"#).unwrap();
    assert_eq!(ev, vec![PrivateEvent::Alive]);
    assert_eq!(p.counters().alive, 1);
}

#[test]
fn malformed_frames_are_counted_and_refused() {
    let mut p = parser();
    // Every truncation of each example is refused without a panic.
    let mut refused = 0u64;
    for frame in [MY_ORDER_TRADE, MY_ORDER_DONE, MY_ASSET] {
        for cut in 0..frame.len() - 1 {
            let mut got = 0;
            if p.parse(&frame.as_bytes()[..cut], &mut |_| got += 1)
                .is_err()
            {
                refused += 1;
            }
            assert_eq!(got, 0, "a truncated frame handed out an event: {cut}");
        }
    }
    let c = *p.counters();
    assert_eq!(
        refused,
        c.malformed + c.missing_field + c.bad_value + c.unknown_type + c.unknown_market
    );
    assert!(c.malformed > 0);
    // Wrong values, each refused with its own reason.
    let cases: [(String, IsExpected); 7] = [
        (
            MY_ORDER_TRADE.replace("KRW-BTC", "KRW-ETH"),
            |e| matches!(e, PrivateError::UnknownMarket { code } if code.as_str() == "KRW-ETH"),
        ),
        (
            MY_ORDER_TRADE.replace("\"BID\"", "\"BUY\""),
            |e| matches!(e, PrivateError::BadValue { field: "ask_bid", value } if value.as_str() == "BUY"),
        ),
        (MY_ORDER_TRADE.replace("\"trade\"", "\"exploded\""), |e| {
            matches!(e, PrivateError::BadValue { field: "state", .. })
        }),
        // KRW-BTC prices are whole won (scale 0): a fraction is refused, not rounded.
        (
            MY_ORDER_TRADE.replace("\"price\":95000000", "\"price\":95000000.5"),
            |e| matches!(e, PrivateError::BadValue { field: "price", .. }),
        ),
        (MY_ORDER_TRADE.replace("\"trade_fee\":23.75,", ""), |e| {
            matches!(
                e,
                PrivateError::MissingField {
                    field: "trade_fee",
                    ..
                }
            )
        }),
        (
            MY_ORDER_TRADE.replace("myOrder", "myTrade"),
            |e| matches!(e, PrivateError::UnknownType { ty } if ty.as_str() == "myTrade"),
        ),
        (
            MY_ASSET.replace("\"balance\":2061832.35", "\"balance\":\"lots\""),
            |e| {
                matches!(
                    e,
                    PrivateError::BadValue {
                        field: "balance",
                        ..
                    }
                )
            },
        ),
    ];
    for (frame, is_expected) in &cases {
        let mut got = 0;
        let e = p.parse(frame.as_bytes(), &mut |_| got += 1).unwrap_err();
        assert!(is_expected(&e), "{frame}: {e:?}");
        assert_eq!(got, 0);
    }
    let many = format!(
        r#"{{"type":"myAsset","assets":[{}]}}"#,
        vec![r#"{"currency":"KRW","balance":1,"locked":0}"#; 17].join(",")
    );
    assert_eq!(
        p.parse(many.as_bytes(), &mut |_| ()),
        Err(PrivateError::TooManyAssets)
    );
    assert_eq!(p.counters().too_many_assets, 1);
    assert_eq!(p.counters().unknown_market, c.unknown_market + 1);
}
