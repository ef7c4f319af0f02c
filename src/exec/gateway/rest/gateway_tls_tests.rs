//! The gateway over rustls on loopback, against a test CA (`testdata/`: a P-256 CA and a
//! `localhost` / `127.0.0.1` leaf, valid until 2126, made with openssl; the key is a test key).

use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};

use super::{read_request, FILLED};
use crate::exec::gateway::codec::binance::tests::{codec, order};
use crate::exec::gateway::codec::{AnswerKind, BinanceCodec};
use crate::exec::gateway::rest::{GatewaySettings, RestGateway};
use crate::model::{ExecStatus, OrderId};
use crate::net::http::{HostSpec, PoolSettings};

const CA: &[u8] = include_bytes!("testdata/ca.der");
const LEAF: &[u8] = include_bytes!("testdata/leaf.der");
const LEAF_KEY: &[u8] = include_bytes!("testdata/leaf.key.der");

/// The test CA's certificate (DER), for a client that trusts it.
pub(crate) fn test_ca() -> CertificateDer<'static> {
    CertificateDer::from(CA.to_vec())
}

/// A rustls server configuration with the test leaf (`localhost`, `127.0.0.1`) and its key.
pub(crate) fn server_config() -> Arc<ServerConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(LEAF.to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(LEAF_KEY.to_vec())),
        )
        .unwrap();
    Arc::new(config)
}

/// A loopback TLS server with the test leaf: each accepted connection, wrapped in TLS, is handed
/// to `serve` on a thread of its own. Shared by the REST, WebSocket and account-session TLS tests.
pub(crate) fn tls_listener<F>(serve: F) -> SocketAddr
where
    F: Fn(StreamOwned<ServerConnection, TcpStream>) + Send + Sync + 'static,
{
    let config = server_config();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let serve = Arc::new(serve);
    std::thread::spawn(move || {
        for s in listener.incoming() {
            let Ok(s) = s else { return };
            let (config, serve) = (Arc::clone(&config), Arc::clone(&serve));
            std::thread::spawn(move || {
                serve(StreamOwned::new(ServerConnection::new(config).unwrap(), s))
            });
        }
    });
    addr
}

fn tls_server() -> SocketAddr {
    tls_listener(|mut tls| {
        let mut buf = Vec::new();
        while read_request(&mut tls, &mut buf).is_some() {
            let r = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{FILLED}",
                FILLED.len()
            );
            if tls.write_all(r.as_bytes()).is_err() {
                return;
            }
        }
    })
}

fn gateway(addr: SocketAddr, roots: &[CertificateDer<'static>]) -> RestGateway<BinanceCodec> {
    let cfg = crate::net::tls::client_config(roots).unwrap();
    let host = HostSpec {
        addr,
        tls: Some((cfg, "localhost".into())),
    };
    let settings = GatewaySettings {
        pool: PoolSettings {
            conns: 1,
            ..PoolSettings::default()
        },
        timeout_ns: 5_000_000_000,
    };
    RestGateway::new(codec(), &host, settings).unwrap()
}

#[test]
fn keep_alive_over_tls() {
    let addr = tls_server();
    let mut gw = gateway(addr, &[CertificateDer::from(CA.to_vec())]);
    let start = Instant::now();
    let give_up = start + Duration::from_secs(10);
    let now = || start.elapsed().as_nanos() as u64;
    while gw.idle_connections() == 0 {
        assert!(Instant::now() < give_up, "TLS handshake never completed");
        gw.poll(now(), &mut |_| panic!("nothing in flight"));
        std::thread::sleep(Duration::from_micros(200));
    }
    for k in 0..10 {
        let mut o = order();
        o.id = OrderId(k);
        gw.submit(&o, now(), 1).unwrap();
        let mut got = None;
        while got.is_none() {
            assert!(Instant::now() < give_up, "no answer over TLS");
            gw.poll(now(), &mut |a| got = Some(a));
            std::thread::sleep(Duration::from_micros(100));
        }
        let a = got.unwrap();
        assert_eq!(
            (a.kind, a.report.status, a.report.order),
            (AnswerKind::Final, ExecStatus::Filled, OrderId(k))
        );
    }
    assert_eq!(gw.pool().connects(), 1);
    assert_eq!(gw.pool().conn(0).responses(), 10);
}

#[test]
fn unknown_ca_is_refused() {
    let addr = tls_server();
    // Only the bundled web PKI roots: the test CA is not among them.
    let mut gw = gateway(addr, &[]);
    let start = Instant::now();
    let mut now = 0;
    while start.elapsed() < Duration::from_millis(300) {
        gw.poll(now, &mut |_| panic!("nothing in flight"));
        std::thread::sleep(Duration::from_millis(1));
        now += 1_000_000;
    }
    assert_eq!(gw.idle_connections(), 0, "verification must stay on");
    assert!(gw.pool().connects() >= 1);
}
