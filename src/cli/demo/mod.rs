//! `microarb demo`: the whole engine on an embedded config with no outside network: the mock
//! exchange serves the four venues' WebSocket protocols on loopback (a synthetic market with
//! injected dislocations), the engine connects to it over real sockets and trades on paper.
//!
//! It says at start where it runs its threads and why, and how to watch it live (`microarb top`
//! on the metrics endpoint it serves on loopback); at the end it prints a summary a newcomer can
//! read ([`closing`]) and leaves the interval log, the report and a latency plot in
//! `microarb-demo/` ([`files`]).

mod closing;
mod files;
mod layout;
mod watch;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};

use microarb::config::{Config, Machine, DEMO_TOML};
use microarb::ingest::IngestSettings;
use microarb::pipeline::{run, Feed};

use super::mock::serve_config_with;

/// Seconds the demo runs unless `--seconds` says otherwise.
const DEFAULT_SECONDS: f64 = 12.0;

/// Arguments of `demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    #[command(flatten)]
    engine: super::EngineArgs,
    /// Frames per second the mock venues send, in total.
    #[arg(long, default_value_t = 20_000)]
    rate: u64,
    /// One injected cross-venue dislocation every this many frames (not a multiple of the four
    /// venues, so that it lands on each venue in turn). The default injects one every 401 frames
    /// (50 a second at 20 000 frames/s): hundreds of arbitrages in a run, enough for a
    /// meaningful `tick_to_order` distribution.
    #[arg(long, default_value_t = 401)]
    dislocation_every: u64,
    /// Updates of the dislocated venue a dislocation lasts (about 200 us each at the default
    /// rate). The paper venue fills each leg against the book as it stands when the leg arrives,
    /// 100-150 us after it was sent; a dislocation gone by then leaves one leg filled and the
    /// other not (`partial`, hedged), as on a real venue.
    #[arg(long, default_value_t = 5)]
    hold_updates: u32,
    /// Slippage buffer on every leg's limit price, bp: room for the book to move while the legs
    /// travel.
    #[arg(long, default_value_t = 1.0)]
    slippage_bps: f64,
    /// Hold the paper venues to the venues' real order rate limits (Upbit 8 orders/s, Binance
    /// 100 per 10 s, ...). Off by default in the demo: at its opportunity rate most would end
    /// `rejected: rate_limited` after waiting for a token, and the wait would dominate
    /// `tick_to_order`. `microarb run` always keeps them unless its config lifts them.
    #[arg(long)]
    venue_limits: bool,
    /// Folder for the interval log, the report and the plot (created if missing).
    #[arg(long, value_name = "DIR", default_value = "microarb-demo")]
    out_dir: PathBuf,
    /// Serve no metrics endpoint (by default one listens on 127.0.0.1:9464, or a free loopback
    /// port when that one is taken).
    #[arg(long, conflicts_with = "metrics")]
    no_metrics: bool,
}

pub fn main(a: DemoArgs) -> ExitCode {
    let mut cfg = match Config::from_toml_str(DEMO_TOML, &Machine::this(!a.engine.no_pin)) {
        Ok(c) => c,
        Err(e) => return super::config_failure(&e),
    };
    if let Some(code) = a.engine.metrics_refusal(&cfg) {
        return code;
    }
    cfg.execution.paper.venue_limits = a.venue_limits;
    for v in &mut cfg.venues {
        v.slippage_bps = a.slippage_bps;
    }
    let files = files::Files::new(
        &a.out_dir,
        a.engine.hist_log.as_deref(),
        a.engine.report.as_deref(),
    );
    if let Err(e) = files.create_dirs() {
        return super::runtime_failure(&format!("{}: {e}", a.out_dir.display()));
    }
    let hold = a.hold_updates.max(1);
    let exchange = match serve_config_with(&mut cfg, a.rate, a.dislocation_every, |m| {
        if let mockex::Source::Synthetic(s) = &mut m.source {
            s.params.hold_ticks = hold;
        }
    }) {
        Ok(x) => x,
        Err(e) => return super::runtime_failure(&format!("mock exchange: {e}")),
    };
    let seconds = a.engine.seconds.unwrap_or(DEFAULT_SECONDS);
    eprintln!(
        "microarb demo: {} mock venues on loopback ({}), {} frames/s, paper trading, {seconds} s",
        exchange.endpoints().len(),
        exchange
            .endpoints()
            .iter()
            .map(|e| format!("{} {}", e.name, e.ws_url))
            .collect::<Vec<_>>()
            .join(", "),
        a.rate
    );
    let layout = layout::describe(&cfg, a.engine.no_pin);
    eprintln!("microarb demo: threads: {}", layout.threads.join("; "));
    for why in &layout.why {
        eprintln!("microarb demo:   {why}");
    }

    let mut opts = a.engine.options(Some(seconds));
    opts.hist_log = Some(files.hlog.clone());
    opts.report = Some(files.report.clone());
    if !a.no_metrics {
        let bound = Arc::new(OnceLock::new());
        opts.metrics = Some(watch::choose(a.engine.metrics.as_deref()));
        opts.metrics_bound = Some(Arc::clone(&bound));
        watch::announce(bound);
    } else {
        eprintln!("microarb demo: no metrics endpoint (--no-metrics)");
    }
    let feed = Feed::Live {
        settings: IngestSettings::default(),
        record: None,
        ingest_only: false,
    };
    let result = run(&cfg, feed, &opts);
    let injected = exchange.injected().len();
    drop(exchange);
    let summary = match result {
        Ok(s) => s,
        Err(e) => return super::runtime_failure(&e),
    };
    let plot_written = match files.write_plot() {
        Ok(()) => true,
        Err(e) => {
            eprintln!("microarb demo: no plot: {e}");
            false
        }
    };
    closing::print(&closing::Closing {
        report: &summary.report,
        injected,
        files: &files,
        plot_written,
        layout: &layout,
        venue_limits: a.venue_limits,
    });
    ExitCode::SUCCESS
}
