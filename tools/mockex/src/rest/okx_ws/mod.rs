//! OKX v5's private WebSocket (`/ws/v5/private`, OKX API v5 docs "WebSocket", "WS / Place
//! order", "WS / Cancel order", "WS / Order channel", "Account channel") on the OKX venue's feed
//! port, when [`MockConfig::api`](crate::MockConfig::api) is set: one session per connection, on
//! the connection's own thread.
//!
//! - `{"op":"login","args":[{apiKey, passphrase, timestamp, sign}]}` authenticates the session
//!   (`login`): `{"event":"login","code":"0",..}` or an `error` event with OKX's code.
//! - `{"id","op":"order"|"cancel-order","args":[{..}]}` (`ops`) run through the REST side's own
//!   pipeline (`handler::handle_op`): the same book, ledger, per-instrument rate limit (60 per
//!   2 s, shared with REST as OKX shares it; past it 50011) and [`RestFault`](crate::RestFault)s,
//!   so an order over the session meets what it would over REST. The answer is an
//!   acknowledgement `{"id","op","code","msg","data":[{ordId, clOrdId, sCode, sMsg, ts}],
//!   "inTime","outTime"}` (`frames`); the fill comes on the `orders` channel. Before a login
//!   they are answered `code` 60011 "Please log in" (our reading: OKX documents the code, not
//!   the shape it takes for an op).
//! - `subscribe` / `unsubscribe` to `orders` (pushed for `instType` `SPOT` or `ANY`, optionally
//!   one `instId`) and `account` (`push`, a snapshot right after subscribing): as OKX pushes
//!   every order of the account to every subscribed connection, the session subscribes to the
//!   venue's private hub (`private_hub`, shared with Bybit's and Upbit's private streams) and
//!   pushes each change the ledger makes to any order, whichever way it came (REST, this or
//!   another session, a resting order filled by a later quote or cancelled elsewhere), then the
//!   balances it moved (`updates`). The hub is drained each turn of the loop, after the frame
//!   just read was answered, so an op's answer comes before its pushes.
//! - Keep-alive: the text `ping` is answered `pong`; a connection that sends nothing for
//!   [`OkxWsConfig::idle_timeout`](crate::OkxWsConfig) (OKX: 30 s) is closed with code 4004. A
//!   session lives [`OkxWsConfig::session_lifetime`](crate::OkxWsConfig) and is then closed.
//! - Faults ([`OkxWsConfig`](crate::OkxWsConfig)): drop the session after executing the n-th
//!   `order`, lose the n-th `order`'s answer (its pushes still come), push every final order
//!   update twice. The REST side's no-answer fault on an op: executed, never answered, its
//!   pushes still come (the venue executed it).

mod frames;
mod login;
mod ops;
mod push;
mod updates;

use std::net::{Shutdown, TcpStream};
use std::sync::atomic::Ordering;
use std::sync::mpsc::Receiver;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::protocol::CloseFrame;
use tungstenite::{Message, Utf8Bytes, WebSocket};

use super::dialect::Op;
use super::handler::{handle_op, Auth};
use super::private_hub::PrivateUpdate;
use super::state::{lock, Arrival, RestSide, RestVenue};
use crate::shared::{Shared, VenueShared};
use crate::stats::VenueCounters;
use updates::{Channels, PushStyle};

/// The path the private WebSocket is served on (any query string allowed).
pub(crate) const PATH: &str = "/ws/v5/private";

/// How long a read waits before the loop turns (idle check, expiry, pushes, stop).
const READ_TICK: Duration = Duration::from_millis(2);

/// Every `instType` OKX's `orders` channel takes.
const INST_TYPES: [&str; 7] = [
    "SPOT", "MARGIN", "SWAP", "FUTURES", "OPTION", "EVENTS", "ANY",
];

/// What one frame leads to.
enum Outcome {
    /// Send these frames (none: a lost answer).
    Reply(Vec<String>),
    /// Drop the socket without a word (a session lost mid-order).
    Drop,
}

struct Session<'a> {
    shared: &'a Shared,
    side: &'a RestSide,
    vs: &'a VenueShared,
    venue: &'a RestVenue,
    vi: usize,
    conn_id: String,
    logged_in: bool,
    /// The `orders` and `account` subscriptions.
    channels: Channels,
    /// The venue's order updates, from the first subscription on.
    updates: Option<Receiver<Arc<PrivateUpdate>>>,
    style: PushStyle,
}

/// Serve one private WebSocket session on venue `vi` (connection number `conn_no`) until it ends
/// or the exchange stops.
pub(crate) fn serve(shared: &Shared, vi: usize, conn_no: u64, mut ws: WebSocket<TcpStream>) {
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
    VenueCounters::inc(&c.okx_ws_sessions);
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
        conn_id: format!("{:08x}", 0x6f00_0000u64 + conn_no),
        logged_in: false,
        channels: Channels::default(),
        updates: None,
        style: PushStyle {
            scales: shared.scales,
            duplicate_final: side.okx_ws.duplicate_final_pushes,
        },
    };
    let cfg = &side.okx_ws;
    let nanos = |d: Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
    let (lifetime_ns, idle_ns) = (nanos(cfg.session_lifetime), nanos(cfg.idle_timeout));
    let opened = shared.now_ns();
    let mut last_heard = opened;
    loop {
        let now = shared.now_ns();
        if shared.stopping() || now.saturating_sub(opened) >= lifetime_ns {
            if !shared.stopping() {
                VenueCounters::inc(&c.okx_ws_sessions_ended);
            }
            let _ = ws.close(None);
            let _ = ws.flush();
            return;
        }
        if now.saturating_sub(last_heard) >= idle_ns {
            VenueCounters::inc(&c.okx_ws_idle_closes);
            let _ = ws.close(Some(CloseFrame {
                code: CloseCode::from(4004),
                reason: Utf8Bytes::from_static("No data received in 30s"),
            }));
            let _ = ws.flush();
            return;
        }
        for f in s.pushes() {
            if !super::ws_io::send(&mut ws, Message::Text(Utf8Bytes::from(f))) {
                return;
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
        last_heard = shared.now_ns();
        let text = match &msg {
            Message::Text(t) => t.as_str(),
            Message::Ping(_) | Message::Pong(_) => {
                let _ = ws.flush();
                continue;
            }
            Message::Close(_) => {
                let _ = ws.flush();
                return;
            }
            Message::Binary(_) | Message::Frame(_) => "",
        };
        VenueCounters::inc(&c.okx_ws_requests);
        if text == "ping" {
            VenueCounters::inc(&c.okx_ws_pings);
            if ws
                .send(Message::Text(Utf8Bytes::from_static("pong")))
                .is_err()
            {
                return;
            }
            continue;
        }
        match s.on_text(text, arrival) {
            Outcome::Reply(frames) => {
                for f in frames {
                    if !super::ws_io::send(&mut ws, Message::Text(Utf8Bytes::from(f))) {
                        return;
                    }
                }
            }
            Outcome::Drop => {
                VenueCounters::inc(&c.okx_ws_sessions_ended);
                let _ = ws.get_ref().shutdown(Shutdown::Both);
                return;
            }
        }
    }
}

/// `arg` (an object) with the account's `uid` added, as OKX's pushes carry it.
fn with_uid(arg: &Value) -> Value {
    let mut a = arg.clone();
    if let Some(m) = a.as_object_mut() {
        m.insert("uid".into(), Value::String(push::UID.into()));
    }
    a
}

impl Session<'_> {
    fn now_us(&self) -> u64 {
        self.side.server_unix_ns() / 1000
    }

    fn now_ms(&self) -> u64 {
        self.side.server_unix_ns() / 1_000_000
    }

    fn error(&self, id: Option<&Value>, code: u32, msg: &str) -> Outcome {
        VenueCounters::inc(&self.vs.counters.okx_ws_bad_frames);
        Outcome::Reply(vec![frames::error(id, code, msg, &self.conn_id)])
    }

    fn on_text(&mut self, text: &str, arrival: Arrival) -> Outcome {
        let in_us = self.now_us();
        let req: Option<Value> = serde_json::from_str(text).ok();
        let Some(obj) = req.as_ref().and_then(Value::as_object) else {
            return self.error(None, 60012, &format!("Invalid request: {text}"));
        };
        let id = obj.get("id");
        let args = obj.get("args");
        match obj.get("op").and_then(Value::as_str) {
            Some("login") => self.login(args),
            Some(op @ ("subscribe" | "unsubscribe")) => self.subscribe(id, op, args),
            Some(op @ ("order" | "cancel-order")) => self.order(id, op, args, in_us, arrival),
            Some(op) => self.error(id, 60019, &format!("Invalid op: {op}")),
            None => self.error(id, 60012, &format!("Invalid request: {text}")),
        }
    }

    fn login(&mut self, args: Option<&Value>) -> Outcome {
        let c = &self.vs.counters;
        match login::verify(self.side.creds(), args, self.now_ms()) {
            Ok(()) => {
                VenueCounters::inc(&c.okx_ws_logins);
                self.logged_in = true;
                Outcome::Reply(vec![frames::logged_in(&self.conn_id)])
            }
            Err(r) => {
                VenueCounters::inc(&c.okx_ws_login_refusals);
                Outcome::Reply(vec![frames::error(None, r.code, &r.msg, &self.conn_id)])
            }
        }
    }

    fn subscribe(&mut self, id: Option<&Value>, op: &str, args: Option<&Value>) -> Outcome {
        if !self.logged_in {
            VenueCounters::inc(&self.vs.counters.okx_ws_unauthenticated);
            return Outcome::Reply(vec![frames::error(
                id,
                60011,
                "Please log in",
                &self.conn_id,
            )]);
        }
        let Some(list) = args.and_then(Value::as_array).filter(|l| !l.is_empty()) else {
            return self.error(id, 60013, "Invalid args");
        };
        let mut out = Vec::with_capacity(list.len());
        for arg in list {
            let channel = arg.get("channel").and_then(Value::as_str);
            let inst_type = arg.get("instType").and_then(Value::as_str);
            match channel {
                Some("orders") if inst_type.is_some_and(|t| INST_TYPES.contains(&t)) => {
                    let key = with_uid(arg);
                    self.channels.orders.retain(|a| *a != key);
                    if op == "subscribe" {
                        self.listen();
                        self.channels.orders.push(key);
                    }
                }
                Some("account") => {
                    self.channels.account = (op == "subscribe").then(|| with_uid(arg));
                    out.push(frames::subscribed(id, op, arg, &self.conn_id));
                    if op == "subscribe" {
                        self.listen();
                        self.snapshot(&mut out);
                    }
                    continue;
                }
                Some("orders") => {
                    VenueCounters::inc(&self.vs.counters.okx_ws_bad_frames);
                    out.push(frames::error(id, 60013, "Invalid args", &self.conn_id));
                    continue;
                }
                Some(ch) => {
                    VenueCounters::inc(&self.vs.counters.okx_ws_bad_frames);
                    let msg = format!("Wrong URL or channel:{ch} doesn't exist. Please use the correct URL, channel and parameters referring to API document.");
                    out.push(frames::error(id, 60018, &msg, &self.conn_id));
                    continue;
                }
                None => {
                    VenueCounters::inc(&self.vs.counters.okx_ws_bad_frames);
                    out.push(frames::error(id, 60013, "Invalid args", &self.conn_id));
                    continue;
                }
            }
            out.push(frames::subscribed(id, op, arg, &self.conn_id));
        }
        Outcome::Reply(out)
    }

    fn order(
        &mut self,
        id: Option<&Value>,
        op: &str,
        args: Option<&Value>,
        in_us: u64,
        arrival: Arrival,
    ) -> Outcome {
        let c = &self.vs.counters;
        if !self.logged_in {
            VenueCounters::inc(&c.okx_ws_unauthenticated);
            let a = frames::op_answer(id, op, "60011", "Please log in", "[]", in_us, self.now_us());
            return Outcome::Reply(vec![a]);
        }
        let place = op == "order";
        let nth = place.then(|| self.side.okx_ws_orders.fetch_add(1, Ordering::AcqRel) + 1);
        let p = match ops::params(args, &self.vs.spec.symbols) {
            Ok(p) => p,
            Err(r) => {
                VenueCounters::inc(&c.okx_ws_bad_frames);
                let a = frames::op_answer(id, op, r.code, &r.msg, "[]", in_us, self.now_us());
                return Outcome::Reply(vec![a]);
            }
        };
        let rest_op = if place { Op::Place } else { Op::Cancel };
        let answer = handle_op(
            self.shared,
            self.side,
            self.vi,
            Some(rest_op),
            &p,
            Auth::Login,
            arrival,
        );
        // The REST side's no-answer fault: executed, never answered (its pushes still come).
        let Some(answer) = answer else {
            return Outcome::Reply(Vec::new());
        };
        let faults = &self.side.okx_ws;
        if nth.is_some() && nth == faults.drop_on_order {
            return Outcome::Drop;
        }
        if nth.is_some() && nth == faults.lose_answer_on_order {
            VenueCounters::inc(&c.okx_ws_answers_lost);
            return Outcome::Reply(Vec::new());
        }
        Outcome::Reply(vec![frames::from_rest(
            id,
            op,
            &answer.body,
            in_us,
            self.now_us(),
        )])
    }

    /// Subscribe to the venue's order updates, once.
    fn listen(&mut self) {
        if self.updates.is_none() {
            self.updates = Some(self.venue.subscribe_private());
        }
    }

    /// The `account` snapshot that follows its subscription: every currency, or the
    /// subscription's `ccy`.
    fn snapshot(&self, out: &mut Vec<String>) {
        let Some(arg) = &self.channels.account else {
            return;
        };
        let ccy = arg.get("ccy").and_then(Value::as_str);
        let l = lock(&self.venue.ledger);
        let balances = l
            .account
            .balances()
            .filter(|(name, _)| ccy.is_none_or(|c| c == *name));
        out.push(push::account(
            &arg.to_string(),
            balances,
            l.account.scale(),
            true,
            self.now_ms(),
        ));
        VenueCounters::inc(&self.vs.counters.okx_ws_pushes);
    }

    /// The pushes of what the venue's ledger did since the last turn (nothing before the first
    /// subscription; updates drained while nothing is subscribed push nothing).
    fn pushes(&mut self) -> Vec<String> {
        let Some(rx) = self.updates.as_ref() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        while let Ok(u) = rx.try_recv() {
            out.extend(updates::frames(&u, &self.channels, &self.style));
        }
        VenueCounters::add(&self.vs.counters.okx_ws_pushes, out.len() as u64);
        out
    }
}
