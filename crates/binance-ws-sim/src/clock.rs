//! The exchange's clock: wall time, shiftable by tests to simulate client clock skew.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Wall-clock epoch milliseconds.
pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// The exchange's time per server instance: wall time plus that instance's skew.
#[derive(Debug, Default)]
pub struct Clock {
    skew_ms: AtomicI64,
}

impl Clock {
    /// Server time in epoch ms.
    pub fn now_ms(&self) -> u64 {
        (now_ms() as i64 + self.skew_ms.load(Ordering::Relaxed)).max(0) as u64
    }

    /// Moves the server clock by `ms` relative to wall time (positive: the server runs ahead).
    pub fn set_skew_ms(&self, ms: i64) {
        self.skew_ms.store(ms, Ordering::Relaxed);
    }
}
