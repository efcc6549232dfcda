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

#[test]
fn every_spec_method_has_a_request_schema_we_can_find() {
    let Some(spec) = asyncapi::load("spot.yaml") else { return };
    let methods = asyncapi::methods(&spec);
    assert!(methods.len() >= 45, "found only {} methods", methods.len());
    for m in &methods {
        assert!(asyncapi::response_schema(&spec, m).is_some(), "no response schema for {m}");
    }
}
