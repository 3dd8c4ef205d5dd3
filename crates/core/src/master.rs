//! Master data: products, locations and parties, and the URIs events name them by.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, Result};

/// Everything outside `A-Z a-z 0-9 - . _ ~` is percent-encoded in a URI path segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The namespace of lotrace's own EPCIS extension fields (prefix `lotrace`).
pub const NAMESPACE: &str = "https://ns.lotrace.org/epcis/";
/// Longest code, name or lot number accepted.
pub const MAX_CODE_CHARS: usize = 64;
pub const MAX_NAME_CHARS: usize = 200;
/// GS1 AI (10) allows 20 characters for a batch/lot number.
pub const MAX_LOT_CHARS: usize = 20;

pub fn encode_segment(text: &str) -> String {
    utf8_percent_encode(text, SEGMENT).to_string()
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShelfLifeDate {
    #[default]
    Expiry,
    BestBefore,
    SellBy,
}

impl ShelfLifeDate {
    /// The CBV master-data attribute (ILMD) that carries this date.
    pub fn ilmd_key(self) -> &'static str {
        match self {
            ShelfLifeDate::Expiry => "cbvmda:itemExpirationDate",
            ShelfLifeDate::BestBefore => "cbvmda:bestBeforeDate",
            ShelfLifeDate::SellBy => "cbvmda:sellByDate",
        }
    }
}

/// A field that must be given when a product is received.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptField {
    SupplierLot,
    Expiry,
    BestBefore,
    CountryOfOrigin,
    HarvestDate,
    PurchaseOrder,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub code: String,
    pub name: String,
    /// GTIN-14 (shorter GTINs are padded with zeros on the left).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gtin: Option<String>,
    /// UN/ECE Recommendation 20 unit code, e.g. KGM, LTR, H87 (piece).
    pub uom: String,
    #[serde(default = "yes")]
    pub lot_tracked: bool,
    #[serde(default)]
    pub serialised: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shelf_life_days: Option<u32>,
    #[serde(default)]
    pub shelf_life_date: ShelfLifeDate,
    /// Lot-number template, e.g. `{yy}{doy:03}-{line}-{seq:03}` (see `lotnum`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lot_template: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_at_receipt: Vec<ReceiptField>,
    /// On the FDA Food Traceability List (FSMA 204): receipts must carry its KDEs.
    #[serde(default)]
    pub food_traceability_list: bool,
    /// FEFO (first expiry, first out) or FIFO when picking.
    #[serde(default)]
    pub pick_rule: PickRule,
    #[serde(default = "yes")]
    pub active: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum PickRule {
    #[default]
    Fefo,
    Fifo,
}

fn yes() -> bool {
    true
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LocationKind {
    Site,
    Zone,
    Bin,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Location {
    pub code: String,
    pub name: String,
    pub kind: LocationKind,
    /// The enclosing location's code (a zone's site, a bin's zone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// GLN of the site (13 digits); zones and bins add `gln_extension`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gln: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gln_extension: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// A phone number: part of the FSMA 204 location description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyRole {
    Supplier,
    Customer,
    Carrier,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Party {
    pub code: String,
    pub name: String,
    pub roles: Vec<PartyRole>,
    /// Party GLN (PGLN), 13 digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gln: Option<String>,
    /// The party's main location GLN (ship-to / ship-from), 13 digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_gln: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// A phone number: part of the FSMA 204 location description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn check_code(field: &str, code: &str) -> Result<()> {
    if code.is_empty() || code.chars().count() > MAX_CODE_CHARS {
        return Err(DomainError::field(
            field,
            format!("must be 1 to {MAX_CODE_CHARS} characters"),
        ));
    }
    if !code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(DomainError::field(
            field,
            format!("{code:?} may only contain letters, digits, '-', '_' and '.'"),
        ));
    }
    Ok(())
}

fn check_name(field: &str, name: &str) -> Result<()> {
    if name.trim().is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(DomainError::field(
            field,
            format!("must be 1 to {MAX_NAME_CHARS} characters"),
        ));
    }
    Ok(())
}

fn check_optional_name(field: &str, text: &Option<String>) -> Result<()> {
    match text {
        Some(t) => check_name(field, t),
        None => Ok(()),
    }
}

/// Verifies a GS1 key's check digit through the gs1 crate (one implementation of the rule).
fn check_gs1_key(field: &str, ai: &str, digits: &str, len: usize) -> Result<()> {
    if digits.len() != len || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DomainError::field(
            field,
            format!("{digits:?} must be {len} digits"),
        ));
    }
    lotrace_gs1::canonicalize(&format!("https://id.gs1.org/{ai}/{digits}"))
        .map(|_| ())
        .map_err(|e| DomainError::field(field, e.to_string()))
}

/// UN/ECE Rec 20 codes are 2 or 3 upper-case letters or digits (the EPCIS `uom` pattern).
pub fn check_uom(field: &str, uom: &str) -> Result<()> {
    let ok = (2..=3).contains(&uom.len())
        && uom
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(DomainError::field(
            field,
            format!(
                "{uom:?} is not a UN/ECE Rec 20 unit code (2-3 upper-case letters or digits, e.g. KGM, LTR, H87)"
            ),
        ))
    }
}

impl Product {
    /// Checks every field; pads a short GTIN to 14 digits.
    pub fn validate(&mut self) -> Result<()> {
        check_code("code", &self.code)?;
        check_name("name", &self.name)?;
        check_uom("uom", &self.uom)?;
        if let Some(gtin) = &mut self.gtin {
            if matches!(gtin.len(), 8 | 12 | 13) {
                *gtin = format!("{gtin:0>14}");
            }
            check_gs1_key("gtin", "01", gtin, 14)?;
        }
        if let Some(template) = &self.lot_template {
            crate::lotnum::Template::parse(template)
                .map_err(|e| DomainError::field("lot_template", e))?;
        }
        if self.shelf_life_days == Some(0) {
            return Err(DomainError::field(
                "shelf_life_days",
                "must be at least 1 when given",
            ));
        }
        Ok(())
    }

    /// The URI of a lot of this product: the GS1 Digital Link when the product has a GTIN.
    pub fn lot_uri(&self, lot: &str) -> String {
        match &self.gtin {
            Some(gtin) => format!("https://id.gs1.org/01/{gtin}/10/{}", encode_segment(lot)),
            None => format!(
                "urn:lotrace:lot:{}:{}",
                encode_segment(&self.code),
                encode_segment(lot)
            ),
        }
    }

    /// The lot number inside a lot URI of this product, if it is one.
    pub fn lot_code_of(&self, lot_uri: &str) -> Option<String> {
        let encoded = self.encoded_lot_of(lot_uri)?;
        Some(percent_decode_str(encoded).decode_utf8_lossy().into_owned())
    }

    /// True when `lot_uri` is a lot URI of this product.
    pub fn owns_lot(&self, lot_uri: &str) -> bool {
        self.encoded_lot_of(lot_uri).is_some()
    }

    /// The encoded lot number after [`Product::lot_uri`]'s prefix. Without allocating for a
    /// product with a GTIN: this runs for every lot line of an export.
    fn encoded_lot_of<'u>(&self, lot_uri: &'u str) -> Option<&'u str> {
        match &self.gtin {
            Some(gtin) => lot_uri
                .strip_prefix("https://id.gs1.org/01/")?
                .strip_prefix(gtin.as_str())?
                .strip_prefix("/10/"),
            None => lot_uri
                .strip_prefix("urn:lotrace:lot:")?
                .strip_prefix(encode_segment(&self.code).as_str())?
                .strip_prefix(':'),
        }
    }

    /// The URI of the product itself (its class without a lot).
    pub fn class_uri(&self) -> String {
        match &self.gtin {
            Some(gtin) => format!("https://id.gs1.org/01/{gtin}"),
            None => format!("urn:lotrace:product:{}", encode_segment(&self.code)),
        }
    }
}

impl Location {
    pub fn validate(&self) -> Result<()> {
        check_code("code", &self.code)?;
        check_name("name", &self.name)?;
        if let Some(parent) = &self.parent {
            check_code("parent", parent)?;
            if parent == &self.code {
                return Err(DomainError::field(
                    "parent",
                    "a location cannot contain itself",
                ));
            }
        } else if self.kind != LocationKind::Site {
            return Err(DomainError::field(
                "parent",
                "a zone or bin needs a parent location",
            ));
        }
        if let Some(gln) = &self.gln {
            check_gs1_key("gln", "414", gln, 13)?;
        }
        check_optional_name("address", &self.address)?;
        check_optional_name("phone", &self.phone)?;
        if let Some(ext) = &self.gln_extension {
            if self.gln.is_none() {
                return Err(DomainError::field("gln_extension", "needs a gln"));
            }
            if ext.is_empty() || ext.len() > 20 {
                return Err(DomainError::field(
                    "gln_extension",
                    "must be 1 to 20 characters",
                ));
            }
        }
        Ok(())
    }

    /// The URI events name this location by: the SGLN Digital Link when it has a GLN.
    pub fn uri(&self) -> String {
        match (&self.gln, &self.gln_extension) {
            (Some(gln), Some(ext)) => {
                format!("https://id.gs1.org/414/{gln}/254/{}", encode_segment(ext))
            }
            (Some(gln), None) => format!("https://id.gs1.org/414/{gln}"),
            _ => format!("urn:lotrace:location:{}", encode_segment(&self.code)),
        }
    }
}

impl Party {
    pub fn validate(&self) -> Result<()> {
        check_code("code", &self.code)?;
        check_name("name", &self.name)?;
        if self.roles.is_empty() {
            return Err(DomainError::field(
                "roles",
                "name at least one of supplier, customer, carrier",
            ));
        }
        if let Some(gln) = &self.gln {
            check_gs1_key("gln", "417", gln, 13)?;
        }
        check_optional_name("address", &self.address)?;
        check_optional_name("phone", &self.phone)?;
        if let Some(gln) = &self.location_gln {
            check_gs1_key("location_gln", "414", gln, 13)?;
        }
        Ok(())
    }

    pub fn has_role(&self, role: PartyRole) -> bool {
        self.roles.contains(&role)
    }

    /// The URI events name this party by: the PGLN Digital Link when it has a GLN.
    pub fn uri(&self) -> String {
        match &self.gln {
            Some(gln) => format!("https://id.gs1.org/417/{gln}"),
            None => format!("urn:lotrace:party:{}", encode_segment(&self.code)),
        }
    }

    /// The URI of the party's own location, for source and destination lists.
    pub fn location_uri(&self) -> String {
        match &self.location_gln {
            Some(gln) => format!("https://id.gs1.org/414/{gln}"),
            None => format!("urn:lotrace:party-location:{}", encode_segment(&self.code)),
        }
    }
}

/// Checks a lot number typed or received: GS1 AI (10) rules (1-20 characters of CSET 82).
pub fn check_lot_code(field: &str, lot: &str) -> Result<()> {
    if lot.is_empty() || lot.chars().count() > MAX_LOT_CHARS {
        return Err(DomainError::field(
            field,
            format!("a lot number has 1 to {MAX_LOT_CHARS} characters"),
        ));
    }
    // GS1 CSET 82: printable ASCII except space, '#', '$', '@', '[', '\\', ']', '^', '`', '{', '|', '}', '~'.
    if let Some(bad) = lot
        .chars()
        .find(|c| !c.is_ascii_graphic() || "#$@[\\]^`{|}~".contains(*c))
    {
        return Err(DomainError::field(
            field,
            format!("{lot:?} contains {bad:?}, which a GS1 lot number (AI 10) cannot carry"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(gtin: Option<&str>) -> Product {
        serde_json::from_value(serde_json::json!({
            "code": "SALAD-1", "name": "Garden salad", "uom": "KGM", "gtin": gtin,
        }))
        .unwrap()
    }

    #[test]
    fn lot_uris_use_digital_link_when_there_is_a_gtin() {
        let p = product(Some("04012345111118"));
        assert_eq!(
            p.lot_uri("A 1/2"),
            "https://id.gs1.org/01/04012345111118/10/A%201%2F2"
        );
        assert_eq!(
            p.lot_code_of("https://id.gs1.org/01/04012345111118/10/A%201%2F2")
                .as_deref(),
            Some("A 1/2")
        );
        let q = product(None);
        assert_eq!(q.lot_uri("L1"), "urn:lotrace:lot:SALAD-1:L1");
        assert_eq!(q.lot_code_of("urn:lotrace:lot:OTHER:L1"), None);
    }

    #[test]
    fn validation_names_the_field() {
        let mut p = product(None);
        p.uom = "kg".into();
        let e = p.validate().unwrap_err();
        assert!(e.to_string().contains("uom"), "{e}");
        let mut p = product(None);
        p.code = "bad code".into();
        assert!(p.validate().unwrap_err().to_string().contains("code"));
        let mut p = product(Some("4012345111118"));
        p.validate().unwrap();
        assert_eq!(
            p.gtin.as_deref(),
            Some("04012345111118"),
            "padded to 14 digits"
        );
    }

    #[test]
    fn lot_codes_follow_gs1_ai_10() {
        assert!(check_lot_code("lot", "ABC-123/4").is_ok());
        assert!(check_lot_code("lot", "").is_err());
        assert!(check_lot_code("lot", "has space").is_err());
        assert!(check_lot_code("lot", "A#1").is_err());
        assert!(check_lot_code("lot", "123456789012345678901").is_err());
    }

    #[test]
    fn a_zone_needs_a_parent() {
        let zone: Location = serde_json::from_value(serde_json::json!({
            "code": "Z1", "name": "Cold room", "kind": "zone"
        }))
        .unwrap();
        assert!(zone.validate().unwrap_err().to_string().contains("parent"));
    }
}
