//! Spot market stream names (web-socket-streams.md, "Detailed Stream information").

use crate::market::{Interval, UTC8_OFFSET_MS};

/// Rolling window of `@ticker_<w>` and `!ticker_<w>@arr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TickerWindow {
    H1,
    H4,
    D1,
}

impl TickerWindow {
    pub fn parse(s: &str) -> Option<TickerWindow> {
        match s {
            "1h" => Some(TickerWindow::H1),
            "4h" => Some(TickerWindow::H4),
            "1d" => Some(TickerWindow::D1),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            TickerWindow::H1 => "1h",
            TickerWindow::H4 => "4h",
            TickerWindow::D1 => "1d",
        }
    }
    pub fn ms(self) -> u64 {
        match self {
            TickerWindow::H1 => 3_600_000,
            TickerWindow::H4 => 4 * 3_600_000,
            TickerWindow::D1 => 86_400_000,
        }
    }
}

/// What a stream carries. Symbols are kept upper-case (as they appear in payloads).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StreamKind {
    /// `<symbol>@trade`
    Trade { symbol: String },
    /// `<symbol>@aggTrade`
    AggTrade { symbol: String },
    /// `<symbol>@kline_<interval>` and `<symbol>@kline_<interval>@+08:00`
    Kline { symbol: String, interval: Interval, offset_ms: i64 },
    /// `<symbol>@miniTicker`
    MiniTicker { symbol: String },
    /// `!miniTicker@arr`
    AllMiniTickers,
    /// `<symbol>@ticker`
    Ticker { symbol: String },
    /// `<symbol>@ticker_<1h|4h|1d>`
    WindowTicker { symbol: String, window: TickerWindow },
    /// `!ticker_<1h|4h|1d>@arr`
    AllWindowTickers { window: TickerWindow },
    /// `<symbol>@bookTicker`
    BookTicker { symbol: String },
    /// `<symbol>@avgPrice`
    AvgPrice { symbol: String },
    /// `<symbol>@depth<5|10|20>` (1000 ms) or `...@100ms`
    PartialDepth { symbol: String, levels: usize, fast: bool },
    /// `<symbol>@depth` (1000 ms) or `<symbol>@depth@100ms`
    Depth { symbol: String, fast: bool },
}

impl StreamKind {
    /// The symbol a per-symbol stream is about.
    pub fn symbol(&self) -> Option<&str> {
        match self {
            StreamKind::Trade { symbol }
            | StreamKind::AggTrade { symbol }
            | StreamKind::Kline { symbol, .. }
            | StreamKind::MiniTicker { symbol }
            | StreamKind::Ticker { symbol }
            | StreamKind::WindowTicker { symbol, .. }
            | StreamKind::BookTicker { symbol }
            | StreamKind::AvgPrice { symbol }
            | StreamKind::PartialDepth { symbol, .. }
            | StreamKind::Depth { symbol, .. } => Some(symbol),
            StreamKind::AllMiniTickers | StreamKind::AllWindowTickers { .. } => None,
        }
    }

    /// Period of a time-driven stream in ms; `None` for the real-time ones (trade, aggTrade, bookTicker).
    pub fn period_ms(&self) -> Option<u64> {
        match self {
            StreamKind::Trade { .. } | StreamKind::AggTrade { .. } | StreamKind::BookTicker { .. } => None,
            StreamKind::Kline { interval: Interval::S1, .. } => Some(1000),
            StreamKind::Kline { .. } => Some(2000),
            StreamKind::PartialDepth { fast, .. } | StreamKind::Depth { fast, .. } => {
                Some(if *fast { 100 } else { 1000 })
            }
            _ => Some(1000),
        }
    }
}

/// Parses a stream name. Symbols must be lower-case, as the docs require.
pub fn parse_stream_name(name: &str) -> Option<StreamKind> {
    if name == "!miniTicker@arr" {
        return Some(StreamKind::AllMiniTickers);
    }
    if let Some(rest) = name.strip_prefix("!ticker_") {
        let w = rest.strip_suffix("@arr")?;
        return Some(StreamKind::AllWindowTickers { window: TickerWindow::parse(w)? });
    }
    let (sym, rest) = name.split_once('@')?;
    if sym.is_empty() || sym.bytes().any(|b| b.is_ascii_uppercase() || !b.is_ascii_alphanumeric()) {
        return None;
    }
    let symbol = sym.to_ascii_uppercase();
    let kind = match rest {
        "trade" => StreamKind::Trade { symbol },
        "aggTrade" => StreamKind::AggTrade { symbol },
        "miniTicker" => StreamKind::MiniTicker { symbol },
        "ticker" => StreamKind::Ticker { symbol },
        "bookTicker" => StreamKind::BookTicker { symbol },
        "avgPrice" => StreamKind::AvgPrice { symbol },
        "depth" => StreamKind::Depth { symbol, fast: false },
        "depth@100ms" => StreamKind::Depth { symbol, fast: true },
        _ => {
            if let Some(k) = rest.strip_prefix("kline_") {
                let (iv, offset_ms) = match k.split_once('@') {
                    Some((iv, "+08:00")) => (iv, UTC8_OFFSET_MS),
                    Some(_) => return None,
                    None => (k, 0),
                };
                StreamKind::Kline { symbol, interval: Interval::parse(iv)?, offset_ms }
            } else if let Some(w) = rest.strip_prefix("ticker_") {
                StreamKind::WindowTicker { symbol, window: TickerWindow::parse(w)? }
            } else if let Some(d) = rest.strip_prefix("depth") {
                let (n, fast) = match d.split_once('@') {
                    Some((n, "100ms")) => (n, true),
                    Some(_) => return None,
                    None => (d, false),
                };
                let levels = match n {
                    "5" => 5,
                    "10" => 10,
                    "20" => 20,
                    _ => return None,
                };
                StreamKind::PartialDepth { symbol, levels, fast }
            } else {
                return None;
            }
        }
    };
    Some(kind)
}
