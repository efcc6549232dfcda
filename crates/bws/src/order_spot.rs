//! Spot orders: built from the arguments, refused before sending when the library's checks
//! (`binance_ws::validate`) find a problem, then sent and the exchange's answer printed (as received with
//! `--json`, decoded into the library's typed response otherwise).

use anyhow::Context as _;
use binance_ws::api::Security;
use binance_ws::model::{NewOrderRespType, OrderType, TimeInForce};
use binance_ws::spot::{
    Api, ApiRequest, CancelOrder, CancelResult, NewOrder, OpenOrdersStatus, OrderRef, OrderResponse,
    OrderStatusRequest, QueriedOrder, TestOrder,
};
use binance_ws::validate::{self, Context, ValidationError};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::api_cmd::Target;
use crate::cli::Global;
use crate::exit::Usage;
use crate::order_cmd::{flag_enum, OpenArgs, OrderRefArgs, PlaceArgs};
use crate::{api_cmd, session, style, table};

pub async fn place(args: PlaceArgs, global: &Global) -> anyhow::Result<i32> {
    let order = new_order(&args)?;
    let (method, params) = if args.test {
        (TestOrder::METHOD, TestOrder::new(order.clone()).params())
    } else {
        (NewOrder::METHOD, order.params())
    };
    // The order type's own rules need no network: a missing price is refused before connecting.
    let refusals = validate::check_request_all(None, method, &params, &Context::new());
    if !refusals.is_empty() {
        return Ok(refuse(&refusals));
    }
    let (api, _target) = connect(global, "bws order place").await?;
    api.load_rules(order.symbol.as_str())
        .await
        .with_context(|| format!("loading the trading rules of {}", order.symbol))?;
    let mut ctx = Context::new();
    if order.order_type == OrderType::Market {
        // MARKET notional limits are checked against the average price, as the exchange does.
        ctx = ctx.avg_price(api.avg_price(order.symbol.as_str()).await?.price);
    }
    let refusals = validate::check_request_all(Some(&api.validator().rules()), method, &params, &ctx);
    if !refusals.is_empty() {
        return Ok(refuse(&refusals));
    }
    let answer: Value = api.client().request(method, params, Security::Signed).await?;
    if print_raw(global, &answer) {
        return Ok(0);
    }
    if args.test {
        style::out(&format!(
            "{} order.test accepted {} {} {} (nothing was placed)",
            style::green("✔"),
            order.symbol,
            order.side,
            order.order_type
        ));
    } else {
        match typed::<OrderResponse>(&answer) {
            Some(placed) => print_placed(&placed),
            None => style::out(&serde_json::to_string_pretty(&answer)?),
        }
    }
    Ok(0)
}

pub async fn cancel(args: OrderRefArgs, global: &Global) -> anyhow::Result<i32> {
    let request = CancelOrder::new(args.symbol.as_str(), order_ref(&args)?);
    let (api, _target) = connect(global, "bws order cancel").await?;
    let answer = send(&api, &request).await?;
    if print_raw(global, &answer) {
        return Ok(0);
    }
    match typed::<CancelResult>(&answer) {
        Some(CancelResult::Order(o)) => style::out(&format!(
            "{} canceled order {} ({}): {} {} {}, executed {} of {}, status {}",
            style::green("✔"),
            o.order_id,
            o.client_order_id,
            o.symbol,
            o.side,
            o.order_type,
            o.executed_qty,
            o.orig_qty,
            o.status
        )),
        Some(CancelResult::OrderList(l)) => style::out(&format!(
            "{} canceled order list {} ({}) on {}: {} orders, status {}",
            style::green("✔"),
            l.order_list_id,
            l.list_client_order_id,
            l.symbol,
            l.orders.len(),
            l.list_order_status
        )),
        _ => style::out(&serde_json::to_string_pretty(&answer)?),
    }
    Ok(0)
}

pub async fn status(args: OrderRefArgs, global: &Global) -> anyhow::Result<i32> {
    let request = OrderStatusRequest::new(args.symbol.as_str(), order_ref(&args)?);
    let (api, _target) = connect(global, "bws order status").await?;
    let answer = send(&api, &request).await?;
    if print_raw(global, &answer) {
        return Ok(0);
    }
    match typed::<QueriedOrder>(&answer) {
        Some(o) => order_table(&[o]),
        None => style::out(&serde_json::to_string_pretty(&answer)?),
    }
    Ok(0)
}

pub async fn open(args: OpenArgs, global: &Global) -> anyhow::Result<i32> {
    let mut request = OpenOrdersStatus::new();
    if let Some(symbol) = &args.symbol {
        request = request.symbol(symbol.as_str());
    }
    let (api, _target) = connect(global, "bws order open").await?;
    let answer = send(&api, &request).await?;
    if print_raw(global, &answer) {
        return Ok(0);
    }
    match typed::<Vec<QueriedOrder>>(&answer) {
        Some(orders) if orders.is_empty() => style::out("no open orders"),
        Some(orders) => order_table(&orders),
        None => style::out(&serde_json::to_string_pretty(&answer)?),
    }
    Ok(0)
}

/// The order the arguments describe; limit types get `GTC` unless `--tif` says otherwise.
fn new_order(args: &PlaceArgs) -> anyhow::Result<NewOrder> {
    let order_type: OrderType = flag_enum(
        "TYPE",
        &args.order_type,
        "LIMIT, MARKET, LIMIT_MAKER, STOP_LOSS, STOP_LOSS_LIMIT, TAKE_PROFIT, TAKE_PROFIT_LIMIT (spot; futures types need --market usdm|coinm)",
    )?;
    let tif: Option<TimeInForce> = args
        .tif
        .as_deref()
        .map(|t| flag_enum("--tif", t, "GTC, IOC, FOK (spot; GTX and GTD are futures)"))
        .transpose()?;
    let resp_type: Option<NewOrderRespType> =
        args.resp_type.as_deref().map(|t| flag_enum("--resp-type", t, "ACK, RESULT, FULL")).transpose()?;
    let mut o = NewOrder::new(args.symbol.as_str(), args.side, order_type);
    o.quantity = args.qty;
    o.quote_order_qty = args.quote_qty;
    o.price = args.price;
    o.stop_price = args.stop_price;
    o.trailing_delta = args.trailing_delta;
    o.iceberg_qty = args.iceberg_qty;
    o.new_client_order_id = args.client_id.clone();
    o.new_order_resp_type = resp_type;
    let limit_type = matches!(order_type, OrderType::Limit | OrderType::StopLossLimit | OrderType::TakeProfitLimit);
    o.time_in_force = tif.or(limit_type.then_some(TimeInForce::Gtc));
    Ok(o)
}

pub fn order_ref(args: &OrderRefArgs) -> anyhow::Result<OrderRef> {
    match (&args.client_id, args.order_id) {
        (Some(client_id), _) => Ok(OrderRef::ClientId(client_id.clone())),
        (None, Some(id)) => Ok(OrderRef::Id(id)),
        (None, None) => Err(Usage("give the order id or --client-id".into()).into()),
    }
}

/// The connection, and the target that owns the in-process exchange of `--env local` (keep it alive).
async fn connect(global: &Global, command: &str) -> anyhow::Result<(Api, Target)> {
    let target = api_cmd::target(global).await?;
    let credentials = session::require_credentials(&target, command)?;
    let api = session::connect_api(&target, Some(credentials), global.quiet).await?;
    Ok((api, target))
}

/// Sends a typed request and keeps the answer exactly as the exchange gave it.
async fn send<R: ApiRequest>(api: &Api, request: &R) -> anyhow::Result<Value> {
    Ok(api.client().request(R::METHOD, request.params(), R::SECURITY).await?)
}

/// With `--json` the answer is printed as received (nothing when quiet); true when that was all to do.
pub fn print_raw(global: &Global, answer: &Value) -> bool {
    if global.json && !global.quiet {
        style::out(&answer.to_string());
    }
    global.json || global.quiet
}

pub fn typed<T: DeserializeOwned>(answer: &Value) -> Option<T> {
    serde_json::from_value(answer.clone()).ok()
}

/// Prints every refusal (the first on the error line) and returns exit code 1: nothing was sent.
pub fn refuse(refusals: &[ValidationError]) -> i32 {
    let mut message = format!("not sent: {}", refusals[0]);
    for more in &refusals[1..] {
        message.push_str(&format!("\n       also: {more}"));
    }
    style::error_with_hint(&message, Some("nothing was sent; fix the order and run the command again"));
    1
}

fn print_placed(o: &OrderResponse) {
    let status = o.status.map_or_else(|| "ACK".to_string(), |s| s.to_string());
    style::out(&format!(
        "{} order {} ({}) on {}: {}",
        style::green("✔"),
        o.order_id,
        o.client_order_id,
        o.symbol,
        style::bold(&status)
    ));
    let show = |v: Option<rust_decimal::Decimal>| v.map_or_else(|| "-".to_string(), |d| d.to_string());
    let (side, kind) = (o.side.map(|s| s.to_string()), o.order_type.map(|t| t.to_string()));
    style::out(&format!(
        "  {} {} price {} qty {} executed {} quote {}",
        side.unwrap_or_default(),
        kind.unwrap_or_default(),
        show(o.price),
        show(o.orig_qty),
        show(o.executed_qty),
        show(o.cumulative_quote_qty)
    ));
    for f in o.fills.iter().flatten() {
        style::out(&format!(
            "  fill {} @ {} (trade {}, commission {} {})",
            f.qty, f.price, f.trade_id, f.commission, f.commission_asset
        ));
    }
}

fn order_table(orders: &[QueriedOrder]) {
    let rows: Vec<Vec<String>> = orders
        .iter()
        .map(|o| {
            vec![
                o.order_id.to_string(),
                o.symbol.clone(),
                o.side.to_string(),
                o.order_type.to_string(),
                o.price.to_string(),
                o.orig_qty.to_string(),
                o.executed_qty.to_string(),
                o.status.to_string(),
                o.client_order_id.clone(),
            ]
        })
        .collect();
    let headers = ["ORDER ID", "SYMBOL", "SIDE", "TYPE", "PRICE", "QTY", "EXECUTED", "STATUS", "CLIENT ID"];
    for line in table::columns(&headers, &rows) {
        style::out(&line);
    }
}
