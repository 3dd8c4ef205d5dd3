//! What `lotrace scan` and the label renderers do with any text: the scan report, and
//! every symbol kind (element string and Digital Link) encoded by rxing from what parses.
//! Nothing may panic; an encoded symbol's text is what the data says.

#![no_main]

use libfuzzer_sys::fuzz_target;
use lotrace_label::{Carrier, ScanOptions, Symbol, SymbolKind, scan_report};

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let report = scan_report(input, &ScanOptions::default());
    let Some(parsed) = report.data else {
        return;
    };
    let dl = Carrier::DigitalLink {
        stem: "https://example.com".into(),
    };
    for kind in SymbolKind::ALL {
        for carrier in [&Carrier::ElementString, &dl] {
            if let Ok(symbol) = Symbol::encode_with(kind, &parsed, carrier) {
                assert!(symbol.width() > 0 && symbol.height() > 0);
                if kind != SymbolKind::Ean13 && *carrier == Carrier::ElementString {
                    assert_eq!(symbol.text(), parsed.element_string());
                }
            }
        }
    }
});
