//! Which leaders answer: a circuit breaker per peer, so that sends for keys
//! led across a partition fail at once instead of each waiting out
//! [`crate::node::FORWARD_TIMEOUT`].
//!
//! A Maelstrom client runs one operation at a time, so a send that waits a
//! second for a leader that cannot answer holds its client for that second;
//! with a quarter of the operations doing so, a partition would stall most of
//! the workload. So once a forward to a peer times out, the peer counts as
//! *down*: the next send for a key it leads is forwarded as a *probe*, and
//! while that probe is out every other such send is refused with error 11
//! (temporarily-unavailable). That error is definite, and rightly so: a
//! refused send was never forwarded, so the leader cannot have it. Anything
//! heard from the peer (a replicate, a forwarded send, an answer) counts it
//! as up again. This is the "half-open" state of the circuit-breaker pattern,
//! with one probe at a time.
//!
//! Left out: timing the probes. A probe goes out with the first send after the
//! last one failed, which under Maelstrom's load is within milliseconds.

use std::collections::BTreeMap;

/// Whether a send may be forwarded to its leader now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permit {
    /// The leader is up, or this send is the probe that finds out.
    Forward,
    /// The leader is down and a probe is already out: refuse, do not forward.
    Refuse,
}

/// The peers currently believed down, and whether a probe to each is out.
#[derive(Debug, Default)]
pub struct Reach {
    down: BTreeMap<String, bool>,
}

impl Reach {
    /// Asks to forward a send to `leader`; a probe is marked as out.
    pub fn permit(&mut self, leader: &str) -> Permit {
        match self.down.get_mut(leader) {
            None => Permit::Forward,
            Some(probe_out) if !*probe_out => {
                *probe_out = true;
                Permit::Forward
            }
            Some(_) => Permit::Refuse,
        }
    }

    /// A forward to `peer` got no answer in time: the peer is down, and any
    /// probe to it is over.
    pub fn timed_out(&mut self, peer: &str) {
        self.down.insert(peer.to_string(), false);
    }

    /// Something arrived from `peer`: it is up.
    pub fn heard_from(&mut self, peer: &str) {
        self.down.remove(peer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peer_is_up_until_a_forward_to_it_times_out() {
        let mut reach = Reach::default();
        assert_eq!(reach.permit("n1"), Permit::Forward);
        assert_eq!(reach.permit("n1"), Permit::Forward);
        reach.timed_out("n1");
        assert_eq!(reach.permit("n1"), Permit::Forward, "the probe");
        assert_eq!(reach.permit("n1"), Permit::Refuse, "the probe is out");
        assert_eq!(
            reach.permit("n2"),
            Permit::Forward,
            "other peers are not affected"
        );
    }

    #[test]
    fn a_failed_probe_allows_the_next_one_and_any_word_from_the_peer_ends_it_all() {
        let mut reach = Reach::default();
        reach.timed_out("n1");
        assert_eq!(reach.permit("n1"), Permit::Forward);
        reach.timed_out("n1"); // the probe got no answer either
        assert_eq!(reach.permit("n1"), Permit::Forward, "the next probe");
        assert_eq!(reach.permit("n1"), Permit::Refuse);
        reach.heard_from("n1");
        assert_eq!(reach.permit("n1"), Permit::Forward);
        assert_eq!(reach.permit("n1"), Permit::Forward);
    }
}
