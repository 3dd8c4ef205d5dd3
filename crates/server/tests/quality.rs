//! Quality analytics over HTTP, on a real server with a real SQLite file: a small chain (two
//! suppliers, two products, two lines) with holds, a release, passed and failed inspections,
//! a recall with its hold and a drill, built through the operations; then the figures worked
//! out by hand below, read back as JSON, CSV and the `/quality` page (table and chart).
//!
//! The site is at +02:00 and the events fall on the days before today (site time):
//!
//! | when (site)  | what                                  | lot (supplier, product, line)  |
//! |--------------|---------------------------------------|--------------------------------|
//! | D-3 10:00    | hold                                  | L1 (FARM, LETTUCE, –)          |
//! | D-3 15:00    | release                               | L1                             |
//! | D-2 10:00    | inspection passed                     | L1                             |
//! | D-2 11:00    | inspection failed                     | S1 (–, SALAD, LINE-A)          |
//! | D-1 01:30    | inspection failed (D-2 23:30 UTC)     | L2 (FIELD, LETTUCE, –)         |
//! | D-1 09:00    | inspection passed                     | S2 (–, SALAD, L4: no line given, made at L4) |
//! | D-1 12:00    | hold                                  | S2                             |
//! | now          | recall of L1 (affects L1 and S1), its hold of L1 and S1, a drill of L2 | |

mod common;

use common::TestServer;
use jiff::civil::Date;
use serde_json::{Value, json};

const L1: &str = "https://id.gs1.org/01/00614141123452/10/L1";
const L2: &str = "https://id.gs1.org/01/00614141123452/10/L2";
const OFFSET_MINUTES: i16 = 120;

fn site_today() -> Date {
    let offset = jiff::tz::Offset::from_seconds(i32::from(OFFSET_MINUTES) * 60).unwrap();
    offset.to_datetime(jiff::Timestamp::now()).date()
}

fn day(today: Date, back: i64) -> Date {
    today.checked_sub(jiff::Span::new().days(back)).unwrap()
}

/// An instant at a site-local date and time.
fn at(date: Date, time: &str) -> String {
    format!("{date}T{time}:00+02:00")
}

async fn op(server: &TestServer, name: &str, body: Value) -> Value {
    let (status, answer) = server.post(&format!("/api/v1/ops/{name}"), &body).await;
    assert_eq!(status, 201, "{name}: {answer}");
    answer
}

async fn chain(today: Date) -> TestServer {
    let config = lotrace_app::AppConfig {
        offset: lotrace_epcis::TzOffset {
            minutes: OFFSET_MINUTES,
        },
        ..lotrace_app::AppConfig::default()
    };
    let server = TestServer::start_with(lotrace_server::Limits::default(), config).await;
    server.salad_master_data().await;
    for (kind, body) in [
        (
            "parties",
            json!({ "code": "FIELD", "name": "Sunny Fields", "roles": ["supplier"] }),
        ),
        (
            "locations",
            json!({ "code": "L4", "name": "Line 4", "kind": "zone", "parent": "PLANT" }),
        ),
    ] {
        let (status, answer) = server.post(&format!("/api/v1/master/{kind}"), &body).await;
        assert_eq!(status, 201, "{kind}: {answer}");
    }
    let d5 = at(day(today, 5), "08:00");
    for (lot, supplier) in [("L1", "FARM"), ("L2", "FIELD")] {
        op(
            &server,
            "receive",
            json!({ "product": "LETTUCE", "lot": lot, "supplier": supplier,
                                       "location": "COLD", "quantity": 100, "time": d5 }),
        )
        .await;
    }
    op(
        &server,
        "produce",
        json!({ "product": "SALAD", "lot": "S1", "quantity": 50, "location": "L3",
        "line": "LINE-A", "time": at(day(today, 4), "09:00"),
        "inputs": [{ "product": "LETTUCE", "lot": "L1", "quantity": 30, "location": "COLD" }] }),
    )
    .await;
    op(
        &server,
        "produce",
        json!({ "product": "SALAD", "lot": "S2", "quantity": 40, "location": "L4",
        "time": at(day(today, 4), "10:00"),
        "inputs": [{ "product": "LETTUCE", "lot": "L2", "quantity": 20, "location": "COLD" }] }),
    )
    .await;

    let lot = |product: &str, lot: &str| json!({ "product": product, "lot": lot });
    let with = |mut body: Value, extra: Value| {
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    for (name, body) in [
        (
            "hold",
            with(
                lot("LETTUCE", "L1"),
                json!({ "reason": "supplier audit", "time": at(day(today, 3), "10:00") }),
            ),
        ),
        (
            "release",
            with(
                lot("LETTUCE", "L1"),
                json!({ "reason": "audit passed", "time": at(day(today, 3), "15:00") }),
            ),
        ),
        (
            "inspect",
            with(
                lot("LETTUCE", "L1"),
                json!({ "result": "pass", "time": at(day(today, 2), "10:00") }),
            ),
        ),
        (
            "inspect",
            with(
                lot("SALAD", "S1"),
                json!({ "result": "fail", "time": at(day(today, 2), "11:00") }),
            ),
        ),
        (
            "inspect",
            with(
                lot("LETTUCE", "L2"),
                json!({ "result": "fail", "time": at(day(today, 1), "01:30") }),
            ),
        ),
        (
            "inspect",
            with(
                lot("SALAD", "S2"),
                json!({ "result": "pass", "time": at(day(today, 1), "09:00") }),
            ),
        ),
        (
            "hold",
            with(
                lot("SALAD", "S2"),
                json!({ "reason": "label misprint", "time": at(day(today, 1), "12:00") }),
            ),
        ),
    ] {
        op(&server, name, body).await;
    }
    let (status, recall) = server
        .post(
            "/api/v1/recalls",
            &json!({ "scope": { "kind": "lots", "lots": [L1] }, "reason": "Listeria in L1" }),
        )
        .await;
    assert_eq!(status, 201, "{recall}");
    let (status, held) = server
        .post("/api/v1/recalls/R-00001/hold", &json!({}))
        .await;
    assert_eq!(status, 200, "{held}");
    assert_eq!(held["events"].as_array().unwrap().len(), 2, "{held}");
    let (status, drill) = server
        .post(
            "/api/v1/drills",
            &json!({ "scope": { "kind": "lots", "lots": [L2] } }),
        )
        .await;
    assert_eq!(status, 201, "{drill}");
    server
}

/// The figures of a row: holds placed, released, inspections, failed, failure rate (%),
/// recalls, drills, recall lots.
type Figures = (u64, u64, u64, u64, Option<f64>, u64, u64, u64);

fn figures(row: &Value) -> Figures {
    let n = |k: &str| row[k].as_u64().unwrap_or_else(|| panic!("{k} in {row}"));
    (
        n("holds_placed"),
        n("holds_released"),
        n("inspections"),
        n("inspections_failed"),
        row["failure_rate_percent"].as_f64(),
        n("recalls"),
        n("drills"),
        n("recall_lots"),
    )
}

fn rows_of(answer: &Value) -> Vec<(String, Figures)> {
    answer["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("{answer}"))
        .iter()
        .map(|r| (r["group"].as_str().unwrap().to_owned(), figures(r)))
        .collect()
}

const TOTAL: Figures = (4, 1, 4, 2, Some(50.0), 1, 1, 2);

#[tokio::test]
async fn quality_figures_by_supplier_product_line_and_period() {
    let today = site_today();
    let server = chain(today).await;
    // To tomorrow: a run that crosses midnight keeps the recall inside the range.
    let range = |by: &str| {
        vec![
            ("from".to_owned(), day(today, 6).to_string()),
            ("to".to_owned(), day(today, -1).to_string()),
            ("by".to_owned(), by.to_owned()),
        ]
    };
    let get = |by: &'static str| {
        let query = range(by);
        let server = &server;
        async move {
            let q: Vec<(&str, &str)> = query
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let (status, answer) = server.get("/api/v1/analytics/quality", &q).await;
            assert_eq!(status, 200, "{by}: {answer}");
            answer
        }
    };

    let by_supplier = get("supplier").await;
    assert_eq!(
        rows_of(&by_supplier),
        [
            ("FARM".to_owned(), (2, 1, 1, 0, Some(0.0), 1, 0, 2)),
            ("FIELD".to_owned(), (0, 0, 1, 1, Some(100.0), 0, 1, 0)),
            (String::new(), (2, 0, 2, 1, Some(50.0), 0, 0, 0)),
        ]
    );
    assert_eq!(by_supplier["rows"][0]["label"], "Green Valley (FARM)");
    assert_eq!(by_supplier["rows"][2]["label"], "(no supplier: made here)");
    assert_eq!(figures(&by_supplier["total"]), TOTAL);
    assert_eq!(by_supplier["utc_offset"], "+02:00");
    assert_eq!(by_supplier["by"], "supplier");

    let by_product = get("product").await;
    assert_eq!(
        rows_of(&by_product),
        [
            ("LETTUCE".to_owned(), (2, 1, 2, 1, Some(50.0), 1, 1, 2)),
            ("SALAD".to_owned(), (2, 0, 2, 1, Some(50.0), 0, 0, 0)),
        ]
    );
    assert_eq!(figures(&by_product["total"]), TOTAL);

    // S1's line is the one given at production; S2 was given none: the place it was made.
    let by_line = get("line").await;
    assert_eq!(
        rows_of(&by_line),
        [
            ("L4".to_owned(), (1, 0, 1, 0, Some(0.0), 0, 0, 0)),
            ("LINE-A".to_owned(), (1, 0, 1, 1, Some(100.0), 0, 0, 0)),
            (String::new(), (2, 1, 2, 1, Some(50.0), 1, 1, 2)),
        ]
    );

    // By day, site time: L2's failed inspection at 23:30 UTC counts on the next day.
    let by_day = get("period").await;
    let days = rows_of(&by_day);
    assert_eq!(days.len(), 8, "every day of the range, empty ones too");
    let on = |back: i64| {
        days.iter()
            .find(|(g, _)| *g == day(today, back).to_string())
            .map(|(_, f)| *f)
            .unwrap()
    };
    assert_eq!(on(6), (0, 0, 0, 0, None, 0, 0, 0));
    assert_eq!(on(3), (1, 1, 0, 0, None, 0, 0, 0));
    assert_eq!(on(2), (0, 0, 2, 1, Some(50.0), 0, 0, 0));
    assert_eq!(on(1), (1, 0, 2, 1, Some(50.0), 0, 0, 0));
    assert_eq!(figures(&by_day["total"]), TOTAL);

    // CSV, asked for with Accept: one line per group, then the total.
    let url = reqwest::Url::parse_with_params(
        &server.url("/api/v1/analytics/quality"),
        range("supplier"),
    )
    .unwrap();
    let response = server
        .client
        .get(url)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = response.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines,
        [
            "Supplier,Name,Holds placed,Holds released,Inspections,Failed inspections,Failure rate (%),Recalls,Drills,Recall lots",
            "FARM,Green Valley (FARM),2,1,1,0,0,1,0,2",
            "FIELD,Sunny Fields (FIELD),0,0,1,1,100,0,1,0",
            ",(no supplier: made here),2,0,2,1,50,0,0,0",
            "total,Total,4,1,4,2,50,1,1,2",
        ],
        "{csv}"
    );

    // Bad parameters name the field.
    for (query, field) in [
        (vec![("by", "site")], "by"),
        (vec![("period", "year")], "period"),
        (vec![("from", "yesterday")], "from"),
        (vec![("from", "2025-01-01"), ("to", "2026-06-01")], "to"),
        (vec![("from", "2026-06-02"), ("to", "2026-06-01")], "from"),
        (vec![("lot", "L1")], "lot"),
    ] {
        let (status, problem) = server.get("/api/v1/analytics/quality", &query).await;
        assert_eq!(status, 400, "{query:?}: {problem}");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    server.stop().await;
}

/// The cells of a table row (`<tr data-group="…">`) of the page: its header, then its figures.
fn table_row(html: &str, group: &str) -> Vec<String> {
    let start = html
        .find(&format!(r#"<tr data-group="{group}">"#))
        .unwrap_or_else(|| panic!("no row {group:?} in {html}"));
    let row = &html[start..start + html[start..].find("</tr>").unwrap()];
    row.split("</t")
        .filter_map(|cell| cell.rsplit_once('>').map(|(_, text)| text.to_owned()))
        .filter(|t| !t.is_empty())
        .collect()
}

#[tokio::test]
async fn the_quality_page_shows_the_table_the_chart_and_an_empty_state() {
    let today = site_today();
    let server = chain(today).await;
    let from = day(today, 6).to_string();
    let to = day(today, -1).to_string();
    let (status, html) = server
        .page(&format!("/quality?from={from}&to={to}&by=supplier"))
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains(r#"<a href="/quality" aria-current="page">Quality</a>"#));
    assert_eq!(
        table_row(&html, "FARM"),
        [
            "Green Valley (FARM)",
            "2",
            "1",
            "1",
            "0",
            "0.0 %",
            "1",
            "0",
            "2"
        ]
    );
    assert_eq!(
        table_row(&html, "FIELD"),
        [
            "Sunny Fields (FIELD)",
            "0",
            "0",
            "1",
            "1",
            "100.0 %",
            "0",
            "1",
            "0"
        ]
    );
    assert_eq!(
        table_row(&html, ""),
        [
            "(no supplier: made here)",
            "2",
            "0",
            "2",
            "1",
            "50.0 %",
            "0",
            "0",
            "0"
        ]
    );
    assert_eq!(
        table_row(&html, "total"),
        ["Total", "4", "1", "4", "2", "50.0 %", "1", "1", "2"]
    );
    // The chart: one bar per group for each measure, each group labelled, a title.
    let svg = &html[html.find("<svg").unwrap()..html.find("</svg>").unwrap()];
    assert!(svg.contains(&format!(
        "<title id=\"quality-chart-title\">Holds placed, failed inspections and recalls by supplier, {from} to {to}</title>"
    )));
    for class in ["holds", "failed", "recalls"] {
        assert_eq!(
            svg.matches(&format!(r#"class="bar {class}""#)).count(),
            3,
            "{class}: {svg}"
        );
    }
    let labels: Vec<&str> = svg
        .split(r#"<text class="group""#)
        .skip(1)
        .map(|t| {
            let t = &t[t.find('>').unwrap() + 1..];
            &t[..t.find('<').unwrap()]
        })
        .collect();
    assert_eq!(
        labels,
        [
            "Green Valley (FARM)",
            "Sunny Fields (FIELD)",
            "(no supplier: made here)"
        ]
    );
    assert!(svg.contains("<title>Green Valley (FARM): 2 holds placed</title>"));
    assert!(svg.contains("<title>Sunny Fields (FIELD): 1 failed inspections</title>"));
    // The download links carry the same query.
    assert!(html.contains(&format!(
        "/api/v1/analytics/quality?from={from}&amp;to={to}&amp;by=supplier&amp;period=day&amp;format=csv"
    )));

    // Nothing in the range: the empty state, no chart.
    let (status, html) = server
        .page("/quality?from=2020-01-01&to=2020-01-31&by=product")
        .await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"id="quality-empty""#), "{html}");
    assert!(!html.contains("<svg"));

    // A bad field: the message, the field marked, what was typed kept.
    let (status, html) = server.page("/quality?by=site&from=2026-01-01").await;
    assert_eq!(status, 422);
    assert!(
        html.contains("expected supplier, product, line or period"),
        "{html}"
    );
    assert!(
        html.contains(r#"<select name="by" aria-invalid="true">"#),
        "{html}"
    );
    assert!(html.contains(r#"value="2026-01-01""#), "{html}");
    server.stop().await;
}

/// The analytics are reads: a viewer (a read token, a viewer's session) may, a request
/// without credentials may not, once the store has users.
#[tokio::test]
async fn viewers_read_the_analytics_and_anonymous_requests_are_refused() {
    let server = chain(site_today()).await;
    lotrace_server::auth::add_user(&server.store, "vera", "viewer", "correct horse battery")
        .await
        .unwrap();
    // The server notices the first user within a second.
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let (_, secret) =
        lotrace_server::auth::create_token(&server.store, "dash", "read", None, "test")
            .await
            .unwrap();
    let url = server.url("/api/v1/analytics/quality?by=product");
    let anonymous = server.client.get(&url).send().await.unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);
    let read = server
        .client
        .get(&url)
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status().as_u16(), 200);
    let (status, cookie) = server.login("vera", "correct horse battery").await;
    assert_eq!(status, 303);
    let page = server
        .client
        .get(server.url("/quality?by=line"))
        .header("cookie", format!("lotrace_session={}", cookie.unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(page.text().await.unwrap().contains("LINE-A"));
    server.stop().await;
}
