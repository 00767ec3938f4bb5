//! `ferry demo`: the demo's settings and the folder it keeps its database in, so it runs from
//! any working directory. Serving them is `main`'s business, as for `ferry serve`.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
};

use anyhow::Context;

use crate::config::Settings;

/// The built-in demo configuration; its secrets are public on purpose.
const CONFIG: &str = include_str!("../demo.toml");

/// The demo's SQLite file, inside its data folder.
const DATABASE_FILE: &str = "ferry-demo.db";

/// `ferry-demo` in the user's data folder (e.g. `~/.local/share/ferry-demo`), or in the
/// temporary folder where there is none.
pub fn default_data_dir() -> PathBuf {
    dirs::data_local_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("ferry-demo")
}

/// The demo's settings for a relay listening at `address`, with its database in `data_dir`,
/// which is created if missing.
pub fn settings(data_dir: &Path, address: SocketAddr) -> anyhow::Result<Settings> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("creating the demo's data folder {}", data_dir.display()))?;
    let mut settings = Settings::parse(CONFIG).context("the built-in demo config")?;
    settings.server.listen = address;
    settings.server.database_url = sqlite_url(&data_dir.join(DATABASE_FILE))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_demo_creates_its_data_folder_and_database_wherever_it_is_pointed() {
        let parent = tempfile::tempdir().unwrap();
        let data_dir = parent.path().join("not yet there").join("100% demo");
        let address = SocketAddr::from(([127, 0, 0, 1], 43210));

        let settings = settings(&data_dir, address).unwrap();
        crate::store::connect(&settings.server.database_url, Default::default())
            .await
            .unwrap();

        assert!(data_dir.join(DATABASE_FILE).is_file());
        let site = settings.site("demo").unwrap();
        assert!(site.allows_origin("http://127.0.0.1:43210"));
        assert!(site.allows_origin("http://localhost:43210"));
    }
}
