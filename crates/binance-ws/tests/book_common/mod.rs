//! Shared by the `book_*` end-to-end tests: a busy local exchange, a pump that drives a `BookManager` until a
//! condition holds, and the level-by-level comparison with the exchange's true book.

#![allow(dead_code)]

use std::time::Duration;

use binance_ws::book::{BookConfig, BookEvent, BookManager, OrderBook};
use binance_ws::Env;
use binance_ws_sim::config::Activity;
use binance_ws_sim::{Sim, SimConfig};
use futures::StreamExt;
use tokio::time::{interval, sleep, sleep_until, Instant};

/// Generous bound for anything that needs the network and the simulated market.
pub const LIMIT: Duration = Duration::from_secs(60);

pub const SYMBOLS: [&str; 3] = ["BTCUSDT", "ETHUSDT", "BNBUSDT"];

/// A local exchange whose simulated traders keep every book busy.
pub async fn busy_sim(ops_per_sec: f64) -> Sim {
    Sim::start(SimConfig {
        activity: Some(Activity { ops_per_sec, symbols: Vec::new(), traders: 4 }),
        ..Default::default()
    })
    .await
    .expect("local exchange starts")
}

pub async fn manager(sim: &Sim, cfg: BookConfig) -> BookManager {
    BookManager::connect_spot(&Env::Local(sim.base_url()), cfg).await.expect("connects to the local exchange")
}

/// Drives `mgr`, recording its events in `log`, until `done(log)` holds (checked after every event and every
/// 20 ms). Panics after [`LIMIT`].
pub async fn pump_until(
    mgr: &mut BookManager,
    log: &mut Vec<BookEvent>,
    what: &str,
    mut done: impl FnMut(&[BookEvent]) -> bool,
) {
    let deadline = Instant::now() + LIMIT;
    let mut tick = interval(Duration::from_millis(20));
    loop {
        if done(log) {
            return;
        }
        tokio::select! {
            ev = mgr.next() => log.push(ev.expect("the book manager ended")),
            _ = tick.tick() => {}
            _ = sleep_until(deadline) => panic!("timed out waiting for {what}; last events: {:?}", tail(log)),
        }
    }
}

fn tail(log: &[BookEvent]) -> &[BookEvent] {
    &log[log.len().saturating_sub(12)..]
}

/// Level updates applied so far (each spot update id is one level change).
pub fn applied_updates(log: &[BookEvent]) -> u64 {
    log.iter()
        .map(|e| match e {
            BookEvent::Updated { first_update_id, last_update_id, .. } => last_update_id - first_update_id + 1,
            _ => 0,
        })
        .sum()
}

pub fn count(log: &[BookEvent], f: impl Fn(&BookEvent) -> bool) -> usize {
    log.iter().filter(|e| f(e)).count()
}

/// With the market paused: waits until `book` reaches the exchange's update id, then compares every level of both
/// sides with the exchange's own book.
pub async fn assert_matches_exchange(sim: &Sim, mgr: &mut BookManager, log: &mut Vec<BookEvent>, book: &OrderBook) {
    let symbol = book.symbol().to_string();
    // A trader operation already under way when the market was paused finishes first.
    sleep(Duration::from_millis(50)).await;
    pump_until(mgr, log, &format!("{symbol} to catch up with the exchange"), |_| {
        let truth = sim.depth(&symbol, 5000).expect("symbol exists");
        book.is_synced() && book.last_update_id() == truth.last_update_id
    })
    .await;
    let truth = sim.depth(&symbol, 5000).unwrap();
    let mine = book.top(5000);
    assert_eq!(mine.last_update_id, truth.last_update_id, "{symbol}: the market moved while paused");
    let pairs = |v: &[binance_ws::streams::Level]| v.iter().map(|l| (l.price, l.qty)).collect::<Vec<_>>();
    // Market orders can empty one side for a while, never both.
    assert!(!truth.bids.is_empty() || !truth.asks.is_empty(), "{symbol}: the simulated book is empty");
    assert_eq!(pairs(&mine.bids), truth.bids, "{symbol}: bids differ at update {}", truth.last_update_id);
    assert_eq!(pairs(&mine.asks), truth.asks, "{symbol}: asks differ at update {}", truth.last_update_id);
    assert_eq!(book.best_bid().map(|l| (l.price, l.qty)), truth.bids.first().copied());
    assert_eq!(book.best_ask().map(|l| (l.price, l.qty)), truth.asks.first().copied());
    if let Some((p, q)) = truth.bids.get(truth.bids.len() / 2) {
        assert_eq!(book.bid_qty(*p), Some(*q), "{symbol}: bid quantity at {p}");
    }
    if let Some((p, q)) = truth.asks.get(truth.asks.len() / 2) {
        assert_eq!(book.ask_qty(*p), Some(*q), "{symbol}: ask quantity at {p}");
    }
}
