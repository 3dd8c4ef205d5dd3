//! GS1 Digital Link URIs, strictly: reading one into its primary key, key qualifiers and
//! query attributes, and writing AI data as one.
//!
//! This is the parser for scanned or typed data, where every rule of the GS1 Digital Link
//! standard applies. [`crate::canonicalize`] is the lenient reader for identifiers found in
//! EPCIS documents.

use crate::ai::{self, AiDef};
use crate::element::Element;
use crate::error::{ErrorKind, ParseError};
use crate::options::{MAX_INPUT_LEN, Options};
use crate::percent;
use crate::web_uri;

/// A Digital Link URI taken apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DigitalLink {
    /// Scheme, host and any path before the primary key: `https://example.com/products`.
    pub stem: String,
    /// The primary key, then its qualifiers, in path order.
    pub path: Vec<Element>,
    /// AIs from the query string, in order.
    pub attributes: Vec<Element>,
    /// Query parameters that are not AIs (`linkType=…`), as written; they are not GS1 data.
    pub other_params: Vec<String>,
}

/// The Digital Link "convenience alphas": path names that stand for an AI.
const CONVENIENCE_ALPHAS: &[(&str, &str)] = &[
    ("gtin", "01"),
    ("itip", "8006"),
    ("gmn", "8013"),
    ("cpid", "8010"),
    ("gln", "414"),
    ("party", "417"),
    ("gsrnp", "8017"),
    ("gsrn", "8018"),
    ("gcn", "255"),
    ("sscc", "00"),
    ("gdti", "253"),
    ("ginc", "401"),
    ("gsin", "402"),
    ("grai", "8003"),
    ("giai", "8004"),
    ("cpv", "22"),
    ("lot", "10"),
    ("ser", "21"),
    ("cpsn", "8011"),
    ("glnx", "254"),
    ("refno", "8020"),
    ("srin", "8019"),
];

fn alpha_to_ai(segment: &str) -> Option<&'static str> {
    CONVENIENCE_ALPHAS
        .iter()
        .find(|(alpha, _)| *alpha == segment)
        .map(|(_, ai)| *ai)
}

/// Characters RFC 3986 allows anywhere in a URI (`%` only as the start of an escape).
fn is_uri_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&'()*+,;=%".contains(c)
}

/// Whether `text` starts with `http://` or `https://`, in any letter case (URI schemes are
/// case-insensitive, RFC 3986 §3.1).
pub fn looks_like_digital_link(text: &str) -> bool {
    let lower = |n: usize| text.get(..n).map(str::to_ascii_lowercase);
    lower(7).as_deref() == Some("http://") || lower(8).as_deref() == Some("https://")
}

fn dl_error(kind: ErrorKind, message: impl Into<String>) -> ParseError {
    ParseError::new(kind, message)
}

fn check_authority(authority: &str) -> Result<(), ParseError> {
    if authority.is_empty() {
        return Err(dl_error(
            ErrorKind::DlNoDomain,
            "the URI has no domain name",
        ));
    }
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = if let Some(rest) = host_port.strip_prefix('[') {
        // An IP literal: hex digits, colons and dots only (no zone identifier).
        let Some((literal, after)) = rest.split_once(']') else {
            return Err(dl_error(
                ErrorKind::DlBadDomainChar,
                "an IPv6 address in the domain is not closed with ']'",
            ));
        };
        if literal.is_empty()
            || !literal
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return Err(dl_error(
                ErrorKind::DlBadDomainChar,
                format!("[{literal}] is not an IP address usable as a domain"),
            ));
        }
        ("", after.strip_prefix(':'))
    } else {
        match host_port.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (host_port, None),
        }
    };
    if let Some(bad) = host
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-._~".contains(*c)))
    {
        return Err(dl_error(
            ErrorKind::DlBadDomainChar,
            format!("the domain name contains {bad:?}"),
        ));
    }
    if host_port.is_empty() || (host.is_empty() && !host_port.starts_with('[')) {
        return Err(dl_error(
            ErrorKind::DlNoDomain,
            "the URI has no domain name",
        ));
    }
    if let Some(port) = port
        && !port.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(dl_error(
            ErrorKind::DlBadDomainChar,
            format!("the port {port:?} is not a number"),
        ));
    }
    Ok(())
}

/// Percent-decodes a path segment or query value; `+` means a space in a query.
fn decode_value(ai: &str, raw: &str, in_query: bool) -> Result<String, ParseError> {
    let text = if in_query {
        raw.replace('+', " ")
    } else {
        raw.to_owned()
    };
    let value = percent::decode(&text).map_err(|e| {
        ParseError::for_ai(
            ErrorKind::DlBadPercentEncoding,
            ai,
            format!("AI ({ai}) in the URI: {e}"),
        )
    })?;
    if value.contains('\0') {
        return Err(ParseError::for_ai(
            ErrorKind::DlNulChar,
            ai,
            format!("AI ({ai}) in the URI contains a percent-encoded NUL"),
        ));
    }
    Ok(value)
}

/// GTIN-8/12/13 become GTIN-14 (when permitted).
fn widen_gtin(ai: &str, value: String, options: &Options) -> String {
    let short = matches!(value.len(), 8 | 12 | 13) && value.bytes().all(|b| b.is_ascii_digit());
    if ai == "01" && short && options.permit_zero_suppressed_gtin_in_dl {
        format!("{value:0>14}")
    } else {
        value
    }
}

/// The AI a path segment names: digits, or a convenience alpha when permitted.
fn path_ai(segment: &str, options: &Options) -> Result<Option<&'static AiDef>, ParseError> {
    if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(ai::lookup(segment));
    }
    match alpha_to_ai(segment) {
        Some(code) if options.permit_convenience_alphas => Ok(ai::lookup(code)),
        Some(_) => Err(dl_error(
            ErrorKind::DlConvenienceAlphaNotPermitted,
            format!("/{segment}/ is a convenience alpha; write the numeric AI instead"),
        )),
        None => Ok(None),
    }
}

/// Where the key path starts among the path segments. The path is read in `/AI/value`
/// pairs back from its end, as far as the pairs name AIs, and starts at the leftmost primary
/// key among them; so a stem path that looks like an AI but is not in step with the pairs
/// (`https://example.com/401/01/…`) stays stem. A path that does not end in such pairs
/// starts at its first primary key, so that the error names what is wrong after it.
fn key_path_start(segments: &[&str], options: &Options) -> Result<Option<usize>, ParseError> {
    let mut start = None;
    let mut at = segments.len();
    while at >= 2 {
        at -= 2;
        match path_ai(segments[at], options)? {
            Some(def) if def.dl_qualifiers.is_some() => start = Some(at),
            Some(_) => {}
            None => break,
        }
    }
    if start.is_some() {
        return Ok(start);
    }
    for (i, segment) in segments.iter().enumerate() {
        if path_ai(segment, options)?.is_some_and(|d| d.dl_qualifiers.is_some()) {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

/// Reads a GS1 Digital Link URI.
pub fn parse_digital_link(uri: &str, options: &Options) -> Result<DigitalLink, ParseError> {
    if uri.is_empty() {
        return Err(dl_error(ErrorKind::NoData, "no URI given"));
    }
    if uri.len() > MAX_INPUT_LEN {
        return Err(dl_error(
            ErrorKind::InputTooLong,
            format!("a URI is at most {MAX_INPUT_LEN} bytes"),
        ));
    }
    if !looks_like_digital_link(uri) {
        return Err(dl_error(
            ErrorKind::DlBadScheme,
            "a GS1 Digital Link URI starts with http:// or https://",
        ));
    }
    if let Some((i, c)) = uri.char_indices().find(|&(_, c)| !is_uri_char(c)) {
        return Err(dl_error(
            ErrorKind::DlIllegalUriChar,
            format!(
                "character {c:?} at position {} is not allowed in a URI; percent-encode it",
                uri[..i].chars().count() + 1
            ),
        ));
    }
    let parts = web_uri::split(uri).ok_or_else(|| {
        dl_error(
            ErrorKind::DlBadScheme,
            "a GS1 Digital Link URI starts with http:// or https://",
        )
    })?;
    check_authority(parts.authority)?;

    let segments: Vec<&str> = parts.path.split('/').skip(1).collect();
    let Some(start) = key_path_start(&segments, options)? else {
        return Err(dl_error(
            ErrorKind::DlNoPrimaryKey,
            "the URI path has no GS1 primary key (such as /01/ for a GTIN)",
        ));
    };
    let stem_path: String = segments[..start].iter().map(|s| format!("/{s}")).collect();
    let stem = format!("{}://{}{}", parts.scheme, parts.authority, stem_path);

    let mut path = Vec::new();
    let mut pairs = segments[start..].chunks(2);
    for pair in pairs.by_ref() {
        let segment = pair[0];
        let Some(value) = pair.get(1) else {
            return Err(if segment.is_empty() {
                dl_error(ErrorKind::DlTrailingSlash, "the URI path ends with '/'")
            } else {
                dl_error(
                    ErrorKind::DlBadKeyQualifierSequence,
                    format!("/{segment} at the end of the path has no value"),
                )
            });
        };
        let def = match path_ai(segment, options)? {
            Some(def) => def,
            None if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) => {
                return Err(ParseError::for_ai(
                    ErrorKind::UnknownAi,
                    segment,
                    format!("AI ({segment}) in the URI path is not a known AI"),
                ));
            }
            None => {
                return Err(dl_error(
                    ErrorKind::DlBadKeyQualifierSequence,
                    format!("/{segment}/ in the key path is not an AI"),
                ));
            }
        };
        let code = def.ai;
        let value = widen_gtin(code, decode_value(code, value, false)?, options);
        let element = Element::new(code, value);
        // Values are checked in the order they appear, so the first fault is reported.
        element.validate()?;
        path.push(element);
    }
    check_path_sequence(&path)?;

    let mut attributes = Vec::new();
    let mut other_params = Vec::new();
    for param in parts
        .query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (key, raw_value) = match param.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (param, None),
        };
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_digit()) {
            other_params.push(param.to_owned());
            continue;
        }
        let Some(raw_value) = raw_value else {
            return Err(dl_error(
                ErrorKind::DlBadQueryParam,
                format!("query parameter {key:?} has no value"),
            ));
        };
        let element = query_element(key, raw_value, &path, options)?;
        attributes.push(element);
    }
    check_duplicates(path.iter().chain(&attributes))?;
    for e in path.iter().chain(&attributes) {
        e.validate()?;
    }
    Ok(DigitalLink {
        stem,
        path,
        attributes,
        other_params,
    })
}

/// Qualifiers follow one of the primary key's sequences, in order.
fn check_path_sequence(path: &[Element]) -> Result<(), ParseError> {
    let (key, qualifiers) = path
        .split_first()
        .ok_or_else(|| dl_error(ErrorKind::DlNoPrimaryKey, "the URI path has no primary key"))?;
    let Some(def) = key.def.filter(|d| d.dl_qualifiers.is_some()) else {
        return Err(dl_error(
            ErrorKind::DlNoPrimaryKey,
            format!("AI ({}) is not a Digital Link primary key", key.ai),
        ));
    };
    let given: Vec<&str> = qualifiers.iter().map(|e| e.ai.as_str()).collect();
    if fitting_sequence(def, &given).is_some() {
        return Ok(());
    }
    let allowed: Vec<String> = def
        .qualifier_sequences()
        .map(|s| s.iter().map(|q| format!("/{q}")).collect::<String>())
        .filter(|s| !s.is_empty())
        .collect();
    let given: String = given.iter().map(|q| format!("/{q}")).collect();
    Err(ParseError::for_ai(
        ErrorKind::DlBadKeyQualifierSequence,
        &key.ai,
        if allowed.is_empty() {
            format!(
                "primary key ({}) takes no qualifiers, found {given}",
                key.ai
            )
        } else {
            format!(
                "qualifiers {given} do not fit primary key ({}): the allowed order is {}",
                key.ai,
                allowed.join(" or ")
            )
        },
    ))
}

/// Whether `ais` (a primary key, then qualifiers) is a valid Digital Link key path, e.g.
/// `["01", "10", "21"]`.
pub fn is_valid_key_path(ais: &[&str]) -> bool {
    let Some((key, qualifiers)) = ais.split_first() else {
        return false;
    };
    ai::lookup(key)
        .filter(|d| d.dl_qualifiers.is_some())
        .is_some_and(|d| fitting_sequence(d, qualifiers).is_some())
}

/// The first of the key's qualifier sequences that `given` follows (in order, each once).
fn fitting_sequence(def: &AiDef, given: &[&str]) -> Option<Vec<&'static str>> {
    def.qualifier_sequences().find(|seq| {
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
    })
}

/// An AI given as a query parameter.
fn query_element(
    key: &str,
    raw_value: &str,
    path: &[Element],
    options: &Options,
) -> Result<Element, ParseError> {
    let value = decode_value(key, raw_value, true)?;
    match ai::lookup(key) {
        Some(def) => {
            if !def.dl_attribute {
                return Err(ParseError::for_ai(
                    ErrorKind::DlInvalidAttribute,
                    key,
                    format!(
                        "AI ({key}) {} cannot be a Digital Link query attribute",
                        def.title
                    ),
                ));
            }
            if is_path_qualifier(path, key) {
                return Err(ParseError::for_ai(
                    ErrorKind::DlQualifierAsAttribute,
                    key,
                    format!(
                        "AI ({key}) is a key qualifier here: put it in the path, not the query"
                    ),
                ));
            }
            Ok(Element::new(key, widen_gtin(key, value, options)))
        }
        None => {
            // A number that cannot be an AI (its length disagrees with the AIs sharing its
            // first two digits) is a malformed parameter; otherwise an unknown AI.
            let plausible = (2..=4).contains(&key.len())
                && ai::ai_length_by_prefix(&key[..2]).is_none_or(|len| len == key.len());
            if !plausible {
                return Err(dl_error(
                    ErrorKind::DlBadQueryParam,
                    format!("query parameter {key:?} is numeric but not an AI"),
                ));
            }
            if !options.permit_unknown_ais {
                return Err(ParseError::for_ai(
                    ErrorKind::UnknownAi,
                    key,
                    format!("AI ({key}) in the query is not a known AI"),
                ));
            }
            if !options.permit_unknown_ais_as_dl_attributes {
                return Err(ParseError::for_ai(
                    ErrorKind::DlUnknownAiAsAttribute,
                    key,
                    format!("unknown AI ({key}) cannot be a Digital Link query attribute"),
                ));
            }
            Ok(Element::new(key, value))
        }
    }
}

/// Whether `ai` belongs in the path of this key path: it is in the qualifier sequence the
/// path's qualifiers follow (or, with no qualifiers, in any of the key's sequences).
fn is_path_qualifier(path: &[Element], ai: &str) -> bool {
    let Some((key, qualifiers)) = path.split_first() else {
        return false;
    };
    let Some(def) = key.def else {
        return false;
    };
    let given: Vec<&str> = qualifiers.iter().map(|e| e.ai.as_str()).collect();
    if given.is_empty() {
        return def.qualifier_sequences().any(|seq| seq.contains(&ai));
    }
    def.qualifier_sequences()
        .filter(|seq| given.iter().all(|g| seq.contains(g)))
        .any(|seq| seq.contains(&ai))
}

fn check_duplicates<'a>(elements: impl Iterator<Item = &'a Element>) -> Result<(), ParseError> {
    let mut seen: Vec<&str> = Vec::new();
    for e in elements {
        if seen.contains(&e.ai.as_str()) {
            return Err(ParseError::for_ai(
                ErrorKind::DlDuplicateAi,
                &e.ai,
                format!("AI ({}) appears more than once in the URI", e.ai),
            ));
        }
        seen.push(&e.ai);
    }
    Ok(())
}

/// The Digital Link URI for a key path and attributes under `stem` (no trailing slash;
/// empty for a relative URI).
pub fn build(stem: &str, path: &[Element], attributes: &[Element]) -> String {
    let mut uri = stem.trim_end_matches('/').to_owned();
    for e in path {
        uri.push('/');
        uri.push_str(&e.ai);
        uri.push('/');
        uri.push_str(&percent::encode_dl_segment(&e.value));
    }
    for (i, e) in attributes.iter().enumerate() {
        uri.push(if i == 0 { '?' } else { '&' });
        uri.push_str(&e.ai);
        uri.push('=');
        uri.push_str(&percent::encode_dl_query_value(&e.value));
    }
    uri
}

/// Splits AI data into a Digital Link key path and query attributes: the first primary key
/// in the data, the qualifiers of the first of its sequences that any of them belongs to,
/// and every other AI as an attribute. Attributes with a predefined length come first, the
/// order the GS1 Syntax Engine writes them in.
pub fn split_for_link(
    elements: &[Element],
    options: &Options,
) -> Result<(Vec<Element>, Vec<Element>), ParseError> {
    let mut unique: Vec<&Element> = Vec::new();
    for e in elements {
        if !unique.iter().any(|u| u.ai == e.ai && u.value == e.value) {
            unique.push(e);
        }
    }
    let Some(key) = unique
        .iter()
        .copied()
        .find(|e| e.def.is_some_and(|d| d.dl_qualifiers.is_some()))
    else {
        return Err(dl_error(
            ErrorKind::DlNoPrimaryKey,
            "the data has no GS1 primary key (such as a GTIN, SSCC or GLN) to make a Digital Link of",
        ));
    };
    let def = key.def.unwrap_or(&ai::UNKNOWN_AI);
    let sequence = def
        .qualifier_sequences()
        .find(|seq| unique.iter().any(|e| seq.contains(&e.ai.as_str())))
        .unwrap_or_default();
    let mut path = vec![key.clone()];
    for q in &sequence {
        if let Some(e) = unique.iter().find(|e| e.ai == *q) {
            path.push((*e).clone());
        }
    }
    let mut attributes: Vec<Element> = Vec::new();
    for e in unique {
        if path.iter().any(|p| p.ai == e.ai && p.value == e.value) {
            continue;
        }
        match e.def {
            Some(d) if d.dl_attribute => attributes.push(e.clone()),
            Some(d) => {
                return Err(ParseError::for_ai(
                    ErrorKind::DlInvalidAttribute,
                    &e.ai,
                    format!(
                        "AI ({}) {} cannot go in a Digital Link with this key path",
                        e.ai, d.title
                    ),
                ));
            }
            None if options.permit_unknown_ais && options.permit_unknown_ais_as_dl_attributes => {
                attributes.push(e.clone())
            }
            None => {
                return Err(ParseError::for_ai(
                    ErrorKind::DlUnknownAiAsAttribute,
                    &e.ai,
                    format!(
                        "unknown AI ({}) cannot be a Digital Link query attribute",
                        e.ai
                    ),
                ));
            }
        }
    }
    attributes.sort_by_key(|e| !e.def.is_some_and(|d| d.fixed_length));
    Ok((path, attributes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(uri: &str) -> Result<DigitalLink, ParseError> {
        parse_digital_link(uri, &Options::default())
    }

    #[test]
    fn reads_key_qualifiers_and_attributes() {
        let dl =
            parse("https://example.com/shop/01/09520123456788/10/ABC%2F1?17=251231&linkType=pip#x")
                .unwrap();
        assert_eq!(dl.stem, "https://example.com/shop");
        assert_eq!(
            dl.path
                .iter()
                .map(|e| (e.ai.as_str(), e.value.as_str()))
                .collect::<Vec<_>>(),
            vec![("01", "09520123456788"), ("10", "ABC/1")]
        );
        assert_eq!(dl.attributes[0].ai, "17");
        assert_eq!(dl.other_params, vec!["linkType=pip"]);
        assert_eq!(
            build("https://id.gs1.org", &dl.path, &dl.attributes),
            "https://id.gs1.org/01/09520123456788/10/ABC%2F1?17=251231"
        );
    }

    #[test]
    fn errors_name_the_rule() {
        for (uri, code) in [
            ("ftp://a/01/09520123456788", "DL_BAD_SCHEME"),
            ("http://", "DL_NO_DOMAIN"),
            ("https://a$/01/09520123456788", "DL_BAD_DOMAIN_CHAR"),
            ("https://a/01/09520123456788<", "DL_ILLEGAL_URI_CHAR"),
            ("https://a/", "DL_NO_PRIMARY_KEY"),
            ("https://a/01/09520123456788/", "DL_TRAILING_SLASH"),
            (
                "https://a/01/09520123456788/21/1/10/2",
                "DL_BAD_KEY_QUALIFIER_SEQUENCE",
            ),
            (
                "https://a/01/09520123456788?10=1",
                "DL_QUALIFIER_AS_ATTRIBUTE",
            ),
            ("https://a/01/09520123456788?21=1", "DL_INVALID_ATTRIBUTE"),
            ("https://a/01/09520123456788?8200=x", "DL_INVALID_ATTRIBUTE"),
            ("https://a/01/09520123456788?99=1&99=2", "DL_DUPLICATE_AI"),
            ("https://a/01/09520123456788?99=A%00", "DL_NUL_CHAR"),
            ("https://a/01/09520123456788?999=1", "DL_BAD_QUERY_PARAM"),
            ("https://a/01/09520123456788?89=1", "UNKNOWN_AI"),
            (
                "https://a/gtin/09520123456788",
                "DL_CONVENIENCE_ALPHA_NOT_PERMITTED",
            ),
            ("https://a/01/9520123456788", "VALUE_TOO_SHORT"),
            ("https://a/01/09520123456789", "INCORRECT_CHECK_DIGIT"),
            ("https://a/01/09520123456788/10/", "EMPTY_VALUE"),
        ] {
            assert_eq!(parse(uri).unwrap_err().code(), code, "{uri}");
        }
    }

    #[test]
    fn options_widen_what_is_accepted() {
        let o = Options {
            permit_zero_suppressed_gtin_in_dl: true,
            permit_convenience_alphas: true,
            ..Options::default()
        };
        let dl = parse_digital_link("https://a/gtin/9520123456788/lot/A", &o).unwrap();
        assert_eq!(dl.path[0].value, "09520123456788");
        assert_eq!(dl.path[1].ai, "10");
    }

    #[test]
    fn splits_data_into_a_link() {
        let elements: Vec<Element> = [
            ("21", "XYZ"),
            ("01", "12312312312333"),
            ("10", "ABC123"),
            ("99", "XYZ"),
            ("17", "251231"),
        ]
        .iter()
        .map(|(a, v)| Element::new(a, *v))
        .collect();
        let (path, attributes) = split_for_link(&elements, &Options::default()).unwrap();
        assert_eq!(
            build("https://example.com/", &path, &attributes),
            "https://example.com/01/12312312312333/10/ABC123/21/XYZ?17=251231&99=XYZ"
        );
    }
}
