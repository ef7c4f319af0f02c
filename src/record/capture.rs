//! The capture file: one received frame per line, `<receive time, unix ns>\t<venue name>\t<payload>`.
//!
//! Contract (docs/architecture.md, "Contracts"):
//! - UTF-8 text, `\n`-terminated lines (a `\r` before the `\n` is dropped); lines starting with `#`
//!   are comments and blank lines are ignored;
//! - the payload is everything after the second tab, exactly as received (it may hold tabs, never a
//!   newline: the writer refuses a payload with `\n` or `\r` rather than corrupt the file);
//! - a path ending in `.gz` is read and written through gzip.
//!
//! The reader reuses one line buffer and lends each [`Record`] out of it, so a replay of millions of
//! frames allocates nothing per frame once the buffer has grown to the longest line. A bad line is a
//! [`CaptureError`] carrying its 1-based line number; reading can go on past it.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::Path;

use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use thiserror::Error;

/// Why a capture line could not be read or written.
#[derive(Debug, Error)]
pub enum CaptureError {
    /// The underlying file failed (at `line`, 0 when not reading a line).
    #[error("capture I/O error at line {line}: {source}")]
    Io {
        /// 1-based line number being read (0 for open/write).
        line: u64,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A line without the two tabs of `<ns>\t<venue>\t<payload>`.
    #[error("line {line}: expected `<recv ns>\\t<venue>\\t<payload>`")]
    MissingField {
        /// 1-based line number.
        line: u64,
    },
    /// The receive time is not an unsigned integer of nanoseconds.
    #[error("line {line}: receive time {text:?} is not an integer of ns")]
    BadTimestamp {
        /// 1-based line number.
        line: u64,
        /// The offending text (lossy UTF-8, at most 32 bytes).
        text: String,
    },
    /// The venue name is empty or not UTF-8.
    #[error("line {line}: bad venue name")]
    BadVenue {
        /// 1-based line number.
        line: u64,
    },
    /// Writer: the payload holds a newline, which would split the record.
    #[error("payload holds a line break at byte {at}; a capture line cannot carry it")]
    PayloadHasNewline {
        /// Offset of the first `\n` or `\r`.
        at: usize,
    },
    /// Writer: the venue name is empty or holds a tab, newline or leading `#`.
    #[error("venue name {0:?} cannot be written to a capture")]
    BadVenueName(String),
}

/// One frame of a capture, borrowed from the reader's line buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    /// Receive time, unix ns.
    pub recv_ns: u64,
    /// Venue name as in the config (`binance`, `binance_usdm`, ...).
    pub venue: &'a str,
    /// The payload as received.
    pub payload: &'a [u8],
    /// 1-based line number in the file.
    pub line: u64,
}

/// Reads records from any buffered source; [`CaptureReader::open`] picks gzip by extension.
#[derive(Debug)]
pub struct CaptureReader<R> {
    src: R,
    buf: Vec<u8>,
    line: u64,
}

impl CaptureReader<Box<dyn BufRead + Send>> {
    /// Open `path`, through gzip when it ends in `.gz` (cold path).
    pub fn open(path: impl AsRef<Path>) -> Result<Self, CaptureError> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|source| CaptureError::Io { line: 0, source })?;
        let gz = path.extension().is_some_and(|e| e == "gz");
        let src: Box<dyn BufRead + Send> = if gz {
            Box::new(BufReader::with_capacity(
                1 << 16,
                MultiGzDecoder::new(BufReader::new(file)),
            ))
        } else {
            Box::new(BufReader::with_capacity(1 << 16, file))
        };
        Ok(CaptureReader::new(src))
    }
}

impl<R: BufRead> CaptureReader<R> {
    /// Read records from `src` (already decompressed).
    pub fn new(src: R) -> Self {
        CaptureReader {
            src,
            buf: Vec::with_capacity(4096),
            line: 0,
        }
    }

    /// The next record, `Ok(None)` at the end. After an error the next call reads the next line.
    pub fn next_record(&mut self) -> Result<Option<Record<'_>>, CaptureError> {
        loop {
            self.buf.clear();
            self.line += 1;
            let n = self
                .src
                .read_until(b'\n', &mut self.buf)
                .map_err(|source| CaptureError::Io {
                    line: self.line,
                    source,
                })?;
            if n == 0 {
                return Ok(None);
            }
            let mut end = self.buf.len();
            while end > 0 && matches!(self.buf[end - 1], b'\n' | b'\r') {
                end -= 1;
            }
            if end == 0 || self.buf[0] == b'#' {
                continue;
            }
            return parse_line(&self.buf[..end], self.line).map(Some);
        }
    }
}

/// Unsigned decimal nanoseconds; `None` on anything else or overflow.
fn parse_ns(text: &[u8]) -> Option<u64> {
    if text.is_empty() || text.len() > 20 {
        return None;
    }
    text.iter().try_fold(0u64, |n, &c| {
        if c.is_ascii_digit() {
            n.checked_mul(10)?.checked_add(u64::from(c - b'0'))
        } else {
            None
        }
    })
}

/// Split one line (without its line break) into a record.
fn parse_line(line: &[u8], line_no: u64) -> Result<Record<'_>, CaptureError> {
    let mut parts = line.splitn(3, |&c| c == b'\t');
    let (Some(ts), Some(venue), Some(payload)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(CaptureError::MissingField { line: line_no });
    };
    let recv_ns = parse_ns(ts).ok_or_else(|| CaptureError::BadTimestamp {
        line: line_no,
        text: String::from_utf8_lossy(&ts[..ts.len().min(32)]).into_owned(),
    })?;
    let venue = std::str::from_utf8(venue)
        .ok()
        .filter(|v| !v.is_empty())
        .ok_or(CaptureError::BadVenue { line: line_no })?;
    Ok(Record {
        recv_ns,
        venue,
        payload,
        line: line_no,
    })
}

/// A capture file being written: plain or gzip, chosen by [`CaptureWriter::create`].
#[derive(Debug)]
pub enum FileSink {
    /// Plain text.
    Plain(BufWriter<File>),
    /// Gzip; the trailer is written by [`CaptureWriter::finish`] (or, errors ignored, on drop).
    Gzip(GzEncoder<BufWriter<File>>),
}

impl Write for FileSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            FileSink::Plain(w) => w.write(buf),
            FileSink::Gzip(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            FileSink::Plain(w) => w.flush(),
            FileSink::Gzip(w) => w.flush(),
        }
    }
}

/// Appends records to a capture. Writing a record formats nothing and allocates nothing: the
/// timestamp is written from a stack buffer and the rest is copied.
#[derive(Debug)]
pub struct CaptureWriter<W: Write> {
    out: W,
}

impl CaptureWriter<FileSink> {
    /// Create (truncate) `path`, through gzip when it ends in `.gz` (cold path).
    pub fn create(path: impl AsRef<Path>) -> Result<Self, CaptureError> {
        let path = path.as_ref();
        let file = File::create(path).map_err(|source| CaptureError::Io { line: 0, source })?;
        let buffered = BufWriter::with_capacity(1 << 16, file);
        let sink = if path.extension().is_some_and(|e| e == "gz") {
            FileSink::Gzip(GzEncoder::new(buffered, Compression::fast()))
        } else {
            FileSink::Plain(buffered)
        };
        Ok(CaptureWriter { out: sink })
    }

    /// Flush everything and, for gzip, write the trailer. Call before exit to see errors.
    pub fn finish(self) -> Result<(), CaptureError> {
        let io = |source| CaptureError::Io { line: 0, source };
        match self.out {
            FileSink::Plain(mut w) => w.flush().map_err(io),
            FileSink::Gzip(w) => w.finish().map_err(io)?.flush().map_err(io),
        }
    }
}

impl<W: Write> CaptureWriter<W> {
    /// Write records to `out` as they are.
    pub fn new(out: W) -> Self {
        CaptureWriter { out }
    }

    /// Append `# <text>` (each line of `text` becomes its own comment line).
    pub fn comment(&mut self, text: &str) -> Result<(), CaptureError> {
        let io = |source| CaptureError::Io { line: 0, source };
        for line in text.lines() {
            self.out.write_all(b"# ").map_err(io)?;
            self.out.write_all(line.as_bytes()).map_err(io)?;
            self.out.write_all(b"\n").map_err(io)?;
        }
        Ok(())
    }

    /// Append one record. Refuses (writing nothing) a payload with a line break or a venue name
    /// that would not read back as the same name.
    pub fn write(&mut self, recv_ns: u64, venue: &str, payload: &[u8]) -> Result<(), CaptureError> {
        if let Some(at) = payload.iter().position(|&c| c == b'\n' || c == b'\r') {
            return Err(CaptureError::PayloadHasNewline { at });
        }
        if venue.is_empty() || venue.starts_with('#') || venue.contains(['\t', '\n', '\r']) {
            return Err(CaptureError::BadVenueName(venue.to_owned()));
        }
        let mut digits = [0u8; 20];
        let mut n = digits.len();
        let mut v = recv_ns;
        loop {
            n -= 1;
            digits[n] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        let io = |source| CaptureError::Io { line: 0, source };
        self.out.write_all(&digits[n..]).map_err(io)?;
        self.out.write_all(b"\t").map_err(io)?;
        self.out.write_all(venue.as_bytes()).map_err(io)?;
        self.out.write_all(b"\t").map_err(io)?;
        self.out.write_all(payload).map_err(io)?;
        self.out.write_all(b"\n").map_err(io)
    }

    /// Flush buffered lines to the sink.
    pub fn flush(&mut self) -> Result<(), CaptureError> {
        self.out
            .flush()
            .map_err(|source| CaptureError::Io { line: 0, source })
    }

    /// The sink, e.g. a `Vec<u8>` in tests.
    pub fn into_inner(self) -> W {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    type Row = Result<(u64, String, Vec<u8>, u64), String>;

    fn read_all(bytes: &[u8]) -> Vec<Row> {
        let mut r = CaptureReader::new(bytes);
        let mut out = Vec::new();
        loop {
            match r.next_record() {
                Ok(None) => break,
                Ok(Some(rec)) => out.push(Ok((
                    rec.recv_ns,
                    rec.venue.to_owned(),
                    rec.payload.to_vec(),
                    rec.line,
                ))),
                Err(e) => out.push(Err(e.to_string())),
            }
        }
        out
    }

    #[test]
    fn reads_comments_crlf_tabs_and_bad_lines() {
        let text = b"# header\n\n1\tbinance\t{\"a\":1}\r\n2\tokx\tpong\twith tab\nx\tokx\tp\n3\tokx\n4\t\tp\n5\tbybit\t\n";
        let got = read_all(text);
        assert_eq!(got[0], Ok((1, "binance".into(), b"{\"a\":1}".to_vec(), 3)));
        assert_eq!(got[1], Ok((2, "okx".into(), b"pong\twith tab".to_vec(), 4)));
        assert!(got[2].as_ref().unwrap_err().starts_with("line 5:"));
        assert!(got[3].as_ref().unwrap_err().starts_with("line 6:"));
        assert!(got[4].as_ref().unwrap_err().starts_with("line 7:"));
        assert_eq!(got[5], Ok((5, "bybit".into(), Vec::new(), 8)));
        assert_eq!(got.len(), 6);
    }

    #[test]
    fn writer_refuses_what_would_not_read_back() {
        let mut w = CaptureWriter::new(Vec::new());
        assert!(matches!(
            w.write(1, "v", b"a\nb"),
            Err(CaptureError::PayloadHasNewline { at: 1 })
        ));
        for bad in ["", "a\tb", "#x", "a\nb"] {
            assert!(matches!(
                w.write(1, bad, b"p"),
                Err(CaptureError::BadVenueName(_))
            ));
        }
        w.comment("two\nlines").unwrap();
        w.write(0, "v", b"p").unwrap();
        assert_eq!(w.into_inner(), b"# two\n# lines\n0\tv\tp\n");
    }

    #[test]
    fn gzip_round_trip_through_files() {
        let dir = std::env::temp_dir().join(format!("microarb-capture-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for name in ["c.tsv", "c.tsv.gz"] {
            let path = dir.join(name);
            let mut w = CaptureWriter::create(&path).unwrap();
            w.comment("test").unwrap();
            w.write(u64::MAX, "binance", b"{\"x\":\"\t\"}").unwrap();
            w.write(7, "upbit", b"{}").unwrap();
            w.finish().unwrap();
            let mut r = CaptureReader::open(&path).unwrap();
            let a = r.next_record().unwrap().unwrap();
            assert_eq!(
                (a.recv_ns, a.venue, a.payload),
                (u64::MAX, "binance", &b"{\"x\":\"\t\"}"[..])
            );
            let b = r.next_record().unwrap().unwrap();
            assert_eq!((b.recv_ns, b.venue, b.line), (7, "upbit", 3));
            assert!(r.next_record().unwrap().is_none());
        }
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(matches!(
            CaptureReader::open(dir.join("missing.tsv")),
            Err(CaptureError::Io { .. })
        ));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// Writer then reader against the list of records written.
        #[test]
        fn round_trip(records in proptest::collection::vec(
            (any::<u64>(), "[a-z_]{1,12}", proptest::collection::vec(
                any::<u8>().prop_filter("no line breaks", |c| *c != b'\n' && *c != b'\r'), 0..40)),
            0..20,
        )) {
            let mut w = CaptureWriter::new(Vec::new());
            for (ns, venue, payload) in &records {
                w.write(*ns, venue, payload).unwrap();
            }
            let bytes = w.into_inner();
            let got = read_all(&bytes);
            prop_assert_eq!(got.len(), records.len());
            for (g, (ns, venue, payload)) in got.into_iter().zip(&records) {
                let (gns, gv, gp, _) = g.unwrap();
                prop_assert_eq!((gns, &gv, &gp), (*ns, venue, payload));
            }
        }

        #[test]
        fn never_panics_on_garbage(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = read_all(&bytes);
        }
    }
}
