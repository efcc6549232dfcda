//! The API client handle (stub signatures; the engine lands next).

use std::time::Duration;

use serde::de::DeserializeOwned;

use super::{Params, RateLimits, Security};
use crate::{Credentials, Result};

/// Settings of an API connection.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// How long to wait for a reply before failing with [`crate::Error::Timeout`].
    pub request_timeout: Duration,
    /// `recvWindow` sent with signed requests, in milliseconds (up to 3 decimals); `None` uses the server's 5000.
    pub recv_window_ms: Option<f64>,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig { request_timeout: Duration::from_secs(10), recv_window_ms: None }
    }
}

/// A connection to a Binance WebSocket API endpoint. Cheap to clone; all clones share one socket.
#[derive(Clone)]
pub struct ApiClient {
    _private: (),
}

impl ApiClient {
    /// Connects to `url` (for example `Env::api_url(Product::Spot)`).
    pub async fn connect(_url: &str, _credentials: Option<Credentials>, _config: ApiConfig) -> Result<Self> {
        todo!("engine")
    }

    /// Sends `method` with `params`, signed as `security` asks, and decodes the reply's `result` into `T`.
    pub async fn request<T: DeserializeOwned>(&self, _method: &str, _params: Params, _security: Security) -> Result<T> {
        todo!("engine")
    }

    /// Any method, untyped: signed automatically when `security` asks; returns the raw `result`.
    pub async fn call(&self, method: &str, params: serde_json::Value, security: Security) -> Result<serde_json::Value> {
        let params = match params {
            serde_json::Value::Object(m) => m,
            serde_json::Value::Null => Params::new(),
            other => return Err(crate::Error::InvalidRequest(format!("params must be an object, not {other}"))),
        };
        self.request(method, params, security).await
    }

    /// The rate-limit usage reported by the latest responses.
    pub fn rate_limits(&self) -> RateLimits {
        todo!("engine")
    }
}
