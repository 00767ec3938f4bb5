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
    /// The last claim found less than it asked for: the lanes it could take from have nothing
    /// more due until new work is signalled, time passes, or a full lane regains room.
    drained: bool,
    /// A lane regained a quarter of its room since the last claim.
    reopened: bool,
}

/// A quarter of `slots`, at least one: claims wait for that much room, so that one claim
/// transaction starts several deliveries rather than one as each delivery ends.
fn quarter(slots: usize) -> usize {
    (slots / 4).max(1)
}

impl<L: Clone + Eq + Hash + Send + 'static> Dispatcher<L> {
    pub(super) fn new(max_in_flight: usize, max_per_lane: usize) -> Self {
        Self {
            tasks: JoinSet::new(),
            lane_of: HashMap::new(),
            per_lane: HashMap::new(),
            max_in_flight: max_in_flight.max(1),
            max_per_lane: max_per_lane.max(1),
            drained: false,
            reopened: false,
        }
    }

    /// How many more deliveries may start now.
    pub(super) fn free(&self) -> usize {
        self.max_in_flight.saturating_sub(self.tasks.len())
    }

    /// Whether new work could start now: nothing is in flight, or at least a quarter of the
    /// slots are free.
    pub(super) fn has_capacity(&self) -> bool {
        !self.busy() || self.free() >= quarter(self.max_in_flight)
    }

    /// Whether it is worth claiming now: there is capacity, and either the last claim may have
    /// left work behind or a lane it had no room in has room again. Claiming as each delivery
    /// ends would turn every delivery into a claim transaction of its own, most of them empty.
    pub(super) fn wants_more(&self) -> bool {
        !self.busy() || (self.has_capacity() && (!self.drained || self.reopened))
    }

    /// Records what the last claim took of what it asked for.
    pub(super) fn claimed(&mut self, asked: usize, took: usize) {
        self.drained = took < asked;
        self.reopened = false;
    }

    /// New work was signalled, or time passed (retries may be due): the next claim may find
    /// more in any lane.
    pub(super) fn more_may_be_due(&mut self) {
        self.drained = false;
    }

    /// Whether anything is in flight.
    pub(super) fn busy(&self) -> bool {
        !self.tasks.is_empty()
    }

    /// How many more deliveries each lane may take now. A lane with less than a quarter of its
    /// room left is reported full, so that it takes its work in batches too.
    pub(super) fn room(&self) -> LaneRoom<L> {
        LaneRoom {
            per_lane: self.max_per_lane_u32(),
            busy: self
                .per_lane
                .iter()
                .map(|(lane, count)| {
                    let left = self.left_in_lane(*count);
                    let left = if left < quarter(self.max_per_lane) {
                        0
                    } else {
                        left
                    };
                    (lane.clone(), u32::try_from(left).unwrap_or(u32::MAX))
                })
                .collect(),
        }
    }

    /// Slots a lane with `count` deliveries in flight has left.
    fn left_in_lane(&self, count: usize) -> usize {
        self.max_per_lane.saturating_sub(count)
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
            let count = *count;
            if self.left_in_lane(count) == quarter(self.max_per_lane) {
                self.reopened = true;
            }
            if count == 0 {
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

    /// Starts `count` deliveries in `lane` that end when their sender is used or dropped.
    fn hold(
        dispatcher: &mut Dispatcher<&'static str>,
        lane: &'static str,
        count: usize,
    ) -> Vec<tokio::sync::oneshot::Sender<()>> {
        (0..count)
            .map(|_| {
                let (finish, finished) = tokio::sync::oneshot::channel::<()>();
                dispatcher.spawn(lane, async move {
                    let _ = finished.await;
                });
                finish
            })
            .collect()
    }

    fn room_of(dispatcher: &Dispatcher<&'static str>, lane: &str) -> Option<u32> {
        dispatcher
            .room()
            .busy
            .iter()
            .find(|(busy, _)| *busy == lane)
            .map(|(_, left)| *left)
    }

    #[tokio::test]
    async fn after_a_claim_that_took_less_than_it_asked_only_a_lane_regaining_a_quarter_claims_again()
     {
        let mut dispatcher = Dispatcher::new(16, 8);
        let mut held = hold(&mut dispatcher, "telegram", 8);
        dispatcher.claimed(16, 8);
        assert!(dispatcher.has_capacity());
        assert!(
            !dispatcher.wants_more(),
            "the claim drained every lane with room"
        );

        held.pop();
        dispatcher.next_finished().await;
        assert!(
            !dispatcher.wants_more(),
            "one free slot of eight is not worth a claim"
        );
        assert_eq!(room_of(&dispatcher, "telegram"), Some(0));

        held.pop();
        dispatcher.next_finished().await;
        assert!(dispatcher.wants_more());
        assert_eq!(room_of(&dispatcher, "telegram"), Some(2));

        dispatcher.claimed(8, 2);
        assert!(!dispatcher.wants_more());
    }

    #[tokio::test]
    async fn new_work_lets_a_drained_dispatcher_claim_again() {
        let mut dispatcher = Dispatcher::new(16, 8);
        let _held = hold(&mut dispatcher, "telegram", 8);
        dispatcher.claimed(16, 8);
        assert!(!dispatcher.wants_more());

        dispatcher.more_may_be_due();

        assert!(dispatcher.wants_more());
    }

    #[tokio::test]
    async fn an_idle_dispatcher_always_claims() {
        let mut dispatcher: Dispatcher<&'static str> = Dispatcher::new(16, 8);
        dispatcher.claimed(16, 0);
        assert!(dispatcher.wants_more());
    }
}
