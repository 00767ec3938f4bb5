//! What is wrong with the relay right now, as its parts report it (for `/readyz`).
//!
//! The worker loops report here while they fail and when they recover; the supervisor stops
//! the process when a part keeps failing or stops. `/readyz` is green only when the database
//! answers and no part reports a problem, so a load balancer or orchestrator sees a relay that
//! can take webhooks but no longer processes them.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
};

/// Problems by part; cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Health {
    problems: Arc<Mutex<BTreeMap<&'static str, String>>>,
}

impl Health {
    /// `part` is failing with `error`.
    pub fn failing(&self, part: &'static str, error: impl std::fmt::Display) {
        if let Ok(mut problems) = self.problems.lock() {
            problems.insert(part, error.to_string());
        }
    }

    /// `part` works again.
    pub fn recovered(&self, part: &'static str) {
        if let Ok(mut problems) = self.problems.lock() {
            problems.remove(part);
        }
    }

    /// Every current problem, as `part: error`.
    pub fn problems(&self) -> Vec<String> {
        self.problems
            .lock()
            .map(|problems| {
                problems
                    .iter()
                    .map(|(part, error)| format!("{part}: {error}"))
                    .collect()
            })
            .unwrap_or_else(|_| vec!["health: lock poisoned".into()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_is_a_problem_until_it_recovers() {
        let health = Health::default();
        health.failing("inbound worker", "database is locked");
        assert_eq!(health.problems(), ["inbound worker: database is locked"]);
        health.recovered("inbound worker");
        assert!(health.problems().is_empty());
    }
}
