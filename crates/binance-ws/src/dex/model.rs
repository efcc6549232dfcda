//! Typed payloads of every DEX topic (`dex-docs/ws-streams.md`) and the frame decoder.
//!
//! Prices, quantities and amounts are exact [`Decimal`]s; times and heights are integers kept exactly as
//! sent (orders' and trades' `T` may be nanoseconds since the epoch, which `u64` holds without loss).

use std::fmt;

use rust_decimal::Decimal;
use serde::de::{self, Deserializer};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::topic::{DepthLevels, KlineInterval, Topic};
use crate::transport::ConnectionEvent;
use crate::{Error, Result};

/// Order side. The docs show both the numeric codes (1 Buy, 2 Sell) and the names; both are accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// 1 / `BUY`.
    Buy,
    /// 2 / `SELL`.
    Sell,
}

/// Order type: 2 / `LIMIT` is the only type the docs list; any other code is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderType {
    /// 2 / `LIMIT`.
    Limit,
    /// Another code or name.
    Other(String),
}

/// Time in force: 1 / `GTE` (good till expire), 3 / `IOC` (immediate or cancel); others kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeInForce {
    /// 1 / `GTE`.
    GoodTillExpire,
    /// 3 / `IOC`.
    ImmediateOrCancel,
    /// Another code or name.
    Other(String),
}

/// Order status (`X`), the values the docs list; anything else is kept in `Other`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderStatus {
    /// `Ack`: accepted into the book.
    Ack,
    /// `Canceled`.
    Canceled,
    /// `Expired`.
    Expired,
    /// `IocNoFill`: an IOC order that did not fill at all.
    IocNoFill,
    /// `PartialFill`.
    PartialFill,
    /// `FullyFill`.
    FullyFill,
    /// `FailedBlocking`.
    FailedBlocking,
    /// `FailedMatching`.
    FailedMatching,
    /// `Unknown` (a value the chain itself sends).
    Unknown,
    /// A value not in the docs' list.
    Other(String),
}

/// Trade tick type (`tt`): 0 Unknown, 1 SellTaker, 2 BuyTaker, 3 BuySurplus, 4 SellSurplus, 5 Neutral.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TickType {
    /// 0.
    Unknown,
    /// 1.
    SellTaker,
    /// 2.
    BuyTaker,
    /// 3.
    BuySurplus,
    /// 4.
    SellSurplus,
    /// 5.
    Neutral,
    /// A code not in the docs.
    Other(u64),
}

/// A code that may come as a number or a string.
#[derive(Deserialize)]
#[serde(untagged)]
enum Code {
    Num(u64),
    Str(String),
}

impl Code {
    fn text(&self) -> String {
        match self {
            Code::Num(n) => n.to_string(),
            Code::Str(s) => s.clone(),
        }
    }
}

impl<'de> Deserialize<'de> for Side {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Code::deserialize(d)? {
            Code::Num(1) => Ok(Side::Buy),
            Code::Num(2) => Ok(Side::Sell),
            Code::Str(s) if s.eq_ignore_ascii_case("BUY") || s == "1" => Ok(Side::Buy),
            Code::Str(s) if s.eq_ignore_ascii_case("SELL") || s == "2" => Ok(Side::Sell),
            other => Err(de::Error::custom(format!("unknown side {:?} (expected 1/BUY or 2/SELL)", other.text()))),
        }
    }
}

impl<'de> Deserialize<'de> for OrderType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Code::deserialize(d)? {
            Code::Num(2) => OrderType::Limit,
            Code::Str(s) if s.eq_ignore_ascii_case("LIMIT") || s == "2" => OrderType::Limit,
            other => OrderType::Other(other.text()),
        })
    }
}

impl<'de> Deserialize<'de> for TimeInForce {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Code::deserialize(d)? {
            Code::Num(1) => TimeInForce::GoodTillExpire,
            Code::Num(3) => TimeInForce::ImmediateOrCancel,
            Code::Str(s) if s.eq_ignore_ascii_case("GTE") || s == "1" => TimeInForce::GoodTillExpire,
            Code::Str(s) if s.eq_ignore_ascii_case("IOC") || s == "3" => TimeInForce::ImmediateOrCancel,
            other => TimeInForce::Other(other.text()),
        })
    }
}

impl OrderStatus {
    /// The status for its wire name.
    pub fn from_wire(s: &str) -> OrderStatus {
        match s {
            "Ack" => OrderStatus::Ack,
            "Canceled" => OrderStatus::Canceled,
            "Expired" => OrderStatus::Expired,
            "IocNoFill" => OrderStatus::IocNoFill,
            "PartialFill" => OrderStatus::PartialFill,
            "FullyFill" => OrderStatus::FullyFill,
            "FailedBlocking" => OrderStatus::FailedBlocking,
            "FailedMatching" => OrderStatus::FailedMatching,
            "Unknown" => OrderStatus::Unknown,
            other => OrderStatus::Other(other.to_string()),
        }
    }

    /// True when the order is no longer open.
    pub fn is_final(&self) -> bool {
        !matches!(self, OrderStatus::Ack | OrderStatus::PartialFill)
    }
}

impl<'de> Deserialize<'de> for OrderStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(OrderStatus::from_wire(&Code::deserialize(d)?.text()))
    }
}

impl<'de> Deserialize<'de> for TickType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = match Code::deserialize(d)? {
            Code::Num(n) => n,
            Code::Str(s) => s.parse().map_err(|_| de::Error::custom(format!("tick type {s:?} is not a number")))?,
        };
        Ok(match n {
            0 => TickType::Unknown,
            1 => TickType::SellTaker,
            2 => TickType::BuyTaker,
            3 => TickType::BuySurplus,
            4 => TickType::SellSurplus,
            5 => TickType::Neutral,
            n => TickType::Other(n),
        })
    }
}

/// An id that may come as a string (`"91D9...7E18-2317"`, `"TRD1"`) or a number (`4293154`), kept as text.
fn id_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Code::deserialize(d)?.text())
}

/// One part of a fee: an amount of one asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeItem {
    /// The asset (`BNB`, `BTCB-1DE`).
    pub asset: String,
    /// The amount, exact.
    pub amount: Decimal,
}

/// A commission as the chain writes it, parsed into its parts.
///
/// Accepted forms, parts separated by `;`: `<amount><ASSET>` (`10000BNB`, `1.00000000BNB;0.00001000BTC`,
/// as in the docs) and `<ASSET>:<amount>` (`BNB:0.00039999`). An empty string is no fee.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Fee {
    /// The parts, in the order written.
    pub items: Vec<FeeItem>,
}

impl Fee {
    /// Parses a fee string.
    pub fn parse(s: &str) -> Result<Fee> {
        let mut items = Vec::new();
        for part in s.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let bad = |why: &str| Error::decode("fee", format!("{why} in fee part {part:?}"), s.as_bytes());
            let (asset, amount) = if let Some((asset, amount)) = part.split_once(':') {
                (asset.trim(), amount.trim())
            } else {
                let split = part.find(|c: char| !(c.is_ascii_digit() || c == '.')).ok_or_else(|| bad("no asset"))?;
                (&part[split..], &part[..split])
            };
            if asset.is_empty() {
                return Err(bad("no asset"));
            }
            let amount: Decimal = amount.parse().map_err(|e| bad(&format!("bad amount {amount:?} ({e})")))?;
            items.push(FeeItem { asset: asset.to_string(), amount });
        }
        Ok(Fee { items })
    }

    /// The amount of one asset (zero when absent).
    pub fn amount_of(&self, asset: &str) -> Decimal {
        self.items.iter().filter(|i| i.asset == asset).map(|i| i.amount).sum()
    }

    /// True when there is no fee.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

impl<'de> Deserialize<'de> for Fee {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Fee::parse(&s).map_err(de::Error::custom)
    }
}

/// An order update (`orders` topic, event `executionReport`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OrderUpdate {
    /// `e`: `executionReport`.
    #[serde(rename = "e")]
    pub event_type: String,
    /// `E`: the block height of the event.
    #[serde(rename = "E")]
    pub height: u64,
    /// `s`.
    #[serde(rename = "s")]
    pub symbol: String,
    /// `S`.
    #[serde(rename = "S")]
    pub side: Side,
    /// `o`.
    #[serde(rename = "o")]
    pub order_type: OrderType,
    /// `f`.
    #[serde(rename = "f")]
    pub time_in_force: TimeInForce,
    /// `q`: order quantity.
    #[serde(rename = "q")]
    pub quantity: Decimal,
    /// `p`: order price.
    #[serde(rename = "p")]
    pub price: Decimal,
    /// `x`: current execution type (`NEW`, ...), kept as sent.
    #[serde(rename = "x")]
    pub execution_type: String,
    /// `X`: current order status.
    #[serde(rename = "X")]
    pub status: OrderStatus,
    /// `i`: order id.
    #[serde(rename = "i", deserialize_with = "id_text")]
    pub order_id: String,
    /// `l`: last executed quantity.
    #[serde(rename = "l")]
    pub last_quantity: Decimal,
    /// `z`: cumulative filled quantity.
    #[serde(rename = "z")]
    pub cumulative_quantity: Decimal,
    /// `L`: last executed price.
    #[serde(rename = "L")]
    pub last_price: Decimal,
    /// `n`: commission of the order's trades within the block.
    #[serde(rename = "n", default)]
    pub fee: Fee,
    /// `T`: transaction time (exact; nanoseconds on the chain).
    #[serde(rename = "T")]
    pub transaction_time: u64,
    /// `t`: trade id (empty when the update is not a trade).
    #[serde(rename = "t", deserialize_with = "id_text", default)]
    pub trade_id: String,
    /// `O`: order creation time (exact).
    #[serde(rename = "O")]
    pub created_time: u64,
}

/// One asset's balance in an account update.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Balance {
    /// `a`.
    #[serde(rename = "a")]
    pub asset: String,
    /// `f`: free.
    #[serde(rename = "f")]
    pub free: Decimal,
    /// `l`: locked.
    #[serde(rename = "l")]
    pub locked: Decimal,
    /// `r`: frozen.
    #[serde(rename = "r")]
    pub frozen: Decimal,
}

/// An account update (`accounts` topic, event `outboundAccountInfo`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AccountUpdate {
    /// `e`.
    #[serde(rename = "e")]
    pub event_type: String,
    /// `E`: block height.
    #[serde(rename = "E")]
    pub height: u64,
    /// `B`.
    #[serde(rename = "B")]
    pub balances: Vec<Balance>,
}

/// A coin in a transfer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Coin {
    /// `a`.
    #[serde(rename = "a")]
    pub asset: String,
    /// `A`.
    #[serde(rename = "A")]
    pub amount: Decimal,
}

/// One receiver of a transfer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TransferOutput {
    /// `o`: receiving address.
    #[serde(rename = "o")]
    pub to: String,
    /// `c`: coins.
    #[serde(rename = "c")]
    pub coins: Vec<Coin>,
}

/// A transfer involving the address (`transfers` topic, event `outboundTransferInfo`); multi-sends have
/// several outputs.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Transfer {
    /// `e`.
    #[serde(rename = "e")]
    pub event_type: String,
    /// `E`: block height.
    #[serde(rename = "E")]
    pub height: u64,
    /// `H`: transaction hash.
    #[serde(rename = "H")]
    pub tx_hash: String,
    /// `M`: memo (BEP39), empty when absent.
    #[serde(rename = "M", default)]
    pub memo: String,
    /// `f`: sender.
    #[serde(rename = "f")]
    pub from: String,
    /// `t`: receivers.
    #[serde(rename = "t")]
    pub outputs: Vec<TransferOutput>,
}

/// A trade (`trades` topic).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Trade {
    /// `e`: `trade`.
    #[serde(rename = "e")]
    pub event_type: String,
    /// `E`: block height.
    #[serde(rename = "E")]
    pub height: u64,
    /// `s`.
    #[serde(rename = "s")]
    pub symbol: String,
    /// `t`.
    #[serde(rename = "t", deserialize_with = "id_text")]
    pub trade_id: String,
    /// `p`.
    #[serde(rename = "p")]
    pub price: Decimal,
    /// `q`.
    #[serde(rename = "q")]
    pub quantity: Decimal,
    /// `b`: buyer order id.
    #[serde(rename = "b", deserialize_with = "id_text")]
    pub buyer_order_id: String,
    /// `a`: seller order id.
    #[serde(rename = "a", deserialize_with = "id_text")]
    pub seller_order_id: String,
    /// `T`: trade time (exact).
    #[serde(rename = "T")]
    pub time: u64,
    /// `sa`: seller address.
    #[serde(rename = "sa", default)]
    pub seller_address: String,
    /// `ba`: buyer address.
    #[serde(rename = "ba", default)]
    pub buyer_address: String,
    /// `tt`: tick type.
    #[serde(rename = "tt", default = "unknown_tick")]
    pub tick_type: TickType,
}

fn unknown_tick() -> TickType {
    TickType::Unknown
}

/// A price level `[price, quantity]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriceLevel {
    /// Price.
    pub price: Decimal,
    /// Quantity (zero: the level is gone).
    pub quantity: Decimal,
}

impl<'de> Deserialize<'de> for PriceLevel {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (price, quantity) = <(Decimal, Decimal)>::deserialize(d)?;
        Ok(PriceLevel { price, quantity })
    }
}

/// Changed book levels (`marketDiff` topic, event `depthUpdate`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DepthDiff {
    /// `e`.
    #[serde(rename = "e")]
    pub event_type: String,
    /// `E`: event time.
    #[serde(rename = "E")]
    pub time: u64,
    /// `s`.
    #[serde(rename = "s")]
    pub symbol: String,
    /// `b`: bids to update.
    #[serde(rename = "b")]
    pub bids: Vec<PriceLevel>,
    /// `a`: asks to update.
    #[serde(rename = "a")]
    pub asks: Vec<PriceLevel>,
}

/// The top levels of a book (`marketDepth`, `marketDepth100/500/1000`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DepthSnapshot {
    /// `lastUpdateId`.
    #[serde(rename = "lastUpdateId")]
    pub last_update_id: u64,
    /// `symbol`.
    pub symbol: String,
    /// `bids`, best first.
    pub bids: Vec<PriceLevel>,
    /// `asks`, best first.
    pub asks: Vec<PriceLevel>,
}

/// The candle inside a kline event.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Candle {
    /// `t`: start time.
    #[serde(rename = "t")]
    pub open_time: u64,
    /// `T`: close time.
    #[serde(rename = "T")]
    pub close_time: u64,
    /// `s`.
    #[serde(rename = "s")]
    pub symbol: String,
    /// `i`: interval code as sent (`1m` .. `1M`); see [`Candle::interval`].
    #[serde(rename = "i")]
    pub interval_code: String,
    /// `f`: first trade id.
    #[serde(rename = "f", deserialize_with = "id_text")]
    pub first_trade_id: String,
    /// `L`: last trade id.
    #[serde(rename = "L", deserialize_with = "id_text")]
    pub last_trade_id: String,
    /// `o`.
    #[serde(rename = "o")]
    pub open: Decimal,
    /// `c`.
    #[serde(rename = "c")]
    pub close: Decimal,
    /// `h`.
    #[serde(rename = "h")]
    pub high: Decimal,
    /// `l`.
    #[serde(rename = "l")]
    pub low: Decimal,
    /// `v`: base asset volume.
    #[serde(rename = "v")]
    pub volume: Decimal,
    /// `n`: number of trades.
    #[serde(rename = "n")]
    pub trades: u64,
    /// `x`: is the candle closed.
    #[serde(rename = "x")]
    pub closed: bool,
    /// `q`: quote asset volume.
    #[serde(rename = "q")]
    pub quote_volume: Decimal,
}

impl Candle {
    /// The interval, when the code is one the docs list.
    pub fn interval(&self) -> Option<KlineInterval> {
        KlineInterval::from_code(&self.interval_code)
    }
}

/// A kline event (`kline_<interval>` topics).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Kline {
    /// `e`.
    #[serde(rename = "e")]
    pub event_type: String,
    /// `E`: event time.
    #[serde(rename = "E")]
    pub time: u64,
    /// `s`.
    #[serde(rename = "s")]
    pub symbol: String,
    /// `k`.
    #[serde(rename = "k")]
    pub candle: Candle,
}

/// 24-hour statistics (`ticker`, `allTickers`; event `24hrTicker`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Ticker {
    /// `e`.
    #[serde(rename = "e")]
    pub event_type: String,
    /// `E`: event time.
    #[serde(rename = "E")]
    pub time: u64,
    /// `s`.
    #[serde(rename = "s")]
    pub symbol: String,
    /// `p`: price change.
    #[serde(rename = "p")]
    pub price_change: Decimal,
    /// `P`: price change percent.
    #[serde(rename = "P")]
    pub price_change_percent: Decimal,
    /// `w`: weighted average price.
    #[serde(rename = "w")]
    pub weighted_avg_price: Decimal,
    /// `x`: previous day's close.
    #[serde(rename = "x")]
    pub prev_close: Decimal,
    /// `c`: current close.
    #[serde(rename = "c")]
    pub close: Decimal,
    /// `Q`: close trade's quantity.
    #[serde(rename = "Q")]
    pub close_quantity: Decimal,
    /// `b`: best bid price.
    #[serde(rename = "b")]
    pub bid_price: Decimal,
    /// `B`: best bid quantity.
    #[serde(rename = "B")]
    pub bid_quantity: Decimal,
    /// `a`: best ask price.
    #[serde(rename = "a")]
    pub ask_price: Decimal,
    /// `A`: best ask quantity.
    #[serde(rename = "A")]
    pub ask_quantity: Decimal,
    /// `o`.
    #[serde(rename = "o")]
    pub open: Decimal,
    /// `h`.
    #[serde(rename = "h")]
    pub high: Decimal,
    /// `l`.
    #[serde(rename = "l")]
    pub low: Decimal,
    /// `v`: base volume.
    #[serde(rename = "v")]
    pub volume: Decimal,
    /// `q`: quote volume.
    #[serde(rename = "q")]
    pub quote_volume: Decimal,
    /// `O`: statistics open time.
    #[serde(rename = "O")]
    pub open_time: u64,
    /// `C`: statistics close time.
    #[serde(rename = "C")]
    pub close_time: u64,
    /// `F`: first trade id.
    #[serde(rename = "F", deserialize_with = "id_text")]
    pub first_trade_id: String,
    /// `L`: last trade id.
    #[serde(rename = "L", deserialize_with = "id_text")]
    pub last_trade_id: String,
    /// `n`: number of trades.
    #[serde(rename = "n")]
    pub trades: u64,
}

/// 24-hour mini statistics (`miniTicker`, `allMiniTickers`; event `24hrMiniTicker`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct MiniTicker {
    /// `e`.
    #[serde(rename = "e")]
    pub event_type: String,
    /// `E`: event time.
    #[serde(rename = "E")]
    pub time: u64,
    /// `s`.
    #[serde(rename = "s")]
    pub symbol: String,
    /// `c`: close.
    #[serde(rename = "c")]
    pub close: Decimal,
    /// `o`: open.
    #[serde(rename = "o")]
    pub open: Decimal,
    /// `h`.
    #[serde(rename = "h")]
    pub high: Decimal,
    /// `l`.
    #[serde(rename = "l")]
    pub low: Decimal,
    /// `v`: base volume.
    #[serde(rename = "v")]
    pub volume: Decimal,
    /// `q`: quote volume.
    #[serde(rename = "q")]
    pub quote_volume: Decimal,
}

/// The latest block height (`blockheight` topic).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct BlockHeight {
    /// `h`.
    #[serde(rename = "h")]
    pub height: u64,
}

/// Everything a DEX connection delivers.
#[derive(Debug)]
#[non_exhaustive]
pub enum DexEvent {
    /// `orders`: order updates of the subscribed address.
    Orders(Vec<OrderUpdate>),
    /// `accounts`: balance updates of the subscribed address.
    Accounts(Vec<AccountUpdate>),
    /// `transfers`: transfers involving the subscribed address (the docs send one object; an array is accepted).
    Transfers(Vec<Transfer>),
    /// `trades`.
    Trades(Vec<Trade>),
    /// `marketDiff`.
    MarketDiff(DepthDiff),
    /// `marketDepth` (20 levels) or `marketDepth100/500/1000`.
    MarketDepth {
        /// Which depth topic.
        levels: DepthLevels,
        /// The levels.
        book: DepthSnapshot,
    },
    /// `kline_<interval>`.
    Kline(Kline),
    /// `ticker`.
    Ticker(Ticker),
    /// `allTickers`.
    AllTickers(Vec<Ticker>),
    /// `miniTicker`.
    MiniTicker(MiniTicker),
    /// `allMiniTickers`.
    AllMiniTickers(Vec<MiniTicker>),
    /// `blockheight`.
    BlockHeight(BlockHeight),
    /// The server answered a message with an error (`{"error": ...}`); the text of the error.
    ServerError(String),
    /// A frame of a stream or event this library does not know, kept raw.
    Other {
        /// The `stream` field, when there was one.
        stream: Option<String>,
        /// The whole frame.
        raw: String,
    },
    /// A frame that could not be decoded ([`Error::Decode`], with the start of the frame).
    Malformed(Error),
    /// Events were dropped because the event stream was not read fast enough.
    Lagged {
        /// How many.
        dropped: u64,
    },
    /// The connection's state changed (connected, reconnecting, closed).
    Connection(ConnectionEvent),
}

impl DexEvent {
    /// The topic of a data event.
    pub fn topic(&self) -> Option<Topic> {
        Some(match self {
            DexEvent::Orders(_) => Topic::Orders,
            DexEvent::Accounts(_) => Topic::Accounts,
            DexEvent::Transfers(_) => Topic::Transfers,
            DexEvent::Trades(_) => Topic::Trades,
            DexEvent::MarketDiff(_) => Topic::MarketDiff,
            DexEvent::MarketDepth { levels, .. } => Topic::MarketDepth(*levels),
            DexEvent::Kline(k) => Topic::Kline(k.candle.interval()?),
            DexEvent::Ticker(_) => Topic::Ticker,
            DexEvent::AllTickers(_) => Topic::AllTickers,
            DexEvent::MiniTicker(_) => Topic::MiniTicker,
            DexEvent::AllMiniTickers(_) => Topic::AllMiniTickers,
            DexEvent::BlockHeight(_) => Topic::BlockHeight,
            _ => return None,
        })
    }
}

/// One object or an array of them.
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany<T> {
    Many(Vec<T>),
    One(T),
}

impl<T> OneOrMany<T> {
    fn into_vec(self) -> Vec<T> {
        match self {
            OneOrMany::Many(v) => v,
            OneOrMany::One(t) => vec![t],
        }
    }
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow, default)]
    stream: Option<&'a RawValue>,
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
    #[serde(borrow, default)]
    error: Option<&'a RawValue>,
    /// Unwrapped payloads: the event type or the shape tells the topic.
    #[serde(rename = "e", default)]
    event_type: Option<String>,
    #[serde(rename = "lastUpdateId", default)]
    last_update_id: Option<serde::de::IgnoredAny>,
    #[serde(rename = "h", default)]
    height: Option<serde::de::IgnoredAny>,
}

fn parse<'a, T: Deserialize<'a>>(what: &'static str, json: &'a str, frame: &[u8]) -> Result<T> {
    serde_json::from_str(json).map_err(|e| Error::decode(what, e, frame))
}

/// Decodes one data frame into its topic's type.
///
/// Frames are `{"stream": <topic>, "data": <payload>}` as in the docs; the stream may also be a full stream
/// name (`<symbol>@<topic>`), and unwrapped payloads are recognised by their event type or shape. Error
/// answers (`{"error": ...}`) become [`DexEvent::ServerError`]; unknown streams [`DexEvent::Other`].
pub fn decode_frame(frame: &[u8]) -> Result<DexEvent> {
    let text = std::str::from_utf8(frame).map_err(|e| Error::decode("DEX frame", e, frame))?;
    if text.trim_start().starts_with('[') {
        // An unwrapped array (allTickers, trades, ...): route by its first element's event type.
        let first: Vec<Envelope> = parse("DEX frame", text, frame)?;
        let topic = first.first().and_then(|e| e.event_type.as_deref()).and_then(topic_of_event);
        return match topic {
            Some(t) => decode_payload(&t, text, frame),
            None => Ok(DexEvent::Other { stream: None, raw: text.to_string() }),
        };
    }
    let env: Envelope = parse("DEX frame", text, frame)?;
    if let Some(err) = env.error {
        let msg = match serde_json::from_str::<String>(err.get()) {
            Ok(s) => s,
            Err(_) => err.get().to_string(),
        };
        return Ok(DexEvent::ServerError(msg));
    }
    if let (Some(stream), Some(data)) = (env.stream, env.data) {
        let stream: String = parse("DEX stream name", stream.get(), frame)?;
        // `<symbol>@<topic>` or `<address>`-style names reduce to the topic.
        let topic_name = stream.rsplit('@').next().unwrap_or(&stream).to_string();
        return match Topic::from_name(&topic_name) {
            Some(t) => decode_payload(&t, data.get(), frame),
            None => Ok(DexEvent::Other { stream: Some(stream), raw: text.to_string() }),
        };
    }
    let topic = match (&env.event_type, env.last_update_id.is_some(), env.height.is_some()) {
        (Some(e), _, _) => topic_of_event(e),
        (None, true, _) => Some(Topic::MarketDepth(DepthLevels::Top20)),
        (None, false, true) => Some(Topic::BlockHeight),
        _ => None,
    };
    match topic {
        Some(t) => decode_payload(&t, text, frame),
        None => Ok(DexEvent::Other { stream: None, raw: text.to_string() }),
    }
}

fn topic_of_event(e: &str) -> Option<Topic> {
    Some(match e {
        "executionReport" => Topic::Orders,
        "outboundAccountInfo" => Topic::Accounts,
        "outboundTransferInfo" => Topic::Transfers,
        "trade" => Topic::Trades,
        "depthUpdate" => Topic::MarketDiff,
        "24hrTicker" => Topic::Ticker,
        "24hrMiniTicker" => Topic::MiniTicker,
        "kline" => Topic::Kline(KlineInterval::M1),
        _ => return None,
    })
}

/// Decodes the `data` of a frame of a known topic.
pub fn decode_payload(topic: &Topic, data: &str, frame: &[u8]) -> Result<DexEvent> {
    let is_array = data.trim_start().starts_with('[');
    Ok(match topic {
        Topic::Orders => DexEvent::Orders(parse::<OneOrMany<_>>("orders", data, frame)?.into_vec()),
        Topic::Accounts => DexEvent::Accounts(parse::<OneOrMany<_>>("accounts", data, frame)?.into_vec()),
        Topic::Transfers => DexEvent::Transfers(parse::<OneOrMany<_>>("transfers", data, frame)?.into_vec()),
        Topic::Trades => DexEvent::Trades(parse::<OneOrMany<_>>("trades", data, frame)?.into_vec()),
        Topic::MarketDiff => DexEvent::MarketDiff(parse("marketDiff", data, frame)?),
        Topic::MarketDepth(levels) => {
            DexEvent::MarketDepth { levels: *levels, book: parse("marketDepth", data, frame)? }
        }
        Topic::Kline(_) => DexEvent::Kline(parse("kline", data, frame)?),
        Topic::Ticker if is_array => DexEvent::AllTickers(parse("allTickers", data, frame)?),
        Topic::Ticker => DexEvent::Ticker(parse("ticker", data, frame)?),
        Topic::AllTickers => DexEvent::AllTickers(parse::<OneOrMany<_>>("allTickers", data, frame)?.into_vec()),
        Topic::MiniTicker if is_array => DexEvent::AllMiniTickers(parse("allMiniTickers", data, frame)?),
        Topic::MiniTicker => DexEvent::MiniTicker(parse("miniTicker", data, frame)?),
        Topic::AllMiniTickers => {
            DexEvent::AllMiniTickers(parse::<OneOrMany<_>>("allMiniTickers", data, frame)?.into_vec())
        }
        Topic::BlockHeight => DexEvent::BlockHeight(parse("blockheight", data, frame)?),
    })
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::Buy => "BUY",
            Side::Sell => "SELL",
        })
    }
}
