//! Futures market streams over real sockets: a local book kept from the diff depth stream (U/u/pu) and the
//! API's depth snapshot equals the exchange's book; a skipped update breaks the pu chain; every stream kind
//! carries its events; the USD-M /public and /market split; the 10 messages per second and 1024 streams limits.

mod futures_support;
mod wsapi_support;

use std::collections::BTreeMap;
use std::time::Duration;

use binance_ws_sim::config::Activity;
use binance_ws_sim::futures::Product;
use binance_ws_sim::{ConnFault, Sim, SimConfig};
use futures_support::*;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use wsapi_support::Client;

async fn busy() -> Sim {
    let activity = Activity { ops_per_sec: 60.0, symbols: vec!["BTCUSDT".into()], traders: 4 };
    Sim::start(SimConfig { activity: Some(activity), ..Default::default() }).await.expect("starts")
}

fn data(frame: &Value) -> &Value {
    if frame.get("data").is_some() {
        &frame["data"]
    } else {
        frame
    }
}

type Side = BTreeMap<Decimal, Decimal>;

fn apply(book: &mut Side, levels: &Value) {
    for l in levels.as_array().unwrap() {
        let (p, q) = (d(l[0].as_str().unwrap()), d(l[1].as_str().unwrap()));
        if q.is_zero() {
            book.remove(&p);
        } else {
            book.insert(p, q);
        }
    }
}

fn side_of(levels: &Value) -> Side {
    let mut s = Side::new();
    apply(&mut s, levels);
    s
}

fn u64_of(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not an integer: {v}"))
}

#[tokio::test]
async fn a_book_kept_from_the_diff_stream_and_the_snapshot_equals_the_exchanges() {
    let sim = busy().await;
    let base = sim.futures_stream_url(Product::UsdM);
    let mut stream = StreamClient::connect(&format!("{base}/stream?streams=btcusdt@depth@100ms")).await;
    let mut api = Client::connect(&sim.futures_api_url(Product::UsdM)).await;
    // Some events first, so that the snapshot falls inside the stream.
    stream.next_event("depthUpdate", LONG).await.expect("depth events flow");
    let snap = ok(&api.call("depth", json!({"symbol": "BTCUSDT", "limit": 1000})).await);
    let last_id = u64_of(&snap["lastUpdateId"]);
    let (mut bids, mut asks) = (side_of(&snap["bids"]), side_of(&snap["asks"]));
    let mut prev_u: Option<u64> = None;
    let mut applied = 0;
    while applied < 30 {
        let f = stream.next_event("depthUpdate", LONG).await.expect("more depth events");
        let ev = data(&f);
        assert_eq!(f["stream"], "btcusdt@depth@100ms");
        let (first, last, pu) = (u64_of(&ev["U"]), u64_of(&ev["u"]), u64_of(&ev["pu"]));
        assert!(first <= last && ev["T"].is_u64() && ev["E"].is_u64(), "{ev}");
        match prev_u {
            // Events wholly before the snapshot are dropped; the first one applied straddles it.
            None if last < last_id => continue,
            None => assert!(first <= last_id + 1 && last >= last_id, "first event {first}..{last} vs {last_id}"),
            Some(p) => assert_eq!(pu, p, "each event's pu is the previous event's u"),
        }
        apply(&mut bids, &ev["b"]);
        apply(&mut asks, &ev["a"]);
        prev_u = Some(last);
        applied += 1;
    }
    // Quiet the market, take the last events, and compare with a fresh snapshot.
    sim.pause_market();
    while let Some(f) = stream.next(Duration::from_millis(600)).await {
        let ev = data(&f);
        assert_eq!(u64_of(&ev["pu"]), prev_u.unwrap());
        apply(&mut bids, &ev["b"]);
        apply(&mut asks, &ev["a"]);
        prev_u = Some(u64_of(&ev["u"]));
    }
    let snap = ok(&api.call("depth", json!({"symbol": "BTCUSDT", "limit": 1000})).await);
    assert_eq!(u64_of(&snap["lastUpdateId"]), prev_u.unwrap(), "the snapshot is where the stream ended");
    assert_eq!(bids, side_of(&snap["bids"]));
    assert_eq!(asks, side_of(&snap["asks"]));
    assert!(!bids.is_empty() && !asks.is_empty());
}

#[tokio::test]
async fn a_skipped_depth_update_breaks_the_pu_chain() {
    let sim = busy().await;
    let mut stream = StreamClient::connect(&format!("{}/ws/btcusdt@depth@100ms", sim.futures_stream_url(USDM))).await;
    let mut prev = u64_of(&stream.next_event("depthUpdate", LONG).await.expect("events")["u"]);
    for _ in 0..3 {
        let ev = stream.next_event("depthUpdate", LONG).await.unwrap();
        assert_eq!(u64_of(&ev["pu"]), prev);
        prev = u64_of(&ev["u"]);
    }
    sim.inject(ConnFault::SkipDepthUpdate);
    let mut broken = false;
    for _ in 0..20 {
        let ev = stream.next_event("depthUpdate", LONG).await.unwrap();
        if u64_of(&ev["pu"]) != prev {
            broken = true;
            break;
        }
        prev = u64_of(&ev["u"]);
    }
    assert!(broken, "the gap shows as pu != previous u");
}

/// Frames of a combined connection until every stream has sent one (or the wait ends).
async fn one_of_each(url: &str, names: &[&str]) -> BTreeMap<String, Value> {
    let mut s = StreamClient::connect(url).await;
    let mut seen = BTreeMap::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while seen.len() < names.len() && tokio::time::Instant::now() < deadline {
        let Some(f) = s.next(Duration::from_secs(5)).await else { break };
        seen.entry(f["stream"].as_str().unwrap().to_string()).or_insert(f["data"].clone());
    }
    seen
}

#[tokio::test]
async fn usdm_market_streams_carry_their_events() {
    let sim = busy().await;
    let names = [
        "btcusdt@aggTrade",
        "btcusdt@markPrice@1s",
        "!markPrice@arr@1s",
        "btcusdt@kline_1m",
        "btcusdt@bookTicker",
        "!bookTicker",
        "btcusdt@depth5@100ms",
        "btcusdt@depth@500ms",
        "btcusdt@miniTicker",
        "btcusdt@ticker",
        "!miniTicker@arr",
        "!ticker@arr",
    ];
    let url = format!("{}/stream?streams={}", sim.futures_stream_url(USDM), names.join("/"));
    let seen = one_of_each(&url, &names).await;
    let missing: Vec<&&str> = names.iter().filter(|n| !seen.contains_key(**n)).collect();
    assert!(missing.is_empty(), "no frame from {missing:?}");
    assert_eq!(seen["btcusdt@aggTrade"]["e"], "aggTrade");
    let mark = &seen["btcusdt@markPrice@1s"];
    assert_eq!((mark["e"].as_str(), mark["s"].as_str()), (Some("markPriceUpdate"), Some("BTCUSDT")));
    assert!(d(mark["p"].as_str().unwrap()) > Decimal::ZERO && mark["T"].as_u64().unwrap() % 28_800_000 == 0);
    assert!(seen["!markPrice@arr@1s"].as_array().unwrap().len() >= 2);
    assert_eq!(seen["btcusdt@kline_1m"]["k"]["i"], "1m");
    let bt = &seen["btcusdt@bookTicker"];
    assert_eq!(bt["e"], "bookTicker");
    assert!(bt["u"].is_u64() && bt["T"].is_u64() && bt.get("ps").is_none());
    let partial = &seen["btcusdt@depth5@100ms"];
    assert_eq!(partial["e"], "depthUpdate");
    assert!(partial["b"].as_array().unwrap().len() <= 5 && partial["pu"].is_u64());
    assert_eq!(seen["btcusdt@miniTicker"]["e"], "24hrMiniTicker");
    assert_eq!(seen["btcusdt@ticker"]["e"], "24hrTicker");
}

#[tokio::test]
async fn coinm_market_streams_carry_pairs_and_index_prices() {
    let sim = busy().await;
    let names = [
        "btcusd_perp@aggTrade",
        "btcusd@indexPrice@1s",
        "btcusd_perp@markPrice@1s",
        "btcusd_perp@markPriceKline_1m",
        "btcusd@indexPriceKline_1m",
        "btcusd_perp@depth@100ms",
        "btcusd_perp@bookTicker",
        "btcusd_perp@kline_1m",
    ];
    let url = format!("{}/stream?streams={}", sim.futures_stream_url(COINM), names.join("/"));
    let seen = one_of_each(&url, &names).await;
    let missing: Vec<&&str> = names.iter().filter(|n| !seen.contains_key(**n)).collect();
    assert!(missing.is_empty(), "no frame from {missing:?}");
    let index = &seen["btcusd@indexPrice@1s"];
    assert_eq!((index["e"].as_str(), index["i"].as_str()), (Some("indexPriceUpdate"), Some("BTCUSD")));
    assert_eq!(seen["btcusd_perp@markPriceKline_1m"]["e"], "markPrice_kline");
    assert_eq!(seen["btcusd@indexPriceKline_1m"]["ps"], "BTCUSD");
    assert_eq!(seen["btcusd_perp@depth@100ms"]["ps"], "BTCUSD");
    assert_eq!(seen["btcusd_perp@bookTicker"]["ps"], "BTCUSD");
    // The COIN-M kline has no pair: neither the docs' example nor cmfutures-streams.yaml shows one.
    assert_eq!(seen["btcusd_perp@kline_1m"].get("ps"), None);
}

#[tokio::test]
async fn split_paths_message_rate_and_stream_count_limits() {
    let sim = quiet().await;
    let base = sim.futures_stream_url(USDM);
    // /public takes book tickers and depth only; /market the rest.
    let mut wrong = StreamClient::connect(&format!("{base}/public/ws/btcusdt@aggTrade")).await;
    assert_eq!(wrong.closed(LONG).await, Some(1008));
    let mut public = StreamClient::connect(&format!("{base}/public/ws/btcusdt@bookTicker")).await;
    assert_eq!(public.control("LIST_SUBSCRIPTIONS", Value::Null).await["result"], json!(["btcusdt@bookTicker"]));
    let r = public.control("SUBSCRIBE", json!(["btcusdt@aggTrade"])).await;
    assert_eq!(r["error"]["code"], 2, "{r}");
    assert!(public.control("SUBSCRIBE", json!(["btcusdt@depth20@100ms"])).await["result"].is_null());
    let mut market = StreamClient::connect(&format!("{base}/market/stream?streams=btcusdt@aggTrade")).await;
    assert_eq!(market.control("SUBSCRIBE", json!(["btcusdt@depth"])).await["error"]["code"], 2);
    assert!(market.control("SUBSCRIBE", json!(["!markPrice@arr"])).await["result"].is_null());
    // COIN-M has no split.
    let mut coinm =
        StreamClient::connect(&format!("{}/public/ws/btcusd_perp@bookTicker", sim.futures_stream_url(COINM))).await;
    assert_eq!(coinm.closed(LONG).await, Some(1008));

    // 10 incoming messages per second are allowed (spot allows 5); the 11th closes with 1008.
    let mut ten = StreamClient::connect(&format!("{base}/ws")).await;
    for i in 0..10 {
        assert!(ten.send(&json!({"method": "LIST_SUBSCRIPTIONS", "id": i}).to_string()).await);
    }
    for _ in 0..10 {
        assert!(ten.next(LONG).await.is_some_and(|r| r["result"] == json!([])));
    }
    let mut eleven = StreamClient::connect(&format!("{base}/ws")).await;
    for i in 0..11 {
        eleven.send(&json!({"method": "LIST_SUBSCRIPTIONS", "id": i}).to_string()).await;
    }
    let mut replies = 0;
    let code = loop {
        match eleven.read(LONG).await {
            Ok(v) if v.get("result").is_some() => replies += 1,
            Ok(_) => {}
            Err(code) => break code,
        }
    };
    assert!(replies <= 10, "{replies} replies");
    assert_eq!(code, Some(1008));

    // 1024 streams per connection.
    let mut many = StreamClient::connect(&format!("{base}/ws")).await;
    let names: Vec<String> = (0..1024).map(|i| format!("s{i}usdt@aggTrade")).collect();
    assert!(many.control("SUBSCRIBE", json!(names)).await["result"].is_null());
    let r = many.control("SUBSCRIBE", json!(["one@aggTrade"])).await;
    assert_eq!(r["error"]["code"], 2, "{r}");
    assert_eq!(many.control("LIST_SUBSCRIPTIONS", Value::Null).await["result"].as_array().unwrap().len(), 1024);
}
