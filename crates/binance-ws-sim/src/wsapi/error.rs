//! Error answers, with Binance's status, code and message (spot-docs/errors.md).

use serde_json::Value;

/// An error answer of the WebSocket API.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiErr {
    /// HTTP-like status: 400, 401, 403, 409, 418, 429, 5xx.
    pub status: u16,
    /// Binance's error code.
    pub code: i64,
    /// Binance's message.
    pub msg: String,
    /// Extra `data` (rate limits: `retryAfter`).
    pub data: Option<Value>,
}

impl ApiErr {
    /// A 400 with `code` and `msg`.
    pub fn new(code: i64, msg: impl Into<String>) -> Self {
        ApiErr { status: 400, code, msg: msg.into(), data: None }
    }

    /// -1102: a mandatory parameter is missing or malformed.
    pub fn mandatory(name: &str) -> Self {
        Self::new(-1102, format!("Mandatory parameter '{name}' was not sent, was empty/null, or malformed."))
    }

    /// -1100: illegal characters in a parameter.
    pub fn illegal_chars(name: &str) -> Self {
        Self::new(-1100, format!("Illegal characters found in parameter '{name}'; legal range is '^[0-9]{{1,20}}$'."))
    }

    /// -1130: invalid data for a parameter.
    pub fn invalid(name: &str) -> Self {
        Self::new(-1130, format!("Data sent for parameter '{name}' is not valid."))
    }

    /// -1121: unknown symbol.
    pub fn bad_symbol() -> Self {
        Self::new(-1121, "Invalid symbol.")
    }

    /// -1022: bad signature.
    pub fn bad_signature() -> Self {
        Self::new(-1022, "Signature for this request is not valid.")
    }

    /// -2015: unknown or unauthorized API key (status 401 as the docs' example shows).
    pub fn rejected_key() -> Self {
        ApiErr { status: 401, ..Self::new(-2015, "Invalid API-key, IP, or permissions for action.") }
    }
}

impl From<(i64, String)> for ApiErr {
    fn from((code, msg): (i64, String)) -> Self {
        ApiErr::new(code, msg)
    }
}

impl From<crate::exchange::Reject> for ApiErr {
    fn from(r: crate::exchange::Reject) -> Self {
        ApiErr::new(r.code, r.msg)
    }
}
