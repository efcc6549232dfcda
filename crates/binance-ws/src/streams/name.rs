//! Typed stream names. Each [`Stream`] renders to the exact wire name (lower-case symbols, camel-case kinds
//! as in web-socket-streams.md and the futures AsyncAPI specs) and parses back with [`str::parse`].

use std::fmt;
use std::str::FromStr;

use crate::env::Product;

pub use crate::model::Interval;

/// Window of the rolling-window ticker streams (`@ticker_<w>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Window {
    /// 1 hour.
    H1,
    /// 4 hours.
    H4,
    /// 1 day.
    D1,
}

impl Window {
    /// `1h`, `4h` or `1d`.
    pub fn as_str(self) -> &'static str {
        match self {
            Window::H1 => "1h",
            Window::H4 => "4h",
            Window::D1 => "1d",
        }
    }
    fn parse(s: &str) -> Option<Window> {
        Some(match s {
            "1h" => Window::H1,
            "4h" => Window::H4,
            "1d" => Window::D1,
            _ => return None,
        })
    }
}

/// Levels of a partial book depth stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Levels {
    /// Top 5.
    L5,
    /// Top 10.
    L10,
    /// Top 20.
    L20,
}

impl Levels {
    /// 5, 10 or 20.
    pub fn count(self) -> usize {
        match self {
            Levels::L5 => 5,
            Levels::L10 => 10,
            Levels::L20 => 20,
        }
    }
}

/// Update speed of depth streams: the default (no suffix: 1000 ms on spot, 250 ms on futures) or an explicit one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Speed {
    /// No suffix.
    #[default]
    Default,
    /// `@100ms` (spot and futures).
    Ms100,
    /// `@250ms` (futures).
    Ms250,
    /// `@500ms` (futures).
    Ms500,
}

impl Speed {
    fn suffix(self) -> &'static str {
        match self {
            Speed::Default => "",
            Speed::Ms100 => "@100ms",
            Speed::Ms250 => "@250ms",
            Speed::Ms500 => "@500ms",
        }
    }
    fn parse_suffix(s: &str) -> Option<Speed> {
        Some(match s {
            "" => Speed::Default,
            "@100ms" => Speed::Ms100,
            "@250ms" => Speed::Ms250,
            "@500ms" => Speed::Ms500,
            _ => return None,
        })
    }
}

/// Contract type of a continuous kline stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContractType {
    /// `perpetual`
    Perpetual,
    /// `current_quarter`
    CurrentQuarter,
    /// `next_quarter`
    NextQuarter,
}

impl ContractType {
    /// The wire form.
    pub fn as_str(self) -> &'static str {
        match self {
            ContractType::Perpetual => "perpetual",
            ContractType::CurrentQuarter => "current_quarter",
            ContractType::NextQuarter => "next_quarter",
        }
    }
    fn parse(s: &str) -> Option<ContractType> {
        Some(match s {
            "perpetual" => ContractType::Perpetual,
            "current_quarter" => ContractType::CurrentQuarter,
            "next_quarter" => ContractType::NextQuarter,
            _ => return None,
        })
    }
}

/// A market stream. Symbols are kept upper-case and rendered lower-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Stream {
    /// `<symbol>@trade`
    Trade(String),
    /// `<symbol>@aggTrade`
    AggTrade(String),
    /// `<symbol>@blockTrade`
    BlockTrade(String),
    /// `<symbol>@referencePrice`
    ReferencePrice(String),
    /// `<symbol>@kline_<interval>` or, with a time zone, `<symbol>@kline_<interval>@+08:00`
    Kline {
        /// Symbol.
        symbol: String,
        /// Interval.
        interval: Interval,
        /// Time zone offset such as `+08:00`.
        tz: Option<String>,
    },
    /// `<symbol>@miniTicker`
    MiniTicker(String),
    /// `!miniTicker@arr`
    AllMiniTickers,
    /// `<symbol>@ticker`
    Ticker(String),
    /// `!ticker@arr` (futures)
    AllTickers,
    /// `<symbol>@ticker_<window>`
    RollingTicker(String, Window),
    /// `!ticker_<window>@arr`
    AllRollingTickers(Window),
    /// `<symbol>@bookTicker`
    BookTicker(String),
    /// `!bookTicker` (futures)
    AllBookTickers,
    /// `<symbol>@avgPrice`
    AvgPrice(String),
    /// `<symbol>@depth<levels>[@speed]`
    PartialDepth(String, Levels, Speed),
    /// `<symbol>@depth[@speed]`
    DiffDepth(String, Speed),
    /// `<symbol>@markPrice[@1s]` (futures)
    MarkPrice {
        /// Symbol.
        symbol: String,
        /// `@1s` instead of the default 3 s.
        every_second: bool,
    },
    /// `!markPrice@arr[@1s]` (futures)
    AllMarkPrices {
        /// `@1s` instead of the default 3 s.
        every_second: bool,
    },
    /// `<symbol>@forceOrder` (futures)
    ForceOrder(String),
    /// `!forceOrder@arr` (futures)
    AllForceOrders,
    /// `<pair>_<contractType>@continuousKline_<interval>` (futures)
    ContinuousKline(String, ContractType, Interval),
    /// `<symbol>@compositeIndex` (USD-M)
    CompositeIndex(String),
    /// `!contractInfo` (futures)
    ContractInfo,
    /// `<assetSymbol>@assetIndex` (USD-M multi-assets mode)
    AssetIndex(String),
    /// `!assetIndex@arr` (USD-M)
    AllAssetIndex,
    /// `<pair>@indexPrice[@1s]` (COIN-M)
    IndexPrice {
        /// Pair such as `BTCUSD`.
        pair: String,
        /// `@1s` instead of the default 3 s.
        every_second: bool,
    },
    /// `<pair>@indexPriceKline_<interval>` (COIN-M)
    IndexPriceKline(String, Interval),
    /// `<symbol>@markPriceKline_<interval>` (COIN-M)
    MarkPriceKline(String, Interval),
    /// Any other name, sent as given.
    Custom(String),
}

fn up(s: &str) -> String {
    s.to_ascii_uppercase()
}

impl Stream {
    /// `<symbol>@trade`
    pub fn trade(symbol: &str) -> Stream {
        Stream::Trade(up(symbol))
    }
    /// `<symbol>@aggTrade`
    pub fn agg_trade(symbol: &str) -> Stream {
        Stream::AggTrade(up(symbol))
    }
    /// `<symbol>@blockTrade`
    pub fn block_trade(symbol: &str) -> Stream {
        Stream::BlockTrade(up(symbol))
    }
    /// `<symbol>@referencePrice`
    pub fn reference_price(symbol: &str) -> Stream {
        Stream::ReferencePrice(up(symbol))
    }
    /// `<symbol>@kline_<interval>` (UTC).
    pub fn kline(symbol: &str, interval: Interval) -> Stream {
        Stream::Kline { symbol: up(symbol), interval, tz: None }
    }
    /// `<symbol>@kline_<interval>@<tz>`, e.g. `tz = "+08:00"`.
    pub fn kline_tz(symbol: &str, interval: Interval, tz: &str) -> Stream {
        Stream::Kline { symbol: up(symbol), interval, tz: Some(tz.to_string()) }
    }
    /// `<symbol>@miniTicker`
    pub fn mini_ticker(symbol: &str) -> Stream {
        Stream::MiniTicker(up(symbol))
    }
    /// `!miniTicker@arr`
    pub fn all_mini_tickers() -> Stream {
        Stream::AllMiniTickers
    }
    /// `<symbol>@ticker`
    pub fn ticker(symbol: &str) -> Stream {
        Stream::Ticker(up(symbol))
    }
    /// `!ticker@arr` (futures)
    pub fn all_tickers() -> Stream {
        Stream::AllTickers
    }
    /// `<symbol>@ticker_<window>`
    pub fn rolling_ticker(symbol: &str, window: Window) -> Stream {
        Stream::RollingTicker(up(symbol), window)
    }
    /// `!ticker_<window>@arr`
    pub fn all_rolling_tickers(window: Window) -> Stream {
        Stream::AllRollingTickers(window)
    }
    /// `<symbol>@bookTicker`
    pub fn book_ticker(symbol: &str) -> Stream {
        Stream::BookTicker(up(symbol))
    }
    /// `!bookTicker` (futures)
    pub fn all_book_tickers() -> Stream {
        Stream::AllBookTickers
    }
    /// `<symbol>@avgPrice`
    pub fn avg_price(symbol: &str) -> Stream {
        Stream::AvgPrice(up(symbol))
    }
    /// `<symbol>@depth<levels>[@speed]`
    pub fn partial_depth(symbol: &str, levels: Levels, speed: Speed) -> Stream {
        Stream::PartialDepth(up(symbol), levels, speed)
    }
    /// `<symbol>@depth[@speed]` (futures events carry `pu`).
    pub fn diff_depth(symbol: &str, speed: Speed) -> Stream {
        Stream::DiffDepth(up(symbol), speed)
    }
    /// `<symbol>@markPrice` (every 3 s).
    pub fn mark_price(symbol: &str) -> Stream {
        Stream::MarkPrice { symbol: up(symbol), every_second: false }
    }
    /// `<symbol>@markPrice@1s`
    pub fn mark_price_1s(symbol: &str) -> Stream {
        Stream::MarkPrice { symbol: up(symbol), every_second: true }
    }
    /// `!markPrice@arr[@1s]`
    pub fn all_mark_prices(every_second: bool) -> Stream {
        Stream::AllMarkPrices { every_second }
    }
    /// `<symbol>@forceOrder`
    pub fn force_order(symbol: &str) -> Stream {
        Stream::ForceOrder(up(symbol))
    }
    /// `!forceOrder@arr`
    pub fn all_force_orders() -> Stream {
        Stream::AllForceOrders
    }
    /// `<pair>_<contractType>@continuousKline_<interval>`
    pub fn continuous_kline(pair: &str, contract: ContractType, interval: Interval) -> Stream {
        Stream::ContinuousKline(up(pair), contract, interval)
    }
    /// `<symbol>@compositeIndex`
    pub fn composite_index(symbol: &str) -> Stream {
        Stream::CompositeIndex(up(symbol))
    }
    /// `!contractInfo`
    pub fn contract_info() -> Stream {
        Stream::ContractInfo
    }
    /// `<assetSymbol>@assetIndex`
    pub fn asset_index(asset_symbol: &str) -> Stream {
        Stream::AssetIndex(up(asset_symbol))
    }
    /// `!assetIndex@arr`
    pub fn all_asset_index() -> Stream {
        Stream::AllAssetIndex
    }
    /// `<pair>@indexPrice[@1s]` (COIN-M)
    pub fn index_price(pair: &str, every_second: bool) -> Stream {
        Stream::IndexPrice { pair: up(pair), every_second }
    }
    /// `<pair>@indexPriceKline_<interval>` (COIN-M)
    pub fn index_price_kline(pair: &str, interval: Interval) -> Stream {
        Stream::IndexPriceKline(up(pair), interval)
    }
    /// `<symbol>@markPriceKline_<interval>` (COIN-M)
    pub fn mark_price_kline(symbol: &str, interval: Interval) -> Stream {
        Stream::MarkPriceKline(up(symbol), interval)
    }
    /// Any name, sent as given (no validation).
    pub fn custom(name: &str) -> Stream {
        Stream::Custom(name.to_string())
    }

    /// The exact wire name.
    pub fn name(&self) -> String {
        self.to_string()
    }

    /// The symbol (or pair) a per-symbol stream is about, upper-case.
    pub fn symbol(&self) -> Option<&str> {
        use Stream::*;
        match self {
            Trade(s) | AggTrade(s) | BlockTrade(s) | ReferencePrice(s) | MiniTicker(s) | Ticker(s) | BookTicker(s)
            | AvgPrice(s) | ForceOrder(s) | CompositeIndex(s) | AssetIndex(s) => Some(s),
            Kline { symbol, .. } | MarkPrice { symbol, .. } | IndexPrice { pair: symbol, .. } => Some(symbol),
            RollingTicker(s, _)
            | PartialDepth(s, _, _)
            | DiffDepth(s, _)
            | ContinuousKline(s, _, _)
            | IndexPriceKline(s, _)
            | MarkPriceKline(s, _) => Some(s),
            _ => None,
        }
    }

    /// Which USD-M endpoint carries the stream: `/public` for book tickers and depth, `/market` for the rest.
    pub fn route(&self, product: Product) -> Route {
        if product != Product::UsdM {
            return Route::Default;
        }
        match self {
            Stream::BookTicker(_) | Stream::AllBookTickers | Stream::PartialDepth(..) | Stream::DiffDepth(..) => {
                Route::Public
            }
            Stream::Custom(n) if n.contains("bookTicker") || n.contains("@depth") => Route::Public,
            _ => Route::Market,
        }
    }
}

/// The path prefix a stream connection uses on the product's stream host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Route {
    /// No prefix (spot, COIN-M, local exchanges).
    Default,
    /// USD-M `/public` (book tickers, depth).
    Public,
    /// USD-M `/market` (everything else).
    Market,
}

impl Route {
    /// The path prefix.
    pub fn prefix(self) -> &'static str {
        match self {
            Route::Default => "",
            Route::Public => "/public",
            Route::Market => "/market",
        }
    }
}

impl fmt::Display for Stream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Stream::*;
        let lc = |s: &str| s.to_ascii_lowercase();
        match self {
            Trade(s) => write!(f, "{}@trade", lc(s)),
            AggTrade(s) => write!(f, "{}@aggTrade", lc(s)),
            BlockTrade(s) => write!(f, "{}@blockTrade", lc(s)),
            ReferencePrice(s) => write!(f, "{}@referencePrice", lc(s)),
            Kline { symbol, interval, tz } => {
                write!(f, "{}@kline_{}", lc(symbol), interval.as_str())?;
                if let Some(tz) = tz {
                    write!(f, "@{tz}")?;
                }
                Ok(())
            }
            MiniTicker(s) => write!(f, "{}@miniTicker", lc(s)),
            AllMiniTickers => f.write_str("!miniTicker@arr"),
            Ticker(s) => write!(f, "{}@ticker", lc(s)),
            AllTickers => f.write_str("!ticker@arr"),
            RollingTicker(s, w) => write!(f, "{}@ticker_{}", lc(s), w.as_str()),
            AllRollingTickers(w) => write!(f, "!ticker_{}@arr", w.as_str()),
            BookTicker(s) => write!(f, "{}@bookTicker", lc(s)),
            AllBookTickers => f.write_str("!bookTicker"),
            AvgPrice(s) => write!(f, "{}@avgPrice", lc(s)),
            PartialDepth(s, l, sp) => write!(f, "{}@depth{}{}", lc(s), l.count(), sp.suffix()),
            DiffDepth(s, sp) => write!(f, "{}@depth{}", lc(s), sp.suffix()),
            MarkPrice { symbol, every_second } => {
                write!(f, "{}@markPrice{}", lc(symbol), if *every_second { "@1s" } else { "" })
            }
            AllMarkPrices { every_second } => write!(f, "!markPrice@arr{}", if *every_second { "@1s" } else { "" }),
            ForceOrder(s) => write!(f, "{}@forceOrder", lc(s)),
            AllForceOrders => f.write_str("!forceOrder@arr"),
            ContinuousKline(p, c, i) => write!(f, "{}_{}@continuousKline_{}", lc(p), c.as_str(), i.as_str()),
            CompositeIndex(s) => write!(f, "{}@compositeIndex", lc(s)),
            ContractInfo => f.write_str("!contractInfo"),
            AssetIndex(s) => write!(f, "{}@assetIndex", lc(s)),
            AllAssetIndex => f.write_str("!assetIndex@arr"),
            IndexPrice { pair, every_second } => {
                write!(f, "{}@indexPrice{}", lc(pair), if *every_second { "@1s" } else { "" })
            }
            IndexPriceKline(p, i) => write!(f, "{}@indexPriceKline_{}", lc(p), i.as_str()),
            MarkPriceKline(s, i) => write!(f, "{}@markPriceKline_{}", lc(s), i.as_str()),
            Custom(n) => f.write_str(n),
        }
    }
}

/// A stream name that [`Stream::from_str`] does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownStream(pub String);

impl fmt::Display for UnknownStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown stream name `{}` (use Stream::custom to send it as is)", self.0)
    }
}

impl std::error::Error for UnknownStream {}

impl FromStr for Stream {
    type Err = UnknownStream;

    fn from_str(name: &str) -> Result<Stream, UnknownStream> {
        parse(name).ok_or_else(|| UnknownStream(name.to_string()))
    }
}

fn every_second(rest: &str) -> Option<bool> {
    match rest {
        "" => Some(false),
        "@1s" => Some(true),
        _ => None,
    }
}

fn parse(name: &str) -> Option<Stream> {
    use Stream::*;
    match name {
        "!miniTicker@arr" => return Some(AllMiniTickers),
        "!ticker@arr" => return Some(AllTickers),
        "!bookTicker" => return Some(AllBookTickers),
        "!forceOrder@arr" => return Some(AllForceOrders),
        "!contractInfo" => return Some(ContractInfo),
        "!assetIndex@arr" => return Some(AllAssetIndex),
        _ => {}
    }
    if let Some(rest) = name.strip_prefix("!markPrice@arr") {
        return Some(AllMarkPrices { every_second: every_second(rest)? });
    }
    if let Some(rest) = name.strip_prefix("!ticker_") {
        return Some(AllRollingTickers(Window::parse(rest.strip_suffix("@arr")?)?));
    }
    let (sym, kind) = name.split_once('@')?;
    if sym.is_empty() || sym.bytes().any(|b| b.is_ascii_uppercase()) {
        return None;
    }
    if let Some(ki) = kind.strip_prefix("continuousKline_") {
        let (pair, ct) = sym.split_once('_')?;
        return Some(ContinuousKline(up(pair), ContractType::parse(ct)?, Interval::parse(ki)?));
    }
    if !sym.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return None;
    }
    let s = up(sym);
    Some(match kind {
        "trade" => Trade(s),
        "aggTrade" => AggTrade(s),
        "blockTrade" => BlockTrade(s),
        "referencePrice" => ReferencePrice(s),
        "miniTicker" => MiniTicker(s),
        "ticker" => Ticker(s),
        "bookTicker" => BookTicker(s),
        "avgPrice" => AvgPrice(s),
        "forceOrder" => ForceOrder(s),
        "compositeIndex" => CompositeIndex(s),
        "assetIndex" => AssetIndex(s),
        _ => {
            if let Some(k) = kind.strip_prefix("kline_") {
                let (iv, tz) = match k.split_once('@') {
                    Some((iv, tz)) if tz.starts_with('+') || tz.starts_with('-') => (iv, Some(tz.to_string())),
                    Some(_) => return None,
                    None => (k, None),
                };
                Kline { symbol: s, interval: Interval::parse(iv)?, tz }
            } else if let Some(w) = kind.strip_prefix("ticker_") {
                RollingTicker(s, Window::parse(w)?)
            } else if let Some(rest) = kind.strip_prefix("markPriceKline_") {
                MarkPriceKline(s, Interval::parse(rest)?)
            } else if let Some(rest) = kind.strip_prefix("indexPriceKline_") {
                IndexPriceKline(s, Interval::parse(rest)?)
            } else if let Some(rest) = kind.strip_prefix("markPrice") {
                MarkPrice { symbol: s, every_second: every_second(rest)? }
            } else if let Some(rest) = kind.strip_prefix("indexPrice") {
                IndexPrice { pair: s, every_second: every_second(rest)? }
            } else if let Some(d) = kind.strip_prefix("depth") {
                let (n, speed) = match d.find('@') {
                    Some(at) => (&d[..at], Speed::parse_suffix(&d[at..])?),
                    None => (d, Speed::Default),
                };
                match n {
                    "" => DiffDepth(s, speed),
                    "5" => PartialDepth(s, Levels::L5, speed),
                    "10" => PartialDepth(s, Levels::L10, speed),
                    "20" => PartialDepth(s, Levels::L20, speed),
                    _ => return None,
                }
            } else {
                return None;
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_render_and_parse_back() {
        let cases = [
            (Stream::trade("BTCUSDT"), "btcusdt@trade"),
            (Stream::agg_trade("bnbbtc"), "bnbbtc@aggTrade"),
            (Stream::kline("BTCUSDT", Interval::M1), "btcusdt@kline_1m"),
            (Stream::kline("BTCUSDT", Interval::Mo1), "btcusdt@kline_1M"),
            (Stream::kline_tz("BTCUSDT", Interval::H1, "+08:00"), "btcusdt@kline_1h@+08:00"),
            (Stream::mini_ticker("ETHBTC"), "ethbtc@miniTicker"),
            (Stream::all_mini_tickers(), "!miniTicker@arr"),
            (Stream::ticker("ETHBTC"), "ethbtc@ticker"),
            (Stream::all_tickers(), "!ticker@arr"),
            (Stream::rolling_ticker("ETHBTC", Window::H4), "ethbtc@ticker_4h"),
            (Stream::all_rolling_tickers(Window::D1), "!ticker_1d@arr"),
            (Stream::book_ticker("BNBUSDT"), "bnbusdt@bookTicker"),
            (Stream::all_book_tickers(), "!bookTicker"),
            (Stream::avg_price("BTCUSDT"), "btcusdt@avgPrice"),
            (Stream::partial_depth("BTCUSDT", Levels::L5, Speed::Default), "btcusdt@depth5"),
            (Stream::partial_depth("BTCUSDT", Levels::L20, Speed::Ms100), "btcusdt@depth20@100ms"),
            (Stream::diff_depth("BTCUSDT", Speed::Default), "btcusdt@depth"),
            (Stream::diff_depth("BTCUSDT", Speed::Ms500), "btcusdt@depth@500ms"),
            (Stream::mark_price("BTCUSDT"), "btcusdt@markPrice"),
            (Stream::mark_price_1s("BTCUSDT"), "btcusdt@markPrice@1s"),
            (Stream::all_mark_prices(true), "!markPrice@arr@1s"),
            (Stream::all_mark_prices(false), "!markPrice@arr"),
            (Stream::force_order("BTCUSDT"), "btcusdt@forceOrder"),
            (Stream::all_force_orders(), "!forceOrder@arr"),
            (
                Stream::continuous_kline("BTCUSDT", ContractType::Perpetual, Interval::M1),
                "btcusdt_perpetual@continuousKline_1m",
            ),
            (Stream::composite_index("DEFIUSDT"), "defiusdt@compositeIndex"),
            (Stream::contract_info(), "!contractInfo"),
            (Stream::asset_index("BTCUSD"), "btcusd@assetIndex"),
            (Stream::all_asset_index(), "!assetIndex@arr"),
            (Stream::index_price("BTCUSD", false), "btcusd@indexPrice"),
            (Stream::index_price("BTCUSD", true), "btcusd@indexPrice@1s"),
            (Stream::index_price_kline("BTCUSD", Interval::M1), "btcusd@indexPriceKline_1m"),
            (Stream::mark_price_kline("BTCUSD_PERP", Interval::M5), "btcusd_perp@markPriceKline_5m"),
            (Stream::block_trade("BNBBTC"), "bnbbtc@blockTrade"),
            (Stream::reference_price("BAZUSD"), "bazusd@referencePrice"),
        ];
        for (s, wire) in cases {
            assert_eq!(s.to_string(), wire);
            assert_eq!(wire.parse::<Stream>().unwrap(), s, "{wire}");
        }
        assert!("BTCUSDT@trade".parse::<Stream>().is_err());
        assert!("btcusdt@nope".parse::<Stream>().is_err());
        assert!("btcusdt@depth7".parse::<Stream>().is_err());
    }

    #[test]
    fn usdm_split_routes_book_and_depth_to_public() {
        assert_eq!(Stream::book_ticker("X").route(Product::UsdM), Route::Public);
        assert_eq!(Stream::diff_depth("X", Speed::Ms100).route(Product::UsdM), Route::Public);
        assert_eq!(Stream::partial_depth("X", Levels::L5, Speed::Default).route(Product::UsdM), Route::Public);
        assert_eq!(Stream::agg_trade("X").route(Product::UsdM), Route::Market);
        assert_eq!(Stream::mark_price("X").route(Product::UsdM), Route::Market);
        assert_eq!(Stream::book_ticker("X").route(Product::Spot), Route::Default);
    }
}
