//! GS1 identifiers and barcode data: check digits, the Application Identifier table, element
//! strings, scanner output, EPC URIs and GS1 Digital Link URIs. No I/O.
//!
//! Two entry points:
//! - [`canonicalize`]: any accepted spelling of an identifier (EPC URN, Digital Link on any
//!   domain) to one canonical string, the Digital Link URI on `https://id.gs1.org`.
//! - [`parse`]: scanned or typed GS1 data (bracketed AIs, element strings, scanner output,
//!   EAN/UPC digits, Digital Link URIs) to validated AIs, with the outputs lotrace needs:
//!   human-readable text, element string, Digital Link URI and canonical identifiers.

pub mod ai;
pub mod associations;
pub mod check_digit;
pub mod cset;
mod data;
pub mod digital_link;
mod element;
pub mod element_string;
pub mod epc_urn;
mod error;
mod identifier;
mod options;
pub mod percent;
pub mod rfid;
pub mod scan;
mod web_uri;

pub use data::{Gs1Data, InputForm, parse, parse_with};
pub use element::Element;
pub use error::{ErrorKind, ParseError};
pub use identifier::{CANONICAL_ORIGIN, IdError, IdKind, Identifier, MAX_URI_LEN, canonicalize};
pub use options::{MAX_AIS, MAX_INPUT_LEN, Options};
