//! Message counts from the network journal (maelstrom.md §5.4 `:net`).
//!
//! A history does not contain them: the runner counts every message it routes
//! and hands the totals to the checker. `analyze` on a history alone has none.

/// Counts for one class of traffic.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NetCounts {
    /// Messages handed to the network (dropped ones included).
    pub send_count: u64,
    /// Messages delivered to their destination.
    pub recv_count: u64,
    /// Distinct messages (by network id) seen in either event.
    pub msg_count: u64,
}

/// `:all`, `:clients` (src or dest starts with `c`) and `:servers` (the rest).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NetStats {
    pub all: NetCounts,
    pub clients: NetCounts,
    pub servers: NetCounts,
}
