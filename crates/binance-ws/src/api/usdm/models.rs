//! Response types of the USDⓈ-M futures WebSocket API, with the field names of the USDⓈ-M pages.
//!
//! Prices, quantities and balances are [`Decimal`]; times are epoch milliseconds. A field is an
//! `Option` where the docs' examples of the same type differ (for example `avgPrice` is in the
//! `order.place` answer but not in the `order.cancel` one) or say a field is conditional.

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::api::spot::PriceLevel;
use crate::model::futures::de::{bool_lenient, u32_lenient};
use crate::model::futures::{MarginType, OrderStatus, OrderType, PositionSide, PriceMatch, TimeInForce, WorkingType};
use crate::model::{SelfTradePreventionMode, Side};

/// An order as `order.place`, `order.modify`, `order.cancel` and `order.status` return it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    /// Exchange order id.
    pub order_id: u64,
    /// Symbol.
    pub symbol: String,
    /// Status.
    pub status: OrderStatus,
    /// Client order id.
    pub client_order_id: String,
    /// Limit price (`0` for market-style orders).
    pub price: Decimal,
    /// Average fill price (not in the `order.cancel` answer).
    #[serde(default)]
    pub avg_price: Option<Decimal>,
    /// Ordered quantity.
    pub orig_qty: Decimal,
    /// Filled quantity.
    pub executed_qty: Decimal,
    /// Filled quantity (not in the `order.status` answer).
    #[serde(default)]
    pub cum_qty: Option<Decimal>,
    /// Filled quote amount.
    pub cum_quote: Decimal,
    /// Time in force.
    pub time_in_force: TimeInForce,
    /// Current type (a triggered stop becomes `LIMIT`/`MARKET`).
    #[serde(rename = "type")]
    pub order_type: OrderType,
    /// Reduce-only.
    pub reduce_only: bool,
    /// Close-All.
    pub close_position: bool,
    /// Side.
    pub side: Side,
    /// Position side.
    pub position_side: PositionSide,
    /// Trigger price (ignore for `TRAILING_STOP_MARKET`).
    pub stop_price: Decimal,
    /// What triggers the stop.
    pub working_type: WorkingType,
    /// Whether the trigger is price-protected.
    pub price_protect: bool,
    /// The type the order was placed with.
    pub orig_type: OrderType,
    /// Price match mode (not in the `order.status` answer).
    #[serde(default)]
    pub price_match: Option<PriceMatch>,
    /// Self-trade prevention mode (not in the `order.status` answer).
    #[serde(default)]
    pub self_trade_prevention_mode: Option<SelfTradePreventionMode>,
    /// Auto-cancel time of a `GTD` order, 0 otherwise (not in the `order.status` answer).
    #[serde(default)]
    pub good_till_date: Option<u64>,
    /// Order time (`order.status`).
    #[serde(default)]
    pub time: Option<u64>,
    /// Last update time.
    pub update_time: u64,
    /// Activation price (`TRAILING_STOP_MARKET` only).
    #[serde(default)]
    pub activate_price: Option<Decimal>,
    /// Callback rate (`TRAILING_STOP_MARKET` only).
    #[serde(default)]
    pub price_rate: Option<Decimal>,
}

/// `depth`: the order book.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DepthSnapshot {
    /// Last update id included (to join with the `@depth` stream).
    #[serde(rename = "lastUpdateId")]
    pub last_update_id: u64,
    /// Message output time.
    #[serde(rename = "E")]
    pub event_time: u64,
    /// Transaction time.
    #[serde(rename = "T")]
    pub transaction_time: u64,
    /// Bids, best first.
    pub bids: Vec<PriceLevel>,
    /// Asks, best first.
    pub asks: Vec<PriceLevel>,
}

/// `ticker.price`: the latest price of a symbol.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PriceTicker {
    /// Symbol.
    pub symbol: String,
    /// Latest price.
    pub price: Decimal,
    /// Transaction time.
    pub time: u64,
}

/// `ticker.book`: the best bid and ask of a symbol.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BookTicker {
    /// Book update id.
    pub last_update_id: u64,
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
    /// Transaction time.
    pub time: u64,
}

/// One asset of `account.balance` / `v2/account.balance`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Balance {
    /// Unique account code.
    pub account_alias: String,
    /// Asset.
    pub asset: String,
    /// Wallet balance.
    pub balance: Decimal,
    /// Cross wallet balance.
    pub cross_wallet_balance: Decimal,
    /// Unrealized profit of cross positions.
    pub cross_un_pnl: Decimal,
    /// Available balance.
    pub available_balance: Decimal,
    /// Most that can be transferred out.
    pub max_withdraw_amount: Decimal,
    /// Whether the asset can be margin in Multi-Assets mode.
    pub margin_available: bool,
    /// Last update time.
    pub update_time: u64,
}

/// An asset of `account.status` / `v2/account.status`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountAsset {
    /// Asset.
    pub asset: String,
    /// Wallet balance.
    pub wallet_balance: Decimal,
    /// Unrealized profit.
    pub unrealized_profit: Decimal,
    /// Margin balance.
    pub margin_balance: Decimal,
    /// Maintenance margin required.
    pub maint_margin: Decimal,
    /// Initial margin required at the current mark price.
    pub initial_margin: Decimal,
    /// Initial margin of positions.
    pub position_initial_margin: Decimal,
    /// Initial margin of open orders.
    pub open_order_initial_margin: Decimal,
    /// Cross wallet balance.
    pub cross_wallet_balance: Decimal,
    /// Unrealized profit of cross positions.
    pub cross_un_pnl: Decimal,
    /// Available balance.
    pub available_balance: Decimal,
    /// Most that can be transferred out.
    pub max_withdraw_amount: Decimal,
    /// Whether the asset can be margin in Multi-Assets mode (absent in single-asset mode answers of v2).
    #[serde(default)]
    pub margin_available: Option<bool>,
    /// Last update time.
    pub update_time: u64,
}

/// The account totals both `account.status` versions carry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountTotals {
    /// Total initial margin.
    pub total_initial_margin: Decimal,
    /// Total maintenance margin.
    pub total_maint_margin: Decimal,
    /// Total wallet balance.
    pub total_wallet_balance: Decimal,
    /// Total unrealized profit.
    pub total_unrealized_profit: Decimal,
    /// Total margin balance.
    pub total_margin_balance: Decimal,
    /// Initial margin of positions.
    pub total_position_initial_margin: Decimal,
    /// Initial margin of open orders.
    pub total_open_order_initial_margin: Decimal,
    /// Cross wallet balance.
    pub total_cross_wallet_balance: Decimal,
    /// Unrealized profit of cross positions.
    pub total_cross_un_pnl: Decimal,
    /// Available balance.
    pub available_balance: Decimal,
    /// Most that can be transferred out.
    pub max_withdraw_amount: Decimal,
}

/// `account.status`: the account, its assets and every symbol's position.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// Commission tier.
    pub fee_tier: u32,
    /// Whether the account can trade.
    pub can_trade: bool,
    /// Whether assets can be transferred in.
    pub can_deposit: bool,
    /// Whether assets can be transferred out.
    pub can_withdraw: bool,
    /// Reserved.
    pub update_time: u64,
    /// Multi-Assets mode.
    pub multi_assets_margin: bool,
    /// Trade group (-1: none).
    pub trade_group_id: i64,
    /// Totals (USDT in single-asset mode, USD value in Multi-Assets mode).
    #[serde(flatten)]
    pub totals: AccountTotals,
    /// Assets.
    pub assets: Vec<AccountAsset>,
    /// Positions.
    pub positions: Vec<AccountPosition>,
}

/// A position in `account.status`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountPosition {
    /// Symbol.
    pub symbol: String,
    /// Initial margin required at the current mark price.
    pub initial_margin: Decimal,
    /// Maintenance margin required.
    pub maint_margin: Decimal,
    /// Unrealized profit.
    pub unrealized_profit: Decimal,
    /// Initial margin of the position.
    pub position_initial_margin: Decimal,
    /// Initial margin of open orders.
    pub open_order_initial_margin: Decimal,
    /// Leverage.
    #[serde(deserialize_with = "u32_lenient")]
    pub leverage: u32,
    /// Isolated margin.
    pub isolated: bool,
    /// Average entry price.
    pub entry_price: Decimal,
    /// Break-even price (not in every example).
    #[serde(default)]
    pub break_even_price: Option<Decimal>,
    /// Largest notional at the current leverage.
    pub max_notional: Decimal,
    /// Bids notional.
    pub bid_notional: Decimal,
    /// Asks notional.
    pub ask_notional: Decimal,
    /// Position side.
    pub position_side: PositionSide,
    /// Position amount.
    pub position_amt: Decimal,
    /// Last update time.
    pub update_time: u64,
}

/// `v2/account.status`: the account's totals, assets and open positions.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountV2 {
    /// Totals (USDT in single-asset mode, USD value in Multi-Assets mode).
    #[serde(flatten)]
    pub totals: AccountTotals,
    /// Assets.
    pub assets: Vec<AccountAsset>,
    /// Positions with an amount or open orders.
    pub positions: Vec<AccountPositionV2>,
}

/// A position in `v2/account.status`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountPositionV2 {
    /// Symbol.
    pub symbol: String,
    /// Position side.
    pub position_side: PositionSide,
    /// Position amount.
    pub position_amt: Decimal,
    /// Unrealized profit.
    pub unrealized_profit: Decimal,
    /// Isolated margin.
    pub isolated_margin: Decimal,
    /// Notional value.
    pub notional: Decimal,
    /// Isolated wallet.
    pub isolated_wallet: Decimal,
    /// Initial margin required at the current mark price.
    pub initial_margin: Decimal,
    /// Maintenance margin required.
    pub maint_margin: Decimal,
    /// Last update time.
    pub update_time: u64,
}

/// A position of `account.position`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Position {
    /// Symbol.
    pub symbol: String,
    /// Position amount.
    pub position_amt: Decimal,
    /// Average entry price.
    pub entry_price: Decimal,
    /// Break-even price.
    pub break_even_price: Decimal,
    /// Mark price.
    pub mark_price: Decimal,
    /// Unrealized profit.
    pub un_realized_profit: Decimal,
    /// Liquidation price.
    pub liquidation_price: Decimal,
    /// Leverage.
    #[serde(deserialize_with = "u32_lenient")]
    pub leverage: u32,
    /// Largest notional at the current leverage.
    pub max_notional_value: Decimal,
    /// Margin type.
    pub margin_type: MarginType,
    /// Isolated margin.
    pub isolated_margin: Decimal,
    /// Whether margin is added automatically (sent as `"true"`/`"false"`).
    #[serde(deserialize_with = "bool_lenient")]
    pub is_auto_add_margin: bool,
    /// Position side.
    pub position_side: PositionSide,
    /// Notional value.
    pub notional: Decimal,
    /// Isolated wallet.
    pub isolated_wallet: Decimal,
    /// Last update time.
    pub update_time: u64,
}

/// A position of `v2/account.position`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PositionV2 {
    /// Symbol.
    pub symbol: String,
    /// Position side.
    pub position_side: PositionSide,
    /// Position amount.
    pub position_amt: Decimal,
    /// Average entry price.
    pub entry_price: Decimal,
    /// Break-even price.
    pub break_even_price: Decimal,
    /// Mark price.
    pub mark_price: Decimal,
    /// Unrealized profit.
    pub unrealized_profit: Decimal,
    /// Liquidation price.
    pub liquidation_price: Decimal,
    /// Isolated margin.
    pub isolated_margin: Decimal,
    /// Notional value.
    pub notional: Decimal,
    /// Margin asset.
    pub margin_asset: String,
    /// Isolated wallet.
    pub isolated_wallet: Decimal,
    /// Initial margin required at the current mark price.
    pub initial_margin: Decimal,
    /// Maintenance margin required.
    pub maint_margin: Decimal,
    /// Initial margin of the position.
    pub position_initial_margin: Decimal,
    /// Initial margin of open orders.
    pub open_order_initial_margin: Decimal,
    /// Auto-deleverage quantile.
    pub adl: u32,
    /// Bids notional.
    pub bid_notional: Decimal,
    /// Asks notional.
    pub ask_notional: Decimal,
    /// Last update time.
    pub update_time: u64,
}
