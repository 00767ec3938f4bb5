//! The shape of one language's texts. Every field is required, so a new text is added to every
//! language or the relay does not build.

/// Everything one language says.
pub struct Catalogue {
    /// The floating panel, the launcher and the inline block.
    pub widget: WidgetWords,
    /// WhatsApp's prefilled first message, with `{shop}` and `{code}`. The code must follow the
    /// word `ref`, which is where the relay looks for it first.
    pub whatsapp_prefill: &'static str,
    /// What the bot replies.
    pub bot: BotWords,
    /// Whole messages that are commands, in lower case; every site understands every
    /// language's words.
    pub commands: Commands,
}

/// The widget's texts.
pub struct WidgetWords {
    /// The launcher's accessible label and tooltip.
    pub launcher: &'static str,
    /// The panel's title.
    pub title: &'static str,
    /// The line under the title, with `{shop}`.
    pub subtitle: &'static str,
    /// How to stop, at the bottom of the panel and the inline block.
    pub footer: &'static str,
    /// The panel's close button.
    pub close: &'static str,
    /// The inline block's own texts.
    pub inline: InlineWords,
    /// The web chat's texts (see `ferry_wire::ChatTexts`).
    pub chat: ChatWords,
}

/// The web chat's texts; `{channel}` and `{count}` are filled by the widget.
pub struct ChatWords {
    /// Opens the chat.
    pub open: &'static str,
    /// The composer's placeholder.
    pub placeholder: &'static str,
    /// The send button.
    pub send: &'static str,
    /// Under a message on its way.
    pub sending: &'static str,
    /// Under a message that did not go.
    pub failed: &'static str,
    /// The retry button.
    pub retry: &'static str,
    /// While operators are in.
    pub online: &'static str,
    /// Outside office hours.
    pub away: &'static str,
    /// Above the messenger buttons in the chat.
    pub continue_in: &'static str,
    /// Once moved, with `{channel}`.
    pub continued: &'static str,
    /// The link back into the messenger, with `{channel}`.
    pub open_channel: &'static str,
    /// The visitor's own messages, for screen readers.
    pub you: &'static str,
    /// The launcher badge, with `{count}`.
    pub unread: &'static str,
}

/// The inline block's texts; the widget fills the templates (see `ferry_wire::InlineTexts`).
pub struct InlineWords {
    /// The offer, with `{channels}`.
    pub title: &'static str,
    /// The confirmation for a linked customer, with `{channels}`.
    pub subscribed: &'static str,
    /// Before the last of several alternatives.
    pub or: &'static str,
    /// Before the last of several channels together.
    pub and: &'static str,
    /// The line under the title on an order's page, with `{shop}` and `{order}`.
    pub order: &'static str,
    /// The linked account, with `{customer}`.
    pub linked_to: &'static str,
    /// The button that shows the other channels.
    pub add_another: &'static str,
    /// The line above the QR codes.
    pub scan: &'static str,
}

/// The bot's messages.
pub struct BotWords {
    /// The greeting when the platform gave no name.
    pub hello: &'static str,
    /// The greeting with `{name}`.
    pub hello_name: &'static str,
    /// The welcome, with `{hello}`, `{shop}` and `{channel}`; it says how to stop.
    pub welcome: &'static str,
    /// Appended to the welcome when the subscription is linked, with `{customer}`.
    pub linked_note: &'static str,
    /// To someone already subscribed who follows a link again, with `{shop}`.
    pub already_subscribed: &'static str,
    /// The one confirmation after a stop word, with `{shop}`; it says how to come back.
    pub unsubscribed: &'static str,
    /// After a link, with `{shop}` and `{customer}`; it says how to unlink.
    pub linked: &'static str,
    /// After an unlink, with `{shop}`.
    pub unlinked: &'static str,
    /// The reply to an unlink word when nothing is linked.
    pub nothing_linked: &'static str,
    /// The invitation to link the account from the chat, with `{shop}`.
    pub link_prompt: &'static str,
    /// The label of the link prompt's button.
    pub link_button: &'static str,
    /// The reply to a link word when the site has no login page for linking.
    pub linking_unavailable: &'static str,
    /// The first line of the web chat's recap in the messenger, with `{shop}`.
    pub recap_intro: &'static str,
    /// The recap's line for the messages it leaves out, with `{count}`.
    pub recap_earlier: &'static str,
    /// How the recap names the visitor.
    pub recap_you: &'static str,
}

/// Whole-message commands, lower case.
pub struct Commands {
    /// Opt out.
    pub stop: &'static [&'static str],
    /// Opt back in.
    pub start: &'static [&'static str],
    /// Remove the account link.
    pub unlink: &'static [&'static str],
    /// Ask for a link-your-account button.
    pub link: &'static [&'static str],
}
