//! The character sets GS1 Application Identifier values are written in.

use std::fmt;

/// A GS1 character set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cset {
    /// Digits 0–9 ("N" in the GS1 General Specifications).
    Numeric,
    /// GS1 AI encodable character set 82 ("X"): the invariant ISO/IEC 646 graphic characters
    /// that every GS1 barcode can carry.
    Cset82,
    /// GS1 AI encodable character set 39 ("Y"): digits, upper-case letters, `#`, `-`, `/`.
    Cset39,
    /// GS1 AI encodable character set 64 ("Z"): the base64url alphabet plus `=` padding.
    Cset64,
}

impl Cset {
    /// Whether `ch` belongs to this character set.
    pub fn contains(self, ch: char) -> bool {
        let Ok(b) = u8::try_from(ch) else {
            return false;
        };
        match self {
            Cset::Numeric => b.is_ascii_digit(),
            Cset::Cset82 => is_cset82(b),
            Cset::Cset39 => b.is_ascii_digit() || b.is_ascii_uppercase() || b"#-/".contains(&b),
            Cset::Cset64 => b.is_ascii_alphanumeric() || b"-_=".contains(&b),
        }
    }

    /// The first character of `text` outside this set, as (1-based position, character).
    pub fn first_invalid(self, text: &str) -> Option<(usize, char)> {
        text.chars()
            .enumerate()
            .find(|&(_, ch)| !self.contains(ch))
            .map(|(i, ch)| (i + 1, ch))
    }

    /// The letter the GS1 General Specifications use for this set in format strings.
    pub fn letter(self) -> char {
        match self {
            Cset::Numeric => 'N',
            Cset::Cset82 => 'X',
            Cset::Cset39 => 'Y',
            Cset::Cset64 => 'Z',
        }
    }
}

impl fmt::Display for Cset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Cset::Numeric => "digits",
            Cset::Cset82 => "GS1 character set 82",
            Cset::Cset39 => "GS1 character set 39",
            Cset::Cset64 => "GS1 character set 64",
        })
    }
}

/// CSET 82 is printable ASCII minus space, `#`, `$`, `@`, `[`, `\`, `]`, `^`, `` ` ``, `{`,
/// `|`, `}` and `~`, the characters that differ between national ISO/IEC 646 variants.
fn is_cset82(b: u8) -> bool {
    b.is_ascii_graphic() && !b"#$@[\\]^`{|}~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cset82_has_82_characters() {
        let n = (0u8..=127)
            .filter(|&b| Cset::Cset82.contains(char::from(b)))
            .count();
        assert_eq!(n, 82);
        let n = (0u8..=127)
            .filter(|&b| Cset::Cset39.contains(char::from(b)))
            .count();
        assert_eq!(n, 39);
        let n = (0u8..=127)
            .filter(|&b| Cset::Cset64.contains(char::from(b)))
            .count();
        assert_eq!(n, 65); // 64 symbols plus the '=' pad
    }

    #[test]
    fn first_invalid_reports_position_and_character() {
        assert_eq!(Cset::Cset82.first_invalid("AB#C"), Some((3, '#')));
        assert_eq!(Cset::Cset82.first_invalid("Aé"), Some((2, 'é')));
        assert_eq!(Cset::Cset82.first_invalid("A/B%22"), None);
        assert_eq!(Cset::Numeric.first_invalid("12 3"), Some((3, ' ')));
        assert_eq!(Cset::Cset39.first_invalid("AB-1/#"), None);
        assert_eq!(Cset::Cset39.first_invalid("ABc"), Some((3, 'c')));
    }
}
