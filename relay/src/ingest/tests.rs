//! The subscription rules, one sentence each.

use super::*;
use crate::config::{Secret, SiteSettings, TelegramSettings};
use crate::domain::{Attribution, PlatformUserId, SubscriberId};

fn site() -> SiteSettings {
    SiteSettings {
        id: "demo".into(),
        name: "Northwind Coffee".into(),
        allowed_origins: Vec::new(),
        api_key: Some(Secret::new("k")),
        api_key_sha256: None,
        locale: "en".into(),
        accent: "#000000".into(),
        telegram: Some(TelegramSettings {
            bot_username: "northwind_bot".into(),
            bot_token: Secret::new("t"),
            webhook_secret: Secret::new("s"),
        }),
        whatsapp: None,
        messenger: None,
    }
}

fn event(kind: InboundKind) -> InboundEvent {
    InboundEvent {
        user: PlatformUserId::parse("42").unwrap(),
        name: Some("Ann".into()),
        at: 1_000,
        kind,
    }
}

fn subscriber(status: SubscriberStatus) -> Subscriber {
    Subscriber {
        id: SubscriberId(7),
        site: "demo".into(),
        channel: ChannelKind::Telegram,
        platform_user_id: PlatformUserId::parse("42").unwrap(),
        display_name: None,
        status,
        reference: None,
        attribution: None,
        subscribed_at: 0,
        last_inbound_at: 0,
        unsubscribed_at: None,
    }
}

fn intent() -> Intent {
    Intent {
        site: "demo".into(),
        channel: ChannelKind::Telegram,
        reference: "r".repeat(22),
        created_at: 0,
        attribution: Attribution {
            utm_campaign: Some("spring".into()),
            ..Attribution::default()
        },
    }
}

fn start() -> InboundKind {
    InboundKind::Start {
        reference: Some("r".repeat(22)),
    }
}

#[test]
fn a_newcomer_with_a_known_ref_is_subscribed_with_the_intents_attribution_and_welcomed() {
    let effects = decide(
        &site(),
        ChannelKind::Telegram,
        &event(start()),
        None,
        Some("r".repeat(22)),
        Some(&intent()),
    );
    let SubscriberChange::Create(new) = effects.subscriber else {
        panic!("expected a new subscriber")
    };
    assert_eq!(
        new.attribution.unwrap().utm_campaign.as_deref(),
        Some("spring")
    );
    assert_eq!(effects.events[0].kind, "subscribed");
    assert!(effects.replies[0].message.text.contains("reply STOP"));
    assert_eq!(effects.replies[0].recipient, "42");
}

#[test]
fn a_newcomer_without_a_ref_is_kept_as_direct() {
    let effects = decide(
        &site(),
        ChannelKind::Telegram,
        &event(InboundKind::Text {
            text: "hello".into(),
        }),
        None,
        None,
        None,
    );
    let SubscriberChange::Create(new) = effects.subscriber else {
        panic!("expected a new subscriber")
    };
    assert!(new.attribution.is_none());
    assert_eq!(effects.replies.len(), 1);
}

#[test]
fn stop_unsubscribes_an_active_subscriber_with_one_confirmation() {
    let effects = decide(
        &site(),
        ChannelKind::Telegram,
        &event(InboundKind::Text {
            text: "STOP".into(),
        }),
        Some(&subscriber(SubscriberStatus::Active)),
        None,
        None,
    );
    assert!(matches!(
        effects.subscriber,
        SubscriberChange::Update {
            status: SubscriberStatus::Unsubscribed,
            ..
        }
    ));
    assert_eq!(effects.events[0].kind, "unsubscribed");
    assert!(effects.replies[0].message.text.contains("unsubscribed"));
}

#[test]
fn blocking_the_bot_unsubscribes_without_a_reply() {
    let effects = decide(
        &site(),
        ChannelKind::Telegram,
        &event(InboundKind::Blocked),
        Some(&subscriber(SubscriberStatus::Active)),
        None,
        None,
    );
    assert!(matches!(
        effects.subscriber,
        SubscriberChange::Update {
            status: SubscriberStatus::Unsubscribed,
            ..
        }
    ));
    assert!(effects.replies.is_empty());
}

#[test]
fn an_unsubscribed_person_who_starts_again_is_resubscribed() {
    let effects = decide(
        &site(),
        ChannelKind::Telegram,
        &event(start()),
        Some(&subscriber(SubscriberStatus::Unsubscribed)),
        None,
        None,
    );
    assert!(matches!(
        effects.subscriber,
        SubscriberChange::Update {
            status: SubscriberStatus::Active,
            ..
        }
    ));
    assert_eq!(effects.events[0].kind, "subscribed");
}

#[test]
fn an_unsubscribed_person_chatting_stays_unsubscribed_and_gets_nothing() {
    let effects = decide(
        &site(),
        ChannelKind::Telegram,
        &event(InboundKind::Text {
            text: "where is my order".into(),
        }),
        Some(&subscriber(SubscriberStatus::Unsubscribed)),
        None,
        None,
    );
    assert!(matches!(
        effects.subscriber,
        SubscriberChange::Update {
            status: SubscriberStatus::Unsubscribed,
            ..
        }
    ));
    assert!(effects.replies.is_empty());
}

#[test]
fn a_subscriber_following_a_link_again_is_told_they_are_subscribed() {
    let effects = decide(
        &site(),
        ChannelKind::Telegram,
        &event(start()),
        Some(&subscriber(SubscriberStatus::Active)),
        None,
        Some(&intent()),
    );
    assert!(effects.events.is_empty());
    assert!(
        effects.replies[0]
            .message
            .text
            .contains("already subscribed")
    );
}

#[test]
fn a_stranger_saying_stop_changes_nothing() {
    let effects = decide(
        &site(),
        ChannelKind::Telegram,
        &event(InboundKind::Text {
            text: "stop".into(),
        }),
        None,
        None,
        None,
    );
    assert!(matches!(effects.subscriber, SubscriberChange::None));
    assert!(effects.replies.is_empty());
}
