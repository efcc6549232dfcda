//! The local exchange's replies checked against the response schemas of `asyncapi/spot.yaml`
//! (written independently of this project). Skipped with a message when `../shared` is absent.

mod support;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use support::asyncapi;

/// Sends one request on a fresh connection and returns the parsed reply.
async fn ask(url: &str, request: Value) -> Value {
    let (mut ws, _) = tokio_websockets::ClientBuilder::new().uri(url).unwrap().connect().await.expect("connects");
    ws.send(tokio_websockets::Message::text(request.to_string())).await.unwrap();
    loop {
        let msg = ws.next().await.expect("a reply").expect("a frame");
        if let Some(text) = msg.as_text() {
            return serde_json::from_str(text).expect("JSON reply");
        }
    }
}

#[test]
fn the_checker_catches_wrong_types_and_missing_required_fields() {
    let schema = json!({"type": "object", "required": ["a"], "properties": {
        "a": {"type": "integer"}, "b": {"type": "array", "items": {"type": "string"}}}});
    assert!(asyncapi::check(&schema, &json!({"a": 1, "b": ["x"]})).is_empty());
    let errors = asyncapi::check(&schema, &json!({"b": ["x", 2]}));
    assert_eq!(errors.len(), 2, "{errors:?}");
}

#[tokio::test]
async fn public_replies_match_the_spec() {
    let Some(spec) = asyncapi::load("spot.yaml") else { return };
    let sim = binance_ws_sim::Sim::start(Default::default()).await.unwrap();
    let cases = [("ping", json!({})), ("time", json!({})), ("session.status", json!({}))];
    let mut checked = 0;
    let total = cases.len();
    for (method, params) in cases {
        let schema = asyncapi::response_schema(&spec, method).unwrap_or_else(|| panic!("no schema for {method}"));
        let reply = ask(&sim.api_url(), json!({"id": "conformance-1", "method": method, "params": params})).await;
        assert_eq!(reply["status"], 200, "{method}: {reply}");
        // web-socket-api.md shows these as null on a session that is not logged on.
        let errors = asyncapi::check_allowing_null(schema, &reply, &["$.result.apiKey", "$.result.authorizedSince"]);
        assert!(errors.is_empty(), "{method}: {errors:#?}\nreply: {reply}");
        checked += 1;
    }
    assert_eq!(checked, total);
}

/// HMAC-signs `params` for the default account (sorted `k=v&...`, as the docs define).
fn signed(mut params: serde_json::Map<String, Value>) -> Value {
    use binance_ws_sim::config::{DEFAULT_HMAC_API_KEY, DEFAULT_HMAC_SECRET};
    params.insert("apiKey".into(), DEFAULT_HMAC_API_KEY.into());
    params.insert("timestamp".into(), binance_ws_sim::clock::now_ms().into());
    // Sorted by name as the docs say (the map's own order depends on serde_json's features).
    let mut pairs: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{k}={}", v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())))
        .collect();
    pairs.sort();
    let payload = pairs.join("&");
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, DEFAULT_HMAC_SECRET.as_bytes());
    params.insert("signature".into(), hex::encode(ring::hmac::sign(&key, payload.as_bytes()).as_ref()).into());
    Value::Object(params)
}

fn obj(v: Value) -> serde_json::Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

#[tokio::test]
async fn market_account_and_trading_replies_match_the_spec() {
    let Some(spec) = asyncapi::load("spot.yaml") else { return };
    // The simulated traders make trades, klines and tickers to report on.
    let sim = binance_ws_sim::Sim::start(Default::default()).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let url = sim.api_url();
    let sym = || json!({"symbol": "BTCUSDT"});
    let resting = || {
        obj(json!({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
                   "price": "1000.00", "quantity": "0.01", "newClientOrderId": "conformance-order"}))
    };
    let public = [
        ("exchangeInfo", json!({"symbols": ["BTCUSDT", "ETHUSDT"]})),
        ("depth", json!({"symbol": "BTCUSDT", "limit": 10})),
        ("trades.recent", json!({"symbol": "BTCUSDT", "limit": 5})),
        ("trades.historical", json!({"symbol": "BTCUSDT", "limit": 5})),
        ("trades.aggregate", json!({"symbol": "BTCUSDT", "limit": 5})),
        ("klines", json!({"symbol": "BTCUSDT", "interval": "1m", "limit": 5})),
        ("uiKlines", json!({"symbol": "BTCUSDT", "interval": "1m", "limit": 5})),
        ("avgPrice", sym()),
        ("ticker.24hr", sym()),
        ("ticker.tradingDay", sym()),
        ("ticker", sym()),
        ("ticker.price", sym()),
        ("ticker.book", sym()),
    ];
    let signed_cases = [
        ("account.status", obj(json!({}))),
        ("account.commission", obj(sym())),
        ("account.rateLimits.orders", obj(json!({}))),
        ("order.test", resting()),
        ("order.place", resting()),
        ("order.status", obj(json!({"symbol": "BTCUSDT", "origClientOrderId": "conformance-order"}))),
        ("openOrders.status", obj(sym())),
        ("allOrders", obj(sym())),
        ("myTrades", obj(sym())),
        ("myPreventedMatches", obj(json!({"symbol": "BTCUSDT", "preventedMatchId": 1}))),
        ("myAllocations", obj(sym())),
        ("order.cancel", obj(json!({"symbol": "BTCUSDT", "origClientOrderId": "conformance-order"}))),
        ("openOrderLists.status", obj(json!({}))),
        ("allOrderLists", obj(json!({}))),
    ];
    let mut cases: Vec<(&str, Value)> = public.into_iter().collect();
    cases.extend(signed_cases.into_iter().map(|(m, p)| (m, signed(p))));
    let mut checked = Vec::new();
    for (method, params) in cases {
        let Some(schema) = asyncapi::response_schema(&spec, method) else { panic!("no schema for {method}") };
        let reply = ask(&url, json!({"id": "conformance", "method": method, "params": params})).await;
        assert_eq!(reply["status"], 200, "{method}: {reply}");
        let errors = asyncapi::check(schema, &reply);
        assert!(errors.is_empty(), "{method}: {errors:#?}\nreply: {reply}");
        checked.push(method);
    }
    assert_eq!(checked.len(), 27, "{checked:?}");
}

#[test]
fn every_spec_method_has_a_request_schema_we_can_find() {
    let Some(spec) = asyncapi::load("spot.yaml") else { return };
    let methods = asyncapi::methods(&spec);
    assert!(methods.len() >= 45, "found only {} methods", methods.len());
    for m in &methods {
        assert!(asyncapi::response_schema(&spec, m).is_some(), "no response schema for {m}");
    }
}
