//! Benchmark: subscribers fully processed per second, webhook in to welcome acknowledged.
//!
//! Run with `cargo build --release -p ferry-relay --bin ferry && cargo run --release -p
//! ferry-tests --bin e2e-bench` (see tests/BENCHMARKS.md).
//! For each scenario it starts a fake Telegram Bot API (answering after 0 or 50 ms), one or two
//! `ferry serve` processes (release build) on a fresh SQLite file or PostgreSQL database, sends
//! `updates` `/start` webhooks from new people with `clients` concurrent senders, and measures
//! until the fake has acknowledged every welcome: that time is what a burst of new subscribers
//! costs end to end. The ingest rate (webhooks acknowledged per second) is reported beside it.

// Benchmark code: a failed unwrap is a failed run, with its location.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use clap::Parser;
use ferry_tests::{
    cluster::{self, FakeBotApi, Relay, RelayOptions},
    postgres::TestDatabase,
};
use futures_util::{StreamExt, stream};

#[derive(Parser)]
#[command(about = "Webhook in to welcome acknowledged, per second")]
struct Args {
    /// `/start` webhooks per scenario, each from a new person.
    #[arg(long, default_value_t = 20_000)]
    updates: i64,
    /// Concurrent webhook senders.
    #[arg(long, default_value_t = 50)]
    clients: usize,
    /// Only scenarios whose name contains this.
    #[arg(long)]
    only: Option<String>,
    /// Print the relays' counters (stored, processed, sent) every half second while running.
    #[arg(long)]
    progress: bool,
    /// Also run the SQLite scenarios on this `ferry` binary, an earlier relay built from an
    /// older checkout (its config gets no `[worker]` section), as the baseline of the same run.
    #[arg(long)]
    baseline: Option<std::path::PathBuf>,
}

struct Scenario {
    name: &'static str,
    postgres: bool,
    relays: usize,
    latency_ms: u64,
}

const SCENARIOS: [Scenario; 6] = [
    Scenario {
        name: "sqlite, 1 relay, fake answers at once",
        postgres: false,
        relays: 1,
        latency_ms: 0,
    },
    Scenario {
        name: "sqlite, 1 relay, fake answers after 50 ms",
        postgres: false,
        relays: 1,
        latency_ms: 50,
    },
    Scenario {
        name: "postgres, 1 relay, fake answers at once",
        postgres: true,
        relays: 1,
        latency_ms: 0,
    },
    Scenario {
        name: "postgres, 1 relay, fake answers after 50 ms",
        postgres: true,
        relays: 1,
        latency_ms: 50,
    },
    Scenario {
        name: "postgres, 2 relays, fake answers at once",
        postgres: true,
        relays: 2,
        latency_ms: 0,
    },
    Scenario {
        name: "postgres, 2 relays, fake answers after 50 ms",
        postgres: true,
        relays: 2,
        latency_ms: 50,
    },
];

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let binary = cluster::release_binary();
    println!(
        "{} new subscribers per scenario, {} concurrent senders, {} cores",
        args.updates,
        args.clients,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!();
    println!(
        "| scenario | webhooks acknowledged/s | subscribers welcomed/s | welcomes sent twice |"
    );
    println!("|---|--:|--:|--:|");
    let mut runs: Vec<(String, &std::path::Path, &Scenario, RelayOptions)> = Vec::new();
    for scenario in &SCENARIOS {
        runs.push((
            scenario.name.to_owned(),
            &binary,
            scenario,
            RelayOptions::production(),
        ));
    }
    if let Some(baseline) = &args.baseline {
        for scenario in SCENARIOS.iter().filter(|s| !s.postgres) {
            let options = RelayOptions {
                worker_section: false,
                ..RelayOptions::production()
            };
            runs.push((
                format!("baseline: {}", scenario.name),
                baseline,
                scenario,
                options,
            ));
        }
    }
    for (name, binary, scenario, options) in runs {
        if args
            .only
            .as_deref()
            .is_some_and(|only| !name.contains(only))
        {
            continue;
        }
        let dir = tempfile::tempdir().unwrap();
        let database = if scenario.postgres {
            let Some(database) = TestDatabase::create().await else {
                println!("| {name} | no PostgreSQL reachable | | |");
                continue;
            };
            Some(database)
        } else {
            None
        };
        let database_url = database.as_ref().map_or_else(
            || format!("sqlite://{}", dir.path().join("bench.db").display()),
            |d| d.url.clone(),
        );
        let fake = FakeBotApi::start(Duration::from_millis(scenario.latency_ms)).await;
        let mut relays = Vec::new();
        for _ in 0..scenario.relays {
            relays.push(Relay::start(binary, &database_url, &fake.url, &options).await);
        }
        let (acked_per_s, welcomed_per_s) = run(&args, &relays, &fake).await;
        let twice = fake.per_chat().values().filter(|n| **n > 1).count();
        println!("| {name} | {acked_per_s:.0} | {welcomed_per_s:.0} | {twice} |");
        drop(relays);
    }
}

/// Sends the burst and waits for every welcome; returns (acknowledged/s, welcomed/s).
async fn run(args: &Args, relays: &[Relay], fake: &FakeBotApi) -> (f64, f64) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.clients)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let urls: Vec<String> = relays.iter().map(|r| r.url.clone()).collect();
    let progress = args
        .progress
        .then(|| tokio::spawn(print_progress(client.clone(), urls.clone())));
    let started = Instant::now();
    stream::iter(1..=args.updates)
        .for_each_concurrent(args.clients, |id| {
            let (client, urls) = (client.clone(), &urls);
            async move {
                let url = &urls[usize::try_from(id).unwrap() % urls.len()];
                assert!(
                    cluster::post_update(&client, url, id).await,
                    "update {id} refused"
                );
            }
        })
        .await;
    let acknowledged = started.elapsed();
    let expected = u64::try_from(args.updates).unwrap();
    let deadline = Instant::now() + Duration::from_secs(600);
    while fake.chats() < expected {
        assert!(
            Instant::now() < deadline,
            "welcomes stalled at {}",
            fake.total()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let welcomed = started.elapsed();
    if let Some(progress) = progress {
        progress.abort();
    }
    let count = args.updates as f64;
    (
        count / acknowledged.as_secs_f64(),
        count / welcomed.as_secs_f64(),
    )
}

/// Prints the sum over the relays of webhook events stored, processed and messages sent, every
/// half second, to see which stage a run waits on.
async fn print_progress(client: reqwest::Client, urls: Vec<String>) {
    let started = Instant::now();
    loop {
        let mut totals = [0.0_f64; 3];
        for url in &urls {
            let Ok(response) = client.get(format!("{url}/metrics")).send().await else {
                continue;
            };
            let text = response.text().await.unwrap_or_default();
            for line in text.lines() {
                let value = line.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok());
                let slot = if line.starts_with("ferry_inbound_events_total") {
                    0
                } else if line.starts_with("ferry_inbound_processed_total{outcome=\"ok\"}") {
                    1
                } else if line.starts_with("ferry_outbound_messages_total")
                    && line.contains("result=\"sent\"")
                {
                    2
                } else {
                    continue;
                };
                totals[slot] += value.unwrap_or(0.0);
            }
        }
        eprintln!(
            "{:6.1} s  stored {:7}  processed {:7}  sent {:7}",
            started.elapsed().as_secs_f64(),
            totals[0],
            totals[1],
            totals[2]
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
