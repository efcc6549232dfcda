//! The typed events of the futures user data streams, with the field names of the `*-streams.yaml`
//! AsyncAPI specs (`userDataStream` channel). One type serves both products: fields only one product
//! sends (COIN-M's account alias `i`, USDⓈ-M's `gtd`) are `Option`s.

use std::time::Duration;

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::model::futures::de::u64_lenient;
use crate::model::futures::{
    ExecutionType, MarginType, OrderStatus, OrderType, PositionSide, PriceMatch, TimeInForce, UpdateReason, WorkingType,
};
use crate::model::{SelfTradePreventionMode, Side};

/// One item of a futures user data stream: an account event, or a notice about the stream itself.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
// Order updates are the common case: boxing them would cost an allocation per event.
#[allow(clippy::large_enum_variant)]
pub enum UserEvent {
    /// `ORDER_TRADE_UPDATE`: an order was placed, filled, canceled, expired or amended.
    OrderTradeUpdate(OrderTradeUpdate),
    /// `TRADE_LITE`: a fill, reported faster and with fewer fields (USDⓈ-M).
    TradeLite(TradeLite),
    /// `ACCOUNT_UPDATE`: balances and positions changed.
    AccountUpdate(AccountUpdate),
    /// `MARGIN_CALL`: positions are close to liquidation.
    MarginCall(MarginCall),
    /// `ACCOUNT_CONFIG_UPDATE`: leverage or Multi-Assets mode changed.
    AccountConfigUpdate(AccountConfigUpdate),
    /// `listenKeyExpired`: the listen key ran out; the stream renews it by itself (a [`Notice`] follows).
    ListenKeyExpired(ListenKeyExpired),
    /// An event type this library does not decode, kept as it came.
    Unknown {
        /// The event's `e`.
        event_type: String,
        /// The whole event object.
        raw: String,
    },
    /// A change of the stream itself (connection, listen key, lost events).
    Notice(Notice),
}

impl UserEvent {
    /// True for [`UserEvent::Notice`].
    pub fn is_notice(&self) -> bool {
        matches!(self, UserEvent::Notice(_))
    }

    /// The event time (`E`, the exchange's clock) of an account event; `None` for notices, unknown events and
    /// `listenKeyExpired` (which says when the expiry was noticed, not an account change).
    ///
    /// ```
    /// use binance_ws::user_data::futures::decode_event;
    /// let ev = decode_event(br#"{"e":"ACCOUNT_CONFIG_UPDATE","E":1611646737479,"T":1611646737476,"ac":{"s":"BTCUSDT","l":25}}"#).unwrap();
    /// assert_eq!(ev.event_time(), Some(1611646737479));
    /// ```
    pub fn event_time(&self) -> Option<u64> {
        match self {
            UserEvent::OrderTradeUpdate(e) => Some(e.event_time),
            UserEvent::TradeLite(e) => Some(e.event_time),
            UserEvent::AccountUpdate(e) => Some(e.event_time),
            UserEvent::MarginCall(e) => Some(e.event_time),
            UserEvent::AccountConfigUpdate(e) => Some(e.event_time),
            UserEvent::ListenKeyExpired(_) | UserEvent::Unknown { .. } | UserEvent::Notice(_) => None,
        }
    }
}

/// What happened to the user data stream. [`Notice::EventsMayBeMissing`] is the one to act on:
/// reconcile with `account.status` and `order.status` over the API.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Notice {
    /// Connected to the stream (the first time, or again after a drop or a new listen key).
    Connected {
        /// How many connections were made before this one.
        reconnects: u64,
    },
    /// The stream connection dropped; a reconnect follows.
    Disconnected {
        /// Why.
        reason: String,
    },
    /// Events between `since_ms` and now may not have been delivered (the connection was down, or the
    /// listen key expired or was replaced). Query `account.status`, `v2/account.position` and
    /// `order.status` to catch up.
    EventsMayBeMissing {
        /// Why.
        reason: String,
        /// Epoch ms, in the exchange's clock, from which events may be missing: the event time of the last
        /// event delivered before the gap (or the stream's start). Orders whose `updateTime` is at or after it
        /// may have changed unseen.
        since_ms: u64,
        /// How long the stream was down, if it was.
        down_for: Option<Duration>,
    },
    /// A new listen key was obtained (`userDataStream.start`) and the stream moved to it.
    ListenKeyRenewed {
        /// Why.
        reason: String,
    },
    /// A `userDataStream.ping` failed; it is retried (and the key renewed if it no longer exists).
    KeepaliveFailed {
        /// The error.
        error: String,
    },
    /// The consumer fell behind and this many events were dropped (oldest first).
    Lagged {
        /// Events dropped.
        dropped: u64,
    },
    /// A frame could not be decoded; it is skipped.
    Malformed {
        /// The decoder's message.
        error: String,
        /// The start of the frame.
        frame: String,
    },
    /// The stream ended for good (closed by the user, or the API connection is gone).
    Closed {
        /// Why.
        reason: String,
    },
}

/// `ORDER_TRADE_UPDATE`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct OrderTradeUpdate {
    /// Event time.
    #[serde(rename = "E")]
    pub event_time: u64,
    /// Transaction time.
    #[serde(rename = "T")]
    pub transaction_time: u64,
    /// Account alias (COIN-M).
    #[serde(rename = "i", default)]
    pub account_alias: Option<String>,
    /// The order.
    #[serde(rename = "o")]
    pub order: OrderUpdate,
}

/// The order of an `ORDER_TRADE_UPDATE` (`o`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct OrderUpdate {
    /// Symbol (`s`).
    #[serde(rename = "s")]
    pub symbol: String,
    /// Client order id (`c`).
    #[serde(rename = "c")]
    pub client_order_id: String,
    /// Side (`S`).
    #[serde(rename = "S")]
    pub side: Side,
    /// Order type (`o`).
    #[serde(rename = "o")]
    pub order_type: OrderType,
    /// Time in force (`f`).
    #[serde(rename = "f")]
    pub time_in_force: TimeInForce,
    /// Original quantity (`q`).
    #[serde(rename = "q")]
    pub orig_qty: Decimal,
    /// Original price (`p`).
    #[serde(rename = "p")]
    pub price: Decimal,
    /// Average price (`ap`).
    #[serde(rename = "ap")]
    pub avg_price: Decimal,
    /// Stop price (`sp`).
    #[serde(rename = "sp")]
    pub stop_price: Decimal,
    /// Execution type (`x`).
    #[serde(rename = "x")]
    pub execution_type: ExecutionType,
    /// Order status (`X`).
    #[serde(rename = "X")]
    pub status: OrderStatus,
    /// Order id (`i`).
    #[serde(rename = "i")]
    pub order_id: u64,
    /// Last filled quantity (`l`).
    #[serde(rename = "l")]
    pub last_filled_qty: Decimal,
    /// Accumulated filled quantity (`z`).
    #[serde(rename = "z")]
    pub filled_qty: Decimal,
    /// Last filled price (`L`).
    #[serde(rename = "L")]
    pub last_filled_price: Decimal,
    /// Commission asset (`N`; absent without commission).
    #[serde(rename = "N", default)]
    pub commission_asset: Option<String>,
    /// Commission (`n`; absent without commission).
    #[serde(rename = "n", default)]
    pub commission: Option<Decimal>,
    /// Trade time (`T`).
    #[serde(rename = "T")]
    pub trade_time: u64,
    /// Trade id (`t`).
    #[serde(rename = "t")]
    pub trade_id: i64,
    /// Bids notional (`b`).
    #[serde(rename = "b")]
    pub bids_notional: Decimal,
    /// Asks notional (`a`).
    #[serde(rename = "a")]
    pub asks_notional: Decimal,
    /// Whether the fill was on the maker side (`m`).
    #[serde(rename = "m")]
    pub is_maker: bool,
    /// Reduce-only (`R`).
    #[serde(rename = "R")]
    pub reduce_only: bool,
    /// Stop price working type (`wt`).
    #[serde(rename = "wt")]
    pub working_type: WorkingType,
    /// Original order type (`ot`).
    #[serde(rename = "ot")]
    pub orig_type: OrderType,
    /// Position side (`ps`).
    #[serde(rename = "ps")]
    pub position_side: PositionSide,
    /// Close-All (`cp`).
    #[serde(rename = "cp")]
    pub close_position: bool,
    /// Activation price (`AP`, `TRAILING_STOP_MARKET`).
    #[serde(rename = "AP", default)]
    pub activation_price: Option<Decimal>,
    /// Callback rate (`cr`, `TRAILING_STOP_MARKET`).
    #[serde(rename = "cr", default)]
    pub callback_rate: Option<Decimal>,
    /// Price protection (`pP`).
    #[serde(rename = "pP", default)]
    pub price_protect: Option<bool>,
    /// Realized profit of the trade (`rp`).
    #[serde(rename = "rp")]
    pub realized_profit: Decimal,
    /// Self-trade prevention mode (`V`).
    #[serde(rename = "V", default)]
    pub self_trade_prevention_mode: Option<SelfTradePreventionMode>,
    /// Price match mode (`pm`).
    #[serde(rename = "pm", default)]
    pub price_match: Option<PriceMatch>,
    /// Auto-cancel time of a `GTD` order (`gtd`, USDⓈ-M).
    #[serde(rename = "gtd", default)]
    pub good_till_date: Option<u64>,
}

/// `TRADE_LITE`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TradeLite {
    /// Event time.
    #[serde(rename = "E")]
    pub event_time: u64,
    /// Transaction time.
    #[serde(rename = "T")]
    pub transaction_time: u64,
    /// Symbol.
    #[serde(rename = "s")]
    pub symbol: String,
    /// Original quantity.
    #[serde(rename = "q")]
    pub orig_qty: Decimal,
    /// Original price.
    #[serde(rename = "p")]
    pub price: Decimal,
    /// Maker side.
    #[serde(rename = "m")]
    pub is_maker: bool,
    /// Client order id.
    #[serde(rename = "c")]
    pub client_order_id: String,
    /// Side.
    #[serde(rename = "S")]
    pub side: Side,
    /// Last filled price.
    #[serde(rename = "L")]
    pub last_filled_price: Decimal,
    /// Last filled quantity.
    #[serde(rename = "l")]
    pub last_filled_qty: Decimal,
    /// Trade id.
    #[serde(rename = "t")]
    pub trade_id: i64,
    /// Order id.
    #[serde(rename = "i")]
    pub order_id: u64,
}

/// `ACCOUNT_UPDATE`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AccountUpdate {
    /// Event time.
    #[serde(rename = "E")]
    pub event_time: u64,
    /// Transaction time.
    #[serde(rename = "T")]
    pub transaction_time: u64,
    /// Account alias (COIN-M).
    #[serde(rename = "i", default)]
    pub account_alias: Option<String>,
    /// What changed.
    #[serde(rename = "a")]
    pub update: AccountUpdateData,
}

/// The `a` object of an `ACCOUNT_UPDATE`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AccountUpdateData {
    /// Why (`m`).
    #[serde(rename = "m")]
    pub reason: UpdateReason,
    /// Balances that changed (`B`).
    #[serde(rename = "B")]
    pub balances: Vec<BalanceUpdate>,
    /// Positions that changed (`P`).
    #[serde(rename = "P")]
    pub positions: Vec<PositionUpdate>,
}

/// A balance of an `ACCOUNT_UPDATE`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct BalanceUpdate {
    /// Asset (`a`).
    #[serde(rename = "a")]
    pub asset: String,
    /// Wallet balance (`wb`).
    #[serde(rename = "wb")]
    pub wallet_balance: Decimal,
    /// Cross wallet balance (`cw`).
    #[serde(rename = "cw")]
    pub cross_wallet_balance: Decimal,
    /// Balance change except PnL and commission (`bc`).
    #[serde(rename = "bc")]
    pub balance_change: Decimal,
}

/// A position of an `ACCOUNT_UPDATE`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PositionUpdate {
    /// Symbol (`s`).
    #[serde(rename = "s")]
    pub symbol: String,
    /// Position amount (`pa`).
    #[serde(rename = "pa")]
    pub position_amt: Decimal,
    /// Entry price (`ep`).
    #[serde(rename = "ep")]
    pub entry_price: Decimal,
    /// Break-even price (`bep`).
    #[serde(rename = "bep", default)]
    pub break_even_price: Option<Decimal>,
    /// Accumulated realized PnL (`cr`).
    #[serde(rename = "cr")]
    pub accumulated_realized: Decimal,
    /// Unrealized PnL (`up`).
    #[serde(rename = "up")]
    pub unrealized_pnl: Decimal,
    /// Margin type (`mt`).
    #[serde(rename = "mt")]
    pub margin_type: MarginType,
    /// Isolated wallet (`iw`).
    #[serde(rename = "iw")]
    pub isolated_wallet: Decimal,
    /// Position side (`ps`).
    #[serde(rename = "ps")]
    pub position_side: PositionSide,
}

/// `MARGIN_CALL`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MarginCall {
    /// Event time.
    #[serde(rename = "E")]
    pub event_time: u64,
    /// Account alias (COIN-M).
    #[serde(rename = "i", default)]
    pub account_alias: Option<String>,
    /// Cross wallet balance (`cw`; cross positions only).
    #[serde(rename = "cw", default)]
    pub cross_wallet_balance: Option<Decimal>,
    /// The positions under margin call (`p`).
    #[serde(rename = "p")]
    pub positions: Vec<MarginCallPosition>,
}

/// A position of a `MARGIN_CALL`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MarginCallPosition {
    /// Symbol (`s`).
    #[serde(rename = "s")]
    pub symbol: String,
    /// Position side (`ps`).
    #[serde(rename = "ps")]
    pub position_side: PositionSide,
    /// Position amount (`pa`).
    #[serde(rename = "pa")]
    pub position_amt: Decimal,
    /// Margin type (`mt`).
    #[serde(rename = "mt")]
    pub margin_type: MarginType,
    /// Isolated wallet (`iw`).
    #[serde(rename = "iw")]
    pub isolated_wallet: Decimal,
    /// Mark price (`mp`).
    #[serde(rename = "mp")]
    pub mark_price: Decimal,
    /// Unrealized PnL (`up`).
    #[serde(rename = "up")]
    pub unrealized_pnl: Decimal,
    /// Maintenance margin required (`mm`).
    #[serde(rename = "mm")]
    pub maint_margin: Decimal,
}

/// `ACCOUNT_CONFIG_UPDATE`: a symbol's leverage (`ac`) or the Multi-Assets mode (`ai`) changed.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AccountConfigUpdate {
    /// Event time.
    #[serde(rename = "E")]
    pub event_time: u64,
    /// Transaction time.
    #[serde(rename = "T")]
    pub transaction_time: u64,
    /// Leverage change.
    #[serde(rename = "ac", default)]
    pub leverage: Option<LeverageUpdate>,
    /// Multi-Assets mode change (USDⓈ-M).
    #[serde(rename = "ai", default)]
    pub multi_assets: Option<MultiAssetsUpdate>,
}

/// The `ac` object of an `ACCOUNT_CONFIG_UPDATE`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LeverageUpdate {
    /// Symbol (`s`).
    #[serde(rename = "s")]
    pub symbol: String,
    /// New leverage (`l`).
    #[serde(rename = "l")]
    pub leverage: u32,
}

/// The `ai` object of an `ACCOUNT_CONFIG_UPDATE`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MultiAssetsUpdate {
    /// Multi-Assets mode on (`j`).
    #[serde(rename = "j")]
    pub multi_assets_margin: bool,
}

/// `listenKeyExpired`. `Debug` shows only the start of the key.
#[derive(Clone, PartialEq, Eq, Deserialize)]
pub struct ListenKeyExpired {
    /// Event time (sent as a number or a string).
    #[serde(rename = "E", deserialize_with = "u64_lenient")]
    pub event_time: u64,
    /// The key that expired.
    #[serde(rename = "listenKey")]
    pub listen_key: String,
}

impl std::fmt::Debug for ListenKeyExpired {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ListenKeyExpired")
            .field("event_time", &self.event_time)
            .field("listen_key", &crate::api::futures::redact_key(&self.listen_key))
            .finish()
    }
}
