//! binance-ws against Binance's official Rust SDK (`binance-sdk`, Spot WebSocket API), in one process,
//! against one in-process local exchange (`binance-ws-sim`), over loopback.
//!
//! Three clients answer the same questions, in alternating blocks so that the machine's drift
//! (other processes, frequency changes) falls on all of them alike:
//!
//! * `binance-ws`: `spot::Api::ping()`, the typed call through the engine (in-flight map, connection task);
//! * `binance-sdk`: `WebsocketApi::ping(PingParams::default())` with `ws_url` set to the local exchange;
//! * `bare`: a floor, not a client: one tokio-websockets socket (opened with `binance_ws::transport::connect`)
//!   that writes `{"id":N,"method":"ping"}` and reads the next text frame, with no correlation at all.
//!
//! Measured: sequential ping round trips (median, p99) and pipelined pings with K in flight (requests/s),
//! against two servers in turn:
//!
//! * `sim`: the local exchange `binance-ws-sim`, as a user would run it;
//! * `echo`: a minimal in-process WebSocket server that answers every request at once with
//!   `{"id":..,"status":200,"result":{},"rateLimits":[..]}`, so that the clients' own costs are not
//!   hidden behind the server's.
//!
//! `cargo run --release --manifest-path peers/sdk-compare/Cargo.toml -- [--pings 5000] [--block 250]
//!  [--in-flight 100] [--pipelined 20000] [--rounds 6] [--workers 2] [--profile-ours N]`

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use binance_sdk::config::ConfigurationWebsocketApi;
use binance_sdk::spot::{websocket_api::PingParams, websocket_api::WebsocketApi, SpotWsApi};
use binance_ws::transport::WsStream;
use binance_ws::Env;
use binance_ws_sim::{Sim, SimConfig};
use futures::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio_websockets::{Message, ServerBuilder};

mod streams;

struct Args {
    pings: usize,
    block: usize,
    in_flight: usize,
    pipelined: usize,
    rounds: usize,
    workers: usize,
    /// Only `binance-ws` against `echo`: this many sequential, then pipelined pings (for `perf record`).
    profile_ours: usize,
}

fn args() -> Result<Args> {
    let mut a =
        Args { pings: 5000, block: 250, in_flight: 100, pipelined: 20_000, rounds: 6, workers: 2, profile_ours: 0 };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value: usize = it.next().with_context(|| format!("{flag} needs a value"))?.parse()?;
        match flag.as_str() {
            "--pings" => a.pings = value,
            "--block" => a.block = value,
            "--in-flight" => a.in_flight = value,
            "--pipelined" => a.pipelined = value,
            "--rounds" => a.rounds = value,
            "--workers" => a.workers = value,
            "--profile-ours" => a.profile_ours = value,
            other => anyhow::bail!("unknown flag {other}"),
        }
    }
    Ok(a)
}

/// The clients under test, behind one small interface.
enum Client {
    Ours(binance_ws::spot::Api),
    Sdk(WebsocketApi),
    Bare(tokio::sync::Mutex<(WsStream, u64)>),
}

impl Client {
    fn name(&self) -> &'static str {
        match self {
            Client::Ours(_) => "binance-ws",
            Client::Sdk(_) => "binance-sdk",
            Client::Bare(_) => "bare socket",
        }
    }

    async fn ping(&self) -> Result<()> {
        match self {
            Client::Ours(api) => {
                api.ping().await?;
            }
            Client::Sdk(api) => {
                let reply = api.ping(PingParams::default()).await?;
                let _: serde_json::Value = reply.data()?;
            }
            Client::Bare(socket) => {
                let mut guard = socket.lock().await;
                let (ws, next_id) = &mut *guard;
                *next_id += 1;
                ws.send(Message::text(format!("{{\"id\":{next_id},\"method\":\"ping\"}}"))).await?;
                loop {
                    let msg = ws.next().await.context("socket closed")??;
                    if msg.is_text() {
                        break;
                    }
                }
            }
        }
        Ok(())
    }

    /// `n` pings with up to `in_flight` outstanding; requests per second. The bare socket has no
    /// correlation and so cannot pipeline: it is left out of this test.
    async fn pipelined(&self, n: usize, in_flight: usize) -> Result<f64> {
        let start = Instant::now();
        let errors = std::sync::atomic::AtomicUsize::new(0);
        futures::stream::iter(0..n)
            .for_each_concurrent(in_flight, |_| async {
                if self.ping().await.is_err() {
                    errors.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            })
            .await;
        let secs = start.elapsed().as_secs_f64();
        let errors = errors.into_inner();
        anyhow::ensure!(errors == 0, "{}: {errors} of {n} pipelined pings failed", self.name());
        Ok(n as f64 / secs)
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    v[v.len() / 2]
}

/// The `echo` server: answers every text frame at once, echoing its `id`; returns its API URL.
async fn start_echo() -> Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else { continue };
            let _ = tcp.set_nodelay(true);
            tokio::spawn(async move {
                let Ok((_request, mut ws)) = ServerBuilder::new().accept(tcp).await else { return };
                while let Some(Ok(msg)) = ws.next().await {
                    if let Some(text) = msg.as_text() {
                        let id = serde_json::from_str::<Value>(text).ok().and_then(|v| v.get("id").cloned());
                        let id = id.unwrap_or(Value::Null);
                        let out = format!(
                            "{{\"id\":{id},\"status\":200,\"result\":{{}},\"rateLimits\":[{{\"rateLimitType\":\"REQUEST_WEIGHT\",\"interval\":\"MINUTE\",\"intervalNum\":1,\"limit\":6000,\"count\":1}}]}}"
                        );
                        if ws.send(Message::text(out)).await.is_err() {
                            return;
                        }
                    } else if msg.is_close() {
                        return;
                    }
                }
            });
        }
    });
    Ok(format!("ws://{addr}/ws-api/v3"))
}

async fn run(a: Args) -> Result<()> {
    // No request-weight limit: the benchmark sends far more than 6000 weight a minute.
    let sim = Sim::start(SimConfig { weight_per_minute: u64::MAX / 4, ..Default::default() }).await?;
    let echo = start_echo().await?;
    if a.profile_ours > 0 {
        let ours = Client::Ours(binance_ws::spot::Api::connect(&Env::Custom(echo), None).await?);
        let t = Instant::now();
        for _ in 0..a.profile_ours {
            ours.ping().await?;
        }
        println!(
            "binance-ws vs echo: {} pings, mean {:.1} µs",
            a.profile_ours,
            us(t.elapsed()) / a.profile_ours as f64
        );
        let rps = ours.pipelined(a.profile_ours, a.in_flight).await?;
        println!("binance-ws vs echo: {} pings, {} in flight, {rps:.0} req/s", a.profile_ours, a.in_flight);
        return Ok(());
    }
    println!("local exchange (sim) at {}, echo server at {echo}", sim.api_url());
    compare("sim", &sim.api_url(), &a).await?;
    compare("echo", &echo, &a).await?;
    Ok(())
}

/// Measures the three clients against the server at `url`.
async fn compare(server: &str, url: &str, a: &Args) -> Result<()> {
    println!("\n===== server: {server} =====");
    let ours = Client::Ours(binance_ws::spot::Api::connect(&Env::Custom(url.to_string()), None).await?);
    let sdk_config = ConfigurationWebsocketApi::builder().ws_url(url).build()?;
    let sdk = Client::Sdk(SpotWsApi::from_config(sdk_config).connect().await.context("binance-sdk connect")?);
    let bare_ws = binance_ws::transport::connect(url, Duration::from_secs(5)).await?;
    let bare = Client::Bare(tokio::sync::Mutex::new((bare_ws, 0)));
    let clients = [&ours, &sdk, &bare];

    // Warm-up: connections, allocators, caches.
    for c in clients {
        for _ in 0..500 {
            c.ping().await.with_context(|| format!("{} warm-up ping", c.name()))?;
        }
    }

    // 1. Sequential round trips, in alternating blocks.
    let mut lat: Vec<Vec<Duration>> = vec![Vec::with_capacity(a.pings); clients.len()];
    let blocks = a.pings.div_ceil(a.block);
    for b in 0..blocks {
        // Rotate the order each block so no client always runs right after another one.
        for k in 0..clients.len() {
            let i = (b + k) % clients.len();
            for _ in 0..a.block {
                let t = Instant::now();
                clients[i].ping().await?;
                lat[i].push(t.elapsed());
            }
        }
    }
    println!("ping round trip, {} sequential pings each, blocks of {} alternating:", blocks * a.block, a.block);
    println!("{:<12} {:>10} {:>10} {:>10}", "client", "median µs", "p99 µs", "mean µs");
    let mut medians = Vec::new();
    for (i, c) in clients.iter().enumerate() {
        let v = &mut lat[i];
        v.sort();
        let mean = v.iter().sum::<Duration>() / v.len() as u32;
        let (p50, p99) = (percentile(v, 0.5), percentile(v, 0.99));
        medians.push((us(p50), us(p99)));
        println!("{:<12} {:>10.1} {:>10.1} {:>10.1}", c.name(), us(p50), us(p99), us(mean));
    }
    println!(
        "ratio binance-ws / binance-sdk: median {:.2}, p99 {:.2} (target: median < 0.5)",
        medians[0].0 / medians[1].0,
        medians[0].1 / medians[1].1
    );
    println!(
        "ratio binance-ws / bare socket: median {:.2} (what the engine adds over the socket itself)",
        medians[0].0 / medians[2].0
    );

    // 2. Pipelined throughput, alternating rounds.
    let mut rps: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    for r in 0..a.rounds {
        for k in 0..2 {
            let i = (r + k) % 2;
            rps[i].push(clients[i].pipelined(a.pipelined, a.in_flight).await?);
        }
    }
    println!(
        "\npipelined pings, {} in flight, {} per round, {} rounds alternating:",
        a.in_flight, a.pipelined, a.rounds
    );
    let mut med = [0.0; 2];
    for i in 0..2 {
        let mut v = rps[i].clone();
        med[i] = median(&mut v);
        let rounds: Vec<String> = rps[i].iter().map(|x| format!("{x:.0}")).collect();
        println!("{:<12} median {:>9.0} req/s   rounds: {}", clients[i].name(), med[i], rounds.join(" "));
    }
    let ratios: Vec<f64> = rps[0].iter().zip(&rps[1]).map(|(o, s)| o / s).collect();
    let mut rv = ratios.clone();
    println!(
        "ratio binance-ws / binance-sdk: {:.2} (median of per-round ratios {:.2}; target: several times)",
        med[0] / med[1],
        median(&mut rv)
    );
    if let Client::Sdk(api) = &sdk {
        let _ = api.disconnect().await;
    }
    Ok(())
}

/// `streams [--messages N] [--rounds R] [--kinds a,b] [--workers W] [--profile-ours N]
/// [--profile-bare N]`: the streams comparison.
fn streams_args() -> Result<(streams::StreamsArgs, usize)> {
    let mut a = streams::StreamsArgs {
        messages: 200_000,
        rounds: 5,
        kinds: vec![streams::Kind::Trade, streams::Kind::BookTicker, streams::Kind::Depth],
        profile_ours: 0,
        profile_bare: 0,
    };
    let mut workers = 2;
    let mut it = std::env::args().skip(2);
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--messages" => a.messages = value.parse()?,
            "--rounds" => a.rounds = value.parse()?,
            "--workers" => workers = value.parse()?,
            "--kinds" => a.kinds = value.split(',').map(streams::Kind::parse).collect::<Result<_>>()?,
            "--profile-ours" => a.profile_ours = value.parse()?,
            "--profile-bare" => a.profile_bare = value.parse()?,
            other => anyhow::bail!("unknown flag {other}"),
        }
    }
    Ok((a, workers))
}

fn main() -> Result<()> {
    if std::env::args().nth(1).as_deref() == Some("streams") {
        let (a, workers) = streams_args()?;
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(workers).enable_all().build()?;
        return rt.block_on(streams::run(a));
    }
    let a = args()?;
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(a.workers).enable_all().build()?;
    rt.block_on(run(a))
}
