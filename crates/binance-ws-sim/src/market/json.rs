//! `result` values of the WebSocket API's market-data methods, built from [`MarketState`], shaped as
//! web-socket-api.md shows them. Symbols are upper-case; the caller validates that a symbol is listed
//! (a symbol without events yields empty results) and wraps several symbols' objects in an array.
//!
//! Errors are `(code, msg)` from errors.md.

use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::{fmt_dec, kline::regroup, Interval, Kline, MarketState, SymbolMarket, WindowStats};
use crate::exchange::events::DepthSnapshot;

/// A Binance error: code and message.
pub type ApiError = (i64, String);

const MAX_LIMIT: u64 = 1000;
const DEFAULT_LIMIT: u64 = 500;

fn limit_of(limit: Option<u64>) -> usize {
    limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT) as usize
}

fn levels(l: &[(Decimal, Decimal)]) -> Value {
    Value::Array(l.iter().map(|(p, q)| json!([fmt_dec(*p), fmt_dec(*q)])).collect())
}

/// `depth` result: `lastUpdateId`, `bids` (highest first), `asks` (lowest first).
pub fn depth_json(snapshot: &DepthSnapshot) -> Value {
    json!({
        "lastUpdateId": snapshot.last_update_id,
        "bids": levels(&snapshot.bids),
        "asks": levels(&snapshot.asks),
    })
}

/// One kline as the 12-element array of `klines` / `uiKlines`.
pub fn kline_array(k: &Kline) -> Value {
    json!([
        k.open_time,
        fmt_dec(k.open),
        fmt_dec(k.high),
        fmt_dec(k.low),
        fmt_dec(k.close),
        fmt_dec(k.volume),
        k.close_time,
        fmt_dec(k.quote_volume),
        k.trades,
        fmt_dec(k.taker_buy_base),
        fmt_dec(k.taker_buy_quote),
        "0"
    ])
}

/// Which ticker fields: `FULL` (default) or `MINI`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TickerType {
    Full,
    Mini,
}

impl TickerType {
    /// Parses the `type` parameter; `None` means the default, `FULL`.
    pub fn parse(s: Option<&str>) -> Result<TickerType, ApiError> {
        match s {
            None | Some("FULL") => Ok(TickerType::Full),
            Some("MINI") => Ok(TickerType::Mini),
            Some(_) => Err((-1130, "Data sent for parameter 'type' is not valid.".into())),
        }
    }
}

/// Parses a rolling `windowSize` (`1m`..`59m`, `1h`..`23h`, `1d`..`7d`) into ms.
pub fn parse_window_size(s: &str) -> Option<u64> {
    let (n, unit) = s.split_at(s.len().checked_sub(1)?);
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) || n.starts_with('0') {
        return None;
    }
    let n: u64 = n.parse().ok()?;
    let (max, ms) = match unit {
        "m" => (59, 60_000),
        "h" => (23, 3_600_000),
        "d" => (7, 86_400_000),
        _ => return None,
    };
    (n <= max).then_some(n * ms)
}

fn id_json(v: i64) -> Value {
    json!(v)
}

fn stats_json(symbol: &str, s: &WindowStats, ty: TickerType, extra_24h: Option<&SymbolMarket>) -> Value {
    let mut o = serde_json::Map::new();
    o.insert("symbol".into(), json!(symbol));
    if ty == TickerType::Full {
        o.insert("priceChange".into(), json!(fmt_dec(s.price_change())));
        o.insert("priceChangePercent".into(), json!(s.price_change_percent().to_string()));
        o.insert("weightedAvgPrice".into(), json!(fmt_dec(s.weighted_avg_price())));
        if let Some(m) = extra_24h {
            let (bid, ask) = (m.book.best_bid().unwrap_or_default(), m.book.best_ask().unwrap_or_default());
            o.insert("prevClosePrice".into(), json!(fmt_dec(s.prev_close)));
            o.insert("lastPrice".into(), json!(fmt_dec(s.last)));
            o.insert("lastQty".into(), json!(fmt_dec(s.last_qty)));
            o.insert("bidPrice".into(), json!(fmt_dec(bid.0)));
            o.insert("bidQty".into(), json!(fmt_dec(bid.1)));
            o.insert("askPrice".into(), json!(fmt_dec(ask.0)));
            o.insert("askQty".into(), json!(fmt_dec(ask.1)));
        }
    }
    o.insert("openPrice".into(), json!(fmt_dec(s.open)));
    o.insert("highPrice".into(), json!(fmt_dec(s.high)));
    o.insert("lowPrice".into(), json!(fmt_dec(s.low)));
    if !(ty == TickerType::Full && extra_24h.is_some()) {
        o.insert("lastPrice".into(), json!(fmt_dec(s.last)));
    }
    o.insert("volume".into(), json!(fmt_dec(s.volume)));
    o.insert("quoteVolume".into(), json!(fmt_dec(s.quote_volume)));
    o.insert("openTime".into(), json!(s.open_time));
    o.insert("closeTime".into(), json!(s.close_time));
    o.insert("firstId".into(), id_json(s.first_id));
    o.insert("lastId".into(), id_json(s.last_id));
    o.insert("count".into(), json!(s.count));
    Value::Object(o)
}

fn trade_json(t: &super::TradeRecord) -> Value {
    json!({
        "id": t.id,
        "price": fmt_dec(t.price),
        "qty": fmt_dec(t.qty),
        "quoteQty": fmt_dec(t.quote_qty),
        "time": t.time_ms,
        "isBuyerMaker": t.buyer_is_maker,
        "isBestMatch": true,
    })
}

impl MarketState {
    fn sym_or_empty(&self, symbol: &str) -> Option<&SymbolMarket> {
        self.symbol(symbol)
    }

    /// `trades.recent`: the last `limit` trades (default 500, at most 1000), oldest first.
    pub fn trades_recent_json(&self, symbol: &str, limit: Option<u64>) -> Value {
        let Some(s) = self.sym_or_empty(symbol) else { return json!([]) };
        let n = limit_of(limit);
        let skip = s.trades().len().saturating_sub(n);
        Value::Array(s.trades().iter().skip(skip).map(trade_json).collect())
    }

    /// `trades.historical`: `limit` trades from `fromId` (oldest kept if older), or the most recent ones.
    pub fn trades_historical_json(&self, symbol: &str, from_id: Option<u64>, limit: Option<u64>) -> Value {
        let Some(from) = from_id else { return self.trades_recent_json(symbol, limit) };
        let Some(s) = self.sym_or_empty(symbol) else { return json!([]) };
        let start = s.trades().partition_point(|t| t.id < from);
        Value::Array(s.trades().iter().skip(start).take(limit_of(limit)).map(trade_json).collect())
    }

    /// `trades.aggregate`: by `fromId`, by time range (`T` within `startTime..=endTime`), or the most recent.
    pub fn trades_aggregate_json(
        &self,
        symbol: &str,
        from_id: Option<u64>,
        start_time: Option<u64>,
        end_time: Option<u64>,
        limit: Option<u64>,
    ) -> Result<Value, ApiError> {
        if from_id.is_some() && (start_time.is_some() || end_time.is_some()) {
            return Err((-1128, "Combination of optional parameters invalid.".into()));
        }
        if let (Some(a), Some(b)) = (start_time, end_time) {
            if a > b {
                return Err((-1128, "Combination of optional parameters invalid.".into()));
            }
        }
        let Some(s) = self.sym_or_empty(symbol) else { return Ok(json!([])) };
        let n = limit_of(limit);
        let aggs = s.agg_trades();
        let list: Vec<_> = if let Some(from) = from_id {
            aggs.iter().filter(|a| a.id >= from).take(n).collect()
        } else if start_time.is_some() || end_time.is_some() {
            let (lo, hi) = (start_time.unwrap_or(0), end_time.unwrap_or(u64::MAX));
            aggs.iter().filter(|a| a.time_ms >= lo && a.time_ms <= hi).take(n).collect()
        } else {
            aggs.iter().skip(aggs.len().saturating_sub(n)).collect()
        };
        Ok(Value::Array(
            list.into_iter()
                .map(|a| {
                    json!({
                        "a": a.id,
                        "p": fmt_dec(a.price),
                        "q": fmt_dec(a.qty),
                        "f": a.first_trade_id,
                        "l": a.last_trade_id,
                        "T": a.time_ms,
                        "m": a.buyer_is_maker,
                        "M": true,
                    })
                })
                .collect(),
        ))
    }

    /// Klines of an interval in a time zone (`None` = UTC), filtered by open time, as kept or rebuilt:
    /// UTC and UTC+8 are kept for every interval; other zones are rebuilt from the `1m` UTC bars
    /// (so they reach back only as far as those, 7 days by default).
    pub fn klines(&self, symbol: &str, interval: Interval, offset_ms: i64) -> Vec<Kline> {
        let Some(s) = self.sym_or_empty(symbol) else { return Vec::new() };
        if let Some(series) = s.klines(interval, offset_ms) {
            return series.bars().iter().cloned().collect();
        }
        match s.klines(Interval::M1, 0) {
            Some(m1) => regroup(m1.bars().iter(), interval, offset_ms),
            None => Vec::new(),
        }
    }

    /// `klines` / `uiKlines` result (the simulator serves the same bars for both).
    pub fn klines_json(
        &self,
        symbol: &str,
        interval: &str,
        start_time: Option<u64>,
        end_time: Option<u64>,
        limit: Option<u64>,
        time_zone: Option<&str>,
    ) -> Result<Value, ApiError> {
        let iv = Interval::parse(interval).ok_or((-1120, "Invalid interval.".to_string()))?;
        let off = match time_zone {
            None => 0,
            Some(tz) => super::parse_time_zone(tz)
                .ok_or((-1130, "Data sent for parameter 'timeZone' is not valid.".to_string()))?,
        };
        if let (Some(a), Some(b)) = (start_time, end_time) {
            if a > b {
                return Err((-1128, "Combination of optional parameters invalid.".into()));
            }
        }
        let n = limit_of(limit);
        let bars = self.klines(symbol, iv, off);
        let (lo, hi) = (start_time.unwrap_or(0), end_time.unwrap_or(u64::MAX));
        let inside: Vec<&Kline> = bars.iter().filter(|k| k.open_time >= lo && k.open_time <= hi).collect();
        let picked: Vec<&Kline> = if start_time.is_some() {
            inside.into_iter().take(n).collect()
        } else {
            let skip = inside.len().saturating_sub(n);
            inside.into_iter().skip(skip).collect()
        };
        Ok(Value::Array(picked.into_iter().map(kline_array).collect()))
    }

    /// `avgPrice` result: `mins`, `price`, `closeTime` (the last trade's time).
    pub fn avg_price_json(&self, symbol: &str, now_ms: u64) -> Value {
        let (price, t) = self.symbol(symbol).and_then(|s| s.avg_price(now_ms)).unwrap_or((Decimal::ZERO, 0));
        json!({"mins": 5, "price": fmt_dec(price), "closeTime": t})
    }

    /// `ticker.24hr` result for one symbol.
    pub fn ticker_24hr_json(&self, symbol: &str, ty: TickerType, now_ms: u64) -> Value {
        let empty;
        let s = match self.symbol(symbol) {
            Some(s) => s,
            None => {
                empty = SymbolMarket::new(&self.cfg);
                &empty
            }
        };
        stats_json(symbol, &s.stats_24h(now_ms), ty, Some(s))
    }

    /// `ticker.tradingDay` result for one symbol (`time_zone` as in `klines`; `None` = UTC).
    pub fn ticker_trading_day_json(
        &self,
        symbol: &str,
        ty: TickerType,
        time_zone: Option<&str>,
        now_ms: u64,
    ) -> Result<Value, ApiError> {
        let off = match time_zone {
            None => 0,
            Some(tz) => super::parse_time_zone(tz)
                .ok_or((-1130, "Data sent for parameter 'timeZone' is not valid.".to_string()))?,
        };
        let stats = match self.symbol(symbol) {
            Some(s) => s.stats_trading_day(off, now_ms),
            None => SymbolMarket::new(&self.cfg).stats_trading_day(off, now_ms),
        };
        Ok(stats_json(symbol, &stats, ty, None))
    }

    /// `ticker` (rolling window) result for one symbol; `window_size` defaults to `1d`.
    pub fn ticker_rolling_json(
        &self,
        symbol: &str,
        ty: TickerType,
        window_size: Option<&str>,
        now_ms: u64,
    ) -> Result<Value, ApiError> {
        let w = parse_window_size(window_size.unwrap_or("1d"))
            .ok_or((-1130, "Data sent for parameter 'windowSize' is not valid.".to_string()))?;
        let stats = match self.symbol(symbol) {
            Some(s) => s.stats_rolling(w, now_ms),
            None => SymbolMarket::new(&self.cfg).stats_rolling(w, now_ms),
        };
        Ok(stats_json(symbol, &stats, ty, None))
    }

    /// `ticker.price` result for one symbol (the last trade's price).
    pub fn ticker_price_json(&self, symbol: &str) -> Value {
        let p = self.symbol(symbol).and_then(|s| s.last_trade()).map(|t| t.price).unwrap_or_default();
        json!({"symbol": symbol, "price": fmt_dec(p)})
    }

    /// `ticker.book` result for one symbol.
    pub fn ticker_book_json(&self, symbol: &str) -> Value {
        let (bid, ask) = self
            .symbol(symbol)
            .map(|s| (s.book.best_bid().unwrap_or_default(), s.book.best_ask().unwrap_or_default()))
            .unwrap_or_default();
        json!({
            "symbol": symbol,
            "bidPrice": fmt_dec(bid.0),
            "bidQty": fmt_dec(bid.1),
            "askPrice": fmt_dec(ask.0),
            "askQty": fmt_dec(ask.1),
        })
    }
}
