//! `microarb hist FILE [--plot OUT.svg] [--tag TAG]...`: read an interval log back, print each
//! tag's percentiles, and optionally plot them (latency metrics on one log-scale panel, `feed_lag`
//! on its own; see [`microarb::telemetry::plot`]).

use std::path::PathBuf;
use std::process::ExitCode;

use microarb::telemetry::{hlog, plot};

/// Arguments of `hist`.
#[derive(Debug, clap::Args)]
pub struct HistArgs {
    /// An HdrHistogram V2 interval log (`--hist-log` output).
    file: PathBuf,
    /// Draw the percentile spectrum of every tag into this SVG: the latency metrics on one
    /// log-scale panel, `feed_lag` on its own.
    #[arg(long, value_name = "OUT.svg")]
    plot: Option<PathBuf>,
    /// Only these tags (repeat the flag for more), in the table and the plot.
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
}

pub fn main(a: HistArgs) -> ExitCode {
    let name = a.file.display().to_string();
    let bytes = match std::fs::read(&a.file) {
        Ok(b) => b,
        Err(e) => return super::runtime_failure(&format!("cannot read {name}: {e}")),
    };
    let mut totals = match hlog::read_totals(&name, &bytes) {
        Ok(t) => t,
        Err(e) => return super::runtime_failure(&e),
    };
    if let Some(missing) = a.tags.iter().find(|t| !totals.contains_key(t.as_str())) {
        let known: Vec<&str> = totals.keys().map(String::as_str).collect();
        return super::runtime_failure(&format!(
            "{name}: no tag {missing} (tags: {})",
            known.join(", ")
        ));
    }
    if !a.tags.is_empty() {
        totals.retain(|t, _| a.tags.contains(t));
    }
    if totals.is_empty() {
        return super::runtime_failure(&format!("{name}: no interval histograms"));
    }
    println!(
        "{:<18} {:>10} {:>9} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}",
        "tag (ns)", "count", "intervals", "p50", "p90", "p99", "p99.9", "p99.99", "max"
    );
    for (tag, (h, intervals)) in &totals {
        let q = |q: f64| h.value_at_quantile(q);
        println!(
            "{:<18} {:>10} {:>9} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}",
            if tag.is_empty() { "(untagged)" } else { tag },
            h.len(),
            intervals,
            q(0.5),
            q(0.9),
            q(0.99),
            q(0.999),
            q(0.9999),
            h.max()
        );
    }
    if let Some(out) = a.plot {
        let series: Vec<(&str, &hdrhistogram::Histogram<u64>)> =
            totals.iter().map(|(t, (h, _))| (t.as_str(), h)).collect();
        if let Err(e) = plot::write_svg(&out, &format!("microarb latency: {name}"), &series) {
            return super::runtime_failure(&e.to_string());
        }
        println!("plot written to {}", out.display());
    }
    ExitCode::SUCCESS
}
