//! Content rules ("linters") applied to one component of an AI value after its length and
//! character set have been checked: check digits, dates, code lists, and so on.
//!
//! Each rule reports the span of characters it objects to, so callers can point at them.

use std::fmt;

use super::codes;
use super::coupon::{self, CouponError};
use crate::check_digit::{self, CheckDigitError};
use crate::cset::Cset;

/// A content rule from the GS1 Barcode Syntax Dictionary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Linter {
    /// Mod-10 check digit in the last position.
    Csum,
    /// Check character pair (CSET 32) in the last two positions.
    CsumAlpha,
    /// A GS1 Company Prefix starts at the first character.
    GcpPos1,
    /// A GS1 Company Prefix starts at the second character (after an indicator digit).
    GcpPos2,
    /// All zeros.
    Zero,
    /// Not all zeros.
    NonZero,
    /// Piece number and total count, each half the length, piece ≤ total, neither zero.
    PieceOfTotal,
    /// A number without a leading zero.
    NoZeroPrefix,
    /// One character of the importer index alphabet (base64url).
    ImporterIdx,
    /// Date YYMMDD where day 00 means "end of month".
    Yymmd0,
    /// Date YYMMDD.
    Yymmdd,
    /// Date YYYYMMDD.
    Yyyymmdd,
    /// Date YYYYMMDD where day 00 means "end of month".
    Yyyymmd0,
    /// Hour HH.
    Hh,
    /// Time HHMI.
    Hhmi,
    /// Minute MI.
    Mi,
    /// Second SS.
    Ss,
    /// ISO 3166-1 numeric country code.
    Iso3166,
    /// ISO 3166-1 numeric country code or 999 (unknown).
    Iso3166With999,
    /// ISO 3166-1 alpha-2 country code.
    Iso3166Alpha2,
    /// ISO 4217 numeric currency code.
    Iso4217,
    /// ISO/IEC 5218 sex code.
    Iso5218,
    /// Winding direction 0, 1 or 9.
    Winding,
    /// International Bank Account Number.
    Iban,
    /// Latitude in 10 digits (value + 90° in 10⁻⁷ degrees).
    Latitude,
    /// Longitude in 10 digits (value + 180° in 10⁻⁷ degrees).
    Longitude,
    /// One or more hyphens.
    Hyphen,
    /// 0 or 1.
    YesNo,
    /// Percent-encoded text: every `%` starts two hex digits.
    Pcenc,
    /// At least one non-digit.
    HasNonDigit,
    /// A package type code (UN/ECE Rec 21 and GS1 additions).
    PackageType,
    /// A GS1 AIDC media type.
    MediaType,
    /// `position/total`, both without leading zeros, position ≤ total.
    PosInSeqSlash,
    /// North American coupon code (AI 8110).
    CouponCode,
    /// Positive offer file coupon code (AI 8112).
    CouponPosOffer,
}

/// Every linter, with its dictionary name.
pub const ALL: &[(Linter, &str)] = &[
    (Linter::Csum, "csum"),
    (Linter::CsumAlpha, "csumalpha"),
    (Linter::GcpPos1, "gcppos1"),
    (Linter::GcpPos2, "gcppos2"),
    (Linter::Zero, "zero"),
    (Linter::NonZero, "nonzero"),
    (Linter::PieceOfTotal, "pieceoftotal"),
    (Linter::NoZeroPrefix, "nozeroprefix"),
    (Linter::ImporterIdx, "importeridx"),
    (Linter::Yymmd0, "yymmd0"),
    (Linter::Yymmdd, "yymmdd"),
    (Linter::Yyyymmdd, "yyyymmdd"),
    (Linter::Yyyymmd0, "yyyymmd0"),
    (Linter::Hh, "hh"),
    (Linter::Hhmi, "hhmi"),
    (Linter::Mi, "mi"),
    (Linter::Ss, "ss"),
    (Linter::Iso3166, "iso3166"),
    (Linter::Iso3166With999, "iso3166999"),
    (Linter::Iso3166Alpha2, "iso3166alpha2"),
    (Linter::Iso4217, "iso4217"),
    (Linter::Iso5218, "iso5218"),
    (Linter::Winding, "winding"),
    (Linter::Iban, "iban"),
    (Linter::Latitude, "latitude"),
    (Linter::Longitude, "longitude"),
    (Linter::Hyphen, "hyphen"),
    (Linter::YesNo, "yesno"),
    (Linter::Pcenc, "pcenc"),
    (Linter::HasNonDigit, "hasnondigit"),
    (Linter::PackageType, "packagetype"),
    (Linter::MediaType, "mediatype"),
    (Linter::PosInSeqSlash, "posinseqslash"),
    (Linter::CouponCode, "couponcode"),
    (Linter::CouponPosOffer, "couponposoffer"),
];

impl Linter {
    /// The name the GS1 Barcode Syntax Dictionary gives this rule.
    pub fn name(self) -> &'static str {
        ALL.iter()
            .find(|(l, _)| *l == self)
            .map_or("?", |(_, name)| name)
    }

    /// The rule with this dictionary name.
    pub fn from_name(name: &str) -> Option<Linter> {
        ALL.iter().find(|(_, n)| *n == name).map(|(l, _)| *l)
    }
}

/// What a content rule (or a character-set check) found wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LintKind {
    NonDigitCharacter,
    InvalidCset82Character,
    InvalidCset39Character,
    InvalidCset64Character,
    InvalidCset64Padding,
    TooShortForCheckDigit,
    IncorrectCheckDigit {
        expected: char,
        found: char,
    },
    TooShortForCheckPair,
    TooLongForCheckPairImplementation,
    IncorrectCheckPair {
        expected: [char; 2],
        found: [char; 2],
    },
    TooShortForGcp,
    InvalidGcpPrefix,
    NotZero,
    IllegalZeroValue,
    InvalidLengthForPieceOfTotal,
    ZeroPieceNumber,
    ZeroTotalPieces,
    PieceNumberExceedsTotal,
    IllegalZeroPrefix,
    ImporterIdxMustBeOneCharacter,
    InvalidImporterIdxCharacter,
    DateTooShort,
    DateTooLong,
    IllegalMonth,
    IllegalDay,
    HourTooShort,
    HourTooLong,
    HourWithMinuteTooShort,
    HourWithMinuteTooLong,
    MinuteTooShort,
    MinuteTooLong,
    SecondTooShort,
    SecondTooLong,
    IllegalHour,
    IllegalMinute,
    IllegalSecond,
    NotIso3166,
    NotIso3166Or999,
    NotIso3166Alpha2,
    NotIso4217,
    InvalidBiologicalSexCode,
    InvalidWindingDirection,
    IbanTooShort,
    IbanTooLong,
    InvalidIbanCharacter,
    IllegalIbanCountryCode,
    IncorrectIbanChecksum,
    LatitudeInvalidLength,
    InvalidLatitude,
    LongitudeInvalidLength,
    InvalidLongitude,
    NotHyphen,
    NotZeroOrOne,
    InvalidPercentSequence,
    RequiresNonDigitCharacter,
    InvalidPackageType,
    InvalidMediaType,
    PositionInSequenceMalformed,
    PositionExceedsEnd,
    Coupon(CouponError),
}

impl LintKind {
    /// The error name the GS1 Syntax Engine uses (its `GS1_LINTER_*` names without the
    /// prefix), so results can be compared with its test vectors.
    pub fn code(&self) -> &'static str {
        use LintKind::*;
        match self {
            NonDigitCharacter => "NON_DIGIT_CHARACTER",
            InvalidCset82Character => "INVALID_CSET82_CHARACTER",
            InvalidCset39Character => "INVALID_CSET39_CHARACTER",
            InvalidCset64Character => "INVALID_CSET64_CHARACTER",
            InvalidCset64Padding => "INVALID_CSET64_PADDING",
            TooShortForCheckDigit => "TOO_SHORT_FOR_CHECK_DIGIT",
            IncorrectCheckDigit { .. } => "INCORRECT_CHECK_DIGIT",
            TooShortForCheckPair => "TOO_SHORT_FOR_CHECK_PAIR",
            TooLongForCheckPairImplementation => "TOO_LONG_FOR_CHECK_PAIR_IMPLEMENTATION",
            IncorrectCheckPair { .. } => "INCORRECT_CHECK_PAIR",
            TooShortForGcp => "TOO_SHORT_FOR_GCP",
            InvalidGcpPrefix => "INVALID_GCP_PREFIX",
            NotZero => "NOT_ZERO",
            IllegalZeroValue => "ILLEGAL_ZERO_VALUE",
            InvalidLengthForPieceOfTotal => "INVALID_LENGTH_FOR_PIECE_OF_TOTAL",
            ZeroPieceNumber => "ZERO_PIECE_NUMBER",
            ZeroTotalPieces => "ZERO_TOTAL_PIECES",
            PieceNumberExceedsTotal => "PIECE_NUMBER_EXCEEDS_TOTAL",
            IllegalZeroPrefix => "ILLEGAL_ZERO_PREFIX",
            ImporterIdxMustBeOneCharacter => "IMPORTER_IDX_MUST_BE_ONE_CHARACTER",
            InvalidImporterIdxCharacter => "INVALID_IMPORT_IDX_CHARACTER",
            DateTooShort => "DATE_TOO_SHORT",
            DateTooLong => "DATE_TOO_LONG",
            IllegalMonth => "ILLEGAL_MONTH",
            IllegalDay => "ILLEGAL_DAY",
            HourTooShort => "HOUR_TOO_SHORT",
            HourTooLong => "HOUR_TOO_LONG",
            HourWithMinuteTooShort => "HOUR_WITH_MINUTE_TOO_SHORT",
            HourWithMinuteTooLong => "HOUR_WITH_MINUTE_TOO_LONG",
            MinuteTooShort => "MINUTE_TOO_SHORT",
            MinuteTooLong => "MINUTE_TOO_LONG",
            SecondTooShort => "SECOND_TOO_SHORT",
            SecondTooLong => "SECOND_TOO_LONG",
            IllegalHour => "ILLEGAL_HOUR",
            IllegalMinute => "ILLEGAL_MINUTE",
            IllegalSecond => "ILLEGAL_SECOND",
            NotIso3166 => "NOT_ISO3166",
            NotIso3166Or999 => "NOT_ISO3166_OR_999",
            NotIso3166Alpha2 => "NOT_ISO3166_ALPHA2",
            NotIso4217 => "NOT_ISO4217",
            InvalidBiologicalSexCode => "INVALID_BIOLOGICAL_SEX_CODE",
            InvalidWindingDirection => "INVALID_WINDING_DIRECTION",
            IbanTooShort => "IBAN_TOO_SHORT",
            IbanTooLong => "IBAN_TOO_LONG",
            InvalidIbanCharacter => "INVALID_IBAN_CHARACTER",
            IllegalIbanCountryCode => "ILLEGAL_IBAN_COUNTRY_CODE",
            IncorrectIbanChecksum => "INCORRECT_IBAN_CHECKSUM",
            LatitudeInvalidLength => "LATITUDE_INVALID_LENGTH",
            InvalidLatitude => "INVALID_LATITUDE",
            LongitudeInvalidLength => "LONGITUDE_INVALID_LENGTH",
            InvalidLongitude => "INVALID_LONGITUDE",
            NotHyphen => "NOT_HYPHEN",
            NotZeroOrOne => "NOT_ZERO_OR_ONE",
            InvalidPercentSequence => "INVALID_PERCENT_SEQUENCE",
            RequiresNonDigitCharacter => "REQUIRES_NON_DIGIT_CHARACTER",
            InvalidPackageType => "INVALID_PACKAGE_TYPE",
            InvalidMediaType => "INVALID_MEDIA_TYPE",
            PositionInSequenceMalformed => "POSITION_IN_SEQUENCE_MALFORMED",
            PositionExceedsEnd => "POSITION_EXCEEDS_END",
            Coupon(c) => c.code(),
        }
    }
}

impl fmt::Display for LintKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use LintKind::*;
        let text = match self {
            IncorrectCheckDigit { expected, found } => {
                return write!(f, "check digit: expected {expected}, found {found}");
            }
            IncorrectCheckPair { expected, found } => {
                return write!(
                    f,
                    "check character pair: expected {}{}, found {}{}",
                    expected[0], expected[1], found[0], found[1]
                );
            }
            TooLongForCheckPairImplementation => {
                return write!(
                    f,
                    "longer than the {} characters a check character pair covers",
                    check_digit::MAX_PAIR_DATA_LEN + 2
                );
            }
            Coupon(c) => return write!(f, "coupon: {c}"),
            NonDigitCharacter => "a digit is required",
            InvalidCset82Character => "the character is not in GS1 character set 82",
            InvalidCset39Character => "the character is not in GS1 character set 39",
            InvalidCset64Character => "the character is not in GS1 character set 64",
            InvalidCset64Padding => "'=' padding is only allowed to complete the last group",
            TooShortForCheckDigit => "too short to carry a check digit",
            TooShortForCheckPair => "too short to carry a check character pair",
            TooShortForGcp => "too short to start with a GS1 Company Prefix",
            InvalidGcpPrefix => "a GS1 Company Prefix must start with at least 4 digits",
            NotZero => "must be zero",
            IllegalZeroValue => "must not be zero",
            InvalidLengthForPieceOfTotal => "piece and total must be two halves of equal length",
            ZeroPieceNumber => "the piece number must not be zero",
            ZeroTotalPieces => "the total number of pieces must not be zero",
            PieceNumberExceedsTotal => "the piece number exceeds the total number of pieces",
            IllegalZeroPrefix => "a leading zero is not allowed",
            ImporterIdxMustBeOneCharacter => "the importer index must be one character",
            InvalidImporterIdxCharacter => "the importer index must be one of 0-9 A-Z a-z - _",
            DateTooShort => "the date is too short",
            DateTooLong => "the date is too long",
            IllegalMonth => "the month must be 01 to 12",
            IllegalDay => "the day does not exist in that month",
            HourTooShort | HourWithMinuteTooShort | MinuteTooShort | SecondTooShort => {
                "the time is too short"
            }
            HourTooLong | HourWithMinuteTooLong | MinuteTooLong | SecondTooLong => {
                "the time is too long"
            }
            IllegalHour => "the hour must be 00 to 23",
            IllegalMinute => "the minute must be 00 to 59",
            IllegalSecond => "the second must be 00 to 59",
            NotIso3166 => "not an ISO 3166 numeric country code",
            NotIso3166Or999 => "not an ISO 3166 numeric country code or 999",
            NotIso3166Alpha2 => "not an ISO 3166 alpha-2 country code",
            NotIso4217 => "not an ISO 4217 numeric currency code",
            InvalidBiologicalSexCode => "the sex code must be 0, 1, 2 or 9 (ISO/IEC 5218)",
            InvalidWindingDirection => "the winding direction must be 0, 1 or 9",
            IbanTooShort => "the IBAN is too short",
            IbanTooLong => "the IBAN is too long",
            InvalidIbanCharacter => "an IBAN holds only digits and upper-case letters",
            IllegalIbanCountryCode => "not an IBAN country",
            IncorrectIbanChecksum => "the IBAN check digits are wrong",
            LatitudeInvalidLength | LongitudeInvalidLength => "a coordinate is 10 digits",
            InvalidLatitude => "the latitude is out of range",
            InvalidLongitude => "the longitude is out of range",
            NotHyphen => "must be hyphens",
            NotZeroOrOne => "must be 0 or 1",
            InvalidPercentSequence => "'%' must be followed by two hex digits",
            RequiresNonDigitCharacter => "must contain a character that is not a digit",
            InvalidPackageType => "not a known package type code",
            InvalidMediaType => "not a GS1 AIDC media type (01 to 10, or 80 to 99)",
            PositionInSequenceMalformed => "must be position/total",
            PositionExceedsEnd => "the position exceeds the total",
        };
        f.write_str(text)
    }
}

/// A rule violation and the characters it concerns: `start..end`, 0-based character offsets
/// in the component.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LintError {
    pub kind: LintKind,
    pub start: usize,
    pub end: usize,
}

impl LintError {
    pub(crate) fn at(kind: LintKind, start: usize, end: usize) -> LintError {
        LintError { kind, start, end }
    }
}

/// Applies `linter` to one component value.
pub fn lint(linter: Linter, value: &str) -> Result<(), LintError> {
    use Linter::*;
    match linter {
        Csum => csum(value),
        CsumAlpha => csum_alpha(value),
        GcpPos1 => gcp_at(value, 0),
        GcpPos2 => gcp_at(value, 1),
        Zero => zero(value),
        NonZero => non_zero(value),
        PieceOfTotal => piece_of_total(value),
        NoZeroPrefix => no_zero_prefix(value),
        ImporterIdx => importer_idx(value),
        Yymmd0 => date(value, 2, true),
        Yymmdd => date(value, 2, false),
        Yyyymmdd => date(value, 4, false),
        Yyyymmd0 => date(value, 4, true),
        Hh => time(value, TimeKind::Hour),
        Hhmi => time(value, TimeKind::HourMinute),
        Mi => time(value, TimeKind::Minute),
        Ss => time(value, TimeKind::Second),
        Iso3166 => iso3166(value, false),
        Iso3166With999 => iso3166(value, true),
        Iso3166Alpha2 => iso3166_alpha2(value),
        Iso4217 => iso4217(value),
        Iso5218 => one_of(
            value,
            &["0", "1", "2", "9"],
            LintKind::InvalidBiologicalSexCode,
        ),
        Winding => one_of(value, &["0", "1", "9"], LintKind::InvalidWindingDirection),
        Iban => iban(value),
        Latitude => coordinate(value, 1_800_000_000, true),
        Longitude => coordinate(value, 3_600_000_000, false),
        Hyphen => hyphen(value),
        YesNo => one_of(value, &["0", "1"], LintKind::NotZeroOrOne),
        Pcenc => pcenc(value),
        HasNonDigit => has_non_digit(value),
        PackageType => package_type(value),
        MediaType => media_type(value),
        PosInSeqSlash => pos_in_seq_slash(value),
        CouponCode => coupon::north_american(value),
        CouponPosOffer => coupon::positive_offer(value),
    }
}

/// Checks that every character of `value` is in `cset` (and, for CSET 64, that `=` padding
/// is well formed).
pub fn check_cset(cset: Cset, value: &str) -> Result<(), LintError> {
    let kind = match cset {
        Cset::Numeric => LintKind::NonDigitCharacter,
        Cset::Cset82 => LintKind::InvalidCset82Character,
        Cset::Cset39 => LintKind::InvalidCset39Character,
        Cset::Cset64 => return check_cset64(value),
    };
    match value.chars().position(|c| !cset.contains(c)) {
        Some(i) => Err(LintError::at(kind, i, i + 1)),
        None => Ok(()),
    }
}

/// CSET 64 is base64url; `=` may only pad the end, as many as complete the last 3-character
/// group (the rule the GS1 Syntax Engine applies).
fn check_cset64(value: &str) -> Result<(), LintError> {
    let chars: Vec<char> = value.chars().collect();
    let data_len = chars.iter().rposition(|&c| c != '=').map_or(0, |p| p + 1);
    if let Some(i) = chars[..data_len]
        .iter()
        .position(|&c| c == '=' || !Cset::Cset64.contains(c))
    {
        return Err(LintError::at(LintKind::InvalidCset64Character, i, i + 1));
    }
    let padding = chars.len() - data_len;
    if padding > 0 {
        let wanted = (3 - data_len % 3) % 3;
        if padding != wanted || data_len == 0 {
            return Err(LintError::at(
                LintKind::InvalidCset64Padding,
                data_len,
                chars.len(),
            ));
        }
    }
    Ok(())
}

fn char_len(value: &str) -> usize {
    value.chars().count()
}

/// The first non-digit as an error, if any.
pub(crate) fn digits_only(value: &str) -> Result<(), LintError> {
    match value.chars().position(|c| !c.is_ascii_digit()) {
        Some(i) => Err(LintError::at(LintKind::NonDigitCharacter, i, i + 1)),
        None => Ok(()),
    }
}

fn all_zeros(value: &str) -> bool {
    value.bytes().all(|b| b == b'0')
}

fn csum(value: &str) -> Result<(), LintError> {
    if value.is_empty() {
        return Err(LintError::at(LintKind::TooShortForCheckDigit, 0, 0));
    }
    digits_only(value)?;
    let last = value.len() - 1;
    match check_digit::verify(value) {
        Ok(()) => Ok(()),
        Err(CheckDigitError::Mismatch {
            expected, found, ..
        }) => Err(LintError::at(
            LintKind::IncorrectCheckDigit { expected, found },
            last,
            last + 1,
        )),
        // A single digit is a check digit over no data, which is 0.
        Err(CheckDigitError::Empty) if value == "0" => Ok(()),
        Err(_) => Err(LintError::at(
            LintKind::IncorrectCheckDigit {
                expected: '0',
                found: value.chars().next().unwrap_or('0'),
            },
            0,
            1,
        )),
    }
}

fn csum_alpha(value: &str) -> Result<(), LintError> {
    let len = char_len(value);
    if len < 2 {
        return Err(LintError::at(LintKind::TooShortForCheckPair, 0, len));
    }
    if len - 2 > check_digit::MAX_PAIR_DATA_LEN {
        return Err(LintError::at(
            LintKind::TooLongForCheckPairImplementation,
            0,
            len,
        ));
    }
    match check_digit::verify_pair(value) {
        Ok(()) => Ok(()),
        Err(CheckDigitError::NotCset82 { position, .. }) => Err(LintError::at(
            LintKind::InvalidCset82Character,
            position - 1,
            position,
        )),
        Err(CheckDigitError::PairMismatch {
            expected, found, ..
        }) => Err(LintError::at(
            LintKind::IncorrectCheckPair { expected, found },
            len - 2,
            len,
        )),
        Err(_) => Err(LintError::at(LintKind::TooShortForCheckPair, 0, len)),
    }
}

/// The shortest GS1 Company Prefix a value must be able to hold, for a syntax-only check
/// (the real prefix length is only known to GS1's registry).
const MIN_GCP_LEN: usize = 4;

fn gcp_at(value: &str, offset: usize) -> Result<(), LintError> {
    let chars: Vec<char> = value.chars().collect();
    let len = chars.len();
    if len < offset + MIN_GCP_LEN {
        return Err(LintError::at(
            LintKind::TooShortForGcp,
            offset.min(len),
            len,
        ));
    }
    for (i, ch) in chars[offset..offset + MIN_GCP_LEN].iter().enumerate() {
        if !ch.is_ascii_digit() {
            return Err(LintError::at(
                LintKind::InvalidGcpPrefix,
                offset + i,
                offset + i + 1,
            ));
        }
    }
    Ok(())
}

fn zero(value: &str) -> Result<(), LintError> {
    if !value.is_empty() && all_zeros(value) {
        return Ok(());
    }
    Err(LintError::at(LintKind::NotZero, 0, char_len(value)))
}

fn non_zero(value: &str) -> Result<(), LintError> {
    digits_only(value)?;
    if all_zeros(value) {
        return Err(LintError::at(LintKind::IllegalZeroValue, 0, value.len()));
    }
    Ok(())
}

fn piece_of_total(value: &str) -> Result<(), LintError> {
    let len = char_len(value);
    if len == 0 || !len.is_multiple_of(2) {
        return Err(LintError::at(
            LintKind::InvalidLengthForPieceOfTotal,
            0,
            len,
        ));
    }
    digits_only(value)?;
    let half = len / 2;
    let (piece, total) = value.split_at(half);
    if all_zeros(piece) {
        return Err(LintError::at(LintKind::ZeroPieceNumber, 0, half));
    }
    if all_zeros(total) {
        return Err(LintError::at(LintKind::ZeroTotalPieces, half, len));
    }
    // Equal-length digit strings compare like numbers.
    if piece > total {
        return Err(LintError::at(LintKind::PieceNumberExceedsTotal, 0, len));
    }
    Ok(())
}

fn no_zero_prefix(value: &str) -> Result<(), LintError> {
    digits_only(value)?;
    if value.starts_with('0') {
        return Err(LintError::at(LintKind::IllegalZeroPrefix, 0, 1));
    }
    Ok(())
}

fn importer_idx(value: &str) -> Result<(), LintError> {
    let mut chars = value.chars();
    let (Some(ch), None) = (chars.next(), chars.next()) else {
        return Err(LintError::at(
            LintKind::ImporterIdxMustBeOneCharacter,
            0,
            char_len(value),
        ));
    };
    if ch.is_ascii_alphanumeric() || ch == '-' || ch == '_' {
        Ok(())
    } else {
        Err(LintError::at(LintKind::InvalidImporterIdxCharacter, 0, 1))
    }
}

/// Days in `month` (1–12) of `year`.
fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        _ => 31,
    }
}

fn number(digits: &str) -> u32 {
    digits
        .bytes()
        .fold(0, |n, b| n * 10 + u32::from(b.wrapping_sub(b'0')))
}

/// A date of `year_digits` + 4 digits. With two-digit years the leap-year rule is "divisible
/// by 4", which holds for every year from 2000 to 2099 that a two-digit year can mean in the
/// GS1 century window.
fn date(value: &str, year_digits: usize, day_zero_allowed: bool) -> Result<(), LintError> {
    let len = char_len(value);
    let want = year_digits + 4;
    if len < want {
        return Err(LintError::at(LintKind::DateTooShort, 0, len));
    }
    if len > want {
        return Err(LintError::at(LintKind::DateTooLong, 0, len));
    }
    digits_only(value)?;
    let year = number(&value[..year_digits]);
    let year = if year_digits == 2 { 2000 + year } else { year };
    let month = number(&value[year_digits..year_digits + 2]);
    let day = number(&value[year_digits + 2..]);
    if !(1..=12).contains(&month) {
        return Err(LintError::at(
            LintKind::IllegalMonth,
            year_digits,
            year_digits + 2,
        ));
    }
    let day_ok = (day == 0 && day_zero_allowed) || (1..=days_in_month(year, month)).contains(&day);
    if !day_ok {
        return Err(LintError::at(
            LintKind::IllegalDay,
            year_digits + 2,
            year_digits + 4,
        ));
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum TimeKind {
    Hour,
    HourMinute,
    Minute,
    Second,
}

fn time(value: &str, kind: TimeKind) -> Result<(), LintError> {
    let (want, short, long) = match kind {
        TimeKind::Hour => (2, LintKind::HourTooShort, LintKind::HourTooLong),
        TimeKind::HourMinute => (
            4,
            LintKind::HourWithMinuteTooShort,
            LintKind::HourWithMinuteTooLong,
        ),
        TimeKind::Minute => (2, LintKind::MinuteTooShort, LintKind::MinuteTooLong),
        TimeKind::Second => (2, LintKind::SecondTooShort, LintKind::SecondTooLong),
    };
    let len = char_len(value);
    if len < want {
        return Err(LintError::at(short, 0, len));
    }
    if len > want {
        return Err(LintError::at(long, 0, len));
    }
    digits_only(value)?;
    let first = number(&value[..2]);
    let (limit, illegal) = match kind {
        TimeKind::Hour | TimeKind::HourMinute => (23, LintKind::IllegalHour),
        TimeKind::Minute => (59, LintKind::IllegalMinute),
        TimeKind::Second => (59, LintKind::IllegalSecond),
    };
    if first > limit {
        return Err(LintError::at(illegal, 0, 2));
    }
    if let TimeKind::HourMinute = kind
        && number(&value[2..]) > 59
    {
        return Err(LintError::at(LintKind::IllegalMinute, 2, 4));
    }
    Ok(())
}

fn whole(kind: LintKind, value: &str) -> LintError {
    LintError::at(kind, 0, char_len(value))
}

fn iso3166(value: &str, allow_999: bool) -> Result<(), LintError> {
    let kind = if allow_999 {
        LintKind::NotIso3166Or999
    } else {
        LintKind::NotIso3166
    };
    let ok = value.len() == 3
        && value.bytes().all(|b| b.is_ascii_digit())
        && ((allow_999 && value == "999")
            || codes::ISO3166
                .binary_search_by_key(&(number(value) as u16), |c| c.0)
                .is_ok());
    if ok { Ok(()) } else { Err(whole(kind, value)) }
}

fn iso3166_alpha2(value: &str) -> Result<(), LintError> {
    if codes::ISO3166.iter().any(|c| c.1 == value) {
        Ok(())
    } else {
        Err(whole(LintKind::NotIso3166Alpha2, value))
    }
}

fn iso4217(value: &str) -> Result<(), LintError> {
    let ok = value.len() == 3
        && value.bytes().all(|b| b.is_ascii_digit())
        && codes::ISO4217
            .binary_search(&(number(value) as u16))
            .is_ok();
    if ok {
        Ok(())
    } else {
        Err(whole(LintKind::NotIso4217, value))
    }
}

fn one_of(value: &str, allowed: &[&str], kind: LintKind) -> Result<(), LintError> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(whole(kind, value))
    }
}

/// The longest IBAN of any country (ISO 13616).
const MAX_IBAN_LEN: usize = 34;

fn iban(value: &str) -> Result<(), LintError> {
    let len = char_len(value);
    if len < 5 {
        return Err(whole(LintKind::IbanTooShort, value));
    }
    if len > MAX_IBAN_LEN {
        return Err(whole(LintKind::IbanTooLong, value));
    }
    if let Some(i) = value
        .chars()
        .position(|c| !(c.is_ascii_digit() || c.is_ascii_uppercase()))
    {
        return Err(LintError::at(LintKind::InvalidIbanCharacter, i, i + 1));
    }
    let country = &value[..2];
    let Some(&(_, country_len)) = codes::IBAN_LENGTHS.iter().find(|c| c.0 == country) else {
        return Err(LintError::at(LintKind::IllegalIbanCountryCode, 0, 2));
    };
    // Only a shortfall against the country's length is an error: the GS1 Syntax Engine
    // accepts longer IBANs up to the overall maximum, and so do we.
    if len < country_len {
        return Err(whole(LintKind::IbanTooShort, value));
    }
    if !value[2..4].bytes().all(|b| b.is_ascii_digit()) {
        return Err(LintError::at(LintKind::InvalidIbanCharacter, 2, 4));
    }
    // Move the first four characters to the end, letters become 10..35, and the number
    // must be 1 modulo 97 (ISO 7064 MOD 97-10).
    let rearranged = value[4..].bytes().chain(value[..4].bytes());
    let mut remainder: u32 = 0;
    for b in rearranged {
        let v = if b.is_ascii_digit() {
            u32::from(b - b'0')
        } else {
            u32::from(b - b'A') + 10
        };
        remainder = if v >= 10 {
            (remainder * 100 + v) % 97
        } else {
            (remainder * 10 + v) % 97
        };
    }
    if remainder != 1 {
        return Err(LintError::at(LintKind::IncorrectIbanChecksum, 2, 4));
    }
    Ok(())
}

fn coordinate(value: &str, max: u64, latitude: bool) -> Result<(), LintError> {
    let (length_kind, range_kind) = if latitude {
        (LintKind::LatitudeInvalidLength, LintKind::InvalidLatitude)
    } else {
        (LintKind::LongitudeInvalidLength, LintKind::InvalidLongitude)
    };
    if char_len(value) != 10 {
        return Err(whole(length_kind, value));
    }
    digits_only(value)?;
    let n: u64 = value.parse().unwrap_or(u64::MAX);
    if n > max {
        return Err(whole(range_kind, value));
    }
    Ok(())
}

fn hyphen(value: &str) -> Result<(), LintError> {
    if !value.is_empty() && value.chars().all(|c| c == '-') {
        Ok(())
    } else {
        Err(whole(LintKind::NotHyphen, value))
    }
}

fn pcenc(value: &str) -> Result<(), LintError> {
    let chars: Vec<char> = value.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '%' {
            let end = (i + 3).min(chars.len());
            let ok = end == i + 3 && chars[i + 1..end].iter().all(|c| c.is_ascii_hexdigit());
            if !ok {
                return Err(LintError::at(LintKind::InvalidPercentSequence, i, end));
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    Ok(())
}

fn has_non_digit(value: &str) -> Result<(), LintError> {
    if value.chars().any(|c| !c.is_ascii_digit()) {
        Ok(())
    } else {
        Err(whole(LintKind::RequiresNonDigitCharacter, value))
    }
}

fn package_type(value: &str) -> Result<(), LintError> {
    if codes::PACKAGE_TYPES.contains(&value) {
        Ok(())
    } else {
        Err(whole(LintKind::InvalidPackageType, value))
    }
}

fn media_type(value: &str) -> Result<(), LintError> {
    let ok = value.len() == 2
        && value.bytes().all(|b| b.is_ascii_digit())
        && codes::MEDIA_TYPES
            .iter()
            .any(|r| r.contains(&(number(value) as u8)));
    if ok {
        Ok(())
    } else {
        Err(whole(LintKind::InvalidMediaType, value))
    }
}

fn pos_in_seq_slash(value: &str) -> Result<(), LintError> {
    let malformed = || whole(LintKind::PositionInSequenceMalformed, value);
    let Some((position, total)) = value.split_once('/') else {
        return Err(malformed());
    };
    let is_number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !is_number(position) || !is_number(total) {
        return Err(malformed());
    }
    if position.starts_with('0') {
        return Err(LintError::at(
            LintKind::IllegalZeroPrefix,
            0,
            position.len(),
        ));
    }
    if total.starts_with('0') {
        let start = position.len() + 1;
        return Err(LintError::at(
            LintKind::IllegalZeroPrefix,
            start,
            start + total.len(),
        ));
    }
    let as_number = |s: &str| s.parse::<u64>().unwrap_or(u64::MAX);
    if as_number(position) > as_number(total) {
        return Err(whole(LintKind::PositionExceedsEnd, value));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(linter: Linter, value: &str) -> Option<&'static str> {
        lint(linter, value).err().map(|e| e.kind.code())
    }

    #[test]
    fn names_round_trip() {
        for &(linter, name) in ALL {
            assert_eq!(Linter::from_name(name), Some(linter));
            assert_eq!(linter.name(), name);
        }
    }

    #[test]
    fn csum_reports_the_check_digit_position() {
        assert_eq!(lint(Linter::Csum, "09521141012345"), Ok(()));
        assert_eq!(
            lint(Linter::Csum, "12345673"),
            Err(LintError {
                kind: LintKind::IncorrectCheckDigit {
                    expected: '0',
                    found: '3'
                },
                start: 7,
                end: 8
            })
        );
        assert_eq!(kind(Linter::Csum, ""), Some("TOO_SHORT_FOR_CHECK_DIGIT"));
        assert_eq!(kind(Linter::Csum, " 1"), Some("NON_DIGIT_CHARACTER"));
    }

    #[test]
    fn dates() {
        assert_eq!(lint(Linter::Yymmd0, "250600"), Ok(()));
        assert_eq!(kind(Linter::Yymmdd, "250600"), Some("ILLEGAL_DAY"));
        assert_eq!(kind(Linter::Yymmdd, "251301"), Some("ILLEGAL_MONTH"));
        assert_eq!(lint(Linter::Yymmdd, "240229"), Ok(()));
        assert_eq!(kind(Linter::Yymmdd, "250229"), Some("ILLEGAL_DAY"));
        assert_eq!(lint(Linter::Yyyymmdd, "20000229"), Ok(()));
        assert_eq!(kind(Linter::Yyyymmdd, "21000229"), Some("ILLEGAL_DAY"));
        assert_eq!(kind(Linter::Yymmdd, "2512"), Some("DATE_TOO_SHORT"));
        assert_eq!(
            lint(Linter::Yymmdd, "201310").unwrap_err(),
            LintError::at(LintKind::IllegalMonth, 2, 4)
        );
    }

    #[test]
    fn times() {
        assert_eq!(lint(Linter::Hhmi, "2359"), Ok(()));
        assert_eq!(kind(Linter::Hhmi, "2400"), Some("ILLEGAL_HOUR"));
        assert_eq!(kind(Linter::Hhmi, "0060"), Some("ILLEGAL_MINUTE"));
        assert_eq!(kind(Linter::Ss, "60"), Some("ILLEGAL_SECOND"));
        assert_eq!(kind(Linter::Mi, "111"), Some("MINUTE_TOO_LONG"));
    }

    #[test]
    fn codes_and_iban() {
        assert_eq!(lint(Linter::Iso3166, "528"), Ok(()));
        assert_eq!(kind(Linter::Iso3166, "987"), Some("NOT_ISO3166"));
        assert_eq!(lint(Linter::Iso3166With999, "999"), Ok(()));
        assert_eq!(lint(Linter::Iso3166Alpha2, "NL"), Ok(()));
        assert_eq!(lint(Linter::Iso4217, "978"), Ok(()));
        assert_eq!(lint(Linter::Iban, "GB98MIDL07009312345678"), Ok(()));
        assert_eq!(
            kind(Linter::Iban, "GB99MIDL07009312345678"),
            Some("INCORRECT_IBAN_CHECKSUM")
        );
        assert_eq!(
            kind(Linter::Iban, "XX361234567890"),
            Some("ILLEGAL_IBAN_COUNTRY_CODE")
        );
    }

    #[test]
    fn cset64_padding() {
        assert_eq!(check_cset(Cset::Cset64, "12="), Ok(()));
        assert_eq!(check_cset(Cset::Cset64, "1=="), Ok(()));
        assert_eq!(
            check_cset(Cset::Cset64, "123=").unwrap_err().kind,
            LintKind::InvalidCset64Padding
        );
        assert_eq!(
            check_cset(Cset::Cset64, "1=3").unwrap_err(),
            LintError::at(LintKind::InvalidCset64Character, 1, 2)
        );
    }

    #[test]
    fn small_rules() {
        assert_eq!(lint(Linter::Zero, "0"), Ok(()));
        assert_eq!(kind(Linter::Zero, "1"), Some("NOT_ZERO"));
        assert_eq!(
            kind(Linter::NoZeroPrefix, "012"),
            Some("ILLEGAL_ZERO_PREFIX")
        );
        assert_eq!(lint(Linter::ImporterIdx, "_"), Ok(()));
        assert_eq!(lint(Linter::PosInSeqSlash, "2/3"), Ok(()));
        assert_eq!(
            kind(Linter::PosInSeqSlash, "3/2"),
            Some("POSITION_EXCEEDS_END")
        );
        assert_eq!(
            kind(Linter::Pcenc, "A%g1"),
            Some("INVALID_PERCENT_SEQUENCE")
        );
        assert_eq!(lint(Linter::PackageType, "PX"), Ok(()));
        assert_eq!(kind(Linter::MediaType, "11"), Some("INVALID_MEDIA_TYPE"));
    }
}
