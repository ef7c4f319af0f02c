//! What a [`MockExchange`](super::MockExchange) serves: venues, the frame source, the rate, the
//! keep-alive rules, and the REST side's credentials and limits.
//!
//! Everything here is built once on the cold path. Defaults match the venues' real rules
//! (the venues' API documentation) except where a test needs them shorter, which is why they are fields.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use super::rest::{AccountConfig, InstrumentRules, RestLimits};
use crate::decimal::Scale;
use crate::market::SimParams;
use crate::venue_kind::VenueKind;

/// One venue the mock exchange serves on its own loopback port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockVenue {
    /// Venue name, as in the engine's config and in capture files (`binance`, `binance_usdm`).
    pub name: String,
    /// Which protocol it speaks.
    pub kind: VenueKind,
    /// The synthetic instruments' symbols as this venue spells them (`BTCUSDT`, `USDT-BTC`,
    /// `BTC-USDT`), index `i` for the market's instrument `i`; at least one. Unused by a capture
    /// source, whose payloads carry their own symbols.
    pub symbols: Vec<String>,
}

impl MockVenue {
    /// A venue named `name` of `kind`, quoting the one synthetic instrument under
    /// [`MockVenue::default_symbol`].
    pub fn new(name: impl Into<String>, kind: VenueKind) -> MockVenue {
        MockVenue {
            name: name.into(),
            kind,
            symbols: vec![MockVenue::default_symbol(kind).to_owned()],
        }
    }

    /// A venue quoting `instruments` synthetic instruments, instrument `i` under
    /// [`MockVenue::spell`] of [`MockVenue::synthetic_base`]`(i)` against USDT (instrument 0 is
    /// BTC/USDT, spelled as [`MockVenue::default_symbol`]).
    pub fn with_instruments(
        name: impl Into<String>,
        kind: VenueKind,
        instruments: usize,
    ) -> MockVenue {
        MockVenue {
            name: name.into(),
            kind,
            symbols: (0..instruments.max(1))
                .map(|i| MockVenue::spell(kind, &MockVenue::synthetic_base(i), "USDT"))
                .collect(),
        }
    }

    /// The symbol of instrument 0 (the only one of a single-instrument venue).
    pub fn symbol(&self) -> &str {
        self.symbols.first().map_or("", String::as_str)
    }

    /// The base asset of synthetic instrument `i`: `BTC` for 0, then `C1`, `C2`, ...
    pub fn synthetic_base(i: usize) -> String {
        if i == 0 {
            "BTC".to_owned()
        } else {
            format!("C{i}")
        }
    }

    /// `base`/`quote` as `kind` spells it: `BTCUSDT` (Binance, Bybit), `BTC-USDT` (OKX),
    /// quote first `USDT-BTC` (Upbit).
    pub fn spell(kind: VenueKind, base: &str, quote: &str) -> String {
        match kind {
            VenueKind::Binance | VenueKind::Bybit => format!("{base}{quote}"),
            VenueKind::Upbit => format!("{quote}-{base}"),
            VenueKind::Okx => format!("{base}-{quote}"),
        }
    }

    /// The spelling of BTC/USDT on `kind` (the example config's).
    pub const fn default_symbol(kind: VenueKind) -> &'static str {
        match kind {
            VenueKind::Binance | VenueKind::Bybit => "BTCUSDT",
            VenueKind::Upbit => "USDT-BTC",
            VenueKind::Okx => "BTC-USDT",
        }
    }
}

/// The synthetic multi-venue market: one [`SyntheticMarket`](crate::market::SyntheticMarket) whose
/// venue index `i` is the config's `venues[i]` (`params.venues` is set to the number of venues)
/// and whose instrument `j` is each venue's `symbols[j]` (`params.instruments` is set to the
/// fewest symbols a venue lists).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntheticSource {
    /// The generator's parameters (`seed` included).
    pub params: SimParams,
    /// Decimals of the price mantissas the generator produces.
    pub price_scale: Scale,
    /// Decimals of the quantity mantissas the generator produces.
    pub qty_scale: Scale,
    /// Stop generating after this many updates in total (None: until stopped).
    pub max_frames: Option<u64>,
}

impl Default for SyntheticSource {
    /// [`SimParams::default`] (BTC-like at scale 8), unbounded.
    fn default() -> Self {
        SyntheticSource {
            params: SimParams::default(),
            price_scale: 8,
            qty_scale: 8,
            max_frames: None,
        }
    }
}

/// Where the frames come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Generate venue-format frames from a synthetic market.
    Synthetic(SyntheticSource),
    /// Stream the frames of a capture file (docs/architecture.md, "Contracts"; `.gz` read through gzip) for the
    /// venues it names that are served, in file order, payloads exactly as recorded.
    Capture(PathBuf),
}

/// Keep-alive behaviour of the served venues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeepAliveSettings {
    /// Binance: the server sends a ping control frame this often (the venue: 20 s).
    pub server_ping_interval: Duration,
    /// Binance: a pong must arrive this long after a ping (the venue: 60 s).
    pub pong_timeout: Duration,
    /// Binance: close a connection that missed `pong_timeout` (false: only count it).
    pub close_without_pong: bool,
}

impl Default for KeepAliveSettings {
    /// The venue's values: ping every 20 s, pong within 60 s, else closed.
    fn default() -> Self {
        KeepAliveSettings {
            server_ping_interval: Duration::from_secs(20),
            pong_timeout: Duration::from_secs(60),
            close_without_pong: true,
        }
    }
}

/// API key, secret and (OKX) passphrase the REST side will verify requests with. Never printed:
/// `Debug` redacts.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct ApiCredentials {
    /// The API key.
    pub key: String,
    /// The API secret.
    pub secret: String,
    /// The passphrase OKX requests carry in `OK-ACCESS-PASSPHRASE` (chosen when an OKX key is
    /// made). Empty: no OKX request authenticates (OKX refuses an empty one, 50104).
    pub passphrase: String,
}

impl ApiCredentials {
    /// A key and secret, no passphrase.
    pub fn new(key: impl Into<String>, secret: impl Into<String>) -> ApiCredentials {
        ApiCredentials {
            key: key.into(),
            secret: secret.into(),
            passphrase: String::new(),
        }
    }

    /// These credentials with OKX passphrase `p`.
    pub fn with_passphrase(mut self, p: impl Into<String>) -> ApiCredentials {
        self.passphrase = p.into();
        self
    }
}

impl fmt::Debug for ApiCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "ApiCredentials { key: <redacted>, secret: <redacted>, passphrase: <redacted> }",
        )
    }
}

/// The Binance WebSocket API (`/ws-api/v3`): the Ed25519 key `session.logon` verifies, how long
/// a session lives, and the faults it can inject (each counted in
/// [`VenueStats`](crate::VenueStats)`::ws_api_*`). Served on the Binance venue's feed port when
/// [`MockConfig::api`] is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsApiConfig {
    /// The 32-byte Ed25519 public key registered for [`ApiCredentials::key`] (Binance: "Only
    /// Ed25519 keys are supported" for `session.logon`). `None`: every logon is refused (-2015).
    pub ed25519_public_key: Option<Vec<u8>>,
    /// A session ends (the server closes it) this long after it opened (the venue: 24 h).
    pub session_lifetime: Duration,
    /// Execute the `n`-th `order.place` (counted from 1 over all of the venue's sessions), then
    /// drop the session without answering it: a session lost mid-request.
    pub drop_on_place: Option<u64>,
    /// Execute the `n`-th `order.place` and never answer it (the session stays up): a lost ack.
    pub lose_ack_on_place: Option<u64>,
    /// Execute the `n`-th `order.place`, then go silent: the socket stays open but nothing is
    /// read, answered or pinged any more (a half-open connection: the peer vanished without a
    /// FIN), until the client closes it.
    pub silent_after_place: Option<u64>,
    /// Push every `executionReport` twice (a duplicated user-data event).
    pub duplicate_execution_reports: bool,
    /// The `n`-th `order.place` (counted over all of the venue's sessions) finds the Ed25519 key
    /// revoked, as when a key is deleted or loses a permission while a session is logged on: it
    /// is not executed, the session loses its authentication with Binance's
    /// `{"id":null,"status":401,"error":{"code":-2015,...}}` (session-authentication docs: "after
    /// the next request the session will be revoked"), every later request of a logged-on
    /// session is answered so, and every later `session.logon` is refused -2015. REST is not
    /// affected (its HMAC key is another key).
    pub revoke_key_on_place: Option<u64>,
    /// The `n`-th `order.place` is executed and answered, but its user-data events
    /// (`executionReport`, `outboundAccountPosition`) are never pushed: a gap in the stream
    /// that only the answer, a status query or a balance refresh can fill.
    pub withhold_pushes_on_place: Option<u64>,
}

impl Default for WsApiConfig {
    /// No Ed25519 key, sessions of 24 h, no faults.
    fn default() -> Self {
        WsApiConfig {
            ed25519_public_key: None,
            session_lifetime: Duration::from_secs(24 * 3600),
            drop_on_place: None,
            lose_ack_on_place: None,
            silent_after_place: None,
            duplicate_execution_reports: false,
            revoke_key_on_place: None,
            withhold_pushes_on_place: None,
        }
    }
}

/// Bybit's v5 trade socket (`/v5/trade`) and private stream (`/v5/private`), served on the Bybit
/// venue's feed port when [`MockConfig::api`] is set: how long sessions live and the faults they
/// can inject (each counted in [`VenueStats`](crate::VenueStats)`::bybit_ws_*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BybitWsConfig {
    /// A socket with no client ping and nothing pushed for this long is closed (Bybit: "if there
    /// is no ping-pong and no stream data sent from server end, the connection will be cut off
    /// after 10 minutes"). A `max_active_time` query parameter on the URL (`30s` to `600s`, or
    /// `1m` ...) overrides it for that socket, as at the venue.
    pub idle_timeout: Duration,
    /// A session ends (the server closes it) this long after it opened, whatever it does: an
    /// expired session the client must open and authenticate again.
    pub session_lifetime: Duration,
    /// Execute the `n`-th `order.create` (counted from 1 over all of the venue's trade sockets),
    /// then drop the socket without answering it: a session lost mid-order.
    pub drop_on_create: Option<u64>,
    /// Execute the `n`-th `order.create` and never answer it (the socket stays up): a lost ack.
    pub lose_ack_on_create: Option<u64>,
    /// Execute the `n`-th `order.create`, then go silent: the trade socket stays open but
    /// nothing is read or answered any more (a half-open connection: the peer vanished without
    /// a FIN), until the client closes it.
    pub silent_after_create: Option<u64>,
    /// Wait this long before sending each trade-socket answer (the order is executed first), so
    /// the private stream's pushes can arrive before the acknowledgement.
    pub ack_delay: Duration,
    /// Push every final `order` message twice, the second as Bybit's cancel-racing-fill copy
    /// (`Filled` with `cancelType` `CancelByUser` and `rejectReason`
    /// `EC_OrigClOrdIDDoesNotExist`; other final states repeated as they are).
    pub duplicate_final_orders: bool,
    /// Trade-socket requests per rolling second over all of the venue's trade sockets before
    /// Bybit's system-level frequency protection answers `retCode` 10429 (None: no such limit).
    /// The account's own per-second limits (10006) are the REST side's, shared as at the venue.
    pub system_limit_per_sec: Option<u32>,
}

impl Default for BybitWsConfig {
    /// The venue's idle cut-off of 10 minutes, sessions of 24 h, no faults.
    fn default() -> Self {
        BybitWsConfig {
            idle_timeout: Duration::from_secs(600),
            session_lifetime: Duration::from_secs(24 * 3600),
            drop_on_create: None,
            lose_ack_on_create: None,
            silent_after_create: None,
            ack_delay: Duration::ZERO,
            duplicate_final_orders: false,
            system_limit_per_sec: None,
        }
    }
}

/// Upbit's private stream (`/websocket/v1/private`): its keep-alive rules and the faults it can
/// inject (each counted in [`VenueStats`](crate::VenueStats)`::upbit_private_*`). Served on the
/// Upbit venue's feed port when [`MockConfig::api`] is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpbitPrivateConfig {
    /// A connection on which nothing was received or sent this long is closed (the venue: "about
    /// 120 s" idle timeout).
    pub idle_timeout: Duration,
    /// After a client's `PING` text, `{"status":"UP"}` comes again this often (the venue: 10 s).
    pub status_interval: Duration,
    /// Drop the stream (TCP shutdown, no close frame) right after the `n`-th data frame pushed
    /// (`myOrder` or `myAsset`, counted from 1 over all of the venue's streams): a stream lost
    /// mid-flow.
    pub drop_after_pushes: Option<u64>,
    /// Push every final `myOrder` (`done`, `cancel`) twice (a duplicated event).
    pub duplicate_finals: bool,
}

impl Default for UpbitPrivateConfig {
    /// The venue's timings, no faults.
    fn default() -> Self {
        UpbitPrivateConfig {
            idle_timeout: Duration::from_secs(120),
            status_interval: Duration::from_secs(10),
            drop_after_pushes: None,
            duplicate_finals: false,
        }
    }
}

/// OKX's private WebSocket (`/ws/v5/private`): how long a silent connection and a session live,
/// and the faults it can inject (each counted in [`VenueStats`](crate::VenueStats)`::okx_ws_*`).
/// Served on the OKX venue's feed port when [`MockConfig::api`] is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OkxWsConfig {
    /// A connection that sends nothing (no op, no `ping`) this long is closed with code 4004 "No
    /// data received in 30s" (the venue: 30 s).
    pub idle_timeout: Duration,
    /// A session ends (the server closes it) this long after it opened (OKX publishes no
    /// lifetime; default 24 h).
    pub session_lifetime: Duration,
    /// Execute the `n`-th `order` op (counted from 1 over all of the venue's sessions), then drop
    /// the connection without answering it: a session lost mid-order.
    pub drop_on_order: Option<u64>,
    /// Execute the `n`-th `order` op and never answer it (its `orders` push still comes): a lost
    /// acknowledgement.
    pub lose_answer_on_order: Option<u64>,
    /// Push every final order update (`filled`, `canceled`) twice (a duplicated push).
    pub duplicate_final_pushes: bool,
}

impl Default for OkxWsConfig {
    /// 30 s idle timeout, sessions of 24 h, no faults.
    fn default() -> Self {
        OkxWsConfig {
            idle_timeout: Duration::from_secs(30),
            session_lifetime: Duration::from_secs(24 * 3600),
            drop_on_order: None,
            lose_answer_on_order: None,
            duplicate_final_pushes: false,
        }
    }
}

/// Everything a [`MockExchange`](super::MockExchange) needs to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockConfig {
    /// Venues served, each on its own port of 127.0.0.1; names must be unique.
    pub venues: Vec<MockVenue>,
    /// Where frames come from.
    pub source: Source,
    /// Frames per second in total across venues (0: as fast as the connections take them).
    pub rate_per_s: u64,
    /// Start streaming only once every served venue has a subscribed connection, so a test sees
    /// the source from its first frame (update id 1). When false, frames generated while a venue
    /// has no subscriber are lost, as on a live venue.
    pub wait_for_subscribers: bool,
    /// Keep-alive rules.
    pub keep_alive: KeepAliveSettings,
    /// Largest message accepted from a client.
    pub max_client_message_bytes: usize,
    /// Slots of each venue's send-time log (rounded up to a power of two).
    pub send_log_capacity: usize,
    /// Batches queued per connection before the source drops (paced) or waits (rate 0).
    pub queue_batches: usize,
    /// Credentials for the REST side: when set, every venue also serves its REST endpoints ([`Endpoint::rest_url`](super::Endpoint::rest_url)).
    pub api: Option<ApiCredentials>,
    /// The REST side's rate limits.
    pub rest_limits: RestLimits,
    /// The REST side's instrument rules per venue name, for every instrument of the venue
    /// (absent: rules every order passes).
    pub rest_rules: BTreeMap<String, InstrumentRules>,
    /// The REST side's starting balances per venue name (absent:
    /// [`AccountConfig::for_symbol`] of the venue's first symbol, generous balances). Either way
    /// the assets of the venue's other instruments are added with
    /// [`AccountConfig::for_symbol`]'s balances (an asset already present keeps its balance).
    pub rest_accounts: BTreeMap<String, AccountConfig>,
    /// How far the REST side's server clock is from the host's, ms (negative: behind). Every
    /// REST time the mock uses reads it: the timestamp checks (Binance -1021, Bybit 10002, OKX
    /// 50102), the server-time answers and `Date`. A host with a drifting clock, seen from the
    /// venue; change it while running with [`Control::set_rest_clock_offset_ms`](crate::Control::set_rest_clock_offset_ms).
    pub rest_clock_offset_ms: i64,
    /// The REST side's taker fee per venue name, basis points (absent: no fee). Charged on each
    /// execution in the asset the venue charges and reported in its answers' fee fields.
    pub rest_fee_bps: BTreeMap<String, u32>,
    /// REST connection threads spin on non-blocking reads (yielding between tries) instead of
    /// sleeping in `read`: a client's `write` then pays no wake-up of the reader inside the call,
    /// as on a real network. For latency benches on a spare core; default off.
    pub rest_busy_poll: bool,
    /// The Binance WebSocket API's key, session lifetime and faults (served with [`Self::api`]).
    pub ws_api: WsApiConfig,
    /// Bybit's trade socket and private stream: lifetimes and faults (served with [`Self::api`]).
    pub bybit_ws: BybitWsConfig,
    /// Upbit's private stream's timings and faults (served with [`Self::api`]).
    pub upbit_private: UpbitPrivateConfig,
    /// OKX's private WebSocket's timeouts and faults (served with [`Self::api`]).
    pub okx_ws: OkxWsConfig,
}

impl MockConfig {
    /// A synthetic market over `venues` with default parameters, unpaced.
    pub fn synthetic(venues: Vec<MockVenue>, source: SyntheticSource) -> MockConfig {
        MockConfig {
            venues,
            source: Source::Synthetic(source),
            rate_per_s: 0,
            wait_for_subscribers: true,
            keep_alive: KeepAliveSettings::default(),
            max_client_message_bytes: 64 << 10,
            send_log_capacity: 1 << 16,
            queue_batches: 1024,
            api: None,
            rest_limits: RestLimits::default(),
            rest_rules: BTreeMap::new(),
            rest_accounts: BTreeMap::new(),
            rest_clock_offset_ms: 0,
            rest_fee_bps: BTreeMap::new(),
            rest_busy_poll: false,
            ws_api: WsApiConfig::default(),
            bybit_ws: BybitWsConfig::default(),
            upbit_private: UpbitPrivateConfig::default(),
            okx_ws: OkxWsConfig::default(),
        }
    }

    /// Stream the capture at `path` to `venues`, unpaced.
    pub fn capture(venues: Vec<MockVenue>, path: impl Into<PathBuf>) -> MockConfig {
        MockConfig {
            source: Source::Capture(path.into()),
            ..MockConfig::synthetic(venues, SyntheticSource::default())
        }
    }

    /// One venue of each kind, named after its kind (`binance`, `upbit`, `bybit`, `okx`).
    pub fn all_kinds() -> Vec<MockVenue> {
        VenueKind::ALL
            .iter()
            .map(|&k| MockVenue::new(k.name(), k))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_redaction() {
        let v = MockConfig::all_kinds();
        assert_eq!(v.len(), 4);
        assert_eq!(v[1].symbol(), "USDT-BTC");
        let many = MockVenue::with_instruments("u", VenueKind::Upbit, 3);
        assert_eq!(many.symbols, ["USDT-BTC", "USDT-C1", "USDT-C2"]);
        let okx = MockVenue::with_instruments("o", VenueKind::Okx, 2);
        assert_eq!(okx.symbols, ["BTC-USDT", "C1-USDT"]);
        let b = MockVenue::with_instruments("b", VenueKind::Bybit, 2);
        assert_eq!((b.symbol(), b.symbols[1].as_str()), ("BTCUSDT", "C1USDT"));
        let mut cfg = MockConfig::capture(v, "x.tsv");
        cfg.api = Some(ApiCredentials::new("k-123", "s-456").with_passphrase("p-789"));
        let dbg = format!("{cfg:?}");
        assert!(!dbg.contains("k-123") && !dbg.contains("s-456") && !dbg.contains("p-789"));
        assert_eq!(
            KeepAliveSettings::default().server_ping_interval,
            Duration::from_secs(20)
        );
    }
}
