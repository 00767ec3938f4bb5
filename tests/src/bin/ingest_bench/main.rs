//! Benchmark: Telegram webhook ingest against a bare axum handler, measured in the same run.
//!
//! Run with `cargo build --release -p ferry-relay --bin ferry && cargo run --release -p
//! ferry-tests --bin ingest-bench` (see tests/BENCHMARKS.md). Every target is a process of its
//! own on loopback: the bare handler (this program, started again with `--serve-bare`), which
//! parses the JSON body and answers, and `ferry serve` (release build, production settings) on
//! a fresh SQLite file and, when one is reachable, a fresh PostgreSQL database. The relay
//! verifies the secret, parses the update, and answers only after the event is committed; its
//! worker meanwhile processes the events and sends each welcome to a fake Bot API, as it would
//! in production. The load generator is wrk when it is installed (`apt-get install wrk`),
//! otherwise a built-in one: `concurrency` connections each post one update after another for
//! `seconds`, every update from a new person. The targets take turns for `rounds` rounds and
//! each one's median round is reported, with its rate as a share of the bare handler's in each
//! round (shared machines drift by tens of percent over a minute, which one round per target
//! would mistake for a difference between targets).

// Benchmark code: a failed unwrap is a failed run, with its location.
#![allow(clippy::unwrap_used)]

mod load;

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    time::Duration,
};

use axum::{Json, Router, body::Bytes, routing::post};
use clap::Parser;
use ferry_tests::{
    cluster::{self, FakeBotApi, Relay, RelayOptions},
    postgres::TestDatabase,
};
use serde_json::{Value, json};
use tokio::net::TcpListener;

use load::{Generator, Outcome};

// The allocator the `ferry` binary runs with, so the bare handler is measured as the relay runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(about = "Telegram webhook ingest vs a bare axum handler")]
struct Args {
    /// Concurrent connections; each value is one round over every target.
    #[arg(long, value_delimiter = ',', default_value = "50,256")]
    concurrency: Vec<usize>,
    /// Measured seconds per target and round.
    #[arg(long, default_value_t = 10)]
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
    /// Use the built-in load generator even if wrk is installed.
    #[arg(long)]
    builtin_load: bool,
    /// Serve the bare handler on a free port, print the port, and run until killed.
    #[arg(long, hide = true)]
    serve_bare: bool,
}

/// What is measured: a name and the URL its load goes to.
struct Target {
    name: &'static str,
    url: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.serve_bare {
        return serve_bare().await;
    }
    let binary = cluster::release_binary();
    let generator = Generator::choose(args.builtin_load);
    let fake = FakeBotApi::start(Duration::ZERO).await;
    let dir = tempfile::tempdir()?;
    let (_bare, bare_url) = start_bare()?;
    let sqlite_url = format!("sqlite://{}", dir.path().join("ingest.db").display());
    let options = RelayOptions::production();
    let sqlite = Relay::start(&binary, &sqlite_url, &fake.url, &options).await;
    let postgres = if args.sqlite_only {
        None
    } else {
        TestDatabase::create().await
    };
    let postgres_relay = match &postgres {
        Some(database) => Some(Relay::start(&binary, &database.url, &fake.url, &options).await),
        None => {
            eprintln!("no PostgreSQL reachable: measuring SQLite only");
            None
        }
    };
    let hook = |base: &str| format!("{base}/hooks/{}/telegram", cluster::SITE);
    let mut targets = vec![
        Target {
            name: "bare axum: parse JSON, answer",
            url: format!("{bare_url}/hook"),
        },
        Target {
            name: "ferry, SQLite: verify, parse, durable group commit, answer",
            url: hook(&sqlite.url),
        },
    ];
    if let Some(relay) = &postgres_relay {
        targets.push(Target {
            name: "ferry, PostgreSQL: verify, parse, durable commit, answer",
            url: hook(&relay.url),
        });
    }
    println!(
        "Telegram webhook ingest, {} rounds of {} s per target and concurrency, {} cores, load from {}",
        args.rounds,
        args.seconds,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        generator.name(),
    );
    println!();
    println!(
        "| clients | target | req/s | p50 ms | p99 ms | p99.9 ms | errors | of bare, per round |"
    );
    println!("|--:|---|--:|--:|--:|--:|--:|--:|");
    let mut next_update = 1;
    for &concurrency in &args.concurrency {
        let mut rounds: Vec<Vec<Outcome>> = targets.iter().map(|_| Vec::new()).collect();
        for _ in 0..args.rounds.max(1) {
            for (target, outcomes) in targets.iter().zip(&mut rounds) {
                for (seconds, keep) in [(args.warmup, false), (args.seconds, true)] {
                    let outcome = generator
                        .run(&target.url, concurrency, seconds, next_update)
                        .await?;
                    next_update += outcome.requests as i64 + concurrency as i64 + 1;
                    if keep {
                        outcomes.push(outcome);
                    }
                }
            }
        }
        let bare: Vec<f64> = rounds[0].iter().map(Outcome::rate).collect();
        for (target, mut outcomes) in targets.iter().zip(rounds) {
            let shares: Vec<String> = outcomes
                .iter()
                .zip(&bare)
                .map(|(outcome, bare)| format!("{:.0} %", 100.0 * outcome.rate() / bare))
                .collect();
            outcomes.sort_by(|a, b| a.rate().total_cmp(&b.rate()));
            let median = &outcomes[outcomes.len() / 2];
            println!(
                "| {concurrency} {} {} |",
                median.row(target.name),
                shares.join(", ")
            );
        }
    }
    Ok(())
}

/// Starts this program again as the bare handler's server; the child (killed on drop) and its
/// base URL.
fn start_bare() -> anyhow::Result<(ChildGuard, String)> {
    let mut child = Command::new(std::env::current_exe()?)
        .arg("--serve-bare")
        .stdout(Stdio::piped())
        .stdin(Stdio::null())
        .spawn()?;
    let mut port = String::new();
    let stdout = child.stdout.take().expect("piped stdout");
    BufReader::new(stdout).read_line(&mut port)?;
    Ok((
        ChildGuard(child),
        format!("http://127.0.0.1:{}", port.trim()),
    ))
}

/// Kills the bare handler's process when the benchmark ends, however it ends.
struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn serve_bare() -> anyhow::Result<()> {
    let app = Router::new().route(
        "/hook",
        post(|body: Bytes| async move {
            let update: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            Json(json!({ "ok": update.is_object() }))
        }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    println!("{}", listener.local_addr()?.port());
    axum::serve(listener, app).await?;
    Ok(())
}
