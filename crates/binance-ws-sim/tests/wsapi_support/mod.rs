//! Shared by the wsapi_* tests: a raw WebSocket API client over a real socket that signs requests itself
//! (HMAC-SHA256 or Ed25519 over the sorted `key=value&...` payload), and the docs' examples read from
//! web-socket-api.md with a shape comparison (same keys, same JSON types).
#![allow(dead_code)]

use std::collections::VecDeque;
use std::time::Duration;

use base64::Engine;
use binance_ws_sim::config::{AccountConfig, AccountKey};
use futures::{SinkExt, StreamExt};
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};
use tokio::net::TcpStream;
use tokio_websockets::{ClientBuilder, MaybeTlsStream, Message, WebSocketStream};

pub const DOC_PATH: &str = "/work/shared/reference/binance/spot-docs/web-socket-api.md";

/// How a test client signs.
#[derive(Clone)]
pub enum Signer {
    Hmac { key: String, secret: String },
    Ed25519 { key: String, pkcs8: Vec<u8> },
}

impl Signer {
    pub fn hmac(key: &str, secret: &str) -> Signer {
        Signer::Hmac { key: key.into(), secret: secret.into() }
    }

    pub fn ed25519(key: &str, pem: &str) -> Signer {
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = base64::engine::general_purpose::STANDARD.decode(body).expect("PEM body");
        Signer::Ed25519 { key: key.into(), pkcs8: der }
    }

    pub fn api_key(&self) -> &str {
        match self {
            Signer::Hmac { key, .. } | Signer::Ed25519 { key, .. } => key,
        }
    }

    /// Adds apiKey (unless `with_key` is false), timestamp and signature.
    pub fn sign(&self, params: &mut Map<String, Value>, with_key: bool) {
        if with_key {
            params.insert("apiKey".into(), json!(self.api_key()));
        }
        params.insert("timestamp".into(), json!(now_ms()));
        let payload = payload(params);
        let sig = match self {
            Signer::Hmac { secret, .. } => {
                let k = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
                hex::encode(ring::hmac::sign(&k, payload.as_bytes()).as_ref())
            }
            Signer::Ed25519 { pkcs8, .. } => {
                let kp = ring::signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8).expect("Ed25519 key");
                base64::engine::general_purpose::STANDARD.encode(kp.sign(payload.as_bytes()).as_ref())
            }
        };
        params.insert("signature".into(), json!(sig));
    }
}

/// `name=value` pairs sorted by name, joined with `&` (strings as is, other values as JSON).
pub fn payload(params: &Map<String, Value>) -> String {
    let mut names: Vec<&String> = params.keys().filter(|k| *k != "signature").collect();
    names.sort();
    names
        .iter()
        .map(|n| match &params[*n] {
            Value::String(s) => format!("{n}={s}"),
            v => format!("{n}={v}"),
        })
        .collect::<Vec<_>>()
        .join("&")
}

pub fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64
}

pub fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// An HMAC account for SimConfig.
pub fn hmac_account(key: &str, secret: &str, balances: &[(&str, &str)]) -> AccountConfig {
    AccountConfig {
        api_key: key.into(),
        key: AccountKey::Hmac(secret.into()),
        balances: balances.iter().map(|(a, q)| (a.to_string(), dec(q))).collect(),
    }
}

/// A 64-character API key for test account `n`.
pub fn test_key(n: usize) -> String {
    format!("{:0>64}", format!("testkey{n}"))
}

pub fn test_secret(n: usize) -> String {
    format!("secret-of-test-account-{n}")
}

/// A raw WebSocket API connection.
pub struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    /// User data events received while waiting for replies, in arrival order.
    pub events: VecDeque<Value>,
    /// Every frame in arrival order: ("reply", id) or ("event", e).
    pub log: Vec<(String, String)>,
    pub signer: Option<Signer>,
}

impl Client {
    pub async fn connect(url: &str) -> Client {
        let (ws, _) = ClientBuilder::new().uri(url).unwrap().connect().await.expect("connects");
        Client { ws, next_id: 0, events: VecDeque::new(), log: Vec::new(), signer: None }
    }

    pub async fn with_signer(url: &str, signer: Signer) -> Client {
        let mut c = Client::connect(url).await;
        c.signer = Some(signer);
        c
    }

    async fn next_frame(&mut self, wait: Duration) -> Option<Value> {
        loop {
            let msg = tokio::time::timeout(wait, self.ws.next()).await.ok()??.ok()?;
            if let Some(t) = msg.as_text() {
                let v: Value = serde_json::from_str(t).expect("JSON frame");
                if v.get("event").is_some() {
                    let e = v["event"]["e"].as_str().unwrap_or("").to_string();
                    self.log.push(("event".into(), e));
                } else {
                    self.log.push(("reply".into(), v["id"].to_string()));
                }
                return Some(v);
            }
        }
    }

    /// Sends a request and returns the whole reply frame; events that arrive first are kept in `events`.
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = format!("req-{}", self.next_id);
        let mut req = json!({"id": id, "method": method});
        if !params.is_null() {
            req["params"] = params;
        }
        self.ws.send(Message::text(req.to_string())).await.expect("sent");
        loop {
            let v = self.next_frame(Duration::from_secs(5)).await.unwrap_or_else(|| panic!("no reply to {method}"));
            if v.get("event").is_some() {
                self.events.push_back(v);
            } else if v["id"] == json!(id) {
                return v;
            }
        }
    }

    /// A public request.
    pub async fn call(&mut self, method: &str, params: Value) -> Value {
        self.request(method, params).await
    }

    /// A request signed with this client's signer.
    pub async fn signed(&mut self, method: &str, params: Value) -> Value {
        let signer = self.signer.clone().expect("client has a signer");
        self.signed_by(&signer, method, params).await
    }

    pub async fn signed_by(&mut self, signer: &Signer, method: &str, params: Value) -> Value {
        let mut p = match params {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        signer.sign(&mut p, true);
        self.request(method, Value::Object(p)).await
    }

    /// The next user data event (`{"subscriptionId":..,"event":{..}}`), waiting up to `wait`.
    pub async fn next_event(&mut self, wait: Duration) -> Option<Value> {
        if let Some(e) = self.events.pop_front() {
            return Some(e);
        }
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let v = self.next_frame(left).await?;
            if v.get("event").is_some() {
                return Some(v);
            }
        }
    }

    /// Events until none arrives for `quiet`.
    pub async fn drain_events(&mut self, quiet: Duration) -> Vec<Value> {
        let mut out = Vec::new();
        while let Some(e) = self.next_event(quiet).await {
            out.push(e);
        }
        out
    }
}

/// The reply's `result`, or a panic showing the error.
pub fn ok(reply: &Value) -> &Value {
    assert_eq!(reply["status"], 200, "expected success, got {reply}");
    &reply["result"]
}

/// Asserts an error reply with this status and code.
pub fn err(reply: &Value, status: u64, code: i64) {
    assert_eq!(reply["status"], status, "{reply}");
    assert_eq!(reply["error"]["code"], code, "{reply}");
}

// ----- the docs' examples -----

/// The docs, or None (with a message) when /work/shared is not there.
pub fn docs() -> Option<String> {
    match std::fs::read_to_string(DOC_PATH) {
        Ok(s) => Some(s),
        Err(_) => {
            eprintln!("SKIPPED: {DOC_PATH} is missing, so the docs' examples cannot be checked");
            None
        }
    }
}

/// Removes `//` comments outside strings and trailing commas before `}` or `]`.
fn clean_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_str = false;
    let mut escaped = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_str {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_str = true;
                out.push(c);
            }
            '/' if chars.peek() == Some(&'/') => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            _ => out.push(c),
        }
    }
    // Trailing commas.
    let bytes: Vec<char> = out.chars().collect();
    let mut res = String::with_capacity(out.len());
    let mut in_str = false;
    let mut escaped = false;
    for (i, &c) in bytes.iter().enumerate() {
        if in_str {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            }
            res.push(c);
            continue;
        }
        if c == '"' {
            in_str = true;
        }
        if c == ',' {
            let next = bytes[i + 1..].iter().find(|c| !c.is_whitespace());
            if matches!(next, Some('}') | Some(']')) {
                continue;
            }
        }
        res.push(c);
    }
    res
}

/// Every JSON code block of a section.
fn blocks(section: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut rest = section;
    while let Some(start) = rest.find("```") {
        let after = &rest[start + 3..];
        let body_start = after.find('\n').map(|i| i + 1).unwrap_or(after.len());
        let Some(end) = after[body_start..].find("```") else { break };
        let body = &after[body_start..body_start + end];
        if let Ok(v) = serde_json::from_str::<Value>(&clean_json(body)) {
            out.push(v);
        }
        rest = &after[body_start + end + 3..];
    }
    out
}

/// The example request and responses of `method`: from the last section (between headings) that has a request
/// for it and at least one response.
pub fn examples(doc: &str, method: &str) -> (Value, Vec<Value>) {
    let mut sections = Vec::new();
    let mut current = String::new();
    for line in doc.lines() {
        if line.starts_with("### ") || line.starts_with("#### ") || line.starts_with("## ") {
            sections.push(std::mem::take(&mut current));
        }
        current.push_str(line);
        current.push('\n');
    }
    sections.push(current);
    let mut found = None;
    for s in &sections {
        let bs = blocks(s);
        let req = bs.iter().find(|b| b.get("method").and_then(Value::as_str) == Some(method)).cloned();
        let resps: Vec<Value> = bs.iter().filter(|b| b.get("status").is_some()).cloned().collect();
        if let Some(req) = req {
            if !resps.is_empty() {
                found = Some((req, resps));
            }
        }
    }
    found.unwrap_or_else(|| panic!("no example for {method} in the docs"))
}

/// Fields the docs list as conditional: they may be absent from either side.
pub const CONDITIONAL: &[&str] = &[
    "stopPrice",
    "trailingDelta",
    "trailingTime",
    "icebergQty",
    "strategyId",
    "strategyType",
    "preventedMatchId",
    "preventedQuantity",
    "expiryReason",
    "workingTime",
    "fills",
    "usedSor",
    "workingFloor",
    "pegPriceType",
    "pegOffsetType",
    "pegOffsetValue",
    "peggedPrice",
    "listStatus",
    "sors",
    "rateLimits",
    "data",
    // executionReport
    "d",
    "D",
    "j",
    "J",
    "v",
    "A",
    "B",
    "u",
    "U",
    "Cs",
    "pl",
    "pL",
    "pY",
    "W",
    "b",
    "a",
    "k",
    "uS",
    "gP",
    "gOT",
    "gOV",
    "gp",
    "eR",
];

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Whether `got` has the shape of `doc`: the same keys (conditional ones may be missing on either side) with
/// the same JSON types, recursively. `null` matches any type (the docs use it for "absent/none").
pub fn same_shape(doc: &Value, got: &Value, path: &str) -> Result<(), String> {
    match (doc, got) {
        (Value::Null, _) | (_, Value::Null) => Ok(()),
        (Value::Object(d), Value::Object(g)) => {
            if d.is_empty() {
                return Ok(()); // elided in the docs
            }
            for (k, dv) in d {
                match g.get(k) {
                    Some(gv) => same_shape(dv, gv, &format!("{path}.{k}"))?,
                    None if CONDITIONAL.contains(&k.as_str()) => {}
                    None => return Err(format!("{path}.{k} is missing")),
                }
            }
            for k in g.keys() {
                if !d.contains_key(k) && !CONDITIONAL.contains(&k.as_str()) {
                    return Err(format!("{path}.{k} is not in the docs"));
                }
            }
            Ok(())
        }
        (Value::Array(d), Value::Array(g)) => {
            if d.is_empty() || g.is_empty() {
                return Ok(());
            }
            let tuple = d.iter().any(|x| !x.is_object() && !x.is_array())
                && d.iter().map(type_name).collect::<std::collections::HashSet<_>>().len() > 1;
            if tuple {
                if d.len() != g.len() {
                    return Err(format!("{path}: {} elements, the docs have {}", g.len(), d.len()));
                }
                for (i, (dv, gv)) in d.iter().zip(g).enumerate() {
                    same_shape(dv, gv, &format!("{path}[{i}]"))?;
                }
            } else {
                // Each element must have the shape of one of the docs' elements. Filters are compared only
                // with a documented filter of the same type (the docs show a few of them).
                for (i, gv) in g.iter().enumerate() {
                    let p = format!("{path}[{i}]");
                    let candidates: Vec<&Value> = match gv.get("filterType") {
                        Some(ft) => d.iter().filter(|dv| dv.get("filterType") == Some(ft)).collect(),
                        None => d.iter().collect(),
                    };
                    if gv.get("filterType").is_some() && candidates.is_empty() {
                        continue;
                    }
                    let errors: Vec<String> = candidates.iter().filter_map(|dv| same_shape(dv, gv, &p).err()).collect();
                    if errors.len() == candidates.len() {
                        return Err(errors.join(" / "));
                    }
                }
            }
            Ok(())
        }
        (d, g) if type_name(d) == type_name(g) => Ok(()),
        (d, g) => Err(format!("{path}: {} where the docs have {} ({d})", type_name(g), type_name(d))),
    }
}

/// Asserts the reply has the shape of one of the docs' responses for `method`.
pub fn assert_doc_shape(doc: &str, method: &str, reply: &Value) {
    let (_, responses) = examples(doc, method);
    let mut why = Vec::new();
    for r in &responses {
        match same_shape(r, reply, "") {
            Ok(()) => return,
            Err(e) => why.push(e),
        }
    }
    panic!("{method}: reply {reply} matches none of the docs' {} responses: {why:?}", responses.len());
}

/// Asserts a user data event frame has the shape of the example of the same event type in user-data-stream.md.
pub fn assert_event_shape(frame: &Value) {
    let Ok(doc) = std::fs::read_to_string(DOC_PATH.replace("web-socket-api.md", "user-data-stream.md")) else {
        eprintln!("SKIPPED: user-data-stream.md is missing");
        return;
    };
    let e = frame["event"]["e"].as_str().expect("event type");
    let example = blocks(&doc)
        .into_iter()
        .find(|b| b["event"]["e"] == json!(e))
        .unwrap_or_else(|| panic!("no example of {e} in user-data-stream.md"));
    if let Err(why) = same_shape(&example, frame, "") {
        panic!("{e} event {frame} differs from the docs: {why}");
    }
}
