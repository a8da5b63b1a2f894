//! The simulated network (maelstrom-spec §5.1), exactly as Maelstrom's `net.clj` does it.
//!
//! Every registered id (node, client, service) owns a [`Mailbox`]: a priority queue
//! ordered by delivery deadline. `send` stamps a global message id, computes the
//! deadline (now, or now + one latency draw when neither end is a client) and queues
//! the envelope. One delivery task per destination takes the earliest envelope,
//! checks the partition table *at that moment* (a dropped message leaves no trace but
//! its send), sleeps until the deadline and hands it to the destination's [`Sink`].
//!
//! Bodies travel as `Box<RawValue>`: the bytes a node printed are the bytes the next
//! node reads, never decoded and re-encoded. Counting is a handful of atomics.
//!
//! Left out: message loss (`p-loss` is always 0 in Maelstrom) and the journal files.

use std::cmp::Ordering as CmpOrdering;
use std::collections::{BTreeMap, BinaryHeap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use maelstrom_checker::{NetCounts, NetStats};
use rand::rngs::StdRng;
use serde_json::value::RawValue;
use tokio::io::AsyncWriteExt;
use tokio::sync::{mpsc, Notify};
use tokio::time::Instant;

use crate::model::{Grudge, Latency};

/// One message as a destination receives it.
#[derive(Debug)]
pub struct Delivered {
    pub id: u64,
    pub src: Arc<str>,
    pub body: Box<RawValue>,
}

/// Why `send` refused a message: Maelstrom's `validate-msg` assertion.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("src {0:?} is not registered on the network")]
    UnknownSource(String),
    #[error("dest {0:?} is not registered on the network")]
    UnknownDestination(String),
}

/// Where a destination's delivery task puts messages.
#[derive(Debug)]
pub enum Sink {
    /// A node's stdin: one JSON line per message, flushed when the queue is idle.
    Process(tokio::io::BufWriter<tokio::process::ChildStdin>),
    /// A client or a service: an in-process channel.
    Channel(mpsc::UnboundedSender<Delivered>),
}

struct Queued {
    deadline: Instant,
    message: Delivered,
}

impl PartialEq for Queued {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == CmpOrdering::Equal
    }
}
impl Eq for Queued {}
impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<CmpOrdering> {
        Some(self.cmp(other))
    }
}
impl Ord for Queued {
    /// Reversed, so that `BinaryHeap` (a max-heap) pops the earliest deadline first;
    /// ties go to the lower message id, i.e. send order.
    fn cmp(&self, other: &Self) -> CmpOrdering {
        (other.deadline, other.message.id).cmp(&(self.deadline, self.message.id))
    }
}

/// One destination's queue.
#[derive(Default)]
struct Mailbox {
    queue: Mutex<BinaryHeap<Queued>>,
    /// `notify_one` keeps a permit when the delivery task is busy, so a wake-up is never lost.
    wake: Notify,
    closed: AtomicBool,
}

/// Send and receive events per traffic class (`:net`, maelstrom-spec §5.4).
#[derive(Default)]
struct Counters {
    client_sends: AtomicU64,
    client_recvs: AtomicU64,
    server_sends: AtomicU64,
    server_recvs: AtomicU64,
}

/// The whole network: registry, partitions, latency and counters.
pub struct Network {
    mailboxes: RwLock<BTreeMap<Arc<str>, Arc<Mailbox>>>,
    next_message_id: AtomicU64,
    latency: Latency,
    /// Skips the rng lock on every message when the latency is constant 0 (the default).
    zero_latency: bool,
    latency_rng: Mutex<StdRng>,
    /// dest → srcs it drops. Only test nodes ever appear here.
    partitions: RwLock<Grudge>,
    any_partition: AtomicBool,
    counters: Counters,
    next_client_number: AtomicU64,
}

impl std::fmt::Debug for Network {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("Network").finish_non_exhaustive()
    }
}

/// `util/client?`: an id whose first character is `c`.
pub fn is_client(id: &str) -> bool {
    id.starts_with('c')
}

impl Network {
    pub fn new(latency: Latency, zero_latency: bool, latency_rng: StdRng) -> Arc<Network> {
        Arc::new(Network {
            mailboxes: RwLock::default(),
            next_message_id: AtomicU64::new(0),
            latency,
            zero_latency,
            latency_rng: Mutex::new(latency_rng),
            partitions: RwLock::default(),
            any_partition: AtomicBool::new(false),
            counters: Counters::default(),
            next_client_number: AtomicU64::new(0),
        })
    }

    /// The next client id: `c0`, `c1`, ... from one global counter (maelstrom-spec §1.1).
    pub fn next_client_id(&self) -> String {
        format!(
            "c{}",
            self.next_client_number.fetch_add(1, Ordering::Relaxed)
        )
    }

    /// Registers `id` and starts its delivery task, which runs until [`Network::unregister`].
    pub fn register(self: &Arc<Self>, id: &str, sink: Sink) -> tokio::task::JoinHandle<()> {
        let id: Arc<str> = Arc::from(id);
        let mailbox = Arc::new(Mailbox::default());
        self.mailboxes
            .write()
            .expect("network registry lock poisoned")
            .insert(id.clone(), mailbox.clone());
        let network = self.clone();
        tokio::spawn(async move { network.deliver_loop(id, mailbox, sink).await })
    }

    /// Removes `id`: later messages to or from it are refused, queued ones are dropped.
    pub fn unregister(&self, id: &str) {
        let removed = self
            .mailboxes
            .write()
            .expect("network registry lock poisoned")
            .remove(id);
        if let Some(mailbox) = removed {
            mailbox.closed.store(true, Ordering::Release);
            mailbox.wake.notify_one();
        }
    }

    /// Sends one message. Both ends must be registered, as Maelstrom asserts.
    pub fn send(&self, src: &str, dest: &str, body: Box<RawValue>) -> Result<(), SendError> {
        let (src, mailbox) = {
            let registry = self
                .mailboxes
                .read()
                .expect("network registry lock poisoned");
            let Some((src, _)) = registry.get_key_value(src) else {
                return Err(SendError::UnknownSource(src.to_string()));
            };
            let Some(mailbox) = registry.get(dest) else {
                return Err(SendError::UnknownDestination(dest.to_string()));
            };
            (src.clone(), mailbox.clone())
        };
        let id = self.next_message_id.fetch_add(1, Ordering::Relaxed);
        let client_traffic = is_client(&src) || is_client(dest);
        let counter = if client_traffic {
            &self.counters.client_sends
        } else {
            &self.counters.server_sends
        };
        counter.fetch_add(1, Ordering::Relaxed);
        let deadline = Instant::now() + self.link_delay(client_traffic);
        let message = Delivered { id, src, body };
        mailbox
            .queue
            .lock()
            .expect("mailbox lock poisoned")
            .push(Queued { deadline, message });
        mailbox.wake.notify_one();
        Ok(())
    }

    /// Client links are instantaneous; every other link draws from the latency distribution.
    fn link_delay(&self, client_traffic: bool) -> std::time::Duration {
        if client_traffic || self.zero_latency {
            return std::time::Duration::ZERO;
        }
        let mut rng = self.latency_rng.lock().expect("latency rng lock poisoned");
        std::time::Duration::from_millis(self.latency.draw_ms(&mut rng))
    }

    /// Replaces the partition table (a nemesis start) or clears it (`Grudge::new()`, a heal).
    pub fn set_partitions(&self, grudge: Grudge) {
        let any = grudge.values().any(|sources| !sources.is_empty());
        *self.partitions.write().expect("partition lock poisoned") = grudge;
        self.any_partition.store(any, Ordering::Release);
    }

    fn is_dropped(&self, src: &str, dest: &str) -> bool {
        if !self.any_partition.load(Ordering::Acquire) {
            return false;
        }
        let partitions = self.partitions.read().expect("partition lock poisoned");
        partitions
            .get(dest)
            .is_some_and(|sources| sources.contains(src))
    }

    /// The `:net` counts so far. Every received message was sent, so distinct ids = sends.
    pub fn stats(&self) -> NetStats {
        let counts = |sends: &AtomicU64, recvs: &AtomicU64| {
            let send_count = sends.load(Ordering::Relaxed);
            NetCounts {
                send_count,
                recv_count: recvs.load(Ordering::Relaxed),
                msg_count: send_count,
            }
        };
        let clients = counts(&self.counters.client_sends, &self.counters.client_recvs);
        let servers = counts(&self.counters.server_sends, &self.counters.server_recvs);
        let all = NetCounts {
            send_count: clients.send_count + servers.send_count,
            recv_count: clients.recv_count + servers.recv_count,
            msg_count: clients.msg_count + servers.msg_count,
        };
        NetStats {
            all,
            clients,
            servers,
        }
    }

    /// One destination's receive loop (process.clj's stdin thread, or a client's queue).
    async fn deliver_loop(&self, dest: Arc<str>, mailbox: Arc<Mailbox>, mut sink: Sink) {
        let mut line = Vec::with_capacity(256);
        loop {
            if mailbox.closed.load(Ordering::Acquire) {
                return;
            }
            let next = mailbox.queue.lock().expect("mailbox lock poisoned").pop();
            let Some(Queued { deadline, message }) = next else {
                if sink.flush().await.is_err() {
                    return;
                }
                mailbox.wake.notified().await;
                continue;
            };
            // The partition is checked at dequeue, before the sleep (maelstrom-spec §5.1).
            if self.is_dropped(&message.src, &dest) {
                continue;
            }
            if deadline > Instant::now() {
                if sink.flush().await.is_err() {
                    return;
                }
                tokio::time::sleep_until(deadline).await;
            }
            let client_traffic = is_client(&message.src) || is_client(&dest);
            let counter = if client_traffic {
                &self.counters.client_recvs
            } else {
                &self.counters.server_recvs
            };
            counter.fetch_add(1, Ordering::Relaxed);
            if sink.deliver(&dest, message, &mut line).await.is_err() {
                // The process is gone or the client closed: the run's supervisor reports it.
                return;
            }
        }
    }
}

impl Sink {
    async fn deliver(
        &mut self,
        dest: &str,
        message: Delivered,
        line: &mut Vec<u8>,
    ) -> std::io::Result<()> {
        match self {
            Sink::Process(stdin) => {
                line.clear();
                write_envelope(line, message.id, &message.src, dest, &message.body);
                stdin.write_all(line).await
            }
            Sink::Channel(sender) => sender.send(message).map_err(|_| {
                std::io::Error::new(std::io::ErrorKind::BrokenPipe, "receiver closed")
            }),
        }
    }

    async fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Process(stdin) => stdin.flush().await,
            Sink::Channel(_) => Ok(()),
        }
    }
}

/// `{"id":N,"src":..,"dest":..,"body":..}` + newline, the body's bytes copied as they are.
pub fn write_envelope(line: &mut Vec<u8>, id: u64, src: &str, dest: &str, body: &RawValue) {
    use std::io::Write;
    // Writing into a Vec cannot fail, and ids are plain strings that serde_json escapes.
    let _ = write!(line, "{{\"id\":{id},\"src\":");
    let _ = serde_json::to_writer(&mut *line, src);
    line.extend_from_slice(b",\"dest\":");
    let _ = serde_json::to_writer(&mut *line, dest);
    line.extend_from_slice(b",\"body\":");
    line.extend_from_slice(body.get().as_bytes());
    line.extend_from_slice(b"}\n");
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;
    use crate::model::LatencyDist;

    fn raw(text: &str) -> Box<RawValue> {
        RawValue::from_string(text.to_string()).expect("valid JSON")
    }

    fn network(latency_ms: u64) -> Arc<Network> {
        let latency =
            Latency::new(latency_ms, LatencyDist::Constant).expect("constant latency is valid");
        Network::new(latency, latency_ms == 0, StdRng::seed_from_u64(1))
    }

    fn inbox(network: &Arc<Network>, id: &str) -> mpsc::UnboundedReceiver<Delivered> {
        let (sender, receiver) = mpsc::unbounded_channel();
        drop(network.register(id, Sink::Channel(sender)));
        receiver
    }

    /// maelstrom-spec §1.1: nodes read `{"id":N,"src":..,"dest":..,"body":..}` with the body untouched.
    #[test]
    fn envelopes_carry_the_body_bytes_unchanged() {
        let mut line = Vec::new();
        write_envelope(
            &mut line,
            7,
            "c1",
            "n0",
            &raw(r#"{"type":"echo", "echo":"a\"b"}"#),
        );
        let expected = "{\"id\":7,\"src\":\"c1\",\"dest\":\"n0\",\"body\":{\"type\":\"echo\", \"echo\":\"a\\\"b\"}}\n";
        assert_eq!(String::from_utf8(line).expect("utf-8"), expected);
    }

    /// maelstrom-spec §1.1: src and dest must both be registered (`validate-msg`).
    #[tokio::test]
    async fn messages_to_or_from_unknown_ids_are_refused() {
        let network = network(0);
        let _n0 = inbox(&network, "n0");
        assert!(matches!(
            network.send("n0", "c9", raw("{}")),
            Err(SendError::UnknownDestination(_))
        ));
        assert!(matches!(
            network.send("n9", "n0", raw("{}")),
            Err(SendError::UnknownSource(_))
        ));
        network.unregister("n0");
        assert!(matches!(
            network.send("n0", "n0", raw("{}")),
            Err(SendError::UnknownSource(_))
        ));
    }

    /// maelstrom-spec §5.1: a partitioned link drops silently at dequeue; the send still counts.
    #[tokio::test]
    async fn partitioned_messages_are_dropped_but_counted_as_sent() {
        let network = network(0);
        let mut n0 = inbox(&network, "n0");
        let _n1 = inbox(&network, "n1");
        let mut grudge = crate::model::Grudge::new();
        grudge.insert("n0".into(), ["n1".to_string()].into_iter().collect());
        network.set_partitions(grudge);
        network
            .send("n1", "n0", raw(r#"{"dropped":true}"#))
            .expect("registered");
        // The partition must still be in place when the delivery task dequeues the message.
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        network.set_partitions(crate::model::Grudge::new());
        network
            .send("n1", "n0", raw(r#"{"dropped":false}"#))
            .expect("registered");
        let delivered = n0.recv().await.expect("the second message arrives");
        assert_eq!(delivered.body.get(), r#"{"dropped":false}"#);
        assert_eq!(delivered.id, 1, "ids are global and start at 0");
        let stats = network.stats();
        assert_eq!(
            (
                stats.servers.send_count,
                stats.servers.recv_count,
                stats.servers.msg_count
            ),
            (2, 1, 2)
        );
        assert_eq!(stats.clients.send_count, 0);
    }

    /// maelstrom-spec §5.1: client links have no latency; server links wait the latency.
    #[tokio::test]
    async fn only_server_links_are_delayed() {
        let network = network(300);
        let mut n0 = inbox(&network, "n0");
        let _n1 = inbox(&network, "n1");
        let _c0 = inbox(&network, "c0");
        let started = Instant::now();
        network.send("c0", "n0", raw("1")).expect("registered");
        n0.recv().await.expect("delivered");
        assert!(
            started.elapsed() < std::time::Duration::from_millis(200),
            "client traffic is immediate"
        );
        network.send("n1", "n0", raw("2")).expect("registered");
        n0.recv().await.expect("delivered");
        assert!(
            started.elapsed() >= std::time::Duration::from_millis(300),
            "server traffic waits the latency"
        );
    }
}
