//! Connecting to PostgreSQL: the URL's options, the pool size, the schema.

use std::{str::FromStr, time::Duration};

use sqlx::{
    Connection, PgConnection, PgPool,
    postgres::{PgConnectOptions, PgPoolOptions},
};

use crate::store::{StoreError, StoreResult};

/// Connections a relay opens when the URL does not say (`?max_connections=N`): enough for the
/// webhook handlers' writes, the worker's three loops and the deliveries reporting back at once.
/// The notification listener holds one more, outside the pool.
pub const DEFAULT_MAX_CONNECTIONS: u32 = 10;

/// The URL's query parameter that sets the pool size (read here, not passed to the driver).
const MAX_CONNECTIONS: &str = "max_connections";

/// What a database URL asks for.
#[derive(Debug, Clone)]
pub(super) struct Target {
    pub(super) options: PgConnectOptions,
    pub(super) max_connections: u32,
}

impl Target {
    /// Reads a `postgres://` or `postgresql://` URL, with libpq's parameters and
    /// `max_connections`.
    pub(super) fn parse(database_url: &str) -> StoreResult<Self> {
        let invalid = |why: String| {
            StoreError::Database(sqlx::Error::Configuration(
                format!("{why} in {}", crate::startup::redact_url(database_url)).into(),
            ))
        };
        let mut url = url::Url::parse(database_url).map_err(|e| invalid(e.to_string()))?;
        let mut max_connections = DEFAULT_MAX_CONNECTIONS;
        let mut others = Vec::new();
        for (key, value) in url.query_pairs() {
            if key == MAX_CONNECTIONS {
                max_connections = value.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                    invalid(format!("{MAX_CONNECTIONS} must be a positive number"))
                })?;
            } else {
                others.push((key.into_owned(), value.into_owned()));
            }
        }
        if others.is_empty() {
            url.set_query(None);
        } else {
            url.query_pairs_mut().clear().extend_pairs(others);
        }
        let options = PgConnectOptions::from_str(url.as_str())?;
        let options = if options.get_application_name().is_none() {
            options.application_name("ferry")
        } else {
            options
        };
        Ok(Self {
            options,
            max_connections,
        })
    }

    /// Creates or upgrades the schema on a connection of its own, so an unreachable server or a
    /// refused login is reported as such. Relays starting together take turns (sqlx holds an
    /// advisory lock while it migrates).
    pub(super) async fn migrate(&self) -> StoreResult<()> {
        let mut conn = PgConnection::connect_with(&self.options).await?;
        sqlx::migrate!("./migrations/postgres")
            .run(&mut conn)
            .await?;
        conn.close().await?;
        Ok(())
    }

    /// The relay's pool; connections open as they are needed.
    pub(super) fn pool(&self) -> PgPool {
        PgPoolOptions::new()
            .max_connections(self.max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect_lazy_with(self.options.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pool_size_comes_from_the_url_and_is_not_passed_on() {
        let target = Target::parse(
            "postgres://ferry@db.internal:6432/ferry?max_connections=24&sslmode=disable",
        )
        .expect("valid");
        assert_eq!(target.max_connections, 24);
        assert_eq!(target.options.get_host(), "db.internal");
        assert_eq!(target.options.get_port(), 6432);
        assert_eq!(target.options.get_database(), Some("ferry"));
    }

    #[test]
    fn without_a_pool_size_the_default_applies() {
        let target = Target::parse("postgresql://ferry@localhost/ferry").expect("valid");
        assert_eq!(target.max_connections, DEFAULT_MAX_CONNECTIONS);
        assert_eq!(target.options.get_application_name(), Some("ferry"));
    }

    #[test]
    fn a_pool_size_of_zero_is_refused_without_the_password() {
        let error = Target::parse("postgres://ferry:hunter2@localhost/ferry?max_connections=0")
            .expect_err("refused")
            .to_string();
        assert!(error.contains("max_connections"), "{error}");
        assert!(!error.contains("hunter2"), "{error}");
    }
}
