//! The ingest stage: one mio `Poll` driving every venue connection of this thread.
//!
//! Per poll: read up to `frames_per_poll` data frames from the connections known to have bytes
//! waiting (round robin, so one busy venue cannot starve the others); look for new readiness with
//! one non-blocking `epoll_wait` unless the budget was spent (then at least every
//! [`EPOLL_EVERY`] polls: mio is edge-triggered, so readiness not yet collected waits in the
//! kernel and nothing is lost by asking later); then each connection's timers run (connect
//! timeouts, keep-alive pings, staleness, reconnects). Quotes go into the quotes ring; a full ring
//! drops and counts, never blocks.
//!
//! On a thread shared with the strategy and execution (the 2- and 3-core topologies) the budget is
//! one frame: each quote goes all the way to its order before the next frame is parsed and before
//! the `recv` that finds the socket empty or the next `epoll_wait`, so those system calls are no
//! longer inside tick-to-order. A dedicated ingest thread reads up to [`READ_BUDGET`] frames per
//! poll.

use std::time::Duration;

use mio::{Events, Poll, Token};
use thiserror::Error;

use super::conn::{ConnSpec, Connection, READ_BUDGET};
use super::handover::Handover;
use super::out::Out;
use super::rest::{rest_spec, RestBuildError, RestPoller};
use super::venues::{keep_alive, subscribe_messages, ws_url, FeedParser, SymbolError, SymbolTable};
use crate::base::backoff::{Backoff, BackoffConfig};
use crate::base::breaker::BreakerConfig;
use crate::base::Clock;
use crate::config::Config;
use crate::model::{InstrumentId, Quote, VenueId};
use crate::net::dns::{self, SystemResolver};
use crate::net::dns_refresh::{DnsRefresh, DnsRefreshHandle};
use crate::net::tls;
use crate::net::url::{UrlError, WsUrl};
use crate::runtime::{RingTx, Stage, Work};
use crate::telemetry::{Metric, Registry};

/// Why the ingest stage could not be built.
#[derive(Debug, Error)]
pub enum IngestBuildError {
    /// A venue's URL is malformed.
    #[error("venue {venue}: {source}")]
    Url {
        /// Venue name.
        venue: String,
        /// What is wrong.
        source: UrlError,
    },
    /// A venue's host did not resolve.
    #[error("venue {venue}: cannot resolve {host}: {reason}")]
    Resolve {
        /// Venue name.
        venue: String,
        /// Host name.
        host: String,
        /// The resolver's error.
        reason: String,
    },
    /// A symbol could not be put in the venue's table.
    #[error("venue {venue}: {source}")]
    Symbol {
        /// Venue name.
        venue: String,
        /// What is wrong.
        source: SymbolError,
    },
    /// A venue's REST fallback could not be set up.
    #[error("rest fallback: {0}")]
    Rest(#[from] RestBuildError),
    /// TLS could not be set up.
    #[error("tls: {0}")]
    Tls(#[from] rustls::Error),
    /// The OS refused the poller.
    #[error("poll: {0}")]
    Io(#[from] std::io::Error),
}

/// Extra settings that are not config keys (tests, the demo).
#[derive(Debug, Clone, Default)]
pub struct IngestSettings {
    /// Extra trusted roots (DER) for `wss://` (a private CA, a test CA on loopback).
    pub extra_roots: Vec<rustls::pki_types::CertificateDer<'static>>,
    /// Seed for the reconnect jitter.
    pub seed: u64,
    /// Data frames read per poll, over all connections (0: [`READ_BUDGET`]). The pipeline sets 1
    /// when ingest shares its thread with the strategy.
    pub frames_per_poll: u32,
}

/// Polls that may skip `epoll_wait` in a row while frames are still waiting to be read, so a venue
/// flooding the budget cannot hide another venue's readiness for long.
pub const EPOLL_EVERY: u32 = 8;

/// Tokens of the REST fallback's sockets start here (venue `vi` is `REST_TOKEN_BASE + vi`); the
/// WebSocket connections' tokens are the venue indices below it.
pub const REST_TOKEN_BASE: usize = 1 << 16;

/// `(venue symbol, instrument, price_scale, qty_scale)` of every instrument listed on venue `vi`,
/// in instrument order.
pub fn venue_symbols(cfg: &Config, vi: usize) -> Vec<(&str, InstrumentId, u8, u8)> {
    let name = &cfg.venues[vi].name;
    cfg.instruments
        .iter()
        .enumerate()
        .filter_map(|(ii, ins)| {
            ins.symbols.get(name).map(|sym| {
                (
                    sym.as_str(),
                    InstrumentId(ii as u16),
                    ins.price_scale,
                    ins.qty_scale,
                )
            })
        })
        .collect()
}

fn symbol_table(cfg: &Config, vi: usize) -> Result<SymbolTable, IngestBuildError> {
    SymbolTable::from_entries(venue_symbols(cfg, vi)).map_err(|source| IngestBuildError::Symbol {
        venue: cfg.venues[vi].name.clone(),
        source,
    })
}

/// One parser per configured venue (venue name, parser), as ingest builds them; `replay` uses the
/// same so a capture is decoded exactly as the live feed was.
pub fn parsers_from_config(cfg: &Config) -> Result<Vec<(String, FeedParser)>, IngestBuildError> {
    cfg.venues
        .iter()
        .enumerate()
        .map(|(vi, v)| {
            Ok((
                v.name.clone(),
                FeedParser::new(v.kind, VenueId(vi as u8), symbol_table(cfg, vi)?),
            ))
        })
        .collect()
}

/// The ingest stage.
pub struct IngestStage {
    poll: Poll,
    events: Events,
    conns: Vec<Connection>,
    /// The REST fallback per venue (`ingest.rest_fallback`), in venue order; empty when off.
    rest: Vec<RestPoller>,
    out: Out,
    /// Frames per poll.
    budget: u32,
    /// The connection the next round robin starts at.
    next: usize,
    /// Polls since the last `epoll_wait`.
    since_epoll: u32,
    /// The idle rehearsal (see [`IngestStage::maybe_rehearse`]): period (0: never), next due
    /// time, the connection whose parser rehearses next, rehearsals run.
    rehearse_every_ns: u64,
    rehearse_next_ns: u64,
    rehearse_conn: usize,
    rehearsals: u64,
    /// The `dns-refresh` thread that re-resolves the venues' hosts for reconnects (stops when
    /// the stage drops).
    _dns_refresh: Option<DnsRefreshHandle>,
}

impl IngestStage {
    /// Build one connection per configured venue (cold path: resolves hosts, builds tables).
    pub fn from_config(
        cfg: &Config,
        tx: RingTx<Quote>,
        clock: Clock,
        reg: &mut Registry,
        settings: &IngestSettings,
    ) -> Result<IngestStage, IngestBuildError> {
        let tls_cfg = Some(tls::client_config(&settings.extra_roots)?);
        let ing = &cfg.ingest;
        let poll = Poll::new()?;
        let mut conns = Vec::with_capacity(cfg.venues.len());
        let mut rest = Vec::new();
        let mut refresh = DnsRefresh::new(Box::new(SystemResolver));
        for (vi, v) in cfg.venues.iter().enumerate() {
            let entries = venue_symbols(cfg, vi);
            let table = symbol_table(cfg, vi)?;
            if ing.rest_fallback {
                let spec = rest_spec(cfg, vi, &entries, tls_cfg.clone())?;
                rest.push(RestPoller::new(
                    spec,
                    table.clone(),
                    Token(REST_TOKEN_BASE + vi),
                    reg,
                ));
            }
            let symbols: Vec<&str> = entries.iter().map(|e| e.0).collect();
            let url_text = ws_url(v.kind, v.url.as_deref(), &symbols);
            let url = WsUrl::parse(&url_text).map_err(|source| IngestBuildError::Url {
                venue: v.name.clone(),
                source,
            })?;
            let mut retries = 0;
            let addrs = dns::resolve_at_start_up(&url.host, url.port, &mut || retries += 1)
                .map_err(|e| IngestBuildError::Resolve {
                    venue: v.name.clone(),
                    host: url.host.clone(),
                    reason: e.to_string(),
                })?;
            reg.counter(&format!("ingest.{}.dns_retries", v.name))
                .add(retries);
            let feed = refresh.feed(
                &url.host,
                url.port,
                reg.counter(&format!("ingest.{}.dns_re_resolved", v.name)),
                reg.counter(&format!("ingest.{}.dns_failed", v.name)),
            );
            let spec = ConnSpec {
                venue: VenueId(vi as u8),
                name: v.name.clone(),
                subscribe: subscribe_messages(v.kind, &symbols, &format!("microarb-{vi}")),
                url,
                addrs,
                keep_alive: keep_alive(v.kind),
                stale_after_ns: v.stale_after_ms * 1_000_000,
                reconnect_after_ns: ing.reconnect_after_ms * 1_000_000,
                connect_timeout_ns: ing.connect_timeout_ms * 1_000_000,
                max_message_bytes: ing.max_message_bytes as usize,
                breaker: BreakerConfig {
                    failure_threshold: ing.breaker_failures,
                    recovery_timeout_ns: ing.breaker_open_ms * 1_000_000,
                    success_threshold: 1,
                    max_probes: 1,
                },
            };
            let backoff = Backoff::new(
                BackoffConfig {
                    initial_ns: ing.backoff_initial_ms * 1_000_000,
                    max_ns: ing.backoff_max_ms * 1_000_000,
                    jitter_pct: 20,
                    healthy_after_ns: ing.healthy_after_ms * 1_000_000,
                },
                settings.seed ^ (vi as u64 + 1),
            );
            let parser = FeedParser::new(v.kind, VenueId(vi as u8), table);
            let mut conn = Connection::new(spec, Token(vi), tls_cfg.clone(), parser, backoff, reg);
            conn.set_addr_feed(feed);
            conns.push(conn);
        }
        let dns_refresh = if refresh.is_empty() {
            None
        } else {
            Some(refresh.start()?)
        };
        Ok(IngestStage {
            poll,
            events: Events::with_capacity(256),
            conns,
            rest,
            out: Out {
                tx,
                clock,
                rec: reg.recorder(
                    "ingest",
                    &[Metric::Parse, Metric::FeedLag, Metric::FeedLagNeg],
                ),
                record: None,
                handover: Handover::new(cfg.instruments.len(), cfg.venues.len()),
            },
            budget: match settings.frames_per_poll {
                0 => READ_BUDGET,
                n => n,
            },
            next: 0,
            since_epoll: 0,
            rehearse_every_ns: cfg.execution.rehearse_every_us.saturating_mul(1_000),
            rehearse_next_ns: 0,
            rehearse_conn: 0,
            rehearsals: 0,
            _dns_refresh: dns_refresh,
        })
    }

    /// While no frame arrives, every `execution.rehearse_every_us` one connection's parser (round
    /// robin) parses its last quote frame again and drops the result ([`FeedParser::rehearse`]:
    /// no sequence check, a scratch book for Bybit, nothing pushed or counted). Why: on a quiet
    /// market the parser's code and the symbol table are evicted between frames by the polling
    /// and the other stages, and the first frame after a pause parsed several times slower
    /// (parse p50 about 3.5x its busy-market figure in the e2e bench).
    ///
    /// [`FeedParser::rehearse`]: super::venues::FeedParser::rehearse
    #[inline]
    fn maybe_rehearse(&mut self, now_ns: u64) {
        if self.rehearse_every_ns == 0 || now_ns < self.rehearse_next_ns || self.conns.is_empty() {
            return;
        }
        self.rehearse_next_ns = now_ns.saturating_add(self.rehearse_every_ns);
        let i = self.rehearse_conn % self.conns.len();
        self.rehearse_conn = i + 1;
        if self.conns[i].parser.rehearse(now_ns) {
            self.rehearsals += 1;
        }
    }

    /// Rehearsals that parsed a quote so far (tests).
    pub fn rehearsals(&self) -> u64 {
        self.rehearsals
    }

    /// Read up to `budget` frames from connections with bytes waiting, round robin from
    /// `self.next`. Returns the frames read.
    fn serve(&mut self, budget: u32) -> u32 {
        let len = self.conns.len();
        let reg = self.poll.registry();
        let mut n = 0u32;
        for i in 0..len {
            if n >= budget {
                break;
            }
            let at = (self.next + i) % len;
            let c = &mut self.conns[at];
            if c.has_pending() {
                n += c.resume(reg, &mut self.out, budget - n);
                if c.has_pending() {
                    // Stopped at the budget: this one goes first next time.
                    self.next = at;
                } else {
                    self.next = (at + 1) % len;
                }
            }
        }
        n
    }

    /// Record every raw frame (`microarb record`).
    pub fn set_recorder(&mut self, tx: crate::record::RecordTx) {
        self.out.record = Some(tx);
    }

    /// Connections, in venue order (for tests and status).
    pub fn connections(&self) -> &[Connection] {
        &self.conns
    }

    /// The REST fallback's pollers, in venue order (empty unless `ingest.rest_fallback`).
    pub fn rest_pollers(&self) -> &[RestPoller] {
        &self.rest
    }
}

impl Stage for IngestStage {
    fn name(&self) -> &'static str {
        "ingest"
    }

    fn poll(&mut self, now_ns: u64) -> Work {
        let mut n = self.serve(self.budget);
        if n < self.budget || self.since_epoll >= EPOLL_EVERY {
            self.since_epoll = 0;
            if self
                .poll
                .poll(&mut self.events, Some(Duration::ZERO))
                .is_ok()
            {
                let reg = self.poll.registry();
                for ev in self.events.iter() {
                    let t = ev.token().0;
                    if let Some(c) = self.conns.get_mut(t) {
                        // Handshakes advance here; an open socket is marked readable.
                        c.on_event(now_ns, reg);
                    } else if let Some(p) = t
                        .checked_sub(REST_TOKEN_BASE)
                        .and_then(|i| self.rest.get_mut(i))
                    {
                        // REST quotes are stamped on the clock that stamps stream quotes.
                        let rest_now = self.out.clock.now_ns();
                        let (answers, sample) = p.on_event(rest_now, reg, &mut self.out);
                        n += answers;
                        if let (Some(s), Some(c)) =
                            (sample, self.conns.get_mut(t - REST_TOKEN_BASE))
                        {
                            c.offer_sample(now_ns, s);
                        }
                    }
                }
            }
            if n < self.budget {
                n += self.serve(self.budget - n);
            }
        } else {
            self.since_epoll += 1;
        }
        let reg = self.poll.registry();
        for c in self.conns.iter_mut() {
            c.on_timer(now_ns, reg, &mut self.out);
        }
        // The REST fallback's times come from the clock that stamps stream quotes (`Out::clock`),
        // so the two sources' stamps compare whoever drives this stage. One vDSO read a poll, and
        // only when the fallback is configured.
        let rest_now = if self.rest.is_empty() {
            now_ns
        } else {
            self.out.clock.now_ns()
        };
        for (p, c) in self.rest.iter_mut().zip(self.conns.iter_mut()) {
            let (answers, sample) = p.on_timer(rest_now, c.is_live(rest_now), reg, &mut self.out);
            n += answers;
            if let Some(s) = sample {
                c.offer_sample(now_ns, s);
            }
        }
        if n == 0 {
            self.maybe_rehearse(now_ns);
        } else {
            self.rehearse_next_ns = now_ns.saturating_add(self.rehearse_every_ns);
        }
        Work(n)
    }

    fn flush_telemetry(&mut self, now_ns: u64) {
        self.out.rec.flush(now_ns);
    }

    fn is_finished(&self, stopping: bool) -> bool {
        stopping
    }

    fn on_finish(&mut self, _now_ns: u64) {
        let reg = self.poll.registry();
        for c in self.conns.iter_mut() {
            c.close(reg);
        }
        for p in self.rest.iter_mut() {
            p.close(reg);
        }
    }
}
