//! Whether a connection is busy: how many of its requests are being handled, and since when
//! nothing has changed. The server loop closes connections idle for too long; what counts as
//! too long, and how they are closed, is its business.

use std::{sync::Arc, time::Duration};

use tokio::{sync::watch, time::Instant};

/// One connection's activity; clones share it.
#[derive(Clone)]
pub(super) struct Activity(Arc<watch::Sender<State>>);

#[derive(Clone, Copy)]
struct State {
    /// Requests whose handler has not answered yet.
    in_progress: usize,
    /// When a request last started or was answered (or the connection opened).
    since: Instant,
}

impl Default for Activity {
    fn default() -> Self {
        Self(Arc::new(watch::Sender::new(State {
            in_progress: 0,
            since: Instant::now(),
        })))
    }
}

impl Activity {
    /// Marks a request as started until the returned guard is dropped.
    pub(super) fn begin(&self) -> InProgress {
        self.0.send_modify(|state| {
            state.in_progress += 1;
            state.since = Instant::now();
        });
        InProgress(self.clone())
    }

    /// Completes once no request has been in progress for `timeout`.
    pub(super) async fn idle_for(&self, timeout: Duration) {
        let mut changes = self.0.subscribe();
        loop {
            let state = *changes.borrow_and_update();
            if state.in_progress > 0 {
                // `self` keeps the sender alive, so this only returns on a change.
                let _ = changes.changed().await;
                continue;
            }
            tokio::select! {
                () = tokio::time::sleep_until(state.since + timeout) => return,
                _ = changes.changed() => {}
            }
        }
    }
}

/// A request being handled; dropping it (answered or cancelled) ends it.
pub(super) struct InProgress(Activity);

impl Drop for InProgress {
    fn drop(&mut self) {
        self.0.0.send_modify(|state| {
            state.in_progress -= 1;
            state.since = Instant::now();
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IDLE: Duration = Duration::from_millis(20);
    /// Many idle periods: long enough that an idle check ignoring the request would fire.
    const BUSY: Duration = Duration::from_millis(200);

    #[tokio::test]
    async fn a_connection_is_idle_only_once_its_requests_are_answered() {
        let activity = Activity::default();
        let request = activity.begin();

        let while_busy = tokio::time::timeout(BUSY, activity.idle_for(IDLE)).await;
        assert!(while_busy.is_err(), "a request in progress is not idleness");

        drop(request);
        let answered = Instant::now();
        tokio::time::timeout(Duration::from_secs(10), activity.idle_for(IDLE))
            .await
            .expect("idle once answered");
        assert!(answered.elapsed() >= IDLE);
    }
}
