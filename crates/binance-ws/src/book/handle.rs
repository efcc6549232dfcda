//! [`OrderBook`]: a cheap, cloneable read handle on one book that a [`BookManager`](super::BookManager) keeps
//! in sync.

use std::sync::Arc;

use parking_lot::RwLock;
use rust_decimal::Decimal;

use super::sync::{BookSync, ResyncReason};
use super::Levels;
use crate::streams::Level;

/// Where a book stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncState {
    /// Waiting for the first snapshot to join the stream.
    Syncing,
    /// In sync: the levels are the exchange's book at [`OrderBook::last_update_id`].
    Synced,
    /// Sync was lost (a gap or a disconnect); the book is empty until a new snapshot joins the stream.
    Resyncing,
}

/// The top of a book read at one moment: both sides and the update id they belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Depth {
    /// The book's update id.
    pub last_update_id: u64,
    /// Bids, best first.
    pub bids: Vec<Level>,
    /// Asks, best first.
    pub asks: Vec<Level>,
}

/// A local order book kept in sync with the exchange. Clones share the same book; every read takes a short
/// read lock and never waits for the network.
///
/// ```no_run
/// # async fn run() -> binance_ws::Result<()> {
/// use binance_ws::{book::BookManager, Env};
/// let mut books = BookManager::connect_spot(&Env::Mainnet, Default::default()).await?;
/// let btc = books.watch(["BTCUSDT"]).await?.remove(0);
/// // ... poll `books` (it is a futures::Stream) somewhere, then read at any time:
/// if btc.is_synced() {
///     let top = btc.top(5);
///     println!("{} bids {:?} asks {:?}", top.last_update_id, top.bids, top.asks);
///     println!("best bid {:?}, best ask {:?}", btc.best_bid(), btc.best_ask());
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct OrderBook {
    symbol: Arc<str>,
    sync: Arc<RwLock<BookSync>>,
}

impl std::fmt::Debug for OrderBook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.sync.read();
        f.debug_struct("OrderBook")
            .field("symbol", &self.symbol)
            .field("last_update_id", &s.last_update_id())
            .field("synced", &s.is_synced())
            .field("bids", &s.levels().bid_len())
            .field("asks", &s.levels().ask_len())
            .finish()
    }
}

impl OrderBook {
    pub(crate) fn new(symbol: Arc<str>, sync: BookSync) -> OrderBook {
        OrderBook { symbol, sync: Arc::new(RwLock::new(sync)) }
    }

    /// Write access for the manager.
    pub(crate) fn with_sync<R>(&self, f: impl FnOnce(&mut BookSync) -> R) -> R {
        f(&mut self.sync.write())
    }

    /// The symbol (upper case).
    pub fn symbol(&self) -> &str {
        &self.symbol
    }

    /// Runs `f` on the levels under one read lock, for several reads that must agree with each other.
    pub fn read<R>(&self, f: impl FnOnce(&Levels, u64) -> R) -> R {
        let s = self.sync.read();
        f(s.levels(), s.last_update_id())
    }

    /// Where the book stands.
    pub fn state(&self) -> SyncState {
        let s = self.sync.read();
        if s.is_synced() {
            SyncState::Synced
        } else if s.ever_synced() {
            SyncState::Resyncing
        } else {
            SyncState::Syncing
        }
    }

    /// True while the levels are the exchange's book.
    pub fn is_synced(&self) -> bool {
        self.sync.read().is_synced()
    }

    /// The update id of the last change applied (meaningful while synced).
    pub fn last_update_id(&self) -> u64 {
        self.sync.read().last_update_id()
    }

    /// How many times the book lost sync after having been in sync.
    pub fn resync_count(&self) -> u64 {
        self.sync.read().resync_count()
    }

    /// Why the book last lost sync.
    pub fn last_resync_reason(&self) -> Option<ResyncReason> {
        self.sync.read().last_resync_reason().cloned()
    }

    /// The highest bid.
    pub fn best_bid(&self) -> Option<Level> {
        self.sync.read().levels().best_bid()
    }

    /// The lowest ask.
    pub fn best_ask(&self) -> Option<Level> {
        self.sync.read().levels().best_ask()
    }

    /// The best `n` levels of each side with their update id, read together.
    pub fn top(&self, n: usize) -> Depth {
        self.read(|l, id| Depth { last_update_id: id, bids: l.top_bids(n), asks: l.top_asks(n) })
    }

    /// The best `n` bids.
    pub fn top_bids(&self, n: usize) -> Vec<Level> {
        self.sync.read().levels().top_bids(n)
    }

    /// The best `n` asks.
    pub fn top_asks(&self, n: usize) -> Vec<Level> {
        self.sync.read().levels().top_asks(n)
    }

    /// The bid quantity at `price`, if there is a level there.
    pub fn bid_qty(&self, price: Decimal) -> Option<Decimal> {
        self.sync.read().levels().bid_qty(price)
    }

    /// The ask quantity at `price`, if there is a level there.
    pub fn ask_qty(&self, price: Decimal) -> Option<Decimal> {
        self.sync.read().levels().ask_qty(price)
    }
}
