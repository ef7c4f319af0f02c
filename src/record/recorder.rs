//! Recording raw frames from the ingest thread without slowing it down.
//!
//! The ingest thread copies each payload, with its venue and receive time, into an SPSC byte ring
//! (`rtrb` chunks: one memcpy, no allocation, no syscall); a writer thread drains the ring into a
//! capture file ([`CaptureWriter`]). If the writer falls behind and the ring is full, the frame is
//! not recorded and `record.dropped` counts it: recording never blocks trading.

use std::path::Path;
use std::thread::JoinHandle;
use std::time::Duration;

use super::capture::{CaptureError, CaptureWriter};
use crate::base::Counter;
use crate::telemetry::Registry;

/// Bytes of the per-frame header in the ring: payload length (4), venue index (1), unix ns (8).
const HEADER: usize = 13;

/// The hot side.
pub struct RecordTx {
    tx: rtrb::Producer<u8>,
    recorded: Counter,
    dropped: Counter,
}

impl RecordTx {
    /// Record `payload` from venue `venue` received at `recv_unix_ns`.
    #[inline]
    pub fn frame(&mut self, venue: u8, recv_unix_ns: u64, payload: &[u8]) {
        let n = HEADER + payload.len();
        let Ok(chunk) = self.tx.write_chunk_uninit(n) else {
            self.dropped.inc();
            return;
        };
        let len = (payload.len() as u32).to_le_bytes();
        let ts = recv_unix_ns.to_le_bytes();
        let header = len.iter().chain(std::iter::once(&venue)).chain(ts.iter());
        chunk.fill_from_iter(header.chain(payload.iter()).copied());
        self.recorded.inc();
    }
}

/// A recording in progress: the hot side to hand to ingest, and the writer thread.
pub struct Recording {
    /// Give this to the ingest stage.
    pub tx: RecordTx,
    /// The writer; join it after the ingest stage has been dropped.
    pub writer: JoinHandle<Result<u64, CaptureError>>,
}

/// Start recording to `path` (gzip when it ends in `.gz`); `venues[i]` names venue index `i`.
/// `ring_bytes` bounds the backlog the writer may fall behind by.
pub fn start(
    path: &Path,
    venues: Vec<String>,
    ring_bytes: usize,
    reg: &mut Registry,
) -> Result<Recording, CaptureError> {
    let mut w = CaptureWriter::create(path)?;
    w.comment(&format!("microarb capture; venues: {}", venues.join(",")))?;
    let (tx, mut rx) = rtrb::RingBuffer::<u8>::new(ring_bytes.max(HEADER + 1));
    let writer = std::thread::Builder::new()
        .name("recorder".to_string())
        .spawn(move || {
            let mut payload = Vec::with_capacity(1 << 16);
            let mut frames = 0u64;
            loop {
                if rx.slots() >= HEADER {
                    let mut h = [0u8; HEADER];
                    {
                        let c = rx.read_chunk(HEADER).expect("slots checked");
                        let (a, b) = c.as_slices();
                        h[..a.len()].copy_from_slice(a);
                        h[a.len()..].copy_from_slice(b);
                        c.commit_all();
                    }
                    let len = u32::from_le_bytes([h[0], h[1], h[2], h[3]]) as usize;
                    let venue = h[4] as usize;
                    let ts = u64::from_le_bytes(h[5..13].try_into().expect("8 bytes"));
                    // The producer writes header and payload in one chunk, so the payload is there.
                    payload.clear();
                    let c = rx.read_chunk(len).expect("payload written with its header");
                    let (a, b) = c.as_slices();
                    payload.extend_from_slice(a);
                    payload.extend_from_slice(b);
                    c.commit_all();
                    let name = venues.get(venue).map(String::as_str).unwrap_or("unknown");
                    match w.write(ts, name, &payload) {
                        Ok(()) => frames += 1,
                        // A payload with a newline cannot be a capture line; skip it, keep going.
                        Err(CaptureError::PayloadHasNewline { .. }) => {}
                        Err(e) => return Err(e),
                    }
                } else if rx.is_abandoned() && rx.is_empty() {
                    w.finish()?;
                    return Ok(frames);
                } else {
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
        })
        .map_err(|source| CaptureError::Io { line: 0, source })?;
    Ok(Recording {
        tx: RecordTx {
            tx,
            recorded: reg.counter("record.frames"),
            dropped: reg.counter("record.dropped"),
        },
        writer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::CaptureReader;

    #[test]
    fn frames_round_trip_through_the_ring_and_a_full_ring_drops_and_counts() {
        let dir = std::env::temp_dir().join(format!("microarb-rec-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("c.tsv");
        let mut reg = Registry::new();
        let rec = start(&path, vec!["a".into(), "b".into()], 64, &mut reg).unwrap();
        let mut tx = rec.tx;
        tx.frame(0, 1, b"{\"x\":1}");
        tx.frame(1, 2, b"[2]");
        tx.frame(0, 3, &[b'y'; 100]); // larger than the ring: dropped, counted
        drop(tx);
        assert_eq!(rec.writer.join().unwrap().unwrap(), 2);
        assert_eq!(reg.counters.get("record.dropped"), Some(1));
        let mut r = CaptureReader::open(&path).unwrap();
        let a = r.next_record().unwrap().unwrap();
        assert_eq!((a.recv_ns, a.venue, a.payload), (1, "a", &b"{\"x\":1}"[..]));
        let b = r.next_record().unwrap().unwrap();
        assert_eq!((b.recv_ns, b.venue, b.payload), (2, "b", &b"[2]"[..]));
        assert!(r.next_record().unwrap().is_none());
    }
}
