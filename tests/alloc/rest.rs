//! Allocations per order through the REST gateway in steady state, over plain TCP on loopback.
//!
//! A counting allocator counts allocations made on the test thread (which signs, submits, polls
//! and reads the answers) once a warm-up is over; the loopback server runs on its own thread and
//! is not counted. All four venues' codecs are driven (Binance, Upbit, Bybit v5, OKX v5: signing,
//! OKX's ISO timestamp, the usage headers and the answers, acknowledgements and status queries
//! alike); the server answers with Content-Length and chunked bodies in turn, so both framings
//! are covered. Expected: 0 per order (request and
//! response buffers are reserved at construction and reused; httparse and the scanner borrow).
//! Over TLS rustls' buffered API would allocate per record; this test is plain TCP on purpose.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use microarb::exec::gateway::codec::nonce::UuidGen;
use microarb::exec::gateway::codec::{
    AnswerKind, BinanceCodec, BinanceSettings, BybitCodec, BybitSettings, InstrumentSpec,
    InstrumentTable, OkxCodec, OkxSettings, RestVenue, UpbitCodec, UpbitSettings,
};
use microarb::exec::gateway::rest::{GatewaySettings, RestGateway};
use microarb::model::{
    ExecStatus, InstrumentId, OppId, Order, OrderId, Price, Qty, Side, TimeInForce, VenueId,
};
use microarb::net::http::HostSpec;
use microarb::net::http::PoolSettings;

use crate::common::alloc as counting_alloc;

/// Answer every request on every connection with `body`, alternating Content-Length and chunked.
fn serve(body: &'static str, status: &'static str) -> SocketAddr {
    serve2(body, body, status)
}

/// [`serve`] with `get_body` for GETs (status queries) and `post_body` for the rest (orders).
fn serve2(post_body: &'static str, get_body: &'static str, status: &'static str) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for s in listener.incoming() {
            let s = s.unwrap();
            std::thread::spawn(move || serve_one(s, post_body, get_body, status));
        }
    });
    addr
}

fn serve_one(mut s: TcpStream, post_body: &str, get_body: &str, status: &str) {
    s.set_nodelay(true).unwrap();
    let mut buf = Vec::new();
    let mut n = 0u64;
    loop {
        let mut headers = [httparse::EMPTY_HEADER; 16];
        let mut req = httparse::Request::new(&mut headers);
        if let Ok(httparse::Status::Complete(h)) = req.parse(&buf) {
            let len: usize = req
                .headers
                .iter()
                .find(|x| x.name.eq_ignore_ascii_case("content-length"))
                .map(|x| std::str::from_utf8(x.value).unwrap().parse().unwrap())
                .unwrap_or(0);
            if buf.len() >= h + len {
                let body = if req.method == Some("GET") {
                    get_body
                } else {
                    post_body
                };
                buf.drain(..h + len);
                n += 1;
                let r = if n % 2 == 0 {
                    format!(
                        "HTTP/1.1 {status}\r\nRemaining-Req: group=order; min=100; sec=7\r\nX-MBX-USED-WEIGHT-1M: 5\r\nX-Bapi-Limit-Status: 19\r\nX-Bapi-Limit-Reset-Timestamp: 1700000000000\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    )
                } else {
                    let (a, b) = body.split_at(body.len() / 2);
                    format!(
                        "HTTP/1.1 {status}\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{a}\r\n{:x}\r\n{b}\r\n0\r\n\r\n",
                        a.len(),
                        b.len()
                    )
                };
                s.write_all(r.as_bytes()).unwrap();
                continue;
            }
        }
        let mut tmp = [0u8; 4096];
        match s.read(&mut tmp) {
            Ok(0) | Err(_) => return,
            Ok(k) => buf.extend_from_slice(&tmp[..k]),
        }
    }
}

fn order(k: u64, px: i64) -> Order {
    Order {
        id: OrderId(k),
        opp: OppId(k),
        px: Price(px),
        qty: Qty(1_500_000),
        sent_ts_ns: 0,
        recv_ts_ns: 0,
        instrument: InstrumentId(1),
        venue: VenueId(0),
        side: if k % 2 == 0 { Side::Buy } else { Side::Sell },
        tif: TimeInForce::Ioc,
    }
}

fn table(symbol: &str, price_scale: u8) -> InstrumentTable {
    InstrumentTable::new(&[(
        InstrumentId(1),
        InstrumentSpec {
            symbol: symbol.into(),
            price_scale,
            qty_scale: 8,
        },
    )])
    .unwrap()
}

/// Run `warmup + counted` orders (and status queries) one after another over a 2-connection
/// pool; return the allocations counted during the last `counted`. Every answer must be `want`.
fn run<V: RestVenue>(
    gw: &mut RestGateway<V>,
    px: i64,
    want: ExecStatus,
    warmup: u64,
    counted: u64,
) -> u64 {
    let w = (AnswerKind::Final, want);
    run2(gw, px, w, w, warmup, counted)
}

/// [`run`] with `order` the kind and status an order's answer must have, `query` a status
/// query's.
fn run2<V: RestVenue>(
    gw: &mut RestGateway<V>,
    px: i64,
    order_want: (AnswerKind, ExecStatus),
    query_want: (AnswerKind, ExecStatus),
    warmup: u64,
    counted: u64,
) -> u64 {
    let start = Instant::now();
    let give_up = start + Duration::from_secs(60);
    while gw.idle_connections() < 2 {
        assert!(Instant::now() < give_up);
        gw.poll(start.elapsed().as_nanos() as u64, &mut |_| {});
        std::thread::yield_now();
    }
    let mut before = 0;
    for k in 0..warmup + counted {
        if k == warmup {
            before = counting_alloc::allocations();
            counting_alloc::track(true);
        }
        let o = order(k, px);
        let now = start.elapsed().as_nanos() as u64;
        // The stage's idle warm-up signs the same order into scratch first: counted too.
        gw.rehearse(&o, 1_700_000_000_000 + k);
        // Every third request is a status query (a signed GET) for the same order.
        let query = k % 3 == 2;
        if query {
            gw.status_query(&o, now, 1_700_000_000_000 + k).unwrap();
        } else {
            gw.submit(&o, now, 1_700_000_000_000 + k).unwrap();
        }
        let want = if query { query_want } else { order_want };
        let mut done = false;
        while !done {
            assert!(Instant::now() < give_up, "no answer");
            gw.poll(start.elapsed().as_nanos() as u64, &mut |a| {
                assert_eq!((a.kind, a.report.status), want);
                assert_eq!(a.report.order, OrderId(k));
                done = true;
            });
            if !done {
                std::thread::yield_now();
            }
        }
    }
    counting_alloc::track(false);
    counting_alloc::allocations() - before
}

fn settings() -> GatewaySettings {
    GatewaySettings {
        pool: PoolSettings {
            conns: 2,
            ..PoolSettings::default()
        },
        timeout_ns: 30_000_000_000,
    }
}

#[test]
fn steady_state_orders_allocate_nothing() {
    let _serial = counting_alloc::serial();
    counting_alloc::reset();
    let (warmup, counted) = (200, 2_000);
    // The counter itself works: one allocation on this thread while tracking is counted.
    counting_alloc::track(true);
    let before = counting_alloc::allocations();
    drop(std::hint::black_box(Vec::<u8>::with_capacity(16)));
    assert_eq!(counting_alloc::allocations() - before, 1);
    counting_alloc::track(false);

    let addr = serve(
        r#"{"symbol":"BTCUSDT","orderId":28,"status":"FILLED","executedQty":"0.01500000","cummulativeQuoteQty":"900.00750000","fills":[{"price":"60000.50","qty":"0.01500000","commission":"0.00001500","commissionAsset":"BTC","tradeId":56}]}"#,
        "200 OK",
    );
    let codec = BinanceCodec::new(
        BinanceSettings {
            host: "127.0.0.1".into(),
            recv_window_ms: 5000,
            client_id_prefix: "ma".into(),
        },
        b"apikey",
        b"secret",
        table("BTCUSDT", 2),
    )
    .unwrap();
    let mut gw = RestGateway::new(codec, &HostSpec { addr, tls: None }, settings()).unwrap();
    let binance = run(&mut gw, 6_000_050, ExecStatus::Filled, warmup, counted);

    let addr = serve(
        r#"{"uuid":"9ca023a5-851b-4fec-9f0a-48cd83c2eaae","state":"cancel","market":"KRW-BTC","paid_fee":"250.0","executed_volume":"0.005","executed_funds":"500000"}"#,
        "201 Created",
    );
    let codec = UpbitCodec::new(
        UpbitSettings {
            host: "127.0.0.1".into(),
            identifier_prefix: "ma".into(),
            ioc: true,
        },
        b"accesskey",
        b"secret",
        table("KRW-BTC", 0),
        UuidGen::from_seed(9),
    )
    .unwrap();
    let mut gw = RestGateway::new(codec, &HostSpec { addr, tls: None }, settings()).unwrap();
    let upbit = run(
        &mut gw,
        100_000_000,
        ExecStatus::PartiallyFilled,
        warmup,
        counted,
    );

    let accepted = (AnswerKind::Accepted, ExecStatus::Unknown);
    let addr = serve2(
        r#"{"retCode":0,"retMsg":"OK","result":{"orderId":"1321003749386327552","orderLinkId":"ma1"},"retExtInfo":{},"time":1672211918471}"#,
        r#"{"retCode":0,"retMsg":"OK","result":{"list":[{"orderId":"1321003749386327552","orderLinkId":"ma1","symbol":"BTCUSDT","price":"60000.5","qty":"0.015","side":"Buy","orderStatus":"Filled","avgPrice":"60000.5","leavesQty":"0","cumExecQty":"0.015","cumExecValue":"900.0075","cumFeeDetail":{"BTC":"0.000015"},"timeInForce":"IOC","orderType":"Limit","createdTime":"1684738540559","updatedTime":"1684738540561"}],"nextPageCursor":"","category":"spot"},"retExtInfo":{},"time":1684765770483}"#,
        "200 OK",
    );
    let codec = BybitCodec::new(
        BybitSettings {
            host: "127.0.0.1".into(),
            recv_window_ms: 5000,
            client_id_prefix: "ma".into(),
        },
        b"apikey",
        b"secret",
        table("BTCUSDT", 2),
    )
    .unwrap();
    let mut gw = RestGateway::new(codec, &HostSpec { addr, tls: None }, settings()).unwrap();
    let bybit = run2(
        &mut gw,
        6_000_050,
        accepted,
        (AnswerKind::Final, ExecStatus::Filled),
        warmup,
        counted,
    );

    let addr = serve2(
        r#"{"code":"0","msg":"","data":[{"clOrdId":"ma1","ordId":"312269865356374016","tag":"","ts":"1695190491421","sCode":"0","sMsg":"","subCode":""}],"inTime":"1695190491421339","outTime":"1695190491423240"}"#,
        r#"{"code":"0","data":[{"accFillSz":"0.005","avgPx":"60000.5","clOrdId":"ma1","fee":"-0.000005","feeCcy":"BTC","fillPx":"60000.5","fillSz":"0.005","instId":"BTC-USDT","instType":"SPOT","ordId":"312269865356374016","ordType":"ioc","px":"60000.5","side":"buy","state":"canceled","sz":"0.015","tdMode":"cash","uTime":"1708587373362"}],"msg":""}"#,
        "200 OK",
    );
    let codec = OkxCodec::new(
        OkxSettings {
            host: "127.0.0.1".into(),
            client_id_prefix: "ma".into(),
        },
        b"apikey",
        b"secret",
        b"passphrase",
        table("BTC-USDT", 2),
    )
    .unwrap();
    let mut gw = RestGateway::new(codec, &HostSpec { addr, tls: None }, settings()).unwrap();
    let okx = run2(
        &mut gw,
        6_000_050,
        accepted,
        (AnswerKind::Final, ExecStatus::PartiallyFilled),
        warmup,
        counted,
    );

    println!(
        "allocations over {counted} orders after {warmup} warm-up: binance {binance}, upbit {upbit}, bybit {bybit}, okx {okx}"
    );
    assert_eq!(binance, 0, "Binance order path allocated");
    assert_eq!(upbit, 0, "Upbit order path allocated");
    assert_eq!(bybit, 0, "Bybit order path allocated");
    assert_eq!(okx, 0, "OKX order path allocated");
}
