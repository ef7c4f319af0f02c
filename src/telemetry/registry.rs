//! Where stages register their counters and histograms on the cold path, before any thread
//! starts. The registry then becomes the telemetry thread's [`Hub`].

use hdrhistogram::Histogram;

use super::gauges::{GaugeFamily, Gauges};
use super::hub::{Hub, HubSlot};
use super::metric::{new_histogram, Metric};
use super::recorder::{Interval, Recorder, RecorderSlot};
use super::samples::{drain, SampleDrain, SampleTx};
use crate::base::{Counter, Counters, Gauge};

/// Spare histograms per (stage, metric): one being filled, one in flight, one being written.
const POOL: usize = 3;

/// Counters and histogram slots of every stage.
#[derive(Default)]
pub struct Registry {
    /// Named counters.
    pub counters: Counters,
    /// Named gauges (the `/metrics` endpoint's state families).
    pub gauges: Gauges,
    slots: Vec<HubSlot>,
    samples: Vec<SampleDrain>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Register a counter (see [`Counters::register`]).
    pub fn counter(&mut self, name: &str) -> Counter {
        self.counters.register(name)
    }

    /// Register the gauge series `family{labels}` (see [`Gauges::register`]).
    pub fn gauge(&mut self, family: GaugeFamily, labels: &[(&'static str, &str)]) -> Gauge {
        self.gauges.register(family, labels)
    }

    /// A recorder for `stage` recording `metrics`; allocates its histogram pool now.
    pub fn recorder(&mut self, stage: &str, metrics: &[Metric]) -> Recorder {
        let mut slots = Vec::with_capacity(metrics.len());
        for &metric in metrics {
            let (full_tx, full_rx) = rtrb::RingBuffer::<Interval>::new(POOL + 1);
            let (mut empty_tx, empty_rx) = rtrb::RingBuffer::<Histogram<u64>>::new(POOL + 1);
            for _ in 0..POOL - 1 {
                empty_tx
                    .push(new_histogram())
                    .expect("the empty ring was sized for the pool");
            }
            slots.push(RecorderSlot {
                metric,
                current: new_histogram(),
                start_ns: 0,
                clamped: 0,
                full: full_tx,
                empty: empty_rx,
            });
            self.slots.push(HubSlot {
                stage: stage.to_string(),
                metric,
                full: full_rx,
                empty: empty_tx,
            });
        }
        let late = self.counter(&format!("{stage}.telemetry_late"));
        Recorder::new(slots, late)
    }

    /// A rate-limited sample channel named `name` (at most one sample per `min_gap_ns`, up to 16
    /// waiting); the telemetry thread prints each as `name: <sample>`. Suppressed samples are
    /// counted in `<name>.samples_suppressed`.
    pub fn sampler<T: Copy + Send + std::fmt::Display + 'static>(
        &mut self,
        name: &str,
        min_gap_ns: u64,
    ) -> SampleTx<T> {
        let (tx, rx) = rtrb::RingBuffer::<T>::new(16);
        let suppressed = self.counter(&format!("{name}.samples_suppressed"));
        self.samples.push(drain(name.to_string(), rx));
        SampleTx::new(tx, min_gap_ns, suppressed)
    }

    /// Turn the registry into the telemetry thread's hub.
    pub fn into_hub(self) -> Hub {
        Hub::new(self.counters, self.gauges, self.slots, self.samples)
    }
}
