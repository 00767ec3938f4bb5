//! Fresh PostgreSQL databases for tests: one per test, dropped when the test is done, so tests
//! run in parallel without seeing each other's rows.
//!
//! The server is `FERRY_TEST_POSTGRES_URL` (an admin URL: a role that may create databases) if
//! set, else `postgres://postgres@127.0.0.1:5432/postgres` if it answers (the port can be moved
//! with `FERRY_TEST_POSTGRES_PORT`, as in `tests/postgres.sh`). Without one, a PostgreSQL test
//! prints a notice and passes without running — unless `FERRY_REQUIRE_POSTGRES=1` (CI), where
//! that is a failure.

use std::{
    sync::atomic::{AtomicU32, Ordering},
    time::Duration,
};

use sqlx::{Connection, PgConnection};
use tokio::sync::OnceCell;

/// The variable naming the admin URL.
pub const URL_VARIABLE: &str = "FERRY_TEST_POSTGRES_URL";
/// The variable that turns "no PostgreSQL" from a skip into a failure.
pub const REQUIRE_VARIABLE: &str = "FERRY_REQUIRE_POSTGRES";
/// The variable naming the local server's port (5432 if unset).
pub const PORT_VARIABLE: &str = "FERRY_TEST_POSTGRES_PORT";
/// How long the local server may take to answer before it counts as absent.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// A database of its own for one test; dropped (with any connections still open) on drop.
pub struct TestDatabase {
    /// The database's URL, for the store under test.
    pub url: String,
    name: String,
    admin_url: String,
}

impl TestDatabase {
    /// A fresh, empty database, or `None` (after printing why) when no PostgreSQL is reachable
    /// and `FERRY_REQUIRE_POSTGRES` is not `1`.
    pub async fn create() -> Option<Self> {
        let Some(admin_url) = admin_url().await else {
            assert!(
                !required(),
                "{REQUIRE_VARIABLE}=1 but no PostgreSQL: set {URL_VARIABLE} or start one on 127.0.0.1:5432"
            );
            eprintln!(
                "skipping a PostgreSQL test: no PostgreSQL (set {URL_VARIABLE} or start one on 127.0.0.1:5432)"
            );
            return None;
        };
        Some(Self::create_on(admin_url).await)
    }

    /// A fresh, empty database on the test server; panics if there is none.
    pub async fn create_required() -> Self {
        let admin_url = admin_url().await.unwrap_or_else(|| {
            panic!("no PostgreSQL: set {URL_VARIABLE} or start one on 127.0.0.1:5432")
        });
        Self::create_on(admin_url).await
    }

    async fn create_on(admin_url: String) -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "ferry_t_{}_{}_{:08x}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            rand_suffix()
        );
        let mut admin = PgConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("connecting to the test PostgreSQL: {e}"));
        // Tests need no durability: not waiting for each commit to reach the disk keeps a
        // server that fsyncs (a developer's, CI's shared one) from slowing every test down.
        for statement in [
            format!("CREATE DATABASE \"{name}\""),
            format!("ALTER DATABASE \"{name}\" SET synchronous_commit = off"),
        ] {
            sqlx::query(&statement)
                .execute(&mut admin)
                .await
                .unwrap_or_else(|e| panic!("creating the test database {name}: {e}"));
        }
        let _ = admin.close().await;
        let mut url = url::Url::parse(&admin_url).expect("the admin URL is a URL");
        url.set_path(&name);
        Self {
            url: url.to_string(),
            name,
            admin_url,
        }
    }
}

impl TestDatabase {
    /// Makes the server refuse new connections to the database (open ones stay), as it does
    /// while the database is being restored or moved.
    pub async fn refuse_connections(&self) {
        let mut admin = PgConnection::connect(&self.admin_url)
            .await
            .expect("connecting to the test PostgreSQL");
        sqlx::query(&format!(
            "ALTER DATABASE \"{}\" ALLOW_CONNECTIONS false",
            self.name
        ))
        .execute(&mut admin)
        .await
        .expect("refusing connections");
        let _ = admin.close().await;
    }
}

impl Drop for TestDatabase {
    /// Drop cannot await, and the test's runtime may be single-threaded and busy dropping this:
    /// the database is dropped from a thread of its own, with its own small runtime, joined here.
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime.block_on(async {
                let mut admin = PgConnection::connect(&admin_url)
                    .await
                    .map_err(|e| e.to_string())?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .execute(&mut admin)
                    .await
                    .map_err(|e| e.to_string())?;
                let _ = admin.close().await;
                Ok::<_, String>(())
            })
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(error)) => eprintln!("could not drop test database {}: {error}", self.name),
            Err(_) => eprintln!(
                "could not drop test database {}: the thread panicked",
                self.name
            ),
        }
    }
}

/// Whether a missing PostgreSQL fails the test instead of skipping it.
pub fn required() -> bool {
    std::env::var(REQUIRE_VARIABLE).is_ok_and(|v| v == "1")
}

/// The admin URL, found once per test process.
async fn admin_url() -> Option<String> {
    static FOUND: OnceCell<Option<String>> = OnceCell::const_new();
    FOUND
        .get_or_init(|| async {
            if let Ok(url) = std::env::var(URL_VARIABLE) {
                return Some(url);
            }
            let port = std::env::var(PORT_VARIABLE).unwrap_or_else(|_| "5432".into());
            let local = format!("postgres://postgres@127.0.0.1:{port}/postgres");
            let probe = tokio::time::timeout(PROBE_TIMEOUT, PgConnection::connect(&local));
            match probe.await {
                Ok(Ok(conn)) => {
                    let _ = conn.close().await;
                    Some(local)
                }
                _ => None,
            }
        })
        .await
        .clone()
}

/// Tells apart databases of test processes that share a PID (containers).
fn rand_suffix() -> u32 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    nanos ^ std::process::id().rotate_left(16)
}
