//! A spot user data stream against the local exchange: typed order and balance events, a forced connection
//! drop that the stream survives by itself, and the reconciliation that repairs the gap.
//!
//! `cargo run -p binance-ws --example user_data` starts a quiet local exchange in-process.

use std::time::Duration;

use binance_ws::model::Side;
use binance_ws::spot::{Api, NewOrder};
use binance_ws::user_data::spot::{Notice, UserEvent};
use binance_ws::{Credentials, Env};
use binance_ws_sim::config::{
    DEFAULT_ED25519_API_KEY, DEFAULT_ED25519_PRIVATE_PEM, DEFAULT_HMAC_API_KEY, DEFAULT_HMAC_SECRET,
};
use binance_ws_sim::{ConnFault, Sim, SimConfig};
use futures::StreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sim = Sim::start(SimConfig { activity: None, ..Default::default() }).await?;
    let env = Env::Local(sim.base_url());
    let me =
        Api::connect(&env, Some(Credentials::from_pem(DEFAULT_ED25519_API_KEY, DEFAULT_ED25519_PRIVATE_PEM)?)).await?;
    let other = Api::connect(&env, Some(Credentials::hmac(DEFAULT_HMAC_API_KEY, DEFAULT_HMAC_SECRET))).await?;

    let mut mine = me.user_data().await?;
    println!("subscribed: {:?}", mine.subscription_id());

    // Another account offers; this one buys.
    other.place_order(NewOrder::limit("BTCUSDT", Side::Sell, "0.02".parse()?, "50000".parse()?)).await?;
    me.place_order(NewOrder::market("BTCUSDT", Side::Buy, "0.01".parse()?)).await?;
    show(&mut mine, 3).await;

    // Every connection drops; while reconnecting is refused the other account takes more. The stream
    // reports the gap once it is subscribed again; the reconciliation shows what happened in it.
    sim.faults().refuse_connections(Duration::from_millis(500));
    sim.inject(ConnFault::Drop);
    tokio::time::sleep(Duration::from_millis(100)).await;
    sim.deposit(DEFAULT_ED25519_API_KEY, "USDT", "100".parse()?)?;
    while let Some(ev) = tokio::time::timeout(Duration::from_secs(10), mine.next()).await? {
        if let UserEvent::Notice(Notice::Missed(gap)) = ev {
            println!("events may be missing between {} and {} ({:?})", gap.from_ms, gap.until_ms, gap.cause);
            let state = mine.reconcile().await?;
            let usdt = state.account.balances.iter().find(|b| b.asset == "USDT");
            println!("reconciled: USDT {:?}, {} open orders", usdt.map(|b| b.free), state.open_orders.len());
            break;
        }
    }

    // Events flow again.
    me.place_order(NewOrder::market("BTCUSDT", Side::Buy, "0.01".parse()?)).await?;
    show(&mut mine, 3).await;
    mine.unsubscribe().await?;
    show(&mut mine, 1).await;
    Ok(())
}

async fn show(mine: &mut binance_ws::spot::UserDataStream, n: usize) {
    for _ in 0..n {
        match tokio::time::timeout(Duration::from_secs(10), mine.next()).await {
            Ok(Some(UserEvent::ExecutionReport(r))) => {
                println!("order {} {} {:?}: {} at {}", r.order_id, r.side, r.status, r.last_qty, r.last_price)
            }
            Ok(Some(UserEvent::AccountPosition(p))) => {
                for b in p.balances {
                    println!("  {} free {} locked {}", b.asset, b.free, b.locked);
                }
            }
            Ok(Some(other)) => println!("{other:?}"),
            Ok(None) | Err(_) => return,
        }
    }
}
