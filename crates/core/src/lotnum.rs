//! Lot-number templates such as `{yy}{doy:03}-{line}-{seq:03}`.
//!
//! Tokens: `{yyyy}` `{yy}` `{mm}` `{dd}` `{doy}` (day of year, 3 digits) `{hh}` (hour)
//! `{shift}` (1 = 06-14 h, 2 = 14-22 h, 3 = 22-06 h) `{line}` `{site}` `{product}` and
//! `{seq}` / `{seq:0N}` (a counter, zero-padded to N digits).
//!
//! A sequence resets whenever the rest of the lot number changes: its counter is keyed by
//! the template rendered without the sequence, so `{yy}{doy:03}-{line}-{seq:03}` counts per
//! day and line. A template without `{seq}` is time-sliced: every production in the same
//! window (same shift, same hour, ...) goes into the same lot.
//! During the night shift (22-06 h), date tokens name the day the shift started.

use std::fmt::Write;

use jiff::civil::DateTime;

/// Longest template accepted, in characters.
pub const MAX_TEMPLATE_CHARS: usize = 64;
/// The hour at which shift 1 starts; shifts are 8 hours.
const FIRST_SHIFT_START_HOUR: i8 = 6;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Literal(String),
    Year4,
    Year2,
    Month,
    Day,
    DayOfYear,
    Hour,
    Shift,
    Line,
    Site,
    Product,
    Seq { width: usize },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

/// What a lot number is made from, besides the sequence.
#[derive(Clone, Debug)]
pub struct LotContext<'a> {
    /// Local civil time at the site.
    pub time: DateTime,
    pub line: &'a str,
    pub site: &'a str,
    pub product: &'a str,
}

impl Template {
    pub fn parse(text: &str) -> Result<Template, String> {
        if text.is_empty() || text.chars().count() > MAX_TEMPLATE_CHARS {
            return Err(format!(
                "a template has 1 to {MAX_TEMPLATE_CHARS} characters"
            ));
        }
        let mut parts = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('{') {
                let end = after
                    .find('}')
                    .ok_or_else(|| format!("unclosed '{{' in template {text:?}"))?;
                parts.push(parse_token(&after[..end])?);
                rest = &after[end + 1..];
            } else {
                let end = rest.find('{').unwrap_or(rest.len());
                let literal = &rest[..end];
                if literal.contains('}') {
                    return Err(format!("unmatched '}}' in template {text:?}"));
                }
                crate::master::check_lot_code("lot_template", literal)
                    .map_err(|e| e.to_string())?;
                parts.push(Part::Literal(literal.to_owned()));
                rest = &rest[end..];
            }
        }
        if parts
            .iter()
            .filter(|p| matches!(p, Part::Seq { .. }))
            .count()
            > 1
        {
            return Err("a template has at most one {seq}".into());
        }
        Ok(Template { parts })
    }

    pub fn has_sequence(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Seq { .. }))
    }

    /// The counter key: the lot number with the sequence left out. Same key, same counter.
    pub fn sequence_key(&self, ctx: &LotContext) -> String {
        self.render_with(ctx, |out, _| out.push('#'))
    }

    /// The lot number for this context and sequence value (ignored without `{seq}`).
    pub fn render(&self, ctx: &LotContext, seq: u64) -> String {
        self.render_with(ctx, |out, width| {
            let _ = write!(out, "{seq:0width$}");
        })
    }

    fn render_with(&self, ctx: &LotContext, mut seq: impl FnMut(&mut String, usize)) -> String {
        let shift = shift_of(ctx.time);
        // The night shift's early hours belong to the day the shift started.
        let date = if self.parts.contains(&Part::Shift) && ctx.time.hour() < FIRST_SHIFT_START_HOUR
        {
            ctx.time.date().yesterday().unwrap_or(ctx.time.date())
        } else {
            ctx.time.date()
        };
        let mut out = String::new();
        for part in &self.parts {
            let _ = match part {
                Part::Literal(s) => write!(out, "{s}"),
                Part::Year4 => write!(out, "{:04}", date.year()),
                Part::Year2 => write!(out, "{:02}", date.year().rem_euclid(100)),
                Part::Month => write!(out, "{:02}", date.month()),
                Part::Day => write!(out, "{:02}", date.day()),
                Part::DayOfYear => write!(out, "{:03}", date.day_of_year()),
                Part::Hour => write!(out, "{:02}", ctx.time.hour()),
                Part::Shift => write!(out, "{shift}"),
                Part::Line => write!(out, "{}", ctx.line),
                Part::Site => write!(out, "{}", ctx.site),
                Part::Product => write!(out, "{}", ctx.product),
                Part::Seq { width } => {
                    seq(&mut out, *width);
                    Ok(())
                }
            };
        }
        out
    }

    /// A matcher for lot numbers typed by hand: they must have the template's shape.
    pub fn pattern(&self) -> regex::Regex {
        let mut re = String::from("^");
        for part in &self.parts {
            let piece = match part {
                Part::Literal(s) => regex::escape(s),
                Part::Year4 => r"\d{4}".into(),
                Part::Year2 | Part::Hour => r"\d{2}".into(),
                Part::Month => "(0[1-9]|1[0-2])".into(),
                Part::Day => "(0[1-9]|[12][0-9]|3[01])".into(),
                Part::DayOfYear => r"(00[1-9]|0[1-9]\d|[12]\d{2}|3[0-5]\d|36[0-6])".into(),
                Part::Shift => "[1-3]".into(),
                Part::Line | Part::Site | Part::Product => "[A-Za-z0-9._-]+".into(),
                Part::Seq { width } => format!(r"\d{{{},}}", (*width).max(1)),
            };
            re.push_str(&piece);
        }
        re.push('$');
        regex::Regex::new(&re).expect("patterns built from parsed templates are valid")
    }

    /// Checks a lot number given by hand against the template.
    pub fn check(&self, lot: &str, template_text: &str) -> Result<(), String> {
        if self.pattern().is_match(lot) {
            Ok(())
        } else {
            Err(format!(
                "lot number {lot:?} does not fit the product's template {template_text:?}"
            ))
        }
    }
}

fn parse_token(token: &str) -> Result<Part, String> {
    let (name, format) = token.split_once(':').unwrap_or((token, ""));
    let part = match name {
        "yyyy" => Part::Year4,
        "yy" => Part::Year2,
        "mm" => Part::Month,
        "dd" => Part::Day,
        "doy" => Part::DayOfYear,
        "hh" => Part::Hour,
        "shift" => Part::Shift,
        "line" => Part::Line,
        "site" => Part::Site,
        "product" => Part::Product,
        "seq" => {
            let width = if format.is_empty() {
                1
            } else {
                format
                    .parse::<usize>()
                    .ok()
                    .filter(|w| (1..=9).contains(w))
                    .ok_or_else(|| {
                        format!("{{seq:{format}}}: the width is 1 to 9 digits, e.g. {{seq:03}}")
                    })?
            };
            return Ok(Part::Seq { width });
        }
        other => {
            return Err(format!(
                "unknown token {{{other}}}; use yyyy, yy, mm, dd, doy, hh, shift, line, site, product or seq"
            ));
        }
    };
    // Only the day of year takes a (fixed) width; accept the familiar `{doy:03}`.
    let allowed = format.is_empty() || (part == Part::DayOfYear && format == "03");
    if !allowed {
        return Err(format!(
            "{{{token}}}: only {{seq:0N}} and {{doy:03}} take a format"
        ));
    }
    Ok(part)
}

fn shift_of(time: DateTime) -> u8 {
    match time.hour() {
        h if (FIRST_SHIFT_START_HOUR..FIRST_SHIFT_START_HOUR + 8).contains(&h) => 1,
        h if (FIRST_SHIFT_START_HOUR + 8..FIRST_SHIFT_START_HOUR + 16).contains(&h) => 2,
        _ => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(time: &str) -> LotContext<'static> {
        LotContext {
            time: time.parse().unwrap(),
            line: "L3",
            site: "PLANT1",
            product: "SALAD",
        }
    }

    #[test]
    fn renders_date_line_and_sequence() {
        let t = Template::parse("{yy}{doy:03}-{line}-{seq:03}").unwrap();
        assert_eq!(t.render(&ctx("2026-03-12T09:30"), 7), "26071-L3-007");
        assert_eq!(t.sequence_key(&ctx("2026-03-12T09:30")), "26071-L3-#");
        assert_ne!(
            t.sequence_key(&ctx("2026-03-12T09:30")),
            t.sequence_key(&ctx("2026-03-13T09:30")),
            "the sequence resets per day"
        );
    }

    #[test]
    fn time_sliced_lots_share_a_window() {
        let t = Template::parse("{yyyy}{mm}{dd}-S{shift}").unwrap();
        assert!(!t.has_sequence());
        assert_eq!(t.render(&ctx("2026-03-12T07:00"), 0), "20260312-S1");
        assert_eq!(t.render(&ctx("2026-03-12T13:59"), 0), "20260312-S1");
        assert_eq!(t.render(&ctx("2026-03-12T14:00"), 0), "20260312-S2");
        // 02:00 on the 13th is still the night shift that began on the 12th.
        assert_eq!(t.render(&ctx("2026-03-12T23:00"), 0), "20260312-S3");
        assert_eq!(t.render(&ctx("2026-03-13T02:00"), 0), "20260312-S3");
        let hourly = Template::parse("{yy}{mm}{dd}{hh}").unwrap();
        assert_eq!(hourly.render(&ctx("2026-03-12T09:59"), 0), "26031209");
    }

    #[test]
    fn typed_lot_numbers_must_fit_the_template() {
        let text = "{yy}{doy:03}-{line}-{seq:03}";
        let t = Template::parse(text).unwrap();
        assert!(t.check("26071-L3-007", text).is_ok());
        assert!(t.check("26071-L3-1234", text).is_ok());
        let e = t.check("26400-L3-007", text).unwrap_err();
        assert!(e.contains("does not fit"), "{e}");
        assert!(t.check("26071-L3-07", text).is_err());
        assert!(t.check("X26071-L3-007", text).is_err());
    }

    #[test]
    fn bad_templates_say_why() {
        assert!(
            Template::parse("{week}")
                .unwrap_err()
                .contains("unknown token")
        );
        assert!(
            Template::parse("{seq}{seq}")
                .unwrap_err()
                .contains("at most one")
        );
        assert!(Template::parse("A{yy").unwrap_err().contains("unclosed"));
        assert!(
            Template::parse("A B{seq}").is_err(),
            "a space cannot be in a lot number"
        );
        assert!(Template::parse("{seq:0}").is_err());
    }
}
