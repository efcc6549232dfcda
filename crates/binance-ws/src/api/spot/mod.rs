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

use serde_json::Value;

pub(crate) use crate::api::request::{requests, ToParam};
pub use crate::api::{ApiClient, ApiConfig, ApiHandle, ApiRequest, Call, OrderRef, Params, Security, Symbols};
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

impl ApiHandle for Api {
    fn client(&self) -> &ApiClient {
        &self.client
    }
    fn validator(&self) -> &crate::validate::Validator {
        &self.validator
    }
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
        crate::api::request::send(self, request).await
    }

    /// Any method, untyped: `params` is a JSON object (or `null`), signed when `security` asks.
    /// Returns the raw `result`.
    pub async fn call(&self, method: &str, params: Value, security: Security) -> Result<Value> {
        self.client.call(method, params, security).await
    }
}

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
}

#[cfg(test)]
mod params_tests;
