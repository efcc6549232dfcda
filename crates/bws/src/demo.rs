//! `bws demo`: starts the local exchange in-process and walks through the library's capabilities.

use std::time::{Duration, Instant};

use anyhow::Context;
use binance_ws::api::{ApiClient, ApiConfig, Security};
use binance_ws::env::{Env, Product};
use binance_ws::Credentials;
use binance_ws_sim::config::{DEFAULT_ED25519_API_KEY, DEFAULT_ED25519_PRIVATE_PEM};
use binance_ws_sim::{Sim, SimConfig};
use serde_json::{json, Value};

use crate::cli::DemoArgs;
use crate::style;

pub async fn run(args: DemoArgs) -> anyhow::Result<i32> {
    let started = Instant::now();
    let pause = if args.fast { Duration::ZERO } else { Duration::from_millis(300) };
    style::heading("Local exchange");
    let sim = Sim::start(SimConfig::default()).await.context("starting the local exchange")?;
    style::ok(&format!("listening at {}", sim.base_url()));

    style::heading("WebSocket API");
    let env = Env::Local(sim.base_url());
    let creds = Credentials::from_pem(DEFAULT_ED25519_API_KEY, DEFAULT_ED25519_PRIVATE_PEM)?;
    let api = ApiClient::connect(&env.api_url(Product::Spot), Some(creds), ApiConfig::default()).await?;
    style::ok(&format!("connected, Ed25519 session logged on: {}", api.is_logged_on()));
    let t0 = Instant::now();
    api.call("ping", Value::Null, Security::None).await?;
    style::ok(&format!("ping answered in {:?}", t0.elapsed()));
    let time: Value = api.call("time", Value::Null, Security::None).await?;
    style::ok(&format!("server time {} (clock offset {} ms)", time["serverTime"], api.time_offset_ms()));
    let status: Value = api.call("session.status", json!({}), Security::None).await?;
    style::ok(&format!(
        "session.status: apiKey {}…",
        &status["apiKey"].as_str().unwrap_or("-").chars().take(8).collect::<String>()
    ));
    if let Some((count, limit)) = api.rate_limits().request_weight() {
        style::ok(&format!("request weight used {count} of {limit} per minute"));
    }
    tokio::time::sleep(pause).await;

    style::heading("Failure paths, reported clearly");
    match api.call("no.such.method", Value::Null, Security::None).await {
        Err(e) => style::ok(&format!("unknown method refused: {e}")),
        Ok(_) => anyhow::bail!("the exchange accepted an unknown method"),
    }

    println!("\n{} in {:.1?}", style::green("demo finished"), started.elapsed());
    Ok(0)
}
