//! The market streams client builds futures URLs from `Env::Local`: USDⓈ-M under `/fstream` (with the
//! `/public` and `/market` routes when split), COIN-M under `/dstream`, spot at the base. A scripted
//! server records the paths and answers SUBSCRIBE.

mod futures_common;

use std::sync::Arc;
use std::time::Duration;

use binance_ws::env::{Env, Product};
use binance_ws::streams::{Stream, Streams, StreamsConfig};
use futures_common::{next_json, send_json, serve};
use parking_lot::Mutex;
use serde_json::json;

async fn recorder() -> (String, Arc<Mutex<Vec<String>>>) {
    let paths: Arc<Mutex<Vec<String>>> = Arc::default();
    let p = paths.clone();
    let base = serve(move |path, mut ws| {
        p.lock().push(path);
        async move {
            while let Some(req) = next_json(&mut ws).await {
                if !send_json(&mut ws, &json!({"result": null, "id": req["id"]})).await {
                    return;
                }
            }
        }
    })
    .await;
    (base, paths)
}

async fn paths_after(env: Env, product: Product, split: Option<bool>, subscribe: Vec<Stream>) -> Vec<String> {
    let (base, paths) = recorder().await;
    let env = match env {
        Env::Local(_) => Env::Local(base),
        other => other,
    };
    let cfg = StreamsConfig { usdm_split: split, request_timeout: Duration::from_secs(5), ..Default::default() };
    let feed = Streams::connect_with(env, product, cfg).await.expect("connects");
    feed.subscribe(subscribe).await.expect("subscribed");
    let mut out = paths.lock().clone();
    out.sort();
    out
}

#[tokio::test]
async fn local_futures_streams_live_under_their_prefix() {
    let local = || Env::Local("ws://unused".into());
    assert_eq!(paths_after(local(), Product::Spot, None, vec![Stream::trade("BTCUSDT")]).await, ["/stream"]);
    assert_eq!(
        paths_after(local(), Product::CoinM, None, vec![Stream::agg_trade("BTCUSD_PERP")]).await,
        ["/dstream/stream"]
    );
    assert_eq!(
        paths_after(local(), Product::UsdM, None, vec![Stream::agg_trade("BTCUSDT")]).await,
        ["/fstream/stream"]
    );
    // With the USDⓈ-M route split on, book tickers go to /public and the rest to /market, both under /fstream.
    let split = paths_after(
        local(),
        Product::UsdM,
        Some(true),
        vec![Stream::agg_trade("BTCUSDT"), Stream::book_ticker("BTCUSDT")],
    )
    .await;
    assert_eq!(split, ["/fstream/market/stream", "/fstream/public/stream"]);
}
