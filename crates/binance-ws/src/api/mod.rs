//! The WebSocket API engine: request ids, one in-flight map, timeouts, fire-and-forget,
//! automatic signing, session logon and rate-limit tracking. Product modules (`spot`, ...) add typed calls.

mod client;
pub mod coinm;
mod connection;
mod envelope;
mod frame;
pub mod futures;
mod inflight;
mod ratelimit;
mod reader;
pub(crate) mod request;
mod route;
mod scan;
pub mod spot;
pub mod usdm;
mod writer;

pub use client::{ApiClient, ApiConfig, ApiEvent};
pub use ratelimit::{RateLimitUsage, RateLimits};
pub use request::{ApiHandle, ApiRequest, Call, OrderRef, Symbols};

/// The parameters of a request. A sorted map, which is also the order the signature payload needs.
pub type Params = serde_json::Map<String, serde_json::Value>;

/// Decodes a whole reply frame into `T` the way a waiting request does: one pass over the envelope
/// (borrowing `result` and `rateLimits` as raw JSON), then `result` straight into `T` (and `rateLimits`
/// into their usage, which the engine does after handing the reply over).
/// Public only for benchmarks and tests (`benches/decode_api.rs`); not part of the API.
#[doc(hidden)]
pub fn decode_reply<T: serde::de::DeserializeOwned>(frame: &[u8]) -> crate::Result<T> {
    let env = envelope::Envelope::parse(frame).map_err(|e| crate::Error::decode("response", e, frame))?;
    if let Some(range) = env.rate_limits_range() {
        // The engine decodes these after handing the reply over; they are decoded here so that the
        // benchmark still counts them.
        let mut usage = RateLimits::default();
        usage.update_raw(&frame[range]);
        std::hint::black_box(usage);
    }
    let range = env.result_range().ok_or_else(|| crate::Error::decode("response", "no `result`", frame))?;
    let body = &frame[range];
    serde_json::from_slice(body).map_err(|e| crate::Error::decode("response result", e, body))
}

/// The local clock, epoch ms (what `timestamp` starts from before the server offset is applied).
pub(crate) fn client_now_ms() -> u64 {
    client::Shared::now_ms()
}

/// How a request is authorized, from the method's security type in the docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// `NONE`: public market data.
    None,
    /// An `apiKey` parameter but no signature (futures listenKey management).
    ApiKey,
    /// `TRADE`, `USER_DATA`, `USER_STREAM`: `apiKey`, `timestamp` and `signature`
    /// (or nothing but `timestamp` on a logged-on session).
    Signed,
}

/// Methods whose effect on the exchange is unknown if the connection drops before the reply:
/// they are never resent and fail with [`crate::Error::ExecutionUnknown`].
pub fn changes_state(method: &str) -> bool {
    let m = method.strip_prefix("v3/").unwrap_or(method);
    m.starts_with("order.") && m != "order.status" && m != "order.amendments"
        || m.starts_with("orderList.") && m != "orderList.status"
        || m.starts_with("sor.order.place")
        || m.starts_with("openOrders.cancelAll")
        || m.starts_with("algoOrder.")
}

/// `recvWindow` as the API takes it: milliseconds with at most three decimals, integral values without any.
pub fn recv_window_value(ms: f64) -> serde_json::Value {
    let rounded = (ms * 1000.0).round() / 1000.0;
    if rounded.fract() == 0.0 && rounded >= 0.0 {
        serde_json::Value::from(rounded as u64)
    } else {
        serde_json::Number::from_f64(rounded).map(serde_json::Value::Number).unwrap_or(serde_json::Value::Null)
    }
}
