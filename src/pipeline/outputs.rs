//! Outputs at exit: the JSON report and one `.hgrm` percentile distribution per metric.

use std::path::{Path, PathBuf};

use super::error::RunError;
use super::options::RunOptions;
use crate::config::Config;
use crate::telemetry::{hgrm, report, Hub, Metric};

/// Where the `.hgrm` of `metric` goes for an interval log at `hlog`: `run.hlog` ->
/// `run.tick_to_order.hgrm` beside it.
pub fn hgrm_path(hlog: &Path, metric: Metric) -> PathBuf {
    let stem = hlog
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "microarb".to_string());
    hlog.with_file_name(format!("{stem}.{}.hgrm", metric.tag()))
}

/// Reconciliation counts: start-up and running venue truth on the REST gateway, lost orders on
/// every gateway (zeros where nothing happened, e.g. a paper run).
pub fn reconciliation(hub: &Hub) -> serde_json::Value {
    let c = |n: &str| {
        hub.counters
            .get(&format!("exec.reconcile.{n}"))
            .unwrap_or(0)
    };
    serde_json::json!({
        "foreign_orders": c("foreign_orders"),
        "previous_run_orders": c("previous_run_orders"),
        "cancelled": c("cancelled"),
        "left": c("left"),
        "cancel_failures": c("cancel_failures"),
        "lost_orders": c("lost_orders"),
        "orphans": c("orphans"),
        "balance_mismatches": c("balance_mismatches"),
        "balance_updates": c("balance_updates"),
        "balance_deferred": c("balance_deferred"),
        "resumes": c("resumes"),
        "bad_answers": c("bad_answers"),
        "call_errors": c("call_errors"),
    })
}

/// Build the report; write it and the `.hgrm` files where the options ask.
pub fn write_outputs(
    hub: &Hub,
    cfg: &Config,
    opts: &RunOptions,
    run_info: serde_json::Value,
) -> Result<serde_json::Value, RunError> {
    let config_json = serde_json::to_value(cfg).unwrap_or(serde_json::Value::Null);
    let mut rep = report::build(hub, &config_json, run_info);
    if let Some(obj) = rep.as_object_mut() {
        obj.insert("reconciliation".into(), reconciliation(hub));
    }
    if let Some(path) = &opts.report {
        let text = serde_json::to_string_pretty(&rep).unwrap_or_default();
        std::fs::write(path, text + "\n").map_err(|source| RunError::Output {
            what: path.display().to_string(),
            source,
        })?;
    }
    if let Some(hlog) = &opts.hist_log {
        for m in Metric::ALL {
            let h = &hub.totals()[m.index()];
            if h.is_empty() {
                continue;
            }
            let path = hgrm_path(hlog, m);
            std::fs::write(&path, hgrm::render(h)).map_err(|source| RunError::Output {
                what: path.display().to_string(),
                source,
            })?;
        }
    }
    Ok(rep)
}
