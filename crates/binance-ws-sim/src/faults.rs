//! Fault injection: what a test can make the exchange do to its clients, and a log of what it did,
//! so that a test can match what the client saw with what was done.

use std::collections::BTreeMap;
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
    /// Close each live connection this long from now, as when it reaches the server's connection lifetime
    /// (Binance: 24 h): API connections with a close frame, stream connections with 1001 "Connection lifetime
    /// exceeded". The sooner of this and any earlier limit wins.
    Lifetime(Duration),
}

impl ConnFault {
    /// Its kind, for counting.
    pub fn kind(&self) -> FaultKind {
        match self {
            ConnFault::Drop => FaultKind::Drop,
            ConnFault::Stall(_) => FaultKind::Stall,
            ConnFault::Malformed => FaultKind::Malformed,
            ConnFault::ServerShutdown => FaultKind::ServerShutdown,
            ConnFault::SkipDepthUpdate => FaultKind::Gap,
            ConnFault::Lifetime(_) => FaultKind::Lifetime,
        }
    }
}

/// What kind of fault a record is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FaultKind {
    /// Connections dropped without a close frame.
    Drop,
    /// Connections silent for a while.
    Stall,
    /// A frame that is not JSON.
    Malformed,
    /// `serverShutdown` announced.
    ServerShutdown,
    /// A depth update left out (a sequence gap).
    Gap,
    /// Connections closed early, as at the end of their lifetime.
    Lifetime,
    /// New connections refused.
    Refuse,
    /// API replies held back.
    Delay,
    /// Connections dropped after a number of frames.
    DropAfterFrames,
    /// A connection dropped by the exchange because its client fell too far behind (not injected).
    SlowConsumer,
}

impl std::fmt::Display for FaultKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self, f)
    }
}

/// One entry of the fault log: a fault injected, or what it did to one connection.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultRecord {
    /// Server time in epoch ms.
    pub time_ms: u64,
    /// The connection it hit (0: the whole server).
    pub connection: u64,
    /// Its kind.
    pub kind: FaultKind,
    /// True for the injection itself (one per [`Faults::inject`], [`Faults::refuse_connections`], ...); false
    /// for what it did to a connection, or for lifting it again.
    pub injected: bool,
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
        self.injected(fault.kind(), format!("inject {fault:?}"));
        let _ = self.live.send(fault);
    }

    /// Refuses new connections until `now + for_`.
    pub fn refuse_connections(&self, for_: Duration) {
        let until = crate::clock::now_ms() + for_.as_millis() as u64;
        self.refuse_until_ms.store(until, Ordering::Relaxed);
        self.injected(FaultKind::Refuse, format!("refuse connections for {for_:?}"));
    }

    /// Delays every WebSocket API reply by `delay`; zero lifts the delay (logged, not counted as a fault).
    pub fn delay_replies(&self, delay: Duration) {
        self.reply_delay_ms.store(delay.as_millis() as u64, Ordering::Relaxed);
        if delay.is_zero() {
            self.record(0, FaultKind::Delay, "reply delay lifted".into());
        } else {
            self.injected(FaultKind::Delay, format!("delay replies by {delay:?}"));
        }
    }

    /// Drops each new connection after it has sent `n` frames (0: never).
    pub fn drop_after_frames(&self, n: u64) {
        self.drop_after_frames.store(n, Ordering::Relaxed);
        self.injected(FaultKind::DropAfterFrames, format!("drop connections after {n} frames"));
    }

    /// What has been done so far.
    pub fn log(&self) -> Vec<FaultRecord> {
        self.log.lock().clone()
    }

    /// How many faults of each kind were injected (kinds never injected are absent).
    pub fn counts(&self) -> BTreeMap<FaultKind, u64> {
        let mut counts = BTreeMap::new();
        for r in self.log.lock().iter().filter(|r| r.injected) {
            *counts.entry(r.kind).or_insert(0) += 1;
        }
        counts
    }

    /// How many faults of `kind` were injected.
    pub fn count(&self, kind: FaultKind) -> u64 {
        self.log.lock().iter().filter(|r| r.injected && r.kind == kind).count() as u64
    }

    /// The reply delay in force, if any.
    pub fn reply_delay(&self) -> Option<Duration> {
        match self.reply_delay_ms.load(Ordering::Relaxed) {
            0 => None,
            ms => Some(Duration::from_millis(ms)),
        }
    }

    fn injected(&self, kind: FaultKind, what: String) {
        tracing::info!(%kind, %what, "fault injected");
        self.push(FaultRecord { time_ms: crate::clock::now_ms(), connection: 0, kind, injected: true, what });
    }

    /// Logs what a fault did to `connection` (0: the server as a whole).
    pub(crate) fn record(&self, connection: u64, kind: FaultKind, what: String) {
        tracing::info!(connection, %kind, %what, "fault");
        self.push(FaultRecord { time_ms: crate::clock::now_ms(), connection, kind, injected: false, what });
    }

    fn push(&self, r: FaultRecord) {
        self.log.lock().push(r);
    }

    pub(crate) fn refusing(&self) -> bool {
        crate::clock::now_ms() < self.refuse_until_ms.load(Ordering::Relaxed)
    }

    pub(crate) fn frame_budget(&self) -> Option<u64> {
        match self.drop_after_frames.load(Ordering::Relaxed) {
            0 => None,
            n => Some(n),
        }
    }
}
