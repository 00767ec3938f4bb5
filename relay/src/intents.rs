//! Recording a click's intent: who may hold a ref, and what a retried request gets.
//!
//! The widget makes the ref before the tap and registers it in parallel with opening the deep
//! link, so the same request may arrive twice (a retry) and, rarely, two visits may draw the same
//! ref. A ref belongs to the first visit that registered it for `INTENT_LIFETIME_MS`; after that
//! a new visit may take it over, since the old one can no longer attribute anybody.

use crate::domain::Millis;
use crate::store::{Intent, Store, StoreResult};

/// How long after a click its ref still attributes a subscriber (30 days).
pub const INTENT_LIFETIME_MS: Millis = 30 * 24 * 3600 * 1000;

/// What recording an intent did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntentOutcome {
    /// Stored now.
    Created,
    /// The same intent was already stored (a retried request).
    AlreadyRecorded,
    /// A different, still valid intent holds this ref.
    Conflict,
}

/// Stores `intent` (created at `intent.created_at`, which is "now") under the rule above.
pub async fn record(store: &dyn Store, intent: &Intent) -> StoreResult<IntentOutcome> {
    // Two tries: a takeover can race with another takeover of the same expired ref.
    for _ in 0..2 {
        let Some(existing) = store.insert_intent(intent).await? else {
            return Ok(IntentOutcome::Created);
        };
        if same_visit(&existing, intent) {
            return Ok(IntentOutcome::AlreadyRecorded);
        }
        if !expired(&existing, intent.created_at) {
            return Ok(IntentOutcome::Conflict);
        }
        if store.replace_intent(existing.created_at, intent).await? {
            return Ok(IntentOutcome::Created);
        }
    }
    Ok(IntentOutcome::Conflict)
}

/// Whether a stored intent is the same visit's (a retried request carries the same data).
fn same_visit(stored: &Intent, new: &Intent) -> bool {
    stored.attribution == new.attribution
        && stored.customer == new.customer
        && stored.order_id == new.order_id
        && stored.conversation == new.conversation
}

/// Whether a stored intent can no longer attribute anybody at `now`.
pub fn expired(stored: &Intent, now: Millis) -> bool {
    stored.created_at < now.saturating_sub(INTENT_LIFETIME_MS)
}
