//! The order book check of `bws diagnose`: `binance_ws::book`'s [`BookManager`] syncs the symbol's
//! [`OrderBook`] (diff stream joined to a snapshot, as web-socket-streams.md's "How to manage a local order
//! book correctly" says), then the book is compared, level by level, with a fresh `depth` snapshot taken at
//! the same update id.

use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use binance_ws::book::{BookConfig, BookEvent, BookManager, Depth, OrderBook};
use binance_ws::env::Product;
use binance_ws::spot::{DepthSnapshot, PriceLevel};
use binance_ws::streams::{Level, Streams};
use futures::StreamExt;
use tokio::time::Instant;

use crate::diagnose_checks::Ctx;

/// Levels per side compared.
const COMPARED: usize = 20;
/// Snapshots tried before giving up on catching the book at a snapshot's update id (a busy market).
const ATTEMPTS: usize = 10;

pub async fn order_book(ctx: &mut Ctx) -> anyhow::Result<String> {
    let (api, symbol, timeout) = (ctx.api()?.clone(), ctx.symbol.clone(), ctx.timeout);
    let streams = Streams::connect(ctx.env.clone(), Product::Spot).await.context("connecting to the streams")?;
    let mut books = BookManager::new(streams, api.clone(), BookConfig::default());
    let book = books.watch([symbol.as_str()]).await.context("SUBSCRIBE")?.remove(0);
    let t0 = Instant::now();
    let deadline = t0 + timeout;
    sync(&mut books, &symbol, deadline, timeout).await?;
    let synced_in = t0.elapsed();

    let mut moved = 0;
    let compare_deadline = Instant::now() + timeout;
    for _ in 0..ATTEMPTS {
        let (snapshot, seen) = snapshot_while_following(&mut books, &book, &api, &symbol, compare_deadline).await?;
        if let Some(at) = seen.iter().find(|d| d.last_update_id == snapshot.last_update_id) {
            compare(at, &snapshot)?;
            return Ok(format!(
                "synced in {synced_in:.1?}; at update id {} its top {COMPARED} levels a side equal a fresh depth \
                 snapshot; resyncs {}",
                snapshot.last_update_id,
                book.resync_count()
            ));
        }
        moved += 1;
        if Instant::now() >= compare_deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(format!(
        "synced in {synced_in:.1?}, resyncs {}; not compared: the book moved past each of {moved} snapshots \
         (a busy market)",
        book.resync_count()
    ))
}

/// Drives the manager until `symbol`'s book is in sync.
async fn sync(books: &mut BookManager, symbol: &str, deadline: Instant, timeout: Duration) -> anyhow::Result<()> {
    let mut last_error = None;
    loop {
        match tokio::time::timeout_at(deadline, books.next()).await {
            Err(_) => {
                let why = last_error.map(|e| format!("; last snapshot error: {e}")).unwrap_or_default();
                bail!("{symbol}'s book was not in sync within {timeout:?}{why}")
            }
            Ok(None) => bail!("the stream ended before the book was in sync"),
            Ok(Some(BookEvent::Synced { symbol: s, .. })) if &*s == symbol => return Ok(()),
            Ok(Some(BookEvent::SnapshotFailed { error, .. })) => last_error = Some(error),
            Ok(Some(_)) => {}
        }
    }
}

/// Takes a `depth` snapshot while the manager keeps the book moving, and goes on until the book reaches the
/// snapshot's update id. Returns the snapshot and the book's top levels at every update id it passed through.
async fn snapshot_while_following(
    books: &mut BookManager,
    book: &OrderBook,
    api: &binance_ws::spot::Api,
    symbol: &str,
    deadline: Instant,
) -> anyhow::Result<(DepthSnapshot, Vec<Depth>)> {
    let mut seen = vec![book.top(COMPARED)];
    let mut request = std::pin::pin!(std::future::IntoFuture::into_future(api.depth(symbol).limit(COMPARED as u32)));
    let snapshot = loop {
        tokio::select! {
            answer = &mut request => break answer.context("depth")?,
            event = books.next() => follow(event, book, &mut seen)?,
            _ = tokio::time::sleep_until(deadline) => bail!("no depth answer in time"),
        }
    };
    while seen.last().is_some_and(|d| d.last_update_id < snapshot.last_update_id) {
        let event = tokio::time::timeout_at(deadline, books.next())
            .await
            .map_err(|_| anyhow!("the book did not reach the snapshot's update id {}", snapshot.last_update_id))?;
        follow(event, book, &mut seen)?;
    }
    Ok((snapshot, seen))
}

/// Notes the book's top after an event; fails when the book lost sync or the stream ended.
fn follow(event: Option<BookEvent>, book: &OrderBook, seen: &mut Vec<Depth>) -> anyhow::Result<()> {
    match event {
        None => bail!("the stream ended"),
        Some(BookEvent::OutOfSync { reason, .. }) => bail!("the book lost sync during the check: {reason}"),
        Some(BookEvent::Updated { .. }) => {
            let top = book.top(COMPARED);
            if seen.last().map(|d| d.last_update_id) != Some(top.last_update_id) {
                seen.push(top);
            }
        }
        Some(_) => {}
    }
    Ok(())
}

/// The book's levels against the snapshot's, both sides; the first difference fails.
fn compare(book: &Depth, snapshot: &DepthSnapshot) -> anyhow::Result<()> {
    let side = |name: &str, mine: &[Level], theirs: &[PriceLevel]| -> anyhow::Result<()> {
        let theirs: Vec<(_, _)> = theirs.iter().take(COMPARED).map(|l| (l.price, l.qty)).collect();
        let mine: Vec<(_, _)> = mine.iter().take(COMPARED).map(|l| (l.price, l.qty)).collect();
        if let Some(i) = (0..mine.len().max(theirs.len())).find(|&i| mine.get(i) != theirs.get(i)) {
            let show = |l: Option<&(rust_decimal::Decimal, rust_decimal::Decimal)>| {
                l.map_or_else(|| "nothing".to_string(), |(p, q)| format!("{p} x {q}"))
            };
            bail!(
                "at update id {} the book's {name} level {} is {}, the snapshot's is {}",
                snapshot.last_update_id,
                i + 1,
                show(mine.get(i)),
                show(theirs.get(i))
            );
        }
        Ok(())
    };
    side("bid", &book.bids, &snapshot.bids)?;
    side("ask", &book.asks, &snapshot.asks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(p: &str, q: &str) -> Level {
        Level { price: p.parse().unwrap(), qty: q.parse().unwrap() }
    }

    fn snapshot(bids: &[(&str, &str)], asks: &[(&str, &str)]) -> DepthSnapshot {
        let side = |v: &[(&str, &str)]| serde_json::json!(v.iter().map(|(p, q)| [p, q]).collect::<Vec<_>>());
        serde_json::from_value(serde_json::json!({"lastUpdateId": 7, "bids": side(bids), "asks": side(asks)}))
            .expect("the documented depth shape")
    }

    #[test]
    fn equal_levels_pass_and_the_first_difference_is_named() {
        let book = Depth { last_update_id: 7, bids: vec![level("10.0", "1")], asks: vec![level("11.0", "2")] };
        compare(&book, &snapshot(&[("10.00", "1.000")], &[("11.00", "2.0")])).expect("equal by value");
        let err = compare(&book, &snapshot(&[("10.00", "1.5")], &[("11.00", "2")])).unwrap_err().to_string();
        assert_eq!(err, "at update id 7 the book's bid level 1 is 10.0 x 1, the snapshot's is 10.00 x 1.5");
        let err = compare(&book, &snapshot(&[("10.00", "1")], &[("11.00", "2"), ("12", "1")])).unwrap_err();
        assert!(err.to_string().contains("ask level 2 is nothing, the snapshot's is 12 x 1"), "{err}");
    }
}
