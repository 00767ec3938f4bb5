//! Operators' inbox sessions: stored by the hash of their id, found only while both deadlines
//! are ahead of the `now` the caller gives, kept alive by use (never past the absolute
//! deadline), ended by signing out, and swept once ended.

use ferry_relay::store::{NewSession, Session};

use crate::support::{Backend, T0, on_both_backends};

on_both_backends!(
    a_created_session_is_found_by_its_hash_until_a_deadline_passes,
    a_session_whose_idle_deadline_passed_is_refused,
    touching_a_session_moves_its_idle_deadline_never_back_nor_past_the_absolute_one,
    an_ended_session_cannot_be_touched_back_to_life,
    a_deleted_session_is_gone,
    sweeping_deletes_the_ended_sessions_only,
);

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const IDLE: i64 = 12 * HOUR;
const ABSOLUTE: i64 = 7 * 24 * HOUR;

fn session(hash: &str, login: &str, at: i64) -> NewSession {
    NewSession {
        id_hash: hash.into(),
        login: login.into(),
        csrf_token: format!("csrf-of-{hash}"),
        created_at: at,
        idle_until: at + IDLE,
        expires_at: at + ABSOLUTE,
    }
}

const ANNA: &str = "1f3a6c0d9e8b7a6f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7";
const BEN: &str = "a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6";

async fn a_created_session_is_found_by_its_hash_until_a_deadline_passes(b: Backend) {
    // Act
    b.store
        .create_session(&session(ANNA, "anna@shop.example", T0))
        .await
        .unwrap();

    // Assert
    let found = b.store.find_session(ANNA, T0 + MINUTE).await.unwrap();
    assert_eq!(
        found,
        Some(Session {
            id_hash: ANNA.into(),
            login: "anna@shop.example".into(),
            csrf_token: format!("csrf-of-{ANNA}"),
            created_at: T0,
            last_seen_at: T0,
            idle_until: T0 + IDLE,
            expires_at: T0 + ABSOLUTE,
        })
    );
    assert_eq!(b.store.find_session(BEN, T0).await.unwrap(), None);
    assert_eq!(
        b.store.find_session(ANNA, T0 + IDLE).await.unwrap(),
        None,
        "the idle deadline itself is too late"
    );
}

async fn a_session_whose_idle_deadline_passed_is_refused(b: Backend) {
    // Arrange
    b.store
        .create_session(&session(ANNA, "anna@shop.example", T0))
        .await
        .unwrap();

    // Act
    let before = b.store.find_session(ANNA, T0 + IDLE - 1).await.unwrap();
    let after = b.store.find_session(ANNA, T0 + IDLE + 1).await.unwrap();

    // Assert
    assert!(before.is_some());
    assert_eq!(after, None);
}

async fn touching_a_session_moves_its_idle_deadline_never_back_nor_past_the_absolute_one(
    b: Backend,
) {
    // Arrange
    b.store
        .create_session(&session(ANNA, "anna@shop.example", T0))
        .await
        .unwrap();
    let later = T0 + 10 * HOUR;

    // Act: used ten hours in, then an older touch arrives late, then one near the end
    let touched = b
        .store
        .touch_session(ANNA, later, later + IDLE)
        .await
        .unwrap();
    b.store
        .touch_session(ANNA, T0 + HOUR, T0 + HOUR + IDLE)
        .await
        .unwrap();
    let found = b.store.find_session(ANNA, later + IDLE - 1).await.unwrap();

    // Assert: alive past the first idle deadline, and the late touch moved nothing back
    assert!(touched);
    let found = found.expect("kept alive by use");
    assert_eq!(
        (found.last_seen_at, found.idle_until),
        (later, later + IDLE)
    );

    // Arrange: a session whose absolute deadline comes an hour after its first idle one
    let short = NewSession {
        expires_at: T0 + IDLE + HOUR,
        ..session(BEN, "ben@shop.example", T0)
    };
    b.store.create_session(&short).await.unwrap();

    // Act: used just before its idle deadline
    let near_end = T0 + IDLE - MINUTE;
    b.store
        .touch_session(BEN, near_end, near_end + IDLE)
        .await
        .unwrap();

    // Assert: the absolute deadline holds
    let found = b.store.find_session(BEN, near_end).await.unwrap().unwrap();
    assert_eq!(found.idle_until, T0 + IDLE + HOUR);
    assert_eq!(
        b.store.find_session(BEN, T0 + IDLE + HOUR).await.unwrap(),
        None
    );
}

async fn an_ended_session_cannot_be_touched_back_to_life(b: Backend) {
    // Arrange
    b.store
        .create_session(&session(ANNA, "anna@shop.example", T0))
        .await
        .unwrap();
    let too_late = T0 + IDLE + MINUTE;

    // Act
    let touched = b
        .store
        .touch_session(ANNA, too_late, too_late + IDLE)
        .await
        .unwrap();

    // Assert
    assert!(!touched);
    assert_eq!(b.store.find_session(ANNA, too_late).await.unwrap(), None);
    assert!(!b.store.touch_session(BEN, T0, T0 + IDLE).await.unwrap());
}

async fn a_deleted_session_is_gone(b: Backend) {
    // Arrange
    b.store
        .create_session(&session(ANNA, "anna@shop.example", T0))
        .await
        .unwrap();
    b.store
        .create_session(&session(BEN, "ben@shop.example", T0))
        .await
        .unwrap();

    // Act
    let deleted = b.store.delete_session(ANNA).await.unwrap();
    let again = b.store.delete_session(ANNA).await.unwrap();

    // Assert
    assert!(deleted);
    assert!(!again);
    assert_eq!(b.store.find_session(ANNA, T0).await.unwrap(), None);
    assert!(b.store.find_session(BEN, T0).await.unwrap().is_some());
}

async fn sweeping_deletes_the_ended_sessions_only(b: Backend) {
    // Arrange: Anna signed in long ago and left; Ben signed in a day later
    b.store
        .create_session(&session(ANNA, "anna@shop.example", T0))
        .await
        .unwrap();
    b.store
        .create_session(&session(BEN, "ben@shop.example", T0 + 24 * HOUR))
        .await
        .unwrap();

    // Act
    let swept = b.store.sweep_sessions(T0 + 25 * HOUR).await.unwrap();

    // Assert
    assert_eq!(swept, 1);
    assert_eq!(b.count("operator_sessions", "1 = 1").await, 1);
    assert!(
        b.store
            .find_session(BEN, T0 + 25 * HOUR)
            .await
            .unwrap()
            .is_some()
    );
}
