//! [`Levels`]: the price levels of one book, both sides, exact at the surface and integer inside.

use rust_decimal::Decimal;

use super::price::{from_ticks, initial_scale, rescale, to_ticks, TickError};
use super::side::SideLevels;
use crate::streams::Level;

/// A price that cannot be stored: `price × 10^scale` does not fit in 64 bits at the scale the book needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("price {price} cannot be stored at {scale} decimals (out of the 64-bit tick range)")]
pub struct PriceOutOfRange {
    /// The price.
    pub price: Decimal,
    /// The decimals the book needed for it.
    pub scale: u32,
}

/// Both sides of an order book: set a quantity at a price, read the best level, the top N levels or the
/// quantity at a price. Prices are stored as integer ticks (see `benches/book.rs` for why); every price and
/// quantity given back is an exact [`Decimal`].
///
/// This is the storage only; [`BookSync`](super::BookSync) adds the update-id rules around it.
///
/// ```
/// use binance_ws::book::Levels;
/// use binance_ws::model::Decimal;
/// use std::str::FromStr;
///
/// let d = |s: &str| Decimal::from_str(s).unwrap();
/// let mut book = Levels::new();
/// book.set_bid(d("100.10000000"), d("2.5"))?;
/// book.set_bid(d("100.20000000"), d("1"))?;
/// book.set_ask(d("100.30000000"), d("4"))?;
/// assert_eq!(book.best_bid().map(|l| l.price), Some(d("100.2")));
/// assert_eq!(book.bid_qty(d("100.1")), Some(d("2.5")));
/// book.set_bid(d("100.20000000"), Decimal::ZERO)?; // zero removes the level
/// assert_eq!(book.top_bids(5).len(), 1);
/// # Ok::<(), binance_ws::book::PriceOutOfRange>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Levels {
    bids: SideLevels,
    asks: SideLevels,
    /// Decimals of the ticks; `None` until the first price.
    scale: Option<u32>,
}

impl Levels {
    /// An empty book.
    pub fn new() -> Levels {
        Levels::default()
    }

    /// The tick of `price`, growing the scale of the whole book first when the price is finer.
    #[inline]
    fn ticks(&mut self, price: Decimal) -> Result<i64, PriceOutOfRange> {
        let scale = *self.scale.get_or_insert_with(|| initial_scale(price));
        match to_ticks(price, scale) {
            Ok(t) => Ok(t),
            Err(TickError::TooFine(finer)) => {
                self.rescale(finer).map_err(|_| PriceOutOfRange { price, scale: finer })?;
                to_ticks(price, finer).map_err(|_| PriceOutOfRange { price, scale: finer })
            }
            Err(TickError::OutOfRange) => Err(PriceOutOfRange { price, scale }),
        }
    }

    /// The tick of `price` without changing the book (`None`: no level can be at that price).
    #[inline]
    fn lookup(&self, price: Decimal) -> Option<i64> {
        to_ticks(price, self.scale?).ok()
    }

    fn rescale(&mut self, to: u32) -> Result<(), TickError> {
        let from = self.scale.unwrap_or(to);
        // Check both sides before changing either, so a failure leaves the book as it was.
        let (mut bids, mut asks) = (self.bids.clone(), self.asks.clone());
        bids.map_keys(|k| rescale(k, from, to))?;
        asks.map_keys(|k| rescale(k, from, to))?;
        (self.bids, self.asks, self.scale) = (bids, asks, Some(to));
        Ok(())
    }

    /// Sets the bid quantity at `price`; zero removes the level (removing a missing level does nothing).
    #[inline]
    pub fn set_bid(&mut self, price: Decimal, qty: Decimal) -> Result<(), PriceOutOfRange> {
        let t = self.ticks(price)?;
        self.bids.set(t, qty);
        Ok(())
    }

    /// Sets the ask quantity at `price`; zero removes the level (removing a missing level does nothing).
    #[inline]
    pub fn set_ask(&mut self, price: Decimal, qty: Decimal) -> Result<(), PriceOutOfRange> {
        let t = self.ticks(price)?;
        self.asks.set(-t, qty);
        Ok(())
    }

    /// Applies a list of bid and ask levels (absolute quantities, zero removes). Stops at the first price that
    /// cannot be stored; the levels before it are applied.
    pub fn apply(&mut self, bids: &[Level], asks: &[Level]) -> Result<(), PriceOutOfRange> {
        for l in bids {
            self.set_bid(l.price, l.qty)?;
        }
        for l in asks {
            self.set_ask(l.price, l.qty)?;
        }
        Ok(())
    }

    /// Replaces the whole book with these levels.
    pub fn load(&mut self, bids: &[Level], asks: &[Level]) -> Result<(), PriceOutOfRange> {
        self.clear();
        self.apply(bids, asks)
    }

    /// Removes every level.
    pub fn clear(&mut self) {
        self.bids.clear();
        self.asks.clear();
        self.scale = None;
    }

    fn level(&self, ticks: i64, qty: Decimal) -> Level {
        Level { price: from_ticks(ticks, self.scale.unwrap_or(0)), qty }
    }

    /// The highest bid.
    #[inline]
    pub fn best_bid(&self) -> Option<Level> {
        self.bids.best().map(|(t, q)| self.level(t, q))
    }

    /// The lowest ask.
    #[inline]
    pub fn best_ask(&self) -> Option<Level> {
        self.asks.best().map(|(t, q)| self.level(-t, q))
    }

    /// Bids from the best (highest) down.
    pub fn bids(&self) -> impl Iterator<Item = Level> + '_ {
        self.bids.iter().map(|(t, q)| self.level(t, q))
    }

    /// Asks from the best (lowest) up.
    pub fn asks(&self) -> impl Iterator<Item = Level> + '_ {
        self.asks.iter().map(|(t, q)| self.level(-t, q))
    }

    /// The best `n` bids, best first.
    pub fn top_bids(&self, n: usize) -> Vec<Level> {
        self.bids().take(n).collect()
    }

    /// The best `n` asks, best first.
    pub fn top_asks(&self, n: usize) -> Vec<Level> {
        self.asks().take(n).collect()
    }

    /// The bid quantity at `price`, if there is a level there.
    pub fn bid_qty(&self, price: Decimal) -> Option<Decimal> {
        self.bids.get(self.lookup(price)?)
    }

    /// The ask quantity at `price`, if there is a level there.
    pub fn ask_qty(&self, price: Decimal) -> Option<Decimal> {
        self.asks.get(-self.lookup(price)?)
    }

    /// Number of bid levels.
    pub fn bid_len(&self) -> usize {
        self.bids.len()
    }

    /// Number of ask levels.
    pub fn ask_len(&self) -> usize {
        self.asks.len()
    }

    /// True when both sides are empty.
    pub fn is_empty(&self) -> bool {
        self.bids.len() == 0 && self.asks.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn sides_are_ordered_best_first() {
        let mut b = Levels::new();
        for p in ["10.00", "10.02", "10.01"] {
            b.set_bid(d(p), Decimal::ONE).unwrap();
            b.set_ask(d(p) + d("1"), Decimal::TWO).unwrap();
        }
        let bids: Vec<_> = b.bids().map(|l| l.price).collect();
        let asks: Vec<_> = b.asks().map(|l| l.price).collect();
        assert_eq!(bids, vec![d("10.02"), d("10.01"), d("10.00")]);
        assert_eq!(asks, vec![d("11.00"), d("11.01"), d("11.02")]);
        assert_eq!(b.best_ask(), Some(Level { price: d("11"), qty: Decimal::TWO }));
    }

    #[test]
    fn a_finer_price_rescales_the_book_exactly() {
        let mut b = Levels::new();
        b.set_bid(d("10.5"), Decimal::ONE).unwrap();
        b.set_ask(d("11"), Decimal::ONE).unwrap();
        b.set_bid(d("10.25"), Decimal::TWO).unwrap();
        assert_eq!(b.top_bids(5).iter().map(|l| l.price).collect::<Vec<_>>(), vec![d("10.5"), d("10.25")]);
        assert_eq!(b.bid_qty(d("10.250000")), Some(Decimal::TWO));
        assert_eq!(b.bid_qty(d("10.255")), None);
        assert_eq!(b.ask_qty(d("11.00")), Some(Decimal::ONE));
    }

    #[test]
    fn an_unstorable_price_is_an_error_and_changes_nothing() {
        let mut b = Levels::new();
        b.set_bid(d("1"), Decimal::ONE).unwrap();
        let e = b.set_bid(d("99999999999999999999"), Decimal::ONE).unwrap_err();
        assert_eq!(e.price, d("99999999999999999999"));
        assert_eq!(b.bid_len(), 1);
        b.set_bid(d("9223372036854775807"), Decimal::ONE).unwrap();
        assert!(b.set_bid(d("0.5"), Decimal::ONE).is_err(), "rescaling the huge level would overflow");
        assert_eq!(b.top_bids(5).len(), 2);
    }
}
