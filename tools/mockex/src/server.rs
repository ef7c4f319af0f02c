//! [`MockExchange`]: binds one loopback listener per venue, starts the accept threads and the
//! source thread, and gives tests and tools the handles they need (endpoints, fault control,
//! counters, send times, injected dislocations). Stopping (explicit or on drop) joins every thread.

use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::sync_channel;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use thiserror::Error;

use super::config::{MockConfig, Source};
use super::conn;
use super::faults::{Fault, FaultState};
use super::format::Scales;
use super::instrument_sends::InstrumentSends;
use super::rest;
use super::rest::Arrival;
use super::rest::RestFault;
use super::rest::{has_rest, RestSide};
use super::send_log::SendLog;
use super::shared::{InjectedDislocation, Shared, VenueShared};
use super::source::{self, Generator};
use super::stats::{VenueCounters, VenueStats};
use crate::capture::{CaptureError, CaptureReader};
use crate::market::{SimParams, SimQuote, SyntheticMarket};
use crate::venue_kind::VenueKind;

/// Why the mock exchange could not start or a request was refused.
#[derive(Debug, Error)]
pub enum MockError {
    /// The config names no venue.
    #[error("no venue to serve")]
    NoVenues,
    /// Two venues share a name.
    #[error("venue name {0:?} appears twice")]
    DuplicateVenue(String),
    /// A request named a venue that is not served.
    #[error("venue {0:?} is not served")]
    UnknownVenue(String),
    /// Binding a listener or spawning a thread failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// A REST fault for a venue that serves no REST side (no credentials given).
    #[error("venue {0:?} serves no REST API")]
    NoRest(String),
    /// A venue's configured REST instrument rules do not read at the instrument's scales.
    #[error("venue {0:?}: REST instrument rules do not read at the instrument's scales")]
    BadRules(String),
    /// The capture file could not be opened.
    #[error("capture: {0}")]
    Capture(#[from] CaptureError),
}

/// Where one served venue listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// The venue's name.
    pub name: String,
    /// Its protocol.
    pub kind: VenueKind,
    /// The listener's address (127.0.0.1, an ephemeral port).
    pub addr: SocketAddr,
    /// The URL for the engine's `venues[].url`: the base `ws://127.0.0.1:PORT` for Binance (the
    /// engine appends `/stream?streams=...`), the venue's own path for the others.
    pub ws_url: String,
    /// The REST base URL `http://127.0.0.1:PORT` (every kind, when [`MockConfig::api`] is set;
    /// None otherwise).
    pub rest_url: Option<String>,
    /// The order-entry socket on the feed's port, when [`MockConfig::api`] is set: the Binance
    /// WebSocket API `ws://127.0.0.1:PORT/ws-api/v3`, OKX's private WebSocket
    /// `ws://127.0.0.1:PORT/ws/v5/private` (its order ops and its `orders` / `account` channels),
    /// Bybit's trade socket `ws://127.0.0.1:PORT/v5/trade`; None for the other kinds or without
    /// credentials.
    pub ws_api_url: Option<String>,
    /// The pushed account stream on the feed's port, when [`MockConfig::api`] is set: Bybit's
    /// private stream `ws://127.0.0.1:PORT/v5/private`, Upbit's
    /// `ws://127.0.0.1:PORT/websocket/v1/private`; None for the other kinds or without
    /// credentials.
    pub private_ws_url: Option<String>,
}

/// The path each venue serves its feed on (any path is accepted; this is what is advertised).
const fn ws_path(kind: VenueKind) -> &'static str {
    match kind {
        VenueKind::Binance => "",
        VenueKind::Upbit => "/websocket/v1",
        VenueKind::Bybit => "/v5/public/spot",
        VenueKind::Okx => "/ws/v5/public",
    }
}

/// Injects faults into a running [`MockExchange`]; cheap to clone, usable from any thread.
#[derive(Clone)]
pub struct Control {
    shared: Arc<Shared>,
    rest: Option<Arc<RestSide>>,
}

impl Control {
    /// Inject `fault` into every connection of venue `name`.
    pub fn inject(&self, name: &str, fault: Fault) -> Result<(), MockError> {
        let v = self
            .shared
            .venues
            .iter()
            .find(|v| v.spec.name == name)
            .ok_or_else(|| MockError::UnknownVenue(name.to_owned()))?;
        v.faults.inject(fault, self.shared.now_ns());
        Ok(())
    }

    /// Inject `fault` into venue `name`'s REST side (refused for a venue without one).
    pub fn inject_rest(&self, name: &str, fault: RestFault) -> Result<(), MockError> {
        let i = self
            .shared
            .venues
            .iter()
            .position(|v| v.spec.name == name)
            .ok_or_else(|| MockError::UnknownVenue(name.to_owned()))?;
        let v = self
            .rest
            .as_ref()
            .and_then(|r| r.venues[i].as_ref())
            .ok_or_else(|| MockError::NoRest(name.to_owned()))?;
        v.faults.inject(fault);
        Ok(())
    }

    /// Move the REST side's server clock to `offset_ms` off the host's (negative: behind), for
    /// every venue: a host whose clock drifted, as the venue sees it. Refused without a REST
    /// side.
    pub fn set_rest_clock_offset_ms(&self, offset_ms: i64) -> Result<(), MockError> {
        let rest = self
            .rest
            .as_ref()
            .ok_or_else(|| MockError::NoRest("(any venue)".to_owned()))?;
        rest.set_clock_offset_ms(offset_ms);
        Ok(())
    }
}

/// A running mock exchange: one loopback WebSocket listener per venue streaming the configured
/// source. See the [module documentation](super).
pub struct MockExchange {
    shared: Arc<Shared>,
    rest: Option<Arc<RestSide>>,
    rest_addrs: Vec<SocketAddr>,
    endpoints: Vec<Endpoint>,
    accept_threads: Vec<JoinHandle<()>>,
    source_thread: Option<JoinHandle<()>>,
}

fn io_err(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> MockError {
    let what = what.into();
    move |source| MockError::Io { what, source }
}

/// A REST listener not yet served: venue index, address, listener.
type RestListener = (usize, SocketAddr, TcpListener);

impl MockExchange {
    /// Bind every venue on 127.0.0.1 (ephemeral ports) and start serving `cfg`.
    pub fn start(cfg: MockConfig) -> Result<MockExchange, MockError> {
        let index = venue_index(&cfg)?;
        let (generator, scales, feed_any) = generator(&cfg, index)?;
        let (listeners, mut endpoints) = bind_feeds(&cfg)?;
        let (rest, rest_listeners) = bind_rest(&cfg, scales, &mut endpoints)?;
        let shared = shared_state(&cfg, scales, feed_any, rest.clone());
        let mut ex = MockExchange {
            shared: Arc::clone(&shared),
            rest: rest.clone(),
            rest_addrs: rest_listeners.iter().map(|(_, a, _)| *a).collect(),
            endpoints,
            accept_threads: Vec::new(),
            source_thread: None,
        };
        // On an error below, dropping `ex` stops the threads already started.
        ex.spawn_feed_accepts(&cfg, listeners)?;
        if let Some(side) = &rest {
            ex.spawn_rest_accepts(&cfg, side, rest_listeners)?;
        }
        ex.spawn_source(&cfg, generator)?;
        Ok(ex)
    }

    /// One accept thread per venue's WebSocket listener.
    fn spawn_feed_accepts(
        &mut self,
        cfg: &MockConfig,
        listeners: Vec<TcpListener>,
    ) -> Result<(), MockError> {
        let queue = cfg.queue_batches.max(1);
        for (vi, listener) in listeners.into_iter().enumerate() {
            let sh = Arc::clone(&self.shared);
            let name = format!("mockex-{}", cfg.venues[vi].name);
            let h = std::thread::Builder::new()
                .name(name)
                .spawn(move || accept_loop(sh, vi, listener, queue))
                .map_err(io_err("spawn an accept thread"))?;
            self.accept_threads.push(h);
        }
        Ok(())
    }

    /// One accept thread per REST listener.
    fn spawn_rest_accepts(
        &mut self,
        cfg: &MockConfig,
        side: &Arc<RestSide>,
        listeners: Vec<RestListener>,
    ) -> Result<(), MockError> {
        for (vi, _, l) in listeners {
            let (sh, sd) = (Arc::clone(&self.shared), Arc::clone(side));
            let name = format!("mockex-rest-{}", cfg.venues[vi].name);
            let h = std::thread::Builder::new()
                .name(name)
                .spawn(move || rest::accept_loop(sh, sd, vi, l))
                .map_err(io_err("spawn a REST accept thread"))?;
            self.accept_threads.push(h);
        }
        Ok(())
    }

    /// The source thread, which produces, paces and dispatches the frames.
    fn spawn_source(&mut self, cfg: &MockConfig, generator: Generator) -> Result<(), MockError> {
        let sh = Arc::clone(&self.shared);
        let (rate, wait) = (cfg.rate_per_s, cfg.wait_for_subscribers);
        let h = std::thread::Builder::new()
            .name("mockex-source".into())
            .spawn(move || source::run(sh, generator, rate, wait))
            .map_err(io_err("spawn the source thread"))?;
        self.source_thread = Some(h);
        Ok(())
    }

    /// The served venues, in config order.
    pub fn endpoints(&self) -> &[Endpoint] {
        &self.endpoints
    }

    /// The endpoint of venue `name`.
    pub fn endpoint(&self, name: &str) -> Option<&Endpoint> {
        self.endpoints.iter().find(|e| e.name == name)
    }

    /// A handle to inject faults at run time.
    pub fn control(&self) -> Control {
        Control {
            shared: Arc::clone(&self.shared),
            rest: self.rest.clone(),
        }
    }

    /// Counters of every venue, in config order.
    pub fn stats(&self) -> Vec<VenueStats> {
        self.shared
            .venues
            .iter()
            .map(|v| v.counters.snapshot(&v.spec.name))
            .collect()
    }

    /// Counters of venue `name`.
    pub fn venue_stats(&self, name: &str) -> Option<VenueStats> {
        self.stats().into_iter().find(|s| s.name == name)
    }

    /// Venue `name`'s send-time log, for a reader that outlives this borrow (the latency bench).
    pub fn send_log(&self, name: &str) -> Option<Arc<SendLog>> {
        let v = self.shared.venues.iter().find(|v| v.spec.name == name)?;
        Some(Arc::clone(&v.log))
    }

    /// When update `update_id` of venue `name` was written to its connection (unix ns).
    pub fn send_time(&self, name: &str, update_id: u64) -> Option<u64> {
        self.send_log(name)?.get(update_id)
    }

    /// Dislocations the synthetic source injected so far, with the update id and send time of the
    /// dislocated quote (empty for a capture source).
    pub fn injected(&self) -> Vec<InjectedDislocation> {
        let list = self
            .shared
            .injected
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        list.into_iter()
            .map(|mut d| {
                d.send_ns = self.send_time(&d.venue, d.update_id);
                d
            })
            .collect()
    }

    /// When venue `name`'s REST side received each order placement (unix ns, oldest first; the
    /// latest 100 000), whatever it answered: so a test can check from the venue's side that
    /// nothing was sent to it in some interval (a breaker's open time). `None` for a venue without
    /// REST.
    pub fn rest_order_times(&self, name: &str) -> Option<Vec<u64>> {
        let i = self
            .shared
            .venues
            .iter()
            .position(|v| v.spec.name == name)?;
        let v = self.rest.as_ref()?.venues[i].as_ref()?;
        let times = v.received.lock().unwrap_or_else(|p| p.into_inner());
        Some(times.iter().copied().collect())
    }

    /// When venue `name` last sent a frame of instrument `instrument` (its index in the venue's
    /// symbols) at or before `at_ns` (unix ns), no more than `window_ns` earlier: how the bench
    /// finds the frame that triggered an order on a venue whose frames carry no update id
    /// (Upbit; [`InstrumentSends`]). `None` for other venues.
    pub fn instrument_send(
        &self,
        name: &str,
        instrument: usize,
        at_ns: u64,
        window_ns: u64,
    ) -> Option<u64> {
        let v = self.shared.venues.iter().find(|v| v.spec.name == name)?;
        v.by_instrument
            .as_ref()?
            .last_at_or_before(instrument, at_ns, window_ns)
    }

    /// Each order placement venue `name`'s REST side received, as (client id, when the request's
    /// first byte arrived), oldest first (the latest 100 000), whatever it answered: the mock's
    /// end of the bench's `wire_to_wire`. `None` for a venue without REST.
    pub fn rest_order_arrivals(&self, name: &str) -> Option<Vec<(String, Arrival)>> {
        let i = self
            .shared
            .venues
            .iter()
            .position(|v| v.spec.name == name)?;
        let v = self.rest.as_ref()?.venues[i].as_ref()?;
        let a = v.arrivals.lock().unwrap_or_else(|p| p.into_inner());
        Some(a.iter().cloned().collect())
    }

    /// The `nonce` of each token that opened one of venue `name`'s Upbit private streams (the
    /// authenticated ones, oldest first): so a test can check a client makes a fresh token per
    /// connection (Upbit: a new nonce for every request). `None` for a venue without REST.
    pub fn upbit_private_nonces(&self, name: &str) -> Option<Vec<String>> {
        let i = self
            .shared
            .venues
            .iter()
            .position(|v| v.spec.name == name)?;
        let v = self.rest.as_ref()?.venues[i].as_ref()?;
        let n = v.private_nonces.lock().unwrap_or_else(|p| p.into_inner());
        Some(n.clone())
    }

    /// Every order venue `name`'s REST side took, oldest first, as it stands now. `None` for a
    /// venue without REST.
    pub fn rest_orders(&self, name: &str) -> Option<Vec<crate::rest::TakenOrder>> {
        let i = self
            .shared
            .venues
            .iter()
            .position(|v| v.spec.name == name)?;
        let v = self.rest.as_ref()?.venues[i].as_ref()?;
        let l = v.ledger.lock().unwrap_or_else(|p| p.into_inner());
        Some(l.book.all().into_iter().map(Into::into).collect())
    }

    /// The latest synthetic top of book sent for venue `name`'s first instrument (what its REST
    /// side fills that instrument's orders on).
    pub fn top_of_book(&self, name: &str) -> Option<SimQuote> {
        self.top_of_book_of(name, 0)
    }

    /// The latest synthetic top of book of instrument `instrument` on venue `name`.
    pub fn top_of_book_of(&self, name: &str, instrument: usize) -> Option<SimQuote> {
        let v = self.shared.venues.iter().find(|v| v.spec.name == name)?;
        v.top(instrument)
    }

    /// Frames the source produced so far (across venues).
    pub fn frames_generated(&self) -> u64 {
        self.shared.generated.load(Ordering::Relaxed)
    }

    /// True once the source is exhausted (end of capture, `max_frames` reached).
    pub fn source_done(&self) -> bool {
        self.shared.source_done.load(Ordering::Acquire)
    }

    /// Stop every thread and close every connection (with a close frame). Idempotent.
    pub fn stop(&mut self) {
        self.shared.stop.store(true, Ordering::Release);
        // Wake each blocked accept() with a connection of our own.
        for e in &self.endpoints {
            let _ = TcpStream::connect_timeout(&e.addr, Duration::from_millis(200));
        }
        for a in &self.rest_addrs {
            let _ = TcpStream::connect_timeout(a, Duration::from_millis(200));
        }
        for h in self.accept_threads.drain(..) {
            let _ = h.join();
        }
        if let Some(h) = self.source_thread.take() {
            let _ = h.join();
        }
        let conns: Vec<JoinHandle<()>> = std::mem::take(
            &mut *self
                .shared
                .conn_threads
                .lock()
                .unwrap_or_else(|p| p.into_inner()),
        );
        for h in conns {
            let _ = h.join();
        }
        for v in &self.shared.venues {
            v.conns().clear();
        }
    }
}

impl Drop for MockExchange {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Each venue's index by name; refuses an empty or duplicated venue list.
fn venue_index(cfg: &MockConfig) -> Result<HashMap<String, usize>, MockError> {
    if cfg.venues.is_empty() {
        return Err(MockError::NoVenues);
    }
    let mut index = HashMap::new();
    for (i, v) in cfg.venues.iter().enumerate() {
        if index.insert(v.name.clone(), i).is_some() {
            return Err(MockError::DuplicateVenue(v.name.clone()));
        }
    }
    Ok(index)
}

/// The frame generator of `cfg`'s source, the scales its frames are written at, and whether any
/// subscription is fed (a capture's payloads carry their own symbols).
fn generator(
    cfg: &MockConfig,
    index: HashMap<String, usize>,
) -> Result<(Generator, Scales, bool), MockError> {
    Ok(match &cfg.source {
        Source::Synthetic(s) => {
            let fewest = cfg.venues.iter().map(|v| v.symbols.len()).min();
            let params = SimParams {
                venues: cfg.venues.len(),
                instruments: fewest.unwrap_or(1).max(1),
                ..s.params.clone()
            };
            let gen = Generator::Synthetic {
                market: Box::new(SyntheticMarket::new(params)),
                max: s.max_frames,
                seen_injected: 0,
            };
            let scales = Scales {
                price: s.price_scale,
                qty: s.qty_scale,
            };
            (gen, scales, false)
        }
        Source::Capture(path) => {
            let gen = Generator::Capture {
                reader: CaptureReader::open(path)?,
                index,
                ids: vec![0; cfg.venues.len()],
            };
            (gen, Scales { price: 8, qty: 8 }, true)
        }
    })
}

/// One WebSocket listener per venue, and the endpoints they make (no REST URL yet).
fn bind_feeds(cfg: &MockConfig) -> Result<(Vec<TcpListener>, Vec<Endpoint>), MockError> {
    let mut listeners = Vec::with_capacity(cfg.venues.len());
    let mut endpoints = Vec::with_capacity(cfg.venues.len());
    for v in &cfg.venues {
        let l = TcpListener::bind("127.0.0.1:0")
            .map_err(io_err(format!("bind a listener for {}", v.name)))?;
        let addr = l.local_addr().map_err(io_err("listener address"))?;
        endpoints.push(Endpoint {
            name: v.name.clone(),
            kind: v.kind,
            addr,
            ws_url: format!("ws://{addr}{}", ws_path(v.kind)),
            rest_url: None,
            ws_api_url: None,
            private_ws_url: None,
        });
        listeners.push(l);
    }
    Ok((listeners, endpoints))
}

/// With credentials in `cfg`: the REST side's state and one listener per REST venue, whose URL
/// goes into its endpoint. Without: nothing.
fn bind_rest(
    cfg: &MockConfig,
    scales: Scales,
    endpoints: &mut [Endpoint],
) -> Result<(Option<Arc<RestSide>>, Vec<RestListener>), MockError> {
    let Some(creds) = cfg.api.clone() else {
        return Ok((None, Vec::new()));
    };
    let side = Arc::new(RestSide::new(creds, cfg, scales).map_err(MockError::BadRules)?);
    let mut listeners = Vec::new();
    for (i, v) in cfg.venues.iter().enumerate() {
        if !has_rest(v.kind) {
            continue;
        }
        let l = TcpListener::bind("127.0.0.1:0")
            .map_err(io_err(format!("bind a REST listener for {}", v.name)))?;
        let addr = l.local_addr().map_err(io_err("listener address"))?;
        endpoints[i].rest_url = Some(format!("http://{addr}"));
        let feed = endpoints[i].addr;
        if v.kind == VenueKind::Binance {
            endpoints[i].ws_api_url = Some(format!("ws://{feed}{}", rest::ws_api::PATH));
        }
        if v.kind == VenueKind::Bybit {
            endpoints[i].ws_api_url = Some(format!("ws://{feed}{}", rest::bybit_ws::TRADE_PATH));
            endpoints[i].private_ws_url =
                Some(format!("ws://{feed}{}", rest::bybit_ws::PRIVATE_PATH));
        }
        if v.kind == VenueKind::Upbit {
            let feed = endpoints[i].addr;
            endpoints[i].private_ws_url = Some(format!("ws://{feed}{}", rest::upbit_private::PATH));
        }
        if v.kind == VenueKind::Okx {
            let feed = endpoints[i].addr;
            endpoints[i].ws_api_url = Some(format!("ws://{feed}{}", rest::okx_ws::PATH));
        }
        listeners.push((i, addr, l));
    }
    Ok((Some(side), listeners))
}

/// The state every thread shares, one [`VenueShared`] per venue.
fn shared_state(
    cfg: &MockConfig,
    scales: Scales,
    feed_any: bool,
    rest: Option<Arc<RestSide>>,
) -> Arc<Shared> {
    Arc::new(Shared {
        rest,
        stop: AtomicBool::new(false),
        venues: cfg
            .venues
            .iter()
            .map(|v| VenueShared {
                spec: v.clone(),
                faults: FaultState::default(),
                counters: VenueCounters::default(),
                log: Arc::new(SendLog::new(cfg.send_log_capacity)),
                by_instrument: (v.kind == VenueKind::Upbit).then(|| {
                    let n = v.symbols.len().max(1);
                    // Twice an even share of the venue's log: instruments' rates differ a little.
                    Arc::new(InstrumentSends::new(n, 2 * cfg.send_log_capacity / n))
                }),
                conns: Mutex::new(Vec::new()),
                feeding: AtomicU64::new(0),
                tops: Mutex::new(vec![None; v.symbols.len().max(1)]),
            })
            .collect(),
        keep_alive: cfg.keep_alive,
        max_client_message_bytes: cfg.max_client_message_bytes,
        scales,
        feed_any_subscription: feed_any,
        started: Instant::now(),
        injected: Mutex::new(Vec::new()),
        source_done: AtomicBool::new(false),
        generated: AtomicU64::new(0),
        conn_threads: Mutex::new(Vec::new()),
        next_conn: AtomicU64::new(1),
    })
}

fn accept_loop(shared: Arc<Shared>, vi: usize, listener: TcpListener, queue: usize) {
    for stream in listener.incoming() {
        if shared.stopping() {
            break;
        }
        let Ok(stream) = stream else {
            std::thread::sleep(Duration::from_millis(1));
            continue;
        };
        let venue = &shared.venues[vi];
        VenueCounters::inc(&venue.counters.connections_accepted);
        let conn_no = shared.next_conn.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = sync_channel(queue);
        venue.conns().push((conn_no, tx));
        let sh = Arc::clone(&shared);
        let name = format!("mockex-{}-{conn_no}", venue.spec.name);
        let spawned = std::thread::Builder::new()
            .name(name)
            .spawn(move || conn::serve(sh, vi, conn_no, stream, rx));
        match spawned {
            Ok(h) => {
                let mut threads = shared
                    .conn_threads
                    .lock()
                    .unwrap_or_else(|p| p.into_inner());
                threads.retain(|t| !t.is_finished());
                threads.push(h);
            }
            Err(_) => venue.conns().retain(|(id, _)| *id != conn_no),
        }
    }
}
