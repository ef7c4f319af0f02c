//! [`BinanceDialect`]: the Binance spot WebSocket API (`/ws-api/v3`) as a [`WsDialect`]:
//! `session.logon` signed once with the Ed25519 key, then unsigned `order.place` /
//! `order.status` / `order.cancel`, and (when asked) `userDataStream.subscribe`, whose
//! `executionReport`s and `outboundAccountPosition`s arrive on the same connection.
//!
//! Pushes: an `executionReport` whose order status is final (`FILLED`, `CANCELED`, `EXPIRED`,
//! `REJECTED`) for one of our client ids becomes a [`StreamEvent::Order`] with the cumulative
//! quantity (`z`) and average price (`Z / z`); working states (`NEW`, `PARTIALLY_FILLED`) are
//! counted only. `outboundAccountPosition` balances of configured assets become
//! [`StreamEvent::Balance`]. The server pings; Binance needs no client keep-alive.

use crate::exec::gateway::codec::binance_ws::{
    parse_inbound, read_order_answer, write_logon, Ed25519Key, LogonParams, RequestId, UserEvent,
    WsInbound, WsMethod, WsRequestWriter,
};
use crate::exec::gateway::codec::{RequestError, RestAnswer};
use crate::model::Order;

use super::dialect::{AssetNames, Inbound, LoginFrame, OrderLookup, StreamEvent, WsDialect, WsOp};
use super::pushed::{final_report, our_order, PushCounters};

/// The Binance WebSocket API dialect. See the module documentation.
#[derive(Debug)]
pub struct BinanceDialect {
    writer: WsRequestWriter,
    key: Ed25519Key,
    api_key: String,
    recv_window_ms: u32,
    subscribe: bool,
    assets: AssetNames,
    counters: PushCounters,
}

impl BinanceDialect {
    /// A dialect logging on with `api_key` and `key`; with `subscribe`, the account's user-data
    /// stream is subscribed after each logon and balances of `assets` are read (cold path).
    pub fn new(
        writer: WsRequestWriter,
        key: Ed25519Key,
        api_key: String,
        recv_window_ms: u32,
        subscribe: bool,
        assets: AssetNames,
    ) -> Self {
        BinanceDialect {
            writer,
            key,
            api_key,
            recv_window_ms,
            subscribe,
            assets,
            counters: PushCounters::default(),
        }
    }

    fn op_of(m: WsMethod) -> Option<WsOp> {
        match m {
            WsMethod::Place => Some(WsOp::Place),
            WsMethod::Status => Some(WsOp::Status),
            WsMethod::Cancel => Some(WsOp::Cancel),
            _ => None,
        }
    }
}

impl WsDialect for BinanceDialect {
    fn name(&self) -> &'static str {
        "binance"
    }

    fn write_login(&mut self, unix_ms: u64, seq: u64, json: &mut Vec<u8>) -> LoginFrame {
        let params = LogonParams {
            api_key: self.api_key.as_bytes(),
            timestamp_ms: unix_ms,
            recv_window_ms: self.recv_window_ms,
        };
        match write_logon(&self.key, params, seq, json) {
            Ok(()) => LoginFrame::Written,
            Err(_) => LoginFrame::Failed,
        }
    }

    fn write_subscriptions(&mut self, seq: u64, emit: &mut dyn FnMut(&[u8])) {
        if self.subscribe {
            let mut json = Vec::with_capacity(96);
            self.writer.write_subscribe(seq, &mut json);
            emit(&json);
        }
    }

    fn takes(&self, _op: WsOp) -> bool {
        true
    }

    fn push_counters(&self) -> PushCounters {
        self.counters
    }

    #[inline]
    fn write_request(
        &mut self,
        order: &Order,
        op: WsOp,
        unix_ms: u64,
        json: &mut Vec<u8>,
    ) -> Result<(), RequestError> {
        let w = &self.writer;
        match op {
            WsOp::Place => w.write_place(order, unix_ms, json),
            WsOp::Status => w.write_status(order, unix_ms, json),
            WsOp::Cancel => w.write_cancel(order, unix_ms, json),
        }
    }

    fn classify(&self, payload: &[u8]) -> Inbound {
        match parse_inbound(payload) {
            Ok(WsInbound::Answer(env)) => match env.id {
                Some(RequestId {
                    method: WsMethod::Logon,
                    ..
                }) => Inbound::Logon(env.status == 200),
                Some(RequestId {
                    method: WsMethod::Subscribe,
                    ..
                }) => Inbound::Keepalive,
                Some(RequestId { method, number }) => match Self::op_of(method) {
                    Some(op) => Inbound::Answer { id: number, op },
                    None => Inbound::Unreadable,
                },
                // Binance's session-authentication docs: a key that became invalid revokes the
                // session at its next request with a 401 whose id is null.
                None if env.status == 401 => Inbound::Revoked,
                None => Inbound::Unreadable,
            },
            Ok(WsInbound::Event(_)) => Inbound::Push,
            Err(_) => Inbound::Unreadable,
        }
    }

    fn answer(&mut self, order: &Order, _op: WsOp, payload: &[u8], now_ns: u64) -> RestAnswer {
        match parse_inbound(payload) {
            Ok(WsInbound::Answer(env)) => {
                read_order_answer(self.writer.instruments(), order, &env, now_ns)
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
        let Ok(WsInbound::Event(event)) = parse_inbound(payload) else {
            return false;
        };
        let Ok(event) = UserEvent::parse(event) else {
            return false;
        };
        match event {
            UserEvent::Execution(r) => {
                let id = r.order_id(self.writer.client_id_prefix());
                let instruments = self.writer.instruments();
                let Some((order, spec)) = our_order(id, orders, instruments, &mut self.counters)
                else {
                    return true;
                };
                match r.status(spec) {
                    Some((status, true)) => {
                        let filled = r.cum_filled(spec).unwrap_or_default();
                        // The event carries the last trade's fee only: it is the order's
                        // when that one trade filled everything.
                        let fee = r
                            .trade(spec)
                            .filter(|t| t.qty == filled)
                            .and_then(|t| t.fee);
                        self.counters.finals += 1;
                        out(StreamEvent::Order(final_report(
                            &order,
                            status,
                            filled,
                            r.avg_px(spec),
                            fee,
                            r.venue_order_id(),
                            now_ns,
                        )));
                    }
                    Some((_, false)) => self.counters.working += 1,
                    None => return false,
                }
            }
            UserEvent::Position(p) => {
                for b in p.balances() {
                    let Ok((asset, free, locked)) = b else {
                        return false;
                    };
                    let Some(id) = self.assets.id(asset) else {
                        continue;
                    };
                    match (AssetNames::amount(free), AssetNames::amount(locked)) {
                        (Some(f), Some(l)) => {
                            self.counters.balances += 1;
                            out(StreamEvent::Balance {
                                asset: id,
                                free: f,
                                total: f.saturating_add(l),
                            });
                        }
                        // Readable but beyond i64 at 1e-8 (or negative): this asset is skipped,
                        // the others are still read.
                        _ => self.counters.bad_amounts += 1,
                    }
                }
            }
            UserEvent::Other(_) => self.counters.other += 1,
        }
        true
    }
}
