//! The source thread: produces the frames (synthetic market or capture file), paces them at the
//! configured total rate, groups them per venue into batches and hands each batch to every
//! connection of its venue.
//!
//! Pacing: frame `k` (0-based, across venues) is due `k / rate` seconds after streaming started;
//! each turn produces every frame already due (at most [`MAX_BATCH`]) and sleeps until the next is
//! due, so the long-run rate is exact whatever the sleep granularity, and at high rates frames
//! leave in small bursts. Rate 0 produces [`MAX_BATCH`] frames a turn and waits for room in the
//! connections' queues (backpressure: as fast as the slowest connection); a paced source never
//! waits and counts the frames a full queue had no room for (`frames_dropped`).

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::mpsc::TrySendError;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tungstenite::Bytes;

use super::shared::{Batch, InjectedDislocation, RawFrame, Shared};
use super::stats::VenueCounters;
use crate::capture::CaptureReader;
use crate::market::SyntheticMarket;
use crate::venue_kind::VenueKind;

/// Most frames produced in one turn (and so in one batch).
pub const MAX_BATCH: u64 = 256;

/// What produces the frames.
pub(crate) enum Generator {
    /// The synthetic market; stops after `max` updates when given.
    Synthetic {
        market: Box<SyntheticMarket>,
        max: Option<u64>,
        seen_injected: usize,
    },
    /// A capture file; `index` maps served venue names to their index, `ids` counts frames sent.
    Capture {
        reader: CaptureReader,
        index: HashMap<String, usize>,
        ids: Vec<u64>,
    },
}

/// Run the source until it is exhausted or the exchange stops.
pub(crate) fn run(shared: Arc<Shared>, mut gen: Generator, rate_per_s: u64, wait: bool) {
    if wait {
        while !shared.stopping()
            && shared
                .venues
                .iter()
                .any(|v| v.feeding.load(Ordering::Acquire) == 0)
        {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    let start = Instant::now();
    let mut produced: u64 = 0;
    let venues = shared.venues.len();
    while !shared.stopping() {
        let n = if rate_per_s == 0 {
            MAX_BATCH
        } else {
            let elapsed = start.elapsed().as_nanos();
            let due = (elapsed * u128::from(rate_per_s) / 1_000_000_000) as u64 + 1;
            if due <= produced {
                let next_ns = (u128::from(produced) * 1_000_000_000 / u128::from(rate_per_s))
                    .saturating_sub(elapsed);
                let wait = Duration::from_nanos(next_ns.min(1_000_000) as u64);
                std::thread::sleep(wait);
                continue;
            }
            (due - produced).min(MAX_BATCH)
        };
        let mut batches: Vec<Option<Batch>> = (0..venues).map(|_| None).collect();
        let (made, done) = gen.produce(&shared, n, &mut batches);
        produced += made;
        shared.generated.fetch_add(made, Ordering::Relaxed);
        for (vi, batch) in batches.into_iter().enumerate() {
            if let Some(batch) = batch {
                dispatch(&shared, vi, batch, rate_per_s == 0);
            }
        }
        if done {
            break;
        }
    }
    shared.source_done.store(true, Ordering::Release);
}

impl Generator {
    /// Produce up to `n` frames into per-venue batches; returns (frames made, source exhausted).
    fn produce(&mut self, shared: &Shared, n: u64, out: &mut [Option<Batch>]) -> (u64, bool) {
        match self {
            Generator::Synthetic {
                market,
                max,
                seen_injected,
            } => {
                let mut made = 0;
                while made < n {
                    if max.is_some_and(|m| market.updates() >= m) {
                        return (made, true);
                    }
                    let q = market.next_quote();
                    made += 1;
                    if market.injected().len() > *seen_injected {
                        let d = market.injected()[*seen_injected];
                        *seen_injected += 1;
                        let mut inj = shared.injected.lock().unwrap_or_else(|p| p.into_inner());
                        let spec = &shared.venues[q.venue].spec;
                        inj.push(InjectedDislocation {
                            dislocation: d,
                            venue: spec.name.clone(),
                            symbol: spec.symbols.get(q.instrument).cloned().unwrap_or_default(),
                            update_id: q.seq,
                            send_ns: None,
                        });
                    }
                    if let Some(slot) = out.get_mut(q.venue) {
                        if let Batch::Sim(v) = slot.get_or_insert_with(|| Batch::Sim(Vec::new())) {
                            v.push(q);
                        }
                    }
                }
                (made, max.is_some_and(|m| market.updates() >= m))
            }
            Generator::Capture { reader, index, ids } => {
                let mut made = 0;
                while made < n {
                    let rec = match reader.next_record() {
                        Ok(Some(rec)) => rec,
                        Ok(None) => return (made, true),
                        Err(_) => continue,
                    };
                    let Some(&vi) = index.get(rec.venue) else {
                        continue;
                    };
                    ids[vi] += 1;
                    made += 1;
                    let frame = RawFrame {
                        id: ids[vi],
                        payload: Bytes::copy_from_slice(rec.payload),
                        binary: shared.venues[vi].spec.kind == VenueKind::Upbit,
                    };
                    if let Batch::Raw(v) = out[vi].get_or_insert_with(|| Batch::Raw(Vec::new())) {
                        v.push(frame);
                    }
                }
                (made, false)
            }
        }
    }
}

/// Hand `batch` to every connection of venue `vi`; forget connections that are gone.
fn dispatch(shared: &Shared, vi: usize, batch: Batch, block: bool) {
    let venue = &shared.venues[vi];
    if let Batch::Sim(quotes) = &batch {
        {
            let mut tops = venue.tops.lock().unwrap_or_else(|p| p.into_inner());
            for q in quotes {
                if let Some(t) = tops.get_mut(q.instrument) {
                    *t = Some(*q);
                }
            }
        }
        // Resting REST orders execute on every quote that moves through them.
        if let Some(v) = shared.rest.as_ref().and_then(|r| r.venues[vi].as_ref()) {
            v.on_quotes(
                quotes,
                crate::send_log::unix_ns() / 1_000_000,
                &venue.counters,
            );
        }
    }
    let len = batch.len() as u64;
    let batch = Arc::new(batch);
    let conns = venue.conns().clone();
    let mut gone = Vec::new();
    for (id, tx) in &conns {
        let ok = if block {
            tx.send(Arc::clone(&batch)).is_ok()
        } else {
            match tx.try_send(Arc::clone(&batch)) {
                Ok(()) => true,
                Err(TrySendError::Full(_)) => {
                    VenueCounters::add(&venue.counters.frames_dropped, len);
                    true
                }
                Err(TrySendError::Disconnected(_)) => false,
            }
        };
        if !ok {
            gone.push(*id);
        }
    }
    if !gone.is_empty() {
        venue.conns().retain(|(id, _)| !gone.contains(id));
    }
}
