//! [`BybitDialect`]: Bybit's v5 WebSockets as [`WsDialect`]s, one per socket
//! ([`WsSocket`]):
//!
//! - the trade socket (`/v5/trade`): `auth` signed once (`hex(HMAC-SHA256(secret,
//!   "GET/realtime" + expires))`), then unsigned `order.create` / `order.cancel` carrying only
//!   `X-BAPI-TIMESTAMP`; the answer is an acknowledgement (Bybit: "please use websocket order
//!   stream to confirm the order status"), read as the REST create's. Bybit has no order query
//!   on this socket: `takes(Status)` is false and status queries go on REST.
//! - the private stream (`/v5/private`): `auth`, then `subscribe` to `order`, `execution` and
//!   `wallet`. A final `order` state (`Filled`, `Cancelled`, `PartiallyFilledCanceled`,
//!   `Rejected`) of one of our `orderLinkId`s becomes one [`StreamEvent::Order`]: Bybit may push
//!   a final twice (a cancel racing the fill), so each `orderLinkId`'s final is forwarded once
//!   ([`StreamDedupe`]); working states are counted only. `wallet` coins of configured assets
//!   become [`StreamEvent::Balance`] (`walletBalance` is the total, `locked` is held). Executions
//!   are counted, not forwarded: the order's final carries the cumulative figures and fee.
//!
//! Both sockets send `{"op":"ping"}` every 20 s (Bybit's advice; it cuts a silent connection
//! after 10 minutes).

use ring::hmac;

use crate::exec::gateway::codec::bybit_ws::{
    auth_result, parse_inbound, read_order_answer, write_auth, AuthResult, BybitInbound,
    BybitWsWriter, RequestId, StreamDedupe, Topic, WsOp as BybitOp, WsSocket,
};
use crate::exec::gateway::codec::{RequestError, RestAnswer};
use crate::model::Order;

use super::dialect::{AssetNames, Inbound, LoginFrame, OrderLookup, StreamEvent, WsDialect, WsOp};
use super::pushed::{final_report, our_order, PushCounters};

/// How long an `auth`'s `expires` lies ahead of the venue's clock, ms.
const AUTH_VALID_MS: u64 = 10_000;
/// Idle time before a `ping`, ns (Bybit: "send the ping heartbeat packet every 20 seconds").
const PING_IDLE_NS: u64 = 20_000_000_000;
/// The keep-alive both sockets send.
const PING: &[u8] = br#"{"op":"ping"}"#;
/// The private stream's subscription.
const SUBSCRIBE: &[u8] = br#"{"op":"subscribe","args":["order","execution","wallet"]}"#;

/// One Bybit v5 socket's dialect. See the module documentation.
pub struct BybitDialect {
    socket: WsSocket,
    writer: BybitWsWriter,
    key: hmac::Key,
    api_key: String,
    assets: AssetNames,
    dedupe: StreamDedupe,
    counters: PushCounters,
}

impl std::fmt::Debug for BybitDialect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BybitDialect")
            .field("socket", &self.socket)
            .field("counters", &self.counters)
            .finish_non_exhaustive()
    }
}

impl BybitDialect {
    /// The dialect of `socket`, authenticating as `api_key` with `secret`; `writer` names our
    /// orders (its prefix) and knows the instruments; balances of `assets` are read from the
    /// private stream (cold path).
    pub fn new(
        socket: WsSocket,
        writer: BybitWsWriter,
        api_key: &[u8],
        secret: &[u8],
        assets: AssetNames,
    ) -> Self {
        BybitDialect {
            socket,
            writer,
            key: hmac::Key::new(hmac::HMAC_SHA256, secret),
            api_key: String::from_utf8_lossy(api_key).into_owned(),
            assets,
            dedupe: StreamDedupe::new(),
            counters: PushCounters::default(),
        }
    }

    /// Which socket this dialect speaks on.
    pub fn socket(&self) -> WsSocket {
        self.socket
    }

    /// The `order` push's entries: finals forwarded once, the rest counted; false when
    /// unreadable.
    fn on_orders(
        &mut self,
        push: &crate::exec::gateway::codec::bybit_ws::Push<'_>,
        now_ns: u64,
        orders: OrderLookup<'_>,
        out: &mut dyn FnMut(StreamEvent),
    ) -> bool {
        for u in push.orders() {
            let Ok(u) = u else {
                return false;
            };
            let id = u.order_id(self.writer.client_id_prefix());
            let instruments = self.writer.instruments();
            let Some((order, spec)) = our_order(id, orders, instruments, &mut self.counters) else {
                continue;
            };
            match u.status(spec) {
                Some((status, true)) => match self.dedupe.first_final(u.order_link_id) {
                    Ok(false) => self.counters.duplicates += 1,
                    // A key too long to remember is still ours (the prefix matched): forwarded,
                    // the stage's own table of finals catches a repeat.
                    Ok(true) | Err(_) => {
                        self.counters.finals += 1;
                        let filled = u.cum_filled(spec).unwrap_or_default();
                        out(StreamEvent::Order(final_report(
                            &order,
                            status,
                            filled,
                            u.avg_px(spec),
                            u.fee(),
                            u.venue_order_id(),
                            now_ns,
                        )));
                    }
                },
                Some((_, false)) => self.counters.working += 1,
                None => return false,
            }
        }
        true
    }

    /// The `wallet` push's coins of configured assets; false when unreadable.
    fn on_wallet(
        &mut self,
        push: &crate::exec::gateway::codec::bybit_ws::Push<'_>,
        out: &mut dyn FnMut(StreamEvent),
    ) -> bool {
        for account in push.wallets() {
            let Ok(account) = account else {
                return false;
            };
            for coin in account.coins() {
                let Ok((name, wallet, locked)) = coin else {
                    return false;
                };
                let Some(asset) = self.assets.id(name) else {
                    continue;
                };
                let locked = if locked.is_empty() { b"0" } else { locked };
                match (AssetNames::amount(wallet), AssetNames::amount(locked)) {
                    (Some(total), Some(held)) if held <= total => {
                        self.counters.balances += 1;
                        out(StreamEvent::Balance {
                            asset,
                            free: total - held,
                            total,
                        });
                    }
                    _ => self.counters.bad_amounts += 1,
                }
            }
        }
        true
    }
}

impl WsDialect for BybitDialect {
    fn name(&self) -> &'static str {
        match self.socket {
            WsSocket::Trade => "bybit",
            WsSocket::Private => "bybit-private",
        }
    }

    fn write_login(&mut self, unix_ms: u64, seq: u64, json: &mut Vec<u8>) -> LoginFrame {
        let expires = unix_ms.saturating_add(AUTH_VALID_MS);
        match write_auth(
            self.socket,
            self.api_key.as_bytes(),
            &self.key,
            expires,
            seq,
            json,
        ) {
            Ok(()) => LoginFrame::Written,
            Err(_) => LoginFrame::Failed,
        }
    }

    fn write_subscriptions(&mut self, _seq: u64, emit: &mut dyn FnMut(&[u8])) {
        if self.socket == WsSocket::Private {
            emit(SUBSCRIBE);
        }
    }

    fn takes(&self, op: WsOp) -> bool {
        self.socket == WsSocket::Trade && matches!(op, WsOp::Place | WsOp::Cancel)
    }

    #[inline]
    fn write_request(
        &mut self,
        order: &Order,
        op: WsOp,
        unix_ms: u64,
        json: &mut Vec<u8>,
    ) -> Result<(), RequestError> {
        match op {
            WsOp::Place => self.writer.write_create(order, unix_ms, json),
            WsOp::Cancel => self.writer.write_cancel(order, unix_ms, json),
            // Never staged: `takes(Status)` is false (Bybit has no order query on a socket).
            WsOp::Status => Err(RequestError::UnknownInstrument(order.instrument.0)),
        }
    }

    fn classify(&self, payload: &[u8]) -> Inbound {
        match parse_inbound(payload) {
            Ok(BybitInbound::Order(a)) => match a.id {
                Some(RequestId {
                    op: BybitOp::Create,
                    number,
                }) => Inbound::Answer {
                    id: number,
                    op: WsOp::Place,
                },
                Some(RequestId {
                    op: BybitOp::Cancel,
                    number,
                }) => Inbound::Answer {
                    id: number,
                    op: WsOp::Cancel,
                },
                _ => Inbound::Unreadable,
            },
            Ok(BybitInbound::Auth(a)) => Inbound::Logon(matches!(
                auth_result(&a),
                AuthResult::Ok | AuthResult::AlreadyAuthenticated
            )),
            Ok(BybitInbound::Pong(_)) => Inbound::Keepalive,
            // A refused subscription means no pushes will come: counted (as unreadable), the
            // status queries still settle every order.
            Ok(BybitInbound::Subscribed(a)) if !a.ok() => Inbound::Unreadable,
            Ok(BybitInbound::Subscribed(_)) => Inbound::Keepalive,
            Ok(BybitInbound::Push(_)) => Inbound::Push,
            Ok(BybitInbound::OtherOp(_)) | Err(_) => Inbound::Unreadable,
        }
    }

    fn answer(&mut self, order: &Order, _op: WsOp, payload: &[u8], now_ns: u64) -> RestAnswer {
        match parse_inbound(payload) {
            Ok(BybitInbound::Order(a)) => read_order_answer(order, &a, now_ns),
            // `classify` said it was an answer: it cannot be anything else.
            _ => RestAnswer::blank(order, now_ns),
        }
    }

    fn on_push(
        &mut self,
        payload: &[u8],
        now_ns: u64,
        orders: OrderLookup<'_>,
        out: &mut dyn FnMut(StreamEvent),
    ) -> bool {
        let Ok(BybitInbound::Push(push)) = parse_inbound(payload) else {
            return false;
        };
        match push.kind() {
            Topic::Order => self.on_orders(&push, now_ns, orders, out),
            Topic::Wallet => self.on_wallet(&push, out),
            Topic::Execution | Topic::Other(_) => {
                self.counters.other += 1;
                true
            }
        }
    }

    fn push_counters(&self) -> PushCounters {
        self.counters
    }

    fn keepalive(&self) -> Option<(u64, &'static [u8])> {
        Some((PING_IDLE_NS, PING))
    }
}

#[cfg(test)]
#[path = "bybit_tests.rs"]
mod tests;
