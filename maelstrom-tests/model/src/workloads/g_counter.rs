//! g-counter (maelstrom.md §3.5, Maelstrom `workload/g_counter.clj`): pn-counter's
//! workload with the negative adds filtered out of the generator.
//!
//! Filtering, rather than drawing from [0, 4] directly, is what Maelstrom does, and it
//! shows in the mix: half the draws are reads and half of the adds are negative, so the
//! ops that survive are about 1/3 adds (delta 0 included) and 2/3 reads. Everything
//! else (requests, replies, the final `:final? true` reads) is pn-counter's.

use maelstrom_checker::Edn;

use super::pn_counter::PnCounter;
use super::Invocation;

/// The g-counter workload.
pub fn g_counter() -> PnCounter {
    PnCounter::filtered("g-counter", is_not_a_negative_add)
}

fn is_not_a_negative_add(invocation: &Invocation) -> bool {
    !matches!(invocation.value, Edn::Int(delta) if invocation.f == "add" && delta < 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workloads::Workload;
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    /// maelstrom.md §3.5: deltas are in [0, 4] and never negative; about 1/3 of the ops
    /// are adds.
    #[test]
    fn g_counter_never_adds_a_negative_delta_and_a_third_of_ops_are_adds() {
        let mut counter = g_counter();
        assert_eq!(counter.name(), "g-counter");
        let rng = &mut StdRng::seed_from_u64(4);
        let ops: Vec<Invocation> = (0..3000)
            .map(|_| counter.next_invocation(0, 0, rng))
            .collect();
        let deltas: Vec<i64> = ops
            .iter()
            .filter_map(|op| match op.value {
                Edn::Int(delta) if op.f == "add" => Some(delta),
                _ => None,
            })
            .collect();
        assert!(
            deltas.iter().all(|delta| (0..=4).contains(delta)),
            "{deltas:?}"
        );
        assert!(deltas.contains(&0), "0 is a possible delta");
        let share = deltas.len() as f64 / ops.len() as f64;
        assert!((0.30..0.37).contains(&share), "add share {share}");
    }
}
