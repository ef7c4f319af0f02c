//! [`UpbitDialect`]: Upbit's private stream (`wss://api.upbit.com/websocket/v1/private`) as a
//! stream-only [`WsDialect`]: orders stay on REST, this socket only reads what Upbit pushes.
//!
//! - The upgrade request carries `Authorization: Bearer <JWT>`, a fresh token (new UUID nonce)
//!   per connect, written by the REST codec's [`JwtSigner`] ([`write_bearer`]); no login message
//!   follows ([`LoginFrame::NotNeeded`]), then the subscription frame
//!   `[{"ticket":..},{"type":"myOrder"},{"type":"myAsset"},{"format":"DEFAULT"}]`.
//! - Upbit refuses a missing or bad token with the error frame `INVALID_AUTH` ("after connecting,
//!   to a request": the subscription); it is read as a refused login, so the session drops the
//!   connection, counts `logon_refusals` and retries with backoff.
//! - Pushes (binary frames, read as text): a final `myOrder` (`done`, `cancel`, `prevented`) of
//!   one of our identifiers becomes one [`StreamEvent::Order`] with the cumulative executed
//!   volume, the average price (`executed_funds / executed_volume`) and `paid_fee`; a second final
//!   of the same order (Upbit may push it again) is dropped and counted; working states (`wait`,
//!   `watch`, `trade`) are counted only. `myAsset` balances of configured assets become
//!   [`StreamEvent::Balance`] (`total` = balance + locked).
//! - Keep-alive: Upbit closes a connection idle for about 120 s; a `PING` text is sent after
//!   [`KEEPALIVE_IDLE_NS`] without writing, answered `{"status":"UP"}`.
//!
//! Hot path (`classify`, `on_push`): the allocation-free scanner and parser only.

use crate::base::scan::{str_content, ObjIter};
use crate::exec::gateway::codec::jwt::JwtSigner;
use crate::exec::gateway::codec::nonce::UuidGen;
use crate::exec::gateway::codec::{RequestError, RestAnswer};
use crate::exec::private::upbit::{
    write_bearer, write_subscription, MyOrder, OrderState, PrivateEvent, UpbitPrivateParser,
};
use crate::model::{ExecStatus, Order, OrderId};

use super::dialect::{AssetNames, Inbound, LoginFrame, OrderLookup, StreamEvent, WsDialect, WsOp};
use super::pushed::{final_report, PushCounters};

/// Write a `PING` after this long without writing (Upbit's idle timeout is about 120 s).
pub const KEEPALIVE_IDLE_NS: u64 = 60_000_000_000;

/// Recent orders whose final state was forwarded, to drop a repeated final push.
const RECENT_FINALS: usize = 256;

/// Upbit's private stream. See the module documentation.
#[derive(Debug)]
pub struct UpbitDialect {
    signer: JwtSigner,
    nonces: UuidGen,
    parser: UpbitPrivateParser,
    assets: AssetNames,
    counters: PushCounters,
    /// Our order ids (+1; 0 is empty) of the latest finals forwarded, a ring.
    recent: [u64; RECENT_FINALS],
    next: usize,
    keepalive_idle_ns: u64,
}

impl UpbitDialect {
    /// A stream authenticated by `signer` with nonces from `nonces`, reading our orders through
    /// `parser` (its markets and identifier prefix) and balances of `assets` (cold path).
    pub fn new(
        signer: JwtSigner,
        nonces: UuidGen,
        parser: UpbitPrivateParser,
        assets: AssetNames,
    ) -> Self {
        UpbitDialect {
            signer,
            nonces,
            parser,
            assets,
            counters: PushCounters::default(),
            recent: [0; RECENT_FINALS],
            next: 0,
            keepalive_idle_ns: KEEPALIVE_IDLE_NS,
        }
    }

    /// This dialect writing its `PING` after `ns` without writing instead of
    /// [`KEEPALIVE_IDLE_NS`] (tests against a mock with a short idle timeout; cold path).
    pub fn with_keepalive_idle_ns(mut self, ns: u64) -> Self {
        self.keepalive_idle_ns = ns;
        self
    }

    /// The parser (its counters of frames read and refused).
    pub fn parser(&self) -> &UpbitPrivateParser {
        &self.parser
    }
}

/// The report status of a final `myOrder`.
fn final_status(o: &MyOrder) -> ExecStatus {
    match o.state {
        OrderState::Done => ExecStatus::Filled,
        _ if o.executed.0 > 0 => ExecStatus::PartiallyFilled,
        _ => ExecStatus::Cancelled,
    }
}

/// What the pushes change, borrowed apart from the parser that reads them.
struct Reader<'a> {
    assets: &'a AssetNames,
    counters: &'a mut PushCounters,
    recent: &'a mut [u64; RECENT_FINALS],
    next: &'a mut usize,
}

impl Reader<'_> {
    fn order(
        &mut self,
        o: &MyOrder,
        now_ns: u64,
        orders: OrderLookup<'_>,
        out: &mut dyn FnMut(StreamEvent),
    ) {
        let Some(OrderId(id)) = o.client else {
            self.counters.foreign += 1;
            return;
        };
        if !o.state.is_final() {
            self.counters.working += 1;
            return;
        }
        let key = id.wrapping_add(1);
        if self.recent.contains(&key) {
            self.counters.duplicates += 1;
            return;
        }
        let Some(order) = orders(OrderId(id)) else {
            self.counters.unknown_orders += 1;
            return;
        };
        self.recent[*self.next] = key;
        *self.next = (*self.next + 1) % RECENT_FINALS;
        self.counters.finals += 1;
        out(StreamEvent::Order(final_report(
            &order,
            final_status(o),
            o.executed,
            o.avg_price,
            Some(o.paid_fee),
            o.uuid,
            now_ns,
        )));
    }
}

impl WsDialect for UpbitDialect {
    fn name(&self) -> &'static str {
        "upbit"
    }

    fn upgrade_headers(&mut self, _unix_ms: u64, out: &mut Vec<u8>) {
        let nonce = self.nonces.next_uuid();
        out.extend_from_slice(b"Authorization: ");
        write_bearer(&mut self.signer, &nonce, out);
        out.extend_from_slice(b"\r\n");
    }

    fn write_login(&mut self, _unix_ms: u64, _seq: u64, _json: &mut Vec<u8>) -> LoginFrame {
        LoginFrame::NotNeeded
    }

    fn write_subscriptions(&mut self, seq: u64, emit: &mut dyn FnMut(&[u8])) {
        let ticket = format!("microarb-{seq}");
        let mut json = Vec::with_capacity(128);
        if write_subscription(ticket.as_bytes(), &mut json).is_ok() {
            emit(&json);
        }
    }

    fn takes(&self, _op: WsOp) -> bool {
        false
    }

    fn write_request(
        &mut self,
        _order: &Order,
        _op: WsOp,
        _unix_ms: u64,
        _json: &mut Vec<u8>,
    ) -> Result<(), RequestError> {
        Err(RequestError::NotTaken("upbit private stream"))
    }

    fn classify(&self, payload: &[u8]) -> Inbound {
        let mut error = None;
        let mut status = false;
        let mut typed = false;
        for member in ObjIter::new(payload) {
            let Ok((k, v)) = member else {
                return Inbound::Unreadable;
            };
            match k {
                b"error" => error = Some(v),
                b"status" => status = true,
                b"type" => typed = true,
                _ => {}
            }
        }
        if let Some(err) = error {
            let name = ObjIter::new(err)
                .filter_map(Result::ok)
                .find(|(k, _)| *k == b"name")
                .map(|(_, v)| str_content(v).unwrap_or(v));
            // A missing or bad token: the login this socket had (its upgrade) was refused.
            return match name {
                Some(b"INVALID_AUTH") => Inbound::Logon(false),
                _ => Inbound::Unreadable,
            };
        }
        if typed {
            Inbound::Push
        } else if status {
            Inbound::Keepalive
        } else {
            Inbound::Unreadable
        }
    }

    fn answer(&mut self, order: &Order, _op: WsOp, _payload: &[u8], now_ns: u64) -> RestAnswer {
        // No request is ever written on this socket, so no answer is matched to one.
        RestAnswer::blank(order, now_ns)
    }

    fn on_push(
        &mut self,
        payload: &[u8],
        now_ns: u64,
        orders: OrderLookup<'_>,
        out: &mut dyn FnMut(StreamEvent),
    ) -> bool {
        let UpbitDialect {
            parser,
            assets,
            counters,
            recent,
            next,
            ..
        } = self;
        let mut r = Reader {
            assets,
            counters,
            recent,
            next,
        };
        let read = parser.parse(payload, &mut |e| match e {
            PrivateEvent::Order(o) => r.order(&o, now_ns, orders, out),
            PrivateEvent::Asset(a) => {
                let Some(asset) = r.assets.id(a.currency.as_bytes()) else {
                    return;
                };
                r.counters.balances += 1;
                out(StreamEvent::Balance {
                    asset,
                    free: a.free,
                    total: a.free.saturating_add(a.locked),
                });
            }
            PrivateEvent::Alive => r.counters.other += 1,
        });
        read.is_ok()
    }

    fn push_counters(&self) -> PushCounters {
        self.counters
    }

    fn keepalive(&self) -> Option<(u64, &'static [u8])> {
        Some((self.keepalive_idle_ns, b"PING"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::gateway::codec::InstrumentSpec;
    use crate::exec::guards::AssetId;
    use crate::exec::private::upbit::UpbitMarket;
    use crate::model::{InstrumentId, OppId, Price, Qty, Side, TimeInForce, VenueId, VenueOrderId};

    fn dialect() -> UpbitDialect {
        let parser = UpbitPrivateParser::new(
            vec![UpbitMarket {
                instrument: InstrumentId(0),
                spec: InstrumentSpec {
                    symbol: "KRW-BTC".into(),
                    price_scale: 0,
                    qty_scale: 8,
                },
            }],
            "ma",
        );
        UpbitDialect::new(
            JwtSigner::new(b"access", b"secret").unwrap(),
            UuidGen::from_seed(7),
            parser,
            AssetNames::new([("KRW", AssetId(0)), ("BTC", AssetId(1))]),
        )
    }

    fn order(id: u64) -> Order {
        Order {
            id: OrderId(id),
            opp: OppId(9),
            px: Price(95_000_000),
            qty: Qty(100_000),
            sent_ts_ns: 0,
            recv_ts_ns: 0,
            instrument: InstrumentId(0),
            venue: VenueId(1),
            side: Side::Buy,
            tif: TimeInForce::Ioc,
        }
    }

    const DONE: &str = r#"{"type":"myOrder","code":"KRW-BTC","uuid":"ac2dc2a3-fce9-40a2-a4f6-5987c25c438f","ask_bid":"BID","order_type":"limit","state":"done","trade_uuid":null,"price":95000000,"avg_price":95000000,"volume":0.001,"remaining_volume":0,"executed_volume":0.001,"trades_count":1,"reserved_fee":0,"remaining_fee":0,"paid_fee":47.5,"locked":0,"executed_funds":95000,"time_in_force":"ioc","trade_fee":null,"is_maker":null,"identifier":"ma42","trade_timestamp":null,"order_timestamp":1710751590000,"timestamp":1710751598500,"stream_type":"REALTIME"}"#;

    fn push(d: &mut UpbitDialect, frame: &str) -> Vec<StreamEvent> {
        let mut ev = Vec::new();
        let lookup = |id: OrderId| (id.0 == 42).then(|| order(42));
        assert!(d.on_push(frame.as_bytes(), 5, &lookup, &mut |e| ev.push(e)));
        ev
    }

    #[test]
    fn a_final_is_forwarded_once() {
        let mut d = dialect();
        assert_eq!(d.classify(DONE.as_bytes()), Inbound::Push);
        let ev = push(&mut d, DONE);
        let [StreamEvent::Order(r)] = ev[..] else {
            panic!("{ev:?}")
        };
        assert_eq!(
            (r.order, r.opp, r.venue),
            (OrderId(42), OppId(9), VenueId(1))
        );
        assert_eq!(r.status, ExecStatus::Filled);
        assert_eq!((r.filled_qty, r.avg_px), (Qty(100_000), Price(95_000_000)));
        assert_eq!(
            r.venue_order_id,
            VenueOrderId::new(b"ac2dc2a3-fce9-40a2-a4f6-5987c25c438f").unwrap()
        );
        assert!(r.fee.is_some_and(|f| f.asset.as_str() == "KRW"));
        assert!(push(&mut d, DONE).is_empty(), "the repeat is dropped");
        let c = d.push_counters();
        assert_eq!((c.finals, c.duplicates), (1, 1));
    }

    #[test]
    fn working_foreign_unknown_and_cancels() {
        let mut d = dialect();
        let wait = DONE.replace("\"done\"", "\"wait\"");
        assert!(push(&mut d, &wait).is_empty());
        assert!(push(&mut d, &DONE.replace("ma42", "other-1")).is_empty());
        assert!(push(&mut d, &DONE.replace("ma42", "ma43")).is_empty());
        let c = d.push_counters();
        assert_eq!((c.working, c.foreign, c.unknown_orders), (1, 1, 1));
        let cancel = DONE
            .replace("\"done\"", "\"cancel\"")
            .replace("\"executed_volume\":0.001", "\"executed_volume\":0")
            .replace("\"executed_funds\":95000", "\"executed_funds\":0");
        let ev = push(&mut d, &cancel);
        let [StreamEvent::Order(r)] = ev[..] else {
            panic!("{ev:?}")
        };
        assert_eq!((r.status, r.filled_qty), (ExecStatus::Cancelled, Qty(0)));
    }

    #[test]
    fn balances_of_configured_assets() {
        let mut d = dialect();
        let asset = r#"{"type":"myAsset","asset_uuid":"x","assets":[{"currency":"KRW","balance":2061832.35,"locked":3824127.3},{"currency":"XRP","balance":1,"locked":0}],"asset_timestamp":1,"timestamp":1,"stream_type":"REALTIME"}"#;
        let ev = push(&mut d, asset);
        assert_eq!(
            ev,
            vec![StreamEvent::Balance {
                asset: AssetId(0),
                free: 206_183_235_000_000,
                total: 206_183_235_000_000 + 382_412_730_000_000,
            }]
        );
    }

    #[test]
    fn classify_error_status_and_garbage() {
        let d = dialect();
        let auth = r#"{"error":{"name":"INVALID_AUTH","message":"x"}}"#;
        assert_eq!(d.classify(auth.as_bytes()), Inbound::Logon(false));
        let wrong = r#"{"error":{"name":"WRONG_FORMAT","message":"x"}}"#;
        assert_eq!(d.classify(wrong.as_bytes()), Inbound::Unreadable);
        assert_eq!(d.classify(br#"{"status":"UP"}"#), Inbound::Keepalive);
        assert_eq!(d.classify(b"{\"type\":"), Inbound::Unreadable);
        assert!(!d.takes(WsOp::Place) && !d.takes(WsOp::Status) && !d.takes(WsOp::Cancel));
        assert_eq!(d.keepalive(), Some((KEEPALIVE_IDLE_NS, &b"PING"[..])));
    }

    #[test]
    fn each_upgrade_has_a_fresh_token() {
        let mut d = dialect();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        d.upgrade_headers(0, &mut a);
        d.upgrade_headers(0, &mut b);
        let (a, b) = (String::from_utf8(a).unwrap(), String::from_utf8(b).unwrap());
        assert!(
            a.starts_with("Authorization: Bearer ey") && a.ends_with("\r\n"),
            "{a}"
        );
        assert_ne!(a, b, "a new nonce per connect");
        let mut subs = Vec::new();
        d.write_subscriptions(3, &mut |j| subs.push(j.to_vec()));
        assert_eq!(
            subs,
            vec![br#"[{"ticket":"microarb-3"},{"type":"myOrder"},{"type":"myAsset"},{"format":"DEFAULT"}]"#.to_vec()]
        );
        let mut json = Vec::new();
        assert_eq!(d.write_login(0, 1, &mut json), LoginFrame::NotNeeded);
    }
}
