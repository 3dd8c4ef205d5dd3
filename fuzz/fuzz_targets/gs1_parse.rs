//! `lotrace_gs1::parse` (strict and permissive) on any text, and every output of what it
//! accepts: HRI, element string, bracketed text, Digital Link URI, identifiers. Nothing
//! may panic; what the parser accepts must give the same AIs when read back from its own
//! bracketed text and element string.

#![no_main]

use libfuzzer_sys::fuzz_target;
use lotrace_gs1::{Options, parse_with};

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let permissive = Options {
        permit_unknown_ais: true,
        permit_zero_suppressed_gtin_in_dl: true,
        permit_convenience_alphas: true,
        permit_unknown_ais_as_dl_attributes: true,
        validate_associations: false,
        validate_requisites: false,
    };
    for options in [Options::default(), permissive] {
        let Ok(parsed) = parse_with(input, &options) else {
            continue;
        };
        let _ = parsed.hri();
        let _ = parsed.hri_with_titles();
        let _ = parsed.identifiers();
        let _ = parsed.canonical_digital_link();
        let _ = parsed.digital_link("https://example.com/x", &options);
        let _ = parsed.element_string_with("^");
        let bracketed = parsed.bracketed();
        if parsed.elements.is_empty() || parsed.composite_start.is_some() {
            continue;
        }
        let again = parse_with(&bracketed, &Options::syntax_only().with_unknown(&options))
            .unwrap_or_else(|e| panic!("{input:?}: its bracketed form {bracketed:?} fails: {e}"));
        assert_eq!(again.bracketed(), bracketed, "{input:?}");
        // An unknown AI's length cannot be told without brackets; skip those.
        if parsed.elements.iter().any(|e| e.def.is_none()) {
            continue;
        }
        let es = format!("\u{1d}{}", parsed.element_string());
        let again = parse_with(&es, &Options::syntax_only().with_unknown(&options))
            .unwrap_or_else(|e| panic!("{input:?}: its element string {es:?} fails: {e}"));
        assert_eq!(again.bracketed(), bracketed, "{input:?}");
    }
});

trait WithUnknown {
    fn with_unknown(self, from: &Options) -> Options;
}

impl WithUnknown for Options {
    fn with_unknown(mut self, from: &Options) -> Options {
        self.permit_unknown_ais = from.permit_unknown_ais;
        self
    }
}
