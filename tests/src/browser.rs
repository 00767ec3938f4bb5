//! Driving pages in headless Chromium through chromedriver (WebDriver), for the browser tests.
//!
//! `Browser::start` launches chromedriver on a free port and a fresh headless Chromium with the
//! flags this machine needs. When Chromium or the built widget is missing, it returns `None`
//! and the test is skipped with a message — unless `FERRY_REQUIRE_BROWSER=1` (set by the
//! README's test command and CI), where a missing piece fails the test instead.

use std::{
    path::Path,
    process::Stdio,
    time::{Duration, Instant},
};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// How long to wait for something the page will do (a mount, a navigation, a poll).
const PATIENCE: Duration = Duration::from_secs(15);

/// A headless Chromium session.
pub struct Browser {
    /// The WebDriver client.
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts Chromium for pages with the widget, or explains why it cannot (and fails if
    /// browsers are required).
    pub async fn start() -> Option<Browser> {
        let widget = Path::new(env!("CARGO_MANIFEST_DIR")).join("../static/widget/widget.js");
        let unbuilt =
            (!widget.exists()).then(|| "the widget is not built (bash widget/build.sh)".to_owned());
        Self::start_unless(unbuilt).await
    }

    /// Starts Chromium for the relay's own pages (the inbox), which need no widget.
    pub async fn start_without_widget() -> Option<Browser> {
        Self::start_unless(None).await
    }

    async fn start_unless(missing_build: Option<String>) -> Option<Browser> {
        let missing = [
            (CHROMIUM, "apt-get install chromium"),
            (CHROMEDRIVER, "apt-get install chromium-driver"),
        ]
        .into_iter()
        .filter(|(path, _)| !Path::new(path).exists())
        .map(|(path, fix)| format!("{path} is missing ({fix})"))
        .chain(missing_build)
        .collect::<Vec<_>>();
        if !missing.is_empty() {
            let reason = missing.join("; ");
            assert!(
                std::env::var_os("FERRY_REQUIRE_BROWSER").is_none(),
                "browser test cannot run: {reason}"
            );
            eprintln!("skipping browser test: {reason}");
            return None;
        }
        Some(Self::launch().await)
    }

    async fn launch() -> Browser {
        let port = free_port();
        let mut driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start chromedriver");
        // chromedriver says when it listens; read its stdout instead of guessing a delay.
        let mut lines = BufReader::new(driver.stdout.take().expect("stdout")).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if line.contains("started successfully") {
                break;
            }
        }
        let profile = tempfile::tempdir().expect("profile dir");
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1280,900",
        ]
        .iter()
        .map(|a| (*a).to_owned())
        .chain([format!("--user-data-dir={}", profile.path().display())])
        .collect::<Vec<_>>();
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({ "binary": CHROMIUM, "args": args }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("connect to chromedriver");
        Browser {
            client,
            driver,
            _profile: profile,
        }
    }

    /// Opens a URL.
    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("opening {url}: {e}"));
    }

    /// Runs JavaScript in the page and returns its result.
    pub async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, Vec::new())
            .await
            .unwrap_or_else(|e| panic!("running {script}: {e}"))
    }

    /// Waits until a JavaScript expression is truthy and returns its value.
    pub async fn wait_for(&self, what: &str, expression: &str) -> Value {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let value = self
                .js(&format!(
                    "try {{ return ({expression}); }} catch (e) {{ return null; }}"
                ))
                .await;
            if !matches!(value, Value::Null | Value::Bool(false)) && value != json!("") {
                return value;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Clicks an element of the page itself (not inside a shadow root).
    pub async fn click(&self, css: &str) {
        let element = self
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("finding {css}: {e}"));
        element
            .click()
            .await
            .unwrap_or_else(|e| panic!("clicking {css}: {e}"));
    }

    /// Types into an element of the page, key by key (`\n` presses Enter).
    pub async fn type_into(&self, css: &str, text: &str) {
        let element = self
            .client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("finding {css}: {e}"));
        element
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("typing into {css}: {e}"));
    }

    /// Resizes the window so the page's viewport is `width` × `height` CSS pixels.
    pub async fn viewport(&self, width: u32, height: u32) {
        let (_, _, outer_width, outer_height) =
            self.client.get_window_rect().await.expect("window size");
        let inner = self.js("return [innerWidth, innerHeight]").await;
        // Whatever the window has beyond its viewport (a frame, in a headful browser).
        let frame =
            |outer: u64, inner: &Value| outer.saturating_sub(inner.as_u64().unwrap_or(outer));
        let outer = |size: u32, frame: u64| u32::try_from(u64::from(size) + frame).expect("a size");
        self.client
            .set_window_size(
                outer(width, frame(outer_width, &inner[0])),
                outer(height, frame(outer_height, &inner[1])),
            )
            .await
            .expect("resize the window");
    }

    /// Saves a screenshot as `ferry-<name>.png` in the temp dir (for looking at failures and at
    /// the demo).
    pub async fn screenshot(&self, name: &str) {
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(std::env::temp_dir().join(format!("ferry-{name}.png")), png);
        }
    }

    /// Ends the session.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill().await;
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// JavaScript that finds an element by `data-testid` inside the widget's shadow root.
pub fn in_widget(testid: &str) -> String {
    format!(
        "(Array.from(document.querySelectorAll('*')).map(e => e.shadowRoot).filter(Boolean).map(r => r.querySelector('[data-testid=\"{testid}\"]')).find(Boolean))"
    )
}
