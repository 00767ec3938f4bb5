//! Relays as real `ferry serve` processes, the fake Telegram Bot API they send to, and a webhook
//! sender: what the multi-relay tests and the end-to-end benchmark share.
//!
//! The processes run the binary built from this checkout (`ferry_binary` builds it first), with
//! a config written for the occasion: one site, Telegram only, its Bot API at the fake. The
//! fake answers `sendMessage` like Telegram after an optional delay and counts what each chat
//! received, which is what tests assert on: every welcome arrived, and how many twice.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    process::Stdio,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use axum::{
    Json, Router,
    extract::{Path as UrlPath, State},
    routing::post,
};
use serde_json::{Value, json};
use tokio::{net::TcpListener, process::Child};

/// The site every cluster relay serves.
pub const SITE: &str = "shop";
/// The site's merchant API key.
pub const API_KEY: &str = "cluster-api-key-0123456789";
/// The page origin the site's widget is allowed on.
pub const ORIGIN: &str = "https://shop.example";
/// Its Telegram webhook secret.
pub const SECRET: &str = "cluster-webhook-secret-0123456789";
const BOT_TOKEN: &str = "4242:cluster-bot-token";

/// A fake Telegram Bot API: answers `sendMessage` after `latency`, counting sends per chat.
pub struct FakeBotApi {
    /// Base URL (what `platforms.telegram_api` is set to).
    pub url: String,
    state: Arc<BotApiState>,
}

struct BotApiState {
    latency: Duration,
    sends: Mutex<HashMap<i64, u32>>,
    total: AtomicU64,
    chats: AtomicU64,
}

impl FakeBotApi {
    /// Starts the fake on a free port.
    pub async fn start(latency: Duration) -> Self {
        let state = Arc::new(BotApiState {
            latency,
            sends: Mutex::default(),
            total: AtomicU64::new(0),
            chats: AtomicU64::new(0),
        });
        let app = Router::new()
            .route("/{bot}/sendMessage", post(send_message))
            .with_state(state.clone());
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, state }
    }

    /// Messages received so far.
    pub fn total(&self) -> u64 {
        self.state.total.load(Ordering::SeqCst)
    }

    /// Chats that received at least one message.
    pub fn chats(&self) -> u64 {
        self.state.chats.load(Ordering::SeqCst)
    }

    /// Messages received per chat id.
    pub fn per_chat(&self) -> HashMap<i64, u32> {
        self.state
            .sends
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default()
    }

    /// Waits (polling, bounded by `limit`) until every chat in `chats` got a message; returns
    /// whether they all did.
    pub async fn wait_for_chats(&self, chats: &[i64], limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        loop {
            let received = self.per_chat();
            if chats.iter().all(|chat| received.contains_key(chat)) {
                return true;
            }
            if Instant::now() > deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn send_message(
    State(state): State<Arc<BotApiState>>,
    UrlPath(bot): UrlPath<String>,
    Json(body): Json<Value>,
) -> Json<Value> {
    if !state.latency.is_zero() {
        tokio::time::sleep(state.latency).await;
    }
    let chat = body["chat_id"].as_i64().unwrap_or_default();
    if bot != format!("bot{BOT_TOKEN}") || chat == 0 {
        return Json(json!({ "ok": false, "error_code": 400, "description": "Bad Request" }));
    }
    if let Ok(mut sends) = state.sends.lock() {
        let count = sends.entry(chat).or_default();
        if *count == 0 {
            state.chats.fetch_add(1, Ordering::SeqCst);
        }
        *count += 1;
    }
    let id = state.total.fetch_add(1, Ordering::SeqCst) + 1;
    Json(json!({ "ok": true, "result": {
        "message_id": id, "date": 1_763_733_600, "text": body["text"],
        "chat": { "id": chat, "type": "private" } } }))
}

/// The release `ferry` binary, which must have been built (`cargo build --release -p
/// ferry-relay --bin ferry`): building it from inside a benchmark would time the build.
pub fn release_binary() -> PathBuf {
    let binary = target_dir().join("release").join("ferry");
    assert!(
        binary.is_file(),
        "{} is missing: run `cargo build --release -p ferry-relay --bin ferry` first",
        binary.display()
    );
    binary
}

fn target_dir() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| workspace.join("target"), PathBuf::from)
}

/// The `ferry` binary of this checkout (debug build), built if needed.
///
/// Built as `cargo test --workspace` builds it, with every test target's features unified, so
/// within the test command it is already fresh; a plain `cargo build -p ferry-relay` resolves
/// features differently and would rebuild the relay and several dependencies a second time.
pub fn ferry_binary() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let status = std::process::Command::new(env!("CARGO"))
        .current_dir(&workspace)
        .args(["build", "--quiet", "--workspace", "--bins", "--tests"])
        .status()
        .expect("running cargo build");
    assert!(status.success(), "building the ferry binary failed");
    target_dir().join("debug").join("ferry")
}

/// Settings of a cluster relay beyond the database and the fake API.
#[derive(Debug, Clone)]
pub struct RelayOptions {
    /// `worker.lease_secs`: how soon another relay takes over a dead one's work.
    pub lease_secs: u64,
    /// `platforms.timeout_secs` (must stay below the lease).
    pub platform_timeout_secs: u64,
    /// `worker.max_in_flight`: the bound on messages a killed relay can have had in flight.
    pub max_in_flight: usize,
    /// `worker.give_up_after_secs`.
    pub give_up_after_secs: u64,
    /// `worker.poll_interval_ms`.
    pub poll_interval_ms: u64,
    /// Whether the config has a `[worker]` section (relays older than it refuse one).
    pub worker_section: bool,
    /// `server.max_connections`, when not the default (live streams each hold one).
    pub max_connections: Option<u32>,
}

impl RelayOptions {
    /// What a production relay runs with (the defaults of `[worker]` and `[platforms]`).
    pub fn production() -> Self {
        Self {
            lease_secs: 60,
            platform_timeout_secs: 10,
            max_in_flight: 256,
            give_up_after_secs: 30,
            poll_interval_ms: 1000,
            worker_section: true,
            max_connections: None,
        }
    }
}

impl Default for RelayOptions {
    fn default() -> Self {
        Self {
            lease_secs: 3,
            platform_timeout_secs: 2,
            max_in_flight: 64,
            give_up_after_secs: 30,
            poll_interval_ms: 200,
            worker_section: true,
            max_connections: None,
        }
    }
}

/// A running `ferry serve` process.
pub struct Relay {
    /// `http://127.0.0.1:<port>`
    pub url: String,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Relay {
    /// Starts a relay on a free port and waits until `/readyz` answers 200.
    pub async fn start(
        binary: &Path,
        database_url: &str,
        bot_api: &str,
        options: &RelayOptions,
    ) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port().await;
        let config = dir.path().join("ferry.toml");
        std::fs::write(&config, config_text(database_url, bot_api, port, options))
            .expect("writing the config");
        let child = tokio::process::Command::new(binary)
            .args(["serve", "--config"])
            .arg(&config)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("starting ferry serve");
        let mut relay = Self {
            url: format!("http://127.0.0.1:{port}"),
            child,
            _dir: dir,
        };
        relay.wait_until_ready().await;
        relay
    }

    async fn wait_until_ready(&mut self) {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .expect("client");
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("relay at {} exited at start: {status}", self.url);
            }
            let ready = client.get(format!("{}/readyz", self.url)).send().await;
            if ready.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("relay at {} did not become ready", self.url);
    }

    /// The process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Kills the process at once (SIGKILL: no shutdown, no cleanup).
    pub async fn kill(&mut self) {
        self.child.kill().await.expect("killing the relay");
    }

    /// Waits (at most `limit`) for the process to exit on its own; its exit code, or `None`
    /// if it was still running.
    pub async fn exit_code(&mut self, limit: Duration) -> Option<Option<i32>> {
        tokio::time::timeout(limit, self.child.wait())
            .await
            .ok()
            .map(|status| status.expect("waiting for the relay").code())
    }
}

async fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    listener.local_addr().expect("address").port()
}

fn config_text(database_url: &str, bot_api: &str, port: u16, options: &RelayOptions) -> String {
    let worker = if options.worker_section {
        format!(
            "[worker]\nlease_secs = {lease}\nmax_in_flight = {in_flight}\n\
             max_in_flight_per_lane = {in_flight}\ngive_up_after_secs = {give_up}\n\
             poll_interval_ms = {poll}\n",
            lease = options.lease_secs,
            in_flight = options.max_in_flight,
            give_up = options.give_up_after_secs,
            poll = options.poll_interval_ms,
        )
    } else {
        String::new()
    };
    let max_connections = options
        .max_connections
        .map(|max| format!("max_connections = {max}\n"))
        .unwrap_or_default();
    format!(
        r#"[server]
listen = "127.0.0.1:{port}"
database_url = "{database_url}"
widget_rate_limit_per_minute = 0
{max_connections}
[platforms]
telegram_api = "{bot_api}"
timeout_secs = {timeout}

{worker}
[[sites]]
id = "{SITE}"
name = "Cluster Shop"
api_key = "{API_KEY}"
allowed_origins = ["{ORIGIN}"]

[sites.telegram]
bot_username = "cluster_shop_bot"
bot_token = "{BOT_TOKEN}"
webhook_secret = "{SECRET}"
"#,
        timeout = options.platform_timeout_secs,
    )
}

/// A Telegram `/start` from a new person: update `id`, chat and user `900_000_000 + id`.
pub fn start_update(id: i64) -> String {
    let user = chat_of(id);
    json!({
        "update_id": id,
        "message": {
            "message_id": id,
            "from": { "id": user, "is_bot": false, "first_name": "Ann", "language_code": "en" },
            "chat": { "id": user, "first_name": "Ann", "type": "private" },
            "date": 1_763_733_600,
            "text": "/start Zm9vYmFyYmF6cXV4MTIzNDU2",
            "entities": [{ "offset": 0, "length": 6, "type": "bot_command" }]
        }
    })
    .to_string()
}

/// The chat (and user) id of `start_update(id)`.
pub fn chat_of(update_id: i64) -> i64 {
    900_000_000 + update_id
}

/// Posts one update to a relay; whether it was acknowledged (2xx).
pub async fn post_update(client: &reqwest::Client, relay_url: &str, id: i64) -> bool {
    client
        .post(format!("{relay_url}/hooks/{SITE}/telegram"))
        .header("content-type", "application/json")
        .header("X-Telegram-Bot-Api-Secret-Token", SECRET)
        .body(start_update(id))
        .send()
        .await
        .is_ok_and(|response| response.status().is_success())
}
