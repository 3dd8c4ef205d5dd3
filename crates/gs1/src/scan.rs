//! Scanner output: a symbology identifier (`]C1`, `]d2`, `]Q3`, `]e0`, `]E0` …, ISO/IEC
//! 15424) followed by the symbol's data, with GS (ASCII 29) for FNC1.

use crate::ai::{self, AiDef, Component};
use crate::cset::Cset;
use crate::error::{ErrorKind, ParseError};

/// The symbologies whose identifiers this crate understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Symbology {
    /// `]C1`
    Gs1_128,
    /// `]C0`
    Code128,
    /// `]e0`: GS1 DataBar, with or without a composite component.
    Gs1DataBar,
    /// `]d2`
    Gs1DataMatrix,
    /// `]d1`
    DataMatrix,
    /// `]Q3`
    Gs1QrCode,
    /// `]Q1`
    QrCode,
    /// `]J1`
    Gs1DotCode,
    /// `]J0`
    DotCode,
    /// `]E0`: EAN-13, UPC-A and UPC-E, as 13 digits.
    Ean13,
    /// `]E4`
    Ean8,
}

/// What a symbology carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Carries {
    /// An AI element string.
    Gs1Data,
    /// A GTIN of the given number of digits.
    Gtin(usize),
    /// Anything; a Digital Link URI or plain text.
    Plain,
}

impl Symbology {
    /// The symbology for an identifier such as `]C1`.
    pub fn from_identifier(id: &str) -> Option<Symbology> {
        use Symbology::*;
        Some(match id {
            "]C1" => Gs1_128,
            "]C0" => Code128,
            "]e0" => Gs1DataBar,
            "]d2" => Gs1DataMatrix,
            "]d1" => DataMatrix,
            "]Q3" => Gs1QrCode,
            "]Q1" => QrCode,
            "]J1" => Gs1DotCode,
            "]J0" => DotCode,
            "]E0" => Ean13,
            "]E4" => Ean8,
            _ => return None,
        })
    }

    /// The symbology identifier, e.g. `]d2`.
    pub fn identifier(self) -> &'static str {
        use Symbology::*;
        match self {
            Gs1_128 => "]C1",
            Code128 => "]C0",
            Gs1DataBar => "]e0",
            Gs1DataMatrix => "]d2",
            DataMatrix => "]d1",
            Gs1QrCode => "]Q3",
            QrCode => "]Q1",
            Gs1DotCode => "]J1",
            DotCode => "]J0",
            Ean13 => "]E0",
            Ean8 => "]E4",
        }
    }

    /// A readable name.
    pub fn name(self) -> &'static str {
        use Symbology::*;
        match self {
            Gs1_128 => "GS1-128",
            Code128 => "Code 128",
            Gs1DataBar => "GS1 DataBar",
            Gs1DataMatrix => "GS1 DataMatrix",
            DataMatrix => "Data Matrix",
            Gs1QrCode => "GS1 QR Code",
            QrCode => "QR Code",
            Gs1DotCode => "GS1 DotCode",
            DotCode => "DotCode",
            Ean13 => "EAN-13",
            Ean8 => "EAN-8",
        }
    }

    pub fn carries(self) -> Carries {
        use Symbology::*;
        match self {
            Gs1_128 | Gs1DataBar | Gs1DataMatrix | Gs1QrCode | Gs1DotCode => Carries::Gs1Data,
            Ean13 => Carries::Gtin(13),
            Ean8 => Carries::Gtin(8),
            Code128 | DataMatrix | QrCode | DotCode => Carries::Plain,
        }
    }
}

/// Splits scanner output into its symbology and data.
pub fn split_identifier(input: &str) -> Result<(Symbology, &str), ParseError> {
    let id = input.get(..3).filter(|id| id.starts_with(']'));
    let Some(id) = id else {
        return Err(ParseError::new(
            ErrorKind::ScanNoSymbologyId,
            "scanner output must start with a three-character symbology identifier such as ]C1",
        ));
    };
    let symbology = Symbology::from_identifier(id).ok_or_else(|| {
        ParseError::new(
            ErrorKind::ScanUnknownSymbologyId,
            format!("unknown symbology identifier {id:?}"),
        )
    })?;
    Ok((symbology, &input[3..]))
}

static EAN13: AiDef = AiDef::new(
    "01",
    "",
    &[Component::fixed(Cset::Numeric, 13).lint(&[ai::Linter::Csum])],
    "EAN-13",
);
static EAN8: AiDef = AiDef::new(
    "01",
    "",
    &[Component::fixed(Cset::Numeric, 8).lint(&[ai::Linter::Csum])],
    "EAN-8",
);

/// Checks the digits of an EAN/UPC symbol (13 or 8 digits with a check digit) and returns
/// the GTIN-14 they encode.
pub fn gtin_from_ean(digits: &str, len: usize) -> Result<String, ParseError> {
    if digits.is_empty() {
        return Err(ParseError::new(
            ErrorKind::NoData,
            "the EAN/UPC symbol has no data",
        ));
    }
    let def = if len == 8 { &EAN8 } else { &EAN13 };
    ai::validate_value(def, "01", digits).map_err(|e| {
        let mut err = ParseError::from(e);
        err.message = format!(
            "{} symbol: {}",
            def.title,
            err.value_error
                .as_ref()
                .map_or(String::new(), |v| v.problem.to_string())
        );
        err
    })?;
    Ok(format!("{digits:0>14}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_round_trip() {
        for id in [
            "]C1", "]C0", "]e0", "]d2", "]d1", "]Q3", "]Q1", "]J1", "]J0", "]E0", "]E4",
        ] {
            assert_eq!(Symbology::from_identifier(id).unwrap().identifier(), id);
        }
    }

    #[test]
    fn identifier_errors() {
        assert_eq!(
            split_identifier("]").unwrap_err().code(),
            "SCAN_NO_SYMBOLOGY_ID"
        );
        assert_eq!(
            split_identifier("]X").unwrap_err().code(),
            "SCAN_NO_SYMBOLOGY_ID"
        );
        assert_eq!(
            split_identifier("]XX").unwrap_err().code(),
            "SCAN_UNKNOWN_SYMBOLOGY_ID"
        );
        assert_eq!(split_identifier("]Q3é").unwrap().1, "é");
        assert_eq!(
            split_identifier("]é1").unwrap_err().code(),
            "SCAN_UNKNOWN_SYMBOLOGY_ID"
        );
    }

    #[test]
    fn ean_digits() {
        assert_eq!(
            gtin_from_ean("2112345678900", 13).unwrap(),
            "02112345678900"
        );
        assert_eq!(gtin_from_ean("02345673", 8).unwrap(), "00000002345673");
        assert_eq!(
            gtin_from_ean("2112345678901", 13).unwrap_err().code(),
            "INCORRECT_CHECK_DIGIT"
        );
        assert_eq!(
            gtin_from_ean("1234567", 8).unwrap_err().code(),
            "VALUE_TOO_SHORT"
        );
        assert_eq!(gtin_from_ean("", 8).unwrap_err().code(), "NO_DATA");
    }
}
