//! Futures order enums (values as the futures WebSocket API and user data stream docs spell them), the order
//! record and the new-order request.

use rust_decimal::Decimal;

use crate::exchange::order::wire_enum;
use crate::exchange::{AccountId, Side};

wire_enum!(/// Futures order type (`LIQUIDATION` only for the exchange's own liquidation orders).
    FOrderType {
    Limit = "LIMIT", Market = "MARKET", Stop = "STOP", StopMarket = "STOP_MARKET", TakeProfit = "TAKE_PROFIT",
    TakeProfitMarket = "TAKE_PROFIT_MARKET", TrailingStopMarket = "TRAILING_STOP_MARKET", Liquidation = "LIQUIDATION",
});
wire_enum!(/// Time in force; GTX is post-only, GTD good till `goodTillDate`.
    FTimeInForce { Gtc = "GTC", Ioc = "IOC", Fok = "FOK", Gtx = "GTX", Gtd = "GTD" });
wire_enum!(/// Position side: BOTH in one-way mode, LONG or SHORT in hedge mode.
    PositionSide { Both = "BOTH", Long = "LONG", Short = "SHORT" });
wire_enum!(/// Which price triggers a conditional order.
    WorkingType { MarkPrice = "MARK_PRICE", ContractPrice = "CONTRACT_PRICE" });
wire_enum!(/// How a LIMIT/STOP/TAKE_PROFIT order's price is chosen from the book.
    PriceMatch {
    None = "NONE", Opponent = "OPPONENT", Opponent5 = "OPPONENT_5", Opponent10 = "OPPONENT_10",
    Opponent20 = "OPPONENT_20", Queue = "QUEUE", Queue5 = "QUEUE_5", Queue10 = "QUEUE_10", Queue20 = "QUEUE_20",
});
wire_enum!(/// Self-trade prevention (futures know no DECREMENT).
    FStpMode { None = "NONE", ExpireTaker = "EXPIRE_TAKER", ExpireMaker = "EXPIRE_MAKER", ExpireBoth = "EXPIRE_BOTH" });
wire_enum!(/// Order status.
    FOrderStatus {
    New = "NEW", PartiallyFilled = "PARTIALLY_FILLED", Filled = "FILLED", Canceled = "CANCELED", Expired = "EXPIRED",
    ExpiredInMatch = "EXPIRED_IN_MATCH",
});
wire_enum!(/// Execution type of ORDER_TRADE_UPDATE (`x`).
    FExecType {
    New = "NEW", Canceled = "CANCELED", Calculated = "CALCULATED", Expired = "EXPIRED", Trade = "TRADE",
    Amendment = "AMENDMENT",
});
wire_enum!(/// newOrderRespType.
    RespType { Ack = "ACK", Result = "RESULT" });

impl FOrderType {
    /// STOP, STOP_MARKET, TAKE_PROFIT, TAKE_PROFIT_MARKET, TRAILING_STOP_MARKET: orders that wait for a trigger.
    pub fn is_conditional(self) -> bool {
        matches!(
            self,
            Self::Stop | Self::StopMarket | Self::TakeProfit | Self::TakeProfitMarket | Self::TrailingStopMarket
        )
    }
    /// Whether the order executes at market once working.
    pub fn is_market_like(self) -> bool {
        matches!(
            self,
            Self::Market | Self::StopMarket | Self::TakeProfitMarket | Self::TrailingStopMarket | Self::Liquidation
        )
    }
    /// STOP and STOP_MARKET.
    pub fn is_stop(self) -> bool {
        matches!(self, Self::Stop | Self::StopMarket)
    }
    /// What a conditional order becomes when triggered.
    pub fn triggered_as(self) -> FOrderType {
        match self {
            Self::Stop | Self::TakeProfit => Self::Limit,
            Self::StopMarket | Self::TakeProfitMarket | Self::TrailingStopMarket => Self::Market,
            other => other,
        }
    }
}

impl FOrderStatus {
    /// NEW or PARTIALLY_FILLED.
    pub fn is_open(self) -> bool {
        matches!(self, Self::New | Self::PartiallyFilled)
    }
}

impl PriceMatch {
    /// (opposite side?, level 1..=20) of a price match mode; None for NONE.
    pub fn level(self) -> Option<(bool, usize)> {
        match self {
            Self::None => None,
            Self::Opponent => Some((true, 1)),
            Self::Opponent5 => Some((true, 5)),
            Self::Opponent10 => Some((true, 10)),
            Self::Opponent20 => Some((true, 20)),
            Self::Queue => Some((false, 1)),
            Self::Queue5 => Some((false, 5)),
            Self::Queue10 => Some((false, 10)),
            Self::Queue20 => Some((false, 20)),
        }
    }
}

/// A futures order as the exchange keeps it; snapshots of it go into replies and events.
#[derive(Debug, Clone, PartialEq)]
pub struct FOrder {
    pub symbol: String,
    pub order_id: u64,
    pub client_order_id: String,
    pub account: AccountId,
    pub side: Side,
    pub position_side: PositionSide,
    /// The current type: a triggered STOP_MARKET is a MARKET order (its `orig_type` stays STOP_MARKET).
    pub order_type: FOrderType,
    pub orig_type: FOrderType,
    pub time_in_force: FTimeInForce,
    /// Zero for orders without a limit price.
    pub price: Decimal,
    /// Zero for a closePosition order until it triggers.
    pub orig_qty: Decimal,
    pub executed_qty: Decimal,
    /// Sum of price x quantity of the fills (USD-M `cumQuote`).
    pub cum_quote: Decimal,
    /// Sum of quantity x contract size / price of the fills (COIN-M `cumBase`).
    pub cum_base: Decimal,
    pub status: FOrderStatus,
    /// Zero when none; for trailing stops the current trigger price.
    pub stop_price: Decimal,
    pub activation_price: Option<Decimal>,
    /// Trailing callback rate in percent (`priceRate`, `cr`).
    pub callback_rate: Option<Decimal>,
    pub working_type: WorkingType,
    pub price_protect: bool,
    pub reduce_only: bool,
    pub close_position: bool,
    pub price_match: PriceMatch,
    pub stp: FStpMode,
    /// Epoch ms of a GTD order's expiry; 0 otherwise.
    pub good_till_date: u64,
    pub time: u64,
    pub update_time: u64,
    /// Whether a conditional order has triggered.
    pub triggered: bool,
    /// Trailing stops: the lowest (BUY) or highest (SELL) price seen since placement.
    pub trail_extreme: Option<Decimal>,
    /// Trailing stops: whether the activation price has been reached.
    pub trail_active: bool,
    /// How many times order.modify changed it.
    pub modify_count: u32,
}

impl FOrder {
    /// Quantity not yet filled.
    pub fn remaining(&self) -> Decimal {
        (self.orig_qty - self.executed_qty).max(Decimal::ZERO)
    }

    /// Whether the order waits for its trigger.
    pub fn is_untriggered(&self) -> bool {
        self.orig_type.is_conditional() && !self.triggered
    }

    /// Average fill price: cumQuote / executedQty (USD-M) or executedQty x contractSize / cumBase (COIN-M).
    pub fn avg_price(&self, inverse: bool, contract_size: Decimal) -> Decimal {
        if self.executed_qty.is_zero() {
            return Decimal::ZERO;
        }
        if inverse {
            if self.cum_base.is_zero() {
                return Decimal::ZERO;
            }
            self.executed_qty * contract_size / self.cum_base
        } else {
            self.cum_quote / self.executed_qty
        }
    }
}

/// order.place parameters after parsing (the engine validates them).
#[derive(Debug, Clone, PartialEq)]
pub struct NewFOrder {
    pub symbol: String,
    pub side: Side,
    pub order_type: FOrderType,
    pub position_side: Option<PositionSide>,
    pub time_in_force: Option<FTimeInForce>,
    pub quantity: Option<Decimal>,
    pub reduce_only: Option<bool>,
    pub price: Option<Decimal>,
    pub new_client_order_id: Option<String>,
    pub stop_price: Option<Decimal>,
    pub close_position: Option<bool>,
    pub activation_price: Option<Decimal>,
    pub callback_rate: Option<Decimal>,
    pub working_type: Option<WorkingType>,
    pub price_protect: Option<bool>,
    pub price_match: Option<PriceMatch>,
    pub stp: Option<FStpMode>,
    pub good_till_date: Option<u64>,
}

impl NewFOrder {
    /// A request with the mandatory fields only.
    pub fn new(symbol: &str, side: Side, order_type: FOrderType) -> NewFOrder {
        NewFOrder {
            symbol: symbol.to_string(),
            side,
            order_type,
            position_side: None,
            time_in_force: None,
            quantity: None,
            reduce_only: None,
            price: None,
            new_client_order_id: None,
            stop_price: None,
            close_position: None,
            activation_price: None,
            callback_rate: None,
            working_type: None,
            price_protect: None,
            price_match: None,
            stp: None,
            good_till_date: None,
        }
    }
    /// LIMIT GTC.
    pub fn limit(symbol: &str, side: Side, qty: Decimal, price: Decimal) -> NewFOrder {
        let mut o = NewFOrder::new(symbol, side, FOrderType::Limit);
        o.time_in_force = Some(FTimeInForce::Gtc);
        o.quantity = Some(qty);
        o.price = Some(price);
        o
    }
    /// MARKET.
    pub fn market(symbol: &str, side: Side, qty: Decimal) -> NewFOrder {
        let mut o = NewFOrder::new(symbol, side, FOrderType::Market);
        o.quantity = Some(qty);
        o
    }
}

/// Which order a request names: by orderId and/or origClientOrderId (orderId wins).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FOrderRef {
    pub order_id: Option<u64>,
    pub orig_client_order_id: Option<String>,
}
