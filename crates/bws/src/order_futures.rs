//! Futures orders (`--market usdm|coinm`): built from the arguments with the library's builder
//! (`binance_ws::api::futures::NewOrder`), refused before sending when `binance_ws::validate` finds a problem
//! (the order type's rules first, without connecting; then the symbol's filters where they are known), then
//! sent and the exchange's answer printed (as received with `--json`, decoded into the product's typed order
//! otherwise).

use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context as _};
use binance_ws::api::futures::{Api, CoinMargined, FuturesProduct, NewOrder, UsdMargined};
use binance_ws::api::{ApiRequest, Security};
use binance_ws::model::futures::{NewOrderRespType, OrderType, PositionSide, PriceMatch, TimeInForce, WorkingType};
use binance_ws::validate::{check_futures_request_all, Context};
use binance_ws::{coinm, usdm};
use rust_decimal::Decimal;
use serde_json::Value;

use crate::api_cmd::Target;
use crate::cli::Global;
use crate::exit::Usage;
use crate::market::{self, Market};
use crate::order_cmd::{flag_enum, OrderRefArgs, PlaceArgs};
use crate::order_spot::{order_ref, print_raw, refuse, typed};
use crate::progress::Spinner;
use crate::{api_cmd, session, style};

pub async fn place(args: PlaceArgs, market: Market, global: &Global) -> anyhow::Result<i32> {
    match market {
        Market::Usdm => place_on::<UsdMargined>(args, market, global).await,
        Market::Coinm => place_on::<CoinMargined>(args, market, global).await,
        Market::Spot => bail!("spot orders are not futures orders"),
    }
}

pub async fn cancel(args: OrderRefArgs, market: Market, global: &Global) -> anyhow::Result<i32> {
    let (symbol, order) = (args.symbol.as_str(), order_ref(&args)?);
    match market {
        Market::Usdm => {
            answer::<UsdMargined, _>(&usdm::CancelOrder::new(symbol, order), "bws order cancel", "canceled", global)
                .await
        }
        Market::Coinm => {
            answer::<CoinMargined, _>(&coinm::CancelOrder::new(symbol, order), "bws order cancel", "canceled", global)
                .await
        }
        Market::Spot => bail!("spot orders are not futures orders"),
    }
}

pub async fn status(args: OrderRefArgs, market: Market, global: &Global) -> anyhow::Result<i32> {
    let (symbol, order) = (args.symbol.as_str(), order_ref(&args)?);
    match market {
        Market::Usdm => {
            let request = usdm::OrderStatusRequest::new(symbol, order);
            answer::<UsdMargined, _>(&request, "bws order status", "status", global).await
        }
        Market::Coinm => {
            let request = coinm::OrderStatusRequest::new(symbol, order);
            answer::<CoinMargined, _>(&request, "bws order status", "status", global).await
        }
        Market::Spot => bail!("spot orders are not futures orders"),
    }
}

async fn place_on<P: FuturesProduct>(args: PlaceArgs, market: Market, global: &Global) -> anyhow::Result<i32>
where
    P::Order: OrderView,
{
    let now = now_ms();
    let order = new_order::<P>(&args, market, now)?;
    let params = order.params();
    let ctx = Context::new().now_ms(now);
    // The order type's own rules need no network: a missing stop price is refused before connecting.
    let refusals = check_futures_request_all(None, P::VENUE, NewOrder::<P>::METHOD, &params, &ctx);
    if !refusals.is_empty() {
        return Ok(refuse(&refusals));
    }
    let (api, target) = connect::<P>(global, "bws order place").await?;
    match target._sim.as_ref().and_then(|sim| market::embedded_rules(sim, P::PRODUCT, &order.symbol)) {
        Some(rules) => {
            api.set_rules([rules.trading.clone()]);
            let refusals = check_futures_request_all(
                Some(&api.validator().rules()),
                P::VENUE,
                NewOrder::<P>::METHOD,
                &params,
                &ctx,
            );
            if !refusals.is_empty() {
                return Ok(refuse(&refusals));
            }
            let checked: Vec<&str> = rules.trading.filters.iter().map(|f| f.filter_type()).collect();
            style::status(
                global.quiet,
                &format!(
                    "checked before sending: the {} order's fields and {}; left to the exchange: {}",
                    order.order_type,
                    checked.join(", "),
                    rules.unchecked.join(", ")
                ),
            );
        }
        None => style::status(
            global.quiet,
            &format!(
                "checked before sending: the {} order's fields; {}'s filters are left to the exchange (futures \
                 exchangeInfo is not on the WebSocket API)",
                order.order_type, order.symbol
            ),
        ),
    }
    let answer: Value = api.client().request(NewOrder::<P>::METHOD, params, Security::Signed).await?;
    if print_raw(global, &answer) {
        return Ok(0);
    }
    match typed::<P::Order>(&answer) {
        Some(o) => print_order("placed", &o.view()),
        None => style::out(&serde_json::to_string_pretty(&answer)?),
    }
    Ok(0)
}

/// The order the arguments describe; `LIMIT` gets `GTC` unless `--tif` says otherwise.
fn new_order<P: FuturesProduct>(args: &PlaceArgs, market: Market, now_ms: u64) -> anyhow::Result<NewOrder<P>> {
    let spot_only: Vec<&str> = [
        ("--quote-qty", args.quote_qty.is_some()),
        ("--trailing-delta", args.trailing_delta.is_some()),
        ("--iceberg-qty", args.iceberg_qty.is_some()),
        ("--test (the futures WebSocket APIs have no order.test)", args.test),
    ]
    .into_iter()
    .filter_map(|(flag, given)| given.then_some(flag))
    .collect();
    if !spot_only.is_empty() {
        return Err(Usage(format!("{} only apply to spot orders, not {}", spot_only.join(", "), market.label())).into());
    }
    let f = &args.futures;
    if market == Market::Coinm && f.good_till_date.is_some() {
        return Err(Usage("--good-till-date is USDⓈ-M only (COIN-M orders have no goodTillDate)".into()).into());
    }
    let order_type: OrderType = flag_enum(
        "TYPE",
        &args.order_type,
        "LIMIT, MARKET, STOP, STOP_MARKET, TAKE_PROFIT, TAKE_PROFIT_MARKET, TRAILING_STOP_MARKET",
    )?;
    if order_type == OrderType::Liquidation {
        return Err(Usage("TYPE: LIQUIDATION orders are the exchange's, not placed by accounts".into()).into());
    }
    let mut o = NewOrder::<P>::new(args.symbol.as_str(), args.side, order_type);
    o.quantity = args.qty;
    o.price = args.price;
    o.stop_price = args.stop_price;
    o.new_client_order_id = args.client_id.clone();
    o.activation_price = f.activation_price;
    o.callback_rate = f.callback_rate;
    o.reduce_only = f.reduce_only.then_some(true);
    o.close_position = f.close_position.then_some(true);
    o.price_protect = f.price_protect.then_some(true);
    o.time_in_force = args.tif.as_deref().map(|t| flag_enum("--tif", t, "GTC, IOC, FOK, GTX, GTD")).transpose()?;
    o.position_side = f
        .position_side
        .as_deref()
        .map(|p| flag_enum::<PositionSide>("--position-side", p, "BOTH, LONG, SHORT"))
        .transpose()?;
    o.working_type = f
        .working_type
        .as_deref()
        .map(|w| flag_enum::<WorkingType>("--working-type", w, "MARK_PRICE, CONTRACT_PRICE"))
        .transpose()?;
    o.price_match = f
        .price_match
        .as_deref()
        .map(|m| {
            flag_enum::<PriceMatch>(
                "--price-match",
                m,
                "OPPONENT, OPPONENT_5, OPPONENT_10, OPPONENT_20, QUEUE, QUEUE_5, QUEUE_10, QUEUE_20",
            )
        })
        .transpose()?;
    o.new_order_resp_type = args
        .resp_type
        .as_deref()
        .map(|r| flag_enum::<NewOrderRespType>("--resp-type", r, "ACK, RESULT"))
        .transpose()?;
    if let Some(gtd) = f.good_till_date {
        o.good_till_date = Some(gtd.epoch_ms(now_ms));
        o.time_in_force = o.time_in_force.or(Some(TimeInForce::Gtd));
    }
    if order_type == OrderType::Limit && o.time_in_force.is_none() {
        o.time_in_force = Some(TimeInForce::Gtc);
    }
    Ok(o)
}

/// Sends a cancel or status request and prints the order it answers with.
async fn answer<P: FuturesProduct, R: ApiRequest>(
    request: &R,
    command: &str,
    verb: &str,
    global: &Global,
) -> anyhow::Result<i32>
where
    P::Order: OrderView,
{
    let (api, _target) = connect::<P>(global, command).await?;
    let answer: Value = api.client().request(R::METHOD, request.params(), R::SECURITY).await?;
    if print_raw(global, &answer) {
        return Ok(0);
    }
    match typed::<P::Order>(&answer) {
        Some(o) => print_order(verb, &o.view()),
        None => style::out(&serde_json::to_string_pretty(&answer)?),
    }
    Ok(0)
}

/// The futures API of the target (logged on with an Ed25519 key), and the target that owns the in-process
/// exchange of `--env local` (keep it alive).
async fn connect<P: FuturesProduct>(global: &Global, command: &str) -> anyhow::Result<(Api<P>, Target)> {
    let target = api_cmd::target(global).await?;
    let credentials = session::require_credentials(&target, command)?;
    let url = target.env.api_url(P::PRODUCT);
    let api = {
        let _spinner = Spinner::start(format!("connecting to {url}"), global.quiet);
        Api::<P>::connect(&target.env, Some(credentials)).await.with_context(|| format!("connecting to {url}"))?
    };
    Ok((api, target))
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// What the output shows of a futures order, the same for both products.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderLine {
    pub order_id: u64,
    pub client_order_id: String,
    pub symbol: String,
    pub status: String,
    pub side: String,
    pub order_type: String,
    pub position_side: String,
    pub price: Decimal,
    pub stop_price: Decimal,
    pub orig_qty: Decimal,
    pub executed_qty: Decimal,
    pub avg_price: Option<Decimal>,
    pub time_in_force: String,
    pub reduce_only: bool,
    pub close_position: bool,
}

/// A product's order, seen as an [`OrderLine`].
pub trait OrderView {
    fn view(&self) -> OrderLine;
}

macro_rules! order_view {
    ($t:ty, $avg:expr) => {
        impl OrderView for $t {
            fn view(&self) -> OrderLine {
                OrderLine {
                    order_id: self.order_id,
                    client_order_id: self.client_order_id.clone(),
                    symbol: self.symbol.clone(),
                    status: self.status.to_string(),
                    side: self.side.to_string(),
                    order_type: self.order_type.to_string(),
                    position_side: self.position_side.to_string(),
                    price: self.price,
                    stop_price: self.stop_price,
                    orig_qty: self.orig_qty,
                    executed_qty: self.executed_qty,
                    avg_price: $avg(self),
                    time_in_force: self.time_in_force.to_string(),
                    reduce_only: self.reduce_only,
                    close_position: self.close_position,
                }
            }
        }
    };
}

order_view!(usdm::Order, |o: &usdm::Order| o.avg_price);
order_view!(coinm::Order, |o: &coinm::Order| Some(o.avg_price));

fn print_order(verb: &str, o: &OrderLine) {
    style::out(&format!(
        "{} {verb} order {} ({}) on {}: {}",
        style::green("✔"),
        o.order_id,
        o.client_order_id,
        o.symbol,
        style::bold(&o.status)
    ));
    let mut line = format!(
        "  {} {} {} {} price {} qty {} executed {}",
        o.side, o.order_type, o.time_in_force, o.position_side, o.price, o.orig_qty, o.executed_qty
    );
    if let Some(avg) = o.avg_price.filter(|a| !a.is_zero()) {
        line.push_str(&format!(" avg {avg}"));
    }
    if !o.stop_price.is_zero() {
        line.push_str(&format!(" stop {}", o.stop_price));
    }
    if o.reduce_only {
        line.push_str(" reduce-only");
    }
    if o.close_position {
        line.push_str(" close-position");
    }
    style::out(&line);
}
