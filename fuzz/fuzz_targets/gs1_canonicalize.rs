//! `lotrace_gs1::canonicalize` on any text: no panic, and the canonical form is a fixed
//! point (canonicalising it again gives itself, with the same kind).

#![no_main]

use libfuzzer_sys::fuzz_target;
use lotrace_gs1::canonicalize;

fuzz_target!(|data: &[u8]| {
    let Ok(uri) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(id) = canonicalize(uri) else {
        return;
    };
    let again = canonicalize(&id.canonical)
        .unwrap_or_else(|e| panic!("{uri:?} -> {:?}, which fails: {e}", id.canonical));
    assert_eq!(
        again, id,
        "{uri:?}: the canonical form is not a fixed point"
    );
});
