//! The Binance DEX streams against the local exchange (the upstream service is shut down).
//!
//! `cargo run -p binance-ws --example dex` starts a local exchange in-process; pass a base URL
//! (`ws://127.0.0.1:9443`) to use one already running instead.

use std::time::Duration;

use binance_ws::dex::{one_off, DexClient, DexConfig, DexEnv, DexEvent, Topic};
use futures::StreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (_sim, env) = match std::env::args().nth(1) {
        Some(url) => (None, DexEnv::Local(url)),
        None => {
            let sim = binance_ws_sim::Sim::start(Default::default()).await?;
            let env = DexEnv::Local(sim.base_url());
            (Some(sim), env)
        }
    };
    let symbol = "BNB_BTCB-1DE";
    let address = binance_ws_sim::dex::TRADER_ADDRESSES[0];

    // One-off: the first message of one stream.
    let first = one_off(&env, "$all@blockheight", Duration::from_secs(5)).await?;
    println!("one-off: {first:?}");

    // Long-lived: subscribe by message, callbacks and a Stream side by side.
    let dex = DexClient::connect(&env, DexConfig::default()).await?;
    dex.on(Topic::BlockHeight, |ev| {
        if let DexEvent::BlockHeight(h) = ev {
            println!("block {}", h.height);
        }
    });
    dex.subscribe_all(Topic::BlockHeight).await?;
    dex.subscribe(Topic::Trades, [symbol]).await?;
    dex.subscribe(Topic::Ticker, [symbol]).await?;
    dex.subscribe_address(Topic::Orders, address).await?;
    let mut events = dex.events().expect("first call");
    let until = tokio::time::Instant::now() + Duration::from_secs(5);
    while let Ok(Some(ev)) = tokio::time::timeout_at(until, events.next()).await {
        match ev {
            DexEvent::Trades(t) => {
                for t in t {
                    println!("trade {} {} @ {} ({:?})", t.symbol, t.quantity, t.price, t.tick_type);
                }
            }
            DexEvent::Ticker(t) => println!("ticker {} last {} ({}%)", t.symbol, t.close, t.price_change_percent),
            DexEvent::Orders(o) => {
                for o in o {
                    println!("order {} {:?} {} @ {} fee {:?}", o.order_id, o.status, o.quantity, o.price, o.fee.items);
                }
            }
            DexEvent::Connection(c) => println!("connection: {c:?}"),
            _ => {}
        }
    }
    dex.close().await?;
    Ok(())
}
