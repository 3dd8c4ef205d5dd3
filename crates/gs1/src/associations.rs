//! The rules between AIs in one message: an AI repeated with another value, mutually
//! exclusive AIs (`ex=`), AIs an AI requires (`req=`), and the key a digital signature
//! (8030) needs.

use crate::element::Element;
use crate::error::{ErrorKind, ParseError};
use crate::options::Options;

/// Whether `ai` matches `pattern`: the same length, with `n` in the pattern matching any
/// digit (`31nn`, `394n`).
fn matches(pattern: &str, ai: &str) -> bool {
    pattern.len() == ai.len()
        && pattern
            .bytes()
            .zip(ai.bytes())
            .all(|(p, a)| p == a || (p == b'n' && a.is_ascii_digit()))
}

fn present(elements: &[Element], pattern: &str) -> bool {
    elements.iter().any(|e| matches(pattern, &e.ai))
}

/// Checks the rules `options` asks for.
pub fn check(elements: &[Element], options: &Options) -> Result<(), ParseError> {
    if options.validate_associations {
        check_repeats(elements)?;
        check_exclusions(elements)?;
    }
    if options.validate_requisites {
        check_requisites(elements)?;
    }
    if options.validate_associations {
        check_digital_signature(elements)?;
    }
    Ok(())
}

/// An AI may repeat only with the same value.
pub fn check_repeats(elements: &[Element]) -> Result<(), ParseError> {
    for (i, a) in elements.iter().enumerate() {
        if let Some(b) = elements[i + 1..]
            .iter()
            .find(|b| b.ai == a.ai && b.value != a.value)
        {
            return Err(ParseError::for_ai(
                ErrorKind::RepeatedAiDifferentValue,
                &a.ai,
                format!(
                    "AI ({}) appears twice with different values: {:?} and {:?}",
                    a.ai, a.value, b.value
                ),
            ));
        }
    }
    Ok(())
}

/// No AI may appear with one it excludes. An AI does not exclude itself even when it matches
/// its own pattern (3103 with `ex=310n`).
pub fn check_exclusions(elements: &[Element]) -> Result<(), ParseError> {
    for a in elements {
        let Some(excludes) = a.def.and_then(|d| d.excludes) else {
            continue;
        };
        for pattern in excludes.split(',') {
            if let Some(b) = elements
                .iter()
                .find(|b| b.ai != a.ai && matches(pattern, &b.ai))
            {
                return Err(ParseError::for_ai(
                    ErrorKind::InvalidAiPair,
                    &a.ai,
                    format!(
                        "AI ({}) {} must not appear with AI ({}) {}",
                        a.ai,
                        a.title(),
                        b.ai,
                        b.title()
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Every requirement of every AI is met: one of its alternatives (AIs joined with `+`, all
/// needed) is present.
pub fn check_requisites(elements: &[Element]) -> Result<(), ParseError> {
    for a in elements {
        let Some(def) = a.def else {
            continue;
        };
        for rule in def.requires.iter().flatten() {
            let met = rule
                .split(',')
                .any(|alt| alt.split('+').all(|p| present(elements, p)));
            if !met {
                let wanted: Vec<String> = rule
                    .split(',')
                    .map(|alt| {
                        alt.split('+')
                            .map(|p| format!("({p})"))
                            .collect::<Vec<_>>()
                            .join(" with ")
                    })
                    .collect();
                return Err(ParseError::for_ai(
                    ErrorKind::RequiredAiMissing,
                    &a.ai,
                    format!("AI ({}) {} requires {}", a.ai, a.title(), one_of(&wanted)),
                ));
            }
        }
    }
    Ok(())
}

fn one_of(items: &[String]) -> String {
    match items {
        [one] => one.clone(),
        _ => format!("one of {}", items.join(", ")),
    }
}

/// A digital signature (8030) signs one serialised item: with a GDTI (253), GCN (255) or
/// GRAI (8003), the key must carry its serial component.
pub fn check_digital_signature(elements: &[Element]) -> Result<(), ParseError> {
    if !present(elements, "8030") {
        return Ok(());
    }
    // The length of each key without its optional serial component.
    for (ai, key_len) in [("253", 13), ("255", 13), ("8003", 14)] {
        if let Some(e) = elements.iter().find(|e| e.ai == ai)
            && e.value.chars().count() <= key_len
        {
            return Err(ParseError::for_ai(
                ErrorKind::DigsigRequiresSerialisedKey,
                ai,
                format!(
                    "a digital signature (8030) needs a serialised key, but AI ({ai}) {} has no serial component",
                    e.title()
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn elements(list: &[(&str, &str)]) -> Vec<Element> {
        list.iter().map(|(a, v)| Element::new(a, *v)).collect()
    }

    fn code(list: &[(&str, &str)]) -> Option<&'static str> {
        check(&elements(list), &Options::default())
            .err()
            .map(|e| e.kind.code())
    }

    #[test]
    fn patterns() {
        assert!(matches("31nn", "3103"));
        assert!(matches("394n", "3941"));
        assert!(!matches("394n", "394"));
        assert!(!matches("01", "010"));
    }

    #[test]
    fn lot_needs_a_trade_item() {
        assert_eq!(code(&[("10", "ABC")]), Some("REQUIRED_AI_MISSING"));
        assert_eq!(code(&[("01", "09521141012345"), ("10", "ABC")]), None);
        assert_eq!(
            code(&[("02", "09521141012345"), ("10", "ABC")]),
            Some("REQUIRED_AI_MISSING")
        );
        let err = check(&elements(&[("10", "ABC")]), &Options::default()).unwrap_err();
        assert!(
            err.message
                .starts_with("AI (10) BATCH/LOT requires one of (01), (02)"),
            "{err}"
        );
    }

    #[test]
    fn exclusions_and_repeats() {
        assert_eq!(
            code(&[("01", "09521141012345"), ("02", "09521141012345")]),
            Some("INVALID_AI_PAIR")
        );
        assert_eq!(
            code(&[
                ("01", "09521141012345"),
                ("3103", "000123"),
                ("3103", "000123")
            ]),
            None
        );
        assert_eq!(
            code(&[
                ("01", "09521141012345"),
                ("3103", "000123"),
                ("3102", "001230")
            ]),
            Some("INVALID_AI_PAIR")
        );
        assert_eq!(
            code(&[("01", "09521141012345"), ("10", "A"), ("10", "B")]),
            Some("REPEATED_AI_DIFFERENT_VALUE")
        );
    }

    #[test]
    fn digital_signature_needs_a_serialised_key() {
        assert_eq!(
            code(&[("8003", "01234567890128"), ("8030", "ABC123")]),
            Some("DIGSIG_REQUIRES_SERIALISED_KEY")
        );
        assert_eq!(
            code(&[("8003", "01234567890128X"), ("8030", "ABC123")]),
            None
        );
    }
}
