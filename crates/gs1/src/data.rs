//! The entry point for anything a person or scanner gives us: bracketed AI data, raw element
//! strings, scanner output with a symbology identifier, plain EAN/UPC digits and GS1 Digital
//! Link URIs; and what lotrace needs out of it.

use crate::associations;
use crate::check_digit;
use crate::digital_link::{self, DigitalLink};
use crate::element::Element;
use crate::element_string::{self, ElementList, GS};
use crate::error::{ErrorKind, ParseError};
use crate::identifier::{self, CANONICAL_ORIGIN, Identifier};
use crate::options::{MAX_INPUT_LEN, Options};
use crate::scan::{self, Carries, Symbology};

/// The form the input came in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputForm {
    /// `(01)…(10)…`
    Bracketed,
    /// An element string with GS separators (optionally led by GS for FNC1).
    ElementString,
    /// EAN/UPC/ITF digits: a GTIN of 8, 12, 13 or 14 digits.
    Gtin,
    /// A GS1 Digital Link URI.
    DigitalLink,
    /// Scanner output with this symbology identifier.
    Scan(Symbology),
}

/// Parsed GS1 data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gs1Data {
    pub form: InputForm,
    /// The AIs in the order read (for a Digital Link: the path, then the query).
    pub elements: Vec<Element>,
    /// Index of the first element of a composite component, if there was one.
    pub composite_start: Option<usize>,
    /// For a Digital Link: how it was split into path and query.
    pub link: Option<DigitalLink>,
    /// For a plain (non-GS1) symbol: its text. `elements` is empty then.
    pub plain_text: Option<String>,
}

impl Gs1Data {
    fn from_list(form: InputForm, list: ElementList) -> Gs1Data {
        Gs1Data {
            form,
            elements: list.elements,
            composite_start: list.composite_start,
            link: None,
            plain_text: None,
        }
    }

    /// The value of the first element with this AI.
    pub fn get(&self, ai: &str) -> Option<&str> {
        self.elements
            .iter()
            .find(|e| e.ai == ai)
            .map(|e| e.value.as_str())
    }

    /// The human-readable interpretation, one line per AI: `(01) 09521141012345`.
    pub fn hri(&self) -> Vec<String> {
        self.elements
            .iter()
            .map(|e| format!("({}) {}", e.ai, e.value))
            .collect()
    }

    /// The human-readable interpretation with each AI's title: `GTIN (01) 09521141012345`.
    pub fn hri_with_titles(&self) -> Vec<String> {
        self.elements
            .iter()
            .map(|e| {
                if e.title().is_empty() {
                    format!("({}) {}", e.ai, e.value)
                } else {
                    format!("{} ({}) {}", e.title(), e.ai, e.value)
                }
            })
            .collect()
    }

    /// The bracketed text: `(01)09521141012345(10)ABC` (with `|` before a composite
    /// component).
    pub fn bracketed(&self) -> String {
        element_string::to_bracketed_with_composite(&self.elements, self.composite_start)
    }

    /// The element string as a barcode carries it, with GS (ASCII 29) where FNC1 separates
    /// a variable-length value from the next AI; no leading FNC1.
    pub fn element_string(&self) -> String {
        element_string::to_element_string(&self.elements, &GS.to_string())
    }

    /// The element string in the GS1 Syntax Engine's notation: `fnc1` first and as each
    /// separator, and `|` before a composite component.
    pub fn element_string_with(&self, fnc1: &str) -> String {
        let (linear, composite) = self
            .elements
            .split_at(self.composite_start.unwrap_or(self.elements.len()));
        let mut out = format!("{fnc1}{}", element_string::to_element_string(linear, fnc1));
        if !composite.is_empty() {
            out.push('|');
            out.push_str(fnc1);
            out.push_str(&element_string::to_element_string(composite, fnc1));
        }
        out
    }

    /// The Digital Link URI under `stem` (e.g. `https://example.com`): a URI read as a
    /// Digital Link keeps its path and query; other data puts its first primary key and that
    /// key's qualifiers in the path and every other AI in the query.
    pub fn digital_link(&self, stem: &str, options: &Options) -> Result<String, ParseError> {
        if let Some(link) = &self.link {
            return Ok(digital_link::build(stem, &link.path, &link.attributes));
        }
        let (path, attributes) = digital_link::split_for_link(&self.elements, options)?;
        Ok(digital_link::build(stem, &path, &attributes))
    }

    /// The Digital Link URI on `https://id.gs1.org`.
    pub fn canonical_digital_link(&self) -> Result<String, ParseError> {
        self.digital_link(CANONICAL_ORIGIN, &Options::default())
    }

    /// The identifiers the data names, in the canonical form of [`crate::canonicalize`]:
    /// for a trade item its serial (SGTIN), its lot (LGTIN) and its third-party serial
    /// (UPUI) or, with none of them, its GTIN; a
    /// lot of the contents of a logistic unit ((02) with (10)); and every other GS1 key
    /// with the qualifiers present.
    pub fn identifiers(&self) -> Vec<Identifier> {
        let mut out: Vec<Identifier> = Vec::new();
        let mut add = |elements: Vec<(&'static str, String)>| {
            if let Ok(id) = identifier::from_elements(&elements)
                && !out.contains(&id)
            {
                out.push(id);
            }
        };
        let value = |ai: &str| self.get(ai).map(str::to_owned);
        for e in &self.elements {
            let Some(def) = e.def.filter(|d| d.dl_qualifiers.is_some()) else {
                continue;
            };
            let key = (def.ai, e.value.clone());
            match def.ai {
                "01" | "8006" => {
                    let serial = value("21");
                    let lot = value("10");
                    let tpx = value("235").filter(|_| def.ai == "01");
                    if let Some(s) = &serial {
                        add(vec![key.clone(), ("21", s.clone())]);
                    }
                    if let Some(l) = &lot {
                        add(vec![key.clone(), ("10", l.clone())]);
                    }
                    if let Some(t) = &tpx {
                        add(vec![key.clone(), ("235", t.clone())]);
                    }
                    // A third-party serial (UPUI) names one pack as a serial does: the GTIN
                    // alone is not what the data identifies.
                    if serial.is_none() && lot.is_none() && tpx.is_none() {
                        add(vec![key]);
                    }
                }
                _ => {
                    let mut elements = vec![key];
                    let qualifiers: Vec<&'static str> = def
                        .qualifier_sequences()
                        .find(|seq| seq.iter().any(|q| self.get(q).is_some()))
                        .unwrap_or_default();
                    for q in qualifiers {
                        if let Some(v) = value(q) {
                            elements.push((q, v));
                        }
                    }
                    add(elements);
                }
            }
        }
        if self.get("01").is_none()
            && let (Some(content), Some(lot)) = (value("02"), value("10"))
        {
            add(vec![("01", content), ("10", lot)]);
        }
        out
    }
}

/// Parses any supported form with full validation.
pub fn parse(input: &str) -> Result<Gs1Data, ParseError> {
    parse_with(input, &Options::default())
}

/// Parses any supported form: scanner output (`]…`), bracketed data (`(…`), a Digital Link
/// URI, an element string (led by GS, or starting with an AI), or a GTIN's digits.
pub fn parse_with(input: &str, options: &Options) -> Result<Gs1Data, ParseError> {
    if input.is_empty() {
        return Err(ParseError::new(ErrorKind::NoData, "no data"));
    }
    if input.len() > MAX_INPUT_LEN {
        return Err(ParseError::new(
            ErrorKind::InputTooLong,
            format!(
                "the input has {} bytes; at most {MAX_INPUT_LEN} are accepted",
                input.len()
            ),
        ));
    }
    let data = if input.starts_with(']') {
        parse_scan(input, options)?
    } else if input.starts_with('(') {
        Gs1Data::from_list(
            InputForm::Bracketed,
            element_string::parse_bracketed(input, options)?,
        )
    } else if digital_link::looks_like_digital_link(input) {
        from_digital_link(input, options)?
    } else if let Some(rest) = input.strip_prefix(GS) {
        Gs1Data::from_list(
            InputForm::ElementString,
            element_string::parse_element_string(rest, options)?,
        )
    } else if is_gtin_digits(input) {
        gtin_data(input)?
    } else if input.starts_with(|c: char| c.is_ascii_digit()) {
        Gs1Data::from_list(
            InputForm::ElementString,
            element_string::parse_element_string(input, options)?,
        )
    } else {
        return Err(ParseError::new(
            ErrorKind::NotGs1Data,
            "not GS1 data: expected scanner output (]C1 …), bracketed AIs ((01)…), an element string, a GTIN or a Digital Link URI",
        ));
    };
    associations::check(&data.elements, options)?;
    Ok(data)
}

fn is_gtin_digits(input: &str) -> bool {
    matches!(input.len(), 8 | 12 | 13 | 14) && input.bytes().all(|b| b.is_ascii_digit())
}

/// A GTIN typed or scanned without symbology identifier (EAN-8, UPC-A, EAN-13, ITF-14).
fn gtin_data(digits: &str) -> Result<Gs1Data, ParseError> {
    if let Err(e) = check_digit::verify(digits) {
        return Err(ParseError::for_ai(
            ErrorKind::InvalidValue,
            "01",
            format!("GTIN {digits}: {e}"),
        ));
    }
    let element = Element::new("01", format!("{digits:0>14}"));
    Ok(Gs1Data {
        form: InputForm::Gtin,
        elements: vec![element],
        composite_start: None,
        link: None,
        plain_text: None,
    })
}

fn from_digital_link(uri: &str, options: &Options) -> Result<Gs1Data, ParseError> {
    let link = digital_link::parse_digital_link(uri, options)?;
    let elements = link.path.iter().chain(&link.attributes).cloned().collect();
    Ok(Gs1Data {
        form: InputForm::DigitalLink,
        elements,
        composite_start: None,
        link: Some(link),
        plain_text: None,
    })
}

/// Scanner output. Two symbols read together (an EAN/UPC with its composite component) may
/// be joined with `|`, each with its own identifier.
fn parse_scan(input: &str, options: &Options) -> Result<Gs1Data, ParseError> {
    if let Some((linear, composite)) = input.split_once("|]") {
        let mut first = parse_scan(linear, options)?;
        let second = parse_scan(&format!("]{composite}"), options)?;
        first.composite_start = Some(first.elements.len());
        first.elements.extend(second.elements);
        return Ok(first);
    }
    let (symbology, data) = scan::split_identifier(input)?;
    let form = InputForm::Scan(symbology);
    match symbology.carries() {
        Carries::Gs1Data => {
            if data.contains('^') {
                return Err(ParseError::new(
                    ErrorKind::CaretInData,
                    "'^' is not allowed in GS1 data (it is outside CSET 82)",
                ));
            }
            let list = element_string::parse_element_string(data, options)?;
            Ok(Gs1Data::from_list(form, list))
        }
        Carries::Gtin(len) => {
            let gtin = scan::gtin_from_ean(data, len)?;
            Ok(Gs1Data {
                form,
                elements: vec![Element::new("01", gtin)],
                composite_start: None,
                link: None,
                plain_text: None,
            })
        }
        Carries::Plain => {
            if digital_link::looks_like_digital_link(data) {
                let mut out = from_digital_link(data, options)?;
                out.form = form;
                return Ok(out);
            }
            Ok(Gs1Data {
                form,
                elements: Vec::new(),
                composite_start: None,
                link: None,
                plain_text: Some(data.to_owned()),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_input_form_gives_the_same_data() {
        let expected = "(01)09520123456788(10)ABC123(17)251231";
        for input in [
            "(01)09520123456788(10)ABC123(17)251231",
            "010952012345678810ABC123\u{1d}17251231",
            "\u{1d}010952012345678810ABC123\u{1d}17251231",
            "]d2010952012345678810ABC123\u{1d}17251231",
            "]C1010952012345678810ABC123\u{1d}17251231",
            "https://id.gs1.org/01/09520123456788/10/ABC123?17=251231",
            "]Q1https://example.com/01/09520123456788/10/ABC123?17=251231",
        ] {
            let data = parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
            assert_eq!(data.bracketed(), expected, "{input:?}");
        }
    }

    #[test]
    fn outputs() {
        let data = parse("(01)09520123456788(17)251231(10)ABC/1").unwrap();
        assert_eq!(
            data.hri(),
            vec!["(01) 09520123456788", "(17) 251231", "(10) ABC/1"]
        );
        assert_eq!(data.hri_with_titles()[2], "BATCH/LOT (10) ABC/1");
        assert_eq!(data.element_string(), "01095201234567881725123110ABC/1");
        assert_eq!(
            data.canonical_digital_link().unwrap(),
            "https://id.gs1.org/01/09520123456788/10/ABC%2F1?17=251231"
        );
        let ids: Vec<String> = data
            .identifiers()
            .into_iter()
            .map(|i| i.canonical)
            .collect();
        assert_eq!(ids, vec!["https://id.gs1.org/01/09520123456788/10/ABC%2F1"]);
    }

    #[test]
    fn identifiers_of_a_logistic_label() {
        let data = parse("(00)952012345678912345(02)09520123456788(37)25(10)ABC123").unwrap();
        let ids: Vec<String> = data
            .identifiers()
            .into_iter()
            .map(|i| i.canonical)
            .collect();
        assert_eq!(
            ids,
            vec![
                "https://id.gs1.org/00/952012345678912345",
                "https://id.gs1.org/01/09520123456788/10/ABC123",
            ]
        );
        let data = parse("(01)09520123456788(10)L1(21)S1").unwrap();
        let ids: Vec<String> = data
            .identifiers()
            .into_iter()
            .map(|i| i.canonical)
            .collect();
        assert_eq!(
            ids,
            vec![
                "https://id.gs1.org/01/09520123456788/21/S1",
                "https://id.gs1.org/01/09520123456788/10/L1",
            ]
        );
    }

    #[test]
    fn plain_gtins_and_eans() {
        assert_eq!(
            parse("4006381333931").unwrap().get("01"),
            Some("04006381333931")
        );
        assert_eq!(
            parse("]E04006381333931").unwrap().get("01"),
            Some("04006381333931")
        );
        assert!(parse("4006381333932").is_err());
        let plain = parse("]Q1hello").unwrap();
        assert_eq!(plain.plain_text.as_deref(), Some("hello"));
        assert!(plain.elements.is_empty());
    }

    #[test]
    fn full_validation_by_default() {
        assert_eq!(parse("(10)ABC").unwrap_err().code(), "REQUIRED_AI_MISSING");
        assert!(parse_with("(10)ABC", &Options::syntax_only()).is_ok());
        assert_eq!(parse("hello").unwrap_err().code(), "NOT_GS1_DATA");
        assert_eq!(parse("").unwrap_err().code(), "NO_DATA");
    }
}
