//! Debian's chromium driven through chromium-driver (WebDriver), for the browser tests:
//! `driver()` starts chromedriver on a free loopback port (None when it is not installed
//! and CI is not set), `browser()` opens a headless session with its own profile.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

pub struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts chromedriver on a free loopback port; None when it is not installed (outside CI).
pub async fn driver() -> Option<Driver> {
    let path = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let Some(path) = path else {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium-driver must be installed in CI (.ci/run installs it)"
        );
        eprintln!("skipping this browser test: chromium-driver is not installed");
        return None;
    };
    let port = free_port();
    let mut child = Command::new(path)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    // Bounded wait for it to listen.
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(Driver { child, port });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("chromedriver did not listen on {port}");
}

pub async fn browser(driver: &Driver, profile: &std::path::Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update",
                "--no-first-run", "--window-size=1200,900",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a browser session")
}

/// A page in the browser, as a user works it: go, fill fields, press buttons and follow
/// links (waiting for the next page), read what it says, take screenshots.
pub struct Ui<'a> {
    pub c: &'a Client,
    base: &'a str,
    shots: std::path::PathBuf,
    /// Screenshots are `target/tmp/ui-screenshots/{shot_prefix}{name}.png`.
    shot_prefix: &'static str,
}

impl<'a> Ui<'a> {
    pub fn new(c: &'a Client, base: &'a str, shot_prefix: &'static str) -> Ui<'a> {
        let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("ui-screenshots");
        std::fs::create_dir_all(&shots).unwrap();
        Ui {
            c,
            base,
            shots,
            shot_prefix,
        }
    }

    pub async fn go(&self, path: &str) {
        self.c.goto(&format!("{}{path}", self.base)).await.unwrap();
    }

    /// Types into a field of the page (a textarea takes "\n" as a line break).
    pub async fn fill(&self, name: &str, value: &str) {
        let field = self.field(name).await;
        field.clear().await.unwrap();
        field.send_keys(value).await.unwrap();
    }

    pub async fn value(&self, name: &str) -> String {
        self.field(name)
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default()
    }

    async fn field(&self, name: &str) -> fantoccini::elements::Element {
        self.c
            .find(Locator::Css(&format!("main [name=\"{name}\"]")))
            .await
            .unwrap_or_else(|e| panic!("field {name}: {e}"))
    }

    /// Presses the button labelled `text` and waits for the next page.
    pub async fn press(&self, text: &str) {
        let xpath = format!("//main//button[normalize-space()=\"{text}\"]");
        self.follow(text, Locator::XPath(&xpath)).await;
    }

    /// Follows the link labelled `text`.
    pub async fn link(&self, text: &str) {
        let xpath = format!("//main//a[normalize-space()=\"{text}\"]");
        self.follow(text, Locator::XPath(&xpath)).await;
    }

    async fn follow(&self, what: &str, locator: Locator<'_>) {
        let target = self
            .c
            .find(locator)
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        self.submits(|| async { target.click().await.unwrap() })
            .await;
    }

    /// Runs `act`, which leaves the page, and waits (bounded) for the next page to load:
    /// WebDriver's click can return before the browser has left the page.
    pub async fn submits<F, Fut>(&self, act: F)
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = ()>,
    {
        let old = self.c.find(Locator::Css("html")).await.unwrap();
        act().await;
        for _ in 0..100 {
            if old.tag_name().await.is_err() {
                let ready = self
                    .c
                    .execute("return document.readyState;", vec![])
                    .await
                    .unwrap();
                if ready == "complete" {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the page did not change within 5 s");
    }

    /// The flash message, empty when there is none.
    pub async fn flash(&self) -> String {
        match self.c.find(Locator::Css(".flash")).await {
            Ok(f) => f.text().await.unwrap(),
            Err(_) => String::new(),
        }
    }

    /// The text of the page's main part.
    pub async fn text(&self) -> String {
        self.c
            .find(Locator::Css("main"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// The current path and query.
    pub async fn path(&self) -> String {
        let url = self.c.current_url().await.unwrap();
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        }
    }

    pub async fn shot(&self, name: &str) {
        let png = self.c.screenshot().await.unwrap();
        let file = format!("{}{name}.png", self.shot_prefix);
        std::fs::write(self.shots.join(file), png).unwrap();
    }

    /// No horizontal scrolling at the current width.
    pub async fn fits(&self) -> bool {
        self.c
            .execute(
                "return document.documentElement.scrollWidth <= window.innerWidth;",
                vec![],
            )
            .await
            .unwrap()
            .as_bool()
            .unwrap()
    }
}
