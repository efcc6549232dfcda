//! One error type for the whole library. Every variant says what happened and, where it helps, what to do.

use std::time::Duration;

/// Result with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered the request with an error (`status` >= 400 with an `error` object).
    #[error("{}", .0)]
    Api(Box<ApiError>),

    /// A request that may have changed state (an order, a cancel) was in flight when the connection dropped,
    /// or the server answered 5xx: Binance may or may not have executed it. Query before retrying.
    #[error("execution status unknown for `{method}` ({reason}){}; query the order before retrying",
        .client_order_id.as_deref().map(|c| format!(", client order id {c}")).unwrap_or_default())]
    ExecutionUnknown {
        /// The method that was sent.
        method: String,
        /// Why the outcome is unknown.
        reason: String,
        /// The client order id to look the order up by, when the request carried one.
        client_order_id: Option<String>,
    },

    /// A read-only request could not complete because the connection dropped; it did not change anything
    /// and may simply be sent again.
    #[error("connection lost before `{method}` was answered; it changed nothing and can be sent again")]
    ConnectionLost {
        /// The method that was sent.
        method: String,
    },

    /// No reply arrived within the request's timeout.
    #[error("no reply to `{method}` within {timeout:?}{}", if *.may_have_executed { "; it may have executed, query before retrying" } else { "" })]
    Timeout {
        /// The method that was sent.
        method: String,
        /// The timeout that passed.
        timeout: Duration,
        /// True for requests that change state (trading).
        may_have_executed: bool,
    },

    /// The client refuses to send because Binance has banned or rate-limited this IP until a given time.
    #[error("not sent: {kind} in force until {until_ms} (epoch ms); wait, or use streams for live data")]
    RateLimited {
        /// "IP ban (418)" or "rate limit (429)".
        kind: &'static str,
        /// Epoch milliseconds when sending is allowed again.
        until_ms: u64,
    },

    /// The request needs credentials but the client has none.
    #[error("`{method}` needs an API key and signature: connect with Credentials")]
    NoCredentials {
        /// The method that needs them.
        method: String,
    },

    /// A key could not be loaded or used.
    #[error("key error: {0}")]
    Key(String),

    /// The connection could not be established or was refused.
    #[error("connection to {url} failed: {reason}")]
    Connect {
        /// Where.
        url: String,
        /// Why.
        reason: String,
    },

    /// The server refused the connection for good (bad key, ban, policy); reconnecting would not help.
    #[error("connection closed by the server for good (close code {code}: {reason})")]
    Refused {
        /// The WebSocket close code.
        code: u16,
        /// The close reason the server gave.
        reason: String,
    },

    /// The client was shut down (the handle or its connection task is gone).
    #[error("the client is closed")]
    Closed,

    /// A frame could not be decoded. The raw frame is kept (truncated) so it can be reported.
    #[error("could not decode {what}: {reason} (frame: {frame})")]
    Decode {
        /// What was being decoded.
        what: &'static str,
        /// The decoder's message.
        reason: String,
        /// The start of the frame.
        frame: String,
    },

    /// The request was refused by client-side checks before anything was sent.
    #[error("invalid request: {0}")]
    InvalidRequest(String),

    /// An order was refused by the client-side checks of [`crate::validate`] before anything was
    /// sent: the field, its value, the rule and what would be accepted.
    #[error("not sent: {0}")]
    Validation(Box<crate::validate::ValidationError>),

    /// An I/O or WebSocket protocol error.
    #[error("transport: {0}")]
    Transport(String),
}

impl Error {
    /// Builds a [`Error::Decode`] keeping at most 256 bytes of the frame.
    pub fn decode(what: &'static str, reason: impl ToString, frame: &[u8]) -> Self {
        let cut = frame.len().min(256);
        Error::Decode { what, reason: reason.to_string(), frame: String::from_utf8_lossy(&frame[..cut]).into_owned() }
    }

    /// The Binance error code, when the server answered with one.
    pub fn code(&self) -> Option<i64> {
        match self {
            Error::Api(e) => Some(e.code),
            _ => None,
        }
    }
}

/// An error answer from Binance: the HTTP-like `status`, Binance's `code` and `msg`, and a hint.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// The method that was called.
    pub method: String,
    /// The response status (400, 401, 403, 409, 418, 429, 5xx).
    pub status: u16,
    /// Binance's error code (negative), see `errors.md`.
    pub code: i64,
    /// Binance's message.
    pub msg: String,
    /// For 429/418: epoch ms when requests are accepted again.
    pub retry_after_ms: Option<u64>,
}

impl ApiError {
    /// What to do about this error, for the codes where there is something useful to say.
    pub fn hint(&self) -> Option<&'static str> {
        Some(match self.code {
            -1021 => "clock skew: resync the server time offset (Api::sync_time) or widen recvWindow",
            -1022 => "signature rejected: check the secret or private key matches the API key",
            -2014 | -2015 => "API key rejected: check the key, its permissions and IP whitelist",
            -1003 => "too much request weight: back off until retryAfter, use streams for live data",
            -1015 => "too many new orders: slow down order placement",
            -1106..=-1100 => "a parameter is missing, unknown or malformed",
            -1121 => "unknown symbol: check exchangeInfo for the symbol's exact name",
            -2010 => "the order was rejected by the matching engine, see msg",
            -2011 => "cancel rejected: the order is unknown or already closed",
            -2013 => "the order does not exist",
            -1013 => "a filter rejected the order: check exchangeInfo filters (tick size, step size, notional)",
            -1007 => "timeout in the backend: execution status unknown, query the order",
            _ => return None,
        })
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}` failed with status {}: code {}: {}", self.method, self.status, self.code, self.msg)?;
        if let Some(hint) = self.hint() {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(Box::new(e))
    }
}
