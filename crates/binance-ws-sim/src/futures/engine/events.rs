//! What the futures engine tells the rest of the exchange: market events for the streams and user events for
//! the listenKey connections, in the order they happened.

use rust_decimal::Decimal;

use super::types::{FExecType, FOrder, PositionSide};
use crate::exchange::events::MarketEvent;
use crate::exchange::Side;

/// A mark price update.
#[derive(Debug, Clone, PartialEq)]
pub struct MarkUpdate {
    pub symbol: String,
    pub pair: String,
    pub mark: Decimal,
    pub index: Decimal,
    /// Estimated settle price (the simulator reports the index).
    pub settle: Decimal,
    pub funding_rate: Decimal,
    pub next_funding_time: u64,
    pub time_ms: u64,
}

/// A liquidation order's outcome (`forceOrder` stream).
#[derive(Debug, Clone, PartialEq)]
pub struct ForceOrder {
    pub symbol: String,
    pub pair: String,
    pub side: Side,
    pub qty: Decimal,
    pub price: Decimal,
    pub avg_price: Decimal,
    pub status: &'static str,
    pub last_qty: Decimal,
    pub filled_qty: Decimal,
    pub time_ms: u64,
}

/// Market events of a futures product.
#[derive(Debug, Clone, PartialEq)]
pub enum FMarketEvent {
    /// A trade or a book change (the same events the spot engine produces).
    Market(MarketEvent),
    /// A new mark/index price.
    Mark(MarkUpdate),
    /// A liquidation.
    ForceOrder(ForceOrder),
}

/// One ORDER_TRADE_UPDATE.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderUpdate {
    /// The order after the change.
    pub order: FOrder,
    pub exec_type: FExecType,
    pub transact_time: u64,
    pub last_qty: Decimal,
    pub last_price: Decimal,
    /// Commission of this fill (None: no commission, `N`/`n` are left out).
    pub commission: Option<(String, Decimal)>,
    pub trade_id: u64,
    pub is_maker: bool,
    /// Realized profit of this fill.
    pub realized_profit: Decimal,
    /// Notional of the account's open buy orders on the symbol after the change (`b`).
    pub bids_notional: Decimal,
    /// Notional of the account's open sell orders on the symbol after the change (`a`).
    pub asks_notional: Decimal,
}

/// One TRADE_LITE.
#[derive(Debug, Clone, PartialEq)]
pub struct TradeLite {
    pub symbol: String,
    pub orig_qty: Decimal,
    pub orig_price: Decimal,
    pub is_maker: bool,
    pub client_order_id: String,
    pub side: Side,
    pub last_price: Decimal,
    pub last_qty: Decimal,
    pub trade_id: u64,
    pub order_id: u64,
    pub time: u64,
}

/// A balance in ACCOUNT_UPDATE.
#[derive(Debug, Clone, PartialEq)]
pub struct BalanceUpdate {
    pub asset: String,
    pub wallet: Decimal,
    pub cross_wallet: Decimal,
    /// Balance change except PnL and commission (deposits, withdrawals).
    pub change: Decimal,
}

/// A position in ACCOUNT_UPDATE and MARGIN_CALL.
#[derive(Debug, Clone, PartialEq)]
pub struct PositionUpdate {
    pub symbol: String,
    pub side: PositionSide,
    pub amount: Decimal,
    pub entry_price: Decimal,
    pub break_even_price: Decimal,
    pub accumulated_realized: Decimal,
    pub unrealized: Decimal,
    pub margin_asset: String,
    pub mark_price: Decimal,
    pub maint_margin: Decimal,
}

/// A user data event of one account.
#[derive(Debug, Clone, PartialEq)]
pub enum FUserEvent {
    /// ORDER_TRADE_UPDATE.
    Order(Box<OrderUpdate>),
    /// TRADE_LITE (USD-M only).
    TradeLite(Box<TradeLite>),
    /// ACCOUNT_UPDATE with its reason (`m`).
    Account { reason: &'static str, time: u64, balances: Vec<BalanceUpdate>, positions: Vec<PositionUpdate> },
    /// MARGIN_CALL.
    MarginCall { time: u64, cross_wallet: Decimal, positions: Vec<PositionUpdate> },
    /// ACCOUNT_CONFIG_UPDATE for a leverage change.
    Leverage { time: u64, symbol: String, leverage: u32 },
}
