//! The relay's database for one test: SQLite or PostgreSQL as `FERRY_TEST_STORE` says, fresh,
//! removed when the test is done, and readable through a connection of the test's own.

use crate::postgres;

/// Which store the tests run against (`FERRY_TEST_STORE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    /// A SQLite file in a temp folder.
    Sqlite,
    /// A fresh PostgreSQL database.
    Postgres,
}

impl StoreKind {
    /// The store `FERRY_TEST_STORE` names: `sqlite` (the default) or `postgres`.
    pub fn from_env() -> Self {
        match std::env::var("FERRY_TEST_STORE").as_deref() {
            Err(_) | Ok("" | "sqlite") => Self::Sqlite,
            Ok("postgres") => Self::Postgres,
            Ok(other) => panic!("FERRY_TEST_STORE={other:?}: use sqlite or postgres"),
        }
    }
}

/// A relay's database for one test, removed when dropped.
pub struct TestStore {
    /// The URL for `server.database_url`.
    pub url: String,
    /// Which backend it is.
    pub kind: StoreKind,
    /// The SQLite file's folder, removed on drop.
    _folder: Option<tempfile::TempDir>,
    /// The PostgreSQL database, dropped on drop.
    database: Option<postgres::TestDatabase>,
}

impl TestStore {
    /// A fresh database of the store `FERRY_TEST_STORE` names.
    pub async fn from_env() -> Self {
        match StoreKind::from_env() {
            StoreKind::Sqlite => Self::sqlite(),
            StoreKind::Postgres => Self::postgres_required().await,
        }
    }

    /// A SQLite file in a fresh temp folder.
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("ferry.db").display());
        Self {
            url,
            kind: StoreKind::Sqlite,
            _folder: Some(dir),
            database: None,
        }
    }

    /// A fresh PostgreSQL database, or `None` when there is no PostgreSQL to test against
    /// (see `postgres::TestDatabase::create`).
    pub async fn postgres() -> Option<Self> {
        Some(Self::of(postgres::TestDatabase::create().await?))
    }

    /// A fresh PostgreSQL database; panics without PostgreSQL (it was asked for by name).
    pub async fn postgres_required() -> Self {
        Self::of(postgres::TestDatabase::create_required().await)
    }

    fn of(database: postgres::TestDatabase) -> Self {
        Self {
            url: database.url.clone(),
            kind: StoreKind::Postgres,
            _folder: None,
            database: Some(database),
        }
    }

    /// The same database for another relay, removed by this one's owner only.
    pub fn shared(&self) -> Self {
        Self {
            url: self.url.clone(),
            kind: self.kind,
            _folder: None,
            database: None,
        }
    }

    /// The PostgreSQL database, if that is the backend.
    pub fn postgres_database(&self) -> Option<&postgres::TestDatabase> {
        self.database.as_ref()
    }

    /// A connection of our own to the database (reads see every commit).
    pub async fn connect(&self) -> sqlx::AnyConnection {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        sqlx::AnyConnection::connect(&self.url)
            .await
            .expect("open database")
    }
}
