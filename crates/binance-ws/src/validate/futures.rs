//! Checks of futures requests (USDⓈ-M and COIN-M): `order.place` with the per-type rules of the
//! "New Order" pages and the symbol's filters, `order.modify` with the rules of the "Modify Order" pages
//! (only `LIMIT` orders are modified: `quantity`, and `price` or `priceMatch`).

use rust_decimal::Decimal;

use super::order::check_fields;
use super::rules::Adds;
use super::{Context, ExchangeRules, OrderFields, ValidationError, Venue};
use crate::api::Params;

/// Checks the params of a futures API request before it is sent: `order.place` and `order.modify`;
/// other methods pass. With `rules`, the order's symbol filters apply too (when its symbol has rules).
///
/// ```
/// use binance_ws::api::ApiRequest;
/// use binance_ws::usdm::NewOrder;
/// use binance_ws::validate::{check_futures_request, Context, Venue};
/// use binance_ws::model::{Decimal, Side};
///
/// let mut order = NewOrder::stop("BTCUSDT", Side::Sell, Decimal::ONE, Decimal::from(40000), Decimal::from(40100));
/// order.stop_price = None;
/// let err = check_futures_request(None, Venue::UsdM, "order.place", &order.params(), &Context::new()).unwrap_err();
/// assert_eq!(err.to_string(), "stopPrice (not sent) is mandatory for STOP orders; accepted: a trigger price");
/// ```
pub fn check_futures_request(
    rules: Option<&ExchangeRules>,
    venue: Venue,
    method: &str,
    params: &Params,
    ctx: &Context,
) -> Result<(), ValidationError> {
    match check_futures_request_all(rules, venue, method, params, ctx).into_iter().next() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Every refusal of [`check_futures_request`].
pub fn check_futures_request_all(
    rules: Option<&ExchangeRules>,
    venue: Venue,
    method: &str,
    params: &Params,
    ctx: &Context,
) -> Vec<ValidationError> {
    let mut errors = Vec::new();
    let result = match method {
        "order.place" => place(rules, venue, params, ctx, &mut errors),
        "order.modify" => modify(rules, venue, params, ctx, &mut errors),
        _ => Ok(()),
    };
    if let Err(e) = result {
        errors.insert(0, e);
    }
    errors
}

fn place(
    rules: Option<&ExchangeRules>,
    venue: Venue,
    params: &Params,
    ctx: &Context,
    errors: &mut Vec<ValidationError>,
) -> Result<(), ValidationError> {
    let o = OrderFields::from_params(venue, params)?;
    check_fields(&o, ctx, errors);
    if let Some(rules) = rules {
        let mut adds = Adds::default();
        adds.order(&o);
        rules.check_symbol_and_counts(std::slice::from_ref(&o), adds, ctx, errors);
    }
    Ok(())
}

fn modify(
    rules: Option<&ExchangeRules>,
    venue: Venue,
    params: &Params,
    ctx: &Context,
    errors: &mut Vec<ValidationError>,
) -> Result<(), ValidationError> {
    // order.modify names no type: only LIMIT orders can be modified.
    let mut as_limit = params.clone();
    as_limit.entry("type").or_insert_with(|| "LIMIT".into());
    let o = OrderFields::from_params(venue, &as_limit)?;
    if !params.contains_key("orderId") && !params.contains_key("origClientOrderId") {
        errors.push(ValidationError::missing(
            "orderId",
            "is mandatory for order.modify (or origClientOrderId)",
            "orderId or origClientOrderId of the order to modify",
        ));
    }
    match o.quantity {
        None => errors.push(ValidationError::missing("quantity", "is mandatory for order.modify", "the new quantity")),
        Some(q) if q <= Decimal::ZERO => {
            errors.push(ValidationError::new("quantity", Some(q), "must be above zero", "a positive decimal"))
        }
        _ => {}
    }
    let price_match = o.price_match.as_deref().filter(|m| *m != "NONE");
    match (o.price, price_match) {
        (None, None) => {
            errors.push(ValidationError::missing("price", "is mandatory for order.modify", "price or priceMatch"))
        }
        (Some(p), Some(_)) => errors.push(ValidationError::new(
            "price",
            Some(p),
            "cannot be sent together with priceMatch",
            "either price or priceMatch",
        )),
        (Some(p), None) if p <= Decimal::ZERO => {
            errors.push(ValidationError::new("price", Some(p), "must be above zero", "a positive decimal"))
        }
        _ => {}
    }
    // The per-type rules of priceMatch values and other fields a modify may carry.
    let mut type_errors = Vec::new();
    check_fields(&o, ctx, &mut type_errors);
    errors.extend(type_errors.into_iter().filter(|e| e.field == "priceMatch"));
    if let Some(r) = rules.and_then(|r| r.get(&o.symbol)) {
        r.check_symbol(&o, ctx, errors);
    }
    Ok(())
}
