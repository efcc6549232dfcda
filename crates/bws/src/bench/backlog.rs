//! `bws bench backlog`: resident memory while the consumer stops reading a flood feed. The client keeps
//! reading the socket and its bounded queue fills, then drops its oldest events; the peak shows what that
//! bound costs. The exchange runs in a child process (`bws sim --flood`), so the figures are the client's.

use std::time::Duration;

use anyhow::{bail, Context};
use binance_ws::env::{Env, Product};
use binance_ws::streams::{MarketEvent, Notice, Stream, Streams, StreamsConfig};
use futures::StreamExt;
use serde_json::json;

use super::memory::spawn_sim;
use super::stats::{mib, rss_kib};
use super::streams::Kind;
use super::{Figure, Output};

/// The target from the issue (the same bound as for 1000 idle streams).
const LIMIT_MIB: f64 = 64.0;

/// How long the queue may take to fill before the benchmark gives up (a stuck feed).
const FILL_LIMIT: Duration = Duration::from_secs(60);

/// How long reading after the stall may take (the `Lagged` notice and `EVENTS_AFTER` events).
const READ_LIMIT: Duration = Duration::from_secs(60);

/// Events read after the `Lagged` notice, to show that the stream goes on.
const EVENTS_AFTER: u64 = 1_000;

/// What the backlog benchmark saw.
pub struct BacklogResult {
    pub kind: Kind,
    pub queue_capacity: usize,
    pub stall: Duration,
    /// Seconds from subscribing until the queue was full.
    pub fill_secs: f64,
    /// What the `Lagged` notices reported once reading resumed.
    pub dropped: u64,
    pub baseline_kib: u64,
    pub peak_sampled_kib: u64,
    pub hwm_kib: u64,
}

/// Subscribes to `kind`'s flood stream, reads nothing until the queue is full and `stall` has passed,
/// then reads until the `Lagged` notice and `EVENTS_AFTER` events more (summing any later `Lagged`).
pub async fn measure(kind: Kind, queue_capacity: usize, stall: Duration) -> anyhow::Result<BacklogResult> {
    let child = spawn_sim(true).await?;
    let (baseline_kib, _) = rss_kib().context("reading /proc/self/status")?;
    let cfg = StreamsConfig { queue_capacity, ..StreamsConfig::default() };
    let stream: Stream = kind.stream().parse().context("stream name")?;
    let mut feed = Streams::connect_with(Env::Local(child.base.clone()), Product::Spot, cfg)
        .await
        .context("streams client: connect")?;
    feed.subscribe([stream]).await.context("streams client: subscribe")?;
    let handle = feed.handle();
    let started = tokio::time::Instant::now();
    let mut peak = baseline_kib;
    let mut fill_secs = None;
    let mut sample = tokio::time::interval(Duration::from_millis(50));
    // The consumer's stall: only the client's own tasks run, filling the queue.
    loop {
        sample.tick().await;
        if let Some((rss, _)) = rss_kib() {
            peak = peak.max(rss);
        }
        let elapsed = started.elapsed();
        if fill_secs.is_none() && handle.queued() >= queue_capacity {
            fill_secs = Some(elapsed.as_secs_f64());
        }
        // Past the stall, and full for a while: events are being dropped.
        if fill_secs.is_some_and(|f| elapsed >= stall && elapsed.as_secs_f64() - f >= 0.2) {
            break;
        }
        if elapsed > FILL_LIMIT {
            bail!("the queue held {} of {queue_capacity} events after {FILL_LIMIT:?}", handle.queued());
        }
    }
    let mut dropped = None;
    let mut after = 0u64;
    // Bounded: without a `Lagged` notice the loop would read the endless flood for ever.
    let read_until = tokio::time::Instant::now() + READ_LIMIT;
    while after < EVENTS_AFTER {
        let ev = tokio::time::timeout_at(read_until, feed.next()).await;
        let what = if dropped.is_none() { "no Lagged notice" } else { "too few events after the Lagged notice" };
        match ev.with_context(|| format!("{what} within {READ_LIMIT:?} of the stall's end"))? {
            Some(MarketEvent::Notice(Notice::Lagged { dropped: d })) => dropped = Some(dropped.unwrap_or(0) + d),
            Some(MarketEvent::Notice(n @ (Notice::Closed { .. } | Notice::Disconnected { .. }))) => {
                bail!("streams client: {n:?}")
            }
            Some(ev) if dropped.is_some() && kind.matches(&ev) => after += 1,
            Some(_) => {}
            None => bail!("streams client: feed ended"),
        }
    }
    let (_, hwm_kib) = rss_kib().context("reading /proc/self/status")?;
    feed.close();
    let _ = tokio::time::timeout(Duration::from_secs(2), async { while feed.next().await.is_some() {} }).await;
    Ok(BacklogResult {
        kind,
        queue_capacity,
        stall,
        fill_secs: fill_secs.unwrap_or_default(),
        dropped: dropped.unwrap_or_default(),
        baseline_kib,
        peak_sampled_kib: peak,
        hwm_kib,
    })
}

pub fn report(r: &BacklogResult, out: &Output) -> Vec<Figure> {
    if out.json {
        out.json_line(&json!({
            "bench": "backlog", "kind": r.kind.label(), "queue_capacity": r.queue_capacity,
            "stall_secs": r.stall.as_secs_f64(), "fill_secs": r.fill_secs, "dropped": r.dropped,
            "events_after": EVENTS_AFTER, "baseline_kib": r.baseline_kib, "peak_rss_kib": r.peak_sampled_kib,
            "vm_hwm_kib": r.hwm_kib, "limit_mib": LIMIT_MIB,
        }));
    } else {
        out.line(&format!(
            "backlog: {} flood, consumer stalled {:.1} s; queue of {} full after {:.2} s",
            r.kind.label(),
            r.stall.as_secs_f64(),
            r.queue_capacity,
            r.fill_secs
        ));
        out.line(&format!("  Lagged on resuming         {:>8} events dropped, then {EVENTS_AFTER} read", r.dropped));
        out.line(&format!("  RSS before the client      {:>8.1} MiB", mib(r.baseline_kib)));
        out.line(&format!("  RSS peak while stalled     {:>8.1} MiB", mib(r.peak_sampled_kib)));
        out.line(&format!("  VmHWM (process peak)       {:>8.1} MiB   (target < {LIMIT_MIB} MiB)", mib(r.hwm_kib)));
    }
    vec![Figure::new(
        format!("backlog, full queue of {}: VmHWM", r.queue_capacity),
        format!("{:.1} MiB", mib(r.hwm_kib)),
        Some((format!("< {LIMIT_MIB} MiB"), mib(r.hwm_kib) < LIMIT_MIB)),
    )]
}
