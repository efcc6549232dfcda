//! Every handle method of the API, streams and DEX clients, called after the client was closed or after the
//! server went away, returns an error (or its plain value, for accessors) and never panics or hangs.
//!
//! "The server went away" is the local exchange stopped and its connections dropped: with a limited number of
//! reconnect attempts the clients give up (`Error::Closed`); with the default unlimited attempts, requests made
//! while they keep trying fail with their timeout.

use std::sync::Arc;
use std::time::Duration;

use binance_ws::api::{ApiClient, ApiConfig, ApiEvent, Params, Security};
use binance_ws::dex::{DexClient, DexConfig, DexEnv, DexEvent, Topic};
use binance_ws::env::{Env, Product};
use binance_ws::model::{Decimal, Interval, Side};
use binance_ws::spot::{self, Api, NewOrder, OrderRef};
use binance_ws::streams::{MarketEvent, Notice, Stream, Streams, StreamsConfig};
use binance_ws::transport::{ConnectionEvent, TransportConfig};
use binance_ws::{Credentials, Error};
use binance_ws_sim::config::{DEFAULT_HMAC_API_KEY, DEFAULT_HMAC_SECRET};
use binance_ws_sim::server::SimShared;
use binance_ws_sim::{ConnFault, Sim, SimConfig};
use futures::StreamExt;
use serde_json::{json, Value};
use tokio::time::timeout;

const BOUND: Duration = Duration::from_secs(30);

fn transport(max_attempts: Option<u32>) -> TransportConfig {
    TransportConfig {
        backoff_floor: Duration::from_millis(20),
        backoff_ceiling: Duration::from_millis(50),
        max_attempts,
        connect_timeout: Duration::from_secs(2),
        ..Default::default()
    }
}

fn api_config(max_attempts: Option<u32>) -> ApiConfig {
    // Short: with unlimited attempts every call below waits this long for its reply.
    ApiConfig { request_timeout: Duration::from_millis(100), transport: transport(max_attempts), ..Default::default() }
}

async fn quiet_sim() -> Sim {
    Sim::start(SimConfig { activity: None, ..Default::default() }).await.unwrap()
}

/// Stops the exchange: no new connections, and every open one dropped.
fn stop(sim: Sim) -> Arc<SimShared> {
    let shared = sim.shared().clone();
    drop(sim);
    shared.inject(ConnFault::Drop);
    shared.dex.drop_connections();
    shared
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// Calls every request method of the API handles; each must fail with an error `ok` accepts.
async fn every_api_call_fails(client: &ApiClient, ok: impl Fn(&Error) -> bool) {
    let api = Api::from_client(client.clone());
    let mut errors: Vec<(String, Error)> = Vec::new();
    let mut note = |what: &str, r: Result<(), Error>| match r {
        Err(e) => errors.push((what.to_string(), e)),
        Ok(()) => panic!("{what} succeeded on a client without a connection"),
    };
    // The engine.
    note("call", client.call("time", Value::Null, Security::None).await.map(drop));
    note("request", client.request::<Value>("account.status", Params::new(), Security::Signed).await.map(drop));
    note("sync_time", client.sync_time().await.map(drop));
    // Every Spot method, untyped, signed as the docs say.
    for method in spot::METHODS {
        note(method, api.call(method, json!({"symbol": "BTCUSDT"}), Security::Signed).await.map(drop));
    }
    // The typed path: reads, an order, a cancel.
    note("time", api.time().await.map(drop));
    note("depth", api.depth("BTCUSDT").limit(5).await.map(drop));
    note("klines", api.klines("BTCUSDT", Interval::M1).await.map(drop));
    note("account_status", api.account_status().await.map(drop));
    note("place_order", api.place_order(NewOrder::limit("BTCUSDT", Side::Buy, d("0.01"), d("40000"))).await.map(drop));
    note("cancel_order", api.cancel_order("BTCUSDT", OrderRef::Id(1)).await.map(drop));
    note("send", api.send(&spot::Time::new()).await.map(drop));
    for (what, e) in &errors {
        assert!(ok(e), "{what}: unexpected error {e:?}");
    }
    // Fire-and-forget may be accepted into the queue or refused, but never panics.
    let _ = client.send_no_wait("time", Params::new(), Security::None).await;
    // Accessors still answer.
    let _ = (client.rate_limits(), client.events(), client.credentials(), client.time_offset_ms());
    assert!(!client.is_logged_on());
    client.close().await;
    client.close().await;
}

fn hmac() -> Credentials {
    Credentials::hmac(DEFAULT_HMAC_API_KEY, DEFAULT_HMAC_SECRET)
}

#[tokio::test]
async fn api_methods_after_close_fail_with_closed() {
    let sim = quiet_sim().await;
    let client = ApiClient::connect(&sim.api_url(), Some(hmac()), api_config(None)).await.unwrap();
    let mut events = client.events();
    client.close().await;
    timeout(BOUND, async {
        while !matches!(events.recv().await, Ok(ApiEvent::Connection(ConnectionEvent::Closed { .. })) | Err(_)) {}
    })
    .await
    .expect("closed");
    every_api_call_fails(&client, |e| matches!(e, Error::Closed)).await;
}

#[tokio::test]
async fn api_methods_after_the_server_went_away_fail() {
    // Limited attempts: the client gives up and says so, then everything fails as closed.
    let sim = quiet_sim().await;
    let client = ApiClient::connect(&sim.api_url(), Some(hmac()), api_config(Some(2))).await.unwrap();
    let mut events = client.events();
    let _shared = stop(sim);
    let reason = timeout(BOUND, async {
        loop {
            if let Ok(ApiEvent::Connection(ConnectionEvent::Closed { reason })) = events.recv().await {
                return reason;
            }
        }
    })
    .await
    .expect("the client gives up");
    assert!(reason.contains("gave up"), "{reason}");
    every_api_call_fails(&client, |e| matches!(e, Error::Closed)).await;

    // Unlimited attempts (the default): requests made while it keeps trying fail with their timeout (and are
    // never sent later).
    let sim = quiet_sim().await;
    let client = ApiClient::connect(&sim.api_url(), Some(hmac()), api_config(None)).await.unwrap();
    let _shared = stop(sim);
    every_api_call_fails(&client, |e| {
        matches!(e, Error::Timeout { .. } | Error::ConnectionLost { .. } | Error::ExecutionUnknown { .. })
    })
    .await;
}

fn streams_config(max_attempts: Option<u32>) -> StreamsConfig {
    StreamsConfig {
        transport: transport(max_attempts),
        request_timeout: Duration::from_millis(500),
        ..Default::default()
    }
}

/// Calls every method of a streams handle; each request must fail with an error `ok` accepts.
async fn every_streams_call_fails(feed: &mut Streams, ok: impl Fn(&Error) -> bool) {
    let h = feed.handle();
    let results = vec![
        ("subscribe", h.subscribe([Stream::trade("ETHUSDT")]).await),
        ("unsubscribe", h.unsubscribe([Stream::trade("BTCUSDT")]).await),
        ("list_subscriptions", h.list_subscriptions().await.map(drop)),
        ("set_combined", h.set_combined(false).await),
        ("get_property", h.get_property("combined").await.map(drop)),
        ("Streams::subscribe", feed.subscribe([Stream::book_ticker("BNBUSDT")]).await),
        ("Streams::list_subscriptions", feed.list_subscriptions().await.map(drop)),
    ];
    for (what, r) in results {
        match r {
            Err(e) => assert!(ok(&e), "{what}: unexpected error {e:?}"),
            Ok(()) => panic!("{what} succeeded without a connection"),
        }
    }
    let _ = (h.subscriptions().await, h.connections().await, h.queued(), h.history());
    h.close();
    feed.close();
    h.close();
}

async fn until_notice(feed: &mut Streams, want: impl Fn(&Notice) -> bool) {
    timeout(BOUND, async {
        loop {
            match feed.next().await {
                Some(MarketEvent::Notice(n)) if want(&n) => return,
                Some(_) => {}
                None => panic!("the feed ended before the notice"),
            }
        }
    })
    .await
    .expect("the notice arrives");
}

#[tokio::test]
async fn streams_methods_after_close_fail_and_the_feed_ends() {
    let sim = quiet_sim().await;
    let mut feed =
        Streams::connect_with(Env::Local(sim.base_url()), Product::Spot, streams_config(None)).await.unwrap();
    feed.subscribe([Stream::trade("BTCUSDT")]).await.unwrap();
    feed.close();
    // The feed ends (after what was queued) instead of waiting forever.
    timeout(BOUND, feed.by_ref().collect::<Vec<_>>()).await.expect("the feed ends");
    every_streams_call_fails(&mut feed, |e| matches!(e, Error::Closed)).await;
    assert!(feed.next().await.is_none());
}

#[tokio::test]
async fn streams_methods_after_the_server_went_away_fail() {
    let sim = quiet_sim().await;
    let mut feed =
        Streams::connect_with(Env::Local(sim.base_url()), Product::Spot, streams_config(Some(2))).await.unwrap();
    feed.subscribe([Stream::trade("BTCUSDT")]).await.unwrap();
    let _shared = stop(sim);
    until_notice(&mut feed, |n| matches!(n, Notice::Closed { reason, .. } if reason.contains("gave up"))).await;
    every_streams_call_fails(&mut feed, |e| matches!(e, Error::Closed)).await;

    let sim = quiet_sim().await;
    let mut feed =
        Streams::connect_with(Env::Local(sim.base_url()), Product::Spot, streams_config(None)).await.unwrap();
    feed.subscribe([Stream::trade("BTCUSDT")]).await.unwrap();
    let _shared = stop(sim);
    until_notice(&mut feed, |n| matches!(n, Notice::Disconnected { .. })).await;
    every_streams_call_fails(&mut feed, |e| matches!(e, Error::Timeout { .. } | Error::Closed)).await;
}

fn dex_config(max_attempts: Option<u32>) -> DexConfig {
    DexConfig { transport: transport(max_attempts), ..Default::default() }
}

/// Calls every method of a DEX client; the sending ones must give `ok`'s verdict.
async fn every_dex_call(client: &DexClient, ok: impl Fn(&str, &Result<(), Error>) -> bool) {
    let results = vec![
        ("subscribe", client.subscribe(Topic::Trades, ["BNB_BTCB-1DE"]).await),
        ("subscribe_address", client.subscribe_address(Topic::Orders, "tbnb1address").await),
        ("subscribe_all", client.subscribe_all(Topic::AllTickers).await),
        ("unsubscribe", client.unsubscribe(Topic::Trades).await),
        ("unsubscribe_symbols", client.unsubscribe_symbols(Topic::Trades, ["BNB_BTCB-1DE"]).await),
        ("keep_alive", client.keep_alive().await),
        ("send_raw", client.send_raw(r#"{"method":"keepAlive"}"#).await),
    ];
    for (what, r) in &results {
        assert!(ok(what, r), "{what}: unexpected {r:?}");
    }
    let id = client.on(Topic::Trades, |_| {});
    let any = client.on_any(|_| {});
    let conn = client.on_connection(|_| {});
    for h in [id, any, conn] {
        client.remove_handler(h);
    }
    let _ = client.url();
    let _ = client.events();
    assert!(client.events().is_none(), "the event stream is handed out once");
    let _ = client.close().await;
    let _ = client.close().await;
}

async fn dex_closed(client: &DexClient) {
    let mut events = client.events().expect("first call");
    timeout(BOUND, async {
        while let Some(ev) = events.next().await {
            if let DexEvent::Connection(ConnectionEvent::Closed { .. }) = ev {
                return;
            }
        }
    })
    .await
    .expect("the DEX client reports that it closed");
}

#[tokio::test]
async fn dex_methods_after_close_or_without_a_server_fail() {
    let sim = quiet_sim().await;
    let env = DexEnv::Local(sim.base_url());
    let client = DexClient::connect(&env, dex_config(None)).await.unwrap();
    client.close().await.unwrap();
    every_dex_call(&client, |_, r| matches!(r, Err(Error::Closed))).await;

    // Limited attempts: it gives up, then everything is closed.
    let client = DexClient::connect(&env, dex_config(Some(2))).await.unwrap();
    let _shared = stop(sim);
    dex_closed(&client).await;
    every_dex_call(&client, |_, r| matches!(r, Err(Error::Closed))).await;

    // Unlimited attempts: subscription changes are recorded for the replay after the reconnect (documented);
    // messages that cannot wait fail.
    let sim = quiet_sim().await;
    let client = DexClient::connect(&DexEnv::Local(sim.base_url()), dex_config(None)).await.unwrap();
    let _shared = stop(sim);
    tokio::time::sleep(Duration::from_millis(200)).await;
    every_dex_call(&client, |what, r| match what {
        "keep_alive" | "send_raw" => matches!(r, Err(Error::Transport(_))),
        _ => r.is_ok(),
    })
    .await;
}
