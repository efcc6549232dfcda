//! `bws bench`: end-to-end figures against the local exchange (or one already running), printed as
//! tables or, with `--json`, as one JSON object per line. Comparisons run in one process with A and B
//! alternating, so that a shared machine's drift falls on both; quote the ratios.

mod api;
mod backlog;
mod memory;
mod stats;
mod streams;

use std::time::Duration;

use anyhow::Context;
use binance_ws::env::Env;
use binance_ws::streams::StreamsConfig;
use binance_ws_sim::flood::FloodConfig;
use binance_ws_sim::{Sim, SimConfig};
use clap::{Args, Subcommand};
use serde_json::json;

use crate::cli::Global;
use crate::style;
pub use streams::Kind;

/// `bws bench`.
#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Small counts (seconds, not minutes): checks that everything runs, the figures mean little.
    #[arg(long, global = true)]
    pub quick: bool,
    /// Which benchmark; all four and a summary when omitted.
    #[command(subcommand)]
    pub what: Option<BenchWhat>,
}

#[derive(Subcommand, Debug)]
pub enum BenchWhat {
    /// Messages/s of the streams client vs a bare read-and-drop socket on the exchange's flood feed.
    ///
    /// Example: bws bench streams --kinds trade --rounds 7
    Streams(StreamsArgs),
    /// Peak resident memory of the streams client holding 1000 subscriptions.
    ///
    /// Example: bws bench memory --streams 1000 --hold 10
    Memory(MemoryArgs),
    /// Peak resident memory while the consumer stops reading a flood feed (the queue fills, then drops).
    ///
    /// Example: bws bench backlog --kind depth --stall 5
    Backlog(BacklogArgs),
    /// Ping round trip (median, p99) and pipelined pings/s with the spot API client.
    ///
    /// Example: bws bench api --pings 5000
    Api(ApiBenchArgs),
}

/// `bws bench streams`.
#[derive(Args, Debug, Default)]
pub struct StreamsArgs {
    /// Base URL of a flood-mode exchange already running (`bws sim --flood`), e.g. ws://127.0.0.1:9443;
    /// default: one started in-process.
    #[arg(long)]
    pub url: Option<String>,
    /// Messages per round (default 200000; --quick 2000).
    #[arg(long)]
    pub messages: Option<u64>,
    /// Rounds per client and kind, alternating (default 5; --quick 1).
    #[arg(long)]
    pub rounds: Option<usize>,
    /// Message kinds (default all three).
    #[arg(long, value_delimiter = ',')]
    pub kinds: Vec<Kind>,
    /// Only the streams client, no bare socket and no ratio (for `perf record`).
    #[arg(long)]
    pub profile_ours: bool,
}

/// `bws bench memory`.
#[derive(Args, Debug, Default)]
pub struct MemoryArgs {
    /// Base URL of an exchange already running; default: `bws sim` in a child process.
    #[arg(long)]
    pub url: Option<String>,
    /// Streams to subscribe (default 1000).
    #[arg(long)]
    pub streams: Option<usize>,
    /// Seconds to hold the subscriptions while consuming events (default 10; --quick 1).
    #[arg(long)]
    pub hold: Option<f64>,
}

/// `bws bench backlog`.
#[derive(Args, Debug, Default)]
pub struct BacklogArgs {
    /// The flood stream's kind (default depth: the largest frames).
    #[arg(long)]
    pub kind: Option<Kind>,
    /// The client's queue capacity (default 65536, the client's default; --quick 4096).
    #[arg(long)]
    pub queue: Option<usize>,
    /// Seconds the consumer reads nothing, at least until the queue is full (default 5; --quick 0.5).
    #[arg(long)]
    pub stall: Option<f64>,
}

/// `bws bench api`.
#[derive(Args, Debug, Default)]
pub struct ApiBenchArgs {
    /// WebSocket API URL of an exchange already running, e.g. ws://127.0.0.1:9443/ws-api/v3;
    /// default: one started in-process.
    #[arg(long)]
    pub url: Option<String>,
    /// Sequential pings (default 5000; --quick 100).
    #[arg(long)]
    pub pings: Option<usize>,
    /// Pipelined pings (default 50000; --quick 500).
    #[arg(long)]
    pub pipelined: Option<usize>,
    /// Requests in flight for the pipelined pings (default 100).
    #[arg(long)]
    pub in_flight: Option<usize>,
}

/// Where results go: tables for people or JSON lines for scripts.
pub struct Output {
    pub json: bool,
}

impl Output {
    fn line(&self, text: &str) {
        style::out(text);
    }

    fn json_line(&self, v: &serde_json::Value) {
        style::out(&v.to_string());
    }
}

/// One line of the summary table.
pub struct Figure {
    name: String,
    value: String,
    /// The target and whether this run met it.
    target: Option<(String, bool)>,
}

impl Figure {
    fn new(name: String, value: String, target: Option<(String, bool)>) -> Figure {
        Figure { name, value, target }
    }
}

pub async fn run(args: BenchArgs, global: &Global) -> anyhow::Result<i32> {
    let out = Output { json: global.json };
    let quick = args.quick;
    let mut figures = Vec::new();
    match args.what {
        Some(BenchWhat::Streams(a)) => figures.extend(run_streams(a, quick, &out).await?),
        Some(BenchWhat::Memory(a)) => figures.extend(run_memory(a, quick, &out).await?),
        Some(BenchWhat::Backlog(a)) => figures.extend(run_backlog(a, quick, &out).await?),
        Some(BenchWhat::Api(a)) => figures.extend(run_api(a, quick, &out).await?),
        None => {
            // Memory first, then the backlog: VmHWM is the process's peak, and each later step may raise it.
            figures.extend(run_memory(MemoryArgs::default(), quick, &out).await?);
            figures.extend(run_backlog(BacklogArgs::default(), quick, &out).await?);
            figures.extend(run_streams(StreamsArgs::default(), quick, &out).await?);
            figures.extend(run_api(ApiBenchArgs::default(), quick, &out).await?);
        }
    }
    summary(&figures, &out);
    Ok(0)
}

async fn run_streams(a: StreamsArgs, quick: bool, out: &Output) -> anyhow::Result<Vec<Figure>> {
    let n = a.messages.unwrap_or(if quick { 2_000 } else { 200_000 }).max(2);
    let rounds = a.rounds.unwrap_or(if quick { 1 } else { 5 }).max(1);
    let kinds = if a.kinds.is_empty() { vec![Kind::Trade, Kind::BookTicker, Kind::Depth] } else { a.kinds };
    let (base, _sim) = match a.url {
        Some(url) => (url, None),
        None => {
            let flood = FloodConfig { rate_per_sec: None, total: None, ..Default::default() };
            let config = SimConfig { flood: Some(flood), activity: None, ..Default::default() };
            let sim = Sim::start(config).await.context("starting the local exchange in flood mode")?;
            (sim.base_url(), Some(sim))
        }
    };
    if a.profile_ours {
        for kind in kinds {
            for _ in 0..rounds {
                let r = streams::ours_round(&base, kind, n).await?;
                out.line(&format!("{} binance-ws {}", kind.label(), stats::rate(r.per_sec)));
            }
        }
        return Ok(Vec::new());
    }
    let results = streams::measure(&base, &kinds, n, rounds).await?;
    Ok(streams::report(&results, n, rounds, out))
}

async fn run_memory(a: MemoryArgs, quick: bool, out: &Output) -> anyhow::Result<Vec<Figure>> {
    let count = a.streams.unwrap_or(1000).max(1);
    let hold = Duration::from_secs_f64(a.hold.unwrap_or(if quick { 1.0 } else { 10.0 }).max(0.0));
    let r = memory::measure(a.url.as_deref(), count, hold).await?;
    Ok(memory::report(&r, out))
}

async fn run_backlog(a: BacklogArgs, quick: bool, out: &Output) -> anyhow::Result<Vec<Figure>> {
    let kind = a.kind.unwrap_or(Kind::Depth);
    let queue = a.queue.unwrap_or(if quick { 4_096 } else { StreamsConfig::default().queue_capacity }).max(1);
    let stall = Duration::from_secs_f64(a.stall.unwrap_or(if quick { 0.5 } else { 5.0 }).max(0.0));
    let r = backlog::measure(kind, queue, stall).await?;
    Ok(backlog::report(&r, out))
}

async fn run_api(a: ApiBenchArgs, quick: bool, out: &Output) -> anyhow::Result<Vec<Figure>> {
    let pings = a.pings.unwrap_or(if quick { 100 } else { 5_000 }).max(1);
    let pipelined = a.pipelined.unwrap_or(if quick { 500 } else { 50_000 });
    let in_flight = a.in_flight.unwrap_or(100);
    let (env, _sim) = match a.url {
        Some(url) => (Env::Custom(url), None),
        None => {
            // No request-weight limit: the benchmark sends far more than 6000 weight a minute.
            let config = SimConfig { weight_per_minute: u64::MAX / 4, activity: None, ..Default::default() };
            let sim = Sim::start(config).await.context("starting the local exchange")?;
            (Env::Local(sim.base_url()), Some(sim))
        }
    };
    let r = api::measure(&env, pings, pipelined, in_flight).await?;
    Ok(api::report(&r, out))
}

fn summary(figures: &[Figure], out: &Output) {
    if out.json {
        let rows: Vec<_> = figures
            .iter()
            .map(|f| {
                json!({"name": f.name, "value": f.value, "target": f.target.as_ref().map(|t| &t.0),
                       "met": f.target.as_ref().map(|t| t.1)})
            })
            .collect();
        out.json_line(&json!({"bench": "summary", "figures": rows}));
        return;
    }
    style::heading("summary");
    out.line(&format!("{:<40} {:>14} {:>10}  {}", "figure", "value", "target", ""));
    for f in figures {
        let (target, verdict) = match &f.target {
            Some((t, true)) => (t.as_str(), style::green("met")),
            Some((t, false)) => (t.as_str(), style::red("missed")),
            None => ("", String::new()),
        };
        out.line(&format!("{:<40} {:>14} {:>10}  {verdict}", f.name, f.value, target));
    }
}
