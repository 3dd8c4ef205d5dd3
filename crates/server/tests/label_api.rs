//! `GET /api/v1/lots/{id}/label` on a real loopback server with a real SQLite file: a lot
//! received through the API gets a label in each format, with the product's GTIN and the
//! lot's number and expiry in the symbol.

mod common;

use common::TestServer;
use serde_json::json;

const LOT: &str = "https://id.gs1.org/01/00614141123452/10/L1";

/// The test server with two products received into stock, one without a GTIN.
struct Labels(TestServer);

impl std::ops::Deref for Labels {
    type Target = TestServer;
    fn deref(&self) -> &TestServer {
        &self.0
    }
}

impl Labels {
    async fn start() -> Labels {
        let server = Labels(TestServer::start().await);
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

    async fn stop(self) {
        self.0.stop().await;
    }
}

#[tokio::test]
async fn a_lot_label_in_each_format() {
    let s = Labels::start().await;
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
    let s = Labels::start().await;
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
