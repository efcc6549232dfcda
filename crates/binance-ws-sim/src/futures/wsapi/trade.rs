//! order.place, order.modify, order.cancel, order.status (both products).

use serde_json::Value;

use super::json::{order_json, OrderView};
use super::{symbol_param, FCtx, FMethod, FSec};
use crate::exchange::{Reject, Side};
use crate::futures::engine::{
    FOrder, FOrderRef, FOrderType, FStpMode, FTimeInForce, NewFOrder, PositionSide, PriceMatch, RespType, WorkingType,
};
use crate::wsapi::{ApiErr, Params, ParamsExt};

pub const METHODS: &[FMethod] = &[
    FMethod { name: "order.place", security: FSec::Signed, weight: |_| 0, handler: place },
    FMethod { name: "order.modify", security: FSec::Signed, weight: |_| 1, handler: modify },
    FMethod { name: "order.cancel", security: FSec::Signed, weight: |_| 1, handler: cancel },
    FMethod { name: "order.status", security: FSec::Signed, weight: |_| 1, handler: status },
];

fn enum_param<T>(
    p: &Params,
    name: &str,
    parse: fn(&str) -> Option<T>,
    err: fn() -> ApiErr,
) -> Result<Option<T>, ApiErr> {
    match p.opt_str(name)? {
        None => Ok(None),
        Some(s) => parse(&s).map(Some).ok_or_else(err),
    }
}

/// `"true"`/`"false"` in any case, or a JSON boolean.
fn flag(p: &Params, name: &str) -> Result<Option<bool>, ApiErr> {
    p.opt_bool(name)
}

fn side(p: &Params) -> Result<Side, ApiErr> {
    Side::parse(&p.req_str("side")?).ok_or_else(|| ApiErr::new(-1117, "Invalid side."))
}

fn order_ref(p: &Params) -> Result<FOrderRef, ApiErr> {
    Ok(FOrderRef { order_id: p.opt_u64("orderId")?, orig_client_order_id: p.opt_str("origClientOrderId")? })
}

fn new_order(p: &Params, symbol: String) -> Result<NewFOrder, ApiErr> {
    let order_type = FOrderType::parse(&p.req_str("type")?)
        .filter(|t| *t != FOrderType::Liquidation)
        .ok_or_else(|| ApiErr::new(-1116, "Invalid orderType."))?;
    let mut o = NewFOrder::new(&symbol, side(p)?, order_type);
    o.position_side =
        enum_param(p, "positionSide", PositionSide::parse, || ApiErr::new(-4060, "Invalid position side."))?;
    o.time_in_force = enum_param(p, "timeInForce", FTimeInForce::parse, || ApiErr::new(-1115, "Invalid timeInForce."))?;
    o.quantity = p.opt_decimal("quantity")?;
    o.reduce_only = flag(p, "reduceOnly")?;
    o.price = p.opt_decimal("price")?;
    o.new_client_order_id = p.opt_str("newClientOrderId")?;
    o.stop_price = p.opt_decimal("stopPrice")?;
    o.close_position = flag(p, "closePosition")?;
    o.activation_price = p.opt_decimal("activationPrice")?;
    o.callback_rate = p.opt_decimal("callbackRate")?;
    o.working_type =
        enum_param(p, "workingType", WorkingType::parse, || ApiErr::new(-4031, "Invalid parameter working type"))?;
    o.price_protect = flag(p, "priceProtect")?;
    o.price_match = enum_param(p, "priceMatch", PriceMatch::parse, || ApiErr::new(-5037, "Invalid price match"))?;
    o.stp = enum_param(p, "selfTradePreventionMode", FStpMode::parse, || {
        ApiErr::new(-5039, "Invalid self trade prevention mode")
    })?;
    o.good_till_date = p.opt_u64("goodTillDate")?;
    Ok(o)
}

fn render(ctx: &FCtx<'_>, o: &FOrder, view: OrderView) -> Value {
    let product = ctx.product();
    ctx.venue.read(|e| e.contract(&o.symbol).map(|c| order_json(product, c, o, view)).unwrap_or(Value::Null))
}

fn place(ctx: &mut FCtx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let symbol = symbol_param(ctx, p)?;
    let req = new_order(p, symbol)?;
    let resp = enum_param(p, "newOrderRespType", RespType::parse, || ApiErr::new(-1136, "Invalid newOrderRespType."))?
        .unwrap_or(RespType::Ack);
    let account = ctx.account()?;
    ctx.charge_orders(account)?;
    let placed = ctx.venue.with_engine(ctx.now_ms, |e, now| e.place(account, req, now)).map_err(ApiErr::from)?;
    let shown = if resp == RespType::Result { placed.result } else { placed.ack };
    Ok(render(ctx, &shown, OrderView::Change))
}

fn modify(ctx: &mut FCtx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let symbol = symbol_param(ctx, p)?;
    let r = order_ref(p)?;
    if r.order_id.is_none() && r.orig_client_order_id.is_none() {
        return Err(ApiErr::new(
            -1102,
            "Param 'orderId' or 'origClientOrderId' must be sent, but both were empty/null!",
        ));
    }
    let side = side(p)?;
    let quantity = p.req_decimal("quantity")?;
    let price = p.opt_decimal("price")?;
    let price_match = enum_param(p, "priceMatch", PriceMatch::parse, || ApiErr::new(-5037, "Invalid price match"))?;
    let account = ctx.account()?;
    ctx.charge_orders(account)?;
    let o = ctx
        .venue
        .with_engine(ctx.now_ms, |e, now| e.modify(account, &symbol, &r, side, quantity, price, price_match, now))
        .map_err(ApiErr::from)?;
    Ok(render(ctx, &o, OrderView::Change))
}

fn cancel(ctx: &mut FCtx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let symbol = symbol_param(ctx, p)?;
    let r = order_ref(p)?;
    let account = ctx.account()?;
    let o = ctx.venue.with_engine(ctx.now_ms, |e, now| e.cancel(account, &symbol, &r, now)).map_err(ApiErr::from)?;
    Ok(render(ctx, &o, OrderView::Change))
}

fn status(ctx: &mut FCtx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let symbol = symbol_param(ctx, p)?;
    let r = order_ref(p)?;
    let account = ctx.account()?;
    let o: Result<FOrder, Reject> = ctx.venue.read(|e| e.query(account, &symbol, &r));
    Ok(render(ctx, &o.map_err(ApiErr::from)?, OrderView::Status))
}
