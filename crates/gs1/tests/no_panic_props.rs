//! Every parser takes any string and answers with a result, never a panic; and what the
//! general parser accepts, its outputs read back the same.

use lotrace_gs1::ai::{self, lint};
use lotrace_gs1::cset::Cset;
use lotrace_gs1::{
    Options, canonicalize, check_digit, digital_link, element_string, epc_urn, parse, parse_with,
    percent, rfid,
};
use proptest::prelude::*;

/// Strings made of pieces that reach deep into the parsers: symbology identifiers, AIs in
/// and out of brackets, separators, Digital Link stems, escapes and odd characters.
fn gs1_like() -> impl Strategy<Value = String> {
    let pieces = vec![
        "]C1",
        "]d2",
        "]Q3",
        "]e0",
        "]E0",
        "]E4",
        "]Q1",
        "]J1",
        "(01)",
        "(10)",
        "(21)",
        "(17)",
        "(00)",
        "(8003)",
        "(99)",
        "(",
        ")",
        "\\(",
        "01",
        "10",
        "21",
        "17",
        "00",
        "414",
        "254",
        "8003",
        "8006",
        "8110",
        "7040",
        "3103",
        "\u{1d}",
        "|",
        "^",
        "https://a/",
        "HTTP://b.c/x/",
        "/",
        "?",
        "&",
        "=",
        "#",
        "%2F",
        "%",
        "%00",
        "%C3%A9",
        "09520123456788",
        "952012345678912345",
        "251231",
        "250600",
        "ABC",
        "é",
        " ",
        "0",
        "1",
        "9",
        "gtin/",
        "lot/",
        "urn:epc:id:sgtin:",
        "urn:epc:class:lgtin:",
        "0614141.",
        "812345.",
        ".",
    ];
    proptest::collection::vec(proptest::sample::select(pieces), 0..16).prop_map(|v| v.concat())
}

fn all_options() -> [Options; 3] {
    [
        Options::default(),
        Options::syntax_only(),
        Options {
            permit_unknown_ais: true,
            permit_zero_suppressed_gtin_in_dl: true,
            permit_convenience_alphas: true,
            permit_unknown_ais_as_dl_attributes: true,
            ..Options::default()
        },
    ]
}

fn throw_at_everything(input: &str) {
    for options in all_options() {
        if let Ok(data) = parse_with(input, &options) {
            let _ = data.hri();
            let _ = data.element_string();
            let _ = data.digital_link("https://example.com", &options);
            let _ = data.identifiers();
        }
        let _ = element_string::parse_bracketed(input, &options);
        let _ = element_string::parse_element_string(input, &options);
        let _ = digital_link::parse_digital_link(input, &options);
    }
    let _ = canonicalize(input);
    let _ = epc_urn::parse_urn(input);
    let _ = rfid::decode_hex(input);
    let _ = rfid::encode_tag_uri(input);
    let _ = check_digit::compute(input);
    let _ = check_digit::verify(input);
    let _ = check_digit::verify_pair(input);
    let _ = percent::decode(input);
    for cset in [Cset::Numeric, Cset::Cset82, Cset::Cset39, Cset::Cset64] {
        let _ = lint::check_cset(cset, input);
    }
    for &(linter, _) in lint::ALL {
        let _ = lint::lint(linter, input);
    }
    for def in ai::TABLE {
        let _ = ai::validate_value(def, def.ai, input);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_strings_never_panic(input in any::<String>()) {
        throw_at_everything(&input);
    }

    #[test]
    fn gs1_like_strings_never_panic(input in gs1_like()) {
        throw_at_everything(&input);
    }

    /// Accepted data renders as bracketed text that parses to the same elements, and as a
    /// Digital Link (when it has a key) that parses to the same elements too.
    #[test]
    fn accepted_data_round_trips(input in gs1_like()) {
        let options = Options::syntax_only();
        if let Ok(data) = parse_with(&input, &options)
            && !data.elements.is_empty()
        {
            let again = parse_with(&data.bracketed(), &options).unwrap();
            prop_assert_eq!(&again.elements, &data.elements);
            let raw = format!("\u{1d}{}", data.element_string());
            let again = parse_with(&raw, &options).unwrap();
            prop_assert_eq!(&again.elements, &data.elements);
            if let Ok(uri) = data.digital_link("https://example.com", &options) {
                let link = parse_with(&uri, &options).unwrap();
                let mut a: Vec<_> = link.elements.iter().map(|e| (&e.ai, &e.value)).collect();
                let mut b: Vec<_> = data.elements.iter().map(|e| (&e.ai, &e.value)).collect();
                a.sort();
                b.sort();
                b.dedup();
                prop_assert_eq!(a, b);
            }
        }
    }
}

const CSET82: &str =
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

fn cset82(max: usize) -> impl Strategy<Value = String> {
    let chars: Vec<char> = CSET82.chars().collect();
    proptest::collection::vec(proptest::sample::select(chars), 1..=max)
        .prop_map(|v| v.into_iter().collect())
}

/// Valid trade-item data in a random order: GTIN, lot, serial, expiry, weight, internal.
fn trade_item_data() -> impl Strategy<Value = Vec<(&'static str, String)>> {
    (
        cset82(20),
        cset82(20),
        cset82(30),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(lot, serial, internal, with_serial, with_weight)| {
            let mut v = vec![
                ("01", "09520123456788".to_owned()),
                ("10", lot),
                ("17", "251231".to_owned()),
                ("99", internal),
            ];
            if with_serial {
                v.push(("21", serial));
            }
            if with_weight {
                v.push(("3103", "000123".to_owned()));
            }
            v
        })
        .prop_shuffle()
}

proptest! {
    #[test]
    fn valid_data_reads_the_same_in_every_form(elements in trade_item_data()) {
        let bracketed: String = elements
            .iter()
            .map(|(ai, v)| format!("({ai}){}", v.replace('(', "\\(")))
            .collect();
        let data = parse(&bracketed).unwrap();
        let pairs = |d: &lotrace_gs1::Gs1Data| -> Vec<(String, String)> {
            let mut v: Vec<_> = d.elements.iter().map(|e| (e.ai.clone(), e.value.clone())).collect();
            v.sort();
            v
        };
        let expected = pairs(&data);
        prop_assert_eq!(data.elements.len(), elements.len());
        for form in [
            format!("]d2{}", data.element_string()),
            format!("]C1{}", data.element_string()),
            format!("\u{1d}{}", data.element_string()),
            data.canonical_digital_link().unwrap(),
            data.digital_link("http://example.com/a/b", &Options::default()).unwrap(),
        ] {
            let again = parse(&form).unwrap_or_else(|e| panic!("{form:?}: {e}"));
            prop_assert_eq!(pairs(&again), expected.clone(), "{}", form);
        }
        // The identifiers agree with canonicalisation of the Digital Link forms.
        for id in data.identifiers() {
            prop_assert_eq!(canonicalize(&id.canonical).unwrap(), id);
        }
    }
}

#[test]
fn the_fuzz_entry_point_handles_edge_inputs() {
    for input in [
        "",
        "]",
        "(",
        "()",
        "\u{1d}",
        "\u{1d}\u{1d}",
        "https://",
        "https://a/01/",
        "]E0",
        "]Q1",
        "urn:epc:",
        &"9".repeat(10_000),
        &"(99)A".repeat(2_000),
    ] {
        let _ = parse(input);
    }
    assert_eq!(
        parse(&"1".repeat(10_000)).unwrap_err().code(),
        "INPUT_TOO_LONG"
    );
}
