//! Market state built only from the matching engine's [`MarketEvent`]s: a mirror of each book, recent
//! trades, aggregate trades, klines for every interval, rolling-window statistics, the 5-minute average
//! price and the best bid/ask per update id. All histories are capped ([`MarketConfig`]).
//!
//! The WebSocket API's market-data results built from this state live in [`json`].

pub mod json;
pub mod kline;

use std::collections::{BTreeMap, HashMap, VecDeque};

use rust_decimal::{Decimal, RoundingStrategy};

use crate::exchange::events::{DepthDiff, DepthSnapshot, MarketEvent, Trade};
pub use kline::{parse_time_zone, Interval, Kline, KlineSeries};

const MINUTE_MS: u64 = 60_000;
const DAY_MS: u64 = 86_400_000;
/// The UTC+8 offset of the `@kline_<interval>@+08:00` streams.
pub const UTC8_OFFSET_MS: i64 = 8 * 3_600_000;

/// Caps on the histories kept per symbol.
#[derive(Debug, Clone)]
pub struct MarketConfig {
    /// Individual trades kept (trades.recent / trades.historical).
    pub trade_history: usize,
    /// Aggregate trades kept (trades.aggregate, aggTrade stream).
    pub agg_trade_history: usize,
    /// Bars kept per interval and offset (the `1m` UTC series keeps at least `minute_history`).
    pub kline_history: usize,
    /// `1m` UTC bars kept; rolling statistics reach back this many minutes (default 7 days + 1 minute).
    pub minute_history: usize,
    /// Best bid/ask changes remembered by update id (bookTicker frames for events already applied).
    pub book_ticker_history: usize,
}

impl Default for MarketConfig {
    fn default() -> Self {
        MarketConfig {
            trade_history: 10_000,
            agg_trade_history: 10_000,
            kline_history: 1_000,
            minute_history: 7 * 24 * 60 + 2,
            book_ticker_history: 4_096,
        }
    }
}

/// One trade as kept in the history.
#[derive(Debug, Clone, PartialEq)]
pub struct TradeRecord {
    pub id: u64,
    pub price: Decimal,
    pub qty: Decimal,
    pub quote_qty: Decimal,
    pub time_ms: u64,
    pub buyer_is_maker: bool,
    /// Order id of the taker (the buyer when `buyer_is_maker` is false).
    pub taker_order_id: u64,
}

/// Consecutive fills of one taker order at the same price and time.
#[derive(Debug, Clone, PartialEq)]
pub struct AggTrade {
    pub id: u64,
    pub price: Decimal,
    pub qty: Decimal,
    pub first_trade_id: u64,
    pub last_trade_id: u64,
    pub time_ms: u64,
    pub buyer_is_maker: bool,
    pub taker_order_id: u64,
    /// False while more fills may still join (until a different trade arrives or [`MarketState::seal_aggregates`]).
    pub sealed: bool,
}

/// Best bid and ask after one book update.
#[derive(Debug, Clone, PartialEq)]
pub struct BookTop {
    pub update_id: u64,
    pub bid: Option<(Decimal, Decimal)>,
    pub ask: Option<(Decimal, Decimal)>,
}

/// A mirror of one book, kept from depth diffs.
#[derive(Debug, Clone, Default)]
pub struct Book {
    pub bids: BTreeMap<Decimal, Decimal>,
    pub asks: BTreeMap<Decimal, Decimal>,
    pub last_update_id: u64,
}

impl Book {
    /// Best bid (highest).
    pub fn best_bid(&self) -> Option<(Decimal, Decimal)> {
        self.bids.iter().next_back().map(|(p, q)| (*p, *q))
    }
    /// Best ask (lowest).
    pub fn best_ask(&self) -> Option<(Decimal, Decimal)> {
        self.asks.iter().next().map(|(p, q)| (*p, *q))
    }
    /// The top `limit` levels of each side with the book's last update id.
    pub fn snapshot(&self, limit: usize) -> DepthSnapshot {
        DepthSnapshot {
            last_update_id: self.last_update_id,
            bids: self.bids.iter().rev().take(limit).map(|(p, q)| (*p, *q)).collect(),
            asks: self.asks.iter().take(limit).map(|(p, q)| (*p, *q)).collect(),
        }
    }
}

/// Statistics over a window of trades.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowStats {
    pub open_time: u64,
    pub close_time: u64,
    pub open: Decimal,
    pub high: Decimal,
    pub low: Decimal,
    pub last: Decimal,
    pub last_qty: Decimal,
    pub volume: Decimal,
    pub quote_volume: Decimal,
    pub count: u64,
    /// -1 when the window has no trades.
    pub first_id: i64,
    /// -1 when the window has no trades.
    pub last_id: i64,
    /// Price of the last trade before the window (the `x` field of `@ticker`), or zero when unknown.
    pub prev_close: Decimal,
}

impl WindowStats {
    /// `last - open`.
    pub fn price_change(&self) -> Decimal {
        if self.count == 0 {
            Decimal::ZERO
        } else {
            self.last - self.open
        }
    }
    /// `(last - open) / open * 100`, rounded to 3 decimals.
    pub fn price_change_percent(&self) -> Decimal {
        if self.count == 0 || self.open.is_zero() {
            return Decimal::ZERO.round_dp(3);
        }
        let mut p = (self.price_change() * Decimal::ONE_HUNDRED / self.open)
            .round_dp_with_strategy(3, RoundingStrategy::MidpointAwayFromZero);
        p.rescale(3);
        p
    }
    /// `quoteVolume / volume`, rounded to 8 decimals.
    pub fn weighted_avg_price(&self) -> Decimal {
        if self.volume.is_zero() {
            return Decimal::ZERO;
        }
        (self.quote_volume / self.volume).round_dp_with_strategy(8, RoundingStrategy::MidpointAwayFromZero)
    }
}

/// Everything kept about one symbol.
#[derive(Debug, Clone)]
pub struct SymbolMarket {
    pub book: Book,
    trades: VecDeque<TradeRecord>,
    aggs: VecDeque<AggTrade>,
    next_agg_id: u64,
    klines: HashMap<(Interval, i64), KlineSeries>,
    tops: VecDeque<BookTop>,
    last_trade: Option<TradeRecord>,
}

impl SymbolMarket {
    fn new(cfg: &MarketConfig) -> SymbolMarket {
        let mut klines = HashMap::new();
        for off in [0, UTC8_OFFSET_MS] {
            for iv in Interval::ALL {
                let cap = match iv {
                    Interval::M1 if off == 0 => cfg.minute_history.max(cfg.kline_history),
                    Interval::S1 if off == 0 => cfg.kline_history.max(301),
                    _ => cfg.kline_history,
                };
                klines.insert((iv, off), KlineSeries::new(iv, off, cap));
            }
        }
        SymbolMarket {
            book: Book::default(),
            trades: VecDeque::new(),
            aggs: VecDeque::new(),
            next_agg_id: 1,
            klines,
            tops: VecDeque::new(),
            last_trade: None,
        }
    }

    /// Kept trades, oldest first.
    pub fn trades(&self) -> &VecDeque<TradeRecord> {
        &self.trades
    }
    /// Kept aggregate trades, oldest first.
    pub fn agg_trades(&self) -> &VecDeque<AggTrade> {
        &self.aggs
    }
    /// The latest trade.
    pub fn last_trade(&self) -> Option<&TradeRecord> {
        self.last_trade.as_ref()
    }
    /// A kline series; kept for offsets 0 and [`UTC8_OFFSET_MS`].
    pub fn klines(&self, interval: Interval, offset_ms: i64) -> Option<&KlineSeries> {
        self.klines.get(&(interval, offset_ms))
    }
    /// The best bid/ask right after the update with this final id, if it changed the top of the book.
    pub fn top_at(&self, update_id: u64) -> Option<&BookTop> {
        let i = self.tops.binary_search_by_key(&update_id, |t| t.update_id).ok()?;
        self.tops.get(i)
    }
    /// The aggregate trade containing this trade id, if kept.
    pub fn agg_containing(&self, trade_id: u64) -> Option<&AggTrade> {
        let i = self.aggs.partition_point(|a| a.last_trade_id < trade_id);
        self.aggs.get(i).filter(|a| a.first_trade_id <= trade_id)
    }

    /// Statistics of the trades in `from..=to` (ms) built from `1m` bars whose open time is in the range;
    /// `from` should be minute-aligned for exact results.
    pub fn stats(&self, from: u64, to: u64) -> WindowStats {
        let mut s = WindowStats {
            open_time: from,
            close_time: to,
            open: Decimal::ZERO,
            high: Decimal::ZERO,
            low: Decimal::ZERO,
            last: Decimal::ZERO,
            last_qty: Decimal::ZERO,
            volume: Decimal::ZERO,
            quote_volume: Decimal::ZERO,
            count: 0,
            first_id: -1,
            last_id: -1,
            prev_close: Decimal::ZERO,
        };
        let Some(series) = self.klines(Interval::M1, 0) else { return s };
        // Newest first, so that short windows stop early.
        for b in series.bars().iter().rev() {
            if b.open_time < from {
                s.prev_close = b.close;
                break;
            }
            if b.open_time > to || b.trades == 0 {
                continue;
            }
            if s.count == 0 {
                s.high = b.high;
                s.low = b.low;
                s.last = b.close;
                s.last_id = b.last_trade_id as i64;
            }
            s.open = b.open;
            s.first_id = b.first_trade_id as i64;
            s.high = s.high.max(b.high);
            s.low = s.low.min(b.low);
            s.volume += b.volume;
            s.quote_volume += b.quote_volume;
            s.count += b.trades;
        }
        if let Some(t) = &self.last_trade {
            if s.count > 0 && t.id as i64 == s.last_id {
                s.last_qty = t.qty;
            }
            if s.count == 0 {
                s.last = t.price;
            }
        }
        s
    }

    /// The 24 hour rolling window ending at `now_ms`. The window's edge is taken at minute precision
    /// (trades up to 59 999 ms older than 24 h may be counted), while `openTime` reports `now - 24h`.
    pub fn stats_24h(&self, now_ms: u64) -> WindowStats {
        let from = now_ms.saturating_sub(DAY_MS);
        let mut s = self.stats(from / MINUTE_MS * MINUTE_MS, now_ms);
        s.open_time = from;
        s
    }

    /// A rolling window of `window_ms` ending at `now_ms`; the open time starts on a minute.
    pub fn stats_rolling(&self, window_ms: u64, now_ms: u64) -> WindowStats {
        let from = now_ms.saturating_sub(window_ms) / MINUTE_MS * MINUTE_MS;
        self.stats(from, now_ms)
    }

    /// The trading day (in `UTC+offset_ms`) containing `now_ms`: open time is the day's start, close time its end.
    pub fn stats_trading_day(&self, offset_ms: i64, now_ms: u64) -> WindowStats {
        let open = Interval::D1.open_time(now_ms, offset_ms);
        let close = Interval::D1.close_time(open, offset_ms);
        self.stats(open, close)
    }

    /// Average price over the last 5 minutes (quote volume / volume of trades in `now - 5m ..= now`) and the
    /// time of the last trade. With no trade in 5 minutes, the last trade's price.
    pub fn avg_price(&self, now_ms: u64) -> Option<(Decimal, u64)> {
        let last = self.last_trade.as_ref()?;
        let from = now_ms.saturating_sub(5 * MINUTE_MS);
        let (mut v, mut q) = (Decimal::ZERO, Decimal::ZERO);
        if let Some(series) = self.klines(Interval::S1, 0) {
            for b in series.bars().iter().rev() {
                if b.open_time < from / 1000 * 1000 {
                    break;
                }
                if b.open_time > now_ms {
                    continue;
                }
                v += b.volume;
                q += b.quote_volume;
            }
        }
        let price = if v.is_zero() { last.price } else { q / v };
        let mut price = price.round_dp_with_strategy(8, RoundingStrategy::MidpointAwayFromZero);
        price.rescale(8);
        Some((price, last.time_ms))
    }
}

/// Market state of every symbol seen in an event.
#[derive(Debug, Clone, Default)]
pub struct MarketState {
    cfg: MarketConfig,
    symbols: BTreeMap<String, SymbolMarket>,
}

impl MarketState {
    pub fn new(cfg: MarketConfig) -> MarketState {
        MarketState { cfg, symbols: BTreeMap::new() }
    }

    /// Makes a symbol known before it has any events (e.g. every listed symbol at start-up).
    pub fn ensure_symbol(&mut self, symbol: &str) -> &mut SymbolMarket {
        let cfg = &self.cfg;
        self.symbols.entry(symbol.to_ascii_uppercase()).or_insert_with(|| SymbolMarket::new(cfg))
    }

    /// A symbol's state (upper-case name).
    pub fn symbol(&self, symbol: &str) -> Option<&SymbolMarket> {
        self.symbols.get(symbol)
    }

    /// Known symbols, sorted.
    pub fn symbols(&self) -> impl Iterator<Item = (&String, &SymbolMarket)> {
        self.symbols.iter()
    }

    /// Applies one event.
    pub fn apply(&mut self, ev: &MarketEvent) {
        match ev {
            MarketEvent::Trade(t) => self.apply_trade(t),
            MarketEvent::Depth(d) => self.apply_depth(d),
        }
    }

    /// Marks every open aggregate trade as complete. Call at the end of a batch of events (one taker order).
    pub fn seal_aggregates(&mut self) {
        for s in self.symbols.values_mut() {
            if let Some(a) = s.aggs.back_mut() {
                a.sealed = true;
            }
        }
    }

    /// A snapshot of the top `limit` levels of a book.
    pub fn depth_snapshot(&self, symbol: &str, limit: usize) -> DepthSnapshot {
        self.symbols.get(symbol).map(|s| s.book.snapshot(limit)).unwrap_or_default()
    }

    fn apply_trade(&mut self, t: &Trade) {
        let trade_cap = self.cfg.trade_history.max(1);
        let agg_cap = self.cfg.agg_trade_history.max(1);
        let s = self.ensure_symbol(&t.symbol);
        let taker_order_id = if t.buyer_is_maker { t.seller_order_id } else { t.buyer_order_id };
        let rec = TradeRecord {
            id: t.id,
            price: t.price,
            qty: t.qty,
            quote_qty: t.quote_qty,
            time_ms: t.time_ms,
            buyer_is_maker: t.buyer_is_maker,
            taker_order_id,
        };
        // Aggregate: same taker order, price, time and side as the open aggregate.
        let joins = matches!(s.aggs.back(), Some(a) if !a.sealed
            && a.taker_order_id == taker_order_id
            && a.price == t.price
            && a.time_ms == t.time_ms
            && a.buyer_is_maker == t.buyer_is_maker
            && a.last_trade_id + 1 == t.id);
        if joins {
            if let Some(a) = s.aggs.back_mut() {
                a.qty += t.qty;
                a.last_trade_id = t.id;
            }
        } else {
            if let Some(a) = s.aggs.back_mut() {
                a.sealed = true;
            }
            let id = s.next_agg_id;
            s.next_agg_id += 1;
            s.aggs.push_back(AggTrade {
                id,
                price: t.price,
                qty: t.qty,
                first_trade_id: t.id,
                last_trade_id: t.id,
                time_ms: t.time_ms,
                buyer_is_maker: t.buyer_is_maker,
                taker_order_id,
                sealed: false,
            });
            while s.aggs.len() > agg_cap {
                s.aggs.pop_front();
            }
        }
        for series in s.klines.values_mut() {
            series.add(t.time_ms, t.id, t.price, t.qty, t.quote_qty, t.buyer_is_maker);
        }
        s.trades.push_back(rec.clone());
        while s.trades.len() > trade_cap {
            s.trades.pop_front();
        }
        s.last_trade = Some(rec);
    }

    fn apply_depth(&mut self, d: &DepthDiff) {
        let cap = self.cfg.book_ticker_history.max(1);
        let s = self.ensure_symbol(&d.symbol);
        if d.final_update_id <= s.book.last_update_id && s.book.last_update_id != 0 {
            return;
        }
        for (side, levels) in [(&mut s.book.bids, &d.bids), (&mut s.book.asks, &d.asks)] {
            for (p, q) in levels {
                if q.is_zero() {
                    side.remove(p);
                } else {
                    side.insert(*p, *q);
                }
            }
        }
        s.book.last_update_id = d.final_update_id;
        let (bid, ask) = (s.book.best_bid(), s.book.best_ask());
        let changed = s.tops.back().is_none_or(|t| t.bid != bid || t.ask != ask);
        if changed {
            s.tops.push_back(BookTop { update_id: d.final_update_id, bid, ask });
            while s.tops.len() > cap {
                s.tops.pop_front();
            }
        }
    }
}

/// Formats a price or quantity as Binance does: 8 decimals (more only if the value carries more).
pub fn fmt_dec(d: Decimal) -> String {
    // Products such as price x qty carry trailing zeros past 8 places; Binance prints 8 places.
    let mut d = d.normalize();
    if d.scale() < 8 {
        d.rescale(8);
    }
    d.to_string()
}
