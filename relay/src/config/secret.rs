//! Secret values in the config file: written inline or taken from the environment, never printed.

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer};

/// A credential from the config file. In TOML it is either a plain string or
/// `{ env = "VARIABLE" }`, which reads the value from the environment at load time.
/// `Debug` prints `[redacted]`, so settings can be logged whole.
#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    /// Wraps a value (tests and the sandbox build settings in code).
    pub fn new(value: impl Into<String>) -> Self {
        Self(SecretString::from(value.into()))
    }

    /// The secret's text. Call it only where the value is used, never to log or format it.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum SecretSource {
    Inline(String),
    Env { env: String },
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match SecretSource::deserialize(deserializer)? {
            SecretSource::Inline(value) if value.is_empty() => {
                Err(serde::de::Error::custom("a secret must not be empty"))
            }
            SecretSource::Inline(value) => Ok(Self::new(value)),
            SecretSource::Env { env } => match std::env::var(&env) {
                Ok(value) if !value.is_empty() => Ok(Self::new(value)),
                _ => Err(serde::de::Error::custom(format!(
                    "environment variable {env} is not set or empty"
                ))),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug)]
    struct Holder {
        token: Secret,
    }

    #[test]
    fn debug_output_never_shows_the_value() {
        let holder: Holder = toml::from_str(r#"token = "hunter2""#).unwrap();
        assert_eq!(holder.token.expose(), "hunter2");
        assert!(!format!("{holder:?}").contains("hunter2"));
    }

    #[test]
    fn a_missing_environment_variable_is_a_config_error() {
        let error = toml::from_str::<Holder>(r#"token = { env = "FERRY_TEST_UNSET_VARIABLE" }"#)
            .unwrap_err();
        assert!(error.to_string().contains("FERRY_TEST_UNSET_VARIABLE"));
    }

    #[test]
    fn an_empty_secret_is_rejected() {
        assert!(toml::from_str::<Holder>(r#"token = """#).is_err());
    }
}
