//! Reading AI element strings: the bracketed human-readable form `(01)…(10)…` and the raw
//! form a barcode carries, where FNC1 (transmitted as GS, ASCII 29) ends a variable-length
//! value.
//!
//! Both readers check each value's syntax (format, check digits, dates) as they go; rules
//! between AIs are checked by [`crate::associations`].

use crate::ai;
use crate::element::Element;
use crate::error::{ErrorKind, ParseError};
use crate::options::{MAX_AIS, Options};

/// The group separator a scanner sends for FNC1.
pub const GS: char = '\u{1d}';

/// Elements as read, and where a 2D composite component starts (if the input had one).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ElementList {
    pub elements: Vec<Element>,
    /// Index of the first element of the composite component (after `|`).
    pub composite_start: Option<usize>,
}

impl ElementList {
    fn push(&mut self, element: Element) -> Result<(), ParseError> {
        if self.elements.len() >= MAX_AIS {
            return Err(ParseError::new(
                ErrorKind::TooManyAis,
                format!("more than {MAX_AIS} AIs in one input"),
            ));
        }
        self.elements.push(element);
        Ok(())
    }
}

fn check_caret(text: &str) -> Result<(), ParseError> {
    if text.contains('^') {
        return Err(ParseError::new(
            ErrorKind::CaretInData,
            "'^' is not allowed in GS1 data (it is outside CSET 82, and often stands for FNC1)",
        ));
    }
    Ok(())
}

/// A known AI, or (when permitted) an unknown one.
fn element_for(ai: &str, value: String, options: &Options) -> Result<Element, ParseError> {
    let element = Element::new(ai, value);
    if element.def.is_none() && !options.permit_unknown_ais {
        return Err(ParseError::for_ai(
            ErrorKind::UnknownAi,
            ai,
            format!("AI ({ai}) is not a known GS1 Application Identifier"),
        ));
    }
    element.validate()?;
    Ok(element)
}

/// Reads the bracketed form, e.g. `(01)09521141012345(10)ABC123`. A literal `(` inside a
/// value is written `\(`; `|` before a `(` starts the composite component.
pub fn parse_bracketed(text: &str, options: &Options) -> Result<ElementList, ParseError> {
    check_caret(text)?;
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return Err(ParseError::new(ErrorKind::NoData, "no data"));
    }
    if chars[0] != '(' {
        return Err(ParseError::new(
            ErrorKind::AiMalformed,
            "bracketed data must start with an AI in brackets, such as (01)",
        ));
    }
    let mut out = ElementList::default();
    let mut pos = 0;
    while pos < chars.len() {
        if chars[pos] == '|' && out.composite_start.is_none() && !out.elements.is_empty() {
            out.composite_start = Some(out.elements.len());
            pos += 1;
            continue;
        }
        // chars[pos] is '(' here: the loop below stops only at '(' or '|'.
        let Some(close) = chars[pos..].iter().position(|&c| c == ')') else {
            return Err(ParseError::new(
                ErrorKind::AiMalformed,
                "an AI in brackets is not closed with ')'",
            ));
        };
        let ai: String = chars[pos + 1..pos + close].iter().collect();
        if !(2..=4).contains(&ai.len()) || !ai.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseError::new(
                ErrorKind::AiMalformed,
                format!("({ai}) is not an AI: an AI is 2 to 4 digits"),
            ));
        }
        pos += close + 1;
        let mut value = String::new();
        while pos < chars.len() {
            match chars[pos] {
                '\\' if chars.get(pos + 1) == Some(&'(') => {
                    value.push('(');
                    pos += 2;
                }
                '(' => break,
                '|' if chars.get(pos + 1) == Some(&'(') => break,
                c => {
                    value.push(c);
                    pos += 1;
                }
            }
        }
        out.push(element_for(&ai, value, options)?)?;
    }
    Ok(out)
}

/// Reads a raw element string (the data after FNC1 in first position). `GS` separates a
/// variable-length value from the next AI; a superfluous `GS` is tolerated. `|` starts the
/// composite component (the notation of the GS1 Syntax Engine, for two-part symbols).
pub fn parse_element_string(data: &str, options: &Options) -> Result<ElementList, ParseError> {
    let chars: Vec<char> = data.chars().collect();
    let mut out = ElementList::default();
    let mut pos = 0;
    loop {
        while pos < chars.len() && chars[pos] == GS {
            pos += 1;
        }
        if pos >= chars.len() {
            break;
        }
        if chars[pos] == '|' && out.composite_start.is_none() && !out.elements.is_empty() {
            out.composite_start = Some(out.elements.len());
            pos += 1;
            continue;
        }
        let (ai, def) = read_ai(&chars, pos, options)?;
        pos += ai.len();
        // The value runs to the next separator, or, for a predefined-length AI, for its
        // length (no separator needed after it).
        let limit = match def {
            Some(d) if d.fixed_length => d.length_bounds().1,
            _ => usize::MAX,
        };
        let start = pos;
        while pos < chars.len() && chars[pos] != GS && chars[pos] != '|' && pos - start < limit {
            pos += 1;
        }
        let value: String = chars[start..pos].iter().collect();
        out.push(element_for(&ai, value, options)?)?;
    }
    if out.elements.is_empty() {
        return Err(ParseError::new(
            ErrorKind::NoAiData,
            "GS1 data with no AI in it",
        ));
    }
    Ok(out)
}

/// The AI starting at `pos`: the table's AIs never prefix one another, so at most one of the
/// 2-, 3- and 4-digit readings is known. An unknown AI (when permitted) takes the length of
/// the known AIs that share its first two digits.
fn read_ai(
    chars: &[char],
    pos: usize,
    options: &Options,
) -> Result<(String, Option<&'static ai::AiDef>), ParseError> {
    let digits: String = chars[pos..]
        .iter()
        .take(4)
        .take_while(|c| c.is_ascii_digit())
        .collect();
    for len in 2..=digits.len() {
        if let Some(def) = ai::lookup(&digits[..len]) {
            return Ok((digits[..len].to_owned(), Some(def)));
        }
    }
    if options.permit_unknown_ais
        && digits.len() >= 2
        && let Some(len) = ai::ai_length_by_prefix(&digits[..2]).filter(|&l| l <= digits.len())
    {
        return Ok((digits[..len].to_owned(), None));
    }
    let shown: String = chars[pos..].iter().take(4).collect();
    Err(ParseError::new(
        ErrorKind::UnknownAi,
        format!("no known AI starts the data {shown:?}"),
    ))
}

/// A bracketed rendering of elements: `(01)09521141012345(10)ABC`, with `(` in values
/// written `\(`.
pub fn to_bracketed(elements: &[Element]) -> String {
    let mut out = String::new();
    append_bracketed(&mut out, elements);
    out
}

/// As [`to_bracketed`], with `|` before the composite component's first element.
pub fn to_bracketed_with_composite(elements: &[Element], composite_start: Option<usize>) -> String {
    let split = composite_start
        .unwrap_or(elements.len())
        .min(elements.len());
    let mut out = String::new();
    append_bracketed(&mut out, &elements[..split]);
    if split < elements.len() {
        out.push('|');
        append_bracketed(&mut out, &elements[split..]);
    }
    out
}

fn append_bracketed(out: &mut String, elements: &[Element]) {
    for e in elements {
        out.push('(');
        out.push_str(&e.ai);
        out.push(')');
        out.push_str(&e.value.replace('(', "\\("));
    }
}

/// The element string as a barcode carries it (without the leading FNC1): a separator after
/// each value that does not have a predefined length, unless it is the last.
pub fn to_element_string(elements: &[Element], separator: &str) -> String {
    let mut out = String::new();
    for (i, e) in elements.iter().enumerate() {
        out.push_str(&e.ai);
        out.push_str(&e.value);
        if e.needs_separator() && i + 1 < elements.len() {
            out.push_str(separator);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ais(list: &ElementList) -> Vec<(&str, &str)> {
        list.elements
            .iter()
            .map(|e| (e.ai.as_str(), e.value.as_str()))
            .collect()
    }

    #[test]
    fn bracketed_reads_ais_and_escapes() {
        let list = parse_bracketed("(01)09521141012345(10)AB\\(C", &Options::default()).unwrap();
        assert_eq!(ais(&list), vec![("01", "09521141012345"), ("10", "AB(C")]);
        assert_eq!(to_bracketed(&list.elements), "(01)09521141012345(10)AB\\(C");
    }

    #[test]
    fn bracketed_errors() {
        let o = Options::default();
        for (input, code) in [
            ("12345", "AI_MALFORMED"),
            ("(1A)1", "AI_MALFORMED"),
            ("(15", "AI_MALFORMED"),
            ("(12345)1", "AI_MALFORMED"),
            ("(89)1", "UNKNOWN_AI"),
            ("(10)12345(11)", "EMPTY_VALUE"),
            ("(10)12^", "CARET_IN_DATA"),
            ("(17)9(90)217", "VALUE_TOO_SHORT"),
        ] {
            assert_eq!(
                parse_bracketed(input, &o).unwrap_err().code(),
                code,
                "{input}"
            );
        }
    }

    #[test]
    fn raw_uses_predefined_lengths_and_separators() {
        let o = Options::default();
        let data = format!("0109521141012345{GS}10ABC{GS}17251231");
        let list = parse_element_string(&data, &o).unwrap();
        assert_eq!(
            ais(&list),
            vec![("01", "09521141012345"), ("10", "ABC"), ("17", "251231")]
        );
        // No separator is needed after a predefined-length AI; one after the last value is
        // a separator too many, but harmless.
        assert_eq!(
            to_element_string(&list.elements, "\u{1d}"),
            format!("010952114101234510ABC{GS}17251231")
        );
        assert!(parse_element_string("0109521141012345\u{1d}", &o).is_ok());
        assert_eq!(
            parse_element_string("", &o).unwrap_err().code(),
            "NO_AI_DATA"
        );
        assert_eq!(
            parse_element_string("011234567890123", &o)
                .unwrap_err()
                .code(),
            "VALUE_TOO_SHORT"
        );
        assert_eq!(
            parse_element_string("891234", &o).unwrap_err().code(),
            "UNKNOWN_AI"
        );
    }

    #[test]
    fn unknown_ais_take_their_prefix_length() {
        let o = Options {
            permit_unknown_ais: true,
            ..Options::default()
        };
        let list = parse_element_string("236ABC123", &o).unwrap();
        assert_eq!(ais(&list), vec![("236", "ABC123")]);
        assert!(list.elements[0].def.is_none());
        assert_eq!(
            parse_element_string("891234", &o).unwrap_err().code(),
            "UNKNOWN_AI"
        );
    }

    #[test]
    fn too_many_ais() {
        let many: String = (0..65).map(|i| format!("(99)A{i}")).collect();
        assert_eq!(
            parse_bracketed(&many, &Options::default())
                .unwrap_err()
                .code(),
            "TOO_MANY_AIS"
        );
    }
}
