//! Tests of the chat log's merging: every order in which the three copies of a message (POST
//! answer, history, stream) may arrive shows it once, in seq order.

use ferry_wire::{ChatMessage, ChatStatus};
use serde_json::json;

use super::*;

fn incoming(seq: i64, author: ChatAuthor, text: &str) -> Incoming {
    Incoming {
        seq,
        author,
        text: text.into(),
        time: format!("10:0{seq}"),
        channel: "web".into(),
    }
}

fn mine(seq: i64, text: &str) -> Incoming {
    incoming(seq, ChatAuthor::Visitor, text)
}

fn theirs(seq: i64, text: &str) -> Incoming {
    incoming(seq, ChatAuthor::Operator, text)
}

/// (seq, text, delivery) of every bubble, in order.
fn log(thread: &Thread) -> Vec<(Option<i64>, &str, Delivery)> {
    thread
        .entries()
        .iter()
        .map(|e| (e.seq, e.text.as_str(), e.delivery))
        .collect()
}

#[test]
fn a_message_reads_as_the_wire_crate_writes_it_plus_the_local_time() {
    let wire = ChatMessage {
        seq: 7,
        author: ChatAuthor::Operator,
        text: "Yes, we ship to Riga".into(),
        at: "2026-12-01T10:04:00Z".into(),
        status: ChatStatus::Sent,
        channel: "telegram".into(),
    };
    let mut value = serde_json::to_value(&wire).unwrap();
    value["time"] = json!("11:04");
    assert_eq!(
        read_message(&value),
        Some(Incoming {
            seq: 7,
            author: ChatAuthor::Operator,
            text: "Yes, we ship to Riga".into(),
            time: "11:04".into(),
            channel: "telegram".into(),
        })
    );
    for broken in [
        json!({"seq": "7", "author": "operator", "text": "x"}),
        json!({"seq": 7.5, "author": "operator", "text": "x"}),
        json!({"seq": 7, "author": "bot", "text": "x"}),
        json!({"seq": 7, "author": "operator"}),
    ] {
        assert_eq!(read_message(&broken), None, "{broken}");
    }
}

#[test]
fn a_conversation_state_reads_as_the_wire_crate_writes_it() {
    let state = ConversationState {
        channel: "telegram".into(),
        status: "open".into(),
        link: Some("https://t.me/northwind_bot".into()),
    };
    assert_eq!(
        read_state(&serde_json::to_value(&state).unwrap()),
        Some(state)
    );
    let web = json!({"channel": "web", "status": "open"});
    assert_eq!(read_state(&web).unwrap().link, None);
    assert_eq!(read_state(&json!({"status": "open"})), None);
}

#[test]
fn client_keys_are_random_and_pass_the_relays_check() {
    let key = client_key(|buf| buf.fill(0xa7));
    assert!(ferry_wire::refs::is_link_safe(&key), "{key}");
    assert_eq!(key.len(), 22);
    assert_ne!(key, client_key(|buf| buf.fill(0xa8)));
}

#[test]
fn the_answer_settles_the_visitors_message() {
    let mut thread = Thread::default();
    thread.write("k1".into(), "Hello".into());
    assert_eq!(log(&thread), [(None, "Hello", Delivery::Sending)]);

    assert!(!thread.receive(mine(1, "Hello"), Some("k1")));

    assert_eq!(log(&thread), [(Some(1), "Hello", Delivery::Sent)]);
    assert_eq!(thread.entries()[0].time, "10:01");
    // The stream's copy after the answer changes nothing.
    assert!(!thread.receive(mine(1, "Hello"), None));
    assert_eq!(thread.entries().len(), 1);
}

#[test]
fn the_streams_copy_may_come_before_the_answer() {
    let mut thread = Thread::default();
    thread.write("k1".into(), "Hello".into());
    let id = thread.entries()[0].id;

    assert!(!thread.receive(mine(1, "Hello"), None));
    assert!(!thread.receive(mine(1, "Hello"), Some("k1")));

    assert_eq!(log(&thread), [(Some(1), "Hello", Delivery::Sent)]);
    assert_eq!(thread.entries()[0].id, id, "the same bubble throughout");
    assert_eq!(thread.entries()[0].key.as_deref(), Some("k1"));
}

#[test]
fn history_before_the_answer_is_merged_into_the_waiting_bubble() {
    let mut thread = Thread::default();
    thread.write("k1".into(), "Hi".into());
    // History read the message while its answer was still on the way.
    assert!(!thread.receive(mine(1, "Hi"), None));
    thread.write("k2".into(), "Bye".into());
    thread.failed("k2");
    assert!(!thread.receive(mine(1, "Hi"), Some("k1")));

    assert_eq!(
        log(&thread),
        [
            (Some(1), "Hi", Delivery::Sent),
            (None, "Bye", Delivery::Failed)
        ]
    );
}

#[test]
fn equal_texts_end_as_two_bubbles_whatever_the_order() {
    let mut thread = Thread::default();
    thread.write("k1".into(), "ok".into());
    thread.write("k2".into(), "ok".into());
    // The stream brings both before either answer; then the answers in reverse.
    thread.receive(mine(1, "ok"), None);
    thread.receive(mine(2, "ok"), None);
    thread.receive(mine(2, "ok"), Some("k2"));
    thread.receive(mine(1, "ok"), Some("k1"));

    assert_eq!(
        log(&thread),
        [
            (Some(1), "ok", Delivery::Sent),
            (Some(2), "ok", Delivery::Sent)
        ]
    );
}

#[test]
fn a_message_whose_answer_was_lost_is_sent_once_the_stream_shows_it() {
    let mut thread = Thread::default();
    thread.write("k1".into(), "Hello".into());
    // The relay stored k1 as seq 1, but the answer was lost.
    thread.failed("k1");
    assert!(!thread.receive(mine(1, "Hello"), None));
    assert_eq!(log(&thread), [(Some(1), "Hello", Delivery::Sent)]);
    assert_eq!(thread.retry("k1"), None, "nothing left to retry");
}

#[test]
fn a_lost_answer_then_an_equal_text_then_the_retry() {
    let mut thread = Thread::default();
    thread.write("k1".into(), "ok".into());
    // The relay stored k1 as seq 1, but the answer was lost.
    thread.failed("k1");
    thread.write("k2".into(), "ok".into());
    thread.retry("k1");
    // k1 is the oldest bubble with that text: it takes seq 1.
    thread.receive(mine(1, "ok"), None);
    thread.receive(mine(2, "ok"), Some("k2"));
    thread.receive(mine(1, "ok"), Some("k1")); // the relay answers k1's first copy

    assert_eq!(
        log(&thread),
        [
            (Some(1), "ok", Delivery::Sent),
            (Some(2), "ok", Delivery::Sent)
        ]
    );
}

#[test]
fn others_messages_are_new_once_and_kept_in_seq_order() {
    let mut thread = Thread::default();
    assert!(thread.receive(theirs(3, "third"), None));
    assert!(thread.receive(theirs(1, "first"), None));
    assert!(!thread.receive(theirs(3, "third"), None));
    thread.write("k".into(), "mine".into());
    assert!(thread.receive(theirs(2, "second"), None));

    assert_eq!(
        log(&thread),
        [
            (Some(1), "first", Delivery::Sent),
            (Some(2), "second", Delivery::Sent),
            (Some(3), "third", Delivery::Sent),
            (None, "mine", Delivery::Sending),
        ]
    );
}

#[test]
fn failing_and_retrying_keep_the_key() {
    let mut thread = Thread::default();
    thread.write("k1".into(), "Hello".into());
    assert_eq!(thread.retry("k1"), None, "only a failed message is retried");
    thread.failed("k1");
    assert_eq!(log(&thread), [(None, "Hello", Delivery::Failed)]);
    assert_eq!(thread.retry("k1").as_deref(), Some("Hello"));
    assert_eq!(log(&thread), [(None, "Hello", Delivery::Sending)]);
    thread.receive(mine(4, "Hello"), Some("k1"));
    thread.failed("k1");
    assert_eq!(log(&thread), [(Some(4), "Hello", Delivery::Sent)]);
}

#[test]
fn a_reset_keeps_only_what_is_still_on_its_way() {
    let mut thread = Thread::default();
    thread.receive(theirs(1, "old"), None);
    thread.write("k".into(), "new".into());
    thread.reset();
    assert_eq!(log(&thread), [(None, "new", Delivery::Sending)]);
    // The new conversation numbers from 1 again.
    assert!(thread.receive(theirs(1, "welcome"), None));
    assert_eq!(thread.entries().len(), 2);
}
