//! `lotrace_epcis::parse_xml_document` on any bytes: no panic, no hang, whatever the XML.
//! What it accepts must survive our own XML writer: the written document reads back with
//! the same number of events and the same event hash IDs (the hash covers every field the
//! standard counts, so a field lost or changed on the way out shows here).

#![no_main]

use libfuzzer_sys::fuzz_target;
use lotrace_epcis::{Limits, event_hash_id, parse_xml_document, to_xml_document};

fuzz_target!(|data: &[u8]| {
    let limits = Limits { max_events: 1000 };
    let Ok(document) = parse_xml_document(data, &limits) else {
        return;
    };
    for event in &document.events {
        let _ = event.identifiers();
    }
    let written = to_xml_document(&document.events);
    let again = parse_xml_document(written.as_bytes(), &limits)
        .unwrap_or_else(|e| panic!("our own XML does not read back: {e}\n{written}"));
    assert_eq!(again.events.len(), document.events.len(), "{written}");
    for (before, after) in document.events.iter().zip(&again.events) {
        assert_eq!(event_hash_id(before), event_hash_id(after), "{written}");
    }
});
