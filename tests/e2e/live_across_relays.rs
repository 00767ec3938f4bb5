//! Two relays on one PostgreSQL behind a load balancer: the visitor's live stream on one relay
//! gets the operator's reply posted to the other, and the operator's inbox stream hears of the
//! visitor's message whichever relay took it.

use ferry_tests::{
    chat_api::{follow, visitor_writes, write},
    inbox::sign_in_demo_operator,
    live::LiveStream,
    spawn_two_relays,
};
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn a_visitor_on_one_relay_gets_the_reply_posted_to_the_other_live() {
    let Some((relay_a, relay_b)) = spawn_two_relays().await else {
        return;
    };
    // The visitor's page talks to relay A; the operator's inbox to relay B.
    let token = visitor_writes(&relay_a, "Hello from A").await;
    let mut visitor = follow(&relay_a, &token, Some(1)).await;
    assert_eq!(visitor.next().await.name, "conversation");
    let operator = sign_in_demo_operator(&relay_b).await;
    let mut inbox = LiveStream::new(operator.get(&relay_b, "/inbox/api/events").await);
    let list: Value = operator
        .get(&relay_b, "/inbox/api/conversations")
        .await
        .json()
        .await
        .unwrap();
    let id = list["conversations"][0]["id"].clone();

    // Act: the operator answers on B; the visitor writes again on A.
    let replied = operator
        .request(
            &relay_b,
            Method::POST,
            &format!("/inbox/api/conversations/demo/{id}/messages"),
        )
        .json(&json!({ "text": "Hello from B", "client_key": "b1" }))
        .send()
        .await
        .unwrap();
    assert_eq!(replied.status(), 201);
    let reply = visitor.next_named("message", 1).await;
    write(&relay_a, &token, "Thanks", "thanks").await;
    let heard = inbox.next_named("conversation", 2).await;

    // Assert
    assert_eq!(reply[0].data["text"], "Hello from B");
    assert_eq!(reply[0].id.as_deref(), Some("2"));
    assert!(
        heard.iter().all(|event| event.data["id"] == id),
        "{heard:?}"
    );
    let after = visitor.next_named("message", 1).await;
    assert_eq!(after[0].data["text"], "Thanks");
}
