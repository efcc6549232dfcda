//! [`BookManager`]: many books over one market-streams client and one snapshot source. It subscribes to the
//! diff depth streams, fetches snapshots, follows [`BookSync`]'s procedure per symbol, resyncs a symbol alone
//! when its stream shows a gap, resyncs the symbols of a connection that dropped once it is back, and reports
//! all of it as a `futures::Stream` of [`BookEvent`]s.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use futures::StreamExt;
use tokio::time::{Instant, Sleep};

use super::handle::OrderBook;
use super::snapshot::{Snapshot, SnapshotSource};
use super::sync::{BookSync, EventOutcome, ResyncReason, SnapshotOutcome, SyncRule, DEFAULT_BUFFER_LIMIT};
use crate::env::{Env, Product};
use crate::streams::{MarketEvent, Notice, Speed, Stream, Streams};
use crate::transport::Backoff;
use crate::Result;

/// Settings of a [`BookManager`].
#[derive(Debug, Clone)]
pub struct BookConfig {
    /// The update-id rule of the diff streams (spot, or futures with `pu`).
    pub rule: SyncRule,
    /// `<symbol>@depth` (1000 ms) or `<symbol>@depth@100ms` (the default).
    pub speed: Speed,
    /// Levels per side asked of each snapshot (spot: up to 5000; a larger limit weighs more against the API's
    /// request-weight limit: 1000 levels weigh 50, 5000 weigh 250 of 6000 a minute).
    pub snapshot_limit: u32,
    /// Snapshots requested at the same time, over all symbols.
    pub max_concurrent_snapshots: usize,
    /// Delays between failed snapshot requests of a symbol (exponential with jitter).
    pub retry_floor: Duration,
    /// Longest delay between failed snapshot requests.
    pub retry_ceiling: Duration,
    /// Events buffered per symbol while its snapshot is on its way.
    pub buffer_limit: usize,
    /// Report every applied event as [`BookEvent::Updated`] (off: only sync changes are reported).
    pub emit_updates: bool,
    /// The docs take the snapshot once the stream's first event is buffered, so that a snapshot older than the
    /// stream is seen as such. A book whose stream stays silent this long (a quiet market) takes its snapshot
    /// anyway; the first event that comes must then follow it.
    pub first_event_wait: Duration,
}

impl Default for BookConfig {
    fn default() -> Self {
        BookConfig {
            rule: SyncRule::Spot,
            speed: Speed::Ms100,
            snapshot_limit: 1000,
            max_concurrent_snapshots: 4,
            retry_floor: Duration::from_millis(250),
            retry_ceiling: Duration::from_secs(10),
            buffer_limit: DEFAULT_BUFFER_LIMIT,
            emit_updates: true,
            first_event_wait: Duration::from_secs(2),
        }
    }
}

/// What happened to the books.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum BookEvent {
    /// A book is in sync for the first time.
    Synced {
        /// Symbol (upper case).
        symbol: Arc<str>,
        /// Its update id.
        last_update_id: u64,
    },
    /// A book lost sync: it is empty until [`BookEvent::Resynced`]. Other symbols are not affected.
    OutOfSync {
        /// Symbol.
        symbol: Arc<str>,
        /// Why.
        reason: ResyncReason,
    },
    /// A book that lost sync is in sync again.
    Resynced {
        /// Symbol.
        symbol: Arc<str>,
        /// Why it had lost sync.
        reason: ResyncReason,
        /// Its update id.
        last_update_id: u64,
        /// Times this book lost sync so far.
        resync_count: u64,
    },
    /// A diff event was applied (when [`BookConfig::emit_updates`] is on).
    Updated {
        /// Symbol.
        symbol: Arc<str>,
        /// The event's first update id (`U`).
        first_update_id: u64,
        /// The event's last update id (`u`), now the book's.
        last_update_id: u64,
    },
    /// A snapshot request failed; it is tried again after `retry_in`.
    SnapshotFailed {
        /// Symbol.
        symbol: Arc<str>,
        /// The error.
        error: String,
        /// When the next request goes out.
        retry_in: Duration,
    },
    /// A notice of the streams client (disconnects, reconnects, lag), after the books reacted to it.
    Notice(Notice),
    /// Any other market event that arrived on the streams client (streams the caller subscribed to itself); boxed
    /// to keep the frequent variants small.
    Market(Box<MarketEvent>),
}

/// Where a symbol's snapshot request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fetch {
    /// None needed (in sync).
    Idle,
    /// Waiting for a free request slot or for its retry time.
    Queued,
    /// On its way.
    InFlight,
    /// The stream connection is down: ask once it is back.
    AwaitReconnect,
    /// The stream connection is closed for good.
    Stopped,
}

struct Slot {
    symbol: Arc<str>,
    book: OrderBook,
    /// The connection of the streams client carrying this symbol's diff stream.
    connection: Option<usize>,
    stream: Stream,
    fetch: Fetch,
    /// Bumped on every restart, so that an answer to an earlier request is ignored.
    generation: u64,
    not_before: Option<Instant>,
    backoff: Backoff,
    /// Snapshots in a row that were older than the buffered events.
    too_old: u32,
    /// Why the book is resyncing (reported with `Resynced`).
    reason: Option<ResyncReason>,
    /// The queued request waits for the first buffered event (or `first_event_wait`).
    wait_event: bool,
}

type SnapshotReply = (Arc<str>, u64, Result<Snapshot>);

/// Keeps many order books in sync over one market-streams connection set and one snapshot source; a
/// `futures::Stream` of [`BookEvent`]s. Poll it (for example in a task of its own) to keep the books moving;
/// read them at any time through their [`OrderBook`] handles.
///
/// ```no_run
/// # async fn run() -> binance_ws::Result<()> {
/// use binance_ws::book::{BookConfig, BookEvent, BookManager};
/// use binance_ws::Env;
/// use futures::StreamExt;
///
/// let mut books = BookManager::connect_spot(&Env::Mainnet, BookConfig::default()).await?;
/// let handles = books.watch(["BTCUSDT", "ETHUSDT"]).await?;
/// while let Some(ev) = books.next().await {
///     match ev {
///         BookEvent::Synced { symbol, last_update_id } => println!("{symbol} synced at {last_update_id}"),
///         BookEvent::OutOfSync { symbol, reason } => eprintln!("{symbol} resyncing: {reason}"),
///         BookEvent::Updated { .. } => {
///             let btc = &handles[0];
///             println!("BTC {:?} / {:?}", btc.best_bid(), btc.best_ask());
///         }
///         _ => {}
///     }
/// }
/// # Ok(()) }
/// ```
pub struct BookManager {
    streams: Streams,
    source: Arc<dyn SnapshotSource>,
    cfg: BookConfig,
    slots: HashMap<Arc<str>, Slot>,
    /// Symbols whose snapshot request waits for a free slot or its retry time, in order.
    queue: VecDeque<Arc<str>>,
    inflight: FuturesUnordered<BoxFuture<'static, SnapshotReply>>,
    timer: Pin<Box<Sleep>>,
    out: VecDeque<BookEvent>,
}

/// Market events handled per poll before yielding to other tasks.
const POLL_BUDGET: usize = 1024;

impl BookManager {
    /// A manager over `streams` (it subscribes the diff depth streams there) and `source` (for snapshots).
    /// Other streams subscribed on the same client come out as [`BookEvent::Market`].
    pub fn new(streams: Streams, source: impl SnapshotSource, cfg: BookConfig) -> BookManager {
        BookManager {
            streams,
            source: Arc::new(source),
            cfg,
            slots: HashMap::new(),
            queue: VecDeque::new(),
            inflight: FuturesUnordered::new(),
            timer: Box::pin(tokio::time::sleep(Duration::ZERO)),
            out: VecDeque::new(),
        }
    }

    /// Connects the spot market streams and the Spot WebSocket API (no credentials needed) of `env`.
    pub async fn connect_spot(env: &Env, cfg: BookConfig) -> Result<BookManager> {
        let streams = Streams::connect(env.clone(), Product::Spot).await?;
        let api = crate::spot::Api::connect(env, None).await?;
        Ok(BookManager::new(streams, api, BookConfig { rule: SyncRule::Spot, ..cfg }))
    }

    /// Connects the USDⓈ-M market streams and WebSocket API (no credentials needed) of `env`; the books follow the
    /// futures rule (`pu`). `cfg.snapshot_limit` must be one of USDⓈ-M's depth limits (up to 1000).
    ///
    /// ```no_run
    /// # async fn run() -> binance_ws::Result<()> {
    /// use binance_ws::book::{BookConfig, BookManager};
    /// use binance_ws::Env;
    /// let mut books = BookManager::connect_usdm(&Env::Testnet, BookConfig::default()).await?;
    /// let btc = books.watch(["BTCUSDT"]).await?.remove(0);
    /// println!("{:?}", btc.best_bid());
    /// # Ok(()) }
    /// ```
    pub async fn connect_usdm(env: &Env, cfg: BookConfig) -> Result<BookManager> {
        let streams = Streams::connect(env.clone(), Product::UsdM).await?;
        let api = crate::usdm::Api::connect(env, None).await?;
        Ok(BookManager::new(streams, api, BookConfig { rule: SyncRule::Futures, ..cfg }))
    }

    /// The streams client underneath (subscribe other streams there; they come out as [`BookEvent::Market`]).
    pub fn streams(&self) -> &Streams {
        &self.streams
    }

    /// Starts keeping these symbols' books (symbols already kept are not subscribed again) and returns their
    /// handles in the order asked. Their diff streams are subscribed first, then their snapshots are requested.
    pub async fn watch<S: AsRef<str>>(&mut self, symbols: impl IntoIterator<Item = S>) -> Result<Vec<OrderBook>> {
        let wanted: Vec<Arc<str>> = symbols.into_iter().map(|s| Arc::from(s.as_ref().to_ascii_uppercase())).collect();
        let mut seen = std::collections::HashSet::new();
        let fresh: Vec<Arc<str>> =
            wanted.iter().filter(|s| !self.slots.contains_key(*s) && seen.insert(*s)).cloned().collect();
        let streams: Vec<Stream> = fresh.iter().map(|s| Stream::diff_depth(s, self.cfg.speed)).collect();
        self.streams.subscribe(streams.clone()).await?;
        let handle = self.streams.handle();
        for (symbol, stream) in fresh.into_iter().zip(streams) {
            let connection = handle.connection_of(&stream).await;
            let book =
                OrderBook::new(symbol.clone(), BookSync::with_buffer_limit(self.cfg.rule, self.cfg.buffer_limit));
            let backoff = Backoff::new(self.cfg.retry_floor, self.cfg.retry_ceiling, None);
            let slot = Slot {
                symbol: symbol.clone(),
                book,
                connection,
                stream,
                fetch: Fetch::Idle,
                generation: 0,
                not_before: None,
                backoff,
                too_old: 0,
                reason: None,
                wait_event: false,
            };
            self.slots.insert(symbol.clone(), slot);
            self.request_after_event(&symbol);
        }
        Ok(wanted.iter().filter_map(|s| self.book(s)).collect())
    }

    /// Stops keeping these symbols' books (their handles stay readable but are no longer updated).
    pub async fn unwatch<S: AsRef<str>>(&mut self, symbols: impl IntoIterator<Item = S>) -> Result<()> {
        let mut streams = Vec::new();
        for s in symbols {
            if let Some(slot) = self.slots.remove(s.as_ref().to_ascii_uppercase().as_str()) {
                streams.push(slot.stream);
            }
        }
        self.queue.retain(|s| self.slots.contains_key(s));
        self.streams.unsubscribe(streams).await
    }

    /// The handle of a kept book.
    pub fn book(&self, symbol: &str) -> Option<OrderBook> {
        self.slots.get(symbol.to_ascii_uppercase().as_str()).map(|s| s.book.clone())
    }

    /// Symbols kept, sorted.
    pub fn symbols(&self) -> Vec<Arc<str>> {
        let mut v: Vec<_> = self.slots.keys().cloned().collect();
        v.sort();
        v
    }

    /// Discards a book and syncs it again from a new snapshot. Returns false for a symbol not kept.
    pub fn resync(&mut self, symbol: &str) -> bool {
        let symbol: Arc<str> = Arc::from(symbol.to_ascii_uppercase());
        let Some(slot) = self.slots.get_mut(&symbol) else { return false };
        Self::lose(slot, &symbol, ResyncReason::Requested, &mut self.out);
        self.request_after_event(&symbol);
        true
    }

    /// Discards the book of `slot` (reporting it when it was in sync) and notes why.
    fn lose(slot: &mut Slot, symbol: &Arc<str>, reason: ResyncReason, out: &mut VecDeque<BookEvent>) {
        if slot.book.with_sync(|b| b.desync(reason.clone())) {
            out.push_back(BookEvent::OutOfSync { symbol: symbol.clone(), reason: reason.clone() });
            slot.reason = Some(reason);
        }
        slot.generation += 1;
    }

    /// Queues a snapshot request for when `symbol`'s stream has delivered an event (at once if one is buffered),
    /// or after [`BookConfig::first_event_wait`].
    fn request_after_event(&mut self, symbol: &Arc<str>) {
        let wait = self.cfg.first_event_wait;
        let Some(slot) = self.slots.get(symbol) else { return };
        let buffered = slot.book.with_sync(|b| b.buffered()) > 0;
        self.request(symbol, (!buffered).then_some(wait));
        if let Some(slot) = self.slots.get_mut(symbol) {
            slot.wait_event = !buffered;
        }
    }

    /// Queues a snapshot request for `symbol`, not before `delay` from now.
    fn request(&mut self, symbol: &Arc<str>, delay: Option<Duration>) {
        let Some(slot) = self.slots.get_mut(symbol) else { return };
        slot.wait_event = false;
        slot.not_before = delay.map(|d| Instant::now() + d);
        if slot.fetch != Fetch::Queued {
            self.queue.push_back(symbol.clone());
        }
        slot.fetch = Fetch::Queued;
    }

    /// Sends the queued requests that are due, within the concurrency limit. Returns the earliest retry time of
    /// those left waiting.
    fn dispatch(&mut self) -> Option<Instant> {
        let now = Instant::now();
        let mut next: Option<Instant> = None;
        let mut i = 0;
        while i < self.queue.len() {
            if self.inflight.len() >= self.cfg.max_concurrent_snapshots.max(1) {
                break;
            }
            let symbol = self.queue[i].clone();
            let Some(slot) = self.slots.get_mut(&symbol).filter(|s| s.fetch == Fetch::Queued) else {
                self.queue.remove(i);
                continue;
            };
            if let Some(t) = slot.not_before.filter(|t| *t > now) {
                next = Some(next.map_or(t, |n| n.min(t)));
                i += 1;
                continue;
            }
            self.queue.remove(i);
            slot.fetch = Fetch::InFlight;
            let generation = slot.generation;
            let fut = self.source.snapshot(&symbol, self.cfg.snapshot_limit);
            self.inflight.push(Box::pin(async move { (symbol, generation, fut.await) }));
        }
        next
    }

    fn on_snapshot(&mut self, symbol: Arc<str>, generation: u64, reply: Result<Snapshot>) {
        let retry_ceiling = self.cfg.retry_ceiling;
        let Some(slot) = self.slots.get_mut(&symbol) else { return };
        if slot.generation != generation || slot.fetch != Fetch::InFlight {
            // Superseded: the book was restarted meanwhile, and its restart queued a request of its own (or waits
            // for the connection to come back).
            return;
        }
        slot.fetch = Fetch::Idle;
        let retry: Option<Option<Duration>> = match reply {
            Err(e) => {
                let retry_in = slot.backoff.next_delay().unwrap_or(retry_ceiling);
                self.out.push_back(BookEvent::SnapshotFailed {
                    symbol: symbol.clone(),
                    error: e.to_string(),
                    retry_in,
                });
                Some(Some(retry_in))
            }
            Ok(snapshot) => match slot.book.with_sync(|b| b.on_snapshot(snapshot)) {
                SnapshotOutcome::Synced { last_update_id, .. } => {
                    slot.backoff.reset();
                    slot.too_old = 0;
                    let ev = match slot.reason.take() {
                        None => BookEvent::Synced { symbol: symbol.clone(), last_update_id },
                        Some(reason) => BookEvent::Resynced {
                            symbol: symbol.clone(),
                            reason,
                            last_update_id,
                            resync_count: slot.book.resync_count(),
                        },
                    };
                    self.out.push_back(ev);
                    None
                }
                SnapshotOutcome::TooOld { snapshot, first_buffered } => {
                    // The docs: take another snapshot. At once the first few times, then with backoff.
                    slot.too_old += 1;
                    tracing::debug!(%symbol, snapshot, first_buffered, "snapshot older than the stream; taking another");
                    Some((slot.too_old > 3).then(|| slot.backoff.next_delay().unwrap_or(retry_ceiling)))
                }
                SnapshotOutcome::OutOfSync(reason) => {
                    tracing::debug!(%symbol, %reason, "buffered events did not follow the snapshot; taking another");
                    Some(slot.backoff.next_delay())
                }
            },
        };
        if let Some(delay) = retry {
            self.request(&symbol, delay);
        }
    }

    fn on_market(&mut self, ev: MarketEvent) {
        match ev {
            MarketEvent::DepthUpdate(d) => {
                let Some(slot) = self.slots.get_mut(d.symbol.as_str()) else {
                    self.out.push_back(BookEvent::Market(Box::new(MarketEvent::DepthUpdate(d))));
                    return;
                };
                let symbol = slot.symbol.clone();
                match slot.book.with_sync(|b| b.on_event(d)) {
                    EventOutcome::Buffered => {
                        if slot.wait_event && slot.fetch == Fetch::Queued {
                            // The first event is here: the snapshot may go now.
                            slot.wait_event = false;
                            slot.not_before = None;
                        }
                    }
                    EventOutcome::Stale => {}
                    EventOutcome::Applied { first_update_id, last_update_id } => {
                        if self.cfg.emit_updates {
                            self.out.push_back(BookEvent::Updated { symbol, first_update_id, last_update_id });
                        }
                    }
                    EventOutcome::OutOfSync(reason) => {
                        tracing::info!(%symbol, %reason, "order book out of sync; resyncing");
                        slot.reason = Some(reason.clone());
                        slot.generation += 1;
                        let waiting = slot.fetch == Fetch::AwaitReconnect;
                        self.out.push_back(BookEvent::OutOfSync { symbol: symbol.clone(), reason });
                        if !waiting {
                            self.request(&symbol, None);
                        }
                    }
                }
            }
            MarketEvent::Notice(n) => {
                self.on_notice(&n);
                self.out.push_back(BookEvent::Notice(n));
            }
            other => self.out.push_back(BookEvent::Market(Box::new(other))),
        }
    }

    fn on_notice(&mut self, n: &Notice) {
        match n {
            Notice::Disconnected { connection, reason } => {
                for (symbol, slot) in self.slots.iter_mut().filter(|(_, s)| s.connection == Some(*connection)) {
                    Self::lose(slot, symbol, ResyncReason::Disconnected(reason.clone()), &mut self.out);
                    slot.fetch = Fetch::AwaitReconnect;
                }
            }
            Notice::Reconnected { connection, .. } => {
                let back: Vec<Arc<str>> = self
                    .slots
                    .iter()
                    .filter(|(_, s)| s.connection == Some(*connection) && s.fetch == Fetch::AwaitReconnect)
                    .map(|(k, _)| k.clone())
                    .collect();
                for symbol in back {
                    self.request_after_event(&symbol);
                }
            }
            Notice::Closed { connection, reason } => {
                for (symbol, slot) in self.slots.iter_mut().filter(|(_, s)| s.connection == Some(*connection)) {
                    Self::lose(slot, symbol, ResyncReason::Closed(reason.clone()), &mut self.out);
                    slot.fetch = Fetch::Stopped;
                }
            }
            _ => {}
        }
    }
}

impl futures::Stream for BookManager {
    type Item = BookEvent;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<BookEvent>> {
        let this = self.get_mut();
        for _ in 0..POLL_BUDGET {
            if let Some(ev) = this.out.pop_front() {
                return Poll::Ready(Some(ev));
            }
            if let Poll::Ready(Some((symbol, generation, reply))) = this.inflight.poll_next_unpin(cx) {
                this.on_snapshot(symbol, generation, reply);
                continue;
            }
            if let Some(at) = this.dispatch() {
                this.timer.as_mut().reset(at);
                if this.timer.as_mut().poll(cx).is_ready() {
                    continue;
                }
            }
            if !this.inflight.is_empty() {
                // Newly dispatched requests must be polled once to register the waker.
                if let Poll::Ready(Some((symbol, generation, reply))) = this.inflight.poll_next_unpin(cx) {
                    this.on_snapshot(symbol, generation, reply);
                    continue;
                }
            }
            match this.streams.poll_next_unpin(cx) {
                Poll::Ready(Some(ev)) => this.on_market(ev),
                Poll::Ready(None) => return Poll::Ready(this.out.pop_front()),
                Poll::Pending => return Poll::Pending,
            }
        }
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
