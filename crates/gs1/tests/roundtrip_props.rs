//! Property tests: every spelling of one identifier is the same identifier.
//!
//! For each GS1 key type with an EPC URN, a random key is written four ways from the same
//! parts — EPC URN, bracketed text, element string (as a barcode carries it) and GS1
//! Digital Link on a random domain under a random path prefix — and every spelling must
//! read back to the same elements and the same canonical identifier, which is itself a
//! fixed point of `canonicalize`. The parts are built here from the standards' rules (EPC
//! Tag Data Standard 2.x, GS1 General Specifications), not from the crate's own writers.

use lotrace_gs1::{IdKind, canonicalize, check_digit, epc_urn, parse, percent};
use proptest::prelude::*;

/// One key, in the parts every spelling is made from.
#[derive(Clone, Debug)]
struct Key {
    kind: IdKind,
    urn: String,
    /// (AI, value) in Digital Link path order: the primary key, then its qualifiers.
    elements: Vec<(&'static str, String)>,
}

const CSET82: &str =
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
const CSET39: &str = "#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

fn chars_of(set: &str, len: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = String> {
    let chars: Vec<char> = set.chars().collect();
    proptest::collection::vec(proptest::sample::select(chars), len)
        .prop_map(|v| v.into_iter().collect())
}

fn digits(len: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[0-9]{{{len}}}")).unwrap()
}

/// A decimal number of 1 to `max_len` digits without a leading zero (the CPI serial's
/// `nozeroprefix` refuses "0" too).
fn number(max_len: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[1-9][0-9]{{0,{}}}", max_len - 1)).unwrap()
}

/// A GS1 Company Prefix of 6 to 12 digits and the `rest_total - cp_len` digits after it.
fn prefix_and(rest_total: usize) -> impl Strategy<Value = (String, String)> {
    (6usize..=12).prop_flat_map(move |cp_len| (digits(cp_len), digits(rest_total - cp_len)))
}

/// The key with its check digit, from a URN's company prefix and reference (with the
/// indicator or extension digit, when there is one, moved back to the front).
fn with_check_digit(cp: &str, rest: &str, indicator: bool) -> String {
    let body = if indicator {
        format!("{}{cp}{}", &rest[..1], &rest[1..])
    } else {
        format!("{cp}{rest}")
    };
    check_digit::append(&body).unwrap()
}

fn esc(value: &str) -> String {
    epc_urn::escape_component(value)
}

fn sgtin() -> impl Strategy<Value = Key> {
    (prefix_and(13), chars_of(CSET82, 1..=20)).prop_map(|((cp, item), serial)| Key {
        kind: IdKind::Sgtin,
        urn: format!("urn:epc:id:sgtin:{cp}.{item}.{}", esc(&serial)),
        elements: vec![("01", with_check_digit(&cp, &item, true)), ("21", serial)],
    })
}

fn lgtin() -> impl Strategy<Value = Key> {
    (prefix_and(13), chars_of(CSET82, 1..=20)).prop_map(|((cp, item), lot)| Key {
        kind: IdKind::Lgtin,
        urn: format!("urn:epc:class:lgtin:{cp}.{item}.{}", esc(&lot)),
        elements: vec![("01", with_check_digit(&cp, &item, true)), ("10", lot)],
    })
}

fn upui() -> impl Strategy<Value = Key> {
    (prefix_and(13), chars_of(CSET82, 1..=28)).prop_map(|((cp, item), tpx)| Key {
        kind: IdKind::Upui,
        urn: format!("urn:epc:id:upui:{cp}.{item}.{}", esc(&tpx)),
        elements: vec![("01", with_check_digit(&cp, &item, true)), ("235", tpx)],
    })
}

fn sscc() -> impl Strategy<Value = Key> {
    prefix_and(17).prop_map(|(cp, rest)| Key {
        kind: IdKind::Sscc,
        urn: format!("urn:epc:id:sscc:{cp}.{rest}"),
        elements: vec![("00", with_check_digit(&cp, &rest, true))],
    })
}

/// A GLN with an extension, or without one (which the URN writes as `0`).
fn sgln() -> impl Strategy<Value = Key> {
    (
        prefix_and(12),
        proptest::option::of(
            chars_of(CSET82, 1..=20).prop_filter("0 is no extension", |e| e != "0"),
        ),
    )
        .prop_map(|((cp, reference), extension)| {
            let gln = with_check_digit(&cp, &reference, false);
            let (urn_extension, elements) = match extension {
                Some(e) => (esc(&e), vec![("414", gln), ("254", e)]),
                None => ("0".to_owned(), vec![("414", gln)]),
            };
            Key {
                kind: IdKind::Sgln,
                urn: format!("urn:epc:id:sgln:{cp}.{reference}.{urn_extension}"),
                elements,
            }
        })
}

fn pgln() -> impl Strategy<Value = Key> {
    prefix_and(12).prop_map(|(cp, reference)| Key {
        kind: IdKind::Pgln,
        urn: format!("urn:epc:id:pgln:{cp}.{reference}"),
        elements: vec![("417", with_check_digit(&cp, &reference, false))],
    })
}

fn grai() -> impl Strategy<Value = Key> {
    (prefix_and(12), chars_of(CSET82, 1..=16)).prop_map(|((cp, asset_type), serial)| Key {
        kind: IdKind::Grai,
        urn: format!("urn:epc:id:grai:{cp}.{asset_type}.{}", esc(&serial)),
        elements: vec![(
            "8003",
            format!("0{}{serial}", with_check_digit(&cp, &asset_type, false)),
        )],
    })
}

/// `alphabet` references of up to `max_total` characters together with the company prefix.
fn prefix_and_text(
    alphabet: &'static str,
    max_total: usize,
) -> impl Strategy<Value = (String, String)> {
    (6usize..=12)
        .prop_flat_map(move |cp_len| (digits(cp_len), chars_of(alphabet, 1..=max_total - cp_len)))
}

fn giai() -> impl Strategy<Value = Key> {
    prefix_and_text(CSET82, 30).prop_map(|(cp, reference)| Key {
        kind: IdKind::Giai,
        urn: format!("urn:epc:id:giai:{cp}.{}", esc(&reference)),
        elements: vec![("8004", format!("{cp}{reference}"))],
    })
}

fn gsrn() -> impl Strategy<Value = Key> {
    (prefix_and(17), any::<bool>()).prop_map(|((cp, reference), provider)| {
        let (kind, scheme, ai) = if provider {
            (IdKind::Gsrnp, "gsrnp", "8017")
        } else {
            (IdKind::Gsrn, "gsrn", "8018")
        };
        Key {
            kind,
            urn: format!("urn:epc:id:{scheme}:{cp}.{reference}"),
            elements: vec![(ai, with_check_digit(&cp, &reference, false))],
        }
    })
}

fn gdti() -> impl Strategy<Value = Key> {
    (prefix_and(12), chars_of(CSET82, 1..=17)).prop_map(|((cp, doc_type), serial)| Key {
        kind: IdKind::Gdti,
        urn: format!("urn:epc:id:gdti:{cp}.{doc_type}.{}", esc(&serial)),
        elements: vec![(
            "253",
            format!("{}{serial}", with_check_digit(&cp, &doc_type, false)),
        )],
    })
}

fn sgcn() -> impl Strategy<Value = Key> {
    (
        prefix_and(12),
        proptest::string::string_regex("[0-9]{1,12}").unwrap(),
    )
        .prop_map(|((cp, coupon), serial)| Key {
            kind: IdKind::Sgcn,
            urn: format!("urn:epc:id:sgcn:{cp}.{coupon}.{serial}"),
            elements: vec![(
                "255",
                format!("{}{serial}", with_check_digit(&cp, &coupon, false)),
            )],
        })
}

fn ginc() -> impl Strategy<Value = Key> {
    prefix_and_text(CSET82, 30).prop_map(|(cp, reference)| Key {
        kind: IdKind::Ginc,
        urn: format!("urn:epc:id:ginc:{cp}.{}", esc(&reference)),
        elements: vec![("401", format!("{cp}{reference}"))],
    })
}

fn gsin() -> impl Strategy<Value = Key> {
    prefix_and(16).prop_map(|(cp, reference)| Key {
        kind: IdKind::Gsin,
        urn: format!("urn:epc:id:gsin:{cp}.{reference}"),
        elements: vec![("402", with_check_digit(&cp, &reference, false))],
    })
}

/// A component/part: the reference is CSET 39 (`#` and `/` escaped in the URN), the serial
/// a number without leading zeros.
fn cpi() -> impl Strategy<Value = Key> {
    (prefix_and_text(CSET39, 30), number(12)).prop_map(|((cp, reference), serial)| Key {
        kind: IdKind::Cpi,
        urn: format!(
            "urn:epc:id:cpi:{cp}.{}.{serial}",
            reference.replace('#', "%23").replace('/', "%2F")
        ),
        elements: vec![("8010", format!("{cp}{reference}")), ("8011", serial)],
    })
}

/// A piece of a trade item: GTIN, piece number and total (piece ≤ total), and a serial.
fn itip() -> impl Strategy<Value = Key> {
    (
        prefix_and(13),
        (1u8..=99).prop_flat_map(|total| (1u8..=total, Just(total))),
        chars_of(CSET82, 1..=20),
    )
        .prop_map(|((cp, item), (piece, total), serial)| Key {
            kind: IdKind::Itip,
            urn: format!(
                "urn:epc:id:itip:{cp}.{item}.{piece:02}.{total:02}.{}",
                esc(&serial)
            ),
            elements: vec![
                (
                    "8006",
                    format!("{}{piece:02}{total:02}", with_check_digit(&cp, &item, true)),
                ),
                ("21", serial),
            ],
        })
}

/// Where a Digital Link may live: any scheme, host, port and path prefix.
fn stem() -> impl Strategy<Value = String> {
    (
        prop_oneof![Just("https"), Just("http")],
        proptest::string::string_regex(
            "[a-z][a-z0-9-]{0,10}(\\.[a-z][a-z0-9]{0,6}){0,2}\\.[a-z]{2,5}",
        )
        .unwrap(),
        proptest::option::of(1u16..=65535),
        proptest::collection::vec(
            proptest::string::string_regex("[a-z0-9]{1,6}").unwrap(),
            0..=2,
        ),
    )
        .prop_map(|(scheme, host, port, prefix)| {
            let port = port.map(|p| format!(":{p}")).unwrap_or_default();
            let prefix: String = prefix.iter().map(|p| format!("/{p}")).collect();
            format!("{scheme}://{host}{port}{prefix}")
        })
}

fn bracketed(elements: &[(&str, String)]) -> String {
    elements
        .iter()
        .map(|(ai, value)| format!("({ai}){}", value.replace('(', "\\(")))
        .collect()
}

fn digital_link(stem: &str, elements: &[(&str, String)]) -> String {
    let path: String = elements
        .iter()
        .map(|(ai, value)| format!("/{ai}/{}", percent::encode_dl_segment(value)))
        .collect();
    format!("{stem}{path}")
}

/// Every spelling of `key` is the same identifier; see the module documentation.
fn every_spelling_agrees(key: &Key, stem: &str) -> Result<(), TestCaseError> {
    // EPC URN → canonical Digital Link, a fixed point.
    let id =
        canonicalize(&key.urn).map_err(|e| TestCaseError::fail(format!("{}: {e}", key.urn)))?;
    prop_assert_eq!(id.kind, key.kind, "{}", key.urn);
    prop_assert!(
        id.canonical.starts_with("https://id.gs1.org/"),
        "{}",
        id.canonical
    );
    prop_assert_eq!(&canonicalize(&id.canonical).unwrap(), &id);

    // Bracketed text: reads with full validation, names that identifier and nothing else,
    // and writes itself back unchanged.
    let text = bracketed(&key.elements);
    let data = parse(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
    prop_assert_eq!(data.bracketed(), text.clone());
    prop_assert_eq!(data.identifiers(), vec![id.clone()], "{}", text);
    prop_assert_eq!(data.canonical_digital_link().unwrap(), id.canonical.clone());

    // Element string (FNC1 first, GS between variable-length values) → the same elements.
    let es = format!("\u{1d}{}", data.element_string());
    let from_es = parse(&es).map_err(|e| TestCaseError::fail(format!("{es:?}: {e}")))?;
    prop_assert_eq!(from_es.bracketed(), text.clone(), "{:?}", es);

    // Digital Link on any domain, written here from the parts and by the crate from the
    // bracketed data: both canonicalise to the identifier and read back to the elements.
    for link in [
        digital_link(stem, &key.elements),
        data.digital_link(stem, &Default::default()).unwrap(),
    ] {
        prop_assert_eq!(&canonicalize(&link).unwrap(), &id, "{}", link);
        let from_link = parse(&link).map_err(|e| TestCaseError::fail(format!("{link}: {e}")))?;
        prop_assert_eq!(from_link.bracketed(), text.clone(), "{}", link);
        prop_assert_eq!(from_link.identifiers(), vec![id.clone()], "{}", link);
    }

    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn sgtin_spellings_agree(key in sgtin(), stem in stem()) { every_spelling_agrees(&key, &stem)?; }

    #[test]
    fn lgtin_spellings_agree(key in lgtin(), stem in stem()) { every_spelling_agrees(&key, &stem)?; }

    #[test]
    fn upui_spellings_agree(key in upui(), stem in stem()) { every_spelling_agrees(&key, &stem)?; }

    #[test]
    fn sscc_spellings_agree(key in sscc(), stem in stem()) { every_spelling_agrees(&key, &stem)?; }

    #[test]
    fn sgln_spellings_agree(key in sgln(), stem in stem()) { every_spelling_agrees(&key, &stem)?; }

    #[test]
    fn pgln_spellings_agree(key in pgln(), stem in stem()) { every_spelling_agrees(&key, &stem)?; }

    #[test]
    fn grai_spellings_agree(key in grai(), stem in stem()) { every_spelling_agrees(&key, &stem)?; }

    #[test]
    fn giai_spellings_agree(key in giai(), stem in stem()) { every_spelling_agrees(&key, &stem)?; }

    #[test]
    fn gsrn_spellings_agree(key in gsrn(), stem in stem()) { every_spelling_agrees(&key, &stem)?; }

    #[test]
    fn gdti_spellings_agree(key in gdti(), stem in stem()) { every_spelling_agrees(&key, &stem)?; }

    #[test]
    fn sgcn_spellings_agree(key in sgcn(), stem in stem()) { every_spelling_agrees(&key, &stem)?; }

    #[test]
    fn ginc_spellings_agree(key in ginc(), stem in stem()) { every_spelling_agrees(&key, &stem)?; }

    #[test]
    fn gsin_spellings_agree(key in gsin(), stem in stem()) { every_spelling_agrees(&key, &stem)?; }

    #[test]
    fn cpi_spellings_agree(key in cpi(), stem in stem()) { every_spelling_agrees(&key, &stem)?; }

    #[test]
    fn itip_spellings_agree(key in itip(), stem in stem()) { every_spelling_agrees(&key, &stem)?; }
}

// What the properties found, kept as plain cases.

#[test]
fn a_stem_path_that_looks_like_an_ai_stays_stem() {
    let link = "https://example.com/401/01/09506000134352/10/ABC";
    let data = parse(link).unwrap();
    assert_eq!(data.bracketed(), "(01)09506000134352(10)ABC");
    assert_eq!(
        canonicalize(link).unwrap().canonical,
        "https://id.gs1.org/01/09506000134352/10/ABC"
    );
    // A path of two keys is still refused, whichever way it is read.
    assert!(parse("https://example.com/00/106141412345678908/01/09506000134352").is_err());
}

#[test]
fn a_third_party_serial_names_the_pack_not_the_gtin() {
    let data = parse("(01)09506000134352(235)TPX1").unwrap();
    let ids: Vec<String> = data
        .identifiers()
        .into_iter()
        .map(|i| i.canonical)
        .collect();
    assert_eq!(ids, ["https://id.gs1.org/01/09506000134352/235/TPX1"]);
}

#[test]
fn a_cpi_urn_with_a_hash_in_its_reference_canonicalises() {
    let id = canonicalize("urn:epc:id:cpi:0614141.5PQ7%2FZ43%23.12345").unwrap();
    assert_eq!(id.kind, IdKind::Cpi);
    assert_eq!(
        id.canonical,
        "https://id.gs1.org/8010/06141415PQ7%2FZ43%23/8011/12345"
    );
}
