use super::*;

fn set(values: impl IntoIterator<Item = u64>) -> BTreeSet<u64> {
    values.into_iter().collect()
}

#[test]
fn a_run_with_holes_is_two_numbers_per_range() {
    let digest = Digest::of(&set((0..=411).chain(413..=980)));
    assert_eq!(digest.ranges, [[0, 411], [413, 980]]);
    assert_eq!(digest.through, None);
    assert!(digest.is_well_formed());
    assert_eq!(Digest::of(&set([])), Digest::default());
    assert_eq!(
        serde_json::to_string(&digest).expect("a digest serializes"),
        r#"{"ranges":[[0,411],[413,980]]}"#
    );
}

/// The difference is exact, whatever the two sets are.
#[test]
fn missing_values_are_exactly_the_difference() {
    let theirs = set((0..100).filter(|value| value % 7 != 3));
    let ours = set((50..150).filter(|value| value % 5 != 0));
    let digest = Digest::of(&theirs);
    let expected: Vec<u64> = ours.difference(&theirs).copied().collect();
    assert_eq!(digest.missing_from(&ours, usize::MAX), expected);
    assert_eq!(digest.missing_from(&ours, 3), expected[..3]);
    assert_eq!(digest.missing_from(&theirs, usize::MAX), Vec::<u64>::new());
}

/// Too many holes: the digest covers a prefix exactly, stays within its
/// bound, and says nothing about what lies beyond.
#[test]
fn a_set_with_too_many_holes_is_described_up_to_a_point() {
    let evens = set((0..10_000).map(|value| value * 2));
    let digest = Digest::of(&evens);
    assert_eq!(digest.ranges.len(), DIGEST_RANGES_MAX);
    let through = digest.through.expect("cut short");
    assert_eq!(through, 2 * DIGEST_RANGES_MAX as u64 - 1);
    assert!(digest.is_well_formed());
    assert_eq!(digest.has(through - 1), Some(true));
    assert_eq!(digest.has(through), Some(false));
    assert_eq!(digest.has(through + 1), None);
    let everything = set(0..20_000);
    let missing = digest.missing_from(&everything, usize::MAX);
    assert_eq!(
        missing.len(),
        DIGEST_RANGES_MAX,
        "only the odd values below `through`"
    );
    let bytes = serde_json::to_string(&Digest::of(&set((0..10_000).map(|v| u64::MAX - 2 * v))))
        .expect("a digest serializes")
        .len();
    assert!(bytes <= DIGEST_BYTES_MAX, "{bytes} > {DIGEST_BYTES_MAX}");
}

/// A window that starts past a settled point: the next round of a catch-up.
#[test]
fn a_digest_above_a_point_describes_only_the_values_beyond_it() {
    let evens = set((0..10_000).map(|value| value * 2));
    let first = Digest::of(&evens);
    let next = Digest::above(&evens, first.through);
    assert_eq!(next.after, first.through);
    assert_eq!(next.ranges[0], [512, 512]);
    assert_eq!(next.ranges.len(), DIGEST_RANGES_MAX);
    assert!(next.is_well_formed());
    assert_eq!(next.has(2), None, "settled already");
    assert_eq!(next.has(513), Some(false));
    let everything = set(0..20_000);
    let missing = next.missing_from(&everything, usize::MAX);
    assert_eq!(missing.first(), Some(&513));
    assert!(missing.iter().all(|value| next.covers(*value)));
    let nothing_above = Digest::above(&evens, Some(u64::MAX));
    assert_eq!(nothing_above.ranges, Vec::<[u64; 2]>::new());
    assert!(nothing_above.is_well_formed());
}

#[test]
fn the_largest_values_are_described_without_overflow() {
    let digest = Digest::of(&set([u64::MAX - 1, u64::MAX]));
    assert_eq!(digest.ranges, [[u64::MAX - 1, u64::MAX]]);
    assert_eq!(digest.has(u64::MAX), Some(true));
    assert_eq!(digest.has(0), Some(false));
    assert!(digest.is_well_formed());
}

/// Ranges out of order, overlapping, reversed or outside the window come from a
/// broken sender; none of them panics a lookup.
#[test]
fn malformed_digests_are_recognised_and_never_panic() {
    let malformed = [
        Digest {
            ranges: vec![[5, 3]],
            ..Digest::default()
        },
        Digest {
            ranges: vec![[0, 5], [5, 9]],
            ..Digest::default()
        },
        Digest {
            ranges: vec![[0, 5], [6, 9]],
            ..Digest::default()
        },
        Digest {
            ranges: vec![[10, 20], [0, 5]],
            ..Digest::default()
        },
        Digest {
            ranges: vec![[0, 5]],
            through: Some(4),
            ..Digest::default()
        },
        Digest {
            ranges: vec![[0, u64::MAX], [3, 4]],
            ..Digest::default()
        },
        Digest {
            ranges: vec![[0, 5]],
            after: Some(0),
            ..Digest::default()
        },
        Digest {
            ranges: vec![],
            after: Some(9),
            through: Some(3),
        },
    ];
    for digest in malformed {
        assert!(!digest.is_well_formed(), "{digest:?}");
        for value in [0, 3, 5, 7, 25, u64::MAX] {
            let _ = digest.has(value);
        }
        let _ = digest.missing_from(&set(0..30), 10);
    }
}
