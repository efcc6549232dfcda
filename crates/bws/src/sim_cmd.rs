//! `bws sim`: the local exchange as a server: spot, USDⓈ-M and COIN-M futures and the DEX on one port.

use anyhow::Context;
use binance_ws_sim::config::{DEFAULT_ED25519_API_KEY, DEFAULT_HMAC_API_KEY, DEFAULT_HMAC_SECRET};
use binance_ws_sim::futures::Product;
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
    for line in endpoints(&sim) {
        style::out(&line);
    }
    if let Some(chaos) = args.faults {
        style::out(&format!(
            "  {:<19}one every {:?} on average (seed {}); -v shows each",
            "faults", chaos.every, chaos.seed
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
    let row = |label: &str, value: &str| format!("  {label:<19}{value}");
    let head = |label: &str, value: &str| style::bold(row(label, value).trim_end());
    vec![
        style::bold("local exchange running (Ctrl-C to stop)"),
        row("bws --env", &base),
        head("spot", ""),
        row("WebSocket API", &sim.api_url()),
        row("streams", &format!("{base}/ws/<stream>, {base}/stream?streams=<a>/<b>")),
        head("USD-M futures", &contracts(sim, Product::UsdM)),
        row("WebSocket API", &sim.futures_api_url(Product::UsdM)),
        row("streams", &format!("{usdm}/ws/<stream>, {usdm}/stream?streams=<a>/<b>")),
        row("user data", &format!("{usdm}/private/ws?listenKey=<key> or {usdm}/ws/<key>")),
        head("COIN-M futures", &contracts(sim, Product::CoinM)),
        row("WebSocket API", &sim.futures_api_url(Product::CoinM)),
        row("streams", &format!("{coinm}/ws/<stream>, {coinm}/stream?streams=<a>/<b>")),
        row("user data", &format!("{coinm}/ws/<key>")),
        head("DEX", ""),
        row("streams", &format!("{base}/api/ws, {base}/api/ws/<stream>, {base}/api/stream?streams=<a>/<b>")),
        head("test keys", "the same accounts on every market"),
        row("HMAC key", DEFAULT_HMAC_API_KEY),
        row("HMAC secret", DEFAULT_HMAC_SECRET),
        row(
            "Ed25519 key",
            &format!("{DEFAULT_ED25519_API_KEY} (private key: binance_ws_sim::config::DEFAULT_ED25519_PRIVATE_PEM)"),
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
