//! The HTTP server loop: accepting connections and serving the router on each, within limits
//! that keep slow, idle or numerous clients from holding the relay's connections. Routing,
//! and what a request may contain, are the router's business.
//!
//! `axum::serve` has no timeouts: a client trickling a request one byte at a time (slowloris)
//! could keep its connection for as long as it liked, bounded only by the open-files limit.
//! Here hyper serves each connection directly:
//! - a request's headers must arrive within `header_read_timeout` (hyper's HTTP/1 timer, which
//!   runs from when the connection is ready for a request: opened, or the last response sent);
//! - a connection with no request in progress for `idle_timeout` is asked to close (`activity`);
//! - a request body must arrive in full within `request_body_timeout` of its headers
//!   (`body_deadline`; the extractors answer 408);
//! - at most `max_connections` are served at once. At the limit the loop stops accepting, so
//!   new connections wait in the kernel's listen queue, which costs the process nothing, and
//!   are served as soon as a slot frees, which the timeouts above make a matter of seconds.
//!   Closing them instead would turn a burst of real visitors or platform retries into errors,
//!   and would gain nothing against a flood, whose connections would still take the slots.
//!
//! A connection asked to close (idle, or the server shutting down) finishes the request it is
//! on; one still open `CLOSE_GRACE` later (a client not reading its response) is dropped.
//! Shutting down stops accepting, asks every connection to close, and waits for them.

mod activity;
mod body_deadline;

use std::{convert::Infallible, future::Future, io, net::SocketAddr, pin::pin, time::Duration};

use axum::{Router, extract::connect_info::IntoMakeServiceWithConnectInfo, http::Request};
use hyper::body::Incoming;
use hyper_util::{
    rt::{TokioExecutor, TokioIo, TokioTimer},
    server::conn::auto,
};
use tokio::{
    net::{TcpListener, TcpStream},
    sync::{OwnedSemaphorePermit, Semaphore, watch},
};
use tower::{Service, ServiceExt};

use crate::config::ServerSettings;
use activity::Activity;
pub use body_deadline::BodyTimedOut;
use body_deadline::DeadlineBody;

/// How long a connection asked to close may take to finish before it is dropped.
const CLOSE_GRACE: Duration = Duration::from_secs(30);

/// What one client may hold of the server (see the module documentation).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Time to send a request's headers, from when the connection is ready for them.
    pub header_read_timeout: Duration,
    /// Time a connection may stay open with no request in progress.
    pub idle_timeout: Duration,
    /// Time a request body may take to arrive, from the end of its headers.
    pub request_body_timeout: Duration,
    /// Connections served at once.
    pub max_connections: u32,
}

impl From<&ServerSettings> for Limits {
    fn from(server: &ServerSettings) -> Self {
        Self {
            header_read_timeout: Duration::from_secs(server.header_read_timeout_secs),
            idle_timeout: Duration::from_secs(server.idle_timeout_secs),
            request_body_timeout: Duration::from_secs(server.request_body_timeout_secs),
            max_connections: server.max_connections,
        }
    }
}

/// The router, giving each request its client's address (`ConnectInfo<SocketAddr>`).
pub type App = IntoMakeServiceWithConnectInfo<Router, SocketAddr>;

/// The router with one client's address attached.
type ConnectionApp = <App as Service<SocketAddr>>::Response;

/// Serves `app` on `listener` within `limits` until `shutdown` completes, then waits for the
/// open connections to finish.
pub async fn serve(
    listener: TcpListener,
    mut app: App,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send,
) -> io::Result<()> {
    let slots = std::sync::Arc::new(Semaphore::new(limits.max_connections as usize));
    let (stop, stopping) = watch::channel(false);
    let mut shutdown = pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot,
            () = &mut shutdown => break,
        };
        // The semaphore is never closed.
        let Ok(slot) = slot else { break };
        let (stream, peer) = tokio::select! {
            accepted = accept(&listener) => accepted,
            () = &mut shutdown => break,
        };
        let Ok(service) = ServiceExt::<SocketAddr>::oneshot(&mut app, peer).await;
        tokio::spawn(serve_connection(
            stream,
            peer,
            service,
            limits,
            stopping.clone(),
            slot,
        ));
    }
    let _ = stop.send(true);
    drop(listener);
    // Each connection holds a slot until it ends: all slots back means every connection ended.
    let _ = slots.acquire_many(limits.max_connections).await;
    Ok(())
}

/// The next connection. Errors that concern one connection are skipped; others (usually the
/// open-files limit) are retried after a pause rather than in a busy loop.
async fn accept(listener: &TcpListener) -> (TcpStream, SocketAddr) {
    loop {
        match listener.accept().await {
            Ok(accepted) => return accepted,
            Err(error) if is_connection_error(&error) => {}
            Err(error) => {
                tracing::error!(%error, "accepting a connection failed; retrying in a second");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

fn is_connection_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// Serves one connection (HTTP/1 or HTTP/2) until it ends, goes idle, or the server stops.
async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: ConnectionApp,
    limits: Limits,
    mut stopping: watch::Receiver<bool>,
    _slot: OwnedSemaphorePermit,
) {
    // Responses are small and written as soon as they are ready; waiting for the peer's
    // delayed ACK before sending them (Nagle) would add up to 40 ms to each one.
    let _ = stream.set_nodelay(true);
    let activity = Activity::default();
    let service = {
        let activity = activity.clone();
        hyper::service::service_fn(move |request: Request<Incoming>| {
            let in_progress = activity.begin();
            let request = request.map(|body| DeadlineBody::new(body, limits.request_body_timeout));
            let response = app.clone().oneshot(request);
            async move {
                let response: Result<_, Infallible> = response.await;
                drop(in_progress);
                response
            }
        })
    };
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let mut connection = pin!(builder.serve_connection(TokioIo::new(stream), service));
    let ended = tokio::select! {
        result = connection.as_mut() => Some(result),
        () = activity.idle_for(limits.idle_timeout) => None,
        _ = stopping.wait_for(|&stop| stop) => None,
    };
    let result = match ended {
        Some(result) => result,
        None => {
            connection.as_mut().graceful_shutdown();
            tokio::time::timeout(CLOSE_GRACE, connection.as_mut())
                .await
                .unwrap_or_else(|_| {
                    tracing::debug!(%peer, "dropping a connection that did not close in time");
                    Ok(())
                })
        }
    };
    if let Err(error) = result {
        // Header timeouts, resets and malformed requests end here; the client has gone.
        tracing::debug!(%peer, %error, "connection ended with an error");
    }
}
