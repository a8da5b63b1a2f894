//! A map from keys to numbers that only grow, which remembers the order of its
//! changes so that a peer can be sent just what changed since it last confirmed.
//!
//! The committed offsets are one: any node takes a commit, and every node must
//! come to know it. Committed offsets only ever grow, so merging two copies is
//! taking the larger value per key, and a change applied twice, or out of
//! order, does no harm: a grow-only register per key, the simplest of the CRDTs.
//! No leader is needed for them, unlike for offsets.
//!
//! Every change gets the next *version*, and the map keeps an index from
//! version to key. [`VersionedMax::changes_since`] walks that index: what a peer
//! needs, given the last version it confirmed, costs as many steps as there
//! were changes, not as many as there are keys. When a key changes again its
//! old version is dropped from the index, so the index holds one version per key.

use std::collections::BTreeMap;

/// What [`VersionedMax::changes_since`] hands out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Key → its current value, for every key in the batch.
    pub values: BTreeMap<String, u64>,
    /// Every change up to this version is in the batch: what the receiver
    /// confirms once it has them.
    pub version: u64,
}

/// Grow-only numbers by key, with the order of their changes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VersionedMax {
    /// Key → (value, version of its last change).
    entries: BTreeMap<String, (u64, u64)>,
    /// Version of a change → the key it changed (one entry per key).
    changes: BTreeMap<u64, String>,
    /// The version of the latest change; 0 before any.
    version: u64,
}

impl VersionedMax {
    /// The key's value, if it has one.
    pub fn get(&self, key: &str) -> Option<u64> {
        self.entries.get(key).map(|(value, _)| *value)
    }

    /// The version of the latest change.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Sets `key` to `value` if that is larger than what it holds (or it holds
    /// nothing); returns whether it changed.
    pub fn raise(&mut self, key: &str, value: u64) -> bool {
        if self.get(key).is_some_and(|held| held >= value) {
            return false;
        }
        self.version += 1;
        let previous = self.entries.insert(key.to_string(), (value, self.version));
        if let Some((_, old_version)) = previous {
            self.changes.remove(&old_version);
        }
        self.changes.insert(self.version, key.to_string());
        true
    }

    /// The keys changed after version `seen`, oldest change first, at most
    /// `max` of them, with the version a receiver may confirm.
    pub fn changes_since(&self, seen: u64, max: usize) -> Changes {
        assert!(max > 0, "a batch has room for at least one change");
        let mut values = BTreeMap::new();
        let mut version = seen.min(self.version);
        let mut pending = self.changes.range(seen + 1..);
        for (changed_at, key) in pending.by_ref().take(max) {
            values.insert(key.clone(), self.entries[key].0);
            version = *changed_at;
        }
        if pending.next().is_none() {
            // Everything up to now is in the batch, so confirming it says so.
            version = self.version;
        }
        Changes { values, version }
    }

    /// Every key with its value, in key order.
    #[cfg(test)]
    pub fn iter(&self) -> impl Iterator<Item = (&String, u64)> {
        self.entries.iter().map(|(key, (value, _))| (key, *value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_only_grow_and_only_growth_is_a_change() {
        let mut map = VersionedMax::default();
        assert!(map.raise("a", 3));
        assert!(!map.raise("a", 3));
        assert!(!map.raise("a", 1));
        assert!(map.raise("a", 4));
        assert_eq!(map.get("a"), Some(4));
        assert_eq!(map.get("b"), None);
        assert_eq!(map.version(), 2);
    }

    #[test]
    fn a_peer_gets_each_key_changed_since_it_confirmed_once_with_its_latest_value() {
        let mut map = VersionedMax::default();
        map.raise("a", 1); // version 1
        map.raise("b", 5); // version 2
        map.raise("a", 2); // version 3
        let all = map.changes_since(0, 10);
        assert_eq!(
            all.values,
            BTreeMap::from([("a".to_string(), 2), ("b".to_string(), 5)])
        );
        assert_eq!(all.version, 3);
        let after_b = map.changes_since(2, 10);
        assert_eq!(after_b.values, BTreeMap::from([("a".to_string(), 2)]));
        assert_eq!(after_b.version, 3);
        let nothing = map.changes_since(3, 10);
        assert!(nothing.values.is_empty());
        assert_eq!(nothing.version, 3);
    }

    #[test]
    fn a_batch_cut_short_confirms_only_the_changes_it_carries() {
        let mut map = VersionedMax::default();
        for (key, value) in [("a", 1), ("b", 1), ("c", 1)] {
            map.raise(key, value);
        }
        let first = map.changes_since(0, 2);
        assert_eq!(first.values.len(), 2);
        assert_eq!(first.version, 2, "c (version 3) is not in the batch");
        let rest = map.changes_since(first.version, 2);
        assert_eq!(rest.values, BTreeMap::from([("c".to_string(), 1)]));
        assert_eq!(rest.version, 3);
    }

    #[test]
    fn merging_in_any_order_gives_the_same_map() {
        let updates = [("a", 3), ("b", 1), ("a", 1), ("c", 9), ("b", 4)];
        let mut forward = VersionedMax::default();
        let mut backward = VersionedMax::default();
        for (key, value) in updates {
            forward.raise(key, value);
        }
        for (key, value) in updates.iter().rev() {
            backward.raise(key, *value);
        }
        let values =
            |map: &VersionedMax| map.iter().map(|(k, v)| (k.clone(), v)).collect::<Vec<_>>();
        assert_eq!(values(&forward), values(&backward));
    }
}
