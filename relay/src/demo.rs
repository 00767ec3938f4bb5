//! `ferry demo`: the demo's settings and where it keeps its data (a folder of its own, so it
//! runs from any working directory, or a database it is given). Serving them is `main`'s
//! business, as for `ferry serve`.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
};

use anyhow::Context;

use crate::config::Settings;

/// The built-in demo configuration; its secrets are public on purpose.
const CONFIG: &str = include_str!("../demo.toml");

/// The demo operator's login (declared in `demo.toml`).
pub const OPERATOR_LOGIN: &str = "operator@demo.shop";
/// The demo operator's password: `demo.toml` holds only its hash, and the banner prints it.
pub const OPERATOR_PASSWORD: &str = "northwind-inbox-demo";

/// The demo's SQLite file, inside its data folder.
const DATABASE_FILE: &str = "ferry-demo.db";

/// `ferry-demo` in the user's data folder (e.g. `~/.local/share/ferry-demo`), or in the
/// temporary folder where there is none.
pub fn default_data_dir() -> PathBuf {
    dirs::data_local_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("ferry-demo")
}

/// Where the demo keeps its data.
#[derive(Debug, Clone)]
pub enum DemoData {
    /// A SQLite file in this folder, created if missing.
    Folder(PathBuf),
    /// A database the user named, PostgreSQL most likely.
    Database(String),
}

impl DemoData {
    /// What the demo's banner tells the user about their data.
    pub fn describe(&self) -> String {
        match self {
            Self::Folder(folder) => format!("{} (delete it to start afresh)", folder.display()),
            Self::Database(url) => redact_password(url),
        }
    }
}

/// The demo's settings for a relay listening at `address`, keeping its data in `data`.
pub fn settings(data: &DemoData, address: SocketAddr) -> anyhow::Result<Settings> {
    let mut settings = Settings::parse(CONFIG).context("the built-in demo config")?;
    settings.server.listen = address;
    settings.server.database_url = match data {
        DemoData::Folder(folder) => {
            std::fs::create_dir_all(folder)
                .with_context(|| format!("creating the demo's data folder {}", folder.display()))?;
            sqlite_url(&folder.join(DATABASE_FILE))?
        }
        DemoData::Database(url) => url.clone(),
    };
    // The demo pages call the widget API from the relay's own origin, whatever port it got.
    let origins = [
        format!("http://127.0.0.1:{}", address.port()),
        format!("http://localhost:{}", address.port()),
    ];
    for site in &mut settings.sites {
        site.allowed_origins.extend(origins.iter().cloned());
        if let Some(identity) = &mut site.identity {
            identity.login_url = Some(format!("{}/demo/link.html", origins[0]));
        }
    }
    Ok(settings)
}

/// A `sqlite://` URL naming `file` absolutely, percent-encoded as sqlx expects.
fn sqlite_url(file: &Path) -> anyhow::Result<String> {
    let absolute =
        std::path::absolute(file).with_context(|| format!("resolving {}", file.display()))?;
    let url = url::Url::from_file_path(&absolute)
        .map_err(|()| anyhow::anyhow!("{} cannot be written as a URL", absolute.display()))?;
    Ok(format!("sqlite://{}", url.path()))
}

/// `url` with any password replaced, fit for printing.
fn redact_password(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            // Only URLs with a host carry a password, and those accept a new one.
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_demo_creates_its_data_folder_and_database_wherever_it_is_pointed() {
        let parent = tempfile::tempdir().unwrap();
        let data_dir = parent.path().join("not yet there").join("100% demo");
        let address = SocketAddr::from(([127, 0, 0, 1], 43210));

        let settings = settings(&DemoData::Folder(data_dir.clone()), address).unwrap();
        crate::store::connect(&settings.server.database_url, Default::default())
            .await
            .unwrap();

        assert!(data_dir.join(DATABASE_FILE).is_file());
        let site = settings.site("demo").unwrap();
        assert!(site.allows_origin("http://127.0.0.1:43210"));
        assert!(site.allows_origin("http://localhost:43210"));
    }

    #[test]
    fn the_demo_operator_signs_in_with_the_password_the_banner_prints() {
        let settings = Settings::parse(CONFIG).unwrap();
        let operator = settings
            .operators
            .iter()
            .find(|operator| operator.login == OPERATOR_LOGIN)
            .expect("the demo operator");

        assert!(crate::passwords::verify(
            OPERATOR_PASSWORD,
            Some(operator.password_hash.expose())
        ));
        assert_eq!(operator.sites, ["demo"]);
    }

    #[test]
    fn the_demo_keeps_its_data_in_a_database_it_is_given() {
        let address = SocketAddr::from(([127, 0, 0, 1], 43210));
        let url = "postgres://ferry:secret@db.internal/ferry_demo";

        let settings = settings(&DemoData::Database(url.into()), address).unwrap();

        assert_eq!(settings.server.database_url, url);
        let banner = DemoData::Database(url.into()).describe();
        assert_eq!(banner, "postgres://ferry:***@db.internal/ferry_demo");
    }
}
