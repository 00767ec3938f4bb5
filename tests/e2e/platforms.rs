//! Every registered platform through the one webhook route and the one send entry point.

use ferry_relay::channels::{LinkButton, OutboundMessage, Platforms, platform, registry};
use ferry_relay::config::Settings;
use ferry_relay::domain::ChannelKind;
use ferry_tests::{META_APP_SECRET, spawn_app, spawn_app_with};
use serde_json::Value;

async fn status_and_code(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    (
        status,
        body["error"]["code"].as_str().unwrap_or("").to_owned(),
    )
}

#[tokio::test]
async fn a_platform_the_relay_does_not_know_is_a_404() {
    let app = spawn_app().await;

    let post = app
        .client
        .post(format!("{}/hooks/demo/viber", app.address))
        .body("{}")
        .send()
        .await
        .unwrap();
    let get = app
        .client
        .get(format!("{}/hooks/demo/viber", app.address))
        .send()
        .await
        .unwrap();
    let unknown_site = app
        .client
        .post(format!("{}/hooks/nosuchsite/viber", app.address))
        .send()
        .await
        .unwrap();

    assert_eq!(
        status_and_code(post).await,
        (404, "unknown_platform".into())
    );
    assert_eq!(status_and_code(get).await, (404, "unknown_platform".into()));
    assert_eq!(
        status_and_code(unknown_site).await,
        (404, "unknown_site".into())
    );
}

#[tokio::test]
async fn a_platform_without_a_handshake_answers_get_with_405() {
    let app = spawn_app().await;

    let response = app
        .client
        .get(format!(
            "{}/hooks/demo/telegram?hub.mode=subscribe&hub.challenge=1",
            app.address
        ))
        .send()
        .await
        .unwrap();

    assert_eq!(
        status_and_code(response).await,
        (405, "method_not_allowed".into())
    );
}

#[tokio::test]
async fn a_known_platform_the_site_does_not_offer_is_channel_not_enabled() {
    // Arrange: the demo site without its Messenger page
    let demo = include_str!("../../relay/demo.toml");
    let start = demo.find("[sites.messenger]").unwrap();
    let end = start + demo[start..].find("\n\n").unwrap();
    let without_messenger = format!("{}{}", &demo[..start], &demo[end..]);
    let app = spawn_app_with(|settings| {
        settings.sites = Settings::parse(&without_messenger).unwrap().sites;
    })
    .await;
    let body = br#"{"object":"page","entry":[]}"#;

    // Act
    let event = app
        .post_meta("messenger", body, Some(META_APP_SECRET))
        .await;
    let handshake = app
        .client
        .get(format!(
            "{}/hooks/demo/messenger?hub.mode=subscribe&hub.verify_token=demo-meta-verify-token&hub.challenge=1",
            app.address
        ))
        .send()
        .await
        .unwrap();

    // Assert
    assert_eq!(
        status_and_code(event).await,
        (404, "channel_not_enabled".into())
    );
    assert_eq!(
        status_and_code(handshake).await,
        (404, "channel_not_enabled".into())
    );
}

#[tokio::test]
async fn a_text_longer_than_a_platform_takes_is_shortened_and_sent() {
    // Arrange: the sandbox's fake APIs refuse texts over each platform's limit, as the real ones do
    let app = spawn_app().await;
    let platforms = Platforms::new(app.state.settings.platforms.clone()).unwrap();
    let site = app.state.settings.site("demo").unwrap();
    let long = "Your order has shipped. ".repeat(500);
    let recipients = [
        (ChannelKind::Telegram, "900069535"),
        (ChannelKind::Whatsapp, "60173526233"),
        (ChannelKind::Messenger, "1476077422222289"),
    ];
    let button = LinkButton {
        text: "Track".into(),
        url: "https://shop.example/track/1".into(),
    };

    for (channel, recipient) in recipients {
        for buttons in [Vec::new(), vec![button.clone()]] {
            let message = OutboundMessage {
                text: long.clone(),
                buttons,
                tag: None,
            };

            // Act
            let sent = platforms.send(site, channel, recipient, &message).await;

            // Assert
            assert!(sent.is_ok(), "{channel:?}: {sent:?}");
        }
    }
    let max = |channel| platform(channel).unwrap().limits().max_text;
    for request in app.sent() {
        let body = &request.body;
        let text = body["text"]
            .as_str()
            .or(body["text"]["body"].as_str())
            .or(body["message"]["text"].as_str())
            .or(body["message"]["attachment"]["payload"]["text"].as_str())
            .unwrap();
        assert!(text.chars().count() <= max(request.channel), "{request:?}");
        assert!(text.contains('…'));
    }
    assert_eq!(app.sent().len(), 2 * registry().len());
}
