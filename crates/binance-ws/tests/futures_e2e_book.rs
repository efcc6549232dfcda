//! USD-M order books kept by `BookManager` (futures rule: `U`/`u`/`pu`, snapshots from the USD-M WebSocket API's
//! `depth`) against the local exchange's simulated futures market, over real sockets: after thousands of level
//! updates, and after injected gaps in the depth stream, each book equals the exchange's own futures book level by
//! level.

mod futures_e2e_common;

use std::time::Duration;

use binance_ws::book::{BookConfig, BookEvent, BookManager, OrderBook, ResyncReason, SyncRule};
use binance_ws::Env;
use binance_ws_sim::config::Activity;
use binance_ws_sim::futures::Product as SimProduct;
use binance_ws_sim::{ConnFault, Sim};
use futures::StreamExt;
use futures_e2e_common::*;
use tokio::time::{interval, sleep, sleep_until, Instant};

const SYMBOLS: [&str; 2] = ["BTCUSDT", "ETHUSDT"];

async fn pump_until(mgr: &mut BookManager, log: &mut Vec<BookEvent>, what: &str, done: impl Fn(&[BookEvent]) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut tick = interval(Duration::from_millis(20));
    while !done(log) {
        tokio::select! {
            ev = mgr.next() => log.push(ev.expect("the book manager ended")),
            _ = tick.tick() => {}
            _ = sleep_until(deadline) => panic!("timed out waiting for {what}; last: {:?}", &log[log.len().saturating_sub(10)..]),
        }
    }
}

fn applied(log: &[BookEvent]) -> u64 {
    log.iter()
        .map(|e| match e {
            BookEvent::Updated { first_update_id, last_update_id, .. } => last_update_id - first_update_id + 1,
            _ => 0,
        })
        .sum()
}

fn count(log: &[BookEvent], f: impl Fn(&BookEvent) -> bool) -> usize {
    log.iter().filter(|e| f(e)).count()
}

/// With the market paused: waits until `book` reaches the exchange's update id, then compares every level.
async fn assert_equals_exchange(sim: &Sim, mgr: &mut BookManager, log: &mut Vec<BookEvent>, book: &OrderBook) {
    let symbol = book.symbol().to_string();
    let truth = || sim.futures(SimProduct::UsdM).read(|e| e.depth(&symbol, 5000)).expect("contract exists").0;
    sleep(Duration::from_millis(50)).await; // a trader operation under way when paused finishes first
    pump_until(mgr, log, &format!("{symbol} to catch up"), |_| {
        book.is_synced() && book.last_update_id() == truth().last_update_id
    })
    .await;
    let t = truth();
    let mine = book.top(5000);
    assert_eq!(mine.last_update_id, t.last_update_id, "{symbol}: the market moved while paused");
    assert!(!t.bids.is_empty() && !t.asks.is_empty(), "{symbol}: the simulated futures book has both sides");
    let pairs = |v: &[binance_ws::streams::Level]| v.iter().map(|l| (l.price, l.qty)).collect::<Vec<_>>();
    assert_eq!(pairs(&mine.bids), t.bids, "{symbol}: bids differ at update {}", t.last_update_id);
    assert_eq!(pairs(&mine.asks), t.asks, "{symbol}: asks differ at update {}", t.last_update_id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usdm_books_equal_the_exchange_after_activity_and_gaps() {
    let sim = start_sim(|c| c.activity = Some(Activity { ops_per_sec: 400.0, symbols: Vec::new(), traders: 4 })).await;
    let cfg = BookConfig { rule: SyncRule::Spot, ..Default::default() };
    // connect_usdm sets the futures rule whatever the config says.
    let mut mgr = BookManager::connect_usdm(&Env::Local(sim.base_url()), cfg).await.expect("connects");
    let books = mgr.watch(SYMBOLS).await.unwrap();
    let mut log = Vec::new();
    pump_until(&mut mgr, &mut log, "both books synced and 2000 level updates", |l| {
        count(l, |e| matches!(e, BookEvent::Synced { .. })) == SYMBOLS.len() && applied(l) >= 2000
    })
    .await;
    sim.pause_market();
    for b in &books {
        assert_equals_exchange(&sim, &mut mgr, &mut log, b).await;
        assert_eq!(b.resync_count(), 0, "{}: no gap yet", b.symbol());
    }
    assert_eq!(count(&log, |e| matches!(e, BookEvent::OutOfSync { .. })), 0);
    sim.resume_market();

    // A depth frame left out: the `pu` chain breaks, that symbol alone resyncs.
    sim.futures(SimProduct::UsdM).hub().inject(ConnFault::SkipDepthUpdate);
    pump_until(&mut mgr, &mut log, "a resync after the gap", |l| {
        count(l, |e| matches!(e, BookEvent::Resynced { .. })) >= 1
    })
    .await;
    let out: Vec<&BookEvent> = log.iter().filter(|e| matches!(e, BookEvent::OutOfSync { .. })).collect();
    assert_eq!(out.len(), 1, "one frame skipped, one symbol out of sync: {out:?}");
    let BookEvent::OutOfSync { reason, .. } = out[0] else { unreachable!() };
    // The skipped frame's `u` is the `pu` the next one names: the chain is broken.
    let ResyncReason::Break { last_update_id, prev_final_update_id: Some(pu), .. } = reason else {
        panic!("not a pu break: {reason}")
    };
    assert!(pu > last_update_id, "{reason}");
    // Every connection dropped as well: both books resync once the stream is back.
    sim.inject(ConnFault::Drop);
    pump_until(&mut mgr, &mut log, "both books resynced after the drop", |l| {
        count(l, |e| matches!(e, BookEvent::Resynced { reason: ResyncReason::Disconnected(_), .. })) == SYMBOLS.len()
    })
    .await;
    let base = applied(&log);
    pump_until(&mut mgr, &mut log, "1000 more level updates", |l| applied(l) >= base + 1000).await;
    sim.pause_market();
    for b in &books {
        assert_equals_exchange(&sim, &mut mgr, &mut log, b).await;
    }
    let resyncs: u64 = books.iter().map(|b| b.resync_count()).sum();
    assert_eq!(resyncs, 1 + SYMBOLS.len() as u64);
}
