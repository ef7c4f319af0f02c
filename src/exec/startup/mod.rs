//! Start-up of the REST gateway (`execution.gateway = "rest"`), cold path: what the engine asks
//! the venues before it trades (blocking account calls, allocation, stderr lines), each step its
//! own file, called from [`crate::exec::build`] in this order:
//!
//! - [`dns`]: start-up lookup retries counted, hosts resolved again on every reconnect.
//! - [`server_time`]: each venue's server clock, measured now and periodically, so signed
//!   timestamps are on the venue's clock (first: the signed steps after it use the offset).
//! - [`rate_limits`]: Binance's exchangeInfo `rateLimits` applied to its limiter groups.
//! - [`rules`]: every trading venue's instrument rules (tick, step, minimums) into the stage's
//!   rules table, with the config's overrides checked against them.
//! - Venue truth ([`start`]): for every trading venue, in venue order (a Binance venue with
//!   `order_entry = "ws"` asks them on its own WebSocket API session, REST when that fails), its open orders on the
//!   configured instruments reconciled ([`reconcile`]: foreign ones counted, and cancelled or left
//!   by `execution.reconcile.foreign`), then its balances of the configured assets read into the
//!   risk book ([`balances`]). Trading starts only if every venue succeeded; otherwise the build
//!   fails with a [`StartupError`] naming the venue, the step and the reason (the run exits 1).
//!   Then the account thread ([`crate::exec::truth::thread`]) takes the clients over and the
//!   stage gets its end of the link.
//! - [`previous`]: with `execution.reconcile.previous_trades` (`run --resume FILE`), the previous
//!   run's orders that its trade log leaves without a final state, settled at their venues after
//!   the open orders were reconciled; their lines head this run's trade log.
#![forbid(unsafe_code)]

pub mod balances;
pub mod dns;
pub mod error;
pub mod previous;
pub mod rate_limits;
pub mod reconcile;
pub mod rules;
pub mod server_time;

pub use error::StartupError;

use std::time::Duration;

use crate::base::{Clock, ClockOffsets};
use crate::config::Config;
use crate::config::OrderEntry;
use crate::exec::account::{client_for_venue, AccountError, BinanceWsAccount, SessionCounters};
use crate::exec::gateway::rest::client_prefix;
use crate::exec::params::ExecParams;
use crate::exec::secrets::ApiSecret;
use crate::exec::truth::counters::ColdCounters;
use crate::exec::truth::thread::{AccountThread, Intervals, ThreadParts, VenueTruth};
use crate::exec::truth::{ClientIds, ExecNote, TruthError, TruthLink, TruthMsg};
use crate::model::{VenueId, VenueKind};
use crate::runtime::ring;
use crate::telemetry::Registry;
use reconcile::{reconcile_symbol, wait_gone, ForeignBook, Judge};

/// Lists after a start-up cancel before an order still open fails reconciliation, and their
/// spacing.
const GONE_TRIES: u32 = 40;
const GONE_PAUSE: Duration = Duration::from_millis(50);

/// Run start-up venue truth for `cfg` with `creds` (one per venue) into `p.risk`, then start the
/// account thread on `clock` (the router's: its client-id stamp is this run's). Returns the
/// stage's end of the link ([`crate::exec::ExecStage::set_truth`]).
pub fn start(
    cfg: &Config,
    creds: &[ApiSecret],
    p: &mut ExecParams,
    clock: Clock,
    reg: &mut Registry,
) -> Result<TruthLink, StartupError> {
    start_with_offsets(cfg, creds, p, clock, &ClockOffsets::new(), reg).map(|(link, _)| link)
}

/// [`start`], its account calls signed on the venues' clocks: `offsets` (the REST router's,
/// kept current by the `clock-sync` thread) is read at every signed call. Also settles the
/// previous run's orders when `execution.reconcile.previous_trades` names its log
/// ([`previous`]): what it settled comes back beside the link.
pub fn start_with_offsets(
    cfg: &Config,
    creds: &[ApiSecret],
    p: &mut ExecParams,
    clock: Clock,
    offsets: &ClockOffsets,
    reg: &mut Registry,
) -> Result<(TruthLink, previous::Settled), StartupError> {
    let r = &cfg.execution.reconcile;
    let ids = ClientIds {
        configured: cfg.execution.rest.client_id_prefix.clone(),
        run: client_prefix(cfg, &clock),
    };
    let counters = ColdCounters::register(reg);
    let mut book = ForeignBook::default();
    let assets = p.names.assets.clone();
    let timeout = Duration::from_millis(r.timeout_ms);
    let mut venues = Vec::new();
    let mut initial = Vec::new();
    for (i, v) in cfg.venues.iter().enumerate() {
        if !v.trade {
            continue;
        }
        let id = VenueId(i as u8);
        let fail = |step: &'static str, source: TruthError| {
            counters.on_error(&source);
            StartupError::Venue {
                venue: v.name.clone(),
                step,
                source: Box::new(source),
            }
        };
        let mut client = client_for_venue(cfg, &v.name, creds.get(i), timeout)
            .map_err(|e| fail("account client", e.into()))?;
        client.follow_clock_offsets(offsets.clone(), i);
        // Binance with orders over the WebSocket API: open orders and balances on the account
        // thread's own session (no per-request signature), REST when it fails.
        if v.kind == VenueKind::Binance && v.order_entry == OrderEntry::Ws {
            let counters = SessionCounters::register(reg, &v.name);
            let cred = creds.get(i).ok_or_else(|| {
                fail(
                    "account session",
                    AccountError::Setup {
                        venue: v.name.clone(),
                        why: "no credentials".into(),
                    }
                    .into(),
                )
            })?;
            let s = BinanceWsAccount::for_venue(cfg, i, cred, timeout, counters)
                .map_err(|e| fail("account session", e.into()))?;
            client.set_session(Box::new(s));
        }
        let symbols: Vec<String> = cfg
            .instruments
            .iter()
            .filter_map(|ins| ins.symbols.get(&v.name).cloned())
            .collect();
        let j = Judge {
            venue: id.0,
            ids: &ids,
            policy: r.foreign,
            counters: &counters,
            startup: true,
        };
        for s in &symbols {
            let (_, cancelled) = reconcile_symbol(&mut client, s, &j, &mut book)
                .map_err(|e| fail("open orders", e))?;
            wait_gone(&mut client, s, &ids, &cancelled, GONE_TRIES, GONE_PAUSE)
                .map_err(|e| fail("open orders", e))?;
        }
        let b = balances::fetch_balances(&mut client, &assets).map_err(|e| fail("balances", e))?;
        balances::apply(&mut p.risk, id, &b).map_err(|source| StartupError::Risk {
            venue: v.name.clone(),
            source,
        })?;
        counters.balance_rounds.inc();
        initial.extend(b.iter().map(|&(a, free, total)| (id, a, free, total)));
        venues.push(VenueTruth {
            id,
            client,
            symbols,
        });
    }
    // The previous run's open orders were cancelled above (`previous_run_orders`): now every
    // order its log leaves without a final state is settled at its venue.
    let settled = match &r.previous_trades {
        Some(path) => previous::settle(cfg, creds, offsets, &clock, path)?,
        None => previous::Settled::default(),
    };
    for (name, n) in [
        ("previous_resolved", settled.resolved),
        ("previous_recovered", settled.recovered),
        ("previous_unresolved", settled.unresolved),
        ("previous_duplicate_finals", settled.duplicate_finals),
    ] {
        reg.counter(&format!("exec.reconcile.{name}")).add(n);
    }
    let (tx_in, rx_in) = ring::<TruthMsg>("truth_in", 1024, &mut reg.counters);
    let (tx_out, rx_out) = ring::<ExecNote>("truth_out", 256, &mut reg.counters);
    let parts = ThreadParts {
        venues,
        assets,
        venue_names: cfg.venues.iter().map(|v| v.name.clone()).collect(),
        ids,
        policy: r.foreign,
        every: Intervals {
            balances: Duration::from_millis(r.balance_refresh_ms),
            after_fill: Duration::from_millis(r.balance_after_fill_ms),
            open_orders: Duration::from_millis(r.open_orders_ms),
        },
        clock,
        counters,
        book,
    };
    AccountThread::new(parts, tx_in, rx_out)
        .spawn()
        .map_err(StartupError::Spawn)?;
    let link = TruthLink {
        rx: rx_in,
        tx: tx_out,
        initial,
    };
    Ok((link, settled))
}
