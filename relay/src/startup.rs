//! Building and running the application: the function tests call.
//!
//! `Application::build` takes settings and an already bound listener (tests bind port 0);
//! `serve` runs the HTTP server until the shutdown future completes; the worker is a separate
//! handle so tests can drive it a step at a time while production runs it in the background.

use std::{net::SocketAddr, path::PathBuf, sync::Arc};

use anyhow::Context;
use tokio::{net::TcpListener, sync::Notify};

use crate::channels::Platforms;
use crate::config::Settings;
use crate::http::{AppState, router};
use crate::sandbox::{self, Sandbox};
use crate::store;
use crate::worker::Worker;

/// A built relay, bound to its listener, not yet serving.
pub struct Application {
    listener: TcpListener,
    state: AppState,
    worker: Worker,
}

impl Application {
    /// Opens the store (migrating it), prepares the platforms and the sandbox, binds nothing new.
    pub async fn build(mut settings: Settings, listener: TcpListener) -> anyhow::Result<Self> {
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
        let store = store::connect(&settings.server.database_url)
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
        let wake = Arc::new(Notify::new());
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
        let worker = Worker::new(store.clone(), settings.clone(), platforms, wake.clone());
        let state = AppState {
            settings,
            store,
            public_url: public_url.into(),
            wake,
            sandbox,
            static_dir: Arc::new(static_dir),
            api_keys: Arc::new(api_keys),
            verifier,
            widget_limiter: crate::http::rate_limit::WidgetLimiter::new(
                settings_for_limits.server.widget_rate_limit_per_minute,
                settings_for_limits.server.client_ip_header.as_deref(),
            ),
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
        // Connection info gives the rate limiter the client's address.
        let app = router(self.state).into_make_service_with_connect_info::<SocketAddr>();
        crate::http::server::serve(self.listener, app, limits, shutdown).await
    }

    /// Serves HTTP and runs the worker in the background until `shutdown` completes.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let (stop_worker, worker_stopped) = tokio::sync::oneshot::channel::<()>();
        let worker = tokio::spawn(self.worker.clone().run_until_stopped(async move {
            let _ = worker_stopped.await;
        }));
        let served = self.serve(shutdown).await;
        let _ = stop_worker.send(());
        let _ = worker.await;
        served
    }
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
