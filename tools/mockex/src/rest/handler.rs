//! What the mock exchange's REST side answers to one parsed request, in the venue's dialect
//! (`dialect`): route -> storm fault -> authentication -> rate limits -> the operation (placing
//! with the reject, 5xx and no-answer faults; status queries). Every step is counted in the
//! venue's `rest_*` counters.
//!
//! Faults act on placements only, so the client's status queries can still learn what happened;
//! the 5xx and no-answer faults execute the order first (its fate is what the client must query).

use super::answer::{Answer, Refusal};
use super::auth::{check_window, AuthError};
use super::dialect::{dialect, Ctx, Dialect, Op, Venue};
use super::faults::Mode;
use super::instrument::Instrument;
use super::params::Params;
use super::state::{lock, Arrival, Request, RestSide, RestVenue};
use crate::send_log::unix_ns;
use crate::shared::{Shared, VenueShared};
use crate::stats::VenueCounters;
use crate::venue_kind::VenueKind;

/// The counter of requests for `op`.
fn op_counter(c: &VenueCounters, op: Op) -> &std::sync::atomic::AtomicU64 {
    match op {
        Op::Place => &c.rest_orders,
        Op::Status => &c.rest_status_queries,
        Op::Cancel => &c.rest_cancels,
        Op::OpenOrders => &c.rest_open_orders,
        Op::Balances => &c.rest_balances,
        Op::Rules => &c.rest_rules,
        Op::Time => &c.rest_time,
        Op::Book => &c.rest_books,
    }
}

/// How a request proves who sent it.
#[derive(Clone, Copy)]
pub(crate) enum Auth<'a> {
    /// A REST request, signed on its own (the dialect's check).
    Request(&'a Request),
    /// A request on a WebSocket API session that `session.logon` authenticated: only the
    /// `timestamp` / `recvWindow` rule still applies ([`check_window`]).
    Session,
    /// A request on a WebSocket session that a `login` authenticated and whose ops carry no
    /// timing of their own (OKX's `/ws/v5/private`): nothing more to check.
    Login,
    /// A request the transport already authenticated and timed (Bybit's trade socket: `auth`
    /// once per socket, then each request's `X-BAPI-TIMESTAMP` header checked by the socket).
    Checked,
}

/// Answer one request on venue `vi`; `None` leaves it unanswered (the no-answer fault).
pub(crate) fn handle(shared: &Shared, side: &RestSide, vi: usize, req: &Request) -> Option<Answer> {
    let d = dialect(shared.venues[vi].spec.kind);
    // A body the venue cannot read has no parameters: what is required is then missing.
    let params = d.params(req).unwrap_or_default();
    let route = d.route(&req.method, &req.path, &params);
    handle_op(
        shared,
        side,
        vi,
        route,
        &params,
        Auth::Request(req),
        req.arrival,
    )
}

/// Answer operation `route` (None: no such route) with `params` on venue `vi`, authenticated by
/// `auth`; the pipeline every transport shares (REST requests and the WebSocket API's), so an
/// order placed either way meets the same book, ledger, limits and faults. `arrival`: when the
/// request began arriving (the latency bench's arrival log).
pub(crate) fn handle_op(
    shared: &Shared,
    side: &RestSide,
    vi: usize,
    route: Option<Op>,
    params: &Params,
    auth: Auth<'_>,
    arrival: Arrival,
) -> Option<Answer> {
    let vs = &shared.venues[vi];
    let c = &vs.counters;
    let d = dialect(vs.spec.kind);
    VenueCounters::inc(&c.rest_requests);
    // Arrival on the host's clock (what tests compare with); the venue's own clock (skewed by
    // `rest_clock_offset_ms`) for everything the venue decides or answers.
    let now_ns = unix_ns();
    let now_ms = side.server_unix_ns() / 1_000_000;
    let cl = params
        .get("clOrdId")
        .filter(|v| v.bytes().all(|b| b.is_ascii_alphanumeric()));
    // The instrument the request is about: the one it names, else the venue's first.
    let named = symbol_named(d, params, vs);
    let ctx = Ctx {
        op: route.unwrap_or(Op::Status),
        scales: shared.scales,
        symbol: vs
            .spec
            .symbols
            .get(*named.as_ref().unwrap_or(&0))
            .map_or("", String::as_str),
        client_id: cl.unwrap_or(""),
        buy: matches!(params.get("side"), Some("bid" | "BUY" | "Buy" | "buy")),
        now_ms,
    };
    let (Some(op), Some(venue)) = (route, side.venues[vi].as_ref()) else {
        VenueCounters::inc(&c.bad_requests);
        return Some(d.refuse(&Refusal::NoRoute, &ctx));
    };
    VenueCounters::inc(op_counter(c, op));
    if op == Op::Place {
        venue.note_received(now_ns);
        let client_id = ["newClientOrderId", "identifier", "orderLinkId", "clOrdId"]
            .iter()
            .find_map(|k| params.get(k));
        if let Some(id) = client_id {
            venue.note_arrival(id, arrival);
        }
    }
    let mode = venue.faults.mode();
    if op == Op::Place && mode == Mode::Storm {
        VenueCounters::inc(&c.rest_429s);
        return Some(storm(d, vs, &ctx));
    }
    if d.signed(op) {
        let checked = match auth {
            Auth::Request(req) => d.authenticate(side.creds(), req, now_ms),
            Auth::Session => check_window(params, now_ms),
            Auth::Login | Auth::Checked => Ok(()),
        };
        if let Err(e) = checked {
            VenueCounters::inc(auth_counter(c, e));
            return Some(d.refuse(&Refusal::Auth(e), &ctx));
        }
    }
    let verdict = lock(&venue.limiter).admit(op, d.instrument(params), now_ms);
    if verdict.status != 0 {
        let banned = verdict.status == 418 || verdict.status == 403;
        VenueCounters::inc(if banned { &c.rest_418s } else { &c.rest_429s });
        let r = Refusal::Limited {
            status: verdict.status,
            retry_after_s: verdict.retry_after_s,
            reset_ms: verdict.reset_ms,
        };
        let mut a = d.refuse(&r, &ctx);
        a.headers.insert_str(0, &verdict.headers);
        return Some(a);
    }
    if op != Op::Place {
        if let Err(r) = d.check(op, params) {
            return Some(d.refuse(&r, &ctx));
        }
    }
    let mut answer = match op {
        Op::Place => place(shared, vs, venue, d, mode, params, &ctx)?,
        Op::Status => status(venue, d, params, &ctx),
        Op::Cancel => cancel(venue, d, params, &ctx),
        Op::OpenOrders => {
            let l = lock(&venue.ledger);
            let closed = vs.spec.kind == VenueKind::Bybit && params.get("openOnly") == Some("1");
            let list = if closed {
                l.book.recent_closed(500)
            } else {
                l.book.open_orders()
            };
            d.open_orders(&list, &ctx)
        }
        Op::Balances => d.balances(&lock(&venue.ledger).account, params, &ctx),
        Op::Rules => match listed(d, params, vs) {
            Err(r) => d.refuse(&r, &ctx),
            Ok(idx) => {
                let l = lock(&venue.ledger);
                let limits = side.limits();
                let list: Vec<&Instrument> =
                    idx.iter().filter_map(|&i| l.instruments.get(i)).collect();
                let v = Venue {
                    listed: &list,
                    account: &l.account,
                    limits: &limits,
                };
                d.rules(&v, &ctx)
            }
        },
        Op::Time => d.time(&ctx),
        Op::Book => match named {
            Err(r) => d.refuse(&r, &ctx),
            Ok(i) => d.book(vs.top(i).as_ref(), &ctx),
        },
    };
    answer.headers.insert_str(0, &verdict.headers);
    Some(answer)
}

/// The storm fault's answer: the venue's rate-limit refusal, as if its limit were spent.
fn storm(d: &dyn Dialect, vs: &VenueShared, ctx: &Ctx<'_>) -> Answer {
    let bybit = vs.spec.kind == VenueKind::Bybit;
    let reset_ms = ctx.now_ms + 1000;
    let r = Refusal::Limited {
        status: if bybit { 200 } else { 429 },
        retry_after_s: 1,
        reset_ms,
    };
    let mut a = d.refuse(&r, ctx);
    if bybit {
        a.headers.insert_str(
            0,
            &format!(
                "X-Bapi-Limit: 0\r\nX-Bapi-Limit-Status: 0\r\nX-Bapi-Limit-Reset-Timestamp: {reset_ms}\r\n"
            ),
        );
    }
    a
}

/// The counter of an authentication failure.
fn auth_counter(c: &VenueCounters, e: AuthError) -> &std::sync::atomic::AtomicU64 {
    match e {
        AuthError::UnknownKey | AuthError::MissingHeader("OK-ACCESS-KEY") => &c.rest_unknown_keys,
        AuthError::BadSignature | AuthError::MissingHeader("OK-ACCESS-SIGN") => {
            &c.rest_bad_signatures
        }
        AuthError::StaleTimestamp | AuthError::AheadTimestamp => &c.rest_stale_timestamps,
        AuthError::BadQueryHash => &c.rest_bad_query_hashes,
        AuthError::BadPassphrase | AuthError::MissingHeader("OK-ACCESS-PASSPHRASE") => {
            &c.rest_bad_passphrases
        }
        AuthError::Malformed | AuthError::MissingHeader(_) => &c.bad_requests,
    }
}

/// The index of the venue's instrument a request names: a symbol it names must be one of the
/// venue's (absent is fine here, and means the first; the dialect's routes require it where the
/// venue does).
fn symbol_named(d: &dyn Dialect, p: &Params, vs: &VenueShared) -> Result<usize, Refusal> {
    match d.instrument(p) {
        "" => Ok(0),
        s => vs.instrument_of(s).ok_or(Refusal::UnknownSymbol),
    }
}

/// The instruments a rules request lists: the one it names, the ones a Binance `symbols` array
/// names (`["A","B"]`), else every one of the venue; a name the venue does not list is refused.
fn listed(d: &dyn Dialect, p: &Params, vs: &VenueShared) -> Result<Vec<usize>, Refusal> {
    if !d.instrument(p).is_empty() {
        return symbol_named(d, p, vs).map(|i| vec![i]);
    }
    if let Some(list) = p
        .get("symbols")
        .filter(|_| vs.spec.kind == VenueKind::Binance)
    {
        // Parameters are not percent-decoded: undo the escapes a JSON array in a query takes.
        let mut text = list.to_owned();
        for (esc, c) in [("%5B", "["), ("%5D", "]"), ("%22", "\""), ("%2C", ",")] {
            text = text.replace(esc, c).replace(&esc.to_ascii_lowercase(), c);
        }
        let inner = text.trim().trim_start_matches('[').trim_end_matches(']');
        return inner
            .split(',')
            .map(|s| s.trim().trim_matches('"'))
            .filter(|s| !s.is_empty())
            .map(|s| vs.instrument_of(s).ok_or(Refusal::UnknownSymbol))
            .collect();
    }
    Ok((0..vs.spec.symbols.len()).collect())
}

/// Cancel an open order.
fn cancel(venue: &RestVenue, d: &dyn Dialect, p: &Params, ctx: &Ctx<'_>) -> Answer {
    let done = d.order_ref(p).and_then(|r| {
        let mut l = lock(&venue.ledger);
        let done = l.cancel(&r, ctx.now_ms);
        venue.note_resting(&l);
        venue.publish(&mut l, ctx.now_ms);
        done
    });
    match done {
        Ok((before, after)) => d.cancelled(&before, &after, ctx),
        Err(r) => d.refuse(&r, ctx),
    }
}

/// Look an order up.
fn status(venue: &RestVenue, d: &dyn Dialect, p: &Params, ctx: &Ctx<'_>) -> Answer {
    let found = d.order_ref(p).and_then(|r| {
        lock(&venue.ledger)
            .book
            .get(&r)
            .cloned()
            .ok_or(Refusal::OrderNotFound)
    });
    match found {
        Ok(o) => d.status(&o, ctx),
        Err(r) => d.refuse(&r, ctx),
    }
}

/// Place an order under the fault `mode`; `None`: do not answer.
fn place(
    shared: &Shared,
    vs: &VenueShared,
    venue: &RestVenue,
    d: &dyn Dialect,
    mode: Mode,
    p: &Params,
    ctx: &Ctx<'_>,
) -> Option<Answer> {
    let c = &vs.counters;
    if mode == Mode::Reject {
        VenueCounters::inc(&c.rest_rejects);
        return Some(d.refuse(&Refusal::Insufficient { buy: true }, ctx));
    }
    let placed = d.new_order(p, shared.scales).and_then(|o| {
        // The order fills against the latest quote of its own instrument.
        let i = vs.instrument_of(&o.symbol).ok_or(Refusal::UnknownSymbol)?;
        let top = vs.top(i);
        let mut l = lock(&venue.ledger);
        let placed = l.place(o, top, ctx.now_ms);
        venue.note_resting(&l);
        venue.publish(&mut l, ctx.now_ms);
        placed
    });
    let o = match placed {
        Ok(o) => o,
        Err(r) => {
            VenueCounters::inc(&c.rest_rejects);
            if matches!(r, Refusal::Rule(_)) {
                VenueCounters::inc(&c.rest_rule_rejects);
            }
            return Some(d.refuse(&r, ctx));
        }
    };
    VenueCounters::inc(if o.executed > 0 {
        &c.rest_fills
    } else if o.open_qty() > 0 {
        &c.rest_rested
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
            Some(d.refuse(&Refusal::ServerError, ctx))
        }
        _ => Some(d.placed(&o, ctx)),
    }
}
