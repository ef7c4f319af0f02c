//! Recording: capture files of raw frames with their receive times, written by `microarb record`
//! (and by the ingest thread when recording is on) and read back by `replay` and `mockex`.
//!
//! The format is a contract (docs/architecture.md, "Contracts"); [`capture`] is its only reader and writer.
#![forbid(unsafe_code)]

pub mod capture;
pub mod recorder;

pub use capture::{CaptureError, CaptureReader, CaptureWriter, FileSink, Record};
pub use recorder::{RecordTx, Recording};
