//! WebSocket API round trips over loopback against an in-process local exchange (`binance-ws-sim`):
//! one `ping` at a time (latency), and `ping`s with N requests in flight on one connection (throughput,
//! reported by criterion as requests per second).
//!
//! `cargo bench -p binance-ws --bench api_roundtrip`
//! Client, exchange and criterion share one tokio runtime (2 workers) on the same machine, so these
//! figures include the server's work; compare them as ratios within one run.

use std::time::{Duration, Instant};

use binance_ws::spot::Api;
use binance_ws::Env;
use binance_ws_sim::{Sim, SimConfig};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use futures::StreamExt;

fn roundtrip(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let (sim, api) = rt.block_on(async {
        // No request-weight limit: a benchmark sends far more than 6000 weight a minute.
        let sim = Sim::start(SimConfig { weight_per_minute: u64::MAX / 4, ..Default::default() }).await.expect("sim");
        let api = Api::connect(&Env::Local(sim.base_url()), None).await.expect("connect");
        api.ping().await.expect("ping");
        (sim, api)
    });

    let mut g = c.benchmark_group("api");
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
    drop(api);
    drop(sim);
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    targets = roundtrip
}
criterion_main!(benches);
