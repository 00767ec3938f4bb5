//! Signing in to the operator inbox from tests, as the inbox's own page would: JSON to
//! `/inbox/api/login`, then the session cookie and the CSRF token on what follows.

use ferry_relay::demo::{OPERATOR_LOGIN, OPERATOR_PASSWORD};
use reqwest::{Method, RequestBuilder, Response, header};
use serde_json::{Value, json};

use crate::TestApp;

/// A signed-in operator's credentials for the requests that follow.
#[derive(Debug, Clone)]
pub struct Operator {
    /// `ferry_session=<id>`, for the `Cookie` header.
    pub cookie: String,
    /// The session's CSRF token, for `X-CSRF-Token`.
    pub csrf: String,
    /// What the sign-in answered.
    pub me: Value,
}

/// A client that shows redirects instead of following them, and keeps no cookies of its own.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .expect("client")
}

/// `POST /inbox/api/login` from the relay's own page.
pub async fn sign_in(app: &TestApp, login: &str, password: &str) -> Response {
    client()
        .post(format!("{}/inbox/api/login", app.address))
        .header(header::ORIGIN, app.origin())
        .json(&json!({ "login": login, "password": password }))
        .send()
        .await
        .expect("request")
}

/// Signs the demo operator in, failing the test if that does not work.
pub async fn sign_in_demo_operator(app: &TestApp) -> Operator {
    let response = sign_in(app, OPERATOR_LOGIN, OPERATOR_PASSWORD).await;
    assert_eq!(response.status(), 200, "the demo operator signs in");
    let cookie = set_cookie(&response)
        .split(';')
        .next()
        .expect("a cookie")
        .to_owned();
    let me: Value = response.json().await.expect("json");
    Operator {
        cookie,
        csrf: me["csrf"].as_str().expect("a CSRF token").to_owned(),
        me,
    }
}

/// The response's `Set-Cookie` (fails the test without one).
pub fn set_cookie(response: &Response) -> String {
    response
        .headers()
        .get(header::SET_COOKIE)
        .expect("Set-Cookie")
        .to_str()
        .expect("text")
        .to_owned()
}

impl Operator {
    /// A request to `path` with the session cookie only.
    pub fn bare(&self, app: &TestApp, method: Method, path: &str) -> RequestBuilder {
        client()
            .request(method, format!("{}{path}", app.address))
            .header(header::COOKIE, &self.cookie)
    }

    /// A request to `path` as the inbox page sends it: cookie, CSRF token, own origin.
    pub fn request(&self, app: &TestApp, method: Method, path: &str) -> RequestBuilder {
        self.bare(app, method, path)
            .header("X-CSRF-Token", &self.csrf)
            .header(header::ORIGIN, app.origin())
    }

    /// `GET path` as the inbox page sends it.
    pub async fn get(&self, app: &TestApp, path: &str) -> Response {
        self.request(app, Method::GET, path)
            .send()
            .await
            .expect("request")
    }
}

/// Signs the demo operator in on the inbox's sign-in page of a real browser.
pub async fn sign_in_in_browser(browser: &crate::browser::Browser, app: &TestApp) {
    browser.goto(&format!("{}/inbox/login", app.address)).await;
    browser.type_into("#login", OPERATOR_LOGIN).await;
    browser.type_into("#password", OPERATOR_PASSWORD).await;
    browser.click("[data-testid=inbox-sign-in]").await;
    browser
        .wait_for("the inbox", "location.pathname === '/inbox/'")
        .await;
}

/// A JavaScript test: whether the inbox's open thread shows `text`.
pub fn thread_shows(text: &str) -> String {
    format!(
        "[...document.querySelectorAll('[data-testid=inbox-messages] li')]\
         .some(li => li.textContent.includes({}))",
        serde_json::Value::from(text)
    )
}
