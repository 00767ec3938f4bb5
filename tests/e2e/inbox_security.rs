//! The operator inbox's sign-in and what guards it: no session, no data (pages send to the
//! sign-in); wrong passwords and unknown logins look alike and are throttled; the cookie is
//! HttpOnly and SameSite=Strict; state-changing requests need the session's CSRF token and the
//! relay's own origin; sessions end on sign-out, after idling, after a week, and when the
//! operator leaves the config.

use ferry_relay::demo::{OPERATOR_LOGIN, OPERATOR_PASSWORD};
use ferry_tests::{
    inbox::{Operator, client, set_cookie, sign_in, sign_in_demo_operator},
    spawn_app,
};
use reqwest::{Method, Response, StatusCode, header};
use serde_json::Value;

const HOUR: i64 = 3600;

async fn error_of(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let body: Value = response.json().await.expect("a JSON error");
    (status, body["error"].clone())
}

fn header_of<'r>(response: &'r Response, name: &str) -> &'r str {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name}"))
        .to_str()
        .expect("text")
}

#[tokio::test]
async fn without_a_session_the_api_answers_401_and_the_inbox_sends_to_sign_in() {
    // Arrange
    let app = spawn_app().await;
    let client = client();
    let forged = "ferry_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

    // Act
    let me = client
        .get(format!("{}/inbox/api/me", app.address))
        .send()
        .await
        .unwrap();
    let forged_me = client
        .get(format!("{}/inbox/api/me", app.address))
        .header(header::COOKIE, forged)
        .send()
        .await
        .unwrap();
    let conversations = client
        .get(format!(
            "{}/inbox/api/conversations?status=open",
            app.address
        ))
        .send()
        .await
        .unwrap();
    let logout = client
        .post(format!("{}/inbox/api/logout", app.address))
        .header(header::ORIGIN, app.origin())
        .send()
        .await
        .unwrap();
    let page = client
        .get(format!("{}/inbox/", app.address))
        .send()
        .await
        .unwrap();
    let login_page = client
        .get(format!("{}/inbox/login", app.address))
        .send()
        .await
        .unwrap();

    // Assert
    for response in [me, forged_me, conversations, logout] {
        let (status, error) = error_of(response).await;
        assert_eq!(status, 401);
        assert_eq!(error["code"], "not_signed_in");
    }
    assert_eq!(page.status(), 303);
    assert_eq!(header_of(&page, "location"), "/inbox/login");
    assert_eq!(login_page.status(), 200);
    assert!(header_of(&login_page, "content-type").starts_with("text/html"));
    let policy = header_of(&login_page, "content-security-policy");
    assert!(policy.contains("default-src 'self'"), "{policy}");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    assert_eq!(header_of(&login_page, "x-frame-options"), "DENY");
    assert_eq!(header_of(&login_page, "referrer-policy"), "same-origin");
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_login_get_the_same_401() {
    // Arrange
    let app = spawn_app().await;
    let before = app.snapshot().await;

    // Act
    let wrong_password = sign_in(&app, OPERATOR_LOGIN, "not the password at all").await;
    let unknown_login = sign_in(&app, "nobody@demo.shop", OPERATOR_PASSWORD).await;

    // Assert: same status, code and message; no cookie; no session stored
    assert!(wrong_password.headers().get(header::SET_COOKIE).is_none());
    assert!(unknown_login.headers().get(header::SET_COOKIE).is_none());
    let wrong_password = error_of(wrong_password).await;
    let unknown_login = error_of(unknown_login).await;
    assert_eq!(wrong_password.0, 401);
    assert_eq!(wrong_password.1["code"], "invalid_credentials");
    assert_eq!(wrong_password, unknown_login);
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn repeated_failed_sign_ins_become_429_with_retry_after_even_for_the_right_password() {
    // Arrange
    let app = spawn_app().await;
    for _ in 0..5 {
        let failed = sign_in(&app, OPERATOR_LOGIN, "guess guess guess").await;
        assert_eq!(failed.status(), 401);
    }

    // Act: one more wrong guess, then the right password, on the same login
    let throttled = sign_in(&app, OPERATOR_LOGIN, "guess guess guess").await;
    let right_but_late = sign_in(&app, &OPERATOR_LOGIN.to_uppercase(), OPERATOR_PASSWORD).await;

    // Assert
    for response in [throttled, right_but_late] {
        let retry_after: u64 = header_of(&response, "retry-after").parse().unwrap();
        assert!((1..=60).contains(&retry_after), "{retry_after}");
        assert!(response.headers().get(header::SET_COOKIE).is_none());
        let (status, error) = error_of(response).await;
        assert_eq!(status, 429);
        assert_eq!(error["code"], "rate_limited");
    }
}

#[tokio::test]
async fn one_client_guessing_many_logins_is_throttled_too() {
    // Arrange: ten logins, one wrong guess each, from one address
    let app = spawn_app().await;
    for n in 0..10 {
        let failed = sign_in(&app, &format!("guess{n}@demo.shop"), "password1234").await;
        assert_eq!(failed.status(), 401, "guess {n}");
    }

    // Act
    let throttled = sign_in(&app, "guess10@demo.shop", "password1234").await;

    // Assert
    assert_eq!(throttled.status(), 429);
    assert!(throttled.headers().get("retry-after").is_some());
}

#[tokio::test]
async fn signing_in_sets_a_strict_http_only_cookie_and_me_names_the_operator() {
    // Arrange
    let app = spawn_app().await;

    // Act: the login in another case than the config's
    let response = sign_in(&app, " Operator@Demo.Shop ", OPERATOR_PASSWORD).await;

    // Assert: the cookie
    assert_eq!(response.status(), 200);
    let cookie = set_cookie(&response);
    for part in ["HttpOnly", "SameSite=Strict", "Path=/inbox"] {
        assert!(cookie.contains(part), "{part} missing from {cookie}");
    }
    assert!(
        !cookie.contains("Secure"),
        "plain http on loopback: {cookie}"
    );
    let id = cookie
        .split(';')
        .next()
        .unwrap()
        .strip_prefix("ferry_session=")
        .unwrap()
        .to_owned();
    assert_eq!(id.len(), 43, "32 random bytes, base64url");
    assert_eq!(app.count_rows("operator_sessions").await, 1);
    let stored_ids = app
        .count_rows(&format!("operator_sessions WHERE id_hash = '{id}'"))
        .await;
    assert_eq!(stored_ids, 0, "the id itself is never stored");

    // Assert: who is signed in, uncached
    let operator = Operator {
        cookie: format!("ferry_session={id}"),
        csrf: String::new(),
        me: Value::Null,
    };
    let me = operator.get(&app, "/inbox/api/me").await;
    assert_eq!(me.status(), 200);
    assert_eq!(header_of(&me, "cache-control"), "no-store");
    assert!(me.headers().get("content-security-policy").is_some());
    let me: Value = me.json().await.unwrap();
    assert_eq!(me["login"], OPERATOR_LOGIN);
    assert_eq!(me["name"], "Dana");
    assert_eq!(
        me["sites"],
        serde_json::json!([{ "id": "demo", "name": "Northwind Coffee" }])
    );
    assert_eq!(me["csrf"].as_str().unwrap().len(), 43);
    let page = operator.get(&app, "/inbox/").await;
    assert_eq!(page.status(), 200, "the inbox page, signed in");
}

#[tokio::test]
async fn a_post_without_the_csrf_token_or_from_another_origin_is_403_and_changes_nothing() {
    // Arrange
    let app = spawn_app().await;
    let operator = sign_in_demo_operator(&app).await;
    let before = app.snapshot().await;
    let logout = || operator.bare(&app, Method::POST, "/inbox/api/logout");

    // Act
    let refused = [
        ("no token", logout().header(header::ORIGIN, app.origin())),
        (
            "a wrong token",
            logout()
                .header(header::ORIGIN, app.origin())
                .header("X-CSRF-Token", "A".repeat(43)),
        ),
        (
            "another origin",
            logout()
                .header(header::ORIGIN, "https://evil.example")
                .header("X-CSRF-Token", &operator.csrf),
        ),
        (
            "no origin at all",
            logout().header("X-CSRF-Token", &operator.csrf),
        ),
        (
            "another site's page",
            logout()
                .header(header::REFERER, "https://evil.example/inbox/")
                .header("X-CSRF-Token", &operator.csrf),
        ),
    ];
    let mut answers = Vec::new();
    for (what, request) in refused {
        answers.push((what, request.send().await.unwrap()));
    }

    // Assert: each refused, nothing changed, the session still works
    for (what, response) in answers {
        let (status, error) = error_of(response).await;
        assert_eq!(status, 403, "{what}");
        assert_eq!(error["code"], "csrf_failed", "{what}");
    }
    assert_eq!(app.snapshot().await, before);
    assert_eq!(operator.get(&app, "/inbox/api/me").await.status(), 200);
}

#[tokio::test]
async fn closing_or_answering_a_conversation_from_another_site_is_403_and_changes_nothing() {
    // Arrange: a visitor's conversation, listed for the signed-in operator
    let app = spawn_app().await;
    let started: Value = app
        .widget_post(
            "conversations",
            &serde_json::json!({ "visit": { "page_url": "https://shop.example/p/beans",
                "placement": "floating" } }),
        )
        .await
        .json()
        .await
        .unwrap();
    let written = app
        .client
        .post(format!(
            "{}/api/widget/demo/conversation/messages",
            app.address
        ))
        .header("Origin", app.origin())
        .header("X-Ferry-Conversation", started["token"].as_str().unwrap())
        .json(&serde_json::json!({ "text": "Hello?", "client_key": "first" }))
        .send()
        .await
        .unwrap();
    assert_eq!(written.status(), 201);
    let operator = sign_in_demo_operator(&app).await;
    let list: Value = operator
        .get(&app, "/inbox/api/conversations")
        .await
        .json()
        .await
        .unwrap();
    let id = &list["conversations"][0]["id"];
    let path = format!("/inbox/api/conversations/demo/{id}");
    let before = app.snapshot().await;

    // Act: a forged form post (no token), and a page of another site (its origin) replying
    let close = operator
        .bare(&app, Method::POST, &format!("{path}/close"))
        .header(header::ORIGIN, app.origin())
        .send()
        .await
        .unwrap();
    let reply = operator
        .bare(&app, Method::POST, &format!("{path}/messages"))
        .header(header::ORIGIN, "https://evil.example")
        .header("X-CSRF-Token", &operator.csrf)
        .json(&serde_json::json!({ "text": "Send me your card number", "client_key": "evil" }))
        .send()
        .await
        .unwrap();

    // Assert
    for response in [close, reply] {
        let (status, error) = error_of(response).await;
        assert_eq!(status, 403);
        assert_eq!(error["code"], "csrf_failed");
    }
    assert_eq!(app.snapshot().await, before);
    let shown: Value = operator.get(&app, &path).await.json().await.unwrap();
    assert_eq!(shown["conversation"]["status"], "open");
    assert_eq!(shown["messages"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn signing_out_ends_the_session_and_clears_the_cookie() {
    // Arrange
    let app = spawn_app().await;
    let operator = sign_in_demo_operator(&app).await;

    // Act: from the inbox page, which names itself by Referer only
    let response = operator
        .bare(&app, Method::POST, "/inbox/api/logout")
        .header("X-CSRF-Token", &operator.csrf)
        .header(header::REFERER, format!("{}/inbox/", app.address))
        .send()
        .await
        .unwrap();

    // Assert
    assert_eq!(response.status(), 204);
    assert!(set_cookie(&response).starts_with("ferry_session=; Max-Age=0"));
    let (status, error) = error_of(operator.get(&app, "/inbox/api/me").await).await;
    assert_eq!(
        (status.as_u16(), error["code"].as_str()),
        (401, Some("not_signed_in"))
    );
    assert_eq!(app.count_rows("operator_sessions").await, 0);
}

#[tokio::test]
async fn a_session_ends_after_twelve_idle_hours() {
    // Arrange
    let app = spawn_app().await;
    let operator = sign_in_demo_operator(&app).await;

    // Act + Assert: used every eleven hours it lasts; left alone for thirteen it ends
    app.clock.advance_secs(11 * HOUR);
    assert_eq!(operator.get(&app, "/inbox/api/me").await.status(), 200);
    app.clock.advance_secs(11 * HOUR);
    assert_eq!(operator.get(&app, "/inbox/api/me").await.status(), 200);
    app.clock.advance_secs(13 * HOUR);
    let (status, error) = error_of(operator.get(&app, "/inbox/api/me").await).await;
    assert_eq!(status, 401);
    assert_eq!(error["code"], "not_signed_in");
}

#[tokio::test]
async fn a_session_ends_a_week_after_sign_in_however_much_it_is_used() {
    // Arrange
    let app = spawn_app().await;
    let operator = sign_in_demo_operator(&app).await;

    // Act: used every ten hours for a week
    let mut used = 0;
    while used + 10 < 7 * 24 {
        app.clock.advance_secs(10 * HOUR);
        used += 10;
        assert_eq!(
            operator.get(&app, "/inbox/api/me").await.status(),
            200,
            "{used} hours in"
        );
    }
    app.clock.advance_secs((7 * 24 - used) * HOUR);

    // Assert
    assert_eq!(operator.get(&app, "/inbox/api/me").await.status(), 401);
}

#[tokio::test]
async fn an_operator_removed_from_the_config_is_out_at_their_next_request() {
    // Arrange: signed in, then the relay restarts without them in its config
    let app = spawn_app().await;
    let operator = sign_in_demo_operator(&app).await;
    let app = app
        .restart_with(|settings| settings.operators.clear())
        .await;

    // Act
    let response = operator.get(&app, "/inbox/api/me").await;

    // Assert
    let (status, error) = error_of(response).await;
    assert_eq!(status, 401);
    assert_eq!(error["code"], "not_signed_in");
    assert_eq!(
        app.count_rows("operator_sessions").await,
        0,
        "ended for good"
    );
}
