//! Where parsed quotes go: the ingest side of the quotes ring, with the per-frame accounting and
//! the `parse` and `feed_lag` histograms. Shared by every connection of one ingest thread.

use std::fmt;

use super::counters::ConnCounters;
use super::handover::{Handover, RestVerdict, WsVerdict};
use super::rest::RestCounters;
use super::venues::{FeedParser, Frame, ParseError, SkipKind};
use crate::base::Clock;
use crate::model::Quote;
use crate::record::RecordTx;
use crate::runtime::RingTx;
use crate::telemetry::{Metric, Recorder};

/// Bytes of a bad payload kept in a log sample.
const SAMPLE_BYTES: usize = 160;

/// A payload that did not parse (or a venue error frame), for the rate-limited log.
#[derive(Debug, Clone, Copy)]
pub struct ParseSample {
    /// The parser's complaint; `None` for a venue error frame.
    pub error: Option<ParseError>,
    total_len: u32,
    len: u8,
    bytes: [u8; SAMPLE_BYTES],
}

impl ParseSample {
    /// A sample of `error` (`None`: a venue error frame), without payload yet.
    pub fn of(error: Option<ParseError>) -> ParseSample {
        ParseSample {
            error,
            total_len: 0,
            len: 0,
            bytes: [0; SAMPLE_BYTES],
        }
    }

    /// The sample with the start of `payload` copied in.
    pub fn with(mut self, payload: &[u8]) -> ParseSample {
        let n = payload.len().min(SAMPLE_BYTES);
        self.bytes[..n].copy_from_slice(&payload[..n]);
        self.len = n as u8;
        self.total_len = payload.len().min(u32::MAX as usize) as u32;
        self
    }
}

impl fmt::Display for ParseSample {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = String::from_utf8_lossy(&self.bytes[..self.len as usize]);
        match &self.error {
            Some(e) => write!(
                f,
                "parse error ({e}) in {}-byte payload: {text}",
                self.total_len
            ),
            None => write!(f, "venue error frame ({} bytes): {text}", self.total_len),
        }
    }
}

/// The quotes ring and what is measured on the way into it.
pub struct Out {
    /// The ring to the strategy.
    pub tx: RingTx<Quote>,
    /// The engine clock.
    pub clock: Clock,
    /// `parse`, `feed_lag`, `feed_lag_neg`.
    pub rec: Recorder,
    /// Raw frames to the capture file, when recording.
    pub record: Option<RecordTx>,
    /// The last quote pushed per (instrument, venue), for the stream / REST hand-over.
    pub handover: Handover,
}

impl Out {
    /// Handle one data payload received at `recv_ns`: parse, check, push, count. `Ok(true)` when it
    /// was a fresh quote of the stream (pushed, dropped by a full ring, or the very book the REST
    /// fallback had just pushed: either way the stream delivers); `Err` when the payload did not parse (with the parser's error) or was a
    /// venue error frame (`None`), for the caller to sample into the log.
    #[inline]
    pub fn on_payload(
        &mut self,
        parser: &mut FeedParser,
        c: &ConnCounters,
        payload: &[u8],
        recv_ns: u64,
    ) -> Result<bool, Option<ParseError>> {
        c.frames.inc();
        c.bytes.add(payload.len() as u64);
        if let Some(r) = self.record.as_mut() {
            r.frame(parser.venue().0, self.clock.unix_ns(recv_ns), payload);
        }
        match parser.parse(payload, recv_ns) {
            Ok(Frame::Quote(q)) => {
                if q.exch_ts_ns != 0 {
                    let recv_unix = self.clock.unix_ns(recv_ns) as i64;
                    self.rec.record_signed(
                        Metric::FeedLag,
                        Metric::FeedLagNeg,
                        recv_unix.saturating_sub(q.exch_ts_ns),
                    );
                }
                if self.handover.ws(&q) == WsVerdict::SameAsRest {
                    c.ws_same_as_rest.inc();
                    return Ok(true);
                }
                let pushed = self.clock.now_ns();
                if self.tx.push(q, pushed).is_err() {
                    c.quotes_dropped.inc();
                    return Ok(false);
                }
                self.handover.pushed(&q);
                parser.remember(payload);
                c.quotes.inc();
                self.rec
                    .record(Metric::Parse, pushed.saturating_sub(recv_ns));
                Ok(true)
            }
            Ok(Frame::Skip(SkipKind::StaleSequence)) => {
                c.seq_drops.inc();
                Ok(false)
            }
            Ok(Frame::Skip(SkipKind::VenueError)) => {
                c.venue_errors.inc();
                Err(None)
            }
            Ok(Frame::Skip(_)) => {
                c.skipped.inc();
                Ok(false)
            }
            Err(e) => {
                c.parse_errors.inc();
                Err(Some(e))
            }
        }
    }

    /// Handle one quote of a REST answer whose round started at `stamp_ns` (at or before its
    /// request was sent): stamp it with that time (see `rest/poller.rs`), push it if [`Handover`]
    /// says it is new, count it either way.
    #[inline]
    pub fn push_rest(&mut self, mut q: Quote, stamp_ns: u64, c: &RestCounters) {
        q.recv_ts_ns = stamp_ns;
        match self.handover.rest(&q, stamp_ns) {
            RestVerdict::Unchanged => c.unchanged.inc(),
            RestVerdict::Superseded => c.superseded.inc(),
            RestVerdict::New => {
                if self.tx.push(q, self.clock.now_ns()).is_err() {
                    c.quotes_dropped.inc();
                } else {
                    self.handover.pushed(&q);
                    c.quotes.inc();
                }
            }
        }
    }
}
