//! `lotrace user`, `lotrace token`, `lotrace audit` and the first run of `lotrace serve`,
//! through the real binary on a real SQLite file.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

const PASSWORD: &str = "a long enough password";

fn lotrace(db: &str, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lotrace"));
    command
        .args(["--db", db])
        .args(args)
        .env("LOTRACE_LOG", "warn")
        .env_remove("LOTRACE_PASSWORD")
        .env_remove("LOTRACE_ADMIN_PASSWORD")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("the lotrace binary runs");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `lotrace serve` on `addr`; its base URL once it listens, or its stderr if it stopped.
fn serve(db: &str, addr: &str, env: &[(&str, &str)]) -> Result<(Server, String), String> {
    let mut child = Server(
        Command::new(env!("CARGO_BIN_EXE_lotrace"))
            .args(["--db", db, "serve", "--addr", addr])
            .env("LOTRACE_LOG", "warn")
            .env_remove("LOTRACE_ADMIN_PASSWORD")
            .envs(env.iter().copied())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the lotrace binary runs"),
    );
    let mut stderr = BufReader::new(child.0.stderr.take().unwrap());
    let mut said = String::new();
    loop {
        let mut line = String::new();
        if stderr.read_line(&mut line).unwrap_or(0) == 0 {
            return Err(said);
        }
        said.push_str(&line);
        if let Some(rest) = line.split("http://").nth(1) {
            let base = format!("http://{}", rest.split('/').next().unwrap());
            std::thread::spawn(move || for _ in stderr.lines() {});
            return Ok((child, base));
        }
    }
}

#[test]
fn users_and_tokens_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db").to_str().unwrap().to_owned();
    let o = lotrace(
        &db,
        &["user", "add", "alice", "--role", "quality"],
        &[("LOTRACE_PASSWORD", PASSWORD)],
        None,
    );
    assert!(o.status.success(), "{:?}", text(&o));
    let o = lotrace(
        &db,
        &["user", "add", "bob", "--role", "viewer"],
        &[],
        Some(&format!("{PASSWORD}\n")),
    );
    assert!(o.status.success(), "password from stdin: {:?}", text(&o));
    let o = lotrace(
        &db,
        &["user", "add", "carol", "--role", "boss"],
        &[],
        Some(&format!("{PASSWORD}\n")),
    );
    assert!(!o.status.success());
    assert!(text(&o).1.contains("role"), "{:?}", text(&o));
    let o = lotrace(
        &db,
        &["user", "add", "dave", "--role", "viewer"],
        &[],
        Some("short\n"),
    );
    assert!(!o.status.success());
    assert!(text(&o).1.contains("password"), "{:?}", text(&o));
    let o = lotrace(&db, &["user", "disable", "bob"], &[], None);
    assert!(o.status.success(), "{:?}", text(&o));
    let o = lotrace(&db, &["user", "list", "--json"], &[], None);
    let users: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(users.as_array().unwrap().len(), 2);
    assert_eq!(users[0]["name"], "alice");
    assert_eq!(users[1]["disabled"], true);
    assert!(users[0].get("password_hash").is_none(), "never shown");

    let o = lotrace(
        &db,
        &[
            "token", "create", "--name", "erp", "--scope", "capture", "--json",
        ],
        &[],
        None,
    );
    assert!(o.status.success(), "{:?}", text(&o));
    let made: Value = serde_json::from_slice(&o.stdout).unwrap();
    let secret = made["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("lt_") && secret.len() > 40);
    let o = lotrace(
        &db,
        &[
            "token",
            "create",
            "--name",
            "p",
            "--scope",
            "read",
            "--partner",
            "NOBODY",
        ],
        &[],
        None,
    );
    assert!(!o.status.success());
    assert!(text(&o).1.contains("no party"), "{:?}", text(&o));
    let o = lotrace(&db, &["token", "list"], &[], None);
    let (out, _) = text(&o);
    assert!(out.contains("erp") && out.contains("active") && !out.contains(&secret));
    let o = lotrace(&db, &["token", "revoke", "erp"], &[], None);
    assert!(o.status.success());
    let o = lotrace(&db, &["token", "list", "--json"], &[], None);
    let tokens: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(tokens[0]["revoked_at"].is_string());
}

#[tokio::test]
async fn first_run_open_on_loopback_refused_elsewhere_and_admin_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db").to_str().unwrap().to_owned();
    let said = serve(&db, "0.0.0.0:0", &[])
        .err()
        .expect("refuses to start");
    assert!(
        said.contains("no users") && said.contains("lotrace user add"),
        "{said}"
    );
    let client = reqwest::Client::new();
    {
        let (_server, base) = serve(&db, "127.0.0.1:0", &[]).expect("open on loopback");
        let r = client
            .get(format!("{base}/api/v1/lots"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "open local server");
    }
    {
        let (_server, base) = serve(&db, "0.0.0.0:0", &[("LOTRACE_ADMIN_PASSWORD", PASSWORD)])
            .expect("starts with the admin from the environment");
        let port = base.rsplit(':').next().unwrap();
        let local = format!("http://127.0.0.1:{port}");
        let r = client
            .get(format!("{local}/api/v1/lots"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 401, "authentication is on");
        let r = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .post(format!("{local}/login"))
            .header("origin", &local)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(&[("name", "admin"), ("password", PASSWORD)]))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 303);
        let o = lotrace(
            &db,
            &[
                "token", "create", "--name", "ci", "--scope", "capture", "--json",
            ],
            &[],
            None,
        );
        let secret = serde_json::from_slice::<Value>(&o.stdout).unwrap()["secret"]
            .as_str()
            .unwrap()
            .to_owned();
        let r = client
            .post(format!("{local}/api/v1/ops/receive"))
            .bearer_auth(&secret)
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 400, "authorised; the body is checked");
    }
    let o = lotrace(&db, &["audit", "--json"], &[], None);
    assert!(o.status.success(), "{:?}", text(&o));
    let entries = serde_json::from_slice::<Value>(&o.stdout).unwrap()["entries"]
        .as_array()
        .unwrap()
        .clone();
    let who: Vec<(&str, &str, u64)> = entries
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap(),
                e["path"].as_str().unwrap(),
                e["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(who.contains(&("admin", "/login", 303)), "{who:?}");
    assert!(who.contains(&("ci", "/api/v1/ops/receive", 400)), "{who:?}");
    let o = lotrace(&db, &["audit", "--csv", "--user", "ci"], &[], None);
    let (csv, _) = text(&o);
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(csv.lines().next().unwrap().starts_with("seq,time,actor"));
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
