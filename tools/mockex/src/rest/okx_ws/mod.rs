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
//!   one `instId`) and `account` (`push`, a snapshot right after subscribing): after each
//!   accepted order or cancel the order's new state and the balances are pushed; an order resting on the book is watched and pushed again
//!   when a quote fills it or it is cancelled elsewhere.
//! - Keep-alive: the text `ping` is answered `pong`; a connection that sends nothing for
//!   [`OkxWsConfig::idle_timeout`](crate::OkxWsConfig) (OKX: 30 s) is closed with code 4004. A
//!   session lives [`OkxWsConfig::session_lifetime`](crate::OkxWsConfig) and is then closed.
//! - Faults ([`OkxWsConfig`](crate::OkxWsConfig)): drop the session after executing the n-th
//!   `order`, lose the n-th `order`'s answer (its pushes still come), push every final order
//!   update twice.

mod frames;
mod login;
mod ops;
mod push;

use std::net::{Shutdown, TcpStream};
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::Value;
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::protocol::CloseFrame;
use tungstenite::{Message, Utf8Bytes, WebSocket};

use super::book::{MockOrder, OrderRef};
use super::dialect::Op;
use super::handler::{handle_op, Auth};
use super::state::{lock, RestSide, RestVenue};
use crate::send_log::unix_ns;
use crate::shared::{Shared, VenueShared};
use crate::stats::VenueCounters;
use push::Trade;

/// The path the private WebSocket is served on (any query string allowed).
pub(crate) const PATH: &str = "/ws/v5/private";

/// How long a read waits before the loop turns (idle check, expiry, watched orders, stop).
const READ_TICK: Duration = Duration::from_millis(2);

/// How often the orders resting on the book are looked at for fills, ms.
const WATCH_EVERY_MS: u64 = 20;

/// The instrument types whose `orders` subscription the mock's spot orders are pushed to.
const SPOT_TYPES: [&str; 2] = ["SPOT", "ANY"];

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

/// An order the session pushed while it rested on the book: what it last reported.
struct Watched {
    order_id: u64,
    executed: i64,
    quote: i128,
    fee: i128,
    trades: u64,
}

struct Session<'a> {
    shared: &'a Shared,
    side: &'a RestSide,
    vs: &'a VenueShared,
    venue: &'a RestVenue,
    vi: usize,
    conn_id: String,
    logged_in: bool,
    /// `orders` subscriptions, each arg as sent with `uid` added.
    orders: Vec<Value>,
    /// The `account` subscription's arg with `uid` added.
    account: Option<Value>,
    watched: Vec<Watched>,
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
    let mut s = Session {
        shared,
        side,
        vs,
        venue,
        vi,
        conn_id: format!("{:08x}", 0x6f00_0000u64 + conn_no),
        logged_in: false,
        orders: Vec::new(),
        account: None,
        watched: Vec::new(),
    };
    let cfg = &side.okx_ws;
    let nanos = |d: Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
    let (lifetime_ns, idle_ns) = (nanos(cfg.session_lifetime), nanos(cfg.idle_timeout));
    let opened = shared.now_ns();
    let (mut last_heard, mut last_watch) = (opened, opened);
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
        if !s.watched.is_empty() && now.saturating_sub(last_watch) >= WATCH_EVERY_MS * 1_000_000 {
            last_watch = now;
            for f in s.watch() {
                if !super::ws_io::send(&mut ws, Message::Text(Utf8Bytes::from(f))) {
                    return;
                }
            }
        }
        let msg = match ws.read() {
            Ok(m) => m,
            Err(e) if super::ws_io::is_idle(&e) => {
                super::ws_io::nothing_read(side.busy_poll);
                continue;
            }
            Err(_) => return,
        };
        let first_byte_ns = unix_ns();
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
        match s.on_text(text, first_byte_ns) {
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

    fn on_text(&mut self, text: &str, first_byte_ns: u64) -> Outcome {
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
            Some(op @ ("order" | "cancel-order")) => self.order(id, op, args, in_us, first_byte_ns),
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
                    self.orders.retain(|a| *a != key);
                    if op == "subscribe" {
                        self.orders.push(key);
                    }
                }
                Some("account") => {
                    self.account = (op == "subscribe").then(|| with_uid(arg));
                    out.push(frames::subscribed(id, op, arg, &self.conn_id));
                    let l = lock(&self.venue.ledger);
                    self.push_account(&l.account, true, &mut out);
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
        first_byte_ns: u64,
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
            first_byte_ns,
        );
        // The REST side's no-answer fault: executed, never answered, nothing pushed.
        let Some(answer) = answer else {
            return Outcome::Reply(Vec::new());
        };
        let faults = &self.side.okx_ws;
        if nth.is_some() && nth == faults.drop_on_order {
            return Outcome::Drop;
        }
        let mut out = Vec::with_capacity(3);
        if nth.is_some() && nth == faults.lose_answer_on_order {
            VenueCounters::inc(&c.okx_ws_answers_lost);
        } else {
            out.push(frames::from_rest(
                id,
                op,
                &answer.body,
                in_us,
                self.now_us(),
            ));
        }
        if let Some(order_id) = ops::accepted_order_id(&answer.body) {
            self.pushes(order_id, place, &mut out);
        }
        Outcome::Reply(out)
    }

    /// The `orders` pushes of `o` (twice when final under the duplicate fault).
    fn push_order(&self, o: &MockOrder, trade: Option<Trade>, out: &mut Vec<String>) {
        let c = &self.vs.counters;
        let copies = if push::is_final(o) && self.side.okx_ws.duplicate_final_pushes {
            2
        } else {
            1
        };
        for arg in &self.orders {
            let spot = arg
                .get("instType")
                .and_then(Value::as_str)
                .is_some_and(|t| SPOT_TYPES.contains(&t));
            let inst = arg.get("instId").and_then(Value::as_str);
            if !spot || inst.is_some_and(|i| i != o.symbol) {
                continue;
            }
            let f = push::order(
                &arg.to_string(),
                o,
                trade,
                self.shared.scales,
                self.now_ms(),
            );
            for _ in 0..copies {
                out.push(f.clone());
                VenueCounters::inc(&c.okx_ws_pushes);
            }
        }
    }

    fn push_account(&self, a: &super::account::Account, snapshot: bool, out: &mut Vec<String>) {
        if let Some(arg) = &self.account {
            let ccy = arg.get("ccy").and_then(Value::as_str);
            out.push(push::account(
                &arg.to_string(),
                ccy,
                a,
                snapshot,
                self.now_ms(),
            ));
            VenueCounters::inc(&self.vs.counters.okx_ws_pushes);
        }
    }

    /// The pushes after order `order_id` was placed (`placed`) or cancelled.
    fn pushes(&mut self, order_id: u64, placed: bool, out: &mut Vec<String>) {
        let l = lock(&self.venue.ledger);
        let Some(o) = l.book.get(&OrderRef::Id(order_id)) else {
            return;
        };
        let trade = (placed && o.executed > 0).then_some(Trade {
            id: order_id * 1000 + 1,
            qty: o.executed,
            quote: o.quote,
            fee: o.fee,
            maker: false,
        });
        self.push_order(o, trade, out);
        self.push_account(&l.account, false, out);
        self.watched.retain(|w| w.order_id != order_id);
        if placed && !push::is_final(o) {
            self.watched.push(Watched {
                order_id,
                executed: o.executed,
                quote: o.quote,
                fee: o.fee,
                trades: u64::from(o.executed > 0),
            });
        }
    }

    /// The pushes of watched orders that changed since they were last pushed (a quote filled
    /// them, or something else cancelled them); final ones stop being watched.
    fn watch(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        let l = lock(&self.venue.ledger);
        let mut changed = false;
        let mut watched = std::mem::take(&mut self.watched);
        watched.retain_mut(|w| {
            let Some(o) = l.book.get(&OrderRef::Id(w.order_id)) else {
                return false;
            };
            if o.executed == w.executed && !push::is_final(o) {
                return true;
            }
            changed = true;
            let trade = (o.executed > w.executed).then(|| {
                w.trades += 1;
                Trade {
                    id: w.order_id * 1000 + w.trades,
                    qty: o.executed - w.executed,
                    quote: o.quote - w.quote,
                    fee: o.fee - w.fee,
                    maker: true,
                }
            });
            self.push_order(o, trade, &mut out);
            (w.executed, w.quote, w.fee) = (o.executed, o.quote, o.fee);
            !push::is_final(o)
        });
        self.watched = watched;
        if changed {
            self.push_account(&l.account, false, &mut out);
        }
        out
    }
}
