//! Market stream events as table rows: the key fields of each event type, values exactly as decoded.

use binance_ws::streams::{Kline, Level, MarketEvent, Notice};

use crate::table::Row;

/// The row of one market event that arrived on `stream` (`None` when the frame did not say).
pub fn market_row(stream: Option<&str>, event: &MarketEvent) -> Row {
    use MarketEvent as E;
    let src = stream.unwrap_or("-");
    match event {
        E::Trade(t) => Row::new(Some(t.event_time), src, "trade")
            .with("symbol", &t.symbol)
            .with("price", t.price)
            .with("qty", t.qty)
            .with("id", t.trade_id)
            .with("maker", if t.buyer_is_maker { "buyer" } else { "seller" }),
        E::AggTrade(a) => Row::new(Some(a.event_time), src, "aggTrade")
            .with("symbol", &a.symbol)
            .with("price", a.price)
            .with("qty", a.qty)
            .with("id", a.agg_id)
            .with("trades", format!("{}-{}", a.first_trade_id, a.last_trade_id)),
        E::BlockTrade(t) => Row::new(Some(t.event_time), src, "blockTrade")
            .with("symbol", &t.symbol)
            .with("price", t.price)
            .with("qty", t.qty)
            .with("id", t.trade_id),
        E::ReferencePrice(r) => Row::new(Some(r.time), src, "referencePrice")
            .with("symbol", &r.symbol)
            .with("price", r.price.map_or_else(|| "none".to_string(), |p| p.to_string())),
        E::Kline(k) | E::MarkPriceKline(k) => kline_row(src, k),
        E::MiniTicker(t) => Row::new(Some(t.event_time), src, "24hrMiniTicker")
            .with("symbol", &t.symbol)
            .with("close", t.close)
            .with("open", t.open)
            .with("high", t.high)
            .with("low", t.low)
            .with("volume", t.volume),
        E::Ticker(t) => Row::new(Some(t.event_time), src, "24hrTicker")
            .with("symbol", &t.symbol)
            .with("last", t.last_price)
            .with("change%", t.price_change_percent)
            .with_opt("bid", t.bid_price)
            .with_opt("ask", t.ask_price)
            .with("volume", t.volume)
            .with("trades", t.trades),
        E::RollingTicker(t) => Row::new(Some(t.event_time), src, t.event_type.as_str())
            .with("symbol", &t.symbol)
            .with("last", t.last_price)
            .with("change%", t.price_change_percent)
            .with("volume", t.volume),
        E::BookTicker(b) => Row::new(b.event_time, src, "bookTicker")
            .with("symbol", &b.symbol)
            .with("bid", format!("{}x{}", b.bid_price, b.bid_qty))
            .with("ask", format!("{}x{}", b.ask_price, b.ask_qty))
            .with("u", b.update_id),
        E::AvgPrice(a) => Row::new(Some(a.event_time), src, "avgPrice")
            .with("symbol", &a.symbol)
            .with("price", a.price)
            .with("interval", &a.interval),
        E::PartialDepth(d) => Row::new(None, src, "depth")
            .with_opt("symbol", d.symbol.as_ref())
            .with("lastUpdateId", d.last_update_id)
            .with("bid", best(&d.bids))
            .with("ask", best(&d.asks))
            .with("levels", format!("{}/{}", d.bids.len(), d.asks.len())),
        E::DepthUpdate(d) => Row::new(Some(d.event_time), src, "depthUpdate")
            .with("symbol", &d.symbol)
            .with("U", d.first_update_id)
            .with("u", d.final_update_id)
            .with_opt("pu", d.prev_final_update_id)
            .with("bids", d.bids.len())
            .with("asks", d.asks.len()),
        E::MarkPrice(m) => Row::new(Some(m.event_time), src, "markPriceUpdate")
            .with("symbol", &m.symbol)
            .with("mark", m.mark_price)
            .with_opt("index", m.index_price)
            .with_opt("funding", m.funding_rate),
        E::IndexPrice(i) => {
            Row::new(Some(i.event_time), src, "indexPriceUpdate").with("pair", &i.pair).with("price", i.price)
        }
        E::ContinuousKline(k) | E::IndexPriceKline(k) => Row::new(Some(k.event_time), src, "kline")
            .with("pair", &k.pair)
            .with("interval", &k.kline.interval)
            .with("close", k.kline.close)
            .with("closed", k.kline.closed),
        E::ForceOrder(f) => Row::new(Some(f.event_time), src, "forceOrder")
            .with("symbol", &f.order.symbol)
            .with("side", &f.order.side)
            .with("qty", f.order.qty)
            .with("price", f.order.price)
            .with("status", &f.order.status),
        E::CompositeIndex(c) => {
            Row::new(Some(c.event_time), src, "compositeIndex").with("symbol", &c.symbol).with("price", c.price)
        }
        E::ContractInfo(c) => Row::new(Some(c.event_time), src, "contractInfo")
            .with("symbol", &c.symbol)
            .with("status", &c.status)
            .with("brackets", c.brackets.len()),
        E::AssetIndex(a) => {
            Row::new(Some(a.event_time), src, "assetIndexUpdate").with("symbol", &a.symbol).with("index", a.index_price)
        }
        E::MiniTickers(v) => batch(src, "24hrMiniTicker[]", event, v.len()),
        E::Tickers(v) => batch(src, "24hrTicker[]", event, v.len()),
        E::RollingTickers(v) => batch(src, "rollingTicker[]", event, v.len()),
        E::BookTickers(v) => batch(src, "bookTicker[]", event, v.len()),
        E::MarkPrices(v) => batch(src, "markPriceUpdate[]", event, v.len()),
        E::ForceOrders(v) => batch(src, "forceOrder[]", event, v.len()),
        E::AssetIndexes(v) => batch(src, "assetIndexUpdate[]", event, v.len()),
        E::Other { stream, raw } => {
            Row::new(None, stream.as_deref().unwrap_or(src), "other").with("raw", truncate(raw, 160))
        }
        E::Notice(n) => notice_row(n),
        // Event types added to the library later.
        _ => Row::new(None, src, "unknown").with("debug", truncate(&format!("{event:?}"), 160)),
    }
}

fn kline_row(src: &str, k: &Kline) -> Row {
    Row::new(Some(k.event_time), src, "kline")
        .with("symbol", &k.symbol)
        .with("interval", &k.kline.interval)
        .with("open", k.kline.open)
        .with("high", k.kline.high)
        .with("low", k.kline.low)
        .with("close", k.kline.close)
        .with_opt("volume", k.kline.volume)
        .with("closed", k.kline.closed)
}

/// An array event: how many entries, timed by its newest.
fn batch(src: &str, kind: &str, event: &MarketEvent, n: usize) -> Row {
    Row::new(event.identity(), src, kind).with("entries", n)
}

fn best(side: &[Level]) -> String {
    side.first().map_or_else(|| "-".to_string(), |l| format!("{}x{}", l.price, l.qty))
}

/// A connection notice: losses and reconnects are shown, never hidden.
pub fn notice_row(n: &Notice) -> Row {
    match n {
        Notice::Disconnected { connection, reason } => {
            Row::notice(format!("connection {connection}"), "disconnected").with("reason", reason)
        }
        Notice::Reconnected { connection, restored, down_for } => {
            Row::notice(format!("connection {connection}"), "reconnected")
                .with("restored", restored)
                .with("down_for", format!("{down_for:.1?}"))
        }
        Notice::Rotated { connection, reason } => {
            Row::notice(format!("connection {connection}"), "rotated").with("reason", reason)
        }
        Notice::Lagged { dropped } => Row::notice("-", "lagged").with("dropped", dropped),
        Notice::Undecodable { reason, frame, .. } => {
            Row::notice("-", "undecodable").with("reason", reason).with("frame", truncate(frame, 120))
        }
        Notice::Error { connection, message } => {
            Row::notice(format!("connection {connection}"), "error").with("message", message)
        }
        Notice::Closed { connection, reason } => {
            Row::notice(format!("connection {connection}"), "closed").with("reason", reason)
        }
        _ => Row::notice("-", "notice").with("debug", format!("{n:?}")),
    }
}

/// At most `max` characters, with an ellipsis when cut.
pub fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use binance_ws::streams::{decode_frame, Backend, Decoded};

    use super::*;
    use crate::table::Cell;

    fn row_of(frame: &str) -> Row {
        match decode_frame(frame.as_bytes(), Backend::default()).expect("decodes") {
            Decoded::Event { stream, event } => market_row(stream.as_deref(), &event),
            other => panic!("not an event: {other:?}"),
        }
    }

    /// The trade payload of web-socket-streams.md, wrapped as a combined frame.
    #[test]
    fn a_documented_trade_shows_its_exact_price_and_quantity() {
        let row = row_of(
            r#"{"stream":"bnbbtc@trade","data":{"e":"trade","E":1672515782136,"s":"BNBBTC","t":12345,
            "p":"0.001","q":"100","T":1672515782136,"m":true,"M":true}}"#,
        );
        assert_eq!(row.source, "bnbbtc@trade");
        assert_eq!(row.kind, "trade");
        assert_eq!(row.time_ms, Some(1672515782136));
        assert!(row.fields.contains(&("price", "0.001".into())), "{row:?}");
        assert!(row.fields.contains(&("qty", "100".into())), "{row:?}");
        assert!(row.fields.contains(&("maker", "buyer".into())), "{row:?}");
    }

    /// The diff depth payload of web-socket-streams.md: the row carries U and u.
    #[test]
    fn a_documented_depth_update_shows_its_update_ids() {
        let row = row_of(
            r#"{"e":"depthUpdate","E":1672515782136,"s":"BNBBTC","U":157,"u":160,
            "b":[["0.0024","10"]],"a":[["0.0026","100"]]}"#,
        );
        assert_eq!(row.kind, "depthUpdate");
        assert!(row.fields.contains(&("U", Cell::Int(157))) && row.fields.contains(&("u", Cell::Int(160))), "{row:?}");
    }

    #[test]
    fn notices_are_marked_as_such() {
        let row = notice_row(&Notice::Lagged { dropped: 7 });
        assert!(row.notice);
        assert_eq!(row.to_json()["dropped"], 7);
        assert_eq!(truncate("abcdef", 3), "abc…");
        assert_eq!(truncate("ab", 3), "ab");
    }
}
