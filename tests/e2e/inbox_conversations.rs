//! The inbox's conversations: the list with unread counts and sources, one conversation with
//! whether a reply may go, replying into the web chat, a refusal with its reason, closing,
//! reopening, reading, the live stream of changes, and nothing of a site the operator does not
//! serve.

use ferry_tests::{
    TestApp,
    chat_api::{tap_carrying, visitor_writes},
    inbox::{Operator, sign_in_demo_operator},
    live::LiveStream,
    spawn_app, spawn_app_with,
};
use reqwest::Method;
use serde_json::{Value, json};

async fn json_of(operator: &Operator, app: &TestApp, path: &str) -> Value {
    let response = operator.get(app, path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

async fn post(
    operator: &Operator,
    app: &TestApp,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = operator.request(app, Method::POST, path);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn an_operator_sees_the_visitors_message_answers_it_and_closes_the_conversation() {
    // Arrange
    let app = spawn_app().await;
    let operator = sign_in_demo_operator(&app).await;
    let mut changes = LiveStream::new(operator.get(&app, "/inbox/api/events").await);
    visitor_writes(&app, "Do you ship to Riga?").await;

    // Act
    let changed = changes.next().await;
    let list = json_of(&operator, &app, "/inbox/api/conversations").await;
    let listed = &list["conversations"][0];
    let path = format!("/inbox/api/conversations/demo/{}", listed["id"]);
    let detail = json_of(&operator, &app, &path).await;
    let replied = post(
        &operator,
        &app,
        &format!("{path}/messages"),
        Some(json!({ "text": "Yes, in two days.", "client_key": "r1" })),
    )
    .await;
    let read = post(&operator, &app, &format!("{path}/read"), None).await;
    let after_read = json_of(&operator, &app, "/inbox/api/conversations").await;
    let closed = post(&operator, &app, &format!("{path}/close"), None).await;
    let open_now = json_of(&operator, &app, "/inbox/api/conversations?status=open").await;
    let closed_now = json_of(&operator, &app, "/inbox/api/conversations?status=closed").await;
    let reopened = post(&operator, &app, &format!("{path}/reopen"), None).await;

    // Assert
    assert_eq!(changed.name, "conversation");
    assert_eq!(changed.data["site"], "demo");
    assert_eq!(changed.data["id"], listed["id"]);
    assert_eq!(listed["channel"], "web");
    assert_eq!(listed["unread"], 1);
    assert_eq!(listed["source"]["campaign"], "spring");
    assert_eq!(listed["source"]["page"], "/p/beans");
    assert_eq!(listed["last_message"]["text"], "Do you ship to Riga?");
    assert_eq!(detail["messages"][0]["author"], "visitor");
    assert_eq!(detail["reply"]["allowed"], true);
    assert_eq!(detail["reply"]["channel"], "web");
    assert_eq!(replied.status(), 201);
    let reply: Value = replied.json().await.unwrap();
    assert_eq!(
        (&reply["author"], &reply["operator"], &reply["status"]),
        (
            &json!("operator"),
            &json!("operator@demo.shop"),
            &json!("sent")
        )
    );
    assert_eq!(read.status(), 204);
    assert_eq!(after_read["conversations"][0]["unread"], 0);
    assert_eq!(closed.status(), 204);
    assert_eq!(open_now["conversations"], json!([]));
    assert_eq!(closed_now["conversations"][0]["status"], "closed");
    assert_eq!(reopened.status(), 204);
}

#[tokio::test]
async fn a_reply_the_platform_refuses_is_422_with_its_reason_and_the_view_says_so_first() {
    // Arrange: a conversation carried into WhatsApp long ago (the fixture's time).
    let app = spawn_app().await;
    let token = visitor_writes(&app, "Is the grinder back?").await;
    tap_carrying(&app, &token, "whatsapp", "K7M2Q9AB").await;
    let body = ferry_tests::fixtures::load("whatsapp/text_with_code.json", "K7M2Q9AB")
        .to_string()
        .into_bytes();
    app.post_meta("whatsapp", &body, Some(ferry_tests::META_APP_SECRET))
        .await;
    app.drain().await;
    let operator = sign_in_demo_operator(&app).await;
    let list = json_of(&operator, &app, "/inbox/api/conversations").await;
    let path = format!(
        "/inbox/api/conversations/demo/{}",
        list["conversations"][0]["id"]
    );

    // Act
    let detail = json_of(&operator, &app, &path).await;
    let refused = post(
        &operator,
        &app,
        &format!("{path}/messages"),
        Some(json!({ "text": "It is!", "client_key": "r1" })),
    )
    .await;

    // Assert
    assert_eq!(detail["conversation"]["channel"], "whatsapp");
    assert_eq!(detail["reply"]["allowed"], false);
    assert_eq!(detail["reply"]["reason"], "reply_window_closed");
    assert!(detail["reply"]["closes_at"].is_string());
    assert_eq!(refused.status(), 422);
    let error: Value = refused.json().await.unwrap();
    assert_eq!(error["error"]["code"], "reply_window_closed");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("24 hours"),
        "{error}"
    );
}

#[tokio::test]
async fn an_operator_of_another_site_sees_and_changes_nothing_of_this_one() {
    // Arrange: the demo operator serves only a second shop.
    let app = spawn_app_with(|settings| {
        let mut outlet = settings.sites[0].clone();
        outlet.id = "outlet".into();
        settings.sites.push(outlet);
        settings.operators[0].sites = vec!["outlet".into()];
    })
    .await;
    visitor_writes(&app, "Hello").await;
    let id = app
        .state
        .store
        .list_conversations(
            &["demo".to_owned()],
            &ferry_relay::store::ConversationFilter {
                limit: 1,
                ..Default::default()
            },
        )
        .await
        .unwrap()[0]
        .conversation
        .id
        .0;
    let operator = sign_in_demo_operator(&app).await;
    let before = app.snapshot().await;

    // Act
    let list = json_of(&operator, &app, "/inbox/api/conversations").await;
    let filtered = json_of(&operator, &app, "/inbox/api/conversations?site=demo").await;
    let path = format!("/inbox/api/conversations/demo/{id}");
    let shown = operator.get(&app, &path).await;
    let replied = post(
        &operator,
        &app,
        &format!("{path}/messages"),
        Some(json!({ "text": "Hi", "client_key": "x" })),
    )
    .await;
    let closed = post(&operator, &app, &format!("{path}/close"), None).await;

    // Assert
    assert_eq!(list["conversations"], json!([]));
    assert_eq!(filtered["conversations"], json!([]));
    for response in [shown, replied, closed] {
        assert_eq!(response.status(), 404);
    }
    assert_eq!(app.snapshot().await, before, "nothing changed");
}
