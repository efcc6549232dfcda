//! Futures stream payloads, field by field and in the order Binance's docs show them (the streams specs where the
//! docs agree with them; tests/payload_key_order.rs checks both). COIN-M payloads that the docs give a pair (`ps`)
//! carry it right after the symbol.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use crate::futures::config::Product;
use crate::futures::engine::{ForceOrder, MarkUpdate};
use crate::market::{fmt_dec, AggTrade, BookTop, Interval, Kline, WindowStats};

fn levels<'a>(l: impl Iterator<Item = (&'a Decimal, &'a Decimal)>) -> Value {
    Value::Array(l.map(|(p, q)| json!([fmt_dec(*p), fmt_dec(*q)])).collect())
}

/// Adds the pair (`ps`) right after the symbol (`s`), where the COIN-M docs put it.
fn with_pair(v: Value, pair: Option<&str>) -> Value {
    let Some(p) = pair else { return v };
    let Value::Object(fields) = v else { return v };
    let mut out = Map::with_capacity(fields.len() + 1);
    for (k, x) in fields {
        let symbol = k == "s";
        out.insert(k, x);
        if symbol {
            out.insert("ps".into(), json!(p));
        }
    }
    Value::Object(out)
}

/// `<symbol>@aggTrade`: COIN-M's docs put the aggregate trade id before the symbol, USD-M's after it.
pub fn agg_trade(product: Product, symbol: &str, a: &AggTrade, now_ms: u64) -> Value {
    let (e, p, q, f, l) = ("aggTrade", fmt_dec(a.price), fmt_dec(a.qty), a.first_trade_id, a.last_trade_id);
    match product {
        Product::UsdM => json!({
            "e": e, "E": now_ms, "s": symbol, "a": a.id, "p": p, "q": q, "f": f, "l": l, "T": a.time_ms,
            "m": a.buyer_is_maker,
        }),
        Product::CoinM => json!({
            "e": e, "E": now_ms, "a": a.id, "s": symbol, "p": p, "q": q, "f": f, "l": l, "T": a.time_ms,
            "m": a.buyer_is_maker,
        }),
    }
}

/// `<symbol>@markPrice`: `P` is the estimated settle price, `r` the funding rate, `T` the next funding time.
/// USD-M's docs show the index price before the settle price, COIN-M's after it.
pub fn mark_price(product: Product, m: &MarkUpdate, now_ms: u64) -> Value {
    let (p, settle, index, r) = (fmt_dec(m.mark), fmt_dec(m.settle), fmt_dec(m.index), fmt_dec(m.funding_rate));
    match product {
        Product::UsdM => json!({
            "e": "markPriceUpdate", "E": now_ms, "s": m.symbol, "p": p, "i": index, "P": settle, "r": r,
            "T": m.next_funding_time,
        }),
        Product::CoinM => json!({
            "e": "markPriceUpdate", "E": now_ms, "s": m.symbol, "p": p, "P": settle, "i": index, "r": r,
            "T": m.next_funding_time,
        }),
    }
}

/// COIN-M `<pair>@indexPrice`
pub fn index_price(pair: &str, index: Decimal, now_ms: u64) -> Value {
    json!({"e": "indexPriceUpdate", "E": now_ms, "i": pair, "p": fmt_dec(index)})
}

/// A kline's `k`; the symbol (`s`), when there is one, goes between the close time and the interval.
fn kline_body(symbol: Option<&str>, interval: Interval, k: &Kline, closed: bool) -> Value {
    let mut body = Map::with_capacity(17);
    body.insert("t".into(), json!(k.open_time));
    body.insert("T".into(), json!(k.close_time));
    if let Some(s) = symbol {
        body.insert("s".into(), json!(s));
    }
    let rest = json!({
        "i": interval.as_str(), "f": k.first_trade_id, "L": k.last_trade_id,
        "o": fmt_dec(k.open), "c": fmt_dec(k.close), "h": fmt_dec(k.high), "l": fmt_dec(k.low),
        "v": fmt_dec(k.volume), "n": k.trades, "x": closed, "q": fmt_dec(k.quote_volume),
        "V": fmt_dec(k.taker_buy_base), "Q": fmt_dec(k.taker_buy_quote), "B": "0",
    });
    if let Value::Object(rest) = rest {
        body.extend(rest);
    }
    Value::Object(body)
}

/// `<symbol>@kline_<interval>` (the COIN-M kline has no pair either: neither the docs nor the spec show one).
pub fn kline(symbol: &str, interval: Interval, k: &Kline, closed: bool, now_ms: u64) -> Value {
    json!({"e": "kline", "E": now_ms, "s": symbol, "k": kline_body(Some(symbol), interval, k, closed)})
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

/// `<symbol>@bookTicker`; `time_ms` is the book change's transaction time. USD-M's docs put the times after the
/// update id, COIN-M's (which have a pair) at the end, transaction time first.
pub fn book_ticker(symbol: &str, top: &BookTop, time_ms: u64, now_ms: u64, pair: Option<&str>) -> Value {
    let (bid, ask) = (top.bid.unwrap_or_default(), top.ask.unwrap_or_default());
    let (b, bq, a, aq) = (fmt_dec(bid.0), fmt_dec(bid.1), fmt_dec(ask.0), fmt_dec(ask.1));
    match pair {
        None => json!({
            "e": "bookTicker", "u": top.update_id, "E": now_ms, "T": time_ms, "s": symbol,
            "b": b, "B": bq, "a": a, "A": aq,
        }),
        Some(ps) => json!({
            "e": "bookTicker", "u": top.update_id, "s": symbol, "ps": ps,
            "b": b, "B": bq, "a": a, "A": aq, "T": time_ms, "E": now_ms,
        }),
    }
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
