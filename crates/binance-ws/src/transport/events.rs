//! Connection state changes, delivered to the user and logged.

use std::time::Duration;

/// A change of a connection's state.
#[derive(Debug, Clone, PartialEq)]
pub enum ConnectionEvent {
    /// Connected (the first time or after a reconnect).
    Connected {
        /// The endpoint.
        url: String,
        /// 0 for the first connection, then counting up with every replacement.
        generation: u64,
    },
    /// The connection dropped; a reconnect follows after `delay`.
    Reconnecting {
        /// Why it dropped.
        reason: String,
        /// Attempt number, from 1.
        attempt: u32,
        /// Wait before the attempt.
        delay: Duration,
    },
    /// The connection was replaced by a fresh one (lifetime, `serverShutdown`), without a gap.
    Rotated {
        /// Why.
        reason: String,
        /// The generation of the new connection.
        generation: u64,
    },
    /// The connection is closed for good.
    Closed {
        /// Why.
        reason: String,
    },
}
