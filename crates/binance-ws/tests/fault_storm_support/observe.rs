//! The client's side of the storm: every notice each client reported, with the time it was seen, and for each
//! order book the update-id ranges it applied and those it reported lost.

use std::collections::{BTreeMap, HashMap};

use binance_ws::api::ApiEvent;
use binance_ws::book::{BookEvent, ResyncReason};
use binance_ws::streams::{MarketEvent, Notice};
use binance_ws::transport::ConnectionEvent;
use binance_ws::user_data::spot::{self as ud, MissedCause, UserEvent};
use binance_ws_sim::clock::now_ms;
use tokio::sync::broadcast::error::RecvError;

/// Which of the storm's client connections something happened on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Who {
    /// A connection (shard) of the market-streams client.
    Market(usize),
    /// A connection (shard) of the books' streams client.
    Books(usize),
    /// The anonymous API connection the books take snapshots over.
    BookApi,
    /// The logged-on API connection that trades and carries the user data subscription.
    TradeApi,
}

/// What a client reported.
#[derive(Debug, Clone, PartialEq)]
pub enum Seen {
    /// A connection was lost (streams `Disconnected`; API `Reconnecting` attempt 1).
    Lost(String),
    /// A reconnect attempt failed and another follows (API `Reconnecting` attempt > 1).
    Retry(u32),
    /// A lost connection is back (streams `Reconnected`; API `Connected` after the first).
    Back,
    /// A connection was replaced with overlap.
    Rotated(String),
    /// A frame could not be decoded.
    Undecodable,
    /// The consumer fell behind: events dropped.
    Lagged(u64),
    /// A book snapshot request failed.
    SnapshotFailed(String),
    /// A book lost sync.
    OutOfSync(String, ResyncReason),
    /// User data: events may be missing.
    Missed(MissedCause),
    /// User data: the subscription moved to a new connection without loss.
    Moved,
    /// User data: restoring the subscription failed (it is retried).
    RestoreFailed(String),
    /// Anything else (errors, closes): never expected.
    Unexpected(String),
}

/// One report.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    /// Wall-clock epoch ms when the test read it (the exchange logs on the same clock).
    pub t: u64,
    pub who: Who,
    pub seen: Seen,
}

/// One book's applied update ids: every discontinuity must have been reported.
#[derive(Debug, Default)]
pub struct BookTrack {
    /// The last update id applied while in sync.
    applied: Option<u64>,
    /// Where the book stood when it last lost sync.
    lost_at: Option<u64>,
    /// Update-id ranges `(after, up_to]` the book reported as not applied: before its first sync, and from the
    /// update it stood at when it lost sync up to the snapshot it synced again from.
    pub holes: Vec<(u64, u64)>,
    /// Update-id ranges `[from, to]` applied from the stream, in order (a new one starts at each sync).
    pub applied_runs: Vec<(u64, u64)>,
    /// Discontinuities applied without a report (must stay empty).
    pub silent: Vec<String>,
    pub resyncs: u64,
}

impl BookTrack {
    fn synced(&mut self, last_update_id: u64) {
        self.holes.push((self.lost_at.take().unwrap_or(0), last_update_id));
        self.applied = Some(last_update_id);
        self.applied_runs.push((last_update_id + 1, last_update_id));
    }

    fn out_of_sync(&mut self) {
        if let Some(a) = self.applied.take() {
            self.lost_at = Some(a);
        }
    }

    fn updated(&mut self, first: u64, last: u64) {
        match self.applied {
            Some(a) if first > a + 1 => self.silent.push(format!("applied {first}..={last} after {a}")),
            None => self.silent.push(format!("applied {first}..={last} while out of sync")),
            _ => {}
        }
        self.applied = Some(last);
        if let Some(run) = self.applied_runs.last_mut() {
            run.1 = run.1.max(last);
        }
    }

    /// How the book fared with the update ids `first..=last` that the exchange left out of one connection:
    /// `Some(true)` when it reported them as not applied (they fall in its holes), `Some(false)` when it applied
    /// them all the same (another connection carried them: a rotation's overlap), `None` when some of them were
    /// neither applied nor reported: lost silently.
    pub fn fate(&self, first: u64, last: u64) -> Option<bool> {
        let spans = |v: &[(u64, u64)]| {
            let mut v: Vec<(u64, u64)> = v.iter().copied().filter(|(a, b)| a <= b).collect();
            v.sort();
            v
        };
        let holes = spans(&self.holes.iter().map(|&(after, up_to)| (after + 1, up_to)).collect::<Vec<_>>());
        if super::checks::covers(&spans(&self.applied_runs), first, last) {
            return Some(false);
        }
        let mut both = holes.clone();
        both.extend(self.applied_runs.iter().copied());
        let both = spans(&both);
        super::checks::covers(&both, first, last).then_some(true)
    }
}

/// Everything the clients reported, and counts of what they delivered.
#[derive(Debug, Default)]
pub struct Observer {
    pub notes: Vec<Note>,
    pub books: BTreeMap<String, BookTrack>,
    /// Book symbol -> the books' streams connection carrying it.
    pub book_shard: HashMap<String, usize>,
    pub market_events: u64,
    pub book_updates: u64,
    pub level_updates: u64,
    pub user_events: u64,
    pub execution_reports: u64,
    /// Events of the API clients' broadcast channels the test read too late (must stay 0: a lost connection
    /// event would make the correlation blind).
    pub api_events_lagged: u64,
}

impl Observer {
    fn note(&mut self, who: Who, seen: Seen) {
        self.notes.push(Note { t: now_ms(), who, seen });
    }

    fn streams_notice(&mut self, n: Notice, who: impl Fn(usize) -> Who) {
        match n {
            Notice::Disconnected { connection, reason } => self.note(who(connection), Seen::Lost(reason)),
            Notice::Reconnected { connection, .. } => self.note(who(connection), Seen::Back),
            Notice::Rotated { connection, reason } => self.note(who(connection), Seen::Rotated(reason)),
            Notice::Undecodable { connection, .. } => self.note(who(connection), Seen::Undecodable),
            Notice::Lagged { dropped } => self.note(who(0), Seen::Lagged(dropped)),
            Notice::Error { connection, message } => self.note(who(connection), Seen::Unexpected(message)),
            Notice::Closed { connection, reason } => self.note(who(connection), Seen::Unexpected(reason)),
            other => self.note(who(0), Seen::Unexpected(format!("{other:?}"))),
        }
    }

    pub fn market(&mut self, ev: MarketEvent) {
        match ev {
            MarketEvent::Notice(n) => self.streams_notice(n, Who::Market),
            _ => self.market_events += 1,
        }
    }

    pub fn book(&mut self, ev: BookEvent) {
        match ev {
            BookEvent::Updated { symbol, first_update_id, last_update_id } => {
                self.book_updates += 1;
                self.level_updates += last_update_id - first_update_id + 1;
                self.books.entry(symbol.to_string()).or_default().updated(first_update_id, last_update_id);
            }
            BookEvent::Synced { symbol, last_update_id } => {
                self.books.entry(symbol.to_string()).or_default().synced(last_update_id)
            }
            BookEvent::Resynced { symbol, last_update_id, .. } => {
                let track = self.books.entry(symbol.to_string()).or_default();
                track.resyncs += 1;
                track.synced(last_update_id);
            }
            BookEvent::OutOfSync { symbol, reason } => {
                self.books.entry(symbol.to_string()).or_default().out_of_sync();
                let shard = self.book_shard.get(&*symbol).copied().unwrap_or(usize::MAX);
                self.note(Who::Books(shard), Seen::OutOfSync(symbol.to_string(), reason));
            }
            BookEvent::SnapshotFailed { error, .. } => self.note(Who::BookApi, Seen::SnapshotFailed(error)),
            BookEvent::Notice(n) => self.streams_notice(n, Who::Books),
            other => self.note(Who::Books(usize::MAX), Seen::Unexpected(format!("{other:?}"))),
        }
    }

    pub fn user(&mut self, ev: UserEvent) {
        match ev {
            UserEvent::Notice(n) => {
                let seen = match n {
                    ud::Notice::Missed(m) => Seen::Missed(m.cause),
                    ud::Notice::Moved { .. } => Seen::Moved,
                    ud::Notice::RestoreFailed { error, .. } => Seen::RestoreFailed(error),
                    other => Seen::Unexpected(format!("{other:?}")),
                };
                self.note(Who::TradeApi, seen);
            }
            UserEvent::ExecutionReport(_) => {
                self.user_events += 1;
                self.execution_reports += 1;
            }
            _ => self.user_events += 1,
        }
    }

    pub fn api(&mut self, who: Who, ev: Result<ApiEvent, RecvError>) {
        match ev {
            Ok(ApiEvent::Connection(c)) => match c {
                ConnectionEvent::Reconnecting { reason, attempt: 1, .. } => self.note(who, Seen::Lost(reason)),
                ConnectionEvent::Reconnecting { attempt, .. } => self.note(who, Seen::Retry(attempt)),
                ConnectionEvent::Connected { generation, .. } if generation > 0 => self.note(who, Seen::Back),
                ConnectionEvent::Connected { .. } => {}
                ConnectionEvent::Rotated { reason, .. } => self.note(who, Seen::Rotated(reason)),
                ConnectionEvent::Closed { reason } => self.note(who, Seen::Unexpected(reason)),
            },
            Ok(ApiEvent::UserData { .. }) => {}
            Ok(ApiEvent::Undecodable { .. }) => self.note(who, Seen::Undecodable),
            Err(RecvError::Lagged(n)) => self.api_events_lagged += n,
            Err(RecvError::Closed) => self.note(who, Seen::Unexpected("API event channel closed".into())),
        }
    }

    /// Reports of `who` matching `f`.
    pub fn count(&self, f: impl Fn(&Note) -> bool) -> usize {
        self.notes.iter().filter(|n| f(n)).count()
    }
}
