//! Fuzzes the manifest parser (spec §5) and the signature check behind it. It must
//! never panic; what it signs over (JCS of the manifest without "signature") must be
//! canonical JSON.

#![no_main]

use libfuzzer_sys::fuzz_target;
use trailscope::bundle::Manifest;
use trailscope::canonical;
use trailscope::verify::{TrustedKeys, check_signature};

fuzz_target!(|data: &[u8]| {
    let Ok(manifest) = Manifest::parse(data) else {
        return;
    };
    let signed = std::str::from_utf8(&manifest.signed_bytes).expect("canonical JSON is UTF-8");
    assert_eq!(
        canonical::canonicalize(signed.as_bytes()).as_deref(),
        Ok(signed),
        "the signed bytes are canonical"
    );
    if let Some(signature) = &manifest.signature {
        check_signature(signature, &manifest.signed_bytes, &TrustedKeys::default());
    }
});
