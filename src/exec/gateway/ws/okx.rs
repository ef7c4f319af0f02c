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
use super::pushed::{final_report, PushCounters};
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
    awaiting_login: Cell<bool>,
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
            awaiting_login: Cell::new(false),
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
        let Some(id) = u.order_id(self.writer.client_id_prefix()) else {
            self.counters.foreign += 1;
            return true;
        };
        let Some(order) = orders(id) else {
            self.counters.unknown_orders += 1;
            return true;
        };
        let Ok(spec) = self.writer.instruments().for_order(&order) else {
            self.counters.unknown_orders += 1;
            return true;
        };
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
                self.awaiting_login.set(true);
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
                self.awaiting_login.set(false);
                Inbound::Logon(code == Some(0))
            }
            Ok(OkxInbound::Error { .. }) if self.awaiting_login.get() => {
                self.awaiting_login.set(false);
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
mod tests {
    use super::*;
    use crate::exec::gateway::codec::okx::OkxSettings;
    use crate::exec::gateway::codec::okx_ws::OkxWsSettings;
    use crate::exec::gateway::codec::{InstrumentSpec, InstrumentTable};
    use crate::exec::guards::AssetId;
    use crate::model::{
        ExecStatus, InstrumentId, OppId, OrderId, Price, Qty, Side, TimeInForce, VenueId,
    };

    fn dialect(codes: bool) -> OkxDialect {
        let mut t = InstrumentTable::new(&[(
            InstrumentId(0),
            InstrumentSpec {
                symbol: "BTC-USDT".into(),
                price_scale: 1,
                qty_scale: 8,
            },
        )])
        .unwrap();
        if codes {
            t.set_venue_codes(&[("BTC-USDT".into(), 10)]);
        }
        let settings = OkxSettings {
            host: "www.okx.com".into(),
            client_id_prefix: "ma".into(),
        };
        let codec = OkxCodec::new(settings, b"k", b"s", b"p", t.clone()).unwrap();
        let w = OkxWsWriter::new(
            OkxWsSettings {
                client_id_prefix: "ma".into(),
            },
            t,
        )
        .unwrap();
        let assets = AssetNames::new([("BTC", AssetId(0)), ("USDT", AssetId(1))]);
        OkxDialect::new(w, codec, true, assets)
    }

    fn order(id: u64) -> Order {
        Order {
            id: OrderId(id),
            opp: OppId(9),
            px: Price(600_005),
            qty: Qty(1_000_000),
            sent_ts_ns: 0,
            recv_ts_ns: 0,
            instrument: InstrumentId(0),
            venue: VenueId(3),
            side: Side::Buy,
            tif: TimeInForce::Ioc,
        }
    }

    fn push(d: &mut OkxDialect, frame: &str) -> (bool, Vec<StreamEvent>) {
        let mut out = Vec::new();
        let lookup = |id: OrderId| (id == OrderId(7)).then(|| order(7));
        let read = d.on_push(frame.as_bytes(), 5, &lookup, &mut |e| out.push(e));
        (read, out)
    }

    const FILLED: &str = r#"{"arg":{"channel":"orders","instType":"SPOT","uid":"1"},"data":[{"instId":"BTC-USDT","ordId":"680","clOrdId":"ma7","state":"filled","fillPx":"60000.5","fillSz":"0.01","tradeId":"12","fillFee":"-0.00001","fillFeeCcy":"BTC","accFillSz":"0.01","avgPx":"60000.5","fee":"-0.00001","feeCcy":"BTC","uTime":"1708587373361"}]}"#;

    #[test]
    fn frames_are_classified_and_a_late_error_is_no_login_answer() {
        let mut d = dialect(true);
        let mut json = Vec::new();
        assert_eq!(
            d.write_login(1_700_000_000_000, 1, &mut json),
            LoginFrame::Written
        );
        assert!(json.starts_with(br#"{"op":"login""#));
        let err = br#"{"event":"error","code":"60007","msg":"Invalid sign","connId":"a"}"#;
        assert_eq!(d.classify(err), Inbound::Logon(false), "the login's answer");
        assert_eq!(d.classify(err), Inbound::Unreadable, "no login awaited now");
        d.write_login(1_700_000_000_000, 2, &mut json);
        let ok = br#"{"event":"login","code":"0","msg":"","connId":"a"}"#;
        assert_eq!(d.classify(ok), Inbound::Logon(true));
        let sub = br#"{"id":"s1","event":"subscribe","arg":{"channel":"account"},"connId":"a"}"#;
        assert_eq!(d.classify(sub), Inbound::Keepalive);
        assert_eq!(d.classify(b"pong"), Inbound::Keepalive);
        let place =
            br#"{"id":"o7","op":"order","code":"0","msg":"","data":[],"inTime":"1","outTime":"2"}"#;
        assert_eq!(
            d.classify(place),
            Inbound::Answer {
                id: 7,
                op: WsOp::Place
            }
        );
        let cancel = br#"{"id":"c7","op":"cancel-order","code":"0","msg":"","data":[]}"#;
        assert_eq!(
            d.classify(cancel),
            Inbound::Answer {
                id: 7,
                op: WsOp::Cancel
            }
        );
        let theirs = br#"{"id":"x1","op":"order","code":"0","msg":"","data":[]}"#;
        assert_eq!(d.classify(theirs), Inbound::Unreadable);
        assert_eq!(d.classify(FILLED.as_bytes()), Inbound::Push);
        assert_eq!(d.classify(b"{nope"), Inbound::Unreadable);
    }

    #[test]
    fn ops_and_the_answers_latency() {
        let mut d = dialect(false);
        assert!(!d.takes(WsOp::Place) && !d.takes(WsOp::Cancel) && !d.takes(WsOp::Status));
        assert_eq!(d.set_venue_codes(&[("BTC-USDT".into(), 10)]), 1);
        assert!(d.takes(WsOp::Place) && d.takes(WsOp::Cancel) && !d.takes(WsOp::Status));
        let mut json = Vec::new();
        d.write_request(&order(7), WsOp::Place, 0, &mut json)
            .unwrap();
        assert!(json.starts_with(br#"{"id":"o7","op":"order","args":[{"instIdCode":10"#));
        assert!(d
            .write_request(&order(7), WsOp::Status, 0, &mut json)
            .is_err());
        let ack = br#"{"id":"o7","op":"order","code":"0","msg":"","data":[{"clOrdId":"ma7","ordId":"1","tag":"","ts":"1","sCode":"0","sMsg":""}],"inTime":"1695190491421339","outTime":"1695190491423240"}"#;
        let a = d.answer(&order(7), WsOp::Place, ack, 5);
        assert_eq!(
            (a.kind, a.report.status),
            (
                crate::exec::gateway::codec::AnswerKind::Accepted,
                ExecStatus::Unknown
            )
        );
        let lat = d.venue_latency().unwrap();
        assert_eq!((lat.count, lat.last_us), (1, 1901));
        let mut subs = Vec::new();
        d.write_subscriptions(3, &mut |j| subs.push(j.to_vec()));
        assert_eq!(subs.len(), 1);
        assert!(subs[0].starts_with(br#"{"id":"s3","op":"subscribe""#));
        assert_eq!(d.keepalive(), Some((KEEPALIVE_IDLE_NS, PING)));
    }

    #[test]
    fn order_pushes_forward_each_final_once() {
        let mut d = dialect(true);
        let (read, out) = push(&mut d, FILLED);
        assert!(read);
        let [StreamEvent::Order(r)] = out[..] else {
            panic!("{out:?}")
        };
        assert_eq!(
            (r.order, r.opp, r.venue),
            (OrderId(7), OppId(9), VenueId(3))
        );
        assert_eq!(
            (r.status, r.filled_qty, r.avg_px),
            (ExecStatus::Filled, Qty(1_000_000), Price(600_005))
        );
        assert!(r.fee.is_some(), "the order's fee: {r:?}");
        assert_eq!(
            push(&mut d, FILLED),
            (true, vec![]),
            "a repeated final is dropped"
        );
        let live = FILLED.replace(r#""state":"filled""#, r#""state":"live""#);
        assert_eq!(push(&mut d, &live), (true, vec![]));
        let foreign = FILLED.replace("ma7", "zz7");
        assert_eq!(push(&mut d, &foreign), (true, vec![]));
        let forgotten = FILLED.replace("ma7", "ma8");
        assert_eq!(push(&mut d, &forgotten), (true, vec![]));
        let odd = FILLED.replace(r#""state":"filled""#, r#""state":"exploded""#);
        assert!(!push(&mut d, &odd).0, "an unknown state is unreadable");
        let p = d.push_counters();
        assert_eq!(
            (
                p.finals,
                p.duplicates,
                p.working,
                p.foreign,
                p.unknown_orders
            ),
            (1, 1, 1, 1, 1),
            "{p:?}"
        );
    }

    #[test]
    fn account_pushes_give_configured_balances() {
        let mut d = dialect(true);
        let acc = r#"{"arg":{"channel":"account","uid":"1"},"eventType":"snapshot","data":[{"uTime":"1","details":[{"ccy":"USDT","availBal":"100.5","cashBal":"120.5","frozenBal":"20"},{"ccy":"ETH","availBal":"1","cashBal":"1","frozenBal":"0"},{"ccy":"BTC","availBal":"1000000000000","cashBal":"1000000000000","frozenBal":"0"}]}]}"#;
        let (read, out) = push(&mut d, acc);
        assert!(read);
        assert_eq!(
            out,
            vec![StreamEvent::Balance {
                asset: AssetId(1),
                free: 10_050_000_000,
                total: 12_050_000_000
            }]
        );
        let p = d.push_counters();
        assert_eq!(
            (p.balances, p.bad_amounts),
            (1, 1),
            "ETH not configured, BTC too big: {p:?}"
        );
        let other = r#"{"arg":{"channel":"positions","uid":"1"},"data":[]}"#;
        assert_eq!(push(&mut d, other), (true, vec![]));
        assert_eq!(d.push_counters().other, 1);
    }
}
