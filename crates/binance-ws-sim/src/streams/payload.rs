//! Stream payloads, field by field as web-socket-streams.md lists them. `tu` multiplies every time field
//! (1 for milliseconds, 1000 for `timeUnit=MICROSECOND`).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::exchange::events::{DepthSnapshot, Trade};
use crate::market::{fmt_dec, AggTrade, BookTop, Interval, Kline, SymbolMarket, WindowStats};

fn levels<'a>(l: impl Iterator<Item = (&'a Decimal, &'a Decimal)>) -> Value {
    Value::Array(l.map(|(p, q)| json!([fmt_dec(*p), fmt_dec(*q)])).collect())
}

/// `<symbol>@trade`
/// A combined-stream frame in Binance's layout: `stream` first, then `data`, as the docs show it (written out,
/// not left to a `json!` object's key order, which depends on serde_json's features).
pub fn combined(stream: &str, data: &Value) -> String {
    format!(r#"{{"stream":{},"data":{data}}}"#, Value::from(stream))
}

pub fn trade(t: &Trade, now_ms: u64, tu: u64) -> Value {
    json!({
        "e": "trade",
        "E": now_ms * tu,
        "s": t.symbol,
        "t": t.id,
        "p": fmt_dec(t.price),
        "q": fmt_dec(t.qty),
        "T": t.time_ms * tu,
        "m": t.buyer_is_maker,
        "M": true,
    })
}

/// `<symbol>@aggTrade`
pub fn agg_trade(symbol: &str, a: &AggTrade, now_ms: u64, tu: u64) -> Value {
    json!({
        "e": "aggTrade",
        "E": now_ms * tu,
        "s": symbol,
        "a": a.id,
        "p": fmt_dec(a.price),
        "q": fmt_dec(a.qty),
        "f": a.first_trade_id,
        "l": a.last_trade_id,
        "T": a.time_ms * tu,
        "m": a.buyer_is_maker,
        "M": true,
    })
}

/// `<symbol>@kline_<interval>` (both time zone forms).
pub fn kline(symbol: &str, interval: Interval, k: &Kline, closed: bool, now_ms: u64, tu: u64) -> Value {
    json!({
        "e": "kline",
        "E": now_ms * tu,
        "s": symbol,
        "k": {
            "t": k.open_time * tu,
            "T": k.close_time * tu,
            "s": symbol,
            "i": interval.as_str(),
            "f": k.first_trade_id,
            "L": k.last_trade_id,
            "o": fmt_dec(k.open),
            "c": fmt_dec(k.close),
            "h": fmt_dec(k.high),
            "l": fmt_dec(k.low),
            "v": fmt_dec(k.volume),
            "n": k.trades,
            "x": closed,
            "q": fmt_dec(k.quote_volume),
            "V": fmt_dec(k.taker_buy_base),
            "Q": fmt_dec(k.taker_buy_quote),
            "B": "0",
        }
    })
}

/// `<symbol>@miniTicker` (24 h rolling window).
pub fn mini_ticker(symbol: &str, s: &WindowStats, now_ms: u64, tu: u64) -> Value {
    json!({
        "e": "24hrMiniTicker",
        "E": now_ms * tu,
        "s": symbol,
        "c": fmt_dec(s.last),
        "o": fmt_dec(s.open),
        "h": fmt_dec(s.high),
        "l": fmt_dec(s.low),
        "v": fmt_dec(s.volume),
        "q": fmt_dec(s.quote_volume),
    })
}

/// `<symbol>@ticker` (24 h rolling window, with the book's best bid/ask).
pub fn ticker(symbol: &str, s: &WindowStats, m: &SymbolMarket, now_ms: u64, tu: u64) -> Value {
    let (bid, ask) = (m.book.best_bid().unwrap_or_default(), m.book.best_ask().unwrap_or_default());
    json!({
        "e": "24hrTicker",
        "E": now_ms * tu,
        "s": symbol,
        "p": fmt_dec(s.price_change()),
        "P": s.price_change_percent().to_string(),
        "w": fmt_dec(s.weighted_avg_price()),
        "x": fmt_dec(s.prev_close),
        "c": fmt_dec(s.last),
        "Q": fmt_dec(s.last_qty),
        "b": fmt_dec(bid.0),
        "B": fmt_dec(bid.1),
        "a": fmt_dec(ask.0),
        "A": fmt_dec(ask.1),
        "o": fmt_dec(s.open),
        "h": fmt_dec(s.high),
        "l": fmt_dec(s.low),
        "v": fmt_dec(s.volume),
        "q": fmt_dec(s.quote_volume),
        "O": s.open_time * tu,
        "C": s.close_time * tu,
        "F": s.first_id,
        "L": s.last_id,
        "n": s.count,
    })
}

/// `<symbol>@ticker_<w>`; event type `1hTicker`, `4hTicker` or `1dTicker`.
pub fn window_ticker(symbol: &str, window: &str, s: &WindowStats, now_ms: u64, tu: u64) -> Value {
    json!({
        "e": format!("{window}Ticker"),
        "E": now_ms * tu,
        "s": symbol,
        "p": fmt_dec(s.price_change()),
        "P": s.price_change_percent().to_string(),
        "o": fmt_dec(s.open),
        "h": fmt_dec(s.high),
        "l": fmt_dec(s.low),
        "c": fmt_dec(s.last),
        "w": fmt_dec(s.weighted_avg_price()),
        "v": fmt_dec(s.volume),
        "q": fmt_dec(s.quote_volume),
        "O": s.open_time * tu,
        "C": s.close_time * tu,
        "F": s.first_id,
        "L": s.last_id,
        "n": s.count,
    })
}

/// `<symbol>@bookTicker`
pub fn book_ticker(symbol: &str, top: &BookTop) -> Value {
    let (bid, ask) = (top.bid.unwrap_or_default(), top.ask.unwrap_or_default());
    json!({
        "u": top.update_id,
        "s": symbol,
        "b": fmt_dec(bid.0),
        "B": fmt_dec(bid.1),
        "a": fmt_dec(ask.0),
        "A": fmt_dec(ask.1),
    })
}

/// `<symbol>@avgPrice`
pub fn avg_price(symbol: &str, price: Decimal, last_trade_ms: u64, now_ms: u64, tu: u64) -> Value {
    json!({
        "e": "avgPrice",
        "E": now_ms * tu,
        "s": symbol,
        "i": "5m",
        "w": fmt_dec(price),
        "T": last_trade_ms * tu,
    })
}

/// `<symbol>@depth<levels>`
pub fn partial_depth(s: &DepthSnapshot) -> Value {
    json!({
        "lastUpdateId": s.last_update_id,
        "bids": levels(s.bids.iter().map(|(p, q)| (p, q))),
        "asks": levels(s.asks.iter().map(|(p, q)| (p, q))),
    })
}

/// `<symbol>@depth` diff; bids highest first, asks lowest first.
pub fn depth_update(
    symbol: &str,
    first: u64,
    last: u64,
    bids: &BTreeMap<Decimal, Decimal>,
    asks: &BTreeMap<Decimal, Decimal>,
    now_ms: u64,
    tu: u64,
) -> Value {
    json!({
        "e": "depthUpdate",
        "E": now_ms * tu,
        "s": symbol,
        "U": first,
        "u": last,
        "b": levels(bids.iter().rev()),
        "a": levels(asks.iter()),
    })
}

/// The `serverShutdown` event.
pub fn server_shutdown(now_ms: u64, tu: u64) -> Value {
    json!({"e": "serverShutdown", "E": now_ms * tu})
}
