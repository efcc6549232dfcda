//! The simulated market: traders make real trades, tickers and books; pausing stops them.

mod wsapi_support;

use std::time::Duration;

use binance_ws_sim::config::Activity;
use binance_ws_sim::{Sim, SimConfig};
use serde_json::json;
use wsapi_support::*;

fn busy(seed: u64) -> SimConfig {
    SimConfig {
        activity: Some(Activity { ops_per_sec: 200.0, symbols: vec!["BTCUSDT".into()], traders: 3 }),
        seed,
        ..Default::default()
    }
}

#[tokio::test]
async fn traders_make_a_live_market_that_pauses() {
    let sim = Sim::start(busy(7)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    let mut c = Client::connect(&sim.api_url()).await;
    let trades = c.call("trades.recent", json!({"symbol": "BTCUSDT", "limit": 1000})).await;
    assert!(ok(&trades).as_array().unwrap().len() > 5, "{trades}");
    let depth = c.call("depth", json!({"symbol": "BTCUSDT", "limit": 5})).await;
    let bid: f64 = ok(&depth)["bids"][0][0].as_str().unwrap().parse().unwrap();
    let ask: f64 = ok(&depth)["asks"][0][0].as_str().unwrap().parse().unwrap();
    assert!(bid < ask, "the book is not crossed: {depth}");
    assert!((30_000.0..90_000.0).contains(&bid));
    let truth = sim.depth("BTCUSDT", 5).unwrap();
    assert!(truth.last_update_id >= ok(&depth)["lastUpdateId"].as_u64().unwrap());
    let t = c.call("ticker.24hr", json!({"symbol": "BTCUSDT"})).await;
    assert!(ok(&t)["count"].as_u64().unwrap() > 5, "{t}");
    // Other symbols were left alone.
    let eth = c.call("trades.recent", json!({"symbol": "ETHUSDT"})).await;
    assert_eq!(ok(&eth), &json!([]));

    sim.pause_market();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let before = sim.depth("BTCUSDT", 1).unwrap().last_update_id;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sim.depth("BTCUSDT", 1).unwrap().last_update_id, before, "paused");
    sim.resume_market();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(sim.depth("BTCUSDT", 1).unwrap().last_update_id > before, "resumed");
}

#[tokio::test]
async fn a_quiet_exchange_has_empty_books() {
    let sim = Sim::start(SimConfig { activity: None, ..Default::default() }).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let d = sim.depth("BTCUSDT", 10).unwrap();
    assert!(d.bids.is_empty() && d.asks.is_empty());
}
