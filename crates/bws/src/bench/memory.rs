//! `bws bench memory`: resident memory of the streams client holding 1000 subscriptions. The local
//! exchange runs in a child process (`bws sim`), so that this process's memory is the client's own.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use binance_ws::env::{Env, Product};
use binance_ws::streams::{MarketEvent, Notice, Stream, Streams, StreamsConfig};
use futures::StreamExt;
use serde_json::json;

use super::stats::{mib, rss_kib};
use super::{Figure, Output};

/// The target from the issue.
const LIMIT_MIB: f64 = 64.0;

/// `count` distinct stream names: the busy streams of the exchange's three symbols first, then quiet ones
/// on made-up symbols (the exchange accepts any lower-case symbol).
pub fn stream_names(count: usize) -> Vec<String> {
    let kinds = ["trade", "aggTrade", "bookTicker", "depth@100ms", "depth20@100ms", "kline_1m", "miniTicker", "ticker"];
    let mut names = Vec::with_capacity(count);
    for sym in ["btcusdt", "ethusdt", "bnbusdt"] {
        names.extend(kinds.iter().map(|k| format!("{sym}@{k}")));
    }
    let mut i = 0;
    while names.len() < count {
        names.push(format!("q{:04}usdt@{}", i / kinds.len(), kinds[i % kinds.len()]));
        i += 1;
    }
    names.truncate(count);
    names
}

/// A `bws sim` child on a free port, killed when dropped.
pub struct ChildSim {
    child: Child,
    pub base: String,
}

impl Drop for ChildSim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `bws sim` (with `--flood` when `flood`) in a child process and waits until it listens.
pub async fn spawn_sim(flood: bool) -> anyhow::Result<ChildSim> {
    let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).context("finding a free port")?.port();
    let exe = std::env::current_exe().context("locating the bws binary")?;
    let port_arg = port.to_string();
    let mut args = vec!["sim", "--port", &port_arg];
    if flood {
        args.push("--flood");
    }
    let child = Command::new(exe)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("starting `bws sim` in a child process")?;
    let sim = ChildSim { child, base: format!("ws://127.0.0.1:{port}") };
    let deadline = Instant::now() + Duration::from_secs(30);
    while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        if Instant::now() > deadline {
            bail!("the local exchange (child process) did not listen on port {port} within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(sim)
}

/// What the memory benchmark saw.
pub struct MemoryResult {
    pub streams: usize,
    pub connections: usize,
    pub events: u64,
    pub subscribe_secs: f64,
    pub baseline_kib: u64,
    pub subscribed_kib: u64,
    pub peak_sampled_kib: u64,
    pub hwm_kib: u64,
}

pub async fn measure(url: Option<&str>, count: usize, hold: Duration) -> anyhow::Result<MemoryResult> {
    let child = match url {
        Some(_) => None,
        None => Some(spawn_sim(false).await?),
    };
    let base = url.map(str::to_string).or_else(|| child.as_ref().map(|c| c.base.clone())).unwrap_or_default();
    let (baseline_kib, _) = rss_kib().context("reading /proc/self/status")?;
    let names: Vec<Stream> =
        stream_names(count).iter().map(|n| n.parse()).collect::<Result<_, _>>().context("stream names")?;
    let started = Instant::now();
    let feed = Streams::connect_with(Env::Local(base), Product::Spot, StreamsConfig::default())
        .await
        .context("streams client: connect")?;
    feed.subscribe(names).await.context("streams client: subscribe")?;
    let subscribe_secs = started.elapsed().as_secs_f64();
    let handle = feed.handle();
    let streams = handle.subscriptions().await.len();
    let connections = handle.connections().await;
    let (subscribed_kib, _) = rss_kib().context("reading /proc/self/status")?;
    let mut feed = feed;
    let (mut events, mut peak) = (0u64, subscribed_kib);
    let end = tokio::time::Instant::now() + hold;
    let mut sample = tokio::time::interval(Duration::from_millis(100));
    loop {
        tokio::select! {
            ev = feed.next() => match ev {
                Some(MarketEvent::Notice(n @ (Notice::Closed { .. } | Notice::Disconnected { .. }))) => {
                    bail!("streams client: {n:?}")
                }
                Some(_) => events += 1,
                None => bail!("streams client: feed ended"),
            },
            _ = sample.tick() => {
                if let Some((rss, _)) = rss_kib() { peak = peak.max(rss); }
            }
            _ = tokio::time::sleep_until(end) => break,
        }
    }
    let (_, hwm_kib) = rss_kib().context("reading /proc/self/status")?;
    // Let the connections close before the exchange goes away (else they report it as lost).
    feed.close();
    let _ = tokio::time::timeout(Duration::from_secs(2), async { while feed.next().await.is_some() {} }).await;
    Ok(MemoryResult {
        streams,
        connections,
        events,
        subscribe_secs,
        baseline_kib,
        subscribed_kib,
        peak_sampled_kib: peak,
        hwm_kib,
    })
}

pub fn report(r: &MemoryResult, out: &Output) -> Vec<Figure> {
    let per_stream = (r.subscribed_kib.saturating_sub(r.baseline_kib)) as f64 / r.streams.max(1) as f64;
    if out.json {
        out.json_line(&json!({
            "bench": "memory", "streams": r.streams, "connections": r.connections, "events": r.events,
            "subscribe_secs": r.subscribe_secs, "baseline_kib": r.baseline_kib, "subscribed_kib": r.subscribed_kib,
            "peak_rss_kib": r.peak_sampled_kib, "vm_hwm_kib": r.hwm_kib, "kib_per_stream": per_stream,
            "limit_mib": LIMIT_MIB,
        }));
    } else {
        out.line(&format!(
            "memory: {} streams on {} connection(s), subscribed in {:.2} s, {} events while held",
            r.streams, r.connections, r.subscribe_secs, r.events
        ));
        out.line(&format!("  RSS before the client      {:>8.1} MiB", mib(r.baseline_kib)));
        out.line(&format!("  RSS once subscribed        {:>8.1} MiB", mib(r.subscribed_kib)));
        out.line(&format!("  RSS peak while held        {:>8.1} MiB", mib(r.peak_sampled_kib)));
        out.line(&format!("  VmHWM (process peak)       {:>8.1} MiB   (target < {LIMIT_MIB} MiB)", mib(r.hwm_kib)));
        out.line(&format!("  per subscribed stream      {per_stream:>8.2} KiB"));
    }
    vec![Figure::new(
        format!("memory, {} streams: VmHWM", r.streams),
        format!("{:.1} MiB", mib(r.hwm_kib)),
        Some((format!("< {LIMIT_MIB} MiB"), mib(r.hwm_kib) < LIMIT_MIB)),
    )]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_distinct_valid_and_counted() {
        let names = stream_names(1000);
        assert_eq!(names.len(), 1000);
        let set: std::collections::HashSet<_> = names.iter().collect();
        assert_eq!(set.len(), 1000);
        for n in &names {
            let s: Stream = n.parse().expect("a valid stream name");
            assert_eq!(&s.name(), n);
        }
    }
}
