//! `wss://`: the client verifies the server's certificate, always. A server whose certificate
//! chains to no trusted root is refused (counted as a connect failure, never read); the same server
//! is accepted once its root is added as an extra trusted root (how a private CA is configured).

use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::config::{binance_only, checked};
use microarb::base::Clock;
use microarb::config::Config;
use microarb::ingest::{IngestSettings, IngestStage};
use microarb::model::Quote;
use microarb::runtime::{ring, Stage};
use microarb::telemetry::Registry;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tungstenite::Message;

fn tls_server(sessions: usize) -> (u16, CertificateDer<'static>, std::thread::JoinHandle<()>) {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let cert = ck.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(ck.signing_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let server_cfg = Arc::new(
        rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![cert.clone()], key)
            .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let h = std::thread::spawn(move || {
        for _ in 0..sessions {
            let (tcp, _) = listener.accept().unwrap();
            tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let conn = rustls::ServerConnection::new(server_cfg.clone()).unwrap();
            let tls = rustls::StreamOwned::new(conn, tcp);
            // A client that refuses the certificate makes this fail: fine, next session.
            let Ok(mut ws) = tungstenite::accept(tls) else {
                continue;
            };
            for u in 1..=10u64 {
                let f = format!(
                    r#"{{"stream":"btcusdt@bookTicker","data":{{"u":{u},"s":"BTCUSDT","b":"1.5","B":"1","a":"1.6","A":"1"}}}}"#
                );
                if ws.write(Message::text(f)).is_err() {
                    break;
                }
            }
            let _ = ws.flush();
            std::thread::sleep(Duration::from_millis(300));
        }
    });
    (port, cert, h)
}

fn config(port: u16) -> Config {
    let mut cfg = binance_only(&format!("wss://localhost:{port}"));
    cfg.ingest.backoff_initial_ms = 20;
    cfg.ingest.backoff_max_ms = 100;
    checked(cfg)
}

fn run(cfg: &Config, settings: &IngestSettings, secs: f64, want: usize) -> (usize, Registry) {
    let clock = Clock::new();
    let mut reg = Registry::new();
    let (tx, mut rx) = ring::<Quote>("quotes", 1024, &mut reg.counters);
    let mut stage = IngestStage::from_config(cfg, tx, clock, &mut reg, settings).unwrap();
    let mut got = 0;
    let end = Instant::now() + Duration::from_secs_f64(secs);
    while Instant::now() < end && got < want {
        stage.poll(clock.now_ns());
        while rx.pop().is_some() {
            got += 1;
        }
        std::thread::sleep(Duration::from_micros(300));
    }
    (got, reg)
}

#[test]
fn an_untrusted_certificate_is_refused() {
    let (port, _cert, server) = tls_server(1);
    let (got, reg) = run(&config(port), &IngestSettings::default(), 1.5, 1);
    assert_eq!(got, 0, "nothing read from an unverified server");
    assert_eq!(reg.counters.get("ingest.binance.opens"), Some(0));
    assert!(reg.counters.get("ingest.binance.connect_failures").unwrap() >= 1);
    drop(server);
}

#[test]
fn a_trusted_root_is_accepted_and_streams() {
    let (port, cert, server) = tls_server(1);
    let settings = IngestSettings {
        extra_roots: vec![cert],
        ..Default::default()
    };
    let (got, reg) = run(&config(port), &settings, 10.0, 10);
    assert_eq!(got, 10);
    assert_eq!(reg.counters.get("ingest.binance.opens"), Some(1));
    server.join().unwrap();
}
