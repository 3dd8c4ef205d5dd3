//! What a parse accepts beyond the strict defaults.

/// Parse options. The default is the strict behaviour of the GS1 standards: only AIs in the
/// table, 14-digit GTINs in Digital Link URIs, numeric path keys, and full validation
/// (syntax, check digits, dates and the association rules between AIs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Accept AIs missing from the table (as up to 90 characters of CSET 82). Their length
    /// must follow from known AIs with the same first two digits when read from an element
    /// string without brackets.
    pub permit_unknown_ais: bool,
    /// Accept GTIN-8, GTIN-12 and GTIN-13 in a Digital Link URI, padded to 14 digits.
    pub permit_zero_suppressed_gtin_in_dl: bool,
    /// Accept the Digital Link "convenience alphas" (`/gtin/`, `/lot/`, `/ser/` …).
    pub permit_convenience_alphas: bool,
    /// Let AIs missing from the table be Digital Link query attributes (only with
    /// `permit_unknown_ais`).
    pub permit_unknown_ais_as_dl_attributes: bool,
    /// Check the rules between AIs: repeated AIs, mutually exclusive AIs, the digital
    /// signature's key.
    pub validate_associations: bool,
    /// Check that the AIs an AI requires are present (e.g. a lot needs a GTIN).
    pub validate_requisites: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            permit_unknown_ais: false,
            permit_zero_suppressed_gtin_in_dl: false,
            permit_convenience_alphas: false,
            permit_unknown_ais_as_dl_attributes: false,
            validate_associations: true,
            validate_requisites: true,
        }
    }
}

impl Options {
    /// Syntax only: formats, check digits and dates, but no rules between AIs.
    pub fn syntax_only() -> Options {
        Options {
            validate_associations: false,
            validate_requisites: false,
            ..Options::default()
        }
    }
}

/// The longest input accepted, in bytes: more than any GS1 barcode holds (a QR Code carries
/// at most 7089 digits) and any sensible Digital Link URI.
pub const MAX_INPUT_LEN: usize = 8192;

/// The most AIs one input may carry (the GS1 Syntax Engine's limit too).
pub const MAX_AIS: usize = 64;
