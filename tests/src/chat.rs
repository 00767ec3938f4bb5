//! The visitor's steps in the widget's web chat, shared by the browser tests: open the chat,
//! type as a keyboard does, read the bubbles, the stored token and the relay's copy.

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use ferry_relay::domain::ConversationToken;
use ferry_relay::store::{MessageAuthor, MessageStatus, NewMessage, Place};
use ferry_wire::ChatMessages;

use crate::{
    TestApp,
    browser::{Browser, in_widget},
    demo::{open_demo, open_panel},
};

/// Where the widget keeps the demo site's conversation token.
pub const TOKEN_KEY: &str = "ferry:chat:demo";

/// JavaScript for the widget's bubbles, oldest first.
pub const BUBBLES: &str = "[...document.querySelector('[data-ferry]').shadowRoot.querySelectorAll('[data-testid=ferry-msg]')]";

/// Opens the panel on the demo page and switches to the chat; the composer has the focus.
pub async fn open_chat(app: &TestApp, browser: &Browser) {
    open_demo(app, browser, "/demo/").await;
    open_panel(browser).await;
    browser
        .js(&format!("{}.click()", in_widget("ferry-chat-open")))
        .await;
    wait_for_composer_focus(browser).await;
}

pub async fn wait_for_composer_focus(browser: &Browser) {
    browser
        .wait_for(
            "the composer to have the focus",
            "document.querySelector('[data-ferry]').shadowRoot.activeElement?.dataset.testid === 'ferry-chat-input'",
        )
        .await;
}

/// Types into whatever has the focus, as a keyboard does; `\n` is Enter, `\r` Shift+Enter.
pub async fn type_keys(browser: &Browser, text: &str) {
    let enter = char::from(Key::Enter);
    let shift = char::from(Key::Shift);
    let mut keys = KeyActions::new("keyboard".into());
    for c in text.chars() {
        let (key, shifted) = match c {
            '\n' => (enter, false),
            '\r' => (enter, true),
            c => (c, false),
        };
        if shifted {
            keys = keys.then(KeyAction::Down { value: shift });
        }
        keys = keys
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        if shifted {
            keys = keys.then(KeyAction::Up { value: shift });
        }
    }
    browser.client.perform_actions(keys).await.unwrap();
}

/// The conversation token the page stored, if any.
pub async fn stored_token(browser: &Browser) -> Option<String> {
    let token = browser
        .js(&format!("return localStorage.getItem('{TOKEN_KEY}')"))
        .await;
    token.as_str().map(str::to_owned)
}

/// The conversation as the relay keeps it, read the way the widget reads it.
pub async fn relay_history(app: &TestApp, token: &str) -> ChatMessages {
    let response = app
        .client
        .get(format!(
            "{}/api/widget/demo/conversation/messages",
            app.address
        ))
        .header("X-Ferry-Conversation", token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// `(data-state, text of the bubble, status line)` of every bubble.
pub async fn bubbles(browser: &Browser) -> Vec<(String, String, String)> {
    let rows = browser
        .js(&format!(
            "return {BUBBLES}.map(b => [b.dataset.state, b.querySelector('.bb').lastChild.textContent, b.querySelector('.mt').textContent])"
        ))
        .await;
    serde_json::from_value(rows).unwrap()
}

/// An operator's reply in the conversation `token` opens, added as the inbox adds one.
pub async fn operator_writes(app: &TestApp, token: &str, text: &str) {
    let hash = ConversationToken::parse(token).expect("a token").hash();
    let conversation = app
        .state
        .store
        .find_conversation_by_token("demo", &hash)
        .await
        .unwrap()
        .expect("the conversation");
    let message = NewMessage {
        author: MessageAuthor::Operator,
        operator: Some("anna@shop.example".into()),
        place: Place::Web,
        body: text.into(),
        status: MessageStatus::Sent,
        client_key: None,
        at: app.state.clock.now(),
    };
    app.state
        .store
        .add_message("demo", conversation.id, &message)
        .await
        .unwrap()
        .expect("added");
}
