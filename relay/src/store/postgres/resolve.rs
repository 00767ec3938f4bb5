//! Recording what came of claimed webhook events: one transaction per call, one savepoint per
//! event, so one event's failure leaves the others applied.

use std::collections::HashMap;

use sqlx::{Acquire, PgConnection};

use super::{batch, effects, listener};
use crate::domain::{ChannelKind, Millis};
use crate::store::{Commit, Effects, InboundResolution, Queue, StoreResult};

/// Resolves claimed events (the caller commits): the common processed ones together
/// (`batch`), the rest — and all of them if the batch fails — each in its own savepoint, so one
/// event's failure leaves the others applied. Returns the commits, in order, and the queues
/// that got work.
pub(super) async fn resolve_inbound(
    conn: &mut PgConnection,
    owner: &str,
    resolved: Vec<(i64, InboundResolution)>,
    now: Millis,
) -> StoreResult<(Vec<Commit>, Vec<Queue>)> {
    let held = held_by(conn, owner, &resolved).await?;
    let mut commits = vec![Commit::LeaseLost; resolved.len()];
    let mut woken = Vec::new();
    let mut together = Vec::new();
    let mut alone = Vec::new();
    for (index, (id, resolution)) in resolved.into_iter().enumerate() {
        match (held.get(&id), resolution) {
            (Some((site, channel)), InboundResolution::Processed(effects))
                if batch::eligible(&effects) =>
            {
                together.push((
                    index,
                    batch::Item {
                        id,
                        site: site.clone(),
                        channel: *channel,
                        effects,
                    },
                ));
            }
            (Some(_), resolution) => alone.push((index, id, resolution)),
            (None, _) => {}
        }
    }
    if !together.is_empty() {
        let (indices, items): (Vec<usize>, Vec<batch::Item>) = together.into_iter().unzip();
        match batch::apply(conn, &items, now).await {
            Ok(subscribers) => {
                for ((index, item), subscriber) in indices.iter().zip(&items).zip(subscribers) {
                    commits[*index] = Commit::Done(subscriber);
                    woken.extend(effects_queues(&item.effects));
                }
            }
            Err(error) => {
                tracing::warn!(%error, events = items.len(), "a batch of events failed; applying them one by one");
                for (index, item) in indices.into_iter().zip(items) {
                    alone.push((index, item.id, InboundResolution::Processed(item.effects)));
                }
            }
        }
    }
    alone.sort_by_key(|(index, ..)| *index);
    for (index, id, resolution) in alone {
        let queues = queues_of(&resolution);
        let mut savepoint = conn.begin().await?;
        let commit = match resolve_one(&mut savepoint, owner, id, resolution, now).await {
            Ok(commit) => {
                savepoint.commit().await?;
                commit
            }
            Err(error) => {
                savepoint.rollback().await?;
                Commit::Failed(error.to_string())
            }
        };
        match &commit {
            Commit::Done(_) => woken.extend(queues),
            Commit::LinkSpent => woken.push(Queue::Inbound),
            Commit::LeaseLost | Commit::Failed(_) => {}
        }
        commits[index] = commit;
    }
    woken.sort_by_key(|queue| queue.as_str());
    woken.dedup();
    for queue in &woken {
        listener::notify(conn, *queue).await?;
    }
    Ok((commits, woken))
}

/// The events this call resolves whose lease `owner` still holds, locked until the caller
/// commits (a claimer whose lease check would pass once ours ended waits for us).
async fn held_by(
    conn: &mut PgConnection,
    owner: &str,
    resolved: &[(i64, InboundResolution)],
) -> StoreResult<HashMap<i64, (String, ChannelKind)>> {
    let ids: Vec<i64> = resolved.iter().map(|(id, _)| *id).collect();
    let held: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT id, site, channel FROM inbound \
         WHERE id = ANY($1) AND lease_owner = $2 AND processed_at IS NULL FOR UPDATE",
    )
    .bind(&ids)
    .bind(owner)
    .fetch_all(&mut *conn)
    .await?;
    held.into_iter()
        .map(|(id, site, channel)| {
            let channel = ChannelKind::parse(&channel).ok_or_else(|| {
                sqlx::Error::Decode(format!("channel {channel:?} of inbound {id}").into())
            })?;
            Ok((id, (site, channel)))
        })
        .collect()
}

/// The queues applied effects add work to.
fn effects_queues(effects: &Effects) -> Vec<Queue> {
    let mut queues = Vec::new();
    if !effects.replies.is_empty() {
        queues.push(Queue::Outbound);
    }
    if !effects.notify.is_empty() {
        queues.push(Queue::Webhooks);
    }
    queues
}

/// The queues a resolution adds work to when it is done.
fn queues_of(resolution: &InboundResolution) -> Vec<Queue> {
    match resolution {
        InboundResolution::Processed(effects) => effects_queues(effects),
        InboundResolution::Release => vec![Queue::Inbound],
        InboundResolution::Retry { .. } | InboundResolution::Park { .. } => Vec::new(),
    }
}

async fn resolve_one(
    conn: &mut PgConnection,
    owner: &str,
    id: i64,
    resolution: InboundResolution,
    now: Millis,
) -> StoreResult<Commit> {
    // Locking the row keeps a claimer whose lease check would pass (ours ended) off it until
    // this commits; a claimer that took it over first has its name on it now.
    let held: Option<(String, String)> = sqlx::query_as(
        "SELECT site, channel FROM inbound \
         WHERE id = $1 AND lease_owner = $2 AND processed_at IS NULL FOR UPDATE",
    )
    .bind(id)
    .bind(owner)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((site, channel)) = held else {
        return Ok(Commit::LeaseLost);
    };
    match resolution {
        InboundResolution::Processed(effects) => {
            let channel = ChannelKind::parse(&channel).ok_or_else(|| {
                sqlx::Error::Decode(format!("channel {channel:?} of inbound {id}").into())
            })?;
            let commit =
                effects::apply_atomically(&mut *conn, &site, channel, *effects, now, Some(id))
                    .await?;
            // A spent link is decided again from the new state, by whoever claims it next.
            if commit == Commit::LinkSpent {
                release(&mut *conn, id).await?;
            }
            Ok(commit)
        }
        InboundResolution::Retry { at, error } => {
            sqlx::query(
                "UPDATE inbound SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2, \
                 lease_owner = NULL, lease_until = NULL WHERE id = $3",
            )
            .bind(at)
            .bind(super::rows::text(&error))
            .bind(id)
            .execute(&mut *conn)
            .await?;
            Ok(Commit::Done(None))
        }
        InboundResolution::Park { error } => {
            sqlx::query(
                "UPDATE inbound SET attempts = attempts + 1, processed_at = $1, parked_at = $1, \
                 last_error = $2, lease_owner = NULL, lease_until = NULL WHERE id = $3",
            )
            .bind(now)
            .bind(super::rows::text(&error))
            .bind(id)
            .execute(&mut *conn)
            .await?;
            Ok(Commit::Done(None))
        }
        InboundResolution::Release => {
            release(&mut *conn, id).await?;
            Ok(Commit::Done(None))
        }
    }
}

async fn release(conn: &mut PgConnection, id: i64) -> StoreResult<()> {
    sqlx::query("UPDATE inbound SET lease_owner = NULL, lease_until = NULL WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    listener::notify(conn, Queue::Inbound).await?;
    Ok(())
}
