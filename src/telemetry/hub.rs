//! The telemetry thread's side: collect each interval's histograms from every stage, merge them
//! per metric, write the interval log, keep run totals, and give the emptied histograms back.
//! Everything here is the cold side and may allocate (log lines, JSON).

use hdrhistogram::Histogram;

use super::gauges::Gauges;
use super::hlog::HlogWriter;
use super::metric::{new_histogram, Metric};
use super::recorder::Interval;
use super::samples::SampleDrain;
use crate::base::Counters;

pub(crate) struct HubSlot {
    #[allow(dead_code)]
    pub(crate) stage: String,
    pub(crate) metric: Metric,
    pub(crate) full: rtrb::Consumer<Interval>,
    pub(crate) empty: rtrb::Producer<Histogram<u64>>,
}

/// One collection: per metric, the merged histogram of what arrived and its time span.
pub struct Collected<'a> {
    /// Per metric (index = `Metric::index`): merged interval histogram, start and end ns.
    pub per_metric: &'a [(Histogram<u64>, u64, u64)],
}

/// Collects, merges, logs and totals histograms.
pub struct Hub {
    /// Counters of every stage (read-only here).
    pub counters: Counters,
    /// Gauges of every stage (read-only here).
    pub gauges: Gauges,
    slots: Vec<HubSlot>,
    interval: Vec<(Histogram<u64>, u64, u64)>,
    totals: Vec<Histogram<u64>>,
    clamped: [u64; Metric::COUNT],
    intervals_seen: u64,
    samples: Vec<SampleDrain>,
    lines: Vec<String>,
}

impl Hub {
    pub(crate) fn new(
        counters: Counters,
        gauges: Gauges,
        slots: Vec<HubSlot>,
        samples: Vec<SampleDrain>,
    ) -> Hub {
        Hub {
            counters,
            gauges,
            slots,
            interval: Metric::ALL
                .iter()
                .map(|_| (new_histogram(), u64::MAX, 0))
                .collect(),
            totals: Metric::ALL.iter().map(|_| new_histogram()).collect(),
            clamped: [0; Metric::COUNT],
            intervals_seen: 0,
            samples,
            lines: Vec::new(),
        }
    }

    /// Take every interval that has arrived, merge per metric, add to the totals, return the
    /// emptied histograms, and write non-empty metrics to `log` (times relative to `base_ns`).
    pub fn collect(&mut self, log: Option<&mut HlogWriter>) -> std::io::Result<Collected<'_>> {
        for (h, start, end) in self.interval.iter_mut() {
            h.reset();
            *start = u64::MAX;
            *end = 0;
        }
        for slot in self.slots.iter_mut() {
            while let Ok(mut iv) = slot.full.pop() {
                let m = slot.metric.index();
                let (h, start, end) = &mut self.interval[m];
                h.add(&iv.hist).ok();
                *start = (*start).min(iv.start_ns);
                *end = (*end).max(iv.end_ns);
                self.clamped[m] += iv.clamped;
                self.intervals_seen += 1;
                iv.hist.reset();
                // The empty ring holds the whole pool; it has room for what came out of it.
                let _ = slot.empty.push(iv.hist);
            }
        }
        for (i, (h, _, _)) in self.interval.iter().enumerate() {
            if !h.is_empty() {
                self.totals[i].add(h).ok();
            }
        }
        if let Some(log) = log {
            for (i, (h, start, end)) in self.interval.iter().enumerate() {
                if !h.is_empty() {
                    log.write(Metric::ALL[i].tag(), *start, end.saturating_sub(*start), h)?;
                }
            }
            log.flush()?;
        }
        Ok(Collected {
            per_metric: &self.interval,
        })
    }

    /// Log samples that arrived since the last call, formatted (`name: sample`).
    pub fn take_samples(&mut self) -> Vec<String> {
        for d in self.samples.iter_mut() {
            d(&mut self.lines);
        }
        std::mem::take(&mut self.lines)
    }

    /// Run totals per metric.
    pub fn totals(&self) -> &[Histogram<u64>] {
        &self.totals
    }

    /// Values above the histogram range, per metric (recorded as the highest value).
    pub fn clamped(&self) -> &[u64; Metric::COUNT] {
        &self.clamped
    }

    /// Interval histograms received so far.
    pub fn intervals_seen(&self) -> u64 {
        self.intervals_seen
    }
}
