//! Build, start, wait, drain, report: [`run`] as named steps, in that order.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use super::drain::Drain;
use super::error::RunError;
use super::feed::Feed;
use super::options::{RunOptions, RunSummary};
use super::outputs::write_outputs;
use super::replay::ReplayStage;
use crate::base::Clock;
use crate::config::{machine_cores, parse_metrics_addr, Config, GatewayKind, StageName};
use crate::exec::{EmergencySwitch, ExecStage, Gateway, KillSwitch};
use crate::ingest::{parsers_from_config, IngestStage};
use crate::model::{Opportunity, Quote};
use crate::record::{recorder, CaptureError, CaptureReader};
use crate::runtime::{
    effective_threads, ring, IdleStrategy, RingTx, Shutdown, Stage, Worker, WorkerReport,
};
use crate::strategy::{StrategyStage, TimeSource};
use crate::telemetry::gauges::QUEUE_CAPACITY;
use crate::telemetry::{thread as telemetry_thread, Hub, OppLog, Registry, TelemetryOptions};

/// A replay runs on the paper venue only: the capture's prices are old, and one wrong config line
/// must not send them to a live venue.
fn refuse_trading_replay(cfg: &Config, feed: &Feed) -> Result<(), RunError> {
    match (feed, cfg.execution.gateway) {
        (Feed::Replay { .. }, g) if g != GatewayKind::Paper => Err(RunError::ReplayNeedsPaper {
            gateway: g.as_str(),
        }),
        _ => Ok(()),
    }
}

/// Run the engine on `cfg` with `feed` until `opts.seconds` pass or shutdown is requested.
pub fn run(cfg: &Config, feed: Feed, opts: &RunOptions) -> Result<RunSummary, RunError> {
    // Refuse a bad metrics address, and a replay that could reach a venue, before anything starts.
    metrics_addr(cfg, opts)?;
    refuse_trading_replay(cfg, &feed)?;
    let clock = Clock::new();
    let shutdown = opts.shutdown.clone().unwrap_or_default();
    if opts.signals {
        shutdown
            .install_signal_handlers()
            .map_err(RunError::Signals)?;
    }
    if !opts.no_pin {
        pin_helpers_off_workers(cfg);
    }
    let mut reg = Registry::new();
    let cap = cfg.runtime.ring_capacity as usize;
    let (q_tx, q_rx) = ring::<Quote>("quotes", cap, &mut reg.counters);
    let (o_tx, o_rx) = ring::<Opportunity>("opps", cap, &mut reg.counters);
    for queue in ["quotes", "opps"] {
        let capacity = i64::try_from(cap.max(1)).unwrap_or(i64::MAX);
        reg.gauge(QUEUE_CAPACITY, &[("queue", queue)]).set(capacity);
    }

    let source = build_source(cfg, feed, q_tx, clock, &shutdown, &mut reg)?;
    let mut opps_log = opts
        .opps
        .as_ref()
        .map(|_| OppLog::new(source.time == TimeSource::Capture));
    let mut strategy = StrategyStage::with_time(cfg, q_rx, o_tx, clock, source.time, &mut reg)?;
    if let Some(log) = opps_log.as_mut() {
        strategy.set_opps_log(log.channel("strategy", &mut reg));
    }
    let kill = KillWatch::start(cfg, opts.signals)?;
    let mut exec = crate::exec::build_stage(cfg, o_rx, clock, kill.switch.clone(), &mut reg)?;
    if cfg.execution.gateway == GatewayKind::Paper {
        // The paper venue matches against the quotes as they stand when an order arrives.
        let (b_tx, b_rx) = ring::<Quote>("books", cap, &mut reg.counters);
        let capacity = i64::try_from(cap.max(1)).unwrap_or(i64::MAX);
        reg.gauge(QUEUE_CAPACITY, &[("queue", "books")])
            .set(capacity);
        strategy.set_book_out(b_tx);
        exec.set_book_feed(b_rx);
    }
    exec.set_emergency_switch(kill.emergency.clone());
    let trades_writer = if source.ingest_only {
        None
    } else {
        let (tx, writer) = super::trades::start(
            cfg,
            &clock,
            &kill.switch,
            source.time == TimeSource::Capture,
            opts.trades.as_deref(),
            exec.take_previous_lines(),
            &mut reg,
        )?;
        exec.set_trade_log(tx);
        Some(writer)
    };
    set_up_exec(
        &mut exec,
        source.time == TimeSource::Capture,
        opps_log.as_mut(),
        &mut reg,
    );
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

    let stages = place_stages(source.stage, strategy, Box::new(exec), source.ingest_only);
    let workers = workers(cfg, opts, stages);
    let stop_telemetry = Arc::new(AtomicBool::new(false));
    let tel = spawn_telemetry(cfg, opts, reg.into_hub(), clock, &stop_telemetry)?;
    let handles = spawn_workers(workers, clock, &shutdown)?;
    wait_until_stopped(opts, clock, &shutdown);

    let (unfinished, panicked) = join_workers(handles);
    stop_telemetry.store(true, Ordering::Release);
    kill.stop();
    let hub = join_telemetry(tel)?;
    if let Some(name) = panicked {
        return Err(RunError::Panicked(name));
    }
    join_opps_writer(opps_writer)?;
    let trades = trades_writer.map(super::trades::join).transpose()?;
    join_recorder(source.recording)?;
    let run_info = serde_json::json!({
        "seconds": clock.now_ns() as f64 / 1e9,
        // Unix ns of the monotonic clock's zero: with it the opps log's `recv_ts` is a unix time
        // (the latency bench finds an Upbit-triggered order's frame by it).
        "unix_anchor_ns": clock.unix_anchor_ns(),
        "no_pin": opts.no_pin,
        "unfinished": unfinished,
    });
    let report = write_outputs(&hub, cfg, opts, run_info, trades)?;
    Ok(RunSummary { report, unfinished })
}

/// Keep the helper threads (telemetry, logs, watchers, recorder) off the workers' cores: they
/// inherit this thread's affinity, so pin it to the first core no worker is pinned to.
fn pin_helpers_off_workers(cfg: &Config) {
    let used: Vec<usize> = effective_threads(&cfg.runtime, machine_cores())
        .iter()
        .filter_map(|t| t.core)
        .collect();
    if let Some(spare) = (0..machine_cores()).find(|c| !used.contains(c)) {
        crate::runtime::pin_current(spare);
    }
}

/// The quote source a [`Feed`] asks for, and what it implies for the rest of the run.
struct Source {
    /// The stage that pushes quotes on the `quotes` ring.
    stage: Box<dyn Stage>,
    /// Live time, or the capture's (replay).
    time: TimeSource,
    /// `microarb record`: no strategy or execution.
    ingest_only: bool,
    /// The capture writer thread, when recording.
    recording: Option<JoinHandle<Result<u64, CaptureError>>>,
}

/// Build the source stage for `feed`, pushing on `tx`.
fn build_source(
    cfg: &Config,
    feed: Feed,
    tx: RingTx<Quote>,
    clock: Clock,
    shutdown: &Shutdown,
    reg: &mut Registry,
) -> Result<Source, RunError> {
    let (mut time, mut only, mut recording) = (TimeSource::Live, false, None);
    let stage: Box<dyn Stage> = match feed {
        Feed::Source(build) => build(tx, reg),
        Feed::Live {
            mut settings,
            record,
            ingest_only,
        } => {
            only = ingest_only;
            if settings.frames_per_poll == 0 && ingest_shares_thread(cfg) {
                // Run to completion: each quote reaches its order before the next frame is read.
                settings.frames_per_poll = 1;
            }
            let mut stage = IngestStage::from_config(cfg, tx, clock, reg, &settings)?;
            if let Some(path) = record {
                let names = cfg.venues.iter().map(|v| v.name.clone()).collect();
                let r = recorder::start(&path, names, 64 << 20, reg)?;
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
                tx,
                shutdown.clone(),
                pace,
                reg,
            ))
        }
    };
    Ok(Source {
        stage,
        time,
        ingest_only: only,
        recording,
    })
}

/// Does the ingest stage share its thread with the strategy (the 2- and 3-core topologies)?
fn ingest_shares_thread(cfg: &Config) -> bool {
    effective_threads(&cfg.runtime, machine_cores())
        .iter()
        .any(|t| t.stages.contains(&StageName::Ingest) && t.stages.contains(&StageName::Strategy))
}

/// The kill switch: SIGUSR1 (with the other signal handlers) and the kill file, watched every
/// 100 ms by a small thread so the exec stage only ever does a relaxed load; and the same for the
/// operator's emergency-mode file (`execution.emergency_file`).
struct KillWatch {
    switch: KillSwitch,
    emergency: EmergencySwitch,
    stop: Arc<AtomicBool>,
    watcher: Option<JoinHandle<()>>,
    emergency_watcher: Option<JoinHandle<()>>,
}

impl KillWatch {
    fn start(cfg: &Config, signals: bool) -> Result<KillWatch, RunError> {
        let switch = KillSwitch::new();
        if signals {
            switch
                .register_signal(signal_hook::consts::SIGUSR1)
                .map_err(RunError::Signals)?;
        }
        let stop = Arc::new(AtomicBool::new(false));
        let watcher = match &cfg.risk.kill_file {
            Some(path) => {
                switch.check_file(std::path::Path::new(path));
                Some(
                    switch
                        .watch_file(
                            PathBuf::from(path),
                            Duration::from_millis(100),
                            Arc::clone(&stop),
                        )
                        .map_err(|source| RunError::Spawn {
                            thread: "kill-watch".to_string(),
                            source,
                        })?,
                )
            }
            None => None,
        };
        let emergency = EmergencySwitch::new();
        let emergency_watcher = match &cfg.execution.emergency_file {
            Some(path) => {
                let default_ms = cfg.execution.emergency_seconds.saturating_mul(1000);
                emergency.check_file(std::path::Path::new(path), default_ms);
                Some(
                    emergency
                        .watch_file(
                            PathBuf::from(path),
                            Duration::from_millis(100),
                            default_ms,
                            Arc::clone(&stop),
                        )
                        .map_err(|source| RunError::Spawn {
                            thread: "emergency-watch".to_string(),
                            source,
                        })?,
                )
            }
            None => None,
        };
        Ok(KillWatch {
            switch,
            emergency,
            stop,
            watcher,
            emergency_watcher,
        })
    }

    fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        for w in [self.watcher, self.emergency_watcher].into_iter().flatten() {
            let _ = w.join();
        }
    }
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

/// The three stages by name; under `ingest_only` the strategy's input is drained and nothing
/// trades.
fn place_stages(
    ingest: Box<dyn Stage>,
    strategy: StrategyStage,
    exec: Box<dyn Stage>,
    ingest_only: bool,
) -> BTreeMap<StageName, Box<dyn Stage>> {
    let mut stages: BTreeMap<StageName, Box<dyn Stage>> = BTreeMap::new();
    stages.insert(StageName::Ingest, ingest);
    if ingest_only {
        stages.insert(
            StageName::Strategy,
            Box::new(Drain::new(strategy.into_input())),
        );
    } else {
        stages.insert(StageName::Strategy, Box::new(strategy));
        stages.insert(StageName::Exec, exec);
    }
    stages
}

/// One worker per thread of the config's topology, holding its stages in the order listed.
fn workers(
    cfg: &Config,
    opts: &RunOptions,
    mut stages: BTreeMap<StageName, Box<dyn Stage>>,
) -> Vec<Worker> {
    effective_threads(&cfg.runtime, machine_cores())
        .into_iter()
        .map(|t| Worker {
            name: t.name.clone(),
            core: if opts.no_pin { None } else { t.core },
            idle: IdleStrategy {
                kind: t.idle.unwrap_or(cfg.runtime.idle),
                spin_iterations: cfg.runtime.spin_iterations,
                park: Duration::from_micros(cfg.runtime.park_us),
            },
            stages: t.stages.iter().filter_map(|s| stages.remove(s)).collect(),
            flush_interval_ns: cfg.telemetry.interval_ms * 1_000_000,
            drain_timeout_ns: 5_000_000_000,
        })
        .collect()
}

type TelemetryHandle = JoinHandle<std::io::Result<Hub>>;

/// Start the telemetry thread on the run's registry.
fn spawn_telemetry(
    cfg: &Config,
    opts: &RunOptions,
    hub: Hub,
    clock: Clock,
    stop: &Arc<AtomicBool>,
) -> Result<TelemetryHandle, RunError> {
    let metrics = metrics_addr(cfg, opts)?;
    telemetry_thread::spawn(
        hub,
        TelemetryOptions {
            interval_ns: cfg.telemetry.interval_ms * 1_000_000,
            status_line: opts.status_line.unwrap_or(cfg.telemetry.status_line),
            hist_log: opts.hist_log.clone(),
            metrics,
            metrics_bound: opts.metrics_bound.clone(),
        },
        clock,
        Arc::clone(stop),
    )
    .map_err(|source| RunError::Output {
        what: "telemetry outputs".to_string(),
        source,
    })
}

/// The metrics address: `--metrics` over `[telemetry] metrics_addr`, either checked like the
/// config rule (loopback unless `metrics_allow_remote`).
fn metrics_addr(cfg: &Config, opts: &RunOptions) -> Result<Option<SocketAddr>, RunError> {
    let (key, text) = match (&opts.metrics, &cfg.telemetry.metrics_addr) {
        (Some(t), _) => ("--metrics", t),
        (None, Some(t)) => ("telemetry.metrics_addr", t),
        (None, None) => return Ok(None),
    };
    parse_metrics_addr(text, cfg.telemetry.metrics_allow_remote)
        .map(Some)
        .map_err(|source| RunError::MetricsAddr { key, source })
}

/// Start every worker thread.
fn spawn_workers(
    workers: Vec<Worker>,
    clock: Clock,
    shutdown: &Shutdown,
) -> Result<Vec<(String, JoinHandle<WorkerReport>)>, RunError> {
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
    Ok(handles)
}

/// Wait for `--seconds` or a requested shutdown, whichever comes first.
fn wait_until_stopped(opts: &RunOptions, clock: Clock, shutdown: &Shutdown) {
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
}

/// Join the workers: the stages that did not drain in time, and a thread that panicked.
fn join_workers(handles: Vec<(String, JoinHandle<WorkerReport>)>) -> (Vec<String>, Option<String>) {
    let mut unfinished = Vec::new();
    let mut panicked = None;
    for (name, h) in handles {
        match h.join() {
            Ok(r) => unfinished.extend(r.unfinished.iter().map(|s| format!("{}/{}", r.name, s))),
            Err(_) => panicked = Some(name),
        }
    }
    (unfinished, panicked)
}

/// Join the telemetry thread, which hands back the hub with every histogram and counter.
fn join_telemetry(tel: TelemetryHandle) -> Result<Hub, RunError> {
    match tel.join() {
        Ok(Ok(hub)) => Ok(hub),
        Ok(Err(source)) => Err(RunError::Output {
            what: "interval log".to_string(),
            source,
        }),
        Err(_) => Err(RunError::Panicked("telemetry".to_string())),
    }
}

/// Join the `--opps` log writer, if one runs.
fn join_opps_writer(w: Option<JoinHandle<std::io::Result<u64>>>) -> Result<(), RunError> {
    match w.map(|w| w.join()) {
        None | Some(Ok(Ok(_))) => Ok(()),
        Some(Ok(Err(source))) => Err(RunError::Output {
            what: "opportunities log".to_string(),
            source,
        }),
        Some(Err(_)) => Err(RunError::Panicked("opps-log".to_string())),
    }
}

/// Join the capture writer, if recording.
fn join_recorder(w: Option<JoinHandle<Result<u64, CaptureError>>>) -> Result<(), RunError> {
    match w.map(|w| w.join()) {
        None | Some(Ok(Ok(_))) => Ok(()),
        Some(Ok(Err(e))) => Err(RunError::Capture(e)),
        Some(Err(_)) => Err(RunError::Panicked("recorder".to_string())),
    }
}
