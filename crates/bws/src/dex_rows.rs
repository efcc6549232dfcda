//! Binance DEX events as table rows. One row per entry for array topics (trades, orders, all tickers).

use binance_ws::dex::{DexEvent, PriceLevel};
use binance_ws::transport::ConnectionEvent;

use crate::market_rows::truncate;
use crate::table::Row;

/// Event times in milliseconds: orders' and trades' `T` may be nanoseconds (the local exchange sends them
/// so), anything past year 33658 in milliseconds is taken as nanoseconds.
fn ms(t: u64) -> u64 {
    if t > 1_000_000_000_000_000 {
        t / 1_000_000
    } else {
        t
    }
}

fn best(side: &[PriceLevel]) -> String {
    side.first().map_or_else(|| "-".to_string(), |l| format!("{}x{}", l.price, l.quantity))
}

/// The rows of one DEX event (`ServerError` is the caller's to handle: it ends the command).
pub fn dex_rows(event: &DexEvent) -> Vec<Row> {
    match event {
        DexEvent::Orders(v) => v
            .iter()
            .map(|o| {
                Row::new(Some(ms(o.transaction_time)), "orders", &o.event_type)
                    .with("height", o.height)
                    .with("symbol", &o.symbol)
                    .with("side", o.side.to_string())
                    .with("status", format!("{:?}", o.status))
                    .with("price", o.price)
                    .with("qty", o.quantity)
                    .with("filled", o.cumulative_quantity)
                    .with("orderId", &o.order_id)
            })
            .collect(),
        DexEvent::Accounts(v) => v
            .iter()
            .map(|a| {
                let balances: Vec<String> =
                    a.balances.iter().map(|b| format!("{}:{}/{}", b.asset, b.free, b.locked)).collect();
                Row::new(None, "accounts", &a.event_type)
                    .with("height", a.height)
                    .with("balances(free/locked)", balances.join(","))
            })
            .collect(),
        DexEvent::Transfers(v) => v
            .iter()
            .map(|t| {
                let outputs: Vec<String> = t
                    .outputs
                    .iter()
                    .flat_map(|o| o.coins.iter().map(move |c| format!("{}:{}{}", o.to, c.amount, c.asset)))
                    .collect();
                Row::new(None, "transfers", &t.event_type)
                    .with("height", t.height)
                    .with("from", &t.from)
                    .with("to", outputs.join(","))
                    .with("tx", &t.tx_hash)
            })
            .collect(),
        DexEvent::Trades(v) => v
            .iter()
            .map(|t| {
                Row::new(Some(ms(t.time)), format!("{}@trades", t.symbol), &t.event_type)
                    .with("height", t.height)
                    .with("price", t.price)
                    .with("qty", t.quantity)
                    .with("id", &t.trade_id)
            })
            .collect(),
        DexEvent::MarketDiff(d) => vec![Row::new(Some(d.time), format!("{}@marketDiff", d.symbol), &d.event_type)
            .with("bids", d.bids.len())
            .with("asks", d.asks.len())],
        DexEvent::MarketDepth { levels, book } => {
            vec![Row::new(None, format!("{}@marketDepth{}", book.symbol, levels.count()), "depth")
                .with("lastUpdateId", book.last_update_id)
                .with("bid", best(&book.bids))
                .with("ask", best(&book.asks))
                .with("levels", format!("{}/{}", book.bids.len(), book.asks.len()))]
        }
        DexEvent::Kline(k) => {
            vec![Row::new(Some(k.time), format!("{}@kline_{}", k.symbol, k.candle.interval_code), "kline")
                .with("open", k.candle.open)
                .with("high", k.candle.high)
                .with("low", k.candle.low)
                .with("close", k.candle.close)
                .with("volume", k.candle.volume)
                .with("closed", k.candle.closed)]
        }
        DexEvent::Ticker(t) => vec![ticker_row("ticker", t)],
        DexEvent::AllTickers(v) => v.iter().map(|t| ticker_row("allTickers", t)).collect(),
        DexEvent::MiniTicker(t) => vec![mini_row("miniTicker", t)],
        DexEvent::AllMiniTickers(v) => v.iter().map(|t| mini_row("allMiniTickers", t)).collect(),
        DexEvent::BlockHeight(b) => vec![Row::new(None, "$all@blockheight", "blockheight").with("height", b.height)],
        DexEvent::ServerError(msg) => vec![Row::notice("dex", "server error").with("message", msg)],
        DexEvent::Other { stream, raw } => {
            vec![Row::new(None, stream.as_deref().unwrap_or("-"), "other").with("raw", truncate(raw, 160))]
        }
        DexEvent::Malformed(e) => vec![Row::notice("dex", "malformed").with("reason", truncate(&e.to_string(), 200))],
        DexEvent::Lagged { dropped } => vec![Row::notice("dex", "lagged").with("dropped", dropped)],
        DexEvent::Connection(c) => vec![connection_row(c)],
        _ => vec![Row::new(None, "dex", "unknown").with("debug", truncate(&format!("{event:?}"), 160))],
    }
}

fn ticker_row(topic: &str, t: &binance_ws::dex::Ticker) -> Row {
    Row::new(Some(t.time), format!("{}@{topic}", t.symbol), &t.event_type)
        .with("close", t.close)
        .with("change%", t.price_change_percent)
        .with("bid", t.bid_price)
        .with("ask", t.ask_price)
        .with("volume", t.volume)
}

fn mini_row(topic: &str, t: &binance_ws::dex::MiniTicker) -> Row {
    Row::new(Some(t.time), format!("{}@{topic}", t.symbol), &t.event_type)
        .with("close", t.close)
        .with("open", t.open)
        .with("high", t.high)
        .with("low", t.low)
        .with("volume", t.volume)
}

fn connection_row(c: &ConnectionEvent) -> Row {
    match c {
        ConnectionEvent::Connected { url, generation } => {
            Row::notice("dex", "connected").with("url", url).with("generation", generation)
        }
        ConnectionEvent::Reconnecting { reason, attempt, .. } => {
            Row::notice("dex", "reconnecting").with("reason", reason).with("attempt", attempt)
        }
        ConnectionEvent::Rotated { reason, .. } => Row::notice("dex", "rotated").with("reason", reason),
        ConnectionEvent::Closed { reason } => Row::notice("dex", "closed").with("reason", reason),
        #[allow(unreachable_patterns)]
        other => Row::notice("dex", "connection").with("debug", format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use binance_ws::dex::decode_frame;

    use super::*;

    /// The blockheight example of dex-docs/ws-streams.md.
    #[test]
    fn a_documented_block_height_shows_the_height() {
        let event = decode_frame(br#"{"stream":"blockheight","data":{"h":123456789}}"#).expect("decodes");
        let rows = dex_rows(&event);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].fields, vec![("height", crate::table::Cell::Int(123456789))]);
    }

    #[test]
    fn nanosecond_times_become_milliseconds() {
        assert_eq!(ms(1_700_000_000_123), 1_700_000_000_123);
        assert_eq!(ms(1_700_000_000_123_456_789), 1_700_000_000_123);
    }
}
