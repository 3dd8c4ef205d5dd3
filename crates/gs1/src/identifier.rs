//! Identifier canonicalisation: every spelling of a GS1 identifier (EPC URN, GS1 Digital Link
//! URI on any domain) maps to one string, the Digital Link URI on `https://id.gs1.org`.
//!
//! Rules beyond the standards themselves, chosen so that equal identifiers compare equal:
//! - GTIN-8/12/13 in a Digital Link path are padded to 14 digits.
//! - With a serial (21), an item is identified by GTIN (or ITIP) and serial alone, as in its
//!   EPC URN: a lot (10) or variant (22) written beside the serial is dropped.
//! - A GLN extension (254) of `0` is the same as no extension (the SGLN URN writes "no
//!   extension" as `0`).
//! - Query strings and fragments are not part of the identifier.

use std::fmt;

use crate::ai;
use crate::epc_urn::{self, Parsed};
use crate::percent;
use crate::web_uri;

/// What an identifier identifies, from its GS1 key and qualifiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IdKind {
    /// A URI of no GS1 scheme, kept as written.
    Other,
    /// A trade item class: GTIN (01), possibly with a variant (22).
    Gtin,
    /// A lot of a trade item: GTIN + batch/lot (10).
    Lgtin,
    /// A serialised trade item: GTIN + serial (21).
    Sgtin,
    /// A unit pack: GTIN + third-party controlled serial (235).
    Upui,
    /// A piece of a trade item (8006), possibly serialised.
    Itip,
    /// A logistic unit (00).
    Sscc,
    /// A physical location: GLN (414) with an optional extension (254) or UIC (7040).
    Sgln,
    /// A party (417).
    Pgln,
    /// A returnable asset (8003), with or without its serial.
    Grai,
    /// An individual asset (8004).
    Giai,
    /// A service relation, recipient (8018).
    Gsrn,
    /// A service relation, provider (8017).
    Gsrnp,
    /// A document (253).
    Gdti,
    /// A coupon (255).
    Sgcn,
    /// A consignment (401).
    Ginc,
    /// A shipment (402).
    Gsin,
    /// A component or part (8010), possibly serialised (8011).
    Cpi,
    /// A model number (8013).
    Gmn,
    /// A payment slip: pay-to GLN (415) and reference (8020).
    PayTo,
    /// An EPC General Identifier (`urn:epc:id:gid:`), which has no Digital Link form.
    Gid,
}

/// An identifier in canonical form.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Identifier {
    pub kind: IdKind,
    pub canonical: String,
}

/// Why a URI could not be canonicalised. The message is one sentence naming the rule and
/// the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdError {
    pub message: String,
}

impl IdError {
    fn new(detail: impl fmt::Display, uri: &str) -> IdError {
        IdError {
            message: format!("{detail} in {}", shorten(uri)),
        }
    }
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for IdError {}

/// The longest URI accepted. EPCIS identifiers are short; this bounds the work per call.
pub const MAX_URI_LEN: usize = 4096;

/// The canonical Digital Link origin.
pub const CANONICAL_ORIGIN: &str = "https://id.gs1.org";

/// Keeps error messages readable when the input is long.
fn shorten(uri: &str) -> String {
    const MAX: usize = 200;
    if uri.chars().count() <= MAX {
        uri.to_owned()
    } else {
        let head: String = uri.chars().take(MAX).collect();
        format!("{head}…")
    }
}

/// The canonical form of `uri`. See the module documentation for the rules.
pub fn canonicalize(uri: &str) -> Result<Identifier, IdError> {
    if let Some(known) = MEMO.with_borrow(|memo| memo.get(uri).cloned()) {
        return Ok(known);
    }
    let id = canonicalize_uncached(uri)?;
    MEMO.with_borrow_mut(|memo| {
        if memo.len() >= MEMO_ENTRIES {
            memo.clear();
        }
        memo.insert(uri.into(), id.clone());
    });
    Ok(id)
}

/// Accepted spellings whose canonical form one thread remembers; when full it starts over.
/// At most about 256 bytes an entry (two URIs of at most `MAX_URI_LEN`, usually far
/// shorter): 32 MiB a thread in the worst case.
const MEMO_ENTRIES: usize = 1 << 17;

thread_local! {
    /// Canonical forms by spelling. The same lots, containers and locations recur in many
    /// events, and every capture, validation, event hash and replay canonicalises each
    /// identifier it meets: parsing a spelling once per thread instead of at each use
    /// saves about a microsecond an identifier. Only accepted spellings are kept (errors
    /// are rare and carry the input in their message).
    static MEMO: std::cell::RefCell<std::collections::HashMap<Box<str>, Identifier>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

fn canonicalize_uncached(uri: &str) -> Result<Identifier, IdError> {
    if uri.is_empty() {
        return Err(IdError {
            message: "an identifier must not be empty".into(),
        });
    }
    if uri.len() > MAX_URI_LEN {
        return Err(IdError {
            message: format!(
                "an identifier is at most {MAX_URI_LEN} bytes, this one has {}",
                uri.len()
            ),
        });
    }
    if starts_with_ignore_case(uri, "urn:epc:") {
        return match epc_urn::parse(uri).map_err(|e| IdError::new(e, uri))? {
            Parsed::Elements(_, elements) => {
                from_elements(&elements).map_err(|e| IdError::new(e, uri))
            }
            Parsed::Gid => Ok(Identifier {
                kind: IdKind::Gid,
                canonical: uri.to_owned(),
            }),
            Parsed::Opaque => Ok(other(uri)),
        };
    }
    if let Some(parts) = web_uri::split(uri) {
        let strict = is_gs1_resolver(parts.authority);
        if let Some(elements) =
            digital_link_elements(parts.path, strict).map_err(|e| IdError::new(e, uri))?
        {
            return from_elements(&elements).map_err(|e| IdError::new(e, uri));
        }
    }
    Ok(other(uri))
}

fn other(uri: &str) -> Identifier {
    Identifier {
        kind: IdKind::Other,
        canonical: uri.to_owned(),
    }
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len()
        && text.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// Whether the URI authority is GS1's own resolver, where every path that looks like a
/// Digital Link is taken to be one.
fn is_gs1_resolver(authority: &str) -> bool {
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = host_port.split_once(':').map_or(host_port, |(h, _)| h);
    host.eq_ignore_ascii_case("id.gs1.org")
}

/// The (AI, value) pairs of the GS1 part of a Digital Link path, if the path has one.
///
/// The GS1 part is the tail of the path: a primary-key AI, its value, then (AI, value) pairs
/// whose AIs are all qualifiers of that key. Anything before it is a prefix of the
/// publisher's own (`https://example.com/products/01/…`). A path without such a tail is not a
/// Digital Link; one with such a tail but a malformed value is an error.
///
/// On other hosts than id.gs1.org, ordinary web paths can look like that tail
/// (`http://www.w3.org/2000/01/rdf-schema`, `/2019/01/15`), so there the key value must also
/// have the key's shape (length and character set, a company prefix where one is due) for
/// the path to count as a Digital Link; a wrong check digit is still an error.
fn digital_link_elements(
    path: &str,
    strict: bool,
) -> Result<Option<Vec<(&'static str, String)>>, String> {
    let mut segments: Vec<&str> = path.split('/').skip(1).collect();
    let mut start = key_path_start(&segments, strict);
    // A trailing slash is tolerated: `/01/…/` is `/01/…`; but `/01/…/10/` is an empty lot.
    if start.is_none() && segments.len() > 1 && segments.last() == Some(&"") {
        segments.pop();
        start = key_path_start(&segments, strict);
    }
    let Some(start) = start else {
        return Ok(None);
    };
    let mut elements = Vec::with_capacity((segments.len() - start) / 2);
    for pair in segments[start..].chunks_exact(2) {
        let def = ai::lookup(pair[0]).ok_or("unreachable: AI checked by key_path_start")?;
        let value =
            percent::decode(pair[1]).map_err(|e| format!("AI ({}) {}: {e}", pair[0], def.title))?;
        // Keys and qualifiers are single-AI table entries, so `def.ai` is this AI.
        elements.push((def.ai, value));
    }
    Ok(Some(elements))
}

/// Where the GS1 part of the path starts: the first position holding a primary-key AI such
/// that every later odd position holds one of its qualifier AIs (and, unless `strict`, whose
/// value has the key's shape).
fn key_path_start(segments: &[&str], strict: bool) -> Option<usize> {
    (0..segments.len()).find(|&i| {
        if !(segments.len() - i).is_multiple_of(2) {
            return false;
        }
        let Some(def) = ai::lookup(segments[i]).filter(|d| d.dl_qualifiers.is_some()) else {
            return false;
        };
        if !strict && !has_key_shape(def, segments[i + 1]) {
            return false;
        }
        let qualifiers: Vec<&str> = def.qualifier_sequences().flatten().collect();
        segments[i + 2..]
            .iter()
            .step_by(2)
            .all(|q| qualifiers.contains(q))
    })
}

/// Whether a raw path segment, decoded, could be a value of the key `def`: its only faults,
/// if any, are in content rules other than the company-prefix position (a check digit, say).
fn has_key_shape(def: &ai::AiDef, raw: &str) -> bool {
    let Ok(value) = percent::decode(raw) else {
        return false;
    };
    let value = if def.ai == "01" {
        pad_gtin(&value)
    } else {
        value
    };
    match ai::validate_value(def, def.ai, &value) {
        Ok(()) => true,
        Err(e) => matches!(
            e.problem,
            ai::ValueProblem::Lint { linter, .. }
                if !matches!(linter, ai::Linter::GcpPos1 | ai::Linter::GcpPos2)
        ),
    }
}

/// The canonical identifier for element strings in Digital Link path order: a primary key
/// first, then its qualifiers. Values are validated against their AI's format.
pub(crate) fn from_elements(elements: &[(&'static str, String)]) -> Result<Identifier, String> {
    let Some(((key_ai, key_value), qualifiers)) = elements.split_first() else {
        return Err("no GS1 key".into());
    };
    let key_def = ai::lookup(key_ai)
        .filter(|d| d.dl_qualifiers.is_some())
        .ok_or_else(|| format!("AI ({key_ai}) is not a GS1 Digital Link primary key"))?;
    let key_value = if *key_ai == "01" {
        pad_gtin(key_value)
    } else {
        key_value.clone()
    };
    ai::validate_value(key_def, key_ai, &key_value).map_err(|e| e.to_string())?;
    check_qualifier_order(key_def, qualifiers)?;
    for (q_ai, q_value) in qualifiers {
        let def = ai::lookup(q_ai).ok_or_else(|| format!("unknown AI ({q_ai})"))?;
        ai::validate_value(def, q_ai, q_value).map_err(|e| e.to_string())?;
    }

    let has = |a: &str| qualifiers.iter().any(|(q, _)| *q == a);
    let serialised = has("21");
    let kept = qualifiers.iter().filter(|(q, v)| {
        let redundant_beside_serial = serialised && (*q == "10" || *q == "22");
        let no_extension = *q == "254" && v == "0";
        !redundant_beside_serial && !no_extension
    });
    let mut canonical = String::with_capacity(64);
    canonical.push_str(CANONICAL_ORIGIN);
    for (a, v) in std::iter::once((key_ai, &key_value)).chain(kept.map(|(a, v)| (a, v))) {
        canonical.push('/');
        canonical.push_str(a);
        canonical.push('/');
        canonical.push_str(&percent::encode_dl_segment(v));
    }
    let kind = match *key_ai {
        "01" if serialised => IdKind::Sgtin,
        "01" if has("235") => IdKind::Upui,
        "01" if has("10") => IdKind::Lgtin,
        "01" => IdKind::Gtin,
        "8006" => IdKind::Itip,
        "00" => IdKind::Sscc,
        "414" => IdKind::Sgln,
        "417" => IdKind::Pgln,
        "8003" => IdKind::Grai,
        "8004" => IdKind::Giai,
        "8017" => IdKind::Gsrnp,
        "8018" => IdKind::Gsrn,
        "253" => IdKind::Gdti,
        "255" => IdKind::Sgcn,
        "401" => IdKind::Ginc,
        "402" => IdKind::Gsin,
        "8010" => IdKind::Cpi,
        "8013" => IdKind::Gmn,
        "415" => IdKind::PayTo,
        other => return Err(format!("AI ({other}) has no identifier kind")),
    };
    Ok(Identifier { kind, canonical })
}

/// GTIN-8, GTIN-12 and GTIN-13 are GTIN-14 with leading zeros (which keep the check digit).
fn pad_gtin(value: &str) -> String {
    let is_short_gtin =
        matches!(value.len(), 8 | 12 | 13) && value.bytes().all(|b| b.is_ascii_digit());
    if is_short_gtin {
        format!("{value:0>14}")
    } else {
        value.to_owned()
    }
}

/// Qualifiers must follow one of the key's sequences, in order, each at most once.
fn check_qualifier_order(
    key: &ai::AiDef,
    qualifiers: &[(&'static str, String)],
) -> Result<(), String> {
    let given: Vec<&str> = qualifiers.iter().map(|(a, _)| *a).collect();
    let fits = key.qualifier_sequences().any(|seq| {
        let mut next = 0;
        given
            .iter()
            .all(|q| match seq[next..].iter().position(|s| s == q) {
                Some(p) => {
                    next += p + 1;
                    true
                }
                None => false,
            })
    });
    if fits {
        return Ok(());
    }
    let allowed: Vec<String> = key
        .qualifier_sequences()
        .map(|seq| {
            seq.iter()
                .map(|q| format!("({q})"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let given: Vec<String> = given.iter().map(|q| format!("({q})")).collect();
    Err(format!(
        "qualifiers {} do not fit primary key ({}) {}: the allowed order is {}",
        given.join(" "),
        key.ai,
        key.title,
        allowed.join(" or ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_memo_answers_as_parsing_does() {
        let spellings = [
            "urn:epc:id:sgtin:4012345.011111.987",
            "https://example.com/01/04012345111118/21/987",
            "HTTPS://ID.GS1.ORG/01/04012345111118/21/987",
        ];
        for spelling in spellings {
            let parsed = canonicalize_uncached(spelling).unwrap();
            // The first call fills the memo, the second is answered from it.
            assert_eq!(canonicalize(spelling).unwrap(), parsed);
            assert_eq!(canonicalize(spelling).unwrap(), parsed);
        }
        // A refused spelling is refused every time, with its message.
        let bad = "urn:epc:id:sgtin:4012345.011111";
        let first = canonicalize(bad).unwrap_err();
        assert_eq!(canonicalize(bad).unwrap_err(), first);
        // Past its size the memo starts over and still answers right.
        for n in 0..MEMO_ENTRIES + 10 {
            let lot = format!("https://id.gs1.org/01/04012345111118/10/L{n}");
            assert_eq!(canonicalize(&lot).unwrap().canonical, lot);
        }
        MEMO.with_borrow(|memo| assert!(memo.len() <= MEMO_ENTRIES));
        assert_eq!(
            canonicalize(spellings[0]).unwrap(),
            canonicalize_uncached(spellings[0]).unwrap()
        );
    }

    fn canon(uri: &str) -> Identifier {
        canonicalize(uri).unwrap_or_else(|e| panic!("{uri}: {e}"))
    }

    #[test]
    fn key_path_heuristic() {
        assert_eq!(key_path_start(&["01", "x"], true), Some(0));
        assert_eq!(
            key_path_start(&["foo", "01", "x", "21", "y"], true),
            Some(1)
        );
        assert_eq!(key_path_start(&["po", "12345678"], true), None);
        assert_eq!(key_path_start(&["01", "x", "99", "y"], true), None);
        assert_eq!(key_path_start(&["01", "01", "x"], true), Some(1));
        assert_eq!(key_path_start(&[], true), None);
        // Off id.gs1.org the key value must look like one.
        assert_eq!(key_path_start(&["01", "x"], false), None);
        assert_eq!(key_path_start(&["2000", "01", "rdf-schema"], false), None);
        assert_eq!(key_path_start(&["2019", "01", "15"], false), None);
        assert_eq!(key_path_start(&["01", "09521141012346"], false), Some(0));
        assert_eq!(
            key_path_start(&["8003", "952012200000001004"], false),
            Some(0)
        );
        assert_eq!(key_path_start(&["8004", "ABC"], false), None);
    }

    #[test]
    fn qualifier_order_is_enforced() {
        let err = canonicalize("https://id.gs1.org/01/09521141012345/21/A/10/B").unwrap_err();
        assert!(
            err.message.starts_with(
                "qualifiers (21) (10) do not fit primary key (01) GTIN: the allowed order is (22) (10) (21) or (235)"
            ),
            "{err}"
        );
        assert!(canonicalize("https://id.gs1.org/01/09521141012345/10/A/10/B").is_err());
        assert!(canonicalize("https://id.gs1.org/01/09521141012345/10/A/235/B").is_err());
    }

    #[test]
    fn kinds() {
        assert_eq!(
            canon("https://id.gs1.org/01/09521141012345/22/V").kind,
            IdKind::Gtin
        );
        assert_eq!(
            canon("https://id.gs1.org/01/09521141012345/235/T").kind,
            IdKind::Upui
        );
    }
}
