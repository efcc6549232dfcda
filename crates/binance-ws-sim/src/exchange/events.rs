//! What the matching engine tells the rest of the local exchange: every trade and every change of a book.
//! The stream server and the market statistics are built from these alone.

use rust_decimal::Decimal;

/// One fill between a taker and a resting maker order.
#[derive(Debug, Clone, PartialEq)]
pub struct Trade {
    /// Upper-case symbol, e.g. `BTCUSDT`.
    pub symbol: String,
    /// Per-symbol trade id, from 1, without gaps.
    pub id: u64,
    /// Execution price (the maker's price).
    pub price: Decimal,
    /// Base quantity.
    pub qty: Decimal,
    /// price x qty.
    pub quote_qty: Decimal,
    /// Engine time in epoch milliseconds.
    pub time_ms: u64,
    /// Order id of the buy side.
    pub buyer_order_id: u64,
    /// Order id of the sell side.
    pub seller_order_id: u64,
    /// True when the buyer was the resting (maker) order.
    pub buyer_is_maker: bool,
}

/// A change of one symbol's book, covering update ids `first_update_id..=final_update_id`.
/// Levels carry the new total quantity at the price; zero means the level is gone.
#[derive(Debug, Clone, PartialEq)]
pub struct DepthDiff {
    /// Upper-case symbol.
    pub symbol: String,
    /// First update id in this diff (previous diff's `final_update_id` + 1).
    pub first_update_id: u64,
    /// Last update id in this diff; the book's `last_update_id` after it.
    pub final_update_id: u64,
    /// Engine time in epoch milliseconds.
    pub time_ms: u64,
    /// Changed bid levels (price, new quantity), best first.
    pub bids: Vec<(Decimal, Decimal)>,
    /// Changed ask levels (price, new quantity), best first.
    pub asks: Vec<(Decimal, Decimal)>,
}

/// A snapshot of the top of a book.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DepthSnapshot {
    /// The book's last update id at the moment of the snapshot.
    pub last_update_id: u64,
    /// Bid levels, best (highest) first.
    pub bids: Vec<(Decimal, Decimal)>,
    /// Ask levels, best (lowest) first.
    pub asks: Vec<(Decimal, Decimal)>,
}

/// Market events in the order they happened.
#[derive(Debug, Clone, PartialEq)]
pub enum MarketEvent {
    /// A fill.
    Trade(Trade),
    /// A change of a book.
    Depth(DepthDiff),
}

pub use super::account::Balance;
pub use super::order::{AccountId, ExecType, Order, RejectReason};

/// STP details of a `TRADE_PREVENTION` execution report.
#[derive(Debug, Clone, PartialEq)]
pub struct PreventionInfo {
    /// `v`: the prevented match id.
    pub prevented_match_id: u64,
    /// `B`: quantity prevented by this match for this order.
    pub last_prevented_qty: Decimal,
    /// `u`: trade group id (the simulator uses the account id).
    pub trade_group_id: i64,
    /// `U`: the other order of the prevented match.
    pub counter_order_id: u64,
    /// `Cs`: the other order's symbol.
    pub counter_symbol: String,
    /// `pl`: quantity that would have traded.
    pub prevented_execution_qty: Decimal,
    /// `pL`: price it would have traded at.
    pub prevented_execution_price: Decimal,
    /// `pY`: pl x pL.
    pub prevented_execution_quote_qty: Decimal,
}

/// Everything an `executionReport` needs. The order snapshot is taken after the change
/// (its `status`, `executed_qty` (`z`), `cumulative_quote_qty` (`Z`), `prevented_qty` (`A`), `is_working` (`w`),
/// `working_time` (`W`), `expiry_reason` (`eR`)...).
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutionReport {
    /// `E` and `T`: the transaction time.
    pub transact_time: u64,
    /// The order after the change.
    pub order: Order,
    /// `x`.
    pub exec_type: ExecType,
    /// `C`: the client order id before a cancel or amendment; empty otherwise.
    pub orig_client_order_id: String,
    /// `r`.
    pub reject_reason: RejectReason,
    /// `l`.
    pub last_qty: Decimal,
    /// `L`.
    pub last_price: Decimal,
    /// `Y`.
    pub last_quote_qty: Decimal,
    /// `n`.
    pub commission: Decimal,
    /// `N`: None when no commission was charged in this execution.
    pub commission_asset: Option<String>,
    /// `t`: -1 unless a trade.
    pub trade_id: i64,
    /// `I`.
    pub execution_id: u64,
    /// `m`.
    pub is_maker: bool,
    /// Set for `TRADE_PREVENTION`.
    pub prevention: Option<PreventionInfo>,
}

/// One order of a list, as in `listStatus`'s `O` and a list's `orders`.
#[derive(Debug, Clone, PartialEq)]
pub struct ListOrderRef {
    pub symbol: String,
    pub order_id: u64,
    pub client_order_id: String,
}

/// An order list's status (`listStatus` event and the list part of responses).
#[derive(Debug, Clone, PartialEq)]
pub struct ListStatus {
    pub symbol: String,
    pub order_list_id: u64,
    /// `OCO` or `OTO` (OTOCO lists are `OTO`).
    pub contingency_type: super::order::ContingencyType,
    pub list_status_type: super::order::ListStatusType,
    pub list_order_status: super::order::ListOrderStatus,
    /// `r`: always NONE for lists that were placed.
    pub list_reject_reason: RejectReason,
    pub list_client_order_id: String,
    pub transaction_time: u64,
    pub orders: Vec<ListOrderRef>,
}

/// A user data event for one account.
#[derive(Debug, Clone, PartialEq)]
pub enum UserEvent {
    /// `executionReport`.
    Execution(Box<ExecutionReport>),
    /// `outboundAccountPosition`: the assets whose balance changed in one operation, with their new balances.
    AccountPosition { event_time: u64, last_update_time: u64, balances: Vec<(String, Balance)> },
    /// `balanceUpdate`.
    BalanceUpdate { event_time: u64, asset: String, delta: Decimal, clear_time: u64 },
    /// `listStatus`.
    ListStatus(ListStatus),
    /// `externalLockUpdate`: `delta` moved from free to locked (negative: back) by a system outside spot
    /// trading, such as margin collateral.
    ExternalLock { event_time: u64, asset: String, delta: Decimal, transaction_time: u64 },
}
