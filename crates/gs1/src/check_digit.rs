//! GS1 check digits: the mod-10 check digit of GTIN, SSCC, GLN, GRAI, GDTI, GSRN, GSIN, … and
//! the check character pair (CSET 32) of the Global Model Number.
//!
//! Positions in errors are 1-based character positions in the string given, so a message can
//! point at the character a person typed.

use thiserror::Error;

/// Why a check digit (or check character pair) could not be computed or did not match.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum CheckDigitError {
    #[error("no digits to compute a check digit over")]
    Empty,
    #[error("character {found:?} at position {position} is not a digit")]
    NonDigit { position: usize, found: char },
    #[error("check digit at position {position}: expected {expected}, found {found}")]
    Mismatch {
        position: usize,
        expected: char,
        found: char,
    },
    #[error("a check character pair needs at least the two check characters")]
    TooShortForPair,
    #[error("{len} characters before the check pair: at most {MAX_PAIR_DATA_LEN} are supported")]
    TooLongForPair { len: usize },
    #[error("character {found:?} at position {position} is not in GS1 character set 82")]
    NotCset82 { position: usize, found: char },
    #[error(
        "check character pair at position {position}: expected {}{}, found {}{}",
        expected[0], expected[1], found[0], found[1]
    )]
    PairMismatch {
        position: usize,
        expected: [char; 2],
        found: [char; 2],
    },
}

/// The mod-10 check digit (as a number 0–9) for `body`, the digits that precede it.
///
/// Weights alternate 3, 1, 3, … starting from the rightmost digit of the body, which is what
/// makes the same rule work for every GS1 key length (GTIN-8 to SSCC and beyond).
pub fn compute(body: &str) -> Result<u8, CheckDigitError> {
    if body.is_empty() {
        return Err(CheckDigitError::Empty);
    }
    let mut sum: u32 = 0;
    for (i, ch) in body.chars().enumerate() {
        let Some(d) = ch.to_digit(10) else {
            return Err(CheckDigitError::NonDigit {
                position: i + 1,
                found: ch,
            });
        };
        // Position counted from the right of the body: the rightmost digit has weight 3.
        let from_right = body.len() - i; // body is ASCII up to here
        sum += if from_right % 2 == 1 { 3 * d } else { d };
    }
    Ok(((10 - sum % 10) % 10) as u8)
}

/// `body` followed by its check digit.
pub fn append(body: &str) -> Result<String, CheckDigitError> {
    let d = compute(body)?;
    let mut out = String::with_capacity(body.len() + 1);
    out.push_str(body);
    out.push(char::from(b'0' + d));
    Ok(out)
}

/// Verifies that the last digit of `digits` is the check digit of the ones before it.
pub fn verify(digits: &str) -> Result<(), CheckDigitError> {
    let Some(last) = digits.chars().last() else {
        return Err(CheckDigitError::Empty);
    };
    let body = &digits[..digits.len() - last.len_utf8()];
    let position = digits.chars().count();
    if body.is_empty() {
        // A lone digit has nothing to check against; still report a non-digit clearly.
        return if last.is_ascii_digit() {
            Err(CheckDigitError::Empty)
        } else {
            Err(CheckDigitError::NonDigit {
                position,
                found: last,
            })
        };
    }
    let expected = compute(body)?;
    if !last.is_ascii_digit() {
        return Err(CheckDigitError::NonDigit {
            position,
            found: last,
        });
    }
    let expected = char::from(b'0' + expected);
    if last != expected {
        return Err(CheckDigitError::Mismatch {
            position,
            expected,
            found: last,
        });
    }
    Ok(())
}

/// The GS1 character set 82, in the order that gives each character its value for the check
/// character pair (the order of the GS1 General Specifications' CSET 82 table, which is ASCII
/// order).
const CSET82_ORDER: &[u8] =
    b"!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

/// The 32 characters a check pair is written in.
const CSET32: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// The longest data (before the pair) the prime weights below cover.
pub const MAX_PAIR_DATA_LEN: usize = 97;

/// The first primes, used as weights from the rightmost data character leftwards.
const PRIMES: [u32; MAX_PAIR_DATA_LEN] = first_primes();

const fn first_primes() -> [u32; MAX_PAIR_DATA_LEN] {
    let mut out = [0u32; MAX_PAIR_DATA_LEN];
    let mut found = 0;
    let mut candidate = 2u32;
    while found < MAX_PAIR_DATA_LEN {
        let mut d = 2;
        let mut prime = true;
        while d * d <= candidate {
            if candidate.is_multiple_of(d) {
                prime = false;
                break;
            }
            d += 1;
        }
        if prime {
            out[found] = candidate;
            found += 1;
        }
        candidate += 1;
    }
    out
}

fn cset82_value(ch: char) -> Option<u32> {
    let b = u8::try_from(ch).ok()?;
    CSET82_ORDER.iter().position(|&c| c == b).map(|p| p as u32)
}

/// The two check characters (CSET 32) for `body`, a CSET 82 string such as the first part of
/// a Global Model Number (AI 8013).
pub fn compute_pair(body: &str) -> Result<[char; 2], CheckDigitError> {
    let len = body.chars().count();
    if len > MAX_PAIR_DATA_LEN {
        return Err(CheckDigitError::TooLongForPair { len });
    }
    let mut sum: u32 = 0;
    for (i, ch) in body.chars().enumerate() {
        let Some(v) = cset82_value(ch) else {
            return Err(CheckDigitError::NotCset82 {
                position: i + 1,
                found: ch,
            });
        };
        sum += v * PRIMES[len - 1 - i];
    }
    let value = (sum % 1021) as usize;
    Ok([
        char::from(CSET32[value >> 5]),
        char::from(CSET32[value & 31]),
    ])
}

/// Verifies that the last two characters of `text` are the check pair of the ones before it.
pub fn verify_pair(text: &str) -> Result<(), CheckDigitError> {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() < 2 {
        return Err(CheckDigitError::TooShortForPair);
    }
    let split = chars.len() - 2;
    let body: String = chars[..split].iter().collect();
    let expected = compute_pair(&body)?;
    let found = [chars[split], chars[split + 1]];
    if found != expected {
        return Err(CheckDigitError::PairMismatch {
            position: split + 1,
            expected,
            found,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_keys_have_their_published_check_digits() {
        // GTIN-13 4006381333931 is a widely printed example; GTIN-14 and SSCC from GS1 docs.
        assert_eq!(compute("400638133393"), Ok(1));
        assert_eq!(compute("0952114101234"), Ok(5));
        assert_eq!(compute("10614141234567890"), Ok(8));
        assert_eq!(append("9521141012345").unwrap(), "95211410123458");
        assert!(verify("09521141012345").is_ok());
        assert!(verify("4006381333931").is_ok());
    }

    #[test]
    fn wrong_check_digit_names_expected_and_found() {
        let err = verify("09521141012346").unwrap_err();
        assert_eq!(
            err,
            CheckDigitError::Mismatch {
                position: 14,
                expected: '5',
                found: '6'
            }
        );
        assert_eq!(
            err.to_string(),
            "check digit at position 14: expected 5, found 6"
        );
    }

    #[test]
    fn non_digits_and_empty_input_are_errors_not_panics() {
        assert_eq!(compute(""), Err(CheckDigitError::Empty));
        assert_eq!(verify(""), Err(CheckDigitError::Empty));
        assert_eq!(verify("7"), Err(CheckDigitError::Empty));
        assert_eq!(
            verify("12a4"),
            Err(CheckDigitError::NonDigit {
                position: 3,
                found: 'a'
            })
        );
        assert_eq!(
            verify("123é"),
            Err(CheckDigitError::NonDigit {
                position: 4,
                found: 'é'
            })
        );
        assert_eq!(
            compute("１２"),
            Err(CheckDigitError::NonDigit {
                position: 1,
                found: '１'
            })
        );
    }

    #[test]
    fn check_pair_of_empty_data_is_22() {
        assert_eq!(compute_pair(""), Ok(['2', '2']));
        assert!(verify_pair("22").is_ok());
    }

    #[test]
    fn check_pair_matches_gmn_examples() {
        assert!(verify_pair("1987654Ad4X4bL5ttr2310c2K").is_ok());
        assert!(verify_pair("12345678901234567890123NT").is_ok());
        assert_eq!(
            verify_pair("1987654Ad4X4bL5ttr2310c2X"),
            Err(CheckDigitError::PairMismatch {
                position: 24,
                expected: ['2', 'K'],
                found: ['2', 'X']
            })
        );
        assert_eq!(verify_pair("2"), Err(CheckDigitError::TooShortForPair));
        assert_eq!(
            verify_pair("a bXX"),
            Err(CheckDigitError::NotCset82 {
                position: 2,
                found: ' '
            })
        );
    }

    #[test]
    fn primes_are_right() {
        assert_eq!(&PRIMES[..10], &[2, 3, 5, 7, 11, 13, 17, 19, 23, 29]);
        assert_eq!(PRIMES[MAX_PAIR_DATA_LEN - 1], 509);
    }
}
