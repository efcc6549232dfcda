//! [`NewOrder`]: a futures `order.place` request, built the way spot orders are
//! (`NewOrder::limit(..).post_only()`).

use std::marker::PhantomData;

use rust_decimal::Decimal;

use super::{bool_param, FuturesProduct, UsdMargined};
use crate::api::request::ToParam;
use crate::api::{ApiRequest, Params, Security};
use crate::model::futures::{NewOrderRespType, OrderType, PositionSide, PriceMatch, TimeInForce, WorkingType};
use crate::model::{SelfTradePreventionMode, Side};

/// A new futures order (`order.place`), for USDⓈ-M (`usdm::NewOrder`) or COIN-M (`coinm::NewOrder`).
///
/// Constructors take the parameters the order type requires (the docs' "additional mandatory
/// parameters"); everything else is a setter. `limit` sets `timeInForce` to `GTC` (mandatory for
/// `LIMIT`); [`NewOrder::post_only`] makes it `GTX`. Decimals are sent as strings with their scale;
/// `reduceOnly`/`closePosition` as `"true"`/`"false"` and `priceProtect` as `"TRUE"`/`"FALSE"`,
/// the string forms the docs give.
///
/// ```
/// use binance_ws::usdm::{NewOrder, PositionSide, WorkingType};
/// use binance_ws::api::ApiRequest;
/// use binance_ws::model::{Decimal, Side};
/// use std::str::FromStr;
/// let d = |s: &str| Decimal::from_str(s).unwrap();
///
/// let entry = NewOrder::limit("BTCUSDT", Side::Buy, d("0.100"), d("43187.00")).post_only();
/// let p = entry.params();
/// assert_eq!((p["type"].as_str(), p["timeInForce"].as_str()), (Some("LIMIT"), Some("GTX")));
/// assert_eq!(p["price"], "43187.00");
///
/// // A stop that closes the whole long position when the mark price falls to 40000.
/// let stop = NewOrder::stop_market("BTCUSDT", Side::Sell, d("0.100"), d("40000"))
///     .close_position()
///     .working_type(WorkingType::MarkPrice)
///     .position_side(PositionSide::Long);
/// let p = stop.params();
/// assert_eq!(p["closePosition"], "true");
/// assert!(p.get("quantity").is_none(), "close-all orders carry no quantity");
/// ```
///
/// Sending it: `api.place_order(order).await?` (see [`crate::usdm::Api::place_order`]).
#[derive(Debug, Clone, PartialEq)]
pub struct NewOrder<P> {
    /// `symbol`
    pub symbol: String,
    /// `side`
    pub side: Side,
    /// `type`
    pub order_type: OrderType,
    /// `positionSide` (default `BOTH`; `LONG`/`SHORT` in Hedge Mode)
    pub position_side: Option<PositionSide>,
    /// `timeInForce`
    pub time_in_force: Option<TimeInForce>,
    /// `quantity`
    pub quantity: Option<Decimal>,
    /// `reduceOnly`
    pub reduce_only: Option<bool>,
    /// `price`
    pub price: Option<Decimal>,
    /// `newClientOrderId`
    pub new_client_order_id: Option<String>,
    /// `stopPrice`
    pub stop_price: Option<Decimal>,
    /// `closePosition`
    pub close_position: Option<bool>,
    /// `activationPrice`
    pub activation_price: Option<Decimal>,
    /// `callbackRate` (percent, 0.1 to 10)
    pub callback_rate: Option<Decimal>,
    /// `workingType`
    pub working_type: Option<WorkingType>,
    /// `priceProtect`
    pub price_protect: Option<bool>,
    /// `newOrderRespType`
    pub new_order_resp_type: Option<NewOrderRespType>,
    /// `priceMatch`
    pub price_match: Option<PriceMatch>,
    /// `selfTradePreventionMode`
    pub self_trade_prevention_mode: Option<SelfTradePreventionMode>,
    /// `goodTillDate` (USDⓈ-M only; epoch ms)
    pub good_till_date: Option<u64>,
    product: PhantomData<P>,
}

impl<P> NewOrder<P> {
    /// An order of any type with nothing else set: add what the type needs with setters.
    pub fn new(symbol: impl Into<String>, side: Side, order_type: OrderType) -> Self {
        NewOrder {
            symbol: symbol.into(),
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
            new_order_resp_type: None,
            price_match: None,
            self_trade_prevention_mode: None,
            good_till_date: None,
            product: PhantomData,
        }
    }

    /// `LIMIT`: `quantity` at `price` or better, `GTC` unless changed.
    pub fn limit(symbol: impl Into<String>, side: Side, quantity: Decimal, price: Decimal) -> Self {
        Self::new(symbol, side, OrderType::Limit).quantity(quantity).price(price).time_in_force(TimeInForce::Gtc)
    }

    /// `MARKET` for `quantity`.
    pub fn market(symbol: impl Into<String>, side: Side, quantity: Decimal) -> Self {
        Self::new(symbol, side, OrderType::Market).quantity(quantity)
    }

    /// `STOP`: a limit order for `quantity` at `price` once the trigger reaches `stop_price`.
    pub fn stop(symbol: impl Into<String>, side: Side, quantity: Decimal, price: Decimal, stop_price: Decimal) -> Self {
        Self::new(symbol, side, OrderType::Stop).quantity(quantity).price(price).stop_price(stop_price)
    }

    /// `STOP_MARKET`: a market order for `quantity` once the trigger reaches `stop_price`
    /// (add [`NewOrder::close_position`] to close the whole position instead).
    pub fn stop_market(symbol: impl Into<String>, side: Side, quantity: Decimal, stop_price: Decimal) -> Self {
        Self::new(symbol, side, OrderType::StopMarket).quantity(quantity).stop_price(stop_price)
    }

    /// `TAKE_PROFIT`: like [`NewOrder::stop`], triggered by a favourable move.
    pub fn take_profit(
        symbol: impl Into<String>,
        side: Side,
        quantity: Decimal,
        price: Decimal,
        stop_price: Decimal,
    ) -> Self {
        Self::new(symbol, side, OrderType::TakeProfit).quantity(quantity).price(price).stop_price(stop_price)
    }

    /// `TAKE_PROFIT_MARKET`: like [`NewOrder::stop_market`], triggered by a favourable move.
    pub fn take_profit_market(symbol: impl Into<String>, side: Side, quantity: Decimal, stop_price: Decimal) -> Self {
        Self::new(symbol, side, OrderType::TakeProfitMarket).quantity(quantity).stop_price(stop_price)
    }

    /// `TRAILING_STOP_MARKET`: follows the best price by `callback_rate` percent (0.1 to 10; 1 is 1%),
    /// starting from the latest price unless [`NewOrder::activation_price`] is set.
    pub fn trailing_stop_market(
        symbol: impl Into<String>,
        side: Side,
        quantity: Decimal,
        callback_rate: Decimal,
    ) -> Self {
        Self::new(symbol, side, OrderType::TrailingStopMarket).quantity(quantity).callback_rate(callback_rate)
    }

    /// Post-only: a `LIMIT` order with `timeInForce` `GTX`, expired instead of trading at once.
    pub fn post_only(self) -> Self {
        self.time_in_force(TimeInForce::Gtx)
    }

    /// Close-All (`closePosition=true`, `STOP_MARKET`/`TAKE_PROFIT_MARKET`): closes the whole position
    /// when triggered; `quantity` and `reduceOnly` are removed, as the docs require.
    pub fn close_position(mut self) -> Self {
        self.close_position = Some(true);
        self.quantity = None;
        self.reduce_only = None;
        self
    }

    /// Sets `positionSide` (must be sent in Hedge Mode).
    pub fn position_side(mut self, v: PositionSide) -> Self {
        self.position_side = Some(v);
        self
    }
    /// Sets `timeInForce`.
    pub fn time_in_force(mut self, v: TimeInForce) -> Self {
        self.time_in_force = Some(v);
        self
    }
    /// Sets `quantity`.
    pub fn quantity(mut self, v: Decimal) -> Self {
        self.quantity = Some(v);
        self
    }
    /// Sets `reduceOnly` (not in Hedge Mode, not with `closePosition`).
    pub fn reduce_only(mut self, v: bool) -> Self {
        self.reduce_only = Some(v);
        self
    }
    /// Sets `price` (and removes `priceMatch`, which cannot be sent with it).
    pub fn price(mut self, v: Decimal) -> Self {
        self.price = Some(v);
        self.price_match = None;
        self
    }
    /// Sets `newClientOrderId` (`^[\.A-Z\:/a-z0-9_-]{1,36}$`).
    pub fn new_client_order_id(mut self, v: impl Into<String>) -> Self {
        self.new_client_order_id = Some(v.into());
        self
    }
    /// Sets `stopPrice`.
    pub fn stop_price(mut self, v: Decimal) -> Self {
        self.stop_price = Some(v);
        self
    }
    /// Sets `activationPrice` (`TRAILING_STOP_MARKET`).
    pub fn activation_price(mut self, v: Decimal) -> Self {
        self.activation_price = Some(v);
        self
    }
    /// Sets `callbackRate` (`TRAILING_STOP_MARKET`; percent, 0.1 to 10).
    pub fn callback_rate(mut self, v: Decimal) -> Self {
        self.callback_rate = Some(v);
        self
    }
    /// Sets `workingType` (what triggers `stopPrice`).
    pub fn working_type(mut self, v: WorkingType) -> Self {
        self.working_type = Some(v);
        self
    }
    /// Sets `priceProtect` (stop and take-profit orders).
    pub fn price_protect(mut self, v: bool) -> Self {
        self.price_protect = Some(v);
        self
    }
    /// Sets `newOrderRespType` (default `ACK`).
    pub fn new_order_resp_type(mut self, v: NewOrderRespType) -> Self {
        self.new_order_resp_type = Some(v);
        self
    }
    /// Sets `priceMatch` (`LIMIT`, `STOP`, `TAKE_PROFIT`) and, unless it is `NONE`, removes `price`,
    /// which cannot be sent with a price match.
    pub fn price_match(mut self, v: PriceMatch) -> Self {
        self.price_match = Some(v);
        if v != PriceMatch::None {
            self.price = None;
        }
        self
    }
    /// Sets `selfTradePreventionMode`.
    pub fn self_trade_prevention_mode(mut self, v: SelfTradePreventionMode) -> Self {
        self.self_trade_prevention_mode = Some(v);
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
            position_side => "positionSide",
            time_in_force => "timeInForce",
            quantity => "quantity",
            price => "price",
            new_client_order_id => "newClientOrderId",
            stop_price => "stopPrice",
            activation_price => "activationPrice",
            callback_rate => "callbackRate",
            working_type => "workingType",
            new_order_resp_type => "newOrderRespType",
            price_match => "priceMatch",
            self_trade_prevention_mode => "selfTradePreventionMode",
            good_till_date => "goodTillDate",
        );
        if let Some(v) = self.reduce_only {
            p.insert("reduceOnly".into(), bool_param(v));
        }
        if let Some(v) = self.close_position {
            p.insert("closePosition".into(), bool_param(v));
        }
        if let Some(v) = self.price_protect {
            p.insert("priceProtect".into(), serde_json::Value::String(if v { "TRUE" } else { "FALSE" }.into()));
        }
    }
}

impl NewOrder<UsdMargined> {
    /// Sets `goodTillDate` (epoch ms, kept to the second; more than 600 s ahead) and `timeInForce`
    /// `GTD`, which it belongs to. USDⓈ-M only.
    pub fn good_till_date(mut self, epoch_ms: u64) -> Self {
        self.good_till_date = Some(epoch_ms);
        self.time_in_force = Some(TimeInForce::Gtd);
        self
    }
}

impl<P: FuturesProduct> ApiRequest for NewOrder<P> {
    const METHOD: &'static str = "order.place";
    const SECURITY: Security = Security::Signed;
    type Response = P::Order;
    fn params(&self) -> Params {
        let mut p = Params::new();
        self.put_params(&mut p);
        p
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use serde_json::json;

    use super::*;
    use crate::api::futures::CoinMargined;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn every_constructor_sets_its_type_and_mandatory_fields() {
        type O = NewOrder<UsdMargined>;
        let p = |o: O| serde_json::Value::Object(o.params());
        assert_eq!(
            p(O::limit("BTCUSDT", Side::Buy, d("0.1"), d("43187.00"))),
            json!({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
                   "quantity": "0.1", "price": "43187.00"})
        );
        assert_eq!(
            p(O::market("BTCUSDT", Side::Sell, d("1"))),
            json!({"symbol": "BTCUSDT", "side": "SELL", "type": "MARKET", "quantity": "1"})
        );
        assert_eq!(
            p(O::stop("X", Side::Buy, d("1"), d("2"), d("3"))),
            json!({"symbol": "X", "side": "BUY", "type": "STOP", "quantity": "1", "price": "2", "stopPrice": "3"})
        );
        assert_eq!(p(O::take_profit("X", Side::Buy, d("1"), d("2"), d("3")))["type"], "TAKE_PROFIT");
        assert_eq!(p(O::stop_market("X", Side::Buy, d("1"), d("3")))["type"], "STOP_MARKET");
        assert_eq!(p(O::take_profit_market("X", Side::Buy, d("1"), d("3")))["type"], "TAKE_PROFIT_MARKET");
        assert_eq!(
            p(O::trailing_stop_market("X", Side::Sell, d("1"), d("0.5")).activation_price(d("9020"))),
            json!({"symbol": "X", "side": "SELL", "type": "TRAILING_STOP_MARKET", "quantity": "1",
                   "callbackRate": "0.5", "activationPrice": "9020"})
        );
    }

    #[test]
    fn string_booleans_price_match_and_gtd() {
        let o = NewOrder::<UsdMargined>::limit("X", Side::Buy, d("1"), d("2"))
            .reduce_only(true)
            .price_match(PriceMatch::Queue5)
            .good_till_date(1_900_000_000_000);
        let p = o.params();
        assert_eq!(p["reduceOnly"], "true");
        assert_eq!(p["priceMatch"], "QUEUE_5");
        assert!(p.get("price").is_none(), "priceMatch replaces price");
        assert_eq!((p["timeInForce"].as_str(), p["goodTillDate"].as_u64()), (Some("GTD"), Some(1_900_000_000_000)));
        let s = NewOrder::<CoinMargined>::stop_market("X", Side::Sell, d("1"), d("3")).price_protect(true);
        assert_eq!(s.params()["priceProtect"], "TRUE");
        let s = s.reduce_only(false).close_position();
        let p = s.params();
        assert_eq!(p["closePosition"], "true");
        assert!(p.get("reduceOnly").is_none() && p.get("quantity").is_none());
    }
}
