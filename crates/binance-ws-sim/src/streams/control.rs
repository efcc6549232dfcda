//! What every market stream connection shares, whatever its market: the connection URL (`/ws`, `/ws/<a>/<b>`,
//! `/stream?streams=a/b`), the incoming message limit, and the control messages (SUBSCRIBE, UNSUBSCRIBE,
//! LIST_SUBSCRIPTIONS, SET_PROPERTY, GET_PROPERTY) with their replies. Spot and futures sessions keep their own
//! subscriptions and hand them to [`handle_control`] through [`Subscriptions`].

use std::collections::VecDeque;

use serde::Deserialize;
use serde_json::{json, Value};

use super::session::{CloseReason, PathError};

/// A parsed connection URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnUrl {
    /// `/stream...`: payloads wrapped as `{"stream":..,"data":..}`.
    pub combined: bool,
    /// Stream names from the path or the `streams` query parameter, in order (duplicates kept).
    pub names: Vec<String>,
    /// 1 for milliseconds, 1000 for `timeUnit=MICROSECOND`.
    pub time_unit: u64,
}

/// Percent-decodes a URL component (invalid escapes are kept as they are).
pub fn percent_decode(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parses `/ws`, `/ws/<s1>/<s2>` (raw) or `/stream?streams=<s1>/<s2>` (combined), each optionally with
/// `timeUnit=MICROSECOND`. Stream names are not checked here.
pub fn parse_conn_url(path_and_query: &str) -> Result<ConnUrl, PathError> {
    let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
    let mut query_streams = None;
    let mut time_unit = 1;
    for kv in query.split('&').filter(|s| !s.is_empty()) {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        match k {
            "streams" => query_streams = Some(percent_decode(v)),
            "timeUnit" => {
                time_unit = match v {
                    "MICROSECOND" | "microsecond" => 1000,
                    "MILLISECOND" | "millisecond" => 1,
                    _ => return Err(PathError::InvalidTimeUnit(v.to_string())),
                }
            }
            _ => {}
        }
    }
    let path = path.trim_end_matches('/');
    let (combined, names) = if path == "/ws" {
        (false, String::new())
    } else if let Some(rest) = path.strip_prefix("/ws/") {
        (false, percent_decode(rest))
    } else if path == "/stream" {
        (true, query_streams.unwrap_or_default())
    } else {
        return Err(PathError::UnknownPath(path.to_string()));
    };
    let names = names.split('/').filter(|n| !n.is_empty()).map(str::to_string).collect();
    Ok(ConnUrl { combined, names, time_unit })
}

/// Counts incoming messages (text, binary, ping, pong) in a rolling second.
#[derive(Debug, Default)]
pub struct IncomingLimiter {
    times: VecDeque<u64>,
}

impl IncomingLimiter {
    /// Counts one message at `now_ms`; more than `max_per_sec` in a rolling second is a reason to close (1008).
    pub fn count(&mut self, now_ms: u64, max_per_sec: usize) -> Result<(), CloseReason> {
        while self.times.front().is_some_and(|t| t + 1000 <= now_ms) {
            self.times.pop_front();
        }
        self.times.push_back(now_ms);
        if self.times.len() > max_per_sec {
            return Err(CloseReason { code: 1008, reason: "Too many messages".into() });
        }
        Ok(())
    }
}

/// A session's subscriptions as the control messages see them.
pub trait Subscriptions {
    /// What a parsed stream name becomes.
    type Sub;
    /// Parses a stream name this connection accepts (None: invalid here).
    fn parse(&self, name: &str, now_ms: u64) -> Option<Self::Sub>;
    /// The current subscriptions' names, in subscription order.
    fn names(&self) -> Vec<String>;
    /// Adds subscriptions (not yet present, deduplicated).
    fn add(&mut self, subs: Vec<(String, Self::Sub)>, now_ms: u64);
    /// Removes subscriptions by name.
    fn remove(&mut self, names: &[String]);
    /// Whether payloads are wrapped.
    fn combined(&self) -> bool;
    /// Sets the `combined` property.
    fn set_combined(&mut self, combined: bool);
    /// Streams one connection may have.
    fn max_streams(&self) -> usize;
}

#[derive(Deserialize)]
#[allow(clippy::upper_case_acronyms, non_camel_case_types)]
enum Method {
    SUBSCRIBE,
    UNSUBSCRIBE,
    LIST_SUBSCRIPTIONS,
    SET_PROPERTY,
    GET_PROPERTY,
}

#[derive(Deserialize)]
struct Request {
    method: Method,
}

fn error_reply(code: i64, msg: &str, id: &Value) -> String {
    json!({"error": {"code": code, "msg": msg}, "id": id}).to_string()
}

fn ok_reply(result: Value, id: &Value) -> String {
    json!({"result": result, "id": id}).to_string()
}

/// The `id` forms the docs accept: a 64-bit integer, an alphanumeric string of at most 36 characters, `null`.
fn valid_id(id: &Value) -> bool {
    match id {
        Value::Null => true,
        Value::Number(n) => n.is_i64() || n.is_u64(),
        Value::String(s) => s.len() <= 36 && s.bytes().all(|b| b.is_ascii_alphanumeric()),
        _ => false,
    }
}

/// Handles one control message and returns the reply (web-socket-streams.md, "Live Subscribing/Unsubscribing").
/// Does not count the message against the incoming limit.
pub fn handle_control<S: Subscriptions>(subs: &mut S, text: &str, now_ms: u64) -> String {
    let v: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return error_reply(3, &format!("Invalid JSON: {e}"), &Value::Null),
    };
    let req: Request = match serde_json::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let id = v.get("id").filter(|i| valid_id(i)).cloned().unwrap_or(Value::Null);
            return error_reply(2, &format!("Invalid request: {e}"), &id);
        }
    };
    let id = match v.get("id") {
        Some(id) if valid_id(id) => id.clone(),
        _ => return error_reply(2, "Invalid request: request ID must be an unsigned integer", &Value::Null),
    };
    let params = v.get("params");
    match req.method {
        Method::SUBSCRIBE | Method::UNSUBSCRIBE => {
            let list = match params {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(a)) => a.clone(),
                Some(_) => return error_reply(2, "Invalid request: invalid stream", &id),
            };
            let mut parsed = Vec::with_capacity(list.len());
            for p in &list {
                let Some(n) = p.as_str() else { return error_reply(2, "Invalid request: invalid stream", &id) };
                let Some(k) = subs.parse(n, now_ms) else {
                    return error_reply(2, "Invalid request: invalid stream", &id);
                };
                parsed.push((n.to_string(), k));
            }
            if matches!(req.method, Method::SUBSCRIBE) {
                let have = subs.names();
                let mut new: Vec<(String, S::Sub)> = Vec::new();
                for (n, k) in parsed {
                    if !have.contains(&n) && !new.iter().any(|(x, _)| *x == n) {
                        new.push((n, k));
                    }
                }
                if have.len() + new.len() > subs.max_streams() {
                    return error_reply(2, "Invalid request: too many streams", &id);
                }
                subs.add(new, now_ms);
            } else {
                let names: Vec<String> = parsed.into_iter().map(|(n, _)| n).collect();
                subs.remove(&names);
            }
            ok_reply(Value::Null, &id)
        }
        Method::LIST_SUBSCRIPTIONS => {
            if matches!(params, Some(Value::Array(a)) if !a.is_empty()) {
                return error_reply(2, "Invalid request: too many parameters", &id);
            }
            ok_reply(json!(subs.names()), &id)
        }
        Method::SET_PROPERTY | Method::GET_PROPERTY => {
            let set = matches!(req.method, Method::SET_PROPERTY);
            let empty = Vec::new();
            let list = match params {
                Some(Value::Array(a)) => a,
                _ => &empty,
            };
            if list.len() > if set { 2 } else { 1 } {
                return error_reply(2, "Invalid request: too many parameters", &id);
            }
            let Some(name) = list.first().and_then(Value::as_str) else {
                return error_reply(2, "Invalid request: property name must be a string", &id);
            };
            if name != "combined" {
                return error_reply(0, "Unknown property", &id);
            }
            if !set {
                return ok_reply(json!(subs.combined()), &id);
            }
            match list.get(1) {
                Some(Value::Bool(b)) => {
                    subs.set_combined(*b);
                    ok_reply(Value::Null, &id)
                }
                _ => error_reply(1, "Invalid value type: expected Boolean", &id),
            }
        }
    }
}
