//! The small vocabularies the index keeps per event: item roles, event flags, and CBV words.

/// The role an object plays in an event, as kept in the index (4 bits).
///
/// The order matters: an event's items are sorted by `(role, node)`, so the parent, if any,
/// is the first item and the transformation id, if any, is the last.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum ItemRole {
    Parent = 0,
    Epc = 1,
    EpcClass = 2,
    Child = 3,
    ChildClass = 4,
    Input = 5,
    InputClass = 6,
    Output = 7,
    OutputClass = 8,
    /// The event's transformationID (a pseudo-node that links the events of one transformation).
    Transformation = 9,
}

impl ItemRole {
    const ALL: [ItemRole; 10] = [
        ItemRole::Parent,
        ItemRole::Epc,
        ItemRole::EpcClass,
        ItemRole::Child,
        ItemRole::ChildClass,
        ItemRole::Input,
        ItemRole::InputClass,
        ItemRole::Output,
        ItemRole::OutputClass,
        ItemRole::Transformation,
    ];

    pub fn from_bits(bits: u32) -> ItemRole {
        Self::ALL[bits as usize]
    }

    pub fn is_child(self) -> bool {
        matches!(self, ItemRole::Child | ItemRole::ChildClass)
    }
    pub fn is_input(self) -> bool {
        matches!(self, ItemRole::Input | ItemRole::InputClass)
    }
    pub fn is_output(self) -> bool {
        matches!(self, ItemRole::Output | ItemRole::OutputClass)
    }
    /// epcList / quantityList of an ObjectEvent or TransactionEvent.
    pub fn is_object(self) -> bool {
        matches!(self, ItemRole::Epc | ItemRole::EpcClass)
    }
}

/// Ids and roles share one `u32`: the role in the top 4 bits, the id below.
pub const ROLE_SHIFT: u32 = 28;
/// Node ids and event ordinals stay below this bound.
pub const MAX_PACKED_ID: u32 = (1 << ROLE_SHIFT) - 1;

pub fn pack(role: ItemRole, id: u32) -> u32 {
    debug_assert!(id <= MAX_PACKED_ID);
    ((role as u32) << ROLE_SHIFT) | id
}

pub fn unpack(packed: u32) -> (ItemRole, u32) {
    (
        ItemRole::from_bits(packed >> ROLE_SHIFT),
        packed & MAX_PACKED_ID,
    )
}

/// Per-event flags, derived once at insert.
pub mod flag {
    /// An error declaration names this event's eventID: it takes no part in traces.
    pub const RETRACTED: u8 = 1 << 0;
    /// bizStep shipping.
    pub const SHIPPING: u8 = 1 << 1;
    /// bizStep receiving.
    pub const RECEIVING: u8 = 1 << 2;
    /// bizStep departing or shipping: the objects are on the road afterwards.
    pub const IN_TRANSIT: u8 = 1 << 3;
    /// An AggregationEvent or AssociationEvent DELETE without children: empties the parent.
    pub const CLEARS: u8 = 1 << 4;
    /// The event has a sourceList.
    pub const HAS_SOURCES: u8 = 1 << 5;
    /// ObjectEvent ADD (commissioning, or with ILMD): the objects begin to exist.
    pub const CREATES: u8 = 1 << 6;
}

/// The bare CBV word of a bizStep, disposition, source/destination type or business
/// transaction type: `urn:epcglobal:cbv:bizstep:shipping`,
/// `https://ref.gs1.org/cbv/BizStep-shipping` and `shipping` all give `shipping`.
/// Anything else (a user vocabulary) is returned unchanged.
pub fn bare_cbv_word(value: &str) -> &str {
    const URN_PREFIXES: [&str; 5] = [
        "urn:epcglobal:cbv:bizstep:",
        "urn:epcglobal:cbv:disp:",
        "urn:epcglobal:cbv:sdt:",
        "urn:epcglobal:cbv:btt:",
        "urn:epcglobal:cbv:er:",
    ];
    for prefix in URN_PREFIXES {
        if let Some(word) = value.strip_prefix(prefix) {
            return word;
        }
    }
    for base in ["https://ref.gs1.org/cbv/", "https://gs1.org/voc/"] {
        if let Some(rest) = value.strip_prefix(base)
            && let Some((_vocabulary, word)) = rest.split_once('-')
        {
            return word;
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cbv_words() {
        assert_eq!(bare_cbv_word("shipping"), "shipping");
        assert_eq!(
            bare_cbv_word("urn:epcglobal:cbv:bizstep:receiving"),
            "receiving"
        );
        assert_eq!(
            bare_cbv_word("https://ref.gs1.org/cbv/BizStep-shipping"),
            "shipping"
        );
        assert_eq!(
            bare_cbv_word("https://ref.gs1.org/cbv/Disp-in_transit"),
            "in_transit"
        );
        assert_eq!(
            bare_cbv_word("urn:epcglobal:cbv:sdt:owning_party"),
            "owning_party"
        );
        assert_eq!(bare_cbv_word("https://ref.gs1.org/cbv/BTT-po"), "po");
        assert_eq!(
            bare_cbv_word("https://example.com/steps/x"),
            "https://example.com/steps/x"
        );
    }

    #[test]
    fn packing_round_trips() {
        let p = pack(ItemRole::OutputClass, MAX_PACKED_ID);
        assert_eq!(unpack(p), (ItemRole::OutputClass, MAX_PACKED_ID));
        assert_eq!(unpack(pack(ItemRole::Parent, 7)), (ItemRole::Parent, 7));
        assert!(ItemRole::Parent < ItemRole::Epc);
        assert!(ItemRole::OutputClass < ItemRole::Transformation);
    }
}
