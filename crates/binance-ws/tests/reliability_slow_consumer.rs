//! A streams consumer that stops reading for a while: memory stays bounded, and nothing disappears silently.
//!
//! * Default policy (`Overflow::DropOldest`): the queue keeps at most `queue_capacity` events, the consumer is
//!   told `Notice::Lagged { dropped }`, and every event is accounted for: delivered + reported dropped = sent,
//!   the dropped ones being exactly the missing trade ids.
//! * `Overflow::Wait`: nothing is dropped by the client, which stops reading its socket instead. While the
//!   server's own buffer holds, every event arrives. When the consumer stays away long enough for the server to
//!   fall `event_buffer` events behind, the server closes the connection with 1013 ("too slow", as Binance
//!   does); the client reports that as `Notice::Disconnected` and reconnects.

use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

use binance_ws::env::{Env, Product};
use binance_ws::streams::{MarketEvent, Notice, Overflow, Stream, Streams, StreamsConfig, StreamsHandle};
use binance_ws_sim::exchange::events::{MarketEvent as SimEvent, Trade};
use binance_ws_sim::market::MarketState;
use binance_ws_sim::streams::{now_ms, serve_stream_connection, StreamHub, StreamServerConfig};
use binance_ws_sim::{Sim, SimConfig};
use futures::StreamExt;
use rust_decimal::Decimal;
use tokio::net::TcpListener;
use tokio::time::timeout;

const BOUND: Duration = Duration::from_secs(60);
const CAP: usize = 64;

fn trade(id: u64) -> SimEvent {
    let price = Decimal::from_str("100").unwrap();
    let qty = Decimal::from_str("0.5").unwrap();
    SimEvent::Trade(Trade {
        symbol: "BTCUSDT".into(),
        id,
        price,
        qty,
        quote_qty: price * qty,
        time_ms: now_ms(),
        buyer_order_id: id,
        seller_order_id: 1_000_000 + id,
        buyer_is_maker: id.is_multiple_of(2),
    })
}

/// Publishes trades `from..=to` in batches, yielding between batches.
async fn publish(hub: &StreamHub, from: u64, to: u64) {
    let mut id = from;
    while id <= to {
        let end = (id + 499).min(to);
        hub.publish((id..=end).map(trade).collect());
        id = end + 1;
        tokio::task::yield_now().await;
    }
}

/// The queue never holds more than its capacity of events (notices may exceed it by a few).
fn assert_bounded(h: &StreamsHandle) {
    assert!(h.queued() <= CAP + 64, "the queue grew to {} (capacity {CAP})", h.queued());
}

/// Waits until the client's queue is full: the client has been receiving while nobody read.
async fn until_full(h: &StreamsHandle) {
    timeout(BOUND, async {
        while h.queued() < CAP {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the queue fills up");
}

struct Tally {
    ids: Vec<u64>,
    dropped: u64,
    notices: Vec<Notice>,
}

/// Reads until trade `last` arrives, keeping every trade id and adding up `Lagged`.
async fn read_until(feed: &mut Streams, last: u64) -> Tally {
    let h = feed.handle();
    let mut t = Tally { ids: Vec::new(), dropped: 0, notices: Vec::new() };
    timeout(BOUND, async {
        loop {
            assert_bounded(&h);
            match feed.next_tagged().await.expect("the feed goes on").event {
                MarketEvent::Trade(tr) => {
                    t.ids.push(tr.trade_id);
                    if tr.trade_id == last {
                        return;
                    }
                }
                MarketEvent::Notice(Notice::Lagged { dropped }) => t.dropped += dropped,
                MarketEvent::Notice(n) => t.notices.push(n),
                _ => {}
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("trade {last} never arrived; got {} trades, {} dropped", t.ids.len(), t.dropped));
    t
}

async fn quiet_feed(sim: &Sim, overflow: Overflow) -> Streams {
    let cfg = StreamsConfig { queue_capacity: CAP, overflow, ..Default::default() };
    let feed = Streams::connect_with(Env::Local(sim.base_url()), Product::Spot, cfg).await.unwrap();
    feed.subscribe([Stream::trade("BTCUSDT")]).await.unwrap();
    feed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_policy_drops_the_oldest_reports_every_drop_and_stays_bounded() {
    let sim = Sim::start(SimConfig { activity: None, ..Default::default() }).await.unwrap();
    let mut feed = quiet_feed(&sim, Overflow::default()).await;
    assert_eq!(Overflow::default(), Overflow::DropOldest);
    let h = feed.handle();
    const SENT: u64 = 20_000;
    // The consumer reads nothing while all of it is sent.
    publish(sim.hub(), 1, SENT).await;
    until_full(&h).await;
    assert_bounded(&h);

    let t = read_until(&mut feed, SENT).await;
    assert!(t.notices.is_empty(), "no disconnect expected: {:?}", t.notices);
    assert!(t.dropped > 0, "a consumer away for {SENT} events with room for {CAP} must have lost some");
    assert_eq!(t.ids.len() as u64 + t.dropped, SENT, "delivered + reported dropped = sent");
    assert!(t.ids.windows(2).all(|w| w[0] < w[1]), "delivered in order");
    // The dropped events are exactly the missing ids.
    let missing = (1..=SENT).filter(|id| t.ids.binary_search(id).is_err()).count() as u64;
    assert_eq!(missing, t.dropped);

    // And after the lag the stream goes on, gap-free (fewer than the capacity, sent while nobody reads).
    publish(sim.hub(), SENT + 1, SENT + 50).await;
    let after = read_until(&mut feed, SENT + 50).await;
    assert_eq!(after.ids, (SENT + 1..=SENT + 50).collect::<Vec<_>>());
    assert_eq!(after.dropped, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_policy_loses_nothing_while_the_server_keeps_up() {
    let sim = Sim::start(SimConfig { activity: None, ..Default::default() }).await.unwrap();
    let mut feed = quiet_feed(&sim, Overflow::Wait).await;
    let h = feed.handle();
    const SENT: u64 = 20_000; // well inside the server's 65536-event buffer per connection
    publish(sim.hub(), 1, SENT).await;
    until_full(&h).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_bounded(&h);
    let t = read_until(&mut feed, SENT).await;
    assert_eq!(t.dropped, 0);
    assert!(t.notices.is_empty(), "{:?}", t.notices);
    assert_eq!(t.ids, (1..=SENT).collect::<Vec<_>>(), "every event, in order");
}

/// A stream server with a small per-connection event buffer (the local exchange's is 65536).
async fn small_buffer_server(event_buffer: usize) -> (SocketAddr, StreamHub) {
    let hub = StreamHub::with_config(
        MarketState::default(),
        StreamServerConfig { event_buffer, ..StreamServerConfig::default() },
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let served = hub.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let hub = served.clone();
            tokio::spawn(async move {
                let Ok((req, ws)) = tokio_websockets::ServerBuilder::new().accept(tcp).await else { return };
                let path = req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default();
                serve_stream_connection(ws, &path, hub).await;
            });
        }
    });
    (addr, hub)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_policy_consumer_too_slow_for_the_server_is_disconnected_with_1013_and_told() {
    let (addr, hub) = small_buffer_server(5_000).await;
    let cfg = StreamsConfig { queue_capacity: CAP, overflow: Overflow::Wait, ..Default::default() };
    let mut feed = Streams::connect_with(Env::Custom(format!("ws://{addr}")), Product::Spot, cfg).await.unwrap();
    feed.subscribe([Stream::trade("BTCUSDT")]).await.unwrap();
    let h = feed.handle();
    // Far more than the socket buffers and the server's 5000-event buffer hold while nobody reads, at a pace the
    // server keeps up with as long as its client reads (a burst faster than that is cut too, reader or not).
    const SENT: u64 = 100_000;
    let mut id = 1;
    while id <= SENT {
        hub.publish((id..id + 200).map(trade).collect());
        id += 200;
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_bounded(&h);
    let mut delivered = Vec::new();
    let mut notices = Vec::new();
    timeout(BOUND, async {
        loop {
            match feed.next().await.expect("the feed goes on") {
                MarketEvent::Trade(t) => delivered.push(t.trade_id),
                MarketEvent::Notice(Notice::Reconnected { .. }) => return,
                MarketEvent::Notice(n) => notices.push(n),
                _ => {}
            }
        }
    })
    .await
    .expect("the client reconnects after the server dropped it");
    assert!(!notices.iter().any(|n| matches!(n, Notice::Lagged { .. })), "Wait never drops: {notices:?}");
    let reason = notices
        .iter()
        .find_map(|n| match n {
            Notice::Disconnected { reason, .. } => Some(reason.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("the disconnect is reported: {notices:?}"));
    assert!(reason.contains("1013"), "{reason}");
    assert!(delivered.windows(2).all(|w| w[1] == w[0] + 1), "what arrived before the cut is gap-free");
    assert!(delivered.len() >= CAP, "the client held a full queue when it stopped reading: {}", delivered.len());
    assert!((delivered.len() as u64) < SENT, "the server cut the connection before the end");
    // After the reconnect the subscription is back and events flow again.
    publish(&hub, SENT + 1, SENT + 10).await;
    let t = read_until(&mut feed, SENT + 10).await;
    assert_eq!(t.ids, (SENT + 1..=SENT + 10).collect::<Vec<_>>());
}
