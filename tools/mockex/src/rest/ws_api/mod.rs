//! The Binance spot WebSocket API (`/ws-api/v3`, binance-spot-api-docs `web-socket-api.md`) on
//! the Binance venue's feed port, when [`MockConfig::api`](crate::MockConfig::api) is set: one
//! session per connection, on the connection's own thread.
//!
//! - Requests `{"id","method","params"}` in text frames, one answer frame each (`envelope`).
//! - `session.logon` (Ed25519 only, `logon`) authenticates the session; `session.status`,
//!   `session.logout`; `order.place`, `order.status`, `order.cancel`, `openOrders.status` and
//!   `account.status` then need no `apiKey`/`signature`, only `timestamp` (and `recvWindow`), and
//!   run through the REST side's own pipeline (`handler::handle_op`): the same book, ledger,
//!   limits and [`RestFault`](crate::RestFault)s, so a fill over the session matches a fill over
//!   REST. Before a logon they are refused 400 -1102 (`apiKey` missing): our reading of how
//!   Binance answers a request that needs a key and carries none (not checked against a
//!   published example); `userDataStream.subscribe` before a logon is refused 401 -2015.
//! - `userDataStream.subscribe` makes every later placement and cancel push an
//!   `executionReport` and an `outboundAccountPosition` (`push`).
//! - Keep-alive: a ping frame every [`KeepAliveSettings::server_ping_interval`](crate::KeepAliveSettings),
//!   closed without a pong in time, as the feed does. A session lives
//!   [`WsApiConfig::session_lifetime`](crate::WsApiConfig) and is then closed.
//! - Faults ([`WsApiConfig`](crate::WsApiConfig)): drop the session after executing the n-th
//!   placement, lose the n-th placement's answer, go silent after the n-th placement (a
//!   half-open connection), push every `executionReport` twice, revoke the key at the n-th
//!   placement (the session loses its logon with `{"id":null,"status":401}` -2015, later logons
//!   are refused), withhold the n-th placement's pushes (a gap in the stream).

mod envelope;
mod logon;
mod push;

use std::net::{Shutdown, TcpStream};
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::{Map, Value};
use tungstenite::{Bytes, Message, Utf8Bytes, WebSocket};

use super::answer::Refusal;
use super::auth::AuthError;
use super::book::OrderRef;
use super::dialect::{dialect, Ctx, Op};
use super::handler::{handle_op, Auth};
use super::params::Params;
use super::state::{lock, Arrival, RestSide, RestVenue};
use super::ws_io::send;
use crate::send_log::unix_ns;
use crate::shared::{Shared, VenueShared};
use crate::stats::VenueCounters;

/// The path the WebSocket API is served on (any query string allowed).
pub(crate) const PATH: &str = "/ws-api/v3";

/// How long a read waits before the loop turns (keep-alive, expiry, stop).
const READ_TICK: Duration = Duration::from_millis(2);

/// What one request leads to.
enum Outcome {
    /// Send these frames.
    Reply(Vec<String>),
    /// Send nothing (a lost acknowledgement).
    Silent,
    /// Drop the socket without a word (a session lost mid-request).
    Drop,
    /// Keep the socket open and never read, answer or ping again (a half-open connection).
    Vanish,
}

struct Session<'a> {
    shared: &'a Shared,
    side: &'a RestSide,
    vs: &'a VenueShared,
    venue: &'a RestVenue,
    vi: usize,
    authorized_ms: Option<u64>,
    connected_ms: u64,
    subscribed: bool,
}

/// Serve one WebSocket API session on venue `vi` until it ends or the exchange stops.
pub(crate) fn serve(shared: &Shared, vi: usize, mut ws: WebSocket<TcpStream>) {
    let Some(side) = shared.rest.as_deref() else {
        let _ = ws.close(None);
        let _ = ws.flush();
        return;
    };
    let Some(venue) = side.venues[vi].as_ref() else {
        return;
    };
    let vs = &shared.venues[vi];
    let c = &vs.counters;
    VenueCounters::inc(&c.ws_api_sessions);
    if super::ws_io::prepare(&ws, side.busy_poll, READ_TICK).is_err() {
        return;
    }
    let mut reader = super::ws_io::StampedReader::new(&ws, side.busy_poll);
    let mut s = Session {
        shared,
        side,
        vs,
        venue,
        vi,
        authorized_ms: None,
        connected_ms: side.server_unix_ns() / 1_000_000,
        subscribed: false,
    };
    let opened = shared.now_ns();
    let lifetime_ns = u64::try_from(side.ws_api.session_lifetime.as_nanos()).unwrap_or(u64::MAX);
    let ka = shared.keep_alive;
    let (mut last_ping, mut pong_due): (u64, Option<u64>) = (opened, None);
    loop {
        let now = shared.now_ns();
        if shared.stopping() || now.saturating_sub(opened) >= lifetime_ns {
            if !shared.stopping() {
                VenueCounters::inc(&c.ws_api_sessions_ended);
            }
            let _ = ws.close(None);
            let _ = ws.flush();
            return;
        }
        if now.saturating_sub(last_ping) >= ka.server_ping_interval.as_nanos() as u64 {
            last_ping = now;
            let payload = (unix_ns() / 1_000_000).to_string();
            if !send(&mut ws, Message::Ping(Bytes::from(payload.into_bytes()))) {
                return;
            }
            VenueCounters::inc(&c.server_pings_sent);
            pong_due.get_or_insert(now);
        }
        if let Some(since) = pong_due {
            if now.saturating_sub(since) > ka.pong_timeout.as_nanos() as u64 {
                VenueCounters::inc(&c.pong_timeouts);
                pong_due = None;
                if ka.close_without_pong {
                    let _ = ws.close(None);
                    let _ = ws.flush();
                    return;
                }
            }
        }
        let (msg, arrival) = match reader.read(&mut ws) {
            Ok(m) => m,
            Err(e) if super::ws_io::is_idle(&e) => {
                super::ws_io::nothing_read(side.busy_poll);
                continue;
            }
            Err(_) => return,
        };
        let text = match &msg {
            Message::Text(t) => t.as_str(),
            Message::Pong(_) => {
                VenueCounters::inc(&c.pongs_received);
                pong_due = None;
                continue;
            }
            Message::Ping(_) => {
                VenueCounters::inc(&c.pings_answered);
                let _ = ws.flush();
                continue;
            }
            Message::Close(_) => {
                let _ = ws.flush();
                return;
            }
            Message::Binary(_) | Message::Frame(_) => "",
        };
        match s.on_text(text, arrival) {
            Outcome::Reply(frames) => {
                for f in frames {
                    if !send(&mut ws, Message::Text(Utf8Bytes::from(f))) {
                        return;
                    }
                }
            }
            Outcome::Silent => {}
            Outcome::Drop => {
                VenueCounters::inc(&c.ws_api_sessions_ended);
                let _ = ws.get_ref().shutdown(Shutdown::Both);
                return;
            }
            Outcome::Vanish => {
                VenueCounters::inc(&c.ws_api_sessions_ended);
                // Nothing more is read or written: the client's bytes pile up unread; the
                // socket closes when the exchange stops.
                while !shared.stopping() {
                    std::thread::sleep(READ_TICK);
                }
                return;
            }
        }
    }
}

/// The REST operation behind a WebSocket API order method.
fn order_op(method: &str) -> Option<Op> {
    Some(match method {
        "order.place" => Op::Place,
        "order.status" => Op::Status,
        "order.cancel" => Op::Cancel,
        "openOrders.status" => Op::OpenOrders,
        "account.status" => Op::Balances,
        _ => return None,
    })
}

impl Session<'_> {
    fn now_ms(&self) -> u64 {
        self.side.server_unix_ns() / 1_000_000
    }

    fn limits(&self) -> String {
        let counts = lock(&self.venue.limiter).binance_counts();
        envelope::rate_limits(&self.side.limits(), counts)
    }

    fn refusal(&self, id: &str, r: &Refusal) -> String {
        let ctx = Ctx {
            op: Op::Status,
            scales: self.shared.scales,
            symbol: self.vs.spec.symbol(),
            client_id: "",
            buy: false,
            now_ms: self.now_ms(),
        };
        let a = dialect(self.vs.spec.kind).refuse(r, &ctx);
        envelope::from_answer(id, &a, ctx.now_ms, &self.limits())
    }

    fn on_text(&mut self, text: &str, arrival: Arrival) -> Outcome {
        let c = &self.vs.counters;
        VenueCounters::inc(&c.ws_api_requests);
        let req: Option<Value> = serde_json::from_str(text).ok();
        let Some(req) = req.as_ref().and_then(Value::as_object) else {
            VenueCounters::inc(&c.ws_api_bad_frames);
            let e = envelope::code(-1102, "Malformed request.");
            return Outcome::Reply(vec![envelope::error("null", 400, &e, None)]);
        };
        let id = req.get("id").map(Value::to_string).unwrap_or("null".into());
        let empty = Map::new();
        let params = req
            .get("params")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let Some(method) = req.get("method").and_then(Value::as_str) else {
            VenueCounters::inc(&c.ws_api_bad_frames);
            let e = envelope::code(
                -1102,
                "Mandatory parameter 'method' was not sent, was empty/null, or malformed.",
            );
            return Outcome::Reply(vec![envelope::error(&id, 400, &e, None)]);
        };
        let method = method.strip_prefix("v3/").unwrap_or(method);
        match method {
            "session.logon" => self.logon(&id, params),
            "session.status" => Outcome::Reply(vec![self.session_status(&id)]),
            "session.logout" => {
                self.authorized_ms = None;
                Outcome::Reply(vec![self.session_status(&id)])
            }
            "ping" => Outcome::Reply(vec![envelope::ok(&id, "{}", Some(&self.limits()))]),
            "time" => {
                let r = format!(r#"{{"serverTime":{}}}"#, self.now_ms());
                Outcome::Reply(vec![envelope::ok(&id, &r, Some(&self.limits()))])
            }
            "userDataStream.subscribe" | "userDataStream.unsubscribe" => {
                if self.authorized_ms.is_none() {
                    VenueCounters::inc(&c.ws_api_unauthenticated);
                    return Outcome::Reply(vec![
                        self.refusal(&id, &Refusal::Auth(AuthError::UnknownKey))
                    ]);
                }
                self.subscribed = method == "userDataStream.subscribe";
                let r = if self.subscribed {
                    format!(r#"{{"subscriptionId":{}}}"#, push::SUBSCRIPTION_ID)
                } else {
                    "{}".to_owned()
                };
                Outcome::Reply(vec![envelope::ok(&id, &r, None)])
            }
            m => match order_op(m) {
                Some(op) => self.order(&id, op, params, arrival),
                None => {
                    VenueCounters::inc(&c.ws_api_bad_frames);
                    let e = envelope::code(-1000, "Unknown method.");
                    Outcome::Reply(vec![envelope::error(&id, 400, &e, None)])
                }
            },
        }
    }

    fn session_status(&self, id: &str) -> String {
        let (key, since) = match self.authorized_ms {
            Some(t) => (format!(r#""{}""#, self.side.creds().key), t.to_string()),
            None => ("null".to_owned(), "null".to_owned()),
        };
        let r = format!(
            r#"{{"apiKey":{key},"authorizedSince":{since},"connectedSince":{},"returnRateLimits":true,"serverTime":{},"userDataStream":{}}}"#,
            self.connected_ms,
            self.now_ms(),
            self.subscribed
        );
        envelope::ok(id, &r, Some(&self.limits()))
    }

    fn logon(&mut self, id: &str, params: &Map<String, Value>) -> Outcome {
        let c = &self.vs.counters;
        let now_ms = self.now_ms();
        let key = self
            .side
            .ws_api
            .ed25519_public_key
            .as_deref()
            .filter(|_| !self.side.ws_key_revoked.load(Ordering::Acquire));
        match logon::verify(self.side.creds(), key, params, now_ms) {
            Ok(()) => {
                VenueCounters::inc(&c.ws_api_logons);
                self.authorized_ms = Some(now_ms);
                Outcome::Reply(vec![self.session_status(id)])
            }
            Err(e) => {
                VenueCounters::inc(&c.ws_api_logon_refusals);
                Outcome::Reply(vec![self.refusal(id, &Refusal::Auth(e))])
            }
        }
    }

    fn order(
        &mut self,
        id: &str,
        op: Op,
        params: &Map<String, Value>,
        arrival: Arrival,
    ) -> Outcome {
        let c = &self.vs.counters;
        if self.authorized_ms.is_none() {
            VenueCounters::inc(&c.ws_api_unauthenticated);
            let e = envelope::code(
                -1102,
                "Mandatory parameter 'apiKey' was not sent, was empty/null, or malformed.",
            );
            return Outcome::Reply(vec![envelope::error(id, 400, &e, Some(&self.limits()))]);
        }
        match op {
            Op::OpenOrders => VenueCounters::inc(&c.ws_api_open_orders),
            Op::Balances => VenueCounters::inc(&c.ws_api_balances),
            _ => {}
        }
        let nth = (op == Op::Place).then(|| self.side.ws_places.fetch_add(1, Ordering::AcqRel) + 1);
        if nth.is_some() && nth == self.side.ws_api.revoke_key_on_place {
            self.side.ws_key_revoked.store(true, Ordering::Release);
        }
        if self.side.ws_key_revoked.load(Ordering::Acquire) {
            return self.revoked();
        }
        let raw = Value::Object(params.clone()).to_string();
        let p = Params::from_json(raw.as_bytes()).unwrap_or_default();
        let Some(a) = handle_op(
            self.shared,
            self.side,
            self.vi,
            Some(op),
            &p,
            Auth::Session,
            arrival,
        ) else {
            return Outcome::Silent;
        };
        let faults = &self.side.ws_api;
        if nth.is_some() && nth == faults.drop_on_place {
            return Outcome::Drop;
        }
        if nth.is_some() && nth == faults.silent_after_place {
            return Outcome::Vanish;
        }
        let now_ms = self.now_ms();
        let mut frames = vec![envelope::from_answer(id, &a, now_ms, &self.limits())];
        if nth.is_some() && nth == faults.lose_ack_on_place {
            VenueCounters::inc(&c.rest_unanswered);
            frames.clear();
        }
        let withheld = nth.is_some() && nth == faults.withhold_pushes_on_place;
        if self.subscribed && a.status == 200 && matches!(op, Op::Place | Op::Cancel) && !withheld {
            self.push_events(&a.body, op == Op::Cancel, now_ms, &mut frames);
        }
        if frames.is_empty() {
            Outcome::Silent
        } else {
            Outcome::Reply(frames)
        }
    }

    /// A logged-on session's request after its key was revoked: not executed; the session
    /// loses its authentication with the answer Binance documents, whose `id` is null (it names
    /// no request).
    fn revoked(&mut self) -> Outcome {
        VenueCounters::inc(&self.vs.counters.ws_api_revocations);
        self.authorized_ms = None;
        self.subscribed = false;
        let e = envelope::code(-2015, "Invalid API-key, IP, or permissions for action.");
        Outcome::Reply(vec![envelope::error("null", 401, &e, None)])
    }

    /// The user-data events of the order the answer `body` is about.
    fn push_events(&self, body: &str, cancelled: bool, now_ms: u64, frames: &mut Vec<String>) {
        let c = &self.vs.counters;
        let order_id = serde_json::from_str::<Value>(body)
            .ok()
            .and_then(|v| v.get("orderId").and_then(Value::as_u64));
        let Some(order_id) = order_id else { return };
        let l = lock(&self.venue.ledger);
        let Some(o) = l.book.get(&OrderRef::Id(order_id)) else {
            return;
        };
        let report = push::execution_report(o, self.shared.scales, now_ms, cancelled);
        let copies = if self.side.ws_api.duplicate_execution_reports {
            2
        } else {
            1
        };
        for _ in 0..copies {
            frames.push(report.clone());
            VenueCounters::inc(&c.ws_api_events_pushed);
        }
        frames.push(push::account_position(&l.account, now_ms));
        VenueCounters::inc(&c.ws_api_events_pushed);
    }
}
