//! Sans-IO tests of the market state, the WS API market-data results and the stream session.

#[allow(dead_code)]
mod support;

use std::collections::BTreeSet;
use std::str::FromStr;

use binance_ws_sim::exchange::events::{DepthDiff, MarketEvent, Trade};
use binance_ws_sim::market::json::{depth_json, TickerType};
use binance_ws_sim::market::{Interval, MarketConfig, MarketState};
use binance_ws_sim::streams::{parse_stream_name, PathError, SessionConfig, StreamKind, StreamSession};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use support::docs::strip_comments;

const T0: u64 = 1_672_531_200_000; // 2023-01-01T00:00:00Z

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn trade(id: u64, price: &str, qty: &str, time_ms: u64, buyer_is_maker: bool, taker: u64) -> MarketEvent {
    let (p, q) = (d(price), d(qty));
    let (buyer, seller) = if buyer_is_maker { (1000 + id, taker) } else { (taker, 1000 + id) };
    MarketEvent::Trade(Trade {
        symbol: "BTCUSDT".into(),
        id,
        price: p,
        qty: q,
        quote_qty: p * q,
        time_ms,
        buyer_order_id: buyer,
        seller_order_id: seller,
        buyer_is_maker,
    })
}

fn diff(first: u64, last: u64, time_ms: u64, bids: &[(&str, &str)], asks: &[(&str, &str)]) -> MarketEvent {
    MarketEvent::Depth(DepthDiff {
        symbol: "BTCUSDT".into(),
        first_update_id: first,
        final_update_id: last,
        time_ms,
        bids: bids.iter().map(|(p, q)| (d(p), d(q))).collect(),
        asks: asks.iter().map(|(p, q)| (d(p), d(q))).collect(),
    })
}

fn session(path: &str) -> StreamSession {
    StreamSession::from_path(path, SessionConfig::default(), T0).unwrap()
}

fn parse(frames: &[String]) -> Vec<Value> {
    frames.iter().map(|f| serde_json::from_str(f).unwrap()).collect()
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

/// Keys in the order they were written (this crate builds serde_json with `preserve_order`).
fn key_order(v: &Value) -> Vec<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

// ---------- doc examples ----------

fn doc(file: &str) -> Option<String> {
    let p = format!("{}/../../../shared/reference/binance/spot-docs/{file}", env!("CARGO_MANIFEST_DIR"));
    match std::fs::read_to_string(&p) {
        Ok(s) => Some(s),
        Err(_) => {
            eprintln!("SKIPPED doc comparison: {p} is missing");
            None
        }
    }
}

/// The javascript blocks after `marker` up to the next `stop` (or the end), parsed.
fn blocks_after(text: &str, marker: &str, stop: &str) -> Vec<Value> {
    let start = text.find(marker).unwrap_or_else(|| panic!("marker {marker:?} not in docs")) + marker.len();
    let rest = &text[start..];
    let rest = &rest[..rest.find(stop).unwrap_or(rest.len())];
    let mut out = Vec::new();
    let mut r = rest;
    while let Some(i) = r.find("```javascript") {
        let body = &r[i + 13..];
        let end = body.find("```").unwrap();
        if let Ok(v) = serde_json::from_str::<Value>(&strip_comments(&body[..end])) {
            out.push(v);
        }
        r = &body[end + 3..];
    }
    out
}

fn stream_example(text: &str, marker: &str) -> Value {
    blocks_after(text, marker, "\n## ").into_iter().next().unwrap_or_else(|| panic!("no example after {marker}"))
}

// ---------- names ----------

#[test]
fn every_documented_stream_name_parses() {
    let ok = [
        "btcusdt@trade",
        "btcusdt@aggTrade",
        "btcusdt@miniTicker",
        "!miniTicker@arr",
        "btcusdt@ticker",
        "btcusdt@ticker_1h",
        "btcusdt@ticker_4h",
        "btcusdt@ticker_1d",
        "!ticker_1h@arr",
        "!ticker_4h@arr",
        "!ticker_1d@arr",
        "btcusdt@bookTicker",
        "btcusdt@avgPrice",
        "btcusdt@depth5",
        "btcusdt@depth10",
        "btcusdt@depth20",
        "btcusdt@depth5@100ms",
        "btcusdt@depth10@100ms",
        "btcusdt@depth20@100ms",
        "btcusdt@depth",
        "btcusdt@depth@100ms",
    ];
    for n in ok {
        assert!(parse_stream_name(n).is_some(), "{n}");
    }
    for iv in Interval::ALL {
        let n = format!("bnbbtc@kline_{}", iv.as_str());
        assert_eq!(
            parse_stream_name(&n),
            Some(StreamKind::Kline { symbol: "BNBBTC".into(), interval: iv, offset_ms: 0 }),
            "{n}"
        );
        let n = format!("bnbbtc@kline_{}@+08:00", iv.as_str());
        assert_eq!(
            parse_stream_name(&n),
            Some(StreamKind::Kline { symbol: "BNBBTC".into(), interval: iv, offset_ms: 8 * 3_600_000 }),
            "{n}"
        );
    }
    assert_eq!(
        parse_stream_name("ethbtc@depth10@100ms"),
        Some(StreamKind::PartialDepth { symbol: "ETHBTC".into(), levels: 10, fast: true })
    );
}

#[test]
fn invalid_stream_names_are_refused() {
    let bad = [
        "",
        "btcusdt",
        "@trade",
        "BTCUSDT@trade",
        "btcusdt@trades",
        "btcusdt@kline_2m",
        "btcusdt@kline_1M@+09:00",
        "btcusdt@kline_1m@08:00",
        "btcusdt@depth15",
        "btcusdt@depth5@500ms",
        "btcusdt@depth@250ms",
        "btcusdt@ticker_2h",
        "!ticker@arr",
        "!ticker_2d@arr",
        "!miniTicker",
        "btc usdt@trade",
        "btcusdt@aggtrade",
    ];
    for n in bad {
        assert!(parse_stream_name(n).is_none(), "{n} should be refused");
    }
}

// ---------- URL ----------

#[test]
fn sessions_from_urls() {
    let s = session("/ws");
    assert!(!s.combined() && s.subscriptions().is_empty());
    let s = session("/ws/btcusdt@trade/ethusdt@depth");
    assert!(!s.combined());
    assert_eq!(s.subscriptions(), vec!["btcusdt@trade", "ethusdt@depth"]);
    let s = session("/stream?streams=btcusdt@trade/btcusdt@kline_1m@%2B08:00&timeUnit=MICROSECOND");
    assert!(s.combined());
    assert_eq!(s.subscriptions(), vec!["btcusdt@trade", "btcusdt@kline_1m@+08:00"]);
    let cfg = SessionConfig::default;
    assert!(matches!(StreamSession::from_path("/ws/btcusdt@nope", cfg(), T0), Err(PathError::InvalidStream(_))));
    assert!(matches!(StreamSession::from_path("/other", cfg(), T0), Err(PathError::UnknownPath(_))));
    assert!(matches!(StreamSession::from_path("/ws?timeUnit=SECOND", cfg(), T0), Err(PathError::InvalidTimeUnit(_))));
    let many: Vec<String> = (0..1025).map(|i| format!("s{i}@trade")).collect();
    let r = StreamSession::from_path(&format!("/stream?streams={}", many.join("/")), cfg(), T0);
    assert_eq!(r.err(), Some(PathError::TooManyStreams(1025)));
    assert!(StreamSession::from_path(&format!("/stream?streams={}", many[..1024].join("/")), cfg(), T0).is_ok());
}

// ---------- control messages ----------

fn reply(s: &mut StreamSession, text: &str) -> Value {
    serde_json::from_str(&s.on_text(text, T0)).unwrap()
}

#[test]
fn control_messages_as_documented() {
    let mut s = session("/ws");
    let r = reply(&mut s, r#"{"method":"SUBSCRIBE","params":["btcusdt@aggTrade","btcusdt@depth"],"id":1}"#);
    assert_eq!(r, json!({"result": null, "id": 1}));
    let r = reply(&mut s, r#"{"method":"UNSUBSCRIBE","params":["btcusdt@depth"],"id":312}"#);
    assert_eq!(r, json!({"result": null, "id": 312}));
    let r = reply(&mut s, r#"{"method":"LIST_SUBSCRIPTIONS","id":3}"#);
    assert_eq!(r, json!({"result": ["btcusdt@aggTrade"], "id": 3}));
    let r = reply(&mut s, r#"{"method":"GET_PROPERTY","params":["combined"],"id":2}"#);
    assert_eq!(r, json!({"result": false, "id": 2}));
    let r = reply(&mut s, r#"{"method":"SET_PROPERTY","params":["combined",true],"id":5}"#);
    assert_eq!(r, json!({"result": null, "id": 5}));
    assert!(s.combined());
    let r = reply(&mut s, r#"{"method":"GET_PROPERTY","params":["combined"],"id":"abc12"}"#);
    assert_eq!(r, json!({"result": true, "id": "abc12"}));
    // Subscribing twice keeps one subscription; ids may be null or negative.
    let r = reply(&mut s, r#"{"method":"SUBSCRIBE","params":["btcusdt@aggTrade"],"id":null}"#);
    assert_eq!(r, json!({"result": null, "id": null}));
    let r = reply(&mut s, r#"{"method":"LIST_SUBSCRIPTIONS","id":-7}"#);
    assert_eq!(r, json!({"result": ["btcusdt@aggTrade"], "id": -7}));
}

fn err_of(v: &Value) -> (i64, String) {
    let e = &v["error"];
    (e["code"].as_i64().unwrap(), e["msg"].as_str().unwrap().to_string())
}

#[test]
fn control_message_errors() {
    let mut s = session("/ws");
    let (c, m) = err_of(&reply(&mut s, "{nope"));
    assert_eq!(c, 3);
    assert!(m.starts_with("Invalid JSON: "), "{m}");
    let (c, m) = err_of(&reply(&mut s, ""));
    assert_eq!((c, m.as_str()), (3, "Invalid JSON: EOF while parsing a value at line 1 column 0"));
    let (c, m) = err_of(&reply(&mut s, "x"));
    assert_eq!((c, m.as_str()), (3, "Invalid JSON: expected value at line 1 column 1"));

    let text = r#"{"method":"SUBSCRIBEX","params":[],"id":1}"#;
    let v = reply(&mut s, text);
    let (c, m) = err_of(&v);
    assert_eq!(c, 2);
    assert_eq!(
        m,
        "Invalid request: unknown variant `SUBSCRIBEX`, expected one of `SUBSCRIBE`, `UNSUBSCRIBE`, \
         `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY` at line 1 column 22"
    );
    assert_eq!(v["id"], json!(1));
    let (c, m) = err_of(&reply(&mut s, r#"{"params":["btcusdt@trade"],"id":1}"#));
    assert_eq!((c, m.as_str()), (2, "Invalid request: missing field `method` at line 1 column 35"));
    for id in [
        r#""51e2affb-0aba-4821-ba75-f2625006eb43""#,
        "1.5",
        "true",
        "[1]",
        r#""abcdefghijabcdefghijabcdefghijabcdefg""#,
    ] {
        let text = format!(r#"{{"method":"LIST_SUBSCRIPTIONS","id":{id}}}"#);
        let (c, m) = err_of(&reply(&mut s, &text));
        assert_eq!((c, m.as_str()), (2, "Invalid request: request ID must be an unsigned integer"), "{id}");
    }
    let (c, m) = err_of(&reply(&mut s, r#"{"method":"LIST_SUBSCRIPTIONS"}"#));
    assert_eq!((c, m.as_str()), (2, "Invalid request: request ID must be an unsigned integer"));

    let v = reply(&mut s, r#"{"method":"SET_PROPERTY","params":["compressed",true],"id":9}"#);
    assert_eq!(err_of(&v), (0, "Unknown property".to_string()));
    assert_eq!(v["id"], json!(9));
    let v = reply(&mut s, r#"{"method":"GET_PROPERTY","params":["nope"],"id":9}"#);
    assert_eq!(err_of(&v), (0, "Unknown property".to_string()));
    let v = reply(&mut s, r#"{"method":"SET_PROPERTY","params":["combined","yes"],"id":9}"#);
    assert_eq!(err_of(&v), (1, "Invalid value type: expected Boolean".to_string()));
    let v = reply(&mut s, r#"{"method":"SET_PROPERTY","params":[1,true],"id":9}"#);
    assert_eq!(err_of(&v), (2, "Invalid request: property name must be a string".to_string()));
    let v = reply(&mut s, r#"{"method":"GET_PROPERTY","params":[],"id":9}"#);
    assert_eq!(err_of(&v), (2, "Invalid request: property name must be a string".to_string()));
    let v = reply(&mut s, r#"{"method":"SET_PROPERTY","params":["combined",true,1],"id":9}"#);
    assert_eq!(err_of(&v), (2, "Invalid request: too many parameters".to_string()));
    let v = reply(&mut s, r#"{"method":"GET_PROPERTY","params":["combined","x"],"id":9}"#);
    assert_eq!(err_of(&v), (2, "Invalid request: too many parameters".to_string()));
    let v = reply(&mut s, r#"{"method":"LIST_SUBSCRIPTIONS","params":["x"],"id":9}"#);
    assert_eq!(err_of(&v), (2, "Invalid request: too many parameters".to_string()));
    let v = reply(&mut s, r#"{"method":"SUBSCRIBE","params":["btcusdt@trade","btcusdt@bogus"],"id":4}"#);
    assert_eq!(err_of(&v), (2, "Invalid request: invalid stream".to_string()));
    assert_eq!(v["id"], json!(4));
    // All or nothing.
    assert!(s.subscriptions().is_empty());
    assert!(!s.combined());
}

#[test]
fn more_than_5_messages_per_second_closes_1008() {
    let mut s = session("/ws");
    for i in 0..5 {
        assert!(s.on_incoming(T0 + i * 100).is_ok());
    }
    let e = s.on_incoming(T0 + 999).unwrap_err();
    assert_eq!(e.code, 1008);
    // A steady 5/s is fine.
    let mut s = session("/ws");
    for i in 0..50 {
        assert!(s.on_incoming(T0 + i * 200).is_ok(), "message {i}");
    }
}

#[test]
fn more_than_1024_streams_refused() {
    let mut s = session("/ws");
    let names: Vec<String> = (0..1024).map(|i| format!("sym{i}@trade")).collect();
    let r = reply(&mut s, &json!({"method": "SUBSCRIBE", "params": names, "id": 1}).to_string());
    assert_eq!(r, json!({"result": null, "id": 1}));
    let r = reply(&mut s, r#"{"method":"SUBSCRIBE","params":["one@trade"],"id":2}"#);
    assert_eq!(r["error"]["code"], json!(2));
    assert_eq!(r["id"], json!(2));
    assert_eq!(s.subscriptions().len(), 1024);
    // Re-subscribing to a stream already there is not a new stream.
    let r = reply(&mut s, r#"{"method":"SUBSCRIBE","params":["sym5@trade"],"id":3}"#);
    assert_eq!(r, json!({"result": null, "id": 3}));
}

// ---------- payloads ----------

#[test]
fn trade_raw_and_combined() {
    let mut st = MarketState::default();
    let ev = trade(1, "100.5", "2", T0 + 5, true, 77);
    st.apply(&ev);
    st.seal_aggregates();
    let mut raw = session("/ws/btcusdt@trade");
    let f = parse(&raw.frames_for(&ev, &st, T0 + 6));
    assert_eq!(
        f,
        vec![
            json!({"e":"trade","E":T0+6,"s":"BTCUSDT","t":1,"p":"100.50000000","q":"2.00000000","T":T0+5,"m":true,"M":true})
        ]
    );
    let mut comb = session("/stream?streams=btcusdt@trade/ethusdt@trade");
    let f = parse(&comb.frames_for(&ev, &st, T0 + 6));
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["stream"], json!("btcusdt@trade"));
    assert_eq!(f[0]["data"]["t"], json!(1));
    // SET_PROPERTY switches the wrapping.
    raw.on_text(r#"{"method":"SET_PROPERTY","params":["combined",true],"id":1}"#, T0);
    assert_eq!(parse(&raw.frames_for(&ev, &st, T0 + 6))[0]["stream"], json!("btcusdt@trade"));
    let mut micro = session("/ws/btcusdt@trade?timeUnit=microsecond");
    assert_eq!(parse(&micro.frames_for(&ev, &st, T0 + 6))[0]["T"], json!((T0 + 5) * 1000));
    // Binance's layout: `stream` before `data` (web-socket-streams.md).
    let shutdown = comb.shutdown_frame(T0);
    assert!(shutdown.starts_with(r#"{"stream":"!serverShutdown","data":{"#), "{shutdown}");
    assert_eq!(parse(&[shutdown])[0], json!({"stream":"!serverShutdown","data":{"e":"serverShutdown","E":T0}}));
    let frame = &comb.frames_for(&ev, &st, T0 + 6)[0];
    assert!(frame.starts_with(r#"{"stream":"btcusdt@trade","data":{"#), "{frame}");
}

#[test]
fn agg_trades_group_one_taker_order() {
    let mut st = MarketState::default();
    // Taker order 500 sweeps: two fills at 10, one at 11, then taker 501 at 11.
    let evs = vec![
        trade(1, "10", "1", T0, true, 500),
        trade(2, "10", "2", T0, true, 500),
        trade(3, "11", "1", T0, true, 500),
        trade(4, "11", "4", T0, true, 501),
    ];
    let mut s = session("/ws/btcusdt@aggTrade");
    let mut frames = Vec::new();
    for ev in &evs {
        st.apply(ev);
    }
    st.seal_aggregates();
    for ev in &evs {
        frames.extend(parse(&s.frames_for(ev, &st, T0)));
    }
    let got: Vec<_> = frames.iter().map(|f| (f["a"].clone(), f["q"].clone(), f["f"].clone(), f["l"].clone())).collect();
    assert_eq!(
        got,
        vec![
            (json!(1), json!("3.00000000"), json!(1), json!(2)),
            (json!(2), json!("1.00000000"), json!(3), json!(3)),
            (json!(3), json!("4.00000000"), json!(4), json!(4)),
        ]
    );
    let r = st.trades_aggregate_json("BTCUSDT", Some(2), None, None, Some(1)).unwrap();
    assert_eq!(r, json!([{"a":2,"p":"11.00000000","q":"1.00000000","f":3,"l":3,"T":T0,"m":true,"M":true}]));
    assert_eq!(st.trades_aggregate_json("BTCUSDT", Some(2), Some(T0), None, None).unwrap_err().0, -1128);
}

#[test]
fn depth_diffs_merge_and_stay_contiguous() {
    let mut st = MarketState::default();
    let mut s = session("/ws/btcusdt@depth@100ms");
    let mut slow = session("/ws/btcusdt@depth");
    let mut out = Vec::new();
    let mut slow_out = Vec::new();
    let mut id = 0;
    for step in 0..30u64 {
        let now = T0 + step * 50;
        for _ in 0..(step % 3) {
            let ev = diff(id + 1, id + 2, now, &[("99", &format!("{}", step + 1))], &[("101", "1")]);
            id += 2;
            st.apply(&ev);
            out.extend(s.frames_for(&ev, &st, now));
            slow_out.extend(slow.frames_for(&ev, &st, now));
        }
        out.extend(s.on_tick(&st, now));
        slow_out.extend(slow.on_tick(&st, now));
    }
    out.extend(s.on_tick(&st, T0 + 10_000));
    slow_out.extend(slow.on_tick(&st, T0 + 10_000));
    for frames in [parse(&out), parse(&slow_out)] {
        assert!(frames.len() > 1);
        assert_eq!(frames[0]["U"], json!(1));
        for w in frames.windows(2) {
            assert_eq!(w[1]["U"].as_u64().unwrap(), w[0]["u"].as_u64().unwrap() + 1);
        }
        let last = frames.last().unwrap();
        assert_eq!(last["u"].as_u64().unwrap(), id);
        // Latest quantity per level.
        assert_eq!(last["b"], json!([["99.00000000", "30.00000000"]]));
        assert_eq!(last["e"], json!("depthUpdate"));
    }
    assert!(parse(&slow_out).len() < parse(&out).len());
    // Book mirror and the depth result.
    let snap = st.depth_snapshot("BTCUSDT", 5);
    assert_eq!(snap.last_update_id, id);
    assert_eq!(
        depth_json(&snap),
        json!({"lastUpdateId": id, "bids": [["99.00000000","30.00000000"]], "asks": [["101.00000000","1.00000000"]]})
    );
}

#[test]
fn book_ticker_and_partial_depth() {
    let mut st = MarketState::default();
    let mut s = session("/stream?streams=btcusdt@bookTicker/btcusdt@depth5");
    let evs = [
        diff(1, 1, T0, &[("99", "1")], &[]),
        diff(2, 3, T0, &[("98", "5")], &[("101", "2")]), // best unchanged bid, new ask
        diff(4, 4, T0, &[], &[("105", "1")]),            // top unchanged: no bookTicker
        diff(5, 5, T0, &[("99", "0")], &[]),             // best bid removed
    ];
    let mut frames = Vec::new();
    for ev in &evs {
        st.apply(ev);
        frames.extend(parse(&s.frames_for(ev, &st, T0)));
    }
    let us: Vec<_> = frames.iter().map(|f| f["data"]["u"].as_u64().unwrap()).collect();
    assert_eq!(us, vec![1, 3, 5]);
    assert_eq!(
        frames[2]["data"],
        json!({"u":5,"s":"BTCUSDT","b":"98.00000000","B":"5.00000000","a":"101.00000000","A":"2.00000000"})
    );
    let t = parse(&s.on_tick(&st, T0 + 1000));
    assert_eq!(t.len(), 1);
    assert_eq!(t[0]["stream"], json!("btcusdt@depth5"));
    assert_eq!(
        t[0]["data"],
        json!({"lastUpdateId":5,"bids":[["98.00000000","5.00000000"]],"asks":[["101.00000000","2.00000000"],["105.00000000","1.00000000"]]})
    );
    assert!(s.on_tick(&st, T0 + 1500).is_empty(), "depth5 is every 1000 ms");
    assert_eq!(st.ticker_book_json("BTCUSDT")["bidPrice"], json!("98.00000000"));
}

/// A known trade sequence: 3 trades in one minute, 1 in the next, 1 an hour later.
fn known_state() -> MarketState {
    let mut st = MarketState::new(MarketConfig::default());
    for ev in [
        trade(1, "100", "1", T0 + 1_000, false, 1),
        trade(2, "110", "2", T0 + 2_000, true, 2),
        trade(3, "90", "1", T0 + 30_000, false, 3),
        trade(4, "105", "2", T0 + 61_000, false, 4),
        trade(5, "120", "1", T0 + 3_600_000 + 5_000, true, 5),
    ] {
        st.apply(&ev);
    }
    st.apply(&diff(1, 1, T0, &[("119", "3")], &[("121", "4")]));
    st.seal_aggregates();
    st
}

#[test]
fn kline_arithmetic() {
    let st = known_state();
    let k = st.klines_json("BTCUSDT", "1m", None, None, None, None).unwrap();
    assert_eq!(k.as_array().unwrap().len(), 3);
    assert_eq!(
        k[0],
        json!([
            T0,
            "100.00000000",
            "110.00000000",
            "90.00000000",
            "90.00000000",
            "4.00000000",
            T0 + 59_999,
            "410.00000000",
            3,
            "2.00000000",
            "190.00000000",
            "0"
        ])
    );
    let h = st.klines_json("BTCUSDT", "1h", None, None, Some(1), None).unwrap();
    assert_eq!(h.as_array().unwrap().len(), 1);
    assert_eq!(h[0][0], json!(T0 + 3_600_000));
    let h = st.klines_json("BTCUSDT", "1h", Some(T0), None, Some(1), None).unwrap();
    assert_eq!(h[0][0], json!(T0));
    assert_eq!(h[0][8], json!(4));
    assert_eq!(h[0][5], json!("6.00000000"));
    // A day in UTC+8 starts at 16:00 UTC; UTC-1:00 rebuilt from minutes at 01:00 UTC the day before.
    let k8 = st.klines_json("BTCUSDT", "1d", None, None, None, Some("8")).unwrap();
    assert_eq!(k8[0][0], json!(T0 - 8 * 3_600_000));
    assert_eq!(k8[0][8], json!(5));
    let km1 = st.klines_json("BTCUSDT", "1d", None, None, None, Some("-1:00")).unwrap();
    assert_eq!(km1[0][0], json!(T0 - 23 * 3_600_000));
    assert_eq!(km1[0][6], json!(T0 + 3_600_000 - 1));
    let mo = st.klines_json("BTCUSDT", "1M", None, None, None, None).unwrap();
    assert_eq!(mo[0][6], json!(T0 + 31 * 86_400_000 - 1));
    assert_eq!(st.klines_json("BTCUSDT", "2m", None, None, None, None).unwrap_err().0, -1120);
    assert_eq!(st.klines_json("BTCUSDT", "1m", None, None, None, Some("15:00")).unwrap_err().0, -1130);

    // The kline stream: the open bar, then the closed one when its minute is over.
    let mut s = StreamSession::from_path("/ws/btcusdt@kline_1m", SessionConfig::default(), T0 + 3_601_000).unwrap();
    let f = parse(&s.on_tick(&st, T0 + 3_600_000 + 6_000));
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["k"]["x"], json!(false));
    assert_eq!(f[0]["k"]["f"], json!(5));
    assert!(s.on_tick(&st, T0 + 3_600_000 + 7_000).is_empty(), "1m klines are every 2000 ms");
    let f = parse(&s.on_tick(&st, T0 + 3_600_000 + 60_000));
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["k"]["x"], json!(true));
    assert_eq!(f[0]["k"]["T"], json!(T0 + 3_600_000 + 59_999));
    assert!(s.on_tick(&st, T0 + 3_600_000 + 62_000).is_empty());
}

#[test]
fn ticker_arithmetic() {
    let st = known_state();
    let now = T0 + 3_600_000 + 10_000;
    let t = st.ticker_24hr_json("BTCUSDT", TickerType::Full, now);
    assert_eq!(t["openPrice"], json!("100.00000000"));
    assert_eq!(t["highPrice"], json!("120.00000000"));
    assert_eq!(t["lowPrice"], json!("90.00000000"));
    assert_eq!(t["lastPrice"], json!("120.00000000"));
    assert_eq!(t["lastQty"], json!("1.00000000"));
    assert_eq!(t["volume"], json!("7.00000000"));
    assert_eq!(t["quoteVolume"], json!("740.00000000"));
    assert_eq!(t["weightedAvgPrice"], json!("105.71428571"));
    assert_eq!(t["priceChange"], json!("20.00000000"));
    assert_eq!(t["priceChangePercent"], json!("20.000"));
    assert_eq!(t["firstId"], json!(1));
    assert_eq!(t["lastId"], json!(5));
    assert_eq!(t["count"], json!(5));
    assert_eq!(t["bidPrice"], json!("119.00000000"));
    assert_eq!(t["askQty"], json!("4.00000000"));
    assert_eq!(t["closeTime"], json!(now));
    assert_eq!(t["openTime"], json!(now - 86_400_000));

    // Rolling windows open on a minute: 1h back from T0+1h+10s opens at T0 (all trades),
    // 59m back opens at T0+1m (trades 4 and 5).
    let r = st.ticker_rolling_json("BTCUSDT", TickerType::Mini, Some("1h"), now).unwrap();
    assert_eq!((r["openTime"].clone(), r["closeTime"].clone()), (json!(T0), json!(now)));
    assert_eq!(r["count"], json!(5));
    assert!(r.get("priceChange").is_none());
    let r = st.ticker_rolling_json("BTCUSDT", TickerType::Full, Some("59m"), now).unwrap();
    assert_eq!(r["openTime"], json!(T0 + 60_000));
    assert_eq!((r["count"].clone(), r["firstId"].clone()), (json!(2), json!(4)));
    assert_eq!(r["openPrice"], json!("105.00000000"));
    assert_eq!(r["priceChangePercent"], json!("14.286"));
    assert_eq!(st.ticker_rolling_json("BTCUSDT", TickerType::Full, Some("8d"), now).unwrap_err().0, -1130);

    let day = st.ticker_trading_day_json("BTCUSDT", TickerType::Full, None, now).unwrap();
    assert_eq!((day["openTime"].clone(), day["closeTime"].clone()), (json!(T0), json!(T0 + 86_399_999)));
    assert_eq!(day["count"], json!(5));
    // No trade before the window: empty stats carry -1 ids.
    let day8 = st.ticker_trading_day_json("BTCUSDT", TickerType::Mini, Some("-1:00"), T0 + 2 * 86_400_000).unwrap();
    assert_eq!((day8["firstId"].clone(), day8["count"].clone()), (json!(-1), json!(0)));

    // avgPrice: trades in the last 5 minutes (only trade 5), then the last price when none.
    let a = st.avg_price_json("BTCUSDT", now);
    assert_eq!(a, json!({"mins": 5, "price": "120.00000000", "closeTime": T0 + 3_600_000 + 5_000}));
    let a = st.avg_price_json("BTCUSDT", T0 + 62_000);
    // Trades 1..4: quote 100+220+90+210 = 620 over 6.
    assert_eq!(a["price"], json!("103.33333333"));
    assert_eq!(st.ticker_price_json("BTCUSDT"), json!({"symbol":"BTCUSDT","price":"120.00000000"}));

    // Trades results.
    let r = st.trades_recent_json("BTCUSDT", Some(2));
    assert_eq!(r.as_array().unwrap().iter().map(|t| t["id"].as_u64().unwrap()).collect::<Vec<_>>(), vec![4, 5]);
    let h = st.trades_historical_json("BTCUSDT", Some(2), Some(2));
    assert_eq!(
        h[0],
        json!({"id":2,"price":"110.00000000","qty":"2.00000000","quoteQty":"220.00000000","time":T0+2000,
               "isBuyerMaker":true,"isBestMatch":true})
    );
    assert_eq!(h.as_array().unwrap().len(), 2);

    // The ticker streams: a frame when something changed, none otherwise.
    let mut s = session("/stream?streams=btcusdt@ticker/btcusdt@miniTicker/btcusdt@ticker_1h/!ticker_4h@arr/!miniTicker@arr/btcusdt@avgPrice");
    let f = parse(&s.on_tick(&st, now));
    assert_eq!(f.len(), 6);
    let by: std::collections::HashMap<String, Value> =
        f.into_iter().map(|v| (v["stream"].as_str().unwrap().to_string(), v["data"].clone())).collect();
    let tk = &by["btcusdt@ticker"];
    assert_eq!(
        (tk["p"].clone(), tk["P"].clone(), tk["w"].clone()),
        (json!("20.00000000"), json!("20.000"), json!("105.71428571"))
    );
    assert_eq!(
        (tk["F"].clone(), tk["L"].clone(), tk["n"].clone(), tk["x"].clone()),
        (json!(1), json!(5), json!(5), json!("0.00000000"))
    );
    assert_eq!(by["btcusdt@ticker_1h"]["e"], json!("1hTicker"));
    assert_eq!(by["btcusdt@ticker_1h"]["O"], json!(T0));
    assert_eq!(by["btcusdt@ticker_1h"]["x"], Value::Null);
    assert_eq!(by["!ticker_4h@arr"][0]["e"], json!("4hTicker"));
    assert_eq!(by["!miniTicker@arr"][0]["e"], json!("24hrMiniTicker"));
    assert_eq!(by["btcusdt@avgPrice"]["w"], json!("120.00000000"));
    assert!(s.on_tick(&st, now + 1000).is_empty(), "nothing changed");
}

#[test]
fn stream_payload_fields_match_the_docs() {
    let Some(text) = doc("web-socket-streams.md") else { return };
    let st = known_state();
    let now = T0 + 3_600_000 + 10_000;
    let mut s = session("/ws");
    let all = [
        "btcusdt@trade",
        "btcusdt@aggTrade",
        "btcusdt@kline_1h",
        "btcusdt@kline_1h@+08:00",
        "btcusdt@miniTicker",
        "btcusdt@ticker",
        "btcusdt@ticker_4h",
        "btcusdt@bookTicker",
        "btcusdt@avgPrice",
        "btcusdt@depth5",
        "btcusdt@depth",
    ];
    s.on_text(&json!({"method":"SUBSCRIBE","params":all,"id":1}).to_string(), T0);
    s.on_text(r#"{"method":"SET_PROPERTY","params":["combined",true],"id":2}"#, T0);
    let mut frames = s.frames_for(&trade(5, "120", "1", T0 + 3_600_000 + 5_000, true, 5), &st, now);
    let dd = diff(2, 2, now, &[("119.5", "1")], &[]);
    let mut st2 = st.clone();
    st2.apply(&dd);
    frames.extend(s.frames_for(&dd, &st2, now));
    frames.extend(s.on_tick(&st2, now + 1000));
    let by: std::collections::HashMap<String, Value> =
        parse(&frames).into_iter().map(|v| (v["stream"].as_str().unwrap().to_string(), v["data"].clone())).collect();
    let cases = [
        ("btcusdt@trade", "**Stream Name:** \\<symbol\\>@trade\n"),
        ("btcusdt@aggTrade", "**Stream Name:** \\<symbol\\>@aggTrade"),
        ("btcusdt@kline_1h", "**Stream Name:** \\<symbol\\>@kline_\\<interval\\>\n"),
        ("btcusdt@kline_1h@+08:00", "**Stream Name:** \\<symbol\\>@kline_\\<interval\\>@+08:00"),
        ("btcusdt@miniTicker", "**Stream Name:** \\<symbol\\>@miniTicker"),
        ("btcusdt@ticker", "**Stream Name:** \\<symbol\\>@ticker\n"),
        ("btcusdt@ticker_4h", "**Stream Name:** \\<symbol\\>@ticker_\\<window_size\\>"),
        ("btcusdt@bookTicker", "**Stream Name:** \\<symbol\\>@bookTicker"),
        ("btcusdt@avgPrice", "**Stream Name:** \\<symbol\\>@avgPrice"),
        ("btcusdt@depth5", "**Stream Names:** \\<symbol\\>@depth\\<levels\\>"),
        ("btcusdt@depth", "**Stream Name:** \\<symbol\\>@depth OR"),
    ];
    for (stream, marker) in cases {
        let ex = stream_example(&text, marker);
        let got = by.get(stream).unwrap_or_else(|| panic!("no frame for {stream}"));
        assert_eq!(keys(got), keys(&ex), "{stream}");
        // In the docs' order, as Binance sends them (clients' fast paths read fields in that order).
        assert_eq!(key_order(got), key_order(&ex), "{stream}: key order");
        if let Some(k) = ex.get("k") {
            assert_eq!(keys(&got["k"]), keys(k), "{stream} k");
            assert_eq!(key_order(&got["k"]), key_order(k), "{stream} k: key order");
        }
        // Same JSON types field by field.
        for (k, v) in ex.as_object().unwrap() {
            assert_eq!(std::mem::discriminant(v), std::mem::discriminant(&got[k]), "{stream}.{k}");
        }
    }
    let ex = blocks_after(&text, "* `raw` stream:", "* `combined` stream:");
    assert_eq!(keys(&serde_json::from_str(&session("/ws").shutdown_frame(T0)).unwrap()), keys(&ex[0]));
    let ex = blocks_after(&text, "* `combined` stream:", "\n## ");
    assert_eq!(serde_json::from_str::<Value>(&session("/stream").shutdown_frame(1770123456789)).unwrap(), ex[0]);
}

#[test]
fn api_results_match_the_docs() {
    let Some(text) = doc("web-socket-api.md") else { return };
    let st = known_state();
    let now = T0 + 3_600_000 + 10_000;
    let result = |method: &str, nth: usize| -> Value {
        let marker = format!("\"method\": \"{method}\"");
        let blocks: Vec<Value> =
            blocks_after(&text, &marker, "\n### ").into_iter().filter(|b| b.get("result").is_some()).collect();
        blocks[nth]["result"].clone()
    };
    let first = |v: Value| if v.is_array() { v[0].clone() } else { v };
    let check = |method: &str, nth: usize, got: Value| {
        let ex = first(result(method, nth));
        let got = first(got);
        if ex.is_array() {
            assert_eq!(ex.as_array().unwrap().len(), got.as_array().unwrap().len(), "{method}");
            for (a, b) in ex.as_array().unwrap().iter().zip(got.as_array().unwrap()) {
                assert_eq!(std::mem::discriminant(a), std::mem::discriminant(b), "{method}");
            }
        } else {
            assert_eq!(keys(&got), keys(&ex), "{method} #{nth}");
            for (k, v) in ex.as_object().unwrap() {
                assert_eq!(std::mem::discriminant(v), std::mem::discriminant(&got[k]), "{method}.{k}");
            }
        }
    };
    check("depth", 0, depth_json(&st.depth_snapshot("BTCUSDT", 5)));
    check("trades.recent", 0, st.trades_recent_json("BTCUSDT", None));
    check("trades.historical", 0, st.trades_historical_json("BTCUSDT", Some(1), None));
    check("trades.aggregate", 0, st.trades_aggregate_json("BTCUSDT", None, None, None, None).unwrap());
    check("klines", 0, st.klines_json("BTCUSDT", "1h", None, None, None, None).unwrap());
    check("uiKlines", 0, st.klines_json("BTCUSDT", "1h", None, None, None, None).unwrap());
    check("avgPrice", 0, st.avg_price_json("BTCUSDT", now));
    check("ticker.24hr", 0, st.ticker_24hr_json("BTCUSDT", TickerType::Full, now));
    check("ticker.24hr", 1, st.ticker_24hr_json("BTCUSDT", TickerType::Mini, now));
    check("ticker.tradingDay", 0, st.ticker_trading_day_json("BTCUSDT", TickerType::Full, None, now).unwrap());
    check("ticker.tradingDay", 2, st.ticker_trading_day_json("BTCUSDT", TickerType::Mini, None, now).unwrap());
    check("ticker", 0, st.ticker_rolling_json("BTCUSDT", TickerType::Full, None, now).unwrap());
    check("ticker", 1, st.ticker_rolling_json("BTCUSDT", TickerType::Mini, None, now).unwrap());
    check("ticker.price", 0, st.ticker_price_json("BTCUSDT"));
    check("ticker.book", 0, st.ticker_book_json("BTCUSDT"));
}

#[test]
fn histories_are_capped() {
    let cfg = MarketConfig { trade_history: 10, agg_trade_history: 5, kline_history: 3, ..MarketConfig::default() };
    let mut st = MarketState::new(cfg);
    for i in 1..=100u64 {
        st.apply(&trade(i, "1", "1", T0 + i * 3_600_000, i % 2 == 0, i));
    }
    let m = st.symbol("BTCUSDT").unwrap();
    assert_eq!(m.trades().len(), 10);
    assert_eq!(m.agg_trades().len(), 5);
    assert_eq!(m.klines(Interval::H1, 0).unwrap().bars().len(), 3);
    assert_eq!(st.trades_historical_json("BTCUSDT", Some(1), None)[0]["id"], json!(91));
}
