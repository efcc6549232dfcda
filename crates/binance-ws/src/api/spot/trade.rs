//! Trading requests (security `TRADE`, signed by the engine): place, test, cancel,
//! cancel-replace and amend orders, cancel all open orders, and SOR orders.
//! Order lists are in `order_list.rs`.

use rust_decimal::Decimal;

use super::models::{
    AmendResponse, CancelReplaceMode, CancelReplaceResponse, CancelRestrictions, CancelResult,
    OrderRateLimitExceededMode, OrderResponse, TestOrderResponse,
};
use super::{requests, Api, ApiRequest, Call, OrderRef, Params, ToParam};
use crate::api::Security;
use crate::model::{
    NewOrderRespType, OrderType, PegOffsetType, PegPriceType, SelfTradePreventionMode, Side, TimeInForce,
};

/// A new order (`order.place`); also the order part of `order.test` and `order.cancelReplace`.
///
/// Constructors take the parameters the order type requires; everything else is a setter.
/// Limit-style constructors set `timeInForce` to `GTC` (it is mandatory for them); change it
/// with [`NewOrder::time_in_force`].
///
/// ```
/// use binance_ws::spot::{ApiRequest, NewOrder};
/// use binance_ws::model::{Decimal, NewOrderRespType, Side, TimeInForce};
/// use std::str::FromStr;
///
/// let order = NewOrder::limit("BTCUSDT", Side::Buy, Decimal::from_str("0.01").unwrap(), Decimal::from_str("52000.00").unwrap())
///     .time_in_force(TimeInForce::Ioc)
///     .new_client_order_id("my-order-1")
///     .new_order_resp_type(NewOrderRespType::Result);
/// let params = order.params();
/// assert_eq!(params["price"], "52000.00");
/// assert_eq!(params["type"], "LIMIT");
/// assert_eq!(params["timeInForce"], "IOC");
/// ```
///
/// Sending it: `api.place_order(order).await?` (see [`Api::place_order`]).
#[derive(Debug, Clone, PartialEq)]
pub struct NewOrder {
    /// `symbol`
    pub symbol: String,
    /// `side`
    pub side: Side,
    /// `type`
    pub order_type: OrderType,
    /// `timeInForce`
    pub time_in_force: Option<TimeInForce>,
    /// `price`
    pub price: Option<Decimal>,
    /// `quantity`
    pub quantity: Option<Decimal>,
    /// `quoteOrderQty`
    pub quote_order_qty: Option<Decimal>,
    /// `newClientOrderId`
    pub new_client_order_id: Option<String>,
    /// `newOrderRespType`
    pub new_order_resp_type: Option<NewOrderRespType>,
    /// `stopPrice`
    pub stop_price: Option<Decimal>,
    /// `trailingDelta`
    pub trailing_delta: Option<u64>,
    /// `icebergQty`
    pub iceberg_qty: Option<Decimal>,
    /// `strategyId`
    pub strategy_id: Option<u64>,
    /// `strategyType`
    pub strategy_type: Option<u32>,
    /// `selfTradePreventionMode`
    pub self_trade_prevention_mode: Option<SelfTradePreventionMode>,
    /// `pegPriceType`
    pub peg_price_type: Option<PegPriceType>,
    /// `pegOffsetValue`
    pub peg_offset_value: Option<u32>,
    /// `pegOffsetType`
    pub peg_offset_type: Option<PegOffsetType>,
}

impl NewOrder {
    /// An order of any type with no other parameter set: add what the type needs with setters.
    pub fn new(symbol: impl Into<String>, side: Side, order_type: OrderType) -> Self {
        NewOrder {
            symbol: symbol.into(),
            side,
            order_type,
            time_in_force: None,
            price: None,
            quantity: None,
            quote_order_qty: None,
            new_client_order_id: None,
            new_order_resp_type: None,
            stop_price: None,
            trailing_delta: None,
            iceberg_qty: None,
            strategy_id: None,
            strategy_type: None,
            self_trade_prevention_mode: None,
            peg_price_type: None,
            peg_offset_value: None,
            peg_offset_type: None,
        }
    }

    /// `LIMIT`: `quantity` at `price` or better, `GTC` unless changed.
    pub fn limit(symbol: impl Into<String>, side: Side, quantity: Decimal, price: Decimal) -> Self {
        Self::new(symbol, side, OrderType::Limit).quantity(quantity).price(price).time_in_force(TimeInForce::Gtc)
    }

    /// `LIMIT_MAKER`: a limit order rejected if it would trade at once (post-only).
    pub fn limit_maker(symbol: impl Into<String>, side: Side, quantity: Decimal, price: Decimal) -> Self {
        Self::new(symbol, side, OrderType::LimitMaker).quantity(quantity).price(price)
    }

    /// `MARKET` for a base asset `quantity`.
    pub fn market(symbol: impl Into<String>, side: Side, quantity: Decimal) -> Self {
        Self::new(symbol, side, OrderType::Market).quantity(quantity)
    }

    /// `MARKET` for a quote asset amount (`quoteOrderQty`): spend (buy) or receive (sell) that much.
    pub fn market_quote(symbol: impl Into<String>, side: Side, quote_order_qty: Decimal) -> Self {
        Self::new(symbol, side, OrderType::Market).quote_order_qty(quote_order_qty)
    }

    /// `STOP_LOSS`: a market order for `quantity` once `stop_price` is reached
    /// (for a trailing stop, use [`NewOrder::new`] with [`NewOrder::trailing_delta`]).
    pub fn stop_loss(symbol: impl Into<String>, side: Side, quantity: Decimal, stop_price: Decimal) -> Self {
        Self::new(symbol, side, OrderType::StopLoss).quantity(quantity).stop_price(stop_price)
    }

    /// `STOP_LOSS_LIMIT`: a limit order at `price` once `stop_price` is reached, `GTC` unless changed.
    pub fn stop_loss_limit(
        symbol: impl Into<String>,
        side: Side,
        quantity: Decimal,
        price: Decimal,
        stop_price: Decimal,
    ) -> Self {
        Self::new(symbol, side, OrderType::StopLossLimit)
            .quantity(quantity)
            .price(price)
            .stop_price(stop_price)
            .time_in_force(TimeInForce::Gtc)
    }

    /// `TAKE_PROFIT`: like `STOP_LOSS`, triggered by a favorable move.
    pub fn take_profit(symbol: impl Into<String>, side: Side, quantity: Decimal, stop_price: Decimal) -> Self {
        Self::new(symbol, side, OrderType::TakeProfit).quantity(quantity).stop_price(stop_price)
    }

    /// `TAKE_PROFIT_LIMIT`: like `STOP_LOSS_LIMIT`, triggered by a favorable move; `GTC` unless changed.
    pub fn take_profit_limit(
        symbol: impl Into<String>,
        side: Side,
        quantity: Decimal,
        price: Decimal,
        stop_price: Decimal,
    ) -> Self {
        Self::new(symbol, side, OrderType::TakeProfitLimit)
            .quantity(quantity)
            .price(price)
            .stop_price(stop_price)
            .time_in_force(TimeInForce::Gtc)
    }

    /// Turns a `LIMIT` order into `LIMIT_MAKER` (post-only), which takes no `timeInForce`.
    pub fn post_only(mut self) -> Self {
        if self.order_type == OrderType::Limit {
            self.order_type = OrderType::LimitMaker;
            self.time_in_force = None;
        }
        self
    }

    /// Sets `timeInForce`.
    pub fn time_in_force(mut self, v: TimeInForce) -> Self {
        self.time_in_force = Some(v);
        self
    }
    /// Sets `price`.
    pub fn price(mut self, v: Decimal) -> Self {
        self.price = Some(v);
        self
    }
    /// Sets `quantity` (base asset).
    pub fn quantity(mut self, v: Decimal) -> Self {
        self.quantity = Some(v);
        self
    }
    /// Sets `quoteOrderQty` (quote asset, `MARKET` orders).
    pub fn quote_order_qty(mut self, v: Decimal) -> Self {
        self.quote_order_qty = Some(v);
        self
    }
    /// Sets `newClientOrderId` (unique among open orders; generated by Binance if not sent).
    pub fn new_client_order_id(mut self, v: impl Into<String>) -> Self {
        self.new_client_order_id = Some(v.into());
        self
    }
    /// Sets `newOrderRespType` (`MARKET` and `LIMIT` default to `FULL`, other types to `ACK`).
    pub fn new_order_resp_type(mut self, v: NewOrderRespType) -> Self {
        self.new_order_resp_type = Some(v);
        self
    }
    /// Sets `stopPrice`.
    pub fn stop_price(mut self, v: Decimal) -> Self {
        self.stop_price = Some(v);
        self
    }
    /// Sets `trailingDelta` (basis points).
    pub fn trailing_delta(mut self, v: u64) -> Self {
        self.trailing_delta = Some(v);
        self
    }
    /// Sets `icebergQty` (needs `GTC`).
    pub fn iceberg_qty(mut self, v: Decimal) -> Self {
        self.iceberg_qty = Some(v);
        self
    }
    /// Sets `strategyId`.
    pub fn strategy_id(mut self, v: u64) -> Self {
        self.strategy_id = Some(v);
        self
    }
    /// Sets `strategyType` (values below 1000000 are reserved).
    pub fn strategy_type(mut self, v: u32) -> Self {
        self.strategy_type = Some(v);
        self
    }
    /// Sets `selfTradePreventionMode`.
    pub fn self_trade_prevention_mode(mut self, v: SelfTradePreventionMode) -> Self {
        self.self_trade_prevention_mode = Some(v);
        self
    }
    /// Sets `pegPriceType` (pegged orders; `price` then becomes optional).
    pub fn peg_price_type(mut self, v: PegPriceType) -> Self {
        self.peg_price_type = Some(v);
        self
    }
    /// Sets `pegOffsetValue` (price levels, at most 100; with `pegOffsetType`).
    pub fn peg_offset_value(mut self, v: u32) -> Self {
        self.peg_offset_value = Some(v);
        self
    }
    /// Sets `pegOffsetType` (only `PRICE_LEVEL`).
    pub fn peg_offset_type(mut self, v: PegOffsetType) -> Self {
        self.peg_offset_type = Some(v);
        self
    }

    fn put_params(&self, p: &mut Params) {
        self.symbol.put("symbol", p);
        self.side.put("side", p);
        self.order_type.put("type", p);
        macro_rules! opt {
            ($($f:ident => $k:literal),* $(,)?) => {$( if let Some(v) = &self.$f { v.put($k, p); } )*};
        }
        opt!(
            time_in_force => "timeInForce",
            price => "price",
            quantity => "quantity",
            quote_order_qty => "quoteOrderQty",
            new_client_order_id => "newClientOrderId",
            new_order_resp_type => "newOrderRespType",
            stop_price => "stopPrice",
            trailing_delta => "trailingDelta",
            iceberg_qty => "icebergQty",
            strategy_id => "strategyId",
            strategy_type => "strategyType",
            self_trade_prevention_mode => "selfTradePreventionMode",
            peg_price_type => "pegPriceType",
            peg_offset_value => "pegOffsetValue",
            peg_offset_type => "pegOffsetType",
        );
    }
}

impl ApiRequest for NewOrder {
    const METHOD: &'static str = "order.place";
    const SECURITY: Security = Security::Signed;
    /// Shaped by `newOrderRespType`, see [`OrderResponse`].
    type Response = OrderResponse;
    fn params(&self) -> Params {
        let mut p = Params::new();
        self.put_params(&mut p);
        p
    }
}

/// `order.test`: validates a [`NewOrder`] without sending it to the matching engine.
#[derive(Debug, Clone, PartialEq)]
pub struct TestOrder {
    /// The order to validate.
    pub order: NewOrder,
    /// `computeCommissionRates`: also return the commission rates the order would pay.
    pub compute_commission_rates: Option<bool>,
}

impl TestOrder {
    /// Tests `order`.
    pub fn new(order: NewOrder) -> Self {
        TestOrder { order, compute_commission_rates: None }
    }
    /// Sets `computeCommissionRates` (request weight 20 instead of 1).
    pub fn compute_commission_rates(mut self, v: bool) -> Self {
        self.compute_commission_rates = Some(v);
        self
    }
}

impl ApiRequest for TestOrder {
    const METHOD: &'static str = "order.test";
    const SECURITY: Security = Security::Signed;
    type Response = TestOrderResponse;
    fn params(&self) -> Params {
        let mut p = self.order.params();
        if let Some(v) = self.compute_commission_rates {
            v.put("computeCommissionRates", &mut p);
        }
        p
    }
}

impl<'a> Call<'a, TestOrder> {
    /// Sets `computeCommissionRates`.
    pub fn compute_commission_rates(self, v: bool) -> Self {
        self.map(|r| r.compute_commission_rates(v))
    }
}

/// `order.cancelReplace`: cancels an order and places a new one (not atomic: see the docs).
#[derive(Debug, Clone, PartialEq)]
pub struct CancelReplace {
    /// The order to cancel: `cancelOrderId` or `cancelOrigClientOrderId`.
    pub cancel: OrderRef,
    /// `cancelReplaceMode`.
    pub mode: CancelReplaceMode,
    /// The new order (its `symbol` is the request's).
    pub order: NewOrder,
    /// `cancelNewClientOrderId`.
    pub cancel_new_client_order_id: Option<String>,
    /// `cancelRestrictions`.
    pub cancel_restrictions: Option<CancelRestrictions>,
    /// `orderRateLimitExceededMode`.
    pub order_rate_limit_exceeded_mode: Option<OrderRateLimitExceededMode>,
}

impl CancelReplace {
    /// Cancels `cancel` (an order id or client order id on `order.symbol`) and places `order`.
    pub fn new(cancel: impl Into<OrderRef>, mode: CancelReplaceMode, order: NewOrder) -> Self {
        CancelReplace {
            cancel: cancel.into(),
            mode,
            order,
            cancel_new_client_order_id: None,
            cancel_restrictions: None,
            order_rate_limit_exceeded_mode: None,
        }
    }
    /// Sets `cancelNewClientOrderId` (new client id of the canceled order).
    pub fn cancel_new_client_order_id(mut self, v: impl Into<String>) -> Self {
        self.cancel_new_client_order_id = Some(v.into());
        self
    }
    /// Sets `cancelRestrictions`.
    pub fn cancel_restrictions(mut self, v: CancelRestrictions) -> Self {
        self.cancel_restrictions = Some(v);
        self
    }
    /// Sets `orderRateLimitExceededMode`.
    pub fn order_rate_limit_exceeded_mode(mut self, v: OrderRateLimitExceededMode) -> Self {
        self.order_rate_limit_exceeded_mode = Some(v);
        self
    }
}

impl ApiRequest for CancelReplace {
    const METHOD: &'static str = "order.cancelReplace";
    const SECURITY: Security = Security::Signed;
    type Response = CancelReplaceResponse;
    fn params(&self) -> Params {
        let mut p = self.order.params();
        self.mode.put("cancelReplaceMode", &mut p);
        self.cancel.put("cancelOrderId|cancelOrigClientOrderId", &mut p);
        if let Some(v) = &self.cancel_new_client_order_id {
            v.put("cancelNewClientOrderId", &mut p);
        }
        if let Some(v) = &self.cancel_restrictions {
            v.put("cancelRestrictions", &mut p);
        }
        if let Some(v) = &self.order_rate_limit_exceeded_mode {
            v.put("orderRateLimitExceededMode", &mut p);
        }
        p
    }
}

/// `sor.order.place`: an order placed with smart order routing (`LIMIT` or `MARKET` by quantity only).
#[derive(Debug, Clone, PartialEq)]
pub struct SorOrder {
    /// `symbol`
    pub symbol: String,
    /// `side`
    pub side: Side,
    /// `type` (`LIMIT` or `MARKET`)
    pub order_type: OrderType,
    /// `quantity`
    pub quantity: Decimal,
    /// `timeInForce` (`LIMIT` only)
    pub time_in_force: Option<TimeInForce>,
    /// `price` (`LIMIT` only)
    pub price: Option<Decimal>,
    /// `newClientOrderId`
    pub new_client_order_id: Option<String>,
    /// `newOrderRespType`
    pub new_order_resp_type: Option<NewOrderRespType>,
    /// `icebergQty`
    pub iceberg_qty: Option<Decimal>,
    /// `strategyId`
    pub strategy_id: Option<u64>,
    /// `strategyType`
    pub strategy_type: Option<u32>,
    /// `selfTradePreventionMode`
    pub self_trade_prevention_mode: Option<SelfTradePreventionMode>,
}

impl SorOrder {
    fn base(symbol: impl Into<String>, side: Side, order_type: OrderType, quantity: Decimal) -> Self {
        SorOrder {
            symbol: symbol.into(),
            side,
            order_type,
            quantity,
            time_in_force: None,
            price: None,
            new_client_order_id: None,
            new_order_resp_type: None,
            iceberg_qty: None,
            strategy_id: None,
            strategy_type: None,
            self_trade_prevention_mode: None,
        }
    }
    /// A `LIMIT` SOR order, `GTC` unless changed.
    pub fn limit(symbol: impl Into<String>, side: Side, quantity: Decimal, price: Decimal) -> Self {
        let mut o = Self::base(symbol, side, OrderType::Limit, quantity);
        o.price = Some(price);
        o.time_in_force = Some(TimeInForce::Gtc);
        o
    }
    /// A `MARKET` SOR order for a base `quantity`.
    pub fn market(symbol: impl Into<String>, side: Side, quantity: Decimal) -> Self {
        Self::base(symbol, side, OrderType::Market, quantity)
    }
    /// Sets `timeInForce`.
    pub fn time_in_force(mut self, v: TimeInForce) -> Self {
        self.time_in_force = Some(v);
        self
    }
    /// Sets `newClientOrderId`.
    pub fn new_client_order_id(mut self, v: impl Into<String>) -> Self {
        self.new_client_order_id = Some(v.into());
        self
    }
    /// Sets `newOrderRespType`.
    pub fn new_order_resp_type(mut self, v: NewOrderRespType) -> Self {
        self.new_order_resp_type = Some(v);
        self
    }
    /// Sets `icebergQty`.
    pub fn iceberg_qty(mut self, v: Decimal) -> Self {
        self.iceberg_qty = Some(v);
        self
    }
    /// Sets `strategyId`.
    pub fn strategy_id(mut self, v: u64) -> Self {
        self.strategy_id = Some(v);
        self
    }
    /// Sets `strategyType`.
    pub fn strategy_type(mut self, v: u32) -> Self {
        self.strategy_type = Some(v);
        self
    }
    /// Sets `selfTradePreventionMode`.
    pub fn self_trade_prevention_mode(mut self, v: SelfTradePreventionMode) -> Self {
        self.self_trade_prevention_mode = Some(v);
        self
    }
}

impl ApiRequest for SorOrder {
    const METHOD: &'static str = "sor.order.place";
    const SECURITY: Security = Security::Signed;
    type Response = Vec<OrderResponse>;
    fn params(&self) -> Params {
        let mut p = Params::new();
        self.symbol.put("symbol", &mut p);
        self.side.put("side", &mut p);
        self.order_type.put("type", &mut p);
        self.quantity.put("quantity", &mut p);
        macro_rules! opt {
            ($($f:ident => $k:literal),* $(,)?) => {$( if let Some(v) = &self.$f { v.put($k, &mut p); } )*};
        }
        opt!(
            time_in_force => "timeInForce",
            price => "price",
            new_client_order_id => "newClientOrderId",
            new_order_resp_type => "newOrderRespType",
            iceberg_qty => "icebergQty",
            strategy_id => "strategyId",
            strategy_type => "strategyType",
            self_trade_prevention_mode => "selfTradePreventionMode",
        );
        p
    }
}

/// `sor.order.test`: validates a [`SorOrder`] without sending it.
#[derive(Debug, Clone, PartialEq)]
pub struct SorTestOrder {
    /// The order to validate.
    pub order: SorOrder,
    /// `computeCommissionRates`.
    pub compute_commission_rates: Option<bool>,
}

impl SorTestOrder {
    /// Tests `order`.
    pub fn new(order: SorOrder) -> Self {
        SorTestOrder { order, compute_commission_rates: None }
    }
    /// Sets `computeCommissionRates`.
    pub fn compute_commission_rates(mut self, v: bool) -> Self {
        self.compute_commission_rates = Some(v);
        self
    }
}

impl ApiRequest for SorTestOrder {
    const METHOD: &'static str = "sor.order.test";
    const SECURITY: Security = Security::Signed;
    type Response = TestOrderResponse;
    fn params(&self) -> Params {
        let mut p = self.order.params();
        if let Some(v) = self.compute_commission_rates {
            v.put("computeCommissionRates", &mut p);
        }
        p
    }
}

impl<'a> Call<'a, SorTestOrder> {
    /// Sets `computeCommissionRates`.
    pub fn compute_commission_rates(self, v: bool) -> Self {
        self.map(|r| r.compute_commission_rates(v))
    }
}

impl Api {
    /// Places an order (`order.place`). Never resent on its own if the connection drops.
    pub fn place_order(&self, order: NewOrder) -> Call<'_, NewOrder> {
        Call::new(self, order)
    }
    /// Validates an order without placing it (`order.test`).
    pub fn test_order(&self, order: NewOrder) -> Call<'_, TestOrder> {
        Call::new(self, TestOrder::new(order))
    }
    /// Cancels an order and places another (`order.cancelReplace`).
    pub fn cancel_replace(&self, request: CancelReplace) -> Call<'_, CancelReplace> {
        Call::new(self, request)
    }
    /// Places an order with smart order routing (`sor.order.place`).
    pub fn place_sor_order(&self, order: SorOrder) -> Call<'_, SorOrder> {
        Call::new(self, order)
    }
    /// Validates an SOR order without placing it (`sor.order.test`).
    pub fn test_sor_order(&self, order: SorOrder) -> Call<'_, SorTestOrder> {
        Call::new(self, SorTestOrder::new(order))
    }
}

requests! {
    api: crate::api::spot::Api;

    /// Cancels an active order, by `orderId` ([`OrderRef::Id`]) or `origClientOrderId`
    /// ([`OrderRef::ClientId`]). Canceling an order of an order list cancels the whole list.
    cancel_order => CancelOrder("order.cancel", Signed) -> CancelResult {
        req symbol: into String = "symbol"; "Symbol.",
        req order: into OrderRef = "orderId|origClientOrderId"; "The order: `orderId` or `origClientOrderId`.",
        opt new_client_order_id: into String = "newClientOrderId"; "New client id of the canceled order.",
        opt cancel_restrictions: val CancelRestrictions = "cancelRestrictions"; "Cancel only in this status.",
    }

    /// Reduces the quantity of an open order keeping its queue priority.
    amend_order => AmendOrder("order.amend.keepPriority", Signed) -> AmendResponse {
        req symbol: into String = "symbol"; "Symbol.",
        req order: into OrderRef = "orderId|origClientOrderId"; "The order: `orderId` or `origClientOrderId`.",
        req new_qty: val Decimal = "newQty"; "New quantity, above 0 and below the order's quantity.",
        opt new_client_order_id: into String = "newClientOrderId"; "Client id after the amendment (default: generated).",
    }

    /// Cancels all open orders (and order lists) of a symbol.
    cancel_open_orders => CancelOpenOrders("openOrders.cancelAll", Signed) -> Vec<CancelResult> {
        req symbol: into String = "symbol"; "Symbol.",
    }
}
