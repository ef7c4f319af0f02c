//! Market data through a WebSocket outage, end to end: the whole pipeline (ingest, strategy, paper
//! execution) against the mock exchange's WebSocket feeds and its public REST top-of-book
//! endpoints. The test drops Binance's feed; the engine polls Binance's REST top of book until
//! the stream is back, then the stream takes over again.
//!
//! A tap stands between the ingest stage and the quotes ring and keeps a copy of every quote the
//! strategy gets, so the test reads the sequence from the quotes' own fields (`recv_ts_ns`,
//! `source`), not from the wall-clock pace of the test. It holds the engine to:
//!
//! - REST quotes arrive while the stream is down, and only then; stream quotes come back after;
//! - no gap between consecutive Binance quotes, from the last stream quote before the drop to the
//!   first one after the reconnect, is longer than the poll interval, except where a counter
//!   accounts for it: a poll that found the book unchanged (nothing new to push), a round the
//!   ingest thread reached a whole interval late (skipped), or a poll answered after the
//!   stream's first quote at the hand-over back (older than it, discarded); with none of those,
//!   consecutive REST quotes are exactly one interval apart;
//! - nothing counted twice: no two consecutive quotes of the venue, one of them from REST, show
//!   the same book (the hand-over rule of `ingest/handover.rs`), and the venue's `quotes` plus
//!   `rest_quotes` counters equal the quotes the strategy got;
//! - the counters of the fallback (polls, answers, 429s, parse errors, quotes by source) are in
//!   the report; Upbit, whose stream stays up, never polls;
//! - the run's accounting holds (every opportunity in one terminal state, rings drained), and
//!   with the default config every opportunity with a REST leg is refused (`rest_quote`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::accounting::{check_report, report_counter};
use crate::common::config::{demo_venue, demo_with, set_venues};
use crate::common::mock::serve_config_rest;
use crate::common::tmp::TempDir;
use microarb::base::Counters;
use microarb::config::Config;
use microarb::ingest::{IngestSettings, IngestStage};
use microarb::model::{Quote, QuoteSource, VenueId};
use microarb::pipeline::{run, Feed, RunOptions};
use microarb::runtime::{ring, RingRx, RingTx, Shutdown, Stage, Work};
use mockex::{ApiCredentials, Fault, RestLimits};

const POLL_MS: u64 = 250;
const REST_TIMEOUT_MS: u64 = 500;
const BINANCE: VenueId = VenueId(0);

/// The ingest stage writing into a private ring, each quote copied to `seen` and passed on.
struct Tap {
    inner: IngestStage,
    rx: RingRx<Quote>,
    tx: RingTx<Quote>,
    seen: Arc<Mutex<Vec<Quote>>>,
    dropped: Arc<AtomicU64>,
}

impl Stage for Tap {
    fn name(&self) -> &'static str {
        "ingest(tap)"
    }

    fn poll(&mut self, now_ns: u64) -> Work {
        let w = self.inner.poll(now_ns);
        let mut seen = self.seen.lock().unwrap();
        while let Some(m) = self.rx.pop() {
            match self.tx.push(m.msg, now_ns) {
                Ok(()) => seen.push(m.msg),
                Err(_) => {
                    self.dropped.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        w
    }

    fn flush_telemetry(&mut self, now_ns: u64) {
        self.inner.flush_telemetry(now_ns);
    }

    fn is_finished(&self, stopping: bool) -> bool {
        self.inner.is_finished(stopping)
    }

    fn on_finish(&mut self, now_ns: u64) {
        self.inner.on_finish(now_ns);
    }
}

fn config() -> Config {
    let mut cfg = demo_with(|c| {
        c.telemetry.status_line = false;
        c.telemetry.interval_ms = 200;
        c.ingest.rest_fallback = true;
        c.ingest.rest_timeout_ms = REST_TIMEOUT_MS;
        c.ingest.reconnect_after_ms = 5_000;
        c.ingest.connect_timeout_ms = 2_000;
        // The outage lasts the reconnect backoff: several poll intervals.
        c.ingest.backoff_initial_ms = 1_300;
        c.ingest.backoff_max_ms = 1_500;
    });
    let mut binance = demo_venue("binance");
    binance.rest_poll_ms = Some(POLL_MS);
    binance.stale_after_ms = 400;
    let mut upbit = demo_venue("upbit");
    upbit.stale_after_ms = 400;
    set_venues(&mut cfg, [binance, upbit], |v| match v.name.as_str() {
        "binance" => "BTCUSDT".into(),
        _ => "USDT-BTC".into(),
    });
    cfg
}

fn wait_for(
    within: Duration,
    what: &str,
    seen: &Mutex<Vec<Quote>>,
    cond: impl Fn(&[Quote]) -> bool,
) {
    let deadline = Instant::now() + within;
    while !cond(&seen.lock().unwrap()) {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn quotes_flow_through_a_websocket_outage() {
    let mut cfg = config();
    let api = ApiCredentials::generate().expect("credentials");
    let ex = serve_config_rest(&mut cfg, 2_000, 50, api, RestLimits::default()).expect("mock");
    let cfg = crate::common::config::checked(cfg);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let dropped = Arc::new(AtomicU64::new(0));
    let shutdown = Shutdown::new();
    let dir = TempDir::new("rest-fallback");
    let opps_path = dir.join("opps.jsonl");
    let opts = RunOptions {
        seconds: Some(60.0),
        opps: Some(opps_path.clone()),
        no_pin: true,
        shutdown: Some(shutdown.clone()),
        ..RunOptions::default()
    };
    let (tap_seen, tap_dropped, tap_cfg) = (Arc::clone(&seen), Arc::clone(&dropped), cfg.clone());
    let feed = Feed::Source(Box::new(move |tx, reg| {
        let mut counters = Counters::new();
        let (itx, irx) = ring::<Quote>("tap", 1 << 14, &mut counters);
        let inner = IngestStage::from_config(
            &tap_cfg,
            itx,
            microarb::base::Clock::new(),
            reg,
            &IngestSettings::default(),
        )
        .expect("ingest stage");
        Box::new(Tap {
            inner,
            rx: irx,
            tx,
            seen: tap_seen,
            dropped: tap_dropped,
        })
    }));
    let engine = std::thread::spawn(move || run(&cfg, feed, &opts));

    let binance = |q: &&Quote| q.venue == BINANCE;
    wait_for(
        Duration::from_secs(10),
        "Binance stream quotes",
        &seen,
        |s| s.iter().filter(binance).count() > 50,
    );
    let before = seen.lock().unwrap().len();
    ex.control()
        .inject("binance", Fault::DropConnections)
        .expect("drop");
    wait_for(Duration::from_secs(10), "Binance REST quotes", &seen, |s| {
        s[before..]
            .iter()
            .filter(binance)
            .filter(|q| q.source == QuoteSource::Rest)
            .count()
            >= 3
    });
    wait_for(
        Duration::from_secs(10),
        "the Binance stream back",
        &seen,
        |s| {
            let tail = &s[before..];
            let last_rest = tail
                .iter()
                .rposition(|q| q.venue == BINANCE && q.source == QuoteSource::Rest);
            last_rest.is_some_and(|i| {
                tail[i..]
                    .iter()
                    .filter(binance)
                    .filter(|q| q.source == QuoteSource::Ws)
                    .count()
                    > 20
            })
        },
    );
    shutdown.request();
    let summary = engine.join().expect("engine thread").expect("run");
    let r = &summary.report;
    check_report(r);
    let c = |name: &str| report_counter(r, name);
    eprintln!(
        "binance: polls {} answers {} rest quotes {} unchanged {} superseded {} abandoned {} skipped {} ws_same_as_rest {}; rest_quote rejections {}",
        c("ingest.binance.rest_polls"),
        c("ingest.binance.rest_answers"),
        c("ingest.binance.rest_quotes"),
        c("ingest.binance.rest_unchanged"),
        c("ingest.binance.rest_superseded"),
        c("ingest.binance.rest_abandoned"),
        c("ingest.binance.rest_rounds_skipped"),
        c("ingest.binance.ws_same_as_rest"),
        c("strategy.opps.rejected.rest_quote"),
    );

    assert_eq!(
        dropped.load(Ordering::Relaxed),
        0,
        "the quotes ring never filled"
    );
    // The Binance quotes the strategy got: the whole run, and from the last one before the drop.
    let seen = seen.lock().unwrap();
    let run_all: Vec<Quote> = seen.iter().filter(binance).copied().collect();
    let prev = *seen[..before]
        .iter()
        .rev()
        .find(binance)
        .expect("a quote before the drop");
    let all: Vec<Quote> = std::iter::once(prev)
        .chain(seen[before..].iter().filter(binance).copied())
        .collect();
    let first_rest = all
        .iter()
        .position(|q| q.source == QuoteSource::Rest)
        .expect("REST quotes");
    let last_rest = all
        .iter()
        .rposition(|q| q.source == QuoteSource::Rest)
        .unwrap();
    assert!(first_rest > 0, "the stream delivered before the outage");
    let window = &all[first_rest - 1..];
    let back = window
        .iter()
        .position(|q| q.source == QuoteSource::Ws && q.recv_ts_ns > all[first_rest].recv_ts_ns)
        .expect("stream back");
    assert!(
        window[1..back]
            .iter()
            .all(|q| q.source == QuoteSource::Rest),
        "only REST quotes while the stream is down"
    );
    assert_eq!(
        first_rest + back - 2,
        last_rest,
        "no REST quote once the stream is back"
    );
    assert!(
        window[back..].iter().all(|q| q.source == QuoteSource::Ws),
        "the stream took over again"
    );
    let rest_count = back - 1;
    assert!(rest_count >= 3, "{rest_count} REST quotes");

    // No gap longer than the poll interval, from the quotes' own timestamps.
    let poll_ns = POLL_MS * 1_000_000;
    let t0 = window[0].recv_ts_ns;
    let shown: Vec<String> = window[..(back + 3).min(window.len())]
        .iter()
        .map(|q| format!("{}@{}", q.source.name(), q.recv_ts_ns as i64 - t0 as i64))
        .collect();
    eprintln!("outage window (ns from the last stream quote): {shown:?}");
    // A gap longer than the interval is allowed only where a counter accounts for it: a poll
    // whose answer showed the book the strategy already had (`rest_unchanged`: no new update, so
    // nothing is pushed, as a quiet stream pushes nothing), a round the ingest thread came to a
    // whole interval late (`rest_rounds_skipped`), or, at the hand-over back to the stream, a
    // poll answered after the stream's first quote (`rest_superseded`). Each such event can
    // lengthen one gap by at most one interval (plus, for the hand-over, one round trip).
    let accounted = c("ingest.binance.rest_unchanged")
        + c("ingest.binance.rest_rounds_skipped")
        + c("ingest.binance.rest_superseded");
    let mut long_gaps = 0u64;
    let mut excess = 0u64;
    for (i, pair) in window[..=back].windows(2).enumerate() {
        assert!(
            pair[1].recv_ts_ns >= pair[0].recv_ts_ns,
            "timestamps move forward at {i}: {shown:?}"
        );
        let gap = pair[1].recv_ts_ns - pair[0].recv_ts_ns;
        if gap > poll_ns {
            long_gaps += 1;
            excess += gap - poll_ns;
        }
    }
    assert!(
        long_gaps <= accounted,
        "{long_gaps} gaps longer than {poll_ns} ns, {accounted} accounted for: {shown:?}"
    );
    assert!(
        excess <= accounted * poll_ns + REST_TIMEOUT_MS * 1_000_000,
        "gaps exceed the interval by {excess} ns in all, {accounted} accounted for: {shown:?}"
    );
    // With nothing to account for, every gap is within the interval and consecutive REST quotes
    // are exactly one interval apart (rounds at fixed times).
    if accounted == 0 {
        for pair in window[1..back].windows(2) {
            assert_eq!(
                pair[1].recv_ts_ns - pair[0].recv_ts_ns,
                poll_ns,
                "{shown:?}"
            );
        }
    }

    // Nothing counted twice.
    for pair in run_all.windows(2) {
        let mixed = pair[0].source == QuoteSource::Rest || pair[1].source == QuoteSource::Rest;
        assert!(
            !(mixed && pair[0].same_book(&pair[1])),
            "one book state pushed twice: {pair:?}"
        );
    }
    let got = |source| run_all.iter().filter(|q| q.source == source).count() as u64;
    assert_eq!(
        c("ingest.binance.quotes"),
        got(QuoteSource::Ws),
        "stream quotes counted once"
    );
    assert_eq!(
        c("ingest.binance.rest_quotes"),
        got(QuoteSource::Rest),
        "REST quotes counted once"
    );

    // The fallback's counters.
    assert!(c("ingest.binance.rest_activations") >= 1);
    assert!(c("ingest.binance.rest_polls") >= c("ingest.binance.rest_answers"));
    assert!(c("ingest.binance.rest_answers") >= rest_count as u64);
    assert_eq!(c("ingest.binance.rest_http_429"), 0);
    assert_eq!(c("ingest.binance.rest_http_418"), 0);
    assert_eq!(c("ingest.binance.rest_parse_errors"), 0);
    assert_eq!(c("ingest.binance.rest_venue_errors"), 0);
    assert_eq!(c("ingest.binance.rest_http_errors"), 0);
    assert_eq!(c("ingest.binance.rest_quotes_dropped"), 0);
    assert!(c("ingest.binance.disconnects") >= 1);
    assert_eq!(c("ingest.upbit.rest_polls"), 0, "Upbit's stream stayed up");
    // Default config: nothing with a REST leg reached execution. Every opportunity with a
    // Binance leg, detected while Binance's latest quote (in the order the strategy got its
    // quotes, which across venues need not be receive-time order) was a REST one, was refused
    // as such, and no other.
    let text = std::fs::read_to_string(&opps_path).expect("opps log");
    let mut with_rest_leg = 0;
    for line in text.lines() {
        let o: serde_json::Value = serde_json::from_str(line).expect("opps line");
        let recv = o["recv_ts"].as_u64().expect("recv_ts");
        let binance_leg = o["buy_venue"] == "binance" || o["sell_venue"] == "binance";
        let trigger = if o["trigger_venue"] == "binance" {
            BINANCE
        } else {
            VenueId(1)
        };
        // The quote that triggered it, and Binance's latest quote then.
        let at = seen
            .iter()
            .position(|q| q.venue == trigger && q.recv_ts_ns == recv)
            .unwrap_or_else(|| panic!("its triggering quote was seen: {line}"));
        let binance_then = seen[..=at].iter().rev().find(binance);
        let rest_leg = binance_leg && binance_then.is_some_and(|q| q.source == QuoteSource::Rest);
        if rest_leg {
            with_rest_leg += 1;
        }
        assert_eq!(
            o["outcome"] == "rejected:rest_quote",
            rest_leg,
            "refused as a REST leg exactly when Binance's quote then was REST's: {line}"
        );
    }
    eprintln!("opportunities with a REST leg: {with_rest_leg}");
    assert_eq!(
        r["opportunities"]["rejected"]["rest_quote"]
            .as_u64()
            .unwrap_or(0),
        c("strategy.opps.rejected.rest_quote")
    );
    drop(ex);
}
