//! Engine-against-mock unit checks, moved out of the mock exchange's crate (which must not use
//! the engine): the engine's feed parser reads every frame format and protocol answer the mock
//! writes, the mock's signature checks accept what the engine's signers produce, and the engine
//! reads the credentials file the mock writes. Assertions as they were in `src/mockex/`.

use microarb::exec::gateway::codec::binance::sign;
use microarb::exec::gateway::codec::jwt::JwtSigner;
use microarb::exec::secrets::ApiSecret;
use microarb::ingest::venues::{self, FeedParser, Frame, SkipKind, SymbolTable};
use microarb::model::{InstrumentId, VenueId, VenueKind};
use mockex::format::{binance, bybit, okx, upbit, Scales, UpbitKeys};
use mockex::protocol::{binance_path, binance_stream_name, handle};
use mockex::rest_auth::{json_to_query, verify_binance, verify_upbit, AuthError};
use mockex::VenueKind as VK;
use mockex::{ApiCredentials, CredentialsError, MockVenue, SimQuote};
use proptest::prelude::*;
use serde_json::Value;

use crate::common::mock::mock_kind;

// ---- frame formats (was mockex/format.rs) ----

const S: Scales = Scales { price: 8, qty: 8 };

fn parse(kind: VenueKind, symbol: &str, payload: &[u8]) -> microarb::model::Quote {
    let t = SymbolTable::from_entries([(symbol, InstrumentId(0), 8, 8)]).unwrap();
    let mut p = FeedParser::new(kind, VenueId(0), t);
    match p.parse(payload, 7) {
        Ok(Frame::Quote(q)) => q,
        other => panic!("{other:?} for {}", String::from_utf8_lossy(payload)),
    }
}

fn check(q: &SimQuote, got: microarb::model::Quote) {
    assert_eq!(
        (got.bid_px.0, got.bid_qty.0, got.ask_px.0, got.ask_qty.0),
        (q.bid_px, q.bid_qty, q.ask_px, q.ask_qty)
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// (Moved from mockex/format.rs.) Every format parses with the engine's parser into exactly the generator's numbers.
    #[test]
    fn engine_parses_every_format(
        seq in 1u64..u64::MAX / 2,
        px in 1i64..1_000_000_000_000_000,
        spread in 1i64..1_000_000,
        bq in 1i64..1_000_000_000_000,
        aq in 1i64..1_000_000_000_000,
        ts in 1u64..4_000_000_000_000,
    ) {
        let q = SimQuote { venue: 0, instrument: 0, seq, bid_px: px, bid_qty: bq, ask_px: px + spread, ask_qty: aq, dislocated: false };
        let mut out = Vec::new();
        binance(&mut out, Some("btcusdt@bookTicker"), "BTCUSDT", &q, S);
        let got = parse(VenueKind::Binance, "BTCUSDT", &out);
        check(&q, got);
        prop_assert_eq!(got.seq, seq);
        binance(&mut out, None, "BTCUSDT", &q, S);
        check(&q, parse(VenueKind::Binance, "BTCUSDT", &out));
        for keys in [UpbitKeys::Default, UpbitKeys::Simple] {
            upbit(&mut out, keys, "USDT-BTC", &q, ts, false, S);
            let got = parse(VenueKind::Upbit, "USDT-BTC", &out);
            check(&q, got);
            prop_assert_eq!(got.exch_ts_ns, ts as i64 * 1_000_000);
        }
        bybit(&mut out, "BTCUSDT", &q, ts, S);
        let got = parse(VenueKind::Bybit, "BTCUSDT", &out);
        check(&q, got);
        prop_assert_eq!(got.seq, seq);
        okx(&mut out, "BTC-USDT", &q, ts, S);
        let got = parse(VenueKind::Okx, "BTC-USDT", &out);
        check(&q, got);
        prop_assert_eq!((got.seq, got.exch_ts_ns), (seq, ts as i64 * 1_000_000));
    }
}

// ---- protocol answers (was mockex/protocol.rs) ----

/// Every answer is recognised by the engine's parser as what it is, never a parse error.
fn engine_sees(kind: VenueKind, text: &str) -> SkipKind {
    let mut p = FeedParser::new(kind, VenueId(0), SymbolTable::new());
    match p.parse(text.as_bytes(), 0) {
        Ok(Frame::Skip(k)) => k,
        other => panic!("{kind:?} {text}: {other:?}"),
    }
}

#[test]
fn engine_subscribe_messages_are_accepted_and_acked() {
    for kind in VenueKind::ALL {
        let sym = MockVenue::default_symbol(mock_kind(kind));
        if kind == VenueKind::Binance {
            let url = venues::ws_url(kind, Some("ws://127.0.0.1:1"), &[sym]);
            let path = url.trim_start_matches("ws://127.0.0.1:1");
            assert_eq!(binance_path(path), Some((true, vec![sym.to_owned()])));
            continue;
        }
        for msg in venues::subscribe_messages(kind, &[sym], "t1") {
            let r = handle(mock_kind(kind), &msg, "c1", false);
            assert_eq!(r.subscribe, Some(vec![sym.to_owned()]), "{kind:?}");
            assert!(!r.bad_request);
            for t in &r.texts {
                assert_eq!(engine_sees(kind, t), SkipKind::SubscribeAck, "{t}");
            }
        }
    }
    let live = venues::binance::subscribe_message(&["BTCUSDT", "ethusdt"], 5);
    let r = handle(VK::Binance, &live, "", false);
    assert_eq!(r.texts, vec![r#"{"result":null,"id":5}"#.to_owned()]);
    assert_eq!(r.subscribe, Some(vec!["BTCUSDT".into(), "ETHUSDT".into()]));
    assert_eq!(
        engine_sees(VenueKind::Binance, &r.texts[0]),
        SkipKind::SubscribeAck
    );
}

#[test]
fn keep_alive_answers_and_ignoring_them() {
    for (kind, ping) in [
        (VenueKind::Upbit, "PING"),
        (VenueKind::Bybit, r#"{"op":"ping","req_id":"9"}"#),
        (VenueKind::Bybit, r#"{"op":"ping"}"#),
        (VenueKind::Okx, "ping"),
    ] {
        let r = handle(mock_kind(kind), ping, "c1", false);
        assert!(r.ping && r.texts.len() == 1, "{kind:?}");
        assert_eq!(engine_sees(kind, &r.texts[0]), SkipKind::KeepAlive);
        let r = handle(mock_kind(kind), ping, "c1", true);
        assert!(r.ping && r.texts.is_empty());
    }
    let r = handle(VK::Bybit, r#"{"op":"ping","req_id":"9"}"#, "c1", false);
    let v: Value = serde_json::from_str(&r.texts[0]).unwrap();
    assert_eq!(v["req_id"], "9");
    assert_eq!(v["ret_msg"], "pong");
    assert_eq!(v["conn_id"], "c1");
}

#[test]
fn paths_formats_and_bad_requests() {
    assert_eq!(
        binance_path("/stream?streams=btcusdt@bookTicker/ethusdt@depth"),
        Some((true, vec!["BTCUSDT".into()]))
    );
    assert_eq!(
        binance_path("/ws/btcusdt@bookTicker"),
        Some((false, vec!["BTCUSDT".into()]))
    );
    assert_eq!(binance_path("/ws"), None);
    assert_eq!(binance_stream_name("BTCUSDT"), "btcusdt@bookTicker");
    let simple = venues::upbit::subscribe_message(&["KRW-BTC"], "t", venues::upbit::Format::Simple);
    let r = handle(VK::Upbit, &simple, "", false);
    assert_eq!(r.upbit_keys, Some(UpbitKeys::Simple));
    assert_eq!(r.subscribe, Some(vec!["KRW-BTC".into()]));
    for kind in VenueKind::ALL {
        let r = handle(mock_kind(kind), "{not json", "c", false);
        assert!(r.bad_request, "{kind:?}");
        for t in &r.texts {
            assert_eq!(engine_sees(kind, t), SkipKind::VenueError, "{t}");
        }
    }
    let r = handle(
        VK::Okx,
        r#"{"op":"subscribe","args":[{"channel":"books","instId":"BTC-USDT"}]}"#,
        "c",
        false,
    );
    assert_eq!((r.texts.len(), r.subscribe), (1, Some(vec![])));
}

// ---- signature checks (was mockex/rest_auth.rs) ----

fn creds() -> ApiCredentials {
    ApiCredentials::new("key1", "sec1")
}

#[test]
fn binance_signatures_and_time() {
    let params = b"symbol=BTCUSDT&recvWindow=5000&timestamp=1000000";
    let sig = sign(b"sec1", params);
    let mut body = params.to_vec();
    body.extend_from_slice(b"&signature=");
    body.extend_from_slice(&sig);
    let c = creds();
    assert_eq!(
        verify_binance(&c, Some(b"key1"), b"", &body, 1_000_100),
        Ok(())
    );
    // Same parameters in the query string instead.
    assert_eq!(
        verify_binance(&c, Some(b"key1"), &body, b"", 1_000_100),
        Ok(())
    );
    assert_eq!(
        verify_binance(&c, Some(b"nope"), b"", &body, 1_000_100),
        Err(AuthError::UnknownKey)
    );
    assert_eq!(
        verify_binance(&c, Some(b"key1"), b"", &body, 1_006_000),
        Err(AuthError::StaleTimestamp)
    );
    let bad = ApiCredentials {
        secret: "other".into(),
        ..creds()
    };
    assert_eq!(
        verify_binance(&bad, Some(b"key1"), b"", &body, 1_000_100),
        Err(AuthError::BadSignature)
    );
}

#[test]
fn upbit_tokens() {
    let mut signer = JwtSigner::new(b"key1", b"sec1").unwrap();
    let query = b"market=KRW-BTC&side=bid";
    let mut tok = b"Bearer ".to_vec();
    signer.write_token(&mut tok, b"nonce-1", Some(query));
    let c = creds();
    assert_eq!(verify_upbit(&c, Some(&tok), query), Ok(()));
    assert_eq!(
        verify_upbit(&c, Some(&tok), b"market=KRW-ETH"),
        Err(AuthError::BadQueryHash)
    );
    let bad = ApiCredentials {
        secret: "other".into(),
        ..creds()
    };
    assert_eq!(
        verify_upbit(&bad, Some(&tok), query),
        Err(AuthError::BadSignature)
    );
    assert_eq!(verify_upbit(&c, None, query), Err(AuthError::UnknownKey));
    assert_eq!(
        json_to_query(br#"{"market":"KRW-BTC","side":"bid"}"#).unwrap(),
        query.to_vec()
    );
}

// ---- credentials file (was mockex/api_credentials.rs) ----

#[test]
fn generated_credentials_round_trip_through_an_owner_only_file() {
    let a = ApiCredentials::generate().expect("random");
    let b = ApiCredentials::generate().expect("random");
    assert_ne!(a, b, "fresh per run");
    assert_eq!((a.key.len(), a.secret.len()), (32, 64));
    let dir = std::env::temp_dir().join(format!("microarb-apicreds-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("creds");
    let _ = std::fs::remove_file(&path);
    a.write_file(&path).expect("written");
    let s = ApiSecret::from_file(&path).expect("owner-only and well formed");
    assert_eq!(s.expose_key(), a.key.as_bytes());
    assert_eq!(s.expose_secret(), a.secret.as_bytes());
    assert!(
        matches!(b.write_file(&path), Err(CredentialsError::Write { .. })),
        "an existing file is not overwritten"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
