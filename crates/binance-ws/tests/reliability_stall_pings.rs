//! Pings sent into a silent connection queue up in front of the server, which reads them all at once when the
//! silence ends, and counts them toward its 5 messages a second. The streams client therefore keeps at most one
//! ping unanswered: a stall can never turn its keep-alive into a burst that breaks the limit. (Found by the fault
//! storm: a 5 s stall left six pings queued, and the exchange closed the connection with 1008.)

use std::time::Duration;

use binance_ws::env::{Env, Product};
use binance_ws::streams::{MarketEvent, Notice, Stream, Streams, StreamsConfig};
use binance_ws::transport::TransportConfig;
use binance_ws_sim::{ConnFault, Sim, SimConfig};
use futures::StreamExt;
use tokio::time::{sleep_until, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pings_into_a_stalled_connection_never_reach_the_server_as_a_burst() {
    let sim = Sim::start(SimConfig { activity: None, ..Default::default() }).await.unwrap();
    // A quiet market and a short idle ping: the client pings about four times a second (its limiter keeps the
    // fifth slot for pongs); a watchdog far longer than the stall, so the connection is kept through it.
    let transport = TransportConfig {
        idle_ping: Duration::from_millis(200),
        stall_timeout: Duration::from_secs(20),
        ..Default::default()
    };
    let cfg = StreamsConfig { transport, ..Default::default() };
    let mut feed = Streams::connect_with(Env::Local(sim.base_url()), Product::Spot, cfg)
        .await
        .unwrap()
        .subscribed([Stream::book_ticker("BTCUSDT")])
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    sim.inject(ConnFault::Stall(Duration::from_secs(3)));
    // Through the stall and well past it, when the server has read what queued up.
    let until = Instant::now() + Duration::from_millis(5000);
    let mut notices = Vec::new();
    loop {
        tokio::select! {
            ev = feed.next() => match ev {
                Some(MarketEvent::Notice(n)) => notices.push(n),
                Some(_) => {}
                None => panic!("the feed ended"),
            },
            _ = sleep_until(until) => break,
        }
    }
    assert_eq!(sim.faults().rate_limit_closes(), 0, "closed for too many messages; notices: {notices:?}");
    assert!(!notices.iter().any(|n| matches!(n, Notice::Disconnected { .. })), "{notices:?}");
    // The connection still works.
    assert_eq!(feed.list_subscriptions().await.unwrap(), vec!["btcusdt@bookTicker".to_string()]);
}
