//! [`Api`]: the futures API handle, one type for both products (`usdm::Api` is `Api<UsdMargined>`,
//! `coinm::Api` is `Api<CoinMargined>`), shaped like `spot::Api`.

use std::marker::PhantomData;

use serde_json::Value;

use super::FuturesProduct;
use crate::api::{ApiClient, ApiConfig, ApiHandle, ApiRequest, Security};
use crate::validate::{ExchangeRules, TradingRules, Validator};
use crate::{Credentials, Env, Result};

/// A connection to a futures WebSocket API (USDⓈ-M `ws-fapi/v1` or COIN-M `ws-dapi/v1`) with one typed
/// method per API method.
///
/// Cheap to clone: clones share the connection. Every method returns a [`crate::api::Call`]: required
/// parameters are the method's arguments, optional ones are setters on the call; `.await` sends it.
/// Orders are checked before sending ([`Api::validator`]); futures `exchangeInfo` is not on the
/// WebSocket API, so symbol filters come from the caller ([`Api::set_rules`]).
///
/// ```no_run
/// # async fn run() -> binance_ws::Result<()> {
/// use binance_ws::{usdm, Credentials, Env};
/// use binance_ws::model::{Decimal, Side};
/// let creds = Credentials::from_env()?;
/// let api = usdm::Api::connect(&Env::Testnet, Some(creds)).await?;
/// let book = api.depth("BTCUSDT").limit(5).await?;
/// let order = api
///     .place_order(usdm::NewOrder::limit("BTCUSDT", Side::Buy, Decimal::new(1, 3), book.bids[0].price).post_only())
///     .await?;
/// let status = api.order_status("BTCUSDT", order.order_id).await?;
/// println!("{:?}", status.status);
/// # Ok(()) }
/// ```
pub struct Api<P> {
    client: ApiClient,
    validator: Validator,
    /// Where it connected (for the user data stream's host); `None` when made with `from_client`.
    env: Option<Env>,
    product: PhantomData<P>,
}

impl<P> Clone for Api<P> {
    fn clone(&self) -> Self {
        Api {
            client: self.client.clone(),
            validator: self.validator.clone(),
            env: self.env.clone(),
            product: PhantomData,
        }
    }
}

impl<P> std::fmt::Debug for Api<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api").field("client", &self.client).field("validator", &self.validator).finish()
    }
}

impl<P: FuturesProduct> ApiHandle for Api<P> {
    fn client(&self) -> &ApiClient {
        &self.client
    }
    fn validator(&self) -> &Validator {
        &self.validator
    }
}

impl<P: FuturesProduct> Api<P> {
    /// Connects to the product's WebSocket API in `env` with the default [`ApiConfig`].
    /// Without credentials only public methods can be called.
    pub async fn connect(env: &Env, credentials: Option<Credentials>) -> Result<Self> {
        Self::connect_with(env, credentials, ApiConfig::default()).await
    }

    /// Connects with `config`. The server clock offset is measured with `session.status` (the futures
    /// APIs have no `time` method); Ed25519 keys log the session on (`session.logon`).
    pub async fn connect_with(env: &Env, credentials: Option<Credentials>, config: ApiConfig) -> Result<Self> {
        let url = env.api_url(P::PRODUCT);
        let client = ApiClient::connect_product(&url, credentials, config, P::PRODUCT).await?;
        Ok(Api { env: Some(env.clone()), ..Self::from_client(client) })
    }

    /// Wraps a connected engine (its checks are this product's).
    pub fn from_client(client: ApiClient) -> Self {
        Api { client, validator: Validator::new(P::VENUE), env: None, product: PhantomData }
    }

    /// The environment it connected to (`None` when made with [`Api::from_client`]).
    pub fn env(&self) -> Option<&Env> {
        self.env.as_ref()
    }

    /// The engine underneath (rate limits, events, raw requests).
    pub fn client(&self) -> &ApiClient {
        &self.client
    }

    /// The client-side order checks of this connection (on by default; `set_enabled(false)` to send
    /// orders as built).
    pub fn validator(&self) -> &Validator {
        &self.validator
    }

    /// Adds or replaces the trading rules (filters) of symbols, so that orders on them are also checked
    /// against `PRICE_FILTER`, `LOT_SIZE`, `MARKET_LOT_SIZE`, `MIN_NOTIONAL`, `PERCENT_PRICE` and the
    /// open order count filters. Build them with [`TradingRules::from_filters`] from the product's
    /// `exchangeInfo` (served by the REST API only).
    pub fn set_rules(&self, rules: impl IntoIterator<Item = TradingRules>) {
        let mut all: ExchangeRules = self.validator.rules();
        for r in rules {
            all.insert(r);
        }
        self.validator.set_rules(all);
    }

    /// Sends any request type of this product and decodes its response (checked first, like a call).
    pub async fn send<R: ApiRequest>(&self, request: &R) -> Result<R::Response> {
        crate::api::request::send(self, request).await
    }

    /// Any method, untyped and unchecked: `params` is a JSON object (or `null`), signed when `security`
    /// asks. Returns the raw `result`.
    pub async fn call(&self, method: &str, params: Value, security: Security) -> Result<Value> {
        self.client.call(method, params, security).await
    }
}
