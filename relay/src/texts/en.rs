//! English.

use super::{BotWords, Catalogue, ChatWords, Commands, InlineWords, WidgetWords};

pub(super) const EN: Catalogue = Catalogue {
    widget: WidgetWords {
        launcher: "Chat with us",
        title: "Continue in your messenger",
        subtitle: "Get order updates and answers from {shop} in the app you already use.",
        footer: "You can stop at any time by replying STOP.",
        close: "Close",
        inline: InlineWords {
            title: "Get order updates in {channels}",
            subscribed: "You'll get updates in {channels}",
            or: "or",
            and: "and",
            order: "{shop} will message you there at every step of order {order}.",
            linked_to: "Linked to {customer}",
            add_another: "Add another messenger",
            scan: "Scan with your phone",
        },
        chat: ChatWords {
            open: "Write to us",
            placeholder: "Write a message…",
            send: "Send",
            sending: "Sending…",
            failed: "Not sent.",
            retry: "Retry",
            online: "We usually answer within a few minutes.",
            away: "We're away right now. Continue in your messenger and we'll answer you there.",
            continue_in: "Or continue in your messenger",
            continued: "Continued in {channel}",
            open_channel: "Open {channel}",
            you: "You",
            unread: "{count} new messages",
        },
    },
    whatsapp_prefill: "Hi {shop}! I'd like to get updates here. (ref {code})",
    bot: BotWords {
        hello: "Hi!",
        hello_name: "Hi {name}!",
        welcome: "{hello} You're subscribed to {shop} updates in {channel}: order updates and \
                  answers to your questions.\n\nTo stop at any time, reply STOP.",
        linked_note: "\n\nUpdates for the account {customer}. Not you? Reply STOP.",
        already_subscribed: "You're already subscribed to {shop} updates here. To stop, reply \
                             STOP.",
        unsubscribed: "You're unsubscribed from {shop}. We won't message you again. Reply START \
                       to subscribe again.",
        linked: "Done: this chat is now linked to the {shop} account {customer}. Not you? Reply \
                 UNLINK.",
        unlinked: "This chat is no longer linked to your {shop} account. You're still \
                   subscribed; reply STOP to unsubscribe.",
        nothing_linked: "This chat isn't linked to any account.",
        link_prompt: "Link this chat to your {shop} account to get your order updates here. The \
                      link works for 30 minutes.",
        link_button: "Link your account",
        linking_unavailable: "Linking an account from the chat isn't available here.",
        recap_intro: "Your conversation on the {shop} website:",
        recap_earlier: "… and {count} earlier messages",
        recap_you: "You",
    },
    commands: Commands {
        // After the SMS convention.
        stop: &[
            "stop",
            "/stop",
            "stopall",
            "unsubscribe",
            "/unsubscribe",
            "cancel",
            "end",
            "quit",
        ],
        start: &["start", "unstop", "yes"],
        unlink: &["unlink", "/unlink", "not me"],
        link: &["link", "/link", "link account"],
    },
};
