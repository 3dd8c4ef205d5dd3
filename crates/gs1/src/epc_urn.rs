//! EPC pure-identity URNs (`urn:epc:id:…`, `urn:epc:class:lgtin:…`) as the GS1 EPC Tag Data
//! Standard defines them, and their translation into GS1 element strings.
//!
//! A URN splits the GS1 key at the company prefix (`CompanyPrefix.Rest`) and leaves out the
//! check digit; the element strings put the key back together and compute the check digit.

use crate::check_digit;
use crate::cset::Cset;

/// The EPC schemes this crate understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EpcScheme {
    Sgtin,
    Lgtin,
    Sscc,
    Sgln,
    Pgln,
    Grai,
    Giai,
    Gsrn,
    Gsrnp,
    Gdti,
    Sgcn,
    Ginc,
    Gsin,
    Cpi,
    Itip,
    Upui,
    Gid,
}

impl EpcScheme {
    /// The scheme name as written in the URN.
    pub fn name(self) -> &'static str {
        match self {
            EpcScheme::Sgtin => "sgtin",
            EpcScheme::Lgtin => "lgtin",
            EpcScheme::Sscc => "sscc",
            EpcScheme::Sgln => "sgln",
            EpcScheme::Pgln => "pgln",
            EpcScheme::Grai => "grai",
            EpcScheme::Giai => "giai",
            EpcScheme::Gsrn => "gsrn",
            EpcScheme::Gsrnp => "gsrnp",
            EpcScheme::Gdti => "gdti",
            EpcScheme::Sgcn => "sgcn",
            EpcScheme::Ginc => "ginc",
            EpcScheme::Gsin => "gsin",
            EpcScheme::Cpi => "cpi",
            EpcScheme::Itip => "itip",
            EpcScheme::Upui => "upui",
            EpcScheme::Gid => "gid",
        }
    }

    /// The URN prefix, `urn:epc:id:sgtin:` or `urn:epc:class:lgtin:`.
    pub fn prefix(self) -> String {
        let space = if self == EpcScheme::Lgtin {
            "class"
        } else {
            "id"
        };
        format!("urn:epc:{space}:{}:", self.name())
    }

    /// How many dot-separated components the URN body has.
    fn component_count(self) -> usize {
        match self {
            EpcScheme::Sscc
            | EpcScheme::Pgln
            | EpcScheme::Giai
            | EpcScheme::Gsrn
            | EpcScheme::Gsrnp
            | EpcScheme::Ginc
            | EpcScheme::Gsin => 2,
            EpcScheme::Itip => 5,
            _ => 3,
        }
    }

    fn id_scheme(name: &str) -> Option<EpcScheme> {
        use EpcScheme::*;
        [
            Sgtin, Sscc, Sgln, Pgln, Grai, Giai, Gsrn, Gsrnp, Gdti, Sgcn, Ginc, Gsin, Cpi, Itip,
            Upui, Gid,
        ]
        .into_iter()
        .find(|s| s.name() == name)
    }
}

/// EPC schemes outside GS1 keys (US DoD, aerospace, container codes, IMO numbers): valid EPCs
/// with no Digital Link form, kept as written.
const NON_GS1_ID_SCHEMES: &[&str] = &["usdod", "adi", "bic", "imovn"];

/// A parsed EPC URN: the scheme and its decoded components (company prefix first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EpcUrn {
    pub scheme: EpcScheme,
    pub components: Vec<String>,
}

/// What an `urn:epc:` URI turned out to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Parsed {
    /// A GS1 key, as element strings (AI, value) in Digital Link path order.
    Elements(EpcScheme, Vec<(&'static str, String)>),
    /// A GID, validated; it has no other spelling.
    Gid,
    /// A valid EPC of another scheme, or a pattern (`urn:epc:idpat:`) that is not one product
    /// class: kept as written.
    Opaque,
}

/// The longest URN accepted (the longest EPC, a 30-character GIAI fully escaped, is far
/// shorter).
const MAX_URN_LEN: usize = 512;

/// Parses an `urn:epc:` URI (the prefix is matched without regard to case).
pub(crate) fn parse(uri: &str) -> Result<Parsed, String> {
    if uri.len() > MAX_URN_LEN {
        return Err(format!(
            "an EPC URN is at most {MAX_URN_LEN} bytes, this one has {}",
            uri.len()
        ));
    }
    let rest = &uri["urn:epc:".len()..];
    let (space, rest) = rest
        .split_once(':')
        .ok_or("an EPC URN needs a namespace (id, class, idpat) and a scheme")?;
    let (name, body) = rest
        .split_once(':')
        .ok_or_else(|| format!("urn:epc:{space}: needs a scheme name and a body"))?;
    match (space.to_ascii_lowercase().as_str(), name) {
        ("class", "lgtin") => {
            let urn = split(EpcScheme::Lgtin, body)?;
            Ok(Parsed::Elements(EpcScheme::Lgtin, urn.elements()?))
        }
        ("class", other) => Err(format!("unknown EPC class scheme {other:?}")),
        ("id", name) => {
            if NON_GS1_ID_SCHEMES.contains(&name) {
                return if body.is_empty() {
                    Err(format!("urn:epc:id:{name}: has an empty body"))
                } else {
                    Ok(Parsed::Opaque)
                };
            }
            let scheme = EpcScheme::id_scheme(name)
                .ok_or_else(|| format!("unknown EPC identifier scheme {name:?}"))?;
            let urn = split(scheme, body)?;
            if scheme == EpcScheme::Gid {
                urn.check_gid()?;
                return Ok(Parsed::Gid);
            }
            Ok(Parsed::Elements(scheme, urn.elements()?))
        }
        ("idpat", "sgtin") => product_class_pattern(body),
        ("idpat", _) => Ok(Parsed::Opaque),
        (other, _) => Err(format!("unknown EPC namespace {other:?}")),
    }
}

/// `urn:epc:idpat:sgtin:CP.IIR.*` names every instance of one GTIN, the product class EPCIS
/// 1.x used for quantities; other patterns stay patterns.
fn product_class_pattern(body: &str) -> Result<Parsed, String> {
    let parts: Vec<&str> = body.split('.').collect();
    if parts.len() == 3 && parts[2] == "*" && !parts[0].contains('*') && !parts[1].contains('*') {
        let urn = EpcUrn {
            scheme: EpcScheme::Sgtin,
            components: vec![parts[0].to_owned(), parts[1].to_owned()],
        };
        let gtin = urn.gtin()?;
        return Ok(Parsed::Elements(EpcScheme::Sgtin, vec![("01", gtin)]));
    }
    Ok(Parsed::Opaque)
}

/// Parses an EPC pure-identity URN of a GS1 key into its scheme and decoded components,
/// checking that they form a valid key (`urn:epc:id:sgtin:0614141.812345.6789` gives
/// `Sgtin` and `["0614141", "812345", "6789"]`).
pub fn parse_urn(uri: &str) -> Result<EpcUrn, String> {
    if uri.len() > MAX_URN_LEN {
        return Err(format!("an EPC URN is at most {MAX_URN_LEN} bytes"));
    }
    let body = |prefix: &str| {
        uri.get(..prefix.len())
            .filter(|p| p.eq_ignore_ascii_case(prefix))
            .map(|_| &uri[prefix.len()..])
    };
    let (scheme, rest) = if let Some(rest) = body("urn:epc:class:lgtin:") {
        (EpcScheme::Lgtin, rest)
    } else {
        let rest = body("urn:epc:id:").ok_or("not an EPC pure-identity URN (urn:epc:id:…)")?;
        let (name, rest) = rest
            .split_once(':')
            .ok_or("urn:epc:id: needs a scheme name and a body")?;
        let scheme = EpcScheme::id_scheme(name)
            .ok_or_else(|| format!("unknown EPC identifier scheme {name:?}"))?;
        (scheme, rest)
    };
    let urn = split(scheme, rest)?;
    if scheme == EpcScheme::Gid {
        urn.check_gid()?;
    } else {
        urn.elements()?;
    }
    Ok(urn)
}

/// Splits the body into its components; the last one may contain dots.
fn split(scheme: EpcScheme, body: &str) -> Result<EpcUrn, String> {
    let n = scheme.component_count();
    let parts: Vec<&str> = body.splitn(n, '.').collect();
    if parts.len() != n {
        return Err(format!(
            "{} needs {n} dot-separated parts, found {}",
            scheme.prefix(),
            parts.len()
        ));
    }
    let mut components = Vec::with_capacity(n);
    for (i, part) in parts.iter().enumerate() {
        // Numeric components and the CPI reference are written plainly; the alphanumeric
        // ones use the URN escapes.
        let decoded = if is_escaped_component(scheme, i) {
            // The CPI reference is CSET 39, whose `#` (not in CSET 82) the URN writes %23.
            let escapable = if scheme == EpcScheme::Cpi {
                Cset::Cset39
            } else {
                Cset::Cset82
            };
            decode_component(part, escapable).map_err(|e| format!("{}: {e}", scheme.prefix()))?
        } else {
            (*part).to_owned()
        };
        components.push(decoded);
    }
    Ok(EpcUrn { scheme, components })
}

fn is_escaped_component(scheme: EpcScheme, index: usize) -> bool {
    use EpcScheme::*;
    match scheme {
        Sgtin | Lgtin | Sgln | Grai | Gdti | Upui => index == 2,
        Giai | Ginc => index == 1,
        Cpi => index == 1,
        Itip => index == 4,
        _ => false,
    }
}

/// Characters of CSET 82 that an EPC URN must write as `%xx`.
const URN_ESCAPED: &[char] = &['"', '%', '&', '/', '<', '>', '?'];

/// Decodes one URN component: `%xx` escapes (which must decode to a character of CSET 82 or
/// of `escapable`); other characters must be CSET 82 and not one of those that need escaping.
fn decode_component(text: &str, escapable: Cset) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    let mut position = 0;
    while let Some((i, ch)) = chars.next() {
        position += 1;
        if ch == '%' {
            let hex = text.get(i + 1..i + 3).filter(|h| h.len() == 2);
            let decoded = hex
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .filter(|_| hex.is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit())))
                .map(char::from);
            let Some(decoded) = decoded else {
                return Err(format!(
                    "'%' at position {position} is not followed by two hex digits"
                ));
            };
            if !Cset::Cset82.contains(decoded) && !escapable.contains(decoded) {
                return Err(format!(
                    "escape %{} at position {position} stands for {decoded:?}, which is not in {escapable}",
                    hex.unwrap_or_default()
                ));
            }
            out.push(decoded);
            chars.next();
            chars.next();
            position += 2;
        } else if URN_ESCAPED.contains(&ch) {
            return Err(format!(
                "{ch:?} at position {position} must be written %{:02X} in an EPC URN",
                u32::from(ch)
            ));
        } else if Cset::Cset82.contains(ch) {
            out.push(ch);
        } else {
            return Err(format!(
                "character {ch:?} at position {position} is not in GS1 character set 82"
            ));
        }
    }
    Ok(out)
}

/// Escapes a CSET 82 value for an EPC URN component (the inverse of decoding).
pub fn escape_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for ch in value.chars() {
        if URN_ESCAPED.contains(&ch) {
            out.push_str(&format!("%{:02X}", u32::from(ch)));
        } else {
            out.push(ch);
        }
    }
    out
}

/// The GS1 Company Prefix of the EPC Tag Data Standard: 6 to 12 digits.
const GCP_LEN: std::ops::RangeInclusive<usize> = 6..=12;

impl EpcUrn {
    fn company_prefix(&self) -> Result<&str, String> {
        let cp = self.components[0].as_str();
        if !GCP_LEN.contains(&cp.len()) || !cp.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "{}: the GS1 Company Prefix must be 6 to 12 digits, found {cp:?}",
                self.scheme.prefix()
            ));
        }
        Ok(cp)
    }

    /// Component `index`, which must be `len` digits (the part of a key after the company
    /// prefix, whose length follows from the prefix's).
    fn digits(&self, index: usize, len: usize, what: &str) -> Result<&str, String> {
        let value = self.components[index].as_str();
        if value.len() != len || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "{}: the {what} must be {len} digits after a {}-digit company prefix, found {value:?}",
                self.scheme.prefix(),
                self.components[0].len()
            ));
        }
        Ok(value)
    }

    /// The check-digit key of `total` digits (check digit included) made of the company
    /// prefix and component 1, with an indicator (component 1's first digit) moved to the
    /// front when `indicator` is set.
    fn key(&self, total: usize, indicator: bool, what: &str) -> Result<String, String> {
        let cp = self.company_prefix()?;
        let rest = self.digits(1, total - 1 - cp.len(), what)?;
        let body = if indicator {
            let (ind, tail) = rest.split_at(1.min(rest.len()));
            format!("{ind}{cp}{tail}")
        } else {
            format!("{cp}{rest}")
        };
        check_digit::append(&body).map_err(|e| e.to_string())
    }

    fn gtin(&self) -> Result<String, String> {
        self.key(14, true, "indicator digit and item reference")
    }

    fn non_empty(&self, index: usize, what: &str) -> Result<&str, String> {
        let value = self.components[index].as_str();
        if value.is_empty() {
            return Err(format!("{}: the {what} is empty", self.scheme.prefix()));
        }
        Ok(value)
    }

    /// The element strings this URN stands for, in Digital Link path order.
    pub(crate) fn elements(&self) -> Result<Vec<(&'static str, String)>, String> {
        use EpcScheme::*;
        let c = &self.components;
        Ok(match self.scheme {
            Sgtin => vec![
                ("01", self.gtin()?),
                ("21", self.non_empty(2, "serial")?.to_owned()),
            ],
            Lgtin => vec![
                ("01", self.gtin()?),
                ("10", self.non_empty(2, "lot")?.to_owned()),
            ],
            Upui => vec![
                ("01", self.gtin()?),
                ("235", self.non_empty(2, "third-party serial")?.to_owned()),
            ],
            Sscc => vec![(
                "00",
                self.key(18, true, "extension digit and serial reference")?,
            )],
            Sgln => {
                let gln = self.key(13, false, "location reference")?;
                let ext = self.non_empty(2, "extension")?;
                let mut v = vec![("414", gln)];
                // Extension "0" is how the URN says "no extension".
                if ext != "0" {
                    v.push(("254", ext.to_owned()));
                }
                v
            }
            Pgln => vec![("417", self.key(13, false, "party reference")?)],
            Grai => {
                let key = self.key(13, false, "asset type")?;
                let serial = self.non_empty(2, "serial")?;
                vec![("8003", format!("0{key}{serial}"))]
            }
            Giai => {
                let cp = self.company_prefix()?;
                let reference = self.non_empty(1, "individual asset reference")?;
                vec![("8004", format!("{cp}{reference}"))]
            }
            Gsrn => vec![("8018", self.key(18, false, "service reference")?)],
            Gsrnp => vec![("8017", self.key(18, false, "service reference")?)],
            Gdti => {
                let key = self.key(13, false, "document type")?;
                let serial = self.non_empty(2, "serial")?;
                vec![("253", format!("{key}{serial}"))]
            }
            Sgcn => {
                let key = self.key(13, false, "coupon reference")?;
                let serial = self.non_empty(2, "serial")?;
                if !serial.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(format!(
                        "urn:epc:id:sgcn: the serial must be digits, found {serial:?}"
                    ));
                }
                vec![("255", format!("{key}{serial}"))]
            }
            Ginc => {
                let cp = self.company_prefix()?;
                let reference = self.non_empty(1, "consignment reference")?;
                vec![("401", format!("{cp}{reference}"))]
            }
            Gsin => vec![("402", self.key(17, false, "shipper reference")?)],
            Cpi => {
                let cp = self.company_prefix()?;
                let reference = self.non_empty(1, "component/part reference")?;
                let serial = self.non_empty(2, "serial")?;
                vec![
                    ("8010", format!("{cp}{reference}")),
                    ("8011", serial.to_owned()),
                ]
            }
            Itip => {
                let gtin = self.gtin()?;
                let piece = self.digits(2, 2, "piece number")?;
                let total = self.digits(3, 2, "total number of pieces")?;
                vec![
                    ("8006", format!("{gtin}{piece}{total}")),
                    ("21", self.non_empty(4, "serial")?.to_owned()),
                ]
            }
            Gid => return Err(format!("{} has no GS1 element strings", c[0])),
        })
    }

    /// A GID is three decimal numbers without leading zeros, within the GID-96 field sizes.
    fn check_gid(&self) -> Result<(), String> {
        let limits: [(&str, u64); 3] = [
            ("general manager number", (1 << 28) - 1),
            ("object class", (1 << 24) - 1),
            ("serial number", (1 << 36) - 1),
        ];
        for (value, (what, max)) in self.components.iter().zip(limits) {
            let ok = !value.is_empty()
                && value.bytes().all(|b| b.is_ascii_digit())
                && (value == "0" || !value.starts_with('0'))
                && value.parse::<u64>().is_ok_and(|n| n <= max);
            if !ok {
                return Err(format!(
                    "urn:epc:id:gid: the {what} must be a decimal number from 0 to {max} without leading zeros, found {value:?}"
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn elements(uri: &str) -> Vec<(&'static str, String)> {
        match parse(uri).unwrap() {
            Parsed::Elements(_, e) => e,
            other => panic!("{uri}: {other:?}"),
        }
    }

    #[test]
    fn sgtin_moves_the_indicator_digit_to_the_front() {
        assert_eq!(
            elements("urn:epc:id:sgtin:0614141.812345.6789"),
            vec![
                ("01", "80614141123458".to_owned()),
                ("21", "6789".to_owned())
            ]
        );
    }

    #[test]
    fn escapes_decode_and_literal_specials_are_refused() {
        assert_eq!(
            elements("urn:epc:id:sgtin:0614141.107346.A%2FB%25%22")[1].1,
            "A/B%\""
        );
        assert_eq!(elements("urn:epc:id:sgtin:0614141.107346.a.b")[1].1, "a.b");
        let err = parse("urn:epc:id:sgtin:0614141.107346.A/B").unwrap_err();
        assert!(err.contains("must be written %2F"), "{err}");
        let err = parse("urn:epc:id:sgtin:0614141.107346.A%2").unwrap_err();
        assert!(err.contains("two hex digits"), "{err}");
        let err = parse("urn:epc:id:sgtin:0614141.107346.A%20").unwrap_err();
        assert!(err.contains("not in GS1 character set 82"), "{err}");
        let err = parse("urn:epc:id:sgtin:0614141.107346.A é").unwrap_err();
        assert!(err.contains("not in GS1 character set 82"), "{err}");
    }

    #[test]
    fn escape_round_trips() {
        let v = "A/B%\"&<>?!'()*+,-.:;=_";
        assert_eq!(
            decode_component(&escape_component(v), Cset::Cset82).unwrap(),
            v
        );
    }

    #[test]
    fn a_cpi_reference_may_hold_an_escaped_hash() {
        // CSET 39's `#` is not CSET 82; the URN writes it %23 (found by the round-trip
        // property tests).
        assert_eq!(
            elements("urn:epc:id:cpi:0614141.5PQ7%2FZ43%23.12345"),
            vec![
                ("8010", "06141415PQ7/Z43#".to_owned()),
                ("8011", "12345".to_owned())
            ]
        );
        let err = parse("urn:epc:id:sgtin:0614141.107346.A%23").unwrap_err();
        assert!(err.contains("not in GS1 character set 82"), "{err}");
    }

    #[test]
    fn company_prefix_and_field_lengths_are_checked() {
        let err = parse("urn:epc:id:sgtin:06141.41812345.6789").unwrap_err();
        assert!(err.contains("6 to 12 digits"), "{err}");
        let err = parse("urn:epc:id:sgtin:0614141.81234.6789").unwrap_err();
        assert!(err.contains("must be 6 digits"), "{err}");
        let err = parse("urn:epc:id:sgtin:0614141.812345").unwrap_err();
        assert!(err.contains("3 dot-separated parts"), "{err}");
        let err = parse("urn:epc:id:sgtin:0614141.812345.").unwrap_err();
        assert!(err.contains("serial is empty"), "{err}");
    }

    #[test]
    fn other_epc_schemes() {
        assert_eq!(parse("urn:epc:id:gid:95100000.12345.400"), Ok(Parsed::Gid));
        assert!(parse("urn:epc:id:gid:95100000.012345.400").is_err());
        assert_eq!(
            parse("urn:epc:id:usdod:2S194.12345678901"),
            Ok(Parsed::Opaque)
        );
        assert!(parse("urn:epc:id:nosuch:1.2").is_err());
        assert!(parse("urn:epc:class:nosuch:1.2").is_err());
        assert!(parse("urn:epc:id").is_err());
        assert_eq!(parse("urn:epc:idpat:sgtin:0614141.*.*"), Ok(Parsed::Opaque));
        assert_eq!(
            elements("urn:epc:idpat:sgtin:4012345.098765.*"),
            vec![("01", "04012345987652".to_owned())]
        );
    }
}
