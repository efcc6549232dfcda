//! [`BookSync`]: the sync procedure of Binance's "How to manage a local order book correctly", without I/O.
//! Feed it the diff events as they arrive and a snapshot when asked; it says what happened to each.
//!
//! Spot (`web-socket-streams.md`): buffer events; take a snapshot; drop buffered events with
//! `u <= lastUpdateId`; if the first remaining event starts after `lastUpdateId + 1` the snapshot is too old
//! (take another); then apply events while each one's `U <= lastUpdateId + 1`, and an event with `U` past that
//! means missed events: discard the book and start over. (The docs' step 4 reads "lastUpdateId strictly less than
//! U: take another snapshot"; read literally it would also refuse a snapshot ending right before the first event,
//! `U == lastUpdateId + 1`, which the update procedure itself accepts as the normal continuation. Only a real gap
//! between snapshot and stream is refused here.)
//!
//! Futures (USD-M and COIN-M): drop buffered events with `u < lastUpdateId`; the first processed event must have
//! `U <= lastUpdateId <= u`; after it, each event's `pu` must equal the previous event's `u`, or the book is
//! discarded and the procedure starts over.

use std::collections::VecDeque;

use super::levels::{Levels, PriceOutOfRange};
use super::snapshot::Snapshot;
use crate::streams::DepthUpdate;

/// Which of Binance's two update-id rules a diff stream follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SyncRule {
    /// Spot: consecutive events have `U == previous u + 1`.
    #[default]
    Spot,
    /// USD-M and COIN-M futures: each event carries `pu`, the previous event's `u`.
    Futures,
}

/// Why a book was discarded and synced again.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResyncReason {
    /// Spot: an event started past the next update id (`U > lastUpdateId + 1`): events were missed.
    Gap {
        /// The book's update id.
        last_update_id: u64,
        /// The event's first update id (`U`).
        first_update_id: u64,
    },
    /// Futures: an event's `pu` was not the previous event's `u` (or was missing), or the first event after the
    /// snapshot did not cover the snapshot's update id.
    Break {
        /// The book's update id (the previous event's `u`).
        last_update_id: u64,
        /// The event's `pu`.
        prev_final_update_id: Option<u64>,
        /// The event's `U`.
        first_update_id: u64,
    },
    /// The stream connection carrying the book dropped; events were lost.
    Disconnected(String),
    /// The stream connection closed for good.
    Closed(String),
    /// A price could not be stored.
    InvalidLevel(PriceOutOfRange),
    /// Asked for by the user.
    Requested,
}

impl std::fmt::Display for ResyncReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ResyncReason::Gap { last_update_id, first_update_id } => {
                write!(f, "gap: book at {last_update_id}, event starts at {first_update_id}")
            }
            ResyncReason::Break { last_update_id, prev_final_update_id: Some(pu), first_update_id } => {
                write!(f, "break: book at {last_update_id}, event has pu {pu} (U {first_update_id})")
            }
            ResyncReason::Break { last_update_id, prev_final_update_id: None, .. } => {
                write!(f, "break: book at {last_update_id}, event without pu")
            }
            ResyncReason::Disconnected(r) => write!(f, "stream disconnected: {r}"),
            ResyncReason::Closed(r) => write!(f, "stream closed: {r}"),
            ResyncReason::InvalidLevel(e) => write!(f, "{e}"),
            ResyncReason::Requested => f.write_str("requested"),
        }
    }
}

/// What [`BookSync::on_event`] did with an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventOutcome {
    /// Kept until the snapshot arrives.
    Buffered,
    /// Older than the book (`u` at or before its update id): ignored.
    Stale,
    /// Applied; the book is now at `last_update_id`.
    Applied {
        /// The event's `U`.
        first_update_id: u64,
        /// The event's `u`, now the book's update id.
        last_update_id: u64,
    },
    /// The event does not follow the book: the book is discarded, the event is buffered, and a new snapshot is
    /// needed.
    OutOfSync(ResyncReason),
}

/// What [`BookSync::on_snapshot`] did with a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotOutcome {
    /// The book is in sync at `last_update_id`, after applying `applied` buffered events.
    Synced {
        /// The book's update id.
        last_update_id: u64,
        /// Buffered events applied on top of the snapshot.
        applied: usize,
    },
    /// The snapshot is older than the first buffered event (events in between are unknown): take another.
    /// The buffer is kept.
    TooOld {
        /// The snapshot's `lastUpdateId`.
        snapshot: u64,
        /// The first buffered event's `U`.
        first_buffered: u64,
    },
    /// A buffered event did not follow the snapshot or its predecessor: take another snapshot.
    OutOfSync(ResyncReason),
}

/// Where the procedure is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Buffering events until a snapshot arrives.
    AwaitingSnapshot,
    /// In sync. `joined` is false until the first event after the snapshot was checked (futures bracket rule).
    Synced { joined: bool },
}

/// One book kept in sync by Binance's procedure: a [`Levels`] store, its update id, and the events buffered
/// while a snapshot is on its way. No I/O: the caller feeds events and snapshots (see
/// [`BookManager`](super::BookManager) for the one that does it over the network).
///
/// ```
/// use binance_ws::book::{BookSync, EventOutcome, Snapshot, SnapshotOutcome, SyncRule};
/// use binance_ws::streams::{DepthUpdate, Level, LevelList};
/// use binance_ws::model::Decimal;
///
/// let level = |p: i64, q: i64| Level { price: Decimal::new(p, 2), qty: Decimal::from(q) };
/// let event = |first, last| DepthUpdate {
///     event_time: 0, transaction_time: None, symbol: "BTCUSDT".into(), pair: None,
///     first_update_id: first, final_update_id: last, prev_final_update_id: None,
///     bids: vec![level(100_00, last as i64)].into(), asks: LevelList::new(),
/// };
///
/// let mut book = BookSync::new(SyncRule::Spot);
/// assert_eq!(book.on_event(event(11, 12)), EventOutcome::Buffered);
/// assert_eq!(book.on_event(event(13, 15)), EventOutcome::Buffered);
/// let snapshot = Snapshot { last_update_id: 12, bids: vec![level(99_00, 1)], asks: vec![level(101_00, 1)] };
/// // Event 11..=12 is in the snapshot already; 13..=15 is applied on top.
/// assert_eq!(book.on_snapshot(snapshot), SnapshotOutcome::Synced { last_update_id: 15, applied: 1 });
/// assert_eq!(book.levels().best_bid(), Some(level(100_00, 15)));
/// // 18 > 15 + 1: events 16 and 17 were missed.
/// assert!(matches!(book.on_event(event(18, 20)), EventOutcome::OutOfSync(_)));
/// assert!(!book.is_synced());
/// ```
#[derive(Debug, Clone)]
pub struct BookSync {
    rule: SyncRule,
    levels: Levels,
    last_update_id: u64,
    phase: Phase,
    buffer: VecDeque<DepthUpdate>,
    buffer_limit: usize,
    resyncs: u64,
    last_reason: Option<ResyncReason>,
    ever_synced: bool,
    /// In sync as far as the caller knows: set when `on_snapshot` returns `Synced`, cleared when sync is lost.
    /// Losing sync while replaying the buffer is not counted as a resync.
    announced: bool,
}

/// Events buffered at most while waiting for a snapshot (the oldest go first; the too-old check covers it).
pub const DEFAULT_BUFFER_LIMIT: usize = 10_000;

impl BookSync {
    /// An empty book waiting for its first snapshot.
    pub fn new(rule: SyncRule) -> BookSync {
        BookSync::with_buffer_limit(rule, DEFAULT_BUFFER_LIMIT)
    }

    /// Like [`BookSync::new`], buffering at most `limit` events while a snapshot is on its way.
    pub fn with_buffer_limit(rule: SyncRule, limit: usize) -> BookSync {
        BookSync {
            rule,
            levels: Levels::new(),
            last_update_id: 0,
            phase: Phase::AwaitingSnapshot,
            buffer: VecDeque::new(),
            buffer_limit: limit.max(1),
            resyncs: 0,
            last_reason: None,
            ever_synced: false,
            announced: false,
        }
    }

    /// The rule this book follows.
    pub fn rule(&self) -> SyncRule {
        self.rule
    }

    /// The levels (empty while not in sync).
    pub fn levels(&self) -> &Levels {
        &self.levels
    }

    /// The update id the book is at (meaningful while in sync).
    pub fn last_update_id(&self) -> u64 {
        self.last_update_id
    }

    /// True once a snapshot joined the stream, until a gap or [`BookSync::desync`].
    pub fn is_synced(&self) -> bool {
        matches!(self.phase, Phase::Synced { .. })
    }

    /// True once the book was in sync at least once.
    pub fn ever_synced(&self) -> bool {
        self.ever_synced
    }

    /// How many times the book lost sync after having been in sync.
    pub fn resync_count(&self) -> u64 {
        self.resyncs
    }

    /// Why the book last lost sync.
    pub fn last_resync_reason(&self) -> Option<&ResyncReason> {
        self.last_reason.as_ref()
    }

    /// Events waiting for a snapshot.
    pub fn buffered(&self) -> usize {
        self.buffer.len()
    }

    /// Takes one diff event.
    pub fn on_event(&mut self, ev: DepthUpdate) -> EventOutcome {
        match self.phase {
            Phase::AwaitingSnapshot => {
                if self.buffer.len() >= self.buffer_limit {
                    self.buffer.pop_front();
                }
                self.buffer.push_back(ev);
                EventOutcome::Buffered
            }
            Phase::Synced { joined } => match self.check(&ev, joined) {
                Check::Stale => EventOutcome::Stale,
                Check::Apply => match self.apply(&ev) {
                    Ok(()) => EventOutcome::Applied {
                        first_update_id: ev.first_update_id,
                        last_update_id: ev.final_update_id,
                    },
                    Err(reason) => {
                        self.lose_sync(reason.clone(), Some(ev));
                        EventOutcome::OutOfSync(reason)
                    }
                },
                Check::Break(reason) => {
                    self.lose_sync(reason.clone(), Some(ev));
                    EventOutcome::OutOfSync(reason)
                }
            },
        }
    }

    /// Takes a snapshot (requested after [`EventOutcome::OutOfSync`], at the start, or after
    /// [`SnapshotOutcome::TooOld`]) and joins it with the buffered events.
    pub fn on_snapshot(&mut self, snapshot: Snapshot) -> SnapshotOutcome {
        let l = snapshot.last_update_id;
        // Drop what the snapshot already contains.
        match self.rule {
            SyncRule::Spot => self.buffer.retain(|e| e.final_update_id > l),
            SyncRule::Futures => self.buffer.retain(|e| e.final_update_id >= l),
        }
        if let Some(first) = self.buffer.front() {
            let too_old = match self.rule {
                SyncRule::Spot => first.first_update_id > l.saturating_add(1),
                SyncRule::Futures => first.first_update_id > l,
            };
            if too_old {
                return SnapshotOutcome::TooOld { snapshot: l, first_buffered: first.first_update_id };
            }
        }
        if let Err(e) = self.levels.load(&snapshot.bids, &snapshot.asks) {
            self.levels.clear();
            return SnapshotOutcome::OutOfSync(ResyncReason::InvalidLevel(e));
        }
        self.last_update_id = l;
        self.phase = Phase::Synced { joined: false };
        let mut applied = 0;
        while let Some(ev) = self.buffer.pop_front() {
            match self.on_event(ev) {
                EventOutcome::Applied { .. } => applied += 1,
                EventOutcome::Stale | EventOutcome::Buffered => {}
                EventOutcome::OutOfSync(reason) => return SnapshotOutcome::OutOfSync(reason),
            }
        }
        self.ever_synced = true;
        self.announced = true;
        SnapshotOutcome::Synced { last_update_id: self.last_update_id, applied }
    }

    /// Discards the book (for example because the stream connection dropped) and waits for a new snapshot.
    /// Returns true when the book was in sync (and so counts as a resync).
    pub fn desync(&mut self, reason: ResyncReason) -> bool {
        let was = self.announced;
        self.lose_sync(reason, None);
        self.buffer.clear();
        was
    }

    fn lose_sync(&mut self, reason: ResyncReason, keep: Option<DepthUpdate>) {
        if self.announced {
            self.resyncs += 1;
            self.last_reason = Some(reason);
        }
        self.announced = false;
        self.phase = Phase::AwaitingSnapshot;
        self.levels.clear();
        // The event that revealed the gap is newer than anything applied: the next snapshot may join it.
        self.buffer.extend(keep);
    }

    fn check(&self, ev: &DepthUpdate, joined: bool) -> Check {
        let (first, last, l) = (ev.first_update_id, ev.final_update_id, self.last_update_id);
        match self.rule {
            SyncRule::Spot => {
                if last <= l {
                    Check::Stale
                } else if first > l.saturating_add(1) {
                    Check::Break(ResyncReason::Gap { last_update_id: l, first_update_id: first })
                } else {
                    Check::Apply
                }
            }
            SyncRule::Futures => {
                let pu = ev.prev_final_update_id;
                let brk = || {
                    Check::Break(ResyncReason::Break {
                        last_update_id: l,
                        prev_final_update_id: pu,
                        first_update_id: first,
                    })
                };
                if !joined {
                    // The first event must cover the snapshot's id; an event right after it (pu == id) also joins.
                    if last < l {
                        Check::Stale
                    } else if first <= l || pu == Some(l) {
                        Check::Apply
                    } else {
                        brk()
                    }
                } else if pu == Some(l) {
                    Check::Apply
                } else if last <= l {
                    Check::Stale
                } else {
                    brk()
                }
            }
        }
    }

    fn apply(&mut self, ev: &DepthUpdate) -> Result<(), ResyncReason> {
        self.levels.apply(&ev.bids, &ev.asks).map_err(ResyncReason::InvalidLevel)?;
        self.last_update_id = ev.final_update_id;
        self.phase = Phase::Synced { joined: true };
        Ok(())
    }
}

enum Check {
    Stale,
    Apply,
    Break(ResyncReason),
}
