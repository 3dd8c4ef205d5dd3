//! `lotrace_epcis::parse_document` on any bytes: no panic, whatever the JSON. What it
//! accepts has every identifier and its hash ID computable.

#![no_main]

use libfuzzer_sys::fuzz_target;
use lotrace_epcis::{Limits, parse_document};

fuzz_target!(|data: &[u8]| {
    let limits = Limits { max_events: 1000 };
    if let Ok(document) = parse_document(data, &limits) {
        for event in &document.events {
            let _ = event.identifiers();
        }
    }
});
