//! Loading the webhook fixtures under `tests/fixtures`, with a scenario's ref put in.

use serde_json::Value;

/// The fixture's JSON with every `"REF"` placeholder in strings replaced by `reference`.
pub fn load(path: &str, reference: &str) -> Value {
    let full = format!("{}/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("reading {full}: {e}"));
    serde_json::from_str(&text.replace("REF", reference))
        .unwrap_or_else(|e| panic!("parsing {full}: {e}"))
}

/// The fixture's raw bytes.
pub fn raw(path: &str) -> Vec<u8> {
    let full = format!("{}/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("reading {full}: {e}"))
}

/// Where the shared captures of other projects live, if this checkout has them beside it.
pub fn shared_captures() -> Option<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures");
    dir.is_dir().then_some(dir)
}

/// A random ref token of the widget's shape (22 characters of base64url).
pub fn token() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let raw = format!("{nanos:x}{n:04x}tokentokentokentoken");
    raw.chars()
        .filter(char::is_ascii_alphanumeric)
        .take(22)
        .collect()
}

/// A Telegram `/start <ref>` update from `user` (chat id = user id in a private chat).
pub fn telegram_start(update_id: i64, user: i64, reference: &str) -> Value {
    telegram_from(
        load("telegram/start_with_ref.json", reference),
        update_id,
        user,
    )
}

/// A Telegram text message from `user`.
pub fn telegram_text(update_id: i64, user: i64, text: &str) -> Value {
    let mut update = telegram_from(load("telegram/private_text.json", ""), update_id, user);
    update["message"]["text"] = text.into();
    update
}

fn telegram_from(mut update: Value, update_id: i64, user: i64) -> Value {
    update["update_id"] = update_id.into();
    update["message"]["chat"]["id"] = user.into();
    update["message"]["from"]["id"] = user.into();
    update
}
