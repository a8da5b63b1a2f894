//! The network, as Maelstrom's `net.clj` runs it, as pure code (maelstrom.md §5.1).
//!
//! Every registered id (node, client, service) has a queue ordered by (delivery
//! deadline, message id). `send` stamps a global message id, computes the deadline (now,
//! or now + one latency draw when neither end is a client), counts the message and
//! queues it. Delivery to one destination is serial, as in Maelstrom, where one thread
//! per destination polls the earliest message, checks the partition table *at that
//! moment*, sleeps until the deadline and delivers. Here that thread is the
//! destination's *head*: the message it has dequeued and is waiting to deliver. The head
//! is taken as soon as the destination is free (at a send into an empty queue, or right
//! after the previous delivery), a partitioned message is dropped at that moment, and a
//! message with an earlier deadline that arrives meanwhile waits behind the head.
//!
//! Nothing here reads a clock: every call is handed `now_ns` (nanoseconds since the run
//! began), and latency draws come from a seeded RNG. The process-mode runner and the
//! simulation drive this same code; only where `now_ns` comes from differs.
//!
//! Bodies travel as `Box<RawValue>`: the bytes a node printed are the bytes the next node
//! reads. The first [`JOURNAL_MESSAGES_MAX`] messages are also journaled (ids, ends,
//! times, the body clipped) for the Lamport diagram; Maelstrom draws the first 10,000
//! journal events, and a send and a receive are two events.
//!
//! Left out: message loss (`p-loss` is 0 in Maelstrom and no flag changes it) and the
//! journal's files (`net-journal/*.fressian`).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use rand::rngs::StdRng;
use serde_json::value::RawValue;

use crate::grudge::Grudge;
use crate::latency::Latency;

/// How many messages the journal keeps, from the first one sent.
pub const JOURNAL_MESSAGES_MAX: usize = 20_000;
/// How much of each journaled body is kept, in bytes.
pub const JOURNAL_BODY_BYTES_MAX: usize = 400;

/// A registered id's index in the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EndpointId(pub u32);

/// What kind of party an id names; clients are `util/client?`: the id starts with `c`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Node,
    Client,
    Service,
}

/// `util/client?` (maelstrom.md §1.1): an id whose first character is `c`.
pub fn is_client(id: &str) -> bool {
    id.starts_with('c')
}

/// FNV-1a: ids are short strings we make ourselves, so the default hasher's protection
/// against adversarial keys buys nothing, and every message costs two lookups.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for byte in bytes {
            hash = (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;
type FastSet<T> = HashSet<T, BuildHasherDefault<Fnv>>;

/// One message in flight or delivered.
#[derive(Debug)]
pub struct Message {
    /// The global id, from 0, in send order.
    pub id: u64,
    pub src: EndpointId,
    pub dest: EndpointId,
    pub body: Box<RawValue>,
}

/// Why `send` refused a message: Maelstrom's `validate-msg` assertion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SendError {
    UnknownSource(String),
    UnknownDestination(String),
}

impl std::fmt::Display for SendError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SendError::UnknownSource(id) => {
                write!(formatter, "src {id:?} is not registered on the network")
            }
            SendError::UnknownDestination(id) => {
                write!(formatter, "dest {id:?} is not registered on the network")
            }
        }
    }
}

impl std::error::Error for SendError {}

/// Sends, receives and distinct messages for one class of traffic (maelstrom.md §5.4).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub send_count: u64,
    pub recv_count: u64,
    /// Distinct message ids: every message is sent once, so this equals `send_count`.
    pub msg_count: u64,
}

/// `:clients` (src or dest is a client) and `:servers` (everything else).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Traffic {
    pub clients: Counts,
    pub servers: Counts,
}

/// One journaled message (times in ns since the run began).
#[derive(Clone, Debug, PartialEq)]
pub struct JournalEntry {
    pub id: u64,
    pub src: Arc<str>,
    pub dest: Arc<str>,
    pub sent_ns: u64,
    /// `None`: dropped by a partition, or still in flight when the run ended.
    pub received_ns: Option<u64>,
    /// The body's `type` (empty when it has none).
    pub kind: String,
    /// The body, clipped to [`JOURNAL_BODY_BYTES_MAX`].
    pub body: String,
}

/// The first messages of the run; `truncated` once the bound stopped recording.
#[derive(Clone, Debug, Default)]
pub struct Journal {
    pub entries: Vec<JournalEntry>,
    pub truncated: bool,
}

struct Queued {
    deadline_ns: u64,
    message: Message,
}

impl Queued {
    fn key(&self) -> (u64, u64) {
        (self.deadline_ns, self.message.id)
    }
}

impl PartialEq for Queued {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}
impl Eq for Queued {}
impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Queued {
    /// Reversed, so that `BinaryHeap` (a max-heap) pops the earliest deadline first;
    /// ties go to the lower message id, i.e. send order.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.key().cmp(&self.key())
    }
}

struct Endpoint {
    name: Arc<str>,
    class: Class,
    registered: bool,
    queue: BinaryHeap<Queued>,
    /// The message this destination's delivery "thread" has dequeued and waits to deliver.
    head: Option<Queued>,
}

/// The whole network: registry, queues, partitions, latency, counters, journal.
pub struct Network {
    endpoints: Vec<Endpoint>,
    registered: FastMap<Arc<str>, EndpointId>,
    /// One entry per destination whose head waits: (deadline, message id, dest). Stale
    /// entries (a destination unregistered meanwhile) are skipped when they surface.
    heads: BinaryHeap<Reverse<(u64, u64, EndpointId)>>,
    /// (dest, src) pairs a partition cuts. Only nodes ever appear (maelstrom.md §5.2).
    cut: FastSet<(EndpointId, EndpointId)>,
    latency: Latency,
    latency_rng: StdRng,
    next_message_id: u64,
    next_client_number: u64,
    traffic: Traffic,
    journal: Journal,
}

impl std::fmt::Debug for Network {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Network")
            .field("endpoints", &self.endpoints.len())
            .field("next_message_id", &self.next_message_id)
            .finish_non_exhaustive()
    }
}

impl Network {
    pub fn new(latency: Latency, latency_rng: StdRng) -> Network {
        Network {
            endpoints: Vec::new(),
            registered: FastMap::default(),
            heads: BinaryHeap::new(),
            cut: FastSet::default(),
            latency,
            latency_rng,
            next_message_id: 0,
            next_client_number: 0,
            traffic: Traffic::default(),
            journal: Journal::default(),
        }
    }

    /// Registers `name`; it can send and receive until [`Network::unregister`].
    pub fn register(&mut self, name: &str, class: Class) -> EndpointId {
        assert!(
            !self.registered.contains_key(name),
            "{name} is registered twice"
        );
        let id = EndpointId(u32::try_from(self.endpoints.len()).expect("fewer than 2^32 ids"));
        let name: Arc<str> = Arc::from(name);
        self.endpoints.push(Endpoint {
            name: name.clone(),
            class,
            registered: true,
            queue: BinaryHeap::new(),
            head: None,
        });
        self.registered.insert(name, id);
        id
    }

    /// Opens a client: the next id of one global counter, `c0`, `c1`, ... (maelstrom.md §1.1).
    pub fn open_client(&mut self) -> EndpointId {
        let name = format!("c{}", self.next_client_number);
        self.next_client_number += 1;
        self.register(&name, Class::Client)
    }

    /// Removes `id`: later messages to or from it are refused, queued ones are dropped.
    pub fn unregister(&mut self, id: EndpointId) {
        let endpoint = &mut self.endpoints[id.0 as usize];
        if !endpoint.registered {
            return;
        }
        endpoint.registered = false;
        endpoint.queue.clear();
        endpoint.head = None;
        self.registered.remove(&endpoint.name);
    }

    /// The id of a registered name.
    pub fn lookup(&self, name: &str) -> Option<EndpointId> {
        self.registered.get(name).copied()
    }

    pub fn name(&self, id: EndpointId) -> &Arc<str> {
        &self.endpoints[id.0 as usize].name
    }

    pub fn class(&self, id: EndpointId) -> Class {
        self.endpoints[id.0 as usize].class
    }

    /// Sends one message at `now_ns`. Both ends must be registered, as Maelstrom asserts.
    pub fn send(
        &mut self,
        src: &str,
        dest: &str,
        body: Box<RawValue>,
        now_ns: u64,
    ) -> Result<u64, SendError> {
        let Some(src_id) = self.lookup(src) else {
            return Err(SendError::UnknownSource(src.to_string()));
        };
        let Some(dest_id) = self.lookup(dest) else {
            return Err(SendError::UnknownDestination(dest.to_string()));
        };
        Ok(self.send_between(src_id, dest_id, body, now_ns))
    }

    /// [`Network::send`] for ids already looked up (and registered).
    pub fn send_between(
        &mut self,
        src: EndpointId,
        dest: EndpointId,
        body: Box<RawValue>,
        now_ns: u64,
    ) -> u64 {
        assert!(
            self.endpoints[src.0 as usize].registered && self.endpoints[dest.0 as usize].registered,
            "send_between is only called for registered ids"
        );
        let id = self.next_message_id;
        self.next_message_id += 1;
        let client_traffic = self.is_client_traffic(src, dest);
        let counts = self.counts_mut(client_traffic);
        counts.send_count += 1;
        counts.msg_count += 1;
        let delay_ns = if client_traffic {
            0
        } else {
            self.latency.draw_ms(&mut self.latency_rng) * 1_000_000
        };
        self.journal_send(id, src, dest, &body, now_ns);
        let queued = Queued {
            deadline_ns: now_ns + delay_ns,
            message: Message {
                id,
                src,
                dest,
                body,
            },
        };
        self.endpoints[dest.0 as usize].queue.push(queued);
        if self.endpoints[dest.0 as usize].head.is_none() {
            self.take_head(dest);
        }
        id
    }

    /// Replaces the partition table (a nemesis start) or clears it (an empty grudge, a heal).
    /// Messages already dequeued are delivered regardless, as in Maelstrom.
    pub fn set_partitions(&mut self, grudge: &Grudge) {
        self.cut.clear();
        for (dest, sources) in grudge {
            let Some(dest) = self.lookup(dest) else {
                continue;
            };
            for src in sources {
                if let Some(src) = self.lookup(src) {
                    self.cut.insert((dest, src));
                }
            }
        }
    }

    /// When the next message is due for delivery, if any is waiting.
    pub fn next_delivery_ns(&mut self) -> Option<u64> {
        while let Some(Reverse((deadline_ns, id, dest))) = self.heads.peek().copied() {
            if self.is_current_head(dest, id) {
                return Some(deadline_ns);
            }
            self.heads.pop();
        }
        None
    }

    /// Delivers the earliest message due at or before `now_ns`, if any, and lets its
    /// destination take its next head at `now_ns`.
    pub fn deliver(&mut self, now_ns: u64) -> Option<Message> {
        loop {
            let Reverse((deadline_ns, id, dest)) = *self.heads.peek()?;
            if !self.is_current_head(dest, id) {
                self.heads.pop();
                continue;
            }
            if deadline_ns > now_ns {
                return None;
            }
            self.heads.pop();
            let queued = self.endpoints[dest.0 as usize]
                .head
                .take()
                .expect("a current head exists");
            let message = queued.message;
            let client_traffic = self.is_client_traffic(message.src, message.dest);
            self.counts_mut(client_traffic).recv_count += 1;
            if let Some(entry) = self.journal.entries.get_mut(message.id as usize) {
                entry.received_ns = Some(now_ns);
            }
            self.take_head(dest);
            return Some(message);
        }
    }

    /// The counts so far.
    pub fn traffic(&self) -> Traffic {
        self.traffic
    }

    /// How many messages have been sent so far.
    pub fn messages_sent(&self) -> u64 {
        self.next_message_id
    }

    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// The delivery "thread" of `dest` dequeues its next message now: a message
    /// whose link is cut right now is dropped and the next one is tried (maelstrom.md §5.1).
    fn take_head(&mut self, dest: EndpointId) {
        debug_assert!(self.endpoints[dest.0 as usize].head.is_none());
        while let Some(queued) = self.endpoints[dest.0 as usize].queue.pop() {
            if !self.cut.is_empty() && self.cut.contains(&(dest, queued.message.src)) {
                continue;
            }
            self.heads
                .push(Reverse((queued.deadline_ns, queued.message.id, dest)));
            self.endpoints[dest.0 as usize].head = Some(queued);
            return;
        }
    }

    fn is_current_head(&self, dest: EndpointId, id: u64) -> bool {
        self.endpoints[dest.0 as usize]
            .head
            .as_ref()
            .is_some_and(|head| head.message.id == id)
    }

    fn is_client_traffic(&self, src: EndpointId, dest: EndpointId) -> bool {
        self.class(src) == Class::Client || self.class(dest) == Class::Client
    }

    fn counts_mut(&mut self, client_traffic: bool) -> &mut Counts {
        if client_traffic {
            &mut self.traffic.clients
        } else {
            &mut self.traffic.servers
        }
    }

    fn journal_send(
        &mut self,
        id: u64,
        src: EndpointId,
        dest: EndpointId,
        body: &RawValue,
        now_ns: u64,
    ) {
        if self.journal.entries.len() >= JOURNAL_MESSAGES_MAX {
            self.journal.truncated = true;
            return;
        }
        debug_assert_eq!(
            self.journal.entries.len() as u64,
            id,
            "journal index = message id"
        );
        let clipped = clip(body.get(), JOURNAL_BODY_BYTES_MAX);
        let kind = serde_json::from_str::<Typed>(body.get())
            .ok()
            .and_then(|typed| typed.kind)
            .unwrap_or_default();
        self.journal.entries.push(JournalEntry {
            id,
            src: self.name(src).clone(),
            dest: self.name(dest).clone(),
            sent_ns: now_ns,
            received_ns: None,
            kind,
            body: clipped,
        });
    }
}

/// A body's `type`, the one field the journal reads.
#[derive(serde::Deserialize)]
struct Typed {
    #[serde(rename = "type")]
    kind: Option<String>,
}

/// `text` cut at a character boundary at most `bytes_max` bytes in, marked with `…`.
fn clip(text: &str, bytes_max: usize) -> String {
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
    use rand::SeedableRng;

    use super::*;
    use crate::latency::LatencyDist;

    fn raw(text: &str) -> Box<RawValue> {
        RawValue::from_string(text.to_string()).expect("valid JSON")
    }

    fn network(latency_ms: u64) -> Network {
        let latency = Latency::new(latency_ms, LatencyDist::Constant).expect("constant latency");
        Network::new(latency, StdRng::seed_from_u64(1))
    }

    const MS: u64 = 1_000_000;

    /// maelstrom.md §1.1: src and dest must both be registered (`validate-msg`).
    #[test]
    fn messages_to_or_from_unknown_ids_are_refused() {
        let mut net = network(0);
        let n0 = net.register("n0", Class::Node);
        assert_eq!(
            net.send("n0", "c9", raw("{}"), 0),
            Err(SendError::UnknownDestination("c9".into()))
        );
        assert_eq!(
            net.send("n9", "n0", raw("{}"), 0),
            Err(SendError::UnknownSource("n9".into()))
        );
        net.unregister(n0);
        assert!(net.send("n0", "n0", raw("{}"), 0).is_err());
    }

    /// maelstrom.md §1.1: client ids come from one global counter.
    #[test]
    fn clients_are_numbered_from_c0() {
        let mut net = network(0);
        let first = net.open_client();
        let second = net.open_client();
        assert_eq!(&**net.name(first), "c0");
        assert_eq!(&**net.name(second), "c1");
        assert_eq!(net.class(second), Class::Client);
    }

    /// maelstrom.md §5.1: client links have no latency; server links wait the latency.
    #[test]
    fn only_links_between_non_clients_are_delayed() {
        let mut net = network(100);
        net.register("n0", Class::Node);
        net.register("n1", Class::Node);
        net.open_client();
        net.send("c0", "n0", raw("1"), 0).expect("registered");
        assert_eq!(
            net.deliver(0).map(|m| m.body.get().to_string()),
            Some("1".into())
        );
        net.send("n1", "n0", raw("2"), 0).expect("registered");
        assert_eq!(net.next_delivery_ns(), Some(100 * MS));
        assert!(net.deliver(99 * MS).is_none());
        assert!(net.deliver(100 * MS).is_some());
        let traffic = net.traffic();
        assert_eq!(
            (traffic.clients.send_count, traffic.servers.send_count),
            (1, 1)
        );
    }

    /// maelstrom.md §5.1: a partitioned link drops silently at dequeue; the send still
    /// counts, and a message dequeued before the partition began is still delivered.
    #[test]
    fn partitions_drop_at_dequeue_and_dropped_messages_count_as_sent() {
        let mut net = network(100);
        net.register("n0", Class::Node);
        net.register("n1", Class::Node);
        net.send("n1", "n0", raw("\"early\""), 0)
            .expect("registered"); // the head, dequeued now
        net.send("n1", "n0", raw("\"late\""), 0)
            .expect("registered"); // waits behind it
        let mut grudge = Grudge::new();
        grudge.insert("n0".into(), ["n1".to_string()].into_iter().collect());
        net.set_partitions(&grudge);
        let early = net.deliver(100 * MS).expect("dequeued before the cut");
        assert_eq!(early.body.get(), "\"early\"");
        assert_eq!(
            net.next_delivery_ns(),
            None,
            "the second was dropped at dequeue"
        );
        net.set_partitions(&Grudge::new());
        net.send("n1", "n0", raw("\"healed\""), 200 * MS)
            .expect("registered");
        assert_eq!(net.deliver(300 * MS).map(|m| m.id), Some(2));
        let servers = net.traffic().servers;
        assert_eq!(
            (servers.send_count, servers.recv_count, servers.msg_count),
            (3, 2, 3)
        );
        let journal = net.journal();
        assert_eq!(journal.entries[1].received_ns, None, "dropped");
        assert_eq!(journal.entries[2].received_ns, Some(300 * MS));
    }

    /// maelstrom.md §5.1: delivery to one destination is serial: a message with an
    /// earlier deadline that arrives while the head waits is delivered after it.
    #[test]
    fn a_later_message_with_an_earlier_deadline_waits_behind_the_head() {
        let mut net = network(100);
        net.register("n0", Class::Node);
        net.register("n1", Class::Node);
        net.open_client();
        net.send("n1", "n0", raw("\"slow\""), 0)
            .expect("registered");
        net.send("c0", "n0", raw("\"client\""), 10 * MS)
            .expect("registered");
        assert!(net.deliver(50 * MS).is_none(), "the client message waits");
        let order: Vec<String> = std::iter::from_fn(|| net.deliver(100 * MS))
            .map(|m| m.body.get().to_string())
            .collect();
        assert_eq!(order, ["\"slow\"", "\"client\""]);
    }

    /// maelstrom.md §5.1: one destination's queue is ordered by (deadline, id).
    #[test]
    fn queued_messages_leave_in_deadline_then_send_order() {
        let mut net = network(0);
        net.register("n0", Class::Node);
        net.register("n1", Class::Node);
        for text in ["1", "2", "3"] {
            net.send("n1", "n0", raw(text), 5).expect("registered");
        }
        let order: Vec<u64> = std::iter::from_fn(|| net.deliver(5))
            .map(|m| m.id)
            .collect();
        assert_eq!(order, [0, 1, 2]);
    }

    #[test]
    fn unregistering_drops_what_was_queued_for_the_id() {
        let mut net = network(100);
        let n0 = net.register("n0", Class::Node);
        net.register("n1", Class::Node);
        net.send("n1", "n0", raw("1"), 0).expect("registered");
        net.unregister(n0);
        assert_eq!(net.next_delivery_ns(), None);
        assert!(net.deliver(u64::MAX).is_none());
    }

    #[test]
    fn the_journal_clips_bodies_and_stops_at_its_bound() {
        let mut net = network(0);
        net.register("n0", Class::Node);
        let long = format!("\"{}\"", "é".repeat(JOURNAL_BODY_BYTES_MAX));
        net.send("n0", "n0", raw(&long), 0).expect("registered");
        let body = &net.journal().entries[0].body;
        assert!(
            body.len() <= JOURNAL_BODY_BYTES_MAX + '…'.len_utf8(),
            "{}",
            body.len()
        );
        assert!(body.ends_with('…'));
        for _ in 1..=JOURNAL_MESSAGES_MAX {
            net.send("n0", "n0", raw("1"), 0).expect("registered");
            net.deliver(0);
        }
        assert_eq!(net.journal().entries.len(), JOURNAL_MESSAGES_MAX);
        assert!(net.journal().truncated);
    }
}
