//! The RFID EPC decoder (`lotrace_gs1::rfid::decode_hex`) on any text, and on the hex of
//! any bytes (to reach past the hex parsing); what it decodes is encoded back with the
//! same scheme and filter, which must not panic either.

#![no_main]

use libfuzzer_sys::fuzz_target;
use lotrace_gs1::rfid::{decode_hex, encode, encode_tag_uri};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let hex = if mode & 1 == 0 {
        match std::str::from_utf8(rest) {
            Ok(s) => s.to_owned(),
            Err(_) => return,
        }
    } else {
        rest.iter().map(|b| format!("{b:02X}")).collect()
    };
    let Ok(tag) = decode_hex(&hex) else {
        return;
    };
    let _ = encode(&tag.pure_identity, tag.scheme, tag.filter);
    let _ = encode_tag_uri(&tag.tag_uri);
    let _ = lotrace_gs1::canonicalize(&tag.pure_identity);
    let _ = lotrace_gs1::canonicalize(&tag.digital_link);
});
