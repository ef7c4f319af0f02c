//! The account thread's Binance WebSocket API session over rustls (`wss://`) on loopback,
//! against the REST gateway's test CA and `localhost` leaf: the upgrade, the logon, open orders
//! and balances go through the TLS pipe and read as REST answers; a session that does not trust
//! the server's CA never logs on, and its call fails (the client then asks over REST).

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use rustls::pki_types::{CertificateDer, ServerName};

use super::request::AccountRequest;
use super::session::{AccountSession, SessionCounters, SessionError};
use super::venue::AccountVenue;
use super::venues::BinanceAccount;
use super::ws_api::{BinanceWsAccount, WsAccountTarget};
use super::AccountAnswer;
use crate::exec::gateway::codec::binance_ws::Ed25519Key;
use crate::exec::gateway::codec::{BinanceCodec, BinanceSettings, InstrumentTable};
use crate::exec::gateway::rest::gateway::tests::tls::test_ca;
use crate::net::http::TlsTarget;

/// Binance's illustrative Ed25519 key (fix-api.md), PKCS#8 v1.
const PEM: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIIJEYWtGBrhACmb9Dvy+qa8WEf0lQOl1s4CLIAB9m89u\n-----END PRIVATE KEY-----\n";

/// Binance's WebSocket API answers: the logon, `openOrders.status` (one order) and
/// `account.status`.
fn account_answers(method: &str) -> &'static str {
    match method {
        "session.logon" => r#"{"apiKey":"k"}"#,
        "openOrders.status" => {
            r#"[{"symbol":"BTCUSDT","orderId":12,"clientOrderId":"x1","price":"100.00","origQty":"0.01","executedQty":"0","status":"NEW","side":"BUY"}]"#
        }
        _ => r#"{"balances":[{"asset":"USDT","free":"1.5","locked":"0.25"}]}"#,
    }
}

fn wss_server() -> SocketAddr {
    crate::exec::gateway::ws::session_tls_tests::wss_server(account_answers)
}

fn session(addr: SocketAddr, roots: &[CertificateDer<'static>]) -> BinanceWsAccount {
    let tls = TlsTarget {
        config: crate::net::tls::client_config(roots).unwrap(),
        name: ServerName::try_from("localhost").unwrap(),
    };
    let target = WsAccountTarget {
        addr,
        url: format!("wss://localhost:{}/ws-api/v3", addr.port()),
        tls: Some(tls),
    };
    let key = Ed25519Key::from_pem(Path::new("test.pem"), PEM.as_bytes()).unwrap();
    BinanceWsAccount::new(
        target,
        Duration::from_secs(5),
        key,
        "k".into(),
        5000,
        SessionCounters::default(),
    )
    .unwrap()
}

fn reader() -> BinanceAccount {
    let codec = BinanceCodec::new(
        BinanceSettings {
            host: "localhost".into(),
            recv_window_ms: 5000,
            client_id_prefix: String::new(),
        },
        b"k",
        b"s",
        InstrumentTable::default(),
    )
    .unwrap();
    BinanceAccount::new("binance", codec, None)
}

#[test]
fn open_orders_and_balances_over_wss_read_as_rest_answers() {
    let addr = wss_server();
    let mut s = session(addr, &[test_ca()]);
    let venue = reader();
    let req = AccountRequest::OpenOrders {
        symbol: Some("BTCUSDT".into()),
        cursor: None,
    };
    let resp = s.exchange(&req, 1_700_000_000_000).unwrap();
    match venue.parse_answer(&req, &resp).unwrap() {
        AccountAnswer::OpenOrders { orders, next } => {
            assert_eq!(orders.len(), 1);
            assert_eq!(orders[0].client_id, "x1");
            assert!(next.is_none());
        }
        other => panic!("{other:?}"),
    }
    let resp = s
        .exchange(&AccountRequest::Balances, 1_700_000_000_001)
        .unwrap();
    match venue
        .parse_answer(&AccountRequest::Balances, &resp)
        .unwrap()
    {
        AccountAnswer::Balances(b) => assert_eq!(b[0].asset, "USDT"),
        other => panic!("{other:?}"),
    }
    assert!(s.is_connected());
    let c = s.counters();
    assert_eq!(
        (c.logons.get(), c.calls.get()),
        (1, 2),
        "one logon, both calls"
    );
}

#[test]
fn a_session_that_does_not_trust_the_server_never_logs_on() {
    let addr = wss_server();
    let mut s = session(addr, &[]);
    let r = s.exchange(&AccountRequest::Balances, 1_700_000_000_000);
    assert!(matches!(r, Err(SessionError::Connect(_))), "{r:?}");
    assert!(!s.is_connected());
    assert_eq!(s.counters().logons.get(), 0);
    assert!(
        !s.takes(&AccountRequest::Time),
        "only open orders and balances"
    );
}
