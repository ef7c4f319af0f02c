//! The WebSocket session over rustls (`wss://`) on loopback, against the REST gateway's test CA
//! and server configuration (`rest/testdata/`: a P-256 CA and a `localhost` / `127.0.0.1` leaf).
//! The server is tungstenite over a rustls server stream, answering the logon and orders the way
//! Binance's WebSocket API does: the upgrade, the logon, an order filled and a status query go
//! through the TLS pipe; a client that does not trust the server's CA never sends a byte of an
//! order.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rustls::pki_types::CertificateDer;
use tungstenite::Message;

use super::{AssetNames, BinanceDialect, WsOp, WsOut, WsSession, WsSessionSettings};
use crate::exec::gateway::codec::binance_ws::{Ed25519Key, WsRequestWriter, WsSettings};
use crate::exec::gateway::codec::{InstrumentSpec, InstrumentTable};
use crate::exec::gateway::rest::gateway::tests::tls::{test_ca, tls_listener};
use crate::model::{
    ExecStatus, InstrumentId, OppId, Order, OrderId, Price, Qty, Side, TimeInForce, VenueId,
};
use crate::net::http::TlsTarget;

/// Binance's illustrative Ed25519 key (fix-api.md), PKCS#8 v1.
const PEM: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIIJEYWtGBrhACmb9Dvy+qa8WEf0lQOl1s4CLIAB9m89u\n-----END PRIVATE KEY-----\n";
const FILLED: &str =
    r#"{"status":"FILLED","executedQty":"0.01500000","cummulativeQuoteQty":"900.00750000"}"#;

/// A `wss://` server answering every request frame with status 200 and the `result` that
/// `result_of` gives for its `method`, the way Binance's WebSocket API frames answers (shared with
/// the account session's TLS test).
pub(crate) fn wss_server(result_of: fn(&str) -> &'static str) -> SocketAddr {
    tls_listener(move |tls| {
        let Ok(mut ws) = tungstenite::accept(tls) else {
            return;
        };
        while let Ok(m) = ws.read() {
            let Message::Text(t) = m else { continue };
            let v: serde_json::Value = serde_json::from_str(t.as_str()).unwrap();
            let id = v["id"].as_str().unwrap().to_owned();
            let result = result_of(v["method"].as_str().unwrap_or_default());
            let answer = format!(r#"{{"id":"{id}","status":200,"result":{result}}}"#);
            if ws.send(Message::Text(answer.into())).is_err() {
                return;
            }
        }
    })
}

/// The logon and orders: every order filled.
fn binance_orders(method: &str) -> &'static str {
    if method == "session.logon" {
        r#"{"apiKey":"k"}"#
    } else {
        FILLED
    }
}

fn session(addr: SocketAddr, roots: &[CertificateDer<'static>]) -> WsSession {
    let table = InstrumentTable::new(&[(
        InstrumentId(1),
        InstrumentSpec {
            symbol: "BTCUSDT".into(),
            price_scale: 2,
            qty_scale: 8,
        },
    )])
    .unwrap();
    let writer = WsRequestWriter::new(
        WsSettings {
            recv_window_ms: 5000,
            client_id_prefix: "tls".into(),
            query_rate_limits: false,
        },
        table,
    )
    .unwrap();
    let key = Ed25519Key::from_pem(std::path::Path::new("t.pem"), PEM.as_bytes()).unwrap();
    let dialect = BinanceDialect::new(writer, key, "k".into(), 5000, false, AssetNames::default());
    let config = crate::net::tls::client_config(roots).unwrap();
    let tls = TlsTarget {
        config,
        name: rustls::pki_types::ServerName::try_from("localhost").unwrap(),
    };
    let mut s = WsSessionSettings::new(
        addr,
        format!("localhost:{}", addr.port()),
        "/ws-api/v3".into(),
    );
    s.connect_timeout_ns = 2_000_000_000;
    s.retry_min_ns = 50_000_000;
    WsSession::new(s, Box::new(dialect), Some(tls))
}

fn order(id: u64) -> Order {
    Order {
        id: OrderId(id),
        opp: OppId(id),
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

/// Poll `s` until `done` or 5 s; returns the answers.
fn drive(
    s: &mut WsSession,
    clock: &crate::base::Clock,
    mut done: impl FnMut(&WsSession, &[WsOut]) -> bool,
) -> Vec<WsOut> {
    let t = Instant::now();
    let mut got = Vec::new();
    let none = |_: OrderId| None;
    while !done(s, &got) {
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "not within 5 s: {:?} {got:?}",
            s.counters()
        );
        let now = clock.now_ns();
        s.poll(now, clock.unix_ns(now) / 1_000_000, &none, &mut |o| {
            got.push(o)
        });
        std::thread::sleep(Duration::from_micros(200));
    }
    got
}

#[test]
fn logon_and_orders_over_tls() {
    let addr = wss_server(binance_orders);
    let clock = crate::base::Clock::new();
    let mut s = session(addr, &[test_ca()]);
    drive(&mut s, &clock, |s, _| s.is_ready());
    let now = clock.now_ns();
    s.stage(&order(1), WsOp::Place, now, clock.unix_ns(now) / 1_000_000)
        .unwrap();
    s.send();
    let got = drive(&mut s, &clock, |_, g| !g.is_empty());
    let WsOut::Answer(a) = got[0] else {
        panic!("{got:?}")
    };
    assert_eq!(
        (a.report.order, a.report.status),
        (OrderId(1), ExecStatus::Filled)
    );
    assert_eq!(a.report.filled_qty, Qty(1_500_000));
    let now = clock.now_ns();
    s.stage(&order(1), WsOp::Status, now, clock.unix_ns(now) / 1_000_000)
        .unwrap();
    s.send();
    let got = drive(&mut s, &clock, |_, g| !g.is_empty());
    assert!(
        matches!(got[0], WsOut::Answer(a) if a.report.status == ExecStatus::Filled),
        "{got:?}"
    );
    let c = s.counters();
    assert_eq!(
        (c.logons, c.requests, c.answers, c.connect_failures),
        (1, 2, 2, 0)
    );
}

#[test]
fn an_untrusted_server_is_refused_before_any_order() {
    let addr = wss_server(binance_orders);
    let clock = crate::base::Clock::new();
    // No roots: the leaf's CA is not trusted.
    let mut s = session(addr, &[]);
    drive(&mut s, &clock, |s, _| s.counters().connect_failures >= 2);
    assert!(!s.is_ready());
    let now = clock.now_ns();
    let r = s.stage(&order(1), WsOp::Place, now, clock.unix_ns(now) / 1_000_000);
    assert!(
        r.is_err(),
        "nothing is staged on a session that never logged on"
    );
    let c = s.counters();
    assert_eq!((c.logons, c.requests), (0, 0));
}
