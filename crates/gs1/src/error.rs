//! Errors of the element-string, scan and Digital Link parsers.

use std::fmt;

use crate::ai::ValueError;

/// The rule an input broke. [`ErrorKind::code`] gives the name the GS1 Syntax Engine uses
/// for the same problem.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// Nothing to parse.
    NoData,
    /// Longer than [`crate::MAX_INPUT_LEN`].
    InputTooLong,
    /// Not in any form of GS1 data this crate reads.
    NotGs1Data,
    /// GS1 data with no AI in it.
    NoAiData,
    /// An AI that is not 2 to 4 digits, or brackets that do not close.
    AiMalformed,
    /// An AI that is not in the table (and unknown AIs are not permitted).
    UnknownAi,
    /// A `^` in GS1 data, which is not in CSET 82 and is easily taken for FNC1.
    CaretInData,
    /// More than [`crate::MAX_AIS`] AIs.
    TooManyAis,
    /// An AI value breaks its format; see [`ParseError::value_error`].
    InvalidValue,
    RequiredAiMissing,
    InvalidAiPair,
    RepeatedAiDifferentValue,
    DigsigRequiresSerialisedKey,
    DlBadScheme,
    DlNoDomain,
    DlBadDomainChar,
    DlIllegalUriChar,
    DlBadPercentEncoding,
    DlNoPrimaryKey,
    DlTrailingSlash,
    DlBadKeyQualifierSequence,
    DlQualifierAsAttribute,
    DlInvalidAttribute,
    DlUnknownAiAsAttribute,
    DlDuplicateAi,
    DlNulChar,
    DlBadQueryParam,
    DlConvenienceAlphaNotPermitted,
    ScanNoSymbologyId,
    ScanUnknownSymbologyId,
}

impl ErrorKind {
    /// The GS1 Syntax Engine's name for this kind of error.
    pub fn code(self) -> &'static str {
        use ErrorKind::*;
        match self {
            NoData => "NO_DATA",
            InputTooLong => "INPUT_TOO_LONG",
            NotGs1Data => "NOT_GS1_DATA",
            NoAiData => "NO_AI_DATA",
            AiMalformed => "AI_MALFORMED",
            UnknownAi => "UNKNOWN_AI",
            CaretInData => "CARET_IN_DATA",
            TooManyAis => "TOO_MANY_AIS",
            InvalidValue => "INVALID_VALUE",
            RequiredAiMissing => "REQUIRED_AI_MISSING",
            InvalidAiPair => "INVALID_AI_PAIR",
            RepeatedAiDifferentValue => "REPEATED_AI_DIFFERENT_VALUE",
            DigsigRequiresSerialisedKey => "DIGSIG_REQUIRES_SERIALISED_KEY",
            DlBadScheme => "DL_BAD_SCHEME",
            DlNoDomain => "DL_NO_DOMAIN",
            DlBadDomainChar => "DL_BAD_DOMAIN_CHAR",
            DlIllegalUriChar => "DL_ILLEGAL_URI_CHAR",
            DlBadPercentEncoding => "DL_BAD_PERCENT_ENCODING",
            DlNoPrimaryKey => "DL_NO_PRIMARY_KEY",
            DlTrailingSlash => "DL_TRAILING_SLASH",
            DlBadKeyQualifierSequence => "DL_BAD_KEY_QUALIFIER_SEQUENCE",
            DlQualifierAsAttribute => "DL_QUALIFIER_AS_ATTRIBUTE",
            DlInvalidAttribute => "DL_INVALID_ATTRIBUTE",
            DlUnknownAiAsAttribute => "DL_UNKNOWN_AI_AS_ATTRIBUTE",
            DlDuplicateAi => "DL_DUPLICATE_AI",
            DlNulChar => "DL_NUL_CHAR",
            DlBadQueryParam => "DL_BAD_QUERY_PARAM",
            DlConvenienceAlphaNotPermitted => "DL_CONVENIENCE_ALPHA_NOT_PERMITTED",
            ScanNoSymbologyId => "SCAN_NO_SYMBOLOGY_ID",
            ScanUnknownSymbologyId => "SCAN_UNKNOWN_SYMBOLOGY_ID",
        }
    }
}

/// Why an input was rejected: the rule, the AI it concerns (if any) and a sentence saying
/// what was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub kind: ErrorKind,
    pub ai: Option<String>,
    pub message: String,
    /// For [`ErrorKind::InvalidValue`]: which rule the value broke, and where.
    pub value_error: Option<Box<ValueError>>,
}

impl ParseError {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> ParseError {
        ParseError {
            kind,
            ai: None,
            message: message.into(),
            value_error: None,
        }
    }

    pub(crate) fn for_ai(kind: ErrorKind, ai: &str, message: impl Into<String>) -> ParseError {
        ParseError {
            ai: Some(ai.to_owned()),
            ..ParseError::new(kind, message)
        }
    }

    /// The most specific error name: for a bad value, the value rule's (e.g.
    /// `INCORRECT_CHECK_DIGIT`), otherwise the kind's.
    pub fn code(&self) -> &'static str {
        match &self.value_error {
            Some(v) => v.code(),
            None => self.kind.code(),
        }
    }
}

impl From<ValueError> for ParseError {
    fn from(e: ValueError) -> ParseError {
        ParseError {
            kind: ErrorKind::InvalidValue,
            ai: Some(e.ai.clone()),
            message: e.to_string(),
            value_error: Some(Box::new(e)),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseError {}
