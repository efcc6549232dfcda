//! Order enums (values from enums.md), the order record and the request types.

use rust_decimal::Decimal;

/// An account of the exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(pub u64);

/// A rejected request: Binance's error code and exact message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    /// Binance error code, e.g. -2010.
    pub code: i64,
    /// Binance error message.
    pub msg: String,
}

impl Reject {
    pub(crate) fn new(code: i64, msg: impl Into<String>) -> Self {
        Reject { code, msg: msg.into() }
    }
    pub(crate) fn insufficient() -> Self {
        Self::new(-2010, "Account has insufficient balance for requested action.")
    }
    pub(crate) fn filter(name: &str) -> Self {
        Self::new(-1013, format!("Filter failure: {name}"))
    }
    pub(crate) fn mandatory(param: &str) -> Self {
        Self::new(-1102, format!("Mandatory parameter '{param}' was not sent, was empty/null, or malformed."))
    }
    pub(crate) fn not_required(param: &str) -> Self {
        Self::new(-1106, format!("Parameter '{param}' sent when not required."))
    }
    pub(crate) fn precision(param: &str) -> Self {
        Self::new(-1111, format!("Parameter '{param}' has too much precision."))
    }
    pub(crate) fn invalid(param: &str) -> Self {
        Self::new(-1130, format!("Data sent for parameter '{param}' is not valid."))
    }
    pub(crate) fn bad_symbol() -> Self {
        Self::new(-1121, "Invalid symbol.")
    }
    pub(crate) fn either(a: &str, b: &str) -> Self {
        Self::new(-1102, format!("Param '{a}' or '{b}' must be sent, but both were empty/null!"))
    }
}

impl std::fmt::Display for Reject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.code, self.msg)
    }
}

impl std::error::Error for Reject {}

macro_rules! wire_enum {
    ($(#[$m:meta])* $name:ident { $($var:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $(#[doc = $s] $var),+ }
        impl $name {
            /// The wire name.
            pub fn as_str(self) -> &'static str { match self { $($name::$var => $s),+ } }
            /// Parses the wire name.
            pub fn parse(s: &str) -> Option<Self> { match s { $($s => Some($name::$var),)+ _ => None } }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}
pub(crate) use wire_enum;

wire_enum!(/// Order side.
    Side { Buy = "BUY", Sell = "SELL" });
wire_enum!(/// Order type.
    OrderType {
    Limit = "LIMIT", Market = "MARKET", StopLoss = "STOP_LOSS", StopLossLimit = "STOP_LOSS_LIMIT",
    TakeProfit = "TAKE_PROFIT", TakeProfitLimit = "TAKE_PROFIT_LIMIT", LimitMaker = "LIMIT_MAKER",
});
wire_enum!(/// Time in force.
    TimeInForce { Gtc = "GTC", Ioc = "IOC", Fok = "FOK" });
wire_enum!(/// Self-trade prevention mode.
    StpMode {
    None = "NONE", ExpireTaker = "EXPIRE_TAKER", ExpireMaker = "EXPIRE_MAKER", ExpireBoth = "EXPIRE_BOTH",
    Decrement = "DECREMENT",
});
wire_enum!(/// Order status.
    OrderStatus {
    New = "NEW", PendingNew = "PENDING_NEW", PartiallyFilled = "PARTIALLY_FILLED", Filled = "FILLED",
    Canceled = "CANCELED", Rejected = "REJECTED", Expired = "EXPIRED", ExpiredInMatch = "EXPIRED_IN_MATCH",
});
wire_enum!(/// Execution type of an execution report.
    ExecType {
    New = "NEW", Canceled = "CANCELED", Replaced = "REPLACED", Rejected = "REJECTED", Trade = "TRADE",
    Expired = "EXPIRED", TradePrevention = "TRADE_PREVENTION",
});
wire_enum!(/// Why an order expired (`eR`).
    ExpiryReason {
    None = "NONE", Rejected = "REJECTED", ExchangeCanceled = "EXCHANGE_CANCELED", OcoTrigger = "OCO_TRIGGER",
    OtoPhaseOneExpired = "OTO_PHASE_ONE_EXPIRED", UnfilledIocQuantityExpired = "UNFILLED_IOC_QUANTITY_EXPIRED",
    UnfilledFokOrderExpired = "UNFILLED_FOK_ORDER_EXPIRED", InsufficientLiquidity = "INSUFFICIENT_LIQUIDITY",
});
wire_enum!(/// Order reject reason (`r`).
    RejectReason {
    None = "NONE", InsufficientBalances = "INSUFFICIENT_BALANCES",
    StopPriceWouldTriggerImmediately = "STOP_PRICE_WOULD_TRIGGER_IMMEDIATELY",
    WouldMatchImmediately = "WOULD_MATCH_IMMEDIATELY", OcoBadPrices = "OCO_BAD_PRICES",
});
wire_enum!(/// Cancel restriction.
    CancelRestriction { OnlyNew = "ONLY_NEW", OnlyPartiallyFilled = "ONLY_PARTIALLY_FILLED" });
wire_enum!(/// cancelReplaceMode.
    CancelReplaceMode { StopOnFailure = "STOP_ON_FAILURE", AllowFailure = "ALLOW_FAILURE" });
wire_enum!(/// Order list contingency type.
    ContingencyType { Oco = "OCO", Oto = "OTO" });
wire_enum!(/// listStatusType.
    ListStatusType { Response = "RESPONSE", ExecStarted = "EXEC_STARTED", Updated = "UPDATED", AllDone = "ALL_DONE" });
wire_enum!(/// listOrderStatus.
    ListOrderStatus { Executing = "EXECUTING", AllDone = "ALL_DONE", Reject = "REJECT" });

impl Side {
    /// The other side.
    pub fn opposite(self) -> Side {
        match self {
            Side::Buy => Side::Sell,
            Side::Sell => Side::Buy,
        }
    }
}

impl OrderType {
    /// STOP_LOSS, STOP_LOSS_LIMIT, TAKE_PROFIT, TAKE_PROFIT_LIMIT.
    pub fn is_conditional(self) -> bool {
        matches!(self, Self::StopLoss | Self::StopLossLimit | Self::TakeProfit | Self::TakeProfitLimit)
    }
    /// Whether the order executes as a market order (once triggered).
    pub fn is_market_like(self) -> bool {
        matches!(self, Self::Market | Self::StopLoss | Self::TakeProfit)
    }
    /// Whether the order has a limit price.
    pub fn has_price(self) -> bool {
        matches!(self, Self::Limit | Self::LimitMaker | Self::StopLossLimit | Self::TakeProfitLimit)
    }
    pub(crate) fn is_stop_loss(self) -> bool {
        matches!(self, Self::StopLoss | Self::StopLossLimit)
    }
    pub(crate) fn is_take_profit(self) -> bool {
        matches!(self, Self::TakeProfit | Self::TakeProfitLimit)
    }
}

impl OrderStatus {
    /// Whether the order can still change (open or pending).
    pub fn is_open(self) -> bool {
        matches!(self, Self::New | Self::PartiallyFilled | Self::PendingNew)
    }
}

/// An order as the exchange knows it; a snapshot is what queries and reports carry.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub symbol: String,
    pub order_id: u64,
    /// -1 unless the order belongs to an order list.
    pub order_list_id: i64,
    pub client_order_id: String,
    pub account: AccountId,
    pub side: Side,
    pub order_type: OrderType,
    /// GTC for order types that take no timeInForce.
    pub time_in_force: TimeInForce,
    /// Zero when the order has no limit price.
    pub price: Decimal,
    /// Zero for MARKET orders by quoteOrderQty.
    pub orig_qty: Decimal,
    pub executed_qty: Decimal,
    pub cumulative_quote_qty: Decimal,
    /// Zero unless placed with quoteOrderQty.
    pub orig_quote_order_qty: Decimal,
    pub status: OrderStatus,
    pub stop_price: Option<Decimal>,
    pub trailing_delta: Option<u64>,
    pub trailing_time: Option<i64>,
    pub iceberg_qty: Option<Decimal>,
    pub strategy_id: Option<i64>,
    pub strategy_type: Option<i64>,
    pub stp_mode: StpMode,
    /// Quantity expired by self-trade prevention.
    pub prevented_qty: Decimal,
    /// Set when the order expired due to STP.
    pub prevented_match_id: Option<u64>,
    /// Creation time.
    pub time: u64,
    pub update_time: u64,
    /// When the order started working on the book (None = -1: not yet, e.g. untriggered or pending).
    pub working_time: Option<u64>,
    /// Whether the order currently rests on the book.
    pub is_working: bool,
    pub expiry_reason: Option<ExpiryReason>,
    /// Amount of the spent asset still locked for this order.
    pub locked: Decimal,
    pub(crate) triggered: bool,
}

impl Order {
    /// Quantity not yet filled nor prevented.
    pub fn remaining(&self) -> Decimal {
        (self.orig_qty - self.executed_qty - self.prevented_qty).max(Decimal::ZERO)
    }
    /// Whether the order has been triggered or needs no trigger.
    pub fn is_active(&self) -> bool {
        self.status != OrderStatus::PendingNew && (!self.order_type.is_conditional() || self.triggered)
    }
}

/// A fill of an order, as in the FULL response's `fills`.
#[derive(Debug, Clone, PartialEq)]
pub struct Fill {
    pub price: Decimal,
    pub qty: Decimal,
    pub commission: Decimal,
    pub commission_asset: String,
    pub trade_id: u64,
}

/// order.place parameters that concern order semantics (the wire layer parses, the exchange validates).
#[derive(Debug, Clone, PartialEq)]
pub struct NewOrder {
    pub symbol: String,
    pub side: Side,
    pub order_type: OrderType,
    pub time_in_force: Option<TimeInForce>,
    pub price: Option<Decimal>,
    pub quantity: Option<Decimal>,
    pub quote_order_qty: Option<Decimal>,
    pub new_client_order_id: Option<String>,
    pub stop_price: Option<Decimal>,
    pub trailing_delta: Option<u64>,
    pub iceberg_qty: Option<Decimal>,
    pub strategy_id: Option<i64>,
    pub strategy_type: Option<i64>,
    pub stp_mode: Option<StpMode>,
}

impl NewOrder {
    /// A request with only the mandatory fields set.
    pub fn new(symbol: &str, side: Side, order_type: OrderType) -> Self {
        NewOrder {
            symbol: symbol.to_string(),
            side,
            order_type,
            time_in_force: None,
            price: None,
            quantity: None,
            quote_order_qty: None,
            new_client_order_id: None,
            stop_price: None,
            trailing_delta: None,
            iceberg_qty: None,
            strategy_id: None,
            strategy_type: None,
            stp_mode: None,
        }
    }
    /// LIMIT GTC.
    pub fn limit(symbol: &str, side: Side, qty: Decimal, price: Decimal) -> Self {
        Self::new(symbol, side, OrderType::Limit).tif(TimeInForce::Gtc).qty(qty).price(price)
    }
    /// MARKET by quantity.
    pub fn market(symbol: &str, side: Side, qty: Decimal) -> Self {
        Self::new(symbol, side, OrderType::Market).qty(qty)
    }
    /// Sets timeInForce.
    pub fn tif(mut self, t: TimeInForce) -> Self {
        self.time_in_force = Some(t);
        self
    }
    /// Sets quantity.
    pub fn qty(mut self, q: Decimal) -> Self {
        self.quantity = Some(q);
        self
    }
    /// Sets price.
    pub fn price(mut self, p: Decimal) -> Self {
        self.price = Some(p);
        self
    }
    /// Sets stopPrice.
    pub fn stop(mut self, p: Decimal) -> Self {
        self.stop_price = Some(p);
        self
    }
    /// Sets selfTradePreventionMode.
    pub fn stp(mut self, m: StpMode) -> Self {
        self.stp_mode = Some(m);
        self
    }
    /// Sets newClientOrderId.
    pub fn client_id(mut self, id: &str) -> Self {
        self.new_client_order_id = Some(id.to_string());
        self
    }
}

/// Which order a request refers to: by orderId and/or origClientOrderId.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OrderRef {
    pub order_id: Option<u64>,
    pub orig_client_order_id: Option<String>,
}

impl OrderRef {
    /// By order id.
    pub fn id(id: u64) -> Self {
        OrderRef { order_id: Some(id), orig_client_order_id: None }
    }
    /// By client order id.
    pub fn client(id: &str) -> Self {
        OrderRef { order_id: None, orig_client_order_id: Some(id.to_string()) }
    }
}
