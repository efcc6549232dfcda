//! A connection that stays open but sends nothing (the local exchange's `ConnFault::Stall`) is detected by the
//! stall watchdog and replaced, for the API client and for the streams client: the change is reported
//! (`ConnectionEvent`, `Notice`) and data flows again afterwards.
//!
//! The stall lasts 120 s and every wait here is bounded well below that, so the replacement can only have come
//! from the watchdog (`stall_timeout` of 1.5 s), not from the stall ending.

use std::time::Duration;

use binance_ws::api::{ApiClient, ApiConfig, ApiEvent, Security};
use binance_ws::env::{Env, Product};
use binance_ws::streams::{MarketEvent, Notice, Stream, Streams, StreamsConfig};
use binance_ws::transport::ConnectionEvent;
use binance_ws::Error;
use binance_ws_sim::{ConnFault, Sim, SimConfig};
use futures::StreamExt;
use serde_json::Value;
use tokio::time::timeout;

const STALL: Duration = Duration::from_secs(120);
const BOUND: Duration = Duration::from_secs(30);

fn watchdog() -> binance_ws::transport::TransportConfig {
    let mut t = binance_ws::transport::TransportConfig {
        stall_timeout: Duration::from_millis(1500),
        idle_ping: Duration::from_millis(300),
        ..Default::default()
    };
    t.backoff_floor = Duration::from_millis(20);
    t.backoff_ceiling = Duration::from_millis(200);
    t
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_api_connection_is_replaced_and_requests_flow_again() {
    let sim = Sim::start(SimConfig { activity: None, ..Default::default() }).await.unwrap();
    // A request timeout far beyond the bound: a request caught in the stall must fail because the watchdog
    // dropped the connection, not because it timed out.
    let config = ApiConfig { request_timeout: Duration::from_secs(100), transport: watchdog(), ..Default::default() };
    let api = ApiClient::connect(&sim.api_url(), None, config).await.unwrap();
    let mut events = api.events();
    api.call("time", Value::Null, Security::None).await.unwrap();

    sim.inject(ConnFault::Stall(STALL));
    // Send only once the exchange's connection task has taken the fault (it logs it).
    timeout(BOUND, async {
        while !sim.faults().log().iter().any(|r| r.what.starts_with("stalled for")) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the exchange stalled the connection");
    let caught =
        timeout(BOUND, api.call("time", Value::Null, Security::None)).await.expect("answered within the bound");
    match caught {
        Err(Error::ConnectionLost { method }) => assert_eq!(method, "time"),
        other => panic!("a read caught in the stall fails as ConnectionLost, got {other:?}"),
    }
    let mut reported = None;
    timeout(BOUND, async {
        loop {
            match events.recv().await.expect("events open") {
                ApiEvent::Connection(ConnectionEvent::Reconnecting { reason, .. }) => reported = Some(reason),
                ApiEvent::Connection(ConnectionEvent::Connected { generation, .. }) if generation > 0 => return,
                _ => {}
            }
        }
    })
    .await
    .expect("reconnected within the bound");
    let reason = reported.expect("a Reconnecting event came first");
    assert!(reason.contains("stalled"), "{reason}");
    // Requests flow on the new connection while the old one is still stalled at the server.
    for _ in 0..3 {
        api.call("time", Value::Null, Security::None).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_stream_connection_is_replaced_and_events_flow_again() {
    let sim = Sim::start(SimConfig::default()).await.unwrap(); // simulated traders keep the trade stream busy
    let cfg = StreamsConfig { transport: watchdog(), ..Default::default() };
    let mut feed = Streams::connect_with(Env::Local(sim.base_url()), Product::Spot, cfg).await.unwrap();
    let symbols = ["BTCUSDT", "ETHUSDT", "BNBUSDT"];
    feed.subscribe(symbols.iter().map(|s| Stream::book_ticker(s))).await.unwrap();
    let mut phase = 0;
    let mut restored = 0;
    timeout(BOUND, async {
        loop {
            match (phase, feed.next().await.expect("the feed goes on")) {
                (0, MarketEvent::BookTicker(_)) => {
                    sim.inject(ConnFault::Stall(STALL));
                    phase = 1;
                }
                (1, MarketEvent::Notice(Notice::Disconnected { reason, .. })) => {
                    assert!(reason.contains("stalled"), "{reason}");
                    phase = 2;
                }
                (2, MarketEvent::Notice(Notice::Reconnected { restored: n, .. })) => {
                    restored = n;
                    phase = 3;
                }
                (3, MarketEvent::BookTicker(_)) => return,
                (_, MarketEvent::Notice(n)) => panic!("unexpected notice in phase {phase}: {n:?}"),
                _ => {}
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("stuck in phase {phase}"));
    assert_eq!(restored, symbols.len());
    assert_eq!(feed.list_subscriptions().await.unwrap().len(), symbols.len());
}
