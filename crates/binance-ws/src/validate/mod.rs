//! Client-side order checks, run before an order is sent: nothing is sent when one fails, and
//! the refusal names the field, its value, the rule and what would be accepted.
//!
//! Two layers:
//! - **per order type** ([`OrderFields::check`]): the mandatory parameters of each type, parameters
//!   a type does not take, mutually exclusive ones (`quantity` xor `quoteOrderQty`, futures
//!   `price` xor `priceMatch`, `closePosition` vs `quantity`/`reduceOnly`), and documented value
//!   ranges (`strategyType` >= 1000000, `pegOffsetValue` <= 100, `callbackRate` 0.1 to 10, ...);
//! - **per symbol** ([`TradingRules`], cached per symbol in [`ExchangeRules`]): the symbol's
//!   `exchangeInfo` flags (status, order types, iceberg/trailing/peg/quote-quantity permissions,
//!   STP modes) and its filters, applied as `filters.md` states them. Filters that need market or
//!   account data (an average price, open order counts, a position) take it from an optional
//!   [`Context`] and are skipped without it.
//!
//! The futures APIs ([`usdm::Api`](crate::usdm::Api), [`coinm::Api`](crate::coinm::Api)) run both before
//! `order.place` and `order.modify` ([`check_futures_request`]), with symbol rules the caller sets
//! (futures `exchangeInfo` is served by the REST API only).
//!
//! [`spot::Api`](crate::spot::Api) runs both before `order.place`, `order.test`,
//! `order.cancelReplace`, `sor.order.*` and `orderList.place.*` (see [`Api::validator`](crate::spot::Api::validator),
//! [`Api::load_rules`](crate::spot::Api::load_rules)); `Api::call` (untyped) is never checked.
//!
//! ```
//! use binance_ws::spot::{ApiRequest, ExchangeInfo, NewOrder};
//! use binance_ws::validate::{Context, ExchangeRules};
//! use binance_ws::model::{Decimal, Side};
//! use std::str::FromStr;
//!
//! let info: ExchangeInfo = serde_json::from_str(r#"{
//!     "timezone": "UTC", "serverTime": 1655969291181, "rateLimits": [], "exchangeFilters": [],
//!     "symbols": [{
//!         "symbol": "BTCUSDT", "status": "TRADING", "baseAsset": "BTC", "baseAssetPrecision": 8,
//!         "quoteAsset": "USDT", "quotePrecision": 8, "quoteAssetPrecision": 8,
//!         "baseCommissionPrecision": 8, "quoteCommissionPrecision": 8,
//!         "orderTypes": ["LIMIT", "LIMIT_MAKER", "MARKET"],
//!         "icebergAllowed": true, "ocoAllowed": true, "otoAllowed": true, "opoAllowed": true,
//!         "quoteOrderQtyMarketAllowed": true, "allowTrailingStop": true, "cancelReplaceAllowed": true,
//!         "amendAllowed": true, "pegInstructionsAllowed": true, "isSpotTradingAllowed": true,
//!         "isMarginTradingAllowed": false,
//!         "filters": [
//!             {"filterType": "PRICE_FILTER", "minPrice": "0.01", "maxPrice": "1000000.00", "tickSize": "0.01"},
//!             {"filterType": "LOT_SIZE", "minQty": "0.00001", "maxQty": "9000.00", "stepSize": "0.00001"},
//!             {"filterType": "NOTIONAL", "minNotional": "5.00", "applyMinToMarket": true,
//!              "maxNotional": "9000000.00", "applyMaxToMarket": false, "avgPriceMins": 5}
//!         ],
//!         "permissions": [], "permissionSets": [["SPOT"]],
//!         "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
//!         "allowedSelfTradePreventionModes": ["EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"]
//!     }]
//! }"#).unwrap();
//! let rules = ExchangeRules::from_exchange_info(&info);
//! let d = |s: &str| Decimal::from_str(s).unwrap();
//!
//! let good = NewOrder::limit("BTCUSDT", Side::Buy, d("0.001"), d("100000.00"));
//! assert!(rules.check_request("order.place", &good.params(), &Context::new()).is_ok());
//!
//! let bad = NewOrder::limit("BTCUSDT", Side::Buy, d("0.001"), d("100000.005"));
//! let err = rules.check_request("order.place", &bad.params(), &Context::new()).unwrap_err();
//! assert_eq!((err.field.as_str(), err.value.as_deref()), ("price", Some("100000.005")));
//! assert_eq!(
//!     err.to_string(),
//!     "price 100000.005 is not a multiple of tickSize 0.01 (PRICE_FILTER); \
//!      accepted: 100000.00 or 100000.01 (nearest multiples)"
//! );
//!
//! // A MARKET order's notional needs the average price: pass it in the context.
//! let small = NewOrder::market("BTCUSDT", Side::Sell, d("0.00001"));
//! let ctx = Context::new().avg_price(d("100000"));
//! let err = rules.check_request("order.place", &small.params(), &ctx).unwrap_err();
//! assert_eq!(err.filter(), Some("NOTIONAL"));
//! ```

mod error;
mod fields;
mod futures;
mod order;
mod request;
mod rules;

pub use error::ValidationError;
pub use fields::{OrderFields, Venue};
pub use futures::{check_futures_request, check_futures_request_all};
pub use order::{check_recv_window, MAX_GOOD_TILL_DATE, MAX_PEG_OFFSET_VALUE, MAX_RECV_WINDOW_MS, MIN_STRATEGY_TYPE};
pub use request::Validator;
pub use rules::{Context, ExchangeRules, OpenCounts, TradingRules};

use crate::api::Params;

/// Checks a Spot API request's params with the per-type rules only (no symbol rules): what
/// [`ExchangeRules::check_request`] does for a symbol it has no rules for.
pub fn check_request(method: &str, params: &Params, ctx: &Context) -> Result<(), ValidationError> {
    request::check_request(None, method, params, ctx)
}

/// Every refusal of a request, not only the first (`rules` optional).
pub fn check_request_all(
    rules: Option<&ExchangeRules>,
    method: &str,
    params: &Params,
    ctx: &Context,
) -> Vec<ValidationError> {
    request::check_request_all(rules, method, params, ctx)
}

#[cfg(test)]
mod tests;
