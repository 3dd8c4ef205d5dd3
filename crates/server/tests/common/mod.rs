//! A real lotrace server on a loopback port with a real SQLite file behind it, for the
//! server's tests; and the requests they make of it.

#![allow(dead_code)] // each test file uses part of this module

pub mod browser;

use std::net::SocketAddr;

use lotrace_server::{AppState, Limits};
use lotrace_store::{Location, Store};
use serde_json::Value;

pub struct TestServer {
    pub base: String,
    pub store: Store,
    pub app: lotrace_app::App,
    pub client: reqwest::Client,
    _dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestServer {
    pub async fn start() -> TestServer {
        TestServer::start_with(Limits::default(), lotrace_app::AppConfig::default()).await
    }

    pub async fn start_with(limits: Limits, config: lotrace_app::AppConfig) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let location = Location::parse(dir.path().join("test.db").to_str().unwrap()).unwrap();
        let store = Store::open(&location).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app = lotrace_app::App::open(store.clone(), config).await.unwrap();
        let state = AppState::new(app.clone(), limits);
        let task = tokio::spawn(lotrace_server::serve(listener, state, async {
            let _ = rx.await;
        }));
        TestServer {
            base: format!("http://{addr}"),
            store,
            app,
            client: reqwest::Client::new(),
            _dir: dir,
            shutdown: Some(tx),
            task: Some(task),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// POSTs `body` as JSON; the status and the JSON answer (null when there is none).
    pub async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let response = self
            .client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// GETs `path` with `query` percent-encoded; the status and the JSON answer.
    pub async fn get(&self, path: &str, query: &[(&str, &str)]) -> (u16, Value) {
        let url = reqwest::Url::parse_with_params(&self.url(path), query).unwrap();
        let response = self.client.get(url).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// POSTs `pairs` as a browser posts a form, without following a redirect: the status,
    /// the Location header (empty when none) and the body.
    pub async fn post_form(&self, path: &str, pairs: &[(&str, &str)]) -> (u16, String, String) {
        let response = self.send_form(path, pairs).await;
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (status, location, response.text().await.unwrap())
    }

    /// As `post_form`, for the answer's headers.
    pub async fn post_form_headers(
        &self,
        path: &str,
        pairs: &[(&str, &str)],
    ) -> (u16, reqwest::header::HeaderMap) {
        let response = self.send_form(path, pairs).await;
        (response.status().as_u16(), response.headers().clone())
    }

    async fn send_form(&self, path: &str, pairs: &[(&str, &str)]) -> reqwest::Response {
        let encode = |t: &str| {
            percent_encoding::utf8_percent_encode(t, percent_encoding::NON_ALPHANUMERIC).to_string()
        };
        let body = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .post(self.url(path))
            .header("origin", &self.base)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap()
    }

    /// Logs in through the form: the status and the session cookie's value.
    pub async fn login(&self, name: &str, password: &str) -> (u16, Option<String>) {
        let (status, headers) = self
            .post_form_headers(
                "/login",
                &[("name", name), ("password", password), ("next", "/lots")],
            )
            .await;
        let cookie = headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.strip_prefix("lotrace_session="))
            .map(|v| v.split(';').next().unwrap().to_owned());
        (status, cookie)
    }

    /// GETs a page: the status and the HTML.
    pub async fn page(&self, path: &str) -> (u16, String) {
        let response = self.client.get(self.url(path)).send().await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    /// The master data of the small salad chain the recall and UI tests share: lettuce and
    /// salad, a plant with a cold room and line 3, a farm and a shop.
    pub async fn salad_master_data(&self) {
        for (kind, body) in [
            (
                "products",
                serde_json::json!({ "code": "LETTUCE", "name": "Romaine lettuce", "uom": "KGM", "gtin": "00614141123452" }),
            ),
            (
                "products",
                serde_json::json!({ "code": "SALAD", "name": "Salad mix", "uom": "KGM", "gtin": "04012345111118" }),
            ),
            (
                "locations",
                serde_json::json!({ "code": "PLANT", "name": "Plant", "kind": "site", "gln": "4012345000016" }),
            ),
            (
                "locations",
                serde_json::json!({ "code": "COLD", "name": "Cold room", "kind": "zone", "parent": "PLANT" }),
            ),
            (
                "locations",
                serde_json::json!({ "code": "L3", "name": "Line 3", "kind": "zone", "parent": "PLANT" }),
            ),
            (
                "parties",
                serde_json::json!({ "code": "FARM", "name": "Green Valley", "roles": ["supplier"], "gln": "0614141000012" }),
            ),
            (
                "parties",
                serde_json::json!({ "code": "SHOP", "name": "Harbor Market", "roles": ["customer"] }),
            ),
        ] {
            let (status, answer) = self.post(&format!("/api/v1/master/{kind}"), &body).await;
            assert_eq!(status, 201, "{kind}: {answer}");
        }
    }

    /// The salad chain's master data plus what the BOM tests make salad from: iceberg
    /// (LETTUCE's substitute), carrots and sugar (in no BOM), received into the cold room
    /// with supplier lots; the carrot lot C-HOLD is on hold.
    pub async fn bom_stock(&self) {
        self.salad_master_data().await;
        for (code, name) in [
            ("ICEBERG", "Iceberg lettuce"),
            ("CARROT", "Carrots"),
            ("SUGAR", "Sugar"),
        ] {
            let (status, answer) = self
                .post(
                    "/api/v1/master/products",
                    &serde_json::json!({ "code": code, "name": name, "uom": "KGM" }),
                )
                .await;
            assert_eq!(status, 201, "{answer}");
        }
        for (product, lot, kg, supplier_lot) in [
            ("LETTUCE", "L-A", 100, "FARM-778"),
            ("ICEBERG", "I-A", 50, "FARM-779"),
            ("CARROT", "C-A", 50, "FARM-780"),
            ("CARROT", "C-HOLD", 20, "FARM-781"),
            ("SUGAR", "G-A", 10, "MILL-1"),
        ] {
            let (status, answer) = self
                .post(
                    "/api/v1/ops/receive",
                    &serde_json::json!({ "product": product, "lot": lot, "supplier": "FARM", "location": "COLD",
                        "quantity": kg, "supplier_lot": supplier_lot, "expiry": "2031-01-01" }),
                )
                .await;
            assert_eq!(status, 201, "{answer}");
        }
        let (status, answer) = self
            .post(
                "/api/v1/ops/hold",
                &serde_json::json!({ "product": "CARROT", "lot": "C-HOLD", "reason": "foreign matter" }),
            )
            .await;
        assert_eq!(status, 201, "{answer}");
    }

    /// Ends the server gracefully and checks that it ended cleanly.
    pub async fn stop(mut self) {
        let _ = self.shutdown.take().unwrap().send(());
        self.task.take().unwrap().await.unwrap().unwrap();
    }
}

/// An EPCIS 2.0 JSON-LD document holding `events` (a JSON array), as a client captures it.
pub fn epcis_document(events: Value) -> Value {
    serde_json::json!({
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-03-01T00:00:00Z",
        "epcisBody": { "eventList": events },
    })
}
