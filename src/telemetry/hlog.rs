//! The HdrHistogram V2 interval log (`.hlog`): what `--hist-log FILE` writes and `microarb hist`
//! reads.
//!
//! Layout, as HdrHistogram's Java `HistogramLogWriter` writes it and its `HistogramLogProcessor`,
//! the Python `hdrhistogram` package and the Rust crate's `IntervalLogIterator` read it:
//!
//! ```text
//! #[Histogram log format version 1.3]
//! #[StartTime: 1700000000.123 (seconds since epoch)]
//! #[BaseTime: 1700000000.123 (seconds since epoch)]
//! "StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"
//! Tag=tick_to_order,0.001,1.000,12345.000,HISTFAAAA...
//! ```
//!
//! One line per metric per interval; timestamps are seconds since BaseTime (the engine start),
//! values are nanoseconds, the histogram is V2 with DEFLATE compression, base64-encoded.

use std::collections::BTreeMap;
use std::io::{self, BufWriter, Write};

use base64::Engine;
use hdrhistogram::serialization::interval_log::{IntervalLogIterator, LogEntry};
use hdrhistogram::serialization::{Deserializer, Serializer, V2DeflateSerializer};
use hdrhistogram::Histogram;
use thiserror::Error;

use super::metric::new_histogram;

/// Writes interval histograms to a file.
pub struct HlogWriter {
    out: BufWriter<std::fs::File>,
    ser: V2DeflateSerializer,
    bytes: Vec<u8>,
    text: String,
}

impl HlogWriter {
    /// Create `path` and write the header; `base_unix_ns` is the engine clock's anchor.
    pub fn create(path: &std::path::Path, base_unix_ns: u64) -> io::Result<HlogWriter> {
        let mut out = BufWriter::new(std::fs::File::create(path)?);
        let secs = base_unix_ns as f64 / 1e9;
        writeln!(out, "#[Histogram log format version 1.3]")?;
        writeln!(out, "#[microarb latency histograms, values in nanoseconds]")?;
        writeln!(out, "#[StartTime: {secs:.3} (seconds since epoch)]")?;
        writeln!(out, "#[BaseTime: {secs:.3} (seconds since epoch)]")?;
        writeln!(
            out,
            "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\""
        )?;
        Ok(HlogWriter {
            out,
            ser: V2DeflateSerializer::new(),
            bytes: Vec::new(),
            text: String::new(),
        })
    }

    /// Append one tagged interval. `start_ns` is relative to the base time.
    pub fn write(
        &mut self,
        tag: &str,
        start_ns: u64,
        duration_ns: u64,
        h: &Histogram<u64>,
    ) -> io::Result<()> {
        self.bytes.clear();
        self.text.clear();
        self.ser
            .serialize(h, &mut self.bytes)
            .map_err(|e| io::Error::other(format!("histogram serialization: {e:?}")))?;
        base64::engine::general_purpose::STANDARD.encode_string(&self.bytes, &mut self.text);
        writeln!(
            self.out,
            "Tag={tag},{:.3},{:.3},{:.3},{}",
            start_ns as f64 / 1e9,
            duration_ns as f64 / 1e9,
            h.max() as f64,
            self.text
        )
    }

    /// Push buffered lines to the file.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Why a log could not be read back.
#[derive(Debug, Error)]
pub enum HlogError {
    /// The file could not be read.
    #[error("cannot read {file}: {source}")]
    Io {
        /// Path.
        file: String,
        /// OS error.
        source: io::Error,
    },
    /// A line is not a valid interval-log line.
    #[error("{file}: not an interval log at byte {offset}")]
    Parse {
        /// Path.
        file: String,
        /// Byte offset of the bad line.
        offset: usize,
    },
    /// A histogram's encoding is invalid.
    #[error("{file}: bad histogram for tag {tag}: {reason}")]
    Histogram {
        /// Path.
        file: String,
        /// Tag of the interval.
        tag: String,
        /// What the decoder said.
        reason: String,
    },
}

/// Read a log and sum its intervals per tag (untagged intervals go under `""`). Also returns the
/// number of intervals read per tag.
pub fn read_totals(
    file: &str,
    bytes: &[u8],
) -> Result<BTreeMap<String, (Histogram<u64>, usize)>, HlogError> {
    let mut out: BTreeMap<String, (Histogram<u64>, usize)> = BTreeMap::new();
    let mut de = Deserializer::new();
    for entry in IntervalLogIterator::new(bytes) {
        let entry = entry.map_err(|e| HlogError::Parse {
            file: file.to_string(),
            offset: match e {
                hdrhistogram::serialization::interval_log::LogIteratorError::ParseError {
                    offset,
                } => offset,
            },
        })?;
        if let LogEntry::Interval(iv) = entry {
            let tag = iv.tag().map(|t| t.as_str().to_string()).unwrap_or_default();
            let bad = |reason: String| HlogError::Histogram {
                file: file.to_string(),
                tag: tag.clone(),
                reason,
            };
            let raw = base64::engine::general_purpose::STANDARD
                .decode(iv.encoded_histogram())
                .map_err(|e| bad(e.to_string()))?;
            let h: Histogram<u64> = de
                .deserialize(&mut io::Cursor::new(raw))
                .map_err(|e| bad(format!("{e:?}")))?;
            let slot = out
                .entry(tag.clone())
                .or_insert_with(|| (new_histogram(), 0));
            slot.0.add(&h).map_err(|e| bad(format!("{e:?}")))?;
            slot.1 += 1;
        }
    }
    Ok(out)
}
