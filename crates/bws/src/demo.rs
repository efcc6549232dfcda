//! `bws demo`: starts the local exchange in-process and walks through the library's capabilities: the
//! WebSocket API, market data, streams, a local order book in sync (`demo_book.rs`), spot trading with typed
//! user data events, USDⓈ-M futures (`demo_futures.rs`) and the DEX. It ends by itself (in well under 30 s).

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use binance_ws::api::Security;
use binance_ws::dex::{one_off, DexEnv};
use binance_ws::model::{Interval, NewOrderRespType, Side};
use binance_ws::spot::{Api, NewOrder};
use binance_ws::streams::{MarketEvent as StreamEvent, Speed, Stream, Streams};
use binance_ws::user_data::spot::UserEvent;
use binance_ws::{Credentials, Env};
use binance_ws_sim::config::{
    DEFAULT_ED25519_API_KEY, DEFAULT_ED25519_PRIVATE_PEM, DEFAULT_HMAC_API_KEY, DEFAULT_HMAC_SECRET,
};
use binance_ws_sim::{Sim, SimConfig};
use futures::StreamExt;
use rust_decimal::Decimal;

use crate::cli::DemoArgs;
use crate::{demo_book, demo_futures, style};

pub async fn run(args: DemoArgs) -> anyhow::Result<i32> {
    let started = Instant::now();
    let pause = if args.fast { Duration::ZERO } else { Duration::from_millis(400) };

    style::heading("Local exchange");
    // A busier market than the default, so that a short demo has trades, klines and tickers to show.
    let activity = binance_ws_sim::config::Activity { ops_per_sec: 200.0, ..Default::default() };
    let config = SimConfig { activity: Some(activity), ..Default::default() };
    let sim = Sim::start(config).await.context("starting the local exchange")?;
    style::ok(&format!("listening at {} with simulated traders in BTCUSDT, ETHUSDT, BNBUSDT", sim.base_url()));
    // Let the simulated market build some history for the streams and tickers below.
    tokio::time::sleep(Duration::from_millis(300).max(pause)).await;

    let api = web_socket_api(&sim).await?;
    tokio::time::sleep(pause).await;
    market_data(&api).await?;
    tokio::time::sleep(pause).await;
    streams(&sim).await?;
    tokio::time::sleep(pause).await;
    demo_book::run(&sim, &api).await?;
    tokio::time::sleep(pause).await;
    trading(&api, &sim).await?;
    tokio::time::sleep(pause).await;
    demo_futures::run(&sim).await?;
    tokio::time::sleep(pause).await;
    dex(&sim).await?;

    style::out(&format!("\n{} in {:.1?}", style::green("demo finished"), started.elapsed()));
    Ok(0)
}

async fn web_socket_api(sim: &Sim) -> anyhow::Result<Api> {
    style::heading("WebSocket API: connect, sign, log on");
    let creds = Credentials::from_pem(DEFAULT_ED25519_API_KEY, DEFAULT_ED25519_PRIVATE_PEM)?;
    style::ok(&format!("credentials loaded: {creds:?} (secrets never printed)"));
    let api = Api::connect(&Env::Local(sim.base_url()), Some(creds)).await?;
    style::ok(&format!("connected; Ed25519 session logged on: {}", api.client().is_logged_on()));
    let mut rtts = Vec::with_capacity(200);
    for _ in 0..200 {
        let t0 = Instant::now();
        api.ping().await?;
        rtts.push(t0.elapsed());
    }
    rtts.sort();
    style::ok(&format!("200 pings: median round trip {:?}, worst {:?}", rtts[100], rtts[199]));
    let time = api.time().await?;
    style::ok(&format!("server time {} (clock offset {} ms)", time.server_time, api.client().time_offset_ms()));
    Ok(api)
}

async fn market_data(api: &Api) -> anyhow::Result<()> {
    style::heading("Market data, typed and exact");
    let info = api.exchange_info().await?;
    let names: Vec<&str> = info.symbols.iter().map(|s| s.symbol.as_str()).collect();
    style::ok(&format!("exchangeInfo: {} symbols ({})", names.len(), names.join(", ")));
    let book = api.depth("BTCUSDT").limit(5).await?;
    let best = |side: &[binance_ws::spot::PriceLevel]| side.first().map(|l| format!("{} x {}", l.price, l.qty));
    style::ok(&format!(
        "BTCUSDT book (lastUpdateId {}): best bid {} / best ask {}",
        book.last_update_id,
        best(&book.bids).unwrap_or_else(|| "-".into()),
        best(&book.asks).unwrap_or_else(|| "-".into())
    ));
    let klines = api.klines("BTCUSDT", Interval::M1).limit(3).await?;
    style::ok(&format!("{} one-minute klines", klines.len()));
    let raw = api.call("avgPrice", serde_json::json!({"symbol": "BTCUSDT"}), Security::None).await?;
    style::ok(&format!("untyped call avgPrice: {raw}"));
    if let Some((count, limit)) = api.client().rate_limits().request_weight() {
        style::ok(&format!("request weight used {count} of {limit} per minute"));
    }
    Ok(())
}

async fn streams(sim: &Sim) -> anyhow::Result<()> {
    style::heading("Market streams, typed, one pass from the frame");
    let wanted =
        [Stream::trade("BTCUSDT"), Stream::book_ticker("BTCUSDT"), Stream::diff_depth("BTCUSDT", Speed::Ms100)];
    let mut feed = Streams::connect_url(&sim.base_url()).await?.subscribed(wanted).await?;
    let (mut trades, mut tickers, mut diffs) = (0, 0, 0);
    let mut last_trade = None;
    let deadline = tokio::time::Instant::now() + Duration::from_millis(1200);
    while let Ok(Some(ev)) = tokio::time::timeout_at(deadline, feed.next()).await {
        match ev {
            StreamEvent::Trade(t) => {
                trades += 1;
                last_trade = Some(format!("{} {} @ {}", t.symbol, t.qty, t.price));
            }
            StreamEvent::BookTicker(_) => tickers += 1,
            StreamEvent::DepthUpdate(_) => diffs += 1,
            _ => {}
        }
    }
    style::ok(&format!("in 1.2 s: {trades} trades, {tickers} book tickers, {diffs} depth diffs"));
    if let Some(t) = last_trade {
        style::ok(&format!("last trade: {t}"));
    }
    Ok(())
}

async fn trading(api: &Api, sim: &Sim) -> anyhow::Result<()> {
    style::heading("Trading with user data events");
    api.load_rules("BTCUSDT").await?;
    let off_tick = NewOrder::limit("BTCUSDT", Side::Buy, dec("0.001"), dec("10000.005"));
    match api.place_order(off_tick).await {
        Err(e) => style::ok(&format!("refused before sending: {e}")),
        Ok(_) => bail!("an off-tick price was accepted"),
    }
    let mut events = api.user_data().await?;
    style::ok(&format!(
        "user data subscribed (subscription {}), events typed",
        events.subscription_id().unwrap_or_default()
    ));
    // Hold the simulated traders still and offer what we are about to buy from a second account, so that
    // the order fills completely however the market moved.
    sim.pause_market();
    let book = api.depth("BTCUSDT").limit(1).await?;
    let Some(ask) = book.asks.first() else { bail!("the simulated market has no asks yet") };
    let qty = dec("0.001");
    let seller = Credentials::hmac(DEFAULT_HMAC_API_KEY, DEFAULT_HMAC_SECRET);
    let seller = Api::connect(&Env::Local(sim.base_url()), Some(seller)).await?;
    seller.place_order(NewOrder::limit("BTCUSDT", Side::Sell, qty, ask.price)).await?;
    style::ok(&format!("a second account (HMAC key) offers {qty} BTC at {}", ask.price));
    let order = NewOrder::limit("BTCUSDT", Side::Buy, qty, ask.price).new_order_resp_type(NewOrderRespType::Full);
    let placed = api.place_order(order).await?;
    style::ok(&format!(
        "LIMIT BUY {qty} @ {}: {}, executed {}, {} fill(s)",
        ask.price,
        placed.status.map_or_else(|| "ACK".to_string(), |s| s.to_string()),
        placed.executed_qty.unwrap_or_default(),
        placed.fills.as_ref().map_or(0, Vec::len)
    ));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    let mut seen = Vec::new();
    while seen.len() < 3 {
        match tokio::time::timeout_at(deadline, events.next()).await {
            Ok(Some(UserEvent::ExecutionReport(r))) => seen.push(format!(
                "executionReport {} {} {} {}@{}",
                r.execution_type, r.status, r.client_order_id, r.last_qty, r.last_price
            )),
            Ok(Some(UserEvent::AccountPosition(p))) => {
                let assets: Vec<&str> = p.balances.iter().map(|b| b.asset.as_str()).collect();
                seen.push(format!("outboundAccountPosition {}", assets.join(", ")))
            }
            Ok(Some(_)) => {}
            _ => break,
        }
    }
    for s in &seen {
        style::ok(&format!("event: {s}"));
    }
    let account = api.account_status().await?;
    let show: Vec<String> = account
        .balances
        .iter()
        .filter(|b| b.asset == "BTC" || b.asset == "USDT")
        .map(|b| format!("{} free {} locked {}", b.asset, b.free, b.locked))
        .collect();
    style::ok(&format!("balances: {}", show.join("; ")));
    sim.resume_market();
    match api.depth("NOPEUSDT").await {
        Err(e) => style::ok(&format!("unknown symbol: {e}")),
        Ok(_) => bail!("an unknown symbol was accepted"),
    }
    Ok(())
}

async fn dex(sim: &Sim) -> anyhow::Result<()> {
    style::heading("Binance DEX streams (served by the local exchange; the upstream service is shut down)");
    let env = DexEnv::Local(sim.base_url());
    let first = one_off(&env, "$all@blockheight", Duration::from_secs(5)).await?;
    style::ok(&format!("one-off blockheight: {first:?}"));
    Ok(())
}

fn dec(s: &str) -> Decimal {
    s.parse().expect("a literal decimal")
}
