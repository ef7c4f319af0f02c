//! [`OkxDialect`]: OKX v5's private WebSocket (`/ws/v5/private`) as a [`WsDialect`]: one
//! `login` per connection (HMAC-SHA256 over `timestamp + "GET" + "/users/self/verify"`, seconds,
//! signed by the REST codec's key), then unsigned `order` / `cancel-order` ops naming the
//! instrument by its `instIdCode`, and (with the private stream) the `orders` and `account`
//! channels on the same connection.
//!
//! - Which ops: placements and cancels, once the instruments' codes are known (the start-up
//!   rules give them, [`WsDialect::set_venue_codes`]); status queries always go on REST (OKX's
//!   WebSocket has no order query).
//! - Answers are acknowledgements read as the REST path reads OKX's bodies (the fill comes on the
//!   `orders` channel). Each answer's `outTime - inTime` (OKX's own gateway time) is recorded in a
//!   [`VenueLatency`] ([`WsDialect::venue_latency`]).
//! - Pushes: an `orders` update whose state is final (`filled`, `canceled`, `mmp_canceled`) for
//!   one of our client ids becomes one [`StreamEvent::Order`] (cumulative `accFillSz`, `avgPx`,
//!   the order's cumulative `fee`); a final already forwarded (OKX may push one twice) is dropped
//!   and counted; working states (`live`, `partially_filled`) are counted only. `account` details
//!   of configured assets become [`StreamEvent::Balance`] (`availBal` free, `cashBal` total).
//! - Keep-alive: OKX closes a connection silent for 30 s: the text `ping` after 25 s without
//!   writing ([`KEEPALIVE_IDLE_NS`]); its `pong` is a keep-alive.
//! - A login refusal is an `error` event with no `id`: an `error` is read as the login's answer
//!   only while one is awaited (a refused subscription is not a refused login).
//!
//! Hot path (`write_request`, `classify`, `answer`, `on_push`): the codec's writers and borrowed
//! scanners, fixed arrays; no allocation.

use std::cell::Cell;

use crate::exec::gateway::codec::okx::OkxCodec;
use crate::exec::gateway::codec::okx_ws::{
    parse_inbound, read_op_answer, write_login, AccountUpdate, OkxInbound, OkxOp, OkxRequestId,
    OkxWsWriter, OrderUpdate, OrderUpdates, PING,
};
use crate::exec::gateway::codec::{RequestError, RestAnswer};
use crate::model::Order;

use super::dialect::{AssetNames, Inbound, LoginFrame, OrderLookup, StreamEvent, WsDialect, WsOp};
use super::pushed::{final_report, our_order, PushCounters};
use super::venue_latency::VenueLatency;

/// Send `ping` after this long without writing (OKX closes a connection silent for 30 s).
pub const KEEPALIVE_IDLE_NS: u64 = 25_000_000_000;

/// Final states remembered to drop a repeated push of one (the latest this many).
const RECENT_FINALS: usize = 256;

/// The OKX private WebSocket dialect. See the module documentation.
#[derive(Debug)]
pub struct OkxDialect {
    writer: OkxWsWriter,
    /// The REST codec: its key signs the login (one OKX signer holds the secret).
    codec: OkxCodec,
    subscribe: bool,
    assets: AssetNames,
    counters: PushCounters,
    latency: VenueLatency,
    /// Send `ping` after this long without writing ([`KEEPALIVE_IDLE_NS`] unless changed).
    keepalive_idle_ns: u64,
    /// Every instrument has its `instIdCode` (ops need it).
    codes_known: bool,
    /// A login was written and its answer has not come yet.
    login_pending: Cell<bool>,
    /// Our order ids whose final state was forwarded (ring, `u64::MAX`: empty).
    finals: [u64; RECENT_FINALS],
    finals_next: usize,
}

/// Remember in the ring `finals` (next slot `next`) that `order`'s final was forwarded; false when
/// it already was.
fn first_final(finals: &mut [u64; RECENT_FINALS], next: &mut usize, order: u64) -> bool {
    if finals.contains(&order) {
        return false;
    }
    finals[*next] = order;
    *next = (*next + 1) % RECENT_FINALS;
    true
}

impl OkxDialect {
    /// A dialect writing ops with `writer` and logging in with `codec`'s credentials; with
    /// `subscribe`, the `orders` (spot) and `account` channels are subscribed after each login
    /// and balances of `assets` are read (cold path).
    pub fn new(writer: OkxWsWriter, codec: OkxCodec, subscribe: bool, assets: AssetNames) -> Self {
        OkxDialect {
            keepalive_idle_ns: KEEPALIVE_IDLE_NS,
            codes_known: writer.instruments().has_every_venue_code(),
            writer,
            codec,
            subscribe,
            assets,
            counters: PushCounters::default(),
            latency: VenueLatency::default(),
            login_pending: Cell::new(false),
            finals: [u64::MAX; RECENT_FINALS],
            finals_next: 0,
        }
    }

    /// This dialect pinging after `idle_ns` without writing instead (cold path; tests, or a
    /// venue closing silent connections sooner).
    pub fn with_keepalive_idle_ns(mut self, idle_ns: u64) -> Self {
        self.keepalive_idle_ns = idle_ns;
        self
    }

    /// One `orders` update; false when it cannot be read.
    fn on_order(
        &mut self,
        u: &OrderUpdate<'_>,
        now_ns: u64,
        orders: OrderLookup<'_>,
        out: &mut dyn FnMut(StreamEvent),
    ) -> bool {
        let instruments = self.writer.instruments();
        let id = u.order_id(self.writer.client_id_prefix());
        let Some((order, spec)) = our_order(id, orders, instruments, &mut self.counters) else {
            return true;
        };
        let id = order.id;
        match u.status(spec) {
            Some((status, true)) => {
                if !first_final(&mut self.finals, &mut self.finals_next, id.0) {
                    self.counters.duplicates += 1;
                    return true;
                }
                let filled = u.cum_filled(spec).unwrap_or_default();
                // The order's cumulative fee; else this trade's, when it filled everything.
                let fee = u.cum_fee().or_else(|| {
                    u.trade(spec)
                        .filter(|t| t.qty == filled)
                        .and_then(|t| t.fee)
                });
                self.counters.finals += 1;
                out(StreamEvent::Order(final_report(
                    &order,
                    status,
                    filled,
                    u.avg_px(spec),
                    fee,
                    u.venue_order_id(),
                    now_ns,
                )));
                true
            }
            Some((_, false)) => {
                self.counters.working += 1;
                true
            }
            None => false,
        }
    }

    /// One `account` push's `data`; false when it cannot be read.
    fn on_account(&mut self, data: &[u8], out: &mut dyn FnMut(StreamEvent)) -> bool {
        let Ok(acc) = AccountUpdate::parse(data) else {
            return false;
        };
        for b in acc.balances() {
            let Ok(b) = b else {
                return false;
            };
            let Some(asset) = self.assets.id(b.ccy) else {
                continue;
            };
            match (
                AssetNames::amount(b.avail_bal),
                AssetNames::amount(b.cash_bal),
            ) {
                (Some(free), Some(total)) => {
                    self.counters.balances += 1;
                    out(StreamEvent::Balance { asset, free, total });
                }
                // Beyond i64 at 1e-8, negative or empty: this asset is skipped, the others read.
                _ => self.counters.bad_amounts += 1,
            }
        }
        true
    }
}

impl WsDialect for OkxDialect {
    fn name(&self) -> &'static str {
        "okx"
    }

    fn write_login(&mut self, unix_ms: u64, _seq: u64, json: &mut Vec<u8>) -> LoginFrame {
        match write_login(&self.codec, unix_ms / 1000, json) {
            Ok(()) => {
                self.login_pending.set(true);
                LoginFrame::Written
            }
            Err(_) => LoginFrame::Failed,
        }
    }

    fn write_subscriptions(&mut self, seq: u64, emit: &mut dyn FnMut(&[u8])) {
        if !self.subscribe {
            return;
        }
        let mut json = Vec::with_capacity(128);
        json.extend_from_slice(b"{\"id\":\"s");
        json.extend_from_slice(seq.to_string().as_bytes());
        json.extend_from_slice(
            b"\",\"op\":\"subscribe\",\"args\":[{\"channel\":\"orders\",\"instType\":\"SPOT\"},{\"channel\":\"account\"}]}",
        );
        emit(&json);
    }

    fn takes(&self, op: WsOp) -> bool {
        match op {
            WsOp::Place | WsOp::Cancel => self.codes_known,
            WsOp::Status => false,
        }
    }

    #[inline]
    fn write_request(
        &mut self,
        order: &Order,
        op: WsOp,
        _unix_ms: u64,
        json: &mut Vec<u8>,
    ) -> Result<(), RequestError> {
        match op {
            WsOp::Place => self.writer.write_order(order, json),
            WsOp::Cancel => self.writer.write_cancel(order, json),
            WsOp::Status => Err(RequestError::NotOnThisSession("an OKX status query")),
        }
    }

    fn classify(&self, payload: &[u8]) -> Inbound {
        match parse_inbound(payload) {
            Ok(OkxInbound::Login { code, .. }) => {
                self.login_pending.set(false);
                Inbound::Logon(code == Some(0))
            }
            Ok(OkxInbound::Error { .. }) if self.login_pending.get() => {
                self.login_pending.set(false);
                Inbound::Logon(false)
            }
            // A refused subscription or request outside a login: counted as unreadable.
            Ok(OkxInbound::Error { .. }) => Inbound::Unreadable,
            Ok(OkxInbound::Pong | OkxInbound::Event { .. }) => Inbound::Keepalive,
            Ok(OkxInbound::Answer(env)) => match env.id {
                Some(OkxRequestId { op, order_id }) => Inbound::Answer {
                    id: order_id,
                    op: match op {
                        OkxOp::Order => WsOp::Place,
                        OkxOp::Cancel => WsOp::Cancel,
                    },
                },
                None => Inbound::Unreadable,
            },
            Ok(OkxInbound::Push(_)) => Inbound::Push,
            Err(_) => Inbound::Unreadable,
        }
    }

    fn answer(&mut self, order: &Order, _op: WsOp, payload: &[u8], now_ns: u64) -> RestAnswer {
        match parse_inbound(payload) {
            Ok(OkxInbound::Answer(env)) => {
                let a = read_op_answer(self.writer.instruments(), order, &env, now_ns);
                self.latency.record(a.venue_latency_us());
                a.answer
            }
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
        let Ok(OkxInbound::Push(p)) = parse_inbound(payload) else {
            return false;
        };
        match p.channel {
            b"orders" => {
                for u in OrderUpdates::new(p.data) {
                    let Ok(u) = u else {
                        return false;
                    };
                    if !self.on_order(&u, now_ns, orders, out) {
                        return false;
                    }
                }
                true
            }
            b"account" => self.on_account(p.data, out),
            _ => {
                self.counters.other += 1;
                true
            }
        }
    }

    fn push_counters(&self) -> PushCounters {
        self.counters
    }

    fn keepalive(&self) -> Option<(u64, &'static [u8])> {
        Some((self.keepalive_idle_ns, PING))
    }

    fn set_venue_codes(&mut self, codes: &[(String, u64)]) -> usize {
        let n = self.writer.set_venue_codes(codes);
        self.codes_known = self.writer.instruments().has_every_venue_code();
        n
    }

    fn venue_latency(&self) -> Option<VenueLatency> {
        Some(self.latency)
    }
}

#[cfg(test)]
#[path = "okx_tests.rs"]
mod tests;
