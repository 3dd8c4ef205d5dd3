//! What can go wrong when making a symbol or a label.

use lotrace_gs1::ParseError;
use thiserror::Error;

use crate::symbol::SymbolKind;

/// Why a symbol, label or document could not be made. Every message names the field or
/// the symbol and the rule.
#[derive(Debug, Error)]
pub enum LabelError {
    /// A label field that is not valid GS1 data (bad check digit, bad date, a missing
    /// required AI ...). `field` is the label field (`gtin`, `lot`, `expiry` ...) or `data`.
    #[error("{field}: {error}")]
    Gs1 {
        field: &'static str,
        #[source]
        error: ParseError,
    },
    /// A label field in a form no GS1 AI takes (e.g. a date that is not YYMMDD or
    /// YYYY-MM-DD).
    #[error("{field}: {message}")]
    Field {
        field: &'static str,
        message: String,
    },
    /// Data this kind of symbol cannot carry (a Digital Link in GS1-128, anything but a
    /// GTIN-13 in EAN-13, plain text where GS1 data is required ...).
    #[error("{kind} cannot carry this data: {reason}")]
    NotInSymbol { kind: SymbolKind, reason: String },
    /// More data than this kind of symbol (or this crate) takes.
    #[error("{kind}: the data has {len} characters; at most {max} fit")]
    DataTooLong {
        kind: SymbolKind,
        len: usize,
        max: usize,
    },
    /// The barcode encoder refused the data.
    #[error("{kind}: the encoder refused the data: {message}")]
    Encode { kind: SymbolKind, message: String },
    /// The label content does not fit the label size.
    #[error("the label does not fit: {0}")]
    DoesNotFit(String),
    /// A size, resolution or module size outside what this crate renders.
    #[error("{what} must be between {min} and {max}, got {value}")]
    OutOfRange {
        what: &'static str,
        value: f64,
        min: f64,
        max: f64,
    },
    /// More labels than one document takes.
    #[error("{count} labels were asked for; at most {max} fit in one document")]
    TooManyLabels { count: usize, max: usize },
    /// No labels to put in a document.
    #[error("no labels to render")]
    NoLabels,
    /// The PNG encoder failed (it writes to memory, so this is a bug or out of memory).
    #[error("PNG encoding failed: {0}")]
    Png(String),
}

pub type Result<T, E = LabelError> = std::result::Result<T, E>;
