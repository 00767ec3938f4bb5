//! Building and running the application: the function tests call.
//!
//! `Application::build` takes settings and an already bound listener (tests bind port 0);
//! `serve` runs the HTTP server until the shutdown future completes; the worker is a separate
//! handle so tests can drive it a step at a time. `run` is what `ferry serve` does: the server,
//! the worker's three loops and the store's background task under one supervisor — if any of
//! them stops on its own, the others are stopped and `run` returns the reason, so the process
//! exits non-zero and its supervisor (systemd, the orchestrator) restarts it.

use std::{net::SocketAddr, path::PathBuf, sync::Arc};

use anyhow::Context;
use tokio::{net::TcpListener, task::JoinSet};

use crate::channels::Platforms;
use crate::clock::{SharedClock, SystemClock};
use crate::config::Settings;
use crate::health::Health;
use crate::http::{AppState, router};
use crate::sandbox::{self, Sandbox};
use crate::store::{self, WorkSignals};
use crate::worker::{Shutdown, Worker};

/// A built relay, bound to its listener, not yet serving.
pub struct Application {
    listener: TcpListener,
    state: AppState,
    worker: Worker,
}

impl Application {
    /// Opens the store (migrating it), prepares the platforms and the sandbox, binds nothing new.
    pub async fn build(settings: Settings, listener: TcpListener) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, listener, Arc::new(SystemClock)).await
    }

    /// `build`, with the clock every time decision reads (tests move it forward).
    pub async fn build_with_clock(
        mut settings: Settings,
        listener: TcpListener,
        clock: SharedClock,
    ) -> anyhow::Result<Self> {
        let address = listener
            .local_addr()
            .context("reading the listener's address")?;
        let public_url = settings
            .server
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{address}"))
            .trim_end_matches('/')
            .to_owned();
        if settings.server.sandbox {
            tracing::warn!(
                "sandbox mode: platform calls go to local stand-ins and /sandbox signs demo customer tokens; never let real traffic reach this relay"
            );
            let (telegram, graph) = sandbox::platform_urls(&public_url);
            settings.platforms.telegram_api = telegram;
            settings.platforms.graph_api = graph;
        }
        crate::metrics::init();
        let settings = Arc::new(settings);
        let signals = WorkSignals::default();
        let store = store::connect(&settings.server.database_url, signals.clone())
            .await
            .with_context(|| {
                format!(
                    "opening the database {}",
                    redact_url(&settings.server.database_url)
                )
            })?;
        let platforms =
            Platforms::new(settings.platforms.clone()).context("building the HTTP client")?;
        let sandbox = settings.server.sandbox.then(|| {
            let http = reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .unwrap_or_default();
            Arc::new(Sandbox::new(settings.clone(), public_url.clone(), http))
        });
        let health = Health::default();
        let api_keys = settings
            .sites
            .iter()
            .filter_map(|site| Some((site.id.clone(), site.api_key_hash()?)))
            .collect();
        let static_dir = settings
            .server
            .static_dir
            .clone()
            .unwrap_or_else(default_static_dir);
        let verifier = crate::identity::Verifier::new(platforms.http_client());
        let settings_for_limits = settings.clone();
        let changes = signals.conversations.clone();
        let inbox = crate::http::inbox::InboxState::new(
            &public_url,
            settings.server.client_ip_header.as_deref(),
        );
        let worker = Worker::new(
            store.clone(),
            settings.clone(),
            platforms,
            clock.clone(),
            signals,
            health.clone(),
        );
        let state = AppState {
            settings,
            store,
            public_url: public_url.into(),
            clock,
            health,
            sandbox,
            static_dir: Arc::new(static_dir),
            api_keys: Arc::new(api_keys),
            verifier,
            widget_limiter: crate::http::rate_limit::WidgetLimiter::new(
                settings_for_limits.server.widget_rate_limit_per_minute,
                settings_for_limits.server.client_ip_header.as_deref(),
            ),
            changes,
            closing: tokio_util::sync::CancellationToken::new(),
            inbox,
        };
        Ok(Self {
            listener,
            state,
            worker,
        })
    }

    /// The address the listener is bound to.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)))
    }

    /// Shared state (tests read the store and the sandbox through it).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// A handle to the worker.
    pub fn worker(&self) -> Worker {
        self.worker.clone()
    }

    /// Serves HTTP until `shutdown` completes; the worker is not run (see `run`).
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let limits = crate::http::server::Limits::from(&self.state.settings.server);
        let closing = self.state.closing.clone();
        let shutdown = async move {
            shutdown.await;
            closing.cancel();
        };
        // Connection info gives the rate limiter the client's address.
        let app = router(self.state).into_make_service_with_connect_info::<SocketAddr>();
        crate::http::server::serve(self.listener, app, limits, shutdown).await
    }

    /// Serves HTTP and runs the worker until `shutdown` completes, under one supervisor: if
    /// any part stops on its own, everything is stopped and the reason returned.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let stop = Shutdown::new();
        let health = self.state.health.clone();
        let store = self.state.store.clone();
        let worker = self.worker.clone();
        tracing::info!(owner = worker.owner(), "worker started");
        let mut parts: JoinSet<(&'static str, Result<(), String>)> = JoinSet::new();
        let server_stop = stop.clone();
        parts.spawn(async move {
            let served = self.serve(server_stop.cancelled_owned()).await;
            ("HTTP server", served.map_err(|e| e.to_string()))
        });
        parts.spawn(part(
            "inbound worker",
            worker.clone().run_inbound(stop.clone()),
        ));
        parts.spawn(part(
            "delivery worker",
            worker.clone().run_outbound(stop.clone()),
        ));
        parts.spawn(part(
            "merchant webhook worker",
            worker.run_webhooks(stop.clone()),
        ));
        tokio::pin!(shutdown);
        let failure = tokio::select! {
            () = &mut shutdown => None,
            error = store.stopped() => Some(("database".to_owned(), error.to_string())),
            Some(joined) = parts.join_next() => Some(match joined {
                Ok((name, Ok(()))) => (name.to_owned(), "stopped unexpectedly".to_owned()),
                Ok((name, Err(error))) => (name.to_owned(), error),
                Err(error) => ("a relay task".to_owned(), format!("panicked: {error}")),
            }),
        };
        if let Some((part, error)) = &failure {
            tracing::error!(part = %part, %error, "stopping the relay");
            health.failing("relay", format!("{part}: {error}"));
        }
        // Stop the rest between units of work; deliveries in flight are awaited and recorded.
        stop.cancel();
        while let Some(joined) = parts.join_next().await {
            if let Ok((name, Err(error))) = joined {
                tracing::warn!(part = name, %error, "stopped with an error");
            }
        }
        match failure {
            None => Ok(()),
            Some((part, error)) => Err(anyhow::anyhow!("the {part} stopped: {error}")),
        }
    }
}

/// A supervised part's result, named.
async fn part<E: std::fmt::Display>(
    name: &'static str,
    run: impl Future<Output = Result<(), E>>,
) -> (&'static str, Result<(), String>) {
    (name, run.await.map_err(|e| e.to_string()))
}

/// The repository's `static/` folder, for running from a checkout.
fn default_static_dir() -> PathBuf {
    let beside_cwd = PathBuf::from("static");
    if beside_cwd.join("demo").is_dir() {
        return beside_cwd;
    }
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../static"))
}

/// A database URL with any password hidden, for error messages.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}
