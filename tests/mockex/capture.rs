//! Capture streaming: the frames of a real capture (`../shared/data`) for the served venue go out
//! exactly, in file order (Upbit's as binary frames); skipped with a notice when the data folder
//! is absent.

use std::path::PathBuf;
use std::time::Duration;

use crate::common::mockex_feed::*;
use microarb::model::VenueKind;
use microarb::record::CaptureReader;
use mockex::{MockConfig, MockExchange, MockVenue};

fn data(file: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(file);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipping: {} is absent", p.display());
        None
    }
}

/// Every payload of `venue` in the capture, in order.
fn frames_of(path: &PathBuf, venue: &str) -> Vec<Vec<u8>> {
    let mut r = CaptureReader::open(path).expect("open");
    let mut out = Vec::new();
    while let Some(rec) = r.next_record().expect("record") {
        if rec.venue == venue {
            out.push(rec.payload.to_vec());
        }
    }
    out
}

fn streams_capture_exactly(file: &str, kind: VenueKind, rate: u64) {
    let Some(path) = data(file) else {
        return;
    };
    let want = frames_of(&path, kind.name());
    assert!(!want.is_empty());
    let mut cfg = MockConfig::capture(vec![MockVenue::new(kind.name(), mock_kind(kind))], &path);
    cfg.rate_per_s = rate;
    let ex = MockExchange::start(cfg).expect("start");
    let mut ws = subscribe(&ex, kind.name(), default_symbol(kind));
    if kind == VenueKind::Okx {
        // The venue's own subscribe answer comes first (data flows only after it); it is not
        // part of the capture.
        let ack = next_data(&mut ws, Duration::from_secs(2)).expect("ack");
        assert!(ack.starts_with(br#"{"event":"subscribe","arg":{"channel":"bbo-tbt""#));
    }
    let mut got = Vec::new();
    while got.len() < want.len() {
        match read(&mut ws) {
            Got::Data(d, binary) => {
                assert_eq!(binary, kind == VenueKind::Upbit);
                got.push(d);
            }
            Got::Nothing => panic!("{file}: only {} of {} frames", got.len(), want.len()),
            other => panic!("{other:?}"),
        }
    }
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(g, w, "{file}: frame {i}");
    }
    assert_eq!(next_data(&mut ws, Duration::from_millis(200)), None);
    let s = ex.venue_stats(kind.name()).unwrap();
    assert_eq!(s.frames_sent, want.len() as u64);
    wait_for(Duration::from_secs(2), "source done", || ex.source_done());
    assert!(ex.send_time(kind.name(), want.len() as u64).is_some());
}

#[test]
fn okx_session_as_fast_as_possible() {
    streams_capture_exactly("session-okx.tsv", VenueKind::Okx, 0);
}

#[test]
fn okx_session_paced() {
    // 410 frames at 8 000/s: about 50 ms.
    streams_capture_exactly("session-okx.tsv", VenueKind::Okx, 8_000);
}

#[test]
fn upbit_session_in_binary_frames() {
    streams_capture_exactly("session-upbit.tsv", VenueKind::Upbit, 0);
}

#[test]
fn missing_capture_is_an_error() {
    let cfg = MockConfig::capture(MockConfig::all_kinds(), "/nonexistent/capture.tsv");
    assert!(MockExchange::start(cfg).is_err());
}
