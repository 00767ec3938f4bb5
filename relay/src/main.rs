//! The `ferry` binary: parses the command line and hands over to the library.

use std::{path::Path, process::ExitCode};

use anyhow::Context;
use clap::Parser;
use ferry_relay::{
    cli::{Cli, Command},
    config::{self, Settings},
    startup::Application,
    store, telemetry,
};
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> ExitCode {
    telemetry::init();
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // One line with the whole cause chain: what an operator needs, without a backtrace.
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve {
            config,
            listen,
            database_url,
        } => {
            let mut settings = load(&config)?;
            if let Some(listen) = listen {
                settings.server.listen = listen;
            }
            if let Some(url) = database_url {
                settings.server.database_url = url;
            }
            serve(settings).await
        }
        Command::Migrate {
            config,
            database_url,
        } => {
            let url = match database_url {
                Some(url) => url,
                None => load(&config)?.server.database_url,
            };
            store::migrate(&url)
                .await
                .context("migrating the database")?;
            println!("database is up to date");
            Ok(())
        }
        Command::CheckConfig { config } => {
            let settings = load(&config)?;
            println!(
                "{} is valid: {} site(s)",
                config.display(),
                settings.sites.len()
            );
            for site in &settings.sites {
                let channels: Vec<&str> = [
                    site.telegram.is_some().then_some("telegram"),
                    site.whatsapp.is_some().then_some("whatsapp"),
                    site.messenger.is_some().then_some("messenger"),
                ]
                .into_iter()
                .flatten()
                .collect();
                println!(
                    "  {} ({}): {}; origins {:?}",
                    site.id,
                    site.name,
                    channels.join(", "),
                    site.allowed_origins
                );
            }
            Ok(())
        }
        Command::DefaultConfig => {
            print!("{}", config::EXAMPLE);
            Ok(())
        }
        Command::Demo { listen } => {
            let mut settings = Settings::parse(include_str!("../demo.toml"))
                .context("the built-in demo config")?;
            settings.server.listen = listen;
            let origins = [
                format!("http://127.0.0.1:{}", listen.port()),
                format!("http://localhost:{}", listen.port()),
            ];
            for site in &mut settings.sites {
                site.allowed_origins.extend(origins.iter().cloned());
                if let Some(identity) = &mut site.identity {
                    identity.login_url = Some(format!("{}/demo/link.html", origins[0]));
                }
            }
            serve(settings).await
        }
    }
}

fn load(path: &Path) -> anyhow::Result<Settings> {
    Settings::load(path).with_context(|| format!("invalid config {}", path.display()))
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let listen = settings.server.listen;
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let app = Application::build(settings, listener).await?;
    let url = app.state().public_url.clone();
    tracing::info!("ferry relay listening on {url}");
    if app.state().sandbox.is_some() {
        println!(
            "\n  Ferry demo is running (sandbox mode).\n  Open the demo shop:   {url}/demo/\n  Merchant API:         curl -H 'Authorization: Bearer demo-api-key-0123456789' {url}/v1/subscribers\n"
        );
    }
    app.run(shutdown_signal()).await.context("serving")
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
