//! Percent-encoding as GS1 Digital Link and EPC URNs use it.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use thiserror::Error;

/// Everything but the RFC 3986 unreserved characters is encoded in a canonical Digital Link
/// path segment, so that one identifier has exactly one spelling.
const DL_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Encodes `value` for a Digital Link path segment (uppercase hex digits).
pub fn encode_dl_segment(value: &str) -> String {
    utf8_percent_encode(value, DL_SEGMENT).to_string()
}

/// Encodes `value` for a Digital Link query value: as for a path segment, except that a
/// space may be written `+` there.
pub fn encode_dl_query_value(value: &str) -> String {
    encode_dl_segment(value).replace("%20", "+")
}

/// A malformed percent-encoded string.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum PercentError {
    #[error("'%' at position {position} is not followed by two hex digits")]
    BadEscape { position: usize },
    #[error("the percent-decoded bytes are not UTF-8")]
    NotUtf8,
}

/// Decodes `%XX` sequences (either case of hex digit). Every `%` must start a valid escape.
pub fn decode(text: &str) -> Result<String, PercentError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).and_then(|h| {
                let hi = char::from(h[0]).to_digit(16)?;
                let lo = char::from(h[1]).to_digit(16)?;
                Some((hi * 16 + lo) as u8)
            });
            let Some(b) = hex else {
                return Err(PercentError::BadEscape {
                    position: text[..i].chars().count() + 1,
                });
            };
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| PercentError::NotUtf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_everything_but_unreserved() {
        assert_eq!(encode_dl_segment("AZaz09-._~"), "AZaz09-._~");
        assert_eq!(encode_dl_segment("A/B"), "A%2FB");
        assert_eq!(
            encode_dl_segment("!\"%&'()*+,:;<=>?"),
            "%21%22%25%26%27%28%29%2A%2B%2C%3A%3B%3C%3D%3E%3F"
        );
        assert_eq!(encode_dl_segment(" é"), "%20%C3%A9");
    }

    #[test]
    fn query_values_write_space_as_plus() {
        assert_eq!(encode_dl_query_value("A B+C"), "A+B%2BC");
    }

    #[test]
    fn decodes_both_hex_cases_and_rejects_bad_escapes() {
        assert_eq!(decode("A%2fB%2F").unwrap(), "A/B/");
        assert_eq!(decode("%C3%A9").unwrap(), "é");
        assert_eq!(decode("50%"), Err(PercentError::BadEscape { position: 3 }));
        assert_eq!(decode("%g1"), Err(PercentError::BadEscape { position: 1 }));
        assert_eq!(decode("é%4"), Err(PercentError::BadEscape { position: 2 }));
        assert_eq!(decode("%FF"), Err(PercentError::NotUtf8));
    }
}
