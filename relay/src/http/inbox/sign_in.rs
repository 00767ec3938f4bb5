//! Signing in and out of the inbox, and who is signed in.
//!
//! A wrong password and an unknown login get the same answer, 401 `invalid_credentials`, after
//! the same work: an unknown login's password is checked against a hash nobody's password
//! matches (`passwords::verify(_, None)`), so neither the answer nor its time tells which
//! logins exist. Checks run on the blocking pool, since Argon2id would hold an async worker
//! thread for tens of milliseconds.

use std::net::IpAddr;

use axum::{
    Json,
    extract::{FromRequest, Request, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};

use super::session::{self, OperatorSession};
use crate::config::OperatorSettings;
use crate::error::{ApiError, ApiResult};
use crate::http::{AppState, extract::AppJson};
use crate::{passwords, sessions};

/// Body of `POST /inbox/api/login`.
#[derive(Deserialize)]
struct Credentials {
    login: String,
    password: String,
}

/// Answer of `GET /inbox/api/me` and of a successful sign-in.
#[derive(Debug, Serialize)]
pub(super) struct Me {
    login: String,
    name: String,
    sites: Vec<SiteName>,
    /// What state-changing requests repeat in `X-CSRF-Token`.
    csrf: String,
}

/// A site an operator serves.
#[derive(Debug, Serialize)]
struct SiteName {
    id: String,
    name: String,
}

impl Me {
    /// The operator `login` called `name`, serving `sites` (named as the config names them).
    fn new(state: &AppState, login: &str, name: &str, sites: &[String], csrf: String) -> Self {
        let sites = sites
            .iter()
            .map(|id| SiteName {
                id: id.clone(),
                name: state
                    .settings
                    .site(id)
                    .map_or_else(|| id.clone(), |site| site.name.clone()),
            })
            .collect();
        Self {
            login: login.to_owned(),
            name: name.to_owned(),
            sites,
            csrf,
        }
    }
}

fn invalid_credentials() -> ApiError {
    ApiError::unauthorized(
        "invalid_credentials",
        "the login or the password is not right",
    )
}

/// `POST /inbox/api/login`: checks the credentials, opens a session and sets its cookie.
pub(super) async fn login(State(state): State<AppState>, request: Request) -> Response {
    sign_in(state, request)
        .await
        .unwrap_or_else(|refusal| refusal)
}

async fn sign_in(state: AppState, request: Request) -> Result<Response, Response> {
    let address = state.inbox.throttle.client_address(&request);
    let AppJson(credentials) = AppJson::<Credentials>::from_request(request, &state)
        .await
        .map_err(IntoResponse::into_response)?;
    let operator = authenticate(&state, address, credentials).await?;
    let (id, session) = sessions::open(state.store.as_ref(), &operator.login, state.clock.now())
        .await
        .map_err(|error| ApiError::from(error).into_response())?;
    tracing::info!(login = %operator.login, "inbox: operator signed in");
    let me = Me::new(
        &state,
        &operator.login,
        &operator.name,
        &operator.sites,
        session.csrf_token,
    );
    let mut response = Json(me).into_response();
    let secure = state.inbox.origins.secure_cookie();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session::cookie(&id, secure));
    Ok(response)
}

/// The operator the credentials are, or the answer that refuses them: 401, or 429 for an
/// address or login that failed too often (checked again once it is this request's turn to
/// check a password, since others may have failed meanwhile).
async fn authenticate(
    state: &AppState,
    address: Option<IpAddr>,
    credentials: Credentials,
) -> Result<&OperatorSettings, Response> {
    let throttle = &state.inbox.throttle;
    let login = credentials.login.trim();
    if let Some(refusal) = throttle.refusal(address, login) {
        return Err(refusal);
    }
    let turn = throttle.turn_to_check().await;
    if let Some(refusal) = throttle.refusal(address, login) {
        return Err(refusal);
    }
    let operator = state
        .settings
        .operators
        .iter()
        .find(|operator| operator.login.eq_ignore_ascii_case(login));
    let hash = operator.map(|operator| operator.password_hash.expose().to_owned());
    let password = credentials.password;
    let matches =
        tokio::task::spawn_blocking(move || passwords::verify(&password, hash.as_deref()))
            .await
            .unwrap_or(false);
    drop(turn);
    match operator.filter(|_| matches) {
        Some(operator) => Ok(operator),
        None => Err(throttle
            .fail(address, login)
            .unwrap_or_else(|| invalid_credentials().into_response())),
    }
}

/// `POST /inbox/api/logout`: ends the session and clears its cookie.
pub(super) async fn logout(
    State(state): State<AppState>,
    operator: OperatorSession,
) -> ApiResult<Response> {
    state.store.delete_session(&operator.id_hash).await?;
    let secure = state.inbox.origins.secure_cookie();
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session::cleared_cookie(secure));
    Ok(response)
}

/// `GET /inbox/api/me`: the signed-in operator, their sites, and the session's CSRF token.
pub(super) async fn me(State(state): State<AppState>, operator: OperatorSession) -> Json<Me> {
    Json(Me::new(
        &state,
        &operator.login,
        &operator.name,
        &operator.sites,
        operator.csrf,
    ))
}
