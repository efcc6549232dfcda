//! WebSocket API round trips over loopback: one `ping` at a time (latency), and `ping`s with N requests
//! in flight on one connection (throughput, reported by criterion as requests per second), against two
//! in-process servers:
//!
//! * `api_sim`: the local exchange (`binance-ws-sim`), as users run it;
//! * `api_echo`: a minimal WebSocket server that answers every request at once with
//!   `{"id":..,"status":200,"result":{},"rateLimits":[..]}`. The exchange's own reply path costs far
//!   more than the client (see docs/BENCHMARKS.md), so this group is the one that tracks the client.
//!
//! `cargo bench -p binance-ws --bench api_roundtrip`
//! Client, exchange and criterion share one tokio runtime (2 workers) on the same machine, so these
//! figures include the server's work; compare them as ratios within one run.

use std::time::{Duration, Instant};

use binance_ws::spot::Api;
use binance_ws::Env;
use binance_ws_sim::{Sim, SimConfig};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use futures::{SinkExt, StreamExt};
use tokio::net::TcpListener;
use tokio_websockets::{Message, ServerBuilder};

/// The echo server: answers every text frame at once, echoing its `id`. Returns its API URL.
async fn start_echo() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let _ = tcp.set_nodelay(true);
            tokio::spawn(async move {
                let Ok((_request, mut ws)) = ServerBuilder::new().accept(tcp).await else { return };
                while let Some(Ok(msg)) = ws.next().await {
                    let Some(text) = msg.as_text() else { continue };
                    let id = serde_json::from_str::<serde_json::Value>(text).ok().and_then(|v| v.get("id").cloned());
                    let out = format!(
                        r#"{{"id":{},"status":200,"result":{{}},"rateLimits":[{{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000,"count":1}}]}}"#,
                        id.unwrap_or_default()
                    );
                    if ws.send(Message::text(out)).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    format!("ws://{addr}/ws-api/v3")
}

fn roundtrip(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let (sim, on_sim, on_echo) = rt.block_on(async {
        // No request-weight limit: a benchmark sends far more than 6000 weight a minute.
        let sim = Sim::start(SimConfig { weight_per_minute: u64::MAX / 4, ..Default::default() }).await.expect("sim");
        let on_sim = Api::connect(&Env::Local(sim.base_url()), None).await.expect("connect to the sim");
        let on_echo = Api::connect(&Env::Custom(start_echo().await), None).await.expect("connect to echo");
        on_sim.ping().await.expect("ping");
        on_echo.ping().await.expect("ping");
        (sim, on_sim, on_echo)
    });
    group(c, &rt, "api_sim", &on_sim);
    group(c, &rt, "api_echo", &on_echo);
    drop((on_sim, on_echo));
    drop(sim);
}

fn group(c: &mut Criterion, rt: &tokio::runtime::Runtime, name: &str, api: &Api) {
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Elements(1));
    g.bench_function("ping_roundtrip", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    api.ping().await.expect("ping");
                }
                start.elapsed()
            })
        })
    });
    for in_flight in [10usize, 100] {
        g.bench_function(BenchmarkId::new("ping_pipelined", in_flight), |b| {
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let start = Instant::now();
                    futures::stream::iter(0..iters)
                        .for_each_concurrent(in_flight, |_| async {
                            api.ping().await.expect("ping");
                        })
                        .await;
                    start.elapsed()
                })
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    targets = roundtrip
}
criterion_main!(benches);
