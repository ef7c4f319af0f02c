//! The REST side records when an order's first byte reached the mock (the kernel's receive stamp),
//! not when the mock's connection thread got round to reading it: the latency bench's
//! `wire_to_wire` ends there, so a busy mock must not lengthen it.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use mockex::{unix_ns, RestFault, RestLimits, VenueKind};
use support::*;

/// A signed Binance IOC buy far below the ask (nothing executes) with client id `cid`, as one
/// HTTP/1.1 request.
fn order(addr: &str, cid: &str) -> String {
    let params = format!(
        "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=IOC&quantity=0.00000001&price=1.00000000&newClientOrderId={cid}&recvWindow=5000&timestamp={}",
        now_ms()
    );
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, SECRET.as_bytes());
    let sig = hex(ring::hmac::sign(&key, params.as_bytes()).as_ref());
    let body = format!("{params}&signature={sig}");
    format!(
        "POST /api/v3/order HTTP/1.1\r\nHost: {addr}\r\nX-MBX-APIKEY: {KEY}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// Read `n` complete answers (each with a Content-Length body) from `s`.
fn read_answers(s: &mut TcpStream, n: usize) -> Vec<u16> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 4096];
    let mut codes = Vec::new();
    while codes.len() < n {
        let mut hs = [httparse::EMPTY_HEADER; 32];
        let mut r = httparse::Response::new(&mut hs);
        if let Ok(httparse::Status::Complete(head)) = r.parse(&buf) {
            let len: usize = r
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                .map(|h| {
                    std::str::from_utf8(h.value)
                        .unwrap()
                        .trim()
                        .parse()
                        .unwrap()
                })
                .unwrap();
            if buf.len() >= head + len {
                codes.push(r.code.unwrap());
                buf.drain(..head + len);
                continue;
            }
        }
        let k = s.read(&mut tmp).unwrap();
        assert!(k > 0, "connection closed before the answers");
        buf.extend_from_slice(&tmp[..k]);
    }
    codes
}

#[test]
fn an_order_waiting_behind_a_busy_connection_thread_is_stamped_when_it_arrived() {
    let ex = start(&[VenueKind::Binance], RestLimits::unlimited());
    let base = base(&ex, "binance");
    let addr = base.strip_prefix("http://").unwrap().to_string();
    // Every answer waits 80 ms in the connection's thread: the second order arrives while it
    // sleeps, and is read only after.
    ex.control()
        .inject_rest("binance", RestFault::Delay(Duration::from_millis(80)))
        .unwrap();
    let mut s = TcpStream::connect(&addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(order(&addr, "first").as_bytes()).unwrap();
    std::thread::sleep(Duration::from_millis(20));
    let before = unix_ns();
    s.write_all(order(&addr, "second").as_bytes()).unwrap();
    let after = unix_ns();
    assert_eq!(read_answers(&mut s, 2).len(), 2);
    let arrivals = ex.rest_order_arrivals("binance").unwrap();
    let at = |cid: &str| {
        arrivals
            .iter()
            .find(|(c, _)| c == cid)
            .unwrap_or_else(|| panic!("no arrival for {cid}: {arrivals:?}"))
            .1
    };
    let second = at("second");
    assert!(
        before <= second.kernel_ns && second.kernel_ns <= after,
        "the second order's arrival {} is not its write [{before}, {after}]",
        second.kernel_ns
    );
    assert!(
        second.read_ns >= second.kernel_ns + 40_000_000,
        "the mock's thread read it at {} (kernel {}): it was asleep for the first answer's delay",
        second.read_ns,
        second.kernel_ns
    );
    let first = at("first");
    assert!(first.kernel_ns <= first.read_ns && first.kernel_ns < before);
}
