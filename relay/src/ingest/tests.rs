//! The subscription and linking rules, one sentence each.

use super::*;
use crate::channels::{InboundEvent, InboundKind};
use crate::config::SiteSettings;
use crate::domain::{Attribution, ChannelKind, Customer, PlatformUserId, SubscriberId};
use crate::store::{
    AccountChange, ConversationChange, ConversationId, Effects, Intent, Subscriber,
    SubscriberChange, SubscriberStatus,
};

const NOW: i64 = 10_000_000;

fn site() -> SiteSettings {
    toml::from_str(
        r##"
        id = "demo"
        name = "Northwind Coffee"
        api_key = "k"
        accent = "#000000"
        [telegram]
        bot_username = "northwind_bot"
        bot_token = "t"
        webhook_secret = "s"
        "##,
    )
    .unwrap()
}

fn run(kind: InboundKind, subscriber: Option<&Subscriber>, intent: Option<&Intent>) -> Effects {
    run_continuing(kind, subscriber, intent, None)
}

fn run_continuing(
    kind: InboundKind,
    subscriber: Option<&Subscriber>,
    intent: Option<&Intent>,
    continued: Option<(ConversationId, String)>,
) -> Effects {
    let site = site();
    let context = Context {
        site: &site,
        channel: ChannelKind::Telegram,
        now: NOW,
        fresh_code: "CODE12345678".into(),
        continued,
        message_key: "telegram:7".into(),
    };
    let event = InboundEvent {
        user: PlatformUserId::parse("42").unwrap(),
        name: Some("Ann".into()),
        at: NOW,
        kind,
    };
    let reference = intent.map(|i| i.reference.clone());
    decide(&context, &event, subscriber, reference, intent)
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
        customer: None,
        linked_at: None,
        order_ids: Vec::new(),
    }
}

fn customer() -> Customer {
    Customer {
        id: "cus_1".into(),
        email: Some("ann@example.com".into()),
        name: None,
        phone: None,
    }
}

fn intent() -> Intent {
    Intent {
        site: "demo".into(),
        channel: ChannelKind::Telegram,
        reference: "r".repeat(22),
        created_at: NOW - 1_000,
        attribution: Attribution {
            utm_campaign: Some("spring".into()),
            ..Attribution::default()
        },
        customer: None,
        order_id: None,
        linked_at: None,
        conversation: None,
    }
}

fn vouched_intent() -> Intent {
    Intent {
        customer: Some(customer()),
        order_id: Some("NW-1042".into()),
        ..intent()
    }
}

fn start() -> InboundKind {
    InboundKind::Start {
        reference: Some("r".repeat(22)),
    }
}

fn text(text: &str) -> InboundKind {
    InboundKind::Text { text: text.into() }
}

#[test]
fn a_newcomer_with_a_known_ref_is_subscribed_with_the_intents_attribution_and_welcomed() {
    let effects = run(start(), None, Some(&intent()));
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
    assert_eq!(effects.account, AccountChange::Keep);
}

#[test]
fn a_newcomer_without_a_ref_is_kept_as_direct() {
    let effects = run(text("hello"), None, None);
    let SubscriberChange::Create(new) = effects.subscriber else {
        panic!("expected a new subscriber")
    };
    assert!(new.attribution.is_none());
    assert_eq!(effects.replies.len(), 1);
}

#[test]
fn a_vouched_intent_links_the_newcomer_once_and_names_the_account_masked() {
    let effects = run(start(), None, Some(&vouched_intent()));
    assert_eq!(
        effects.account,
        AccountChange::Link {
            customer: customer(),
            via: crate::store::LinkVia::Ref("r".repeat(22))
        }
    );
    assert_eq!(effects.order_id.as_deref(), Some("NW-1042"));
    let welcome = &effects.replies[0].message.text;
    assert!(
        welcome.contains("a***@example.com") && welcome.contains("Not you? Reply STOP"),
        "{welcome}"
    );
    assert!(
        !welcome.contains("ann@example.com"),
        "the full address is never shown"
    );
}

#[test]
fn a_spent_ref_attributes_a_second_person_but_links_nobody() {
    let spent = Intent {
        linked_at: Some(NOW - 500),
        ..vouched_intent()
    };
    let effects = run(start(), None, Some(&spent));
    assert_eq!(effects.account, AccountChange::Keep);
    let SubscriberChange::Create(new) = effects.subscriber else {
        panic!("expected a new subscriber")
    };
    assert!(new.attribution.is_some(), "still attributed");
    assert!(!effects.replies[0].message.text.contains("a***@example.com"));
}

#[test]
fn a_ref_older_than_the_link_window_does_not_link() {
    let old = Intent {
        created_at: NOW - 901_000,
        ..vouched_intent()
    };
    assert_eq!(run(start(), None, Some(&old)).account, AccountChange::Keep);
}

#[test]
fn stop_unsubscribes_and_unlinks_with_one_confirmation() {
    let linked = Subscriber {
        customer: Some(customer()),
        ..subscriber(SubscriberStatus::Active)
    };
    let effects = run(text("STOP"), Some(&linked), None);
    assert!(matches!(
        effects.subscriber,
        SubscriberChange::Update {
            status: SubscriberStatus::Unsubscribed,
            ..
        }
    ));
    assert_eq!(effects.account, AccountChange::Unlink);
    assert_eq!(
        effects.events.iter().map(|e| e.kind).collect::<Vec<_>>(),
        ["unsubscribed", "unlinked"]
    );
    assert_eq!(effects.replies.len(), 1);
    assert!(effects.replies[0].message.text.contains("unsubscribed"));
}

#[test]
fn unlink_keeps_the_subscription_and_removes_the_link() {
    let linked = Subscriber {
        customer: Some(customer()),
        ..subscriber(SubscriberStatus::Active)
    };
    let effects = run(text("unlink"), Some(&linked), None);
    assert_eq!(effects.account, AccountChange::Unlink);
    assert!(matches!(
        effects.subscriber,
        SubscriberChange::Update {
            status: SubscriberStatus::Active,
            ..
        }
    ));
    assert!(effects.replies[0].message.text.contains("no longer linked"));
}

#[test]
fn blocking_the_bot_unsubscribes_without_a_reply() {
    let effects = run(
        InboundKind::Blocked,
        Some(&subscriber(SubscriberStatus::Active)),
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
    let effects = run(
        start(),
        Some(&subscriber(SubscriberStatus::Unsubscribed)),
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
    let effects = run(
        text("where is my order"),
        Some(&subscriber(SubscriberStatus::Unsubscribed)),
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
    let effects = run(
        start(),
        Some(&subscriber(SubscriberStatus::Active)),
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
fn a_subscriber_following_a_vouched_link_gets_linked() {
    let effects = run(
        start(),
        Some(&subscriber(SubscriberStatus::Active)),
        Some(&vouched_intent()),
    );
    assert!(matches!(effects.account, AccountChange::Link { .. }));
    assert!(
        effects.replies[0]
            .message
            .text
            .contains("linked to the Northwind Coffee account a***@example.com")
    );
}

#[test]
fn a_stranger_saying_stop_changes_nothing() {
    let effects = run(text("stop"), None, None);
    assert!(matches!(effects.subscriber, SubscriberChange::None));
    assert!(effects.replies.is_empty());
}

#[test]
fn link_codes_are_twelve_crockford_characters() {
    let code = new_link_code();
    assert_eq!(code.len(), 12);
    assert!(
        code.bytes()
            .all(|b| b"0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(&b))
    );
    assert_ne!(code, new_link_code());
}

#[test]
fn a_subscribers_plain_message_joins_their_conversation() {
    let existing = subscriber(SubscriberStatus::Active);
    let effects = run(text("Is my order shipped?"), Some(&existing), None);
    assert_eq!(
        effects.conversation,
        Some(ConversationChange::VisitorWrote {
            text: "Is my order shipped?".into(),
            key: "telegram:7".into(),
            attribution: existing.attribution.clone().map(Box::new),
            customer_id: None,
        })
    );
    assert!(effects.replies.is_empty(), "no bot reply to a question");
}

#[test]
fn someone_who_writes_to_the_bot_first_is_subscribed_and_their_message_kept() {
    let effects = run(text("Hello, do you have decaf?"), None, None);
    assert!(matches!(effects.subscriber, SubscriberChange::Create(_)));
    assert!(matches!(
        effects.conversation,
        Some(ConversationChange::VisitorWrote { ref text, .. }) if text == "Hello, do you have decaf?"
    ));
}

#[test]
fn commands_do_not_join_the_conversation() {
    for status in [SubscriberStatus::Active, SubscriberStatus::Unsubscribed] {
        let existing = subscriber(status);
        for command in ["STOP", "link", "unlink", "start"] {
            let effects = run(text(command), Some(&existing), None);
            assert_eq!(effects.conversation, None, "{command} when {status:?}");
        }
    }
}

#[test]
fn arriving_from_the_web_chat_continues_it_with_the_recap() {
    let carried = Some((ConversationId(9), "Your conversation…".to_owned()));
    let start = InboundKind::Start {
        reference: Some(intent().reference),
    };
    for existing in [None, Some(subscriber(SubscriberStatus::Active))] {
        let effects = run_continuing(
            start.clone(),
            existing.as_ref(),
            Some(&intent()),
            carried.clone(),
        );
        let Some(ConversationChange::Continued {
            conversation,
            recap,
        }) = effects.conversation
        else {
            panic!("the conversation continues: {:?}", effects.conversation);
        };
        assert_eq!(conversation, ConversationId(9));
        assert_eq!(recap.message.text, "Your conversation…");
        assert_eq!(recap.recipient, "42");
        assert!(
            effects
                .replies
                .iter()
                .all(|reply| !reply.message.text.contains("already subscribed")),
            "the recap says enough"
        );
    }
}

#[test]
fn an_unsubscribed_persons_question_still_reaches_the_conversation_and_nothing_is_sent() {
    let existing = subscriber(SubscriberStatus::Unsubscribed);
    let effects = run(text("When does my order arrive?"), Some(&existing), None);
    assert!(matches!(
        effects.conversation,
        Some(ConversationChange::VisitorWrote { ref text, .. }) if text == "When does my order arrive?"
    ));
    assert!(effects.replies.is_empty());
    assert!(effects.events.is_empty(), "not a new subscription");
}
