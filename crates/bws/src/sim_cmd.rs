//! `bws sim`: the local exchange as a server.

use anyhow::Context;
use binance_ws_sim::config::{DEFAULT_ED25519_API_KEY, DEFAULT_HMAC_API_KEY, DEFAULT_HMAC_SECRET};
use binance_ws_sim::{Sim, SimConfig};

use crate::cli::SimArgs;
use crate::style;

pub async fn run(args: SimArgs) -> anyhow::Result<i32> {
    let mut config = SimConfig { bind: (args.host, args.port).into(), seed: args.seed, ..Default::default() };
    if args.flood {
        // Endless pre-encoded frames on every stream connection; no simulated traders.
        let flood = binance_ws_sim::flood::FloodConfig { rate_per_sec: None, total: None, ..Default::default() };
        config.flood = Some(flood);
        config.activity = None;
    }
    let sim = Sim::start(config).await.context("starting the local exchange")?;
    style::out(&style::bold("local exchange running (Ctrl-C to stop)"));
    style::out(&format!("  WebSocket API     {}", sim.api_url()));
    style::out(&format!("  streams (raw)     {}/ws/<stream>", sim.base_url()));
    style::out(&format!("  streams (combined){}/stream?streams=<a>/<b>", sim.base_url()));
    style::out(&format!("  test HMAC key     {DEFAULT_HMAC_API_KEY}"));
    style::out(&format!("  test HMAC secret  {DEFAULT_HMAC_SECRET}"));
    println!(
        "  test Ed25519 key  {DEFAULT_ED25519_API_KEY} (private key: the published test key, see `bws sim --help`)"
    );
    tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")?;
    style::out("stopped");
    Ok(0)
}
