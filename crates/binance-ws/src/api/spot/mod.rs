//! The Spot WebSocket API, typed: one request type per method of Binance's `web-socket-api.md`,
//! grouped as the docs group them, and [`Api`], a handle with one method per request.
//!
//! Every request implements [`ApiRequest`]: its method name, security type, response type and
//! the exact `params` it sends. [`Api`]'s methods return a [`Call`], a builder that can be refined
//! with the request's optional parameters and then awaited:
//!
//! ```no_run
//! # async fn run() -> binance_ws::Result<()> {
//! use binance_ws::{spot::{Api, NewOrder}, model::{Side, TimeInForce, Decimal}, Env};
//! let api = Api::connect(&Env::Testnet, None).await?;
//! let book = api.depth("BTCUSDT").limit(10).await?;
//! println!("best bid {:?}", book.bids.first());
//! # let (qty, price) = (Decimal::ONE, Decimal::ONE);
//! let order = api
//!     .place_order(NewOrder::limit("BTCUSDT", Side::Buy, qty, price).time_in_force(TimeInForce::Ioc))
//!     .await?;
//! println!("order {} is {:?}", order.order_id, order.status);
//! # Ok(()) }
//! ```
//!
//! `apiKey`, `timestamp`, `signature` and `recvWindow` are never part of a request's params:
//! the engine ([`ApiClient`]) adds them for [`Security::Signed`] requests.

use std::future::IntoFuture;

use futures::future::BoxFuture;
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde_json::Value;

pub use crate::api::{ApiClient, ApiConfig, Params, Security};
use crate::env::Product;
use crate::{Credentials, Env, Result};

mod account;
mod general;
mod market;
mod models;
mod order_list;
mod session;
mod trade;
mod user_stream;

pub use account::*;
pub use general::*;
pub use market::*;
pub use models::*;
pub use order_list::*;
pub use session::*;
pub use trade::*;
pub use user_stream::*;

/// One Spot WebSocket API method: its name, security, response type and parameters.
///
/// Implemented by every request type of this module, so a request's parameters can be checked
/// without a network (`params()`), and so [`METHODS`] can list every method covered.
pub trait ApiRequest {
    /// The method name, as sent in the request's `method` field (e.g. `"order.place"`).
    const METHOD: &'static str;
    /// How the request is authorized (from the method's security type in the docs).
    const SECURITY: Security;
    /// The decoded `result` of a successful response.
    type Response: DeserializeOwned;
    /// The request's `params`, without `apiKey`, `timestamp`, `signature` or `recvWindow`.
    fn params(&self) -> Params;
}

/// A request bound to an [`Api`]: refine it with the request's optional setters, then `.await` it.
#[must_use = "a Call does nothing until it is awaited"]
pub struct Call<'a, R> {
    api: &'a Api,
    request: R,
}

impl<'a, R> Call<'a, R> {
    /// Binds `request` to `api`.
    pub fn new(api: &'a Api, request: R) -> Self {
        Call { api, request }
    }

    /// Changes the request with `f` (what the generated setters do).
    pub fn map(self, f: impl FnOnce(R) -> R) -> Self {
        Call { api: self.api, request: f(self.request) }
    }

    /// The request as built so far.
    pub fn request(&self) -> &R {
        &self.request
    }

    /// The request, unbound (for sending later with [`Api::send`]).
    pub fn into_request(self) -> R {
        self.request
    }
}

impl<'a, R> IntoFuture for Call<'a, R>
where
    R: ApiRequest,
    R::Response: Send + 'a,
{
    type Output = Result<R::Response>;
    type IntoFuture = BoxFuture<'a, Result<R::Response>>;

    fn into_future(self) -> Self::IntoFuture {
        let params = self.request.params();
        // Client-side order checks (crate::validate): a refused order is never sent.
        if let Err(e) = self.api.validator.check(R::METHOD, &params) {
            return Box::pin(async move { Err(e) });
        }
        let client = &self.api.client;
        Box::pin(async move { client.request::<R::Response>(R::METHOD, params, R::SECURITY).await })
    }
}

/// A connection to the Spot WebSocket API with one typed method per API method.
///
/// Cheap to clone: clones share the connection. Every method returns a [`Call`]: required
/// parameters are the method's arguments, optional ones are setters on the `Call`.
///
/// ```no_run
/// # async fn run() -> binance_ws::Result<()> {
/// use binance_ws::{spot::Api, model::Interval, Env};
/// let api = Api::connect(&Env::Mainnet, None).await?;
/// let time = api.time().await?;
/// let klines = api.klines("BTCUSDT", Interval::M1).limit(5).await?;
/// let prices = api.ticker_price().symbols(["BTCUSDT", "ETHUSDT"]).await?.into_vec();
/// let raw = api.call("avgPrice", serde_json::json!({"symbol": "BTCUSDT"}), binance_ws::api::Security::None).await?;
/// println!("{} {} {} {raw}", time.server_time, klines.len(), prices.len());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Api {
    client: ApiClient,
    /// Client-side order checks, see [`Api::validator`].
    pub(crate) validator: crate::validate::Validator,
}

impl Api {
    /// Connects to the Spot WebSocket API of `env` with the default [`ApiConfig`].
    /// Without credentials only public (`Security::None`) methods can be called.
    pub async fn connect(env: &Env, credentials: Option<Credentials>) -> Result<Api> {
        Self::connect_with(env, credentials, ApiConfig::default()).await
    }

    /// Connects to the Spot WebSocket API of `env` with `config`.
    pub async fn connect_with(env: &Env, credentials: Option<Credentials>, config: ApiConfig) -> Result<Api> {
        let client = ApiClient::connect(&env.api_url(Product::Spot), credentials, config).await?;
        Ok(Api { client, validator: Default::default() })
    }

    /// Wraps a connected engine.
    pub fn from_client(client: ApiClient) -> Api {
        Api { client, validator: Default::default() }
    }

    /// The engine underneath (rate limits, raw requests).
    pub fn client(&self) -> &ApiClient {
        &self.client
    }

    /// Sends any request type and decodes its response.
    pub async fn send<R: ApiRequest>(&self, request: &R) -> Result<R::Response> {
        let params = request.params();
        self.validator.check(R::METHOD, &params)?;
        self.client.request(R::METHOD, params, R::SECURITY).await
    }

    /// Any method, untyped: `params` is a JSON object (or `null`), signed when `security` asks.
    /// Returns the raw `result`.
    pub async fn call(&self, method: &str, params: Value, security: Security) -> Result<Value> {
        self.client.call(method, params, security).await
    }
}

/// An order (or order list) named by its exchange id or by its client id.
///
/// Rendered as whichever of the method's two parameters applies (for example `orderId` or
/// `origClientOrderId` for `order.status`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderRef {
    /// The exchange-assigned id (`orderId`, `orderListId`).
    Id(u64),
    /// The client-assigned id (`origClientOrderId`, `listClientOrderId`).
    ClientId(String),
}

impl From<u64> for OrderRef {
    fn from(id: u64) -> Self {
        OrderRef::Id(id)
    }
}
impl From<&str> for OrderRef {
    fn from(id: &str) -> Self {
        OrderRef::ClientId(id.to_owned())
    }
}
impl From<String> for OrderRef {
    fn from(id: String) -> Self {
        OrderRef::ClientId(id)
    }
}

/// One symbol (sent as `symbol`) or several (sent as the array `symbols`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Symbols {
    /// `symbol`: the response is a single object.
    One(String),
    /// `symbols`: the response is an array.
    Many(Vec<String>),
}

impl From<&str> for Symbols {
    fn from(s: &str) -> Self {
        Symbols::One(s.to_owned())
    }
}
impl From<String> for Symbols {
    fn from(s: String) -> Self {
        Symbols::One(s)
    }
}
impl<S: Into<String>> From<Vec<S>> for Symbols {
    fn from(v: Vec<S>) -> Self {
        Symbols::Many(v.into_iter().map(Into::into).collect())
    }
}
impl<S: Into<String>, const N: usize> From<[S; N]> for Symbols {
    fn from(v: [S; N]) -> Self {
        Symbols::Many(v.into_iter().map(Into::into).collect())
    }
}

/// A value as a request parameter. Decimals are rendered as strings (`"52000.00"`, scale kept),
/// integers as JSON numbers, enums as their wire names.
pub(crate) trait ToParam {
    /// Inserts `self` under `key`. For [`OrderRef`] and [`Symbols`], `key` is `"a|b"`: the first
    /// name is used for an id (one symbol), the second for a client id (several symbols).
    fn put(&self, key: &'static str, params: &mut Params);
}

fn put_value(key: &'static str, params: &mut Params, value: Value) {
    params.insert(key.to_owned(), value);
}

fn split_key(key: &'static str) -> (&'static str, &'static str) {
    key.split_once('|').unwrap_or((key, key))
}

impl ToParam for String {
    fn put(&self, key: &'static str, params: &mut Params) {
        put_value(key, params, Value::String(self.clone()));
    }
}
impl ToParam for Decimal {
    fn put(&self, key: &'static str, params: &mut Params) {
        put_value(key, params, Value::String(self.to_string()));
    }
}
impl ToParam for bool {
    fn put(&self, key: &'static str, params: &mut Params) {
        put_value(key, params, Value::Bool(*self));
    }
}
macro_rules! number_param {
    ($($t:ty),*) => {$(
        impl ToParam for $t {
            fn put(&self, key: &'static str, params: &mut Params) {
                put_value(key, params, Value::from(*self));
            }
        }
    )*};
}
number_param!(u16, u32, u64, i32, i64);
impl ToParam for Vec<String> {
    fn put(&self, key: &'static str, params: &mut Params) {
        put_value(key, params, Value::Array(self.iter().cloned().map(Value::String).collect()));
    }
}
impl ToParam for OrderRef {
    fn put(&self, key: &'static str, params: &mut Params) {
        let (id_key, client_key) = split_key(key);
        match self {
            OrderRef::Id(id) => put_value(id_key, params, Value::from(*id)),
            OrderRef::ClientId(c) => put_value(client_key, params, Value::String(c.clone())),
        }
    }
}
impl ToParam for Symbols {
    fn put(&self, key: &'static str, params: &mut Params) {
        let (one, many) = split_key(key);
        match self {
            Symbols::One(s) => put_value(one, params, Value::String(s.clone())),
            Symbols::Many(v) => v.put(many, params),
        }
    }
}
macro_rules! enum_param {
    ($($t:ty),*) => {$(
        impl ToParam for $t {
            fn put(&self, key: &'static str, params: &mut Params) {
                put_value(key, params, Value::String(self.as_str().to_owned()));
            }
        }
    )*};
}
use crate::model::*;
enum_param!(
    Side,
    OrderType,
    TimeInForce,
    SelfTradePreventionMode,
    NewOrderRespType,
    SymbolStatus,
    Interval,
    PegPriceType,
    PegOffsetType,
    TickerType,
    CancelRestrictions,
    CancelReplaceMode,
    OrderRateLimitExceededMode
);

/// The type of a parameter's setter argument: `into T` takes `impl Into<T>`, `val T` takes `T`
/// (numbers, whose literals would not infer through `Into`).
macro_rules! arg_ty {
    (into, $t:ty) => { impl Into<$t> };
    (val, $t:ty) => { $t };
}
pub(crate) use arg_ty;

/// Defines request types from a table: the struct with its fields, `new` with the required
/// parameters, a setter per optional parameter (on the struct and on its [`Call`]), the
/// [`ApiRequest`] impl and the [`Api`] method.
///
/// `req name: mode Type = "wireName"; "doc",` / `opt ...` where mode is `into` or `val`
/// (see `arg_ty!`).
macro_rules! requests {
    ($(
        $(#[$doc:meta])*
        $api_fn:ident => $name:ident($method:literal, $security:ident) -> $resp:ty {
            $( req $rfield:ident : $rmode:ident $rty:ty = $rkey:literal ; $rdoc:literal , )*
            $( opt $ofield:ident : $omode:ident $oty:ty = $okey:literal ; $odoc:literal , )*
        }
    )*) => {$(
        $(#[$doc])*
        #[doc = ""]
        #[doc = concat!("Method `", $method, "`; sent by [`Api::", stringify!($api_fn), "`](crate::api::spot::Api::", stringify!($api_fn), ").")]
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name {
            $( #[doc = $rdoc] pub $rfield: $rty, )*
            $( #[doc = $odoc] pub $ofield: Option<$oty>, )*
        }

        impl $name {
            #[doc = concat!("A `", $method, "` request with its required parameters.")]
            #[allow(clippy::new_without_default, clippy::useless_conversion)]
            pub fn new($($rfield: $crate::api::spot::arg_ty!($rmode, $rty)),*) -> Self {
                $name { $($rfield: $rfield.into(),)* $($ofield: None,)* }
            }
            $(
                #[doc = concat!("Sets `", $okey, "`: ", $odoc)]
                #[allow(clippy::useless_conversion)]
                pub fn $ofield(mut self, value: $crate::api::spot::arg_ty!($omode, $oty)) -> Self {
                    self.$ofield = Some(value.into());
                    self
                }
            )*
        }

        impl $crate::api::spot::ApiRequest for $name {
            const METHOD: &'static str = $method;
            const SECURITY: $crate::api::Security = $crate::api::Security::$security;
            type Response = $resp;
            fn params(&self) -> $crate::api::Params {
                #[allow(unused_mut)]
                let mut p = $crate::api::Params::new();
                $( $crate::api::spot::ToParam::put(&self.$rfield, $rkey, &mut p); )*
                $( if let Some(v) = &self.$ofield { $crate::api::spot::ToParam::put(v, $okey, &mut p); } )*
                p
            }
        }

        impl<'a> $crate::api::spot::Call<'a, $name> {
            $(
                #[doc = concat!("Sets `", $okey, "`: ", $odoc)]
                pub fn $ofield(self, value: $crate::api::spot::arg_ty!($omode, $oty)) -> Self {
                    self.map(|r| r.$ofield(value))
                }
            )*
        }

        impl $crate::api::spot::Api {
            $(#[$doc])*
            #[doc = ""]
            #[doc = concat!("Method `", $method, "`: see [`", stringify!($name), "`] for the parameters.")]
            pub fn $api_fn(&self, $($rfield: $crate::api::spot::arg_ty!($rmode, $rty)),*) -> $crate::api::spot::Call<'_, $name> {
                $crate::api::spot::Call::new(self, $name::new($($rfield),*))
            }
        }
    )*};
}
pub(crate) use requests;

/// Every Spot WebSocket API method with a typed request here, in the docs' order.
pub const METHODS: &[&str] = &[
    // general
    <Ping as ApiRequest>::METHOD,
    <Time as ApiRequest>::METHOD,
    <ExchangeInfoRequest as ApiRequest>::METHOD,
    <ExecutionRulesRequest as ApiRequest>::METHOD,
    // market data
    <Depth as ApiRequest>::METHOD,
    <RecentTrades as ApiRequest>::METHOD,
    <HistoricalTrades as ApiRequest>::METHOD,
    <HistoricalBlockTrades as ApiRequest>::METHOD,
    <AggregateTrades as ApiRequest>::METHOD,
    <Klines as ApiRequest>::METHOD,
    <UiKlines as ApiRequest>::METHOD,
    <AvgPriceRequest as ApiRequest>::METHOD,
    <Ticker24hrRequest as ApiRequest>::METHOD,
    <TradingDayTicker as ApiRequest>::METHOD,
    <RollingTicker as ApiRequest>::METHOD,
    <TickerPrice as ApiRequest>::METHOD,
    <TickerBook as ApiRequest>::METHOD,
    <ReferencePriceRequest as ApiRequest>::METHOD,
    <ReferencePriceCalculationRequest as ApiRequest>::METHOD,
    // session
    <SessionLogon as ApiRequest>::METHOD,
    <SessionStatusRequest as ApiRequest>::METHOD,
    <SessionLogout as ApiRequest>::METHOD,
    // trading
    <NewOrder as ApiRequest>::METHOD,
    <TestOrder as ApiRequest>::METHOD,
    <CancelOrder as ApiRequest>::METHOD,
    <CancelReplace as ApiRequest>::METHOD,
    <AmendOrder as ApiRequest>::METHOD,
    <CancelOpenOrders as ApiRequest>::METHOD,
    <OcoOrderListLegacy as ApiRequest>::METHOD,
    <OcoOrderList as ApiRequest>::METHOD,
    <OtoOrderList as ApiRequest>::METHOD,
    <OtocoOrderList as ApiRequest>::METHOD,
    <OpoOrderList as ApiRequest>::METHOD,
    <OpocoOrderList as ApiRequest>::METHOD,
    <CancelOrderList as ApiRequest>::METHOD,
    <SorOrder as ApiRequest>::METHOD,
    <SorTestOrder as ApiRequest>::METHOD,
    // account
    <AccountStatus as ApiRequest>::METHOD,
    <OrderStatusRequest as ApiRequest>::METHOD,
    <OpenOrdersStatus as ApiRequest>::METHOD,
    <AllOrders as ApiRequest>::METHOD,
    <OrderListStatusRequest as ApiRequest>::METHOD,
    <OpenOrderListsStatus as ApiRequest>::METHOD,
    <AllOrderLists as ApiRequest>::METHOD,
    <MyTrades as ApiRequest>::METHOD,
    <UnfilledOrderCount as ApiRequest>::METHOD,
    <MyPreventedMatches as ApiRequest>::METHOD,
    <MyAllocations as ApiRequest>::METHOD,
    <AccountCommissionRequest as ApiRequest>::METHOD,
    <OrderAmendments as ApiRequest>::METHOD,
    <MyFiltersRequest as ApiRequest>::METHOD,
    // user data stream
    <UserDataStreamSubscribe as ApiRequest>::METHOD,
    <UserDataStreamUnsubscribe as ApiRequest>::METHOD,
    <SessionSubscriptions as ApiRequest>::METHOD,
    <UserDataStreamSubscribeSignature as ApiRequest>::METHOD,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for m in METHODS {
            assert!(seen.insert(m), "{m} listed twice");
        }
        assert_eq!(METHODS.len(), 55);
    }

    #[test]
    fn refs_and_symbols_render_by_kind() {
        let mut p = Params::new();
        OrderRef::from(7u64).put("orderId|origClientOrderId", &mut p);
        OrderRef::from("abc").put("orderId|origClientOrderId", &mut p);
        Symbols::from("BNBBTC").put("symbol|symbols", &mut p);
        Symbols::from(["A", "B"]).put("symbol|symbols", &mut p);
        assert_eq!(
            Value::Object(p),
            serde_json::json!({"orderId": 7, "origClientOrderId": "abc", "symbol": "BNBBTC", "symbols": ["A", "B"]})
        );
    }
}

#[cfg(test)]
mod params_tests;
