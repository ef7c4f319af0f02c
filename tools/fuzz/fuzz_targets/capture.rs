//! Fuzz the capture reader: any bytes must give records or line-numbered errors, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use microarb::record::CaptureReader;

fuzz_target!(|data: &[u8]| {
    let mut reader = CaptureReader::new(data);
    // Every call consumes at least one line, so this ends.
    for _ in 0..=data.len() {
        match reader.next_record() {
            Ok(None) => break,
            Ok(Some(_)) | Err(_) => {}
        }
    }
});
