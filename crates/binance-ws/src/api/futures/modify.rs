//! [`ModifyOrder`]: a futures `order.modify` request (only `LIMIT` orders can be modified).

use std::marker::PhantomData;

use rust_decimal::Decimal;

use super::FuturesProduct;
use crate::api::request::ToParam;
use crate::api::{ApiRequest, OrderRef, Params, Security};
use crate::model::futures::PriceMatch;
use crate::model::Side;

/// Changes the quantity and price of an open `LIMIT` order (`order.modify`); the order goes to the
/// back of the queue at its new price.
///
/// The order is named by `orderId` or `origClientOrderId` ([`OrderRef`]); `quantity` and `price`
/// are both sent (or `priceMatch` instead of `price`).
///
/// ```
/// use binance_ws::usdm::ModifyOrder;
/// use binance_ws::api::ApiRequest;
/// use binance_ws::model::{Decimal, Side};
/// use std::str::FromStr;
/// let m = ModifyOrder::new("BTCUSDT", 328971409u64, Side::Sell, Decimal::from_str("0.11").unwrap(),
///     Decimal::from_str("43769.1").unwrap());
/// let p = m.params();
/// assert_eq!((p["orderId"].as_u64(), p["price"].as_str()), (Some(328971409), Some("43769.1")));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ModifyOrder<P> {
    /// `symbol`
    pub symbol: String,
    /// `orderId` or `origClientOrderId`
    pub order: OrderRef,
    /// `side` (the order's side)
    pub side: Side,
    /// `quantity`: the new quantity
    pub quantity: Decimal,
    /// `price`: the new price
    pub price: Option<Decimal>,
    /// `priceMatch`: a book-derived price instead of `price`
    pub price_match: Option<PriceMatch>,
    product: PhantomData<P>,
}

impl<P> ModifyOrder<P> {
    /// Modifies `order` on `symbol` to `quantity` at `price`.
    pub fn new(
        symbol: impl Into<String>,
        order: impl Into<OrderRef>,
        side: Side,
        quantity: Decimal,
        price: Decimal,
    ) -> Self {
        ModifyOrder {
            symbol: symbol.into(),
            order: order.into(),
            side,
            quantity,
            price: Some(price),
            price_match: None,
            product: PhantomData,
        }
    }

    /// Sets `priceMatch` and, unless it is `NONE`, removes `price`, which cannot be sent with a price match.
    pub fn price_match(mut self, v: PriceMatch) -> Self {
        self.price_match = Some(v);
        if v != PriceMatch::None {
            self.price = None;
        }
        self
    }
}

impl<P: FuturesProduct> ApiRequest for ModifyOrder<P> {
    const METHOD: &'static str = "order.modify";
    const SECURITY: Security = Security::Signed;
    type Response = P::Order;
    fn params(&self) -> Params {
        let mut p = Params::new();
        self.symbol.put("symbol", &mut p);
        self.order.put("orderId|origClientOrderId", &mut p);
        self.side.put("side", &mut p);
        self.quantity.put("quantity", &mut p);
        if let Some(v) = &self.price {
            v.put("price", &mut p);
        }
        if let Some(v) = &self.price_match {
            v.put("priceMatch", &mut p);
        }
        p
    }
}
