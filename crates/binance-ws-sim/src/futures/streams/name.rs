//! Futures market stream names (umfutures-streams.yaml, cmfutures-streams.yaml): symbols in lower case
//! (`btcusdt`, `btcusd_perp`), COIN-M index streams by pair (`btcusd`).

use crate::futures::config::Product;
use crate::market::Interval;

/// What a futures stream carries. Symbols and pairs are kept upper-case, as payloads show them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FStreamKind {
    /// `<symbol>@aggTrade`
    AggTrade { symbol: String },
    /// `<symbol>@markPrice` (3 s) or `@markPrice@1s`
    MarkPrice { symbol: String, fast: bool },
    /// `!markPrice@arr` (3 s) or `!markPrice@arr@1s`
    AllMarkPrices { fast: bool },
    /// `<symbol>@kline_<interval>`
    Kline { symbol: String, interval: Interval },
    /// `<symbol>@miniTicker`
    MiniTicker { symbol: String },
    /// `!miniTicker@arr`
    AllMiniTickers,
    /// `<symbol>@ticker`
    Ticker { symbol: String },
    /// `!ticker@arr`
    AllTickers,
    /// `<symbol>@bookTicker`
    BookTicker { symbol: String },
    /// `!bookTicker`
    AllBookTickers,
    /// `<symbol>@forceOrder`
    ForceOrder { symbol: String },
    /// `!forceOrder@arr`
    AllForceOrders,
    /// `<symbol>@depth<5|10|20>[@100ms|@500ms]` (250 ms by default)
    PartialDepth { symbol: String, levels: usize, period_ms: u64 },
    /// `<symbol>@depth[@100ms|@500ms]` (250 ms by default)
    Depth { symbol: String, period_ms: u64 },
    /// COIN-M `<pair>@indexPrice` (3 s) or `@indexPrice@1s`
    IndexPrice { pair: String, fast: bool },
    /// COIN-M `<symbol>@markPriceKline_<interval>`
    MarkPriceKline { symbol: String, interval: Interval },
    /// COIN-M `<pair>@indexPriceKline_<interval>`
    IndexPriceKline { pair: String, interval: Interval },
}

impl FStreamKind {
    /// Period of a time-driven stream in ms; `None` for the real-time ones.
    pub fn period_ms(&self) -> Option<u64> {
        match self {
            FStreamKind::AggTrade { .. }
            | FStreamKind::BookTicker { .. }
            | FStreamKind::AllBookTickers
            | FStreamKind::ForceOrder { .. }
            | FStreamKind::AllForceOrders => None,
            FStreamKind::MarkPrice { fast, .. }
            | FStreamKind::AllMarkPrices { fast }
            | FStreamKind::IndexPrice { fast, .. } => Some(if *fast { 1000 } else { 3000 }),
            FStreamKind::Kline { .. } | FStreamKind::MarkPriceKline { .. } | FStreamKind::IndexPriceKline { .. } => {
                Some(250)
            }
            FStreamKind::MiniTicker { .. } | FStreamKind::Ticker { .. } => Some(500),
            FStreamKind::AllMiniTickers | FStreamKind::AllTickers => Some(1000),
            FStreamKind::PartialDepth { period_ms, .. } | FStreamKind::Depth { period_ms, .. } => Some(*period_ms),
        }
    }

    /// Whether the stream belongs to the USD-M `/public` endpoints (book tickers and depth); the others are
    /// served under `/market`.
    pub fn is_public(&self) -> bool {
        matches!(
            self,
            FStreamKind::BookTicker { .. }
                | FStreamKind::AllBookTickers
                | FStreamKind::PartialDepth { .. }
                | FStreamKind::Depth { .. }
        )
    }
}

fn depth_period(suffix: Option<&str>) -> Option<u64> {
    match suffix {
        None => Some(250),
        Some("100ms") => Some(100),
        Some("250ms") => Some(250),
        Some("500ms") => Some(500),
        Some(_) => None,
    }
}

fn futures_interval(s: &str) -> Option<Interval> {
    Interval::parse(s).filter(|i| *i != Interval::S1)
}

/// Parses a stream name of `product`. Names must be lower-case, as the docs require.
pub fn parse_futures_stream(product: Product, name: &str) -> Option<FStreamKind> {
    match name {
        "!markPrice@arr" => return Some(FStreamKind::AllMarkPrices { fast: false }),
        "!markPrice@arr@1s" => return Some(FStreamKind::AllMarkPrices { fast: true }),
        "!miniTicker@arr" => return Some(FStreamKind::AllMiniTickers),
        "!ticker@arr" => return Some(FStreamKind::AllTickers),
        "!bookTicker" => return Some(FStreamKind::AllBookTickers),
        "!forceOrder@arr" => return Some(FStreamKind::AllForceOrders),
        _ => {}
    }
    let (sym, rest) = name.split_once('@')?;
    if sym.is_empty() || !sym.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
        return None;
    }
    let symbol = sym.to_ascii_uppercase();
    let (head, tail) = match rest.split_once('@') {
        Some((h, t)) => (h, Some(t)),
        None => (rest, None),
    };
    let coinm = product == Product::CoinM;
    let kind = match (head, tail) {
        ("aggTrade", None) => FStreamKind::AggTrade { symbol },
        ("markPrice", None) => FStreamKind::MarkPrice { symbol, fast: false },
        ("markPrice", Some("1s")) => FStreamKind::MarkPrice { symbol, fast: true },
        ("miniTicker", None) => FStreamKind::MiniTicker { symbol },
        ("ticker", None) => FStreamKind::Ticker { symbol },
        ("bookTicker", None) => FStreamKind::BookTicker { symbol },
        ("forceOrder", None) => FStreamKind::ForceOrder { symbol },
        ("indexPrice", None) if coinm => FStreamKind::IndexPrice { pair: symbol, fast: false },
        ("indexPrice", Some("1s")) if coinm => FStreamKind::IndexPrice { pair: symbol, fast: true },
        ("depth", t) => FStreamKind::Depth { symbol, period_ms: depth_period(t)? },
        (h, None) if h.starts_with("kline_") => {
            FStreamKind::Kline { symbol, interval: futures_interval(h.strip_prefix("kline_")?)? }
        }
        (h, None) if coinm && h.starts_with("markPriceKline_") => {
            FStreamKind::MarkPriceKline { symbol, interval: futures_interval(h.strip_prefix("markPriceKline_")?)? }
        }
        (h, None) if coinm && h.starts_with("indexPriceKline_") => FStreamKind::IndexPriceKline {
            pair: symbol,
            interval: futures_interval(h.strip_prefix("indexPriceKline_")?)?,
        },
        (h, t) if h.starts_with("depth") => {
            let levels = match h.strip_prefix("depth")? {
                "5" => 5,
                "10" => 10,
                "20" => 20,
                _ => return None,
            };
            FStreamKind::PartialDepth { symbol, levels, period_ms: depth_period(t)? }
        }
        _ => return None,
    };
    Some(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_both_products() {
        let u = |n| parse_futures_stream(Product::UsdM, n);
        let c = |n| parse_futures_stream(Product::CoinM, n);
        assert_eq!(u("btcusdt@depth@100ms"), Some(FStreamKind::Depth { symbol: "BTCUSDT".into(), period_ms: 100 }));
        assert_eq!(u("btcusdt@depth"), Some(FStreamKind::Depth { symbol: "BTCUSDT".into(), period_ms: 250 }));
        assert_eq!(
            u("btcusdt@depth5@500ms"),
            Some(FStreamKind::PartialDepth { symbol: "BTCUSDT".into(), levels: 5, period_ms: 500 })
        );
        assert_eq!(u("btcusdt@markPrice@1s"), Some(FStreamKind::MarkPrice { symbol: "BTCUSDT".into(), fast: true }));
        assert_eq!(u("!markPrice@arr"), Some(FStreamKind::AllMarkPrices { fast: false }));
        assert!(u("btcusdt@kline_1s").is_none());
        assert!(u("BTCUSDT@aggTrade").is_none());
        assert!(u("btcusd@indexPrice").is_none(), "COIN-M only");
        assert_eq!(c("btcusd@indexPrice@1s"), Some(FStreamKind::IndexPrice { pair: "BTCUSD".into(), fast: true }));
        assert_eq!(c("btcusd_perp@aggTrade"), Some(FStreamKind::AggTrade { symbol: "BTCUSD_PERP".into() }));
        assert!(c("btcusd_perp@markPriceKline_1m").is_some());
        assert!(u("btcusdt@depth7").is_none());
        assert!(u("btcusdt@depth@1000ms").is_none());
    }
}
