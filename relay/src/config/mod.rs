//! The relay's settings: what the config file holds, how it is loaded and checked.
//!
//! Settings come from one TOML file (see `ferry.example.toml`, printed by `ferry default-config`);
//! secrets in it may be `{ env = "NAME" }`. A few process-level values can be overridden from the
//! command line or the environment (see `cli`). Tests build `Settings` in code.

mod identity;
mod operators;
mod secret;
mod site;
mod webhook;
mod worker;

use std::{net::SocketAddr, path::PathBuf};

use serde::Deserialize;

pub use identity::{IdentitySettings, JwtAlgorithm};
pub use operators::OperatorSettings;
pub use secret::Secret;
pub use site::SiteSettings;
pub use webhook::MerchantWebhookSettings;
pub use worker::WorkerSettings;

/// The commented example configuration, printed by `ferry default-config`.
pub const EXAMPLE: &str = include_str!("../../ferry.example.toml");

/// Everything the relay needs to run.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Listener, public URL, database, limits.
    #[serde(default)]
    pub server: ServerSettings,
    /// Base URLs of the messenger platforms' APIs.
    #[serde(default)]
    pub platforms: PlatformSettings,
    /// How the background worker claims and delivers work.
    #[serde(default)]
    pub worker: WorkerSettings,
    /// The merchants' sites this relay serves.
    #[serde(default)]
    pub sites: Vec<SiteSettings>,
    /// The people who answer visitors in the inbox.
    #[serde(default)]
    pub operators: Vec<OperatorSettings>,
}

/// Process-level settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSettings {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// The URL platforms and browsers reach this relay at (no trailing slash). Defaults to
    /// `http://<listen address>`.
    pub public_url: Option<String>,
    /// `sqlite://path/to/file.db` (created if missing; one relay per file), `sqlite::memory:`,
    /// or `postgres://user:password@host/database` (any number of relays).
    pub database_url: String,
    /// Folder with `widget/`, `demo/` and `sandbox/` (the repository's `static/`).
    pub static_dir: Option<PathBuf>,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Sandbox mode: deep links lead to local phone pages and platform calls go to local fakes.
    pub sandbox: bool,
    /// Widget API requests allowed per site and client address per minute (0: no limit).
    pub widget_rate_limit_per_minute: u32,
    /// Header a trusted reverse proxy puts the client's address in (e.g. `X-Forwarded-For`).
    pub client_ip_header: Option<String>,
    /// Seconds a client has to send a request's headers, from when the connection is ready for
    /// them (opened, or the previous response sent).
    pub header_read_timeout_secs: u64,
    /// Seconds a connection may stay open with no request in progress.
    pub idle_timeout_secs: u64,
    /// Seconds a request body may take to arrive, counted from the end of its headers.
    pub request_body_timeout_secs: u64,
    /// Connections served at once; further ones wait to be accepted.
    pub max_connections: u32,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: None,
            database_url: "sqlite://ferry.db".into(),
            static_dir: None,
            max_body_bytes: 256 * 1024,
            sandbox: false,
            widget_rate_limit_per_minute: 120,
            client_ip_header: None,
            header_read_timeout_secs: 10,
            idle_timeout_secs: 5,
            request_body_timeout_secs: 30,
            max_connections: 512,
        }
    }
}

impl ServerSettings {
    /// Timeouts of zero would close every connection at once; hours would protect nothing.
    fn validate_limits(&self) -> Result<(), String> {
        let timeouts = [
            ("header_read_timeout_secs", self.header_read_timeout_secs),
            ("idle_timeout_secs", self.idle_timeout_secs),
            ("request_body_timeout_secs", self.request_body_timeout_secs),
        ];
        for (name, secs) in timeouts {
            if !(1..=3600).contains(&secs) {
                return Err(format!("server.{name} must be between 1 and 3600 seconds"));
            }
        }
        if self.max_connections == 0 {
            return Err("server.max_connections must be at least 1".into());
        }
        Ok(())
    }
}

/// Where the platforms' APIs live. Tests and the sandbox point these at local stand-ins.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PlatformSettings {
    /// Telegram Bot API, without the `/bot<token>` part.
    pub telegram_api: String,
    /// Meta Graph API including the version, for Messenger and WhatsApp.
    pub graph_api: String,
    /// How long one platform call may take, in seconds.
    pub timeout_secs: u64,
}

impl Default for PlatformSettings {
    fn default() -> Self {
        Self {
            telegram_api: "https://api.telegram.org".into(),
            graph_api: "https://graph.facebook.com/v21.0".into(),
            timeout_secs: 10,
        }
    }
}

/// Why a config file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The TOML is malformed or a value has the wrong type.
    #[error(transparent)]
    Parse(#[from] toml::de::Error),
    /// Values parse but do not make sense together.
    #[error("{0}")]
    Invalid(String),
}

impl Settings {
    /// Reads and checks a config file.
    pub fn load(path: &std::path::Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text)
    }

    /// Parses and checks config text.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let settings: Settings = toml::from_str(text)?;
        settings.validate()?;
        Ok(settings)
    }

    /// Checks what serde cannot: unique ids, well-formed values, at least one channel per site.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let mut seen = std::collections::HashSet::new();
        for site in &self.sites {
            if !seen.insert(site.id.as_str()) {
                return Err(ConfigError::Invalid(format!(
                    "site id {:?} appears twice",
                    site.id
                )));
            }
            site.validate().map_err(ConfigError::Invalid)?;
        }
        operators::validate(&self.operators, &seen).map_err(ConfigError::Invalid)?;
        self.worker
            .validate(self.platforms.timeout_secs)
            .map_err(ConfigError::Invalid)?;
        if let Some(url) = &self.server.public_url {
            url::Url::parse(url)
                .map_err(|e| ConfigError::Invalid(format!("server.public_url {url:?}: {e}")))?;
        }
        self.server.validate_limits().map_err(ConfigError::Invalid)
    }

    /// The site with this id.
    pub fn site(&self, id: &str) -> Option<&SiteSettings> {
        self.sites.iter().find(|site| site.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example reads its secrets from the environment; fill them in for the test.
    fn example_with_inline_secrets() -> String {
        let password_hash = crate::passwords::hash("example password").unwrap();
        EXAMPLE
            .lines()
            .map(|line| match line.split_once(" = { env = ") {
                Some(("password_hash", _)) => format!("password_hash = \"{password_hash}\""),
                // Long enough for secrets with a minimum length (identity.hs256_secret).
                Some((key, _)) => format!("{key} = \"example-value-0123456789abcdef0123\""),
                None => line.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The example with its operator changed by `edit` (on the `[[operators]]` text).
    fn example_with_operator(edit: impl Fn(&str) -> String) -> Result<Settings, ConfigError> {
        let example = example_with_inline_secrets();
        let at = example.find("\n[[operators]]").unwrap();
        Settings::parse(&format!("{}{}", &example[..at], edit(&example[at..])))
    }

    #[test]
    fn the_example_site_keeps_office_hours_in_its_time_zone() {
        let settings = Settings::parse(&example_with_inline_secrets()).unwrap();
        let hours = settings.sites[0]
            .office_hours
            .as_ref()
            .expect("office hours");
        // Monday 2026-11-30 in Vilnius (UTC+2): closed at 08:30, open at 09:30.
        assert!(!hours.is_open(1_796_020_200_000));
        assert!(hours.is_open(1_796_023_800_000));
    }

    #[test]
    fn bad_office_hours_are_refused_with_the_line() {
        let text = example_with_inline_secrets().replace("fri = \"09:00-17:00\"", "fri = \"9-5\"");
        let error = Settings::parse(&text).unwrap_err().to_string();
        for part in ["office_hours.fri", "line"] {
            assert!(error.contains(part), "{part} missing from {error}");
        }
    }

    #[test]
    fn the_example_declares_an_operator_of_its_site() {
        let settings = Settings::parse(&example_with_inline_secrets()).unwrap();
        assert_eq!(settings.operators.len(), 1);
        assert_eq!(settings.operators[0].sites, ["shop"]);
    }

    #[test]
    fn an_operator_is_refused_for_each_thing_wrong_with_them() {
        type Edit = Box<dyn Fn(&str) -> String>;
        let cases: [(&str, Edit); 6] = [
            (
                "is not declared",
                Box::new(|o| o.replace("[\"shop\"]", "[\"elsewhere\"]")),
            ),
            (
                "serves no site",
                Box::new(|o| o.replace("[\"shop\"]", "[]")),
            ),
            (
                "without spaces",
                Box::new(|o| o.replace("anna@shop.example", "anna k")),
            ),
            (
                "1-64 characters",
                Box::new(|o| o.replace("\"Anna\"", "\" \"")),
            ),
            (
                "not an Argon2id hash",
                Box::new(|o| {
                    let start = o.find("password_hash = ").unwrap();
                    let end = start + o[start..].find('\n').unwrap();
                    format!(
                        "{}password_hash = \"hunter2hunter2\"{}",
                        &o[..start],
                        &o[end..]
                    )
                }),
            ),
            (
                "appears twice",
                Box::new(|o| format!("{o}\n{}", o.replace("anna@", "ANNA@"))),
            ),
        ];
        for (expected, edit) in cases {
            let error = example_with_operator(edit).unwrap_err().to_string();
            assert!(
                error.contains(expected),
                "{expected:?} missing from {error}"
            );
        }
    }

    #[test]
    fn the_example_config_is_valid() {
        let settings = Settings::parse(&example_with_inline_secrets()).unwrap();
        assert!(!settings.sites.is_empty());
    }

    #[test]
    fn the_demo_config_is_valid() {
        let settings = Settings::parse(include_str!("../../demo.toml")).unwrap();
        assert!(settings.server.sandbox);
        assert!(settings.site("demo").is_some());
    }

    #[test]
    fn duplicate_site_ids_are_rejected() {
        let example = example_with_inline_secrets();
        let text = format!(
            "{example}\n{}",
            &example[example.find("\n[[sites]]").unwrap()..]
        );
        let error = Settings::parse(&text).unwrap_err();
        assert!(error.to_string().contains("appears twice"), "{error}");
    }

    #[test]
    fn a_site_may_speak_lithuanian() {
        let text = example_with_inline_secrets().replace("locale = \"en\"", "locale = \"lt\"");
        let settings = Settings::parse(&text).unwrap();
        assert_eq!(settings.sites[0].locale, crate::domain::Locale::Lt);
    }

    #[test]
    fn an_unknown_locale_is_refused_naming_the_known_ones() {
        let text = example_with_inline_secrets().replace("locale = \"en\"", "locale = \"de\"");
        let error = Settings::parse(&text).unwrap_err().to_string();
        for part in ["unknown locale \"de\"", "en, ru, lt", "line"] {
            assert!(error.contains(part), "{part} missing from {error}");
        }
    }

    #[test]
    fn an_api_key_shorter_than_16_characters_is_refused() {
        let with_key = |key: &str| {
            example_with_inline_secrets().replace(
                "api_key = \"example-value-0123456789abcdef0123\"",
                &format!("api_key = \"{key}\""),
            )
        };

        let error = Settings::parse(&with_key("k")).unwrap_err();

        assert!(
            error.to_string().contains("at least 16 characters"),
            "{error}"
        );
        assert!(Settings::parse(&with_key("0123456789abcdef")).is_ok());
        assert!(Settings::parse(&with_key("0123456789abcde")).is_err());
    }

    #[test]
    fn connection_limits_must_be_usable() {
        for (line, complaint) in [
            ("header_read_timeout_secs = 0", "header_read_timeout_secs"),
            ("idle_timeout_secs = 86400", "idle_timeout_secs"),
            ("request_body_timeout_secs = 0", "request_body_timeout_secs"),
            ("max_connections = 0", "max_connections"),
        ] {
            let error = Settings::parse(&format!("[server]\n{line}\n")).unwrap_err();
            assert!(error.to_string().contains(complaint), "{line}: {error}");
        }
    }

    #[test]
    fn unknown_keys_are_reported() {
        let error = Settings::parse("[server]\nlisten_port = 1\n").unwrap_err();
        assert!(error.to_string().contains("listen_port"), "{error}");
    }

    const DEMO: &str = include_str!("../../demo.toml");

    #[test]
    fn the_demo_sites_channels_come_in_display_order() {
        let settings = Settings::parse(DEMO).unwrap();
        let site = settings.site("demo").unwrap();
        let channels: Vec<&str> = site.channels().map(|kind| kind.as_str()).collect();
        assert_eq!(channels, ["telegram", "whatsapp", "messenger"]);
        let bot = site.account(crate::domain::ChannelKind::Telegram).unwrap();
        assert_eq!(bot.handle(), "northwind_demo_bot");
    }

    #[test]
    fn webhook_secrets_shorter_than_16_characters_are_refused() {
        for (secret, field) in [
            (
                "\"demo-telegram-webhook-secret\"",
                "telegram.webhook_secret",
            ),
            ("\"demo-meta-app-secret\"", "whatsapp.app_secret"),
            ("\"demo-meta-verify-token\"", "whatsapp.verify_token"),
        ] {
            let text = DEMO.replacen(secret, "\"x\"", 1);
            let error = Settings::parse(&text).unwrap_err().to_string();
            assert!(error.contains(field) && error.contains("16"), "{error}");
        }
    }

    #[test]
    fn a_platform_section_is_read_by_its_platform() {
        let missing = DEMO.replacen("bot_token = \"123456789:demo-telegram-bot-token\"\n", "", 1);
        let error = Settings::parse(&missing).unwrap_err().to_string();
        assert!(
            error.contains("[sites.telegram]") && error.contains("bot_token"),
            "{error}"
        );
        let unknown = DEMO.replacen("[sites.messenger]", "[sites.icq]", 1);
        let error = Settings::parse(&unknown).unwrap_err().to_string();
        assert!(error.contains("icq"), "{error}");
    }

    #[test]
    fn a_site_without_any_channel_says_which_exist() {
        let site = "[[sites]]\nid = \"shop\"\nname = \"Shop\"\napi_key = \"0123456789abcdef\"\n";
        let error = Settings::parse(site).unwrap_err().to_string();
        assert!(
            error.contains("enable at least one channel (telegram, whatsapp or messenger)"),
            "{error}"
        );
    }
}
