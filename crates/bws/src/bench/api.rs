//! `bws bench api`: ping round trips and pipelined pings with the spot API client.

use std::time::Instant;

use anyhow::Context;
use binance_ws::env::Env;
use binance_ws::spot::Api;
use futures::StreamExt;
use serde_json::json;

use super::stats::{median, percentile, rate, us};
use super::{Figure, Output};

pub struct ApiResult {
    pub pings: usize,
    pub median_us: f64,
    pub p99_us: f64,
    pub pipelined: usize,
    pub in_flight: usize,
    pub per_sec: f64,
}

/// `env` is where the API is; `pings` sequential pings, then `pipelined` with `in_flight` outstanding.
pub async fn measure(env: &Env, pings: usize, pipelined: usize, in_flight: usize) -> anyhow::Result<ApiResult> {
    let api = Api::connect(env, None).await.context("API client: connect")?;
    for _ in 0..pings.min(200) {
        api.ping().await.context("API client: warm-up ping")?;
    }
    let mut lat = Vec::with_capacity(pings);
    for _ in 0..pings {
        let t = Instant::now();
        api.ping().await.context("API client: ping")?;
        lat.push(us(t.elapsed()));
    }
    let start = Instant::now();
    let results: Vec<_> = futures::stream::iter(0..pipelined)
        .map(|_| async { api.ping().await })
        .buffer_unordered(in_flight.max(1))
        .collect()
        .await;
    let secs = start.elapsed().as_secs_f64();
    let failed = results.iter().filter(|r| r.is_err()).count();
    if let Some(Err(e)) = results.into_iter().find(|r| r.is_err()) {
        anyhow::bail!("API client: {failed} of {pipelined} pipelined pings failed, first: {e}");
    }
    Ok(ApiResult {
        pings,
        median_us: median(&lat),
        p99_us: percentile(&lat, 0.99),
        pipelined,
        in_flight,
        per_sec: if secs > 0.0 { pipelined as f64 / secs } else { 0.0 },
    })
}

pub fn report(r: &ApiResult, out: &Output) -> Vec<Figure> {
    if out.json {
        out.json_line(&json!({
            "bench": "api", "pings": r.pings, "median_us": r.median_us, "p99_us": r.p99_us,
            "pipelined": r.pipelined, "in_flight": r.in_flight, "pipelined_per_sec": r.per_sec,
        }));
    } else {
        out.line(&format!(
            "api: {} sequential pings: median {:.1} µs, p99 {:.1} µs; {} pipelined ({} in flight): {}",
            r.pings,
            r.median_us,
            r.p99_us,
            r.pipelined,
            r.in_flight,
            rate(r.per_sec)
        ));
    }
    vec![
        Figure::new("api ping median".into(), format!("{:.1} µs", r.median_us), None),
        Figure::new("api ping p99".into(), format!("{:.1} µs", r.p99_us), None),
        Figure::new(format!("api pipelined ({} in flight)", r.in_flight), rate(r.per_sec), None),
    ]
}
