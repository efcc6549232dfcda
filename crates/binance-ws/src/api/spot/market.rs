//! Market data requests: order book, trades, klines, average price, tickers, reference price.

use super::models::{
    AggTrade, AvgPrice, BlockTrade, BookTicker, DepthSnapshot, Kline, OneOrMany, PriceTicker, ReferencePrice,
    ReferencePriceCalculation, Ticker24hr, TickerType, Trade, WindowTicker,
};
use super::{requests, Symbols};
use crate::model::{Interval, SymbolStatus};

requests! {
    api: crate::api::spot::Api;

    /// The current order book (limited depth).
    depth => Depth("depth", None) -> DepthSnapshot {
        req symbol: into String = "symbol"; "Symbol.",
        opt limit: val u32 = "limit"; "Levels per side; default 100, maximum 5000.",
        opt symbol_status: val SymbolStatus = "symbolStatus"; "Fail with -1220 unless the symbol has this status.",
    }

    /// Recent trades.
    trades_recent => RecentTrades("trades.recent", None) -> Vec<Trade> {
        req symbol: into String = "symbol"; "Symbol.",
        opt limit: val u32 = "limit"; "Default 500, maximum 1000.",
    }

    /// Historical trades, from a trade id.
    trades_historical => HistoricalTrades("trades.historical", None) -> Vec<Trade> {
        req symbol: into String = "symbol"; "Symbol.",
        opt from_id: val u64 = "fromId"; "Trade id to start at (default: the most recent trades).",
        opt limit: val u32 = "limit"; "Default 500, maximum 1000.",
    }

    /// Historical block trades, from a block trade id.
    block_trades_historical => HistoricalBlockTrades("blockTrades.historical", None) -> Vec<BlockTrade> {
        req symbol: into String = "symbol"; "Symbol.",
        req from_id: val u64 = "fromId"; "Block trade id to start at.",
        opt limit: val u32 = "limit"; "Default 500, maximum 1000.",
    }

    /// Aggregate trades. `from_id` cannot be combined with `start_time`/`end_time`.
    trades_aggregate => AggregateTrades("trades.aggregate", None) -> Vec<AggTrade> {
        req symbol: into String = "symbol"; "Symbol.",
        opt from_id: val u64 = "fromId"; "Aggregate trade id to start at.",
        opt start_time: val u64 = "startTime"; "From this time, epoch ms.",
        opt end_time: val u64 = "endTime"; "Until this time, epoch ms.",
        opt limit: val u32 = "limit"; "Default 500, maximum 1000.",
    }

    /// Klines (candlesticks).
    klines => Klines("klines", None) -> Vec<Kline> {
        req symbol: into String = "symbol"; "Symbol.",
        req interval: val Interval = "interval"; "Kline interval.",
        opt start_time: val u64 = "startTime"; "From this time, epoch ms (UTC).",
        opt end_time: val u64 = "endTime"; "Until this time, epoch ms (UTC).",
        opt time_zone: into String = "timeZone"; "Time zone of the intervals, e.g. `8`, `-1:00`, `05:45` (default 0).",
        opt limit: val u32 = "limit"; "Default 500, maximum 1000.",
    }

    /// Klines optimized for charts (same parameters and response as `klines`).
    ui_klines => UiKlines("uiKlines", None) -> Vec<Kline> {
        req symbol: into String = "symbol"; "Symbol.",
        req interval: val Interval = "interval"; "Kline interval.",
        opt start_time: val u64 = "startTime"; "From this time, epoch ms (UTC).",
        opt end_time: val u64 = "endTime"; "Until this time, epoch ms (UTC).",
        opt time_zone: into String = "timeZone"; "Time zone of the intervals, e.g. `8`, `-1:00`, `05:45` (default 0).",
        opt limit: val u32 = "limit"; "Default 500, maximum 1000.",
    }

    /// The current average price of a symbol.
    avg_price => AvgPriceRequest("avgPrice", None) -> AvgPrice {
        req symbol: into String = "symbol"; "Symbol.",
    }

    /// 24-hour rolling statistics of one, several or all symbols. One symbol gives
    /// [`OneOrMany::One`], otherwise [`OneOrMany::Many`].
    ticker_24hr => Ticker24hrRequest("ticker.24hr", None) -> OneOrMany<Ticker24hr> {
        opt symbols: into Symbols = "symbol|symbols"; "One symbol (`symbol`) or several (`symbols`); default all.",
        opt ticker_type: val TickerType = "type"; "`FULL` (default) or `MINI`.",
        opt symbol_status: val SymbolStatus = "symbolStatus"; "Only symbols with this status.",
    }

    /// Statistics of the current trading day of one or several symbols.
    ticker_trading_day => TradingDayTicker("ticker.tradingDay", None) -> OneOrMany<WindowTicker> {
        req symbols: into Symbols = "symbol|symbols"; "One symbol (`symbol`) or several (`symbols`).",
        opt time_zone: into String = "timeZone"; "Time zone of the trading day (default 0, UTC).",
        opt ticker_type: val TickerType = "type"; "`FULL` (default) or `MINI`.",
        opt symbol_status: val SymbolStatus = "symbolStatus"; "Only symbols with this status.",
    }

    /// Rolling window statistics with a custom window, of one or several symbols.
    ticker => RollingTicker("ticker", None) -> OneOrMany<WindowTicker> {
        req symbols: into Symbols = "symbol|symbols"; "One symbol (`symbol`) or several (`symbols`, at most 200).",
        opt ticker_type: val TickerType = "type"; "`FULL` (default) or `MINI`.",
        opt window_size: into String = "windowSize"; "`1m`..`59m`, `1h`..`23h`, `1d`..`7d` (default `1d`).",
        opt symbol_status: val SymbolStatus = "symbolStatus"; "Only symbols with this status.",
    }

    /// The latest price of one, several or all symbols.
    ticker_price => TickerPrice("ticker.price", None) -> OneOrMany<PriceTicker> {
        opt symbols: into Symbols = "symbol|symbols"; "One symbol (`symbol`) or several (`symbols`); default all.",
        opt symbol_status: val SymbolStatus = "symbolStatus"; "Only symbols with this status.",
    }

    /// The best bid and ask of one, several or all symbols.
    ticker_book => TickerBook("ticker.book", None) -> OneOrMany<BookTicker> {
        opt symbols: into Symbols = "symbol|symbols"; "One symbol (`symbol`) or several (`symbols`); default all.",
        opt symbol_status: val SymbolStatus = "symbolStatus"; "Only symbols with this status.",
    }

    /// A symbol's reference price.
    reference_price => ReferencePriceRequest("referencePrice", None) -> ReferencePrice {
        req symbol: into String = "symbol"; "Symbol.",
    }

    /// How a symbol's reference price is calculated.
    reference_price_calculation => ReferencePriceCalculationRequest("referencePrice.calculation", None) -> ReferencePriceCalculation {
        req symbol: into String = "symbol"; "Symbol.",
        opt symbol_status: val SymbolStatus = "symbolStatus"; "Fail unless the symbol has this status.",
    }
}
