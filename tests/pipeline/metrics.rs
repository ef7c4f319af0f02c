//! The Prometheus endpoint end to end: a run serves `/metrics` from its telemetry thread, two
//! scrapes while it runs are monotonic and agree with the final report, a non-loopback address is
//! refused, and (when `promtool` is on PATH) the text passes `promtool check metrics`.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use crate::common::config::demo_with;
use crate::common::sim_feed::sim_feed;
use crate::common::tmp::TempDir;
use microarb::pipeline::{run, RunError, RunOptions};
use microarb::telemetry::metrics::names::{self, Mapped};
use microarb::telemetry::Metric;
use mockex::SimParams;

/// One HTTP GET; the status line and the body.
pub(crate) fn get(addr: SocketAddr, path: &str) -> (String, String, String) {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: test\r\n\r\n").unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).expect("read the answer");
    let (head, body) = raw.split_once("\r\n\r\n").expect("a head and a body");
    let status = head.lines().next().unwrap().to_string();
    (status, head.to_string(), body.to_string())
}

/// `series{labels}` -> value, for every sample line; checks the line shape on the way.
pub(crate) fn parse(text: &str) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    let mut typed = BTreeMap::new();
    for l in text.lines() {
        if let Some(rest) = l.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap();
            assert!(
                typed.insert(name.to_string(), kind.to_string()).is_none(),
                "{l}"
            );
            continue;
        }
        if l.starts_with('#') || l.is_empty() {
            continue;
        }
        let (series, value) = l.rsplit_once(' ').unwrap_or_else(|| panic!("{l}"));
        let v: f64 = value.parse().unwrap_or_else(|_| panic!("{l}"));
        let name = series.split('{').next().unwrap();
        assert!(name.starts_with("microarb_"), "{l}");
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| {
                name.strip_suffix(s)
                    .filter(|f| typed.get(*f).is_some_and(|k| k == "histogram"))
            })
            .unwrap_or(name);
        assert!(typed.contains_key(family), "sample before its # TYPE: {l}");
        if typed[family] == "counter" {
            assert!(name.ends_with("_total"), "{l}");
        }
        assert!(out.insert(series.to_string(), v).is_none(), "duplicate {l}");
    }
    out
}

/// The series key of a mapped counter.
fn key(family: &str, labels: &[(&'static str, String)]) -> String {
    if labels.is_empty() {
        return family.to_string();
    }
    let l: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
    format!("{family}{{{}}}", l.join(","))
}

fn scrape_while_running(metrics: &str) -> (Vec<String>, serde_json::Value) {
    scrape_run(demo_with(|c| c.telemetry.interval_ms = 100), metrics)
}

/// Run `cfg` on the synthetic feed for 1.6 s, scraping `/metrics` at 0.3 s and 1.2 s; the two
/// bodies and the final report.
pub(crate) fn scrape_run(
    cfg: microarb::config::Config,
    metrics: &str,
) -> (Vec<String>, serde_json::Value) {
    let bound = Arc::new(OnceLock::new());
    let opts = RunOptions {
        seconds: Some(1.6),
        no_pin: true,
        status_line: Some(false),
        metrics: Some(metrics.to_string()),
        metrics_bound: Some(Arc::clone(&bound)),
        ..Default::default()
    };
    let feed = sim_feed(
        &cfg,
        SimParams {
            dislocation_every: 500,
            ..SimParams::default()
        },
        20_000,
        Some(12_000),
    );
    let engine = std::thread::spawn(move || run(&cfg, feed, &opts));
    let deadline = Instant::now() + Duration::from_secs(10);
    let addr = loop {
        if let Some(a) = bound.get() {
            break *a;
        }
        assert!(Instant::now() < deadline, "the endpoint never listened");
        std::thread::sleep(Duration::from_millis(5));
    };
    assert!(addr.ip().is_loopback());
    assert_ne!(addr.port(), 0);
    let mut scrapes = Vec::new();
    for wait_ms in [300, 900] {
        std::thread::sleep(Duration::from_millis(wait_ms));
        let (status, head, body) = get(addr, "/metrics");
        assert_eq!(status, "HTTP/1.1 200 OK");
        assert!(
            head.contains("Content-Type: text/plain; version=0.0.4"),
            "{head}"
        );
        scrapes.push(body);
    }
    let (status, _, _) = get(addr, "/nope");
    assert!(status.starts_with("HTTP/1.1 404"), "{status}");
    let summary = engine.join().unwrap().expect("run");
    (scrapes, summary.report)
}

#[test]
fn scrapes_while_running_are_monotonic_and_agree_with_the_report() {
    let (scrapes, report) = scrape_while_running("127.0.0.1:0");
    let first = parse(&scrapes[0]);
    let second = parse(&scrapes[1]);
    // Monotonic: every counter, bucket and count grows or stays.
    for (k, v) in &first {
        let cumulative = k.contains("_total") || k.contains("_bucket{") || k.contains("_count");
        if cumulative {
            let later = second.get(k).unwrap_or_else(|| panic!("{k} disappeared"));
            assert!(later >= v, "{k}: {v} then {later}");
        }
    }
    // Every report counter is exported (or summed into the opportunity families), never above
    // its final value.
    let counters = report["counters"].as_object().unwrap();
    for (name, fin) in counters {
        let fin = fin.as_u64().unwrap() as f64;
        if let Mapped::Series { family, labels } = names::map(name) {
            let k = key(&family, &labels);
            let got = second
                .get(&k)
                .unwrap_or_else(|| panic!("{name} as {k} not scraped"));
            assert!(*got <= fin, "{k} = {got} above the final {fin}");
        }
    }
    // The feed ended (12 000 quotes at 20 000/s) well before the second scrape: its counters are
    // final there.
    let c = |n: &str| counters[n].as_u64().unwrap() as f64;
    assert!(c("ingest.sim.quotes") > 1000.0);
    assert_eq!(
        second["microarb_quotes_total{venue=\"sim\"}"],
        c("ingest.sim.quotes")
    );
    assert_eq!(
        second["microarb_ring_pushed_total{ring=\"quotes\"}"],
        c("ring.quotes.pushed")
    );
    let detected = report["opportunities"]["detected"].as_u64().unwrap() as f64;
    assert!(detected > 0.0);
    assert_eq!(second["microarb_opportunities_detected_total"], detected);
    // One histogram per metric, +Inf bucket = count, within the final count.
    for m in Metric::ALL {
        let inf = second[&format!(
            "microarb_latency_seconds_bucket{{metric=\"{}\",le=\"+Inf\"}}",
            m.tag()
        )];
        let count = second[&format!("microarb_latency_seconds_count{{metric=\"{}\"}}", m.tag())];
        assert_eq!(inf, count, "{}", m.tag());
        assert!(count <= report["latency_ns"][m.tag()]["count"].as_u64().unwrap() as f64);
    }
    assert!(second["microarb_latency_seconds_count{metric=\"tick_to_order\"}"] > 0.0);
    assert!(second["microarb_resident_memory_bytes"] > 0.0);
}

#[test]
fn a_non_loopback_address_is_refused() {
    let cfg = demo_with(|c| c.telemetry.interval_ms = 100);
    let opts = RunOptions {
        seconds: Some(0.1),
        no_pin: true,
        status_line: Some(false),
        metrics: Some("0.0.0.0:0".to_string()),
        ..Default::default()
    };
    let feed = sim_feed(&cfg, SimParams::default(), 1000, Some(10));
    match run(&cfg, feed, &opts) {
        Err(
            e @ RunError::MetricsAddr {
                key: "--metrics", ..
            },
        ) => {
            assert!(e.to_string().contains("metrics_allow_remote"), "{e}")
        }
        other => panic!("expected a refusal, got {:?}", other.map(|s| s.report)),
    }
}

#[test]
fn promtool_accepts_the_exposition_when_installed() {
    let Ok(out) = std::process::Command::new("promtool")
        .arg("--version")
        .output()
    else {
        println!("promtool not on PATH: skipping `promtool check metrics`");
        return;
    };
    assert!(out.status.success());
    let (scrapes, _) = scrape_while_running("127.0.0.1:0");
    let dir = TempDir::new("metrics-promtool");
    let path = dir.join("metrics.txt");
    std::fs::write(&path, &scrapes[1]).unwrap();
    let check = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::fs::File::open(&path).unwrap())
        .output()
        .expect("promtool runs");
    assert!(
        check.status.success(),
        "promtool check metrics failed:\n{}{}\n--- input:\n{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr),
        scrapes[1]
    );
}
