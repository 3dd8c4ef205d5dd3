//! GS1 Application Identifiers: what each AI's value looks like, and validation of a value.
//!
//! The table (in `table.rs`) follows the GS1 General Specifications as written up in the GS1
//! Barcode Syntax Dictionary: each AI's value is a sequence of components, each with a
//! character set, a length and content rules (check digits, dates, code lists).

pub mod codes;
pub mod coupon;
pub mod lint;
mod table;

use std::fmt;

use thiserror::Error;

use crate::cset::Cset;
pub use lint::{LintError, LintKind, Linter};
pub use table::TABLE;

/// One component of an AI value, e.g. the 13-digit GLN in AI (8003)'s value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Component {
    pub cset: Cset,
    pub min: u8,
    pub max: u8,
    /// Optional components come last and may be left out once the data runs out.
    pub optional: bool,
    pub linters: &'static [Linter],
}

impl Component {
    /// A fixed-length component.
    pub const fn fixed(cset: Cset, len: u8) -> Component {
        Component {
            cset,
            min: len,
            max: len,
            optional: false,
            linters: &[],
        }
    }

    /// A variable-length component of 1 to `max` characters.
    pub const fn upto(cset: Cset, max: u8) -> Component {
        Component {
            cset,
            min: 1,
            max,
            optional: false,
            linters: &[],
        }
    }

    pub const fn lint(self, linters: &'static [Linter]) -> Component {
        Component { linters, ..self }
    }

    pub const fn optional(self) -> Component {
        Component {
            optional: true,
            ..self
        }
    }

    pub fn is_fixed(&self) -> bool {
        self.min == self.max
    }
}

/// The definition of one AI or of a range of AIs that share a format (e.g. 3100–3105).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AiDef {
    /// The first AI of the range.
    pub ai: &'static str,
    /// The last AI of the range (the same as `ai` for a single AI).
    pub last: &'static str,
    /// The value has a predefined length, so no FNC1 separator needs to follow it.
    pub fixed_length: bool,
    /// The AI may appear as a GS1 Digital Link query attribute.
    pub dl_attribute: bool,
    pub components: &'static [Component],
    /// Each entry is one requirement: a comma-separated list of alternatives, each
    /// alternative being AIs or AI patterns joined with `+` (all of them needed). `n` in a
    /// pattern stands for any digit.
    pub requires: [Option<&'static str>; 2],
    /// Comma-separated AIs or patterns this AI must not appear with.
    pub excludes: Option<&'static str>,
    /// For a Digital Link primary key, the allowed qualifier sequences: `|`-separated
    /// alternatives, each a comma-separated ordered list of optional qualifier AIs; `""` for a
    /// key that takes no qualifiers.
    pub dl_qualifiers: Option<&'static str>,
    pub title: &'static str,
}

impl AiDef {
    /// A single AI. `flags` uses the dictionary's flag characters: `*` predefined length,
    /// `?` allowed as a Digital Link attribute.
    pub const fn new(
        ai: &'static str,
        flags: &'static str,
        components: &'static [Component],
        title: &'static str,
    ) -> AiDef {
        AiDef::range(ai, ai, flags, components, title)
    }

    /// A range of AIs sharing one definition, e.g. 3100 to 3105.
    pub const fn range(
        ai: &'static str,
        last: &'static str,
        flags: &'static str,
        components: &'static [Component],
        title: &'static str,
    ) -> AiDef {
        let f = flags.as_bytes();
        let mut fixed_length = false;
        let mut dl_attribute = false;
        let mut i = 0;
        while i < f.len() {
            if f[i] == b'*' {
                fixed_length = true;
            } else if f[i] == b'?' {
                dl_attribute = true;
            }
            i += 1;
        }
        AiDef {
            ai,
            last,
            fixed_length,
            dl_attribute,
            components,
            requires: [None, None],
            excludes: None,
            dl_qualifiers: None,
            title,
        }
    }

    /// Adds a requirement (`req=` in the dictionary); an AI has at most two.
    pub const fn req(mut self, rule: &'static str) -> AiDef {
        if self.requires[0].is_none() {
            self.requires[0] = Some(rule);
        } else {
            self.requires[1] = Some(rule);
        }
        self
    }

    /// Sets the AIs this one excludes (`ex=`).
    pub const fn ex(self, rule: &'static str) -> AiDef {
        AiDef {
            excludes: Some(rule),
            ..self
        }
    }

    /// Marks a Digital Link primary key with its qualifier sequences (`dlpkey=`).
    pub const fn dl_key(self, qualifiers: &'static str) -> AiDef {
        AiDef {
            dl_qualifiers: Some(qualifiers),
            ..self
        }
    }

    /// Whether `ai` falls in this definition's range.
    pub fn covers(&self, ai: &str) -> bool {
        ai.len() == self.ai.len() && self.ai <= ai && ai <= self.last
    }

    /// The shortest and longest value this AI takes.
    pub fn length_bounds(&self) -> (usize, usize) {
        let min = self
            .components
            .iter()
            .filter(|c| !c.optional)
            .map(|c| usize::from(c.min))
            .sum();
        let max = self.components.iter().map(|c| usize::from(c.max)).sum();
        (min, max)
    }

    /// The Digital Link qualifier sequences of a primary key (none for other AIs).
    pub fn qualifier_sequences(&self) -> impl Iterator<Item = Vec<&'static str>> {
        self.dl_qualifiers
            .into_iter()
            .flat_map(|q| q.split('|'))
            .map(|seq| seq.split(',').filter(|s| !s.is_empty()).collect())
    }
}

/// The definition of `ai`, if it is a known AI.
pub fn lookup(ai: &str) -> Option<&'static AiDef> {
    if !(2..=4).contains(&ai.len()) || !ai.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    TABLE.iter().find(|d| d.covers(ai))
}

/// What is wrong with an AI value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValueProblem {
    Empty,
    TooShort {
        min: usize,
        found: usize,
    },
    TooLong {
        max: usize,
        found: usize,
    },
    /// Between the shortest and longest value, but a component is cut short (e.g. 4 digits
    /// for a list of 3-digit country codes).
    LengthInvalid {
        found: usize,
    },
    /// A character outside the component's character set (or bad CSET 64 padding).
    Charset {
        cset: Cset,
        position: usize,
        found: char,
        kind: LintKind,
    },
    Lint {
        linter: Linter,
        position: usize,
        kind: LintKind,
    },
}

impl ValueProblem {
    /// The error name the GS1 Syntax Engine uses for this problem.
    pub fn code(&self) -> &'static str {
        match self {
            ValueProblem::Empty => "EMPTY_VALUE",
            ValueProblem::TooShort { .. } => "VALUE_TOO_SHORT",
            ValueProblem::TooLong { .. } => "VALUE_TOO_LONG",
            ValueProblem::LengthInvalid { .. } => "VALUE_LENGTH_INVALID",
            ValueProblem::Charset { kind, .. } | ValueProblem::Lint { kind, .. } => kind.code(),
        }
    }
}

impl fmt::Display for ValueProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueProblem::Empty => f.write_str("the value is empty"),
            ValueProblem::TooShort { min, found } => write!(
                f,
                "the value is too short: at least {min} characters, found {found}"
            ),
            ValueProblem::TooLong { max, found } => write!(
                f,
                "the value is too long: at most {max} characters, found {found}"
            ),
            ValueProblem::LengthInvalid { found } => write!(
                f,
                "the value has an invalid length ({found} characters): a component is incomplete"
            ),
            ValueProblem::Charset {
                cset,
                position,
                kind: LintKind::InvalidCset64Padding,
                ..
            } => write!(
                f,
                "invalid '=' padding at position {position} ({cset} only)"
            ),
            ValueProblem::Charset {
                cset,
                position,
                found,
                ..
            } => write!(
                f,
                "character {found:?} at position {position} is not allowed ({cset} only)"
            ),
            ValueProblem::Lint { position, kind, .. } => {
                write!(f, "{kind} (at position {position})")
            }
        }
    }
}

/// An AI value that breaks its AI's format.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub struct ValueError {
    pub ai: String,
    pub title: &'static str,
    pub value: String,
    pub problem: ValueProblem,
    /// The offending characters: 0-based character offsets `start..end` in the value.
    pub start: usize,
    pub end: usize,
    /// Where the component holding the error ends (for error markup).
    pub component_end: usize,
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AI ({})", self.ai)?;
        if !self.title.is_empty() {
            write!(f, " {}", self.title)?;
        }
        write!(f, ": {}", self.problem)
    }
}

impl ValueError {
    /// The GS1 Syntax Engine's error name.
    pub fn code(&self) -> &'static str {
        self.problem.code()
    }

    /// `(AI)value` up to the end of the faulty component, with the offending characters
    /// between `|` marks: `(8001)1|X|34`.
    pub fn markup(&self) -> String {
        let chars: Vec<char> = self.value.chars().collect();
        let end = self.component_end.min(chars.len());
        let start = self.start.min(end);
        let stop = self.end.clamp(start, end);
        let text = |r: std::ops::Range<usize>| chars[r].iter().collect::<String>();
        format!(
            "({}){}|{}|{}",
            self.ai,
            text(0..start),
            text(start..stop),
            text(stop..end)
        )
    }
}

/// Checks `value` against the format of `def` (for the AI `ai` in its range): the overall
/// length, then component by component its character set and content rules.
pub fn validate_value(def: &AiDef, ai: &str, value: &str) -> Result<(), ValueError> {
    let chars: Vec<char> = value.chars().collect();
    let total = chars.len();
    let error =
        |problem: ValueProblem, start: usize, end: usize, component_end: usize| ValueError {
            ai: ai.to_owned(),
            title: def.title,
            value: value.to_owned(),
            problem,
            start,
            end,
            component_end,
        };
    if total == 0 {
        return Err(error(ValueProblem::Empty, 0, 0, 0));
    }
    let (min_len, max_len) = def.length_bounds();
    if total < min_len {
        return Err(error(
            ValueProblem::TooShort {
                min: min_len,
                found: total,
            },
            0,
            total,
            total,
        ));
    }
    if total > max_len {
        return Err(error(
            ValueProblem::TooLong {
                max: max_len,
                found: total,
            },
            0,
            total,
            total,
        ));
    }
    // Split the value into its components first, so that every length error comes before
    // any character error, as in the GS1 Syntax Engine.
    let mut spans = Vec::with_capacity(def.components.len());
    let mut pos = 0;
    for comp in def.components {
        let remaining = total - pos;
        if remaining == 0 && comp.optional {
            break;
        }
        if remaining < usize::from(comp.min) {
            return Err(error(
                ValueProblem::LengthInvalid { found: total },
                0,
                total,
                total,
            ));
        }
        let take = remaining.min(usize::from(comp.max));
        spans.push((comp, pos, pos + take));
        pos += take;
    }
    if pos < total {
        return Err(error(
            ValueProblem::LengthInvalid { found: total },
            0,
            total,
            total,
        ));
    }
    for &(comp, start, end) in &spans {
        let part: String = chars[start..end].iter().collect();
        if let Err(e) = lint::check_cset(comp.cset, &part) {
            return Err(error(
                ValueProblem::Charset {
                    cset: comp.cset,
                    position: start + e.start + 1,
                    found: chars.get(start + e.start).copied().unwrap_or('='),
                    kind: e.kind,
                },
                start + e.start,
                start + e.end,
                end,
            ));
        }
        for &linter in comp.linters {
            if let Err(e) = lint::lint(linter, &part) {
                return Err(error(
                    ValueProblem::Lint {
                        linter,
                        position: start + e.start + 1,
                        kind: e.kind,
                    },
                    start + e.start,
                    start + e.end,
                    end,
                ));
            }
        }
    }
    Ok(())
}

/// The length of an AI not in the table, from the AIs in the table that share its first two
/// digits (GS1 allocates AI lengths by those two digits). `None` when no known AI starts with
/// them, so the length cannot be known.
pub fn ai_length_by_prefix(two_digits: &str) -> Option<usize> {
    if two_digits.len() != 2 {
        return None;
    }
    TABLE
        .iter()
        .find(|d| &d.ai[..2] <= two_digits && two_digits <= &d.last[..2])
        .map(|d| d.ai.len())
}

/// The format assumed for an AI not in the table when unknown AIs are permitted: up to 90
/// characters of CSET 82, with a separator after it.
pub static UNKNOWN_AI: AiDef = AiDef::new("", "", &[Component::upto(Cset::Cset82, 90)], "");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_finds_single_ais_and_ranges() {
        assert_eq!(lookup("01").unwrap().title, "GTIN");
        assert!(lookup("1").is_none());
        assert!(lookup("0x").is_none());
        assert!(lookup("99999").is_none());
    }

    #[test]
    fn gtin_value_rules() {
        let def = lookup("01").unwrap();
        assert!(validate_value(def, "01", "09521141012345").is_ok());
        let err = validate_value(def, "01", "09521141012346").unwrap_err();
        assert_eq!(
            err.to_string(),
            "AI (01) GTIN: check digit: expected 5, found 6 (at position 14)"
        );
        assert_eq!((err.start, err.end), (13, 14));
        let err = validate_value(def, "01", "0952114101234").unwrap_err();
        assert!(matches!(
            err.problem,
            ValueProblem::TooShort { min: 14, .. }
        ));
        let err = validate_value(def, "01", "095211410123456").unwrap_err();
        assert!(matches!(err.problem, ValueProblem::TooLong { max: 14, .. }));
        let err = validate_value(def, "01", "0952114101234A").unwrap_err();
        assert!(matches!(
            err.problem,
            ValueProblem::Charset { position: 14, .. }
        ));
    }

    #[test]
    fn serial_is_cset82_up_to_20() {
        let def = lookup("21").unwrap();
        assert!(validate_value(def, "21", "A/B!\"%&'()*+,-.:;<=>?_z").is_err()); // 23 chars
        assert!(validate_value(def, "21", "A/B!\"%&'()*+,-.:;<=>").is_ok());
        let err = validate_value(def, "21", "AB#").unwrap_err();
        assert_eq!(
            err.to_string(),
            "AI (21) SERIAL: character '#' at position 3 is not allowed (GS1 character set 82 only)"
        );
        assert_eq!(err.markup(), "(21)AB|#|");
        assert_eq!(
            validate_value(def, "21", "").unwrap_err().problem,
            ValueProblem::Empty
        );
    }

    #[test]
    fn optional_components_may_be_left_out() {
        let def = lookup("8003").unwrap();
        assert!(validate_value(def, "8003", "00614141000418").is_ok());
        assert!(validate_value(def, "8003", "00614141000418ABC").is_ok());
        let err = validate_value(def, "8003", "10614141000418").unwrap_err();
        assert!(matches!(
            err.problem,
            ValueProblem::Lint {
                linter: Linter::Zero,
                ..
            }
        ));
    }

    #[test]
    fn lengths_by_prefix() {
        assert_eq!(ai_length_by_prefix("23"), Some(3));
        assert_eq!(ai_length_by_prefix("99"), Some(2));
        assert_eq!(ai_length_by_prefix("31"), Some(4));
        assert_eq!(ai_length_by_prefix("89"), None);
        assert_eq!(ai_length_by_prefix("9"), None);
    }

    #[test]
    fn qualifier_sequences_split() {
        let gtin = lookup("01").unwrap();
        let seqs: Vec<_> = gtin.qualifier_sequences().collect();
        assert_eq!(seqs, vec![vec!["22", "10", "21"], vec!["235"]]);
        let sscc = lookup("00").unwrap();
        assert_eq!(
            sscc.qualifier_sequences().collect::<Vec<_>>(),
            vec![Vec::<&str>::new()]
        );
        assert_eq!(lookup("10").unwrap().qualifier_sequences().count(), 0);
    }
}
