//! Percentile-spectrum plots of latency histograms, as SVG, drawn with `plotters`.
//!
//! Each panel plots latency against percentile, both on log scales: the x axis is HdrHistogram's
//! usual `1/(1-p)` (0 %, 90 %, 99 %, 99.9 %, ...), the y axis spans decades, so metrics from
//! 50 ns (`detect`) to 100 µs (`order_rtt`) are all readable on one axis. By default
//! ([`default_panels`]) the latency metrics share one panel and `feed_lag` (a venue's timestamp to
//! our receive: milliseconds, and it includes the clocks' offset) gets its own. Each line ends
//! where its data ends (at `p = 1 - 1/count`, then its max), with dots at p50, p99 and p99.9 and a
//! cross at the max; the legend beside each panel gives the count and those values with units.
//!
//! SVG only: plotters' SVG backend writes text as `<text>`, so nothing here needs a font file or
//! an image codec. Cold path (allocates freely).

mod units;

use std::path::Path;

use hdrhistogram::Histogram;
use plotters::coord::Shift;
use plotters::prelude::*;
use thiserror::Error;

pub use units::{duration, percentile};

use super::metric::Metric;

/// Width of the whole picture, px.
const W: u32 = 1200;
/// Width of the legend column right of each panel, px.
const LEGEND_W: u32 = 330;
/// Height of the picture's title band, px.
const TITLE_H: u32 = 40;
/// Rightmost x drawn: `1/(1-p)` at p = 99.999 %.
const X_MAX: f64 = 100_000.0;
/// Points per line.
const STEPS: u32 = 240;
/// Line colours (the usual ten-colour palette), cycled.
const COLORS: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(23, 190, 207),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
];
/// The percentiles marked with a dot on every line, as (label, p).
const MARKS: [(&str, f64); 3] = [("p50", 0.5), ("p99", 0.99), ("p99.9", 0.999)];

/// Why a plot could not be made.
#[derive(Debug, Error)]
pub enum PlotError {
    /// Every histogram given was empty (or none was given).
    #[error("nothing to plot: every histogram is empty")]
    NothingToPlot,
    /// The output path does not end in `.svg`, the one format written.
    #[error("{0}: plots are written as SVG; give a path ending in .svg")]
    NotSvg(String),
    /// plotters refused to draw.
    #[error("drawing the plot: {0}")]
    Draw(String),
    /// The file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The output path.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// One panel: its own y axis, a title, and the metrics drawn on it (tag, histogram in ns).
pub struct Panel<'a> {
    /// Shown above the panel.
    pub title: String,
    /// The lines, in legend order.
    pub series: Vec<(&'a str, &'a Histogram<u64>)>,
}

/// Is `tag` a feed-lag metric (drawn apart: milliseconds and clock offset, not our latency)?
pub fn is_feed_lag(tag: &str) -> bool {
    tag.starts_with("feed_lag")
}

/// The default layout of `series`: every latency metric on one panel in pipeline order (parse,
/// hop, detect, ..., unknown tags last), the feed-lag metrics on a second; empty histograms and
/// empty panels are left out.
pub fn default_panels<'a>(series: &[(&'a str, &'a Histogram<u64>)]) -> Vec<Panel<'a>> {
    let rank = |tag: &str| {
        Metric::ALL
            .iter()
            .position(|m| m.tag() == tag)
            .unwrap_or(Metric::COUNT)
    };
    let mut sorted: Vec<(&'a str, &'a Histogram<u64>)> = series
        .iter()
        .copied()
        .filter(|(_, h)| !h.is_empty())
        .collect();
    sorted.sort_by_key(|(tag, _)| rank(tag));
    let (feed, latency): (Vec<_>, Vec<_>) = sorted.into_iter().partition(|(t, _)| is_feed_lag(t));
    let mut panels = Vec::new();
    if !latency.is_empty() {
        panels.push(Panel {
            title: "engine latency per metric".to_string(),
            series: latency,
        });
    }
    if !feed.is_empty() {
        panels.push(Panel {
            title: "feed lag: venue timestamp to local receive (includes clock offset)".to_string(),
            series: feed,
        });
    }
    panels
}

/// Draw `panels` under `title` and return the SVG text. Empty histograms are skipped;
/// [`PlotError::NothingToPlot`] when no panel has a non-empty one.
pub fn render(title: &str, panels: &[Panel<'_>]) -> Result<String, PlotError> {
    let panels: Vec<Panel<'_>> = panels
        .iter()
        .map(|p| Panel {
            title: p.title.clone(),
            series: p
                .series
                .iter()
                .copied()
                .filter(|(_, h)| !h.is_empty())
                .collect(),
        })
        .filter(|p| !p.series.is_empty())
        .collect();
    if panels.is_empty() {
        return Err(PlotError::NothingToPlot);
    }
    let heights: Vec<u32> = panels.iter().map(panel_height).collect();
    let height = TITLE_H + heights.iter().sum::<u32>();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (W, height)).into_drawing_area();
        root.fill(&WHITE).map_err(draw)?;
        let root = root
            .titled(title, ("sans-serif", 20).into_font())
            .map_err(draw)?;
        let mut rest = root;
        let mut color = 0;
        for (panel, h) in panels.iter().zip(&heights) {
            let (area, below) = rest.split_vertically(*h);
            draw_panel(&area, panel, color)?;
            color += panel.series.len();
            rest = below;
        }
        rest.present().map_err(draw)?;
    }
    Ok(svg)
}

/// [`render`] the [`default_panels`] of `series` into the SVG file `path`.
pub fn write_svg(
    path: &Path,
    title: &str,
    series: &[(&str, &Histogram<u64>)],
) -> Result<(), PlotError> {
    let shown = path.display().to_string();
    if path.extension().and_then(|e| e.to_str()) != Some("svg") {
        return Err(PlotError::NotSvg(shown));
    }
    let svg = render(title, &default_panels(series))?;
    std::fs::write(path, svg).map_err(|source| PlotError::Write {
        path: shown,
        source,
    })
}

/// A panel's height: room for the chart and for three legend lines per series.
fn panel_height(p: &Panel<'_>) -> u32 {
    let legend = 70 + 52 * p.series.len() as u32;
    legend.max(if p.series.len() > 2 { 520 } else { 360 })
}

fn draw<E: std::fmt::Display>(e: E) -> PlotError {
    PlotError::Draw(e.to_string())
}

/// The points of one line: `STEPS` samples of the percentile spectrum up to where the data ends,
/// then the max. Values are clamped to 1 ns (a log axis has no 0).
fn spectrum(h: &Histogram<u64>) -> (f64, Vec<(f64, f64)>) {
    let x_end = (h.len() as f64).clamp(1.0, X_MAX);
    let mut pts: Vec<(f64, f64)> = (0..=STEPS)
        .map(|i| {
            let x = x_end.powf(f64::from(i) / f64::from(STEPS));
            let v = h.value_at_quantile(1.0 - 1.0 / x);
            (x, v.max(1) as f64)
        })
        .collect();
    pts.push((x_end, h.max().max(1) as f64));
    (x_end, pts)
}

/// Decades that hold every value of `series`: (10^floor(log min), 10^ceil(log max)).
fn y_range(series: &[(&str, &Histogram<u64>)]) -> (f64, f64) {
    let lo = series
        .iter()
        .map(|(_, h)| h.min().max(1))
        .min()
        .unwrap_or(1) as f64;
    let hi = series
        .iter()
        .map(|(_, h)| h.max().max(1))
        .max()
        .unwrap_or(1) as f64;
    let lo = 10f64.powf(lo.log10().floor());
    let mut hi = 10f64.powf(hi.log10().ceil());
    if hi <= lo {
        hi = lo * 10.0;
    }
    (lo, hi)
}

fn draw_panel(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    panel: &Panel<'_>,
    first_color: usize,
) -> Result<(), PlotError> {
    let (chart_area, legend_area) = area.split_horizontally(W - LEGEND_W);
    let (y_lo, y_hi) = y_range(&panel.series);
    let mut chart = ChartBuilder::on(&chart_area)
        .caption(&panel.title, ("sans-serif", 16).into_font())
        .margin(12)
        .x_label_area_size(46)
        .y_label_area_size(84)
        .build_cartesian_2d((1f64..X_MAX).log_scale(), (y_lo..y_hi).log_scale())
        .map_err(draw)?;
    chart
        .configure_mesh()
        .x_desc("percentile (log scale of 1/(1-p))")
        .y_desc("latency (log scale)")
        .x_label_formatter(&|x| percentile(*x))
        .y_label_formatter(&|y| duration(*y))
        .label_style(("sans-serif", 13))
        .axis_desc_style(("sans-serif", 14))
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(200, 200, 200))
        .draw()
        .map_err(draw)?;

    for (i, (_, h)) in panel.series.iter().enumerate() {
        let color = COLORS[(first_color + i) % COLORS.len()];
        let (x_end, pts) = spectrum(h);
        chart
            .draw_series(LineSeries::new(pts, color.stroke_width(2)))
            .map_err(draw)?;
        let dots = MARKS
            .iter()
            .map(|(_, p)| 1.0 / (1.0 - p))
            .filter(|x| *x <= x_end)
            .map(|x| {
                let v = h.value_at_quantile(1.0 - 1.0 / x).max(1) as f64;
                Circle::new((x, v), 4, color.filled())
            });
        chart.draw_series(dots).map_err(draw)?;
        chart
            .draw_series(std::iter::once(Cross::new(
                (x_end, h.max().max(1) as f64),
                6,
                color.stroke_width(2),
            )))
            .map_err(draw)?;
    }
    draw_legend(&legend_area, panel, first_color)
}

/// The legend column: per series its colour, tag and count, then p50 / p99 / p99.9 / max.
fn draw_legend(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    panel: &Panel<'_>,
    first_color: usize,
) -> Result<(), PlotError> {
    let name = ("sans-serif", 15).into_font();
    let small = ("sans-serif", 13).into_font();
    let mut y = 44;
    for (i, (tag, h)) in panel.series.iter().enumerate() {
        let color = COLORS[(first_color + i) % COLORS.len()];
        area.draw(&PathElement::new(
            vec![(8, y + 8), (34, y + 8)],
            color.stroke_width(3),
        ))
        .map_err(draw)?;
        area.draw(&Text::new(
            format!("{tag} (n = {})", thousands(h.len())),
            (42, y),
            name.clone(),
        ))
        .map_err(draw)?;
        let q = |p: f64| duration(h.value_at_quantile(p) as f64);
        let line1 = format!("p50 {}  ·  p99 {}", q(MARKS[0].1), q(MARKS[1].1));
        let line2 = format!(
            "p99.9 {}  ·  max {}",
            q(MARKS[2].1),
            duration(h.max() as f64)
        );
        area.draw(&Text::new(line1, (42, y + 18), small.clone()))
            .map_err(draw)?;
        area.draw(&Text::new(line2, (42, y + 34), small.clone()))
            .map_err(draw)?;
        y += 52;
    }
    area.draw(&Text::new(
        "dots: p50, p99, p99.9 (where the count reaches);",
        (8, y + 6),
        small.clone(),
    ))
    .map_err(draw)?;
    area.draw(&Text::new(
        "cross: max, where each line's data ends",
        (8, y + 22),
        small,
    ))
    .map_err(draw)?;
    Ok(())
}

/// `n` with thin groups of three digits: `50,000`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod plot_tests;
