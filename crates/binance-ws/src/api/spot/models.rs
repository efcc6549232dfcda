//! Response types of the Spot WebSocket API, and the spot-only request enums.
//!
//! Field names follow the docs exactly (`#[serde(rename_all = "camelCase")]` plus explicit renames
//! where Binance's spelling is not camelCase, such as `cummulativeQuoteQty`). Prices and
//! quantities are [`Decimal`]; times are epoch milliseconds. A field is an `Option` only where the
//! docs say it may be absent or `null`.

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};

use crate::model::{
    string_enum, AllocationType, ContingencyType, ExpiryReason, Filter, ListOrderStatus, ListStatusType, OrderStatus,
    OrderType, PegOffsetType, PegPriceType, RateLimit, SelfTradePreventionMode, Side, SymbolStatus, TimeInForce,
    WorkingFloor,
};

string_enum! {
    /// Ticker response size (`type` of `ticker.24hr`, `ticker.tradingDay`, `ticker`).
    TickerType {
        /// All statistics (the default).
        Full = "FULL",
        /// Without price change, weighted average and best bid/ask fields.
        Mini = "MINI",
    }
}

string_enum! {
    /// Condition for a cancel to go through (`cancelRestrictions`).
    CancelRestrictions {
        /// Cancel only if the order is `NEW`.
        OnlyNew = "ONLY_NEW",
        /// Cancel only if the order is `PARTIALLY_FILLED`.
        OnlyPartiallyFilled = "ONLY_PARTIALLY_FILLED",
    }
}

string_enum! {
    /// What `order.cancelReplace` does when the cancel fails (`cancelReplaceMode`).
    CancelReplaceMode {
        /// Do not place the new order if the cancel fails.
        StopOnFailure = "STOP_ON_FAILURE",
        /// Place the new order even if the cancel fails.
        AllowFailure = "ALLOW_FAILURE",
    }
}

string_enum! {
    /// What `order.cancelReplace` does when the unfilled order count is exceeded (`orderRateLimitExceededMode`).
    OrderRateLimitExceededMode {
        /// Do nothing (the default).
        DoNothing = "DO_NOTHING",
        /// Still cancel the order.
        CancelOnly = "CANCEL_ONLY",
    }
}

string_enum! {
    /// Outcome of one half of `order.cancelReplace` (`cancelResult`, `newOrderResult`).
    CancelReplaceResult {
        /// It succeeded.
        Success = "SUCCESS",
        /// It failed.
        Failure = "FAILURE",
        /// It was not tried.
        NotAttempted = "NOT_ATTEMPTED",
    } Unknown
}

string_enum! {
    /// How a reference price is computed (`calculationType`).
    CalculationType {
        /// Arithmetic mean over buckets, by the matching engine.
        ArithmeticMean = "ARITHMETIC_MEAN",
        /// Outside the matching engine.
        External = "EXTERNAL",
    } Unknown
}

/// An empty `result` (`{}`), as `ping` and `userDataStream.unsubscribe` return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub struct Empty {}

/// Either one item (the request named one `symbol`) or a list (`symbols`, or all symbols).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    /// A single object.
    One(T),
    /// An array.
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    /// The items as a list, whichever form arrived.
    pub fn into_vec(self) -> Vec<T> {
        match self {
            OneOrMany::One(t) => vec![t],
            OneOrMany::Many(v) => v,
        }
    }
}

// ---------------------------------------------------------------- general

/// `time`: the server's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerTime {
    /// Epoch milliseconds.
    pub server_time: u64,
}

/// `exchangeInfo`: trading rules, rate limits and symbols.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExchangeInfo {
    /// Always `UTC`.
    pub timezone: String,
    /// Server time, epoch ms.
    pub server_time: u64,
    /// Global rate limits.
    pub rate_limits: Vec<RateLimit>,
    /// Exchange-wide filters.
    pub exchange_filters: Vec<Filter>,
    /// The symbols asked for.
    pub symbols: Vec<SymbolInfo>,
    /// Smart order routing groups; present only when SOR is available.
    pub sors: Option<Vec<SorInfo>>,
}

/// One symbol of `exchangeInfo`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SymbolInfo {
    /// Symbol name.
    pub symbol: String,
    /// Trading status.
    pub status: SymbolStatus,
    /// Base asset.
    pub base_asset: String,
    /// Base asset precision.
    pub base_asset_precision: u32,
    /// Quote asset.
    pub quote_asset: String,
    /// Quote precision.
    pub quote_precision: u32,
    /// Quote asset precision.
    pub quote_asset_precision: u32,
    /// Base commission precision.
    pub base_commission_precision: u32,
    /// Quote commission precision.
    pub quote_commission_precision: u32,
    /// Allowed order types.
    pub order_types: Vec<OrderType>,
    /// Iceberg orders allowed.
    pub iceberg_allowed: bool,
    /// OCO order lists allowed.
    pub oco_allowed: bool,
    /// OTO order lists allowed.
    pub oto_allowed: bool,
    /// OPO order lists allowed.
    pub opo_allowed: bool,
    /// Market orders by quote quantity allowed.
    pub quote_order_qty_market_allowed: bool,
    /// Trailing stops allowed.
    pub allow_trailing_stop: bool,
    /// `order.cancelReplace` allowed.
    pub cancel_replace_allowed: bool,
    /// `order.amend.keepPriority` allowed.
    pub amend_allowed: bool,
    /// Pegged orders allowed.
    pub peg_instructions_allowed: bool,
    /// Spot trading allowed.
    pub is_spot_trading_allowed: bool,
    /// Margin trading allowed.
    pub is_margin_trading_allowed: bool,
    /// Symbol filters.
    pub filters: Vec<Filter>,
    /// Permissions (empty; see `permission_sets`).
    pub permissions: Vec<String>,
    /// Permission sets: an account needs one permission of every set.
    pub permission_sets: Vec<Vec<String>>,
    /// Default STP mode.
    pub default_self_trade_prevention_mode: SelfTradePreventionMode,
    /// Allowed STP modes.
    pub allowed_self_trade_prevention_modes: Vec<SelfTradePreventionMode>,
}

/// A smart order routing group of `exchangeInfo`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SorInfo {
    /// The common base asset.
    pub base_asset: String,
    /// Symbols routed together.
    pub symbols: Vec<String>,
}

/// `executionRules`: execution rules per symbol.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionRules {
    /// One entry per symbol.
    pub symbol_rules: Vec<SymbolRules>,
}

/// The execution rules of one symbol.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SymbolRules {
    /// Symbol name.
    pub symbol: String,
    /// Its rules.
    pub rules: Vec<ExecutionRule>,
}

/// An execution rule, typed by `ruleType`; unknown types are kept raw.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ExecutionRule {
    /// `PRICE_RANGE`
    PriceRange(PriceRangeRule),
    /// A rule type this library does not know: the raw object.
    Unknown(serde_json::Value),
}

impl<'de> Deserialize<'de> for ExecutionRule {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = serde_json::Value::deserialize(deserializer)?;
        match value.get("ruleType").and_then(|t| t.as_str()) {
            Some("PRICE_RANGE") => PriceRangeRule::deserialize(value)
                .map(ExecutionRule::PriceRange)
                .map_err(|e| D::Error::custom(format_args!("rule PRICE_RANGE: {e}"))),
            Some(_) => Ok(ExecutionRule::Unknown(value)),
            None => Err(D::Error::custom("execution rule without a string `ruleType`")),
        }
    }
}

/// `PRICE_RANGE`: limit prices as multipliers of the reference price.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PriceRangeRule {
    /// Bid upper multiplier.
    pub bid_limit_mult_up: Decimal,
    /// Bid lower multiplier.
    pub bid_limit_mult_down: Decimal,
    /// Ask upper multiplier.
    pub ask_limit_mult_up: Decimal,
    /// Ask lower multiplier.
    pub ask_limit_mult_down: Decimal,
}

// ---------------------------------------------------------------- market data

/// `depth`: an order book snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DepthSnapshot {
    /// Last update id included (to join with the diff depth stream).
    pub last_update_id: u64,
    /// Bids, best (highest) first.
    pub bids: Vec<PriceLevel>,
    /// Asks, best (lowest) first.
    pub asks: Vec<PriceLevel>,
}

/// A `[price, quantity]` pair of an order book.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(from = "(Decimal, Decimal)")]
pub struct PriceLevel {
    /// Price.
    pub price: Decimal,
    /// Quantity at that price.
    pub qty: Decimal,
}

impl From<(Decimal, Decimal)> for PriceLevel {
    fn from((price, qty): (Decimal, Decimal)) -> Self {
        PriceLevel { price, qty }
    }
}

/// A public trade (`trades.recent`, `trades.historical`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Trade {
    /// Trade id.
    pub id: u64,
    /// Price.
    pub price: Decimal,
    /// Quantity.
    pub qty: Decimal,
    /// Quote quantity.
    pub quote_qty: Decimal,
    /// Trade time, epoch ms.
    pub time: u64,
    /// Whether the buyer was the maker.
    pub is_buyer_maker: bool,
    /// Whether the trade was the best price match.
    pub is_best_match: bool,
}

/// A block trade (`blockTrades.historical`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockTrade {
    /// Block trade id.
    pub id: u64,
    /// Price.
    pub price: Decimal,
    /// Quantity.
    pub qty: Decimal,
    /// Quote quantity.
    pub quote_qty: Decimal,
    /// Trade time, epoch ms.
    pub time: u64,
    /// Whether the buyer was the maker.
    pub is_buyer_maker: bool,
}

/// An aggregate trade (`trades.aggregate`), with Binance's one-letter field names.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AggTrade {
    /// Aggregate trade id (`a`).
    #[serde(rename = "a")]
    pub id: u64,
    /// Price (`p`).
    #[serde(rename = "p")]
    pub price: Decimal,
    /// Quantity (`q`).
    #[serde(rename = "q")]
    pub qty: Decimal,
    /// First trade id (`f`).
    #[serde(rename = "f")]
    pub first_trade_id: u64,
    /// Last trade id (`l`).
    #[serde(rename = "l")]
    pub last_trade_id: u64,
    /// Time, epoch ms (`T`).
    #[serde(rename = "T")]
    pub time: u64,
    /// Whether the buyer was the maker (`m`).
    #[serde(rename = "m")]
    pub is_buyer_maker: bool,
    /// Whether it was the best price match (`M`).
    #[serde(rename = "M")]
    pub is_best_match: bool,
}

/// A kline (`klines`, `uiKlines`), decoded from Binance's 12-element array.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "KlineRow")]
pub struct Kline {
    /// Open time, epoch ms.
    pub open_time: u64,
    /// Open price.
    pub open: Decimal,
    /// High price.
    pub high: Decimal,
    /// Low price.
    pub low: Decimal,
    /// Close price.
    pub close: Decimal,
    /// Base asset volume.
    pub volume: Decimal,
    /// Close time, epoch ms.
    pub close_time: u64,
    /// Quote asset volume.
    pub quote_volume: Decimal,
    /// Number of trades.
    pub trades: u64,
    /// Taker buy base asset volume.
    pub taker_buy_base_volume: Decimal,
    /// Taker buy quote asset volume.
    pub taker_buy_quote_volume: Decimal,
}

#[derive(Deserialize)]
struct KlineRow(
    u64,
    Decimal,
    Decimal,
    Decimal,
    Decimal,
    Decimal,
    u64,
    Decimal,
    u64,
    Decimal,
    Decimal,
    serde::de::IgnoredAny,
);

impl From<KlineRow> for Kline {
    fn from(r: KlineRow) -> Self {
        Kline {
            open_time: r.0,
            open: r.1,
            high: r.2,
            low: r.3,
            close: r.4,
            volume: r.5,
            close_time: r.6,
            quote_volume: r.7,
            trades: r.8,
            taker_buy_base_volume: r.9,
            taker_buy_quote_volume: r.10,
        }
    }
}

/// `avgPrice`: the current average price.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AvgPrice {
    /// Averaging interval, minutes.
    pub mins: u32,
    /// Average price.
    pub price: Decimal,
    /// Last trade time, epoch ms.
    pub close_time: u64,
}

/// `ticker.24hr`: 24-hour rolling statistics. Fields marked "FULL only" are `None` for `type=MINI`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ticker24hr {
    /// Symbol.
    pub symbol: String,
    /// Absolute price change (FULL only).
    pub price_change: Option<Decimal>,
    /// Relative price change in percent (FULL only).
    pub price_change_percent: Option<Decimal>,
    /// Weighted average price (FULL only).
    pub weighted_avg_price: Option<Decimal>,
    /// Previous close price (FULL only).
    pub prev_close_price: Option<Decimal>,
    /// Last price.
    pub last_price: Decimal,
    /// Last quantity (FULL only).
    pub last_qty: Option<Decimal>,
    /// Best bid price (FULL only).
    pub bid_price: Option<Decimal>,
    /// Best bid quantity (FULL only).
    pub bid_qty: Option<Decimal>,
    /// Best ask price (FULL only).
    pub ask_price: Option<Decimal>,
    /// Best ask quantity (FULL only).
    pub ask_qty: Option<Decimal>,
    /// Open price.
    pub open_price: Decimal,
    /// High price.
    pub high_price: Decimal,
    /// Low price.
    pub low_price: Decimal,
    /// Base asset volume.
    pub volume: Decimal,
    /// Quote asset volume.
    pub quote_volume: Decimal,
    /// Window open time, epoch ms.
    pub open_time: u64,
    /// Window close time, epoch ms.
    pub close_time: u64,
    /// First trade id (-1 without trades).
    pub first_id: i64,
    /// Last trade id (-1 without trades).
    pub last_id: i64,
    /// Number of trades.
    pub count: u64,
}

/// `ticker` (rolling window) and `ticker.tradingDay` statistics. "FULL only" fields are `None` for `MINI`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WindowTicker {
    /// Symbol.
    pub symbol: String,
    /// Absolute price change (FULL only).
    pub price_change: Option<Decimal>,
    /// Relative price change in percent (FULL only).
    pub price_change_percent: Option<Decimal>,
    /// Weighted average price (FULL only).
    pub weighted_avg_price: Option<Decimal>,
    /// Open price.
    pub open_price: Decimal,
    /// High price.
    pub high_price: Decimal,
    /// Low price.
    pub low_price: Decimal,
    /// Last price.
    pub last_price: Decimal,
    /// Base asset volume.
    pub volume: Decimal,
    /// Quote asset volume.
    pub quote_volume: Decimal,
    /// Window open time, epoch ms.
    pub open_time: u64,
    /// Window close time, epoch ms.
    pub close_time: u64,
    /// First trade id (-1 without trades).
    pub first_id: i64,
    /// Last trade id (-1 without trades).
    pub last_id: i64,
    /// Number of trades.
    pub count: u64,
}

/// `ticker.price`: the latest price.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PriceTicker {
    /// Symbol.
    pub symbol: String,
    /// Latest price.
    pub price: Decimal,
}

/// `ticker.book`: the best bid and ask.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BookTicker {
    /// Symbol.
    pub symbol: String,
    /// Best bid price.
    pub bid_price: Decimal,
    /// Best bid quantity.
    pub bid_qty: Decimal,
    /// Best ask price.
    pub ask_price: Decimal,
    /// Best ask quantity.
    pub ask_qty: Decimal,
}

/// `referencePrice`: a symbol's reference price.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReferencePrice {
    /// Symbol.
    pub symbol: String,
    /// The reference price; `null` when none is set.
    pub reference_price: Option<Decimal>,
    /// When the reference price was valid, epoch ms.
    pub timestamp: u64,
}

/// `referencePrice.calculation`: how a symbol's reference price is computed.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReferencePriceCalculation {
    /// Symbol.
    pub symbol: String,
    /// Calculation type.
    pub calculation_type: CalculationType,
    /// Number of buckets (`ARITHMETIC_MEAN` only).
    pub bucket_count: Option<u32>,
    /// Bucket width in ms (`ARITHMETIC_MEAN` only).
    pub bucket_width_ms: Option<u64>,
    /// External calculation id (`EXTERNAL` only).
    pub external_calculation_id: Option<u64>,
}

// ---------------------------------------------------------------- session and user data stream

/// `session.logon`, `session.status`, `session.logout`: the session's authentication state.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionStatus {
    /// The authenticated API key; `null` when not logged on.
    pub api_key: Option<String>,
    /// When the session was authenticated, epoch ms; `null` when not logged on.
    pub authorized_since: Option<u64>,
    /// When the connection was opened, epoch ms.
    pub connected_since: u64,
    /// Whether responses carry `rateLimits`.
    pub return_rate_limits: bool,
    /// Server time, epoch ms.
    pub server_time: u64,
    /// `true`: a user data subscription is active; `false`: none; `null`: not available on this API.
    pub user_data_stream: Option<bool>,
}

/// A user data stream subscription (`userDataStream.subscribe*`, `session.subscriptions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    /// Tags the events of this subscription.
    pub subscription_id: u64,
}

// ---------------------------------------------------------------- orders

/// The response to `order.place` and `sor.order.place`, and the reports of order list placement.
///
/// Its shape depends on `newOrderRespType`: `ACK` carries only the first five fields; `RESULT`
/// adds the order's state (the fields documented "RESULT/FULL"); `FULL` adds `fills`. Those
/// fields are therefore `Option`s, `Some` whenever the response type includes them. The other
/// `Option`s are Binance's conditional fields, present only when the order uses the feature.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderResponse {
    /// Symbol.
    pub symbol: String,
    /// Exchange order id.
    pub order_id: u64,
    /// Order list id; -1 for orders outside a list.
    pub order_list_id: i64,
    /// Client order id.
    pub client_order_id: String,
    /// Transaction time, epoch ms.
    pub transact_time: u64,
    /// Limit price (RESULT/FULL).
    pub price: Option<Decimal>,
    /// Ordered quantity (RESULT/FULL).
    pub orig_qty: Option<Decimal>,
    /// Executed quantity (RESULT/FULL).
    pub executed_qty: Option<Decimal>,
    /// Ordered quote quantity (RESULT/FULL).
    pub orig_quote_order_qty: Option<Decimal>,
    /// Cumulative quote quantity, Binance's spelling `cummulativeQuoteQty` (RESULT/FULL).
    #[serde(rename = "cummulativeQuoteQty")]
    pub cumulative_quote_qty: Option<Decimal>,
    /// Order status (RESULT/FULL).
    pub status: Option<OrderStatus>,
    /// Time in force (RESULT/FULL).
    pub time_in_force: Option<TimeInForce>,
    /// Order type (RESULT/FULL).
    #[serde(rename = "type")]
    pub order_type: Option<OrderType>,
    /// Side (RESULT/FULL).
    pub side: Option<Side>,
    /// When the order went on the book, epoch ms; -1 while pending (RESULT/FULL).
    pub working_time: Option<i64>,
    /// STP mode (RESULT/FULL).
    pub self_trade_prevention_mode: Option<SelfTradePreventionMode>,
    /// The trades that filled the order at once (FULL only).
    pub fills: Option<Vec<Fill>>,
    /// Conditional fields.
    #[serde(flatten)]
    pub conditional: ConditionalFields,
}

/// Binance's conditional order fields ("Conditional fields in Order Responses"): each is
/// present only when the order uses the feature.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConditionalFields {
    /// Iceberg quantity, if `icebergQty` was sent.
    pub iceberg_qty: Option<Decimal>,
    /// Prevented match id, if the order expired due to STP.
    pub prevented_match_id: Option<u64>,
    /// Quantity expired due to STP.
    pub prevented_quantity: Option<Decimal>,
    /// Trigger price of stop and take-profit orders.
    pub stop_price: Option<Decimal>,
    /// Strategy id, if sent.
    pub strategy_id: Option<u64>,
    /// Strategy type, if sent.
    pub strategy_type: Option<u32>,
    /// Trailing delta of trailing stop orders.
    pub trailing_delta: Option<u64>,
    /// When a trailing order started tracking, epoch ms (-1 before).
    pub trailing_time: Option<i64>,
    /// Whether the order used SOR.
    pub used_sor: Option<bool>,
    /// Where the order is filled (SOR orders).
    pub working_floor: Option<WorkingFloor>,
    /// Peg price type (pegged orders).
    pub peg_price_type: Option<PegPriceType>,
    /// Peg offset type (pegged orders).
    pub peg_offset_type: Option<PegOffsetType>,
    /// Peg offset value (pegged orders).
    pub peg_offset_value: Option<u32>,
    /// Current pegged price, once determined.
    pub pegged_price: Option<Decimal>,
    /// Why the order expired.
    pub expiry_reason: Option<ExpiryReason>,
}

/// A trade that filled (part of) a new order (`fills` of a FULL response).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fill {
    /// Price.
    pub price: Decimal,
    /// Quantity.
    pub qty: Decimal,
    /// Commission.
    pub commission: Decimal,
    /// Commission asset.
    pub commission_asset: String,
    /// Trade id; -1 for SOR allocations.
    pub trade_id: i64,
    /// Match type (SOR orders only), e.g. `ONE_PARTY_TRADE_REPORT`.
    pub match_type: Option<String>,
    /// Allocation id (SOR orders only).
    pub alloc_id: Option<u64>,
}

/// The report of a canceled order (`order.cancel`, `openOrders.cancelAll`, `orderList.cancel`,
/// the `cancelResponse` of `order.cancelReplace`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CanceledOrder {
    /// Symbol.
    pub symbol: String,
    /// The client order id that was canceled. The docs' `orderList.cancel` reports omit it.
    pub orig_client_order_id: Option<String>,
    /// Exchange order id.
    pub order_id: u64,
    /// Order list id; -1 outside a list.
    pub order_list_id: i64,
    /// The new client order id (`newClientOrderId` of the cancel).
    pub client_order_id: String,
    /// Transaction time, epoch ms.
    pub transact_time: u64,
    /// Limit price.
    pub price: Decimal,
    /// Ordered quantity.
    pub orig_qty: Decimal,
    /// Executed quantity.
    pub executed_qty: Decimal,
    /// Ordered quote quantity.
    pub orig_quote_order_qty: Decimal,
    /// Cumulative quote quantity (`cummulativeQuoteQty`).
    #[serde(rename = "cummulativeQuoteQty")]
    pub cumulative_quote_qty: Decimal,
    /// Status (normally `CANCELED`).
    pub status: OrderStatus,
    /// Time in force.
    pub time_in_force: TimeInForce,
    /// Order type.
    #[serde(rename = "type")]
    pub order_type: OrderType,
    /// Side.
    pub side: Side,
    /// STP mode.
    pub self_trade_prevention_mode: SelfTradePreventionMode,
    /// Conditional fields.
    #[serde(flatten)]
    pub conditional: ConditionalFields,
}

/// An order's state as queried (`order.status`, `openOrders.status`, `allOrders`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueriedOrder {
    /// Symbol.
    pub symbol: String,
    /// Exchange order id.
    pub order_id: u64,
    /// Order list id; -1 outside a list.
    pub order_list_id: i64,
    /// Client order id.
    pub client_order_id: String,
    /// Limit price.
    pub price: Decimal,
    /// Ordered quantity.
    pub orig_qty: Decimal,
    /// Executed quantity.
    pub executed_qty: Decimal,
    /// Cumulative quote quantity (`cummulativeQuoteQty`); negative for some historical orders
    /// whose data is not available.
    #[serde(rename = "cummulativeQuoteQty")]
    pub cumulative_quote_qty: Decimal,
    /// Status.
    pub status: OrderStatus,
    /// Time in force.
    pub time_in_force: TimeInForce,
    /// Order type.
    #[serde(rename = "type")]
    pub order_type: OrderType,
    /// Side.
    pub side: Side,
    /// Placement time, epoch ms.
    pub time: u64,
    /// Last update time, epoch ms.
    pub update_time: u64,
    /// Whether the order is on the book.
    pub is_working: bool,
    /// When the order went on the book, epoch ms; -1 while pending.
    pub working_time: i64,
    /// Ordered quote quantity (zero unless used).
    pub orig_quote_order_qty: Decimal,
    /// STP mode.
    pub self_trade_prevention_mode: SelfTradePreventionMode,
    /// Conditional fields (`stopPrice` and `icebergQty` are always present here, zero when unused).
    #[serde(flatten)]
    pub conditional: ConditionalFields,
}

/// One order of an order list, by ids.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderListOrder {
    /// Symbol.
    pub symbol: String,
    /// Exchange order id.
    pub order_id: u64,
    /// Client order id.
    pub client_order_id: String,
}

/// An order list's status (`orderList.status`, `openOrderLists.status`, `allOrderLists`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderListStatus {
    /// Order list id.
    pub order_list_id: i64,
    /// Contingency type.
    pub contingency_type: ContingencyType,
    /// List status.
    pub list_status_type: ListStatusType,
    /// List order status.
    pub list_order_status: ListOrderStatus,
    /// Client id of the list.
    pub list_client_order_id: String,
    /// Transaction time, epoch ms.
    pub transaction_time: u64,
    /// Symbol.
    pub symbol: String,
    /// The list's orders.
    pub orders: Vec<OrderListOrder>,
}

/// The response to order list placement (`orderList.place*`). `order_reports` follow
/// `newOrderRespType` like [`OrderResponse`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderListResponse {
    /// Order list id.
    pub order_list_id: i64,
    /// Contingency type.
    pub contingency_type: ContingencyType,
    /// List status.
    pub list_status_type: ListStatusType,
    /// List order status.
    pub list_order_status: ListOrderStatus,
    /// Client id of the list.
    pub list_client_order_id: String,
    /// Transaction time, epoch ms.
    pub transaction_time: u64,
    /// Symbol.
    pub symbol: String,
    /// The list's orders.
    pub orders: Vec<OrderListOrder>,
    /// One report per order.
    pub order_reports: Vec<OrderResponse>,
}

/// The response to canceling an order list (`orderList.cancel`, or `order.cancel` of a list's order).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CanceledOrderList {
    /// Order list id.
    pub order_list_id: i64,
    /// Contingency type.
    pub contingency_type: ContingencyType,
    /// List status.
    pub list_status_type: ListStatusType,
    /// List order status.
    pub list_order_status: ListOrderStatus,
    /// Client id of the list.
    pub list_client_order_id: String,
    /// Transaction time, epoch ms.
    pub transaction_time: u64,
    /// Symbol.
    pub symbol: String,
    /// The list's orders.
    pub orders: Vec<OrderListOrder>,
    /// One cancel report per order.
    pub order_reports: Vec<CanceledOrder>,
}

/// What `order.cancel` and each entry of `openOrders.cancelAll` return: a canceled order, or,
/// when the order belonged to an order list, the whole canceled list.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
#[allow(clippy::large_enum_variant)]
pub enum CancelResult {
    /// The order was part of an order list: the list was canceled.
    OrderList(CanceledOrderList),
    /// A single order was canceled.
    Order(CanceledOrder),
}

/// `order.cancelReplace` when both parts succeeded (status 200). Partial failures arrive as
/// errors (status 400/409) whose `data` carries the same fields.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelReplaceResponse {
    /// Outcome of the cancel.
    pub cancel_result: CancelReplaceResult,
    /// Outcome of the placement.
    pub new_order_result: CancelReplaceResult,
    /// The canceled order.
    pub cancel_response: CanceledOrder,
    /// The new order (shaped by `newOrderRespType`).
    pub new_order_response: OrderResponse,
}

/// `order.amend.keepPriority`: the amended order and, for a list's order, the list.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AmendResponse {
    /// Transaction time, epoch ms.
    pub transact_time: u64,
    /// Execution id of the amendment.
    pub execution_id: u64,
    /// The order after the amendment.
    pub amended_order: AmendedOrder,
    /// The order list, present only when the order belongs to one.
    pub list_status: Option<AmendedOrderList>,
}

/// An order after `order.amend.keepPriority`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AmendedOrder {
    /// Symbol.
    pub symbol: String,
    /// Exchange order id.
    pub order_id: u64,
    /// Order list id; -1 outside a list.
    pub order_list_id: i64,
    /// Client order id before the amendment.
    pub orig_client_order_id: String,
    /// Client order id after the amendment.
    pub client_order_id: String,
    /// Limit price.
    pub price: Decimal,
    /// Quantity after the amendment.
    pub qty: Decimal,
    /// Executed quantity.
    pub executed_qty: Decimal,
    /// Quantity prevented by STP.
    pub prevented_qty: Decimal,
    /// Quote order quantity.
    pub quote_order_qty: Decimal,
    /// Cumulative quote quantity (spelled `cumulativeQuoteQty` here, unlike other order responses).
    pub cumulative_quote_qty: Decimal,
    /// Status.
    pub status: OrderStatus,
    /// Time in force.
    pub time_in_force: TimeInForce,
    /// Order type.
    #[serde(rename = "type")]
    pub order_type: OrderType,
    /// Side.
    pub side: Side,
    /// When the order went on the book, epoch ms.
    pub working_time: i64,
    /// STP mode.
    pub self_trade_prevention_mode: SelfTradePreventionMode,
    /// Conditional fields.
    #[serde(flatten)]
    pub conditional: ConditionalFields,
}

/// The order list of an amended order (no `listStatusType` or `transactionTime` in this response).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AmendedOrderList {
    /// Order list id.
    pub order_list_id: i64,
    /// Contingency type.
    pub contingency_type: ContingencyType,
    /// List order status.
    pub list_order_status: ListOrderStatus,
    /// Client id of the list.
    pub list_client_order_id: String,
    /// Symbol.
    pub symbol: String,
    /// The list's orders.
    pub orders: Vec<OrderListOrder>,
}

/// `order.test` and `sor.order.test`: empty unless `computeCommissionRates` was set.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestOrderResponse {
    /// Standard commission rates for the order (with `computeCommissionRates`).
    pub standard_commission_for_order: Option<MakerTaker>,
    /// Special commission rates (with `computeCommissionRates`; `order.test` only).
    pub special_commission_for_order: Option<MakerTaker>,
    /// Tax commission rates (with `computeCommissionRates`).
    pub tax_commission_for_order: Option<MakerTaker>,
    /// BNB discount (with `computeCommissionRates`).
    pub discount: Option<CommissionDiscount>,
}

/// Maker and taker rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct MakerTaker {
    /// Maker rate.
    pub maker: Decimal,
    /// Taker rate.
    pub taker: Decimal,
}

/// Maker, taker, buyer and seller rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct CommissionRates {
    /// Maker rate.
    pub maker: Decimal,
    /// Taker rate.
    pub taker: Decimal,
    /// Buyer rate.
    pub buyer: Decimal,
    /// Seller rate.
    pub seller: Decimal,
}

/// Discount on standard commissions when paying in BNB.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommissionDiscount {
    /// Enabled for the account.
    pub enabled_for_account: bool,
    /// Enabled for the symbol.
    pub enabled_for_symbol: bool,
    /// The discount asset (BNB).
    pub discount_asset: String,
    /// The rate the standard commission is reduced by.
    pub discount: Decimal,
}

// ---------------------------------------------------------------- account

/// `account.status`: balances and account settings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountInfo {
    /// Maker commission, basis points.
    pub maker_commission: u32,
    /// Taker commission, basis points.
    pub taker_commission: u32,
    /// Buyer commission, basis points.
    pub buyer_commission: u32,
    /// Seller commission, basis points.
    pub seller_commission: u32,
    /// Can trade.
    pub can_trade: bool,
    /// Can withdraw.
    pub can_withdraw: bool,
    /// Can deposit.
    pub can_deposit: bool,
    /// Commission rates.
    pub commission_rates: CommissionRates,
    /// Brokered account.
    pub brokered: bool,
    /// Whether STP is required.
    pub require_self_trade_prevention: bool,
    /// Whether SOR is prevented.
    pub prevent_sor: bool,
    /// Last update, epoch ms.
    pub update_time: u64,
    /// Account type, e.g. `SPOT`.
    pub account_type: String,
    /// Balances.
    pub balances: Vec<Balance>,
    /// Permissions.
    pub permissions: Vec<String>,
    /// User id.
    pub uid: u64,
}

/// An asset balance.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Balance {
    /// Asset.
    pub asset: String,
    /// Free amount.
    pub free: Decimal,
    /// Locked amount.
    pub locked: Decimal,
}

/// `account.commission`: the account's commission rates on a symbol.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountCommission {
    /// Symbol.
    pub symbol: String,
    /// Standard rates.
    pub standard_commission: CommissionRates,
    /// Special rates.
    pub special_commission: CommissionRates,
    /// Tax rates.
    pub tax_commission: CommissionRates,
    /// BNB discount.
    pub discount: CommissionDiscount,
}

/// One of the account's trades (`myTrades`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountTrade {
    /// Symbol.
    pub symbol: String,
    /// Trade id.
    pub id: u64,
    /// Order id.
    pub order_id: u64,
    /// Order list id; -1 outside a list.
    pub order_list_id: i64,
    /// Price.
    pub price: Decimal,
    /// Quantity.
    pub qty: Decimal,
    /// Quote quantity.
    pub quote_qty: Decimal,
    /// Commission.
    pub commission: Decimal,
    /// Commission asset.
    pub commission_asset: String,
    /// Trade time, epoch ms.
    pub time: u64,
    /// Whether the account bought.
    pub is_buyer: bool,
    /// Whether the account was the maker.
    pub is_maker: bool,
    /// Whether it was the best price match.
    pub is_best_match: bool,
}

/// An order expired by STP (`myPreventedMatches`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreventedMatch {
    /// Symbol.
    pub symbol: String,
    /// Prevented match id.
    pub prevented_match_id: u64,
    /// Taker order id.
    pub taker_order_id: u64,
    /// Maker symbol.
    pub maker_symbol: String,
    /// Maker order id.
    pub maker_order_id: u64,
    /// Trade group id.
    pub trade_group_id: i64,
    /// STP mode that applied.
    pub self_trade_prevention_mode: SelfTradePreventionMode,
    /// Price.
    pub price: Decimal,
    /// Maker quantity that was prevented.
    pub maker_prevented_quantity: Decimal,
    /// Time, epoch ms.
    pub transact_time: u64,
}

/// An SOR allocation (`myAllocations`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Allocation {
    /// Symbol.
    pub symbol: String,
    /// Allocation id.
    pub allocation_id: u64,
    /// Allocation type.
    pub allocation_type: AllocationType,
    /// Order id.
    pub order_id: u64,
    /// Order list id; -1 outside a list.
    pub order_list_id: i64,
    /// Price.
    pub price: Decimal,
    /// Quantity.
    pub qty: Decimal,
    /// Quote quantity.
    pub quote_qty: Decimal,
    /// Commission.
    pub commission: Decimal,
    /// Commission asset.
    pub commission_asset: String,
    /// Time, epoch ms.
    pub time: u64,
    /// Whether the account bought.
    pub is_buyer: bool,
    /// Whether the account was the maker.
    pub is_maker: bool,
    /// Whether the account was the allocator.
    pub is_allocator: bool,
}

/// One amendment of an order (`order.amendments`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderAmendment {
    /// Symbol.
    pub symbol: String,
    /// Order id.
    pub order_id: u64,
    /// Execution id.
    pub execution_id: u64,
    /// Client order id before.
    pub orig_client_order_id: String,
    /// Client order id after.
    pub new_client_order_id: String,
    /// Quantity before.
    pub orig_qty: Decimal,
    /// Quantity after.
    pub new_qty: Decimal,
    /// Time, epoch ms.
    pub time: u64,
}

/// `myFilters`: the filters relevant to the account on a symbol.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MyFilters {
    /// Exchange filters.
    pub exchange_filters: Vec<Filter>,
    /// Symbol filters.
    pub symbol_filters: Vec<Filter>,
    /// Asset filters (`MAX_ASSET`).
    pub asset_filters: Vec<Filter>,
}
