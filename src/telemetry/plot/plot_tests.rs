//! The plot's structure for histograms of very different scales (not its pixels): a well-formed
//! SVG, one line per non-empty metric, feed lag on its own panel, units on the axes, a legend.

use hdrhistogram::Histogram;

use super::*;
use crate::telemetry::new_histogram;

/// `n` values spread evenly over `lo..=hi` ns.
fn spread(lo: u64, hi: u64, n: u64) -> Histogram<u64> {
    let mut h = new_histogram();
    for i in 0..n {
        h.record(lo + (hi - lo) * i / (n - 1).max(1)).unwrap();
    }
    h
}

/// Every `<text>` of the SVG, in document order.
fn texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).expect("well-formed SVG");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").to_string())
        .collect()
}

/// The data lines: polylines of width 2 with more than a handful of points (axis ticks and the
/// legend's samples are short polylines of other widths).
fn lines(svg: &str) -> usize {
    let doc = roxmltree::Document::parse(svg).expect("well-formed SVG");
    doc.descendants()
        .filter(|n| n.has_tag_name("polyline") && n.attribute("stroke-width") == Some("2"))
        .filter(|n| {
            n.attribute("points")
                .unwrap_or("")
                .split_whitespace()
                .count()
                > 10
        })
        .count()
}

#[test]
fn wide_scales_make_two_panels_with_units_and_a_legend() {
    let detect = spread(40, 900, 50_000);
    let tto = spread(12_000, 60_000, 600);
    let rtt = spread(100_000, 150_000, 1_200);
    let lag = spread(1_000_000, 40_000_000, 20_000);
    let empty = new_histogram();
    let series = [
        ("feed_lag", &lag),
        ("tick_to_order", &tto),
        ("order_rtt", &rtt),
        ("detect", &detect),
        ("ratelimit_wait", &empty),
    ];
    let panels = default_panels(&series);
    assert_eq!(panels.len(), 2);
    let tags: Vec<&str> = panels[0].series.iter().map(|(t, _)| *t).collect();
    assert_eq!(
        tags,
        ["detect", "tick_to_order", "order_rtt"],
        "pipeline order, no empty one"
    );
    assert_eq!(panels[1].series.len(), 1);
    assert_eq!(panels[1].series[0].0, "feed_lag");

    let svg = render("t <&> 1", &panels).unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    assert_eq!(lines(&svg), 4, "one line per non-empty metric");
    let t = texts(&svg);
    let has = |s: &str| t.iter().any(|x| x.contains(s));
    assert!(has("t <&> 1"), "title, escaped in the file: {t:?}");
    assert!(has("engine latency") && has("feed lag"), "{t:?}");
    for tag in ["detect", "tick_to_order", "order_rtt", "feed_lag"] {
        assert!(has(&format!("{tag} (n = ")), "legend names {tag}: {t:?}");
    }
    assert!(!has("ratelimit_wait"), "an empty metric is not drawn");
    for unit in [" ns", " µs", " ms"] {
        assert!(has(unit), "an axis label in{unit}: {t:?}");
    }
    for p in ["90%", "99%", "99.9%", "p50 ", "p99 ", "p99.9 ", "max "] {
        assert!(has(p), "{p}: {t:?}");
    }
    assert!(has("percentile") && has("latency (log scale)"), "{t:?}");
    assert!(has("detect (n = 50,000)"), "counts grouped: {t:?}");
}

#[test]
fn only_latency_or_only_feed_lag_makes_one_panel() {
    let a = spread(10, 20, 10);
    assert_eq!(default_panels(&[("hop", &a)]).len(), 1);
    assert_eq!(default_panels(&[("feed_lag_neg", &a)]).len(), 1);
    let svg = render("x", &default_panels(&[("hop", &a)])).unwrap();
    assert_eq!(lines(&svg), 1);
}

#[test]
fn a_single_sample_and_a_constant_histogram_still_draw() {
    let one = spread(7, 7, 1);
    let flat = spread(5_000, 5_000, 1_000);
    let svg = render("x", &default_panels(&[("parse", &one), ("hop", &flat)])).unwrap();
    assert_eq!(lines(&svg), 2);
}

#[test]
fn nothing_to_plot_and_a_non_svg_path_are_errors() {
    let empty = new_histogram();
    assert!(matches!(
        render("x", &default_panels(&[("hop", &empty)])),
        Err(PlotError::NothingToPlot)
    ));
    let a = spread(10, 20, 10);
    let dir = std::env::temp_dir();
    assert!(matches!(
        write_svg(&dir.join("microarb-plot-test.png"), "x", &[("hop", &a)]),
        Err(PlotError::NotSvg(_))
    ));
}
