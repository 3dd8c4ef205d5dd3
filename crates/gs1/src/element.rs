//! One AI and its value, as read.

use crate::ai::{self, AiDef};

/// An Application Identifier with its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Element {
    pub ai: String,
    pub value: String,
    /// The table entry; `None` for an AI not in the table (only with
    /// [`crate::Options::permit_unknown_ais`]).
    pub def: Option<&'static AiDef>,
}

impl Element {
    /// An element for a known or unknown AI.
    pub fn new(ai: &str, value: impl Into<String>) -> Element {
        Element {
            ai: ai.to_owned(),
            value: value.into(),
            def: ai::lookup(ai),
        }
    }

    /// The AI's short title from the GS1 General Specifications ("BATCH/LOT"), or "" for
    /// an unknown AI.
    pub fn title(&self) -> &'static str {
        self.def.map_or("", |d| d.title)
    }

    /// Whether an FNC1 (GS) separator must follow this element when another one comes
    /// after it in an element string.
    pub fn needs_separator(&self) -> bool {
        !self.def.is_some_and(|d| d.fixed_length)
    }

    /// Validates the value against the AI's format (unknown AIs: up to 90 characters of
    /// CSET 82).
    pub fn validate(&self) -> Result<(), ai::ValueError> {
        let def = self.def.unwrap_or(&ai::UNKNOWN_AI);
        ai::validate_value(def, &self.ai, &self.value)
    }
}
