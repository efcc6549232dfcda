//! `bws demo`'s order book step: `binance_ws::book` keeps BTCUSDT's book in sync from the diff stream and a
//! snapshot, and the result is compared, level by level, with the local exchange's own book.

use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use binance_ws::book::{BookConfig, BookEvent, BookManager, OrderBook};
use binance_ws::spot::Api;
use binance_ws::streams::{Level, Streams};
use binance_ws_sim::Sim;
use futures::StreamExt;
use tokio::time::Instant;

use crate::style;

const SYMBOL: &str = "BTCUSDT";

pub async fn run(sim: &Sim, api: &Api) -> anyhow::Result<()> {
    style::heading("Local order book, kept in sync");
    let streams = Streams::connect_url(&sim.base_url()).await?;
    let mut books = BookManager::new(streams, api.clone(), BookConfig::default());
    let t0 = Instant::now();
    let btc = books.watch([SYMBOL]).await?.remove(0);
    let synced_at = loop {
        match tokio::time::timeout_at(t0 + Duration::from_secs(10), books.next()).await {
            Ok(Some(BookEvent::Synced { last_update_id, .. })) => break last_update_id,
            Ok(Some(_)) => {}
            Ok(None) => bail!("the stream ended before the book was in sync"),
            Err(_) => bail!("the {SYMBOL} book was not in sync within 10 s"),
        }
    };
    style::ok(&format!(
        "{SYMBOL} in sync in {:.1?}: a depth snapshot (lastUpdateId {synced_at}) joined to the depth@100ms diff stream",
        t0.elapsed()
    ));

    let (mut updates, follow_until) = (0, Instant::now() + Duration::from_secs(1));
    while let Ok(event) = tokio::time::timeout_at(follow_until, books.next()).await {
        match event {
            Some(BookEvent::Updated { .. }) => updates += 1,
            Some(BookEvent::OutOfSync { reason, .. }) => bail!("the book lost sync: {reason}"),
            Some(_) => {}
            None => bail!("the stream ended"),
        }
    }
    let show = |l: Option<Level>| l.map_or_else(|| "-".to_string(), |l| format!("{} x {}", l.price, l.qty));
    style::ok(&format!(
        "1 s later: {updates} diff events applied, each U/u checked; best bid {} / best ask {}, update id {}, \
         resyncs {}",
        show(btc.best_bid()),
        show(btc.best_ask()),
        btc.last_update_id(),
        btc.resync_count()
    ));

    // Hold the market still so that the exchange's own book can be read at the update id the local one is at.
    sim.pause_market();
    let compared = same_as_exchange(sim, &mut books, &btc).await;
    sim.resume_market();
    let (id, bids, asks) = compared?;
    style::ok(&format!(
        "equals the exchange's own book: all {bids} bid and {asks} ask levels identical at update id {id}"
    ));
    Ok(())
}

/// Follows the book until it is at the exchange's update id, then compares every level.
async fn same_as_exchange(sim: &Sim, books: &mut BookManager, book: &OrderBook) -> anyhow::Result<(u64, usize, usize)> {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let truth = sim.depth(SYMBOL, 1000).map_err(|e| anyhow!("the exchange's book: {e:?}"))?;
        if book.is_synced() && book.last_update_id() == truth.last_update_id {
            let top = book.top(truth.bids.len().max(truth.asks.len()));
            let pairs = |side: &[Level]| side.iter().map(|l| (l.price, l.qty)).collect::<Vec<_>>();
            if pairs(&top.bids) != truth.bids || pairs(&top.asks) != truth.asks {
                bail!("at update id {} the local book differs from the exchange's", truth.last_update_id);
            }
            return Ok((truth.last_update_id, truth.bids.len(), truth.asks.len()));
        }
        if Instant::now() >= deadline {
            bail!(
                "the local book (update id {}) did not reach the exchange's ({}) within 3 s",
                book.last_update_id(),
                truth.last_update_id
            );
        }
        // The last diffs of the paused market are on their way (the stream sends every 100 ms).
        match tokio::time::timeout(Duration::from_millis(200), books.next()).await {
            Ok(Some(BookEvent::OutOfSync { reason, .. })) => bail!("the book lost sync: {reason}"),
            Ok(None) => return Err(anyhow!("the stream ended")).context("comparing with the exchange's book"),
            _ => {}
        }
    }
}
