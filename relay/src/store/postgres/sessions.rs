//! Operators' inbox sessions on PostgreSQL.

use sqlx::{PgConnection, Row, postgres::PgRow};

use super::rows;
use crate::domain::Millis;
use crate::store::{NewSession, Session, StoreResult};

const SESSION_COLUMNS: &str =
    "id_hash, login, csrf_token, created_at, last_seen_at, idle_until, expires_at";

fn session(row: &PgRow) -> StoreResult<Session> {
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

pub(super) async fn create(conn: &mut PgConnection, new: &NewSession) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO operator_sessions (id_hash, login, csrf_token, created_at, last_seen_at, \
         idle_until, expires_at) VALUES ($1, $2, $3, $4, $4, LEAST($5, $6), $6)",
    )
    .bind(rows::text(&new.id_hash))
    .bind(rows::text(&new.login))
    .bind(rows::text(&new.csrf_token))
    .bind(new.created_at)
    .bind(new.idle_until)
    .bind(new.expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub(super) async fn find_live(
    conn: &mut PgConnection,
    id_hash: &str,
    now: Millis,
) -> StoreResult<Option<Session>> {
    sqlx::query(&format!(
        "SELECT {SESSION_COLUMNS} FROM operator_sessions \
         WHERE id_hash = $1 AND idle_until > $2 AND expires_at > $2"
    ))
    .bind(rows::text(id_hash))
    .bind(now)
    .fetch_optional(conn)
    .await?
    .map(|row| session(&row))
    .transpose()
}

pub(super) async fn touch(
    conn: &mut PgConnection,
    id_hash: &str,
    now: Millis,
    idle_until: Millis,
) -> StoreResult<bool> {
    // GREATEST: relays touching one session at once never move it back.
    let touched = sqlx::query(
        "UPDATE operator_sessions SET last_seen_at = GREATEST(last_seen_at, $2), \
         idle_until = LEAST(expires_at, GREATEST(idle_until, $3)) \
         WHERE id_hash = $1 AND idle_until > $2 AND expires_at > $2",
    )
    .bind(rows::text(id_hash))
    .bind(now)
    .bind(idle_until)
    .execute(conn)
    .await?;
    Ok(touched.rows_affected() == 1)
}

pub(super) async fn delete(conn: &mut PgConnection, id_hash: &str) -> StoreResult<bool> {
    let deleted = sqlx::query("DELETE FROM operator_sessions WHERE id_hash = $1")
        .bind(rows::text(id_hash))
        .execute(conn)
        .await?;
    Ok(deleted.rows_affected() == 1)
}

pub(super) async fn sweep(conn: &mut PgConnection, now: Millis) -> StoreResult<u64> {
    // idle_until is never after expires_at, so it alone says which sessions have ended.
    let swept = sqlx::query("DELETE FROM operator_sessions WHERE idle_until <= $1")
        .bind(now)
        .execute(conn)
        .await?;
    Ok(swept.rows_affected())
}
