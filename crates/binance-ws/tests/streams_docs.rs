//! Every example payload of web-socket-streams.md and every market-stream payload schema of the AsyncAPI
//! specs (built from their field examples) decodes into a typed event with both JSON backends.

use binance_ws::streams::{decode_frame, Backend, Decoded, MarketEvent};
use serde_json::{Map, Value};

/// The reference docs reader and AsyncAPI example builder the user data tests use.
#[path = "user_data_common/docs.rs"]
#[allow(dead_code)]
mod docs;
use docs::{example, parse_yaml, reference, strip_comments, Y};

fn both(frame: &[u8]) -> Vec<Result<Decoded<'_>, String>> {
    [Backend::SerdeJson, Backend::SonicRs].into_iter().map(|b| decode_frame(frame, b)).collect()
}

#[test]
fn every_example_in_web_socket_streams_md_decodes() {
    let Some(md) = reference("spot-docs/web-socket-streams.md") else { return };
    let detailed_at = md.find("# Detailed Stream information").expect("section present");
    let mut typed = 0;
    let mut pos = 0;
    let mut last: Option<Value> = None;
    while let Some(start) = md[pos..].find("```javascript") {
        let start = pos + start + "```javascript".len();
        let end = start + md[start..].find("```").expect("closed block");
        pos = end + 3;
        let json = strip_comments(&md[start..end]);
        let v: Value = match serde_json::from_str(&json) {
            Ok(v) => v,
            Err(_) => continue,
        };
        // `[ { /* same as <the previous payload> */ } ]` placeholders: an array of the previous example.
        let v = if v.as_array().is_some_and(|a| a.iter().all(|x| x.as_object().is_some_and(Map::is_empty))) {
            match last.take() {
                Some(prev) => Value::Array(vec![prev]),
                None => continue,
            }
        } else {
            v
        };
        last = v.is_object().then(|| v.clone());
        let compact = v.to_string();
        for r in both(compact.as_bytes()) {
            let d = r.unwrap_or_else(|e| panic!("{compact}: {e}"));
            if start > detailed_at {
                match d {
                    Decoded::Event { event: MarketEvent::Other { .. }, .. } => panic!("untyped: {compact}"),
                    Decoded::Event { .. } => {}
                    other => panic!("not an event: {compact}: {other:?}"),
                }
            }
        }
        if start > detailed_at {
            typed += 1;
        }
    }
    assert!(typed >= 15, "only {typed} payload examples found");
    eprintln!("decoded {typed} stream payload examples");
}

#[test]
fn doc_values_are_exact() {
    let f = br#"{"u":400900217,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}"#;
    let Ok(Decoded::Event { event: MarketEvent::BookTicker(b), .. }) = decode_frame(f, Backend::SonicRs) else {
        panic!("not a book ticker")
    };
    assert_eq!(b.bid_price.to_string(), "25.35190000");
    assert_eq!(b.update_id, 400900217);
    let f = br#"{"e":"markPriceUpdate","E":1,"s":"BTCUSD_201225","p":"10934.62615417","P":"10962.17178236","i":"10933.62615417","r":"","T":0}"#;
    let Ok(Decoded::Event { event: MarketEvent::MarkPrice(m), .. }) = decode_frame(f, Backend::SonicRs) else {
        panic!("not a mark price")
    };
    assert_eq!(m.funding_rate, None);
}

fn check_spec(file: &str) -> usize {
    let Some(src) = reference(&format!("asyncapi/{file}")) else { return 0 };
    let root = parse_yaml(&src);
    let components = root.get("components").expect("components");
    let schemas = components.get("schemas").expect("schemas");
    let Some(Y::Map(messages)) = components.get("messages") else { panic!("messages") };
    let mut n = 0;
    for (name, msg) in messages {
        let Some(pattern) = msg.get("x-stream-pattern").and_then(Y::str) else { continue };
        let Some(payload) = msg.get("payload") else {
            eprintln!("{file}: {name} ({pattern}) has no payload schema; skipped");
            continue;
        };
        let mut data = example(payload, schemas);
        if msg.get("x-response-format").and_then(Y::str) == Some("array") && !data.is_array() {
            data = Value::Array(vec![data]);
        }
        let stream = msg
            .get("x-stream-example")
            .and_then(Y::str)
            .map(|s| s.trim_matches(['[', ']', '\'']).split(',').next().unwrap_or("").trim().to_string())
            .unwrap_or_default();
        let raw = data.to_string();
        let combined = serde_json::json!({"stream": stream, "data": data}).to_string();
        for frame in [&raw, &combined] {
            for r in both(frame.as_bytes()) {
                match r {
                    Ok(Decoded::Event { event: MarketEvent::Other { .. }, .. }) => {
                        panic!("{file}: {name}: untyped: {frame}")
                    }
                    Ok(Decoded::Event { .. }) => {}
                    other => panic!("{file}: {name}: {other:?}: {frame}"),
                }
            }
        }
        n += 1;
    }
    eprintln!("{file}: {n} market stream payloads decoded");
    n
}

#[test]
fn usdm_stream_payload_schemas_decode() {
    let n = check_spec("umfutures-streams.yaml");
    assert!(n == 0 || n >= 15, "{n}");
}

#[test]
fn coinm_stream_payload_schemas_decode() {
    let n = check_spec("cmfutures-streams.yaml");
    assert!(n == 0 || n >= 15, "{n}");
}

#[test]
fn spot_stream_payload_schemas_decode() {
    let n = check_spec("spot-streams.yaml");
    assert!(n == 0 || n >= 10, "{n}");
}

#[test]
fn malformed_frames_are_errors_not_panics() {
    let cases: [&[u8]; 9] = [
        b"",
        b"{",
        b"[",
        b"\"x\"",
        b"{\"e\":\"trade\"}",
        b"{\"stream\":\"btcusdt@trade\",\"data\":",
        b"{\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"p\":\"abc\"}}",
        b"{\"e\":\"depthUpdate\",\"E\":1,\"s\":\"X\",\"U\":1,\"u\":2,\"b\":[[\"1\"]],\"a\":[]}",
        &[0xff, 0xfe, 0x7b],
    ];
    for c in cases {
        for r in both(c) {
            assert!(r.is_err(), "{:?} decoded: {r:?}", String::from_utf8_lossy(c));
        }
    }
    // Unknown but well-formed: kept.
    let f = br#"{"stream":"btcusdt@newThing","data":{"e":"newThing","x":1}}"#;
    for r in both(f) {
        let Ok(Decoded::Event { stream, event: MarketEvent::Other { raw, .. } }) = r else { panic!("{r:?}") };
        assert_eq!(stream.as_deref(), Some("btcusdt@newThing"));
        assert!(raw.contains("newThing"));
    }
}
