//! Fuzzes the bundle opener over arbitrary bytes taken as a ZIP archive: entry checks,
//! bounded decompression, the manifest and the whole verification. It must never
//! panic or hang; any archive is either refused (an `Err`) or verified to a report.
//! The bytes go to a file of this process in the temporary directory (the opener
//! reads files), with small limits so bombs are refused quickly.
//!
//! `scripts/fuzz.sh` runs it with `-detect_leaks=0`: verification starts reader threads
//! for every input, and LeakSanitizer now and then reports the 32-byte record glibc
//! keeps for a thread's thread-local destructors (`__cxa_thread_atexit_impl`) as
//! leaked. Rerunning the saved input alone never reproduces it.

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use trailscope::bundle::{Bundle, Limits};
use trailscope::verify::{VerifyOptions, verify_opened};

fn scratch_path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = if std::path::Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        dir.join(format!("trailscope-fuzz-{}.zip", std::process::id()))
    })
}

fn options() -> VerifyOptions {
    VerifyOptions {
        limits: Limits {
            max_line_bytes: 64 << 10,
            max_entry_bytes: 4 << 20,
            max_total_bytes: 8 << 20,
            max_compression_ratio: 100,
            max_manifest_bytes: 64 << 10,
        },
        ..VerifyOptions::default()
    }
}

fuzz_target!(|data: &[u8]| {
    // Only archives: anything else would be read as a bare JSON Lines file (the line
    // target covers that).
    if !(data.starts_with(b"PK\x03\x04") || data.starts_with(b"PK\x05\x06")) {
        return;
    }
    let path = scratch_path();
    std::fs::write(path, data).expect("write the scratch archive");
    let options = options();
    if let Ok(mut bundle) = Bundle::open(path, options.limits)
        && let Ok(report) = verify_opened(&mut bundle, &options)
    {
        // Nothing is counted that was not read.
        let held: u64 = report.chains.iter().map(|c| c.events + c.omitted).sum();
        assert!(held <= report.bundle.lines);
        assert!(report.bundle.malformed_lines <= report.bundle.lines);
    }
});
