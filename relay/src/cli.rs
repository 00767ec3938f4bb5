//! The `ferry` command line: serve, migrate, check a config, print the default config, hash an
//! operator's password, demo.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Ferry relay: turns website visitors into messenger subscribers.
#[derive(Debug, Parser)]
#[command(name = "ferry", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the relay.
    Serve {
        /// Config file.
        #[arg(long, short, env = "FERRY_CONFIG", default_value = "ferry.toml")]
        config: PathBuf,
        /// Overrides `server.listen`.
        #[arg(long, env = "FERRY_LISTEN")]
        listen: Option<std::net::SocketAddr>,
        /// Overrides `server.database_url`.
        #[arg(long, env = "FERRY_DATABASE_URL")]
        database_url: Option<String>,
    },
    /// Create or upgrade the database schema, then exit.
    Migrate {
        /// Config file (for `server.database_url`).
        #[arg(long, short, env = "FERRY_CONFIG", default_value = "ferry.toml")]
        config: PathBuf,
        /// Overrides `server.database_url`.
        #[arg(long, env = "FERRY_DATABASE_URL")]
        database_url: Option<String>,
    },
    /// Check a config file and print what it declares (secrets redacted).
    CheckConfig {
        /// Config file.
        #[arg(long, short, env = "FERRY_CONFIG", default_value = "ferry.toml")]
        config: PathBuf,
    },
    /// Print a commented default config file.
    DefaultConfig,
    /// Hash an operator's password for `[[operators]]` (`password_hash`): asks twice on a
    /// terminal, or reads one line from standard input.
    HashPassword,
    /// Start the demo: the demo shop on a relay in sandbox mode, with SQLite.
    Demo {
        /// Where to listen (port 0 picks a free one).
        #[arg(long, env = "FERRY_LISTEN", default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// Folder for the demo's database, created if missing [default: `ferry-demo` in the
        /// user's data folder, e.g. ~/.local/share/ferry-demo].
        #[arg(long, env = "FERRY_DEMO_DATA_DIR", conflicts_with = "database_url")]
        data_dir: Option<PathBuf>,
        /// Keep the demo's data in this database instead (`postgres://…`, created beforehand,
        /// or `sqlite://…`), to try the demo on PostgreSQL.
        #[arg(long, env = "FERRY_DATABASE_URL")]
        database_url: Option<String>,
    },
}
