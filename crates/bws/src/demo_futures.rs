//! `bws demo`'s futures step: a USDⓈ-M order refused by the library's checks before sending, then a correct one
//! accepted and filled, with its user data events (ORDER_TRADE_UPDATE, TRADE_LITE, ACCOUNT_UPDATE) and the
//! position it opened.

use std::time::Duration;

use anyhow::{bail, Context};
use binance_ws::env::Product;
use binance_ws::model::futures::{ExecutionType, NewOrderRespType, OrderStatus, OrderType, TimeInForce};
use binance_ws::model::Side;
use binance_ws::user_data::futures::UserEvent;
use binance_ws::{usdm, Credentials, Env, Error};
use binance_ws_sim::config::{
    DEFAULT_ED25519_API_KEY, DEFAULT_ED25519_PRIVATE_PEM, DEFAULT_HMAC_API_KEY, DEFAULT_HMAC_SECRET,
};
use binance_ws_sim::Sim;
use futures::StreamExt;
use rust_decimal::Decimal;

use crate::{market, style};

const SYMBOL: &str = "BTCUSDT";

pub async fn run(sim: &Sim) -> anyhow::Result<()> {
    style::heading("USD-M futures: checked before sending, filled, with user data events");
    let env = Env::Local(sim.base_url());
    let creds = Credentials::from_pem(DEFAULT_ED25519_API_KEY, DEFAULT_ED25519_PRIVATE_PEM)?;
    let api = usdm::Api::connect(&env, Some(creds)).await?;
    let rules = market::embedded_rules(sim, Product::UsdM, SYMBOL).context("BTCUSDT is not listed on USD-M")?;
    api.set_rules([rules.trading.clone()]);
    style::ok(&format!(
        "{}: logged on: {}; {SYMBOL} tick {}, step {}",
        env.api_url(Product::UsdM),
        api.client().is_logged_on(),
        rules.tick,
        rules.step
    ));
    let mut events = api.user_data().await?;
    style::ok("user data stream open: a listen key from userDataStream.start, kept alive with userDataStream.ping");

    // Hold the simulated traders still, and offer what we are about to buy from a second account, so that the
    // order fills completely however the market moved.
    sim.pause_market();
    let result = trade(&env, &api, &rules, &mut events).await;
    sim.resume_market();
    result
}

async fn trade(
    env: &Env,
    api: &usdm::Api,
    rules: &market::FuturesRules,
    events: &mut binance_ws::usdm::UserDataStream,
) -> anyhow::Result<()> {
    let book = api.depth(SYMBOL).limit(5).await?;
    let price = match (book.asks.first(), book.bids.first()) {
        (Some(ask), _) => ask.price,
        (None, Some(bid)) => bid.price + rules.tick,
        (None, None) => {
            let last = api.ticker_price().symbol(SYMBOL).await?.into_vec();
            rules.floor_price(last.first().context("no last price")?.price)
        }
    };
    let qty = Decimal::new(10, 3);

    // Two mistakes the library's checks catch before anything is sent.
    let mut no_trigger = usdm::NewOrder::new(SYMBOL, Side::Sell, OrderType::StopMarket).close_position();
    no_trigger.stop_price = None;
    refused(api.place_order(no_trigger).await)?;
    let off_tick = usdm::NewOrder::limit(SYMBOL, Side::Buy, qty, price + rules.tick / Decimal::TWO);
    refused(api.place_order(off_tick).await)?;

    let seller = usdm::Api::connect(env, Some(Credentials::hmac(DEFAULT_HMAC_API_KEY, DEFAULT_HMAC_SECRET))).await?;
    seller.place_order(usdm::NewOrder::limit(SYMBOL, Side::Sell, qty, price)).await?;
    style::ok(&format!("a second account (HMAC key) offers {qty} {SYMBOL} at {price}"));
    let order = usdm::NewOrder::limit(SYMBOL, Side::Buy, qty, price)
        .time_in_force(TimeInForce::Ioc)
        .new_order_resp_type(NewOrderRespType::Result);
    let placed = api.place_order(order).await?;
    style::ok(&format!(
        "LIMIT BUY {qty} @ {price} IOC accepted: {}, executed {}, average {}",
        placed.status,
        placed.executed_qty,
        placed.avg_price.unwrap_or_default()
    ));
    if placed.status != OrderStatus::Filled {
        bail!("the order was not filled: {}", placed.status);
    }

    let (mut filled, mut account) = (false, false);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    while !(filled && account) {
        let Ok(Some(event)) = tokio::time::timeout_at(deadline, events.next()).await else {
            bail!("the fill's user data events did not all arrive within 3 s");
        };
        match event {
            UserEvent::OrderTradeUpdate(u) if u.order.order_id == placed.order_id => {
                let o = &u.order;
                let fill = if o.execution_type == ExecutionType::Trade {
                    format!(" {}@{}", o.last_filled_qty, o.last_filled_price)
                } else {
                    String::new()
                };
                style::ok(&format!("event: ORDER_TRADE_UPDATE {} {}{fill}", o.execution_type, o.status));
                filled |= o.status == OrderStatus::Filled;
            }
            UserEvent::TradeLite(t) if t.order_id == placed.order_id => {
                style::ok(&format!("event: TRADE_LITE {} {}@{}", t.side, t.last_filled_qty, t.last_filled_price));
            }
            UserEvent::AccountUpdate(a) if filled => {
                let positions: Vec<String> = a
                    .update
                    .positions
                    .iter()
                    .map(|p| format!("{} {} @ {}", p.symbol, p.position_amt, p.entry_price))
                    .collect();
                let wallets: Vec<String> =
                    a.update.balances.iter().map(|b| format!("{} {}", b.asset, b.wallet_balance)).collect();
                style::ok(&format!(
                    "event: ACCOUNT_UPDATE {}: position {}; wallet {}",
                    a.update.reason,
                    positions.join(", "),
                    wallets.join(", ")
                ));
                account = true;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Prints a refusal made before sending; anything else is a failure of the demo.
fn refused<T: std::fmt::Debug>(answer: Result<T, Error>) -> anyhow::Result<()> {
    match answer {
        Err(Error::Validation(e)) => {
            style::ok(&format!("refused before sending: {e}"));
            Ok(())
        }
        Err(e) => bail!("expected a refusal before sending, got: {e}"),
        Ok(o) => bail!("an invalid order was accepted: {o:?}"),
    }
}
