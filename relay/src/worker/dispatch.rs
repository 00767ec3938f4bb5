//! Bounded concurrent delivery: at most so many deliveries in flight, and at most so many per
//! lane, with new work claimed as soon as a slot frees up.
//!
//! A lane is whatever one slow counterpart holds up (a site's account on a platform, a
//! merchant's endpoint). Each claim asks for no more of a lane's work than the lane has room
//! for, so its other rows stay in the queue for any relay with room instead of waiting here
//! under a lease, and a backlog in one lane never fills the slots the others need.

use std::{collections::HashMap, future::Future, hash::Hash};

use tokio::task::{Id, JoinSet};

use crate::store::LaneRoom;

/// Deliveries in flight, counted per lane.
pub(super) struct Dispatcher<L> {
    tasks: JoinSet<()>,
    lane_of: HashMap<Id, L>,
    per_lane: HashMap<L, usize>,
    max_in_flight: usize,
    max_per_lane: usize,
}

impl<L: Clone + Eq + Hash + Send + 'static> Dispatcher<L> {
    pub(super) fn new(max_in_flight: usize, max_per_lane: usize) -> Self {
        Self {
            tasks: JoinSet::new(),
            lane_of: HashMap::new(),
            per_lane: HashMap::new(),
            max_in_flight: max_in_flight.max(1),
            max_per_lane: max_per_lane.max(1),
        }
    }

    /// How many more deliveries may start now.
    pub(super) fn free(&self) -> usize {
        self.max_in_flight.saturating_sub(self.tasks.len())
    }

    /// Whether it is worth claiming more now: nothing is in flight, or at least a quarter of
    /// the slots are free. Claiming a message at a time as each delivery ends would turn every
    /// delivery into a claim transaction of its own.
    pub(super) fn wants_more(&self) -> bool {
        !self.busy() || self.free() >= (self.max_in_flight / 4).max(1)
    }

    /// Whether anything is in flight.
    pub(super) fn busy(&self) -> bool {
        !self.tasks.is_empty()
    }

    /// How many more deliveries each lane may take now.
    pub(super) fn room(&self) -> LaneRoom<L> {
        LaneRoom {
            per_lane: self.max_per_lane_u32(),
            busy: self
                .per_lane
                .iter()
                .map(|(lane, count)| {
                    let left = self.max_per_lane.saturating_sub(*count);
                    (lane.clone(), u32::try_from(left).unwrap_or(u32::MAX))
                })
                .collect(),
        }
    }

    fn max_per_lane_u32(&self) -> u32 {
        u32::try_from(self.max_per_lane).unwrap_or(u32::MAX)
    }

    /// Starts a delivery in `lane`.
    pub(super) fn spawn(&mut self, lane: L, delivery: impl Future<Output = ()> + Send + 'static) {
        *self.per_lane.entry(lane.clone()).or_default() += 1;
        let task = self.tasks.spawn(delivery);
        self.lane_of.insert(task.id(), lane);
    }

    /// Waits for one delivery to finish (never resolves while nothing is in flight).
    pub(super) async fn next_finished(&mut self) {
        let task = match self.tasks.join_next_with_id().await {
            Some(Ok((task, ()))) => task,
            Some(Err(error)) => {
                // A delivery that panicked leaves its row leased; the lease ends and the row
                // is claimed again.
                tracing::error!(%error, "a delivery task failed");
                error.id()
            }
            None => return std::future::pending().await,
        };
        if let Some(lane) = self.lane_of.remove(&task)
            && let Some(count) = self.per_lane.get_mut(&lane)
        {
            *count = count.saturating_sub(1);
            if *count == 0 {
                self.per_lane.remove(&lane);
            }
        }
    }

    /// Waits for every delivery in flight to finish.
    pub(super) async fn finish_all(&mut self) {
        while self.busy() {
            self.next_finished().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_lane_is_reported_and_freed_when_its_delivery_ends() {
        let mut dispatcher = Dispatcher::new(3, 1);
        let (finish, finished) = tokio::sync::oneshot::channel::<()>();
        dispatcher.spawn("slow", async move {
            let _ = finished.await;
        });
        let room = dispatcher.room();
        assert_eq!(room.full().collect::<Vec<_>>(), [&"slow"]);
        assert_eq!(room.per_lane, 1);
        assert_eq!(dispatcher.free(), 2);
        let _ = finish.send(());
        dispatcher.next_finished().await;
        assert!(dispatcher.room().busy.is_empty());
        assert_eq!(dispatcher.free(), 3);
        assert!(!dispatcher.busy());
    }
}
