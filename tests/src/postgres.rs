//! Fresh PostgreSQL databases for tests.

/// A database created for one test.
pub struct TestDatabase {
    url: String,
}

impl TestDatabase {
    /// Creates a fresh database, or `None` (with a notice) if no PostgreSQL answers.
    pub async fn create() -> Option<Self> {
        use sqlx::Connection;
        let admin = std::env::var("FERRY_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let mut conn = sqlx::PgConnection::connect(&admin).await.ok()?;
        let name = format!("ferry_c_{:08x}", rand_u32());
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .ok()?;
        let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
        Some(Self {
            url: format!("{base}/{name}"),
        })
    }

    /// Its URL.
    pub fn url(&self) -> &str {
        &self.url
    }
}

fn rand_u32() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos())
}
