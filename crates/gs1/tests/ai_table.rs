//! The AI table written in `src/ai/table.rs` agrees, entry by entry, with the GS1 Barcode
//! Syntax Dictionary (read in place from `shared/standards/gs1`).

mod common;

use lotrace_gs1::ai::{self, AiDef, Linter};

/// One dictionary line, taken apart.
#[derive(Debug)]
struct DictEntry {
    first: String,
    last: String,
    flags: String,
    /// (type letter, min, max, optional, linter names)
    components: Vec<(char, u8, u8, bool, Vec<String>)>,
    requires: Vec<String>,
    excludes: Option<String>,
    dlpkey: Option<String>,
    title: String,
}

fn parse_component(spec: &str) -> (char, u8, u8, bool, Vec<String>) {
    let mut parts = spec.split(',');
    let mut ty = parts.next().unwrap().to_owned();
    let optional = ty.starts_with('[');
    if optional {
        ty = ty.trim_start_matches('[').trim_end_matches(']').to_owned();
    }
    let letter = ty.chars().next().unwrap();
    let len = &ty[1..];
    let (min, max) = match len.strip_prefix("..") {
        Some(max) => (1, max.parse().unwrap()),
        None => {
            let n = len.parse().unwrap();
            (n, n)
        }
    };
    (
        letter,
        min,
        max,
        optional,
        parts.map(str::to_owned).collect(),
    )
}

fn parse_dictionary(text: &str) -> Vec<DictEntry> {
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (body, title) = match line.split_once('#') {
            Some((b, t)) => (b, t.trim().to_owned()),
            None => (line, String::new()),
        };
        let mut tokens = body.split_whitespace().peekable();
        let range = tokens.next().unwrap();
        let (first, last) = range.split_once('-').unwrap_or((range, range));
        let flags = match tokens.peek() {
            Some(t) if t.chars().all(|c| "*?".contains(c)) => tokens.next().unwrap().to_owned(),
            _ => String::new(),
        };
        let mut entry = DictEntry {
            first: first.to_owned(),
            last: last.to_owned(),
            flags,
            components: Vec::new(),
            requires: Vec::new(),
            excludes: None,
            dlpkey: None,
            title,
        };
        for token in tokens {
            if let Some(r) = token.strip_prefix("req=") {
                entry.requires.push(r.to_owned());
            } else if let Some(e) = token.strip_prefix("ex=") {
                entry.excludes = Some(e.to_owned());
            } else if token == "dlpkey" {
                entry.dlpkey = Some(String::new());
            } else if let Some(k) = token.strip_prefix("dlpkey=") {
                entry.dlpkey = Some(k.to_owned());
            } else {
                entry.components.push(parse_component(token));
            }
        }
        out.push(entry);
    }
    out
}

fn describe(def: &AiDef) -> String {
    format!(
        "({}{})",
        def.ai,
        if def.ai == def.last {
            String::new()
        } else {
            format!("-{}", def.last)
        }
    )
}

#[test]
fn table_matches_the_syntax_dictionary() {
    let Some(dir) = common::gs1_dir() else {
        return;
    };
    let text = std::fs::read_to_string(dir.join("gs1-syntax-dictionary.txt")).unwrap();
    let dictionary = parse_dictionary(&text);
    assert!(dictionary.len() > 200, "expected the whole dictionary");
    let mut problems = Vec::new();
    for entry in &dictionary {
        let Some(def) = ai::TABLE
            .iter()
            .find(|d| d.ai == entry.first && d.last == entry.last)
        else {
            problems.push(format!(
                "({}-{}) missing from the table",
                entry.first, entry.last
            ));
            continue;
        };
        let name = describe(def);
        if def.fixed_length != entry.flags.contains('*') {
            problems.push(format!("{name}: predefined-length flag differs"));
        }
        if def.dl_attribute != entry.flags.contains('?') {
            problems.push(format!("{name}: Digital Link attribute flag differs"));
        }
        if def.title != entry.title {
            problems.push(format!(
                "{name}: title {:?} vs {:?}",
                def.title, entry.title
            ));
        }
        let ours: Vec<(char, u8, u8, bool, Vec<String>)> = def
            .components
            .iter()
            .map(|c| {
                let names = c
                    .linters
                    .iter()
                    .map(|l| Linter::name(*l).to_owned())
                    .collect();
                (c.cset.letter(), c.min, c.max, c.optional, names)
            })
            .collect();
        if ours != entry.components {
            problems.push(format!(
                "{name}: components {ours:?} vs {:?}",
                entry.components
            ));
        }
        let requires: Vec<String> = def
            .requires
            .iter()
            .flatten()
            .map(|s| s.to_string())
            .collect();
        if requires != entry.requires {
            problems.push(format!("{name}: req {requires:?} vs {:?}", entry.requires));
        }
        if def.excludes.map(str::to_owned) != entry.excludes {
            problems.push(format!(
                "{name}: ex {:?} vs {:?}",
                def.excludes, entry.excludes
            ));
        }
        if def.dl_qualifiers.map(str::to_owned) != entry.dlpkey {
            problems.push(format!(
                "{name}: dlpkey {:?} vs {:?}",
                def.dl_qualifiers, entry.dlpkey
            ));
        }
    }
    if ai::TABLE.len() != dictionary.len() {
        problems.push(format!(
            "the table has {} entries, the dictionary {}",
            ai::TABLE.len(),
            dictionary.len()
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn table_is_in_ai_order_and_ranges_do_not_overlap() {
    for pair in ai::TABLE.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        assert!(a.ai <= a.last, "{}", describe(a));
        // Lexical order of the first AI, as in the dictionary.
        assert!(a.ai < b.ai, "{} before {}", describe(a), describe(b));
    }
    // No AI is a prefix of another: a reader can tell where an AI ends.
    for a in ai::TABLE {
        for b in ai::TABLE {
            if std::ptr::eq(a, b) {
                continue;
            }
            for code in [a.ai, a.last] {
                assert!(
                    !(code.len() < b.ai.len() && b.ai.starts_with(code)),
                    "{} is a prefix of {}",
                    describe(a),
                    describe(b)
                );
            }
        }
    }
}

#[test]
fn every_ai_in_the_vectors_is_known_or_meant_to_be_unknown() {
    let Some(dir) = common::gs1_dir() else {
        return;
    };
    for row in common::jsonl_rows(&dir.join("vectors.jsonl")) {
        let expected = common::json_field(&row, "expected_ais").unwrap_or_default();
        let options = common::json_field(&row, "options").unwrap_or_default();
        if options.contains("permitUnknownAIs") {
            continue;
        }
        let mut rest = expected.as_str();
        while let Some(open) = rest.find('(') {
            // Skip escaped "\(" inside values.
            if open > 0 && rest.as_bytes()[open - 1] == b'\\' {
                rest = &rest[open + 1..];
                continue;
            }
            let Some(close) = rest[open..].find(')') else {
                break;
            };
            let code = &rest[open + 1..open + close];
            if code.bytes().all(|b| b.is_ascii_digit()) && (2..=4).contains(&code.len()) {
                assert!(ai::lookup(code).is_some(), "AI ({code}) in {expected}");
            }
            rest = &rest[open + close..];
        }
    }
}
