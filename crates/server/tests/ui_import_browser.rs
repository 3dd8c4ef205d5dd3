//! The import page in a real browser (Debian's chromium through chromium-driver) against a
//! real server and SQLite file: a bad file shows every refused row in a table and changes
//! nothing; the templates download links work; a good file uploads with the progress bar
//! and shows the summary. The page without JavaScript (a plain form post) is checked over
//! HTTP at the end. Skips with a message when chromedriver is not installed and CI is not
//! set.

mod common;

use std::time::Duration;

use common::TestServer;
use common::browser::{browser, driver};
use fantoccini::{Client, Locator};
use serde_json::json;

/// Chooses the kind and the file and presses Import; waits (bounded) for the answer page,
/// which shows either the summary or the error table.
async fn upload(c: &Client, kind: &str, file: &std::path::Path) {
    c.find(Locator::Css(&format!(
        "select[name=kind] option[value={kind}]"
    )))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    c.find(Locator::Css("input[type=file]"))
        .await
        .unwrap()
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    c.find(Locator::XPath(
        "//main//button[normalize-space()=\"Import\"]",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    for _ in 0..200 {
        let found = c
            .execute(
                "return !!(document.getElementById('import-summary') || document.getElementById('import-errors'));",
                vec![],
            )
            .await
            .unwrap_or_default();
        if found.as_bool() == Some(true) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no answer page within 10 s");
}

async fn counts(server: &TestServer) -> (u64, usize) {
    let mut records = 0;
    for kind in ["product", "location", "party"] {
        records += server.store.master_records(kind).await.unwrap().len();
    }
    (server.store.event_count().await.unwrap(), records)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_import_page_uploads_and_shows_row_errors_or_the_summary() {
    let Some(driver) = driver().await else { return };
    let server = TestServer::start().await;
    let profile = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let c = browser(&driver, profile.path()).await;
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("ui-screenshots");
    std::fs::create_dir_all(&shots).unwrap();

    c.goto(&format!("{}/import", server.base)).await.unwrap();
    let nav = c
        .find(Locator::Css("nav a[aria-current=page]"))
        .await
        .unwrap();
    assert_eq!(nav.text().await.unwrap(), "Import");
    // Every template has its download links, and they serve the template.
    for kind in lotrace_sheet::Kind::ALL {
        for ext in ["xlsx", "csv"] {
            let href = format!("/api/v1/import/templates/{kind}.{ext}");
            c.find(Locator::Css(&format!("a[href=\"{href}\"]")))
                .await
                .unwrap_or_else(|e| panic!("{href}: {e}"));
        }
    }
    let csv = server
        .client
        .get(server.url("/api/v1/import/templates/locations.csv"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(
        csv.as_ref(),
        lotrace_sheet::template_csv(lotrace_sheet::Kind::Locations)
    );

    // A bad file: every refused row in the table, nothing imported.
    let bad = files.path().join("products.csv");
    std::fs::write(
        &bad,
        "code,name,uom,gtin\nGOOD,Good one,KGM,\nBAD1,Bad unit,kg,\nBAD 2,Bad code,KGM,4012345111119\n",
    )
    .unwrap();
    let before = counts(&server).await;
    upload(&c, "products", &bad).await;
    let flash = c.find(Locator::Css(".flash")).await.unwrap();
    assert!(flash.text().await.unwrap().contains("nothing was imported"));
    let mut cells = Vec::new();
    for row in c
        .find_all(Locator::Css("#import-errors tbody tr"))
        .await
        .unwrap()
    {
        let mut texts = Vec::new();
        for td in row.find_all(Locator::Css("td")).await.unwrap() {
            texts.push(td.text().await.unwrap());
        }
        cells.push(texts);
    }
    let places: Vec<(&str, &str, &str)> = cells
        .iter()
        .map(|r| (r[1].as_str(), r[2].as_str(), r[3].as_str()))
        .collect();
    assert_eq!(
        places,
        [("3", "uom", "C3"), ("4", "code", "A4")],
        "{cells:?}"
    );
    assert!(cells[0][4].contains("UN/ECE Rec 20"), "{cells:?}");
    std::fs::write(
        shots.join("import-refused.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
    assert_eq!(
        counts(&server).await,
        before,
        "a refused file changes nothing"
    );

    // A good file (the locations template as XLSX): uploaded with the progress bar.
    let good = files.path().join("locations.xlsx");
    std::fs::write(
        &good,
        lotrace_sheet::template_xlsx(lotrace_sheet::Kind::Locations).unwrap(),
    )
    .unwrap();
    c.goto(&format!("{}/import", server.base)).await.unwrap();
    upload(&c, "auto", &good).await;
    let summary = c
        .find(Locator::Id("import-summary"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        summary.contains("2 row(s) imported (2 locations)"),
        "{summary}"
    );
    let progress = c
        .execute("return window.lotraceImportProgress;", vec![])
        .await
        .unwrap();
    assert_eq!(
        progress,
        json!(100),
        "the upload went through the progress bar"
    );
    std::fs::write(shots.join("import-done.png"), c.screenshot().await.unwrap()).unwrap();
    let records = server.store.master_records("location").await.unwrap();
    let codes: Vec<&str> = records.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(codes, ["COLD", "PLANT"]);
    c.close().await.unwrap();

    // Without JavaScript the form posts as multipart/form-data and gets the same page.
    let boundary = "nojs-boundary-1";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nparties\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.csv\"\r\n\
         Content-Type: text/csv\r\n\r\ncode,name,roles\r\nFARM,Farm,grower\r\n\r\n--{boundary}--\r\n"
    );
    let response = server
        .client
        .post(server.url("/import"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 422);
    let html = response.text().await.unwrap();
    assert!(html.contains("id=\"import-errors\""), "{html}");
    assert!(
        html.contains("<td class=\"num\">2</td><td>roles</td><td>C2</td>"),
        "{html}"
    );
    server.stop().await;
}
