//! Orders, order lists and fills as the WebSocket API's responses show them (web-socket-api.md), with the
//! conditional fields of "Conditional fields in Order Responses" present only when their condition holds.

use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use crate::exchange::{
    AccountTrade, Amendment, Fill, ListReport, ListStatus, Order, OrderStatus, OrderType, PreventedMatch,
};
use crate::market::fmt_dec;

use super::{ApiErr, Params, ParamsExt};

fn d(x: Decimal) -> Value {
    Value::String(fmt_dec(x))
}

fn working_time(o: &Order) -> i64 {
    o.working_time.map(|t| t as i64).unwrap_or(-1)
}

/// `newOrderRespType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RespType {
    Ack,
    Result,
    Full,
}

impl RespType {
    /// Reads `newOrderRespType`; `default` when absent.
    pub fn parse(p: &Params, default: RespType) -> Result<RespType, ApiErr> {
        match p.opt_str("newOrderRespType")?.as_deref() {
            None => Ok(default),
            Some("ACK") => Ok(RespType::Ack),
            Some("RESULT") => Ok(RespType::Result),
            Some("FULL") => Ok(RespType::Full),
            Some(_) => Err(ApiErr::invalid("newOrderRespType")),
        }
    }

    /// order.place's default: FULL for MARKET and LIMIT, ACK otherwise.
    pub fn default_for(t: OrderType) -> RespType {
        if matches!(t, OrderType::Market | OrderType::Limit) {
            RespType::Full
        } else {
            RespType::Ack
        }
    }
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// stopPrice, trailingDelta/trailingTime, icebergQty, strategyId, strategyType when the order has them.
fn optional_fields(o: &Order, m: &mut Map<String, Value>) {
    if let Some(sp) = o.stop_price {
        m.insert("stopPrice".into(), d(sp));
    }
    if let Some(td) = o.trailing_delta {
        m.insert("trailingDelta".into(), json!(td));
        m.insert("trailingTime".into(), json!(o.trailing_time.unwrap_or(-1)));
    }
    if let Some(iq) = o.iceberg_qty {
        m.insert("icebergQty".into(), d(iq));
    }
    if let Some(s) = o.strategy_id {
        m.insert("strategyId".into(), json!(s));
    }
    if let Some(s) = o.strategy_type {
        m.insert("strategyType".into(), json!(s));
    }
}

/// preventedMatchId/preventedQuantity (expired by STP) and expiryReason (expired).
fn expiry_fields(o: &Order, m: &mut Map<String, Value>) {
    if let Some(id) = o.prevented_match_id {
        m.insert("preventedMatchId".into(), json!(id));
        m.insert("preventedQuantity".into(), d(o.prevented_qty));
    }
    if let (Some(r), OrderStatus::Expired | OrderStatus::ExpiredInMatch) = (o.expiry_reason, o.status) {
        m.insert("expiryReason".into(), json!(r.as_str()));
    }
}

fn core(o: &Order, m: &mut Map<String, Value>) {
    m.insert("price".into(), d(o.price));
    m.insert("origQty".into(), d(o.orig_qty));
    m.insert("executedQty".into(), d(o.executed_qty));
    m.insert("origQuoteOrderQty".into(), d(o.orig_quote_order_qty));
    m.insert("cummulativeQuoteQty".into(), d(o.cumulative_quote_qty));
    m.insert("status".into(), json!(o.status.as_str()));
    m.insert("timeInForce".into(), json!(o.time_in_force.as_str()));
    m.insert("type".into(), json!(o.order_type.as_str()));
    m.insert("side".into(), json!(o.side.as_str()));
}

/// An order placement response (`ACK`, `RESULT` or `FULL` with its immediate fills).
pub fn placed(o: &Order, transact_time: u64, resp: RespType, fills: &[Fill]) -> Value {
    let mut m = obj(json!({
        "symbol": o.symbol,
        "orderId": o.order_id,
        "orderListId": o.order_list_id,
        "clientOrderId": o.client_order_id,
        "transactTime": transact_time,
    }));
    if resp == RespType::Ack {
        return Value::Object(m);
    }
    core(o, &mut m);
    optional_fields(o, &mut m);
    m.insert("workingTime".into(), json!(working_time(o)));
    m.insert("selfTradePreventionMode".into(), json!(o.stp_mode.as_str()));
    expiry_fields(o, &mut m);
    if resp == RespType::Full {
        m.insert("fills".into(), Value::Array(fills.iter().map(fill).collect()));
    }
    Value::Object(m)
}

/// One `fills` entry.
pub fn fill(f: &Fill) -> Value {
    json!({
        "price": fmt_dec(f.price),
        "qty": fmt_dec(f.qty),
        "commission": fmt_dec(f.commission),
        "commissionAsset": f.commission_asset,
        "tradeId": f.trade_id,
    })
}

/// A cancellation report (order.cancel, cancelReplace's `cancelResponse`, list `orderReports`).
pub fn canceled(o: &Order, orig_client_order_id: &str, transact_time: u64) -> Value {
    let mut m = obj(json!({
        "symbol": o.symbol,
        "origClientOrderId": orig_client_order_id,
        "orderId": o.order_id,
        "orderListId": o.order_list_id,
        "clientOrderId": o.client_order_id,
        "transactTime": transact_time,
    }));
    core(o, &mut m);
    optional_fields(o, &mut m);
    m.insert("selfTradePreventionMode".into(), json!(o.stp_mode.as_str()));
    expiry_fields(o, &mut m);
    Value::Object(m)
}

/// An order status report (order.status, openOrders.status, allOrders).
pub fn status(o: &Order) -> Value {
    let mut m = obj(json!({
        "symbol": o.symbol,
        "orderId": o.order_id,
        "orderListId": o.order_list_id,
        "clientOrderId": o.client_order_id,
        "stopPrice": fmt_dec(o.stop_price.unwrap_or_default()),
        "icebergQty": fmt_dec(o.iceberg_qty.unwrap_or_default()),
        "time": o.time,
        "updateTime": o.update_time,
        "isWorking": o.working_time.is_some(),
        "workingTime": working_time(o),
        "selfTradePreventionMode": o.stp_mode.as_str(),
    }));
    core(o, &mut m);
    if let Some(td) = o.trailing_delta {
        m.insert("trailingDelta".into(), json!(td));
        m.insert("trailingTime".into(), json!(o.trailing_time.unwrap_or(-1)));
    }
    if let Some(s) = o.strategy_id {
        m.insert("strategyId".into(), json!(s));
    }
    if let Some(s) = o.strategy_type {
        m.insert("strategyType".into(), json!(s));
    }
    expiry_fields(o, &mut m);
    Value::Object(m)
}

fn list_orders(l: &ListStatus) -> Value {
    Value::Array(
        l.orders
            .iter()
            .map(|o| json!({"symbol": o.symbol, "orderId": o.order_id, "clientOrderId": o.client_order_id}))
            .collect(),
    )
}

/// An order list's status (orderList.status, openOrderLists.status, allOrderLists).
pub fn list_status(l: &ListStatus) -> Value {
    json!({
        "orderListId": l.order_list_id,
        "contingencyType": l.contingency_type.as_str(),
        "listStatusType": l.list_status_type.as_str(),
        "listOrderStatus": l.list_order_status.as_str(),
        "listClientOrderId": l.list_client_order_id,
        "transactionTime": l.transaction_time,
        "symbol": l.symbol,
        "orders": list_orders(l),
    })
}

/// A cancelled list with cancellation reports.
pub fn list_canceled(r: &ListReport) -> Value {
    let mut v = list_status(&r.status);
    let t = r.status.transaction_time;
    v["orderReports"] = Value::Array(
        r.orders
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let orig = r.orig_client_order_ids.get(i).map(String::as_str).unwrap_or(&o.client_order_id);
                canceled(o, orig, t)
            })
            .collect(),
    );
    v
}

/// order.amend.keepPriority's `amendedOrder`.
pub fn amended(o: &Order, orig_client_order_id: &str) -> Value {
    let mut m = obj(json!({
        "symbol": o.symbol,
        "orderId": o.order_id,
        "orderListId": o.order_list_id,
        "origClientOrderId": orig_client_order_id,
        "clientOrderId": o.client_order_id,
        "price": fmt_dec(o.price),
        "qty": fmt_dec(o.orig_qty),
        "executedQty": fmt_dec(o.executed_qty),
        "preventedQty": fmt_dec(o.prevented_qty),
        "quoteOrderQty": fmt_dec(o.orig_quote_order_qty),
        "cumulativeQuoteQty": fmt_dec(o.cumulative_quote_qty),
        "status": o.status.as_str(),
        "timeInForce": o.time_in_force.as_str(),
        "type": o.order_type.as_str(),
        "side": o.side.as_str(),
        "workingTime": working_time(o),
        "selfTradePreventionMode": o.stp_mode.as_str(),
    }));
    optional_fields(o, &mut m);
    Value::Object(m)
}

/// order.amend.keepPriority's `listStatus`.
pub fn amend_list_status(l: &ListStatus) -> Value {
    json!({
        "orderListId": l.order_list_id,
        "contingencyType": l.contingency_type.as_str(),
        "listOrderStatus": l.list_order_status.as_str(),
        "listClientOrderId": l.list_client_order_id,
        "symbol": l.symbol,
        "orders": list_orders(l),
    })
}

/// One myTrades entry.
pub fn account_trade(t: &AccountTrade) -> Value {
    json!({
        "symbol": t.symbol,
        "id": t.id,
        "orderId": t.order_id,
        "orderListId": t.order_list_id,
        "price": fmt_dec(t.price),
        "qty": fmt_dec(t.qty),
        "quoteQty": fmt_dec(t.quote_qty),
        "commission": fmt_dec(t.commission),
        "commissionAsset": t.commission_asset,
        "time": t.time,
        "isBuyer": t.is_buyer,
        "isMaker": t.is_maker,
        "isBestMatch": t.is_best_match,
    })
}

/// One myPreventedMatches entry.
pub fn prevented(p: &PreventedMatch) -> Value {
    json!({
        "symbol": p.symbol,
        "preventedMatchId": p.prevented_match_id,
        "takerOrderId": p.taker_order_id,
        "makerSymbol": p.maker_symbol,
        "makerOrderId": p.maker_order_id,
        "tradeGroupId": p.trade_group_id,
        "selfTradePreventionMode": p.self_trade_prevention_mode.as_str(),
        "price": fmt_dec(p.price),
        "makerPreventedQuantity": fmt_dec(p.maker_prevented_quantity),
        "transactTime": p.transact_time,
    })
}

/// One order.amendments entry.
pub fn amendment(a: &Amendment) -> Value {
    json!({
        "symbol": a.symbol,
        "orderId": a.order_id,
        "executionId": a.execution_id,
        "origClientOrderId": a.orig_client_order_id,
        "newClientOrderId": a.new_client_order_id,
        "origQty": fmt_dec(a.orig_qty),
        "newQty": fmt_dec(a.new_qty),
        "time": a.time,
    })
}
