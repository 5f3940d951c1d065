//! Fuzzes what every events line goes through: the bounded line splitter, then the
//! per-line check (strict parse, required fields, JCS, SHA-256). It must never panic,
//! and canonical JSON must be a fixed point: canonicalizing it again changes nothing.

#![no_main]

use libfuzzer_sys::fuzz_target;
use trailscope::bundle::LineSplitter;
use trailscope::canonical;
use trailscope::verify::check_line;

fuzz_target!(|data: &[u8]| {
    // A small line limit, so too-long lines and batch boundaries are reached too.
    let mut splitter = LineSplitter::new(data, 4096);
    let mut scratch = Vec::new();
    let mut n_lines = 0;
    while let Some(batch) = splitter
        .next_batch(1024)
        .expect("reading a slice cannot fail")
    {
        for span in &batch.lines {
            n_lines += 1;
            let text = batch.text(span);
            if span.too_long.is_some() {
                assert!(text.is_empty());
                continue;
            }
            check_line(text, &mut scratch);
            if let Ok(once) = canonical::canonicalize(text) {
                let twice =
                    canonical::canonicalize(once.as_bytes()).expect("canonical JSON parses again");
                assert_eq!(once, twice, "canonical JSON is a fixed point");
            }
        }
    }
    let digest = splitter.finish();
    assert_eq!(digest.bytes, data.len() as u64);
    assert!(digest.lines >= n_lines);
});
