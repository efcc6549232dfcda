//! The order book check of `bws diagnose`: a `depth` snapshot continued by the diff depth stream without a
//! gap. (When `binance_ws::book` lands, this check can sync its `OrderBook` instead.)

use std::time::Duration;

use anyhow::{bail, Context};
use binance_ws::env::Product;
use binance_ws::streams::{DepthUpdate, MarketEvent, Notice, Speed, Stream, Streams};
use futures::StreamExt;

use crate::diagnose_checks::Ctx;

/// The snapshot-and-diff procedure of web-socket-streams.md ("How to manage a local order book correctly"):
/// the first diff after the snapshot must contain `lastUpdateId + 1`, and each next `U` must be the previous
/// `u + 1`.
pub async fn order_book(ctx: &mut Ctx) -> anyhow::Result<String> {
    const WANTED: usize = 3;
    let (api, symbol, timeout) = (ctx.api()?, ctx.symbol.as_str(), ctx.timeout);
    let mut feed = Streams::connect(ctx.env.clone(), Product::Spot)
        .await
        .context("connecting to the streams")?
        .subscribed([Stream::diff_depth(symbol, Speed::Ms100)])
        .await
        .context("SUBSCRIBE")?;
    let deadline = tokio::time::Instant::now() + timeout;
    let mut next_diff = async || -> anyhow::Result<DepthUpdate> {
        loop {
            match tokio::time::timeout_at(deadline, feed.next()).await {
                Err(_) => bail!("too few depth updates within {timeout:?}; is {symbol} trading?"),
                Ok(None) => bail!("the stream ended"),
                Ok(Some(MarketEvent::DepthUpdate(d))) => return Ok(d),
                Ok(Some(MarketEvent::Notice(
                    n @ (Notice::Disconnected { .. } | Notice::Closed { .. } | Notice::Lagged { .. }),
                ))) => {
                    bail!("the stream had a gap during the check: {n:?}")
                }
                Ok(Some(_)) => {}
            }
        }
    };
    let first = next_diff().await?;
    let mut snapshot = api.depth(symbol).limit(1000).await.context("depth")?;
    for _ in 0..5 {
        if snapshot.last_update_id >= first.first_update_id {
            break;
        }
        // The snapshot is older than the first buffered event: fetch it again, as the docs say.
        tokio::time::sleep(Duration::from_millis(200)).await;
        snapshot = api.depth(symbol).limit(1000).await.context("depth")?;
    }
    let id = snapshot.last_update_id;
    if id < first.first_update_id {
        bail!("every snapshot (lastUpdateId {id}) was older than the first diff (U {})", first.first_update_id);
    }
    let mut pending = Some(first);
    let mut prev: Option<u64> = None;
    let mut applied = 0;
    while applied < WANTED {
        let d = match pending.take() {
            Some(d) => d,
            None => next_diff().await?,
        };
        let (big_u, u) = (d.first_update_id, d.final_update_id);
        if u <= id {
            continue;
        }
        match prev {
            None if !(big_u <= id + 1 && id < u) => {
                bail!("the first diff after the snapshot is [U {big_u}; u {u}], which does not contain lastUpdateId + 1 = {}", id + 1)
            }
            Some(p) if big_u != p + 1 => bail!("gap: U {big_u} after u {p}"),
            _ => {}
        }
        prev = Some(u);
        applied += 1;
    }
    Ok(format!("snapshot lastUpdateId {id}; {applied} diffs continued it without a gap (U = previous u + 1)"))
}
