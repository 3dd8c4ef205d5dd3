//! Helpers shared by the tests that read the public standards data in place.

#![allow(dead_code)]

use std::path::PathBuf;

/// `shared/standards/gs1`, or `None` (after printing why) when it is not there.
pub fn gs1_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/standards/gs1");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipped: {} not found", dir.display());
        None
    }
}

/// The value of `key` in one flat JSON object of string values (the JSONL rows of the
/// standards data are all of that shape). A tiny reader, so the tests need no JSON crate.
pub fn json_field(line: &str, key: &str) -> Option<String> {
    let needle = format!("\"{key}\": ");
    let start = line.find(&needle)? + needle.len();
    let rest = &line[start..];
    if !rest.starts_with('"') {
        return None;
    }
    let mut out = String::new();
    let mut chars = rest[1..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                'u' => {
                    let hex: String = chars.by_ref().take(4).collect();
                    let mut code = u32::from_str_radix(&hex, 16).ok()?;
                    // A surrogate pair encodes one character beyond the BMP.
                    if (0xD800..0xDC00).contains(&code) {
                        let mut next = chars.clone();
                        if next.next() == Some('\\') && next.next() == Some('u') {
                            let low: String = next.by_ref().take(4).collect();
                            let low = u32::from_str_radix(&low, 16).ok()?;
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                            chars = next;
                        }
                    }
                    out.push(char::from_u32(code)?);
                }
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

/// Every row of a JSONL file as a list of its lines.
pub fn jsonl_rows(path: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

/// Splits an error markup such as `20*13*10` for the input `201310` into the span it marks
/// (character offsets), or `None` if the markup does not fit the input.
pub fn markup_span(input: &str, markup: &str) -> Option<(usize, usize)> {
    let input: Vec<char> = input.chars().collect();
    let markup: Vec<char> = markup.chars().collect();
    if markup.len() != input.len() + 2 {
        return None;
    }
    for start in 0..=input.len() {
        if markup[..start] != input[..start] || markup[start] != '*' {
            continue;
        }
        // Prefer the longest span: `***` for the input `*` marks the `*`.
        for end in (start..=input.len()).rev() {
            let close = end + 1;
            if markup[start + 1..close] == input[start..end]
                && markup[close] == '*'
                && markup[close + 1..] == input[end..]
            {
                return Some((start, end));
            }
        }
    }
    None
}
