//! `e2e`: one engine against the mock exchange, end to end over loopback, with send-to-order
//! latency measured from the venue's side.
//!
//! The mock exchange runs in this process (synthetic market of `--instruments` instruments, default
//! 50, on `--venues`, default four: Binance, Bybit, OKX and Upbit in its binary frames, with
//! injected dislocations rotating over the instruments, at a fixed rate), logging the send time of
//! every frame by venue and update id. The engine's config has one `[[instruments]]` per
//! synthetic coin (`BTC/USDT`, `C1/USDT`, ...) with each venue's spelling of it. The engine under test runs as its own process (`microarb run` or the `baseline`),
//! configured with the mock's URLs, and writes its report, interval log and per-order lines
//! (`--opps`: the triggering frame's venue and update id, and when the order bytes were written).
//! After the run this joins each order to the send time of the frame that triggered it:
//! `send_to_order = order written (unix ns) - frame sent (unix ns)`, one clock on one host.
//! `tick_to_order` (receive to order bytes) is the engine's own histogram from its report. Upbit's
//! frames carry no update id (the engine records 0), so an order an Upbit frame triggered is
//! joined to the last frame of its instrument the mock sent at or before the engine received it
//! (`e2e_wire::TriggerSends`); one with no such frame within a millisecond is counted as
//! `orders_untimed`, not as unmatched.
//!
//! With `--metrics` the engine serves its Prometheus endpoint on a free loopback port, and with
//! `--scrape-hz N` a thread here GETs it N times a second while the engine runs (counted under
//! `metrics` in the output): `perf/scrape.sh` compares the hot path's histograms with and without.
//!
//! Prints one JSON object (and writes it to `--out DIR/<engine>-<rate>.json`).

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use clap::Parser;

#[path = "e2e_scrape.rs"]
mod scrape;
#[path = "e2e_wire.rs"]
mod wire;
use mockex::{MockConfig, MockExchange, MockVenue, SimParams, SyntheticSource, VenueKind};

/// Arguments.
#[derive(Debug, Parser)]
#[command(about = "one engine against the in-process mock exchange, send-to-order latency")]
struct Args {
    /// `microarb` or `baseline`.
    #[arg(long)]
    engine: String,
    /// The engine's binary.
    #[arg(long)]
    bin: PathBuf,
    /// Frames per second in total across the venues.
    #[arg(long, default_value_t = 100_000)]
    rate: u64,
    /// Seconds the engine runs.
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// One injected dislocation every this many frames.
    #[arg(long, default_value_t = 500)]
    dislocation_every: u64,
    /// Output folder.
    #[arg(long, default_value = "perf/out")]
    out: PathBuf,
    /// The engine's idle strategy (`busy-spin`, `spin-yield`, `park`).
    #[arg(long, default_value = "busy-spin")]
    idle: String,
    /// Core for the mock exchange (the engine's default topology takes the last core).
    #[arg(long, default_value_t = 0)]
    mock_core: usize,
    /// Serve the engine's Prometheus endpoint (`--metrics` on a free loopback port).
    #[arg(long)]
    metrics: bool,
    /// With `--metrics`: GET /metrics this many times a second while the engine runs (0: never).
    #[arg(long, default_value_t = 0.0)]
    scrape_hz: f64,
    /// `paper` (the engine's simulated venue), `rest` (its REST gateways to the mock's REST
    /// endpoints, which stamp each order's arrival: `wire_to_wire`; the baseline sends with
    /// reqwest) or `ws` (microarb only: as `rest`, with each venue whose orders can go over a
    /// WebSocket session on it, `order_entry = "ws"`; Binance's WebSocket API logs on with a
    /// fresh Ed25519 key, Bybit's trade socket and private stream authenticate with the REST
    /// key).
    #[arg(long, default_value = "paper")]
    gateway: String,
    /// With `--gateway rest`: the mock's REST threads sleep in `read` instead of busy-polling
    /// (the engine's `write` then pays the reader's wake-up inside the call).
    #[arg(long)]
    mock_rest_sleeps: bool,
    /// With `--gateway rest` or `ws`: microarb's `execution.warm_write_every_us` (its default
    /// when not given; 0 turns the warm writes off).
    #[arg(long)]
    warm_write_every_us: Option<u64>,
    /// Synthetic instruments every venue quotes.
    #[arg(long, default_value_t = 50)]
    instruments: usize,
    /// The venues: a count (the first N of binance, bybit, okx, upbit) or a comma list of those
    /// names.
    #[arg(long, default_value = "4")]
    venues: String,
}

/// Every venue the bench can serve, in the order a count takes them, with its taker fee (bp).
const ALL_VENUES: [(&str, VenueKind, f64); 4] = [
    ("binance", VenueKind::Binance, 10.0),
    ("bybit", VenueKind::Bybit, 10.0),
    ("okx", VenueKind::Okx, 8.0),
    ("upbit", VenueKind::Upbit, 5.0),
];

/// The venues `--venues` names (a count or a comma list).
fn venues(arg: &str) -> Result<Vec<(&'static str, VenueKind, f64)>, String> {
    if let Ok(n) = arg.trim().parse::<usize>() {
        if !(2..=ALL_VENUES.len()).contains(&n) {
            return Err(format!("--venues {n}: between 2 and {}", ALL_VENUES.len()));
        }
        return Ok(ALL_VENUES[..n].to_vec());
    }
    let mut out = Vec::new();
    for name in arg.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let v = ALL_VENUES
            .iter()
            .find(|(n, _, _)| *n == name)
            .ok_or_else(|| format!("--venues: unknown venue {name:?}"))?;
        if out.iter().any(|(n, _, _)| *n == name) {
            return Err(format!("--venues: {name} twice"));
        }
        out.push(*v);
    }
    if out.len() < 2 {
        return Err("--venues: at least two venues".into());
    }
    Ok(out)
}

/// The engine's config: paper, or with `rest` each venue's REST URL and credentials file; one
/// `[[instruments]]` per synthetic instrument, named `<base>/USDT`, with each venue's symbol.
/// The network side of the engine's config: each venue's REST URL, its WebSocket order-entry URL
/// where its orders go over a session (`None`: REST), and the credentials.
struct Network<'a> {
    rest_urls: &'a [String],
    ws_urls: &'a [Option<String>],
    /// The private stream's own socket per venue, where it has one (Bybit), with `ws_urls`.
    private_urls: &'a [Option<String>],
    creds: &'a wire::Creds,
}

fn config(
    venues: &[MockVenue],
    fees: &[f64],
    urls: &[String],
    rest: Option<Network<'_>>,
    idle: &str,
    warm_write_every_us: Option<u64>,
) -> String {
    let mut t = String::new();
    for (i, v) in venues.iter().enumerate() {
        let (name, kind) = (&v.name, v.kind);
        t += &format!(
            "[[venues]]\nname = \"{name}\"\nkind = \"{}\"\nurl = \"{}\"\ntaker_fee_bps = {:.1}\nstale_after_ms = 500\n",
            kind.name(),
            urls[i],
            fees[i]
        );
        if let Some(n) = &rest {
            let c = n.creds;
            let file = if kind == VenueKind::Okx {
                &c.okx
            } else {
                &c.plain
            };
            t += &format!(
                "rest_url = \"{}\"\napi_secret_file = \"{}\"\n",
                n.rest_urls[i],
                file.display()
            );
            if let Some(Some(url)) = n.ws_urls.get(i) {
                t += &format!("order_entry = \"ws\"\nws_api_url = \"{url}\"\n");
                if kind == VenueKind::Binance {
                    t += &format!("ed25519_key_file = \"{}\"\n", c.ed25519_pem.display());
                }
                if let Some(Some(url)) = n.private_urls.get(i) {
                    t += &format!("private_ws_url = \"{url}\"\n");
                }
            }
        }
        t += "\n";
    }
    let instruments = venues.iter().map(|v| v.symbols.len()).min().unwrap_or(0);
    for i in 0..instruments {
        t += &format!(
            "[[instruments]]\nname = \"{}/USDT\"\nprice_scale = 8\nqty_scale = 8\nlot = \"0.00001\"\n",
            MockVenue::synthetic_base(i)
        );
        let symbols: Vec<String> = venues
            .iter()
            .map(|v| format!("{} = \"{}\"", v.name, v.symbols[i]))
            .collect();
        t += &format!("symbols = {{ {} }}\n\n", symbols.join(", "));
    }
    t += "[strategy]\nmin_profit_bps = 2.0\nmax_notional = \"1000\"\n\n";
    // The baseline (the seed's design) has no venue rate limiter; lift the paper venue's limits so
    // both engines send every opportunity they find and the latency compares like with like.
    if rest.is_some() {
        // The bench measures the engine, not the venues' pacing: limits lifted on both sides
        // (the engine allows this for loopback URLs only; the mock's are lifted in `run`).
        t += "[execution]\ngateway = \"rest\"\n";
        if let Some(w) = warm_write_every_us {
            t += &format!("warm_write_every_us = {w}\n");
        }
        t += "\n[execution.rest]\nvenue_limits = false\n\n";
    } else {
        t += "[execution]\ngateway = \"paper\"\n\n[execution.paper]\nvenue_limits = false\n\n";
    }
    t += &format!("[runtime]\nidle = \"{idle}\"\n\n");
    t += "[telemetry]\ninterval_ms = 1000\nstatus_line = false\n";
    t
}

fn quantiles(h: &hdrhistogram::Histogram<u64>) -> serde_json::Value {
    let q = |x: f64| {
        if h.is_empty() {
            0
        } else {
            h.value_at_quantile(x)
        }
    };
    serde_json::json!({
        "count": h.len(),
        "p50_ns": q(0.5),
        "p99_ns": q(0.99),
        "p999_ns": q(0.999),
        "max_ns": h.max(),
    })
}

fn counter_sum(report: &serde_json::Value, pred: impl Fn(&str) -> bool) -> u64 {
    report["counters"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| pred(k))
                .filter_map(|(_, v)| v.as_u64())
                .sum()
        })
        .unwrap_or(0)
}

fn main() {
    let a = Args::parse();
    if let Err(e) = run(&a) {
        eprintln!("e2e: {e}");
        std::process::exit(1);
    }
}

fn run(a: &Args) -> Result<(), String> {
    std::fs::create_dir_all(&a.out).map_err(|e| e.to_string())?;
    let (rest, ws) = match a.gateway.as_str() {
        "paper" => (false, false),
        "rest" => (true, false),
        "ws" if a.engine == "microarb" => (true, true),
        "ws" => return Err("--gateway ws: microarb only (the baseline's design is REST)".into()),
        g => return Err(format!("--gateway {g}: paper, rest or ws")),
    };
    let list = venues(&a.venues)?;
    let instruments = a.instruments.max(1);
    // The default workload keeps the plain tag; any other says its instruments x venues.
    let workload = format!("{instruments}x{}", list.len());
    let mut tag = if ws {
        format!("{}-ws-{}", a.engine, a.rate)
    } else if rest {
        format!("{}-rest-{}", a.engine, a.rate)
    } else {
        format!("{}-{}", a.engine, a.rate)
    };
    let default_names: Vec<&str> = ALL_VENUES.iter().map(|v| v.0).collect();
    let names: Vec<&str> = list.iter().map(|v| v.0).collect();
    if instruments != 50 || names != default_names {
        tag = format!("{tag}-{workload}");
    }
    let path = |ext: &str| a.out.join(format!("{tag}.{ext}"));
    let venues: Vec<MockVenue> = list
        .iter()
        .map(|(n, k, _)| MockVenue::with_instruments(*n, *k, instruments))
        .collect();
    let fees: Vec<f64> = list.iter().map(|v| v.2).collect();
    let source = SyntheticSource {
        params: SimParams {
            venues: venues.len(),
            instruments,
            dislocation_every: a.dislocation_every,
            ..SimParams::default()
        },
        // Stop sending a second before the engine stops reading, so every frame sent had time to
        // arrive: a gap between sent and received is then a real loss, not frames in flight.
        max_frames: Some((a.rate as f64 * (a.seconds - 1.0).max(a.seconds / 2.0)) as u64),
        ..SyntheticSource::default()
    };
    let mut mcfg = MockConfig::synthetic(venues.clone(), source);
    mcfg.rate_per_s = a.rate;
    let per_venue = (a.rate as f64 * (a.seconds + 10.0) / venues.len() as f64) as usize;
    mcfg.send_log_capacity = per_venue.next_power_of_two().max(1 << 16);
    // The mock's threads inherit this thread's affinity: keep them on their own core.
    let creds = if rest {
        let c = wire::creds(&a.out, &tag)?;
        mcfg.api = Some(c.api.clone());
        mcfg.rest_busy_poll = !a.mock_rest_sleeps;
        mcfg.rest_limits = mockex::RestLimits::unlimited();
        if ws {
            mcfg.ws_api.ed25519_public_key = Some(c.ed25519_public.clone());
        }
        Some(c)
    } else {
        None
    };
    let mock_pinned = microarb::runtime::pin_current(a.mock_core);
    let ex = MockExchange::start(mcfg).map_err(|e| format!("mock exchange: {e}"))?;
    let urls: Vec<String> = ex.endpoints().iter().map(|e| e.ws_url.clone()).collect();
    let rest_urls: Vec<String> = ex
        .endpoints()
        .iter()
        .map(|e| e.rest_url.clone().unwrap_or_default())
        .collect();
    let cfg_path = path("toml");
    let ws_urls: Vec<Option<String>> = ex
        .endpoints()
        .iter()
        .map(|e| e.ws_api_url.clone().filter(|_| ws))
        .collect();
    let private_urls: Vec<Option<String>> = ex
        .endpoints()
        .iter()
        .map(|e| e.private_ws_url.clone().filter(|_| ws))
        .collect();
    let rest_side = creds.as_ref().map(|c| Network {
        rest_urls: &rest_urls,
        ws_urls: &ws_urls,
        private_urls: &private_urls,
        creds: c,
    });
    let text = config(
        &venues,
        &fees,
        &urls,
        rest_side,
        &a.idle,
        a.warm_write_every_us,
    );
    std::fs::write(&cfg_path, text).map_err(|e| e.to_string())?;
    let trades = path("trades.jsonl");

    let (report, hlog, opps) = (path("report.json"), path("hlog"), path("opps.jsonl"));
    let secs = format!("{}", a.seconds);
    let mut cmd = Command::new(&a.bin);
    if a.engine == "microarb" {
        cmd.arg("run");
    }
    cmd.arg("--config")
        .arg(&cfg_path)
        .args(["--seconds", &secs]);
    cmd.arg("--report")
        .arg(&report)
        .arg("--hist-log")
        .arg(&hlog)
        .arg("--opps")
        .arg(&opps);
    if a.engine == "microarb" {
        cmd.arg("--quiet");
    }
    if rest {
        cmd.arg("--trades").arg(&trades);
    }
    let metrics_addr: Option<std::net::SocketAddr> = if a.metrics {
        let port = scrape::free_port().map_err(|e| format!("no free port: {e}"))?;
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        cmd.arg("--metrics").arg(addr.to_string());
        Some(addr)
    } else {
        None
    };
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", a.bin.display()))?;
    let scraper = match metrics_addr {
        Some(addr) if a.scrape_hz > 0.0 => {
            Some(scrape::Scraper::start(addr, a.scrape_hz).map_err(|e| e.to_string())?)
        }
        _ => None,
    };
    let status = child.wait().map_err(|e| e.to_string());
    let scraped = scraper.map(scrape::Scraper::stop);
    let status = status?;
    if !status.success() {
        return Err(format!("{} exited with {status}", a.engine));
    }
    let wall = started.elapsed();
    let metrics_json = match (&metrics_addr, &scraped) {
        (None, _) => serde_json::Value::Null,
        (Some(addr), None) => serde_json::json!({ "endpoint": addr.to_string(), "scrape_hz": 0.0 }),
        (Some(addr), Some(st)) => {
            let mut d = st.durations_ns.clone();
            d.sort_unstable();
            let at = |q: f64| {
                d.get(((d.len() as f64 - 1.0) * q) as usize)
                    .copied()
                    .unwrap_or(0)
            };
            serde_json::json!({
                "endpoint": addr.to_string(),
                "scrape_hz": a.scrape_hz,
                "scrapes_ok": st.ok,
                "scrapes_failed": st.failed,
                "bytes_per_scrape": st.last_bytes,
                "scrape_p50_ns": at(0.5),
                "scrape_max_ns": d.last().copied().unwrap_or(0),
            })
        }
    };
    let stats = ex.stats();
    let sent: u64 = stats.iter().map(|s| s.frames_sent).sum();
    let mock_dropped: u64 = stats.iter().map(|s| s.frames_dropped).sum();

    let rep: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    let received = counter_sum(&rep, |k| k.starts_with("ingest.") && k.ends_with(".frames"));
    // Ring drops (each is also counted by its producer under another name: count rings only).
    let engine_dropped = counter_sum(&rep, |k| k.starts_with("ring.") && k.ends_with(".dropped"));

    // Join orders to the send times of their triggering frames.
    let mut s2o =
        hdrhistogram::Histogram::<u64>::new_with_bounds(1, 60_000_000_000, 3).expect("bounds");
    let mut unmatched = 0u64;
    let mut untimed = 0u64;
    let mut per_instrument = std::collections::BTreeMap::<String, u64>::new();
    let mut per_trigger_venue = std::collections::BTreeMap::<String, u64>::new();
    let untimed_venues: Vec<&str> = list
        .iter()
        .filter(|v| v.1 == VenueKind::Upbit)
        .map(|v| v.0)
        .collect();
    let instrument_names: Vec<String> = (0..instruments)
        .map(|i| format!("{}/USDT", MockVenue::synthetic_base(i)))
        .collect();
    // microarb logs `recv_ts` on its monotonic clock and reports that clock's zero; the
    // baseline logs `recv_unix` itself.
    let anchor = rep["run"]["unix_anchor_ns"].as_u64();
    let sends = wire::TriggerSends::new(&ex, &untimed_venues, &instrument_names, anchor);
    let text = std::fs::read_to_string(&opps).unwrap_or_default();
    for line in text.lines() {
        let Ok(o) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let (Some(ts), Some(v)) = (o["order_ts"].as_u64(), o["trigger_venue"].as_str()) else {
            continue;
        };
        if let Some(ins) = o["instrument"].as_str() {
            *per_instrument.entry(ins.to_owned()).or_default() += 1;
        }
        *per_trigger_venue.entry(v.to_owned()).or_default() += 1;
        match sends.send_of(&o) {
            wire::TriggerSend::Sent(s) if ts >= s => s2o.saturating_record(ts - s),
            wire::TriggerSend::Untimed => untimed += 1,
            _ => unmatched += 1,
        }
    }
    let wire = if rest {
        let t = std::fs::read_to_string(&trades).unwrap_or_default();
        Some(wire::wire_to_wire(&ex, &names, &sends, &text, &t))
    } else {
        None
    };
    let (w2w, w2w_by_venue, w2w_unmatched, w2w_untimed, read_lag) = match wire {
        Some(j) => (j.all, j.by_venue, j.unmatched, j.untimed, j.mock_read_lag),
        None => (
            wire::histogram(),
            Default::default(),
            0,
            0,
            wire::histogram(),
        ),
    };
    drop(ex);
    let t2o = &rep["latency_ns"]["tick_to_order"];
    let tag_q = |name: &str| {
        let h = &rep["latency_ns"][name];
        serde_json::json!({
            "count": h["count"],
            "p50_ns": h["p50"],
            "p99_ns": h["p99"],
            "p999_ns": h["p999"],
            "max_ns": h["max"],
        })
    };
    let out = serde_json::json!({
        "engine": a.engine,
        "rate": a.rate,
        "seconds": a.seconds,
        "wall_seconds": wall.as_secs_f64(),
        "sent": sent,
        "received": received,
        "dropped": engine_dropped + mock_dropped + sent.saturating_sub(received),
        "engine_dropped": engine_dropped,
        "mock_queue_dropped": mock_dropped,
        "instruments": instruments,
        "venues": names,
        "workload": workload,
        "orders_joined": s2o.len(),
        "orders_unmatched": unmatched,
        "orders_untimed": untimed,
        "orders_per_instrument": per_instrument,
        "orders_per_trigger_venue": per_trigger_venue,
        "mock_frames_per_venue": stats.iter().map(|s| (s.name.clone(), s.frames_sent)).collect::<std::collections::BTreeMap<_, _>>(),
        "parse_errors": counter_sum(&rep, |k| k.starts_with("ingest.") && k.ends_with(".parse_errors")),
        "seq_drops": counter_sum(&rep, |k| k.starts_with("ingest.") && k.ends_with(".seq_drops")),
        "send_to_order": quantiles(&s2o),
        "tick_to_order": {
            "count": t2o["count"],
            "p50_ns": t2o["p50"],
            "p99_ns": t2o["p99"],
            "p999_ns": t2o["p999"],
            "max_ns": t2o["max"],
        },
        "gateway": a.gateway,
        "tick_to_wire": tag_q("tick_to_wire"),
        "wire_to_wire": quantiles(&w2w),
        "wire_to_wire_by_venue": w2w_by_venue
            .iter()
            .filter(|(_, h)| !h.is_empty())
            .map(|(v, h)| (v.clone(), quantiles(h)))
            .collect::<serde_json::Map<_, _>>(),
        "order_entry_ws": ws_urls
            .iter()
            .zip(&names)
            .filter(|(u, _)| u.is_some())
            .map(|(_, n)| *n)
            .collect::<Vec<_>>(),
        "mock_read_lag": quantiles(&read_lag),
        "wire_unmatched": w2w_unmatched,
        "wire_untimed": w2w_untimed,
        "rss_peak_bytes": rep["rss_bytes"]["peak"],
        "metrics": metrics_json,
        "hist_log": hlog.display().to_string(),
        "topology": {
            "mock_core": if mock_pinned { serde_json::json!(a.mock_core) } else { serde_json::Value::Null },
            "engine_idle": a.idle,
            "engine_threads": "default topology of the engine for this machine's cores",
        },
    });
    let text = serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?;
    std::fs::write(path("json"), &text).map_err(|e| e.to_string())?;
    println!("{text}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use microarb::config::{Config, Machine};

    #[test]
    fn venues_take_a_count_or_a_list() {
        let names = |a: &str| -> Vec<&str> { venues(a).unwrap().iter().map(|v| v.0).collect() };
        assert_eq!(names("4"), ["binance", "bybit", "okx", "upbit"]);
        assert_eq!(names("3"), ["binance", "bybit", "okx"]);
        assert_eq!(names("upbit, okx"), ["upbit", "okx"]);
        for bad in ["1", "5", "binance", "binance,binance", "binance,kraken"] {
            assert!(venues(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_config_lists_every_instrument_with_each_venues_symbol() {
        let list = venues("4").unwrap();
        let mock: Vec<MockVenue> = list
            .iter()
            .map(|(n, k, _)| MockVenue::with_instruments(*n, *k, 3))
            .collect();
        let fees: Vec<f64> = list.iter().map(|v| v.2).collect();
        let urls: Vec<String> = (0..4)
            .map(|i| format!("ws://127.0.0.1:{}", 9000 + i))
            .collect();
        let text = config(&mock, &fees, &urls, None, "busy-spin", None);
        let cfg = Config::from_toml_str(&text, &Machine::this(false)).expect("a valid config");
        let names: Vec<&str> = cfg.instruments.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["BTC/USDT", "C1/USDT", "C2/USDT"]);
        let c2 = &cfg.instruments[2].symbols;
        assert_eq!(c2["binance"], "C2USDT");
        assert_eq!(c2["bybit"], "C2USDT");
        assert_eq!(c2["okx"], "C2-USDT");
        assert_eq!(c2["upbit"], "USDT-C2");
        assert_eq!(cfg.venues.len(), 4);
    }
}
