//! The REST side's state, shared by its accept and connection threads (`rest`), the request
//! handler (`handler`) and the source thread (resting orders cross on its quotes): credentials,
//! each venue's limiter, orders and fault requests, and one parsed request. Its own file so that
//! the server loop and the handler both depend on it and never on each other.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;

use super::account::{Account, AccountConfig, Assets};
use super::faults::RestFaultState;
use super::fees::FeeModel;
use super::instrument::Instrument;
use super::ledger::Ledger;
use super::limits::{Limiter, RestLimits};
use super::private_hub::PrivateHub;
use super::rules::Rules;
use crate::config::{
    ApiCredentials, BybitWsConfig, MockConfig, OkxWsConfig, UpbitPrivateConfig, WsApiConfig,
};
use crate::format::Scales;
use crate::market::SimQuote;
use crate::stats::VenueCounters;
use crate::venue_kind::VenueKind;

/// Order placements whose arrival time [`RestVenue::received`] remembers (the latest ones).
pub(crate) const RECEIVED_LOG: usize = 100_000;

/// One REST venue's state, shared by its connection threads.
pub(crate) struct RestVenue {
    /// Fault requests.
    pub faults: RestFaultState,
    /// Rate limits.
    pub limiter: Mutex<Limiter>,
    /// Orders, balances and rules.
    pub ledger: Mutex<Ledger>,
    /// True while some order rests on the book (lets the source skip the lock otherwise).
    pub resting: AtomicBool,
    /// When each order placement request arrived (unix ns, the latest [`RECEIVED_LOG`], oldest
    /// first), whatever its answer: what a test checks "nothing reached the venue then" against.
    pub received: Mutex<VecDeque<u64>>,
    /// Each order placement's client id and when its request's first byte arrived (the latest
    /// [`RECEIVED_LOG`], oldest first): the latency bench's end of `wire_to_wire`.
    pub arrivals: Mutex<VecDeque<(String, Arrival)>>,
    /// The venue's subscribed private streams (Upbit `myOrder` / `myAsset`, Bybit `order` /
    /// `execution` / `wallet`, OKX `orders` / `account`).
    pub private: PrivateHub,
    /// The `nonce` of each token that opened a private stream, oldest first.
    pub private_nonces: Mutex<Vec<String>>,
}

impl RestVenue {
    /// Remember that an order placement arrived at `unix_ns`.
    pub fn note_received(&self, unix_ns: u64) {
        let mut r = lock(&self.received);
        if r.len() == RECEIVED_LOG {
            r.pop_front();
        }
        r.push_back(unix_ns);
    }

    /// Remember that the placement with client id `client_id` began arriving at `at`.
    pub fn note_arrival(&self, client_id: &str, at: Arrival) {
        let mut a = lock(&self.arrivals);
        if a.len() == RECEIVED_LOG {
            a.pop_front();
        }
        a.push_back((client_id.to_owned(), at));
    }

    /// Record whether `ledger` has resting orders.
    pub fn note_resting(&self, ledger: &Ledger) {
        self.resting
            .store(ledger.book.has_open(), Ordering::Release);
    }

    /// Subscribe a private stream: from now on the ledger records its order events.
    pub fn subscribe_private(
        &self,
    ) -> std::sync::mpsc::Receiver<std::sync::Arc<super::private_hub::PrivateUpdate>> {
        let mut l = lock(&self.ledger);
        l.record_events = true;
        self.private.subscribe()
    }

    /// Hand what the last operation did to `ledger`'s orders to the private streams (and forget
    /// it), at server time `now_ms`.
    pub fn publish(&self, ledger: &mut Ledger, now_ms: u64) {
        self.private.publish(ledger, now_ms);
    }

    /// Execute the resting orders `quotes` cross (in order), counting each execution.
    pub fn on_quotes(&self, quotes: &[SimQuote], now_ms: u64, c: &VenueCounters) {
        if !self.resting.load(Ordering::Acquire) {
            return;
        }
        let mut l = lock(&self.ledger);
        for q in quotes {
            let n = l.on_quote(q, now_ms);
            VenueCounters::add(&c.rest_resting_fills, n);
        }
        self.note_resting(&l);
        self.publish(&mut l, now_ms);
    }
}

/// The REST side: credentials and per-venue state (None for venues without REST).
pub(crate) struct RestSide {
    creds: ApiCredentials,
    limits: RestLimits,
    /// The server clock's offset from the host's, ms ([`MockConfig::rest_clock_offset_ms`]).
    clock_offset_ms: AtomicI64,
    /// Connection threads spin on non-blocking reads instead of sleeping in `read`
    /// ([`MockConfig::rest_busy_poll`](crate::MockConfig::rest_busy_poll)).
    pub busy_poll: bool,
    /// Indexed like the config's venues.
    pub venues: Vec<Option<RestVenue>>,
    /// The Binance WebSocket API's key, session lifetime and faults.
    pub ws_api: WsApiConfig,
    /// `order.place` requests the WebSocket API has read (every session; the faults count them).
    pub ws_places: AtomicU64,
    /// The WebSocket API's Ed25519 key was revoked (`WsApiConfig::revoke_key_on_place`): logons
    /// are refused and logged-on sessions lose their authentication at their next request.
    pub ws_key_revoked: AtomicBool,
    /// Bybit's trade socket and private stream: lifetimes and faults.
    pub bybit_ws: BybitWsConfig,
    /// `order.create` requests Bybit's trade sockets have read (every socket; the faults count
    /// them).
    pub bybit_creates: AtomicU64,
    /// When each recent trade-socket request arrived (unix ms, oldest first): Bybit's
    /// system-level frequency protection's rolling second.
    pub bybit_system: Mutex<VecDeque<u64>>,
    /// Upbit's private stream's timings and faults.
    pub upbit_private: UpbitPrivateConfig,
    /// Data frames Upbit's private streams have pushed (every stream; the drop fault counts them).
    pub private_pushes: AtomicU64,
    /// OKX's private WebSocket's timeouts and faults.
    pub okx_ws: OkxWsConfig,
    /// `order` ops OKX's private WebSocket has read (every session; the faults count them).
    pub okx_ws_orders: AtomicU64,
}

impl RestSide {
    /// State for every venue of `cfg` the mock serves REST for, its amounts at `scales`; `Err`
    /// names the venue whose configured rules do not read at those scales.
    pub fn new(
        creds: ApiCredentials,
        cfg: &MockConfig,
        scales: Scales,
    ) -> Result<RestSide, String> {
        let limits: RestLimits = cfg.rest_limits;
        let mut venues = Vec::with_capacity(cfg.venues.len());
        for v in &cfg.venues {
            if !has_rest(v.kind) {
                venues.push(None);
                continue;
            }
            let upbit = v.kind == VenueKind::Upbit;
            // Instrument 0 takes the configured account; every instrument its symbol's default.
            let mut accounts: Vec<AccountConfig> = v
                .symbols
                .iter()
                .map(|s| AccountConfig::for_symbol(s, upbit))
                .collect();
            if let Some(c) = cfg.rest_accounts.get(&v.name) {
                match accounts.first_mut() {
                    Some(first) => *first = c.clone(),
                    None => accounts.push(c.clone()),
                }
            }
            let rules = cfg.rest_rules.get(&v.name).cloned().unwrap_or_default();
            let mut instruments = Vec::with_capacity(accounts.len());
            for (symbol, a) in v.symbols.iter().zip(&accounts) {
                let krw = upbit && symbol.starts_with("KRW-");
                instruments.push(Instrument {
                    symbol: symbol.clone(),
                    assets: Assets::from(a),
                    rules: Rules::new(&rules, scales, krw).ok_or_else(|| v.name.clone())?,
                });
            }
            venues.push(Some(RestVenue {
                faults: RestFaultState::default(),
                limiter: Mutex::new(Limiter::new(v.kind, limits)),
                ledger: Mutex::new(Ledger {
                    book: super::book::Book::default(),
                    account: Account::new(&accounts, scales),
                    instruments,
                    fees: FeeModel {
                        bps: cfg.rest_fee_bps.get(&v.name).copied().unwrap_or(0),
                        always_quote: upbit,
                    },
                    events: Vec::new(),
                    record_events: false,
                }),
                resting: AtomicBool::new(false),
                received: Mutex::new(VecDeque::new()),
                arrivals: Mutex::new(VecDeque::new()),
                private: PrivateHub::default(),
                private_nonces: Mutex::new(Vec::new()),
            }));
        }
        Ok(RestSide {
            creds,
            limits,
            clock_offset_ms: AtomicI64::new(cfg.rest_clock_offset_ms),
            busy_poll: cfg.rest_busy_poll,
            venues,
            ws_api: cfg.ws_api.clone(),
            ws_places: AtomicU64::new(0),
            ws_key_revoked: AtomicBool::new(false),
            bybit_ws: cfg.bybit_ws.clone(),
            bybit_creates: AtomicU64::new(0),
            bybit_system: Mutex::new(VecDeque::new()),
            upbit_private: cfg.upbit_private.clone(),
            private_pushes: AtomicU64::new(0),
            okx_ws: cfg.okx_ws.clone(),
            okx_ws_orders: AtomicU64::new(0),
        })
    }

    /// The REST side's server clock now, unix ns: the host's plus the configured offset.
    pub fn server_unix_ns(&self) -> u64 {
        let offset_ns = self
            .clock_offset_ms
            .load(Ordering::Relaxed)
            .saturating_mul(1_000_000);
        crate::send_log::unix_ns().saturating_add_signed(offset_ns)
    }

    /// Move the server clock to `offset_ms` off the host's (negative: behind).
    pub fn set_clock_offset_ms(&self, offset_ms: i64) {
        self.clock_offset_ms.store(offset_ms, Ordering::Relaxed);
    }

    /// The limits the venues enforce.
    pub fn limits(&self) -> RestLimits {
        self.limits
    }

    /// The credentials requests are verified with.
    pub fn creds(&self) -> &ApiCredentials {
        &self.creds
    }
}

/// Whether the mock serves REST endpoints for venues of `kind`: every kind (Binance, Upbit, Bybit
/// and OKX), so a caller can still ask before starting the mock.
pub const fn has_rest(kind: VenueKind) -> bool {
    matches!(
        kind,
        VenueKind::Binance | VenueKind::Upbit | VenueKind::Bybit | VenueKind::Okx
    )
}

/// Lock `m`, taking the data of a poisoned lock as it is (a panicked connection thread leaves
/// nothing half-written that the others could not use).
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// One parsed request (owned: the buffer is drained after it).
pub(crate) struct Request {
    /// `GET`, `POST`...
    pub method: String,
    /// The target's path.
    pub path: String,
    /// The target's query string (after `?`).
    pub query: Vec<u8>,
    /// Every header, names lower-cased, in order.
    pub headers: Vec<(String, Vec<u8>)>,
    /// The body (Content-Length bytes).
    pub body: Vec<u8>,
    /// When this request's first byte arrived.
    pub arrival: Arrival,
}

/// When a request's first byte arrived, as the kernel and as the mock's thread saw it (unix ns,
/// host clock): the bench's `wire_to_wire` ends at `kernel_ns`, and `read_ns - kernel_ns` is how
/// late the mock's thread read it ([`super::rx_stamp`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arrival {
    /// The kernel's receive stamp of the segment that carried the first byte; the read's time on
    /// a transport without one.
    pub kernel_ns: u64,
    /// When the read that brought the first byte returned.
    pub read_ns: u64,
}

impl Arrival {
    /// An arrival known only by the read's time (a transport without kernel stamps).
    pub fn read_at(read_ns: u64) -> Arrival {
        Arrival {
            kernel_ns: read_ns,
            read_ns,
        }
    }
}

impl Request {
    /// The first header called `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    /// The path with `?query` when there is one (what OKX signs).
    pub fn path_and_query(&self) -> String {
        if self.query.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, String::from_utf8_lossy(&self.query))
        }
    }
}
