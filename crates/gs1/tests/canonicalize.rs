//! Identifier canonicalisation: EPC URN and Digital Link spellings of one identifier give
//! the same canonical string; malformed GS1 identifiers are errors; other URIs pass through.

use lotrace_gs1::{IdKind, canonicalize};

/// (EPC URN, Digital Link on id.gs1.org, kind): each pair names the same identifier and the
/// Digital Link is already canonical.
const PAIRS: &[(&str, &str, IdKind)] = &[
    (
        "urn:epc:id:sgtin:0614141.812345.6789",
        "https://id.gs1.org/01/80614141123458/21/6789",
        IdKind::Sgtin,
    ),
    (
        "urn:epc:class:lgtin:4012345.012345.998877",
        "https://id.gs1.org/01/04012345123456/10/998877",
        IdKind::Lgtin,
    ),
    (
        "urn:epc:idpat:sgtin:4012345.012345.*",
        "https://id.gs1.org/01/04012345123456",
        IdKind::Gtin,
    ),
    (
        "urn:epc:id:sscc:0614141.1234567890",
        "https://id.gs1.org/00/106141412345678908",
        IdKind::Sscc,
    ),
    (
        "urn:epc:id:sgln:0614141.12345.0",
        "https://id.gs1.org/414/0614141123452",
        IdKind::Sgln,
    ),
    (
        "urn:epc:id:sgln:0614141.12345.400",
        "https://id.gs1.org/414/0614141123452/254/400",
        IdKind::Sgln,
    ),
    (
        "urn:epc:id:pgln:0614141.12345",
        "https://id.gs1.org/417/0614141123452",
        IdKind::Pgln,
    ),
    (
        "urn:epc:id:grai:0614141.12345.400",
        "https://id.gs1.org/8003/00614141123452400",
        IdKind::Grai,
    ),
    (
        "urn:epc:id:giai:0614141.12345400",
        "https://id.gs1.org/8004/061414112345400",
        IdKind::Giai,
    ),
    (
        "urn:epc:id:gsrn:0614141.1234567890",
        "https://id.gs1.org/8018/061414112345678902",
        IdKind::Gsrn,
    ),
    (
        "urn:epc:id:gsrnp:0614141.1234567890",
        "https://id.gs1.org/8017/061414112345678902",
        IdKind::Gsrnp,
    ),
    (
        "urn:epc:id:gdti:0614141.12345.006847",
        "https://id.gs1.org/253/0614141123452006847",
        IdKind::Gdti,
    ),
    (
        "urn:epc:id:sgcn:4012345.67890.04711",
        "https://id.gs1.org/255/401234567890104711",
        IdKind::Sgcn,
    ),
    (
        "urn:epc:id:ginc:0614141.xyz47%2F11",
        "https://id.gs1.org/401/0614141xyz47%2F11",
        IdKind::Ginc,
    ),
    (
        "urn:epc:id:gsin:0614141.123456789",
        "https://id.gs1.org/402/06141411234567890",
        IdKind::Gsin,
    ),
    (
        "urn:epc:id:cpi:0614141.5PQ7%2FZ43.12345",
        "https://id.gs1.org/8010/06141415PQ7%2FZ43/8011/12345",
        IdKind::Cpi,
    ),
    (
        "urn:epc:id:itip:4012345.012345.01.02.987",
        "https://id.gs1.org/8006/040123451234560102/21/987",
        IdKind::Itip,
    ),
    (
        "urn:epc:id:upui:1234567.089456.51qIgY)%3C%26Jp3*j7'SDB",
        "https://id.gs1.org/01/01234567894560/235/51qIgY%29%3C%26Jp3%2Aj7%27SDB",
        IdKind::Upui,
    ),
];

#[test]
fn urn_and_digital_link_give_the_same_canonical_form() {
    for &(urn, dl, kind) in PAIRS {
        let from_urn = canonicalize(urn).unwrap_or_else(|e| panic!("{urn}: {e}"));
        let from_dl = canonicalize(dl).unwrap_or_else(|e| panic!("{dl}: {e}"));
        assert_eq!(from_urn.canonical, dl, "{urn}");
        assert_eq!(from_dl.canonical, dl, "{dl} is canonical already");
        assert_eq!(from_urn.kind, kind, "{urn}");
        assert_eq!(from_dl.kind, kind, "{dl}");
    }
}

#[test]
fn canonical_form_is_a_fixed_point() {
    for &(urn, _, _) in PAIRS {
        let once = canonicalize(urn).unwrap();
        let twice = canonicalize(&once.canonical).unwrap();
        assert_eq!(once, twice);
    }
}

#[test]
fn digital_links_on_other_domains_are_the_same_identifier() {
    let canonical = "https://id.gs1.org/01/09521141012345/21/2017";
    for uri in [
        "https://example.com/01/09521141012345/21/2017",
        "http://example.com/01/09521141012345/21/2017",
        "https://example.com/foo/01/09521141012345/21/2017",
        "https://example.com/a/b/c/01/09521141012345/21/2017?17=201225#x",
        "HTTPS://ID.GS1.ORG/01/09521141012345/21/2017",
        "https://id.gs1.org:443/01/09521141012345/21/2017",
        "https://id.gs1.org/01/09521141012345/21/2017/",
        "https://id.gs1.org/01/9521141012345/21/2017",
        "https://id.gs1.org/01/09521141012345/21/%32017"
            .replace("%32017", "%32%30%31%37")
            .as_str(),
        "https://id.gs1.org/01/09521141012345/10/LOT1/21/2017",
        "https://id.gs1.org/01/09521141012345/22/V1/10/LOT1/21/2017",
        "urn:epc:id:sgtin:9521141.001234.2017",
    ] {
        assert_eq!(canonicalize(uri).unwrap().canonical, canonical, "{uri}");
    }
}

#[test]
fn short_gtins_are_padded_to_14_digits() {
    for (uri, canonical) in [
        (
            "https://example.com/01/95012346",
            "https://id.gs1.org/01/00000095012346",
        ),
        (
            "https://example.com/01/614141000036/10/ABC",
            "https://id.gs1.org/01/00614141000036/10/ABC",
        ),
        (
            "https://example.com/01/4006381333931",
            "https://id.gs1.org/01/04006381333931",
        ),
    ] {
        assert_eq!(canonicalize(uri).unwrap().canonical, canonical, "{uri}");
    }
}

#[test]
fn lot_canonical_form_and_kind() {
    let id = canonicalize("https://example.com/01/09521141012345/10/ABC%2F1").unwrap();
    assert_eq!(id.kind, IdKind::Lgtin);
    assert_eq!(
        id.canonical,
        "https://id.gs1.org/01/09521141012345/10/ABC%2F1"
    );
}

#[test]
fn sgln_extension_zero_is_no_extension() {
    let id = canonicalize("https://id.gs1.org/414/0614141123452/254/0").unwrap();
    assert_eq!(id.canonical, "https://id.gs1.org/414/0614141123452");
    assert_eq!(id.kind, IdKind::Sgln);
}

#[test]
fn urn_escapes_become_digital_link_escapes() {
    for (urn, dl) in [
        (
            "urn:epc:id:sgtin:0614141.107346.A%2FB",
            "https://id.gs1.org/01/10614141073464/21/A%2FB",
        ),
        (
            "urn:epc:id:sgtin:0614141.107346.%22%25%26%3C%3E%3F",
            "https://id.gs1.org/01/10614141073464/21/%22%25%26%3C%3E%3F",
        ),
        (
            "urn:epc:id:sgtin:0614141.107346.!'()*+,-.:;=_",
            "https://id.gs1.org/01/10614141073464/21/%21%27%28%29%2A%2B%2C-.%3A%3B%3D_",
        ),
        // Hex digits of either case decode the same.
        (
            "urn:epc:id:sgtin:0614141.107346.a%2fb",
            "https://id.gs1.org/01/10614141073464/21/a%2Fb",
        ),
    ] {
        assert_eq!(canonicalize(urn).unwrap().canonical, dl, "{urn}");
        // The Digital Link written with lower-case hex digits is the same identifier.
        let lower = lowercase_escapes(dl);
        assert_eq!(canonicalize(&lower).unwrap().canonical, dl, "{lower}");
    }
    let unescaped = "https://id.gs1.org/01/10614141073464/21/!'()*+,-.:;=_";
    assert_eq!(
        canonicalize(unescaped).unwrap().canonical,
        "https://id.gs1.org/01/10614141073464/21/%21%27%28%29%2A%2B%2C-.%3A%3B%3D_"
    );
}

fn lowercase_escapes(uri: &str) -> String {
    let mut out = String::new();
    let mut after_percent = 0;
    for ch in uri.chars() {
        if ch == '%' {
            after_percent = 2;
            out.push(ch);
        } else if after_percent > 0 {
            after_percent -= 1;
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

/// Each bad input and a fragment its error message must contain.
const ERRORS: &[(&str, &str)] = &[
    (
        "https://id.gs1.org/01/09521141012346",
        "AI (01) GTIN: check digit: expected 5, found 6 (at position 14) in https://id.gs1.org/01/09521141012346",
    ),
    ("https://id.gs1.org/01/09521141012", "too short"),
    ("https://id.gs1.org/01/095211410123456", "too long"),
    ("https://id.gs1.org/01/0952114101234A", "'A' at position 14"),
    ("https://id.gs1.org/x/00/123", "AI (00) SSCC"),
    (
        "https://example.com/x/00/106141412345678909",
        "AI (00) SSCC: check digit",
    ),
    (
        "https://example.com/01/4006381333932",
        "AI (01) GTIN: check digit",
    ),
    (
        "https://example.com/01/09521141012345/21/A%20B",
        "AI (21) SERIAL",
    ),
    (
        "https://id.gs1.org/00/106141412345678909",
        "check digit: expected 8, found 9",
    ),
    (
        "https://id.gs1.org/414/0614141123453",
        "check digit: expected 2, found 3",
    ),
    ("https://id.gs1.org/8003/10614141123452400", "must be zero"),
    (
        "https://id.gs1.org/01/09521141012345/21/ABCDEFGHIJKLMNOPQRSTU",
        "at most 20 characters",
    ),
    (
        "https://id.gs1.org/01/09521141012345/10/",
        "the value is empty",
    ),
    (
        "https://id.gs1.org/01/09521141012345/21/A%20B",
        "' ' at position 2",
    ),
    (
        "https://id.gs1.org/01/09521141012345/21/A%2",
        "two hex digits",
    ),
    (
        "https://id.gs1.org/01/09521141012345/21/A%C3%A9",
        "'é' at position 2",
    ),
    (
        "https://id.gs1.org/01/09521141012345/21/A/10/B",
        "do not fit primary key (01)",
    ),
    ("urn:epc:id:sgtin:0614141.812345", "3 dot-separated parts"),
    ("urn:epc:id:sgtin:0614141.81234.6789", "must be 6 digits"),
    ("urn:epc:id:sgtin:0614141.812345.A/B", "must be written %2F"),
    (
        "urn:epc:id:sgtin:0614141.812345.ABCDEFGHIJKLMNOPQRSTU",
        "AI (21) SERIAL",
    ),
    ("urn:epc:id:sgtin:0614141.812345.", "serial is empty"),
    ("urn:epc:id:sgtin:061414.181234.1", "must be 7 digits"),
    ("urn:epc:id:sgtin:12345.18123456.1", "6 to 12 digits"),
    ("urn:epc:id:sscc:0614141.123456789", "must be 10 digits"),
    ("urn:epc:id:sgln:0614141.12345", "3 dot-separated parts"),
    ("urn:epc:id:sgcn:4012345.67890.A1", "serial must be digits"),
    ("urn:epc:id:cpi:0614141.5PQ7%2FZ43.012345", "leading zero"),
    ("urn:epc:id:cpi:0614141.5pq7.12345", "'p' at position"),
    (
        "urn:epc:id:itip:4012345.012345.03.02.987",
        "piece number exceeds",
    ),
    (
        "urn:epc:id:gid:95100000.012345.400",
        "without leading zeros",
    ),
    ("urn:epc:id:unknown:1.2.3", "unknown EPC identifier scheme"),
    (
        "urn:epc:class:sgtin:0614141.812345.6789",
        "unknown EPC class scheme",
    ),
    ("", "must not be empty"),
];

#[test]
fn malformed_gs1_identifiers_are_errors_naming_the_rule() {
    for &(uri, fragment) in ERRORS {
        match canonicalize(uri) {
            Ok(id) => panic!("{uri:?} should be an error, got {id:?}"),
            Err(e) => assert!(
                e.to_string().contains(fragment),
                "{uri:?}: {e} (expected to mention {fragment:?})"
            ),
        }
    }
}

#[test]
fn overlong_input_is_an_error() {
    let long = format!("https://example.com/{}", "a".repeat(5000));
    let err = canonicalize(&long).unwrap_err();
    assert!(err.message.contains("at most 4096 bytes"), "{err}");
}

#[test]
fn uris_of_no_gs1_scheme_are_kept_as_written() {
    for uri in [
        "http://transaction.acme.com/po/12345678",
        "urn:uuid:4f0d8c5e-0e5c-4f5a-9a4b-6b0a1d5d6c3e",
        "https://example.com/some/page",
        "https://example.com/",
        "https://example.com",
        "https://example.com/10/ABC",
        "https://example.com/01/09521141012345/99/X",
        "https://example.com/01/09521141012345/21",
        // Paths that only look like Digital Links off id.gs1.org: the key value has the
        // wrong shape.
        "http://www.w3.org/2000/01/rdf-schema#",
        "https://blog.example.com/2019/01/15",
        "https://example.com/x/00/123",
        "https://example.com/01/ABC",
        "https://example.com/8004/AB12345",
        "https://id.gs1.org/gtin/09521141012345",
        "urn:epcglobal:cbv:bizstep:shipping",
        "urn:epc:id:usdod:2S194.12345678901",
        "urn:epc:idpat:sgtin:0614141.*.*",
        "mailto:someone@example.com",
        "not a uri at all",
    ] {
        let id = canonicalize(uri).unwrap_or_else(|e| panic!("{uri}: {e}"));
        assert_eq!(id.kind, IdKind::Other, "{uri}");
        assert_eq!(id.canonical, uri);
    }
}

#[test]
fn gid_is_kept_as_written() {
    let id = canonicalize("urn:epc:id:gid:95100000.12345.400").unwrap();
    assert_eq!(id.kind, IdKind::Gid);
    assert_eq!(id.canonical, "urn:epc:id:gid:95100000.12345.400");
}

#[test]
fn more_digital_link_keys() {
    for (uri, canonical, kind) in [
        (
            "https://example.com/8013/1987654Ad4X4bL5ttr2310c2K",
            "https://id.gs1.org/8013/1987654Ad4X4bL5ttr2310c2K",
            IdKind::Gmn,
        ),
        (
            "https://example.com/415/5412345000013/8020/ABC123",
            "https://id.gs1.org/415/5412345000013/8020/ABC123",
            IdKind::PayTo,
        ),
        (
            "https://example.com/8004/0614141ABC/7040/1ABC",
            "https://id.gs1.org/8004/0614141ABC/7040/1ABC",
            IdKind::Giai,
        ),
        (
            "https://example.com/8018/061414112345678902/8019/12",
            "https://id.gs1.org/8018/061414112345678902/8019/12",
            IdKind::Gsrn,
        ),
    ] {
        let id = canonicalize(uri).unwrap_or_else(|e| panic!("{uri}: {e}"));
        assert_eq!((id.canonical.as_str(), id.kind), (canonical, kind), "{uri}");
    }
    assert!(canonicalize("https://example.com/8013/1987654Ad4X4bL5ttr2310c2X").is_err());
}
