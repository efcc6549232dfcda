//! The streams client over real sockets against the local exchange (`binance-ws-sim`).

use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use binance_ws::env::{Env, Product};
use binance_ws::streams::{
    Dispatcher, Interval, Levels, MarketEvent, Notice, Overflow, Speed, Stream, Streams, StreamsConfig, Tagged, Window,
};
use binance_ws_sim::exchange::events::{self as sim, DepthDiff};
use binance_ws_sim::streams::{now_ms, StreamHub};
use binance_ws_sim::{Sim, SimConfig};
use futures::StreamExt;
use parking_lot::Mutex;
use rust_decimal::Decimal;
use tokio::task::JoinHandle;
use tokio::time::timeout;

const LIVENESS: Duration = Duration::from_secs(30);

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// Publishes a depth change and a trade per symbol every `every`, with gap-free ids.
fn publisher(hub: StreamHub, symbols: &[&str], every: Duration) -> JoinHandle<()> {
    let symbols: Vec<String> = symbols.iter().map(|s| s.to_string()).collect();
    tokio::spawn(async move {
        let mut ids: HashMap<String, (u64, u64)> = HashMap::new();
        loop {
            let mut batch = Vec::new();
            for s in &symbols {
                let (trade, update) = ids.entry(s.clone()).or_insert((0, 0));
                *trade += 1;
                *update += 1;
                let bump = Decimal::from(*update % 7);
                batch.push(sim::MarketEvent::Depth(DepthDiff {
                    symbol: s.clone(),
                    first_update_id: *update,
                    final_update_id: *update,
                    time_ms: now_ms(),
                    bids: vec![(d("99"), d("1") + bump)],
                    asks: vec![(d("101"), d("2") + bump)],
                }));
                batch.push(sim::MarketEvent::Trade(sim::Trade {
                    symbol: s.clone(),
                    id: *trade,
                    price: d("100"),
                    qty: d("0.5"),
                    quote_qty: d("50"),
                    time_ms: now_ms(),
                    buyer_order_id: *trade,
                    seller_order_id: 1_000_000 + *trade,
                    buyer_is_maker: *trade % 2 == 0,
                }));
            }
            hub.publish(batch);
            tokio::time::sleep(every).await;
        }
    })
}

fn fast_config() -> StreamsConfig {
    let mut cfg = StreamsConfig::default();
    cfg.transport.backoff_floor = Duration::from_millis(50);
    cfg.transport.backoff_ceiling = Duration::from_millis(400);
    cfg
}

async fn connect(sim: &Sim, cfg: StreamsConfig) -> Streams {
    Streams::connect_with(Env::Local(sim.base_url()), Product::Spot, cfg).await.expect("connects to the local exchange")
}

fn spot_kinds() -> Vec<Stream> {
    vec![
        Stream::trade("BTCUSDT"),
        Stream::agg_trade("BTCUSDT"),
        Stream::kline("BTCUSDT", Interval::M1),
        Stream::kline_tz("BTCUSDT", Interval::S1, "+08:00"),
        Stream::mini_ticker("BTCUSDT"),
        Stream::all_mini_tickers(),
        Stream::ticker("BTCUSDT"),
        Stream::rolling_ticker("BTCUSDT", Window::H1),
        Stream::all_rolling_tickers(Window::H4),
        Stream::book_ticker("BTCUSDT"),
        Stream::avg_price("BTCUSDT"),
        Stream::partial_depth("BTCUSDT", Levels::L5, Speed::Ms100),
        Stream::diff_depth("BTCUSDT", Speed::Ms100),
    ]
}

/// Which stream kind an event is, for checking that each arrived.
fn kind_ok(stream: &str, ev: &MarketEvent) -> bool {
    let s: Stream = stream.parse().expect("known name");
    matches!(
        (&s, ev),
        (Stream::Trade(_), MarketEvent::Trade(_))
            | (Stream::AggTrade(_), MarketEvent::AggTrade(_))
            | (Stream::Kline { .. }, MarketEvent::Kline(_))
            | (Stream::MiniTicker(_), MarketEvent::MiniTicker(_))
            | (Stream::AllMiniTickers, MarketEvent::MiniTickers(_))
            | (Stream::Ticker(_), MarketEvent::Ticker(_))
            | (Stream::RollingTicker(..), MarketEvent::RollingTicker(_))
            | (Stream::AllRollingTickers(_), MarketEvent::RollingTickers(_))
            | (Stream::BookTicker(_), MarketEvent::BookTicker(_))
            | (Stream::AvgPrice(_), MarketEvent::AvgPrice(_))
            | (Stream::PartialDepth(..), MarketEvent::PartialDepth(_))
            | (Stream::DiffDepth(..), MarketEvent::DepthUpdate(_))
    )
}

async fn receive_every_kind(feed: &mut Streams) {
    let want: HashSet<String> = spot_kinds().iter().map(Stream::name).collect();
    let mut seen = HashSet::new();
    timeout(LIVENESS, async {
        while seen.len() < want.len() {
            let t = feed.next_tagged().await.expect("feed open");
            if let MarketEvent::Notice(n) = &t.event {
                panic!("unexpected notice {n:?}");
            }
            let stream = t.stream.clone().unwrap_or_else(|| panic!("untagged event {:?}", t.event));
            assert!(kind_ok(&stream, &t.event), "{stream} carried {:?}", t.event);
            if let MarketEvent::PartialDepth(p) = &t.event {
                assert_eq!(p.symbol.as_deref(), Some("BTCUSDT"));
            }
            if let MarketEvent::Trade(tr) = &t.event {
                assert_eq!(tr.price, d("100"));
                assert_eq!(tr.qty, d("0.5"));
            }
            seen.insert(stream.to_string());
        }
    })
    .await
    .unwrap_or_else(|_| panic!("not every kind arrived; missing {:?}", want.difference(&seen).collect::<Vec<_>>()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn combined_and_raw_connections_deliver_every_spot_stream_kind_typed() {
    let sim = Sim::start(SimConfig { activity: None, ..Default::default() }).await.unwrap();
    let publishing = publisher(sim.hub().clone(), &["BTCUSDT"], Duration::from_millis(100));

    let mut combined = connect(&sim, fast_config()).await;
    combined.subscribe(spot_kinds()).await.unwrap();
    receive_every_kind(&mut combined).await;

    let mut raw = connect(&sim, StreamsConfig { combined: false, ..fast_config() }).await;
    raw.subscribe(spot_kinds()).await.unwrap();
    assert_eq!(raw.get_property("combined").await.unwrap(), serde_json::json!(false));
    receive_every_kind(&mut raw).await;
    publishing.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsubscribe_list_and_properties() {
    let sim = Sim::start(SimConfig { activity: None, ..Default::default() }).await.unwrap();
    let publishing = publisher(sim.hub().clone(), &["BTCUSDT", "ETHUSDT"], Duration::from_millis(50));
    let mut feed = connect(&sim, fast_config()).await;
    feed.subscribe([Stream::trade("BTCUSDT"), Stream::trade("ETHUSDT"), Stream::book_ticker("BTCUSDT")]).await.unwrap();
    assert_eq!(feed.list_subscriptions().await.unwrap(), ["btcusdt@bookTicker", "btcusdt@trade", "ethusdt@trade"]);
    feed.unsubscribe([Stream::trade("ETHUSDT")]).await.unwrap();
    assert_eq!(feed.list_subscriptions().await.unwrap(), ["btcusdt@bookTicker", "btcusdt@trade"]);
    assert_eq!(feed.handle().subscriptions().await, ["btcusdt@bookTicker", "btcusdt@trade"]);

    assert_eq!(feed.get_property("combined").await.unwrap(), serde_json::json!(true));
    feed.set_combined(false).await.unwrap();
    assert_eq!(feed.get_property("combined").await.unwrap(), serde_json::json!(false));
    let unknown = feed.get_property("nope").await.unwrap_err();
    assert_eq!(unknown.code(), Some(0), "{unknown}");
    let bad = feed.subscribe([Stream::custom("BTCUSDT@trade")]).await.unwrap_err();
    assert_eq!(bad.code(), Some(2), "{bad}");

    // Raw payloads are still tagged with their stream (inferred), and the unsubscribed one is gone.
    let seen = timeout(LIVENESS, async {
        let mut got = HashSet::new();
        let mut after_raw = 0;
        while after_raw < 40 {
            let t = feed.next_tagged().await.unwrap();
            if let MarketEvent::Trade(tr) = &t.event {
                after_raw += 1;
                assert_eq!(tr.symbol, "BTCUSDT");
            }
            if let Some(s) = t.stream {
                got.insert(s.to_string());
            }
        }
        got
    })
    .await
    .unwrap();
    assert!(seen.contains("btcusdt@trade") && seen.contains("btcusdt@bookTicker"), "{seen:?}");
    assert!(!seen.contains("ethusdt@trade") || seen.len() == 3);
    publishing.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_beyond_the_per_connection_cap_are_sharded() {
    let sim = Sim::start(SimConfig { activity: None, ..Default::default() }).await.unwrap();
    let symbols = ["AAAUSDT", "BBBUSDT", "CCCUSDT", "DDDUSDT", "EEEUSDT", "FFFUSDT", "GGGUSDT"];
    let publishing = publisher(sim.hub().clone(), &symbols, Duration::from_millis(50));
    let mut feed = connect(&sim, StreamsConfig { max_streams_per_connection: 3, ..fast_config() }).await;
    feed.subscribe(symbols.iter().map(|s| Stream::trade(s))).await.unwrap();
    assert_eq!(feed.handle().connections().await, 3);
    assert!(sim.hub().connections() >= 3);
    let listed = feed.list_subscriptions().await.unwrap();
    assert_eq!(listed.len(), 7, "{listed:?}");
    let mut seen = HashSet::new();
    timeout(LIVENESS, async {
        while seen.len() < symbols.len() {
            if let MarketEvent::Trade(t) = feed.next().await.unwrap() {
                seen.insert(t.symbol);
            }
        }
    })
    .await
    .expect("trades of every symbol over every connection");
    publishing.abort();
}

/// Collects every notice of a feed in the background while the test drives it through a handle.
fn collect(mut feed: Streams) -> (Arc<Mutex<Vec<Tagged>>>, JoinHandle<()>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let l = log.clone();
    let task = tokio::spawn(async move {
        while let Some(t) = feed.next_tagged().await {
            l.lock().push(t);
        }
    });
    (log, task)
}

fn notices(log: &Mutex<Vec<Tagged>>) -> Vec<Notice> {
    log.lock()
        .iter()
        .filter_map(|t| match &t.event {
            MarketEvent::Notice(n) => Some(n.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_limiter_never_trips_1008_under_a_resubscribe_storm() {
    let sim = Sim::start(SimConfig { activity: None, ..Default::default() }).await.unwrap();
    // Small SUBSCRIBE messages so that every restore is a burst of 20 messages.
    let cfg = StreamsConfig { max_streams_per_message: 10, ..fast_config() };
    let feed = connect(&sim, cfg).await;
    let h = feed.handle();
    let (log, consumer) = collect(feed);
    let names: Vec<Stream> = (0..200).map(|i| Stream::trade(&format!("s{i}usdt"))).collect();

    let storm = {
        let hub = sim.hub().clone();
        tokio::spawn(async move {
            for _ in 0..3 {
                tokio::time::sleep(Duration::from_millis(1500)).await;
                hub.drop_connections();
            }
        })
    };
    // One call per stream: the first 30 one after the other, the rest all at once.
    for s in &names[..30] {
        h.subscribe([s.clone()]).await.expect("subscribe");
    }
    let rest = futures::future::join_all(names[30..].iter().map(|s| {
        let h = h.clone();
        let s = s.clone();
        async move { h.subscribe([s]).await }
    }))
    .await;
    for r in rest {
        r.expect("subscribe");
    }
    storm.await.unwrap();
    // Let the last reconnect restore everything, then check the server's view.
    timeout(LIVENESS, async {
        loop {
            let n = notices(&log);
            let dropped = n.iter().filter(|n| matches!(n, Notice::Disconnected { .. })).count();
            let back = n.iter().filter(|n| matches!(n, Notice::Reconnected { .. })).count();
            if dropped >= 3 && back >= dropped {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await
    .expect("every drop is followed by a restore");
    let listed = h.list_subscriptions().await.unwrap();
    assert_eq!(listed.len(), 200);
    let all = notices(&log);
    for n in &all {
        if let Notice::Disconnected { reason, .. } = n {
            assert!(!reason.contains("1008"), "the server closed us for the message rate: {reason}");
        }
        assert!(!matches!(n, Notice::Error { .. } | Notice::Closed { .. }), "{n:?}");
    }
    for n in all.iter().filter(|n| matches!(n, Notice::Reconnected { .. })) {
        let Notice::Reconnected { restored, .. } = n else { unreachable!() };
        assert!(*restored > 0);
    }
    h.close();
    consumer.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reconnect_restores_subscriptions_and_is_reported() {
    let sim = Sim::start(SimConfig { activity: None, ..Default::default() }).await.unwrap();
    let publishing = publisher(sim.hub().clone(), &["BTCUSDT"], Duration::from_millis(30));
    let mut feed = connect(&sim, fast_config()).await;
    feed.subscribe([Stream::trade("BTCUSDT"), Stream::diff_depth("BTCUSDT", Speed::Ms100)]).await.unwrap();
    let mut phase = 0;
    timeout(LIVENESS, async {
        loop {
            match (phase, feed.next().await.unwrap()) {
                (0, MarketEvent::Trade(_)) => {
                    sim.hub().drop_connections();
                    phase = 1;
                }
                (1, MarketEvent::Notice(Notice::Disconnected { .. })) => phase = 2,
                (2, MarketEvent::Notice(Notice::Reconnected { restored, .. })) => {
                    assert_eq!(restored, 2);
                    phase = 3;
                }
                (3, MarketEvent::Trade(_)) => break,
                (_, MarketEvent::Notice(n)) => panic!("unexpected notice in phase {phase}: {n:?}"),
                _ => {}
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("stuck in phase {phase}"));
    assert_eq!(feed.list_subscriptions().await.unwrap().len(), 2);
    publishing.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_consumer_gets_lagged_then_events_with_bounded_memory() {
    let sim = Sim::start(SimConfig { activity: None, ..Default::default() }).await.unwrap();
    let cap = 50;
    let mut feed =
        connect(&sim, StreamsConfig { queue_capacity: cap, overflow: Overflow::DropOldest, ..fast_config() }).await;
    feed.subscribe([Stream::trade("BTCUSDT")]).await.unwrap();
    let publishing = publisher(sim.hub().clone(), &["BTCUSDT"], Duration::from_millis(2));
    // Do not read until well over the capacity has been sent.
    let h = feed.handle();
    timeout(LIVENESS, async {
        while h.queued() < cap {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(h.queued() <= cap, "queue grew to {}", h.queued());
    let first = feed.next().await.unwrap();
    let MarketEvent::Notice(Notice::Lagged { dropped }) = first else { panic!("expected Lagged, got {first:?}") };
    assert!(dropped > 0);
    // Then events flow again, in order.
    let mut last = 0;
    let mut n = 0;
    timeout(LIVENESS, async {
        while n < 200 {
            match feed.next().await.unwrap() {
                MarketEvent::Trade(t) => {
                    assert!(t.trade_id > last);
                    last = t.trade_id;
                    n += 1;
                }
                MarketEvent::Notice(Notice::Lagged { .. }) => {}
                other => panic!("{other:?}"),
            }
            assert!(h.queued() <= cap);
        }
    })
    .await
    .unwrap();
    publishing.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotation_overlaps_connections_without_loss_or_duplicates() {
    let sim = Sim::start(SimConfig { activity: None, ..Default::default() }).await.unwrap();
    let mut cfg = fast_config();
    cfg.transport.lifetime = Some(Duration::from_millis(1500));
    cfg.rotation_overlap = Duration::from_millis(300);
    let mut feed = connect(&sim, cfg).await;
    feed.subscribe([Stream::trade("BTCUSDT")]).await.unwrap();
    let publishing = publisher(sim.hub().clone(), &["BTCUSDT"], Duration::from_millis(10));
    let mut ids = Vec::new();
    let mut rotations = 0;
    timeout(LIVENESS, async {
        while rotations < 3 {
            match feed.next().await.unwrap() {
                MarketEvent::Trade(t) => ids.push(t.trade_id),
                MarketEvent::Notice(Notice::Rotated { .. }) => rotations += 1,
                MarketEvent::Notice(n) => panic!("{n:?}"),
                _ => {}
            }
        }
    })
    .await
    .expect("three rotations");
    // A server shutdown notice rotates too.
    sim.hub().shutdown_notice();
    timeout(LIVENESS, async {
        loop {
            match feed.next().await.unwrap() {
                MarketEvent::Trade(t) => ids.push(t.trade_id),
                MarketEvent::Notice(Notice::Rotated { reason, .. }) => {
                    assert!(reason.contains("shutdown"), "{reason}");
                    break;
                }
                MarketEvent::Notice(n) => panic!("{n:?}"),
                _ => {}
            }
        }
    })
    .await
    .expect("rotation on serverShutdown");
    // And a little after the last switch.
    for _ in 0..20 {
        if let MarketEvent::Trade(t) = feed.next().await.unwrap() {
            ids.push(t.trade_id);
        }
    }
    publishing.abort();
    assert!(ids.len() > 100);
    for w in ids.windows(2) {
        assert_eq!(w[1], w[0] + 1, "trade ids must be consecutive across rotations: {} then {}", w[0], w[1]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callbacks_by_pattern_and_history() {
    let sim = Sim::start(SimConfig { activity: None, ..Default::default() }).await.unwrap();
    let publishing = publisher(sim.hub().clone(), &["BTCUSDT", "ETHUSDT"], Duration::from_millis(20));
    let mut feed = connect(&sim, StreamsConfig { history: 5, ..fast_config() }).await;
    feed.subscribe([Stream::trade("BTCUSDT"), Stream::trade("ETHUSDT"), Stream::book_ticker("BTCUSDT")]).await.unwrap();
    let trades = Arc::new(Mutex::new(HashSet::new()));
    let btc = Arc::new(Mutex::new(HashSet::new()));
    let (t2, b2) = (trades.clone(), btc.clone());
    let mut dispatcher = Dispatcher::new()
        .on("*@trade", move |s, ev| {
            assert!(matches!(ev, MarketEvent::Trade(_)));
            t2.lock().insert(s.to_string());
        })
        .on("btcusdt@*", move |s, _| {
            b2.lock().insert(s.to_string());
        });
    let mut dispatched = 0;
    timeout(LIVENESS, async {
        while trades.lock().len() < 2 || btc.lock().len() < 2 || dispatched < 10 {
            let t = feed.next_tagged().await.unwrap();
            dispatcher.dispatch(&t);
            dispatched += 1;
        }
    })
    .await
    .unwrap();
    assert_eq!(*trades.lock(), HashSet::from(["btcusdt@trade".to_string(), "ethusdt@trade".to_string()]));
    assert_eq!(*btc.lock(), HashSet::from(["btcusdt@trade".to_string(), "btcusdt@bookTicker".to_string()]));
    let history = feed.handle().history();
    assert_eq!(history.len(), 5);
    assert!(history.iter().all(|f| f.starts_with(b"{")));
    publishing.abort();
}
