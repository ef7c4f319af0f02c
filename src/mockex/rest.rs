//! The mock exchange's REST order endpoints (DESIGN.md section 10): one HTTP/1.1 keep-alive
//! server per REST venue (Binance and Upbit kinds) on 127.0.0.1, served when
//! [`MockConfig::api`](super::MockConfig::api) holds credentials.
//!
//! - Binance: `POST /api/v3/order` (parameters in the query string and/or form body) and
//!   `GET /api/v3/order` by `origClientOrderId`; `X-MBX-APIKEY` + HMAC-SHA256 signature +
//!   `timestamp` within `recvWindow` ([`rest_auth`](super::rest_auth)).
//! - Upbit: `POST /v1/orders` (JSON body) and `GET /v1/order?identifier=`; `Authorization: Bearer`
//!   JWT HS256 with the SHA-512 `query_hash`.
//! - Limits and their headers: [`rest_limits`](super::rest_limits); matching against the venue's
//!   latest synthetic top of book: [`rest_orders`](super::rest_orders); faults:
//!   [`RestFault`](super::RestFault). Every request and outcome is counted in
//!   [`VenueStats`](super::VenueStats) (`rest_*`).
//!
//! Blocking std threads (accept + one per connection), allocation allowed: test tooling. A
//! connection thread wakes every 100 ms to notice the exchange stopping. Nothing here prints or
//! stores the credentials.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::config::ApiCredentials;
use super::rest_auth::{json_to_query, param, verify_binance, verify_upbit, AuthError};
use super::rest_faults::{Mode, RestFaultState};
use super::rest_limits::{Limiter, RestLimits};
use super::rest_orders::{order_json, parse_new_order, OrderBook, OrderError};
use super::send_log::unix_ns;
use super::shared::Shared;
use super::stats::VenueCounters;
use crate::model::VenueKind;

/// Largest request accepted (head and body).
const MAX_REQUEST: usize = 64 << 10;

/// One REST venue's state, shared by its connection threads.
pub(crate) struct RestVenue {
    /// Fault requests.
    pub faults: RestFaultState,
    limiter: Mutex<Limiter>,
    book: Mutex<OrderBook>,
}

/// The REST side: credentials and per-venue state (None for venues without REST).
pub(crate) struct RestSide {
    creds: ApiCredentials,
    /// Indexed like the config's venues.
    pub venues: Vec<Option<RestVenue>>,
}

impl RestSide {
    /// State for every Binance or Upbit venue of `kinds`.
    pub fn new(creds: ApiCredentials, kinds: &[VenueKind], limits: RestLimits) -> RestSide {
        let venues = kinds
            .iter()
            .map(|&k| {
                has_rest(k).then(|| RestVenue {
                    faults: RestFaultState::default(),
                    limiter: Mutex::new(Limiter::new(k, limits)),
                    book: Mutex::new(OrderBook::default()),
                })
            })
            .collect();
        RestSide { creds, venues }
    }
}

/// Whether the mock serves REST orders for `kind`.
pub(crate) const fn has_rest(kind: VenueKind) -> bool {
    matches!(kind, VenueKind::Binance | VenueKind::Upbit)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Accept connections for venue `vi` until the exchange stops.
pub(crate) fn accept_loop(shared: Arc<Shared>, side: Arc<RestSide>, vi: usize, l: TcpListener) {
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

/// One parsed request (owned: the buffer is drained after it).
struct Request {
    method: String,
    path: String,
    query: Vec<u8>,
    api_key: Option<Vec<u8>>,
    authorization: Option<Vec<u8>>,
    body: Vec<u8>,
}

/// A complete request at the front of `buf`, removed from it; `Err` when it cannot be HTTP.
fn take_request(buf: &mut Vec<u8>) -> Result<Option<Request>, ()> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut req = httparse::Request::new(&mut headers);
    let head = match req.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(_) => return Err(()),
    };
    let header = |name: &str| {
        req.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.to_vec())
    };
    let len = match header("content-length") {
        Some(v) => std::str::from_utf8(&v)
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
        api_key: header("x-mbx-apikey"),
        authorization: header("authorization"),
        body: buf[head..head + len].to_vec(),
    };
    buf.drain(..head + len);
    Ok(Some(r))
}

/// An answer to write.
struct Answer {
    status: u16,
    headers: String,
    body: String,
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        418 => "I'm a teapot",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

fn serve(shared: &Shared, side: &RestSide, vi: usize, mut stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(100)));
    let mut buf = Vec::with_capacity(4096);
    let mut tmp = [0u8; 4096];
    while !shared.stopping() {
        match take_request(&mut buf) {
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
                let out = format!(
                    "HTTP/1.1 {} {}\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: {}\r\n{}\r\n{}",
                    a.status,
                    reason(a.status),
                    a.body.len(),
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
        match stream.read(&mut tmp) {
            Ok(0) => return,
            Ok(n) => buf.extend_from_slice(&tmp[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return,
        }
    }
}

fn binance_error(status: u16, code: i32, msg: &str) -> Answer {
    Answer {
        status,
        headers: String::new(),
        body: format!(r#"{{"code":{code},"msg":"{msg}"}}"#),
    }
}

fn upbit_error(status: u16, name: &str, msg: &str) -> Answer {
    Answer {
        status,
        headers: String::new(),
        body: format!(r#"{{"error":{{"name":"{name}","message":"{msg}"}}}}"#),
    }
}

fn error(kind: VenueKind, status: u16, code: i32, name: &str, msg: &str) -> Answer {
    match kind {
        VenueKind::Upbit => upbit_error(status, name, msg),
        _ => binance_error(status, code, msg),
    }
}

/// Answer one request; `None` leaves it unanswered (the no-answer fault).
fn handle(shared: &Shared, side: &RestSide, vi: usize, req: &Request) -> Option<Answer> {
    let vs = &shared.venues[vi];
    let c = &vs.counters;
    let kind = vs.spec.kind;
    VenueCounters::inc(&c.rest_requests);
    let Some(venue) = &side.venues[vi] else {
        return Some(binance_error(404, -1000, "no REST API"));
    };
    let order = match (kind, req.method.as_str(), req.path.as_str()) {
        (VenueKind::Upbit, "POST", "/v1/orders")
        | (VenueKind::Binance, "POST", "/api/v3/order") => true,
        (VenueKind::Upbit, "GET", "/v1/order") | (VenueKind::Binance, "GET", "/api/v3/order") => {
            false
        }
        _ => {
            VenueCounters::inc(&c.bad_requests);
            return Some(error(kind, 404, -1000, "not_found", "Unknown endpoint."));
        }
    };
    VenueCounters::inc(if order {
        &c.rest_orders
    } else {
        &c.rest_status_queries
    });
    let mode = venue.faults.mode();
    if order && mode == Mode::Storm {
        VenueCounters::inc(&c.rest_429s);
        let mut a = error(kind, 429, -1003, "too_many_requests", "Too many requests.");
        a.headers.push_str("Retry-After: 1\r\n");
        return Some(a);
    }
    let now_ms = unix_ns() / 1_000_000;
    // Authentication.
    let upbit_params = match (kind, order) {
        (VenueKind::Upbit, true) => json_to_query(&req.body).unwrap_or_default(),
        (VenueKind::Upbit, false) => req.query.clone(),
        _ => Vec::new(),
    };
    let auth = match kind {
        VenueKind::Upbit => verify_upbit(&side.creds, req.authorization.as_deref(), &upbit_params),
        _ => verify_binance(
            &side.creds,
            req.api_key.as_deref(),
            &req.query,
            &req.body,
            now_ms,
        ),
    };
    if let Err(e) = auth {
        let (counter, status, code, name, msg) = match e {
            AuthError::UnknownKey => (
                &c.rest_unknown_keys,
                401,
                -2015,
                "invalid_access_key",
                "Invalid API-key, IP, or permissions for action.",
            ),
            AuthError::BadSignature => (
                &c.rest_bad_signatures,
                if kind == VenueKind::Upbit { 401 } else { 400 },
                -1022,
                "jwt_verification",
                "Signature for this request is not valid.",
            ),
            AuthError::StaleTimestamp => (
                &c.rest_stale_timestamps,
                400,
                -1021,
                "jwt_verification",
                "Timestamp for this request is outside of the recvWindow.",
            ),
            AuthError::BadQueryHash => (
                &c.rest_bad_query_hashes,
                401,
                -1022,
                "invalid_query_payload",
                "query_hash does not match the parameters.",
            ),
            AuthError::Malformed => (
                &c.bad_requests,
                400,
                -1102,
                "validation_error",
                "A mandatory parameter was not sent or was malformed.",
            ),
        };
        VenueCounters::inc(counter);
        return Some(error(kind, status, code, name, msg));
    }
    // Limits.
    let verdict = lock(&venue.limiter).admit(order, now_ms);
    if verdict.status != 0 {
        VenueCounters::inc(if verdict.status == 429 {
            &c.rest_429s
        } else {
            &c.rest_418s
        });
        let mut a = error(
            kind,
            verdict.status,
            -1003,
            "too_many_requests",
            "Too many requests; current limit is exceeded.",
        );
        a.headers = verdict.headers;
        a.headers
            .push_str(&format!("Retry-After: {}\r\n", verdict.retry_after_s));
        return Some(a);
    }
    let scales = shared.scales;
    let body_fields;
    let get = |k: &str| -> Option<&[u8]> {
        match kind {
            VenueKind::Upbit if order => None,
            _ => param(&req.query, &req.body, k.as_bytes()),
        }
    };
    let mut answer = if !order {
        let key = if kind == VenueKind::Upbit {
            "identifier"
        } else {
            "origClientOrderId"
        };
        let id = get(key)
            .and_then(|v| std::str::from_utf8(v).ok())
            .unwrap_or("");
        match lock(&venue.book).get(id) {
            Some(o) => Answer {
                status: 200,
                headers: String::new(),
                body: order_json(kind, o, scales.price, scales.qty),
            },
            None => error(kind, 404, -2013, "order_not_found", "Order does not exist.")
                .with_binance_status(kind, 400),
        }
    } else if mode == Mode::Reject {
        VenueCounters::inc(&c.rest_rejects);
        error(
            kind,
            400,
            -2010,
            "insufficient_funds",
            "Account has insufficient balance for requested action.",
        )
    } else {
        let parsed = match kind {
            VenueKind::Upbit => {
                body_fields = upbit_params;
                parse_new_order(
                    kind,
                    |k| param(&body_fields, b"", k.as_bytes()),
                    scales.price,
                    scales.qty,
                )
            }
            _ => parse_new_order(kind, get, scales.price, scales.qty),
        };
        let placed = parsed.and_then(|o| {
            if o.symbol != vs.spec.symbol {
                return Err(OrderError::Symbol);
            }
            let top = *lock(&vs.top);
            lock(&venue.book).place(o, top, now_ms)
        });
        match placed {
            Ok(o) => {
                VenueCounters::inc(if o.executed > 0 {
                    &c.rest_fills
                } else {
                    &c.rest_expired
                });
                match mode {
                    Mode::NoAnswer => {
                        VenueCounters::inc(&c.rest_unanswered);
                        return None;
                    }
                    Mode::ServerError => {
                        VenueCounters::inc(&c.rest_5xx);
                        error(kind, 503, -1001, "server_error", "Internal error.")
                            .with_upbit_status(kind, 500)
                    }
                    _ => Answer {
                        status: if kind == VenueKind::Upbit { 201 } else { 200 },
                        headers: String::new(),
                        body: order_json(kind, &o, scales.price, scales.qty),
                    },
                }
            }
            Err(e) => {
                VenueCounters::inc(&c.rest_rejects);
                let (code, name, msg) = match e {
                    OrderError::Param(_) => (-1102, "validation_error", "Bad parameter."),
                    OrderError::Symbol => (-1121, "market_does_not_exist", "Invalid symbol."),
                    OrderError::Duplicate => {
                        (-2010, "duplicate_identifier", "Duplicate order sent.")
                    }
                };
                error(kind, 400, code, name, msg)
            }
        }
    };
    answer.headers.insert_str(0, &verdict.headers);
    Some(answer)
}

impl Answer {
    fn with_binance_status(mut self, kind: VenueKind, status: u16) -> Answer {
        if kind != VenueKind::Upbit {
            self.status = status;
        }
        self
    }

    fn with_upbit_status(mut self, kind: VenueKind, status: u16) -> Answer {
        if kind == VenueKind::Upbit {
            self.status = status;
        }
        self
    }
}
