//! Which node leads each key: the only node that hands out the key's offsets.
//!
//! Kafka gives every partition one leader, and only the leader appends to it:
//! that is what makes a partition's offsets grow in the order its messages
//! were acknowledged, whoever sent them. Here a key plays the partition, and its
//! leader is fixed by the key's name: FNV-1a of its bytes, modulo the number of
//! nodes, an index into Maelstrom's node list. Every node computes the same
//! answer from `init` alone, so no node ever needs to be told who leads what.
//!
//! FNV-1a, not Rust's `DefaultHasher`: the standard library does not promise
//! that its hash stays the same across releases, and a leader that changed with
//! the compiler would make a stored run impossible to explain later.
//!
//! Left out: moving leadership. A Kafka cluster elects a new leader when one
//! dies; Maelstrom never kills a node, so the map never changes.

/// FNV-1a's 64-bit offset basis and prime.
const FNV_OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The index, in a list of `node_count` nodes, of the node that leads `key`.
pub fn leader_index(key: &str, node_count: usize) -> usize {
    assert!(node_count > 0, "a cluster has at least one node");
    let hash = key.bytes().fold(FNV_OFFSET_BASIS, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(FNV_PRIME)
    });
    (hash % node_count as u64) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_1a_matches_its_published_test_vectors() {
        // From the FNV reference (Fowler, Noll, Vo): "" and "a".
        let hash = |text: &str| {
            text.bytes().fold(FNV_OFFSET_BASIS, |hash, byte| {
                (hash ^ u64::from(byte)).wrapping_mul(FNV_PRIME)
            })
        };
        assert_eq!(hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(hash("a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn one_node_leads_everything_and_two_share_the_workloads_keys() {
        assert_eq!(leader_index("anything", 1), 0);
        let keys: Vec<String> = (0..200).map(|key| key.to_string()).collect();
        let led_by_n0 = keys.iter().filter(|key| leader_index(key, 2) == 0).count();
        assert!(
            (70..=130).contains(&led_by_n0),
            "{led_by_n0} of 200 keys on n0"
        );
        for key in &keys {
            assert_eq!(leader_index(key, 3), leader_index(key, 3), "stable");
            assert!(leader_index(key, 3) < 3);
        }
    }
}
