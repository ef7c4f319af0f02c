//! The mock exchange's reader of capture files, written from the format's contract alone:
//!
//! - UTF-8 text, one frame a line: `<receive time, unix ns>\t<venue name>\t<payload>`, the payload
//!   being everything after the second tab, exactly as received (it may hold tabs);
//! - `\n`-terminated lines, a `\r` before the `\n` dropped; lines starting with `#` are comments
//!   and blank lines are ignored;
//! - a path ending in `.gz` is read through gzip (concatenated members too).
//!
//! One line buffer is reused and each [`Record`] is lent out of it. A bad line is a
//! [`CaptureError`] with its 1-based line number, and reading can go on past it.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;

use flate2::read::MultiGzDecoder;
use thiserror::Error;

/// Why a capture could not be opened or a line of it read.
#[derive(Debug, Error)]
pub enum CaptureError {
    /// The file failed (at `line`, 0 when opening it).
    #[error("capture I/O error at line {line}: {source}")]
    Io {
        /// 1-based line being read (0 for open).
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
    #[error("line {line}: the receive time is not an integer of ns")]
    BadTimestamp {
        /// 1-based line number.
        line: u64,
    },
    /// The venue name is empty or not UTF-8.
    #[error("line {line}: bad venue name")]
    BadVenue {
        /// 1-based line number.
        line: u64,
    },
}

/// One frame of a capture, borrowed from the reader's line buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    /// Receive time, unix ns.
    pub recv_ns: u64,
    /// Venue name (`binance`, `binance_usdm`, ...).
    pub venue: &'a str,
    /// The payload as received.
    pub payload: &'a [u8],
    /// 1-based line number in the file.
    pub line: u64,
}

/// Reads [`Record`]s from a buffered source; [`CaptureReader::open`] picks gzip by extension.
pub struct CaptureReader {
    src: Box<dyn BufRead + Send>,
    buf: Vec<u8>,
    line: u64,
}

impl CaptureReader {
    /// Open `path`, through gzip when it ends in `.gz`.
    pub fn open(path: &Path) -> Result<CaptureReader, CaptureError> {
        let file = File::open(path).map_err(|source| CaptureError::Io { line: 0, source })?;
        let src: Box<dyn BufRead + Send> = if path.extension().is_some_and(|e| e == "gz") {
            Box::new(BufReader::with_capacity(
                1 << 16,
                MultiGzDecoder::new(BufReader::new(file)),
            ))
        } else {
            Box::new(BufReader::with_capacity(1 << 16, file))
        };
        Ok(CaptureReader::new(src))
    }

    /// Read records from `src` (already decompressed).
    pub fn new(src: Box<dyn BufRead + Send>) -> CaptureReader {
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
            let line = self.line;
            let n = self
                .src
                .read_until(b'\n', &mut self.buf)
                .map_err(|source| CaptureError::Io { line, source })?;
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
            return split_line(&self.buf[..end], line).map(Some);
        }
    }
}

/// Split one line (without its line break) into a record.
fn split_line(text: &[u8], line: u64) -> Result<Record<'_>, CaptureError> {
    let mut parts = text.splitn(3, |&b| b == b'\t');
    let (Some(ns), Some(venue), Some(payload)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(CaptureError::MissingField { line });
    };
    let recv_ns = std::str::from_utf8(ns)
        .ok()
        .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|s| s.parse::<u64>().ok())
        .ok_or(CaptureError::BadTimestamp { line })?;
    let venue = std::str::from_utf8(venue)
        .ok()
        .filter(|v| !v.is_empty())
        .ok_or(CaptureError::BadVenue { line })?;
    Ok(Record {
        recv_ns,
        venue,
        payload,
        line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};

    fn reader(text: &[u8]) -> CaptureReader {
        CaptureReader::new(Box::new(Cursor::new(text.to_vec())))
    }

    #[test]
    fn reads_records_comments_and_bad_lines() {
        let mut r = reader(b"# header\n\n1\tbinance\t{\"a\":\"x\ty\"}\r\nbad line\n-5\tokx\tp\n2\t\tp\n3\tokx\tping\n");
        let rec = r.next_record().unwrap().unwrap();
        assert_eq!(
            (rec.recv_ns, rec.venue, rec.payload, rec.line),
            (1, "binance", &b"{\"a\":\"x\ty\"}"[..], 3)
        );
        assert!(matches!(
            r.next_record(),
            Err(CaptureError::MissingField { line: 4 })
        ));
        assert!(matches!(
            r.next_record(),
            Err(CaptureError::BadTimestamp { line: 5 })
        ));
        assert!(matches!(
            r.next_record(),
            Err(CaptureError::BadVenue { line: 6 })
        ));
        let rec = r.next_record().unwrap().unwrap();
        assert_eq!((rec.venue, rec.payload), ("okx", &b"ping"[..]));
        assert!(r.next_record().unwrap().is_none());
    }

    #[test]
    fn gzip_by_extension() {
        let dir = std::env::temp_dir().join(format!("mockex-capture-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("c.tsv.gz");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(b"7\tupbit\t{}\n").unwrap();
        std::fs::write(&path, gz.finish().unwrap()).unwrap();
        let mut r = CaptureReader::open(&path).unwrap();
        let rec = r.next_record().unwrap().unwrap();
        assert_eq!(
            (rec.recv_ns, rec.venue, rec.payload),
            (7, "upbit", &b"{}"[..])
        );
        assert!(matches!(
            CaptureReader::open(&dir.join("missing.tsv")),
            Err(CaptureError::Io { line: 0, .. })
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
