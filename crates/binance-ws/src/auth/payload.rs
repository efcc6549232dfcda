//! The canonical signature payload and the signing of request parameters.

use std::fmt::Write as _;

use serde_json::{Number, Value};

use super::Credentials;
use crate::api::Params;

/// The signed payload of a request: every parameter except `signature`, sorted by name, rendered as
/// `name=value` and joined with `&`, as raw UTF-8 with no percent-encoding.
///
/// Strings are taken as they are; numbers and booleans as their JSON text (`100`, `0.5`, `true`);
/// arrays and objects as compact JSON (`["BTCUSDT","ETHUSDT"]`), `null` as `null`.
/// These are the same texts the request's JSON carries, so the server rebuilds the same payload.
///
/// ```
/// let params = serde_json::json!({"symbol": "BTCUSDT", "recvWindow": 100, "timestamp": 1645423376532_u64});
/// let payload = binance_ws::auth::signature_payload(params.as_object().unwrap());
/// assert_eq!(payload, "recvWindow=100&symbol=BTCUSDT&timestamp=1645423376532");
/// ```
pub fn signature_payload(params: &Params) -> String {
    // `Params` iterates sorted unless serde_json's `preserve_order` is switched on somewhere in the build;
    // sort explicitly so the payload never depends on a feature flag.
    let mut entries: Vec<(&String, &Value)> = params.iter().filter(|(name, _)| name.as_str() != "signature").collect();
    entries.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut out = String::with_capacity(entries.len() * 24);
    for (i, (name, value)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        match value {
            Value::String(s) => out.push_str(s),
            // Number, Bool, Null, Array, Object: their compact JSON text. Writing to a String cannot fail.
            other => {
                let _ = write!(out, "{other}");
            }
        }
    }
    out
}

/// Signs a request's parameters in place.
///
/// Adds `apiKey` (when `include_api_key`; a logged-on session leaves it out), `timestamp`, `recvWindow`
/// (when given, rounded to at most 3 decimals: `5000.0` is sent as `5000`, `6000.346` as `6000.346`; a value
/// that is not a finite number of plain decimal digits, beyond 9e15 ms, is left out), then `signature`
/// computed over [`signature_payload`].
/// A `signature` already present is replaced.
pub fn sign_params(
    credentials: &Credentials,
    params: &mut Params,
    timestamp_ms: u64,
    recv_window_ms: Option<f64>,
    include_api_key: bool,
) {
    params.remove("signature");
    if include_api_key {
        params.insert("apiKey".into(), Value::String(credentials.api_key().to_owned()));
    }
    params.insert("timestamp".into(), Value::Number(timestamp_ms.into()));
    if let Some(window) = recv_window_ms.and_then(recv_window_number) {
        params.insert("recvWindow".into(), Value::Number(window));
    }
    let signature = credentials.sign(signature_payload(params).as_bytes());
    params.insert("signature".into(), Value::String(signature));
}

/// `recvWindow` as a JSON number with at most 3 decimals, integral values without a fraction.
pub(crate) fn recv_window_number(ms: f64) -> Option<Number> {
    if !ms.is_finite() {
        return None;
    }
    let thousandths = (ms * 1000.0).round();
    // Beyond 2^63 thousandths the value has no exact integer form, and its shortest text has an exponent
    // (`-2.1e252`, found by fuzzing): not a number Binance reads. No real window comes near this.
    if thousandths.abs() >= 9.0e18 {
        return None;
    }
    if thousandths % 1000.0 == 0.0 {
        // Integral: send `5000`, not `5000.0`.
        return Some(Number::from((thousandths / 1000.0) as i64));
    }
    // `thousandths / 1000` is the double nearest the 3-decimal value, and serde_json prints the shortest
    // text that reads back as that double, which is that 3-decimal text (checked in the tests).
    Number::from_f64(thousandths / 1000.0)
}
