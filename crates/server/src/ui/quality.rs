//! The quality page: holds, failed inspections and recalls by supplier, product, line or
//! period, as a table and a bar chart. The chart is an SVG drawn here (no script): one row
//! per group, one bar per measure, every bar labelled with its figure, so it reads without
//! colour and without a mouse; the table below it has every figure.

use std::fmt::Write;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use lotrace_app::quality::{GroupBy, QualityReport, QualityRow};

use super::{Layout, explain, render};
use crate::AppState;
use crate::analytics_api::quality_params;

/// The most groups the chart draws; the table lists them all.
pub const MAX_CHART_GROUPS: usize = 40;
/// The chart's coordinate width: one unit is one CSS pixel on a 360 px phone.
const CHART_W: u32 = 360;
/// The longest bar, leaving room for its figure.
const BAR_MAX_W: u32 = 290;
const BAR_H: u32 = 8;
const BAR_GAP: u32 = 3;
const LABEL_H: u32 = 16;
const GROUP_GAP: u32 = 10;
const LEGEND_H: u32 = 26;
/// The longest group label drawn, in characters (the table has the whole name).
const MAX_LABEL_CHARS: usize = 48;

/// The measures the chart draws: CSS class, colour, legend, what one unit is.
const SERIES: [(&str, &str, &str, &str); 3] = [
    ("holds", "#9a5b00", "Holds placed", "holds placed"),
    (
        "failed",
        "#b3261e",
        "Failed inspections",
        "failed inspections",
    ),
    ("recalls", "#14324f", "Recalls", "recalls"),
];

/// One table row, figures as shown.
struct RowView {
    group: String,
    label: String,
    holds_placed: u32,
    holds_released: u32,
    inspections: u32,
    inspections_failed: u32,
    failure_rate: String,
    recalls: u32,
    drills: u32,
    recall_lots: u32,
}

impl RowView {
    fn of(r: &QualityRow) -> RowView {
        RowView {
            group: r.group.clone(),
            label: r.label.clone(),
            holds_placed: r.holds_placed,
            holds_released: r.holds_released,
            inspections: r.inspections,
            inspections_failed: r.inspections_failed,
            failure_rate: r
                .failure_rate_percent
                .map_or_else(|| "–".to_owned(), |p| format!("{p:.1} %")),
            recalls: r.recalls,
            drills: r.drills,
            recall_lots: r.recall_lots,
        }
    }
}

#[derive(Template)]
#[template(path = "quality.html")]
struct QualityPage {
    layout: Layout,
    from: String,
    to: String,
    by: String,
    period: String,
    /// The field an error names.
    invalid: String,
    /// "Supplier", "Product", "Line", "Period".
    group_heading: String,
    /// Is there an answer to show (no error)?
    answered: bool,
    /// Nothing happened in the range.
    empty: bool,
    rows: Vec<RowView>,
    total: Option<RowView>,
    chart: String,
    chart_note: String,
    /// The query of the CSV and JSON links, HTML-escaped (rendered as is).
    query: String,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn what(by: GroupBy) -> &'static str {
    match by {
        GroupBy::Supplier => "supplier",
        GroupBy::Product => "product",
        GroupBy::Line => "production line",
        GroupBy::Period => "period",
    }
}

/// The rows the chart draws: all when they fit; else the latest periods, or the groups
/// with the most holds, failed inspections and recalls (kept in table order).
fn charted(report: &QualityReport) -> Vec<&QualityRow> {
    let rows = &report.rows;
    if rows.len() <= MAX_CHART_GROUPS {
        return rows.iter().collect();
    }
    if report.by == GroupBy::Period {
        return rows[rows.len() - MAX_CHART_GROUPS..].iter().collect();
    }
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(rows[i].problems()), i));
    order.truncate(MAX_CHART_GROUPS);
    order.sort();
    order.into_iter().map(|i| &rows[i]).collect()
}

/// The chart's SVG: a legend, then per group its label and three labelled bars.
pub fn chart_svg(report: &QualityReport, rows: &[&QualityRow]) -> String {
    let values = |r: &QualityRow| [r.holds_placed, r.inspections_failed, r.recalls];
    let max = rows
        .iter()
        .flat_map(|r| values(r))
        .max()
        .unwrap_or(0)
        .max(1);
    let group_h = LABEL_H + 3 * (BAR_H + BAR_GAP) + GROUP_GAP;
    let height = LEGEND_H + group_h * rows.len() as u32;
    let title = format!(
        "Holds placed, failed inspections and recalls by {}, {} to {}",
        what(report.by),
        report.from,
        report.to
    );
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="quality-chart" viewBox="0 0 {CHART_W} {height}" role="img" aria-labelledby="quality-chart-title quality-chart-desc" font-family="system-ui, sans-serif" font-size="13">"#
    );
    let _ = write!(
        s,
        r#"<title id="quality-chart-title">{}</title><desc id="quality-chart-desc">One row per {}, with three bars: holds placed, failed inspections, recalls; each bar is labelled with its figure. The table below has every figure.</desc>"#,
        escape(&title),
        what(report.by)
    );
    // The legend: three swatches with their names.
    let mut x = 0;
    for (class, colour, legend, _) in SERIES {
        let _ = write!(
            s,
            r#"<rect class="swatch {class}" x="{x}" y="4" width="10" height="10" fill="{colour}"/><text x="{}" y="13" font-size="12">{legend}</text>"#,
            x + 14
        );
        // About 6.5 units a character at 12 units: room for the name, then a gap.
        x += 14 + legend.len() as u32 * 13 / 2 + 14;
    }
    for (i, row) in rows.iter().enumerate() {
        let top = LEGEND_H + group_h * i as u32;
        let label: String = row.label.chars().take(MAX_LABEL_CHARS).collect();
        let label = if label.is_empty() { "(none)" } else { &label };
        let _ = write!(
            s,
            r#"<text class="group" x="0" y="{}" font-weight="600">{}</text>"#,
            top + LABEL_H - 4,
            escape(label)
        );
        for (k, ((class, colour, _, unit), value)) in SERIES.iter().zip(values(row)).enumerate() {
            let y = top + LABEL_H + k as u32 * (BAR_H + BAR_GAP);
            let w = u64::from(value) * u64::from(BAR_MAX_W) / u64::from(max);
            let _ = write!(
                s,
                r#"<rect class="bar {class}" data-group="{}" x="0" y="{y}" width="{w}" height="{BAR_H}" fill="{colour}"><title>{}: {value} {unit}</title></rect><text class="value" x="{}" y="{}" font-size="11">{value}</text>"#,
                escape(&row.group),
                escape(label),
                w + 4,
                y + BAR_H,
            );
        }
    }
    s.push_str("</svg>");
    s
}

pub async fn page(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let typed = |key: &str| {
        pairs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let mut view = QualityPage {
        layout: Layout::new("/quality"),
        from: typed("from"),
        to: typed("to"),
        by: typed("by"),
        period: typed("period"),
        invalid: String::new(),
        group_heading: String::new(),
        answered: false,
        empty: true,
        rows: Vec::new(),
        total: None,
        chart: String::new(),
        chart_note: String::new(),
        query: String::new(),
    };
    let answer = match quality_params(&pairs) {
        Ok((request, _)) => state.app.quality(&request).await.map_err(|e| explain(&e)),
        Err(e) => {
            let field = match &e {
                lotrace_core::DomainError::Field { field, .. } => Some(field.clone()),
                _ => None,
            };
            Err((e.to_string(), field))
        }
    };
    let report = match answer {
        Ok(r) => r,
        Err((message, field)) => {
            view.layout = view.layout.error(message);
            view.invalid = field.unwrap_or_default();
            return render(&view, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    view.from = report.from.to_string();
    view.to = report.to.to_string();
    view.by = report.by.as_str().to_owned();
    view.period = report.period.as_str().to_owned();
    view.group_heading = match report.by {
        GroupBy::Supplier => "Supplier",
        GroupBy::Product => "Product",
        GroupBy::Line => "Line",
        GroupBy::Period => "Period",
    }
    .to_owned();
    // Written for the href as is: dates and words of our own, `&` already escaped.
    view.query = format!(
        "from={}&amp;to={}&amp;by={}&amp;period={}",
        view.from, view.to, view.by, view.period
    );
    let t = &report.total;
    view.empty = t.holds_placed + t.holds_released + t.inspections + t.recalls + t.drills == 0;
    view.answered = true;
    if !view.empty {
        let drawn = charted(&report);
        if drawn.len() < report.rows.len() {
            view.chart_note = format!(
                "The chart shows {} of the {} {}s (the {}); the table lists them all.",
                drawn.len(),
                report.rows.len(),
                what(report.by),
                if report.by == GroupBy::Period {
                    "latest"
                } else {
                    "ones with the most holds, failed inspections and recalls"
                }
            );
        }
        view.chart = chart_svg(&report, &drawn);
        view.rows = report.rows.iter().map(RowView::of).collect();
        view.total = Some(RowView::of(&report.total));
    }
    render(&view, StatusCode::OK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lotrace_app::quality::Period;

    fn row(group: &str, holds: u32, failed: u32, recalls: u32) -> QualityRow {
        QualityRow {
            group: group.into(),
            label: format!("<{group}>"),
            holds_placed: holds,
            inspections: failed,
            inspections_failed: failed,
            recalls,
            ..QualityRow::default()
        }
    }

    fn report(rows: Vec<QualityRow>) -> QualityReport {
        QualityReport {
            from: "2026-11-01".parse().unwrap(),
            to: "2026-11-30".parse().unwrap(),
            by: GroupBy::Supplier,
            period: Period::Day,
            utc_offset: "+00:00".into(),
            rows,
            total: QualityRow::default(),
        }
    }

    #[test]
    fn the_chart_has_a_bar_per_group_and_measure_scaled_to_the_largest() {
        let r = report(vec![row("A", 4, 1, 0), row("B", 2, 0, 1)]);
        let rows = charted(&r);
        let svg = chart_svg(&r, &rows);
        assert_eq!(svg.matches(r#"class="bar holds""#).count(), 2);
        assert_eq!(svg.matches(r#"class="bar failed""#).count(), 2);
        assert_eq!(svg.matches(r#"class="group""#).count(), 2);
        // Labels are escaped; the largest figure has the longest bar.
        assert!(svg.contains("&lt;A&gt;"), "{svg}");
        assert!(
            svg.contains(&format!(
                r#"data-group="A" x="0" y="42" width="{BAR_MAX_W}""#
            )),
            "{svg}"
        );
        assert!(svg.contains("<title>&lt;B&gt;: 1 recalls</title>"), "{svg}");
    }

    #[test]
    fn a_long_list_charts_the_groups_with_most_problems_in_table_order() {
        let rows: Vec<QualityRow> = (0..MAX_CHART_GROUPS + 5)
            .map(|i| row(&format!("G{i:03}"), (i % 7) as u32, 0, 0))
            .collect();
        let r = report(rows);
        let drawn = charted(&r);
        assert_eq!(drawn.len(), MAX_CHART_GROUPS);
        assert!(drawn.windows(2).all(|w| w[0].group < w[1].group));
        // The ones left out have no more problems than any drawn.
        let least = drawn.iter().map(|r| r.problems()).min().unwrap();
        let left_out = r
            .rows
            .iter()
            .filter(|row| !drawn.iter().any(|d| d.group == row.group));
        assert!(left_out.into_iter().all(|row| row.problems() <= least));
    }
}
