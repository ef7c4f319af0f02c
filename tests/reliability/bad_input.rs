//! Reliability scenario 6, bad input: whatever the outside world hands the engine, it answers with
//! an error (or a count), never a panic.
//!
//! - Configs: the shipped configs (`DEMO_TOML`, `LIVE_EXAMPLE_TOML`) mutated at random (byte flips,
//!   deletions, insertions, whole lines removed or duplicated, a key's value replaced by a random
//!   TOML value) and random TOML documents built from the schema's own key names:
//!   `Config::from_toml_str` returns `Ok` or `Err`, and an accepted config also builds the
//!   execution parameters without panicking. 5,000 config cases in total (the config parser is
//!   cold-path code, so the count is cheap).
//! - REST answers: random and mutated HTTP responses through the response framer
//!   (`rest::response::frame`), and random bodies/statuses through both venues' answer readers
//!   (`RestVenue::parse_answer`): an error or an answer, never a panic.
//! - Malformed and oversized WebSocket frames end to end are in `reliability_feed_storms.rs` (the
//!   mock exchange's `Garbage` and `Oversized` faults against the running engine).

use microarb::config::{Config, Machine, DEMO_TOML, LIVE_EXAMPLE_TOML};
use microarb::exec::gateway::codec::answer::{InstrumentSpec, RestVenue};
use microarb::exec::gateway::codec::nonce::UuidGen;
use microarb::exec::gateway::codec::{
    BinanceCodec, BinanceSettings, InstrumentTable, UpbitCodec, UpbitSettings,
};
use microarb::exec::params::ExecParams;
use microarb::model::{
    InstrumentId, OppId, Order, OrderId, Price, Qty, Side, TimeInForce, VenueId,
};
use microarb::net::http::response::{frame, parse_head, MAX_HEADERS};
use proptest::prelude::*;

/// Parse, and when accepted, derive the execution parameters too: neither may panic.
fn try_config(text: &str) {
    let machine = Machine::this(false);
    if let Ok(cfg) = Config::from_toml_str(text, &machine) {
        let _ = ExecParams::from_config(&cfg);
    }
}

/// One edit of a config text.
#[derive(Debug, Clone)]
enum Edit {
    Flip(usize, u8),
    Delete(usize, usize),
    Insert(usize, Vec<u8>),
    DropLine(usize),
    DupLine(usize),
    SetValue(usize, String),
}

fn toml_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|v| v.to_string()),
        any::<f64>().prop_map(|v| format!("{v:?}")),
        Just("nan".to_string()),
        Just("-inf".to_string()),
        Just("0".to_string()),
        Just("-1".to_string()),
        Just("18446744073709551615".to_string()),
        Just("\"\"".to_string()),
        "\"[a-z0-9./:-]{0,12}\"".prop_map(|s| s),
        Just("true".to_string()),
        Just("[]".to_string()),
        Just("{}".to_string()),
        Just("[1, \"a\"]".to_string()),
        Just("1979-05-27T07:32:00Z".to_string()),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Flip(i, b)),
        (any::<usize>(), 1usize..40).prop_map(|(i, n)| Edit::Delete(i, n)),
        (
            any::<usize>(),
            prop_oneof![
                proptest::collection::vec(any::<u8>(), 1..8),
                Just(b"\n[[venues]]\n".to_vec()),
                Just(b"\"".to_vec()),
                Just(b"=".to_vec()),
                Just(b"\n[execution]\n".to_vec()),
            ]
        )
            .prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<usize>().prop_map(Edit::DropLine),
        any::<usize>().prop_map(Edit::DupLine),
        (any::<usize>(), toml_value()).prop_map(|(i, v)| Edit::SetValue(i, v)),
    ]
}

fn apply(text: &[u8], e: &Edit) -> Vec<u8> {
    let mut t = text.to_vec();
    let at = |i: usize, len: usize| if len == 0 { 0 } else { i % len };
    match e {
        Edit::Flip(i, b) => {
            if !t.is_empty() {
                let k = at(*i, t.len());
                t[k] ^= b | 1;
            }
        }
        Edit::Delete(i, n) => {
            let k = at(*i, t.len());
            let end = (k + n).min(t.len());
            t.drain(k..end);
        }
        Edit::Insert(i, b) => {
            let k = at(*i, t.len() + 1);
            t.splice(k..k, b.iter().copied());
        }
        Edit::DropLine(i) | Edit::DupLine(i) | Edit::SetValue(i, _) => {
            let mut lines: Vec<Vec<u8>> = t.split(|&c| c == b'\n').map(<[u8]>::to_vec).collect();
            let k = at(*i, lines.len());
            match e {
                Edit::DropLine(_) => {
                    lines.remove(k);
                }
                Edit::DupLine(_) => {
                    let l = lines[k].clone();
                    lines.insert(k, l);
                }
                Edit::SetValue(_, v) => {
                    // Only lines holding `key = value` change: the value is replaced.
                    if let Some(eq) = lines[k].iter().position(|&c| c == b'=') {
                        lines[k].truncate(eq + 1);
                        lines[k].push(b' ');
                        lines[k].extend_from_slice(v.as_bytes());
                    }
                }
                _ => unreachable!("matched above"),
            }
            t = lines.join(&b'\n');
        }
    }
    t
}

/// Key names the schema knows, so random documents reach validation, not only the parser.
const KEYS: &[&str] = &[
    "name",
    "kind",
    "url",
    "taker_fee_bps",
    "stale_after_ms",
    "price_scale",
    "qty_scale",
    "lot",
    "min_profit_bps",
    "max_notional",
    "max_inflight",
    "gateway",
    "idle",
    "interval_ms",
    "status_line",
    "ring_capacity",
    "reconnect_after_ms",
    "max_message_bytes",
    "backoff_initial_ms",
    "backoff_max_ms",
    "latency_us",
    "seed",
];
const TABLES: &[&str] = &[
    "[[venues]]",
    "[[instruments]]",
    "[strategy]",
    "[execution]",
    "[execution.paper]",
    "[runtime]",
    "[telemetry]",
    "[ingest]",
    "[risk]",
    "[cache]",
];

fn random_doc() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            proptest::sample::select(TABLES).prop_map(|t| t.to_string()),
            (proptest::sample::select(KEYS), toml_value()).prop_map(|(k, v)| format!("{k} = {v}")),
        ],
        0..40,
    )
    .prop_map(|lines| lines.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4_000))]

    #[test]
    fn mutated_shipped_configs_never_panic(
        live in any::<bool>(),
        edits in proptest::collection::vec(edit(), 1..6),
    ) {
        let base = if live { LIVE_EXAMPLE_TOML } else { DEMO_TOML };
        let mut t = base.as_bytes().to_vec();
        for e in &edits {
            t = apply(&t, e);
        }
        // Invalid UTF-8 is refused before the parser by the file loader; here only text gets in.
        try_config(&String::from_utf8_lossy(&t));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    #[test]
    fn random_toml_documents_never_panic(doc in random_doc()) {
        try_config(&doc);
    }

    #[test]
    fn http_framing_never_panics(
        status in 0u16..1000,
        headers in proptest::collection::vec(
            (prop_oneof![
                Just("Content-Length".to_string()),
                Just("Transfer-Encoding".to_string()),
                Just("Connection".to_string()),
                "[A-Za-z-]{1,12}",
            ], prop_oneof![
                Just("chunked".to_string()),
                Just("close".to_string()),
                Just("18446744073709551616".to_string()),
                (0u32..100).prop_map(|n| n.to_string()),
                "[ -~]{0,16}",
            ]),
            0..6,
        ),
        body in proptest::collection::vec(any::<u8>(), 0..200),
        cut in any::<usize>(),
        flip in proptest::option::of((any::<usize>(), any::<u8>())),
        eof in any::<bool>(),
    ) {
        let mut msg = format!("HTTP/1.1 {status} X\r\n").into_bytes();
        for (k, v) in &headers {
            msg.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
        }
        msg.extend_from_slice(b"\r\n");
        msg.extend_from_slice(&body);
        if let Some((i, b)) = flip {
            let k = i % msg.len();
            msg[k] ^= b;
        }
        msg.truncate(cut % (msg.len() + 1));
        if let Ok(Some(f)) = frame(&mut msg, eof) {
            prop_assert!(f.msg_len <= msg.len());
            prop_assert!(f.body.end <= msg.len() && f.body.start <= f.body.end);
        }
    }

    #[test]
    fn rest_answers_never_panic(
        status in prop_oneof![Just(200u16), Just(201), Just(400), Just(401), Just(418), Just(429), Just(500), Just(503), 0u16..1000],
        body in prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..120),
            Just(br#"{"error":{"name":"too_many_requests","message":"x"}}"#.to_vec()),
            Just(br#"{"code":-1021,"msg":"Timestamp"}"#.to_vec()),
            Just(br#"{"uuid":"u","state":"done","executed_volume":"0.0.1","trades":[{"funds":"x"}]}"#.to_vec()),
            Just(br#"{"orderId":1,"status":"FILLED","executedQty":"1e9","cummulativeQuoteQty":"-5"}"#.to_vec()),
            Just(br#"{"status":"FILLED","executedQty":"99999999999999999999999"}"#.to_vec()),
        ],
        flip in proptest::option::of((any::<usize>(), any::<u8>())),
        retry_after in proptest::option::of("[ -~]{0,12}"),
        remaining in proptest::option::of("[ -~]{0,40}"),
    ) {
        let mut body = body;
        if let Some((i, b)) = flip {
            if !body.is_empty() {
                let k = i % body.len();
                body[k] ^= b;
            }
        }
        let mut head = format!("HTTP/1.1 {status} X\r\n");
        if let Some(r) = &retry_after {
            head.push_str(&format!("Retry-After: {r}\r\n"));
        }
        if let Some(r) = &remaining {
            head.push_str(&format!("Remaining-Req: {r}\r\n"));
        }
        head.push_str("\r\n");
        let mut storage = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let headers: &[httparse::Header<'_>] = match parse_head(head.as_bytes(), &mut storage) {
            Ok(Some((_, _, h))) => h,
            _ => &[],
        };
        let (upbit, binance) = codecs();
        let _ = upbit.parse_answer(&order(), status, headers, &body, 5);
        let _ = binance.parse_answer(&order(), status, headers, &body, 5);
    }
}

fn codecs() -> (UpbitCodec, BinanceCodec) {
    let table = |symbol: &str| {
        InstrumentTable::new(&[(
            InstrumentId(0),
            InstrumentSpec {
                symbol: symbol.into(),
                price_scale: 8,
                qty_scale: 8,
            },
        )])
        .expect("one instrument")
    };
    let upbit = UpbitCodec::new(
        UpbitSettings {
            host: "api.upbit.com".into(),
            identifier_prefix: "ma".into(),
            ioc: true,
        },
        b"access",
        b"secret",
        table("USDT-BTC"),
        UuidGen::from_seed(3),
    )
    .expect("upbit codec");
    let binance = BinanceCodec::new(
        BinanceSettings {
            host: "api.binance.com".into(),
            recv_window_ms: 5000,
            client_id_prefix: "ma".into(),
        },
        b"key",
        b"secret",
        table("BTCUSDT"),
    )
    .expect("binance codec");
    (upbit, binance)
}

fn order() -> Order {
    Order {
        id: OrderId(42),
        opp: OppId(7),
        px: Price(100 * 100_000_000),
        qty: Qty(1_000_000),
        sent_ts_ns: 0,
        recv_ts_ns: 0,
        instrument: InstrumentId(0),
        venue: VenueId(0),
        side: Side::Buy,
        tif: TimeInForce::Ioc,
    }
}

#[test]
fn the_shipped_configs_are_accepted() {
    let machine = Machine::this(false);
    Config::from_toml_str(DEMO_TOML, &machine).expect("demo config");
    Config::from_toml_str(LIVE_EXAMPLE_TOML, &machine).expect("live example");
}

#[test]
fn bad_configs_are_refused_with_the_key() {
    let machine = Machine::this(false);
    for (from, to, key) in [
        (
            "stale_after_ms = 500",
            "stale_after_ms = -5",
            "stale_after_ms",
        ),
        (
            "min_profit_bps = 2.0",
            "min_profit_bps = \"x\"",
            "min_profit_bps",
        ),
        ("max_inflight = 3", "max_inflight = 0", "max_inflight"),
        ("price_scale = 8", "price_scale = 99", "price_scale"),
    ] {
        let text = DEMO_TOML.replacen(from, to, 1);
        assert_ne!(text, DEMO_TOML, "{from} is in the demo config");
        let e = Config::from_toml_str(&text, &machine).expect_err(to);
        assert!(e.to_string().contains(key), "{to}: {e}");
    }
}
