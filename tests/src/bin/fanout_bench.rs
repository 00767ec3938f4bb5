//! Live fan-out benchmark: many visitors follow their web chat live while an operator replies to
//! each, against a release `ferry serve` (SQLite, production settings).
//!
//! It measures, for every reply, the time from sending it through the merchant API to the event
//! arriving on that visitor's stream (request round trip included: an upper bound of "accepted
//! to received"), once with replies one at a time and once with `--concurrency` in flight; and
//! the relay's resident memory before and after the streams open, per stream.
//!
//! `cargo build --release -p ferry-relay --bin ferry && cargo run --release -p ferry-tests --bin
//! fanout-bench -- --visitors 1000`

// A benchmark: a failed unwrap is a failed run, with its location.
#![allow(clippy::unwrap_used)]

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use clap::Parser;
use ferry_tests::{
    cluster::{self, API_KEY, FakeBotApi, ORIGIN, Relay, RelayOptions, SITE},
    live::LiveStream,
};
use futures_util::{StreamExt, stream};
use serde_json::{Value, json};
use tokio::sync::mpsc;

#[derive(Parser)]
struct Args {
    /// Visitors following their conversation at once.
    #[arg(long, default_value_t = 1000)]
    visitors: usize,
    /// Replies in flight at once in the concurrent round.
    #[arg(long, default_value_t = 50)]
    concurrency: usize,
}

/// When each reply (by its text) arrived on its stream.
type Arrivals = Arc<Mutex<HashMap<String, Instant>>>;

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let binary = cluster::release_binary();
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("ferry.db").display());
    let fake = FakeBotApi::start(Duration::ZERO).await;
    let options = RelayOptions {
        max_connections: Some(u32::try_from(args.visitors * 2 + 256).unwrap()),
        ..RelayOptions::production()
    };
    let relay = Relay::start(&binary, &database, &fake.url, &options).await;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .unwrap();

    let tokens = start_conversations(&client, &relay.url, args.visitors).await;
    let ids = conversation_ids(&client, &relay.url).await;
    assert_eq!(ids.len(), args.visitors);
    let before = rss_kib(&relay);
    let arrivals: Arrivals = Arc::default();
    let (ready, mut all_ready) = mpsc::channel(args.visitors);
    for token in tokens {
        let (url, arrivals, ready) = (relay.url.clone(), arrivals.clone(), ready.clone());
        // Each stream on a connection of its own, as each visitor's browser has.
        let client = reqwest::Client::new();
        tokio::spawn(follow(client, url, token, arrivals, ready));
    }
    for _ in 0..args.visitors {
        all_ready.recv().await.unwrap();
    }
    let after = rss_kib(&relay);

    let one_by_one = reply_round(&client, &relay.url, &ids, "a", 1, &arrivals).await;
    let together = reply_round(&client, &relay.url, &ids, "b", args.concurrency, &arrivals).await;

    println!("| visitors | replies in flight | p50 | p90 | p99 | max |");
    println!("|---:|---:|---:|---:|---:|---:|");
    for (concurrency, latencies) in [(1, one_by_one), (args.concurrency, together)] {
        println!(
            "| {} | {concurrency} | {} | {} | {} | {} |",
            args.visitors,
            ms(percentile(&latencies, 0.50)),
            ms(percentile(&latencies, 0.90)),
            ms(percentile(&latencies, 0.99)),
            ms(*latencies.last().unwrap()),
        );
    }
    if let (Some(before), Some(after)) = (before, after) {
        println!(
            "\nrelay RSS: {} MiB before the streams, {} MiB with {} open: {:.1} KiB per stream",
            before / 1024,
            after / 1024,
            args.visitors,
            after.saturating_sub(before) as f64 / args.visitors as f64
        );
    }
}

/// Starts `count` conversations with one message each; their tokens.
async fn start_conversations(client: &reqwest::Client, url: &str, count: usize) -> Vec<String> {
    stream::iter(0..count)
        .map(|n| async move {
            let started: Value = client
                .post(format!("{url}/api/widget/{SITE}/conversations"))
                .header("Origin", ORIGIN)
                .json(&json!({ "visit": { "page_url": "https://shop.example/", "placement": "floating" } }))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let token = started["token"].as_str().unwrap().to_owned();
            let sent = client
                .post(format!("{url}/api/widget/{SITE}/conversation/messages"))
                .header("Origin", ORIGIN)
                .header("X-Ferry-Conversation", &token)
                .json(&json!({ "text": format!("visitor {n}"), "client_key": "k" }))
                .send()
                .await
                .unwrap();
            assert_eq!(sent.status(), 201);
            token
        })
        .buffer_unordered(32)
        .collect()
        .await
}

/// Every conversation id, through the merchant API's pages.
async fn conversation_ids(client: &reqwest::Client, url: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut request = client
            .get(format!("{url}/v1/conversations"))
            .bearer_auth(API_KEY)
            .query(&[("limit", "200")]);
        if let Some(cursor) = &cursor {
            request = request.query(&[("cursor", cursor)]);
        }
        let page: Value = request.send().await.unwrap().json().await.unwrap();
        ids.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_i64().unwrap()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return ids,
        }
    }
}

/// Follows one conversation: says when it has its history, then records each operator reply.
async fn follow(
    client: reqwest::Client,
    url: String,
    token: String,
    arrivals: Arrivals,
    ready: mpsc::Sender<()>,
) {
    let response = client
        .get(format!("{url}/api/widget/{SITE}/conversation/events"))
        .header("Origin", ORIGIN)
        .header("X-Ferry-Conversation", &token)
        .send()
        .await
        .unwrap();
    let mut stream = LiveStream::new(response);
    stream.next_named("message", 1).await;
    ready.send(()).await.unwrap();
    while let Some(event) = stream.next_or_end().await {
        if event.data["author"] == "operator" {
            let text = event.data["text"].as_str().unwrap_or_default().to_owned();
            arrivals.lock().unwrap().insert(text, Instant::now());
        }
    }
}

/// Replies to every conversation, `concurrency` at a time; the sorted latencies.
async fn reply_round(
    client: &reqwest::Client,
    url: &str,
    ids: &[i64],
    round: &str,
    concurrency: usize,
    arrivals: &Arrivals,
) -> Vec<Duration> {
    let sent: Vec<(String, Instant)> = stream::iter(ids.iter().copied())
        .map(|id| async move {
            let text = format!("reply {round} {id}");
            let at = Instant::now();
            let response = client
                .post(format!("{url}/v1/conversations/{id}/messages"))
                .bearer_auth(API_KEY)
                .json(&json!({ "text": text }))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 201);
            (text, at)
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let arrived = arrivals.lock().unwrap();
        if sent.iter().all(|(text, _)| arrived.contains_key(text)) {
            let mut latencies: Vec<Duration> = sent
                .iter()
                .map(|(text, at)| arrived[text].saturating_duration_since(*at))
                .collect();
            latencies.sort();
            return latencies;
        }
        drop(arrived);
        assert!(
            Instant::now() < deadline,
            "replies still missing after 60 s"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn ms(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

/// The relay's resident memory in KiB (Linux).
fn rss_kib(relay: &Relay) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", relay.pid()?)).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}
