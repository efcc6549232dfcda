//! `bws sim`: the local exchange as a server: spot, USDⓈ-M and COIN-M futures and the DEX on one port.

use anyhow::Context;
use binance_ws_sim::config::{DEFAULT_ED25519_API_KEY, DEFAULT_HMAC_API_KEY, DEFAULT_HMAC_SECRET};
use binance_ws_sim::futures::Product;
use binance_ws_sim::{Sim, SimConfig};

use crate::cli::SimArgs;
use crate::style;

pub async fn run(args: SimArgs) -> anyhow::Result<i32> {
    let config = SimConfig { bind: (args.host, args.port).into(), seed: args.seed, ..Default::default() };
    let sim = Sim::start(config).await.context("starting the local exchange")?;
    for line in endpoints(&sim) {
        style::out(&line);
    }
    if let Some(chaos) = args.faults {
        style::out(&format!(
            "  faults            one every {:?} on average (seed {}); -v shows each",
            chaos.every, chaos.seed
        ));
        chaos.spawn(sim.shared().clone());
    }
    tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")?;
    style::out("stopped");
    Ok(0)
}

/// What `bws sim` prints: every endpoint of the running exchange and its test keys.
fn endpoints(sim: &Sim) -> Vec<String> {
    let base = sim.base_url();
    let usdm = sim.futures_stream_url(Product::UsdM);
    let coinm = sim.futures_stream_url(Product::CoinM);
    vec![
        style::bold("local exchange running (Ctrl-C to stop)"),
        format!("  bws --env         {base}"),
        style::bold("  spot"),
        format!("  WebSocket API     {}", sim.api_url()),
        format!("  streams (raw)     {base}/ws/<stream>"),
        format!("  streams (combined){base}/stream?streams=<a>/<b>"),
        style::bold(&format!("  USD-M futures     {}", contracts(sim, Product::UsdM))),
        format!("  WebSocket API     {}", sim.futures_api_url(Product::UsdM)),
        format!("  streams           {usdm}/ws/<stream>, {usdm}/stream?streams=<a>/<b>"),
        format!("  user data         {usdm}/private/ws?listenKey=<key> or {usdm}/ws/<key>"),
        style::bold(&format!("  COIN-M futures    {}", contracts(sim, Product::CoinM))),
        format!("  WebSocket API     {}", sim.futures_api_url(Product::CoinM)),
        format!("  streams           {coinm}/ws/<stream>, {coinm}/stream?streams=<a>/<b>"),
        format!("  user data         {coinm}/ws/<key>"),
        style::bold("  DEX"),
        format!("  streams           {base}/api/ws, {base}/api/ws/<stream>, {base}/api/stream?streams=<a>/<b>"),
        style::bold("  test keys (every market)"),
        format!("  HMAC key          {DEFAULT_HMAC_API_KEY}"),
        format!("  HMAC secret       {DEFAULT_HMAC_SECRET}"),
        format!(
            "  Ed25519 key       {DEFAULT_ED25519_API_KEY} (private key: the published test key, see `bws sim --help`)"
        ),
    ]
}

/// The contracts a futures product lists, from its exchangeInfo.
fn contracts(sim: &Sim, product: Product) -> String {
    let info = sim.futures(product).exchange_info();
    let names: Vec<&str> =
        info["symbols"].as_array().into_iter().flatten().filter_map(|s| s["symbol"].as_str()).collect();
    names.join(", ")
}
