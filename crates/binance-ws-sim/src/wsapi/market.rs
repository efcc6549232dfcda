//! Market data requests, answered from the engine's book (depth) and from the market state the stream hub
//! builds from the engine's events (trades, klines, tickers, average price).

use serde_json::{json, Value};

use super::{ApiErr, Ctx, Method, Params, ParamsExt, Sec};
use crate::exchange::SymbolConfig;
use crate::market::json::TickerType;

pub const METHODS: &[Method] = &[
    Method { name: "depth", security: Sec::None, weight: depth_weight, handler: depth },
    Method { name: "trades.recent", security: Sec::None, weight: |_| 25, handler: trades_recent },
    Method { name: "trades.historical", security: Sec::None, weight: |_| 25, handler: trades_historical },
    Method { name: "blockTrades.historical", security: Sec::None, weight: |_| 25, handler: block_trades },
    Method { name: "trades.aggregate", security: Sec::None, weight: |_| 4, handler: trades_aggregate },
    Method { name: "klines", security: Sec::None, weight: |_| 2, handler: klines },
    Method { name: "uiKlines", security: Sec::None, weight: |_| 2, handler: klines },
    Method { name: "avgPrice", security: Sec::None, weight: |_| 2, handler: avg_price },
    Method { name: "ticker.24hr", security: Sec::None, weight: ticker_24hr_weight, handler: ticker_24hr },
    Method { name: "ticker.tradingDay", security: Sec::None, weight: per_symbol_weight, handler: ticker_trading_day },
    Method { name: "ticker", security: Sec::None, weight: per_symbol_weight, handler: ticker_rolling },
    Method { name: "ticker.price", security: Sec::None, weight: price_book_weight, handler: ticker_price },
    Method { name: "ticker.book", security: Sec::None, weight: price_book_weight, handler: ticker_book },
    Method { name: "referencePrice", security: Sec::None, weight: |_| 2, handler: reference_price },
    Method {
        name: "referencePrice.calculation",
        security: Sec::None,
        weight: |_| 2,
        handler: reference_price_calculation,
    },
];

/// `symbols`: a JSON array, or a string holding one (`"[\"BTCUSDT\",\"BNBUSDT\"]"`). Duplicates are -1151.
pub(super) fn symbol_list(p: &Params) -> Result<Option<Vec<String>>, ApiErr> {
    let list = match p.get("symbols") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) => serde_json::from_str::<Vec<String>>(s).map_err(|_| ApiErr::invalid("symbols"))?,
        Some(_) => p.opt_str_list("symbols")?.unwrap_or_default(),
    };
    if list.is_empty() {
        return Err(ApiErr::invalid("symbols"));
    }
    for (i, s) in list.iter().enumerate() {
        if list[..i].contains(s) {
            return Err(ApiErr::new(-1151, "Symbol is present multiple times in the list."));
        }
    }
    Ok(Some(list))
}

/// How many symbols `symbols` names (for weights).
pub(super) fn symbols_count(p: &Params) -> Option<usize> {
    symbol_list(p).ok().flatten().map(|l| l.len())
}

/// `symbolStatus`: TRADING, HALT or BREAK; anything else is -1122.
pub(super) fn symbol_status(p: &Params) -> Result<Option<String>, ApiErr> {
    match p.opt_str("symbolStatus")? {
        None => Ok(None),
        Some(s) if ["TRADING", "HALT", "BREAK"].contains(&s.as_str()) => Ok(Some(s)),
        Some(_) => Err(ApiErr::new(-1122, "Invalid symbolStatus.")),
    }
}

/// The listed symbol named by `symbol`, honouring `symbolStatus`.
fn one_symbol(ctx: &Ctx<'_>, p: &Params) -> Result<SymbolConfig, ApiErr> {
    let name = p.req_str("symbol")?;
    let status = symbol_status(p)?;
    let c = ctx.sim.exchange.lock().symbol(&name).cloned().ok_or_else(ApiErr::bad_symbol)?;
    if status.is_some_and(|s| s != c.status) {
        return Err(ApiErr::new(-1220, "The symbol's status does not match the requested symbolStatus."));
    }
    Ok(c)
}

/// The symbols of a ticker request: one (an object is answered), a list or all (an array is answered).
fn ticker_symbols(ctx: &Ctx<'_>, p: &Params, all_if_none: bool) -> Result<(Vec<String>, bool), ApiErr> {
    let one = p.opt_str("symbol")?;
    let many = symbol_list(p)?;
    if one.is_some() && many.is_some() {
        return Err(ApiErr::new(-1128, "Combination of optional parameters invalid."));
    }
    if one.is_some() {
        return Ok((vec![one_symbol(ctx, p)?.symbol], true));
    }
    let status = symbol_status(p)?;
    let ex = ctx.sim.exchange.lock();
    let configs: Vec<SymbolConfig> = match many {
        Some(list) => {
            list.iter().map(|s| ex.symbol(s).cloned().ok_or_else(ApiErr::bad_symbol)).collect::<Result<_, _>>()?
        }
        None if all_if_none => ex.symbols().cloned().collect(),
        None => return Err(ApiErr::new(-1102, "Param 'symbol' or 'symbols' must be sent, but both were empty/null!")),
    };
    Ok((
        configs.into_iter().filter(|c| status.as_ref().is_none_or(|s| *s == c.status)).map(|c| c.symbol).collect(),
        false,
    ))
}

fn answer(values: Vec<Value>, single: bool) -> Value {
    if single {
        values.into_iter().next().unwrap_or(Value::Null)
    } else {
        Value::Array(values)
    }
}

fn depth_weight(p: &Params) -> u64 {
    match p.opt_u64("limit").ok().flatten().unwrap_or(100) {
        0..=100 => 5,
        101..=500 => 25,
        501..=1000 => 50,
        _ => 250,
    }
}

fn depth(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let c = one_symbol(ctx, p)?;
    let limit = p.opt_u64("limit")?.unwrap_or(100);
    if limit == 0 || limit > 5000 {
        return Err(ApiErr::invalid("limit"));
    }
    let snap = ctx.sim.exchange.lock().depth(&c.symbol, limit as usize).map_err(ApiErr::from)?;
    Ok(crate::market::json::depth_json(&snap))
}

fn trades_recent(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let c = one_symbol(ctx, p)?;
    let limit = p.opt_u64("limit")?;
    Ok(ctx.sim.hub.state().lock().trades_recent_json(&c.symbol, limit))
}

fn trades_historical(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let c = one_symbol(ctx, p)?;
    let (from, limit) = (p.opt_u64("fromId")?, p.opt_u64("limit")?);
    Ok(ctx.sim.hub.state().lock().trades_historical_json(&c.symbol, from, limit))
}

/// The exchange has no block trades: an empty list.
fn block_trades(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    one_symbol(ctx, p)?;
    p.req_u64("fromId")?;
    p.opt_u64("limit")?;
    Ok(json!([]))
}

fn trades_aggregate(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let c = one_symbol(ctx, p)?;
    let (from, start, end, limit) =
        (p.opt_u64("fromId")?, p.opt_u64("startTime")?, p.opt_u64("endTime")?, p.opt_u64("limit")?);
    ctx.sim.hub.state().lock().trades_aggregate_json(&c.symbol, from, start, end, limit).map_err(ApiErr::from)
}

fn klines(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let c = one_symbol(ctx, p)?;
    let interval = p.req_str("interval")?;
    let (start, end, limit) = (p.opt_u64("startTime")?, p.opt_u64("endTime")?, p.opt_u64("limit")?);
    let tz = p.opt_str("timeZone")?;
    ctx.sim.hub.state().lock().klines_json(&c.symbol, &interval, start, end, limit, tz.as_deref()).map_err(ApiErr::from)
}

fn avg_price(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let c = one_symbol(ctx, p)?;
    Ok(ctx.sim.hub.state().lock().avg_price_json(&c.symbol, ctx.now_ms))
}

fn ticker_24hr_weight(p: &Params) -> u64 {
    if p.get("symbol").is_some() {
        return 2;
    }
    match symbols_count(p) {
        Some(0..=20) => 2,
        Some(21..=100) => 40,
        _ => 80,
    }
}

fn per_symbol_weight(p: &Params) -> u64 {
    if p.get("symbol").is_some() {
        return 4;
    }
    match symbols_count(p) {
        Some(n) if n <= 50 => 4 * n as u64,
        _ => 200,
    }
}

fn price_book_weight(p: &Params) -> u64 {
    if p.get("symbol").is_some() {
        2
    } else {
        4
    }
}

fn ticker_type(p: &Params) -> Result<TickerType, ApiErr> {
    TickerType::parse(p.opt_str("type")?.as_deref()).map_err(ApiErr::from)
}

fn ticker_24hr(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let ty = ticker_type(p)?;
    let (symbols, single) = ticker_symbols(ctx, p, true)?;
    let st = ctx.sim.hub.state();
    let st = st.lock();
    Ok(answer(symbols.iter().map(|s| st.ticker_24hr_json(s, ty, ctx.now_ms)).collect(), single))
}

fn ticker_trading_day(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let ty = ticker_type(p)?;
    let tz = p.opt_str("timeZone")?;
    let (symbols, single) = ticker_symbols(ctx, p, false)?;
    let st = ctx.sim.hub.state();
    let st = st.lock();
    let values = symbols
        .iter()
        .map(|s| st.ticker_trading_day_json(s, ty, tz.as_deref(), ctx.now_ms).map_err(ApiErr::from))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(answer(values, single))
}

fn ticker_rolling(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let ty = ticker_type(p)?;
    let window = p.opt_str("windowSize")?;
    let (symbols, single) = ticker_symbols(ctx, p, false)?;
    let st = ctx.sim.hub.state();
    let st = st.lock();
    let values = symbols
        .iter()
        .map(|s| st.ticker_rolling_json(s, ty, window.as_deref(), ctx.now_ms).map_err(ApiErr::from))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(answer(values, single))
}

fn ticker_price(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let (symbols, single) = ticker_symbols(ctx, p, true)?;
    let st = ctx.sim.hub.state();
    let st = st.lock();
    Ok(answer(symbols.iter().map(|s| st.ticker_price_json(s)).collect(), single))
}

fn ticker_book(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let (symbols, single) = ticker_symbols(ctx, p, true)?;
    let st = ctx.sim.hub.state();
    let st = st.lock();
    Ok(answer(symbols.iter().map(|s| st.ticker_book_json(s)).collect(), single))
}

/// No symbol of this exchange has a reference price: the docs' answer for "never set" (status 200 with the
/// -2043 code and message as the result).
fn reference_price(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    one_symbol(ctx, p)?;
    Ok(json!({"code": -2043, "msg": "This symbol doesn't have a reference price."}))
}

/// No reference price is calculated here: the docs' 400 with -2043.
fn reference_price_calculation(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    one_symbol(ctx, p)?;
    Err(ApiErr::new(-2043, "This symbol doesn't have a reference price."))
}
