//! `BookManager` against the local exchange: a pluggable snapshot source (failing and stale snapshots are retried,
//! never used), a quiet market where one order shows up exactly, user-requested resyncs, symbols spread over
//! several connections, other streams passed through, and symbols dropped.

mod book_common;

use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use binance_ws::book::{BookConfig, BookEvent, BookManager, ResyncReason, Snapshot, SnapshotSource, SyncState};
use binance_ws::env::{Env, Product};
use binance_ws::model::Decimal;
use binance_ws::streams::{MarketEvent, Stream, Streams, StreamsConfig};
use binance_ws::{spot, Error};
use binance_ws_sim::config::DEFAULT_HMAC_API_KEY;
use binance_ws_sim::exchange::{NewOrder, Side};
use binance_ws_sim::{Sim, SimConfig};
use book_common::*;
use futures::future::BoxFuture;

/// The Spot API, except that the first call fails and the second returns an empty snapshot from long ago.
struct Flaky {
    api: spot::Api,
    calls: Arc<AtomicUsize>,
}

impl SnapshotSource for Flaky {
    fn snapshot(&self, symbol: &str, limit: u32) -> BoxFuture<'static, binance_ws::Result<Snapshot>> {
        match self.calls.fetch_add(1, Ordering::SeqCst) {
            0 => Box::pin(async { Err(Error::ConnectionLost { method: "depth".into() }) }),
            1 => Box::pin(async { Ok(Snapshot { last_update_id: 1, bids: vec![], asks: vec![] }) }),
            _ => self.api.snapshot(symbol, limit),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_and_stale_snapshots_are_retried_never_used() {
    let sim = busy_sim(400.0).await;
    let env = Env::Local(sim.base_url());
    let streams = Streams::connect(env.clone(), Product::Spot).await.unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let source = Flaky { api: spot::Api::connect(&env, None).await.unwrap(), calls: calls.clone() };
    let cfg =
        BookConfig { snapshot_limit: 5000, retry_floor: std::time::Duration::from_millis(20), ..Default::default() };
    let mut mgr = BookManager::new(streams, source, cfg);
    let btc = mgr.watch(["btcusdt"]).await.unwrap().remove(0);
    assert_eq!(btc.symbol(), "BTCUSDT");
    assert_eq!(btc.state(), SyncState::Syncing);
    let mut log = Vec::new();
    pump_until(&mut mgr, &mut log, "BTCUSDT synced", |l| count(l, |e| matches!(e, BookEvent::Synced { .. })) == 1)
        .await;
    let failed: Vec<_> = log.iter().filter(|e| matches!(e, BookEvent::SnapshotFailed { .. })).collect();
    assert_eq!(failed.len(), 1, "{failed:?}");
    let BookEvent::SnapshotFailed { symbol, error, .. } = failed[0] else { unreachable!() };
    assert_eq!(&**symbol, "BTCUSDT");
    assert!(error.contains("depth"), "{error}");
    // The stale snapshot (update id 1) was refused for the buffered events, so a third was taken.
    assert!(calls.load(Ordering::SeqCst) >= 3);
    let Some(BookEvent::Synced { last_update_id, .. }) = log.iter().find(|e| matches!(e, BookEvent::Synced { .. }))
    else {
        unreachable!()
    };
    assert!(*last_update_id > 1);
    sim.pause_market();
    assert_matches_exchange(&sim, &mut mgr, &mut log, &btc).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quiet_market_book_shows_one_order_exactly_and_resyncs_on_request() {
    let sim = Sim::start(SimConfig { activity: None, ..Default::default() }).await.unwrap();
    let mut mgr = manager(&sim, BookConfig::default()).await;
    let eth = mgr.watch(["ETHUSDT"]).await.unwrap().remove(0);
    let mut log = Vec::new();
    // No event comes on a quiet market: the snapshot alone syncs the (empty) book.
    pump_until(&mut mgr, &mut log, "ETHUSDT synced", |l| count(l, |e| matches!(e, BookEvent::Synced { .. })) == 1)
        .await;
    assert!(eth.is_synced());
    assert_eq!(eth.best_bid(), None);
    let account = sim.shared().account_of(DEFAULT_HMAC_API_KEY).unwrap();
    let (qty, price) = (Decimal::from_str("0.1234").unwrap(), Decimal::from_str("2999.99").unwrap());
    sim.with_exchange(|ex, now| ex.place_order(account, NewOrder::limit("ETHUSDT", Side::Buy, qty, price), now))
        .unwrap();
    pump_until(&mut mgr, &mut log, "the order's level", |_| eth.best_bid().is_some()).await;
    let best = eth.best_bid().unwrap();
    assert_eq!((best.price, best.qty), (price, qty));
    assert_eq!(eth.bid_qty(price), Some(qty));
    assert_eq!(eth.top(10).asks, vec![]);
    assert_matches_exchange(&sim, &mut mgr, &mut log, &eth).await;

    assert!(mgr.resync("ethusdt"));
    assert!(!mgr.resync("NOPE"));
    pump_until(&mut mgr, &mut log, "the requested resync", |l| {
        count(l, |e| matches!(e, BookEvent::Resynced { reason: ResyncReason::Requested, .. })) == 1
    })
    .await;
    assert!(log.iter().any(|e| matches!(e, BookEvent::OutOfSync { reason: ResyncReason::Requested, .. })));
    assert_eq!(eth.resync_count(), 1);
    assert_eq!(eth.bid_qty(price), Some(qty), "the resynced book has the order again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn symbols_on_separate_connections_all_resync_after_a_drop() {
    let sim = busy_sim(300.0).await;
    let env = Env::Local(sim.base_url());
    // One symbol per connection: three connections, each one's notices apply to its own symbol.
    let cfg = StreamsConfig { max_streams_per_connection: 1, ..Default::default() };
    let streams = Streams::connect_with(env.clone(), Product::Spot, cfg).await.unwrap();
    let api = spot::Api::connect(&env, None).await.unwrap();
    let mut mgr = BookManager::new(streams, api, BookConfig::default());
    let books = mgr.watch(SYMBOLS).await.unwrap();
    assert_eq!(mgr.streams().handle().connections().await, SYMBOLS.len());
    let mut log = Vec::new();
    pump_until(&mut mgr, &mut log, "every book synced", |l| {
        count(l, |e| matches!(e, BookEvent::Synced { .. })) == SYMBOLS.len()
    })
    .await;
    sim.inject(binance_ws_sim::ConnFault::Drop);
    pump_until(&mut mgr, &mut log, "every book resynced", |l| {
        count(l, |e| matches!(e, BookEvent::Resynced { reason: ResyncReason::Disconnected(_), .. })) == SYMBOLS.len()
    })
    .await;
    for b in &books {
        assert_eq!(b.resync_count(), 1, "{}", b.symbol());
    }
    let base = applied_updates(&log);
    pump_until(&mut mgr, &mut log, "1000 more level updates", |l| applied_updates(l) >= base + 1000).await;
    sim.pause_market();
    for b in &books {
        assert_matches_exchange(&sim, &mut mgr, &mut log, b).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_streams_pass_through_and_unwatched_books_stop() {
    let sim = busy_sim(400.0).await;
    let mut mgr = manager(&sim, BookConfig { emit_updates: false, ..Default::default() }).await;
    let books = mgr.watch(SYMBOLS).await.unwrap();
    assert_eq!(mgr.watch(["BTCUSDT"]).await.unwrap().len(), 1, "watching again returns the same book");
    assert_eq!(mgr.symbols().len(), SYMBOLS.len());
    mgr.streams().subscribe([Stream::trade("BTCUSDT")]).await.unwrap();
    let mut log = Vec::new();
    pump_until(&mut mgr, &mut log, "synced books and a trade", |l| {
        count(l, |e| matches!(e, BookEvent::Synced { .. })) == SYMBOLS.len()
            && count(l, |e| matches!(e, BookEvent::Market(m) if matches!(**m, MarketEvent::Trade(_)))) > 0
    })
    .await;
    assert_eq!(count(&log, |e| matches!(e, BookEvent::Updated { .. })), 0, "updates are off");
    mgr.unwatch(["ETHUSDT"]).await.unwrap();
    assert!(mgr.book("ETHUSDT").is_none());
    assert_eq!(mgr.symbols().len(), SYMBOLS.len() - 1);
    let frozen = books[1].last_update_id();
    let btc_before = books[0].last_update_id();
    pump_until(&mut mgr, &mut log, "BTCUSDT to move on", |_| books[0].last_update_id() > btc_before + 100).await;
    assert_eq!(books[1].last_update_id(), frozen, "an unwatched book is no longer updated");
    assert!(!mgr.streams().list_subscriptions().await.unwrap().iter().any(|s| s.starts_with("ethusdt@depth")));
}
