//! Fault injection: what a test can make the exchange do to its clients, and a log of what it did,
//! so that a test can match what the client saw with what was done.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use parking_lot::Mutex;
use tokio::sync::broadcast;

/// A fault applied to live connections.
#[derive(Debug, Clone, PartialEq)]
pub enum ConnFault {
    /// Drop the TCP connection at once, without a close frame.
    Drop,
    /// Stay open but send nothing (no replies, no pings, no events) for this long.
    Stall(Duration),
    /// Send one frame that is not valid JSON.
    Malformed,
    /// Send the `serverShutdown` event (and keep serving until the client leaves).
    ServerShutdown,
    /// Stream connections leave out their next depth diff: a sequence gap.
    SkipDepthUpdate,
}

/// One fault that was applied.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultRecord {
    /// Server time in epoch ms.
    pub time_ms: u64,
    /// The connection it hit (0: the whole server).
    pub connection: u64,
    /// What was done.
    pub what: String,
}

/// Faults in force and the record of those applied.
pub struct Faults {
    pub(crate) live: broadcast::Sender<ConnFault>,
    refuse_until_ms: AtomicU64,
    reply_delay_ms: AtomicU64,
    drop_after_frames: AtomicU64,
    log: Mutex<Vec<FaultRecord>>,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            live: broadcast::channel(64).0,
            refuse_until_ms: AtomicU64::new(0),
            reply_delay_ms: AtomicU64::new(0),
            drop_after_frames: AtomicU64::new(0),
            log: Mutex::new(Vec::new()),
        }
    }
}

impl Faults {
    /// Applies `fault` to every live connection.
    pub fn inject(&self, fault: ConnFault) {
        self.record(0, format!("inject {fault:?}"));
        let _ = self.live.send(fault);
    }

    /// Refuses new connections until `now + for_`.
    pub fn refuse_connections(&self, for_: Duration) {
        let until = crate::clock::now_ms() + for_.as_millis() as u64;
        self.refuse_until_ms.store(until, Ordering::Relaxed);
        self.record(0, format!("refuse connections for {for_:?}"));
    }

    /// Delays every WebSocket API reply by `delay` (zero: no delay).
    pub fn delay_replies(&self, delay: Duration) {
        self.reply_delay_ms.store(delay.as_millis() as u64, Ordering::Relaxed);
        self.record(0, format!("delay replies by {delay:?}"));
    }

    /// Drops each new connection after it has sent `n` frames (0: never).
    pub fn drop_after_frames(&self, n: u64) {
        self.drop_after_frames.store(n, Ordering::Relaxed);
        self.record(0, format!("drop connections after {n} frames"));
    }

    /// What has been done so far.
    pub fn log(&self) -> Vec<FaultRecord> {
        self.log.lock().clone()
    }

    pub(crate) fn record(&self, connection: u64, what: String) {
        tracing::info!(connection, %what, "fault");
        self.log.lock().push(FaultRecord { time_ms: crate::clock::now_ms(), connection, what });
    }

    pub(crate) fn refusing(&self) -> bool {
        crate::clock::now_ms() < self.refuse_until_ms.load(Ordering::Relaxed)
    }

    pub(crate) fn reply_delay(&self) -> Option<Duration> {
        match self.reply_delay_ms.load(Ordering::Relaxed) {
            0 => None,
            ms => Some(Duration::from_millis(ms)),
        }
    }

    pub(crate) fn frame_budget(&self) -> Option<u64> {
        match self.drop_after_frames.load(Ordering::Relaxed) {
            0 => None,
            n => Some(n),
        }
    }
}
