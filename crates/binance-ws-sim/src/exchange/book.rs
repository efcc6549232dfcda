//! One symbol's order book: price levels holding orders in time priority, with change tracking for diffs.

use super::order::{AccountId, Side};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// An order resting at a level: only its visible quantity shows in the book.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    pub order_id: u64,
    pub account: AccountId,
    pub visible: Decimal,
}

/// (price, total quantity) pairs.
pub(crate) type LevelList = Vec<(Decimal, Decimal)>;

#[derive(Debug, Clone, Default)]
pub(crate) struct Level {
    pub total: Decimal,
    pub queue: VecDeque<Entry>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Book {
    bids: BTreeMap<Decimal, Level>,
    asks: BTreeMap<Decimal, Level>,
    dirty_bids: BTreeSet<Decimal>,
    dirty_asks: BTreeSet<Decimal>,
}

impl Book {
    fn side_mut(&mut self, side: Side) -> (&mut BTreeMap<Decimal, Level>, &mut BTreeSet<Decimal>) {
        match side {
            Side::Buy => (&mut self.bids, &mut self.dirty_bids),
            Side::Sell => (&mut self.asks, &mut self.dirty_asks),
        }
    }

    /// Best price on a side.
    pub fn best(&self, side: Side) -> Option<Decimal> {
        match side {
            Side::Buy => self.bids.keys().next_back().copied(),
            Side::Sell => self.asks.keys().next().copied(),
        }
    }

    /// The first order at the best level of a side.
    pub fn front(&self, side: Side) -> Option<(Decimal, Entry)> {
        let (price, level) = match side {
            Side::Buy => self.bids.iter().next_back()?,
            Side::Sell => self.asks.iter().next()?,
        };
        level.queue.front().map(|e| (*price, e.clone()))
    }

    /// Appends an order at the back of its level.
    pub fn push(&mut self, side: Side, price: Decimal, entry: Entry) {
        let (levels, dirty) = self.side_mut(side);
        let level = levels.entry(price).or_default();
        level.total += entry.visible;
        level.queue.push_back(entry);
        dirty.insert(price);
    }

    /// Removes an order; returns its entry.
    pub fn remove(&mut self, side: Side, price: Decimal, order_id: u64) -> Option<Entry> {
        let (levels, dirty) = self.side_mut(side);
        let level = levels.get_mut(&price)?;
        let pos = level.queue.iter().position(|e| e.order_id == order_id)?;
        let entry = level.queue.remove(pos)?;
        level.total -= entry.visible;
        if level.queue.is_empty() {
            levels.remove(&price);
        }
        dirty.insert(price);
        Some(entry)
    }

    /// Sets an order's visible quantity in place (keeps its priority).
    pub fn set_visible(&mut self, side: Side, price: Decimal, order_id: u64, visible: Decimal) -> bool {
        let (levels, dirty) = self.side_mut(side);
        let Some(level) = levels.get_mut(&price) else { return false };
        let Some(e) = level.queue.iter_mut().find(|e| e.order_id == order_id) else { return false };
        level.total += visible - e.visible;
        e.visible = visible;
        dirty.insert(price);
        true
    }

    /// Whether an order of `side` at `price` (None = market) would cross the opposite side.
    pub fn crosses(&self, side: Side, price: Option<Decimal>) -> bool {
        match (self.best(side.opposite()), price) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(b), Some(p)) => match side {
                Side::Buy => b <= p,
                Side::Sell => b >= p,
            },
        }
    }

    /// Order ids on the opposite side that an order of `side` with limit `price` could match, best first.
    pub fn crossing_orders(&self, side: Side, price: Option<Decimal>) -> Vec<u64> {
        let ok = |p: &Decimal| match (side, price) {
            (_, None) => true,
            (Side::Buy, Some(l)) => *p <= l,
            (Side::Sell, Some(l)) => *p >= l,
        };
        let mut out = Vec::new();
        let iter: Box<dyn Iterator<Item = (&Decimal, &Level)>> = match side {
            Side::Buy => Box::new(self.asks.iter()),
            Side::Sell => Box::new(self.bids.iter().rev()),
        };
        for (p, level) in iter {
            if !ok(p) {
                break;
            }
            out.extend(level.queue.iter().map(|e| e.order_id));
        }
        out
    }

    /// Levels (price, total), best first, at most `limit` per side.
    pub fn levels(&self, side: Side, limit: usize) -> Vec<(Decimal, Decimal)> {
        match side {
            Side::Buy => self.bids.iter().rev().take(limit).map(|(p, l)| (*p, l.total)).collect(),
            Side::Sell => self.asks.iter().take(limit).map(|(p, l)| (*p, l.total)).collect(),
        }
    }

    /// The levels changed since the last call, with their new totals (0 = gone), best first.
    pub fn take_changes(&mut self) -> (LevelList, LevelList) {
        let bids: Vec<_> = std::mem::take(&mut self.dirty_bids)
            .into_iter()
            .rev()
            .map(|p| (p, self.bids.get(&p).map(|l| l.total).unwrap_or_default()))
            .collect();
        let asks: Vec<_> = std::mem::take(&mut self.dirty_asks)
            .into_iter()
            .map(|p| (p, self.asks.get(&p).map(|l| l.total).unwrap_or_default()))
            .collect();
        (bids, asks)
    }

    /// Every resting entry with its side and price.
    pub fn entries(&self) -> impl Iterator<Item = (Side, Decimal, &Entry)> {
        self.bids
            .iter()
            .flat_map(|(p, l)| l.queue.iter().map(move |e| (Side::Buy, *p, e)))
            .chain(self.asks.iter().flat_map(|(p, l)| l.queue.iter().map(move |e| (Side::Sell, *p, e))))
    }
}
