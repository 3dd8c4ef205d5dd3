//! EPC binary encodings: known tags both ways, and round trips of random identifiers.

use lotrace_gs1::canonicalize;
use lotrace_gs1::rfid::{RfidError, TagScheme, decode_hex, encode, encode_tag_uri};
use proptest::prelude::*;

/// (hex, tag URI, canonical Digital Link). The SGTIN-96, SSCC-96 and GRAI-96 rows are the
/// worked examples of the EPC Tag Data Standard.
const TAGS: &[(&str, &str, &str)] = &[
    (
        "3074257BF7194E4000001A85",
        "urn:epc:tag:sgtin-96:3.0614141.812345.6789",
        "https://id.gs1.org/01/80614141123458/21/6789",
    ),
    (
        "3174257BF4499602D2000000",
        "urn:epc:tag:sscc-96:3.0614141.1234567890",
        "https://id.gs1.org/00/106141412345678908",
    ),
    (
        "3274257BF460720000000190",
        "urn:epc:tag:sgln-96:3.0614141.12345.400",
        "https://id.gs1.org/414/0614141123452/254/400",
    ),
    (
        "3374257BF40C0E400000162E",
        "urn:epc:tag:grai-96:3.0614141.12345.5678",
        "https://id.gs1.org/8003/006141411234525678",
    ),
    (
        "3474257BF40000000000162E",
        "urn:epc:tag:giai-96:3.0614141.5678",
        "https://id.gs1.org/8004/06141415678",
    ),
    (
        "3674257BF7194E59B2C2BF1000000000000000000000000000",
        "urn:epc:tag:sgtin-198:3.0614141.812345.32a%2Fb",
        "https://id.gs1.org/01/80614141123458/21/32a%2Fb",
    ),
];

#[test]
fn known_tags_decode_and_encode() {
    for &(hex, tag_uri, dl) in TAGS {
        let tag = decode_hex(hex).unwrap_or_else(|e| panic!("{hex}: {e}"));
        assert_eq!(tag.tag_uri, tag_uri);
        assert_eq!(tag.digital_link, dl);
        assert_eq!(canonicalize(&tag.pure_identity).unwrap().canonical, dl);
        assert_eq!(encode_tag_uri(tag_uri).unwrap(), hex);
        assert_eq!(
            encode(&tag.pure_identity, tag.scheme, tag.filter).unwrap(),
            hex
        );
        // Lower case and a 0x prefix read the same.
        assert_eq!(
            decode_hex(&format!("0x{}", hex.to_lowercase())).unwrap(),
            tag
        );
    }
}

#[test]
fn string_serials_need_the_long_encodings() {
    let cases = [
        ("urn:epc:id:sgln:0614141.12345.ABC", TagScheme::Sgln195),
        ("urn:epc:id:grai:0614141.12345.A%2F1", TagScheme::Grai170),
        ("urn:epc:id:giai:0614141.ABC-123", TagScheme::Giai202),
    ];
    for (urn, long) in cases {
        let hex = encode(urn, long, 1).unwrap();
        let tag = decode_hex(&hex).unwrap();
        assert_eq!(tag.pure_identity, urn);
        assert_eq!(tag.scheme, long);
        assert_eq!(tag.filter, 1);
        assert_eq!(hex.len() * 4, long.bits().div_ceil(4) * 4);
    }
    let sgln96 = encode("urn:epc:id:sgln:0614141.12345.ABC", TagScheme::Sgln96, 1);
    assert!(
        matches!(sgln96, Err(RfidError::NotEncodable { .. })),
        "{sgln96:?}"
    );
}

#[test]
fn wrong_scheme_bad_filter_and_bad_fields() {
    assert!(matches!(
        encode("urn:epc:id:sscc:0614141.1234567890", TagScheme::Sgtin96, 0),
        Err(RfidError::NotEncodable { .. })
    ));
    assert_eq!(
        encode("urn:epc:id:sscc:0614141.1234567890", TagScheme::Sscc96, 8),
        Err(RfidError::BadFilter(8))
    );
    assert!(matches!(
        encode(
            "urn:epc:id:sgtin:0614141.812345.ABCDEFGHIJKLMNOPQRSTU",
            TagScheme::Sgtin198,
            0
        ),
        Err(RfidError::BadIdentifier(_))
    ));
    // Partition 7 does not exist.
    assert!(matches!(
        decode_hex("307E257BF7194E4000001A85"),
        Err(RfidError::BadPartition(7, "sgtin-96"))
    ));
    // A company prefix field holding more than its digits allow.
    assert!(matches!(
        decode_hex("3077FFFFF7194E4000001A85"),
        Err(RfidError::FieldTooLarge { .. })
    ));
    assert!(encode_tag_uri("urn:epc:tag:nosuch-96:3.1.2").is_err());
}

fn digits(n: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[0-9]{{{n}}}")).unwrap()
}

fn no_leading_zero_number(max: u64) -> impl Strategy<Value = String> {
    (0..=max).prop_map(|n| n.to_string())
}

const CSET82: &str =
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

fn cset82(max: usize) -> impl Strategy<Value = String> {
    let chars: Vec<char> = CSET82.chars().collect();
    proptest::collection::vec(proptest::sample::select(chars), 1..=max)
        .prop_map(|v| v.into_iter().collect())
}

proptest! {
    #[test]
    fn sgtin_round_trips(
        cp_len in 6usize..=12,
        seed in digits(13),
        serial in no_leading_zero_number((1 << 38) - 1),
        text in cset82(20),
        filter in 0u8..=7,
    ) {
        let (cp, item) = seed.split_at(cp_len);
        for (scheme, serial) in [(TagScheme::Sgtin96, serial.clone()), (TagScheme::Sgtin198, text.clone())] {
            let urn = format!(
                "urn:epc:id:sgtin:{cp}.{item}.{}",
                lotrace_gs1::epc_urn::escape_component(&serial)
            );
            let hex = encode(&urn, scheme, filter).unwrap();
            let tag = decode_hex(&hex).unwrap();
            prop_assert_eq!(&tag.pure_identity, &urn);
            prop_assert_eq!(tag.filter, filter);
            prop_assert_eq!(tag.digital_link, canonicalize(&urn).unwrap().canonical);
        }
    }

    #[test]
    fn other_schemes_round_trip(
        cp_len in 6usize..=12,
        seed in digits(17),
        number in no_leading_zero_number((1 << 38) - 1),
        filter in 0u8..=7,
    ) {
        let cp = &seed[..cp_len];
        let urns = [
            (format!("urn:epc:id:sscc:{cp}.{}", &seed[cp_len..17]), TagScheme::Sscc96),
            (format!("urn:epc:id:sgln:{cp}.{}.{number}", &seed[cp_len..12]), TagScheme::Sgln96),
            (format!("urn:epc:id:grai:{cp}.{}.{number}", &seed[cp_len..12]), TagScheme::Grai96),
            (format!("urn:epc:id:giai:{cp}.{number}"), TagScheme::Giai96),
        ];
        for (urn, scheme) in urns {
            let hex = encode(&urn, scheme, filter).unwrap();
            let tag = decode_hex(&hex).unwrap();
            prop_assert_eq!(&tag.pure_identity, &urn);
            prop_assert_eq!(tag.scheme, scheme);
        }
    }

    #[test]
    fn any_hex_decodes_or_errors_without_panicking(hex in "[0-9A-Fa-fx ]{0,64}") {
        let _ = decode_hex(&hex);
    }

    #[test]
    fn any_valid_header_with_random_bits_never_panics(
        header in proptest::sample::select(vec!["30", "31", "32", "33", "34", "36", "37", "38", "39"]),
        body in "[0-9A-F]{50}",
    ) {
        for len in [22usize, 47, 48, 50] {
            let hex = format!("{header}{}", &body[..len]);
            if let Ok(tag) = decode_hex(&hex) {
                // Whatever decodes re-encodes to the same bits.
                let again = encode(&tag.pure_identity, tag.scheme, tag.filter).unwrap();
                let again = decode_hex(&again).unwrap();
                prop_assert_eq!(again, tag);
            }
        }
    }
}
