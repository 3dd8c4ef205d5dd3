//! The EPCIS query-parameter parser (`lotrace_server::epcis_params`) on any input: no panic,
//! no hang. An odd first byte makes the rest a URL query string, decoded as the server
//! decodes one (`application/x-www-form-urlencoded`, values split on `|`); an even one makes
//! it the JSON body of a named query. A refusal must name a parameter; an accepted query
//! must have a paging fingerprint.

#![no_main]

use libfuzzer_sys::fuzz_target;
use lotrace_server::epcis_params::{RawParams, from_json, from_pairs, parse};
use lotrace_server::epcis_query::fingerprint;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let raw: RawParams = if mode % 2 == 1 {
        from_pairs(
            form_urlencoded::parse(rest).map(|(name, value)| (name.into_owned(), value.into_owned())),
        )
    } else {
        let Ok(json) = serde_json::from_slice::<serde_json::Value>(rest) else {
            return;
        };
        match from_json(&json) {
            Ok(raw) => raw,
            Err(e) => {
                assert!(!e.parameter.is_empty(), "{e}");
                return;
            }
        }
    };
    match parse(&raw) {
        Ok(_) => assert!(!fingerprint(&raw).is_empty()),
        Err(e) => assert!(!e.parameter.is_empty() && !e.message.is_empty(), "{e}"),
    }
});
