//! Tests of the Binance WebSocket API codec: the key, the signature vectors, `session.logon` and
//! each request's bytes. Vectors: tools/binance_ws/make_logon_vector.sh (OpenSSL) reproduces
//! Binance's published FIX Ed25519 example and signs the logon payload independently;
//! tools/binance_ws/make_ccxt_vectors.py has ccxt's own signer sign logon payloads.

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::*;
use crate::exec::gateway::codec::answer::InstrumentSpec;
use crate::exec::gateway::codec::InstrumentTable;
use crate::exec::secrets::SecretError;
use crate::model::{InstrumentId, OppId, Order, OrderId, Price, Qty, Side, TimeInForce, VenueId};

/// Binance's illustrative Ed25519 key (fix-api.md, "The Ed25519 private key used in the example
/// computation"); PKCS#8 v1, as Binance's key pages hand them out.
pub(super) const DOC_PEM: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIIJEYWtGBrhACmb9Dvy+qa8WEf0lQOl1s4CLIAB9m89u\n-----END PRIVATE KEY-----\n";
const DOC_API_KEY: &str = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";

fn doc_key() -> Ed25519Key {
    Ed25519Key::from_pem(Path::new("doc.pem"), DOC_PEM.as_bytes()).unwrap()
}

/// Binance's documented Ed25519 example (fix-api.md): the key, the payload
/// `A<SOH>EXAMPLE<SOH>SPOT<SOH>1<SOH>20240627-11:17:25.223` and its published signature.
#[test]
fn documented_ed25519_example_vector() {
    let sig = doc_key().sign(b"A\x01EXAMPLE\x01SPOT\x011\x0120240627-11:17:25.223");
    assert_eq!(
        STANDARD.encode(sig),
        "4MHXelVVcpkdwuLbl6n73HQUXUf1dse2PCgT1DYqW9w8AVZ1RACFGM+5UdlGPrQHrgtS3CvsRURC1oj73j8gCA=="
    );
    assert_eq!(
        doc_key().public_key(),
        [
            0x19, 0x42, 0x0a, 0xbf, 0xd7, 0x52, 0xa5, 0x65, 0xc1, 0x56, 0x25, 0xe9, 0xda, 0x6e,
            0xaf, 0x00, 0x86, 0xfc, 0x40, 0xc1, 0x49, 0x60, 0x18, 0x32, 0x14, 0x44, 0x2c, 0x14,
            0x99, 0x6a, 0x80, 0x0d
        ]
    );
}

/// The WebSocket docs' "SIGNED Request Example (Ed25519)" payload, from its params in the order the
/// request lists them (the docs do not publish that example's private key, so only the payload
/// is checked against them).
#[test]
fn documented_signature_payload() {
    let params = [
        ("symbol", "BTCUSDT"),
        ("side", "SELL"),
        ("type", "LIMIT"),
        ("timeInForce", "GTC"),
        ("quantity", "0.01000000"),
        ("price", "52000.00"),
        ("recvWindow", "100"),
        ("timestamp", "1645423376532"),
        (
            "apiKey",
            "4yNzx3yWC5bS6YTwEkSRaC0nRmSQIIStAUOh1b6kqaBrTLIhjCpI5lJH8q8R8WNO",
        ),
    ];
    assert_eq!(
        sign_payload(&params),
        "apiKey=4yNzx3yWC5bS6YTwEkSRaC0nRmSQIIStAUOh1b6kqaBrTLIhjCpI5lJH8q8R8WNO&price=52000.00&quantity=0.01000000&recvWindow=100&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT"
    );
}

/// `session.logon` bytes; the signature is OpenSSL's over the same payload
/// (tools/binance_ws/vectors.txt, `logon`).
#[test]
fn logon_request_golden() {
    let mut out = Vec::new();
    let params = LogonParams {
        api_key: DOC_API_KEY.as_bytes(),
        timestamp_ms: 1_649_729_878_532,
        recv_window_ms: 5000,
    };
    write_logon(&doc_key(), params, 1, &mut out).unwrap();
    let want = format!(
        "{{\"id\":\"l1\",\"method\":\"session.logon\",\"params\":{{\"apiKey\":\"{DOC_API_KEY}\",\"recvWindow\":5000,\"signature\":\"3qUpHLP7FwTbtREEmRZSd72V7HzGeNbKZv2V8STjjcruyZmNxDd1zy914malimtNwnOxUccK2qH6JajPTMO6AA==\",\"timestamp\":1649729878532}}}}"
    );
    assert_eq!(std::str::from_utf8(&out).unwrap(), want);
    // Without recvWindow the param is left out of both the payload and the request.
    let plain = LogonParams {
        recv_window_ms: 0,
        ..params
    };
    write_logon(&doc_key(), plain, 2, &mut out).unwrap();
    let payload = format!("apiKey={DOC_API_KEY}&timestamp=1649729878532");
    let sig = STANDARD.encode(doc_key().sign(payload.as_bytes()));
    let want = format!(
        "{{\"id\":\"l2\",\"method\":\"session.logon\",\"params\":{{\"apiKey\":\"{DOC_API_KEY}\",\"signature\":\"{sig}\",\"timestamp\":1649729878532}}}}"
    );
    assert_eq!(std::str::from_utf8(&out).unwrap(), want);
    assert!(matches!(
        write_logon(
            &doc_key(),
            LogonParams {
                api_key: b"bad\"key",
                ..params
            },
            3,
            &mut out
        ),
        Err(crate::exec::gateway::codec::RequestError::BadText { byte: b'"', .. })
    ));
}

/// `session.logon` signatures against ccxt's own Binance signer (`ccxt.pro.binance.sign_params`:
/// sorted params, query string, Ed25519, Base64) on Binance's example key, committed with the
/// script that made them (tools/binance_ws/make_ccxt_vectors.py -> ccxt_vectors.json). The first
/// vector is also OpenSSL's (tools/binance_ws/vectors.txt).
#[test]
fn ccxt_logon_vectors() {
    let text = include_str!("../../../../../tools/binance_ws/ccxt_vectors.json");
    let doc: serde_json::Value = serde_json::from_str(text).unwrap();
    let vectors = doc["vectors"].as_array().unwrap();
    assert!(vectors.len() >= 4);
    for v in vectors {
        let params = LogonParams {
            api_key: v["api_key"].as_str().unwrap().as_bytes(),
            timestamp_ms: v["timestamp_ms"].as_u64().unwrap(),
            recv_window_ms: v["recv_window_ms"].as_u64().unwrap() as u32,
        };
        let mut out = Vec::new();
        write_logon(&doc_key(), params, 1, &mut out).unwrap();
        let req: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            req["params"]["signature"].as_str().unwrap(),
            v["signature"].as_str().unwrap(),
            "payload {}",
            v["payload"]
        );
        // Our payload is ccxt's.
        let mut p = vec![("apiKey", v["api_key"].as_str().unwrap().to_owned())];
        if params.recv_window_ms > 0 {
            p.push(("recvWindow", params.recv_window_ms.to_string()));
        }
        p.push(("timestamp", params.timestamp_ms.to_string()));
        let refs: Vec<(&str, &str)> = p.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(sign_payload(&refs), v["payload"].as_str().unwrap());
    }
    assert_eq!(
        vectors[0]["signature"],
        "3qUpHLP7FwTbtREEmRZSd72V7HzGeNbKZv2V8STjjcruyZmNxDd1zy914malimtNwnOxUccK2qH6JajPTMO6AA==",
        "ccxt and OpenSSL agree"
    );
}

fn key_dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("microarb-ed25519-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[cfg(unix)]
#[test]
fn key_file_must_be_owner_only_and_ed25519() {
    use std::os::unix::fs::PermissionsExt;
    let write = |name: &str, text: &str, mode: u32| {
        let p = key_dir().join(name);
        std::fs::write(&p, text).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
        p
    };
    let ok = write("ok.pem", DOC_PEM, 0o600);
    let k = Ed25519Key::from_pem_file(&ok).unwrap();
    assert_eq!(format!("{k:?}"), "Ed25519Key(****)");
    let open = write("open.pem", DOC_PEM, 0o644);
    assert!(matches!(
        Ed25519Key::from_pem_file(&open),
        Err(KeyError::File(SecretError::Permissions { mode: 0o644, .. }))
    ));
    let missing = key_dir().join("missing.pem");
    assert!(matches!(
        Ed25519Key::from_pem_file(&missing),
        Err(KeyError::File(SecretError::Io { .. }))
    ));
    let not_pem = write("hmac.txt", "key=abc\nsecret=def\n", 0o600);
    assert!(matches!(
        Ed25519Key::from_pem_file(&not_pem),
        Err(KeyError::NotPem { .. })
    ));
    let bad_b64 = write(
        "bad64.pem",
        "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n",
        0o600,
    );
    assert!(matches!(
        Ed25519Key::from_pem_file(&bad_b64),
        Err(KeyError::Base64 { .. })
    ));
    // Valid base64, not an Ed25519 PKCS#8 key.
    let other = write(
        "other.pem",
        "-----BEGIN PRIVATE KEY-----\nMAMCAQA=\n-----END PRIVATE KEY-----\n",
        0o600,
    );
    assert!(matches!(
        Ed25519Key::from_pem_file(&other),
        Err(KeyError::NotEd25519 { .. })
    ));
}

pub(super) fn table() -> InstrumentTable {
    InstrumentTable::new(&[(
        InstrumentId(1),
        InstrumentSpec {
            symbol: "BTCUSDT".into(),
            price_scale: 2,
            qty_scale: 8,
        },
    )])
    .unwrap()
}

pub(super) fn writer(query_rate_limits: bool) -> WsRequestWriter {
    WsRequestWriter::new(
        WsSettings {
            recv_window_ms: 5000,
            client_id_prefix: "ma".into(),
            query_rate_limits,
        },
        table(),
    )
    .unwrap()
}

pub(super) fn order() -> Order {
    Order {
        id: OrderId(42),
        opp: OppId(7),
        px: Price(6_000_050),
        qty: Qty(1_500_000),
        sent_ts_ns: 0,
        recv_ts_ns: 0,
        instrument: InstrumentId(1),
        venue: VenueId(0),
        side: Side::Buy,
        tif: TimeInForce::Ioc,
    }
}

fn text(out: &[u8]) -> &str {
    std::str::from_utf8(out).unwrap()
}

#[test]
fn request_bytes_golden() {
    let w = writer(true);
    let mut out = Vec::with_capacity(WsRequestWriter::FRAME_CAPACITY);
    w.write_place(&order(), 1_700_000_000_000, &mut out)
        .unwrap();
    assert_eq!(
        text(&out),
        r#"{"id":"p42","method":"order.place","params":{"symbol":"BTCUSDT","side":"BUY","type":"LIMIT","timeInForce":"IOC","quantity":"0.015","price":"60000.5","newClientOrderId":"ma42","newOrderRespType":"FULL","recvWindow":5000,"timestamp":1700000000000}}"#
    );
    let sell = Order {
        side: Side::Sell,
        ..order()
    };
    w.write_place(&sell, 1, &mut out).unwrap();
    assert!(text(&out).contains(r#""side":"SELL""#));
    w.write_status(&order(), 1_700_000_000_001, &mut out)
        .unwrap();
    assert_eq!(
        text(&out),
        r#"{"id":"s42","method":"order.status","params":{"symbol":"BTCUSDT","origClientOrderId":"ma42","recvWindow":5000,"timestamp":1700000000001}}"#
    );
    w.write_cancel(&order(), 1_700_000_000_002, &mut out)
        .unwrap();
    assert_eq!(
        text(&out),
        r#"{"id":"c42","method":"order.cancel","params":{"symbol":"BTCUSDT","origClientOrderId":"ma42","recvWindow":5000,"timestamp":1700000000002}}"#
    );
    w.write_open_orders(Some(InstrumentId(1)), 7, 1_700_000_000_003, &mut out)
        .unwrap();
    assert_eq!(
        text(&out),
        r#"{"id":"o7","method":"openOrders.status","params":{"symbol":"BTCUSDT","recvWindow":5000,"timestamp":1700000000003}}"#
    );
    w.write_open_orders(None, 8, 1_700_000_000_004, &mut out)
        .unwrap();
    assert_eq!(
        text(&out),
        r#"{"id":"o8","method":"openOrders.status","params":{"recvWindow":5000,"timestamp":1700000000004}}"#
    );
    w.write_open_orders_of(Some(b"ETHUSDT"), 10, 1_700_000_000_006, &mut out)
        .unwrap();
    assert_eq!(
        text(&out),
        r#"{"id":"o10","method":"openOrders.status","params":{"symbol":"ETHUSDT","recvWindow":5000,"timestamp":1700000000006}}"#
    );
    assert!(
        w.write_open_orders_of(Some(b"BTC\"USDT"), 11, 1, &mut out)
            .is_err(),
        "a symbol that needs escaping is refused"
    );
    w.write_account(9, 1_700_000_000_005, &mut out);
    assert_eq!(
        text(&out),
        r#"{"id":"a9","method":"account.status","params":{"omitZeroBalances":true,"recvWindow":5000,"timestamp":1700000000005}}"#
    );
}

#[test]
fn queries_can_drop_rate_limits_but_orders_and_cancels_keep_them() {
    let w = writer(false);
    let mut out = Vec::new();
    w.write_status(&order(), 5, &mut out).unwrap();
    assert_eq!(
        text(&out),
        r#"{"id":"s42","method":"order.status","params":{"symbol":"BTCUSDT","origClientOrderId":"ma42","recvWindow":5000,"returnRateLimits":false,"timestamp":5}}"#
    );
    w.write_account(1, 5, &mut out);
    assert!(text(&out).contains(r#""returnRateLimits":false"#));
    w.write_place(&order(), 5, &mut out).unwrap();
    assert!(!text(&out).contains("returnRateLimits"));
    w.write_cancel(&order(), 5, &mut out).unwrap();
    assert!(!text(&out).contains("returnRateLimits"));
    let no_window = WsRequestWriter::new(
        WsSettings {
            recv_window_ms: 0,
            client_id_prefix: "ma".into(),
            query_rate_limits: true,
        },
        table(),
    )
    .unwrap();
    no_window.write_open_orders(None, 1, 5, &mut out).unwrap();
    assert_eq!(
        text(&out),
        r#"{"id":"o1","method":"openOrders.status","params":{"timestamp":5}}"#
    );
}

#[test]
fn bad_settings_and_unknown_instruments_are_refused() {
    let bad = |prefix: &str| {
        WsRequestWriter::new(
            WsSettings {
                recv_window_ms: 0,
                client_id_prefix: prefix.into(),
                query_rate_limits: true,
            },
            table(),
        )
    };
    assert!(bad("a\"b").is_err());
    assert!(bad("0123456789abcdefg").is_err());
    assert!(bad("0123456789abcdef").is_ok());
    let stray = Order {
        instrument: InstrumentId(9),
        ..order()
    };
    let mut out = Vec::new();
    assert!(writer(true).write_place(&stray, 1, &mut out).is_err());
    assert!(writer(true).write_status(&stray, 1, &mut out).is_err());
    assert!(writer(true)
        .write_open_orders(Some(InstrumentId(9)), 1, 1, &mut out)
        .is_err());
}

#[test]
fn request_ids_round_trip() {
    for (raw, want) in [
        (&b"\"p42\""[..], Some((WsMethod::Place, 42))),
        (b"\"s0\"", Some((WsMethod::Status, 0))),
        (
            b"\"c18446744073709551615\"",
            Some((WsMethod::Cancel, u64::MAX)),
        ),
        (b"\"l1\"", Some((WsMethod::Logon, 1))),
        (b"\"a3\"", Some((WsMethod::Account, 3))),
        (b"\"o3\"", Some((WsMethod::OpenOrders, 3))),
        (b"42", None),
        (b"null", None),
        (b"\"x42\"", None),
        (b"\"p\"", None),
        (b"\"p18446744073709551616\"", None),
        (b"\"p4a\"", None),
    ] {
        let got = RequestId::parse(raw).map(|r| (r.method, r.number));
        assert_eq!(got, want, "{}", String::from_utf8_lossy(raw));
    }
    let mut out = Vec::new();
    RequestId {
        method: WsMethod::Cancel,
        number: 9,
    }
    .push_json(&mut out);
    assert_eq!(out, b"\"c9\"");
}
