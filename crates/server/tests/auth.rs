//! Access control against a real server and SQLite file: every rule of the policy tried
//! with every role, every token scope, a partner token, no credentials, a wrong token and
//! a revoked token; CSRF checks of cookie writes; login throttling; sessions; partner
//! scoping of queries and traces; the audit trail; the open local server and first run.

mod common;

use std::time::Duration;

use common::TestServer;
use lotrace_server::auth::{self, Methods, Need, POLICY, Role};
use reqwest::Method;
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery";

/// Who makes a request.
#[derive(Clone, Debug)]
enum Cred {
    None,
    /// A user's session cookie (and the role).
    Cookie(String, Role),
    /// A token secret, the role its scope maps to, and whether it is a partner token.
    Token(String, Role, bool),
    /// A token that fails: wrong or revoked.
    BadToken(#[allow(dead_code)] &'static str, String),
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn send(server: &TestServer, method: Method, path: &str, cred: &Cred) -> (u16, String) {
    let mut request = no_redirects().request(method.clone(), server.url(path));
    if method != Method::GET {
        request = request.json(&json!({}));
    }
    match cred {
        Cred::None => {}
        Cred::Cookie(value, _) => {
            request = request
                .header("cookie", format!("lotrace_session={value}"))
                .header("origin", &server.base);
        }
        Cred::Token(secret, _, _) | Cred::BadToken(_, secret) => {
            request = request.bearer_auth(secret);
        }
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, location)
}

/// Adds users and waits until the server has noticed that users exist.
async fn add_users(server: &TestServer, users: &[(&str, &str)]) {
    for (name, role) in users {
        auth::add_user(&server.store, name, role, PASSWORD)
            .await
            .unwrap();
    }
    // A server without users asks again at most once a second.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
}

async fn token(server: &TestServer, name: &str, scope: &str, partner: Option<&str>) -> String {
    auth::create_token(&server.store, name, scope, partner, "test")
        .await
        .unwrap()
        .1
}

async fn secured_server() -> (TestServer, Vec<Cred>) {
    let server = TestServer::start().await;
    server.salad_master_data().await;
    add_users(
        &server,
        &[
            ("viewer", "viewer"),
            ("operator", "operator"),
            ("quality", "quality"),
            ("admin", "admin"),
        ],
    )
    .await;
    let mut creds = vec![Cred::None];
    for role in Role::ALL {
        let (status, cookie) = server.login(role.as_str(), PASSWORD).await;
        assert_eq!(status, 303, "login of {}", role.as_str());
        creds.push(Cred::Cookie(cookie.expect("a session cookie"), role));
    }
    for (scope, role) in [
        ("read", Role::Viewer),
        ("capture", Role::Operator),
        ("admin", Role::Admin),
    ] {
        let secret = token(&server, &format!("t-{scope}"), scope, None).await;
        creds.push(Cred::Token(secret, role, false));
    }
    let secret = token(&server, "farm", "capture", Some("FARM")).await;
    creds.push(Cred::Token(secret, Role::Operator, true));
    let revoked = token(&server, "old", "admin", None).await;
    server.store.revoke_token("old").await.unwrap();
    creds.push(Cred::BadToken("revoked", revoked));
    creds.push(Cred::BadToken(
        "wrong",
        "lt_notatokenthisserverevermade".to_owned(),
    ));
    (server, creds)
}

#[tokio::test]
async fn every_role_and_token_against_every_rule_of_the_policy() {
    let (server, creds) = secured_server().await;
    let mut tried = 0;
    for rule in POLICY {
        let methods: &[Method] = match rule.methods {
            Methods::Read => &[Method::GET],
            Methods::Write => &[Method::POST],
            Methods::Any => &[Method::GET, Method::POST],
        };
        for method in methods {
            for cred in &creds {
                let write = *method != Method::GET;
                // Logging out ends the session the later requests need: use a new one.
                let cred = match cred {
                    Cred::Cookie(_, role) if rule.path == "/logout" => {
                        let (_, cookie) = server.login(role.as_str(), PASSWORD).await;
                        Cred::Cookie(cookie.unwrap(), *role)
                    }
                    other => other.clone(),
                };
                let (status, location) = send(&server, method.clone(), rule.example, &cred).await;
                tried += 1;
                let what = format!("{method} {} (rule {}) as {cred:?}", rule.example, rule.path);
                let ui = !["/api/", "/epcis", "/.well-known", "/health"]
                    .iter()
                    .any(|p| rule.example.starts_with(p));
                let Need::Role(need) = rule.need else {
                    assert!(
                        status != 401 && status != 403 && status != 503,
                        "{what}: open, got {status}"
                    );
                    continue;
                };
                match &cred {
                    Cred::None | Cred::BadToken(..) => {
                        if ui && !write {
                            assert_eq!(status, 303, "{what}");
                            assert!(location.starts_with("/login?next="), "{what}: {location}");
                        } else {
                            assert_eq!(status, 401, "{what}");
                        }
                    }
                    Cred::Cookie(_, role) | Cred::Token(_, role, false) => {
                        if *role >= need {
                            assert!(
                                status != 401 && status != 403,
                                "{what}: allowed, got {status}"
                            );
                        } else {
                            assert_eq!(status, 403, "{what}: needs {need:?}");
                        }
                    }
                    Cred::Token(_, role, true) => {
                        if rule.partner && *role >= need {
                            assert!(
                                status != 401 && status != 403,
                                "{what}: allowed, got {status}"
                            );
                        } else {
                            assert_eq!(status, 403, "{what}: partner token");
                        }
                    }
                }
            }
        }
    }
    assert!(tried > POLICY.len() * creds.len(), "{tried} requests");
    // Denied writes are in the audit trail, with who tried.
    let denied = server
        .store
        .audit_entries(&lotrace_store::AuditFilter {
            actor: Some("viewer".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        denied
            .iter()
            .any(|e| e.status == 403 && e.path == "/api/v1/ops/receive"),
        "{denied:?}"
    );
    server.stop().await;
}

#[tokio::test]
async fn cookie_writes_need_this_sites_origin() {
    let (server, _) = secured_server().await;
    let (_, cookie) = server.login("operator", PASSWORD).await;
    let cookie = format!("lotrace_session={}", cookie.unwrap());
    let client = no_redirects();
    let post = |origin: Option<&'static str>, referer: Option<String>| {
        let mut r = client
            .post(server.url("/api/v1/ops/receive"))
            .header("cookie", &cookie)
            .json(&json!({}));
        if let Some(o) = origin {
            r = r.header("origin", o);
        }
        if let Some(f) = referer {
            r = r.header("referer", f);
        }
        r.send()
    };
    let status = |r: reqwest::Response| r.status().as_u16();
    assert_eq!(status(post(None, None).await.unwrap()), 403, "no origin");
    assert_eq!(
        status(post(Some("https://evil.example"), None).await.unwrap()),
        403,
        "another site"
    );
    assert_eq!(status(post(Some("null"), None).await.unwrap()), 403);
    let own: &'static str = Box::leak(server.base.clone().into_boxed_str());
    assert_eq!(
        status(post(Some(own), None).await.unwrap()),
        400,
        "own origin: the body is checked"
    );
    assert_eq!(
        status(
            post(None, Some(format!("{}/ops/receive", server.base)))
                .await
                .unwrap()
        ),
        400,
        "own referer"
    );
    // A bearer token is no ambient credential: no origin needed.
    let secret = token(&server, "erp", "capture", None).await;
    let r = client
        .post(server.url("/api/v1/ops/receive"))
        .bearer_auth(&secret)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    server.stop().await;
}

#[tokio::test]
async fn logins_are_throttled_per_user() {
    let (server, _) = secured_server().await;
    for _ in 0..5 {
        let (status, cookie) = server.login("quality", "wrong password!").await;
        assert_eq!(status, 401);
        assert!(cookie.is_none());
    }
    let (status, cookie) = server.login("quality", PASSWORD).await;
    assert_eq!(status, 429, "locked, even with the right password");
    assert!(cookie.is_none());
    let (status, _) = server.login("admin", PASSWORD).await;
    assert_eq!(status, 303, "another user is not locked");
    let (status, _) = server.login("nobody", PASSWORD).await;
    assert_eq!(
        status, 401,
        "an unknown user gets the same answer as a wrong password"
    );
    let logins = server
        .store
        .audit_entries(&lotrace_store::AuditFilter {
            actor: Some("quality".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let statuses: Vec<u16> = logins
        .iter()
        .filter(|e| e.path == "/login")
        .map(|e| e.status)
        .collect();
    // The login of `secured_server`, the five wrong passwords, the locked one.
    assert_eq!(statuses, [303, 401, 401, 401, 401, 401, 429]);
    server.stop().await;
}

#[tokio::test]
async fn sessions_end_on_logout_disable_and_expiry() {
    let (server, _) = secured_server().await;
    let lots = |cookie: String| {
        let client = no_redirects();
        let url = server.url("/api/v1/lots");
        async move {
            client
                .get(url)
                .header("cookie", format!("lotrace_session={cookie}"))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let response = no_redirects()
        .post(server.url("/login"))
        .header("origin", &server.base)
        .header("x-forwarded-proto", "https")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[("name", "viewer"), ("password", PASSWORD)]))
        .send()
        .await
        .unwrap();
    let set_cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    for attribute in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/",
        "Max-Age=28800",
        "Secure",
    ] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    let (_, plain) = server.login("viewer", PASSWORD).await;
    let plain = plain.unwrap();
    assert_eq!(lots(plain.clone()).await, 200);
    let logout = no_redirects()
        .post(server.url("/logout"))
        .header("cookie", format!("lotrace_session={plain}"))
        .header("origin", &server.base)
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status().as_u16(), 303);
    assert_eq!(lots(plain).await, 401, "logged out");

    let (_, c) = server.login("operator", PASSWORD).await;
    let c = c.unwrap();
    assert_eq!(lots(c.clone()).await, 200);
    server
        .store
        .set_user_disabled("operator", true)
        .await
        .unwrap();
    assert_eq!(lots(c).await, 401, "disabled");
    let (status, _) = server.login("operator", PASSWORD).await;
    assert_eq!(status, 401, "a disabled user cannot sign in");

    // A session past its expiry is not honoured.
    let secret = "an-expired-session-cookie-value";
    server
        .store
        .create_session(
            &auth::secret_sha256(secret),
            "viewer",
            jiff::Timestamp::now() - jiff::SignedDuration::from_secs(1),
        )
        .await
        .unwrap();
    assert_eq!(lots(secret.to_owned()).await, 401, "expired");
    // The UI sends the browser to the login page, and back after it.
    let page = no_redirects()
        .get(server.url("/lots?status=on_hold"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 303);
    assert_eq!(
        page.headers()["location"],
        "/login?next=%2Flots%3Fstatus%3Don_hold"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_partner_token_sees_only_the_events_that_name_the_partner() {
    let server = TestServer::start().await;
    server.salad_master_data().await;
    let (status, answer) = server
        .post(
            "/api/v1/master/parties",
            &json!({ "code": "HILL", "name": "Hill Farm", "roles": ["supplier"], "gln": "0614141000029" }),
        )
        .await;
    assert_eq!(status, 201, "{answer}");
    for (supplier, lot) in [("FARM", "F1"), ("HILL", "H1")] {
        let (status, answer) = server
            .post(
                "/api/v1/ops/receive",
                &json!({ "product": "LETTUCE", "lot": lot, "supplier": supplier, "location": "COLD", "quantity": 10 }),
            )
            .await;
        assert_eq!(status, 201, "{answer}");
    }
    add_users(&server, &[("admin", "admin")]).await;
    let farm = token(&server, "farm", "read", Some("FARM")).await;
    let all = token(&server, "all", "read", None).await;
    let get = |secret: &str, path: &str| {
        let request = server.client.get(server.url(path)).bearer_auth(secret);
        async move {
            let r = request.send().await.unwrap();
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let lots_of = |doc: &Value| -> Vec<String> {
        let mut lots: Vec<String> = doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|e| e["quantityList"].as_array().cloned().unwrap_or_default())
            .map(|q| {
                q["epcClass"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        lots.sort();
        lots
    };
    for path in ["/epcis/events", "/epcis/bizSteps/receiving/events"] {
        let (status, doc) = get(&farm, path).await;
        assert_eq!(status, 200, "{path}: {doc}");
        assert_eq!(
            lots_of(&doc),
            ["F1"],
            "{path}: the partner's own receipt only"
        );
        let (_, doc) = get(&all, path).await;
        assert_eq!(
            lots_of(&doc),
            ["F1", "H1"],
            "{path}: a plain token sees both"
        );
    }
    let (_, doc) = get(&all, "/epcis/events").await;
    let events = doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        .as_array()
        .unwrap()
        .clone();
    for event in events {
        let id = event["eventID"].as_str().unwrap();
        let path = format!("/epcis/events/{}", urlencode(id));
        let (status, _) = get(&farm, &path).await;
        let own = event.to_string().contains("0614141000012") || event.to_string().contains("FARM");
        assert_eq!(status, if own { 200 } else { 404 }, "{id}");
    }
    let trace = |lot: &str| {
        format!(
            "/api/v1/trace?direction=backward&id={}",
            urlencode(&format!("https://id.gs1.org/01/00614141123452/10/{lot}"))
        )
    };
    let (status, t) = get(&farm, &trace("F1")).await;
    assert_eq!(status, 200, "{t}");
    let received = t["received_from"].as_array().unwrap();
    assert!(!received.is_empty(), "{t}");
    assert!(
        received
            .iter()
            .all(|m| m["items"][0]["id"].as_str().unwrap().ends_with("/10/F1")),
        "{t}"
    );
    let (status, _) = get(&farm, &trace("H1")).await;
    assert_eq!(
        status, 404,
        "another supplier's lot is not there for the partner"
    );
    let (status, _) = get(&all, &trace("H1")).await;
    assert_eq!(status, 200);
    let (status, _) = get(&farm, "/api/v1/lots").await;
    assert_eq!(status, 403, "partner tokens only query events");
    server.stop().await;
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn every_write_is_in_the_audit_trail_queryable_and_as_csv() {
    let (server, _) = secured_server().await;
    let admin = token(&server, "auditor", "admin", None).await;
    let capture = token(&server, "erp", "capture", None).await;
    let before = jiff::Timestamp::now();
    let r = server
        .client
        .post(server.url("/api/v1/ops/receive"))
        .bearer_auth(&capture)
        .header("x-lotrace-operator", "somebody else")
        .json(&json!({ "product": "LETTUCE", "lot": "A1", "supplier": "FARM", "location": "COLD", "quantity": 3 }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let body: Value = r.json().await.unwrap();
    let event_id = body["event_ids"][0].as_str().unwrap().to_owned();
    // The capture names the authenticated actor, not the header the client sent.
    let stored = server.store.events_by_id(&event_id).await.unwrap();
    let job = server
        .store
        .capture_job(&stored[0].capture_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.source, "op:receive:erp");
    let doc = json!({
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-03-01T10:00:00Z",
        "epcisBody": { "eventList": [{
            "type": "ObjectEvent", "eventTime": "2026-03-01T10:00:00Z", "eventTimeZoneOffset": "+00:00",
            "action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:0614141.107346.2018"] }] }
    });
    let r = server
        .client
        .post(server.url("/epcis/capture"))
        .bearer_auth(&capture)
        .json(&doc)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 202);
    let job = r.headers()["location"].to_str().unwrap().to_owned();
    let r = server
        .client
        .post(server.url("/api/v1/master/products"))
        .bearer_auth(&capture)
        .json(&json!({ "code": "X", "name": "x", "uom": "KGM" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);

    let audit = |query: &'static str| {
        let request = server
            .client
            .get(server.url(&format!("/api/v1/audit{query}")))
            .bearer_auth(&admin);
        async move { request.send().await.unwrap() }
    };
    let r = audit("?user=erp").await;
    assert_eq!(r.status().as_u16(), 200);
    let entries = r.json::<Value>().await.unwrap()["entries"]
        .as_array()
        .unwrap()
        .clone();
    let lines: Vec<(String, String, u64, String, String)> = entries
        .iter()
        .map(|e| {
            (
                e["method"].as_str().unwrap().to_owned(),
                e["path"].as_str().unwrap().to_owned(),
                e["status"].as_u64().unwrap(),
                e["role"].as_str().unwrap().to_owned(),
                e["summary"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(lines[0].1, "/api/v1/ops/receive");
    assert_eq!((lines[0].2, lines[0].3.as_str()), (201, "capture"));
    assert!(lines[0].4.contains(&event_id), "{lines:?}");
    assert_eq!((lines[1].1.as_str(), lines[1].2), ("/epcis/capture", 202));
    assert!(lines[1].4.contains(&job), "the capture job: {lines:?}");
    assert_eq!(
        (lines[2].1.as_str(), lines[2].2),
        ("/api/v1/master/products", 403)
    );
    assert!(entries.iter().all(|e| e["actor_kind"] == "token"));
    let at = jiff::Timestamp::from_microsecond(
        entries[0]["at"]
            .as_str()
            .unwrap()
            .parse::<jiff::Timestamp>()
            .unwrap()
            .as_microsecond(),
    )
    .unwrap();
    assert!(at >= before - jiff::SignedDuration::from_secs(1));

    // Time filters: nothing before the first entry; everything from it.
    let r = audit("?user=erp&to=2000-01-01").await;
    assert!(
        r.json::<Value>().await.unwrap()["entries"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let r = audit("?from=nonsense").await;
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.unwrap().contains("from"));

    let r = audit("?user=erp&format=csv").await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = r.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(&header[..4], ["seq", "time", "actor", "actor_kind"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(&rows[0][2], "erp");
    assert_eq!(&rows[0][6], "/api/v1/ops/receive");
    // Reads are not audited; only admins read the trail.
    let r = server
        .client
        .get(server.url("/api/v1/audit"))
        .bearer_auth(&capture)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    server.stop().await;
}

#[tokio::test]
async fn without_users_loopback_is_open_and_flagged_and_anything_else_refuses_to_start() {
    let server = TestServer::start().await;
    let page = server.client.get(server.url("/")).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Open local server"), "the banner");
    // DNS rebinding: another Host name is refused; so is a write from another site.
    let r = server
        .client
        .get(server.url("/api/v1/lots"))
        .header("host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let r = server
        .client
        .post(server.url("/api/v1/ops/receive"))
        .header("origin", "http://evil.example")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    // Writes of the open server are audited as `local`.
    let (status, _) = server.post("/api/v1/ops/receive", &json!({})).await;
    assert_eq!(status, 400);
    let entries = server
        .store
        .audit_entries(&Default::default())
        .await
        .unwrap();
    assert_eq!(entries.last().unwrap().actor, "local");
    // The first user turns authentication on.
    add_users(&server, &[("admin", "admin")]).await;
    let (status, _) = server.get("/api/v1/lots", &[]).await;
    assert_eq!(status, 401);
    let (_, cookie) = server.login("admin", PASSWORD).await;
    let html = server
        .client
        .get(server.url("/"))
        .header("cookie", format!("lotrace_session={}", cookie.unwrap()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("Open local server"));
    assert!(
        html.contains("admin (admin)") && html.contains("Log out"),
        "who is signed in"
    );
    server.stop().await;

    // Bound to a non-loopback address without users: refuses to start, saying how to fix.
    let dir = tempfile::tempdir().unwrap();
    let location =
        lotrace_store::Location::parse(dir.path().join("t.db").to_str().unwrap()).unwrap();
    let store = lotrace_store::Store::open(&location).await.unwrap();
    let app = lotrace_app::App::open(store.clone(), Default::default())
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
    let state = lotrace_server::AppState::new(app.clone(), Default::default());
    let e = lotrace_server::serve(listener, state, async {})
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("no users") && e.to_string().contains("lotrace user add"),
        "{e}"
    );
    // With a user it starts.
    auth::add_user(&store, "admin", "admin", PASSWORD)
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
    let state = lotrace_server::AppState::new(app, Default::default());
    lotrace_server::serve(listener, state, async {})
        .await
        .unwrap();
}

/// `application/x-www-form-urlencoded` of `pairs`.
fn form(pairs: &[(&str, &str)]) -> String {
    let enc = |t: &str| -> String {
        t.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}
