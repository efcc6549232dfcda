//! What the matching engine tells the rest of the local exchange: every trade and every change of a book.
//! The stream server and the market statistics are built from these alone.

use rust_decimal::Decimal;

/// One fill between a taker and a resting maker order.
#[derive(Debug, Clone, PartialEq)]
pub struct Trade {
    /// Upper-case symbol, e.g. `BTCUSDT`.
    pub symbol: String,
    /// Per-symbol trade id, from 1, without gaps.
    pub id: u64,
    /// Execution price (the maker's price).
    pub price: Decimal,
    /// Base quantity.
    pub qty: Decimal,
    /// price x qty.
    pub quote_qty: Decimal,
    /// Engine time in epoch milliseconds.
    pub time_ms: u64,
    /// Order id of the buy side.
    pub buyer_order_id: u64,
    /// Order id of the sell side.
    pub seller_order_id: u64,
    /// True when the buyer was the resting (maker) order.
    pub buyer_is_maker: bool,
}

/// A change of one symbol's book, covering update ids `first_update_id..=final_update_id`.
/// Levels carry the new total quantity at the price; zero means the level is gone.
#[derive(Debug, Clone, PartialEq)]
pub struct DepthDiff {
    /// Upper-case symbol.
    pub symbol: String,
    /// First update id in this diff (previous diff's `final_update_id` + 1).
    pub first_update_id: u64,
    /// Last update id in this diff; the book's `last_update_id` after it.
    pub final_update_id: u64,
    /// Engine time in epoch milliseconds.
    pub time_ms: u64,
    /// Changed bid levels (price, new quantity), best first.
    pub bids: Vec<(Decimal, Decimal)>,
    /// Changed ask levels (price, new quantity), best first.
    pub asks: Vec<(Decimal, Decimal)>,
}

/// A snapshot of the top of a book.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DepthSnapshot {
    /// The book's last update id at the moment of the snapshot.
    pub last_update_id: u64,
    /// Bid levels, best (highest) first.
    pub bids: Vec<(Decimal, Decimal)>,
    /// Ask levels, best (lowest) first.
    pub asks: Vec<(Decimal, Decimal)>,
}

/// Market events in the order they happened.
#[derive(Debug, Clone, PartialEq)]
pub enum MarketEvent {
    /// A fill.
    Trade(Trade),
    /// A change of a book.
    Depth(DepthDiff),
}
