//! [`OrderFields`]: a product-neutral view of one order's parameters.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::Value;

use super::ValidationError;
use crate::api::Params;
use crate::model::Side;

/// Which API an order is for: the per-type rules differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Venue {
    /// Spot (`order.place` of the Spot WebSocket API).
    #[default]
    Spot,
    /// USDⓈ-M futures.
    UsdM,
    /// COIN-M futures.
    CoinM,
}

/// The parameters of one order, whatever request carries it: a spot `order.place`, one leg of an
/// order list, or a futures order.
///
/// Built from a request's params with [`OrderFields::from_params`] (or
/// [`OrderFields::from_leg`] for an order list leg) or field by field. Enum values are kept as their
/// wire strings so that spot and futures types fit the same view. Field names in refusals are the
/// wire names, with the leg's prefix (`abovePrice`).
#[derive(Debug, Clone, PartialEq)]
pub struct OrderFields {
    /// Spot or futures.
    pub venue: Venue,
    /// The order list leg's parameter prefix (`above`, `working`, `pendingBelow`), `""` for a single order.
    pub prefix: String,
    /// The wire name of the side parameter (`side`, `workingSide`).
    pub side_key: String,
    /// The wire name of the quantity parameter (`quantity`, `pendingQuantity`).
    pub quantity_key: String,
    /// `symbol`
    pub symbol: String,
    /// `side`
    pub side: Side,
    /// `type` (`LIMIT`, `STOP_MARKET`, ...)
    pub order_type: String,
    /// `timeInForce`
    pub time_in_force: Option<String>,
    /// `quantity`
    pub quantity: Option<Decimal>,
    /// The quantity is set by the list, not sent (the pending orders of an OPO).
    pub quantity_implied: bool,
    /// `quoteOrderQty` (spot `MARKET`)
    pub quote_order_qty: Option<Decimal>,
    /// `price`
    pub price: Option<Decimal>,
    /// `stopPrice`
    pub stop_price: Option<Decimal>,
    /// `trailingDelta` (spot, basis points)
    pub trailing_delta: Option<Decimal>,
    /// `icebergQty` (spot)
    pub iceberg_qty: Option<Decimal>,
    /// `newClientOrderId` (or the leg's `ClientOrderId`)
    pub new_client_order_id: Option<String>,
    /// `strategyType` (spot)
    pub strategy_type: Option<i64>,
    /// `selfTradePreventionMode`
    pub self_trade_prevention_mode: Option<String>,
    /// `pegPriceType` (spot)
    pub peg_price_type: Option<String>,
    /// `pegOffsetType` (spot)
    pub peg_offset_type: Option<String>,
    /// `pegOffsetValue` (spot)
    pub peg_offset_value: Option<i64>,
    /// `positionSide` (futures)
    pub position_side: Option<String>,
    /// `reduceOnly` (futures)
    pub reduce_only: Option<bool>,
    /// `closePosition` (futures)
    pub close_position: Option<bool>,
    /// `activationPrice` (futures)
    pub activation_price: Option<Decimal>,
    /// `callbackRate` (futures, percent)
    pub callback_rate: Option<Decimal>,
    /// `workingType` (futures)
    pub working_type: Option<String>,
    /// `priceProtect` (futures)
    pub price_protect: Option<bool>,
    /// `priceMatch` (futures)
    pub price_match: Option<String>,
    /// `goodTillDate` (futures, epoch ms)
    pub good_till_date: Option<i64>,
}

impl OrderFields {
    /// An order with only its symbol, side and type set.
    pub fn new(venue: Venue, symbol: impl Into<String>, side: Side, order_type: impl Into<String>) -> Self {
        OrderFields {
            venue,
            prefix: String::new(),
            side_key: "side".into(),
            quantity_key: "quantity".into(),
            symbol: symbol.into(),
            side,
            order_type: order_type.into(),
            time_in_force: None,
            quantity: None,
            quantity_implied: false,
            quote_order_qty: None,
            price: None,
            stop_price: None,
            trailing_delta: None,
            iceberg_qty: None,
            new_client_order_id: None,
            strategy_type: None,
            self_trade_prevention_mode: None,
            peg_price_type: None,
            peg_offset_type: None,
            peg_offset_value: None,
            position_side: None,
            reduce_only: None,
            close_position: None,
            activation_price: None,
            callback_rate: None,
            working_type: None,
            price_protect: None,
            price_match: None,
            good_till_date: None,
        }
    }

    /// Reads a single order from a request's params (`order.place`, `order.test`,
    /// `order.cancelReplace`, `sor.order.*`, or a futures `order.place`).
    ///
    /// Refuses a missing `symbol`/`side`/`type` and values that do not parse (a decimal that is not
    /// a decimal number, a side that is neither `BUY` nor `SELL`).
    pub fn from_params(venue: Venue, params: &Params) -> Result<Self, ValidationError> {
        Self::read(venue, params, "", "side", "quantity")
    }

    /// Reads one leg of an order list: its parameters carry `prefix` (`above`, `working`,
    /// `pendingBelow`); its side and quantity are the list's `side_key` and `quantity_key` params.
    pub fn from_leg(
        params: &Params,
        prefix: &str,
        side_key: &str,
        quantity_key: &str,
    ) -> Result<Self, ValidationError> {
        Self::read(Venue::Spot, params, prefix, side_key, quantity_key)
    }

    fn read(
        venue: Venue,
        params: &Params,
        prefix: &str,
        side_key: &str,
        quantity_key: &str,
    ) -> Result<Self, ValidationError> {
        let r = Reader { params, prefix };
        let symbol = r
            .string_at("symbol")
            .ok_or_else(|| ValidationError::missing("symbol", "is mandatory", "a symbol name from exchangeInfo"))?;
        let side = match r.string_at(side_key) {
            None => return Err(ValidationError::missing(side_key, "is mandatory", "BUY or SELL")),
            Some(s) if s == "BUY" => Side::Buy,
            Some(s) if s == "SELL" => Side::Sell,
            Some(s) => return Err(ValidationError::new(side_key, Some(s), "is not an order side", "BUY or SELL")),
        };
        let type_key = r.key("type");
        let order_type = r
            .string_at(&type_key)
            .ok_or_else(|| ValidationError::missing(type_key.clone(), "is mandatory", "an order type"))?;
        let client_id_key = if prefix.is_empty() { "newClientOrderId".to_owned() } else { r.key("clientOrderId") };
        Ok(OrderFields {
            venue,
            prefix: prefix.to_owned(),
            side_key: side_key.to_owned(),
            quantity_key: quantity_key.to_owned(),
            quantity: r.decimal_at(quantity_key)?,
            quantity_implied: false,
            symbol,
            side,
            order_type,
            time_in_force: r.string("timeInForce"),
            quote_order_qty: r.decimal("quoteOrderQty")?,
            price: r.decimal("price")?,
            stop_price: r.decimal("stopPrice")?,
            trailing_delta: r.decimal("trailingDelta")?,
            iceberg_qty: r.decimal("icebergQty")?,
            new_client_order_id: r.string_at(&client_id_key),
            strategy_type: r.int("strategyType")?,
            self_trade_prevention_mode: r.string_at("selfTradePreventionMode"),
            peg_price_type: r.string("pegPriceType"),
            peg_offset_type: r.string("pegOffsetType"),
            peg_offset_value: r.int("pegOffsetValue")?,
            position_side: r.string("positionSide"),
            reduce_only: r.boolean("reduceOnly")?,
            close_position: r.boolean("closePosition")?,
            activation_price: r.decimal("activationPrice")?,
            callback_rate: r.decimal("callbackRate")?,
            working_type: r.string("workingType"),
            price_protect: r.boolean("priceProtect")?,
            price_match: r.string("priceMatch"),
            good_till_date: r.int("goodTillDate")?,
        })
    }

    /// The wire name of `name` for this order: `price` stays `price` for a single order and becomes
    /// `abovePrice` for the above leg of an OCO.
    pub fn key(&self, name: &str) -> String {
        match name {
            "side" => self.side_key.clone(),
            "quantity" => self.quantity_key.clone(),
            _ => prefixed(&self.prefix, name),
        }
    }

    /// Whether `icebergQty` makes this an iceberg order (`icebergQty` > 0).
    pub fn is_iceberg(&self) -> bool {
        self.iceberg_qty.is_some_and(|q| q > Decimal::ZERO)
    }

    /// Whether this is an "algo" order: spot `STOP_LOSS`, `STOP_LOSS_LIMIT`, `TAKE_PROFIT`,
    /// `TAKE_PROFIT_LIMIT`; futures conditional orders (`STOP`, `STOP_MARKET`, `TAKE_PROFIT`,
    /// `TAKE_PROFIT_MARKET`, `TRAILING_STOP_MARKET`), which count against `MAX_NUM_ALGO_ORDERS`.
    pub fn is_algo(&self) -> bool {
        match self.venue {
            Venue::Spot => {
                matches!(
                    self.order_type.as_str(),
                    "STOP_LOSS" | "STOP_LOSS_LIMIT" | "TAKE_PROFIT" | "TAKE_PROFIT_LIMIT"
                )
            }
            Venue::UsdM | Venue::CoinM => matches!(
                self.order_type.as_str(),
                "STOP" | "STOP_MARKET" | "TAKE_PROFIT" | "TAKE_PROFIT_MARKET" | "TRAILING_STOP_MARKET"
            ),
        }
    }
}

fn prefixed(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        return name.to_owned();
    }
    let mut out = String::with_capacity(prefix.len() + name.len());
    out.push_str(prefix);
    let mut chars = name.chars();
    if let Some(c) = chars.next() {
        out.extend(c.to_uppercase());
    }
    out.extend(chars);
    out
}

struct Reader<'a> {
    params: &'a Params,
    prefix: &'a str,
}

impl Reader<'_> {
    fn key(&self, name: &str) -> String {
        prefixed(self.prefix, name)
    }

    fn string_at(&self, key: &str) -> Option<String> {
        match self.params.get(key)? {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        }
    }

    fn string(&self, name: &str) -> Option<String> {
        self.string_at(&self.key(name))
    }

    fn decimal_at(&self, key: &str) -> Result<Option<Decimal>, ValidationError> {
        let text = match self.params.get(key) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            Some(other) => other.to_string(),
        };
        parse_decimal(&text).map(Some).ok_or_else(|| {
            ValidationError::new(
                key,
                Some(&text),
                "is not a decimal number",
                "digits with an optional decimal point, e.g. 0.001",
            )
        })
    }

    fn decimal(&self, name: &str) -> Result<Option<Decimal>, ValidationError> {
        self.decimal_at(&self.key(name))
    }

    fn int(&self, name: &str) -> Result<Option<i64>, ValidationError> {
        let key = self.key(name);
        match self.params.get(&key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) if n.as_i64().is_some() => Ok(n.as_i64()),
            Some(Value::String(s)) if s.parse::<i64>().is_ok() => Ok(s.parse().ok()),
            Some(other) => Err(ValidationError::new(key, Some(other), "is not an integer", "a whole number")),
        }
    }

    fn boolean(&self, name: &str) -> Result<Option<bool>, ValidationError> {
        let key = self.key(name);
        match self.params.get(&key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(other) => Err(ValidationError::new(key, Some(other), "is not a boolean", "true or false")),
        }
    }
}

/// Parses a plain decimal (`"0.00100000"`, `"42"`, `"-1.5"`); no exponent.
pub(crate) fn parse_decimal(text: &str) -> Option<Decimal> {
    let t = text.trim();
    if t.is_empty() || t.contains(['e', 'E']) {
        return None;
    }
    Decimal::from_str(t).ok()
}
