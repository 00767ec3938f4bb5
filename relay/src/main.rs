//! The `ferry` binary: parses the command line and hands over to the library.

use std::{io::IsTerminal, net::SocketAddr, path::Path, process::ExitCode};

use anyhow::Context;
use clap::Parser;
use ferry_relay::{
    cli::{Cli, Command},
    config::{self, Settings},
    demo::{self, DemoData},
    passwords,
    startup::Application,
    store, telemetry,
};
use tokio::net::TcpListener;

// The relay allocates a little for every request (JSON, headers, rows); glibc's allocator spent
// about a sixth of the ingest path's CPU time, mimalloc a fraction of that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    telemetry::init();
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // One line with the whole cause chain: what an operator needs, without a backtrace.
            eprintln!("error: {}", one_line(&error));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes joined with `: `, leaving out a cause whose text the error before it
/// already ends with (database errors repeat their source in their own message).
fn one_line(error: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if !line.ends_with(&text) {
            if !line.is_empty() {
                line.push_str(": ");
            }
            line.push_str(&text);
        }
    }
    line
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
            let listener = bind(settings.server.listen).await?;
            serve(settings, listener, None).await
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
                let channels: Vec<&str> = site.channels().map(|kind| kind.as_str()).collect();
                println!(
                    "  {} ({}): {}; origins {:?}",
                    site.id,
                    site.name,
                    channels.join(", "),
                    site.allowed_origins
                );
            }
            for operator in &settings.operators {
                println!(
                    "  operator {} ({}): sites {}",
                    operator.login,
                    operator.name,
                    operator.sites.join(", ")
                );
            }
            Ok(())
        }
        Command::DefaultConfig => {
            print!("{}", config::EXAMPLE);
            Ok(())
        }
        Command::HashPassword => {
            let password = read_password()?;
            let hash = passwords::hash(&password)
                .map_err(|error| anyhow::anyhow!("the password {error}"))?;
            println!("{hash}");
            Ok(())
        }
        Command::Demo {
            listen,
            data_dir,
            database_url,
        } => {
            let data = match database_url {
                Some(url) => DemoData::Database(url),
                None => DemoData::Folder(data_dir.unwrap_or_else(demo::default_data_dir)),
            };
            // Bound first, so the demo's origins name the port it really got.
            let listener = bind(listen).await?;
            let address = listener
                .local_addr()
                .context("reading the listener's address")?;
            let settings = demo::settings(&data, address)?;
            serve(settings, listener, Some(&data)).await
        }
    }
}

/// The password to hash: typed twice without echo on a terminal, else one line of stdin (so
/// scripts can pipe it in; it never appears in the process list or the shell history).
fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let password = rpassword::prompt_password("Password: ").context("reading the password")?;
        let again = rpassword::prompt_password("Again: ").context("reading the password")?;
        anyhow::ensure!(password == again, "the two passwords differ");
        return Ok(password);
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

fn load(path: &Path) -> anyhow::Result<Settings> {
    Settings::load(path).with_context(|| format!("invalid config {}", path.display()))
}

async fn bind(listen: SocketAddr) -> anyhow::Result<TcpListener> {
    TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))
}

/// Runs the relay; `demo_data` is where the demo keeps its data, for its banner.
async fn serve(
    settings: Settings,
    listener: TcpListener,
    demo_data: Option<&DemoData>,
) -> anyhow::Result<()> {
    let app = Application::build(settings, listener).await?;
    let url = app.state().public_url.clone();
    tracing::info!("ferry relay listening on {url}");
    if app.state().sandbox.is_some() {
        print_demo_banner(&url, &app.state().static_dir, demo_data);
    }
    app.run(shutdown_signal()).await.context("serving")
}

fn print_demo_banner(url: &str, static_dir: &Path, demo_data: Option<&DemoData>) {
    println!("\n  Ferry demo is running (sandbox mode).");
    println!("  Open the demo shop:   {url}/demo/");
    println!(
        "  Operator inbox:       {url}/inbox/  (sign in as {} with the password {})",
        demo::OPERATOR_LOGIN,
        demo::OPERATOR_PASSWORD
    );
    println!(
        "  Merchant API:         curl -H 'Authorization: Bearer demo-api-key-0123456789' {url}/v1/subscribers"
    );
    if let Some(data) = demo_data {
        println!("  Demo data:            {}", data.describe());
    }
    if !static_dir.join("demo").is_dir() {
        println!(
            "  The demo pages are not in {}: the demo needs a Ferry checkout's static/ folder.",
            static_dir.display()
        );
    } else if !static_dir.join("widget/widget.js").is_file() {
        println!(
            "  The widget is not built: run `bash widget/build.sh` in the checkout, then reload."
        );
    }
    println!();
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
