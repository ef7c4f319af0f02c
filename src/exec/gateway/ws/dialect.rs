//! [`WsDialect`]: what differs between venues on a persistent WebSocket session, so one
//! [`WsSession`](super::WsSession) state machine (connect, upgrade, login, requests in flight,
//! pings, reconnects, renewal) serves Binance's WebSocket API, OKX's private socket, Bybit's trade
//! and private sockets and Upbit's private stream.
//!
//! A dialect writes the login and the requests, tells the session what one text frame is, reads
//! an answer for the order the session matched it to, and turns the venue's pushes (order updates,
//! balances) into [`StreamEvent`]s. The session never parses a venue's JSON itself.
//!
//! Hot path (`write_request`, `classify`, `answer`, `on_push`): no allocation, the codec's
//! borrowed scanners only. The login, subscriptions and upgrade headers are cold (once per
//! connect) and may allocate and sign.

use crate::exec::gateway::codec::{RequestError, RestAnswer};
use crate::exec::guards::AssetId;
use crate::model::{AssetCode, ExecReport, Order, OrderId};

use super::pushed::PushCounters;
use super::venue_latency::VenueLatency;

/// What a request on the session does to an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WsOp {
    /// Place it.
    Place,
    /// Ask for its state.
    Status,
    /// Cancel it.
    Cancel,
}

/// What one text frame from the venue is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inbound {
    /// The answer to our login: accepted or not.
    Logon(bool),
    /// The answer to the request for order `id` (our order id), of kind `op`.
    Answer {
        /// Our order id the request named.
        id: u64,
        /// What the request was.
        op: WsOp,
    },
    /// A push the venue sends on its own (an order update, a balance): give it to
    /// [`WsDialect::on_push`].
    Push,
    /// A keep-alive answer or a subscription acknowledgement: nothing to do.
    Keepalive,
    /// The venue ended the session's authentication (Binance: a key revoked while logged on,
    /// answered `{"id":null,"status":401,"error":{"code":-2015}}`): the session ends.
    Revoked,
    /// Not a frame this dialect can read (counted).
    Unreadable,
}

/// What [`WsDialect::write_login`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginFrame {
    /// A login request was written: the session waits for its answer.
    Written,
    /// This socket needs no login message (authenticated by the upgrade's headers): it is ready
    /// once upgraded.
    NotNeeded,
    /// The login could not be built (a key problem): the connection is given up.
    Failed,
}

/// Something a venue pushed about our account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamEvent {
    /// The final state of one of our orders (cumulative filled quantity and average price at the
    /// instrument's scales, the fee when the push carried it). Only final states are pushed on:
    /// a working order's updates are counted, not forwarded.
    Order(ExecReport),
    /// One configured asset's balance, mantissas at
    /// [`ASSET_SCALE`](crate::exec::params::ASSET_SCALE) (1e-8).
    Balance {
        /// The asset.
        asset: AssetId,
        /// Available to trade.
        free: i64,
        /// Free plus locked.
        total: i64,
    },
}

/// How a dialect finds the order a push names: our order id to the order as it was sent (any
/// path, REST included), `None` when it is not remembered.
pub type OrderLookup<'a> = &'a dyn Fn(OrderId) -> Option<Order>;

/// One venue's way of speaking on a persistent WebSocket session. See the module documentation.
pub trait WsDialect: Send + std::fmt::Debug {
    /// Short name for counters and logs (`binance`, `okx`, ...).
    fn name(&self) -> &'static str;

    /// Extra header lines of the upgrade request, each `Name: value\r\n` (cold path; Upbit's
    /// private stream authenticates here). Default: none.
    fn upgrade_headers(&mut self, _unix_ms: u64, _out: &mut Vec<u8>) {}

    /// The login request for this connection into `json` (cold path: signs).
    fn write_login(&mut self, unix_ms: u64, seq: u64, json: &mut Vec<u8>) -> LoginFrame;

    /// Requests to send once logged on (stream subscriptions), each handed to `emit` (cold
    /// path). Default: none.
    fn write_subscriptions(&mut self, _seq: u64, _emit: &mut dyn FnMut(&[u8])) {}

    /// Whether requests of kind `op` go on this socket (the others go on REST).
    fn takes(&self, op: WsOp) -> bool;

    /// Write the request `op` for `order` into `json` (cleared first). Hot path: no allocation.
    fn write_request(
        &mut self,
        order: &Order,
        op: WsOp,
        unix_ms: u64,
        json: &mut Vec<u8>,
    ) -> Result<(), RequestError>;

    /// What one text frame is. Hot path.
    fn classify(&self, payload: &[u8]) -> Inbound;

    /// The answer in `payload` (classified [`Inbound::Answer`]) to the request `op` for `order`,
    /// judged as the REST path judges it. Hot path.
    fn answer(&mut self, order: &Order, op: WsOp, payload: &[u8], now_ns: u64) -> RestAnswer;

    /// A push (classified [`Inbound::Push`]): every final order state and balance it carries to
    /// `out`; `orders` finds the orders it names. Returns false when it could not be read
    /// (counted by the session). Hot path.
    fn on_push(
        &mut self,
        payload: &[u8],
        now_ns: u64,
        orders: OrderLookup<'_>,
        out: &mut dyn FnMut(StreamEvent),
    ) -> bool;

    /// What the pushes did so far (forwarded, duplicates dropped, foreign, unreadable amounts).
    fn push_counters(&self) -> PushCounters;

    /// A text keep-alive to send when nothing was sent for this many ns (OKX's `ping`, Bybit's
    /// `{"op":"ping"}`). Default: none (the server pings: Binance).
    fn keepalive(&self) -> Option<(u64, &'static [u8])> {
        None
    }

    /// The venue's numeric instrument codes (`(symbol, code)`, from its instrument list at
    /// start-up: OKX's `instIdCode`, which its ops name instruments by), cold path; returns how
    /// many instruments got one. Default: the dialect needs none (0).
    fn set_venue_codes(&mut self, _codes: &[(String, u64)]) -> usize {
        0
    }

    /// The venue gateway's own latency as its answers report it (OKX's `outTime - inTime`).
    /// Default: the venue reports none.
    fn venue_latency(&self) -> Option<VenueLatency> {
        None
    }
}

/// The configured assets by venue code, to read pushed balances (cold to build, a short linear
/// scan per balance: a venue pushes only the assets an update touched).
#[derive(Debug, Clone, Default)]
pub struct AssetNames {
    names: Vec<(AssetCode, AssetId)>,
}

impl AssetNames {
    /// From `(name, id)` pairs (cold path); names that do not fit an [`AssetCode`] are skipped.
    pub fn new<'a>(names: impl IntoIterator<Item = (&'a str, AssetId)>) -> Self {
        AssetNames {
            names: names
                .into_iter()
                .filter_map(|(n, id)| AssetCode::new(n.as_bytes()).map(|c| (c, id)))
                .collect(),
        }
    }

    /// The id of the asset named `code` (case as the venue writes it: upper case), if configured.
    pub fn id(&self, code: &[u8]) -> Option<AssetId> {
        self.names
            .iter()
            .find(|(c, _)| c.as_bytes().eq_ignore_ascii_case(code))
            .map(|&(_, id)| id)
    }

    /// A decimal amount as a mantissa at 1e-8 (`None`: unreadable, or beyond `i64`).
    pub fn amount(text: &[u8]) -> Option<i64> {
        let v = crate::exec::gateway::codec::answer::parse_wide(text, 8)?;
        i64::try_from(v).ok()
    }
}
