//! `GET /api/v1/lots/{id}/label` on a real loopback server with a real SQLite file: a lot
//! received through the API gets a label in each format, with the product's GTIN and the
//! lot's number and expiry in the symbol.

use std::net::SocketAddr;

use lotrace_server::{AppState, Limits};
use lotrace_store::{Location, Store};
use serde_json::{Value, json};

const LOT: &str = "https://id.gs1.org/01/00614141123452/10/L1";

struct TestServer {
    base: String,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestServer {
    async fn start() -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let location = Location::parse(dir.path().join("label.db").to_str().unwrap()).unwrap();
        let store = Store::open(&location).await.unwrap();
        let config = lotrace_app::AppConfig {
            company_prefix: "4012345".into(),
            ..Default::default()
        };
        let app = lotrace_app::App::open(store, config).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(lotrace_server::serve(
            listener,
            AppState::new(app, Limits::default()),
            async {
                let _ = rx.await;
            },
        ));
        let server = TestServer {
            base: format!("http://{addr}"),
            client: reqwest::Client::new(),
            _dir: dir,
            shutdown: Some(tx),
            task: Some(task),
        };
        for (kind, body) in [
            (
                "products",
                json!({ "code": "LETTUCE", "name": "Romaine lettuce", "uom": "KGM",
                        "gtin": "00614141123452" }),
            ),
            (
                "products",
                json!({ "code": "LOOSE", "name": "No GTIN", "uom": "KGM" }),
            ),
            (
                "locations",
                json!({ "code": "COLD", "name": "Cold room", "kind": "site", "gln": "4012345000016" }),
            ),
            (
                "parties",
                json!({ "code": "FARM", "name": "Green Valley", "roles": ["supplier"], "gln": "0614141000012" }),
            ),
        ] {
            let (status, answer) = server.post(&format!("/api/v1/master/{kind}"), &body).await;
            assert_eq!(status, 201, "{kind}: {answer}");
        }
        for product in ["LETTUCE", "LOOSE"] {
            let (status, answer) = server
                .post(
                    "/api/v1/ops/receive",
                    &json!({ "product": product, "supplier": "FARM", "location": "COLD",
                             "quantity": 10, "supplier_lot": "L1", "expiry": "2099-03-30" }),
                )
                .await;
            assert_eq!(status, 201, "{answer}");
        }
        server
    }

    async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .json(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn label(&self, id: &str, query: &[(&str, &str)]) -> (u16, String, Vec<u8>) {
        let id: String = id
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        let url = reqwest::Url::parse_with_params(
            &format!("{}/api/v1/lots/{id}/label", self.base),
            query,
        )
        .unwrap();
        let response = self.client.get(url).send().await.unwrap();
        let status = response.status().as_u16();
        let media = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (status, media, response.bytes().await.unwrap().to_vec())
    }

    async fn stop(mut self) {
        let _ = self.shutdown.take().unwrap().send(());
        self.task.take().unwrap().await.unwrap().unwrap();
    }
}

#[tokio::test]
async fn a_lot_label_in_each_format() {
    let s = TestServer::start().await;
    let (status, media, body) = s.label(LOT, &[]).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(media, "image/svg+xml");
    let svg = String::from_utf8(body).unwrap();
    assert!(svg.contains("Romaine lettuce"), "{svg}");
    assert!(svg.contains("(01) 00614141123452"));
    assert!(svg.contains("(10) L1"));
    assert!(svg.contains("(17) 990330"));

    for (format, media_type, magic) in [
        ("png", "image/png", &b"\x89PNG"[..]),
        ("pdf", "application/pdf", &b"%PDF-"[..]),
        ("zpl", "application/zpl", &b"^XA"[..]),
    ] {
        let (status, media, body) = s
            .label(LOT, &[("format", format), ("symbol", "gs1-128")])
            .await;
        assert_eq!(status, 200, "{format}: {}", String::from_utf8_lossy(&body));
        assert_eq!(media, media_type);
        assert!(body.starts_with(magic), "{format}");
    }
    let (_, _, zpl) = s
        .label(LOT, &[("format", "zpl"), ("symbol", "datamatrix")])
        .await;
    let zpl = String::from_utf8(zpl).unwrap();
    assert!(
        zpl.contains("^FD_101006141411234521799033010L1^FS"),
        "{zpl}"
    );

    let (status, _, body) = s
        .label(
            LOT,
            &[("symbol", "qr"), ("digital_link", "https://id.gs1.org")],
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        String::from_utf8(body)
            .unwrap()
            .contains("data-symbology=\"]Q1\"")
    );
    s.stop().await;
}

#[tokio::test]
async fn label_errors() {
    let s = TestServer::start().await;
    let (status, _, _) = s
        .label("https://id.gs1.org/01/00614141123452/10/NOPE", &[])
        .await;
    assert_eq!(status, 404);
    let (status, _, body) = s.label(LOT, &[("format", "gif")]).await;
    assert_eq!(status, 422, "{}", String::from_utf8_lossy(&body));
    let (status, _, _) = s.label(LOT, &[("colour", "red")]).await;
    assert_eq!(status, 400);
    let (status, _, body) = s.label("urn:lotrace:lot:LOOSE:L1", &[]).await;
    assert_eq!(status, 422, "{}", String::from_utf8_lossy(&body));
    assert!(String::from_utf8_lossy(&body).contains("no GTIN"));
    s.stop().await;
}
