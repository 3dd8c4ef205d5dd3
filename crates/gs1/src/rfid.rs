//! RFID tags: the EPC binary encodings of the GS1 EPC Tag Data Standard, read from the hex
//! a reader reports and written back. Supported: SGTIN-96/198, SSCC-96, SGLN-96/195,
//! GRAI-96/170 and GIAI-96/202.
//!
//! Every encoding is a header byte, a 3-bit filter, a 3-bit partition that says how many
//! digits the company prefix has, the company prefix and the rest of the key as binary
//! numbers, then a serial part: a number (96-bit schemes) or 7-bit characters (the longer
//! ones).

use thiserror::Error;

use crate::epc_urn::{self, EpcScheme};
use crate::identifier::canonicalize;

/// The tag encodings this module reads and writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TagScheme {
    Sgtin96,
    Sgtin198,
    Sscc96,
    Sgln96,
    Sgln195,
    Grai96,
    Grai170,
    Giai96,
    Giai202,
}

/// How the part after the company prefix and the serial part are laid out.
struct Layout {
    header: u8,
    bits: usize,
    name: &'static str,
    identity: EpcScheme,
    /// For each partition value 0–6: (company prefix bits, digits; second field bits,
    /// digits). A second field of 0 digits is absent.
    partitions: [(u32, usize, u32, usize); 7],
    /// The serial part after the second field.
    serial: SerialField,
}

#[derive(Clone, Copy)]
enum SerialField {
    /// Nothing (SSCC: 24 reserved zero bits).
    Reserved(u32),
    /// An integer of this many bits, written without leading zeros.
    Integer(u32),
    /// Up to this many 7-bit characters in a field of this many bits.
    Text { chars: usize, bits: u32 },
    /// GIAI: the second field itself is the serial; see `Layout::partitions`.
    None,
}

/// The SGTIN partition table (company prefix + indicator and item reference = 44 bits).
const SGTIN_PARTITIONS: [(u32, usize, u32, usize); 7] = [
    (40, 12, 4, 1),
    (37, 11, 7, 2),
    (34, 10, 10, 3),
    (30, 9, 14, 4),
    (27, 8, 17, 5),
    (24, 7, 20, 6),
    (20, 6, 24, 7),
];
/// SSCC: company prefix + extension digit and serial reference = 58 bits.
const SSCC_PARTITIONS: [(u32, usize, u32, usize); 7] = [
    (40, 12, 18, 5),
    (37, 11, 21, 6),
    (34, 10, 24, 7),
    (30, 9, 28, 8),
    (27, 8, 31, 9),
    (24, 7, 34, 10),
    (20, 6, 38, 11),
];
/// SGLN: company prefix + location reference = 41 bits.
const SGLN_PARTITIONS: [(u32, usize, u32, usize); 7] = [
    (40, 12, 1, 0),
    (37, 11, 4, 1),
    (34, 10, 7, 2),
    (30, 9, 11, 3),
    (27, 8, 14, 4),
    (24, 7, 17, 5),
    (20, 6, 21, 6),
];
/// GRAI: company prefix + asset type = 44 bits.
const GRAI_PARTITIONS: [(u32, usize, u32, usize); 7] = [
    (40, 12, 4, 0),
    (37, 11, 7, 1),
    (34, 10, 10, 2),
    (30, 9, 14, 3),
    (27, 8, 17, 4),
    (24, 7, 20, 5),
    (20, 6, 24, 6),
];
/// GIAI-96: company prefix + individual asset reference (an integer) = 82 bits.
const GIAI96_PARTITIONS: [(u32, usize, u32, usize); 7] = [
    (40, 12, 42, 13),
    (37, 11, 45, 14),
    (34, 10, 48, 15),
    (30, 9, 52, 16),
    (27, 8, 55, 17),
    (24, 7, 58, 18),
    (20, 6, 62, 19),
];
/// GIAI-202: company prefix + individual asset reference (7-bit text) = 188 bits.
const GIAI202_PARTITIONS: [(u32, usize, u32, usize); 7] = [
    (40, 12, 148, 18),
    (37, 11, 151, 19),
    (34, 10, 154, 20),
    (30, 9, 158, 21),
    (27, 8, 161, 22),
    (24, 7, 164, 23),
    (20, 6, 168, 24),
];

impl TagScheme {
    const ALL: [TagScheme; 9] = [
        TagScheme::Sgtin96,
        TagScheme::Sgtin198,
        TagScheme::Sscc96,
        TagScheme::Sgln96,
        TagScheme::Sgln195,
        TagScheme::Grai96,
        TagScheme::Grai170,
        TagScheme::Giai96,
        TagScheme::Giai202,
    ];

    fn layout(self) -> Layout {
        use SerialField::*;
        use TagScheme::*;
        let (header, bits, name, identity, partitions, serial) = match self {
            Sgtin96 => (
                0x30,
                96,
                "sgtin-96",
                EpcScheme::Sgtin,
                SGTIN_PARTITIONS,
                Integer(38),
            ),
            Sgtin198 => (
                0x36,
                198,
                "sgtin-198",
                EpcScheme::Sgtin,
                SGTIN_PARTITIONS,
                Text {
                    chars: 20,
                    bits: 140,
                },
            ),
            Sscc96 => (
                0x31,
                96,
                "sscc-96",
                EpcScheme::Sscc,
                SSCC_PARTITIONS,
                Reserved(24),
            ),
            Sgln96 => (
                0x32,
                96,
                "sgln-96",
                EpcScheme::Sgln,
                SGLN_PARTITIONS,
                Integer(41),
            ),
            Sgln195 => (
                0x39,
                195,
                "sgln-195",
                EpcScheme::Sgln,
                SGLN_PARTITIONS,
                Text {
                    chars: 20,
                    bits: 140,
                },
            ),
            Grai96 => (
                0x33,
                96,
                "grai-96",
                EpcScheme::Grai,
                GRAI_PARTITIONS,
                Integer(38),
            ),
            Grai170 => (
                0x37,
                170,
                "grai-170",
                EpcScheme::Grai,
                GRAI_PARTITIONS,
                Text {
                    chars: 16,
                    bits: 112,
                },
            ),
            Giai96 => (
                0x34,
                96,
                "giai-96",
                EpcScheme::Giai,
                GIAI96_PARTITIONS,
                None,
            ),
            Giai202 => (
                0x38,
                202,
                "giai-202",
                EpcScheme::Giai,
                GIAI202_PARTITIONS,
                None,
            ),
        };
        Layout {
            header,
            bits,
            name,
            identity,
            partitions,
            serial,
        }
    }

    /// The scheme's name in tag URIs (`sgtin-96`).
    pub fn name(self) -> &'static str {
        self.layout().name
    }

    /// The number of bits of the encoding.
    pub fn bits(self) -> usize {
        self.layout().bits
    }

    fn from_header(header: u8) -> Option<TagScheme> {
        TagScheme::ALL
            .into_iter()
            .find(|s| s.layout().header == header)
    }

    fn from_name(name: &str) -> Option<TagScheme> {
        TagScheme::ALL.into_iter().find(|s| s.name() == name)
    }

    /// Whether the second field is text (GIAI-202) rather than a number.
    fn text_reference(self) -> bool {
        self == TagScheme::Giai202
    }
}

/// Why a tag could not be read or written.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum RfidError {
    #[error("character {found:?} at position {position} is not a hex digit")]
    NotHex { position: usize, found: char },
    #[error("the EPC is empty")]
    Empty,
    #[error(
        "EPC header 0x{0:02X} is not one of SGTIN-96/198, SSCC-96, SGLN-96/195, GRAI-96/170, GIAI-96/202"
    )]
    UnknownHeader(u8),
    #[error("{scheme} needs {needed} bits, the hex has {found}")]
    WrongLength {
        scheme: &'static str,
        needed: usize,
        found: usize,
    },
    #[error("{scheme}: partition value {0} is not defined (0 to 6 are)", scheme = .1)]
    BadPartition(u8, &'static str),
    #[error("{scheme}: the {field} field holds {value}, more than its {digits} digits allow")]
    FieldTooLarge {
        scheme: &'static str,
        field: &'static str,
        value: u64,
        digits: usize,
    },
    #[error("{scheme}: {message}")]
    BadText {
        scheme: &'static str,
        message: String,
    },
    #[error("{0}")]
    BadIdentifier(String),
    #[error("{scheme} cannot encode {what}")]
    NotEncodable { scheme: &'static str, what: String },
    #[error("the filter value must be 0 to 7, found {0}")]
    BadFilter(u8),
}

/// A decoded tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EpcTag {
    pub scheme: TagScheme,
    pub filter: u8,
    /// The pure-identity EPC URN, e.g. `urn:epc:id:sgtin:0614141.812345.6789`.
    pub pure_identity: String,
    /// The tag URI with the filter, e.g. `urn:epc:tag:sgtin-96:3.0614141.812345.6789`.
    pub tag_uri: String,
    /// The canonical GS1 Digital Link URI (see [`crate::canonicalize`]).
    pub digital_link: String,
}

/// The longest hex accepted: a 202-bit EPC rounded up to 16-bit words, plus one word.
const MAX_HEX_LEN: usize = 60;

fn hex_to_bits(hex: &str) -> Result<Vec<bool>, RfidError> {
    let hex = hex.trim();
    let hex = hex
        .strip_prefix("0x")
        .or_else(|| hex.strip_prefix("0X"))
        .unwrap_or(hex);
    if hex.is_empty() {
        return Err(RfidError::Empty);
    }
    if hex.len() > MAX_HEX_LEN {
        return Err(RfidError::WrongLength {
            scheme: "an EPC",
            needed: MAX_HEX_LEN * 4,
            found: hex.len() * 4,
        });
    }
    let mut bits = Vec::with_capacity(hex.len() * 4);
    for (i, c) in hex.chars().enumerate() {
        let Some(v) = c.to_digit(16) else {
            return Err(RfidError::NotHex {
                position: i + 1,
                found: c,
            });
        };
        for shift in (0..4).rev() {
            bits.push(v >> shift & 1 == 1);
        }
    }
    Ok(bits)
}

struct BitReader<'a> {
    bits: &'a [bool],
    pos: usize,
}

impl BitReader<'_> {
    fn read(&mut self, n: u32) -> u64 {
        let mut v = 0u64;
        for _ in 0..n {
            v = (v << 1) | u64::from(self.bits[self.pos]);
            self.pos += 1;
        }
        v
    }

    /// Up to `chars` 7-bit characters in a `bits`-wide field, ending at the first zero.
    fn read_text(
        &mut self,
        chars: usize,
        bits: u32,
        scheme: &'static str,
    ) -> Result<String, RfidError> {
        let end = self.pos + bits as usize;
        let mut out = String::new();
        let mut ended = false;
        for _ in 0..chars {
            if self.pos + 7 > end {
                break;
            }
            let c = self.read(7) as u8;
            if c == 0 {
                ended = true;
                continue;
            }
            if ended {
                return Err(RfidError::BadText {
                    scheme,
                    message: "a character follows the zero that ends the text".into(),
                });
            }
            let ch = char::from(c);
            if !crate::cset::Cset::Cset82.contains(ch) {
                return Err(RfidError::BadText {
                    scheme,
                    message: format!("character {ch:?} is not in GS1 character set 82"),
                });
            }
            out.push(ch);
        }
        self.pos = end;
        Ok(out)
    }
}

fn padded(value: u64, digits: usize) -> String {
    if digits == 0 {
        String::new()
    } else {
        format!("{value:0digits$}")
    }
}

fn check_digits(
    value: u64,
    digits: usize,
    field: &'static str,
    scheme: &'static str,
) -> Result<(), RfidError> {
    let limit = 10u64.checked_pow(digits as u32).unwrap_or(u64::MAX);
    if value >= limit {
        return Err(RfidError::FieldTooLarge {
            scheme,
            field,
            value,
            digits,
        });
    }
    Ok(())
}

/// Decodes the hex EPC a reader reports (the EPC bank after PC bits; `0x` and padding to a
/// 16-bit word allowed).
pub fn decode_hex(hex: &str) -> Result<EpcTag, RfidError> {
    let bits = hex_to_bits(hex)?;
    if bits.len() < 8 {
        return Err(RfidError::Empty);
    }
    let mut r = BitReader {
        bits: &bits,
        pos: 0,
    };
    let header = r.read(8) as u8;
    let scheme = TagScheme::from_header(header).ok_or(RfidError::UnknownHeader(header))?;
    let layout = scheme.layout();
    // The EPC may be followed by padding up to the next 16-bit word, no more.
    let padded_bits = layout.bits.div_ceil(16) * 16;
    if bits.len() < layout.bits || bits.len() > padded_bits.max(layout.bits.div_ceil(4) * 4) {
        return Err(RfidError::WrongLength {
            scheme: layout.name,
            needed: layout.bits,
            found: bits.len(),
        });
    }
    let filter = r.read(3) as u8;
    let partition = r.read(3) as u8;
    let &(cp_bits, cp_digits, ref_bits, ref_digits) = layout
        .partitions
        .get(usize::from(partition))
        .ok_or(RfidError::BadPartition(partition, layout.name))?;
    let cp = r.read(cp_bits);
    check_digits(cp, cp_digits, "company prefix", layout.name)?;
    let company_prefix = padded(cp, cp_digits);
    let second = if scheme.text_reference() {
        r.read_text(ref_digits, ref_bits, layout.name)?
    } else if matches!(layout.serial, SerialField::None) {
        // GIAI-96: the asset reference is a number written without leading zeros.
        let v = r.read(ref_bits);
        check_digits(v, ref_digits, "individual asset reference", layout.name)?;
        v.to_string()
    } else {
        let v = r.read(ref_bits);
        check_digits(v, ref_digits, "reference", layout.name)?;
        padded(v, ref_digits)
    };
    let serial = match layout.serial {
        SerialField::Integer(n) => Some(r.read(n).to_string()),
        SerialField::Text { chars, bits } => Some(r.read_text(chars, bits, layout.name)?),
        SerialField::Reserved(n) => {
            if r.read(n) != 0 {
                return Err(RfidError::BadText {
                    scheme: layout.name,
                    message: "the reserved bits are not zero".into(),
                });
            }
            None
        }
        SerialField::None => None,
    };
    let escaped = |s: &str| epc_urn::escape_component(s);
    let mut parts = vec![company_prefix];
    match layout.identity {
        EpcScheme::Giai => parts.push(escaped(&second)),
        _ => parts.push(second),
    }
    if let Some(s) = &serial {
        parts.push(escaped(s));
    }
    let body = parts.join(".");
    let pure_identity = format!("{}{body}", layout.identity.prefix());
    let tag_uri = format!("urn:epc:tag:{}:{filter}.{body}", layout.name);
    let digital_link = canonicalize(&pure_identity)
        .map_err(|e| RfidError::BadIdentifier(e.message))?
        .canonical;
    Ok(EpcTag {
        scheme,
        filter,
        pure_identity,
        tag_uri,
        digital_link,
    })
}

struct BitWriter {
    bits: Vec<bool>,
}

impl BitWriter {
    fn write(&mut self, value: u64, n: u32) {
        for shift in (0..n).rev() {
            self.bits.push(value >> shift & 1 == 1);
        }
    }

    fn write_text(&mut self, text: &str, bits: u32) {
        let start = self.bits.len();
        for b in text.bytes() {
            self.write(u64::from(b), 7);
        }
        while self.bits.len() < start + bits as usize {
            self.bits.push(false);
        }
    }

    fn hex(mut self) -> String {
        while !self.bits.len().is_multiple_of(4) {
            self.bits.push(false);
        }
        self.bits
            .chunks(4)
            .map(|c| {
                let v = c.iter().fold(0u32, |a, &b| (a << 1) | u32::from(b));
                char::from_digit(v, 16).unwrap_or('0').to_ascii_uppercase()
            })
            .collect()
    }
}

/// A decimal number without leading zeros that fits in `bits`.
fn integer(text: &str, bits: u32, what: &str, scheme: &'static str) -> Result<u64, RfidError> {
    let not = |why: &str| RfidError::NotEncodable {
        scheme,
        what: format!("the {what} {text:?} ({why})"),
    };
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(not("it must be a number"));
    }
    if text.len() > 1 && text.starts_with('0') {
        return Err(not("a leading zero would be lost"));
    }
    let v: u64 = text.parse().map_err(|_| not("too large"))?;
    if bits < 64 && v >= 1u64 << bits {
        return Err(not(&format!("it does not fit in {bits} bits")));
    }
    Ok(v)
}

fn text_field(text: &str, chars: usize, what: &str, scheme: &'static str) -> Result<(), RfidError> {
    if text.chars().count() > chars {
        return Err(RfidError::NotEncodable {
            scheme,
            what: format!("a {what} of more than {chars} characters"),
        });
    }
    Ok(())
}

/// Encodes an EPC pure-identity URN (e.g. `urn:epc:id:sgtin:0614141.812345.6789`) in
/// `scheme` with `filter` (0–7), as uppercase hex.
pub fn encode(pure_identity: &str, scheme: TagScheme, filter: u8) -> Result<String, RfidError> {
    if filter > 7 {
        return Err(RfidError::BadFilter(filter));
    }
    // Full validation (lengths, character sets) through the canonical form.
    canonicalize(pure_identity).map_err(|e| RfidError::BadIdentifier(e.message))?;
    let urn = epc_urn::parse_urn(pure_identity).map_err(RfidError::BadIdentifier)?;
    let layout = scheme.layout();
    if urn.scheme != layout.identity {
        return Err(RfidError::NotEncodable {
            scheme: layout.name,
            what: format!("an {} EPC", urn.scheme.name()),
        });
    }
    let c = &urn.components;
    let cp = &c[0];
    let partition = layout
        .partitions
        .iter()
        .position(|p| p.1 == cp.len())
        .ok_or_else(|| RfidError::NotEncodable {
            scheme: layout.name,
            what: format!("a {}-digit company prefix", cp.len()),
        })?;
    let (cp_bits, _, ref_bits, ref_digits) = layout.partitions[partition];
    let mut w = BitWriter { bits: Vec::new() };
    w.write(u64::from(layout.header), 8);
    w.write(u64::from(filter), 3);
    w.write(partition as u64, 3);
    w.write(cp.parse().unwrap_or(0), cp_bits);
    match scheme {
        TagScheme::Giai96 => {
            let v = integer(&c[1], ref_bits, "asset reference", layout.name)?;
            if c[1].len() > ref_digits {
                return Err(RfidError::NotEncodable {
                    scheme: layout.name,
                    what: format!("an asset reference of more than {ref_digits} digits"),
                });
            }
            w.write(v, ref_bits);
        }
        TagScheme::Giai202 => {
            text_field(&c[1], ref_digits, "asset reference", layout.name)?;
            w.write_text(&c[1], ref_bits);
        }
        _ => w.write(c[1].parse().unwrap_or(0), ref_bits),
    }
    match layout.serial {
        SerialField::Integer(n) => {
            let what = if scheme == TagScheme::Sgln96 {
                "extension"
            } else {
                "serial"
            };
            w.write(integer(&c[2], n, what, layout.name)?, n);
        }
        SerialField::Text { chars, bits } => {
            text_field(&c[2], chars, "serial", layout.name)?;
            w.write_text(&c[2], bits);
        }
        SerialField::Reserved(n) => w.write(0, n),
        SerialField::None => {}
    }
    Ok(w.hex())
}

/// Encodes a tag URI such as `urn:epc:tag:sgtin-96:3.0614141.812345.6789`.
pub fn encode_tag_uri(tag_uri: &str) -> Result<String, RfidError> {
    let bad = || {
        RfidError::BadIdentifier(format!(
            "{tag_uri:?} is not an EPC tag URI (urn:epc:tag:scheme-bits:filter.…)"
        ))
    };
    let rest = tag_uri.strip_prefix("urn:epc:tag:").ok_or_else(bad)?;
    let (name, body) = rest.split_once(':').ok_or_else(bad)?;
    let scheme = TagScheme::from_name(name).ok_or_else(bad)?;
    let (filter, identity) = body.split_once('.').ok_or_else(bad)?;
    let filter: u8 = filter.parse().map_err(|_| bad())?;
    let prefix = scheme.layout().identity.prefix();
    encode(&format!("{prefix}{identity}"), scheme, filter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sgtin_96_of_the_tag_data_standard() {
        // The worked example of the EPC Tag Data Standard.
        let tag = decode_hex("3074257BF7194E4000001A85").unwrap();
        assert_eq!(tag.scheme, TagScheme::Sgtin96);
        assert_eq!(tag.filter, 3);
        assert_eq!(tag.pure_identity, "urn:epc:id:sgtin:0614141.812345.6789");
        assert_eq!(tag.tag_uri, "urn:epc:tag:sgtin-96:3.0614141.812345.6789");
        assert_eq!(
            tag.digital_link,
            "https://id.gs1.org/01/80614141123458/21/6789"
        );
        assert_eq!(
            encode(&tag.pure_identity, TagScheme::Sgtin96, 3).unwrap(),
            "3074257BF7194E4000001A85"
        );
        assert_eq!(
            encode_tag_uri("urn:epc:tag:sgtin-96:3.0614141.812345.6789").unwrap(),
            "3074257BF7194E4000001A85"
        );
    }

    #[test]
    fn hex_errors() {
        assert_eq!(decode_hex(""), Err(RfidError::Empty));
        assert_eq!(
            decode_hex("30x4"),
            Err(RfidError::NotHex {
                position: 3,
                found: 'x'
            })
        );
        assert_eq!(decode_hex("FF00"), Err(RfidError::UnknownHeader(0xFF)));
        assert!(matches!(
            decode_hex("3074257BF7194E4000001A"),
            Err(RfidError::WrongLength { .. })
        ));
    }

    #[test]
    fn ninety_six_bit_serials_must_be_plain_numbers() {
        assert!(matches!(
            encode(
                "urn:epc:id:sgtin:0614141.812345.0123",
                TagScheme::Sgtin96,
                0
            ),
            Err(RfidError::NotEncodable { .. })
        ));
        assert!(matches!(
            encode("urn:epc:id:sgtin:0614141.812345.A1", TagScheme::Sgtin96, 0),
            Err(RfidError::NotEncodable { .. })
        ));
        assert!(encode("urn:epc:id:sgtin:0614141.812345.A1", TagScheme::Sgtin198, 0).is_ok());
    }
}
