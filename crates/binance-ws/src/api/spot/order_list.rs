//! Order list requests (security `TRADE`): OCO (new and deprecated forms), OTO, OTOCO, OPO,
//! OPOCO, and cancel.
//!
//! The orders of a list are [`OrderListLeg`]s. A leg's parameters are sent with the leg's
//! prefix: the `price` of the OCO's above leg is `abovePrice`, of an OTOCO's pending below leg
//! `pendingBelowPrice`, and so on.

use rust_decimal::Decimal;

use super::models::{CanceledOrderList, OrderListResponse};
use super::{requests, Api, ApiRequest, Call, OrderRef, Params, ToParam};
use crate::api::Security;
use crate::model::{
    NewOrderRespType, OrderType, PegOffsetType, PegPriceType, SelfTradePreventionMode, Side, TimeInForce,
};

/// One order of an order list: its type and the parameters sent with the leg's prefix.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderListLeg {
    /// `<prefix>Type`
    pub order_type: OrderType,
    /// `<prefix>ClientOrderId`
    pub client_order_id: Option<String>,
    /// `<prefix>Price`
    pub price: Option<Decimal>,
    /// `<prefix>StopPrice`
    pub stop_price: Option<Decimal>,
    /// `<prefix>TrailingDelta`
    pub trailing_delta: Option<u64>,
    /// `<prefix>TimeInForce`
    pub time_in_force: Option<TimeInForce>,
    /// `<prefix>IcebergQty`
    pub iceberg_qty: Option<Decimal>,
    /// `<prefix>StrategyId`
    pub strategy_id: Option<u64>,
    /// `<prefix>StrategyType`
    pub strategy_type: Option<u32>,
    /// `<prefix>PegPriceType`
    pub peg_price_type: Option<PegPriceType>,
    /// `<prefix>PegOffsetType`
    pub peg_offset_type: Option<PegOffsetType>,
    /// `<prefix>PegOffsetValue`
    pub peg_offset_value: Option<u32>,
}

impl OrderListLeg {
    /// A leg of `order_type` with no parameter set.
    pub fn new(order_type: OrderType) -> Self {
        OrderListLeg {
            order_type,
            client_order_id: None,
            price: None,
            stop_price: None,
            trailing_delta: None,
            time_in_force: None,
            iceberg_qty: None,
            strategy_id: None,
            strategy_type: None,
            peg_price_type: None,
            peg_offset_type: None,
            peg_offset_value: None,
        }
    }
    /// `LIMIT` at `price`, `GTC` unless changed.
    pub fn limit(price: Decimal) -> Self {
        Self::new(OrderType::Limit).price(price).time_in_force(TimeInForce::Gtc)
    }
    /// `LIMIT_MAKER` at `price`.
    pub fn limit_maker(price: Decimal) -> Self {
        Self::new(OrderType::LimitMaker).price(price)
    }
    /// `MARKET` (pending legs).
    pub fn market() -> Self {
        Self::new(OrderType::Market)
    }
    /// `STOP_LOSS` triggered at `stop_price` (or set a trailing delta on [`OrderListLeg::new`]).
    pub fn stop_loss(stop_price: Decimal) -> Self {
        Self::new(OrderType::StopLoss).stop_price(stop_price)
    }
    /// `STOP_LOSS_LIMIT` at `price`, triggered at `stop_price`, `GTC` unless changed.
    pub fn stop_loss_limit(price: Decimal, stop_price: Decimal) -> Self {
        Self::new(OrderType::StopLossLimit).price(price).stop_price(stop_price).time_in_force(TimeInForce::Gtc)
    }
    /// `TAKE_PROFIT` triggered at `stop_price`.
    pub fn take_profit(stop_price: Decimal) -> Self {
        Self::new(OrderType::TakeProfit).stop_price(stop_price)
    }
    /// `TAKE_PROFIT_LIMIT` at `price`, triggered at `stop_price`, `GTC` unless changed.
    pub fn take_profit_limit(price: Decimal, stop_price: Decimal) -> Self {
        Self::new(OrderType::TakeProfitLimit).price(price).stop_price(stop_price).time_in_force(TimeInForce::Gtc)
    }
    /// Sets the leg's client order id.
    pub fn client_order_id(mut self, v: impl Into<String>) -> Self {
        self.client_order_id = Some(v.into());
        self
    }
    /// Sets the leg's limit price.
    pub fn price(mut self, v: Decimal) -> Self {
        self.price = Some(v);
        self
    }
    /// Sets the leg's trigger price.
    pub fn stop_price(mut self, v: Decimal) -> Self {
        self.stop_price = Some(v);
        self
    }
    /// Sets the leg's trailing delta (basis points).
    pub fn trailing_delta(mut self, v: u64) -> Self {
        self.trailing_delta = Some(v);
        self
    }
    /// Sets the leg's time in force.
    pub fn time_in_force(mut self, v: TimeInForce) -> Self {
        self.time_in_force = Some(v);
        self
    }
    /// Sets the leg's iceberg quantity.
    pub fn iceberg_qty(mut self, v: Decimal) -> Self {
        self.iceberg_qty = Some(v);
        self
    }
    /// Sets the leg's strategy id.
    pub fn strategy_id(mut self, v: u64) -> Self {
        self.strategy_id = Some(v);
        self
    }
    /// Sets the leg's strategy type (values below 1000000 are reserved).
    pub fn strategy_type(mut self, v: u32) -> Self {
        self.strategy_type = Some(v);
        self
    }
    /// Sets the leg's peg price type.
    pub fn peg_price_type(mut self, v: PegPriceType) -> Self {
        self.peg_price_type = Some(v);
        self
    }
    /// Sets the leg's peg offset type.
    pub fn peg_offset_type(mut self, v: PegOffsetType) -> Self {
        self.peg_offset_type = Some(v);
        self
    }
    /// Sets the leg's peg offset value.
    pub fn peg_offset_value(mut self, v: u32) -> Self {
        self.peg_offset_value = Some(v);
        self
    }

    /// Adds the leg's parameters to `p`, each name being `prefix` + the capitalized field name.
    fn put(&self, prefix: &str, p: &mut Params) {
        let mut put = |name: &str, value: &dyn ToParamDyn| value.put_dyn(format!("{prefix}{name}"), p);
        put("Type", &self.order_type);
        macro_rules! opt {
            ($($f:ident => $k:literal),* $(,)?) => {$( if let Some(v) = &self.$f { put($k, v); } )*};
        }
        opt!(
            client_order_id => "ClientOrderId",
            price => "Price",
            stop_price => "StopPrice",
            trailing_delta => "TrailingDelta",
            time_in_force => "TimeInForce",
            iceberg_qty => "IcebergQty",
            strategy_id => "StrategyId",
            strategy_type => "StrategyType",
            peg_price_type => "PegPriceType",
            peg_offset_type => "PegOffsetType",
            peg_offset_value => "PegOffsetValue",
        );
    }
}

/// [`ToParam`] with a computed key.
trait ToParamDyn {
    fn put_dyn(&self, key: String, p: &mut Params);
}
impl<T: ToParam> ToParamDyn for T {
    fn put_dyn(&self, key: String, p: &mut Params) {
        let mut one = Params::new();
        self.put("k", &mut one);
        if let Some(v) = one.remove("k") {
            p.insert(key, v);
        }
    }
}

/// Parameters common to every order list placement.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListOptions {
    /// `listClientOrderId`
    pub list_client_order_id: Option<String>,
    /// `newOrderRespType`
    pub new_order_resp_type: Option<NewOrderRespType>,
    /// `selfTradePreventionMode`
    pub self_trade_prevention_mode: Option<SelfTradePreventionMode>,
}

impl ListOptions {
    fn put(&self, p: &mut Params) {
        if let Some(v) = &self.list_client_order_id {
            v.put("listClientOrderId", p);
        }
        if let Some(v) = &self.new_order_resp_type {
            v.put("newOrderRespType", p);
        }
        if let Some(v) = &self.self_trade_prevention_mode {
            v.put("selfTradePreventionMode", p);
        }
    }
}

/// Adds the setters of [`ListOptions`] to an order list request and to its [`Call`].
macro_rules! list_options {
    ($($t:ident),*) => {$(
        impl $t {
            /// Sets `listClientOrderId` (unique among open order lists).
            pub fn list_client_order_id(mut self, v: impl Into<String>) -> Self {
                self.options.list_client_order_id = Some(v.into());
                self
            }
            /// Sets `newOrderRespType` (the shape of `orderReports`).
            pub fn new_order_resp_type(mut self, v: NewOrderRespType) -> Self {
                self.options.new_order_resp_type = Some(v);
                self
            }
            /// Sets `selfTradePreventionMode`.
            pub fn self_trade_prevention_mode(mut self, v: SelfTradePreventionMode) -> Self {
                self.options.self_trade_prevention_mode = Some(v);
                self
            }
        }
    )*};
}

/// `orderList.place.oco`: two orders, above and below the market; one filling cancels the other.
///
/// One leg is `LIMIT_MAKER`/`TAKE_PROFIT`/`TAKE_PROFIT_LIMIT`, the other `STOP_LOSS`/`STOP_LOSS_LIMIT`.
#[derive(Debug, Clone, PartialEq)]
pub struct OcoOrderList {
    /// `symbol`
    pub symbol: String,
    /// `side` of both orders.
    pub side: Side,
    /// `quantity` of both orders.
    pub quantity: Decimal,
    /// The above order (`above*`).
    pub above: OrderListLeg,
    /// The below order (`below*`).
    pub below: OrderListLeg,
    /// Common options.
    pub options: ListOptions,
}

impl OcoOrderList {
    /// An OCO of `quantity` on `side` with its two legs.
    pub fn new(
        symbol: impl Into<String>,
        side: Side,
        quantity: Decimal,
        above: OrderListLeg,
        below: OrderListLeg,
    ) -> Self {
        OcoOrderList { symbol: symbol.into(), side, quantity, above, below, options: ListOptions::default() }
    }
}

impl ApiRequest for OcoOrderList {
    const METHOD: &'static str = "orderList.place.oco";
    const SECURITY: Security = Security::Signed;
    type Response = OrderListResponse;
    fn params(&self) -> Params {
        let mut p = Params::new();
        self.symbol.put("symbol", &mut p);
        self.side.put("side", &mut p);
        self.quantity.put("quantity", &mut p);
        self.above.put("above", &mut p);
        self.below.put("below", &mut p);
        self.options.put(&mut p);
        p
    }
}

/// `orderList.place.oto`: a working order that, once fully filled, places the pending order.
#[derive(Debug, Clone, PartialEq)]
pub struct OtoOrderList {
    /// `symbol`
    pub symbol: String,
    /// `workingSide`
    pub working_side: Side,
    /// `workingQuantity`
    pub working_quantity: Decimal,
    /// The working order (`working*`; `LIMIT` or `LIMIT_MAKER`, with a price).
    pub working: OrderListLeg,
    /// `pendingSide`
    pub pending_side: Side,
    /// `pendingQuantity`
    pub pending_quantity: Decimal,
    /// The pending order (`pending*`).
    pub pending: OrderListLeg,
    /// Common options.
    pub options: ListOptions,
}

impl OtoOrderList {
    /// An OTO: `working` first, then `pending` once it fills.
    pub fn new(
        symbol: impl Into<String>,
        working_side: Side,
        working_quantity: Decimal,
        working: OrderListLeg,
        pending_side: Side,
        pending_quantity: Decimal,
        pending: OrderListLeg,
    ) -> Self {
        OtoOrderList {
            symbol: symbol.into(),
            working_side,
            working_quantity,
            working,
            pending_side,
            pending_quantity,
            pending,
            options: ListOptions::default(),
        }
    }
}

impl ApiRequest for OtoOrderList {
    const METHOD: &'static str = "orderList.place.oto";
    const SECURITY: Security = Security::Signed;
    type Response = OrderListResponse;
    fn params(&self) -> Params {
        let mut p = Params::new();
        self.symbol.put("symbol", &mut p);
        self.working_side.put("workingSide", &mut p);
        self.working_quantity.put("workingQuantity", &mut p);
        self.working.put("working", &mut p);
        self.pending_side.put("pendingSide", &mut p);
        self.pending_quantity.put("pendingQuantity", &mut p);
        self.pending.put("pending", &mut p);
        self.options.put(&mut p);
        p
    }
}

/// `orderList.place.otoco`: a working order that, once fully filled, places an OCO pair.
#[derive(Debug, Clone, PartialEq)]
pub struct OtocoOrderList {
    /// `symbol`
    pub symbol: String,
    /// `workingSide`
    pub working_side: Side,
    /// `workingQuantity`
    pub working_quantity: Decimal,
    /// The working order (`working*`).
    pub working: OrderListLeg,
    /// `pendingSide`
    pub pending_side: Side,
    /// `pendingQuantity`
    pub pending_quantity: Decimal,
    /// The pending above order (`pendingAbove*`).
    pub pending_above: OrderListLeg,
    /// The pending below order (`pendingBelow*`; optional per the docs).
    pub pending_below: Option<OrderListLeg>,
    /// Common options.
    pub options: ListOptions,
}

impl OtocoOrderList {
    /// An OTOCO: `working` first, then the pending pair once it fills (add the below leg with
    /// [`OtocoOrderList::pending_below`]).
    pub fn new(
        symbol: impl Into<String>,
        working_side: Side,
        working_quantity: Decimal,
        working: OrderListLeg,
        pending_side: Side,
        pending_quantity: Decimal,
        pending_above: OrderListLeg,
    ) -> Self {
        OtocoOrderList {
            symbol: symbol.into(),
            working_side,
            working_quantity,
            working,
            pending_side,
            pending_quantity,
            pending_above,
            pending_below: None,
            options: ListOptions::default(),
        }
    }
    /// Sets the pending below order.
    pub fn pending_below(mut self, leg: OrderListLeg) -> Self {
        self.pending_below = Some(leg);
        self
    }
}

impl ApiRequest for OtocoOrderList {
    const METHOD: &'static str = "orderList.place.otoco";
    const SECURITY: Security = Security::Signed;
    type Response = OrderListResponse;
    fn params(&self) -> Params {
        let mut p = Params::new();
        self.symbol.put("symbol", &mut p);
        self.working_side.put("workingSide", &mut p);
        self.working_quantity.put("workingQuantity", &mut p);
        self.working.put("working", &mut p);
        self.pending_side.put("pendingSide", &mut p);
        self.pending_quantity.put("pendingQuantity", &mut p);
        self.pending_above.put("pendingAbove", &mut p);
        if let Some(leg) = &self.pending_below {
            leg.put("pendingBelow", &mut p);
        }
        self.options.put(&mut p);
        p
    }
}

/// `orderList.place.opo`: like OTO, but the pending order has no quantity of its own.
#[derive(Debug, Clone, PartialEq)]
pub struct OpoOrderList {
    /// `symbol`
    pub symbol: String,
    /// `workingSide`
    pub working_side: Side,
    /// `workingQuantity`
    pub working_quantity: Decimal,
    /// The working order (`working*`).
    pub working: OrderListLeg,
    /// `pendingSide`
    pub pending_side: Side,
    /// The pending order (`pending*`).
    pub pending: OrderListLeg,
    /// Common options.
    pub options: ListOptions,
}

impl OpoOrderList {
    /// An OPO: `working` first, then `pending`.
    pub fn new(
        symbol: impl Into<String>,
        working_side: Side,
        working_quantity: Decimal,
        working: OrderListLeg,
        pending_side: Side,
        pending: OrderListLeg,
    ) -> Self {
        OpoOrderList {
            symbol: symbol.into(),
            working_side,
            working_quantity,
            working,
            pending_side,
            pending,
            options: ListOptions::default(),
        }
    }
}

impl ApiRequest for OpoOrderList {
    const METHOD: &'static str = "orderList.place.opo";
    const SECURITY: Security = Security::Signed;
    type Response = OrderListResponse;
    fn params(&self) -> Params {
        let mut p = Params::new();
        self.symbol.put("symbol", &mut p);
        self.working_side.put("workingSide", &mut p);
        self.working_quantity.put("workingQuantity", &mut p);
        self.working.put("working", &mut p);
        self.pending_side.put("pendingSide", &mut p);
        self.pending.put("pending", &mut p);
        self.options.put(&mut p);
        p
    }
}

/// `orderList.place.opoco`: like OTOCO, but the pending pair has no quantity of its own.
#[derive(Debug, Clone, PartialEq)]
pub struct OpocoOrderList {
    /// `symbol`
    pub symbol: String,
    /// `workingSide`
    pub working_side: Side,
    /// `workingQuantity`
    pub working_quantity: Decimal,
    /// The working order (`working*`).
    pub working: OrderListLeg,
    /// `pendingSide`
    pub pending_side: Side,
    /// The pending above order (`pendingAbove*`).
    pub pending_above: OrderListLeg,
    /// The pending below order (`pendingBelow*`; optional per the docs).
    pub pending_below: Option<OrderListLeg>,
    /// Common options.
    pub options: ListOptions,
}

impl OpocoOrderList {
    /// An OPOCO: `working` first, then the pending pair (add the below leg with
    /// [`OpocoOrderList::pending_below`]).
    pub fn new(
        symbol: impl Into<String>,
        working_side: Side,
        working_quantity: Decimal,
        working: OrderListLeg,
        pending_side: Side,
        pending_above: OrderListLeg,
    ) -> Self {
        OpocoOrderList {
            symbol: symbol.into(),
            working_side,
            working_quantity,
            working,
            pending_side,
            pending_above,
            pending_below: None,
            options: ListOptions::default(),
        }
    }
    /// Sets the pending below order.
    pub fn pending_below(mut self, leg: OrderListLeg) -> Self {
        self.pending_below = Some(leg);
        self
    }
}

impl ApiRequest for OpocoOrderList {
    const METHOD: &'static str = "orderList.place.opoco";
    const SECURITY: Security = Security::Signed;
    type Response = OrderListResponse;
    fn params(&self) -> Params {
        let mut p = Params::new();
        self.symbol.put("symbol", &mut p);
        self.working_side.put("workingSide", &mut p);
        self.working_quantity.put("workingQuantity", &mut p);
        self.working.put("working", &mut p);
        self.pending_side.put("pendingSide", &mut p);
        self.pending_above.put("pendingAbove", &mut p);
        if let Some(leg) = &self.pending_below {
            leg.put("pendingBelow", &mut p);
        }
        self.options.put(&mut p);
        p
    }
}

list_options!(OcoOrderList, OtoOrderList, OtocoOrderList, OpoOrderList, OpocoOrderList);

impl Api {
    /// Places an OCO (`orderList.place.oco`).
    pub fn place_oco(&self, list: OcoOrderList) -> Call<'_, OcoOrderList> {
        Call::new(self, list)
    }
    /// Places an OTO (`orderList.place.oto`).
    pub fn place_oto(&self, list: OtoOrderList) -> Call<'_, OtoOrderList> {
        Call::new(self, list)
    }
    /// Places an OTOCO (`orderList.place.otoco`).
    pub fn place_otoco(&self, list: OtocoOrderList) -> Call<'_, OtocoOrderList> {
        Call::new(self, list)
    }
    /// Places an OPO (`orderList.place.opo`).
    pub fn place_opo(&self, list: OpoOrderList) -> Call<'_, OpoOrderList> {
        Call::new(self, list)
    }
    /// Places an OPOCO (`orderList.place.opoco`).
    pub fn place_opoco(&self, list: OpocoOrderList) -> Call<'_, OpocoOrderList> {
        Call::new(self, list)
    }
}

requests! {
    api: crate::api::spot::Api;

    /// Places an OCO in the deprecated form (`LIMIT_MAKER` plus `STOP_LOSS`/`STOP_LOSS_LIMIT`);
    /// prefer [`Api::place_oco`]. Either `stop_price` or `trailing_delta` (or both) is needed.
    place_oco_legacy => OcoOrderListLegacy("orderList.place", Signed) -> OrderListResponse {
        req symbol: into String = "symbol"; "Symbol.",
        req side: val Side = "side"; "Side of both orders.",
        req quantity: val Decimal = "quantity"; "Quantity of both orders.",
        req price: val Decimal = "price"; "Price of the limit order.",
        opt stop_price: val Decimal = "stopPrice"; "Trigger price of the stop order.",
        opt trailing_delta: val u64 = "trailingDelta"; "Trailing delta of the stop order.",
        opt list_client_order_id: into String = "listClientOrderId"; "Client id of the list.",
        opt limit_client_order_id: into String = "limitClientOrderId"; "Client id of the limit order.",
        opt limit_iceberg_qty: val Decimal = "limitIcebergQty"; "Iceberg quantity of the limit order.",
        opt limit_strategy_id: val u64 = "limitStrategyId"; "Strategy id of the limit order.",
        opt limit_strategy_type: val u32 = "limitStrategyType"; "Strategy type of the limit order.",
        opt stop_client_order_id: into String = "stopClientOrderId"; "Client id of the stop order.",
        opt stop_limit_price: val Decimal = "stopLimitPrice"; "Limit price of the stop order (makes it `STOP_LOSS_LIMIT`).",
        opt stop_limit_time_in_force: val TimeInForce = "stopLimitTimeInForce"; "Time in force of the stop limit order.",
        opt stop_iceberg_qty: val Decimal = "stopIcebergQty"; "Iceberg quantity of the stop order.",
        opt stop_strategy_id: val u64 = "stopStrategyId"; "Strategy id of the stop order.",
        opt stop_strategy_type: val u32 = "stopStrategyType"; "Strategy type of the stop order.",
        opt new_order_resp_type: val NewOrderRespType = "newOrderRespType"; "Shape of `orderReports` (default `FULL`).",
        opt self_trade_prevention_mode: val SelfTradePreventionMode = "selfTradePreventionMode"; "STP mode.",
    }

    /// Cancels an order list, by `orderListId` ([`OrderRef::Id`]) or `listClientOrderId`
    /// ([`OrderRef::ClientId`]).
    cancel_order_list => CancelOrderList("orderList.cancel", Signed) -> CanceledOrderList {
        req symbol: into String = "symbol"; "Symbol.",
        req order_list: into OrderRef = "orderListId|listClientOrderId"; "The list: `orderListId` or `listClientOrderId`.",
        opt new_client_order_id: into String = "newClientOrderId"; "New client id of the canceled list.",
    }
}
