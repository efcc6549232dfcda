//! What every product's typed API shares: the [`ApiRequest`] trait, the awaitable [`Call`] builder, the
//! [`ApiHandle`] a call is sent on, parameter rendering ([`ToParam`]) and the `requests!` table macro
//! that defines request types.

use std::future::IntoFuture;

use ::futures::future::BoxFuture;
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{ApiClient, Params, Security};
use crate::validate::Validator;
use crate::Result;

/// One WebSocket API method: its name, security, response type and parameters.
///
/// Implemented by every request type of the product modules (`spot`, `usdm`, `coinm`), so a request's
/// parameters can be checked without a network (`params()`), and so each module's `METHODS` can list
/// every method covered.
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

/// The connection a [`Call`] is sent on: every product's `Api` (`spot::Api`, `usdm::Api`, `coinm::Api`).
pub trait ApiHandle: Sync {
    /// The engine that sends the request.
    fn client(&self) -> &ApiClient;
    /// The client-side checks run before sending.
    fn validator(&self) -> &Validator;
}

/// A request bound to an API handle: refine it with the request's optional setters, then `.await` it.
///
/// `A` is the product's `Api` (spot by default, so `Call<'_, Depth>` is a spot call).
#[must_use = "a Call does nothing until it is awaited"]
pub struct Call<'a, R, A = crate::api::spot::Api> {
    api: &'a A,
    request: R,
}

impl<'a, R, A> Call<'a, R, A> {
    /// Binds `request` to `api`.
    pub fn new(api: &'a A, request: R) -> Self {
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

    /// The request, unbound (for sending later with the `Api`'s `send`).
    pub fn into_request(self) -> R {
        self.request
    }
}

impl<'a, R, A> IntoFuture for Call<'a, R, A>
where
    R: ApiRequest,
    R::Response: Send + 'a,
    A: ApiHandle,
{
    type Output = Result<R::Response>;
    type IntoFuture = BoxFuture<'a, Result<R::Response>>;

    fn into_future(self) -> Self::IntoFuture {
        let params = self.request.params();
        // Client-side order checks (crate::validate): a refused order is never sent.
        if let Err(e) = self.api.validator().check(R::METHOD, &params) {
            return Box::pin(async move { Err(e) });
        }
        let client = self.api.client();
        Box::pin(async move { client.request::<R::Response>(R::METHOD, params, R::SECURITY).await })
    }
}

/// Sends any request on `api` after its checks (what every product's `Api::send` does).
pub(crate) async fn send<R: ApiRequest, A: ApiHandle>(api: &A, request: &R) -> Result<R::Response> {
    let params = request.params();
    api.validator().check(R::METHOD, &params)?;
    api.client().request(R::METHOD, params, R::SECURITY).await
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
use crate::api::spot::{CancelReplaceMode, CancelRestrictions, OrderRateLimitExceededMode, TickerType};
use crate::model::futures as fut;
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
    OrderRateLimitExceededMode,
    fut::OrderType,
    fut::TimeInForce,
    fut::PositionSide,
    fut::WorkingType,
    fut::PriceMatch,
    fut::NewOrderRespType
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
/// [`ApiRequest`] impl and the method of the product's `Api` (named by `api:`).
///
/// `req name: mode Type = "wireName"; "doc",` / `opt ...` where mode is `into` or `val`
/// (see `arg_ty!`).
macro_rules! requests {
    (api: $api:path; $(
        $(#[$doc:meta])*
        $api_fn:ident => $name:ident($method:literal, $security:ident) -> $resp:ty {
            $( req $rfield:ident : $rmode:ident $rty:ty = $rkey:literal ; $rdoc:literal , )*
            $( opt $ofield:ident : $omode:ident $oty:ty = $okey:literal ; $odoc:literal , )*
        }
    )*) => {$(
        $(#[$doc])*
        #[doc = ""]
        #[doc = concat!("Method `", $method, "`; sent by [`Api::", stringify!($api_fn), "`](", stringify!($api), "::", stringify!($api_fn), ").")]
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name {
            $( #[doc = $rdoc] pub $rfield: $rty, )*
            $( #[doc = $odoc] pub $ofield: Option<$oty>, )*
        }

        impl $name {
            #[doc = concat!("A `", $method, "` request with its required parameters.")]
            #[allow(clippy::new_without_default, clippy::useless_conversion)]
            pub fn new($($rfield: $crate::api::request::arg_ty!($rmode, $rty)),*) -> Self {
                $name { $($rfield: $rfield.into(),)* $($ofield: None,)* }
            }
            $(
                #[doc = concat!("Sets `", $okey, "`: ", $odoc)]
                #[allow(clippy::useless_conversion)]
                pub fn $ofield(mut self, value: $crate::api::request::arg_ty!($omode, $oty)) -> Self {
                    self.$ofield = Some(value.into());
                    self
                }
            )*
        }

        impl $crate::api::ApiRequest for $name {
            const METHOD: &'static str = $method;
            const SECURITY: $crate::api::Security = $crate::api::Security::$security;
            type Response = $resp;
            fn params(&self) -> $crate::api::Params {
                #[allow(unused_mut)]
                let mut p = $crate::api::Params::new();
                $( $crate::api::request::ToParam::put(&self.$rfield, $rkey, &mut p); )*
                $( if let Some(v) = &self.$ofield { $crate::api::request::ToParam::put(v, $okey, &mut p); } )*
                p
            }
        }

        impl<'a> $crate::api::Call<'a, $name, $api> {
            $(
                #[doc = concat!("Sets `", $okey, "`: ", $odoc)]
                pub fn $ofield(self, value: $crate::api::request::arg_ty!($omode, $oty)) -> Self {
                    self.map(|r| r.$ofield(value))
                }
            )*
        }

        impl $api {
            $(#[$doc])*
            #[doc = ""]
            #[doc = concat!("Method `", $method, "`: see [`", stringify!($name), "`] for the parameters.")]
            pub fn $api_fn(&self, $($rfield: $crate::api::request::arg_ty!($rmode, $rty)),*) -> $crate::api::Call<'_, $name, $api> {
                $crate::api::Call::new(self, $name::new($($rfield),*))
            }
        }
    )*};
}
pub(crate) use requests;

#[cfg(test)]
mod tests {
    use super::*;

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
