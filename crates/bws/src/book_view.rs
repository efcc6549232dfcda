//! The view-model of `bws book`: the levels, spread, update rate, sync state, resync count and reason that the
//! live view and `--once` show. It knows nothing of where the book comes from: `book_feed.rs` fills it from
//! `binance_ws::book`'s order book.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use rust_decimal::Decimal;

/// Where the book stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncState {
    /// No book yet: waiting for the first snapshot to join the diff stream.
    Syncing,
    /// The levels are the exchange's book at `last_update_id`.
    Synced,
    /// Sync was lost (a gap or a disconnect); a new snapshot is on its way.
    Resyncing,
    /// The feed ended for good.
    Closed,
}

impl SyncState {
    /// The word the view shows.
    pub fn label(self) -> &'static str {
        match self {
            SyncState::Syncing => "SYNCING",
            SyncState::Synced => "SYNCED",
            SyncState::Resyncing => "RESYNCING",
            SyncState::Closed => "CLOSED",
        }
    }
}

/// One price level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Level {
    /// Price.
    pub price: Decimal,
    /// Quantity at that price.
    pub qty: Decimal,
}

/// The update rate is measured over this window.
const RATE_WINDOW: Duration = Duration::from_secs(5);

/// What the book view shows.
#[derive(Debug, Clone)]
pub struct BookView {
    /// The symbol.
    pub symbol: String,
    /// What feeds the view, shown in its title (e.g. `depth20@100ms`).
    pub source: String,
    /// Bids, best (highest) first.
    pub bids: Vec<Level>,
    /// Asks, best (lowest) first.
    pub asks: Vec<Level>,
    /// The update id of the book shown.
    pub last_update_id: u64,
    /// The sync state.
    pub state: SyncState,
    /// How many times the book lost sync and had to be rebuilt.
    pub resyncs: u64,
    /// Why it last lost sync.
    pub resync_reason: Option<String>,
    /// The last failed snapshot request, until the book is in sync again.
    pub snapshot_error: Option<String>,
    updates: VecDeque<Instant>,
    first_update: Option<Instant>,
}

impl BookView {
    /// An empty view, connecting.
    pub fn new(symbol: impl Into<String>, source: impl Into<String>) -> BookView {
        BookView {
            symbol: symbol.into(),
            source: source.into(),
            bids: Vec::new(),
            asks: Vec::new(),
            last_update_id: 0,
            state: SyncState::Syncing,
            resyncs: 0,
            resync_reason: None,
            snapshot_error: None,
            updates: VecDeque::new(),
            first_update: None,
        }
    }

    /// Replaces the levels (any order; kept best first).
    pub fn set_book(&mut self, mut bids: Vec<Level>, mut asks: Vec<Level>, last_update_id: u64) {
        bids.sort_by_key(|l| std::cmp::Reverse(l.price));
        asks.sort_by_key(|l| l.price);
        self.bids = bids;
        self.asks = asks;
        self.last_update_id = last_update_id;
    }

    /// Counts an update of the book at `at` (for the update rate).
    pub fn count_update(&mut self, at: Instant) {
        self.first_update.get_or_insert(at);
        self.updates.push_back(at);
        while self.updates.front().is_some_and(|t| at.duration_since(*t) > RATE_WINDOW) {
            self.updates.pop_front();
        }
    }

    /// Sets the sync state.
    pub fn set_state(&mut self, state: SyncState) {
        self.state = state;
    }

    /// Notes that the book lost sync for `reason` and how many times that has happened.
    pub fn set_resync(&mut self, count: u64, reason: impl Into<String>) {
        self.resyncs = count;
        self.resync_reason = Some(reason.into());
    }

    /// The best bid.
    pub fn best_bid(&self) -> Option<Level> {
        self.bids.first().copied()
    }

    /// The best ask.
    pub fn best_ask(&self) -> Option<Level> {
        self.asks.first().copied()
    }

    /// Best ask minus best bid.
    pub fn spread(&self) -> Option<Decimal> {
        Some(self.best_ask()?.price - self.best_bid()?.price)
    }

    /// The middle of the best bid and ask.
    pub fn mid(&self) -> Option<Decimal> {
        Some((self.best_ask()?.price + self.best_bid()?.price) / Decimal::TWO)
    }

    /// The spread in basis points of the mid price, two decimals.
    pub fn spread_bps(&self) -> Option<Decimal> {
        let mid = self.mid().filter(|m| !m.is_zero())?;
        Some((self.spread()? / mid * Decimal::from(10_000)).round_dp(2))
    }

    /// Updates per second over the last five seconds (or since the first update, if more recent).
    pub fn rate(&self, now: Instant) -> f64 {
        let Some(first) = self.first_update else { return 0.0 };
        let recent = self.updates.iter().filter(|t| now.duration_since(**t) <= RATE_WINDOW).count();
        let span = now.duration_since(first).min(RATE_WINDOW).as_secs_f64().max(1.0);
        recent as f64 / span
    }

    /// The largest quantity among the `per_side` best levels of either side (for bar lengths).
    pub fn max_qty(&self, per_side: usize) -> Decimal {
        self.bids.iter().take(per_side).chain(self.asks.iter().take(per_side)).map(|l| l.qty).max().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lvl(p: &str, q: &str) -> Level {
        Level { price: p.parse().unwrap(), qty: q.parse().unwrap() }
    }

    #[test]
    fn spread_mid_and_order_come_from_the_levels() {
        let mut v = BookView::new("BTCUSDT", "test");
        assert_eq!(v.spread(), None);
        v.set_book(vec![lvl("99.00", "1"), lvl("99.50", "2")], vec![lvl("101.00", "3"), lvl("100.50", "4")], 7);
        assert_eq!(v.best_bid(), Some(lvl("99.50", "2")));
        assert_eq!(v.best_ask(), Some(lvl("100.50", "4")));
        assert_eq!(v.spread(), Some("1.00".parse().unwrap()));
        assert_eq!(v.mid(), Some("100.00".parse().unwrap()));
        assert_eq!(v.spread_bps(), Some("100".parse().unwrap()));
        assert_eq!(v.max_qty(1), "4".parse().unwrap());
        assert_eq!(v.max_qty(2), "4".parse().unwrap());
    }

    #[test]
    fn the_rate_counts_updates_of_the_last_five_seconds() {
        let mut v = BookView::new("X", "test");
        let t0 = Instant::now();
        for i in 0..20 {
            v.count_update(t0 + Duration::from_millis(100 * i));
        }
        // 20 updates over the first 1.9 s (counted as at least one second).
        let r = v.rate(t0 + Duration::from_millis(1900));
        assert!((r - 20.0 / 1.9).abs() < 1e-9, "{r}");
        // Ten seconds later, none of them is recent.
        assert_eq!(v.rate(t0 + Duration::from_secs(12)), 0.0);
    }
}
