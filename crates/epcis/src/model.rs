//! The EPCIS 2.0 event model as it appears in JSON-LD.
//!
//! One flat `Event` struct serves all five event types: the fields each type may carry are
//! checked by `validate`, not by the type system, so that a document with a field in the
//! wrong event type gets a precise error instead of a serde "unknown variant".
//! Whatever is not a standard field lands in `extensions` and comes back out unchanged.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Number, Value};

/// A JSON object: used wherever EPCIS allows user extensions.
pub type Object = Map<String, Value>;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventType {
    ObjectEvent,
    AggregationEvent,
    TransactionEvent,
    TransformationEvent,
    AssociationEvent,
}

impl EventType {
    pub const ALL: [EventType; 5] = [
        EventType::ObjectEvent,
        EventType::AggregationEvent,
        EventType::TransactionEvent,
        EventType::TransformationEvent,
        EventType::AssociationEvent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::ObjectEvent => "ObjectEvent",
            EventType::AggregationEvent => "AggregationEvent",
            EventType::TransactionEvent => "TransactionEvent",
            EventType::TransformationEvent => "TransformationEvent",
            EventType::AssociationEvent => "AssociationEvent",
        }
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EventType::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| format!("unknown event type {s:?}"))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Action {
    Add,
    Observe,
    Delete,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Add => "ADD",
            Action::Observe => "OBSERVE",
            Action::Delete => "DELETE",
        }
    }
}

impl FromStr for Action {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ADD" => Ok(Action::Add),
            "OBSERVE" => Ok(Action::Observe),
            "DELETE" => Ok(Action::Delete),
            other => Err(format!("unknown action {other:?}")),
        }
    }
}

/// An instant as EPCIS writes it: RFC 3339 with a mandatory offset.
/// The text is kept as captured so that output equals input; `instant` is what compares.
#[derive(Clone, Debug)]
pub struct Time {
    pub instant: jiff::Timestamp,
    pub text: String,
}

impl Time {
    pub fn parse(text: &str) -> Result<Time, String> {
        let instant = text.parse::<jiff::Timestamp>().map_err(|e| {
            format!("{text:?} is not an RFC 3339 date-time with a time zone offset ({e})")
        })?;
        Ok(Time {
            instant,
            text: text.to_owned(),
        })
    }

    pub fn from_instant(instant: jiff::Timestamp) -> Time {
        Time {
            instant,
            text: instant.to_string(),
        }
    }
}

impl PartialEq for Time {
    fn eq(&self, other: &Self) -> bool {
        self.instant == other.instant
    }
}

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Time {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Time::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// `eventTimeZoneOffset`: `+hh:mm` or `-hh:mm`, between -14:00 and +14:00.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TzOffset {
    pub minutes: i16,
}

impl TzOffset {
    pub const MAX_MINUTES: i16 = 14 * 60;

    pub fn parse(text: &str) -> Result<TzOffset, String> {
        let err = || format!("{text:?} is not a time zone offset of the form +hh:mm or -hh:mm");
        let bytes = text.as_bytes();
        if bytes.len() != 6 || bytes[3] != b':' {
            return Err(err());
        }
        let sign = match bytes[0] {
            b'+' => 1,
            b'-' => -1,
            _ => return Err(err()),
        };
        let digits = |r: std::ops::Range<usize>| -> Result<i16, String> {
            let s = &text[r];
            if !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err());
            }
            s.parse::<i16>().map_err(|_| err())
        };
        let (hours, minutes) = (digits(1..3)?, digits(4..6)?);
        if minutes > 59 {
            return Err(err());
        }
        let total = hours * 60 + minutes;
        if total > Self::MAX_MINUTES {
            return Err(format!("{text:?} is outside -14:00..+14:00"));
        }
        Ok(TzOffset {
            minutes: sign * total,
        })
    }
}

impl fmt::Display for TzOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.minutes < 0 { '-' } else { '+' };
        let abs = self.minutes.unsigned_abs();
        write!(f, "{sign}{:02}:{:02}", abs / 60, abs % 60)
    }
}

impl Serialize for TzOffset {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TzOffset {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        TzOffset::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// An element of quantityList, childQuantityList, inputQuantityList or outputQuantityList.
/// The quantity is kept as a JSON number so that `200` stays `200` and `0.1` stays `0.1`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuantityElement {
    pub epc_class: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uom: Option<String>,
}

/// readPoint and bizLocation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocationRef {
    pub id: String,
    #[serde(flatten)]
    pub extensions: Object,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BizTransaction {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    pub biz_transaction: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Source {
    #[serde(rename = "type")]
    pub kind: String,
    pub source: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Destination {
    #[serde(rename = "type")]
    pub kind: String,
    pub destination: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PersistentDisposition {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unset: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorDeclaration {
    pub declaration_time: Time,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(
        rename = "correctiveEventIDs",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub corrective_event_ids: Vec<String>,
    #[serde(flatten)]
    pub extensions: Object,
}

/// A sensorElement. Metadata and reports are kept as objects: their standard fields are
/// checked by `validate`, and anything else in them is an extension to keep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SensorElement {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensor_metadata: Option<Object>,
    pub sensor_report: Vec<Object>,
    #[serde(flatten)]
    pub extensions: Object,
}

/// `certificationInfo`: one URI or a list of them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CertificationInfo {
    One(String),
    Many(Vec<String>),
}

/// One EPCIS event of any of the five types.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// An event-level JSON-LD context: the namespace prefixes its extensions use.
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    #[serde(rename = "type")]
    pub event_type: EventType,
    #[serde(rename = "eventID", default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    pub event_time: Time,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record_time: Option<Time>,
    pub event_time_zone_offset: TzOffset,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certification_info: Option<CertificationInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_declaration: Option<ErrorDeclaration>,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biz_step: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disposition: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persistent_disposition: Option<PersistentDisposition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_point: Option<LocationRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biz_location: Option<LocationRef>,

    #[serde(rename = "parentID", default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epc_list: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity_list: Option<Vec<QuantityElement>>,
    #[serde(rename = "childEPCs", default, skip_serializing_if = "Option::is_none")]
    pub child_epcs: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub child_quantity_list: Option<Vec<QuantityElement>>,
    #[serde(
        rename = "inputEPCList",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub input_epc_list: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_quantity_list: Option<Vec<QuantityElement>>,
    #[serde(
        rename = "outputEPCList",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub output_epc_list: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_quantity_list: Option<Vec<QuantityElement>>,
    #[serde(
        rename = "transformationID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub transformation_id: Option<String>,

    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biz_transaction_list: Option<Vec<BizTransaction>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_list: Option<Vec<Source>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination_list: Option<Vec<Destination>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensor_element_list: Option<Vec<SensorElement>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ilmd: Option<Object>,

    /// User extensions: every field whose name is a namespaced term (`prefix:name` or a full IRI).
    #[serde(flatten)]
    pub extensions: Object,
}

/// The role an identifier plays in an event; the store indexes every identifier by role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Epc,
    EpcClass,
    Parent,
    Child,
    ChildClass,
    Input,
    InputClass,
    Output,
    OutputClass,
    ReadPoint,
    BizLocation,
    Source,
    Destination,
    BizTransaction,
}

impl Role {
    pub const ALL: [Role; 14] = [
        Role::Epc,
        Role::EpcClass,
        Role::Parent,
        Role::Child,
        Role::ChildClass,
        Role::Input,
        Role::InputClass,
        Role::Output,
        Role::OutputClass,
        Role::ReadPoint,
        Role::BizLocation,
        Role::Source,
        Role::Destination,
        Role::BizTransaction,
    ];

    /// A stable small integer for storage. Never renumber: stored rows use these codes.
    pub fn code(self) -> u8 {
        self as u8
    }

    pub fn from_code(code: u8) -> Option<Role> {
        Role::ALL.get(code as usize).copied()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Epc => "epc",
            Role::EpcClass => "epcClass",
            Role::Parent => "parentID",
            Role::Child => "childEPC",
            Role::ChildClass => "childEPCClass",
            Role::Input => "inputEPC",
            Role::InputClass => "inputEPCClass",
            Role::Output => "outputEPC",
            Role::OutputClass => "outputEPCClass",
            Role::ReadPoint => "readPoint",
            Role::BizLocation => "bizLocation",
            Role::Source => "source",
            Role::Destination => "destination",
            Role::BizTransaction => "bizTransaction",
        }
    }
}

/// An identifier an event names, in its canonical form (see `lotrace_gs1::canonicalize`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdRef {
    pub role: Role,
    pub id: String,
}
