//! Operators' inbox sessions on SQLite.

use sqlx::{Row, SqliteConnection, sqlite::SqliteRow};

use crate::domain::Millis;
use crate::store::{NewSession, Session, StoreResult};

const SESSION_COLUMNS: &str =
    "id_hash, login, csrf_token, created_at, last_seen_at, idle_until, expires_at";

fn session(row: &SqliteRow) -> StoreResult<Session> {
    Ok(Session {
        id_hash: row.try_get("id_hash")?,
        login: row.try_get("login")?,
        csrf_token: row.try_get("csrf_token")?,
        created_at: row.try_get("created_at")?,
        last_seen_at: row.try_get("last_seen_at")?,
        idle_until: row.try_get("idle_until")?,
        expires_at: row.try_get("expires_at")?,
    })
}

pub(super) async fn create(conn: &mut SqliteConnection, new: &NewSession) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO operator_sessions (id_hash, login, csrf_token, created_at, last_seen_at, \
         idle_until, expires_at) VALUES (?1, ?2, ?3, ?4, ?4, MIN(?5, ?6), ?6)",
    )
    .bind(&new.id_hash)
    .bind(&new.login)
    .bind(&new.csrf_token)
    .bind(new.created_at)
    .bind(new.idle_until)
    .bind(new.expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub(super) async fn find_live(
    conn: &mut SqliteConnection,
    id_hash: &str,
    now: Millis,
) -> StoreResult<Option<Session>> {
    sqlx::query(&format!(
        "SELECT {SESSION_COLUMNS} FROM operator_sessions \
         WHERE id_hash = ?1 AND idle_until > ?2 AND expires_at > ?2"
    ))
    .bind(id_hash)
    .bind(now)
    .fetch_optional(conn)
    .await?
    .map(|row| session(&row))
    .transpose()
}

pub(super) async fn touch(
    conn: &mut SqliteConnection,
    id_hash: &str,
    now: Millis,
    idle_until: Millis,
) -> StoreResult<bool> {
    let touched = sqlx::query(
        "UPDATE operator_sessions SET last_seen_at = MAX(last_seen_at, ?2), \
         idle_until = MIN(expires_at, MAX(idle_until, ?3)) \
         WHERE id_hash = ?1 AND idle_until > ?2 AND expires_at > ?2",
    )
    .bind(id_hash)
    .bind(now)
    .bind(idle_until)
    .execute(conn)
    .await?;
    Ok(touched.rows_affected() == 1)
}

pub(super) async fn delete(conn: &mut SqliteConnection, id_hash: &str) -> StoreResult<bool> {
    let deleted = sqlx::query("DELETE FROM operator_sessions WHERE id_hash = ?")
        .bind(id_hash)
        .execute(conn)
        .await?;
    Ok(deleted.rows_affected() == 1)
}

pub(super) async fn sweep(conn: &mut SqliteConnection, now: Millis) -> StoreResult<u64> {
    // idle_until is never after expires_at, so it alone says which sessions have ended.
    let swept = sqlx::query("DELETE FROM operator_sessions WHERE idle_until <= ?")
        .bind(now)
        .execute(conn)
        .await?;
    Ok(swept.rows_affected())
}
