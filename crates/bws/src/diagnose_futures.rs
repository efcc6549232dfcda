//! The futures checks of `bws diagnose`, one per product: USDⓈ-M (`ws-fapi/v1`) and COIN-M (`ws-dapi/v1`).
//!
//! Each connects (logging on with an Ed25519 key) and asks `session.status`; reads market data (USDⓈ-M: `depth`
//! and `ticker.price` over the API; COIN-M, whose API has no market data methods: the `markPrice@1s` stream);
//! with a key, `account.balance`, `account.position` and the listen key's `userDataStream.start`, `ping` and
//! `stop`; and on the embedded exchange only, places an order far below the market, cancels it, and waits for
//! both of its `ORDER_TRADE_UPDATE` events on the user data stream.

use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use binance_ws::env::Product;
use binance_ws::model::Side;
use binance_ws::streams::{MarketEvent, Notice, Stream, Streams};
use binance_ws::user_data::futures::{UserDataStream, UserEvent};
use binance_ws::{coinm, usdm};
use futures::StreamExt;
use rust_decimal::Decimal;

use crate::diagnose_checks::Ctx;
use crate::market::FuturesRules;

/// What the futures checks use beyond the spot ones.
#[derive(Debug, Clone, Default)]
pub struct Setup {
    /// The USDⓈ-M symbol checked.
    pub usdm_symbol: String,
    /// The COIN-M symbol checked.
    pub coinm_symbol: String,
    /// Their rules on the embedded exchange (where the round-trip order is placed).
    pub usdm_rules: Option<FuturesRules>,
    /// See `usdm_rules`.
    pub coinm_rules: Option<FuturesRules>,
}

/// How far below the reference price the round-trip order rests (a buy there never fills).
const BELOW: Decimal = Decimal::from_parts(90, 0, 0, false, 2);

pub async fn usdm(ctx: &Ctx) -> anyhow::Result<String> {
    let symbol = ctx.futures.usdm_symbol.as_str();
    let url = ctx.env.api_url(Product::UsdM);
    let api = tokio::time::timeout(ctx.timeout, usdm::Api::connect(&ctx.env, ctx.credentials.clone()))
        .await
        .map_err(|_| anyhow!("no connection to {url} within {:?}", ctx.timeout))?
        .with_context(|| format!("connecting to {url}"))?;
    let mut seen = vec![session(api.session_status().await.context("session.status")?)];
    let book = api.depth(symbol).limit(5).await.context("depth")?;
    let last = api.ticker_price().symbol(symbol).await.context("ticker.price")?.into_vec();
    let last = last.first().map(|t| t.price).with_context(|| format!("ticker.price had no {symbol}"))?;
    let best = |l: Option<&usdm::PriceLevel>| l.map_or_else(|| "-".to_string(), |l| l.price.to_string());
    seen.push(format!("{symbol} bid {} / ask {}, last {last}", best(book.bids.first()), best(book.asks.first())));
    if ctx.credentials.is_none() {
        seen.push("account and user data skipped: no API key".into());
        return Ok(seen.join("; "));
    }
    let balances = api.account_balance().await.context("account.balance")?;
    let positions = api.account_position().symbol(symbol).await.context("account.position")?;
    let usdt = balances.iter().find(|b| b.asset == "USDT").map_or_else(|| "-".into(), |b| b.balance.to_string());
    seen.push(format!("{} balances (USDT {usdt}), {} positions", balances.len(), positions.len()));
    let key = api.user_data_stream_start().await.context("userDataStream.start")?;
    let pinged = api.user_data_stream_ping().await.context("userDataStream.ping")?;
    if pinged.listen_key != key.listen_key {
        bail!("userDataStream.ping answered another listen key than userDataStream.start");
    }
    if ctx.in_process {
        let rules = ctx.futures.usdm_rules.as_ref().with_context(|| format!("{symbol} is not listed"))?;
        let reference = book.bids.first().map_or(last, |l| l.price);
        let price = rules.floor_price(reference * BELOW);
        let qty = rules.small_qty(price);
        let mut events = api.user_data().await.context("opening the user data stream")?;
        let placed =
            api.place_order(usdm::NewOrder::limit(symbol, Side::Buy, qty, price)).await.context("order.place")?;
        api.cancel_order(symbol, placed.order_id).await.context("order.cancel")?;
        let updates = order_updates(&mut events, placed.order_id, ctx.timeout).await?;
        seen.push(format!(
            "order {} (BUY {qty} @ {price}) placed and canceled: ORDER_TRADE_UPDATE {updates}",
            placed.order_id
        ));
    }
    api.user_data_stream_stop().await.context("userDataStream.stop")?;
    seen.push("listen key started, pinged, stopped".into());
    Ok(seen.join("; "))
}

pub async fn coinm(ctx: &Ctx) -> anyhow::Result<String> {
    let symbol = ctx.futures.coinm_symbol.as_str();
    let url = ctx.env.api_url(Product::CoinM);
    let api = tokio::time::timeout(ctx.timeout, coinm::Api::connect(&ctx.env, ctx.credentials.clone()))
        .await
        .map_err(|_| anyhow!("no connection to {url} within {:?}", ctx.timeout))?
        .with_context(|| format!("connecting to {url}"))?;
    let mut seen = vec![session(api.session_status().await.context("session.status")?)];
    // The COIN-M WebSocket API has no market data methods: the mark price comes from the streams.
    let mark = mark_price(ctx, symbol).await?;
    seen.push(format!("{symbol} mark price {mark} (markPrice@1s stream; the API has no market data)"));
    if ctx.credentials.is_none() {
        seen.push("account and user data skipped: no API key".into());
        return Ok(seen.join("; "));
    }
    let balances = api.account_balance().await.context("account.balance")?;
    let positions = api.account_position().await.context("account.position")?;
    let btc = balances.iter().find(|b| b.asset == "BTC").map_or_else(|| "-".into(), |b| b.balance.to_string());
    seen.push(format!("{} balances (BTC {btc}), {} positions", balances.len(), positions.len()));
    let key = api.user_data_stream_start().await.context("userDataStream.start")?;
    let pinged = api.user_data_stream_ping().await.context("userDataStream.ping")?;
    if pinged.listen_key != key.listen_key {
        bail!("userDataStream.ping answered another listen key than userDataStream.start");
    }
    if ctx.in_process {
        let rules = ctx.futures.coinm_rules.as_ref().with_context(|| format!("{symbol} is not listed"))?;
        let price = rules.floor_price(mark * BELOW);
        let qty = rules.small_qty(price);
        let mut events = api.user_data().await.context("opening the user data stream")?;
        let placed =
            api.place_order(coinm::NewOrder::limit(symbol, Side::Buy, qty, price)).await.context("order.place")?;
        api.cancel_order(symbol, placed.order_id).await.context("order.cancel")?;
        let updates = order_updates(&mut events, placed.order_id, ctx.timeout).await?;
        seen.push(format!(
            "order {} (BUY {qty} @ {price}) placed and canceled: ORDER_TRADE_UPDATE {updates}",
            placed.order_id
        ));
    }
    api.user_data_stream_stop().await.context("userDataStream.stop")?;
    seen.push("listen key started, pinged, stopped".into());
    Ok(seen.join("; "))
}

fn session(status: binance_ws::spot::SessionStatus) -> String {
    match status.api_key {
        Some(_) => "session.status: logged on".into(),
        None => "session.status: not logged on".into(),
    }
}

/// The first mark price of `symbol` on the COIN-M streams.
async fn mark_price(ctx: &Ctx, symbol: &str) -> anyhow::Result<Decimal> {
    let base = ctx.env.stream_base(Product::CoinM);
    let mut feed = Streams::connect(ctx.env.clone(), Product::CoinM)
        .await
        .with_context(|| format!("connecting to {base}"))?
        .subscribed([Stream::mark_price_1s(symbol)])
        .await
        .context("SUBSCRIBE")?;
    let wait = async {
        while let Some(event) = feed.next().await {
            match event {
                MarketEvent::MarkPrice(m) => return Ok(m.mark_price),
                MarketEvent::Notice(n @ (Notice::Closed { .. } | Notice::Disconnected { .. })) => {
                    bail!("the stream dropped: {n:?}")
                }
                _ => {}
            }
        }
        bail!("the stream ended")
    };
    tokio::time::timeout(ctx.timeout, wait)
        .await
        .map_err(|_| anyhow!("no {symbol} mark price within {:?}; is it listed?", ctx.timeout))?
}

/// Waits for the order's `ORDER_TRADE_UPDATE`s with execution types NEW and CANCELED; returns them as shown.
async fn order_updates(events: &mut UserDataStream, order_id: u64, timeout: Duration) -> anyhow::Result<String> {
    let mut seen: Vec<String> = Vec::new();
    let deadline = tokio::time::Instant::now() + timeout;
    while !(seen.iter().any(|x| x == "NEW") && seen.iter().any(|x| x == "CANCELED")) {
        let event = tokio::time::timeout_at(deadline, events.next())
            .await
            .map_err(|_| anyhow!("saw {seen:?} of the order's NEW and CANCELED updates within {timeout:?}"))?;
        match event {
            Some(UserEvent::OrderTradeUpdate(u)) if u.order.order_id == order_id => {
                seen.push(u.order.execution_type.to_string())
            }
            None => bail!("the user data stream ended; saw {seen:?}"),
            _ => {}
        }
    }
    Ok(seen.join(", "))
}
