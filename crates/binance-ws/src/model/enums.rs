//! Enums shared by the products' APIs and streams.

use serde::Deserialize;

/// Defines a string enum: serde names, `as_str`, `Display`, and, with `unknown`, an
/// `Unknown` variant that absorbs values Binance adds later.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $value:literal ),+ $(,)? } $($unknown:ident)?
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $value)] $variant, )+
            $(
                /// A value this version of the library does not know (Binance added it later).
                #[serde(other)]
                $unknown,
            )?
        }

        impl $name {
            /// The value as Binance spells it.
            pub fn as_str(&self) -> &'static str {
                match self {
                    $( $name::$variant => $value, )+
                    $( $name::$unknown => "UNKNOWN", )?
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use string_enum;

string_enum! {
    /// Order side (`side`).
    Side {
        /// `BUY`
        Buy = "BUY",
        /// `SELL`
        Sell = "SELL",
    }
}

string_enum! {
    /// Order type (`type`, `orderTypes`).
    OrderType {
        /// `LIMIT`
        Limit = "LIMIT",
        /// `MARKET`
        Market = "MARKET",
        /// `STOP_LOSS`
        StopLoss = "STOP_LOSS",
        /// `STOP_LOSS_LIMIT`
        StopLossLimit = "STOP_LOSS_LIMIT",
        /// `TAKE_PROFIT`
        TakeProfit = "TAKE_PROFIT",
        /// `TAKE_PROFIT_LIMIT`
        TakeProfitLimit = "TAKE_PROFIT_LIMIT",
        /// `LIMIT_MAKER` (post-only limit order)
        LimitMaker = "LIMIT_MAKER",
    } Unknown
}

string_enum! {
    /// How long an order stays active (`timeInForce`).
    TimeInForce {
        /// Good 'til canceled.
        Gtc = "GTC",
        /// Immediate or cancel.
        Ioc = "IOC",
        /// Fill or kill.
        Fok = "FOK",
    } Unknown
}

string_enum! {
    /// Order status (`status`).
    OrderStatus {
        /// Accepted by the engine.
        New = "NEW",
        /// Pending until the working order of its order list is fully filled.
        PendingNew = "PENDING_NEW",
        /// Partly filled.
        PartiallyFilled = "PARTIALLY_FILLED",
        /// Completely filled.
        Filled = "FILLED",
        /// Canceled by the user.
        Canceled = "CANCELED",
        /// Currently unused.
        PendingCancel = "PENDING_CANCEL",
        /// Not accepted by the engine.
        Rejected = "REJECTED",
        /// Canceled by the order type's rules or by the exchange.
        Expired = "EXPIRED",
        /// Expired by self-trade prevention.
        ExpiredInMatch = "EXPIRED_IN_MATCH",
    } Unknown
}

string_enum! {
    /// Execution type of an order update (`executionReport.x`).
    ExecutionType {
        /// Accepted into the engine.
        New = "NEW",
        /// Canceled by the user.
        Canceled = "CANCELED",
        /// Amended.
        Replaced = "REPLACED",
        /// Rejected.
        Rejected = "REJECTED",
        /// (Partly) filled.
        Trade = "TRADE",
        /// Expired.
        Expired = "EXPIRED",
        /// Expired due to self-trade prevention.
        TradePrevention = "TRADE_PREVENTION",
    } Unknown
}

string_enum! {
    /// Self-trade prevention mode (`selfTradePreventionMode`).
    SelfTradePreventionMode {
        /// `NONE`
        None = "NONE",
        /// `EXPIRE_MAKER`
        ExpireMaker = "EXPIRE_MAKER",
        /// `EXPIRE_TAKER`
        ExpireTaker = "EXPIRE_TAKER",
        /// `EXPIRE_BOTH`
        ExpireBoth = "EXPIRE_BOTH",
        /// `DECREMENT`
        Decrement = "DECREMENT",
        /// `TRANSFER`
        Transfer = "TRANSFER",
    } Unknown
}

string_enum! {
    /// Response format of order placement (`newOrderRespType`).
    NewOrderRespType {
        /// Ids and transaction time only.
        Ack = "ACK",
        /// The order's state after placement.
        Result = "RESULT",
        /// `RESULT` plus the fills.
        Full = "FULL",
    }
}

string_enum! {
    /// Symbol trading status (`status`, `symbolStatus`).
    SymbolStatus {
        /// `TRADING`
        Trading = "TRADING",
        /// `END_OF_DAY`
        EndOfDay = "END_OF_DAY",
        /// `HALT`
        Halt = "HALT",
        /// `BREAK`
        Break = "BREAK",
        /// `CANCEL_ONLY`
        CancelOnly = "CANCEL_ONLY",
    } Unknown
}

string_enum! {
    /// Order list contingency type (`contingencyType`).
    ContingencyType {
        /// One-cancels-the-other.
        Oco = "OCO",
        /// One-triggers-the-other.
        Oto = "OTO",
    } Unknown
}

string_enum! {
    /// Order list status (`listStatusType`).
    ListStatusType {
        /// Responding to a failed action.
        Response = "RESPONSE",
        /// Placed, or its status was updated.
        ExecStarted = "EXEC_STARTED",
        /// The clientOrderId of an order in the list changed.
        Updated = "UPDATED",
        /// Finished executing.
        AllDone = "ALL_DONE",
    } Unknown
}

string_enum! {
    /// Order list order status (`listOrderStatus`).
    ListOrderStatus {
        /// Placed or updated.
        Executing = "EXECUTING",
        /// Completed.
        AllDone = "ALL_DONE",
        /// A failed placement or cancel.
        Reject = "REJECT",
    } Unknown
}

string_enum! {
    /// Allocation type (`allocationType`).
    AllocationType {
        /// Smart order routing.
        Sor = "SOR",
    } Unknown
}

string_enum! {
    /// Where an order is filled (`workingFloor`).
    WorkingFloor {
        /// The symbol's order book.
        Exchange = "EXCHANGE",
        /// Smart order routing.
        Sor = "SOR",
    } Unknown
}

string_enum! {
    /// Why an order expired (`expiryReason`).
    ExpiryReason {
        /// `NONE`
        None = "NONE",
        /// `REJECTED`
        Rejected = "REJECTED",
        /// `EXCHANGE_CANCELED`
        ExchangeCanceled = "EXCHANGE_CANCELED",
        /// `OCO_TRIGGER`
        OcoTrigger = "OCO_TRIGGER",
        /// `OTO_PHASE_ONE_EXPIRED`
        OtoPhaseOneExpired = "OTO_PHASE_ONE_EXPIRED",
        /// `UNFILLED_IOC_QUANTITY_EXPIRED`
        UnfilledIocQuantityExpired = "UNFILLED_IOC_QUANTITY_EXPIRED",
        /// `UNFILLED_FOK_ORDER_EXPIRED`
        UnfilledFokOrderExpired = "UNFILLED_FOK_ORDER_EXPIRED",
        /// `INSUFFICIENT_LIQUIDITY`
        InsufficientLiquidity = "INSUFFICIENT_LIQUIDITY",
        /// `EXECUTION_RULE_PRICE_RANGE_EXCEEDED`
        ExecutionRulePriceRangeExceeded = "EXECUTION_RULE_PRICE_RANGE_EXCEEDED",
    } Unknown
}

string_enum! {
    /// Pegged order price type (`pegPriceType`).
    PegPriceType {
        /// Best price on the order's own side of the book.
        PrimaryPeg = "PRIMARY_PEG",
        /// Best price on the opposite side of the book.
        MarketPeg = "MARKET_PEG",
    } Unknown
}

string_enum! {
    /// Pegged order offset type (`pegOffsetType`).
    PegOffsetType {
        /// Offset in price levels.
        PriceLevel = "PRICE_LEVEL",
    } Unknown
}

string_enum! {
    /// Rate limiter type (`rateLimitType`).
    RateLimitType {
        /// Request weight.
        RequestWeight = "REQUEST_WEIGHT",
        /// Order placement (unfilled order count).
        Orders = "ORDERS",
        /// Raw request count.
        RawRequests = "RAW_REQUESTS",
        /// Connection attempts.
        Connections = "CONNECTIONS",
    } Unknown
}

string_enum! {
    /// Rate limit interval unit (`interval`).
    RateLimitInterval {
        /// `SECOND`
        Second = "SECOND",
        /// `MINUTE`
        Minute = "MINUTE",
        /// `HOUR`
        Hour = "HOUR",
        /// `DAY`
        Day = "DAY",
    } Unknown
}

string_enum! {
    /// Kline (candlestick) interval. Case-sensitive on the wire: `1m` is a minute, `1M` a month.
    Interval {
        /// `1s`
        S1 = "1s",
        /// `1m`
        M1 = "1m",
        /// `3m`
        M3 = "3m",
        /// `5m`
        M5 = "5m",
        /// `15m`
        M15 = "15m",
        /// `30m`
        M30 = "30m",
        /// `1h`
        H1 = "1h",
        /// `2h`
        H2 = "2h",
        /// `4h`
        H4 = "4h",
        /// `6h`
        H6 = "6h",
        /// `8h`
        H8 = "8h",
        /// `12h`
        H12 = "12h",
        /// `1d`
        D1 = "1d",
        /// `3d`
        D3 = "3d",
        /// `1w`
        W1 = "1w",
        /// `1M` (one month)
        Mo1 = "1M",
    } Unknown
}

impl Interval {
    /// Every interval Binance lists, shortest first.
    pub const ALL: [Interval; 16] = [
        Interval::S1,
        Interval::M1,
        Interval::M3,
        Interval::M5,
        Interval::M15,
        Interval::M30,
        Interval::H1,
        Interval::H2,
        Interval::H4,
        Interval::H6,
        Interval::H8,
        Interval::H12,
        Interval::D1,
        Interval::D3,
        Interval::W1,
        Interval::Mo1,
    ];

    /// Parses the wire form (case matters: `1m` is a minute, `1M` a month).
    pub fn parse(s: &str) -> Option<Interval> {
        Interval::ALL.into_iter().find(|i| i.as_str() == s)
    }
}

/// A rate limit as `exchangeInfo` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimit {
    /// What is limited.
    pub rate_limit_type: RateLimitType,
    /// Interval unit.
    pub interval: RateLimitInterval,
    /// Interval multiplier (e.g. 10 with `SECOND` is "per 10 seconds").
    pub interval_num: u32,
    /// Limit per interval.
    pub limit: u64,
}

/// A rate limit with its current usage (`account.rateLimits.orders`, response `rateLimits`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimitCount {
    /// What is limited.
    pub rate_limit_type: RateLimitType,
    /// Interval unit.
    pub interval: RateLimitInterval,
    /// Interval multiplier.
    pub interval_num: u32,
    /// Limit per interval.
    pub limit: u64,
    /// Usage in the current interval.
    pub count: u64,
}
