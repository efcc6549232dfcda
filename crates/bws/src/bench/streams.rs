//! `bws bench streams`: messages per second delivered by the streams client, against a bare
//! read-and-drop socket on the same flood feed, in alternating rounds within one process.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use binance_ws::env::{Env, Product};
use binance_ws::streams::{MarketEvent, Notice, Stream, Streams, StreamsConfig};
use futures::StreamExt;
use serde_json::json;

use super::stats::{median, rate};
use super::{Figure, Output};

/// How long one round may take before the benchmark gives up (a stuck feed, not a slow one).
const ROUND_LIMIT: Duration = Duration::from_secs(120);

/// The message kinds flood mode produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// `btcusdt@trade`
    Trade,
    /// `btcusdt@bookTicker`
    #[value(name = "bookTicker")]
    BookTicker,
    /// `btcusdt@depth@100ms` (diff depth)
    Depth,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Trade => "trade",
            Kind::BookTicker => "bookTicker",
            Kind::Depth => "depth",
        }
    }

    pub(super) fn stream(self) -> &'static str {
        match self {
            Kind::Trade => "btcusdt@trade",
            Kind::BookTicker => "btcusdt@bookTicker",
            Kind::Depth => "btcusdt@depth@100ms",
        }
    }

    pub(super) fn matches(self, ev: &MarketEvent) -> bool {
        matches!(
            (self, ev),
            (Kind::Trade, MarketEvent::Trade(_))
                | (Kind::BookTicker, MarketEvent::BookTicker(_))
                | (Kind::Depth, MarketEvent::DepthUpdate(_))
        )
    }
}

/// What one kind measured.
pub struct KindResult {
    pub kind: Kind,
    /// Messages per second of the streams client, per round.
    pub ours: Vec<f64>,
    /// Messages per second of the bare socket, per round.
    pub bare: Vec<f64>,
    /// Events the client dropped because the consumer fell behind (reported as `Lagged`).
    pub dropped: u64,
}

impl KindResult {
    /// Bare ÷ ours, the median of the per-round ratios (each round has one of each, back to back).
    pub fn bare_over_ours(&self) -> f64 {
        let r: Vec<f64> = self.ours.iter().zip(&self.bare).map(|(o, b)| b / o).collect();
        median(&r)
    }
}

/// One timed read of `n` messages: messages per second from the first to the last one, and drops.
pub struct Round {
    pub per_sec: f64,
    dropped: u64,
}

fn per_sec(n: u64, start: Option<Instant>) -> f64 {
    let secs = start.map(|s| s.elapsed().as_secs_f64()).unwrap_or(0.0);
    if secs > 0.0 {
        (n.saturating_sub(1)) as f64 / secs
    } else {
        0.0
    }
}

/// The streams client: subscribe to one stream and consume `n` events of its kind.
pub async fn ours_round(base: &str, kind: Kind, n: u64) -> anyhow::Result<Round> {
    let feed = Streams::connect_with(Env::Local(base.to_string()), Product::Spot, StreamsConfig::default())
        .await
        .context("streams client: connect")?;
    let stream: Stream = kind.stream().parse().context("stream name")?;
    let mut feed = feed.subscribed([stream]).await.context("streams client: subscribe")?;
    let read = async {
        let (mut got, mut dropped, mut start) = (0u64, 0u64, None);
        while got < n {
            match feed.next().await {
                Some(ev) if kind.matches(&ev) => {
                    if got == 0 {
                        start = Some(Instant::now());
                    }
                    got += 1;
                    std::hint::black_box(&ev);
                }
                Some(MarketEvent::Notice(Notice::Lagged { dropped: d })) => dropped += d,
                Some(MarketEvent::Notice(n)) => bail!("streams client: {n:?}"),
                Some(other) => bail!("streams client: unexpected event {other:?}"),
                None => bail!("streams client: feed ended after {got} messages"),
            }
        }
        Ok(Round { per_sec: per_sec(n, start), dropped })
    };
    let round = tokio::time::timeout(ROUND_LIMIT, read).await.context("streams client: round timed out")??;
    feed.close();
    Ok(round)
}

/// The floor: one tokio-websockets socket on the same combined URL, reading frames and dropping them.
async fn bare_round(base: &str, kind: Kind, n: u64) -> anyhow::Result<Round> {
    let url = format!("{}/stream?streams={}", base.trim_end_matches('/'), kind.stream());
    let mut ws = binance_ws::transport::connect(&url, Duration::from_secs(10)).await.context("bare socket: connect")?;
    let read = async {
        let (mut got, mut start) = (0u64, None);
        while got < n {
            match ws.next().await {
                Some(Ok(m)) if m.is_text() => {
                    if got == 0 {
                        start = Some(Instant::now());
                    }
                    got += 1;
                    std::hint::black_box(&m);
                }
                Some(Ok(m)) if m.is_close() => bail!("bare socket: closed by the server after {got} messages"),
                Some(Ok(_)) => {}
                Some(Err(e)) => bail!("bare socket: {e}"),
                None => bail!("bare socket: ended after {got} messages"),
            }
        }
        Ok(Round { per_sec: per_sec(n, start), dropped: 0 })
    };
    let round = tokio::time::timeout(ROUND_LIMIT, read).await.context("bare socket: round timed out")??;
    let _ = futures::SinkExt::close(&mut ws).await;
    Ok(round)
}

/// Runs `rounds` alternating rounds per kind (order swapped every round) after one warm-up of each.
pub async fn measure(base: &str, kinds: &[Kind], n: u64, rounds: usize) -> anyhow::Result<Vec<KindResult>> {
    let mut out = Vec::new();
    for &kind in kinds {
        let warm = n.min(20_000);
        ours_round(base, kind, warm).await?;
        bare_round(base, kind, warm).await?;
        let mut r = KindResult { kind, ours: Vec::new(), bare: Vec::new(), dropped: 0 };
        for i in 0..rounds {
            for ours_turn in if i % 2 == 0 { [true, false] } else { [false, true] } {
                if ours_turn {
                    let o = ours_round(base, kind, n).await?;
                    r.ours.push(o.per_sec);
                    r.dropped += o.dropped;
                } else {
                    r.bare.push(bare_round(base, kind, n).await?.per_sec);
                }
            }
        }
        out.push(r);
    }
    Ok(out)
}

/// Prints the results and returns the figures for the summary.
pub fn report(results: &[KindResult], n: u64, rounds: usize, out: &Output) -> Vec<Figure> {
    let mut figures = Vec::new();
    if !out.json {
        out.line(&format!(
            "streams: {n} messages per round, {rounds} alternating rounds per kind (median of rounds; ratio = median of per-round ratios)"
        ));
        out.line(&format!(
            "{:<12} {:>14} {:>14} {:>12} {:>8}",
            "kind", "binance-ws", "bare socket", "bare ÷ ws", "dropped"
        ));
    }
    for r in results {
        let (ours, bare, ratio) = (median(&r.ours), median(&r.bare), r.bare_over_ours());
        if out.json {
            out.json_line(&json!({
                "bench": "streams", "kind": r.kind.label(), "messages_per_round": n, "rounds": rounds,
                "ours_per_sec": ours, "bare_per_sec": bare, "bare_over_ours": ratio,
                "ours_rounds": r.ours, "bare_rounds": r.bare, "dropped": r.dropped,
            }));
        } else {
            out.line(&format!(
                "{:<12} {:>14} {:>14} {:>12.2} {:>8}",
                r.kind.label(),
                rate(ours),
                rate(bare),
                ratio,
                r.dropped
            ));
        }
        figures.push(Figure::new(format!("streams {} msgs/s", r.kind.label()), rate(ours), None));
        figures.push(Figure::new(
            format!("streams {} bare ÷ binance-ws", r.kind.label()),
            format!("{ratio:.2}"),
            Some(("≤ 2".to_string(), ratio <= 2.0)),
        ));
    }
    figures
}
