//! The message journal: every message the network carried, as the runner records it.
//!
//! Maelstrom journals a `:send` and a `:recv` event per message (maelstrom.md §5.1,
//! `net/journal.clj`) and draws `messages.svg` from them. Here one record holds both
//! ends of a message: the send time, and the receive time if it arrived. A message a
//! partition dropped has no receive, exactly as in Maelstrom, where a drop leaves no
//! trace but its send.
//!
//! Both the journal and each body are bounded ([`JOURNAL_MESSAGES_MAX`],
//! [`BODY_BYTES_MAX`]): a node that floods the network must not exhaust the runner's
//! memory just so a picture can be drawn. Left out: the fressian files Maelstrom
//! writes to `net-journal/`.

/// How many messages a journal keeps. A 25-node, 20 s, rate-100 broadcast run
/// carries about 10,000; this leaves room for runs twenty times busier.
pub const JOURNAL_MESSAGES_MAX: usize = 200_000;

/// How many bytes of a body's JSON a record keeps ([`clip_body`]).
pub const BODY_BYTES_MAX: usize = 512;

/// One message the network carried. Times are ns relative to the history's time
/// origin (the start of the main phase; messages before it, such as init and
/// topology, have negative times).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageRecord {
    /// The network's message id: unique within a run.
    pub id: u64,
    pub src: String,
    pub dest: String,
    pub sent_ns: i64,
    /// None: dropped by a partition or never delivered before the run ended.
    pub received_ns: Option<i64>,
    /// The body's `type`.
    pub kind: String,
    /// True for an error body (`"type": "error"`).
    pub error: bool,
    /// The body's JSON, clipped to [`BODY_BYTES_MAX`].
    pub body: String,
}

/// Every message of a run, in the order they were sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Journal {
    pub messages: Vec<MessageRecord>,
    /// True when the runner stopped recording at its bound.
    pub truncated: bool,
}

impl Journal {
    /// Records a message, or marks the journal truncated once it holds
    /// [`JOURNAL_MESSAGES_MAX`]. Returns whether the message was kept.
    pub fn push(&mut self, record: MessageRecord) -> bool {
        if self.messages.len() >= JOURNAL_MESSAGES_MAX {
            self.truncated = true;
            return false;
        }
        self.messages.push(record);
        true
    }
}

/// A body's JSON cut to at most [`BODY_BYTES_MAX`] bytes, at a character boundary,
/// with `…` marking the cut.
pub fn clip_body(json: &str) -> String {
    clip(json, BODY_BYTES_MAX)
}

/// `text` cut to at most `bytes_max` bytes (plus the `…` marking a cut).
pub(crate) fn clip(text: &str, bytes_max: usize) -> String {
    if text.len() <= bytes_max {
        return text.to_string();
    }
    let mut end = bytes_max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A clipped body never splits a character, and says it was cut.
    #[test]
    fn clipping_keeps_whole_characters_and_marks_the_cut() {
        let long = "é".repeat(BODY_BYTES_MAX);
        let clipped = clip_body(&long);
        assert!(clipped.ends_with('…'));
        assert!(clipped.len() <= BODY_BYTES_MAX + '…'.len_utf8());
        assert_eq!(clip_body("{\"type\":\"echo\"}"), "{\"type\":\"echo\"}");
    }

    /// The journal keeps at most its bound and says so when it stops.
    #[test]
    fn a_full_journal_refuses_more_and_marks_itself_truncated() {
        let mut journal = Journal {
            messages: Vec::with_capacity(0),
            truncated: false,
        };
        let record = MessageRecord {
            id: 0,
            src: "c1".into(),
            dest: "n1".into(),
            sent_ns: 0,
            received_ns: Some(0),
            kind: "echo".into(),
            error: false,
            body: "{}".into(),
        };
        journal
            .messages
            .resize(JOURNAL_MESSAGES_MAX - 1, record.clone());
        assert!(journal.push(record.clone()));
        assert!(!journal.truncated);
        assert!(!journal.push(record));
        assert!(journal.truncated);
        assert_eq!(journal.messages.len(), JOURNAL_MESSAGES_MAX);
    }
}
