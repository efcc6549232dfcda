//! Trading requests (TRADE): orders, cancel-replace, amend, order lists and SOR. Orders that count against
//! the ORDERS limits show them in the reply's `rateLimits`.

use serde_json::{json, Value};

use super::account::{commission_json, order_ref};
use super::fmt::{self, RespType};
use super::{ApiErr, Ctx, Method, Params, ParamsExt, Sec};
use crate::exchange::{
    CancelReplace, CancelReplaceMode, CancelRestriction, CancelResult, Fill, ListLeg, ListReport, NewOco, NewOrder,
    NewOrderOutcome, NewOto, NewOtoco, OrderType, Side, StpMode, TimeInForce, WorkingLeg,
};
use crate::market::fmt_dec;

fn commission_weight(p: &Params) -> u64 {
    if p.opt_bool("computeCommissionRates").ok().flatten().unwrap_or(false) {
        20
    } else {
        1
    }
}

pub const METHODS: &[Method] = &[
    Method { name: "order.test", security: Sec::Signed, weight: commission_weight, handler: order_test },
    Method { name: "order.place", security: Sec::Signed, weight: |_| 1, handler: order_place },
    Method { name: "order.cancel", security: Sec::Signed, weight: |_| 1, handler: order_cancel },
    Method { name: "order.cancelReplace", security: Sec::Signed, weight: |_| 1, handler: cancel_replace },
    Method { name: "order.amend.keepPriority", security: Sec::Signed, weight: |_| 4, handler: amend },
    Method { name: "openOrders.cancelAll", security: Sec::Signed, weight: |_| 1, handler: cancel_all },
    Method { name: "orderList.place", security: Sec::Signed, weight: |_| 1, handler: list_place_legacy },
    Method { name: "orderList.place.oco", security: Sec::Signed, weight: |_| 1, handler: list_place_oco },
    Method { name: "orderList.place.oto", security: Sec::Signed, weight: |_| 1, handler: list_place_oto },
    Method { name: "orderList.place.otoco", security: Sec::Signed, weight: |_| 1, handler: list_place_otoco },
    Method { name: "orderList.place.opo", security: Sec::Signed, weight: |_| 1, handler: list_place_opo },
    Method { name: "orderList.place.opoco", security: Sec::Signed, weight: |_| 1, handler: list_place_opo },
    Method { name: "orderList.cancel", security: Sec::Signed, weight: |_| 1, handler: list_cancel },
    Method { name: "sor.order.place", security: Sec::Signed, weight: |_| 1, handler: sor_place },
    Method { name: "sor.order.test", security: Sec::Signed, weight: commission_weight, handler: sor_test },
];

// ----- parameters -----

fn side(p: &Params, name: &str) -> Result<Side, ApiErr> {
    Side::parse(&p.req_str(name)?).ok_or_else(|| ApiErr::new(-1117, "Invalid side."))
}

fn order_type(p: &Params, name: &str) -> Result<OrderType, ApiErr> {
    OrderType::parse(&p.req_str(name)?).ok_or_else(|| ApiErr::new(-1116, "Invalid orderType."))
}

fn tif(p: &Params, name: &str) -> Result<Option<TimeInForce>, ApiErr> {
    match p.opt_str(name)? {
        None => Ok(None),
        Some(s) => TimeInForce::parse(&s).map(Some).ok_or_else(|| ApiErr::new(-1115, "Invalid timeInForce.")),
    }
}

fn opt_i64(p: &Params, name: &str) -> Result<Option<i64>, ApiErr> {
    match p.opt_str(name)? {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| ApiErr::illegal_chars(name)),
    }
}

fn stp(p: &Params) -> Result<Option<StpMode>, ApiErr> {
    match p.opt_str("selfTradePreventionMode")? {
        None => Ok(None),
        Some(s) => StpMode::parse(&s).map(Some).ok_or_else(|| ApiErr::invalid("selfTradePreventionMode")),
    }
}

/// `name` with a leg prefix: `price` -> `abovePrice`.
fn key(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        let mut c = name.chars();
        let first = c.next().map(|f| f.to_ascii_uppercase()).unwrap_or_default();
        format!("{prefix}{first}{}", c.as_str())
    }
}

/// Pegged orders: no symbol of this exchange allows them (`pegInstructionsAllowed` is false).
fn no_peg(p: &Params, prefix: &str) -> Result<(), ApiErr> {
    for name in ["pegPriceType", "pegOffsetType", "pegOffsetValue"] {
        if p.get(&key(prefix, name)).is_some_and(|v| !v.is_null()) {
            return Err(ApiErr::new(-2010, "Pegged orders are not supported for this symbol."));
        }
    }
    Ok(())
}

fn cancel_restrictions(p: &Params) -> Result<Option<CancelRestriction>, ApiErr> {
    match p.opt_str("cancelRestrictions")? {
        None => Ok(None),
        Some(s) => {
            CancelRestriction::parse(&s).map(Some).ok_or_else(|| ApiErr::new(-1145, "Invalid cancelRestrictions"))
        }
    }
}

/// order.place's parameters (also those of the new order of order.cancelReplace).
fn new_order(p: &Params, symbol: &str) -> Result<NewOrder, ApiErr> {
    no_peg(p, "")?;
    Ok(NewOrder {
        symbol: symbol.to_string(),
        side: side(p, "side")?,
        order_type: order_type(p, "type")?,
        time_in_force: tif(p, "timeInForce")?,
        price: p.opt_decimal("price")?,
        quantity: p.opt_decimal("quantity")?,
        quote_order_qty: p.opt_decimal("quoteOrderQty")?,
        new_client_order_id: p.opt_str("newClientOrderId")?,
        stop_price: p.opt_decimal("stopPrice")?,
        trailing_delta: p.opt_u64("trailingDelta")?,
        iceberg_qty: p.opt_decimal("icebergQty")?,
        strategy_id: opt_i64(p, "strategyId")?,
        strategy_type: opt_i64(p, "strategyType")?,
        stp_mode: stp(p)?,
    })
}

/// One leg of an order list: `{prefix}Type`, `{prefix}Price`, ...
fn leg(p: &Params, prefix: &str) -> Result<ListLeg, ApiErr> {
    no_peg(p, prefix)?;
    Ok(ListLeg {
        order_type: order_type(p, &key(prefix, "type"))?,
        client_order_id: p.opt_str(&key(prefix, "clientOrderId"))?,
        price: p.opt_decimal(&key(prefix, "price"))?,
        stop_price: p.opt_decimal(&key(prefix, "stopPrice"))?,
        trailing_delta: p.opt_u64(&key(prefix, "trailingDelta"))?,
        time_in_force: tif(p, &key(prefix, "timeInForce"))?,
        iceberg_qty: p.opt_decimal(&key(prefix, "icebergQty"))?,
        strategy_id: opt_i64(p, &key(prefix, "strategyId"))?,
        strategy_type: opt_i64(p, &key(prefix, "strategyType"))?,
    })
}

fn working_leg(p: &Params, prefix: &str) -> Result<WorkingLeg, ApiErr> {
    let side = side(p, &key(prefix, "side"))?;
    let quantity = p.req_decimal(&key(prefix, "quantity"))?;
    Ok(WorkingLeg { side, quantity, leg: leg(p, prefix)? })
}

fn ensure_symbol(ctx: &Ctx<'_>, symbol: &str) -> Result<(), ApiErr> {
    match ctx.sim.exchange.lock().symbol(symbol) {
        Some(_) => Ok(()),
        None => Err(ApiErr::bad_symbol()),
    }
}

fn cancel_json(c: &CancelResult) -> Value {
    match c {
        CancelResult::Order { orig_client_order_id, order, transact_time } => {
            fmt::canceled(order, orig_client_order_id, *transact_time)
        }
        CancelResult::List(l) => fmt::list_canceled(l),
    }
}

fn error_json(code: i64, msg: &str) -> Value {
    json!({"code": code, "msg": msg})
}

// ----- single orders -----

fn order_test(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let account = ctx.account()?;
    let symbol = p.req_str("symbol")?;
    let req = new_order(p, &symbol)?;
    RespType::parse(p, RespType::Ack)?;
    let compute = p.opt_bool("computeCommissionRates")?.unwrap_or(false);
    ensure_symbol(ctx, &symbol)?;
    ctx.sim.exchange.lock().check_order(account, &req)?;
    if !compute {
        return Ok(json!({}));
    }
    let c = commission_json(ctx, &symbol, false)?;
    Ok(json!({
        "standardCommissionForOrder": c["standard"],
        "specialCommissionForOrder": c["special"],
        "taxCommissionForOrder": c["tax"],
        "discount": c["discount"],
    }))
}

fn order_place(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let account = ctx.account()?;
    let symbol = p.req_str("symbol")?;
    let req = new_order(p, &symbol)?;
    let resp = RespType::parse(p, RespType::default_for(req.order_type))?;
    ensure_symbol(ctx, &symbol)?;
    ctx.charge_orders(account, 1)?;
    let r = ctx.sim.with_exchange(|ex, now| ex.place_order(account, req, now))?;
    Ok(fmt::placed(&r.order, r.transact_time, resp, &r.fills))
}

fn order_cancel(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let account = ctx.account()?;
    let symbol = p.req_str("symbol")?;
    let r = order_ref(p, "orderId", "origClientOrderId")?;
    let new_id = p.opt_str("newClientOrderId")?;
    let restriction = cancel_restrictions(p)?;
    let c = ctx.sim.with_exchange(|ex, now| ex.cancel_order(account, &symbol, &r, new_id, restriction, now))?;
    Ok(cancel_json(&c))
}

fn cancel_replace(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let account = ctx.account()?;
    let symbol = p.req_str("symbol")?;
    let mode = CancelReplaceMode::parse(&p.req_str("cancelReplaceMode")?)
        .ok_or_else(|| ApiErr::invalid("cancelReplaceMode"))?;
    let cancel = order_ref(p, "cancelOrderId", "cancelOrigClientOrderId")?;
    let cancel_new = p.opt_str("cancelNewClientOrderId")?;
    let restriction = cancel_restrictions(p)?;
    let cancel_only = match p.opt_str("orderRateLimitExceededMode")?.as_deref() {
        None | Some("DO_NOTHING") => false,
        Some("CANCEL_ONLY") => true,
        Some(_) => return Err(ApiErr::invalid("orderRateLimitExceededMode")),
    };
    let order = new_order(p, &symbol)?;
    let resp = RespType::parse(p, RespType::default_for(order.order_type))?;
    ensure_symbol(ctx, &symbol)?;
    if let Err(over) = ctx.charge_orders(account, 1) {
        if !cancel_only {
            return Err(over);
        }
        // CANCEL_ONLY: the cancel still happens; the new order fails with the limit's error.
        let c =
            ctx.sim.with_exchange(|ex, now| ex.cancel_order(account, &symbol, &cancel, cancel_new, restriction, now));
        return match c {
            Ok(c) => Err(ApiErr {
                status: 409,
                data: Some(json!({
                    "cancelResult": "SUCCESS",
                    "newOrderResult": "FAILURE",
                    "cancelResponse": cancel_json(&c),
                    "newOrderResponse": error_json(over.code, &over.msg),
                })),
                ..ApiErr::new(-2021, "Order cancel-replace partially failed.")
            }),
            Err(_) => Err(over),
        };
    }
    let req = CancelReplace {
        mode,
        cancel,
        cancel_new_client_order_id: cancel_new,
        cancel_restrictions: restriction,
        new_order: order,
    };
    let r = ctx.sim.with_exchange(|ex, now| ex.cancel_replace(account, req, now))?;
    let cancel_v = match &r.cancel {
        Ok(c) => cancel_json(c),
        Err(e) => error_json(e.code, &e.msg),
    };
    let (new_result, new_v) = match &r.new_order {
        NewOrderOutcome::NotAttempted => ("NOT_ATTEMPTED", Value::Null),
        NewOrderOutcome::Placed(pr) => ("SUCCESS", fmt::placed(&pr.order, pr.transact_time, resp, &pr.fills)),
        NewOrderOutcome::Failed(e) => ("FAILURE", error_json(e.code, &e.msg)),
    };
    let body = json!({
        "cancelResult": if r.cancel.is_ok() { "SUCCESS" } else { "FAILURE" },
        "newOrderResult": new_result,
        "cancelResponse": cancel_v,
        "newOrderResponse": new_v,
    });
    match r.error() {
        None => Ok(body),
        Some(e) => Err(ApiErr { status: r.status(), code: e.code, msg: e.msg, data: Some(body) }),
    }
}

fn amend(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let account = ctx.account()?;
    let symbol = p.req_str("symbol")?;
    let r = order_ref(p, "orderId", "origClientOrderId")?;
    let new_qty = p.req_decimal("newQty")?;
    let new_id = p.opt_str("newClientOrderId")?;
    let a = ctx.sim.with_exchange(|ex, now| ex.amend_order(account, &symbol, &r, new_qty, new_id, now))?;
    let mut v = json!({
        "transactTime": a.transact_time,
        "executionId": a.execution_id,
        "amendedOrder": fmt::amended(&a.amended_order, &a.orig_client_order_id),
    });
    if let Some(l) = &a.list_status {
        v["listStatus"] = fmt::amend_list_status(l);
    }
    Ok(v)
}

fn cancel_all(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let account = ctx.account()?;
    let symbol = p.req_str("symbol")?;
    let all = ctx.sim.with_exchange(|ex, now| ex.cancel_all(account, &symbol, now))?;
    Ok(Value::Array(all.iter().map(cancel_json).collect()))
}

// ----- order lists -----

/// Places a list and renders it with each order's immediate fills.
fn place_list(
    ctx: &mut Ctx<'_>,
    symbol: &str,
    orders: u64,
    resp: RespType,
    place: impl FnOnce(&mut crate::exchange::Exchange, u64) -> Result<ListReport, crate::exchange::Reject>,
) -> Result<Value, ApiErr> {
    let account = ctx.account()?;
    ensure_symbol(ctx, symbol)?;
    ctx.charge_orders(account, orders)?;
    let (report, fills) = ctx.sim.with_exchange(|ex, now| {
        place(ex, now).map(|r| {
            let fills: Vec<Vec<Fill>> = r.orders.iter().map(|o| ex.place_result(o.order_id).fills).collect();
            (r, fills)
        })
    })?;
    let mut v = fmt::list_status(&report.status);
    let t = report.status.transaction_time;
    v["orderReports"] =
        Value::Array(report.orders.iter().zip(&fills).map(|(o, f)| fmt::placed(o, t, resp, f)).collect());
    Ok(v)
}

/// orderList.place (deprecated OCO): a LIMIT_MAKER leg at `price` and a STOP_LOSS(_LIMIT) leg at `stopPrice`.
fn list_place_legacy(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let account = ctx.account()?;
    let symbol = p.req_str("symbol")?;
    let side = side(p, "side")?;
    let price = p.req_decimal("price")?;
    let quantity = p.req_decimal("quantity")?;
    let stop_price = p.opt_decimal("stopPrice")?;
    let trailing_delta = p.opt_u64("trailingDelta")?;
    if stop_price.is_none() && trailing_delta.is_none() {
        return Err(ApiErr::new(-1102, "Param 'stopPrice' or 'trailingDelta' must be sent, but both were empty/null!"));
    }
    let limit = ListLeg {
        client_order_id: p.opt_str("limitClientOrderId")?,
        price: Some(price),
        iceberg_qty: p.opt_decimal("limitIcebergQty")?,
        strategy_id: opt_i64(p, "limitStrategyId")?,
        strategy_type: opt_i64(p, "limitStrategyType")?,
        ..ListLeg::new(OrderType::LimitMaker)
    };
    let stop_limit = p.opt_decimal("stopLimitPrice")?;
    let stop = ListLeg {
        client_order_id: p.opt_str("stopClientOrderId")?,
        price: stop_limit,
        stop_price,
        trailing_delta,
        time_in_force: tif(p, "stopLimitTimeInForce")?,
        iceberg_qty: p.opt_decimal("stopIcebergQty")?,
        strategy_id: opt_i64(p, "stopStrategyId")?,
        strategy_type: opt_i64(p, "stopStrategyType")?,
        ..ListLeg::new(if stop_limit.is_some() { OrderType::StopLossLimit } else { OrderType::StopLoss })
    };
    let (above, below) = if side == Side::Sell { (limit, stop) } else { (stop, limit) };
    let resp = RespType::parse(p, RespType::Full)?;
    let req = NewOco {
        symbol: symbol.clone(),
        list_client_order_id: p.opt_str("listClientOrderId")?,
        side,
        quantity,
        above,
        below,
        stp_mode: stp(p)?,
    };
    place_list(ctx, &symbol, 1, resp, |ex, now| ex.place_oco(account, req, now))
}

fn list_place_oco(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let account = ctx.account()?;
    let symbol = p.req_str("symbol")?;
    let req = NewOco {
        symbol: symbol.clone(),
        list_client_order_id: p.opt_str("listClientOrderId")?,
        side: side(p, "side")?,
        quantity: p.req_decimal("quantity")?,
        above: leg(p, "above")?,
        below: leg(p, "below")?,
        stp_mode: stp(p)?,
    };
    let resp = RespType::parse(p, RespType::Full)?;
    place_list(ctx, &symbol, 2, resp, |ex, now| ex.place_oco(account, req, now))
}

fn list_place_oto(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let account = ctx.account()?;
    let symbol = p.req_str("symbol")?;
    p.req_decimal("workingPrice")?;
    let req = NewOto {
        symbol: symbol.clone(),
        list_client_order_id: p.opt_str("listClientOrderId")?,
        stp_mode: stp(p)?,
        working: working_leg(p, "working")?,
        pending: working_leg(p, "pending")?,
    };
    let resp = RespType::parse(p, RespType::Full)?;
    place_list(ctx, &symbol, 2, resp, |ex, now| ex.place_oto(account, req, now))
}

fn list_place_otoco(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let account = ctx.account()?;
    let symbol = p.req_str("symbol")?;
    p.req_decimal("workingPrice")?;
    let req = NewOtoco {
        symbol: symbol.clone(),
        list_client_order_id: p.opt_str("listClientOrderId")?,
        stp_mode: stp(p)?,
        working: working_leg(p, "working")?,
        pending_side: side(p, "pendingSide")?,
        pending_quantity: p.req_decimal("pendingQuantity")?,
        pending_above: leg(p, "pendingAbove")?,
        pending_below: leg(p, "pendingBelow")?,
    };
    let resp = RespType::parse(p, RespType::Full)?;
    place_list(ctx, &symbol, 3, resp, |ex, now| ex.place_otoco(account, req, now))
}

/// OPO and OPOCO: the engine has no such lists and every symbol says `opoAllowed: false`, so the answer is
/// the documented rejection.
fn list_place_opo(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    ctx.account()?;
    let symbol = p.req_str("symbol")?;
    ensure_symbol(ctx, &symbol)?;
    Err(ApiErr::new(-2010, "OPO orders are not supported for this symbol."))
}

fn list_cancel(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let account = ctx.account()?;
    let symbol = p.req_str("symbol")?;
    let id = p.opt_u64("orderListId")?;
    let client = p.opt_str("listClientOrderId")?;
    let new_id = p.opt_str("newClientOrderId")?;
    let r =
        ctx.sim.with_exchange(|ex, now| ex.cancel_order_list(account, &symbol, id, client.as_deref(), new_id, now))?;
    // This method's example shows the reports without origClientOrderId (order.cancel's list example has it).
    let mut v = fmt::list_canceled(&r);
    if let Some(reports) = v["orderReports"].as_array_mut() {
        for rep in reports.iter_mut().filter_map(Value::as_object_mut) {
            rep.remove("origClientOrderId");
        }
    }
    Ok(v)
}

// ----- SOR -----

/// SOR accepts LIMIT and MARKET orders by quantity only. Every symbol is in an SOR group (exchangeInfo `sors`)
/// of its own base asset; the order is routed to that symbol's book.
fn sor_order(p: &Params, symbol: &str) -> Result<NewOrder, ApiErr> {
    let req = new_order(p, symbol)?;
    if !matches!(req.order_type, OrderType::Limit | OrderType::Market) {
        return Err(ApiErr::new(-1116, "Invalid orderType."));
    }
    if req.quote_order_qty.is_some() {
        return Err(ApiErr::new(-1106, "Parameter 'quoteOrderQty' sent when not required."));
    }
    p.req_decimal("quantity")?;
    Ok(req)
}

fn sor_place(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let account = ctx.account()?;
    let symbol = p.req_str("symbol")?;
    let req = sor_order(p, &symbol)?;
    let resp = RespType::parse(p, RespType::Full)?;
    ensure_symbol(ctx, &symbol)?;
    ctx.charge_orders(account, 1)?;
    let sim = ctx.sim;
    let r = sim.with_exchange(|ex, now| {
        let r = ex.place_order(account, req, now);
        if let Ok(r) = &r {
            // Marked before the events are formatted, so the execution reports carry the SOR fields.
            sim.user_streams.lock().sor_orders.insert(r.order.order_id);
        }
        r
    })?;
    let mut v =
        fmt::placed(&r.order, r.transact_time, if resp == RespType::Ack { resp } else { RespType::Result }, &[]);
    if resp == RespType::Full {
        let allocs = sim.allocations.lock();
        let fills: Vec<Value> = allocs
            .iter()
            .filter(|a| a.order_id == r.order.order_id && a.symbol == r.order.symbol && a.time == r.transact_time)
            .map(|a| {
                json!({
                    "matchType": "ONE_PARTY_TRADE_REPORT",
                    "price": fmt_dec(a.price),
                    "qty": fmt_dec(a.qty),
                    "commission": fmt_dec(a.commission),
                    "commissionAsset": a.commission_asset,
                    "tradeId": -1,
                    "allocId": a.allocation_id,
                })
            })
            .collect();
        v["fills"] = Value::Array(fills);
    }
    if resp != RespType::Ack {
        v["workingFloor"] = json!("SOR");
        v["usedSor"] = json!(true);
    }
    Ok(json!([v]))
}

fn sor_test(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let account = ctx.account()?;
    let symbol = p.req_str("symbol")?;
    let req = sor_order(p, &symbol)?;
    RespType::parse(p, RespType::Full)?;
    let compute = p.opt_bool("computeCommissionRates")?.unwrap_or(false);
    ensure_symbol(ctx, &symbol)?;
    ctx.sim.exchange.lock().check_order(account, &req)?;
    if !compute {
        return Ok(json!({}));
    }
    let c = commission_json(ctx, &symbol, false)?;
    Ok(json!({
        "standardCommissionForOrder": c["standard"],
        "taxCommissionForOrder": c["tax"],
        "discount": c["discount"],
    }))
}
