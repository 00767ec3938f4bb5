//! The web chat's messages as the widget holds them: read from what the chat transport
//! (`static/loader/chat.js`) hands over, merged by seq, with the visitor's own messages waiting
//! for the relay's answer. Pure, so the host tests pin every merge.
//!
//! One message can reach the widget three ways — the answer to its POST, the history, the live
//! stream — in any order, and across relays behind a load balancer nothing orders them: the seq
//! is the only identity. A visitor's message is shown at once under its client key and takes
//! its seq from whichever copy comes first.

use ferry_wire::{ChatAuthor, ConversationState, RefKind};

use crate::config::Source;
use crate::refs::new_ref;

/// A message of the conversation as the transport passes it on: the wire's `ChatMessage` plus
/// `time`, its `at` on the visitor's clock.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Incoming {
    pub seq: i64,
    pub author: ChatAuthor,
    pub text: String,
    pub time: String,
    pub channel: String,
}

/// Reads a message; `None` for anything malformed (the transport drops nothing itself).
pub(crate) fn read_message<S: Source>(value: &S) -> Option<Incoming> {
    let text = |key| value.field(key)?.string();
    Some(Incoming {
        seq: value.field("seq")?.number().filter(|n| n.fract() == 0.0)? as i64,
        author: match text("author")?.as_str() {
            "visitor" => ChatAuthor::Visitor,
            "operator" => ChatAuthor::Operator,
            "system" => ChatAuthor::System,
            _ => return None,
        },
        text: text("text")?,
        time: text("time").unwrap_or_default(),
        channel: text("channel").unwrap_or_default(),
    })
}

/// Reads the live stream's `conversation` event.
pub(crate) fn read_state<S: Source>(value: &S) -> Option<ConversationState> {
    let text = |key| value.field(key)?.string();
    Some(ConversationState {
        channel: text("channel")?,
        status: text("status")?,
        link: text("link"),
    })
}

/// A fresh client key: 128 random bits, link-safe as the relay requires of client keys.
pub(crate) fn client_key(fill: impl FnOnce(&mut [u8])) -> String {
    new_ref(RefKind::Token, fill)
}

/// Where one of the visitor's messages stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delivery {
    /// Written, the relay has not answered yet.
    Sending,
    /// The relay has it (or anyone else's message, which only arrives once stored).
    Sent,
    /// No answer or a refusal: the visitor may retry with the same key.
    Failed,
}

/// One bubble of the log.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    /// Stable for the bubble's life, so the view keeps its element (and screen readers do not
    /// hear it twice) when the seq arrives.
    pub id: u32,
    pub seq: Option<i64>,
    /// The client key of a message written here.
    pub key: Option<String>,
    pub author: ChatAuthor,
    pub text: String,
    pub time: String,
    pub channel: String,
    pub delivery: Delivery,
}

/// The log: messages in seq order, then the visitor's messages still without a seq, in the
/// order written.
#[derive(Debug, Default)]
pub(crate) struct Thread {
    entries: Vec<Entry>,
    ids: u32,
}

impl Thread {
    pub(crate) fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub(crate) fn get(&self, id: u32) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// The visitor wrote `text`; it is sent under `key`.
    pub(crate) fn write(&mut self, key: String, text: String) {
        self.ids += 1;
        self.entries.push(Entry {
            id: self.ids,
            seq: None,
            key: Some(key),
            author: ChatAuthor::Visitor,
            text,
            time: String::new(),
            channel: String::new(),
            delivery: Delivery::Sending,
        });
    }

    /// The message sent under `key` did not go.
    pub(crate) fn failed(&mut self, key: &str) {
        if let Some(e) = self.by_key(key).filter(|e| e.delivery == Delivery::Sending) {
            e.delivery = Delivery::Failed;
        }
    }

    /// Retry: the failed message under `key` goes again; its text, if it was failed.
    pub(crate) fn retry(&mut self, key: &str) -> Option<String> {
        let e = self
            .by_key(key)
            .filter(|e| e.delivery == Delivery::Failed)?;
        e.delivery = Delivery::Sending;
        Some(e.text.clone())
    }

    /// A message arrived, as the answer to the visitor's message sent under `key` or from the
    /// history or the stream. Returns whether it is a message the log did not show before.
    pub(crate) fn receive(&mut self, m: Incoming, key: Option<&str>) -> bool {
        let mut waiting = key.and_then(|k| self.position(|e| e.key.as_deref() == Some(k)));
        // A bubble matched by its text to an earlier copy already stands for another message
        // (two equal texts); it keeps that one and this answer gets a bubble of its own.
        if let Some(i) = waiting.filter(|&i| self.entries[i].seq.is_some_and(|s| s != m.seq)) {
            self.entries[i].key = None;
            waiting = None;
        }
        if let Some(shown) = self.position(|e| e.seq == Some(m.seq)) {
            let mut shown = shown;
            if let Some(w) = waiting.filter(|&w| w != shown) {
                self.entries.remove(w);
                shown -= usize::from(w < shown);
            }
            let e = &mut self.entries[shown];
            if key.is_some() {
                e.key = key.map(str::to_owned);
            }
            settle(e, m);
            return false;
        }
        // The stream's copy of the visitor's own message may beat the POST's answer, or come
        // after an answer that was lost (the bubble says Not sent): it is the oldest bubble
        // without a seq and with that text (sends go one at a time, in order).
        let echo = (key.is_none() && m.author == ChatAuthor::Visitor)
            .then(|| {
                self.position(|e| {
                    e.seq.is_none() && e.delivery != Delivery::Sent && e.text == m.text
                })
            })
            .flatten();
        let (mut entry, new) = match waiting.or(echo) {
            Some(i) => (self.entries.remove(i), false),
            None => {
                self.ids += 1;
                let entry = Entry {
                    id: self.ids,
                    seq: None,
                    key: key.map(str::to_owned),
                    author: m.author,
                    text: m.text.clone(),
                    time: String::new(),
                    channel: String::new(),
                    delivery: Delivery::Sent,
                };
                (entry, true)
            }
        };
        let seq = m.seq;
        settle(&mut entry, m);
        // After every lower seq, before every higher one and before the messages still
        // without a seq, which keep the order they were written in.
        let at = self.position(|e| e.seq.is_none_or(|s| s > seq));
        self.entries.insert(at.unwrap_or(self.entries.len()), entry);
        new
    }

    /// The conversation is gone: only the messages still on their way stay, to be sent in the
    /// next one.
    pub(crate) fn reset(&mut self) {
        self.entries.retain(|e| e.seq.is_none());
    }

    fn position(&self, pred: impl Fn(&Entry) -> bool) -> Option<usize> {
        self.entries.iter().position(pred)
    }

    fn by_key(&mut self, key: &str) -> Option<&mut Entry> {
        self.entries
            .iter_mut()
            .find(|e| e.key.as_deref() == Some(key))
    }
}

fn settle(e: &mut Entry, m: Incoming) {
    e.seq = Some(m.seq);
    e.time = m.time;
    e.channel = m.channel;
    e.delivery = Delivery::Sent;
}

#[cfg(test)]
#[path = "thread_tests.rs"]
mod tests;
