//! `mockex`: the mock exchange as a process (docs/architecture.md, "Contracts"). Serves each venue's WebSocket
//! market-data feed on 127.0.0.1, streaming a synthetic multi-venue market or a capture file,
//! until SIGINT/SIGTERM or `--seconds N`.
//!
//! Prints one line per venue, `<venue> ws=<url> rest=<url>`, then serves. `--api-key` and
//! `--api-secret` turn on the REST endpoints of every venue (`rest=http://127.0.0.1:PORT`;
//! `--api-passphrase` is what OKX requests must carry); without them `rest=-`. `--clock-offset-ms N`
//! runs the REST side's server clock N ms off the host's. Exit status: 0 when
//! stopped, 2 for bad usage, 1 when the exchange cannot start.

use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use mockex::{ApiCredentials, MockConfig, MockExchange, MockVenue, SyntheticSource, VenueKind};

/// Command line of `mockex`.
#[derive(Debug, Parser)]
#[command(
    name = "mockex",
    about = "Mock exchange: venue WebSocket feeds and REST order endpoints on loopback"
)]
struct Args {
    /// Venues to serve, comma separated: `kind` or `name=kind` (kinds: binance, upbit, bybit, okx).
    #[arg(long, value_delimiter = ',', default_value = "binance,upbit,bybit,okx")]
    venues: Vec<String>,
    /// Stream this capture file (`.gz` ok) instead of the synthetic market.
    #[arg(long)]
    capture: Option<std::path::PathBuf>,
    /// Frames per second in total across venues (0: as fast as possible).
    #[arg(long, default_value_t = 1000)]
    rate: u64,
    /// Stop after this many seconds (default: run until SIGINT/SIGTERM).
    #[arg(long)]
    seconds: Option<f64>,
    /// Seed of the synthetic market.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Synthetic instruments every venue quotes: `BTC/USDT`, then `C1/USDT`, `C2/USDT`, ... in
    /// each venue's spelling (`BTCUSDT`, `C1-USDT`, `USDT-C1`).
    #[arg(long, default_value_t = 1)]
    instruments: usize,
    /// Stream from the start even before every venue has a subscriber.
    #[arg(long)]
    no_wait: bool,
    /// API key the REST side verifies (turns on every venue's REST endpoints).
    #[arg(long, requires = "api_secret")]
    api_key: Option<String>,
    /// API secret the REST side verifies signatures with.
    #[arg(long, requires = "api_key")]
    api_secret: Option<String>,
    /// Passphrase OKX requests must carry in OK-ACCESS-PASSPHRASE (without it no OKX request
    /// authenticates).
    #[arg(long, requires = "api_key")]
    api_passphrase: Option<String>,
    /// Run the REST side's server clock this many ms off the host's (negative: behind): signed
    /// requests are checked, and server time answered, on that clock (Binance -1021, Bybit
    /// 10002, OKX 50102 for a client that does not correct for it).
    #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
    clock_offset_ms: i64,
}

fn parse_venue(spec: &str, instruments: usize) -> Result<MockVenue, String> {
    let (name, kind) = spec.split_once('=').unwrap_or((spec, spec));
    let kind = VenueKind::from_name(kind.trim())
        .ok_or_else(|| format!("unknown venue kind {kind:?} in --venues {spec:?}"))?;
    Ok(MockVenue::with_instruments(name.trim(), kind, instruments))
}

fn main() -> ExitCode {
    let args = Args::parse();
    let parsed = args.venues.iter().map(|s| parse_venue(s, args.instruments));
    let venues = match parsed.collect() {
        Ok(v) => v,
        Err(e) => {
            eprintln!("mockex: {e}");
            return ExitCode::from(2);
        }
    };
    let mut cfg = match &args.capture {
        Some(path) => MockConfig::capture(venues, path),
        None => {
            let mut src = SyntheticSource::default();
            src.params.seed = args.seed;
            MockConfig::synthetic(venues, src)
        }
    };
    cfg.rate_per_s = args.rate;
    cfg.wait_for_subscribers = !args.no_wait;
    cfg.rest_clock_offset_ms = args.clock_offset_ms;
    if let (Some(key), Some(secret)) = (args.api_key, args.api_secret) {
        let creds = ApiCredentials::new(key, secret);
        cfg.api = Some(match args.api_passphrase {
            Some(p) => creds.with_passphrase(p),
            None => creds,
        });
    }
    let mut ex = match MockExchange::start(cfg) {
        Ok(ex) => ex,
        Err(e) => {
            eprintln!("mockex: {e}");
            return ExitCode::from(1);
        }
    };
    let mut out = std::io::stdout().lock();
    for e in ex.endpoints() {
        let rest = e.rest_url.as_deref().unwrap_or("-");
        let _ = writeln!(out, "{} ws={} rest={rest}", e.name, e.ws_url);
    }
    let _ = out.flush();
    drop(out);

    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        if let Err(e) = signal_hook::flag::register(sig, Arc::clone(&stop)) {
            eprintln!("mockex: cannot handle signal {sig}: {e}");
            return ExitCode::from(1);
        }
    }
    let deadline = args
        .seconds
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| Instant::now() + Duration::from_secs_f64(s));
    while !stop.load(Ordering::Relaxed) && deadline.is_none_or(|d| Instant::now() < d) {
        std::thread::sleep(Duration::from_millis(20));
    }
    ex.stop();
    ExitCode::SUCCESS
}
