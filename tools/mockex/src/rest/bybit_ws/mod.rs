//! Bybit's v5 trade socket (`/v5/trade`) and private stream (`/v5/private`) on the Bybit
//! venue's feed port, when [`MockConfig::api`](crate::MockConfig::api) is set
//! (bybit-exchange/docs `docs/v5/websocket/trade/guideline.mdx`,
//! `docs/v5/websocket/wss-authentication.mdx`, `docs/v5/websocket/private/*.mdx`): one session
//! per connection, on the connection's own thread.
//!
//! - Both sockets: `{"op":"auth","args":[apiKey, expires, signature]}` first (`auth`); `ping`
//!   answered with the socket's pong; closed after [`BybitWsConfig::idle_timeout`] with no
//!   client ping and nothing sent (or the URL's `max_active_time`), and after
//!   [`BybitWsConfig::session_lifetime`] whatever happens.
//! - Trade socket (`trade`): `order.create` and `order.cancel` run through the REST side's own
//!   pipeline (`handler::handle_op`): the same book, ledger, limits (the account's 10006 limit
//!   is shared with REST, as the docs say) and [`RestFault`](crate::RestFault)s. The answer is
//!   an acknowledgement: the order's fate is on the private stream. A repeated `reqId` on the
//!   socket is refused 20006; [`BybitWsConfig::system_limit_per_sec`] answers 10429.
//! - Private stream (`private`): after `subscribe` to `order` / `execution` / `wallet`, every
//!   change the venue's ledger makes to an order, whichever path placed it (REST, a trade
//!   socket, a resting order filled on a later quote), is pushed (`push`): the stream subscribes
//!   to the venue's private hub (`private_hub`, shared with Upbit's private stream) and drains
//!   its updates each turn of the loop.
//! - Faults ([`BybitWsConfig`]): drop the trade socket after executing the n-th create, lose
//!   the n-th create's answer, go silent after the n-th create (a half-open connection), delay
//!   every answer, push each final `order` twice.
//!
//! [`BybitWsConfig`]: crate::BybitWsConfig
//! [`BybitWsConfig::idle_timeout`]: crate::BybitWsConfig::idle_timeout
//! [`BybitWsConfig::session_lifetime`]: crate::BybitWsConfig::session_lifetime
//! [`BybitWsConfig::system_limit_per_sec`]: crate::BybitWsConfig::system_limit_per_sec

mod auth;
mod private;
mod push;
mod trade;

use std::collections::HashSet;
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::Ordering;
use std::sync::mpsc::Receiver;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};
use tungstenite::{Message, WebSocket};

use super::dialect::Op;
use super::handler::{handle_op, Auth};
use super::params::Params;
use super::private_hub::PrivateUpdate;
use super::state::{lock, Arrival, RestSide, RestVenue};
use crate::send_log::unix_ns;
use crate::shared::{Shared, VenueShared};
use crate::stats::VenueCounters;
use auth::AuthRefusal;
use private::{PushStyle, Topics};

/// The trade socket's path.
pub(crate) const TRADE_PATH: &str = "/v5/trade";
/// The private stream's path.
pub(crate) const PRIVATE_PATH: &str = "/v5/private";

/// How long a read waits before the loop turns (pushes, expiry, stop).
const READ_TICK: Duration = Duration::from_millis(2);

/// `reqId`s one trade socket remembers for the duplicate check (the oldest forgotten).
const REQ_IDS_KEPT: usize = 100_000;

/// Which socket a session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Socket {
    Trade,
    Private,
}

/// Whether `path` (with any query) is one of the sockets served here.
pub(crate) fn serves(path: &str) -> bool {
    socket_of(path).is_some()
}

fn socket_of(path: &str) -> Option<Socket> {
    let bare = path.split('?').next().unwrap_or("");
    match bare.trim_end_matches('/') {
        TRADE_PATH => Some(Socket::Trade),
        PRIVATE_PATH => Some(Socket::Private),
        _ => None,
    }
}

/// The URL's `max_active_time` (`30s` to `600s`, or minutes `1m` to `10m`), clamped as the
/// docs give its range; None when absent or unreadable.
fn max_active_time(path: &str) -> Option<Duration> {
    let query = path.split_once('?')?.1;
    let v = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("max_active_time="))?;
    let secs: u64 = if let Some(m) = v.strip_suffix('m') {
        m.parse::<u64>().ok()?.checked_mul(60)?
    } else {
        v.strip_suffix('s').unwrap_or(v).parse().ok()?
    };
    Some(Duration::from_secs(secs.clamp(30, 600)))
}

/// What one frame leads to.
enum Outcome {
    /// Send these frames.
    Reply(Vec<String>),
    /// Send nothing (a lost acknowledgement).
    Silent,
    /// Drop the socket without a word (a session lost mid-order).
    Drop,
    /// Keep the socket open and never read or answer again (a half-open connection).
    Vanish,
}

struct Session<'a> {
    shared: &'a Shared,
    side: &'a RestSide,
    vs: &'a VenueShared,
    venue: &'a RestVenue,
    vi: usize,
    socket: Socket,
    conn_id: String,
    authed: bool,
    req_ids: HashSet<String>,
    topics: Topics,
    /// The venue's order updates, once the stream subscribed to something.
    updates: Option<Receiver<Arc<PrivateUpdate>>>,
    /// How pushes are written (fixed when the stream subscribes).
    style: Option<PushStyle>,
    /// Messages pushed so far (their ids).
    pushed: u64,
    /// A client ping was answered since the last turn (keeps the socket from the idle cut-off).
    pinged: bool,
}

/// Serve one Bybit trade socket or private stream on venue `vi` (`path` as requested, `conn_no`
/// the connection's number) until it ends or the exchange stops.
pub(crate) fn serve(
    shared: &Shared,
    vi: usize,
    mut ws: WebSocket<TcpStream>,
    path: &str,
    conn_no: u64,
) {
    let (Some(side), Some(socket)) = (shared.rest.as_deref(), socket_of(path)) else {
        let _ = ws.close(None);
        let _ = ws.flush();
        return;
    };
    let Some(venue) = side.venues[vi].as_ref() else {
        return;
    };
    let vs = &shared.venues[vi];
    let c = &vs.counters;
    VenueCounters::inc(&c.bybit_ws_sessions);
    // Only the trade socket carries orders whose arrival the bench times: the private stream
    // (pings in, pushes out) blocks in `read` up to a tick, one busy-polling thread fewer on the
    // mock's single core.
    let busy = side.busy_poll && socket == Socket::Trade;
    if super::ws_io::prepare(&ws, busy, READ_TICK).is_err() {
        return;
    }
    let mut reader = super::ws_io::StampedReader::new(&ws, busy);
    let cfg = &side.bybit_ws;
    let mut s = Session {
        shared,
        side,
        vs,
        venue,
        vi,
        socket,
        conn_id: format!("mockex{conn_no:08x}-{}", vi),
        authed: false,
        req_ids: HashSet::new(),
        topics: Topics::default(),
        updates: None,
        style: None,
        pushed: 0,
        pinged: false,
    };
    let opened = shared.now_ns();
    let ns = |d: Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
    let lifetime_ns = ns(cfg.session_lifetime);
    let idle_ns = ns(max_active_time(path).unwrap_or(cfg.idle_timeout));
    let mut last_activity = opened;
    loop {
        let now = shared.now_ns();
        if shared.stopping()
            || now.saturating_sub(opened) >= lifetime_ns
            || now.saturating_sub(last_activity) >= idle_ns
        {
            if !shared.stopping() {
                VenueCounters::inc(&c.bybit_ws_sessions_ended);
            }
            let _ = ws.close(None);
            let _ = ws.flush();
            break;
        }
        let pushes = s.pushes();
        if !pushes.is_empty() {
            last_activity = now;
            if send_all(&mut ws, pushes).is_err() {
                break;
            }
        }
        let (msg, arrival) = match reader.read(&mut ws) {
            Ok(m) => m,
            Err(e) if super::ws_io::is_idle(&e) => {
                super::ws_io::nothing_read(busy);
                continue;
            }
            Err(_) => break,
        };
        let text = match &msg {
            Message::Text(t) => t.as_str(),
            Message::Ping(_) => {
                last_activity = now;
                let _ = ws.flush();
                continue;
            }
            Message::Pong(_) | Message::Frame(_) => continue,
            Message::Close(_) => {
                let _ = ws.flush();
                break;
            }
            Message::Binary(_) => "",
        };
        match s.on_text(text, arrival) {
            Outcome::Reply(frames) => {
                last_activity = shared.now_ns();
                if send_all(&mut ws, frames).is_err() {
                    break;
                }
            }
            Outcome::Silent => {}
            Outcome::Drop => {
                VenueCounters::inc(&c.bybit_ws_sessions_ended);
                let _ = ws.get_ref().shutdown(Shutdown::Both);
                break;
            }
            Outcome::Vanish => {
                VenueCounters::inc(&c.bybit_ws_sessions_ended);
                // Nothing more is read or written: the client's bytes pile up unread; the
                // socket closes when the exchange stops.
                while !shared.stopping() {
                    std::thread::sleep(READ_TICK);
                }
                break;
            }
        }
        if std::mem::take(&mut s.pinged) {
            last_activity = shared.now_ns();
        }
    }
}

/// Send `frames` ([`super::ws_io::send_texts`]). `Err` when the session is lost.
fn send_all(ws: &mut WebSocket<TcpStream>, frames: Vec<String>) -> Result<(), ()> {
    if super::ws_io::send_texts(ws, frames) {
        Ok(())
    } else {
        Err(())
    }
}

/// The REST operation behind a trade-socket op.
fn order_op(op: &str) -> Option<Op> {
    match op {
        "order.create" => Some(Op::Place),
        "order.cancel" => Some(Op::Cancel),
        _ => None,
    }
}

impl Session<'_> {
    fn now_ms(&self) -> u64 {
        self.side.server_unix_ns() / 1_000_000
    }

    fn on_text(&mut self, text: &str, arrival: Arrival) -> Outcome {
        let c = &self.vs.counters;
        VenueCounters::inc(&c.bybit_ws_requests);
        let req: Option<Value> = serde_json::from_str(text).ok();
        let Some(req) = req.as_ref().and_then(Value::as_object) else {
            VenueCounters::inc(&c.bybit_ws_bad_frames);
            return Outcome::Reply(vec![self.error(
                None,
                "",
                trade::PARAM_ERROR,
                "params error",
            )]);
        };
        let op = req.get("op").and_then(Value::as_str).unwrap_or("");
        let req_id = match self.socket {
            Socket::Trade => req.get("reqId"),
            Socket::Private => req.get("req_id"),
        };
        match op {
            "auth" => self.auth(req_id, req.get("args")),
            "ping" => {
                VenueCounters::inc(&c.bybit_ws_pongs);
                self.pinged = true;
                Outcome::Reply(vec![self.pong(req_id)])
            }
            "subscribe" | "unsubscribe" if self.socket == Socket::Private => {
                self.subscribe(req_id, op == "subscribe", req.get("args"))
            }
            _ => match (self.socket, order_op(op)) {
                (Socket::Trade, Some(o)) => self.order(req_id, op, o, req, arrival),
                _ => {
                    VenueCounters::inc(&c.bybit_ws_bad_frames);
                    Outcome::Reply(vec![self.error(
                        req_id,
                        op,
                        trade::NOT_FOUND,
                        "op type is not found",
                    )])
                }
            },
        }
    }

    /// A refusal in the socket's own form.
    fn error(&self, req_id: Option<&Value>, op: &str, code: i32, msg: &str) -> String {
        match self.socket {
            Socket::Trade => {
                let now = self.now_ms();
                trade::answer(
                    req_id,
                    code,
                    msg,
                    op,
                    "{}",
                    "",
                    &self.trace_id(),
                    now,
                    &self.conn_id,
                )
            }
            Socket::Private => private::op_answer(req_id, false, msg, op, &self.conn_id),
        }
    }

    fn trace_id(&self) -> String {
        format!("{:032x}", unix_ns() ^ ((self.vi as u64) << 60))
    }

    fn pong(&self, req_id: Option<&Value>) -> String {
        let now = self.now_ms();
        match self.socket {
            Socket::Trade => {
                let id = req_id
                    .map(|v| format!(r#""reqId":{v},"#))
                    .unwrap_or_default();
                format!(
                    r#"{{{id}"retCode":0,"retMsg":"OK","op":"pong","data":["{now}"],"connId":"{}"}}"#,
                    self.conn_id
                )
            }
            Socket::Private => {
                let id = req_id
                    .map(|v| format!(r#""req_id":{v},"#))
                    .unwrap_or_default();
                format!(
                    r#"{{{id}"op":"pong","args":["{now}"],"conn_id":"{}"}}"#,
                    self.conn_id
                )
            }
        }
    }

    fn auth(&mut self, req_id: Option<&Value>, args: Option<&Value>) -> Outcome {
        let c = &self.vs.counters;
        let checked = if self.authed {
            Err(AuthRefusal::Repeated)
        } else {
            auth::verify(self.side.creds(), args, self.now_ms())
        };
        if checked.is_ok() {
            self.authed = true;
            VenueCounters::inc(&c.bybit_ws_auths);
        } else {
            VenueCounters::inc(&c.bybit_ws_auth_refusals);
        }
        let frame = match (self.socket, checked) {
            (Socket::Trade, Ok(())) => {
                let id = req_id
                    .map(|v| format!(r#""reqId":{v},"#))
                    .unwrap_or_default();
                format!(
                    r#"{{{id}"retCode":0,"retMsg":"OK","op":"auth","connId":"{}"}}"#,
                    self.conn_id
                )
            }
            (Socket::Trade, Err(e)) => {
                let (code, msg) = e.trade_code();
                let id = req_id
                    .map(|v| format!(r#""reqId":{v},"#))
                    .unwrap_or_default();
                format!(
                    r#"{{{id}"retCode":{code},"retMsg":"{msg}","op":"auth","connId":"{}"}}"#,
                    self.conn_id
                )
            }
            (Socket::Private, Ok(())) => {
                private::op_answer(req_id, true, "", "auth", &self.conn_id)
            }
            (Socket::Private, Err(e)) => {
                private::op_answer(req_id, false, e.private_msg(), "auth", &self.conn_id)
            }
        };
        Outcome::Reply(vec![frame])
    }

    fn subscribe(&mut self, req_id: Option<&Value>, on: bool, args: Option<&Value>) -> Outcome {
        let c = &self.vs.counters;
        let op = if on { "subscribe" } else { "unsubscribe" };
        if !self.authed {
            VenueCounters::inc(&c.bybit_ws_unauthenticated);
            return Outcome::Reply(vec![self.error(req_id, op, 0, "Request not authorized")]);
        }
        let names: Vec<&str> = args
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut t = self.topics;
        let unknown = names
            .iter()
            .copied()
            .find(|n| !if on { t.add(n) } else { t.remove(n) });
        let refused = match unknown {
            Some(bad) => Some(bad),
            None if names.is_empty() => Some(""),
            None => None,
        };
        if let Some(bad) = refused {
            VenueCounters::inc(&c.bybit_ws_bad_frames);
            let msg = format!("error:handler not found,topic:{bad}");
            return Outcome::Reply(vec![self.error(req_id, op, 0, &msg)]);
        }
        self.topics = t;
        if self.topics.any() && self.updates.is_none() {
            self.style = Some(PushStyle {
                scales: self.shared.scales,
                fee_bps: lock(&self.venue.ledger).fees.bps,
                duplicate_final: self.side.bybit_ws.duplicate_final_orders,
            });
            self.updates = Some(self.venue.subscribe_private());
        }
        if on {
            VenueCounters::inc(&c.bybit_ws_subscribes);
        }
        Outcome::Reply(vec![private::op_answer(
            req_id,
            true,
            "",
            op,
            &self.conn_id,
        )])
    }

    /// The pushes of what the venue's ledger did since the last turn.
    fn pushes(&mut self) -> Vec<String> {
        let (Some(rx), Some(style)) = (self.updates.as_ref(), self.style.as_ref()) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        while let Ok(u) = rx.try_recv() {
            out.extend(private::frames(&u, &self.topics, style, &mut self.pushed));
        }
        VenueCounters::add(&self.vs.counters.bybit_ws_pushed, out.len() as u64);
        out
    }

    /// Whether the system-level frequency protection lets one more request through now.
    fn system_admits(&self) -> bool {
        let Some(limit) = self.side.bybit_ws.system_limit_per_sec else {
            return true;
        };
        let now = self.now_ms();
        let mut log = lock(&self.side.bybit_system);
        while log.front().is_some_and(|&t| t + 1000 <= now) {
            log.pop_front();
        }
        if log.len() >= limit as usize {
            return false;
        }
        log.push_back(now);
        true
    }

    fn order(
        &mut self,
        req_id: Option<&Value>,
        op_name: &str,
        op: Op,
        req: &Map<String, Value>,
        arrival: Arrival,
    ) -> Outcome {
        let c = &self.vs.counters;
        let refuse = |s: &Self, code: i32, msg: &str| {
            Outcome::Reply(vec![s.error(req_id, op_name, code, msg)])
        };
        if !self.authed {
            VenueCounters::inc(&c.bybit_ws_unauthenticated);
            return refuse(self, trade::NOT_AUTHED, "User authentication failed.");
        }
        if let Some(id) = req_id {
            // "The length cannot exceed 36 characters."
            if id.as_str().is_some_and(|t| t.len() > 36) {
                VenueCounters::inc(&c.bybit_ws_bad_frames);
                return refuse(self, trade::PARAM_ERROR, "params error: reqId too long");
            }
            let key = id.to_string();
            if self.req_ids.contains(&key) {
                VenueCounters::inc(&c.bybit_ws_duplicate_req_ids);
                return refuse(self, trade::DUPLICATE_REQ_ID, "reqId is duplicated");
            }
            if self.req_ids.len() >= REQ_IDS_KEPT {
                self.req_ids.clear();
            }
            self.req_ids.insert(key);
        }
        if !self.system_admits() {
            VenueCounters::inc(&c.bybit_ws_system_limited);
            return refuse(
                self,
                trade::SYSTEM_LIMIT,
                "System level frequency protection",
            );
        }
        if let Err((code, msg)) = trade::check_header(req, self.now_ms()) {
            VenueCounters::inc(if code == trade::TIME_WINDOW {
                &c.rest_stale_timestamps
            } else {
                &c.bybit_ws_bad_frames
            });
            return refuse(self, code, &msg);
        }
        let args = match trade::order_args(req) {
            Ok(a) => a,
            Err((code, msg)) => {
                VenueCounters::inc(&c.bybit_ws_bad_frames);
                return refuse(self, code, &msg);
            }
        };
        let raw = Value::Object(args.clone()).to_string();
        let p = Params::from_json(raw.as_bytes()).unwrap_or_default();
        let nth =
            (op == Op::Place).then(|| self.side.bybit_creates.fetch_add(1, Ordering::AcqRel) + 1);
        let a = handle_op(
            self.shared,
            self.side,
            self.vi,
            Some(op),
            &p,
            Auth::Checked,
            arrival,
        );
        let cfg = &self.side.bybit_ws;
        if nth.is_some() && nth == cfg.drop_on_create {
            return Outcome::Drop;
        }
        if nth.is_some() && nth == cfg.silent_after_create {
            return Outcome::Vanish;
        }
        let Some(a) = a else {
            return Outcome::Silent;
        };
        if nth.is_some() && nth == cfg.lose_ack_on_create {
            VenueCounters::inc(&c.rest_unanswered);
            return Outcome::Silent;
        }
        if !cfg.ack_delay.is_zero() {
            std::thread::sleep(cfg.ack_delay);
        }
        let (code, msg, data) = trade::from_rest(&a);
        let now = self.now_ms();
        let frame = trade::answer(
            req_id,
            code,
            &msg,
            op_name,
            &data,
            &a.headers,
            &self.trace_id(),
            now,
            &self.conn_id,
        );
        Outcome::Reply(vec![frame])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_active_time() {
        assert_eq!(socket_of("/v5/trade"), Some(Socket::Trade));
        assert_eq!(
            socket_of("/v5/private?max_active_time=1m"),
            Some(Socket::Private)
        );
        assert_eq!(socket_of("/v5/public/spot"), None);
        assert_eq!(
            max_active_time("/v5/private?max_active_time=1m"),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            max_active_time("/v5/private?a=b&max_active_time=45s"),
            Some(Duration::from_secs(45))
        );
        assert_eq!(
            max_active_time("/v5/private?max_active_time=5s"),
            Some(Duration::from_secs(30))
        );
        assert_eq!(max_active_time("/v5/private"), None);
    }
}
