//! Upbit's private-stream parser allocates nothing per frame: `myOrder` (trade and done),
//! `myAsset`, the error and status frames, and malformed ones parsed thousands of times under the
//! counting allocator, events handed to a callback that keeps only a count.

use microarb::exec::gateway::codec::InstrumentSpec;
use microarb::exec::private::upbit::{UpbitMarket, UpbitPrivateParser};
use microarb::model::InstrumentId;

use crate::common::alloc as counting_alloc;

const FRAMES: &[&str] = &[
    r#"{"type":"myOrder","code":"KRW-BTC","uuid":"ac2dc2a3-fce9-40a2-a4f6-5987c25c438f","ask_bid":"BID","order_type":"limit","state":"trade","trade_uuid":"68315169-fba4-4175-ade3-aff14a616657","price":95000000,"avg_price":95000000,"volume":0.0005,"remaining_volume":0.0005,"executed_volume":0.0005,"trades_count":1,"reserved_fee":47.5,"remaining_fee":23.75,"paid_fee":23.75,"locked":47523.75,"executed_funds":47500,"time_in_force":null,"trade_fee":23.75,"is_maker":false,"identifier":"ma42","trade_timestamp":1710751590421,"order_timestamp":1710751590000,"timestamp":1710751597500,"stream_type":"REALTIME"}"#,
    r#"{"type":"myOrder","code":"KRW-BTC","uuid":"ac2dc2a3-fce9-40a2-a4f6-5987c25c438f","ask_bid":"ASK","state":"done","executed_volume":0.001,"paid_fee":47.500000000000007,"executed_funds":95000,"identifier":"ma42"}"#,
    r#"{"type":"myAsset","asset_uuid":"e635f223-1609-4969-8fb6-4376937baad6","assets":[{"currency":"KRW","balance":2061832.35,"locked":3824127.3},{"currency":"BTC","balance":"156.70564833","locked":"38.81945789"}],"asset_timestamp":1727052537592,"timestamp":1727052537687,"stream_type":"REALTIME"}"#,
    r#"{"error":{"name":"INVALID_AUTH","message":"Jwt"}}"#,
    r#"{"status":"UP"}"#,
    r#"{"type":"myOrder","code":"KRW-ETH","uuid":"x","ask_bid":"BID","state":"wait","executed_volume":0}"#,
    r#"{"type":"myOrder","code":"KRW-BTC","uuid":"x","ask_bid":"BID","state":"trade","exec"#,
    r#"{"type":"myAsset","assets":[{"currency":"KRW","balance":"lots","locked":0}]}"#,
];

#[test]
fn private_frames_parse_without_allocating() {
    let _serial = counting_alloc::serial();
    let mut parser = UpbitPrivateParser::new(
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
    let (mut events, mut refused) = (0u64, 0u64);
    counting_alloc::reset();
    counting_alloc::track(true);
    for _ in 0..500 {
        for frame in FRAMES {
            if parser
                .parse(frame.as_bytes(), &mut |_| events += 1)
                .is_err()
            {
                refused += 1;
            }
        }
    }
    counting_alloc::track(false);
    let allocs = counting_alloc::allocations();
    assert_eq!(events, 500 * 5, "events");
    assert_eq!(refused, 500 * 4, "refused");
    assert_eq!(parser.counters().fills, 500);
    assert_eq!(allocs, 0, "private-stream parsing allocated");
}
