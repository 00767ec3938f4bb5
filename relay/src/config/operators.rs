//! `[[operators]]`: the people who answer visitors in the inbox, and which sites they serve.

use std::collections::HashSet;

use serde::Deserialize;

use super::Secret;
use crate::passwords;

/// One operator. Passwords are never in the config, only their Argon2id hashes, made with
/// `ferry hash-password`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperatorSettings {
    /// What they sign in with: an e-mail address or any name of printable characters, unique
    /// among operators regardless of case.
    pub login: String,
    /// Shown beside their replies, to visitors and to other operators.
    pub name: String,
    /// The Argon2id hash of their password in PHC form (`$argon2id$v=19$…`). Kept as a secret:
    /// a hash printed in a log is a hash someone can attack offline.
    pub password_hash: Secret,
    /// The sites whose conversations they see and answer.
    pub sites: Vec<String>,
}

impl OperatorSettings {
    fn validate(&self, sites: &HashSet<&str>) -> Result<(), String> {
        let login = &self.login;
        if login.is_empty() || login.len() > 128 || !login.chars().all(|c| c.is_ascii_graphic()) {
            return Err(format!(
                "operator login {login:?} must be 1-128 printable characters without spaces"
            ));
        }
        if self.name.trim().is_empty() || self.name.chars().count() > 64 {
            return Err(format!("operator {login:?}: name must be 1-64 characters"));
        }
        passwords::check_hash(self.password_hash.expose())
            .map_err(|error| format!("operator {login:?}: password_hash {error}"))?;
        if self.sites.is_empty() {
            return Err(format!(
                "operator {login:?} serves no site: list at least one in `sites`"
            ));
        }
        for site in &self.sites {
            if !sites.contains(site.as_str()) {
                return Err(format!(
                    "operator {login:?} serves site {site:?}, which is not declared"
                ));
            }
        }
        Ok(())
    }
}

/// Checks every operator against the declared sites, and that logins are unique.
pub(super) fn validate(
    operators: &[OperatorSettings],
    sites: &HashSet<&str>,
) -> Result<(), String> {
    let mut logins = HashSet::new();
    for operator in operators {
        operator.validate(sites)?;
        if !logins.insert(operator.login.to_lowercase()) {
            return Err(format!("operator login {:?} appears twice", operator.login));
        }
    }
    Ok(())
}
