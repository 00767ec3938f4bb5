//! An operator's reply to a conversation: where it goes, and whether the platform's rules let
//! it go now (`domain::ReplyWindow`), decided before anything is stored.
//!
//! A conversation still in the web chat gets the reply there (the visitor's live stream shows
//! it). One that moved to a messenger gets it through the outbox, to the subscriber there,
//! with the tag the window requires (Messenger's `HUMAN_AGENT` after 24 hours); a reply the
//! rules refuse is refused with the reason, and nothing is stored. The inbox and the merchant
//! API both reply through here, so both keep the same rules.

use crate::channels::OutboundMessage;
use crate::config::SiteSettings;
use crate::domain::{Author, Millis, Recipient, Refusal, ReplyDecision};
use crate::store::{
    Conversation, ConversationId, Delivery, Message, MessageAuthor, MessageStatus, NewMessage,
    Place, Store, StoreError, SubscriberStatus,
};

/// Why a reply was not added.
#[derive(Debug, thiserror::Error)]
pub enum ReplyError {
    /// The site has no such conversation.
    #[error("no such conversation")]
    NotFound,
    /// The platform's rules refuse it now.
    #[error("{refusal}")]
    Refused {
        /// Why.
        refusal: Refusal,
        /// The platform whose rules these are.
        channel: Place,
    },
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Who replies.
#[derive(Debug, Clone)]
pub struct Replier {
    /// The operator's login, or the merchant API's name for itself.
    pub login: String,
    /// How the reply is authored: a person typing, or a program.
    pub author: Author,
}

/// Whether a reply may go now, and how.
#[derive(Debug, Clone, PartialEq)]
pub enum Route {
    /// Into the web chat.
    Web,
    /// To the subscriber's messenger, with this tag if one is needed.
    Messenger {
        /// The delivery to queue (its message text filled in by `reply`).
        delivery: Delivery,
    },
}

/// Where a reply to `conversation` would go now, or why it may not.
pub async fn route(
    store: &dyn Store,
    conversation: &Conversation,
    author: Author,
    now: Millis,
) -> Result<Route, ReplyError> {
    let Place::Messenger(kind) = conversation.place else {
        return Ok(Route::Web);
    };
    let refused = |refusal| ReplyError::Refused {
        refusal,
        channel: conversation.place,
    };
    let subscriber = match conversation.subscriber_id {
        Some(id) => store.get_subscriber(&conversation.site, id).await?,
        None => None,
    };
    let Some(subscriber) = subscriber else {
        return Err(refused(Refusal::NeverWrote));
    };
    let window = crate::channels::platform(kind)
        .map(|platform| platform.limits().reply_window)
        .ok_or_else(|| refused(Refusal::NeverWrote))?;
    let recipient = Recipient {
        last_message_at: Some(subscriber.last_inbound_at),
        blocked: subscriber.status == SubscriberStatus::Unsubscribed,
    };
    match window.decide(recipient, author, now) {
        ReplyDecision::Send { tag } => Ok(Route::Messenger {
            delivery: Delivery {
                channel: kind,
                subscriber_id: subscriber.id,
                recipient: subscriber.platform_user_id.as_str().to_owned(),
                message: OutboundMessage {
                    text: String::new(),
                    buttons: Vec::new(),
                    tag: tag.map(str::to_owned),
                },
                dedupe_key: String::new(),
            },
        }),
        ReplyDecision::Refuse(refusal) => Err(refused(refusal)),
    }
}

/// Adds `text` to conversation `id` of `site` as `replier`'s reply and sends it where the
/// conversation is now. The same `client_key` again answers the first reply.
pub async fn reply(
    store: &dyn Store,
    site: &SiteSettings,
    id: ConversationId,
    replier: &Replier,
    text: &str,
    client_key: &str,
    now: Millis,
) -> Result<Message, ReplyError> {
    let conversation = store
        .find_conversation(&site.id, id)
        .await?
        .ok_or(ReplyError::NotFound)?;
    let (place, status, delivery) = match route(store, &conversation, replier.author, now).await? {
        Route::Web => (Place::Web, MessageStatus::Sent, None),
        Route::Messenger { mut delivery } => {
            delivery.message.text = text.to_owned();
            delivery.dedupe_key = format!("reply:{}:{client_key}", id.0);
            (
                Place::Messenger(delivery.channel),
                MessageStatus::Pending,
                Some(delivery),
            )
        }
    };
    let message = NewMessage {
        author: MessageAuthor::Operator,
        operator: Some(replier.login.clone()),
        place,
        body: text.to_owned(),
        status,
        client_key: Some(client_key.to_owned()),
        at: now,
    };
    store
        .add_reply(&site.id, id, &message, delivery.as_ref())
        .await?
        .ok_or(ReplyError::NotFound)
}
