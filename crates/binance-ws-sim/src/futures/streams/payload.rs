//! Futures stream payloads, field by field as the streams specs list them. COIN-M payloads that the spec gives a
//! pair (`ps`) carry it.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::futures::engine::{ForceOrder, MarkUpdate};
use crate::market::{fmt_dec, AggTrade, BookTop, Interval, Kline, WindowStats};

fn levels<'a>(l: impl Iterator<Item = (&'a Decimal, &'a Decimal)>) -> Value {
    Value::Array(l.map(|(p, q)| json!([fmt_dec(*p), fmt_dec(*q)])).collect())
}

fn with_pair(mut v: Value, pair: Option<&str>) -> Value {
    if let Some(p) = pair {
        v["ps"] = json!(p);
    }
    v
}

/// `<symbol>@aggTrade`
pub fn agg_trade(symbol: &str, a: &AggTrade, now_ms: u64) -> Value {
    json!({
        "e": "aggTrade", "E": now_ms, "s": symbol, "a": a.id, "p": fmt_dec(a.price), "q": fmt_dec(a.qty),
        "f": a.first_trade_id, "l": a.last_trade_id, "T": a.time_ms, "m": a.buyer_is_maker,
    })
}

/// `<symbol>@markPrice`: `P` is the estimated settle price, `r` the funding rate, `T` the next funding time.
pub fn mark_price(m: &MarkUpdate, now_ms: u64) -> Value {
    json!({
        "e": "markPriceUpdate", "E": now_ms, "s": m.symbol, "p": fmt_dec(m.mark), "P": fmt_dec(m.settle),
        "i": fmt_dec(m.index), "r": fmt_dec(m.funding_rate), "T": m.next_funding_time,
    })
}

/// COIN-M `<pair>@indexPrice`
pub fn index_price(pair: &str, index: Decimal, now_ms: u64) -> Value {
    json!({"e": "indexPriceUpdate", "E": now_ms, "i": pair, "p": fmt_dec(index)})
}

fn kline_body(symbol: Option<&str>, interval: Interval, k: &Kline, closed: bool) -> Value {
    let mut body = json!({
        "t": k.open_time, "T": k.close_time, "i": interval.as_str(), "f": k.first_trade_id, "L": k.last_trade_id,
        "o": fmt_dec(k.open), "c": fmt_dec(k.close), "h": fmt_dec(k.high), "l": fmt_dec(k.low),
        "v": fmt_dec(k.volume), "n": k.trades, "x": closed, "q": fmt_dec(k.quote_volume),
        "V": fmt_dec(k.taker_buy_base), "Q": fmt_dec(k.taker_buy_quote), "B": "0",
    });
    if let Some(s) = symbol {
        body["s"] = json!(s);
    }
    body
}

/// `<symbol>@kline_<interval>`
pub fn kline(symbol: &str, interval: Interval, k: &Kline, closed: bool, now_ms: u64, pair: Option<&str>) -> Value {
    with_pair(json!({"e": "kline", "E": now_ms, "s": symbol, "k": kline_body(Some(symbol), interval, k, closed)}), pair)
}

/// COIN-M `<symbol>@markPriceKline_<interval>`
pub fn mark_price_kline(symbol: &str, interval: Interval, k: &Kline, closed: bool, now_ms: u64) -> Value {
    json!({"e": "markPrice_kline", "E": now_ms, "s": symbol, "k": kline_body(Some(symbol), interval, k, closed)})
}

/// COIN-M `<pair>@indexPriceKline_<interval>`
pub fn index_price_kline(pair: &str, interval: Interval, k: &Kline, closed: bool, now_ms: u64) -> Value {
    json!({"e": "indexPrice_kline", "E": now_ms, "ps": pair, "k": kline_body(None, interval, k, closed)})
}

/// `<symbol>@miniTicker`
pub fn mini_ticker(symbol: &str, s: &WindowStats, now_ms: u64, pair: Option<&str>) -> Value {
    with_pair(
        json!({
            "e": "24hrMiniTicker", "E": now_ms, "s": symbol, "c": fmt_dec(s.last), "o": fmt_dec(s.open),
            "h": fmt_dec(s.high), "l": fmt_dec(s.low), "v": fmt_dec(s.volume), "q": fmt_dec(s.quote_volume),
        }),
        pair,
    )
}

/// `<symbol>@ticker`
pub fn ticker(symbol: &str, s: &WindowStats, now_ms: u64, pair: Option<&str>) -> Value {
    with_pair(
        json!({
            "e": "24hrTicker", "E": now_ms, "s": symbol, "p": fmt_dec(s.price_change()),
            "P": s.price_change_percent().to_string(), "w": fmt_dec(s.weighted_avg_price()),
            "c": fmt_dec(s.last), "Q": fmt_dec(s.last_qty), "o": fmt_dec(s.open), "h": fmt_dec(s.high),
            "l": fmt_dec(s.low), "v": fmt_dec(s.volume), "q": fmt_dec(s.quote_volume), "O": s.open_time,
            "C": s.close_time, "F": s.first_id, "L": s.last_id, "n": s.count,
        }),
        pair,
    )
}

/// `<symbol>@bookTicker`; `time_ms` is the book change's transaction time.
pub fn book_ticker(symbol: &str, top: &BookTop, time_ms: u64, now_ms: u64, pair: Option<&str>) -> Value {
    let (bid, ask) = (top.bid.unwrap_or_default(), top.ask.unwrap_or_default());
    with_pair(
        json!({
            "e": "bookTicker", "u": top.update_id, "E": now_ms, "T": time_ms, "s": symbol,
            "b": fmt_dec(bid.0), "B": fmt_dec(bid.1), "a": fmt_dec(ask.0), "A": fmt_dec(ask.1),
        }),
        pair,
    )
}

/// `<symbol>@forceOrder`
pub fn force_order(f: &ForceOrder, now_ms: u64, pair: Option<&str>) -> Value {
    let o = with_pair(
        json!({
            "s": f.symbol, "S": f.side.as_str(), "o": "LIMIT", "f": "IOC", "q": fmt_dec(f.qty),
            "p": fmt_dec(f.price), "ap": fmt_dec(f.avg_price), "X": f.status, "l": fmt_dec(f.last_qty),
            "z": fmt_dec(f.filled_qty), "T": f.time_ms,
        }),
        pair,
    );
    json!({"e": "forceOrder", "E": now_ms, "o": o})
}

/// The ids and time of one depth frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DepthIds {
    /// `U`: first update id in the event.
    pub first: u64,
    /// `u`: final update id in the event.
    pub last: u64,
    /// `pu`: the `u` of the previous event of this stream.
    pub prev: u64,
    /// `T`: transaction time.
    pub time_ms: u64,
}

/// `<symbol>@depth...` (diff) and `<symbol>@depth<N>...` (partial): both are `depthUpdate` events.
pub fn depth_update(
    symbol: &str,
    ids: DepthIds,
    bids: &BTreeMap<Decimal, Decimal>,
    asks: &BTreeMap<Decimal, Decimal>,
    now_ms: u64,
    pair: Option<&str>,
) -> Value {
    with_pair(
        json!({
            "e": "depthUpdate", "E": now_ms, "T": ids.time_ms, "s": symbol, "U": ids.first, "u": ids.last,
            "pu": ids.prev, "b": levels(bids.iter().rev()), "a": levels(asks.iter()),
        }),
        pair,
    )
}
