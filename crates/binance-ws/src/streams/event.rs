//! Typed market events, field by field as web-socket-streams.md and the futures AsyncAPI specs list them.
//! Prices and quantities are exact [`Decimal`]s. Fields that only one product sends are `Option`s. Symbols
//! are [`SmolStr`]s (a `str` stored inline up to 23 bytes): decoding an event allocates nothing for them.

use std::sync::Arc;
use std::time::Duration;

use rust_decimal::Decimal;
use serde::Deserialize;

use super::level_list::LevelList;
pub use smol_str::SmolStr;

/// Decimals sent as JSON numbers (a few futures fields such as `mmr`) or as strings; an empty string or
/// `null` is `None`. Numbers are converted through their shortest round-trip text, so `0.004` stays `0.004`.
mod dec {
    use std::str::FromStr;

    use rust_decimal::Decimal;
    use serde::de::{self, Visitor};
    use serde::Deserializer;

    struct V;

    impl<'de> Visitor<'de> for V {
        type Value = Option<Decimal>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a decimal as a string or number")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            if v.is_empty() {
                return Ok(None);
            }
            Decimal::from_str(v).or_else(|_| Decimal::from_scientific(v)).map(Some).map_err(E::custom)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(Decimal::from(v)))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(Decimal::from(v)))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            self.visit_str(&v.to_string())
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(V)
        }
    }

    pub fn opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        d.deserialize_any(V)
    }

    pub fn req<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        d.deserialize_any(V)?.ok_or_else(|| de::Error::custom("empty decimal"))
    }
}

/// One price level: `["price", "quantity"]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(from = "(Decimal, Decimal)")]
pub struct Level {
    /// Price.
    pub price: Decimal,
    /// Quantity (zero: remove the level).
    pub qty: Decimal,
}

impl From<(Decimal, Decimal)> for Level {
    fn from((price, qty): (Decimal, Decimal)) -> Self {
        Level { price, qty }
    }
}

/// `<symbol>@trade`
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Trade {
    /// Event time.
    #[serde(rename = "E")]
    pub event_time: u64,
    /// Symbol.
    #[serde(rename = "s")]
    pub symbol: SmolStr,
    /// Trade id.
    #[serde(rename = "t")]
    pub trade_id: u64,
    /// Price.
    #[serde(rename = "p")]
    pub price: Decimal,
    /// Quantity.
    #[serde(rename = "q")]
    pub qty: Decimal,
    /// Buyer order id (older payloads).
    #[serde(rename = "b", default)]
    pub buyer_order_id: Option<u64>,
    /// Seller order id (older payloads).
    #[serde(rename = "a", default)]
    pub seller_order_id: Option<u64>,
    /// Trade time.
    #[serde(rename = "T")]
    pub trade_time: u64,
    /// Is the buyer the market maker?
    #[serde(rename = "m")]
    pub buyer_is_maker: bool,
}

/// `<symbol>@aggTrade` (spot and futures).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AggTrade {
    /// Event time.
    #[serde(rename = "E")]
    pub event_time: u64,
    /// Symbol.
    #[serde(rename = "s")]
    pub symbol: SmolStr,
    /// Aggregate trade id.
    #[serde(rename = "a")]
    pub agg_id: u64,
    /// Price.
    #[serde(rename = "p")]
    pub price: Decimal,
    /// Quantity.
    #[serde(rename = "q")]
    pub qty: Decimal,
    /// First trade id.
    #[serde(rename = "f")]
    pub first_trade_id: u64,
    /// Last trade id.
    #[serde(rename = "l")]
    pub last_trade_id: u64,
    /// Trade time.
    #[serde(rename = "T")]
    pub trade_time: u64,
    /// Is the buyer the market maker?
    #[serde(rename = "m")]
    pub buyer_is_maker: bool,
}

/// `<symbol>@blockTrade`
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BlockTrade {
    /// Event time.
    #[serde(rename = "E")]
    pub event_time: u64,
    /// Symbol.
    #[serde(rename = "s")]
    pub symbol: SmolStr,
    /// Block trade id.
    #[serde(rename = "t")]
    pub trade_id: u64,
    /// Price.
    #[serde(rename = "p")]
    pub price: Decimal,
    /// Quantity.
    #[serde(rename = "q")]
    pub qty: Decimal,
    /// Trade time.
    #[serde(rename = "T")]
    pub trade_time: u64,
    /// Is the buyer the maker?
    #[serde(rename = "m")]
    pub buyer_is_maker: bool,
}

/// `<symbol>@referencePrice`
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ReferencePrice {
    /// Symbol.
    #[serde(rename = "s")]
    pub symbol: SmolStr,
    /// Reference price, `None` when there is none.
    #[serde(rename = "r", deserialize_with = "dec::opt", default)]
    pub price: Option<Decimal>,
    /// Engine time when the price was valid.
    #[serde(rename = "t")]
    pub time: u64,
}

/// The bar inside every kline event (`k`). Index-price klines leave the trade fields out.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct KlineBar {
    /// Start time.
    #[serde(rename = "t")]
    pub open_time: u64,
    /// Close time.
    #[serde(rename = "T")]
    pub close_time: u64,
    /// Symbol (not in continuous klines).
    #[serde(rename = "s", default)]
    pub symbol: Option<SmolStr>,
    /// Interval.
    #[serde(rename = "i")]
    pub interval: String,
    /// First trade id (-1 without trades).
    #[serde(rename = "f", default)]
    pub first_trade_id: Option<i64>,
    /// Last trade id (-1 without trades).
    #[serde(rename = "L", default)]
    pub last_trade_id: Option<i64>,
    /// Open.
    #[serde(rename = "o")]
    pub open: Decimal,
    /// Close.
    #[serde(rename = "c")]
    pub close: Decimal,
    /// High.
    #[serde(rename = "h")]
    pub high: Decimal,
    /// Low.
    #[serde(rename = "l")]
    pub low: Decimal,
    /// Base asset volume.
    #[serde(rename = "v", deserialize_with = "dec::opt", default)]
    pub volume: Option<Decimal>,
    /// Number of trades.
    #[serde(rename = "n")]
    pub trades: u64,
    /// Is this kline closed?
    #[serde(rename = "x")]
    pub closed: bool,
    /// Quote asset volume.
    #[serde(rename = "q", deserialize_with = "dec::opt", default)]
    pub quote_volume: Option<Decimal>,
    /// Taker buy base asset volume.
    #[serde(rename = "V", deserialize_with = "dec::opt", default)]
    pub taker_buy_volume: Option<Decimal>,
    /// Taker buy quote asset volume.
    #[serde(rename = "Q", deserialize_with = "dec::opt", default)]
    pub taker_buy_quote_volume: Option<Decimal>,
}

/// `<symbol>@kline_<interval>`; also `markPrice_kline` (COIN-M).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Kline {
    /// Event time.
    #[serde(rename = "E")]
    pub event_time: u64,
    /// Symbol.
    #[serde(rename = "s")]
    pub symbol: SmolStr,
    /// The bar.
    #[serde(rename = "k")]
    pub kline: KlineBar,
}

/// `<pair>_<contract>@continuousKline_<interval>` and `<pair>@indexPriceKline_<interval>` (futures).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PairKline {
    /// Event time.
    #[serde(rename = "E")]
    pub event_time: u64,
    /// Pair.
    #[serde(rename = "ps")]
    pub pair: String,
    /// Contract type (continuous klines only).
    #[serde(rename = "ct", default)]
    pub contract_type: Option<String>,
    /// The bar.
    #[serde(rename = "k")]
    pub kline: KlineBar,
}

/// `<symbol>@miniTicker`, `!miniTicker@arr`
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct MiniTicker {
    /// Event time.
    #[serde(rename = "E")]
    pub event_time: u64,
    /// Symbol.
    #[serde(rename = "s")]
    pub symbol: SmolStr,
    /// Pair (COIN-M).
    #[serde(rename = "ps", default)]
    pub pair: Option<String>,
    /// Close price.
    #[serde(rename = "c")]
    pub close: Decimal,
    /// Open price.
    #[serde(rename = "o")]
    pub open: Decimal,
    /// High.
    #[serde(rename = "h")]
    pub high: Decimal,
    /// Low.
    #[serde(rename = "l")]
    pub low: Decimal,
    /// Total traded base asset volume.
    #[serde(rename = "v")]
    pub volume: Decimal,
    /// Total traded quote asset volume.
    #[serde(rename = "q")]
    pub quote_volume: Decimal,
}

/// `<symbol>@ticker` (24 h rolling window).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Ticker {
    /// Event time.
    #[serde(rename = "E")]
    pub event_time: u64,
    /// Symbol.
    #[serde(rename = "s")]
    pub symbol: SmolStr,
    /// Pair (COIN-M).
    #[serde(rename = "ps", default)]
    pub pair: Option<String>,
    /// Price change.
    #[serde(rename = "p")]
    pub price_change: Decimal,
    /// Price change percent.
    #[serde(rename = "P")]
    pub price_change_percent: Decimal,
    /// Weighted average price.
    #[serde(rename = "w")]
    pub weighted_avg_price: Decimal,
    /// Price of the last trade before the window (spot).
    #[serde(rename = "x", deserialize_with = "dec::opt", default)]
    pub prev_close: Option<Decimal>,
    /// Last price.
    #[serde(rename = "c")]
    pub last_price: Decimal,
    /// Last quantity.
    #[serde(rename = "Q")]
    pub last_qty: Decimal,
    /// Best bid price (spot).
    #[serde(rename = "b", deserialize_with = "dec::opt", default)]
    pub bid_price: Option<Decimal>,
    /// Best bid quantity (spot).
    #[serde(rename = "B", deserialize_with = "dec::opt", default)]
    pub bid_qty: Option<Decimal>,
    /// Best ask price (spot).
    #[serde(rename = "a", deserialize_with = "dec::opt", default)]
    pub ask_price: Option<Decimal>,
    /// Best ask quantity (spot).
    #[serde(rename = "A", deserialize_with = "dec::opt", default)]
    pub ask_qty: Option<Decimal>,
    /// Open price.
    #[serde(rename = "o")]
    pub open: Decimal,
    /// High.
    #[serde(rename = "h")]
    pub high: Decimal,
    /// Low.
    #[serde(rename = "l")]
    pub low: Decimal,
    /// Base volume.
    #[serde(rename = "v")]
    pub volume: Decimal,
    /// Quote volume.
    #[serde(rename = "q")]
    pub quote_volume: Decimal,
    /// Statistics open time.
    #[serde(rename = "O")]
    pub open_time: u64,
    /// Statistics close time.
    #[serde(rename = "C")]
    pub close_time: u64,
    /// First trade id.
    #[serde(rename = "F")]
    pub first_trade_id: i64,
    /// Last trade id.
    #[serde(rename = "L")]
    pub last_trade_id: i64,
    /// Number of trades.
    #[serde(rename = "n")]
    pub trades: u64,
}

/// `<symbol>@ticker_<window>`, `!ticker_<window>@arr`; the event type names the window (`1hTicker`, ...).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RollingTicker {
    /// `1hTicker`, `4hTicker` or `1dTicker`.
    #[serde(rename = "e")]
    pub event_type: String,
    /// Event time.
    #[serde(rename = "E")]
    pub event_time: u64,
    /// Symbol.
    #[serde(rename = "s")]
    pub symbol: SmolStr,
    /// Price change.
    #[serde(rename = "p")]
    pub price_change: Decimal,
    /// Price change percent.
    #[serde(rename = "P")]
    pub price_change_percent: Decimal,
    /// Open.
    #[serde(rename = "o")]
    pub open: Decimal,
    /// High.
    #[serde(rename = "h")]
    pub high: Decimal,
    /// Low.
    #[serde(rename = "l")]
    pub low: Decimal,
    /// Last price.
    #[serde(rename = "c")]
    pub last_price: Decimal,
    /// Weighted average price.
    #[serde(rename = "w")]
    pub weighted_avg_price: Decimal,
    /// Base volume.
    #[serde(rename = "v")]
    pub volume: Decimal,
    /// Quote volume.
    #[serde(rename = "q")]
    pub quote_volume: Decimal,
    /// Statistics open time.
    #[serde(rename = "O")]
    pub open_time: u64,
    /// Statistics close time.
    #[serde(rename = "C")]
    pub close_time: u64,
    /// First trade id.
    #[serde(rename = "F")]
    pub first_trade_id: i64,
    /// Last trade id.
    #[serde(rename = "L")]
    pub last_trade_id: i64,
    /// Number of trades.
    #[serde(rename = "n")]
    pub trades: u64,
}

/// `<symbol>@bookTicker`, `!bookTicker`. Futures add event and transaction times.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BookTicker {
    /// Order book update id.
    #[serde(rename = "u")]
    pub update_id: u64,
    /// Symbol.
    #[serde(rename = "s")]
    pub symbol: SmolStr,
    /// Pair (COIN-M).
    #[serde(rename = "ps", default)]
    pub pair: Option<String>,
    /// Best bid price.
    #[serde(rename = "b")]
    pub bid_price: Decimal,
    /// Best bid quantity.
    #[serde(rename = "B")]
    pub bid_qty: Decimal,
    /// Best ask price.
    #[serde(rename = "a")]
    pub ask_price: Decimal,
    /// Best ask quantity.
    #[serde(rename = "A")]
    pub ask_qty: Decimal,
    /// Event time (futures).
    #[serde(rename = "E", default)]
    pub event_time: Option<u64>,
    /// Transaction time (futures).
    #[serde(rename = "T", default)]
    pub transaction_time: Option<u64>,
}

/// `<symbol>@avgPrice`
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AvgPrice {
    /// Event time.
    #[serde(rename = "E")]
    pub event_time: u64,
    /// Symbol.
    #[serde(rename = "s")]
    pub symbol: SmolStr,
    /// Averaging interval (`5m`).
    #[serde(rename = "i")]
    pub interval: String,
    /// Average price.
    #[serde(rename = "w")]
    pub price: Decimal,
    /// Last trade time.
    #[serde(rename = "T")]
    pub last_trade_time: u64,
}

/// Spot `<symbol>@depth<levels>`: a snapshot of the top of the book. The payload has no symbol; the client
/// fills [`PartialDepth::symbol`] from the stream name when it knows it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PartialDepth {
    /// From the stream name (upper-case), not from the payload.
    #[serde(skip)]
    pub symbol: Option<SmolStr>,
    /// Last update id.
    #[serde(rename = "lastUpdateId")]
    pub last_update_id: u64,
    /// Bids, best first.
    pub bids: Vec<Level>,
    /// Asks, best first.
    pub asks: Vec<Level>,
}

/// `<symbol>@depth[@speed]` (and futures partial depth, which has the same shape).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DepthUpdate {
    /// Event time.
    #[serde(rename = "E")]
    pub event_time: u64,
    /// Transaction time (futures).
    #[serde(rename = "T", default)]
    pub transaction_time: Option<u64>,
    /// Symbol.
    #[serde(rename = "s")]
    pub symbol: SmolStr,
    /// Pair (COIN-M).
    #[serde(rename = "ps", default)]
    pub pair: Option<String>,
    /// First update id in the event.
    #[serde(rename = "U")]
    pub first_update_id: u64,
    /// Final update id in the event.
    #[serde(rename = "u")]
    pub final_update_id: u64,
    /// Final update id of the previous event (futures): a gap when it differs from the last `u` seen.
    #[serde(rename = "pu", default)]
    pub prev_final_update_id: Option<u64>,
    /// Bids to update (a [`LevelList`] reads like a `Vec<Level>` and reuses its buffer when dropped).
    #[serde(rename = "b")]
    pub bids: LevelList,
    /// Asks to update.
    #[serde(rename = "a")]
    pub asks: LevelList,
}

/// `<symbol>@markPrice`, `!markPrice@arr` (futures).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct MarkPrice {
    /// Event time.
    #[serde(rename = "E")]
    pub event_time: u64,
    /// Symbol.
    #[serde(rename = "s")]
    pub symbol: SmolStr,
    /// Mark price.
    #[serde(rename = "p")]
    pub mark_price: Decimal,
    /// Estimated settle price.
    #[serde(rename = "P", deserialize_with = "dec::opt", default)]
    pub estimated_settle_price: Option<Decimal>,
    /// Index price.
    #[serde(rename = "i", deserialize_with = "dec::opt", default)]
    pub index_price: Option<Decimal>,
    /// Funding rate (`None` for delivery contracts, which send an empty string).
    #[serde(rename = "r", deserialize_with = "dec::opt", default)]
    pub funding_rate: Option<Decimal>,
    /// Next funding time (0 for delivery contracts).
    #[serde(rename = "T")]
    pub next_funding_time: u64,
}

/// `<pair>@indexPrice` (COIN-M).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct IndexPrice {
    /// Event time.
    #[serde(rename = "E")]
    pub event_time: u64,
    /// Pair.
    #[serde(rename = "i")]
    pub pair: String,
    /// Index price.
    #[serde(rename = "p")]
    pub price: Decimal,
}

/// The order inside a liquidation event.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct LiquidationOrder {
    /// Symbol.
    #[serde(rename = "s")]
    pub symbol: SmolStr,
    /// Pair (COIN-M).
    #[serde(rename = "ps", default)]
    pub pair: Option<String>,
    /// Side.
    #[serde(rename = "S")]
    pub side: String,
    /// Order type.
    #[serde(rename = "o")]
    pub order_type: String,
    /// Time in force.
    #[serde(rename = "f")]
    pub time_in_force: String,
    /// Original quantity.
    #[serde(rename = "q")]
    pub qty: Decimal,
    /// Price.
    #[serde(rename = "p")]
    pub price: Decimal,
    /// Average price.
    #[serde(rename = "ap")]
    pub avg_price: Decimal,
    /// Order status.
    #[serde(rename = "X")]
    pub status: String,
    /// Last filled quantity.
    #[serde(rename = "l")]
    pub last_filled_qty: Decimal,
    /// Accumulated filled quantity.
    #[serde(rename = "z")]
    pub filled_qty: Decimal,
    /// Trade time.
    #[serde(rename = "T")]
    pub trade_time: u64,
}

/// `<symbol>@forceOrder`, `!forceOrder@arr` (futures).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ForceOrder {
    /// Event time.
    #[serde(rename = "E")]
    pub event_time: u64,
    /// The liquidation order.
    #[serde(rename = "o")]
    pub order: LiquidationOrder,
}

/// One component of a composite index.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct IndexComponent {
    /// Base asset.
    #[serde(rename = "b")]
    pub base_asset: String,
    /// Quote asset.
    #[serde(rename = "q")]
    pub quote_asset: String,
    /// Weight in quantity.
    #[serde(rename = "w")]
    pub weight_qty: Decimal,
    /// Weight in percentage.
    #[serde(rename = "W")]
    pub weight_percent: Decimal,
    /// Index price.
    #[serde(rename = "i")]
    pub index_price: Decimal,
}

/// `<symbol>@compositeIndex` (USD-M).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CompositeIndex {
    /// Event time.
    #[serde(rename = "E")]
    pub event_time: u64,
    /// Symbol.
    #[serde(rename = "s")]
    pub symbol: SmolStr,
    /// Price.
    #[serde(rename = "p")]
    pub price: Decimal,
    /// Asset type.
    #[serde(rename = "C")]
    pub asset_type: String,
    /// Composition.
    #[serde(rename = "c")]
    pub composition: Vec<IndexComponent>,
}

/// One notional bracket of a contract.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Bracket {
    /// Notional bracket.
    #[serde(rename = "bs")]
    pub bracket: u32,
    /// Floor notional.
    #[serde(rename = "bnf", deserialize_with = "dec::req")]
    pub notional_floor: Decimal,
    /// Cap notional.
    #[serde(rename = "bnc", deserialize_with = "dec::req")]
    pub notional_cap: Decimal,
    /// Maintenance margin rate.
    #[serde(rename = "mmr", deserialize_with = "dec::req")]
    pub maint_margin_ratio: Decimal,
    /// Auxiliary number for quick calculation.
    #[serde(rename = "cf", deserialize_with = "dec::req")]
    pub cum: Decimal,
    /// Minimum leverage.
    #[serde(rename = "mi")]
    pub min_leverage: u32,
    /// Maximum leverage.
    #[serde(rename = "ma")]
    pub max_leverage: u32,
}

/// `!contractInfo` (futures).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ContractInfo {
    /// Event time.
    #[serde(rename = "E")]
    pub event_time: u64,
    /// Symbol.
    #[serde(rename = "s")]
    pub symbol: SmolStr,
    /// Pair.
    #[serde(rename = "ps")]
    pub pair: String,
    /// Contract type.
    #[serde(rename = "ct")]
    pub contract_type: String,
    /// Delivery date time.
    #[serde(rename = "dt")]
    pub delivery_time: u64,
    /// Onboard date time.
    #[serde(rename = "ot")]
    pub onboard_time: u64,
    /// Contract status.
    #[serde(rename = "cs")]
    pub status: String,
    /// Brackets (only when they changed).
    #[serde(rename = "bks", default)]
    pub brackets: Vec<Bracket>,
}

/// `<assetSymbol>@assetIndex`, `!assetIndex@arr` (USD-M multi-assets mode).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AssetIndex {
    /// Event time.
    #[serde(rename = "E")]
    pub event_time: u64,
    /// Asset index symbol.
    #[serde(rename = "s")]
    pub symbol: SmolStr,
    /// Index price.
    #[serde(rename = "i")]
    pub index_price: Decimal,
    /// Bid buffer.
    #[serde(rename = "b")]
    pub bid_buffer: Decimal,
    /// Ask buffer.
    #[serde(rename = "a")]
    pub ask_buffer: Decimal,
    /// Bid rate.
    #[serde(rename = "B")]
    pub bid_rate: Decimal,
    /// Ask rate.
    #[serde(rename = "A")]
    pub ask_rate: Decimal,
    /// Auto exchange bid buffer.
    #[serde(rename = "q")]
    pub auto_exchange_bid_buffer: Decimal,
    /// Auto exchange ask buffer.
    #[serde(rename = "g")]
    pub auto_exchange_ask_buffer: Decimal,
    /// Auto exchange bid rate.
    #[serde(rename = "Q")]
    pub auto_exchange_bid_rate: Decimal,
    /// Auto exchange ask rate.
    #[serde(rename = "G")]
    pub auto_exchange_ask_rate: Decimal,
}

/// What happened to a connection; delivered in the same stream as the data so nothing is lost silently.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Notice {
    /// A connection dropped. Events of its streams between this and the matching `Reconnected` are lost;
    /// rebuild state that depends on continuity (order books) after it.
    Disconnected {
        /// Which connection (0, 1, ... in order of opening).
        connection: usize,
        /// Why.
        reason: String,
    },
    /// A connection is back and its subscriptions are restored.
    Reconnected {
        /// Which connection.
        connection: usize,
        /// Streams subscribed again.
        restored: usize,
        /// How long the connection was down.
        down_for: Duration,
    },
    /// A connection was replaced by a fresh one with overlap: no event lost, duplicates removed.
    Rotated {
        /// Which connection.
        connection: usize,
        /// Why (lifetime, `serverShutdown`).
        reason: String,
    },
    /// The consumer fell behind and this many events were dropped (oldest first).
    Lagged {
        /// Events dropped since the last `Lagged`.
        dropped: u64,
    },
    /// A frame could not be decoded; it is skipped.
    Undecodable {
        /// Which connection it came on.
        connection: usize,
        /// The decoder's message.
        reason: String,
        /// The start of the frame.
        frame: String,
    },
    /// A restore after reconnect, or a server message, reported an error.
    Error {
        /// Which connection.
        connection: usize,
        /// What.
        message: String,
    },
    /// A connection is closed for good (refused by the server, attempts used up, or the client closed).
    Closed {
        /// Which connection.
        connection: usize,
        /// Why.
        reason: String,
    },
}

/// One message of the feed: a typed market event, an unknown event kept raw, or a connection notice.
///
/// The largest payloads (klines, tickers, liquidations, asset indexes) are boxed, so that every event is
/// at most 152 bytes: events are moved through the queue, and the busiest kinds (trades, book tickers,
/// depth updates) should not pay for copying the size of a 24-hour ticker.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum MarketEvent {
    /// `@trade`
    Trade(Trade),
    /// `@aggTrade`
    AggTrade(AggTrade),
    /// `@blockTrade`
    BlockTrade(BlockTrade),
    /// `@referencePrice`
    ReferencePrice(ReferencePrice),
    /// `@kline_<i>`
    Kline(Box<Kline>),
    /// `@miniTicker`
    MiniTicker(MiniTicker),
    /// `!miniTicker@arr`
    MiniTickers(Vec<MiniTicker>),
    /// `@ticker`
    Ticker(Box<Ticker>),
    /// `!ticker@arr`
    Tickers(Vec<Ticker>),
    /// `@ticker_<w>`
    RollingTicker(Box<RollingTicker>),
    /// `!ticker_<w>@arr`
    RollingTickers(Vec<RollingTicker>),
    /// `@bookTicker`, `!bookTicker`
    BookTicker(BookTicker),
    /// An array of book tickers.
    BookTickers(Vec<BookTicker>),
    /// `@avgPrice`
    AvgPrice(AvgPrice),
    /// Spot `@depth<N>`
    PartialDepth(PartialDepth),
    /// `@depth` (and futures `@depth<N>`, which carries the same fields)
    DepthUpdate(DepthUpdate),
    /// `@markPrice`
    MarkPrice(MarkPrice),
    /// `!markPrice@arr`
    MarkPrices(Vec<MarkPrice>),
    /// `@indexPrice` (COIN-M)
    IndexPrice(IndexPrice),
    /// `@continuousKline_<i>`
    ContinuousKline(Box<PairKline>),
    /// `@indexPriceKline_<i>` (COIN-M)
    IndexPriceKline(Box<PairKline>),
    /// `@markPriceKline_<i>` (COIN-M)
    MarkPriceKline(Box<Kline>),
    /// `@forceOrder`, `!forceOrder@arr`
    ForceOrder(Box<ForceOrder>),
    /// An array of liquidation events (the AsyncAPI form of `!forceOrder@arr`).
    ForceOrders(Vec<ForceOrder>),
    /// `@compositeIndex`
    CompositeIndex(CompositeIndex),
    /// `!contractInfo`
    ContractInfo(ContractInfo),
    /// `@assetIndex`
    AssetIndex(Box<AssetIndex>),
    /// `!assetIndex@arr`
    AssetIndexes(Vec<AssetIndex>),
    /// An event this client has no type for, kept as received.
    Other {
        /// The stream it came on, when known.
        stream: Option<Arc<str>>,
        /// The payload.
        raw: String,
    },
    /// A connection notice.
    Notice(Notice),
}

impl MarketEvent {
    /// A per-stream increasing identity used to drop duplicates when two connections overlap: trade and
    /// aggregate ids, book update ids, otherwise the event time.
    pub fn identity(&self) -> Option<u64> {
        use MarketEvent::*;
        Some(match self {
            Trade(t) => t.trade_id,
            AggTrade(a) => a.agg_id,
            BlockTrade(t) => t.trade_id,
            ReferencePrice(r) => r.time,
            Kline(k) | MarkPriceKline(k) => k.event_time,
            MiniTicker(t) => t.event_time,
            MiniTickers(v) => v.iter().map(|t| t.event_time).max()?,
            Ticker(t) => t.event_time,
            Tickers(v) => v.iter().map(|t| t.event_time).max()?,
            RollingTicker(t) => t.event_time,
            RollingTickers(v) => v.iter().map(|t| t.event_time).max()?,
            BookTicker(b) => b.update_id,
            BookTickers(v) => v.iter().map(|b| b.update_id).max()?,
            AvgPrice(a) => a.event_time,
            PartialDepth(d) => d.last_update_id,
            DepthUpdate(d) => d.final_update_id,
            MarkPrice(m) => m.event_time,
            MarkPrices(v) => v.iter().map(|m| m.event_time).max()?,
            IndexPrice(i) => i.event_time,
            ContinuousKline(k) | IndexPriceKline(k) => k.event_time,
            ForceOrder(f) => f.event_time,
            ForceOrders(v) => v.iter().map(|f| f.event_time).max()?,
            CompositeIndex(c) => c.event_time,
            ContractInfo(c) => c.event_time,
            AssetIndex(a) => a.event_time,
            AssetIndexes(v) => v.iter().map(|a| a.event_time).max()?,
            Other { .. } | Notice(_) => return None,
        })
    }

    /// True for connection notices.
    pub fn is_notice(&self) -> bool {
        matches!(self, MarketEvent::Notice(_))
    }
}

/// An event with the stream it arrived on (known for combined connections; inferred from the subscriptions
/// for raw ones).
#[derive(Debug, Clone, PartialEq)]
pub struct Tagged {
    /// The stream name, e.g. `btcusdt@trade`.
    pub stream: Option<Arc<str>>,
    /// The event.
    pub event: MarketEvent,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_stay_small_enough_to_move_cheaply() {
        // The busiest kinds are not boxed; everything larger than them is.
        let largest_unboxed = [
            std::mem::size_of::<Trade>(),
            std::mem::size_of::<BookTicker>(),
            std::mem::size_of::<DepthUpdate>(),
            std::mem::size_of::<MiniTicker>(),
        ];
        let bound = largest_unboxed.iter().max().copied().unwrap_or(0) + 8;
        assert!(
            std::mem::size_of::<MarketEvent>() <= bound,
            "MarketEvent is {} bytes",
            std::mem::size_of::<MarketEvent>()
        );
    }
}
