use super::*;
use crate::cli::top::model::Model;
use crate::cli::top::parse::Scrape;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

/// Two scrapes of an engine one second apart: binance at 1000 quotes/s, okx's breaker open,
/// Upbit's order group nearly out of tokens, a residual on binance, and tick_to_order buckets
/// (since start 140 observations, the last second 100 of them).
fn scrapes() -> (String, String) {
    let common = |q_bin: u64, q_okx: u64, det: u64, exec: u64, rl: u64, b: [u64; 4]| {
        format!(
            "\
# TYPE microarb_quotes_total counter
microarb_quotes_total{{venue=\"binance\"}} {q_bin}
microarb_quotes_total{{venue=\"okx\"}} {q_okx}
microarb_quotes_total{{venue=\"upbit\"}} 0
microarb_breaker_state{{venue=\"binance\",state=\"closed\"}} 1
microarb_breaker_state{{venue=\"binance\",state=\"half_open\"}} 0
microarb_breaker_state{{venue=\"binance\",state=\"open\"}} 0
microarb_breaker_state{{venue=\"okx\",state=\"closed\"}} 0
microarb_breaker_state{{venue=\"okx\",state=\"half_open\"}} 0
microarb_breaker_state{{venue=\"okx\",state=\"open\"}} 1
microarb_breaker_state{{venue=\"upbit\",state=\"closed\"}} 1
microarb_breaker_state{{venue=\"upbit\",state=\"half_open\"}} 0
microarb_breaker_state{{venue=\"upbit\",state=\"open\"}} 0
microarb_ratelimit_token_use_ratio{{venue=\"upbit\",group=\"order\"}} 0.975
microarb_ratelimit_rate_ratio{{venue=\"upbit\",group=\"order\"}} 0.5
microarb_ratelimit_token_use_ratio{{venue=\"binance\",group=\"orders-10s\"}} 0.1
microarb_ratelimit_rate_ratio{{venue=\"binance\",group=\"orders-10s\"}} 1
microarb_opportunities_detected_total {det}
microarb_opportunities_total{{outcome=\"executed\"}} {exec}
microarb_opportunities_total{{outcome=\"partial\"}} 0
microarb_opportunities_total{{outcome=\"rejected_rate_limited\"}} {rl}
microarb_latency_seconds_bucket{{metric=\"tick_to_order\",le=\"0.000001\"}} {}
microarb_latency_seconds_bucket{{metric=\"tick_to_order\",le=\"0.000002\"}} {}
microarb_latency_seconds_bucket{{metric=\"tick_to_order\",le=\"0.00001\"}} {}
microarb_latency_seconds_bucket{{metric=\"tick_to_order\",le=\"+Inf\"}} {}
microarb_kill_switch 0
microarb_resident_memory_bytes 41200000
microarb_balance{{venue=\"binance\",asset=\"BTC\"}} 1000.01
microarb_balance{{venue=\"binance\",asset=\"USDT\"}} 99999000
microarb_residual_position{{venue=\"binance\",asset=\"BTC\"}} 0.01
microarb_residual_position{{venue=\"binance\",asset=\"USDT\"}} 0
microarb_open_notional{{asset=\"USDT\"}} 12.5
microarb_queue_depth{{queue=\"quotes\"}} 0
microarb_queue_depth{{queue=\"opps\"}} 75
microarb_queue_capacity{{queue=\"quotes\"}} 4096
microarb_queue_capacity{{queue=\"opps\"}} 4096
microarb_ring_dropped_total{{ring=\"quotes\"}} 0
",
            b[0], b[1], b[2], b[3]
        )
    };
    (
        common(1000, 500, 20, 8, 12, [0, 30, 40, 40]),
        common(2000, 700, 30, 12, 18, [0, 50, 139, 140]),
    )
}

fn render(m: &Model, now: f64, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let v = m.view(now);
    t.draw(|f| draw(f, &v, "http://127.0.0.1:9464/metrics", 1.0))
        .unwrap();
    buffer_text(t.backend().buffer())
}

fn line_with<'a>(text: &'a str, needle: &str) -> &'a str {
    text.lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?} in\n{text}"))
}

fn model() -> Model {
    let (a, b) = scrapes();
    let mut m = Model::new();
    m.on_scrape(100.0, Scrape::parse(&a));
    m.on_scrape(101.0, Scrape::parse(&b));
    m
}

#[test]
fn a_frame_shows_rates_states_percentiles_balances_and_queues() {
    let text = render(&model(), 101.2, 120, 40);
    let status = text.lines().next().unwrap();
    assert!(status.contains("microarb top"), "{status}");
    assert!(status.contains("http://127.0.0.1:9464/metrics"), "{status}");
    assert!(status.contains("scraped 0.2 s ago"), "{status}");
    assert!(status.contains("kill switch off"), "{status}");
    assert!(status.contains("RSS 41.2 MB"), "{status}");
    // Venues: rates over the second between the scrapes, breaker, most used group.
    let bin = line_with(&text, "binance  ");
    assert!(bin.contains(" 1000 "), "{bin}");
    assert!(bin.contains("closed"), "{bin}");
    assert!(bin.contains("10% orders-10s"), "{bin}");
    let okx = line_with(&text, "okx  ");
    assert!(okx.contains(" 200 ") && okx.contains("open"), "{okx}");
    let up = line_with(&text, "upbit  ");
    assert!(up.contains("98% order") && up.contains("0.50"), "{up}");
    // Opportunities: since start and per second.
    let det = line_with(&text, "detected");
    assert!(det.contains("30") && det.contains("10.0"), "{det}");
    let rl = line_with(&text, "rejected_rate_limited");
    assert!(rl.contains("18") && rl.contains("6.0"), "{rl}");
    assert!(
        !text.contains("partial"),
        "outcomes never reached are left out"
    );
    // tick_to_order, the last second: 100 observations, 20 <= 2 us, 79 in (2, 10] us, 1 beyond.
    // p50 at rank 50: 2 + 8 * 30/79 = 5.04 us; p99 at rank 99: the bucket's top, 10 us; p99.9
    // beyond the highest bound. Since start: 140, 50 <= 2 us, 89 in (2, 10]: p50 at rank 70,
    // 2 + 8 * 20/89 = 3.80 us; p99 at 138.6, 2 + 8 * 88.6/89 = 9.96 us; p99.9 beyond.
    let last = line_with(&text, "last 1 s");
    assert!(
        last.contains("tick_to_order") && last.contains(" 100 "),
        "{last}"
    );
    assert!(last.contains("5.04 us"), "{last}");
    assert_eq!(last.matches("10.00 us").count(), 2, "{last}");
    assert_eq!(last.matches(">10.00 us").count(), 1, "{last}");
    let total = line_with(&text, "since start");
    assert!(
        total.contains(" 140 ") && total.contains("3.80 us"),
        "{total}"
    );
    assert!(
        total.contains("9.96 us") && total.contains(">10.00 us"),
        "{total}"
    );
    // Balances, the residual flagged, queues and open notional.
    assert!(
        text.contains("Balances and residuals (1 residual)"),
        "{text}"
    );
    let res = line_with(&text, "1000.01");
    assert!(res.contains("BTC") && res.contains("0.01"), "{res}");
    let opps = line_with(&text, "opps ");
    assert!(opps.contains("75") && opps.contains("4096"), "{opps}");
    assert!(line_with(&text, "open USDT").contains("12.5"));
    assert!(text.contains("q quit"));
}

#[test]
fn an_unreachable_endpoint_is_said_plainly_and_the_last_data_stays() {
    let mut m = model();
    m.on_error("127.0.0.1:9464: Connection refused (os error 111)".to_string());
    let text = render(&m, 104.0, 140, 40);
    let status = text.lines().next().unwrap();
    assert!(
        status.contains("UNREACHABLE, retrying every 1 s"),
        "{status}"
    );
    assert!(status.contains("(last good scrape 3 s ago)"), "{status}");
    let why = text.lines().nth(1).unwrap();
    assert!(
        why.contains("127.0.0.1:9464: Connection refused (os error 111)"),
        "{why}"
    );
    assert!(line_with(&text, "binance  ").contains("closed"));
    // Never reached at all: no data, the reason.
    let mut fresh = Model::new();
    fresh.on_error("connection refused".to_string());
    let text = render(&fresh, 0.0, 120, 30);
    assert!(
        text.lines().next().unwrap().contains("(no scrape yet)"),
        "{text}"
    );
}

#[test]
fn the_kill_switch_and_a_small_terminal_draw_without_panicking() {
    let (_, b) = scrapes();
    let mut m = Model::new();
    m.on_scrape(
        1.0,
        Scrape::parse(&b.replace("microarb_kill_switch 0", "microarb_kill_switch 1")),
    );
    let text = render(&m, 1.0, 120, 30);
    assert!(
        text.lines().next().unwrap().contains("KILL SWITCH ON"),
        "{text}"
    );
    // One scrape: no rates yet, shown as '-', and no last-interval latency row.
    assert!(line_with(&text, "binance  ").contains(" - "), "{text}");
    assert!(!text.contains("last 1 s"));
    for (w, h) in [(20, 5), (1, 1), (80, 12)] {
        render(&m, 1.0, w, h);
    }
}
