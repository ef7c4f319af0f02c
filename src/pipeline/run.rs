//! Build, start, wait, drain, report.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use thiserror::Error;

use super::outputs::write_outputs;
use super::replay::{Pace, ReplayStage};
use crate::base::Clock;
use crate::config::{machine_cores, Config, StageName};
use crate::exec::ExecStage;
use crate::exec::Gateway;
use crate::exec::KillSwitch;
use crate::ingest::{parsers_from_config, IngestBuildError, IngestSettings, IngestStage};
use crate::model::{Opportunity, Quote};
use crate::record::{recorder, CaptureError, CaptureReader};
use crate::runtime::{effective_threads, ring, IdleStrategy, RingTx, Shutdown, Stage, Worker};
use crate::strategy::{StrategyStage, TimeSource};
use crate::telemetry::{thread as telemetry_thread, OppLog, Registry, TelemetryOptions};

/// Where quotes come from.
pub enum Feed {
    /// The venues' WebSocket feeds (the config's URLs).
    Live {
        /// TLS roots and jitter seed.
        settings: IngestSettings,
        /// Record every raw frame to this capture file.
        record: Option<PathBuf>,
        /// Only ingest (and record); no strategy or execution (`microarb record`).
        ingest_only: bool,
    },
    /// A capture file, in capture time.
    Replay {
        /// The capture.
        path: PathBuf,
        /// Max speed or recorded pace.
        pace: Pace,
    },
    /// A quote source the caller builds: the extension point for tests and benches that feed
    /// the engine in process (a synthetic market, a scripted sequence). [`run`] calls it once
    /// with the `quotes` ring's producer and the run's registry (for the stage's counters); the
    /// stage it returns stands where the ingest stage stands, in live time.
    Source(SourceBuilder),
}

/// Builds a [`Feed::Source`] stage from the `quotes` ring's producer and the run's registry.
pub type SourceBuilder = Box<dyn FnOnce(RingTx<Quote>, &mut Registry) -> Box<dyn Stage> + Send>;

/// Run options from the command line.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Stop after this long (None: until a signal).
    pub seconds: Option<f64>,
    /// Interval log path.
    pub hist_log: Option<PathBuf>,
    /// JSON report path.
    pub report: Option<PathBuf>,
    /// Do not pin threads.
    pub no_pin: bool,
    /// Print the status line (overrides the config when set).
    pub status_line: Option<bool>,
    /// Install SIGINT/SIGTERM handlers (false in tests, which stop via the returned handle).
    pub signals: bool,
    /// Requested externally (tests, embedding); a fresh flag when None.
    pub shutdown: Option<Shutdown>,
    /// Write one JSON line per detected opportunity here.
    pub opps: Option<PathBuf>,
}

/// A runtime failure (exit status 1).
#[derive(Debug, Error)]
pub enum RunError {
    /// A thread could not be started.
    #[error("cannot start thread {thread}: {source}")]
    Spawn {
        /// Thread name.
        thread: String,
        /// OS error.
        source: std::io::Error,
    },
    /// The config passed validation but the detector refused its parameters.
    #[error("strategy parameters: {0}")]
    Strategy(String),
    /// The venue connections could not be set up.
    #[error("ingest: {0}")]
    Ingest(#[from] IngestBuildError),
    /// The capture could not be opened or written.
    #[error("capture: {0}")]
    Capture(#[from] CaptureError),
    /// The execution stage refused its parameters.
    #[error("execution: {0}")]
    Exec(#[from] crate::exec::ExecBuildError),
    /// Signal handlers could not be installed.
    #[error("cannot install signal handlers: {0}")]
    Signals(std::io::Error),
    /// An output could not be written.
    #[error("cannot write {what}: {source}")]
    Output {
        /// Which output.
        what: String,
        /// OS error.
        source: std::io::Error,
    },
    /// A thread panicked.
    #[error("thread {0} panicked")]
    Panicked(String),
}

/// What a run returns: the report object (also written to `--report` when asked).
#[derive(Debug, Clone)]
pub struct RunSummary {
    /// The report JSON.
    pub report: serde_json::Value,
    /// Workers that did not drain in time.
    pub unfinished: Vec<String>,
}

/// Run the engine on `cfg` with `feed` until `opts.seconds` pass or shutdown is requested.
pub fn run(cfg: &Config, feed: Feed, opts: &RunOptions) -> Result<RunSummary, RunError> {
    let clock = Clock::new();
    let shutdown = opts.shutdown.clone().unwrap_or_default();
    if opts.signals {
        shutdown
            .install_signal_handlers()
            .map_err(RunError::Signals)?;
    }
    // Keep the helper threads (telemetry, logs, watchers, recorder) off the workers' cores: they
    // inherit this thread's affinity, so pin it to the first core no worker is pinned to.
    if !opts.no_pin {
        let used: Vec<usize> = effective_threads(&cfg.runtime, machine_cores())
            .iter()
            .filter_map(|t| t.core)
            .collect();
        if let Some(spare) = (0..machine_cores()).find(|c| !used.contains(c)) {
            crate::runtime::pin_current(spare);
        }
    }
    let mut reg = Registry::new();
    let cap = cfg.runtime.ring_capacity as usize;
    let (q_tx, q_rx) = ring::<Quote>("quotes", cap, &mut reg.counters);
    let (o_tx, o_rx) = ring::<Opportunity>("opps", cap, &mut reg.counters);

    let mut recording = None;
    let mut time = TimeSource::Live;
    let mut ingest_only = false;
    let ingest: Box<dyn Stage> = match feed {
        Feed::Source(build) => build(q_tx, &mut reg),
        Feed::Live {
            mut settings,
            record,
            ingest_only: only,
        } => {
            ingest_only = only;
            if settings.frames_per_poll == 0 && ingest_shares_thread(cfg) {
                // Run to completion: each quote reaches its order before the next frame is read.
                settings.frames_per_poll = 1;
            }
            let mut stage = IngestStage::from_config(cfg, q_tx, clock, &mut reg, &settings)?;
            if let Some(path) = record {
                let names = cfg.venues.iter().map(|v| v.name.clone()).collect();
                let r = recorder::start(&path, names, 64 << 20, &mut reg)?;
                stage.set_recorder(r.tx);
                recording = Some(r.writer);
            }
            Box::new(stage)
        }
        Feed::Replay { path, pace } => {
            time = TimeSource::Capture;
            let reader = CaptureReader::open(&path)?;
            let parsers = parsers_from_config(cfg)?;
            Box::new(ReplayStage::new(
                reader,
                parsers,
                q_tx,
                shutdown.clone(),
                pace,
                &mut reg,
            ))
        }
    };
    let mut opps_log = opts
        .opps
        .as_ref()
        .map(|_| OppLog::new(time == TimeSource::Capture));
    let mut strategy = StrategyStage::with_time(cfg, q_rx, o_tx, clock, time, &mut reg)
        .map_err(|e| RunError::Strategy(e.to_string()))?;
    // The kill switch: SIGUSR1 (with the other signal handlers) and the kill file, watched every
    // 100 ms by a small thread so the exec stage only ever does a relaxed load.
    let kill = KillSwitch::new();
    if opts.signals {
        kill.register_signal(signal_hook::consts::SIGUSR1)
            .map_err(RunError::Signals)?;
    }
    let stop_watch = Arc::new(AtomicBool::new(false));
    let watcher = match &cfg.risk.kill_file {
        Some(path) => {
            kill.check_file(std::path::Path::new(path));
            Some(
                kill.watch_file(
                    PathBuf::from(path),
                    Duration::from_millis(100),
                    Arc::clone(&stop_watch),
                )
                .map_err(|source| RunError::Spawn {
                    thread: "kill-watch".to_string(),
                    source,
                })?,
            )
        }
        None => None,
    };
    if let Some(log) = opps_log.as_mut() {
        strategy.set_opps_log(log.channel("strategy", &mut reg));
    }
    let capture_time = time == TimeSource::Capture;
    let mut exec = crate::exec::build_stage(cfg, o_rx, clock, kill, &mut reg)?;
    set_up_exec(&mut exec, capture_time, opps_log.as_mut(), &mut reg);
    let exec: Box<dyn Stage> = Box::new(exec);
    let opps_writer = match (opps_log, &opts.opps) {
        (Some(log), Some(path)) => {
            Some(
                log.spawn_writer(path, cfg)
                    .map_err(|source| RunError::Output {
                        what: path.display().to_string(),
                        source,
                    })?,
            )
        }
        _ => None,
    };

    let mut stages: BTreeMap<StageName, Box<dyn Stage>> = BTreeMap::new();
    stages.insert(StageName::Ingest, ingest);
    if ingest_only {
        stages.insert(
            StageName::Strategy,
            Box::new(Drain {
                rx: strategy.into_input(),
            }),
        );
    } else {
        stages.insert(StageName::Strategy, Box::new(strategy));
        stages.insert(StageName::Exec, exec);
    }

    let interval_ns = cfg.telemetry.interval_ms * 1_000_000;
    let mut workers = Vec::new();
    for t in effective_threads(&cfg.runtime, machine_cores()) {
        let idle = IdleStrategy {
            kind: t.idle.unwrap_or(cfg.runtime.idle),
            spin_iterations: cfg.runtime.spin_iterations,
            park: Duration::from_micros(cfg.runtime.park_us),
        };
        workers.push(Worker {
            name: t.name.clone(),
            core: if opts.no_pin { None } else { t.core },
            idle,
            stages: t.stages.iter().filter_map(|s| stages.remove(s)).collect(),
            flush_interval_ns: interval_ns,
            drain_timeout_ns: 5_000_000_000,
        });
    }

    let hub = reg.into_hub();
    let stop_telemetry = Arc::new(AtomicBool::new(false));
    let tel = telemetry_thread::spawn(
        hub,
        TelemetryOptions {
            interval_ns,
            status_line: opts.status_line.unwrap_or(cfg.telemetry.status_line),
            hist_log: opts.hist_log.clone(),
        },
        clock,
        Arc::clone(&stop_telemetry),
    )
    .map_err(|e| RunError::Output {
        what: "interval log".to_string(),
        source: e,
    })?;

    let mut handles = Vec::new();
    for w in workers {
        let name = w.name.clone();
        let h = w
            .spawn(clock, shutdown.clone())
            .map_err(|source| RunError::Spawn {
                thread: name.clone(),
                source,
            })?;
        handles.push((name, h));
    }

    let deadline = opts.seconds.map(|s| clock.now_ns() + (s * 1e9) as u64);
    while !shutdown.is_requested() {
        if let Some(d) = deadline {
            if clock.now_ns() >= d {
                shutdown.request();
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }

    let mut unfinished = Vec::new();
    let mut panicked = None;
    for (name, h) in handles {
        match h.join() {
            Ok(r) => unfinished.extend(r.unfinished.iter().map(|s| format!("{}/{}", r.name, s))),
            Err(_) => panicked = Some(name),
        }
    }
    stop_telemetry.store(true, Ordering::Release);
    stop_watch.store(true, Ordering::Relaxed);
    if let Some(w) = watcher {
        let _ = w.join();
    }
    let hub = match tel.join() {
        Ok(Ok(hub)) => hub,
        Ok(Err(e)) => {
            return Err(RunError::Output {
                what: "interval log".to_string(),
                source: e,
            })
        }
        Err(_) => return Err(RunError::Panicked("telemetry".to_string())),
    };
    if let Some(name) = panicked {
        return Err(RunError::Panicked(name));
    }
    if let Some(w) = opps_writer {
        match w.join() {
            Ok(Ok(_)) => {}
            Ok(Err(source)) => {
                return Err(RunError::Output {
                    what: "opportunities log".to_string(),
                    source,
                })
            }
            Err(_) => return Err(RunError::Panicked("opps-log".to_string())),
        }
    }
    if let Some(w) = recording {
        match w.join() {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => return Err(RunError::Capture(e)),
            Err(_) => return Err(RunError::Panicked("recorder".to_string())),
        }
    }
    let run_info = serde_json::json!({
        "seconds": clock.now_ns() as f64 / 1e9,
        "no_pin": opts.no_pin,
        "unfinished": unfinished,
    });
    let report = write_outputs(&hub, cfg, opts, run_info)?;
    Ok(RunSummary { report, unfinished })
}

/// Does the ingest stage share its thread with the strategy (the 2- and 3-core topologies)?
fn ingest_shares_thread(cfg: &Config) -> bool {
    effective_threads(&cfg.runtime, machine_cores())
        .iter()
        .any(|t| t.stages.contains(&StageName::Ingest) && t.stages.contains(&StageName::Strategy))
}

/// Capture time and the `--opps` log channel, whatever the gateway.
fn set_up_exec<G: Gateway>(
    exec: &mut ExecStage<G>,
    capture_time: bool,
    log: Option<&mut OppLog>,
    reg: &mut Registry,
) {
    if capture_time {
        exec.use_capture_time();
    }
    if let Some(log) = log {
        exec.set_opps_log(log.channel("exec", reg));
    }
}

/// Consumes quotes and does nothing else (`microarb record`: ingest only).
struct Drain {
    rx: crate::runtime::RingRx<Quote>,
}

impl Stage for Drain {
    fn name(&self) -> &'static str {
        "drain"
    }

    fn poll(&mut self, _now_ns: u64) -> crate::runtime::Work {
        let mut n = 0;
        while self.rx.pop().is_some() {
            n += 1;
        }
        crate::runtime::Work(n)
    }

    fn is_finished(&self, stopping: bool) -> bool {
        stopping && self.rx.is_drained()
    }
}
