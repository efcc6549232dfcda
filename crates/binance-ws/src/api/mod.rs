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

/// Reads a frame the way the connection task does before routing it: the pushed event it carries (a user
/// data event or `serverShutdown`), or `None` for a reply. Public only for fuzzing and tests; not part of the API.
#[doc(hidden)]
pub fn decode_push(frame: &[u8]) -> crate::Result<Option<envelope::Push>> {
    let env = envelope::Envelope::parse(frame).map_err(|e| crate::Error::decode("API frame", e, frame))?;
    Ok(env.push(frame))
}

#[doc(hidden)]
pub use envelope::Push;

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

/// `recvWindow` as the API takes it: milliseconds with at most three decimals, integral values without any
/// (the same text [`crate::auth::sign_params`] signs); `null` for a value that has no such form (NaN, infinite,
/// beyond 9e15 ms).
pub fn recv_window_value(ms: f64) -> serde_json::Value {
    crate::auth::recv_window_number(ms).map(serde_json::Value::Number).unwrap_or(serde_json::Value::Null)
}

/// Binance's limits for `recvWindow` (web-socket-api.md, "Timing security": up to three decimals, at most
/// 60000 ms); checked when a client is created so that a bad setting fails there, not on every request.
pub(crate) fn check_recv_window(ms: Option<f64>) -> crate::Result<()> {
    match ms {
        Some(w) if !(w > 0.0 && w <= 60_000.0) => Err(crate::Error::InvalidRequest(format!(
            "recv_window_ms must be more than 0 and at most 60000 (Binance's maximum), not {w}"
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recv_window_is_rendered_once_the_same_way_and_checked_against_binance_limits() {
        assert_eq!(recv_window_value(5000.0).to_string(), "5000");
        assert_eq!(recv_window_value(6000.3456).to_string(), "6000.346");
        assert_eq!(recv_window_value(-5.0).to_string(), "-5", "not `-5.0`");
        assert!(recv_window_value(f64::NAN).is_null());
        assert!(recv_window_value(-2.152527361715694e252).is_null());
        assert!(check_recv_window(None).is_ok());
        assert!(check_recv_window(Some(60_000.0)).is_ok());
        assert!(check_recv_window(Some(0.001)).is_ok());
        for bad in [0.0, -1.0, 60_000.001, f64::NAN, f64::INFINITY] {
            let err = check_recv_window(Some(bad)).unwrap_err();
            assert!(err.to_string().contains("60000"), "{err}");
        }
    }

    #[tokio::test]
    async fn a_client_with_an_impossible_recv_window_is_refused_before_connecting() {
        let config = ApiConfig { recv_window_ms: Some(70_000.0), ..Default::default() };
        // Nothing listens on port 9: the refusal comes before any connection attempt.
        let err = ApiClient::connect("ws://127.0.0.1:9/ws-api/v3", None, config).await.unwrap_err();
        assert!(matches!(err, crate::Error::InvalidRequest(_)), "{err}");
    }
}
