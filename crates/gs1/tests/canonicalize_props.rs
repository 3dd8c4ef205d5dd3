//! Property tests: round trips of random identifiers, and no panics on any input.

use lotrace_gs1::{IdKind, canonicalize, check_digit, epc_urn, percent};
use proptest::prelude::*;

const CSET82: &str =
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

fn cset82_string(max: usize) -> impl Strategy<Value = String> {
    let chars: Vec<char> = CSET82.chars().collect();
    proptest::collection::vec(proptest::sample::select(chars), 1..=max)
        .prop_map(|v| v.into_iter().collect())
}

/// A company prefix of 6–12 digits and the rest of a 13-digit indicator + prefix + item
/// reference.
fn prefix_and_item() -> impl Strategy<Value = (String, String)> {
    (6usize..=12).prop_flat_map(|cp_len| {
        (
            proptest::string::string_regex(&format!("[0-9]{{{cp_len}}}")).unwrap(),
            proptest::string::string_regex(&format!("[0-9]{{{}}}", 13 - cp_len)).unwrap(),
        )
    })
}

proptest! {
    #[test]
    fn sgtin_urn_round_trips_through_the_canonical_form(
        (cp, item) in prefix_and_item(),
        serial in cset82_string(20),
    ) {
        let urn = format!("urn:epc:id:sgtin:{cp}.{item}.{}", epc_urn::escape_component(&serial));
        let id = canonicalize(&urn).unwrap();
        prop_assert_eq!(id.kind, IdKind::Sgtin);
        // Parsed again, the canonical form is unchanged.
        prop_assert_eq!(&canonicalize(&id.canonical).unwrap(), &id);
        // Its parts are the GTIN (indicator first, valid check digit) and the serial.
        let rest = id.canonical.strip_prefix("https://id.gs1.org/01/").unwrap();
        let (gtin, encoded_serial) = rest.split_once("/21/").unwrap();
        prop_assert_eq!(gtin.len(), 14);
        prop_assert!(check_digit::verify(gtin).is_ok());
        prop_assert_eq!(&gtin[..1], &item[..1]);
        prop_assert_eq!(&gtin[1..1 + cp.len()], cp.as_str());
        prop_assert_eq!(percent::decode(encoded_serial).unwrap(), serial);
        // The same identifier on another domain, under a path prefix, with a query.
        let elsewhere = id.canonical.replace("https://id.gs1.org", "http://example.com/a/b") + "?x=1";
        prop_assert_eq!(canonicalize(&elsewhere).unwrap(), id);
    }

    #[test]
    fn lgtin_urn_round_trips((cp, item) in prefix_and_item(), lot in cset82_string(20)) {
        let urn = format!("urn:epc:class:lgtin:{cp}.{item}.{}", epc_urn::escape_component(&lot));
        let id = canonicalize(&urn).unwrap();
        prop_assert_eq!(id.kind, IdKind::Lgtin);
        prop_assert_eq!(&canonicalize(&id.canonical).unwrap(), &id);
        let encoded = id.canonical.rsplit_once("/10/").unwrap().1;
        prop_assert_eq!(percent::decode(encoded).unwrap(), lot);
    }

    #[test]
    fn a_wrong_gtin_check_digit_is_always_an_error(body in "[0-9]{13}", delta in 1u8..=9) {
        let good = check_digit::compute(&body).unwrap();
        let bad = (good + delta) % 10;
        let uri = format!("https://id.gs1.org/01/{body}{bad}");
        let err = canonicalize(&uri).unwrap_err();
        let expected = format!("expected {good}, found {bad}");
        prop_assert!(err.message.contains(&expected), "{}", err);
    }

    #[test]
    fn any_string_gives_a_result_not_a_panic(s in any::<String>()) {
        let _ = canonicalize(&s);
    }

    #[test]
    fn any_tail_after_a_gs1_prefix_gives_a_result(s in "[ -~é%/.]{0,60}") {
        for prefix in [
            "https://id.gs1.org/01/",
            "https://id.gs1.org/8003/",
            "https://example.com/x/414/",
            "urn:epc:id:sgtin:",
            "urn:epc:id:sgln:",
            "urn:epc:id:itip:",
            "urn:epc:class:lgtin:",
            "urn:epc:idpat:sgtin:",
            "urn:epc:id:gid:",
        ] {
            let uri = format!("{prefix}{s}");
            if let Ok(id) = canonicalize(&uri) {
                // Whatever is accepted is stable.
                prop_assert_eq!(canonicalize(&id.canonical).unwrap(), id);
            }
        }
    }
}
