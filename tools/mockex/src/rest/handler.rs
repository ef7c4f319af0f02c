//! What the mock exchange's REST side answers to one parsed request, in the venue's format:
//! route -> storm fault -> authentication -> rate limits -> place (with the reject, 5xx and
//! no-answer faults) or look up. Every step is counted in the venue's `rest_*` counters.
//!
//! Faults act on placements only, so the client's status queries can still learn what happened;
//! the 5xx and no-answer faults execute the order first (its fate is what the client must query).

use super::auth::{json_to_query, param, verify_binance, verify_upbit, AuthError};
use super::faults::Mode;
use super::orders::{order_json, parse_new_order, OrderError};
use super::state::{lock, Request, RestSide, RestVenue};
use crate::send_log::unix_ns;
use crate::shared::{Shared, VenueShared};
use crate::stats::VenueCounters;
use crate::venue_kind::VenueKind;

/// An answer to write.
pub(crate) struct Answer {
    /// HTTP status.
    pub status: u16,
    /// Extra header lines (`Name: value\r\n`).
    pub headers: String,
    /// JSON body.
    pub body: String,
}

/// The reason phrase of `status`.
pub(crate) fn reason(status: u16) -> &'static str {
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

/// The venue's error body: Binance `{"code","msg"}`, Upbit `{"error":{"name","message"}}`.
fn error(kind: VenueKind, status: u16, code: i32, name: &str, msg: &str) -> Answer {
    let body = match kind {
        VenueKind::Upbit => format!(r#"{{"error":{{"name":"{name}","message":"{msg}"}}}}"#),
        _ => format!(r#"{{"code":{code},"msg":"{msg}"}}"#),
    };
    Answer {
        status,
        headers: String::new(),
        body,
    }
}

/// Answer one request on venue `vi`; `None` leaves it unanswered (the no-answer fault).
pub(crate) fn handle(shared: &Shared, side: &RestSide, vi: usize, req: &Request) -> Option<Answer> {
    let vs = &shared.venues[vi];
    let c = &vs.counters;
    let kind = vs.spec.kind;
    VenueCounters::inc(&c.rest_requests);
    let route = match (kind, req.method.as_str(), req.path.as_str()) {
        (VenueKind::Upbit, "POST", "/v1/orders")
        | (VenueKind::Binance, "POST", "/api/v3/order") => Some(true),
        (VenueKind::Upbit, "GET", "/v1/order") | (VenueKind::Binance, "GET", "/api/v3/order") => {
            Some(false)
        }
        _ => None,
    };
    let (Some(order), Some(venue)) = (route, side.venues[vi].as_ref()) else {
        VenueCounters::inc(&c.bad_requests);
        return Some(error(kind, 404, -1000, "not_found", "Unknown endpoint."));
    };
    VenueCounters::inc(if order {
        &c.rest_orders
    } else {
        &c.rest_status_queries
    });
    let now_ns = unix_ns();
    if order {
        venue.note_received(now_ns);
    }
    let mode = venue.faults.mode();
    if order && mode == Mode::Storm {
        VenueCounters::inc(&c.rest_429s);
        let mut a = error(kind, 429, -1003, "too_many_requests", "Too many requests.");
        a.headers.push_str("Retry-After: 1\r\n");
        return Some(a);
    }
    let now_ms = now_ns / 1_000_000;
    // Upbit's parameters as the token hashes them: the JSON body's, or the query string.
    let params = match (kind, order) {
        (VenueKind::Upbit, true) => json_to_query(&req.body).unwrap_or_default(),
        (VenueKind::Upbit, false) => req.query.clone(),
        _ => Vec::new(),
    };
    let auth = match kind {
        VenueKind::Upbit => verify_upbit(side.creds(), req.authorization.as_deref(), &params),
        _ => verify_binance(
            side.creds(),
            req.api_key.as_deref(),
            &req.query,
            &req.body,
            now_ms,
        ),
    };
    if let Err(e) = auth {
        return Some(auth_error(vs, e));
    }
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
    // Upbit placements read the JSON body's parameters; everything else the form/query ones.
    let (query, body): (&[u8], &[u8]) = match kind {
        VenueKind::Upbit => (&params, b""),
        _ => (&req.query, &req.body),
    };
    let get = |k: &str| param(query, body, k.as_bytes());
    let mut answer = if order {
        place(shared, vs, venue, mode, get, now_ms)?
    } else {
        lookup(shared, kind, venue, get)
    };
    answer.headers.insert_str(0, &verdict.headers);
    Some(answer)
}

/// The refusal of a request that failed authentication, counted.
fn auth_error(vs: &VenueShared, e: AuthError) -> Answer {
    let c = &vs.counters;
    let upbit = vs.spec.kind == VenueKind::Upbit;
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
            if upbit { 401 } else { 400 },
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
    error(vs.spec.kind, status, code, name, msg)
}

/// `GET` an order by client id.
fn lookup<'a>(
    shared: &Shared,
    kind: VenueKind,
    venue: &RestVenue,
    get: impl Fn(&str) -> Option<&'a [u8]>,
) -> Answer {
    let key = match kind {
        VenueKind::Upbit => "identifier",
        _ => "origClientOrderId",
    };
    let id = get(key)
        .and_then(|v| std::str::from_utf8(v).ok())
        .unwrap_or("");
    let s = shared.scales;
    match lock(&venue.book).get(id) {
        Some(o) => Answer {
            status: 200,
            headers: String::new(),
            body: order_json(kind, o, s.price, s.qty),
        },
        None => {
            let status = if kind == VenueKind::Upbit { 404 } else { 400 };
            error(
                kind,
                status,
                -2013,
                "order_not_found",
                "Order does not exist.",
            )
        }
    }
}

/// Place an order (IOC on the venue's latest quote) under the fault `mode`; `None`: do not answer.
fn place<'a>(
    shared: &Shared,
    vs: &VenueShared,
    venue: &RestVenue,
    mode: Mode,
    get: impl Fn(&str) -> Option<&'a [u8]>,
    now_ms: u64,
) -> Option<Answer> {
    let (c, kind, s) = (&vs.counters, vs.spec.kind, shared.scales);
    if mode == Mode::Reject {
        VenueCounters::inc(&c.rest_rejects);
        return Some(error(
            kind,
            400,
            -2010,
            "insufficient_funds",
            "Account has insufficient balance for requested action.",
        ));
    }
    let placed = parse_new_order(kind, get, s.price, s.qty).and_then(|o| {
        if o.symbol != vs.spec.symbol {
            return Err(OrderError::Symbol);
        }
        let top = *lock(&vs.top);
        lock(&venue.book).place(o, top, now_ms)
    });
    let o = match placed {
        Ok(o) => o,
        Err(e) => {
            VenueCounters::inc(&c.rest_rejects);
            let (code, name, msg) = match e {
                OrderError::Param(_) => (-1102, "validation_error", "Bad parameter."),
                OrderError::Symbol => (-1121, "market_does_not_exist", "Invalid symbol."),
                OrderError::Duplicate => (-2010, "duplicate_identifier", "Duplicate order sent."),
            };
            return Some(error(kind, 400, code, name, msg));
        }
    };
    VenueCounters::inc(if o.executed > 0 {
        &c.rest_fills
    } else {
        &c.rest_expired
    });
    match mode {
        Mode::NoAnswer => {
            VenueCounters::inc(&c.rest_unanswered);
            None
        }
        Mode::ServerError => {
            VenueCounters::inc(&c.rest_5xx);
            let status = if kind == VenueKind::Upbit { 500 } else { 503 };
            Some(error(
                kind,
                status,
                -1001,
                "server_error",
                "Internal error.",
            ))
        }
        _ => Some(Answer {
            status: if kind == VenueKind::Upbit { 201 } else { 200 },
            headers: String::new(),
            body: order_json(kind, &o, s.price, s.qty),
        }),
    }
}
