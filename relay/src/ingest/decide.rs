//! The rules: what one inbound event does to its subscriber, their account link and the chat.

use crate::channels::{InboundEvent, InboundKind, LinkButton, OutboundMessage};
use crate::config::SiteSettings;
use crate::domain::{ChannelKind, Customer, Millis};
use crate::store::{
    AccountChange, ConversationChange, ConversationId, Effects as Decided, EventDraft, Intent,
    LinkCode, LinkVia, MerchantEvent, NewSubscriber, OutboundDraft, Subscriber, SubscriberChange,
    SubscriberStatus,
};
use crate::texts;

use super::LINK_CODE_LIFETIME_MS;

/// Everything besides the event that a decision depends on.
pub struct Context<'a> {
    /// The site the event belongs to.
    pub site: &'a SiteSettings,
    /// The platform.
    pub channel: ChannelKind,
    /// The current time.
    pub now: Millis,
    /// A fresh one-time code, used if the decision offers in-chat linking.
    pub fresh_code: String,
    /// The web conversation the event's intent carries into the messenger, with its recap.
    pub continued: Option<(ConversationId, String)>,
    /// The event's own key, so a message it adds to a conversation is added once.
    pub message_key: String,
}

impl Context<'_> {
    fn link_window_ms(&self) -> Millis {
        let seconds = self
            .site
            .identity
            .as_ref()
            .map_or(900, |identity| identity.link_window_secs);
        i64::try_from(seconds).unwrap_or(i64::MAX / 1000) * 1000
    }

    fn login_url(&self) -> Option<&str> {
        self.site
            .identity
            .as_ref()
            .and_then(|identity| identity.login_url.as_deref())
    }

    /// The customer an intent may link now: it carries a verified customer, its single link is
    /// unspent, and its window is open. A forwarded link or a photographed QR code fails here.
    fn linkable(&self, intent: Option<&Intent>) -> Option<Customer> {
        let intent = intent?;
        let open =
            intent.linked_at.is_none() && self.now <= intent.created_at + self.link_window_ms();
        open.then(|| intent.customer.clone()).flatten()
    }
}

/// Collects effects while the rules run.
struct Effects<'a> {
    context: &'a Context<'a>,
    event: &'a InboundEvent,
    out: Decided,
}

impl<'a> Effects<'a> {
    fn new(
        context: &'a Context<'a>,
        event: &'a InboundEvent,
        subscriber: SubscriberChange,
    ) -> Self {
        let out = Decided::about(subscriber);
        Self {
            context,
            event,
            out,
        }
    }

    fn reply(&mut self, text: String, buttons: Vec<LinkButton>) {
        let recipient = self.event.user.as_str().to_owned();
        self.out.replies.push(OutboundDraft {
            recipient,
            message: OutboundMessage {
                text,
                buttons,
                tag: None,
            },
            // Filled in by the caller, who knows which event this is.
            dedupe_key: String::new(),
        });
    }

    /// The visitor arrived from the web chat: the conversation continues here, recap first.
    fn continue_conversation(&mut self) {
        if let Some((conversation, recap)) = &self.context.continued {
            self.out.conversation = Some(ConversationChange::Continued {
                conversation: *conversation,
                recap: OutboundDraft {
                    recipient: self.event.user.as_str().to_owned(),
                    message: OutboundMessage {
                        text: recap.clone(),
                        buttons: Vec::new(),
                        tag: None,
                    },
                    // Filled in by the caller, like the replies'.
                    dedupe_key: String::new(),
                },
            });
        }
    }

    /// The person wrote to the shop: the message joins their conversation.
    fn joins_conversation(&mut self, text: &str, subscriber: Option<&Subscriber>) {
        self.out.conversation = Some(ConversationChange::VisitorWrote {
            text: text.to_owned(),
            key: self.context.message_key.clone(),
            attribution: subscriber.and_then(|s| s.attribution.clone().map(Box::new)),
            customer_id: subscriber.and_then(|s| s.customer.as_ref().map(|c| c.id.clone())),
        });
    }

    fn event(
        &mut self,
        kind: &'static str,
        reference: Option<String>,
        intent: Option<&Intent>,
        fallback: Option<&Subscriber>,
    ) {
        let attribution = intent
            .map(|i| i.attribution.clone())
            .or_else(|| fallback.and_then(|s| s.attribution.clone()));
        self.out.events.push(EventDraft {
            kind,
            reference,
            attribution,
        });
    }

    fn notify(&mut self, event: MerchantEvent) {
        if self.context.site.webhook.is_some() {
            self.out.notify.push(event);
        }
    }

    fn link(&mut self, customer: Customer, intent: &Intent) {
        self.out.account = AccountChange::Link {
            customer,
            via: LinkVia::Ref(intent.reference.clone()),
        };
        self.event("linked", Some(intent.reference.clone()), Some(intent), None);
        self.notify(MerchantEvent::Linked);
    }

    fn unlink(&mut self, subscriber: &Subscriber) {
        if subscriber.customer.is_some() {
            self.out.account = AccountChange::Unlink;
            self.event("unlinked", None, None, Some(subscriber));
            self.notify(MerchantEvent::Unlinked);
        }
    }

    /// The "link your account" button, when the site has a login page for it.
    fn link_button(&mut self) -> Option<LinkButton> {
        let login_url = self.context.login_url()?;
        let mut url = url::Url::parse(login_url).ok()?;
        url.query_pairs_mut()
            .append_pair("ferry_link", &self.context.fresh_code);
        self.out.link_code = Some(LinkCode {
            code: self.context.fresh_code.clone(),
            expires_at: self.context.now + LINK_CODE_LIFETIME_MS,
        });
        let (_, label) = texts::link_prompt(self.context.site.locale, &self.context.site.name);
        Some(LinkButton {
            text: label,
            url: url.to_string(),
        })
    }

    fn welcome(&mut self, linked: Option<&Customer>) {
        let site = self.context.site;
        let mut text = texts::welcome(
            site.locale,
            &site.name,
            self.context.channel,
            self.event.name.as_deref(),
        );
        let buttons = match linked {
            Some(customer) => {
                text.push_str(&texts::linked_note(site.locale, &customer.masked()));
                Vec::new()
            }
            None => self.link_button().into_iter().collect(),
        };
        self.reply(text, buttons);
    }
}

/// Whether a whole message is one of the bot's commands rather than words for the shop.
fn is_command(text: &str) -> bool {
    texts::is_stop_word(text)
        || texts::is_start_word(text)
        || texts::is_link_word(text)
        || texts::is_unlink_word(text)
}

/// The effects of one inbound event. See the module docs.
pub fn decide(
    context: &Context<'_>,
    event: &InboundEvent,
    subscriber: Option<&Subscriber>,
    reference: Option<String>,
    intent: Option<&Intent>,
) -> Decided {
    let site = context.site;
    let locale = site.locale;
    let text = match &event.kind {
        InboundKind::Text { text } => Some(text.as_str()),
        _ => None,
    };
    let blocked = event.kind == InboundKind::Blocked;
    let wants_stop = text.is_some_and(texts::is_stop_word) || blocked;
    let starts = matches!(event.kind, InboundKind::Start { .. })
        || text.is_some_and(texts::is_start_word)
        || intent.is_some();
    let linkable = context.linkable(intent);

    let Some(existing) = subscriber else {
        if wants_stop {
            // Someone who never subscribed says STOP or blocks: nothing to undo, nothing to send.
            return Effects::new(context, event, SubscriberChange::None).out;
        }
        let new = NewSubscriber {
            platform_user_id: event.user.clone(),
            display_name: event.name.clone(),
            reference: reference.clone(),
            attribution: intent.map(|i| i.attribution.clone()),
            at: event.at,
        };
        let mut effects = Effects::new(context, event, SubscriberChange::Create(Box::new(new)));
        effects.event("subscribed", reference, intent, None);
        effects.notify(MerchantEvent::Created);
        effects.out.order_id = intent.and_then(|i| i.order_id.clone());
        if let (Some(customer), Some(intent)) = (&linkable, intent) {
            effects.link(customer.clone(), intent);
        }
        effects.welcome(linkable.as_ref());
        match (intent, text) {
            (Some(_), _) => effects.continue_conversation(),
            // Someone who writes to the shop's bot straight away gets a conversation too.
            (None, Some(text)) if !texts::is_start_word(text) => {
                effects.joins_conversation(text, None);
            }
            _ => {}
        }
        return effects.out;
    };

    let update = |status| SubscriberChange::Update {
        id: existing.id,
        status,
        last_inbound_at: event.at,
    };
    let status = existing.status;
    if wants_stop && status == SubscriberStatus::Active {
        let mut effects = Effects::new(context, event, update(SubscriberStatus::Unsubscribed));
        effects.event("unsubscribed", None, None, Some(existing));
        effects.notify(MerchantEvent::Unsubscribed);
        effects.unlink(existing);
        if !blocked {
            effects.reply(texts::unsubscribed(locale, &site.name), Vec::new());
        }
        return effects.out;
    }
    let mut effects = Effects::new(context, event, update(status));
    match (status, starts, text) {
        (SubscriberStatus::Unsubscribed, true, _) => {
            effects.out.subscriber = update(SubscriberStatus::Active);
            effects.event("subscribed", reference, intent, Some(existing));
            effects.out.order_id = intent.and_then(|i| i.order_id.clone());
            if let (Some(customer), Some(intent)) = (&linkable, intent) {
                effects.link(customer.clone(), intent);
            }
            effects.welcome(linkable.as_ref());
            effects.continue_conversation();
        }
        (SubscriberStatus::Active, _, Some(text)) if texts::is_unlink_word(text) => {
            let reply = if existing.customer.is_some() {
                texts::unlinked(locale, &site.name)
            } else {
                texts::nothing_linked(locale)
            };
            effects.unlink(existing);
            effects.reply(reply, Vec::new());
        }
        (SubscriberStatus::Active, _, Some(text)) if texts::is_link_word(text) => match effects
            .link_button()
        {
            Some(button) => effects.reply(texts::link_prompt(locale, &site.name).0, vec![button]),
            None => effects.reply(texts::linking_unavailable(locale), Vec::new()),
        },
        (SubscriberStatus::Active, true, _)
            if !matches!(event.kind, InboundKind::Text { .. }) || intent.is_some() =>
        {
            effects.out.order_id = intent.and_then(|i| i.order_id.clone());
            let relinks = linkable
                .as_ref()
                .filter(|c| existing.customer.as_ref().map(|e| &e.id) != Some(&c.id));
            match (relinks, intent) {
                (Some(customer), Some(intent)) => {
                    effects.link(customer.clone(), intent);
                    effects.reply(
                        texts::linked(locale, &site.name, &customer.masked()),
                        Vec::new(),
                    );
                }
                _ if context.continued.is_some() => {}
                _ => effects.reply(texts::already_subscribed(locale, &site.name), Vec::new()),
            }
            effects.continue_conversation();
        }
        // Someone who said STOP gets no more messages, but what they write still reaches the
        // shop: a question after unsubscribing is still a question.
        (_, false, Some(text)) if !is_command(text) => {
            effects.joins_conversation(text, Some(existing));
        }
        _ => {}
    }
    effects.out
}
