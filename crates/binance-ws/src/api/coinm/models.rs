//! Response types of the COIN-M futures WebSocket API, with the field names of the COIN-M pages.
//!
//! Quantities are numbers of contracts; prices and balances are [`Decimal`]; times are epoch
//! milliseconds. A field is an `Option` where the docs' examples of the same type differ.

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::model::futures::de::{bool_lenient, u32_lenient};
use crate::model::futures::{MarginType, OrderStatus, OrderType, PositionSide, PriceMatch, TimeInForce, WorkingType};
use crate::model::{SelfTradePreventionMode, Side};

/// An order as `order.place`, `order.modify`, `order.cancel` and `order.status` return it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    /// Exchange order id.
    pub order_id: u64,
    /// Symbol (`BTCUSD_PERP`).
    pub symbol: String,
    /// Underlying pair (`BTCUSD`).
    pub pair: String,
    /// Status.
    pub status: OrderStatus,
    /// Client order id.
    pub client_order_id: String,
    /// Limit price.
    pub price: Decimal,
    /// Average fill price.
    pub avg_price: Decimal,
    /// Ordered contracts.
    pub orig_qty: Decimal,
    /// Filled contracts.
    pub executed_qty: Decimal,
    /// Filled contracts (not in the `order.status` answer).
    #[serde(default)]
    pub cum_qty: Option<Decimal>,
    /// Filled amount in the base asset.
    pub cum_base: Decimal,
    /// Time in force.
    pub time_in_force: TimeInForce,
    /// Current type.
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
    /// Trigger price.
    pub stop_price: Decimal,
    /// What triggers the stop.
    pub working_type: WorkingType,
    /// Whether the trigger is price-protected.
    pub price_protect: bool,
    /// The type the order was placed with.
    pub orig_type: OrderType,
    /// Self-trade prevention mode (`order.status`).
    #[serde(default)]
    pub self_trade_prevention_mode: Option<SelfTradePreventionMode>,
    /// Price match mode (`order.status`).
    #[serde(default)]
    pub price_match: Option<PriceMatch>,
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

/// One asset of `account.balance`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Balance {
    /// Unique account code.
    pub account_alias: String,
    /// Asset.
    pub asset: String,
    /// Wallet balance.
    pub balance: Decimal,
    /// Amount available for transfer out.
    pub withdraw_available: Decimal,
    /// Cross wallet balance.
    pub cross_wallet_balance: Decimal,
    /// Unrealized profit of cross positions.
    pub cross_un_pnl: Decimal,
    /// Available balance.
    pub available_balance: Decimal,
    /// Last update time.
    pub update_time: u64,
}

/// `account.status`: the account, its assets and positions.
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
    /// Assets.
    pub assets: Vec<AccountAsset>,
    /// Positions.
    pub positions: Vec<AccountPosition>,
}

/// An asset of `account.status`.
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
    /// Initial margin required.
    pub initial_margin: Decimal,
    /// Initial margin of positions.
    pub position_initial_margin: Decimal,
    /// Initial margin of open orders.
    pub open_order_initial_margin: Decimal,
    /// Most that can be transferred out.
    pub max_withdraw_amount: Decimal,
    /// Cross wallet balance.
    pub cross_wallet_balance: Decimal,
    /// Unrealized profit of cross positions.
    pub cross_un_pnl: Decimal,
    /// Available balance.
    pub available_balance: Decimal,
    /// Last update time.
    pub update_time: u64,
}

/// A position in `account.status`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountPosition {
    /// Symbol.
    pub symbol: String,
    /// Initial margin required.
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
    /// Position side.
    pub position_side: PositionSide,
    /// Average entry price.
    pub entry_price: Decimal,
    /// Most contracts at the current leverage.
    pub max_qty: Decimal,
    /// Notional value.
    pub notional_value: Decimal,
    /// Isolated wallet.
    pub isolated_wallet: Decimal,
    /// Last update time.
    pub update_time: u64,
    /// Position amount (contracts).
    pub position_amt: Decimal,
    /// Break-even price.
    pub break_even_price: Decimal,
}

/// A position of `account.position`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Position {
    /// Symbol.
    pub symbol: String,
    /// Position amount (contracts).
    pub position_amt: Decimal,
    /// Average entry price.
    pub entry_price: Decimal,
    /// Mark price.
    pub mark_price: Decimal,
    /// Unrealized profit.
    pub un_realized_profit: Decimal,
    /// Liquidation price.
    pub liquidation_price: Decimal,
    /// Leverage.
    #[serde(deserialize_with = "u32_lenient")]
    pub leverage: u32,
    /// Most contracts at the current leverage.
    pub max_qty: Decimal,
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
    pub notional_value: Decimal,
    /// Isolated wallet.
    pub isolated_wallet: Decimal,
    /// Last update time.
    pub update_time: u64,
    /// Break-even price.
    pub break_even_price: Decimal,
}
