//! Account requests (USER_DATA): balances, commissions, orders, order lists, trades, prevented matches,
//! allocations, filters, amendments and the ORDERS counts.

use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::fmt;
use super::general::filter_json;
use super::{ApiErr, Ctx, Method, Params, ParamsExt, Sec};
use crate::exchange::query::HistoryQuery;
use crate::exchange::OrderRef;
use crate::market::fmt_dec;

pub const METHODS: &[Method] = &[
    Method { name: "account.status", security: Sec::Signed, weight: |_| 20, handler: account_status },
    Method { name: "account.rateLimits.orders", security: Sec::Signed, weight: |_| 40, handler: order_counts },
    Method { name: "account.commission", security: Sec::Signed, weight: |_| 20, handler: commission },
    Method { name: "order.status", security: Sec::Signed, weight: |_| 4, handler: order_status },
    Method {
        name: "openOrders.status",
        security: Sec::Signed,
        weight: |p| if p.get("symbol").is_some() { 6 } else { 80 },
        handler: open_orders,
    },
    Method { name: "allOrders", security: Sec::Signed, weight: |_| 20, handler: all_orders },
    Method { name: "orderList.status", security: Sec::Signed, weight: |_| 4, handler: order_list_status },
    Method { name: "openOrderLists.status", security: Sec::Signed, weight: |_| 6, handler: open_order_lists },
    Method { name: "allOrderLists", security: Sec::Signed, weight: |_| 20, handler: all_order_lists },
    Method {
        name: "myTrades",
        security: Sec::Signed,
        weight: |p| if p.get("orderId").is_some() { 5 } else { 20 },
        handler: my_trades,
    },
    Method {
        name: "myPreventedMatches",
        security: Sec::Signed,
        weight: |p| if p.get("orderId").is_some() { 20 } else { 2 },
        handler: my_prevented_matches,
    },
    Method { name: "myAllocations", security: Sec::Signed, weight: |_| 20, handler: my_allocations },
    Method { name: "myFilters", security: Sec::Signed, weight: |_| 40, handler: my_filters },
    Method { name: "order.amendments", security: Sec::Signed, weight: |_| 4, handler: order_amendments },
];

/// A rate as Binance shows it, with 8 decimals.
fn rate(r: Decimal) -> String {
    fmt_dec(r)
}

fn account_status(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let account = ctx.account()?;
    let omit_zero = p.opt_bool("omitZeroBalances")?.unwrap_or(false);
    let ex = ctx.sim.exchange.lock();
    let balances = ex.balances(account)?;
    let rates = ex.accounts.rates(account);
    let bips = |r: Decimal| (r * Decimal::from(10_000)).trunc().to_string().parse::<i64>().unwrap_or(0);
    Ok(json!({
        "makerCommission": bips(rates.maker),
        "takerCommission": bips(rates.taker),
        "buyerCommission": 0,
        "sellerCommission": 0,
        "canTrade": true,
        "canWithdraw": true,
        "canDeposit": true,
        "commissionRates": {
            "maker": rate(rates.maker),
            "taker": rate(rates.taker),
            "buyer": rate(Decimal::ZERO),
            "seller": rate(Decimal::ZERO),
        },
        "brokered": false,
        "requireSelfTradePrevention": false,
        "preventSor": false,
        "updateTime": ex.account_update_time(account),
        "accountType": "SPOT",
        "balances": balances
            .iter()
            .filter(|(_, b)| !omit_zero || !(b.free + b.locked).is_zero())
            .map(|(a, b)| json!({"asset": a, "free": fmt_dec(b.free), "locked": fmt_dec(b.locked)}))
            .collect::<Vec<_>>(),
        "permissions": ["SPOT"],
        "uid": account.0,
    }))
}

fn order_counts(ctx: &mut Ctx<'_>, _: &Params) -> Result<Value, ApiErr> {
    let account = ctx.account()?;
    Ok(Value::Array(ctx.sim.order_counts.lock().usage_json(account, ctx.now_ms).to_vec()))
}

/// Commission rates of an order or account (standard, no special or tax rates, no BNB discount).
pub(super) fn commission_json(ctx: &Ctx<'_>, symbol: &str, with_buyer_seller: bool) -> Result<Value, ApiErr> {
    let account = ctx.account()?;
    let r = ctx.sim.exchange.lock().commission_rates(account, symbol)?;
    let set = |maker: Decimal, taker: Decimal| {
        if with_buyer_seller {
            json!({"maker": rate(maker), "taker": rate(taker), "buyer": rate(Decimal::ZERO), "seller": rate(Decimal::ZERO)})
        } else {
            json!({"maker": rate(maker), "taker": rate(taker)})
        }
    };
    let z = Decimal::ZERO;
    Ok(json!({
        "standard": set(r.maker, r.taker),
        "special": set(z, z),
        "tax": set(z, z),
        "discount": {
            "enabledForAccount": false,
            "enabledForSymbol": false,
            "discountAsset": "BNB",
            "discount": rate(z),
        },
    }))
}

fn commission(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let symbol = p.req_str("symbol")?;
    let c = commission_json(ctx, &symbol, true)?;
    Ok(json!({
        "symbol": symbol,
        "standardCommission": c["standard"],
        "specialCommission": c["special"],
        "taxCommission": c["tax"],
        "discount": c["discount"],
    }))
}

/// `orderId` and/or `origClientOrderId`.
pub(super) fn order_ref(p: &Params, id: &str, client_id: &str) -> Result<OrderRef, ApiErr> {
    let r = OrderRef { order_id: p.opt_u64(id)?, orig_client_order_id: p.opt_str(client_id)? };
    if r.order_id.is_none() && r.orig_client_order_id.is_none() {
        return Err(ApiErr::new(
            -1102,
            format!("Param '{id}' or '{client_id}' must be sent, but both were empty/null!"),
        ));
    }
    Ok(r)
}

fn order_status(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let account = ctx.account()?;
    let symbol = p.req_str("symbol")?;
    let r = order_ref(p, "orderId", "origClientOrderId")?;
    let o = ctx.sim.exchange.lock().query_order(account, &symbol, &r)?;
    Ok(fmt::status(&o))
}

fn open_orders(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let account = ctx.account()?;
    let symbol = p.opt_str("symbol")?;
    let orders = ctx.sim.exchange.lock().open_orders(account, symbol.as_deref())?;
    Ok(Value::Array(orders.iter().map(fmt::status).collect()))
}

fn history(p: &Params, from: &str) -> Result<HistoryQuery, ApiErr> {
    let limit = p.opt_u64("limit")?;
    Ok(HistoryQuery {
        from_id: p.opt_u64(from)?,
        start_time: p.opt_u64("startTime")?,
        end_time: p.opt_u64("endTime")?,
        limit: limit.map(|l| l.min(u32::MAX as u64) as u32),
    })
}

fn all_orders(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let account = ctx.account()?;
    let symbol = p.req_str("symbol")?;
    let q = history(p, "orderId")?;
    let orders = ctx.sim.exchange.lock().all_orders(account, &symbol, &q)?;
    Ok(Value::Array(orders.iter().map(fmt::status).collect()))
}

fn order_list_status(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let account = ctx.account()?;
    let client = p.opt_str("origClientOrderId")?;
    // With both, only origClientOrderId is used.
    let id = if client.is_some() { None } else { p.opt_u64("orderListId")? };
    let l = ctx.sim.exchange.lock().query_order_list(account, id, client.as_deref())?;
    Ok(fmt::list_status(&l))
}

fn open_order_lists(ctx: &mut Ctx<'_>, _: &Params) -> Result<Value, ApiErr> {
    let account = ctx.account()?;
    Ok(Value::Array(ctx.sim.exchange.lock().open_order_lists(account).iter().map(fmt::list_status).collect()))
}

fn all_order_lists(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let account = ctx.account()?;
    let mut q = history(p, "fromId")?;
    if q.limit.is_some_and(|l| l == 0 || l > 1000) {
        return Err(ApiErr::invalid("limit"));
    }
    if let (Some(s), Some(e)) = (q.start_time, q.end_time) {
        if e.saturating_sub(s) > 86_400_000 {
            return Err(ApiErr::new(-1127, "More than 24 hours between startTime and endTime."));
        }
    }
    if q.start_time.is_some() || q.end_time.is_some() {
        q.from_id = None;
    }
    Ok(Value::Array(ctx.sim.exchange.lock().all_order_lists(account, &q).iter().map(fmt::list_status).collect()))
}

fn my_trades(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let account = ctx.account()?;
    let symbol = p.req_str("symbol")?;
    let order_id = p.opt_u64("orderId")?;
    let q = history(p, "fromId")?;
    let trades = ctx.sim.exchange.lock().my_trades(account, &symbol, order_id, &q)?;
    Ok(Value::Array(trades.iter().map(fmt::account_trade).collect()))
}

fn my_prevented_matches(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let account = ctx.account()?;
    let symbol = p.req_str("symbol")?;
    let (pm, order, from) = (p.opt_u64("preventedMatchId")?, p.opt_u64("orderId")?, p.opt_u64("fromPreventedMatchId")?);
    let limit = p.opt_u64("limit")?;
    if limit.is_some_and(|l| l == 0 || l > 1000) {
        return Err(ApiErr::invalid("limit"));
    }
    let list = ctx.sim.exchange.lock().prevented_matches(account, &symbol, pm, order, from, limit.map(|l| l as u32))?;
    Ok(Value::Array(list.iter().map(fmt::prevented).collect()))
}

/// Allocations of this account's SOR orders on the symbol.
fn my_allocations(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let account = ctx.account()?;
    let symbol = p.req_str("symbol")?;
    if ctx.sim.exchange.lock().symbol(&symbol).is_none() {
        return Err(ApiErr::bad_symbol());
    }
    let (start, end, from, order) =
        (p.opt_u64("startTime")?, p.opt_u64("endTime")?, p.opt_u64("fromAllocationId")?, p.opt_u64("orderId")?);
    let limit = p.opt_u64("limit")?.unwrap_or(500);
    if limit == 0 || limit > 1000 {
        return Err(ApiErr::invalid("limit"));
    }
    if let (Some(s), Some(e)) = (start, end) {
        if e.saturating_sub(s) > 86_400_000 {
            return Err(ApiErr::new(-1127, "More than 24 hours between startTime and endTime."));
        }
    }
    let allocs = ctx.sim.allocations.lock();
    let mine: Vec<_> = allocs
        .iter()
        .filter(|a| a.account == account && a.symbol == symbol)
        .filter(|a| order.is_none_or(|o| a.order_id == o))
        .filter(|a| from.is_none_or(|f| a.allocation_id >= f))
        .filter(|a| start.is_none_or(|s| a.time >= s) && end.is_none_or(|e| a.time <= e))
        .collect();
    // Only endTime: the newest ones until then; otherwise the oldest first.
    let picked: Vec<_> = if end.is_some() && start.is_none() {
        mine[mine.len().saturating_sub(limit as usize)..].to_vec()
    } else {
        mine.into_iter().take(limit as usize).collect()
    };
    Ok(Value::Array(picked.iter().map(|a| a.to_json()).collect()))
}

fn my_filters(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    ctx.account()?;
    let symbol = p.req_str("symbol")?;
    let c = ctx.sim.exchange.lock().symbol(&symbol).cloned().ok_or_else(ApiErr::bad_symbol)?;
    Ok(json!({
        "exchangeFilters": [],
        "symbolFilters": c.filters.iter().map(filter_json).collect::<Vec<_>>(),
        "assetFilters": [],
    }))
}

fn order_amendments(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let account = ctx.account()?;
    let symbol = p.req_str("symbol")?;
    let order_id = p.req_u64("orderId")?;
    let from = p.opt_u64("fromExecutionId")?;
    let limit = p.opt_u64("limit")?;
    if limit.is_some_and(|l| l == 0 || l > 1000) {
        return Err(ApiErr::invalid("limit"));
    }
    let list = ctx.sim.exchange.lock().order_amendments(account, &symbol, order_id, from, limit.map(|l| l as u32))?;
    Ok(Value::Array(list.iter().map(fmt::amendment).collect()))
}
