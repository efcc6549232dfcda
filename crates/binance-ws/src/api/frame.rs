//! Request frames: `{"id":..,"method":..,"params":{..}}`, with what the request's security needs.

use std::fmt::Write as _;

use super::client::Shared;
use super::{Params, Security};
use crate::auth::sign_params;

/// Serializes request `id` and adds what `security` asks for. With `session` (a logged-on session) a
/// signed request carries only `timestamp` (and `recvWindow`, web-socket-api.md, Session
/// Authentication); without it, `apiKey`, `timestamp` and `signature`, which the API accepts on any
/// connection ("Authorize ad hoc requests"). `params` keeps what was added, so the request can be
/// signed again later (a fresh `timestamp` and `signature` replace the old ones).
pub(crate) fn build(
    shared: &Shared,
    id: u64,
    method: &str,
    params: &mut Params,
    security: Security,
    session: bool,
) -> String {
    match (security, shared.credentials.as_ref()) {
        (Security::Signed, Some(_)) if uses_session(params, security, session) => {
            params.insert("timestamp".into(), shared.server_now_ms().into());
            if let Some(w) = shared.config.recv_window_ms {
                params.insert("recvWindow".into(), super::recv_window_value(w));
            }
        }
        (Security::Signed, Some(creds)) => {
            sign_params(creds, params, shared.server_now_ms(), shared.config.recv_window_ms, true);
        }
        (Security::ApiKey, Some(creds)) => {
            params.insert("apiKey".into(), creds.api_key().into());
        }
        _ => {}
    }
    request_frame(id, method, params)
}

/// True when [`build`] sends `params` on the session's authority alone, without a signature. A request
/// signed once is signed again rather than stripped of its `apiKey` and `signature`.
pub(crate) fn uses_session(params: &Params, security: Security, session: bool) -> bool {
    security == Security::Signed && session && !params.contains_key("signature")
}

/// `{"id":..,"method":..,"params":{..}}`, params omitted when empty.
pub(crate) fn request_frame(id: u64, method: &str, params: &Params) -> String {
    let mut out = String::with_capacity(64 + params.len() * 32);
    let _ = write!(out, "{{\"id\":{id},\"method\":");
    if method.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        // Method names are plain ASCII: no escaping, no allocation.
        out.push('"');
        out.push_str(method);
        out.push('"');
    } else {
        out.push_str(&serde_json::to_string(method).unwrap_or_else(|_| "\"\"".into()));
    }
    if !params.is_empty() {
        out.push_str(",\"params\":");
        out.push_str(&serde_json::to_string(params).unwrap_or_else(|_| "{}".into()));
    }
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_json_with_the_method_escaped_when_it_needs_to_be() {
        let mut params = Params::new();
        params.insert("symbol".into(), "BTCUSDT".into());
        for method in ["ping", "order.place", "odd\"name\\\n"] {
            let frame = request_frame(7, method, &params);
            let v: serde_json::Value = serde_json::from_str(&frame).expect("valid JSON");
            assert_eq!(v, serde_json::json!({"id": 7, "method": method, "params": {"symbol": "BTCUSDT"}}));
        }
        assert_eq!(request_frame(1, "ping", &Params::new()), r#"{"id":1,"method":"ping"}"#);
    }
}
