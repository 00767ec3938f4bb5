//! A client for the relay's live streams (Server-Sent Events), reading one event at a time.

use std::time::Duration;

use serde_json::Value;

/// How long a test waits for an event before it fails: the relay sends at once, so this only
/// bounds a test that would otherwise hang.
const PATIENCE: Duration = Duration::from_secs(20);

/// One event of a stream.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveEvent {
    /// `event:`, or `message` when absent.
    pub name: String,
    /// `id:`, if given.
    pub id: Option<String>,
    /// `data:`, parsed as JSON.
    pub data: Value,
}

/// An open stream.
pub struct LiveStream {
    response: reqwest::Response,
    buffer: String,
}

impl LiveStream {
    /// Wraps an answered request, which must be a 200 event stream.
    pub fn new(response: reqwest::Response) -> Self {
        assert_eq!(response.status(), 200, "the stream opens");
        let content_type = response.headers()["content-type"].to_str().unwrap_or("");
        assert!(
            content_type.starts_with("text/event-stream"),
            "{content_type}"
        );
        Self {
            response,
            buffer: String::new(),
        }
    }

    /// The next event (comments skipped); panics after `PATIENCE` or if the stream ends.
    pub async fn next(&mut self) -> LiveEvent {
        match tokio::time::timeout(PATIENCE, self.next_or_end()).await {
            Ok(Some(event)) => event,
            Ok(None) => panic!("the stream ended"),
            Err(_) => panic!("no event within {PATIENCE:?}"),
        }
    }

    /// The next event, or `None` once the relay ended the stream.
    pub async fn next_or_end(&mut self) -> Option<LiveEvent> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                if let Some(event) = parse(&block) {
                    return Some(event);
                }
                continue;
            }
            let chunk = self.response.chunk().await.ok()??;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// The next `n` events named `name`, skipping others.
    pub async fn next_named(&mut self, name: &str, n: usize) -> Vec<LiveEvent> {
        let mut events = Vec::with_capacity(n);
        while events.len() < n {
            let event = self.next().await;
            if event.name == name {
                events.push(event);
            }
        }
        events
    }
}

/// One event block; `None` for a block of comments only.
fn parse(block: &str) -> Option<LiveEvent> {
    let (mut name, mut id, mut data) = (None, None, Vec::new());
    for line in block.lines() {
        if let Some(value) = line.strip_prefix("event:") {
            name = Some(value.trim_start().to_owned());
        } else if let Some(value) = line.strip_prefix("id:") {
            id = Some(value.trim_start().to_owned());
        } else if let Some(value) = line.strip_prefix("data:") {
            data.push(value.strip_prefix(' ').unwrap_or(value).to_owned());
        }
    }
    if data.is_empty() {
        return None;
    }
    Some(LiveEvent {
        name: name.unwrap_or_else(|| "message".to_owned()),
        id,
        data: serde_json::from_str(&data.join("\n")).unwrap_or(Value::Null),
    })
}
