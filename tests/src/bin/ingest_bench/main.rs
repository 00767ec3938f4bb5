//! Benchmark: Telegram webhook ingest against a bare axum handler, measured in the same run.
//!
//! Run with `cargo run --release -p ferry-tests --bin ingest-bench` (see tests/BENCHMARKS.md).
//! Every server runs in this process on loopback with the same load generator: `concurrency`
//! clients each post one request after another for `seconds`, at each concurrency in turn, and
//! the targets take turns for `rounds` rounds; each target's median round is reported, with the
//! relay's rate as a share of the baseline's in each round (machines shared with other work
//! drift by tens of percent over a minute, which one round per target would mistake for a
//! difference between targets). The baseline handler parses the JSON body and answers; the relay verifies the secret, parses the
//! update, and answers only after the event is committed — to SQLite (WAL, fsync on commit,
//! group commit) and, when one is reachable, to a fresh PostgreSQL database (default durability:
//! `synchronous_commit = on`).

// Test code: a failed unwrap is a failed test, with its location.
#![allow(clippy::unwrap_used)]

use std::{
    sync::Arc,
    sync::atomic::{AtomicI64, Ordering},
    time::{Duration, Instant},
};

use axum::{Json, Router, body::Bytes, routing::post};
use clap::Parser;
use ferry_relay::{config::Settings, startup::Application};
use ferry_tests::{TestStore, postgres::TestDatabase};
use serde_json::{Value, json};
use tokio::net::TcpListener;

// The allocator the `ferry` binary runs with, so the relay is measured as it runs; the bare
// handler and the load generator use it too.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(about = "Telegram webhook ingest vs a bare axum handler")]
struct Args {
    /// Concurrent clients; each value is one round over every target.
    #[arg(long, value_delimiter = ',', default_value = "50,256")]
    concurrency: Vec<usize>,
    /// Measured seconds per target and round.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Rounds over every target, taking turns.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Measure SQLite only, even if a PostgreSQL is reachable.
    #[arg(long)]
    sqlite_only: bool,
    /// Warm-up seconds per target (not measured).
    #[arg(long, default_value_t = 2)]
    warmup: u64,
}

struct Outcome {
    requests: usize,
    errors: usize,
    elapsed: Duration,
    latencies_us: Vec<u64>,
}

impl Outcome {
    fn percentile(&self, p: f64) -> f64 {
        let index = ((self.latencies_us.len() as f64 - 1.0) * p).round() as usize;
        self.latencies_us.get(index).copied().unwrap_or(0) as f64 / 1000.0
    }

    fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    fn row(&self, name: &str) -> String {
        format!(
            "| {name} | {:.0} | {:.2} | {:.2} | {:.2} | {} |",
            self.rate(),
            self.percentile(0.50),
            self.percentile(0.99),
            self.percentile(0.999),
            self.errors
        )
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let baseline = start_baseline().await?;
    let sqlite = TestStore::sqlite();
    let postgres = if args.sqlite_only {
        None
    } else {
        TestDatabase::create().await
    };
    let mut targets = vec![
        ("bare axum: parse JSON, answer", baseline),
        (
            "ferry, SQLite: verify, parse, durable group commit, answer",
            start_relay(&sqlite.url).await?,
        ),
    ];
    match &postgres {
        Some(database) => targets.push((
            "ferry, PostgreSQL: verify, parse, durable commit, answer",
            start_relay(&database.url).await?,
        )),
        None => eprintln!("no PostgreSQL reachable: measuring SQLite only"),
    }
    let update_ids = Arc::new(AtomicI64::new(1));
    println!(
        "Telegram webhook ingest, {} rounds of {} s per target and concurrency, {} cores",
        args.rounds,
        args.seconds,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!();
    println!(
        "| clients | target | req/s | p50 ms | p99 ms | p99.9 ms | errors | of bare, per round |"
    );
    println!("|--:|---|--:|--:|--:|--:|--:|--:|");
    for &concurrency in &args.concurrency {
        let mut rounds: Vec<Vec<Outcome>> = targets.iter().map(|_| Vec::new()).collect();
        for _ in 0..args.rounds.max(1) {
            for ((_, address), outcomes) in targets.iter().zip(&mut rounds) {
                let url = format!("{address}/hooks/demo/telegram");
                load(concurrency, &url, update_ids.clone(), args.warmup).await;
                outcomes.push(load(concurrency, &url, update_ids.clone(), args.seconds).await);
            }
        }
        let bare: Vec<f64> = rounds[0].iter().map(Outcome::rate).collect();
        for ((name, _), mut outcomes) in targets.iter().zip(rounds) {
            let shares: Vec<String> = outcomes
                .iter()
                .zip(&bare)
                .map(|(outcome, bare)| format!("{:.0} %", 100.0 * outcome.rate() / bare))
                .collect();
            outcomes.sort_by(|a, b| a.rate().total_cmp(&b.rate()));
            let median = &outcomes[outcomes.len() / 2];
            println!(
                "| {concurrency} {} {} |",
                median.row(name),
                shares.join(", ")
            );
        }
    }
    Ok(())
}

async fn start_baseline() -> anyhow::Result<String> {
    let app = Router::new().route(
        "/hooks/demo/telegram",
        post(|body: Bytes| async move {
            let update: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            Json(json!({ "ok": update.is_object() }))
        }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(address)
}

async fn start_relay(database_url: &str) -> anyhow::Result<String> {
    let mut settings = Settings::parse(include_str!("../../../relay/demo.toml"))?;
    settings.server.database_url = database_url.to_owned();
    settings.server.widget_rate_limit_per_minute = 0;
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = format!("http://{}", listener.local_addr()?);
    let app = Application::build(settings, listener).await?;
    tokio::spawn(app.serve(std::future::pending()));
    Ok(address)
}

fn update(update_id: i64) -> String {
    json!({
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "from": { "id": 900_000_000 + update_id, "is_bot": false, "first_name": "Ann", "language_code": "en" },
            "chat": { "id": 900_000_000 + update_id, "first_name": "Ann", "type": "private" },
            "date": 1_763_733_600,
            "text": "/start Zm9vYmFyYmF6cXV4MTIzNDU2",
            "entities": [{ "offset": 0, "length": 6, "type": "bot_command" }]
        }
    })
    .to_string()
}

async fn load(concurrency: usize, url: &str, update_ids: Arc<AtomicI64>, seconds: u64) -> Outcome {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()
        .expect("client");
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (client, url, update_ids) = (client.clone(), url.to_owned(), update_ids.clone());
            tokio::spawn(async move {
                let (mut latencies, mut errors) = (Vec::new(), 0);
                while Instant::now() < deadline {
                    let body = update(update_ids.fetch_add(1, Ordering::Relaxed));
                    let sent = Instant::now();
                    let response = client
                        .post(&url)
                        .header("content-type", "application/json")
                        .header(
                            "X-Telegram-Bot-Api-Secret-Token",
                            "demo-telegram-webhook-secret",
                        )
                        .body(body)
                        .send()
                        .await;
                    match response {
                        Ok(r) if r.status().is_success() => {
                            let _ = r.bytes().await;
                            latencies.push(sent.elapsed().as_micros() as u64);
                        }
                        _ => errors += 1,
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut outcome = Outcome {
        requests: 0,
        errors: 0,
        elapsed: Duration::ZERO,
        latencies_us: Vec::new(),
    };
    for worker in workers {
        let (latencies, errors) = worker.await.expect("worker");
        outcome.requests += latencies.len();
        outcome.errors += errors;
        outcome.latencies_us.extend(latencies);
    }
    outcome.elapsed = started.elapsed();
    outcome.latencies_us.sort_unstable();
    outcome
}
