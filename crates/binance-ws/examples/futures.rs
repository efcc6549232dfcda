//! USDⓈ-M futures against the local exchange: the exchange's filters loaded into the client's checks (a bad order
//! refused before sending), a user data stream, a LIMIT order filled by another account, a STOP_MARKET triggered by
//! the mark price, and the position and wallet afterwards.
//!
//! `cargo run -p binance-ws --example futures` starts a quiet local exchange in-process.

use std::time::Duration;

use binance_ws::model::{Decimal, Filter, Side};
use binance_ws::usdm::{Api, NewOrder, WorkingType};
use binance_ws::user_data::futures::{Notice, UserEvent};
use binance_ws::validate::TradingRules;
use binance_ws::{Credentials, Env};
use binance_ws_sim::config::{
    DEFAULT_ED25519_API_KEY, DEFAULT_ED25519_PRIVATE_PEM, DEFAULT_HMAC_API_KEY, DEFAULT_HMAC_SECRET,
};
use binance_ws_sim::futures::Product;
use binance_ws_sim::{Sim, SimConfig};
use futures::StreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sim = Sim::start(SimConfig { activity: None, ..Default::default() }).await?;
    sim.set_mark_price(Product::UsdM, "BTCUSDT", Some("60000".parse()?))?;
    let env = Env::Local(sim.base_url());
    let me = Api::connect(&env, Some(Credentials::hmac(DEFAULT_HMAC_API_KEY, DEFAULT_HMAC_SECRET))).await?;
    let other =
        Api::connect(&env, Some(Credentials::from_pem(DEFAULT_ED25519_API_KEY, DEFAULT_ED25519_PRIVATE_PEM)?)).await?;

    // Futures exchangeInfo is a REST call; the local exchange hands its symbols' filters over directly.
    let info = sim.futures(Product::UsdM).exchange_info();
    for s in info["symbols"].as_array().into_iter().flatten() {
        let filters: Vec<Filter> = serde_json::from_value(s["filters"].clone())?;
        let rules = TradingRules::from_filters(s["symbol"].as_str().unwrap_or_default(), filters);
        me.set_rules([rules.clone()]);
        other.set_rules([rules]);
    }
    let d = |s: &str| s.parse::<Decimal>();
    match me.place_order(NewOrder::limit("BTCUSDT", Side::Buy, d("0.01")?, d("60000.05")?)).await {
        Err(e) => println!("refused before sending: {e}"),
        Ok(o) => println!("unexpectedly accepted: {o:?}"),
    }

    let mut events = me.user_data().await?;
    let order = me.place_order(NewOrder::limit("BTCUSDT", Side::Buy, d("0.01")?, d("60000")?)).await?;
    println!("placed order {} ({:?})", order.order_id, order.status);
    other.place_order(NewOrder::market("BTCUSDT", Side::Sell, d("0.01")?)).await?;
    show(&mut events, 4).await;

    // A stop that closes the long if the mark price falls to 59900; the other account bids for it.
    other.place_order(NewOrder::limit("BTCUSDT", Side::Buy, d("0.01")?, d("59950")?)).await?;
    let stop = NewOrder::stop_market("BTCUSDT", Side::Sell, d("0.01")?, d("59900")?)
        .close_position()
        .working_type(WorkingType::MarkPrice);
    me.place_order(stop).await?;
    show(&mut events, 1).await;
    sim.set_mark_price(Product::UsdM, "BTCUSDT", Some(d("59900")?))?;
    show(&mut events, 5).await;

    for p in me.account_position().symbol("BTCUSDT").await? {
        println!("position {} {:?}: {} at {}", p.symbol, p.position_side, p.position_amt, p.entry_price);
    }
    for b in me.account_balance().await? {
        println!("wallet {}: {}", b.asset, b.balance);
    }
    events.stop().await?;
    Ok(())
}

async fn show(events: &mut binance_ws::user_data::futures::UserDataStream, n: usize) {
    let mut shown = 0;
    while shown < n {
        match tokio::time::timeout(Duration::from_secs(10), events.next()).await {
            Ok(Some(UserEvent::OrderTradeUpdate(u))) => {
                let o = u.order;
                println!(
                    "order {} {:?} {:?} ({:?}): {:?}, filled {} at {}",
                    o.order_id, o.side, o.order_type, o.orig_type, o.status, o.filled_qty, o.last_filled_price
                );
            }
            Ok(Some(UserEvent::TradeLite(t))) => {
                println!("trade {} {} at {}", t.trade_id, t.last_filled_qty, t.last_filled_price)
            }
            Ok(Some(UserEvent::AccountUpdate(a))) => {
                for p in &a.update.positions {
                    println!("  position {} {:?}: {} at {}", p.symbol, p.position_side, p.position_amt, p.entry_price);
                }
                for b in &a.update.balances {
                    println!("  wallet {}: {}", b.asset, b.wallet_balance);
                }
            }
            Ok(Some(UserEvent::Notice(Notice::Connected { .. }))) => continue,
            Ok(Some(other)) => println!("{other:?}"),
            Ok(None) | Err(_) => return,
        }
        shown += 1;
    }
}
