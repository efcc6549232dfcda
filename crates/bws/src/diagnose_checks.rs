//! The checks of `bws diagnose`, one per category. Each returns pass (with what it saw), fail (with why)
//! or skip (with why not run). Checks that need keys are skipped without them; checks that need the API
//! connection fail without it (the connection check says why).

use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use binance_ws::dex::{one_off, DexEnv, DexEvent};
use binance_ws::env::{Env, Product};
use binance_ws::model::{Filter, Interval, Side};
use binance_ws::spot::{Api, NewOrder};
use binance_ws::streams::{MarketEvent, Notice, Stream, Streams};
use binance_ws::{Credentials, Error};
use futures::StreamExt;
use rust_decimal::Decimal;
use serde_json::Value;

use crate::session::is_binance;

/// What a check found.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Passed: what was seen.
    Pass(String),
    /// Failed: why.
    Fail(String),
    /// Not run: why.
    Skip(String),
}

/// The categories, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Connection,
    General,
    MarketData,
    Account,
    Trading,
    UserData,
    Streams,
    OrderBook,
    FuturesUsdm,
    FuturesCoinm,
    Dex,
}

/// What the checks share: the endpoint, keys, and the API connection once made.
pub struct Ctx {
    pub(crate) env: Env,
    pub(crate) credentials: Option<Credentials>,
    pub(crate) symbol: String,
    pub(crate) timeout: Duration,
    pub(crate) in_process: bool,
    api: Option<Api>,
    /// The futures symbols (and their rules on the embedded exchange).
    pub(crate) futures: crate::diagnose_futures::Setup,
}

impl Ctx {
    /// `in_process`: the endpoint is the embedded local exchange, where placing an order harms no one.
    pub fn new(env: Env, credentials: Option<Credentials>, symbol: &str, timeout: Duration, in_process: bool) -> Ctx {
        let futures = Default::default();
        Ctx { env, credentials, symbol: symbol.to_ascii_uppercase(), timeout, in_process, api: None, futures }
    }

    /// The endpoints checked, for the opening line.
    pub fn describe(&self) -> String {
        let what = if self.in_process { " (the embedded local exchange)" } else { "" };
        let keys = if self.credentials.is_some() { "with an API key" } else { "without an API key" };
        format!(
            "{}{what}, its streams at {}, and the futures APIs {} and {}, {keys}",
            self.env.api_url(Product::Spot),
            self.env.stream_base(Product::Spot),
            self.env.api_url(Product::UsdM),
            self.env.api_url(Product::CoinM)
        )
    }

    pub(crate) fn api(&self) -> anyhow::Result<&Api> {
        self.api.as_ref().ok_or_else(|| anyhow!("not run: no API connection (see the connection check)"))
    }

    fn keyed(&self) -> Option<Outcome> {
        self.credentials
            .is_none()
            .then(|| Outcome::Skip("needs an API key (--api-key with --secret-key or --private-key)".into()))
    }
}

impl Category {
    /// Every category, in order.
    pub const ALL: [Category; 11] = [
        Category::Connection,
        Category::General,
        Category::MarketData,
        Category::Account,
        Category::Trading,
        Category::UserData,
        Category::Streams,
        Category::OrderBook,
        Category::FuturesUsdm,
        Category::FuturesCoinm,
        Category::Dex,
    ];

    /// The name shown.
    pub fn name(self) -> &'static str {
        match self {
            Category::Connection => "connection",
            Category::General => "general",
            Category::MarketData => "market data",
            Category::Account => "account",
            Category::Trading => "trading",
            Category::UserData => "user data",
            Category::Streams => "streams",
            Category::OrderBook => "order book",
            Category::FuturesUsdm => "USD-M futures",
            Category::FuturesCoinm => "COIN-M futures",
            Category::Dex => "DEX",
        }
    }

    /// Runs the check, bounded in time (twice the event timeout plus ten seconds for the requests).
    pub async fn run(self, ctx: &mut Ctx) -> Outcome {
        if let Some(skip) = match self {
            Category::Account | Category::Trading | Category::UserData => ctx.keyed(),
            Category::Dex if is_binance(&ctx.env) => {
                Some(Outcome::Skip("the Binance DEX was shut down upstream".into()))
            }
            _ => None,
        } {
            return skip;
        }
        let limit = ctx.timeout * 2 + Duration::from_secs(10);
        let result = tokio::time::timeout(limit, async {
            match self {
                Category::Connection => connection(ctx).await,
                Category::General => general(ctx).await,
                Category::MarketData => market_data(ctx).await,
                Category::Account => account(ctx).await,
                Category::Trading => trading(ctx).await,
                Category::UserData => user_data(ctx).await,
                Category::Streams => streams(ctx).await,
                Category::OrderBook => crate::diagnose_book::order_book(ctx).await,
                Category::FuturesUsdm => crate::diagnose_futures::usdm(ctx).await,
                Category::FuturesCoinm => crate::diagnose_futures::coinm(ctx).await,
                Category::Dex => dex(ctx).await,
            }
        })
        .await;
        match result {
            Ok(Ok(seen)) => Outcome::Pass(seen),
            Ok(Err(e)) => Outcome::Fail(chain(&e)),
            Err(_) => Outcome::Fail(format!("no result within {limit:?}")),
        }
    }
}

fn chain(e: &anyhow::Error) -> String {
    e.chain().map(ToString::to_string).collect::<Vec<_>>().join(": ")
}

async fn connection(ctx: &mut Ctx) -> anyhow::Result<String> {
    let url = ctx.env.api_url(Product::Spot);
    let api = tokio::time::timeout(ctx.timeout, Api::connect(&ctx.env, ctx.credentials.clone()))
        .await
        .map_err(|_| anyhow!("no connection to {url} within {:?}", ctx.timeout))?
        .with_context(|| format!("connecting to {url}"))?;
    let logon = if api.client().is_logged_on() { "; session logged on (Ed25519)" } else { "" };
    ctx.api = Some(api);
    Ok(format!("{url}{logon}"))
}

async fn general(ctx: &mut Ctx) -> anyhow::Result<String> {
    let api = ctx.api()?;
    let mut rtts = Vec::new();
    for _ in 0..5 {
        let t0 = Instant::now();
        api.ping().await.context("ping")?;
        rtts.push(t0.elapsed());
    }
    rtts.sort();
    let offset = api.client().sync_time().await.context("time")?;
    let info = api.exchange_info().await.context("exchangeInfo")?;
    if !info.symbols.iter().any(|s| s.symbol == ctx.symbol) {
        bail!(
            "{} is not listed (exchangeInfo has {} symbols; choose one with --symbol)",
            ctx.symbol,
            info.symbols.len()
        );
    }
    Ok(format!(
        "ping {:.1?} (median of 5), clock offset {offset} ms, exchangeInfo lists {} symbols",
        rtts[2],
        info.symbols.len()
    ))
}

async fn market_data(ctx: &mut Ctx) -> anyhow::Result<String> {
    let (api, symbol) = (ctx.api()?, ctx.symbol.as_str());
    let book = api.depth(symbol).limit(5).await.context("depth")?;
    let klines = api.klines(symbol, Interval::M1).limit(5).await.context("klines")?;
    let last = api.ticker_price().symbols(symbol).await.context("ticker.price")?.into_vec();
    let avg = api.avg_price(symbol).await.context("avgPrice")?;
    let best = |l: Option<&binance_ws::spot::PriceLevel>| l.map_or_else(|| "-".to_string(), |l| l.price.to_string());
    Ok(format!(
        "best bid {} / ask {}, {} klines, last price {}, {}-minute average {}",
        best(book.bids.first()),
        best(book.asks.first()),
        klines.len(),
        last.first().map_or_else(|| "-".to_string(), |t| t.price.to_string()),
        avg.mins,
        avg.price
    ))
}

async fn account(ctx: &mut Ctx) -> anyhow::Result<String> {
    let info = ctx.api()?.account_status().omit_zero_balances(true).await.context("account.status")?;
    Ok(format!(
        "{} account, can trade: {}, {} non-zero balances",
        info.account_type,
        info.can_trade,
        info.balances.len()
    ))
}

/// A small valid buy order resting below the market: `below` ticks under the best bid.
async fn small_buy(api: &Api, symbol: &str, below: u32) -> anyhow::Result<(NewOrder, Decimal)> {
    api.load_rules(symbol).await.context("loading trading rules")?;
    let rules = api.validator().rules();
    let rules = rules.get(symbol).with_context(|| format!("no trading rules for {symbol}"))?;
    let (mut tick, mut step, mut min_qty, mut min_notional) =
        (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    for f in &rules.filters {
        match f {
            Filter::PriceFilter(p) => tick = p.tick_size,
            Filter::LotSize(l) => (step, min_qty) = (l.step_size, l.min_qty),
            Filter::Notional(n) => min_notional = n.min_notional,
            Filter::MinNotional(n) => min_notional = n.min_notional,
            _ => {}
        }
    }
    let book = api.depth(symbol).limit(5).await.context("depth")?;
    let reference = match book.bids.first() {
        Some(l) => l.price,
        None => api.avg_price(symbol).await.context("avgPrice")?.price,
    };
    let mut price = reference - tick * Decimal::from(below);
    if !tick.is_zero() {
        price = (price / tick).floor() * tick;
    }
    if price <= Decimal::ZERO {
        bail!("no price below the market to test with (reference {reference}, tick {tick})");
    }
    // 10 % above the minimum notional, rounded up to the lot step.
    let mut qty = (min_notional * Decimal::new(11, 1) / price).max(min_qty);
    if !step.is_zero() {
        qty = (qty / step).ceil() * step;
    }
    Ok((NewOrder::limit(symbol, Side::Buy, qty.normalize(), price.normalize()), tick))
}

async fn trading(ctx: &mut Ctx) -> anyhow::Result<String> {
    let (api, symbol) = (ctx.api()?, ctx.symbol.as_str());
    let (order, tick) = small_buy(api, symbol, 0).await?;
    let (qty, price) = (order.quantity.unwrap_or_default(), order.price.unwrap_or_default());
    let mut refused = String::new();
    if !tick.is_zero() {
        let off_tick = NewOrder::limit(symbol, Side::Buy, qty, price + tick / Decimal::TWO);
        match api.test_order(off_tick).await {
            Err(Error::Validation(_)) => refused = "; an off-tick price was refused before sending".into(),
            Err(e) => bail!("an off-tick price was refused by the exchange, not before sending: {e}"),
            Ok(_) => bail!("an off-tick price ({}) was accepted", price + tick / Decimal::TWO),
        }
    }
    api.test_order(order).await.context("order.test")?;
    Ok(format!("order.test accepted LIMIT BUY {qty} {symbol} @ {price} (nothing placed){refused}"))
}

async fn user_data(ctx: &mut Ctx) -> anyhow::Result<String> {
    let (api, symbol, timeout) = (ctx.api()?, ctx.symbol.clone(), ctx.timeout);
    let mut events = api.client().events();
    let sub = if api.client().is_logged_on() {
        api.user_data_stream_subscribe().await.context("userDataStream.subscribe")?
    } else {
        api.user_data_stream_subscribe_signature().await.context("userDataStream.subscribe.signature")?
    };
    let id = sub.subscription_id;
    if !ctx.in_process {
        api.user_data_stream_unsubscribe().subscription_id(id).await.context("userDataStream.unsubscribe")?;
        return Ok(format!("subscribed (subscription {id}) and unsubscribed"));
    }
    // The embedded exchange: place an order far below the market, cancel it, and expect both reports.
    let (order, _) = small_buy(api, &symbol, 100).await?;
    let placed = api.place_order(order).await.context("order.place")?;
    api.cancel_order(symbol.as_str(), placed.order_id).await.context("order.cancel")?;
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + timeout;
    while seen.len() < 2 {
        let event = tokio::time::timeout_at(deadline, events.recv())
            .await
            .map_err(|_| anyhow!("saw {seen:?} of the order's NEW and CANCELED reports within {timeout:?}"))?;
        if let Ok(binance_ws::api::ApiEvent::UserData { event_type, raw, .. }) = event {
            let v: Value = serde_json::from_str(&raw).unwrap_or_default();
            if event_type == "executionReport" && v["i"].as_u64() == Some(placed.order_id) {
                seen.push(v["x"].as_str().unwrap_or("?").to_string());
            }
        }
    }
    api.user_data_stream_unsubscribe().subscription_id(id).await.context("userDataStream.unsubscribe")?;
    if seen != ["NEW", "CANCELED"] {
        bail!("the order's reports were {seen:?}, expected NEW then CANCELED");
    }
    Ok(format!("subscription {id}: an order placed and canceled on the embedded exchange reported NEW, CANCELED"))
}

async fn streams(ctx: &mut Ctx) -> anyhow::Result<String> {
    let wanted = [Stream::trade(&ctx.symbol), Stream::book_ticker(&ctx.symbol)];
    let base = ctx.env.stream_base(Product::Spot);
    let t0 = Instant::now();
    let mut feed = Streams::connect(ctx.env.clone(), Product::Spot)
        .await
        .with_context(|| format!("connecting to {base}"))?
        .subscribed(wanted.clone())
        .await
        .context("SUBSCRIBE")?;
    let listed = feed.list_subscriptions().await.context("LIST_SUBSCRIPTIONS")?;
    for w in &wanted {
        if !listed.contains(&w.name()) {
            bail!("{} is missing from LIST_SUBSCRIPTIONS ({listed:?})", w.name());
        }
    }
    let first = tokio::time::timeout(ctx.timeout, async {
        while let Some(event) = feed.next().await {
            match event {
                MarketEvent::Trade(_) => return Ok("trade"),
                MarketEvent::BookTicker(_) => return Ok("bookTicker"),
                MarketEvent::Notice(n @ (Notice::Closed { .. } | Notice::Disconnected { .. })) => {
                    bail!("the stream dropped: {n:?}")
                }
                _ => {}
            }
        }
        bail!("the stream ended")
    })
    .await
    .map_err(|_| anyhow!("no trade or bookTicker event within {:?}; is {} trading?", ctx.timeout, ctx.symbol))??;
    Ok(format!("{} subscriptions confirmed; first event ({first}) {:.1?} after connecting", listed.len(), t0.elapsed()))
}

async fn dex(ctx: &mut Ctx) -> anyhow::Result<String> {
    let env = DexEnv::from(&ctx.env);
    match one_off(&env, "$all@blockheight", ctx.timeout).await.with_context(|| format!("reading {}", env.base()))? {
        DexEvent::BlockHeight(b) => Ok(format!("one-off $all@blockheight: height {}", b.height)),
        other => bail!("$all@blockheight answered {other:?}"),
    }
}
