//! The mock exchange's REST endpoints (docs/architecture.md, "Contracts"): one HTTP/1.1
//! keep-alive server per venue on 127.0.0.1, served when
//! [`MockConfig::api`](crate::MockConfig::api) holds credentials.
//!
//! - The request pipeline (`handler`): route, storm fault, authentication, rate limits, then the
//!   operation on the venue's orders (`book`), every step counted in
//!   [`VenueStats`](crate::VenueStats) (`rest_*`).
//! - One dialect per venue (`dialect`): `binance` (`/api/v3/...`, HMAC query signature),
//!   `upbit` (`/v1/...`, JWT with query_hash), `bybit` (`/v5/...`, `X-BAPI-*` headers) and `okx`
//!   (`/api/v5/...`, `OK-ACCESS-*` headers with the passphrase): routes, parameters, auth,
//!   order JSON and error bodies, each from the venue's documentation.
//! - Verifiers: [`auth`] (Binance, Upbit) and `auth_v5` (Bybit, OKX). Limits: [`RestLimits`]
//!   (`limits`, `limits_v5`). Faults: [`RestFault`] (`faults`).
//!
//! Blocking std threads (accept + one per connection), allocation allowed: test tooling. A
//! connection thread wakes every 100 ms to notice the exchange stopping. Nothing here prints or
//! stores the credentials.

mod account;
mod answer;
pub mod auth;
mod auth_v5;
mod binance;
mod binance_info;
mod book;
mod bybit;
mod bybit_info;
pub(crate) mod bybit_ws;
mod dialect;
mod faults;
mod fees;
mod handler;
mod instrument;
mod ledger;
mod limits;
mod limits_v5;
mod okx;
mod okx_info;
pub(crate) mod okx_ws;
mod order_events;
mod order_list;
mod params;
mod private_hub;
mod rules;
pub mod rx_stamp;
mod state;
mod upbit;
mod upbit_info;
pub(crate) mod upbit_private;
pub(crate) mod ws_api;
mod ws_io;

pub use account::AccountConfig;
pub use faults::RestFault;
pub use limits::RestLimits;
pub use okx_info::inst_id_code as okx_inst_id_code;
pub use order_list::TakenOrder;
pub use rules::InstrumentRules;
pub(crate) use state::RestSide;
pub use state::{has_rest, Arrival};

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use crate::shared::Shared;
use crate::stats::VenueCounters;
use answer::reason;
use handler::handle;
use state::{lock, Request};

/// Largest request accepted (head and body).
const MAX_REQUEST: usize = 64 << 10;

/// Accept connections for venue `vi` until the exchange stops.
pub(crate) fn accept_loop(shared: Arc<Shared>, side: Arc<RestSide>, vi: usize, l: TcpListener) {
    // Every accepted connection inherits kernel receive stamps; asking now switches them on long
    // before the first order (`rx_stamp::enable`).
    rx_stamp::enable(&l);
    for stream in l.incoming() {
        if shared.stopping() {
            break;
        }
        let Ok(stream) = stream else {
            std::thread::sleep(Duration::from_millis(1));
            continue;
        };
        VenueCounters::inc(&shared.venues[vi].counters.rest_connections);
        let (sh, sd) = (Arc::clone(&shared), Arc::clone(&side));
        let no = shared.next_conn.fetch_add(1, Ordering::Relaxed);
        let name = format!("mockex-rest-{}-{no}", shared.venues[vi].spec.name);
        if let Ok(h) = std::thread::Builder::new()
            .name(name)
            .spawn(move || serve(&sh, &sd, vi, stream))
        {
            let mut threads = lock(&shared.conn_threads);
            threads.retain(|t| !t.is_finished());
            threads.push(h);
        }
    }
}

/// A complete request at the front of `buf`, removed from it; `Err` when it cannot be HTTP.
/// `arrival`: when its first byte arrived.
fn take_request(buf: &mut Vec<u8>, arrival: Arrival) -> Result<Option<Request>, ()> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut req = httparse::Request::new(&mut headers);
    let head = match req.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(_) => return Err(()),
    };
    let len = match req
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("content-length"))
        .map(|h| h.value)
    {
        Some(v) => std::str::from_utf8(v)
            .ok()
            .and_then(|s| s.trim().parse::<usize>().ok())
            .ok_or(())?,
        None => 0,
    };
    if head + len > MAX_REQUEST {
        return Err(());
    }
    if buf.len() < head + len {
        return Ok(None);
    }
    let target = req.path.unwrap_or("/");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let r = Request {
        method: req.method.unwrap_or("").to_owned(),
        path: path.to_owned(),
        query: query.as_bytes().to_vec(),
        headers: req
            .headers
            .iter()
            .map(|h| (h.name.to_ascii_lowercase(), h.value.to_vec()))
            .collect(),
        body: buf[head..head + len].to_vec(),
        arrival,
    };
    buf.drain(..head + len);
    Ok(Some(r))
}

fn serve(shared: &Shared, side: &RestSide, vi: usize, mut stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    if side.busy_poll {
        let _ = stream.set_nonblocking(true);
    } else {
        let _ = stream.set_read_timeout(Some(Duration::from_millis(100)));
    }
    // The kernel stamps each segment as it arrives (inherited from the listener; asked again in
    // case the listener was refused), so an order's arrival does not wait for this thread's next
    // turn on the core (`rx_stamp`).
    rx_stamp::enable(&stream);
    let mut cmsg = rx_stamp::cmsg_buffer();
    let mut buf = Vec::with_capacity(4096);
    let mut tmp = [0u8; 4096];
    // When the first byte of the request at the front of `buf` arrived.
    let mut arrival = Arrival::read_at(0);
    while !shared.stopping() {
        match take_request(&mut buf, arrival) {
            Err(()) => return,
            Ok(Some(req)) => {
                let Some(a) = handle(shared, side, vi, &req) else {
                    continue;
                };
                if let Some(v) = &side.venues[vi] {
                    let d = v.faults.delay();
                    if !d.is_zero() {
                        std::thread::sleep(d);
                    }
                }
                // Every answer carries `Date` (Upbit's clients read the server time from it).
                let out = format!(
                    "HTTP/1.1 {} {}\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: {}\r\nDate: {}\r\n{}\r\n{}",
                    a.status,
                    reason(a.status),
                    a.body.len(),
                    dialect::http_date(side.server_unix_ns() / 1_000_000),
                    a.headers,
                    a.body
                );
                if stream.write_all(out.as_bytes()).is_err() {
                    return;
                }
                continue;
            }
            Ok(None) => {}
        }
        match rx_stamp::read(&stream, &mut tmp, &mut cmsg) {
            Ok(s) if s.len == 0 => return,
            Ok(s) => {
                if buf.is_empty() {
                    arrival = Arrival {
                        kernel_ns: s.kernel_ns,
                        read_ns: s.read_ns,
                    };
                }
                buf.extend_from_slice(&tmp[..s.len]);
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock && side.busy_poll => {
                std::thread::yield_now();
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return,
        }
    }
}
