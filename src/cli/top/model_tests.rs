use super::*;
use microarb::telemetry::metrics::exposition::{Exposition, LATENCY_BUCKETS_NS};
use microarb::telemetry::new_histogram;

fn b(v: &[(f64, f64)]) -> Buckets {
    Buckets(v.to_vec())
}

fn near(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 + 1e-9 * b.abs()
}

#[test]
fn quantiles_interpolate_inside_their_bucket() {
    let h = b(&[
        (0.001, 0.0),
        (0.002, 50.0),
        (0.005, 90.0),
        (0.01, 100.0),
        (f64::INFINITY, 100.0),
    ]);
    let q = |x: f64| h.quantile(x).unwrap();
    assert!(near(q(0.5).seconds, 0.002));
    assert!(near(q(0.75).seconds, 0.002 + 0.003 * 25.0 / 40.0));
    assert!(near(q(0.9).seconds, 0.005));
    assert!(near(q(0.99).seconds, 0.005 + 0.005 * 0.9));
    assert!(near(q(0.25).seconds, 0.001 + 0.001 * 0.5));
    assert!(!q(0.999).beyond);
    // The first bucket interpolates from 0.
    let first = b(&[(0.001, 10.0), (f64::INFINITY, 10.0)]);
    assert!(near(first.quantile(0.5).unwrap().seconds, 0.0005));
}

#[test]
fn a_rank_in_the_inf_bucket_says_above_the_highest_bound() {
    let h = b(&[(0.001, 1.0), (1.0, 5.0), (f64::INFINITY, 10.0)]);
    assert_eq!(
        h.quantile(0.99),
        Some(Quantile {
            seconds: 1.0,
            beyond: true
        })
    );
    assert!(!h.quantile(0.5).unwrap().beyond);
    assert_eq!(b(&[]).quantile(0.5), None);
    assert_eq!(b(&[(0.1, 0.0), (f64::INFINITY, 0.0)]).quantile(0.5), None);
}

#[test]
fn the_last_interval_is_the_difference_of_two_scrapes() {
    let a = b(&[(0.001, 2.0), (0.002, 4.0), (f64::INFINITY, 5.0)]);
    let later = b(&[(0.001, 2.0), (0.002, 10.0), (f64::INFINITY, 11.0)]);
    let d = later.since(&a).unwrap();
    assert_eq!(d, b(&[(0.001, 0.0), (0.002, 6.0), (f64::INFINITY, 6.0)]));
    assert!(near(d.quantile(0.5).unwrap().seconds, 0.0015));
    // A count that went down (a restarted engine) gives no interval.
    assert_eq!(a.since(&later), None);
    assert_eq!(a.since(&b(&[(0.001, 0.0)])), None);
}

#[test]
fn percentiles_from_the_engines_buckets_bracket_hdrhistograms_own() {
    let mut h = new_histogram();
    let mut x: u64 = 12345;
    for _ in 0..20_000 {
        // A spread of values from ~600 ns to ~2 ms, deterministic.
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let v = 600 + (x >> 33) % 2_000_000 / (1 + (x >> 60));
        h.record(v).unwrap();
    }
    let mut e = Exposition::new();
    e.histogram_ns("microarb_latency_seconds", "L.", &[("metric", "m")], &h);
    let s = Scrape::parse(&e.render());
    let buckets = Buckets::of(&s, "microarb_latency_seconds", &[("metric", "m")]);
    assert_eq!(buckets.0.len(), LATENCY_BUCKETS_NS.len() + 1);
    assert_eq!(buckets.count(), 20_000.0);
    for q in [0.5, 0.9, 0.99, 0.999] {
        let truth = h.value_at_quantile(q) as f64 / 1e9;
        let got = buckets.quantile(q).unwrap();
        // The true value's bucket: (the bound below it, the first bound at or above it].
        let hi = LATENCY_BUCKETS_NS
            .iter()
            .map(|&n| n as f64 / 1e9)
            .find(|&le| le >= truth)
            .unwrap();
        let lo = LATENCY_BUCKETS_NS
            .iter()
            .map(|&n| n as f64 / 1e9)
            .rfind(|&le| le < hi)
            .unwrap_or(0.0);
        assert!(
            got.seconds >= lo - 1e-12 && got.seconds <= hi + 1e-12,
            "q {q}: {} not in ({lo}, {hi}] around {truth}",
            got.seconds
        );
    }
}

const FIRST: &str = "\
microarb_quotes_total{venue=\"binance\"} 1000
microarb_quotes_total{venue=\"okx\"} 500
microarb_breaker_state{venue=\"binance\",state=\"closed\"} 1
microarb_breaker_state{venue=\"binance\",state=\"open\"} 0
microarb_breaker_state{venue=\"okx\",state=\"closed\"} 0
microarb_breaker_state{venue=\"okx\",state=\"open\"} 1
microarb_opportunities_detected_total 10
microarb_opportunities_total{outcome=\"executed\"} 4
microarb_opportunities_total{outcome=\"expired\"} 0
microarb_opportunities_total{outcome=\"rejected_rate_limited\"} 6
";

const SECOND: &str = "\
microarb_quotes_total{venue=\"binance\"} 3000
microarb_quotes_total{venue=\"okx\"} 1500
microarb_breaker_state{venue=\"binance\",state=\"closed\"} 1
microarb_breaker_state{venue=\"binance\",state=\"open\"} 0
microarb_breaker_state{venue=\"okx\",state=\"closed\"} 0
microarb_breaker_state{venue=\"okx\",state=\"open\"} 1
microarb_ratelimit_token_use_ratio{venue=\"binance\",group=\"orders-10s\"} 0.2
microarb_ratelimit_token_use_ratio{venue=\"binance\",group=\"request-weight\"} 0.97
microarb_ratelimit_rate_ratio{venue=\"binance\",group=\"orders-10s\"} 1
microarb_ratelimit_rate_ratio{venue=\"binance\",group=\"request-weight\"} 0.5
microarb_opportunities_detected_total 30
microarb_opportunities_total{outcome=\"executed\"} 10
microarb_opportunities_total{outcome=\"expired\"} 0
microarb_opportunities_total{outcome=\"rejected_rate_limited\"} 20
microarb_kill_switch 1
microarb_balance{venue=\"binance\",asset=\"BTC\"} 1000.01
microarb_residual_position{venue=\"binance\",asset=\"BTC\"} 0.01
microarb_queue_depth{queue=\"quotes\"} 3
microarb_queue_capacity{queue=\"quotes\"} 4096
microarb_ring_dropped_total{ring=\"quotes\"} 7
";

#[test]
fn rates_come_from_two_scrapes_and_state_from_the_latest() {
    let mut m = Model::new();
    assert_eq!(m.view(0.0).age_s, None);
    m.on_scrape(10.0, Scrape::parse(FIRST));
    let v = m.view(10.5);
    assert_eq!(v.interval_s, None);
    assert_eq!(v.venues[0].quotes_per_s, None, "one scrape gives no rate");
    m.on_scrape(12.0, Scrape::parse(SECOND));
    let v = m.view(12.25);
    assert_eq!(v.age_s, Some(0.25));
    assert_eq!(v.interval_s, Some(2.0));
    let names: Vec<&str> = v.venues.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["binance", "okx"]);
    assert_eq!(v.venues[0].quotes_per_s, Some(1000.0));
    assert_eq!(v.venues[1].quotes_per_s, Some(500.0));
    assert_eq!(v.venues[1].breaker.as_deref(), Some("open"));
    assert_eq!(
        v.venues[0].tokens,
        Some((0.97, "request-weight".to_string()))
    );
    assert_eq!(v.venues[0].rate, Some(0.5));
    assert_eq!(v.venues[1].tokens, None);
    assert_eq!(v.detected, Some((30.0, Some(10.0))));
    let outcomes: Vec<(&str, f64, Option<f64>)> = v
        .outcomes
        .iter()
        .map(|o| (o.outcome.as_str(), o.total, o.per_s))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("executed", 10.0, Some(3.0)),
            ("rejected_rate_limited", 20.0, Some(7.0))
        ],
        "outcomes never reached are left out"
    );
    assert_eq!(v.kill, Some(true));
    assert_eq!(v.balances[0].residual, 0.01);
    assert_eq!(v.queues[0].capacity, Some(4096.0));
    assert_eq!(v.queues[0].dropped, Some(7.0));
    // A failed scrape keeps the data and says why; the next good one clears it.
    m.on_error("connection refused".to_string());
    let v = m.view(14.0);
    assert_eq!(v.error.as_deref(), Some("connection refused"));
    assert_eq!(v.age_s, Some(2.0));
    assert_eq!(v.venues.len(), 2);
}

#[test]
fn a_counter_that_went_down_gives_no_rate() {
    let mut m = Model::new();
    m.on_scrape(1.0, Scrape::parse(SECOND));
    m.on_scrape(2.0, Scrape::parse(FIRST));
    assert_eq!(m.view(2.0).venues[0].quotes_per_s, None);
}
