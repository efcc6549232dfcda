//! Shared by the futures tests: the reference pages and specs (located beside the workspace, skipped
//! with a message when missing), their example JSON made parseable, and a scripted WebSocket server
//! that speaks only what a test needs.
#![allow(dead_code)]

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio_websockets::{Message, ServerBuilder, WebSocketStream};

pub const REFERENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/reference/binance");

/// The reference folder, or `None` (and a printed reason) when it is not there.
pub fn reference() -> Option<PathBuf> {
    let p = PathBuf::from(REFERENCE);
    if p.is_dir() {
        Some(p)
    } else {
        println!("skipped: {REFERENCE} not found (the protocol reference lives beside the workspace)");
        None
    }
}

/// The futures doc pages whose file name starts with `prefix` (`umfutures-`, `cmfutures-`), sorted.
pub fn pages(prefix: &str) -> Vec<(String, String)> {
    let Some(dir) = reference() else { return Vec::new() };
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir.join("futures-docs"))
        .expect("futures-docs readable")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read_to_string(e.path()).unwrap()))
        .collect();
    out.sort();
    out
}

/// The top-level JSON blocks of a page (a line starting with `{` up to its matching `}`), made strict.
pub fn json_blocks(page: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let lines: Vec<&str> = page.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].starts_with('{') {
            let mut depth = 0i32;
            let mut text = String::new();
            let mut j = i;
            while j < lines.len() {
                // The captured pages use no-break spaces for indentation here and there.
                let code = strip_comment(&lines[j].replace('\u{a0}', " "));
                depth += brace_delta(&code);
                text.push_str(&code);
                text.push('\n');
                if depth <= 0 {
                    break;
                }
                j += 1;
            }
            let strict = strictify(&text);
            let v: Value = serde_json::from_str(&strict)
                .unwrap_or_else(|e| panic!("example at line {} does not parse ({e}):\n{strict}", i + 1));
            out.push(v);
            i = j + 1;
        } else {
            i += 1;
        }
    }
    out
}

/// The line without a `//` comment outside strings.
fn strip_comment(line: &str) -> String {
    let b = line.as_bytes();
    let (mut in_str, mut esc) = (false, false);
    for i in 0..b.len() {
        let c = b[i];
        if in_str {
            match c {
                _ if esc => esc = false,
                b'\\' => esc = true,
                b'"' => in_str = false,
                _ => {}
            }
        } else if c == b'"' {
            in_str = true;
        } else if c == b'/' && b.get(i + 1) == Some(&b'/') {
            return line[..i].to_string();
        }
    }
    line.to_string()
}

fn brace_delta(code: &str) -> i32 {
    let (mut in_str, mut esc, mut d) = (false, false, 0);
    for c in code.chars() {
        if in_str {
            match c {
                _ if esc => esc = false,
                '\\' => esc = true,
                '"' => in_str = false,
                _ => {}
            }
        } else {
            match c {
                '"' => in_str = true,
                '{' | '[' => d += 1,
                '}' | ']' => d -= 1,
                _ => {}
            }
        }
    }
    d
}

/// Removes commas before `}`/`]` and adds the commas the docs forgot between a value and the next key.
fn strictify(text: &str) -> String {
    let lines: Vec<String> = text.lines().map(|l| l.trim_end().to_string()).filter(|l| !l.trim().is_empty()).collect();
    let mut fixed = Vec::with_capacity(lines.len());
    for (n, line) in lines.iter().enumerate() {
        let mut l = line.clone();
        let next = lines.get(n + 1).map(|s| s.trim_start()).unwrap_or("");
        let ends_value = l.ends_with(['"', '}', ']'])
            || l.ends_with(|c: char| c.is_ascii_digit())
            || l.ends_with("true")
            || l.ends_with("false")
            || l.ends_with("null");
        if ends_value && (next.starts_with('"') || next.starts_with('{')) && !l.ends_with(['{', '[', ',']) {
            l.push(',');
        }
        fixed.push(l);
    }
    let joined = fixed.join("\n");
    let chars: Vec<char> = joined.chars().collect();
    let mut out = String::with_capacity(chars.len());
    let (mut in_str, mut esc) = (false, false);
    for (i, &c) in chars.iter().enumerate() {
        if in_str {
            match c {
                _ if esc => esc = false,
                '\\' => esc = true,
                '"' => in_str = false,
                _ => {}
            }
            out.push(c);
            continue;
        }
        if c == '"' {
            in_str = true;
        }
        if c == ',' {
            let rest = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            if matches!(rest, Some('}') | Some(']')) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// One example exchange of a page: the method of the nearest request above a response.
pub struct Example {
    pub page: String,
    pub method: String,
    pub response: Value,
}

/// Every successful example response (`"status": 200` with a `result`) of the pages, with its method.
pub fn examples(prefix: &str) -> Vec<Example> {
    let mut out = Vec::new();
    for (page, text) in pages(prefix) {
        let mut method: Option<String> = None;
        for block in json_blocks(&text) {
            if let Some(m) = block.get("method").and_then(|m| m.as_str()) {
                method = Some(m.to_string());
            } else if block.get("status") == Some(&json!(200)) && block.get("result").is_some() {
                let m = method.clone().unwrap_or_else(|| panic!("{page}: a response before any request"));
                out.push(Example { page: page.clone(), method: m, response: block });
            }
        }
    }
    out
}

/// Every example request (`"method"` and `"params"`) of the pages: method and params.
pub fn requests(prefix: &str) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (page, text) in pages(prefix) {
        for block in json_blocks(&text) {
            if let Some(m) = block.get("method").and_then(|m| m.as_str()) {
                out.push((page.clone(), m.to_string(), block.get("params").cloned().unwrap_or(json!({}))));
            }
        }
    }
    out
}

// ------------------------------------------------------------------ scripted server

pub type Ws = WebSocketStream<TcpStream>;
type Handler = Arc<dyn Fn(String, Ws) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// Starts a WebSocket server on a free local port; every connection is handed to `handler` with its
/// request path (and query). Returns the base URL (`ws://127.0.0.1:<port>`).
pub async fn serve<F, Fut>(handler: F) -> String
where
    F: Fn(String, Ws) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let handler: Handler = Arc::new(move |p, ws| Box::pin(handler(p, ws)));
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let handler = handler.clone();
            tokio::spawn(async move {
                let Ok((req, ws)) = ServerBuilder::new().accept(tcp).await else { return };
                let path = req.uri().path_and_query().map(|p| p.to_string()).unwrap_or_default();
                handler(path, ws).await;
            });
        }
    });
    format!("ws://127.0.0.1:{}", addr.port())
}

/// Reads the next text frame as JSON (pings are answered by the library); `None` when the peer is gone.
pub async fn next_json(ws: &mut Ws) -> Option<Value> {
    loop {
        let msg = ws.next().await?.ok()?;
        if msg.is_close() {
            return None;
        }
        if let Some(text) = msg.as_text() {
            return serde_json::from_str(text).ok();
        }
        let _ = ws.flush().await;
    }
}

/// Sends a JSON text frame.
pub async fn send_json(ws: &mut Ws, v: &Value) -> bool {
    ws.send(Message::text(v.to_string())).await.is_ok()
}

/// A successful API reply.
pub fn ok(id: &Value, result: Value) -> Value {
    json!({"id": id, "status": 200, "result": result,
           "rateLimits": [{"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 2400, "count": 1}]})
}

/// An API error reply.
pub fn err(id: &Value, status: u16, code: i64, msg: &str) -> Value {
    json!({"id": id, "status": status, "error": {"code": code, "msg": msg}})
}

/// `session.status` as the COIN-M general info page shows it, for the client's clock sync.
pub fn session_status() -> Value {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
    json!({"apiKey": null, "authorizedSince": null, "connectedSince": now, "returnRateLimits": true, "serverTime": now})
}

// ------------------------------------------------------------------ specs

/// An AsyncAPI spec of the reference, parsed; `None` when the reference is missing.
pub fn spec(name: &str) -> Option<serde_yaml_ng::Value> {
    let dir = reference()?;
    let text = std::fs::read_to_string(dir.join("asyncapi").join(name)).expect("spec readable");
    Some(serde_yaml_ng::from_str(&text).expect("spec parses"))
}

/// The `const` values of every `method` property in a spec (the methods it documents).
pub fn spec_methods(spec: &serde_yaml_ng::Value) -> std::collections::BTreeSet<String> {
    fn walk(v: &serde_yaml_ng::Value, out: &mut std::collections::BTreeSet<String>) {
        match v {
            serde_yaml_ng::Value::Mapping(m) => {
                for (k, val) in m {
                    if k.as_str() == Some("method") {
                        if let Some(c) = val.get("const").and_then(|c| c.as_str()) {
                            out.insert(c.to_string());
                        }
                    }
                    walk(val, out);
                }
            }
            serde_yaml_ng::Value::Sequence(s) => s.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = std::collections::BTreeSet::new();
    walk(spec, &mut out);
    out
}

/// Resolves a local `$ref` (`#/components/schemas/x`).
pub fn resolve<'a>(spec: &'a serde_yaml_ng::Value, node: &'a serde_yaml_ng::Value) -> &'a serde_yaml_ng::Value {
    match node.get("$ref").and_then(|r| r.as_str()) {
        Some(r) => {
            let mut cur = spec;
            for part in r.trim_start_matches("#/").split('/') {
                cur = cur.get(part).unwrap_or_else(|| panic!("unresolved $ref {r}"));
            }
            resolve(spec, cur)
        }
        None => node,
    }
}

/// An example instance of a schema built from its own `const`/`example` values (objects with every
/// property, arrays with one item); a scalar without an example takes its first `enum` value.
pub fn example_of(spec: &serde_yaml_ng::Value, schema: &serde_yaml_ng::Value) -> Value {
    let s = resolve(spec, schema);
    if let Some(c) = s.get("const") {
        return serde_json::to_value(c).unwrap();
    }
    if let Some(props) = s.get("properties").and_then(|p| p.as_mapping()) {
        let mut obj = serde_json::Map::new();
        for (k, v) in props {
            obj.insert(k.as_str().unwrap().to_string(), example_of(spec, v));
        }
        return Value::Object(obj);
    }
    if let Some(items) = s.get("items") {
        return Value::Array(vec![example_of(spec, items)]);
    }
    if let Some(e) = s.get("example") {
        return serde_json::to_value(e).unwrap();
    }
    if let Some(first) = s.get("enum").and_then(|e| e.as_sequence()).and_then(|e| e.first()) {
        return serde_json::to_value(first).unwrap();
    }
    panic!("schema without example, const or enum: {s:?}")
}

// ------------------------------------------------------------------ request parameters

/// The parameter names of each page's "Request Parameters" table, by the method of the page's first
/// request example (pages with several methods, like the general info page, are left out).
pub fn param_tables(prefix: &str) -> std::collections::BTreeMap<String, BTreeSet<String>> {
    let mut out = std::collections::BTreeMap::new();
    for (_, text) in pages(prefix) {
        let methods: BTreeSet<String> = json_blocks(&text)
            .iter()
            .filter_map(|b| b.get("method").and_then(|m| m.as_str()).map(str::to_string))
            .collect();
        if methods.len() != 1 {
            continue;
        }
        let Some(at) = text.find("Request Parameters") else { continue };
        let names: BTreeSet<String> = text[at..]
            .lines()
            .skip(1)
            .skip_while(|l| l.trim().is_empty())
            .take_while(|l| l.contains(" | "))
            .skip(1) // the header row
            .map(|l| l.split(" | ").next().unwrap().trim().to_string())
            .collect();
        let method = methods.into_iter().next().unwrap();
        out.entry(method).or_insert_with(BTreeSet::new).extend(names);
    }
    out
}

/// The docs' request params without what the engine adds (`apiKey`, `timestamp`, `signature`, `recvWindow`).
pub fn user_params(params: &Value) -> serde_json::Map<String, Value> {
    let mut m = params.as_object().cloned().unwrap_or_default();
    for k in ["apiKey", "timestamp", "signature", "recvWindow"] {
        m.remove(k);
    }
    m
}

/// Compares our params with the docs': the same names, strings equal, numbers equal as decimals (the
/// docs write some decimals as JSON numbers, though DECIMAL parameters are sent as strings).
pub fn assert_same_params(what: &str, ours: &serde_json::Map<String, Value>, docs: &serde_json::Map<String, Value>) {
    let our_keys: BTreeSet<&String> = ours.keys().collect();
    let doc_keys: BTreeSet<&String> = docs.keys().collect();
    assert_eq!(our_keys, doc_keys, "{what}: parameter names differ");
    for (k, want) in docs {
        let got = &ours[k];
        let as_dec = |v: &Value| match v {
            Value::String(s) => s.parse::<rust_decimal::Decimal>().ok(),
            Value::Number(n) => n.to_string().parse::<rust_decimal::Decimal>().ok(),
            _ => None,
        };
        let same = got == want || (want.is_number() && as_dec(got).is_some() && as_dec(got) == as_dec(want));
        assert!(same, "{what}: {k} is {got}, the docs send {want}");
    }
}

use std::collections::BTreeSet;

// ------------------------------------------------------------------ a scripted futures API

/// What a scripted API connection received: every request's method and params, in order.
pub type Log = Arc<parking_lot::Mutex<Vec<(String, Value)>>>;

/// An order as the USDⓈ-M "New Order" page answers it, for the order methods of a scripted API.
pub fn usdm_order_result(params: &Value) -> Value {
    json!({"orderId": 325078477, "symbol": params["symbol"], "status": "NEW", "clientOrderId": "iCXL1BywlBaf2sesNUrVl3",
           "price": "43187.00", "avgPrice": "0.00", "origQty": "0.100", "executedQty": "0.000", "cumQty": "0.000",
           "cumQuote": "0.00000", "timeInForce": "GTC", "type": "LIMIT", "reduceOnly": false, "closePosition": false,
           "side": "BUY", "positionSide": "BOTH", "stopPrice": "0.00", "workingType": "CONTRACT_PRICE",
           "priceProtect": false, "origType": "LIMIT", "priceMatch": "NONE", "selfTradePreventionMode": "NONE",
           "goodTillDate": 0, "updateTime": 1702555534435u64})
}

/// An order as the COIN-M "New Order" page answers it.
pub fn coinm_order_result(params: &Value) -> Value {
    json!({"orderId": 333245211, "symbol": params["symbol"], "pair": "BTCUSD", "status": "NEW",
           "clientOrderId": "5SztZiGFAxgAqw4J9EN9fA", "price": "50000", "avgPrice": "0.00", "origQty": "1",
           "executedQty": "0", "cumQty": "0", "cumBase": "0", "timeInForce": "GTC", "type": "LIMIT",
           "reduceOnly": false, "closePosition": false, "side": "BUY", "positionSide": "BOTH", "stopPrice": "0",
           "workingType": "CONTRACT_PRICE", "priceProtect": false, "origType": "LIMIT", "updateTime": 1728413795125u64})
}

/// Serves one API connection: logs every request and answers with `answer(method, params)`
/// (`Ok(result)` or `Err((status, code, msg))`); `session.status` is answered for the clock sync.
pub async fn api_loop<F>(mut ws: Ws, log: Log, answer: F)
where
    F: Fn(&str, &Value) -> Result<Value, (u16, i64, String)>,
{
    while let Some(req) = next_json(&mut ws).await {
        let id = req["id"].clone();
        let method = req["method"].as_str().unwrap_or_default().to_string();
        let params = req.get("params").cloned().unwrap_or(json!({}));
        log.lock().push((method.clone(), params.clone()));
        let reply = if method == "session.status" {
            ok(&id, session_status())
        } else {
            match answer(&method, &params) {
                Ok(result) => ok(&id, result),
                Err((status, code, msg)) => err(&id, status, code, &msg),
            }
        };
        if !send_json(&mut ws, &reply).await {
            return;
        }
    }
}

/// How many logged requests had `method`.
pub fn count(log: &Log, method: &str) -> usize {
    log.lock().iter().filter(|(m, _)| m == method).count()
}
