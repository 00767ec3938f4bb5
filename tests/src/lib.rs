//! Harness for Ferry's end-to-end tests: a real relay on port 0 with a fresh database.
//!
//! `spawn_app` starts the relay in sandbox mode from the committed demo config, so the
//! platforms' send APIs are the relay's own stand-ins, which record every request. The worker
//! is not run in the background: tests call `drain` to process and deliver, never sleep.
//!
//! The store is the one `FERRY_TEST_STORE` names: `sqlite` (the default, a file in a temp
//! folder) or `postgres` (a fresh database per test, see `postgres`). Tests that read the
//! database directly do it through sqlx's `Any` driver with SQL both understand (`$1`
//! placeholders, `->>` for JSON fields).

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

pub mod browser;
pub mod chat;
pub mod chat_api;
pub mod cluster;
pub mod demo;
pub mod fixtures;
pub mod inbox;
pub mod live;
pub mod postgres;
mod store;

pub use store::{StoreKind, TestStore};

use std::{path::PathBuf, sync::Arc};

use ferry_relay::{
    channels::meta, clock::ManualClock, config::Settings, http::AppState, sandbox::RecordedRequest,
    startup::Application, worker::Worker,
};
use serde_json::Value;
use tokio::{net::TcpListener, sync::oneshot};

/// The demo site's API key (from `relay/demo.toml`).
pub const API_KEY: &str = "demo-api-key-0123456789";
/// The demo site's Telegram webhook secret.
pub const TELEGRAM_SECRET: &str = "demo-telegram-webhook-secret";
/// The demo site's Meta app secret.
pub const META_APP_SECRET: &str = "demo-meta-app-secret";

/// A running relay.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`
    pub address: String,
    /// The relay's state (store, sandbox).
    pub state: AppState,
    /// The worker, driven by the test.
    pub worker: Worker,
    /// The relay's clock: it follows the system clock until a test moves it forward.
    pub clock: Arc<ManualClock>,
    /// HTTP client.
    pub client: reqwest::Client,
    /// Shuts the relay down when sent or dropped.
    shutdown: Option<oneshot::Sender<()>>,
    served: Option<tokio::task::JoinHandle<()>>,
    /// Dropped last: the relay's database.
    pub database: TestStore,
}

/// Starts a relay with the demo config, a fresh database, and the sandbox's platform stand-ins.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like `spawn_app`, after `adjust` changed the settings.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_on(TestStore::from_env().await, adjust).await
}

/// Starts two relays with the demo config on one fresh PostgreSQL database, as behind a load
/// balancer; `None` without PostgreSQL (the test is skipped, unless PostgreSQL is required).
pub async fn spawn_two_relays() -> Option<(TestApp, TestApp)> {
    let database = TestStore::postgres().await?;
    let shared = database.shared();
    let first = spawn_on(database, |_| {}).await;
    let second = spawn_on(shared, |_| {}).await;
    Some((first, second))
}

/// Starts a relay with the demo config on an existing database.
async fn spawn_on(database: TestStore, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let mut settings = Settings::parse(include_str!("../../relay/demo.toml")).expect("demo config");
    settings.server.database_url = database.url.clone();
    settings.server.static_dir = Some(PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../static"
    )));
    adjust(&mut settings);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("address").port();
    for site in &mut settings.sites {
        site.allowed_origins
            .push(format!("http://127.0.0.1:{port}"));
        if let Some(identity) = &mut site.identity {
            identity.login_url = Some(format!("http://127.0.0.1:{port}/demo/link.html"));
        }
    }
    let clock = ManualClock::following_system();
    let app = Application::build_with_clock(settings, listener, clock.clone())
        .await
        .expect("build relay");
    let address = format!("http://127.0.0.1:{port}");
    let state = app.state().clone();
    let worker = app.worker();
    let (shutdown, stopped) = oneshot::channel::<()>();
    let served = tokio::spawn(async move {
        let _ = app
            .serve(async move {
                let _ = stopped.await;
            })
            .await;
    });
    TestApp {
        address,
        state,
        worker,
        clock,
        client: reqwest::Client::builder().build().expect("client"),
        shutdown: Some(shutdown),
        served: Some(served),
        database,
    }
}

impl TestApp {
    /// Shuts the relay down (its open connections end), waits until it has let go of the
    /// database, and starts a new relay on it, at a new address.
    pub async fn restart(self) -> TestApp {
        self.restart_with(|_| {}).await
    }

    /// `restart`, the new relay's settings changed by `adjust` (an operator left, a site added).
    pub async fn restart_with(mut self, adjust: impl FnOnce(&mut Settings)) -> TestApp {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(served) = self.served.take() {
            served.await.unwrap();
        }
        let TestApp {
            state,
            worker,
            database,
            ..
        } = self;
        drop((state, worker));
        spawn_on(database, adjust).await
    }

    /// The origin the demo site allows for this app.
    pub fn origin(&self) -> &str {
        &self.address
    }

    /// POSTs a Telegram update with the given secret header (none if `None`).
    pub async fn post_telegram(&self, body: &Value, secret: Option<&str>) -> reqwest::Response {
        let mut request = self
            .client
            .post(format!("{}/hooks/demo/telegram", self.address))
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(secret) = secret {
            request = request.header("X-Telegram-Bot-Api-Secret-Token", secret);
        }
        request.send().await.expect("request")
    }

    /// POSTs a Meta (messenger or whatsapp) webhook body signed with `secret` (unsigned if `None`).
    pub async fn post_meta(
        &self,
        platform: &str,
        body: &[u8],
        secret: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .post(format!("{}/hooks/demo/{platform}", self.address))
            .header("content-type", "application/json")
            .body(body.to_vec());
        if let Some(secret) = secret {
            request = request.header("X-Hub-Signature-256", meta::sign(secret, body));
        }
        request.send().await.expect("request")
    }

    /// Registers an intent through the widget API as the demo page would.
    pub async fn create_intent(
        &self,
        channel: &str,
        reference: &str,
        campaign: &str,
    ) -> reqwest::Response {
        let body = serde_json::json!({
            "ref": reference,
            "channel": channel,
            "visit": {
                "page_url": format!("{}/demo/?utm_source=newsletter&utm_campaign={campaign}", self.address),
                "referrer": "https://news.example/spring-issue",
                "utm": { "source": "newsletter", "medium": "email", "campaign": campaign },
                "placement": "floating",
                "locale": "en-GB",
                "device": "mobile"
            }
        });
        self.client
            .post(format!("{}/api/widget/demo/intents", self.address))
            .header("Origin", self.origin())
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    /// `GET /v1/subscribers?<query>` with the demo API key; returns the `data` array.
    pub async fn subscribers(&self, query: &str) -> Vec<Value> {
        let response = self.merchant_get(&format!("/v1/subscribers?{query}")).await;
        assert_eq!(response.status(), 200, "listing subscribers");
        let body: Value = response.json().await.expect("json");
        body["data"].as_array().cloned().unwrap_or_default()
    }

    /// GET with the demo API key.
    pub async fn merchant_get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .bearer_auth(API_KEY)
            .send()
            .await
            .expect("request")
    }

    /// Processes every stored webhook event and delivers every due message.
    pub async fn drain(&self) {
        self.worker.drain().await.expect("worker");
    }

    /// What the platform stand-ins received.
    pub fn sent(&self) -> Vec<RecordedRequest> {
        self.state
            .sandbox
            .as_ref()
            .expect("sandbox mode")
            .recorded()
    }

    /// Rows in a table of the relay's database (`table` may carry a `WHERE` clause), read
    /// directly.
    pub async fn count_rows(&self, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&mut self.database_connection().await)
            .await
            .expect("count")
    }

    /// The row count of every table the relay owns, to show a request changed nothing.
    pub async fn snapshot(&self) -> Vec<(String, i64)> {
        self.state.store.row_counts().await.expect("row counts")
    }
}

/// The demo site's HS256 secret for customer tokens (from `relay/demo.toml`).
pub const IDENTITY_SECRET: &str = "demo-identity-signing-secret-0123456789abcdef";

/// A customer token as the demo merchant's backend would sign it, valid for ten minutes.
pub fn customer_token(customer_id: &str, email: &str, order_id: Option<&str>) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut claims = serde_json::json!({ "sub": customer_id, "aud": "demo", "iat": now, "exp": now + 600, "email": email });
    if let Some(order_id) = order_id {
        claims["order_id"] = order_id.into();
    }
    let key = jsonwebtoken::EncodingKey::from_secret(IDENTITY_SECRET.as_bytes());
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &key,
    )
    .expect("sign")
}

impl TestApp {
    /// POSTs JSON to a widget endpoint from the demo page's origin.
    pub async fn widget_post(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(format!("{}/api/widget/demo/{path}", self.address))
            .header("Origin", self.origin())
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// Registers an intent carrying a customer token, as a logged-in page does.
    pub async fn create_vouched_intent(
        &self,
        channel: &str,
        reference: &str,
        token: &str,
    ) -> reqwest::Response {
        let body = serde_json::json!({
            "ref": reference,
            "channel": channel,
            "token": token,
            "visit": { "page_url": format!("{}/demo/thanks.html", self.address), "placement": "checkout", "device": "desktop" }
        });
        self.widget_post("intents", &body).await
    }

    /// A merchant API call with the demo key.
    pub async fn merchant(&self, method: reqwest::Method, path: &str) -> reqwest::Response {
        self.client
            .request(method, format!("{}{path}", self.address))
            .bearer_auth(API_KEY)
            .send()
            .await
            .expect("request")
    }

    /// A connection of our own to the relay's database (reads see every commit). Write SQL
    /// both SQLite and PostgreSQL understand.
    pub async fn database_connection(&self) -> sqlx::AnyConnection {
        self.database.connect().await
    }
}
