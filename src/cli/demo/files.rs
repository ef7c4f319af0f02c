//! Where the demo writes: the interval log, the JSON report and the latency plot, by default into
//! `microarb-demo/` under the current directory (`--out-dir`), each overridable on its own.

use std::path::{Path, PathBuf};

use microarb::pipeline::hgrm_path;
use microarb::telemetry::{hlog, plot, Metric};

/// The demo's output paths.
#[derive(Debug, Clone)]
pub struct Files {
    /// HdrHistogram V2 interval log (`.hgrm` files are written beside it).
    pub hlog: PathBuf,
    /// JSON report.
    pub report: PathBuf,
    /// Percentile-spectrum plot (SVG).
    pub plot: PathBuf,
}

impl Files {
    /// `out_dir/demo.hlog`, `out_dir/report.json`, `out_dir/latency.svg`, unless `--hist-log` or
    /// `--report` name their own.
    pub fn new(out_dir: &Path, hlog: Option<&Path>, report: Option<&Path>) -> Files {
        Files {
            hlog: hlog.map_or_else(|| out_dir.join("demo.hlog"), Path::to_path_buf),
            report: report.map_or_else(|| out_dir.join("report.json"), Path::to_path_buf),
            plot: out_dir.join("latency.svg"),
        }
    }

    /// Create the folders the files go into.
    pub fn create_dirs(&self) -> std::io::Result<()> {
        for p in [&self.hlog, &self.report, &self.plot] {
            if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
        }
        Ok(())
    }

    /// Read the interval log back and draw it (what `microarb hist --plot` draws).
    pub fn write_plot(&self) -> Result<(), String> {
        let name = self.hlog.display().to_string();
        let bytes = std::fs::read(&self.hlog).map_err(|e| format!("cannot read {name}: {e}"))?;
        let totals = hlog::read_totals(&name, &bytes).map_err(|e| e.to_string())?;
        let series: Vec<(&str, &hdrhistogram::Histogram<u64>)> =
            totals.iter().map(|(t, (h, _))| (t.as_str(), h)).collect();
        plot::write_svg(&self.plot, "microarb demo: latency", &series).map_err(|e| e.to_string())
    }

    /// The `.hgrm` of `tick_to_order` beside the interval log (one per metric).
    pub fn tick_to_order_hgrm(&self) -> PathBuf {
        hgrm_path(&self.hlog, Metric::TickToOrder)
    }
}
