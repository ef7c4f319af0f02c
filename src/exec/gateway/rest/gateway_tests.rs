//! The gateway against a tiny loopback HTTP/1.1 server run on a thread of the test.

use super::*;
use crate::exec::gateway::codec::binance::tests::{codec, order};
use crate::exec::gateway::codec::BinanceCodec;
use crate::model::{ExecStatus, OrderId};
use crate::net::http::ConnState;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the server does with request number `n` (counted over all connections).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reply {
    /// Answer with this body (Content-Length) and keep the connection.
    Length,
    /// Answer chunked.
    Chunked,
    /// Answer with `Connection: close`, then close.
    Close,
    /// Close without answering.
    Drop,
    /// Answer (Content-Length) one byte per TCP write, with pauses: many partial reads.
    Trickle,
    /// Answer with a body larger than the client's input buffer.
    Huge,
    /// Read the request and never answer (keep the socket open until the test ends).
    Silent,
}

pub(crate) const FILLED: &str =
    r#"{"status":"FILLED","executedQty":"0.01500000","cummulativeQuoteQty":"900.00750000"}"#;

/// Read one request (head + Content-Length body) from `s`; `None` at EOF.
pub(crate) fn read_request<S: Read>(s: &mut S, buf: &mut Vec<u8>) -> Option<Vec<u8>> {
    loop {
        let mut headers = [httparse::EMPTY_HEADER; 16];
        let mut req = httparse::Request::new(&mut headers);
        if let Ok(httparse::Status::Complete(n)) = req.parse(buf) {
            let len: usize = req
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                .map(|h| std::str::from_utf8(h.value).unwrap().parse().unwrap())
                .unwrap_or(0);
            if buf.len() >= n + len {
                let whole: Vec<u8> = buf.drain(..n + len).collect();
                return Some(whole);
            }
        }
        let mut tmp = [0u8; 4096];
        match s.read(&mut tmp) {
            Ok(0) | Err(_) => return None,
            Ok(k) => buf.extend_from_slice(&tmp[..k]),
        }
    }
}

/// A server answering per `script(request index)`; checks every Binance signature.
fn serve(script: fn(usize) -> Reply) -> (std::net::SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let c2 = Arc::clone(&count);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(s) = stream else { return };
            let c2 = Arc::clone(&c2);
            std::thread::spawn(move || serve_one(s, &c2, script));
        }
    });
    (addr, count)
}

/// One server connection: answer requests until the script says otherwise or the client closes.
fn serve_one(mut s: TcpStream, c2: &AtomicUsize, script: fn(usize) -> Reply) {
    {
        {
            let mut buf = Vec::new();
            while let Some(req) = read_request(&mut s, &mut buf) {
                let text = String::from_utf8(req).unwrap();
                let body = text.split("\r\n\r\n").nth(1).unwrap();
                let (params, sig) = body.rsplit_once("&signature=").unwrap();
                assert_eq!(
                    sig.as_bytes(),
                    &crate::exec::gateway::codec::binance::sign(b"test-secret", params.as_bytes())
                );
                let n = c2.fetch_add(1, Ordering::SeqCst);
                match script(n) {
                    Reply::Length => {
                        let r = format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-MBX-USED-WEIGHT-1M: {}\r\nContent-Length: {}\r\n\r\n{FILLED}",
                            n + 1,
                            FILLED.len()
                        );
                        s.write_all(r.as_bytes()).unwrap();
                    }
                    Reply::Chunked => {
                        let (a, b) = FILLED.split_at(10);
                        let r = format!(
                            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{a}\r\n{:x}\r\n{b}\r\n0\r\n\r\n",
                            a.len(),
                            b.len()
                        );
                        s.write_all(r.as_bytes()).unwrap();
                    }
                    Reply::Close => {
                        let r = format!(
                            "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{FILLED}",
                            FILLED.len()
                        );
                        s.write_all(r.as_bytes()).unwrap();
                        break;
                    }
                    Reply::Trickle => {
                        let r = format!(
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{FILLED}",
                            FILLED.len()
                        );
                        s.set_nodelay(true).unwrap();
                        for (i, b) in r.as_bytes().iter().enumerate() {
                            s.write_all(&[*b]).unwrap();
                            if i % 16 == 0 {
                                std::thread::sleep(Duration::from_micros(300));
                            }
                        }
                    }
                    Reply::Huge => {
                        let pad = " ".repeat(64 * 1024);
                        let r = format!(
                            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{pad}{FILLED}",
                            pad.len() + FILLED.len()
                        );
                        let _ = s.write_all(r.as_bytes());
                        break;
                    }
                    Reply::Drop => break,
                    Reply::Silent => {
                        // Hold the socket open, answering nothing, until the client goes away.
                        let mut sink = [0u8; 64];
                        while matches!(s.read(&mut sink), Ok(k) if k > 0) {}
                        return;
                    }
                }
            }
        }
    }
}

fn gateway(addr: std::net::SocketAddr, conns: usize) -> RestGateway<BinanceCodec> {
    let settings = GatewaySettings {
        pool: PoolSettings {
            conns,
            ..PoolSettings::default()
        },
        timeout_ns: 5_000_000_000,
    };
    RestGateway::new(codec(), &HostSpec { addr, tls: None }, settings).unwrap()
}

/// Poll (real time) until `want` answers arrived or 5 s passed.
fn collect(gw: &mut RestGateway<BinanceCodec>, start: Instant, want: usize) -> Vec<RestAnswer> {
    let mut got = Vec::new();
    let give_up = Instant::now() + Duration::from_secs(5);
    while got.len() < want && Instant::now() < give_up {
        let now = start.elapsed().as_nanos() as u64;
        gw.poll(now, &mut |a| got.push(a));
        std::thread::sleep(Duration::from_micros(100));
    }
    got
}

fn wait_idle(gw: &mut RestGateway<BinanceCodec>, start: Instant, n: usize) {
    let give_up = Instant::now() + Duration::from_secs(5);
    while gw.idle_connections() < n {
        assert!(Instant::now() < give_up, "connections never became idle");
        gw.poll(start.elapsed().as_nanos() as u64, &mut |_| {
            panic!("answer with nothing in flight")
        });
        std::thread::sleep(Duration::from_micros(100));
    }
}

#[test]
fn a_rehearsal_signs_on_the_idle_connection_and_gives_it_back_unsent() {
    let (addr, served) = serve(|_| Reply::Length);
    let (mut plain, mut warm) = (gateway(addr, 1), gateway(addr, 1));
    let start = Instant::now();
    wait_idle(&mut plain, start, 1);
    wait_idle(&mut warm, start, 1);
    for k in 0..5u64 {
        let mut r = order();
        r.id = OrderId(100 + k);
        r.px.0 += k as i64 * 100;
        warm.rehearse(&r, 1_700_000_000_000 + k);
    }
    assert_eq!((warm.idle_connections(), warm.in_flight()), (1, 0));
    let mut o = order();
    o.id = OrderId(7);
    let unix_ms = 1_700_000_000_123;
    plain.stage(&o, 0, unix_ms, false).unwrap();
    warm.stage(&o, 0, unix_ms, false).unwrap();
    // With its only connection staged, a rehearsal signs into scratch: the staged request stays.
    warm.rehearse(&order(), unix_ms + 1);
    assert_eq!(
        String::from_utf8_lossy(plain.pool().conn(0).request_bytes()),
        String::from_utf8_lossy(warm.pool().conn(0).request_bytes()),
        "the same request, rehearsals or not"
    );
    plain.send();
    warm.send();
    for gw in [&mut plain, &mut warm] {
        let got = collect(gw, start, 1);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].report.order, OrderId(7));
    }
    assert_eq!(
        served.load(Ordering::SeqCst),
        2,
        "no rehearsal reached the server"
    );
}

#[test]
fn keep_alive_reuses_one_connection() {
    let (addr, served) = serve(|_| Reply::Length);
    let mut gw = gateway(addr, 1);
    let start = Instant::now();
    wait_idle(&mut gw, start, 1);
    for k in 0..20u64 {
        let mut o = order();
        o.id = OrderId(k);
        gw.submit(&o, start.elapsed().as_nanos() as u64, 1_700_000_000_000 + k)
            .unwrap();
        assert_eq!(
            gw.submit(&o, 0, 0),
            Err(SubmitError::NoIdleConnection),
            "one connection, one request at a time"
        );
        let got = collect(&mut gw, start, 1);
        assert_eq!(got.len(), 1);
        let a = got[0];
        assert_eq!(
            (a.kind, a.report.status),
            (AnswerKind::Final, ExecStatus::Filled)
        );
        assert_eq!(a.report.order, OrderId(k));
        assert_eq!(a.binance_weight_1m, Some(k as u32 + 1));
    }
    assert_eq!(served.load(Ordering::SeqCst), 20);
    assert_eq!(gw.pool().connects(), 1, "all 20 over one connection");
    assert_eq!(gw.pool().conn(0).responses(), 20);
    assert_eq!((gw.in_flight(), gw.stray_responses()), (0, 0));
}

#[test]
fn chunked_answers_and_several_connections() {
    let (addr, _) = serve(|_| Reply::Chunked);
    let mut gw = gateway(addr, 3);
    let start = Instant::now();
    wait_idle(&mut gw, start, 3);
    for k in 0..3u64 {
        let mut o = order();
        o.id = OrderId(k);
        gw.submit(&o, start.elapsed().as_nanos() as u64, 1).unwrap();
    }
    assert_eq!(gw.in_flight(), 3);
    let mut got = collect(&mut gw, start, 3);
    got.sort_by_key(|a| a.report.order);
    assert_eq!(got.len(), 3);
    for (k, a) in got.iter().enumerate() {
        assert_eq!(a.report.order, OrderId(k as u64));
        assert_eq!(a.report.status, ExecStatus::Filled);
        assert_eq!(a.report.filled_qty, crate::model::Qty(1_500_000));
    }
}

#[test]
fn server_close_leads_to_reconnect() {
    let (addr, _) = serve(|_| Reply::Close);
    let mut gw = gateway(addr, 1);
    let start = Instant::now();
    for k in 0..5u64 {
        wait_idle(&mut gw, start, 1);
        let mut o = order();
        o.id = OrderId(k);
        gw.submit(&o, start.elapsed().as_nanos() as u64, 1).unwrap();
        let got = collect(&mut gw, start, 1);
        assert_eq!(got[0].report.status, ExecStatus::Filled);
    }
    wait_idle(&mut gw, start, 1);
    assert_eq!(gw.pool().connects(), 6);
}

#[test]
fn dropped_mid_request_is_unknown() {
    let (addr, _) = serve(|n| if n == 0 { Reply::Drop } else { Reply::Length });
    let mut gw = gateway(addr, 1);
    let start = Instant::now();
    wait_idle(&mut gw, start, 1);
    gw.submit(&order(), start.elapsed().as_nanos() as u64, 1)
        .unwrap();
    let got = collect(&mut gw, start, 1);
    assert_eq!(
        (got[0].kind, got[0].report.status, got[0].http_status),
        (AnswerKind::Ambiguous, ExecStatus::Unknown, 0)
    );
    // The pool reconnects and the next order goes through.
    wait_idle(&mut gw, start, 1);
    gw.submit(&order(), start.elapsed().as_nanos() as u64, 1)
        .unwrap();
    assert_eq!(
        collect(&mut gw, start, 1)[0].report.status,
        ExecStatus::Filled
    );
}

#[test]
fn silence_times_out_by_the_callers_clock() {
    let (addr, _) = serve(|n| if n == 0 { Reply::Silent } else { Reply::Length });
    let mut gw = gateway(addr, 1);
    let start = Instant::now();
    wait_idle(&mut gw, start, 1);
    // From here the clock is fake: 1000 ns, then 5 s later.
    gw.submit(&order(), 1_000, 1).unwrap();
    let mut got = Vec::new();
    let real_deadline = Instant::now() + Duration::from_millis(200);
    while Instant::now() < real_deadline {
        gw.poll(2_000, &mut |a| got.push(a));
        std::thread::sleep(Duration::from_millis(1));
    }
    assert!(got.is_empty(), "no answer and no deadline yet");
    assert_eq!(gw.pool().conn(0).state(), ConnState::Busy);
    gw.poll(1_000 + 5_000_000_000, &mut |a| got.push(a));
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0].kind, got[0].report.status, got[0].report.recv_ts_ns),
        (AnswerKind::Ambiguous, ExecStatus::Unknown, 5_000_001_000)
    );
    assert_eq!(gw.in_flight(), 0);
    assert_ne!(gw.pool().conn(0).state(), ConnState::Busy);
}

#[test]
fn refused_connect_backs_off_and_orders_are_refused() {
    // A port with nothing listening.
    let addr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut gw = gateway(addr, 2);
    let mut now = 0;
    for _ in 0..50 {
        gw.poll(now, &mut |_| panic!("nothing in flight"));
        std::thread::sleep(Duration::from_micros(200));
        now += 1_000_000;
    }
    assert_eq!(gw.idle_connections(), 0);
    assert!(
        gw.pool().connects() < 20,
        "back-off must space the attempts: {}",
        gw.pool().connects()
    );
    assert_eq!(
        gw.submit(&order(), now, 1),
        Err(SubmitError::NoIdleConnection)
    );
    let mut o = order();
    o.instrument = crate::model::InstrumentId(77);
    assert!(matches!(
        gateway(addr, 1).submit(&o, 0, 1),
        Err(SubmitError::NoIdleConnection)
    ));
}

#[test]
fn answer_in_many_small_pieces() {
    let (addr, _) = serve(|_| Reply::Trickle);
    let mut gw = gateway(addr, 1);
    let start = Instant::now();
    wait_idle(&mut gw, start, 1);
    for k in 0..3u64 {
        let mut o = order();
        o.id = OrderId(k);
        gw.submit(&o, start.elapsed().as_nanos() as u64, 1).unwrap();
        let got = collect(&mut gw, start, 1);
        assert_eq!(
            (got[0].report.order, got[0].report.status),
            (OrderId(k), ExecStatus::Filled)
        );
    }
    assert_eq!(gw.pool().connects(), 1);
}

#[test]
fn oversized_answer_is_ambiguous_and_connection_replaced() {
    let (addr, _) = serve(|n| if n == 0 { Reply::Huge } else { Reply::Length });
    let mut gw = gateway(addr, 1);
    let start = Instant::now();
    wait_idle(&mut gw, start, 1);
    gw.submit(&order(), start.elapsed().as_nanos() as u64, 1)
        .unwrap();
    let got = collect(&mut gw, start, 1);
    assert_eq!(
        (got[0].kind, got[0].report.status),
        (AnswerKind::Ambiguous, ExecStatus::Unknown)
    );
    wait_idle(&mut gw, start, 1);
    gw.submit(&order(), start.elapsed().as_nanos() as u64, 1)
        .unwrap();
    assert_eq!(
        collect(&mut gw, start, 1)[0].report.status,
        ExecStatus::Filled
    );
    assert_eq!(gw.pool().connects(), 2);
}

#[path = "gateway_tls_tests.rs"]
pub(crate) mod tls;
