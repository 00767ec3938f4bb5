//! The ingest benchmark's load: wrk when it is installed, a built-in generator otherwise. Both
//! keep `concurrency` connections busy, each posting the next Telegram `/start` from a new
//! person as soon as the previous one is answered.

use std::{
    path::PathBuf,
    sync::{
        Arc,
        atomic::{AtomicI64, Ordering},
    },
    time::{Duration, Instant},
};

use ferry_tests::cluster;

/// One target's measured seconds.
pub struct Outcome {
    /// Requests answered with a 2xx.
    pub requests: usize,
    /// Requests answered otherwise, or not at all.
    pub errors: usize,
    /// How long the load ran.
    pub elapsed: Duration,
    /// Latency percentiles (50, 99, 99.9), in milliseconds.
    pub percentiles_ms: [f64; 3],
}

impl Outcome {
    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    pub fn row(&self, name: &str) -> String {
        let [p50, p99, p999] = self.percentiles_ms;
        format!(
            "| {name} | {:.0} | {p50:.2} | {p99:.2} | {p999:.2} | {} |",
            self.rate(),
            self.errors
        )
    }
}

pub enum Generator {
    Wrk(PathBuf),
    Builtin,
}

impl Generator {
    /// wrk if it is on the `PATH` (and not refused), the built-in generator otherwise.
    pub fn choose(builtin: bool) -> Self {
        let wrk = std::env::var_os("PATH").and_then(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join("wrk"))
                .find(|candidate| candidate.is_file())
        });
        match wrk {
            Some(wrk) if !builtin => Self::Wrk(wrk),
            _ => Self::Builtin,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Self::Wrk(_) => "wrk (one thread)",
            Self::Builtin => "the built-in generator (install wrk for lighter load generation)",
        }
    }

    /// Loads `url` for `seconds` with updates numbered from `first_update` on.
    pub async fn run(
        &self,
        url: &str,
        concurrency: usize,
        seconds: u64,
        first_update: i64,
    ) -> anyhow::Result<Outcome> {
        match self {
            Self::Wrk(wrk) => run_wrk(wrk, url, concurrency, seconds, first_update).await,
            Self::Builtin => Ok(run_builtin(url, concurrency, seconds, first_update).await),
        }
    }
}

/// `cluster::start_update` in Lua, and a summary line wrk prints when it is done: responses
/// with a 2xx, failures (non-2xx answers and connection errors), µs elapsed, and latency
/// percentiles in µs.
const WRK_SCRIPT: &str = r#"
local id = tonumber(os.getenv("FERRY_FIRST_UPDATE"))
local headers = {
  ["Content-Type"] = "application/json",
  ["X-Telegram-Bot-Api-Secret-Token"] = os.getenv("FERRY_SECRET"),
}
request = function()
  id = id + 1
  local chat = 900000000 + id
  local body = string.format(
    '{"message":{"chat":{"first_name":"Ann","id":%d,"type":"private"},"date":1763733600,' ..
    '"entities":[{"length":6,"offset":0,"type":"bot_command"}],' ..
    '"from":{"first_name":"Ann","id":%d,"is_bot":false,"language_code":"en"},' ..
    '"message_id":%d,"text":"/start Zm9vYmFyYmF6cXV4MTIzNDU2"},"update_id":%d}',
    chat, chat, id, id)
  return wrk.format("POST", nil, headers, body)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("FERRY %d %d %d %.0f %.0f %.0f\n", summary.requests - e.status,
    e.connect + e.read + e.write + e.status + e.timeout, summary.duration,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9)))
end
"#;

async fn run_wrk(
    wrk: &PathBuf,
    url: &str,
    concurrency: usize,
    seconds: u64,
    first_update: i64,
) -> anyhow::Result<Outcome> {
    let dir = tempfile::tempdir()?;
    let script = dir.path().join("start.lua");
    std::fs::write(&script, WRK_SCRIPT)?;
    let output = tokio::process::Command::new(wrk)
        .args(["-t1", &format!("-c{concurrency}"), &format!("-d{seconds}s")])
        .arg("-s")
        .arg(&script)
        .arg(url)
        .env("FERRY_FIRST_UPDATE", first_update.to_string())
        .env("FERRY_SECRET", cluster::SECRET)
        .output()
        .await?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let summary = stdout
        .lines()
        .find_map(|line| line.strip_prefix("FERRY "))
        .ok_or_else(|| anyhow::anyhow!("wrk printed no summary: {stdout}"))?;
    let numbers: Vec<f64> = summary
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    let [succeeded, errors, duration_us, p50, p99, p999] = numbers[..] else {
        anyhow::bail!("unexpected wrk summary: {summary}");
    };
    Ok(Outcome {
        requests: succeeded.max(0.0) as usize,
        errors: errors as usize,
        elapsed: Duration::from_micros(duration_us as u64),
        percentiles_ms: [p50 / 1000.0, p99 / 1000.0, p999 / 1000.0],
    })
}

async fn run_builtin(url: &str, concurrency: usize, seconds: u64, first_update: i64) -> Outcome {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()
        .expect("client");
    let next = Arc::new(AtomicI64::new(first_update));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (client, url, next) = (client.clone(), url.to_owned(), next.clone());
            tokio::spawn(async move {
                let (mut latencies, mut errors) = (Vec::new(), 0);
                while Instant::now() < deadline {
                    let body = cluster::start_update(next.fetch_add(1, Ordering::Relaxed));
                    let sent = Instant::now();
                    let response = client
                        .post(&url)
                        .header("content-type", "application/json")
                        .header("X-Telegram-Bot-Api-Secret-Token", cluster::SECRET)
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
    let (mut latencies, mut errors) = (Vec::new(), 0);
    for worker in workers {
        let (mine, failed) = worker.await.expect("worker");
        latencies.extend(mine);
        errors += failed;
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    let percentile = |p: f64| {
        let index = ((latencies.len() as f64 - 1.0) * p).round() as usize;
        latencies.get(index).copied().unwrap_or(0) as f64 / 1000.0
    };
    Outcome {
        requests: latencies.len(),
        errors,
        elapsed,
        percentiles_ms: [percentile(0.50), percentile(0.99), percentile(0.999)],
    }
}
