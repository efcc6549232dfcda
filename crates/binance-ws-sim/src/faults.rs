//! Fault injection: what a test can make the exchange do to its clients, and a log of what it did,
//! so that a test can match what the client saw with what was done.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
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

/// A fault on its way to the connections it is aimed at: one (`to: Some(id)`) or all.
#[derive(Debug, Clone)]
pub(crate) struct Aimed {
    pub to: Option<u64>,
    pub fault: ConnFault,
}

impl Aimed {
    /// Whether connection `id` must apply it.
    pub fn hits(&self, id: u64) -> bool {
        self.to.is_none_or(|to| to == id)
    }
}

/// Which service a connection speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConnKind {
    /// A WebSocket API (`/ws-api/v3`, and the futures APIs `/ws-fapi/v1`, `/ws-dapi/v1`).
    Api,
    /// A stream connection: spot market streams (`/ws`, `/stream`), futures market streams and futures user data
    /// (listenKey) streams.
    Stream,
}

/// A live connection, as [`Faults::live_connections`] lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveConn {
    /// Its number (the `connection` of [`FaultRecord`]s).
    pub id: u64,
    /// Its service.
    pub kind: ConnKind,
    /// When it opened, server epoch ms.
    pub opened_ms: u64,
    /// Who it serves, so that a test can tell its own clients' connections apart: a market stream connection's
    /// streams, sorted and joined by `,`; a futures user data connection's listenKey; an API connection's
    /// logged-on API key (empty before logon).
    pub label: String,
}

/// A depth update a [`ConnFault::SkipDepthUpdate`] left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedUpdate {
    /// Symbol, upper case.
    pub symbol: String,
    /// Its first update id (`U`).
    pub first_update_id: u64,
    /// Its last update id (`u`).
    pub last_update_id: u64,
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
    /// A stream connection closed with 1008 because its client sent more than 5 messages in a second (not
    /// injected: a client whose limiter works never causes one).
    TooManyMessages,
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
    /// The connection it hit (0: the whole server; for an injection, the connection it was aimed at or 0 for all).
    pub connection: u64,
    /// That connection's [`LiveConn::label`] at the time (empty for the whole server).
    pub label: String,
    /// Its kind.
    pub kind: FaultKind,
    /// True for the injection itself (one per [`Faults::inject`], [`Faults::refuse_connections`], ...); false
    /// for what it did to a connection, or for lifting it again.
    pub injected: bool,
    /// What was done.
    pub what: String,
    /// For a gap: the update that was left out.
    pub skipped: Option<SkippedUpdate>,
}

/// Faults in force and the record of those applied.
pub struct Faults {
    /// API connections listen here.
    pub(crate) live: broadcast::Sender<Aimed>,
    refuse_until_ms: AtomicU64,
    reply_delay_ms: AtomicU64,
    drop_after_frames: AtomicU64,
    log: Mutex<Vec<FaultRecord>>,
    conn_ids: AtomicU64,
    connections: Mutex<BTreeMap<u64, LiveConn>>,
    rate_limit_closes: AtomicU64,
}

/// Faults queued per connection before a busy one misses some (a storm aims many at others).
const FAULT_QUEUE: usize = 4096;

impl Default for Faults {
    fn default() -> Self {
        Faults {
            live: broadcast::channel(FAULT_QUEUE).0,
            refuse_until_ms: AtomicU64::new(0),
            reply_delay_ms: AtomicU64::new(0),
            drop_after_frames: AtomicU64::new(0),
            log: Mutex::new(Vec::new()),
            conn_ids: AtomicU64::new(0),
            connections: Mutex::new(BTreeMap::new()),
            rate_limit_closes: AtomicU64::new(0),
        }
    }
}

/// Keeps a connection in [`Faults::live_connections`] until dropped.
pub(crate) struct Registered {
    faults: Arc<Faults>,
    /// The connection's number.
    pub id: u64,
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.faults.connections.lock().remove(&self.id);
    }
}

impl Faults {
    /// Applies `fault` to every live API connection (the stream hubs get it from [`crate::server::SimShared::inject`]).
    pub fn inject(&self, fault: ConnFault) {
        self.injected(fault.kind(), format!("inject {fault:?}"));
        let _ = self.live.send(Aimed { to: None, fault });
    }

    /// Logs an injection aimed at one connection and sends it to the API connections (see
    /// [`crate::server::SimShared::inject_into`]).
    pub(crate) fn inject_into(&self, connection: u64, fault: ConnFault) {
        let label = self.label_of(connection);
        let what = format!("inject {fault:?} into connection {connection}");
        tracing::info!(connection, %what, "fault injected");
        self.push(FaultRecord {
            time_ms: crate::clock::now_ms(),
            connection,
            label,
            kind: fault.kind(),
            injected: true,
            what,
            skipped: None,
        });
        let _ = self.live.send(Aimed { to: Some(connection), fault });
    }

    /// A new connection's number, unique across services.
    pub(crate) fn next_id(&self) -> u64 {
        self.conn_ids.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Lists a new connection until the returned guard is dropped.
    pub(crate) fn register(self: &Arc<Self>, kind: ConnKind) -> Registered {
        let id = self.next_id();
        let conn = LiveConn { id, kind, opened_ms: crate::clock::now_ms(), label: String::new() };
        self.connections.lock().insert(id, conn);
        Registered { faults: self.clone(), id }
    }

    /// Sets a live connection's label.
    pub(crate) fn set_label(&self, id: u64, label: &str) {
        if let Some(c) = self.connections.lock().get_mut(&id) {
            if c.label != label {
                c.label = label.to_string();
            }
        }
    }

    fn label_of(&self, id: u64) -> String {
        self.connections.lock().get(&id).map(|c| c.label.clone()).unwrap_or_default()
    }

    /// The connections open now, by number: every WebSocket API connection and every spot or futures stream
    /// connection (DEX connections are not numbered).
    pub fn live_connections(&self) -> Vec<LiveConn> {
        self.connections.lock().values().cloned().collect()
    }

    /// Logs a stream connection closed with 1008 for sending too many messages.
    pub(crate) fn rate_limit_closed(&self, connection: u64, reason: &str) {
        self.rate_limit_closes.fetch_add(1, Ordering::Relaxed);
        self.record(connection, FaultKind::TooManyMessages, format!("closed with 1008: {reason}"));
    }

    /// Stream connections closed with 1008 because their client sent too many messages (Binance: more than 5
    /// a second): a client whose limiter works never causes one. Each is also in the log
    /// ([`FaultKind::TooManyMessages`]).
    pub fn rate_limit_closes(&self) -> u64 {
        self.rate_limit_closes.load(Ordering::Relaxed)
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
        self.push(FaultRecord {
            time_ms: crate::clock::now_ms(),
            connection: 0,
            label: String::new(),
            kind,
            injected: true,
            what,
            skipped: None,
        });
    }

    /// Logs what a fault did to `connection` (0: the server as a whole).
    pub(crate) fn record(&self, connection: u64, kind: FaultKind, what: String) {
        self.record_skip(connection, kind, what, None);
    }

    /// Like [`Faults::record`], with the depth update a gap left out.
    pub(crate) fn record_skip(&self, connection: u64, kind: FaultKind, what: String, skipped: Option<SkippedUpdate>) {
        tracing::info!(connection, %kind, %what, "fault");
        let label = self.label_of(connection);
        self.push(FaultRecord {
            time_ms: crate::clock::now_ms(),
            connection,
            label,
            kind,
            injected: false,
            what,
            skipped,
        });
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
