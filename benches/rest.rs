//! Micro-benchmarks of the REST order path before the socket: building the complete signed
//! request bytes for one order (Binance: form body + HMAC-SHA256 + hex; Upbit: query string +
//! SHA-512 query hash + JWT HS256 + base64url + JSON body; Bybit: JSON body + `X-BAPI-*` headers +
//! HMAC-SHA256 hex; OKX: JSON body + ISO 8601 timestamp + HMAC-SHA256 Base64), plus the bare
//! signing primitives, and reading a Binance FILLED answer into a report. Beside them the
//! WebSocket path's cost per order: Binance's WebSocket API `order.place` written by its dialect
//! and masked into a client frame (no signature: the session logged on once), and that logon's
//! Ed25519 signature (once per session).
//!
//! Single thread, no pinning, criterion's own timing loop (about a nanosecond of overhead per
//! iteration is inside every figure). The request buffer is reused across iterations as the
//! gateway reuses it, so nothing allocates in the measured code. Short measurement times:
//! `cargo bench --bench rest -- --quick` for a smoke run.

// `criterion_group!` generates a public fn that cannot carry a doc comment.
#![allow(missing_docs)]

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use microarb::exec::gateway::codec::binance::sign;
use microarb::exec::gateway::codec::jwt::JwtSigner;
use microarb::exec::gateway::codec::nonce::UuidGen;
use microarb::exec::gateway::codec::{
    BinanceCodec, BinanceSettings, BybitCodec, BybitSettings, InstrumentSpec, InstrumentTable,
    OkxCodec, OkxSettings, RestVenue, UpbitCodec, UpbitSettings,
};
use microarb::model::{
    InstrumentId, OppId, Order, OrderId, Price, Qty, Side, TimeInForce, VenueId,
};
use std::time::Duration;

fn table(symbol: &str, price_scale: u8) -> InstrumentTable {
    InstrumentTable::new(&[(
        InstrumentId(1),
        InstrumentSpec {
            symbol: symbol.into(),
            price_scale,
            qty_scale: 8,
        },
    )])
    .expect("valid symbol")
}

fn order(px: i64) -> Order {
    Order {
        id: OrderId(123_456),
        opp: OppId(1),
        px: Price(px),
        qty: Qty(1_500_000),
        sent_ts_ns: 0,
        recv_ts_ns: 0,
        instrument: InstrumentId(1),
        venue: VenueId(0),
        side: Side::Buy,
        tif: TimeInForce::Ioc,
    }
}

fn binance(c: &mut Criterion) {
    let mut codec = BinanceCodec::new(
        BinanceSettings {
            host: "api.binance.com".into(),
            recv_window_ms: 5000,
            client_id_prefix: "ma".into(),
        },
        b"vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
        b"NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j",
        table("BTCUSDT", 2),
    )
    .expect("valid settings");
    let o = order(6_000_050);
    let mut out = Vec::with_capacity(2048);
    let mut ts = 1_700_000_000_000u64;
    c.bench_function("rest/binance/request_bytes(sign+build)", |b| {
        b.iter(|| {
            ts += 1;
            codec
                .write_request(black_box(&o), ts, &mut out)
                .expect("known instrument");
            black_box(out.len())
        })
    });
    let total = b"symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
    c.bench_function("rest/binance/hmac_sha256_hex(doc example)", |b| {
        b.iter(|| {
            sign(
                black_box(b"NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"),
                black_box(total),
            )
        })
    });
    let body = br#"{"symbol":"BTCUSDT","orderId":28,"orderListId":-1,"clientOrderId":"ma123456","transactTime":1507725176595,"price":"60000.50","origQty":"0.01500000","executedQty":"0.01500000","cummulativeQuoteQty":"900.00750000","status":"FILLED","timeInForce":"IOC","type":"LIMIT","side":"BUY"}"#;
    let headers = [
        httparse::Header {
            name: "X-MBX-USED-WEIGHT-1M",
            value: b"12",
        },
        httparse::Header {
            name: "X-MBX-ORDER-COUNT-10S",
            value: b"3",
        },
    ];
    c.bench_function("rest/binance/parse_answer(FILLED)", |b| {
        b.iter(|| codec.parse_answer(&o, 200, black_box(&headers), black_box(body), 1))
    });
}

fn upbit(c: &mut Criterion) {
    let mut codec = UpbitCodec::new(
        UpbitSettings {
            host: "api.upbit.com".into(),
            identifier_prefix: "ma".into(),
            ioc: true,
        },
        b"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        b"yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy",
        table("KRW-BTC", 0),
        UuidGen::from_seed(1),
    )
    .expect("valid settings");
    let o = order(100_000_000);
    let mut out = Vec::with_capacity(2048);
    c.bench_function("rest/upbit/request_bytes(jwt+build)", |b| {
        b.iter(|| {
            codec
                .write_request(black_box(&o), 0, &mut out)
                .expect("known instrument");
            black_box(out.len())
        })
    });
    let mut signer =
        JwtSigner::new(b"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", b"yyyy").expect("valid key");
    let query = b"market=KRW-BTC&side=bid&volume=0.015&price=100000000&ord_type=limit&identifier=ma123456&time_in_force=ioc";
    let mut nonces = UuidGen::from_seed(2);
    let mut tok = Vec::with_capacity(1024);
    c.bench_function("rest/upbit/jwt_only(sha512+hs256)", |b| {
        b.iter(|| {
            tok.clear();
            let n = nonces.next_uuid();
            signer.write_token(&mut tok, &n, Some(black_box(query)));
            black_box(tok.len())
        })
    });
}

fn bybit(c: &mut Criterion) {
    let mut codec = BybitCodec::new(
        BybitSettings {
            host: "api.bybit.com".into(),
            recv_window_ms: 5000,
            client_id_prefix: "ma".into(),
        },
        b"XXXXXXXXXXXXXXXXXX",
        b"YYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYY",
        table("BTCUSDT", 2),
    )
    .expect("valid settings");
    let o = order(6_000_050);
    let mut out = Vec::with_capacity(2048);
    let mut ts = 1_700_000_000_000u64;
    c.bench_function("rest/bybit/request_bytes(sign+build)", |b| {
        b.iter(|| {
            ts += 1;
            codec
                .write_request(black_box(&o), ts, &mut out)
                .expect("known instrument");
            black_box(out.len())
        })
    });
}

fn okx(c: &mut Criterion) {
    let mut codec = OkxCodec::new(
        OkxSettings {
            host: "www.okx.com".into(),
            client_id_prefix: "ma".into(),
        },
        b"XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX",
        b"YYYYYYYYYYYYYYYYYYYYYYYYYYYYYYYY",
        b"passphrase",
        table("BTC-USDT", 2),
    )
    .expect("valid settings");
    let o = order(6_000_050);
    let mut out = Vec::with_capacity(2048);
    let mut ts = 1_700_000_000_000u64;
    c.bench_function("rest/okx/request_bytes(sign+build)", |b| {
        b.iter(|| {
            ts += 1;
            codec
                .write_request(black_box(&o), ts, &mut out)
                .expect("known instrument");
            black_box(out.len())
        })
    });
}

fn binance_ws(c: &mut Criterion) {
    use microarb::exec::gateway::codec::binance_ws::{
        write_logon, Ed25519Key, LogonParams, WsRequestWriter, WsSettings,
    };
    use microarb::exec::gateway::ws::frame::{write_client_frame, MaskRng, OP_TEXT};
    use microarb::exec::gateway::ws::{AssetNames, BinanceDialect, WsDialect, WsOp};
    // Binance's illustrative Ed25519 key (fix-api.md), PKCS#8 v1.
    const PEM: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIIJEYWtGBrhACmb9Dvy+qa8WEf0lQOl1s4CLIAB9m89u\n-----END PRIVATE KEY-----\n";
    let key =
        || Ed25519Key::from_pem(std::path::Path::new("bench.pem"), PEM.as_bytes()).expect("key");
    let writer = WsRequestWriter::new(
        WsSettings {
            recv_window_ms: 5000,
            client_id_prefix: "ma".into(),
            query_rate_limits: false,
        },
        table("BTCUSDT", 2),
    )
    .expect("valid settings");
    let mut d = BinanceDialect::new(writer, key(), "k".into(), 5000, true, AssetNames::default());
    let o = order(6_000_050);
    let (mut json, mut frame) = (Vec::with_capacity(1024), Vec::with_capacity(2048));
    let mut rng = MaskRng::new(7);
    let mut ts = 1_700_000_000_000u64;
    c.bench_function("ws/binance/order_frame(unsigned+mask)", |b| {
        b.iter(|| {
            ts += 1;
            d.write_request(black_box(&o), WsOp::Place, ts, &mut json)
                .expect("known instrument");
            frame.clear();
            write_client_frame(&mut frame, OP_TEXT, &json, rng.mask()).expect("fits");
            black_box(frame.len())
        })
    });
    let k = key();
    let mut out = Vec::with_capacity(512);
    c.bench_function("ws/binance/session_logon(ed25519, once per session)", |b| {
        b.iter(|| {
            ts += 1;
            out.clear();
            let p = LogonParams {
                api_key: b"vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
                timestamp_ms: ts,
                recv_window_ms: 5000,
            };
            write_logon(&k, p, 1, &mut out).expect("logon");
            black_box(out.len())
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(30);
    targets = binance, upbit, bybit, okx, binance_ws
}
criterion_main!(benches);
