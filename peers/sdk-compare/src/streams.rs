//! Streams mode: binance-ws's streams client, binance-sdk's spot WebSocket streams client and a bare
//! read-and-drop socket read the same flood feed of the local exchange (`SimConfig.flood`), one after the
//! other in rotating order, round after round, in one process. Each round opens a fresh connection to one
//! stream and times the first to the N-th message of its kind.
//!
//! `cargo run --release --manifest-path peers/sdk-compare/Cargo.toml -- streams [--messages 200000]
//!  [--rounds 5] [--kinds trade,bookTicker,depth] [--workers 2] [--profile-ours N] [--profile-bare N]`
//!
//! `--profile-ours N` runs binance-ws alone, one round of N messages per kind, for a profiler to watch;
//! `--profile-bare N` the bare socket the same way.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use binance_sdk::config::ConfigurationWebsocketStreams;
use binance_sdk::spot::websocket_streams::{
    BookTickerParams, BookTickerResponse, DiffBookDepthParams, DiffBookDepthResponse, DiffBookDepthUpdateSpeedEnum,
    TradeParams, TradeResponse, WebsocketStreams,
};
use binance_sdk::spot::SpotWsStreams;
use binance_ws::env::{Env, Product};
use binance_ws::streams::{MarketEvent, Notice, Stream, Streams, StreamsConfig};
use binance_ws_sim::flood::FloodConfig;
use binance_ws_sim::{Sim, SimConfig};
use futures::StreamExt;

const ROUND_LIMIT: Duration = Duration::from_secs(120);

pub struct StreamsArgs {
    pub messages: u64,
    pub rounds: usize,
    pub kinds: Vec<Kind>,
    pub profile_ours: u64,
    pub profile_bare: u64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Trade,
    BookTicker,
    Depth,
}

impl Kind {
    pub fn parse(s: &str) -> Result<Kind> {
        Ok(match s {
            "trade" => Kind::Trade,
            "bookTicker" => Kind::BookTicker,
            "depth" => Kind::Depth,
            other => bail!("unknown kind {other} (trade, bookTicker, depth)"),
        })
    }

    fn label(self) -> &'static str {
        match self {
            Kind::Trade => "trade",
            Kind::BookTicker => "bookTicker",
            Kind::Depth => "depth",
        }
    }

    fn stream(self) -> &'static str {
        match self {
            Kind::Trade => "btcusdt@trade",
            Kind::BookTicker => "btcusdt@bookTicker",
            Kind::Depth => "btcusdt@depth@100ms",
        }
    }

    fn matches(self, ev: &MarketEvent) -> bool {
        matches!(
            (self, ev),
            (Kind::Trade, MarketEvent::Trade(_))
                | (Kind::BookTicker, MarketEvent::BookTicker(_))
                | (Kind::Depth, MarketEvent::DepthUpdate(_))
        )
    }
}

#[derive(Clone, Copy)]
enum Client {
    Ours,
    Sdk,
    Bare,
}

impl Client {
    fn name(self) -> &'static str {
        match self {
            Client::Ours => "binance-ws",
            Client::Sdk => "binance-sdk",
            Client::Bare => "bare socket",
        }
    }

    async fn round(self, base: &str, kind: Kind, n: u64) -> Result<f64> {
        let r = match self {
            Client::Ours => tokio::time::timeout(ROUND_LIMIT, ours(base, kind, n)).await,
            Client::Sdk => tokio::time::timeout(ROUND_LIMIT, sdk(base, kind, n)).await,
            Client::Bare => tokio::time::timeout(ROUND_LIMIT, bare(base, kind, n)).await,
        };
        r.with_context(|| format!("{}: round timed out", self.name()))?.with_context(|| self.name())
    }
}

fn rate(n: u64, secs: f64) -> f64 {
    if secs > 0.0 {
        n.saturating_sub(1) as f64 / secs
    } else {
        0.0
    }
}

async fn ours(base: &str, kind: Kind, n: u64) -> Result<f64> {
    let feed = Streams::connect_with(Env::Local(base.into()), Product::Spot, StreamsConfig::default()).await?;
    let stream: Stream = kind.stream().parse()?;
    let mut feed = feed.subscribed([stream]).await?;
    let (mut got, mut start) = (0u64, Instant::now());
    while got < n {
        match feed.next().await {
            Some(ev) if kind.matches(&ev) => {
                if got == 0 {
                    start = Instant::now();
                }
                got += 1;
                std::hint::black_box(&ev);
            }
            Some(MarketEvent::Notice(Notice::Lagged { .. })) => {}
            Some(other) => bail!("unexpected {other:?}"),
            None => bail!("feed ended after {got}"),
        }
    }
    let r = rate(n, start.elapsed().as_secs_f64());
    feed.close();
    Ok(r)
}

async fn bare(base: &str, kind: Kind, n: u64) -> Result<f64> {
    let url = format!("{base}/stream?streams={}", kind.stream());
    let mut ws = binance_ws::transport::connect(&url, Duration::from_secs(10)).await?;
    let (mut got, mut start) = (0u64, Instant::now());
    while got < n {
        match ws.next().await {
            Some(Ok(m)) if m.is_text() => {
                if got == 0 {
                    start = Instant::now();
                }
                got += 1;
                std::hint::black_box(&m);
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => bail!("{e}"),
            None => bail!("socket ended after {got}"),
        }
    }
    let r = rate(n, start.elapsed().as_secs_f64());
    let _ = futures::SinkExt::close(&mut ws).await;
    Ok(r)
}

/// Counts typed messages handed to binance-sdk's callback; times the first to the N-th.
struct Counter {
    n: u64,
    got: AtomicU64,
    start: Mutex<Option<Instant>>,
    done: tokio::sync::Notify,
    secs: Mutex<f64>,
}

impl Counter {
    fn hit(&self) {
        let c = self.got.fetch_add(1, Ordering::Relaxed) + 1;
        if c == 1 {
            *self.start.lock().expect("lock") = Some(Instant::now());
        }
        if c == self.n {
            let start = self.start.lock().expect("lock").unwrap_or_else(Instant::now);
            *self.secs.lock().expect("lock") = start.elapsed().as_secs_f64();
            self.done.notify_one();
        }
    }
}

async fn sdk(base: &str, kind: Kind, n: u64) -> Result<f64> {
    let cfg = ConfigurationWebsocketStreams::builder().ws_url(base.to_string()).build()?;
    let conn: WebsocketStreams = SpotWsStreams::from_config(cfg).connect().await.context("connect")?;
    let counter = Arc::new(Counter {
        n,
        got: AtomicU64::new(0),
        start: Mutex::new(None),
        done: tokio::sync::Notify::new(),
        secs: Mutex::new(0.0),
    });
    let c = counter.clone();
    match kind {
        Kind::Trade => {
            let s = conn.trade(TradeParams::builder("btcusdt".into()).build()?).await?;
            s.on_message(move |t: TradeResponse| {
                std::hint::black_box(&t);
                c.hit()
            });
        }
        Kind::BookTicker => {
            let s = conn.book_ticker(BookTickerParams::builder("btcusdt".into()).build()?).await?;
            s.on_message(move |t: BookTickerResponse| {
                std::hint::black_box(&t);
                c.hit()
            });
        }
        Kind::Depth => {
            let params = DiffBookDepthParams::builder("btcusdt".into())
                .update_speed(DiffBookDepthUpdateSpeedEnum::UpdateSpeed100ms)
                .build()?;
            let s = conn.diff_book_depth(params).await?;
            s.on_message(move |t: DiffBookDepthResponse| {
                std::hint::black_box(&t);
                c.hit()
            });
        }
    }
    counter.done.notified().await;
    let secs = *counter.secs.lock().expect("lock");
    let _ = conn.disconnect().await;
    Ok(rate(n, secs))
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    s.get(s.len() / 2).copied().unwrap_or(0.0)
}

pub async fn run(a: StreamsArgs) -> Result<()> {
    let flood = FloodConfig { rate_per_sec: None, total: None, ..Default::default() };
    let sim = Sim::start(SimConfig { flood: Some(flood), activity: None, ..Default::default() }).await?;
    let base = sim.base_url();
    let clients = [Client::Ours, Client::Sdk, Client::Bare];
    println!(
        "streams: flood feed at {base}; {} messages per round, {} rounds, client order rotated every round",
        a.messages, a.rounds
    );
    for (client, n) in [(Client::Ours, a.profile_ours), (Client::Bare, a.profile_bare)] {
        if n > 0 {
            for &kind in &a.kinds {
                let r = client.round(&base, kind, n).await?;
                println!("{}: {} alone {r:.0} msgs/s", kind.label(), client.name());
            }
            return Ok(());
        }
    }
    for &kind in &a.kinds {
        for c in clients {
            c.round(&base, kind, a.messages.min(20_000)).await.context("warm-up")?;
        }
        let mut rates: Vec<Vec<f64>> = vec![Vec::new(); clients.len()];
        for r in 0..a.rounds {
            for k in 0..clients.len() {
                let i = (r + k) % clients.len();
                rates[i].push(clients[i].round(&base, kind, a.messages).await?);
            }
        }
        println!("\n{} ({}):", kind.label(), kind.stream());
        for (i, c) in clients.iter().enumerate() {
            let rounds: Vec<String> = rates[i].iter().map(|x| format!("{:.0}k", x / 1e3)).collect();
            println!("  {:<12} median {:>9.0} msgs/s   rounds: {}", c.name(), median(&rates[i]), rounds.join(" "));
        }
        let per_round =
            |a: usize, b: usize| -> Vec<f64> { rates[a].iter().zip(&rates[b]).map(|(x, y)| x / y).collect() };
        println!(
            "  binance-ws / binance-sdk: {:.2} (median of per-round ratios; target >= 3)",
            median(&per_round(0, 1))
        );
        println!(
            "  bare / binance-ws:        {:.2} (median of per-round ratios; target <= 2)",
            median(&per_round(2, 0))
        );
    }
    Ok(())
}
