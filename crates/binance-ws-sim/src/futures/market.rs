//! The market state the futures stream connections read: the spot-style market state built from trades and
//! book changes (books, aggregate trades, klines, 24 h statistics), plus mark and index prices with their klines.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;

use super::engine::{FMarketEvent, MarkUpdate};
use crate::market::{Interval, KlineSeries, MarketState};
use crate::streams::HubState;

/// Bars kept per mark/index kline series.
const PRICE_KLINE_HISTORY: usize = 1_000;

/// Everything the futures streams of one product need.
pub struct FuturesMarket {
    /// Books, trades, aggregates, klines, statistics.
    pub base: MarketState,
    /// The latest mark price update per symbol.
    pub marks: BTreeMap<String, MarkUpdate>,
    /// Mark price klines per (symbol, interval).
    pub mark_klines: HashMap<(String, Interval), KlineSeries>,
    /// Index price klines per (pair, interval).
    pub index_klines: HashMap<(String, Interval), KlineSeries>,
    /// The pair of each symbol.
    pub pairs: BTreeMap<String, String>,
}

impl FuturesMarket {
    /// A state knowing these symbols (with their pairs) and their first mark prices.
    pub fn new(marks: Vec<MarkUpdate>) -> FuturesMarket {
        let mut m = FuturesMarket {
            base: MarketState::default(),
            marks: BTreeMap::new(),
            mark_klines: HashMap::new(),
            index_klines: HashMap::new(),
            pairs: BTreeMap::new(),
        };
        for u in marks {
            m.base.ensure_symbol(&u.symbol);
            m.pairs.insert(u.symbol.clone(), u.pair.clone());
            m.apply_mark(&u);
        }
        m
    }

    /// The pair of a symbol (the symbol itself when unknown).
    pub fn pair(&self, symbol: &str) -> String {
        self.pairs.get(symbol).cloned().unwrap_or_else(|| symbol.to_string())
    }

    /// The latest index price of a pair.
    pub fn index_of_pair(&self, pair: &str) -> Option<(Decimal, u64)> {
        self.marks.values().find(|m| m.pair == pair).map(|m| (m.index, m.time_ms))
    }

    fn apply_mark(&mut self, u: &MarkUpdate) {
        for iv in Interval::ALL.into_iter().filter(|i| *i != Interval::S1) {
            self.mark_klines
                .entry((u.symbol.clone(), iv))
                .or_insert_with(|| KlineSeries::new(iv, 0, PRICE_KLINE_HISTORY))
                .add(u.time_ms, 0, u.mark, Decimal::ZERO, Decimal::ZERO, false);
            self.index_klines
                .entry((u.pair.clone(), iv))
                .or_insert_with(|| KlineSeries::new(iv, 0, PRICE_KLINE_HISTORY))
                .add(u.time_ms, 0, u.index, Decimal::ZERO, Decimal::ZERO, false);
        }
        self.marks.insert(u.symbol.clone(), u.clone());
    }
}

impl HubState for FuturesMarket {
    type Event = FMarketEvent;
    fn apply(&mut self, ev: &FMarketEvent) {
        match ev {
            FMarketEvent::Market(m) => self.base.apply(m),
            FMarketEvent::Mark(u) => self.apply_mark(u),
            FMarketEvent::ForceOrder(_) => {}
        }
    }
    fn end_batch(&mut self) {
        self.base.seal_aggregates();
    }
}
