//! USD-M market data: depth (from the engine's book, so `lastUpdateId` matches the diff stream's `u`),
//! ticker.price and ticker.book. The COIN-M WebSocket API pages list no market data methods.

use serde_json::{json, Value};

use super::{symbol_param, FCtx, FMethod, FSec};
use crate::futures::engine::Engine;
use crate::futures::fmt::Fmt;
use crate::wsapi::{ApiErr, Params, ParamsExt};

pub const METHODS: &[FMethod] = &[
    FMethod { name: "depth", security: FSec::None, weight: depth_weight, handler: depth },
    FMethod {
        name: "ticker.price",
        security: FSec::None,
        weight: |p| if p.contains_key("symbol") { 1 } else { 2 },
        handler: ticker_price,
    },
    FMethod {
        name: "ticker.book",
        security: FSec::None,
        weight: |p| if p.contains_key("symbol") { 2 } else { 5 },
        handler: ticker_book,
    },
];

const LIMITS: [u64; 7] = [5, 10, 20, 50, 100, 500, 1000];

fn depth_weight(p: &Params) -> u64 {
    match p.opt_u64("limit").ok().flatten().unwrap_or(500) {
        0..=50 => 2,
        51..=100 => 5,
        101..=500 => 10,
        _ => 20,
    }
}

fn depth(ctx: &mut FCtx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let symbol = symbol_param(ctx, p)?;
    let limit = p.opt_u64("limit")?.unwrap_or(500);
    if !LIMITS.contains(&limit) {
        return Err(ApiErr::new(-4021, format!("'{limit}' is not valid depth limit.")));
    }
    let now = ctx.now_ms;
    ctx.venue.read(|e| {
        let (snap, time) = e.depth(&symbol, limit as usize).map_err(ApiErr::from)?;
        let f = e.contract(&symbol).map(Fmt::of).ok_or_else(ApiErr::bad_symbol)?;
        let levels = |l: &[(rust_decimal::Decimal, rust_decimal::Decimal)]| -> Value {
            l.iter().map(|(px, q)| json!([f.level(*px), f.qty(*q)])).collect()
        };
        Ok(json!({
            "lastUpdateId": snap.last_update_id, "E": now, "T": time,
            "bids": levels(&snap.bids), "asks": levels(&snap.asks),
        }))
    })
}

/// The symbols asked for: one (answered as an object) or all (an array).
fn symbols(ctx: &FCtx<'_>, p: &Params) -> Result<(Vec<String>, bool), ApiErr> {
    match p.opt_str("symbol")? {
        Some(_) => Ok((vec![symbol_param(ctx, p)?], true)),
        None => Ok((ctx.venue.read(|e| e.contracts().map(|c| c.symbol.clone()).collect()), false)),
    }
}

fn one_or_all(list: Vec<Value>, one: bool) -> Value {
    if one {
        list.into_iter().next().unwrap_or(Value::Null)
    } else {
        Value::Array(list)
    }
}

fn ticker_price(ctx: &mut FCtx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let (list, one) = symbols(ctx, p)?;
    let out = ctx.venue.read(|e: &Engine| {
        list.iter()
            .filter_map(|s| {
                let f = Fmt::of(e.contract(s)?);
                let (price, time) = e.last_trade(s).unwrap_or_default();
                Some(json!({"symbol": s, "price": f.level(price), "time": time}))
            })
            .collect()
    });
    Ok(one_or_all(out, one))
}

fn ticker_book(ctx: &mut FCtx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let (list, one) = symbols(ctx, p)?;
    let out = ctx.venue.read(|e: &Engine| {
        list.iter()
            .filter_map(|s| {
                let f = Fmt::of(e.contract(s)?);
                let (snap, time) = e.depth(s, 1).ok()?;
                let bid = snap.bids.first().copied().unwrap_or_default();
                let ask = snap.asks.first().copied().unwrap_or_default();
                Some(json!({
                    "lastUpdateId": snap.last_update_id, "symbol": s, "bidPrice": f.level(bid.0),
                    "bidQty": f.qty(bid.1), "askPrice": f.level(ask.0), "askQty": f.qty(ask.1), "time": time,
                }))
            })
            .collect()
    });
    Ok(one_or_all(out, one))
}
