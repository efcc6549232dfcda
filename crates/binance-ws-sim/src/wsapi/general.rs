//! General requests: ping, time, exchangeInfo, executionRules.

use serde_json::{json, Value};

use super::market::{symbol_list, symbol_status, symbols_count};
use super::{ApiErr, Ctx, Method, Params, ParamsExt, Sec};
use crate::exchange::{SymbolConfig, SymbolFilter};
use crate::market::fmt_dec;

pub const METHODS: &[Method] = &[
    Method { name: "ping", security: Sec::None, weight: |_| 1, handler: ping },
    Method { name: "time", security: Sec::None, weight: |_| 1, handler: time },
    Method { name: "exchangeInfo", security: Sec::None, weight: |_| 20, handler: exchange_info },
    Method { name: "executionRules", security: Sec::None, weight: execution_rules_weight, handler: execution_rules },
];

fn ping(_: &mut Ctx<'_>, _: &Params) -> Result<Value, ApiErr> {
    Ok(json!({}))
}

fn time(ctx: &mut Ctx<'_>, _: &Params) -> Result<Value, ApiErr> {
    Ok(json!({"serverTime": ctx.now_ms}))
}

/// A symbol filter as filters.md shows it.
pub(super) fn filter_json(f: &SymbolFilter) -> Value {
    let ty = f.filter_type();
    match f {
        SymbolFilter::PriceFilter(p) => json!({"filterType": ty, "minPrice": fmt_dec(p.min_price),
            "maxPrice": fmt_dec(p.max_price), "tickSize": fmt_dec(p.tick_size)}),
        SymbolFilter::LotSize(l) | SymbolFilter::MarketLotSize(l) => json!({"filterType": ty,
            "minQty": fmt_dec(l.min_qty), "maxQty": fmt_dec(l.max_qty), "stepSize": fmt_dec(l.step_size)}),
        SymbolFilter::Notional(n) => json!({"filterType": ty, "minNotional": fmt_dec(n.min_notional),
            "applyMinToMarket": n.apply_min_to_market, "maxNotional": fmt_dec(n.max_notional),
            "applyMaxToMarket": n.apply_max_to_market, "avgPriceMins": n.avg_price_mins}),
        SymbolFilter::PercentPriceBySide(p) => json!({"filterType": ty,
            "bidMultiplierUp": p.bid_multiplier_up.to_string(), "bidMultiplierDown": p.bid_multiplier_down.to_string(),
            "askMultiplierUp": p.ask_multiplier_up.to_string(), "askMultiplierDown": p.ask_multiplier_down.to_string(),
            "avgPriceMins": p.avg_price_mins}),
        SymbolFilter::IcebergParts { limit } => json!({"filterType": ty, "limit": limit}),
        SymbolFilter::MaxNumOrders { max_num_orders } => json!({"filterType": ty, "maxNumOrders": max_num_orders}),
    }
}

fn symbol_json(c: &SymbolConfig, show_permission_sets: bool) -> Value {
    json!({
        "symbol": c.symbol,
        "status": c.status,
        "baseAsset": c.base_asset,
        "baseAssetPrecision": c.base_asset_precision,
        "quoteAsset": c.quote_asset,
        "quotePrecision": c.quote_precision,
        "quoteAssetPrecision": c.quote_asset_precision,
        "baseCommissionPrecision": c.base_commission_precision,
        "quoteCommissionPrecision": c.quote_commission_precision,
        "orderTypes": c.order_types.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
        "icebergAllowed": c.iceberg_allowed,
        "ocoAllowed": c.oco_allowed,
        "otoAllowed": c.oto_allowed,
        "opoAllowed": c.opo_allowed,
        "quoteOrderQtyMarketAllowed": c.quote_order_qty_market_allowed,
        "allowTrailingStop": c.allow_trailing_stop,
        "cancelReplaceAllowed": c.cancel_replace_allowed,
        "amendAllowed": c.amend_allowed,
        "pegInstructionsAllowed": c.peg_instructions_allowed,
        "isSpotTradingAllowed": c.is_spot_trading_allowed,
        "isMarginTradingAllowed": c.is_margin_trading_allowed,
        "filters": c.filters.iter().map(filter_json).collect::<Vec<_>>(),
        "permissions": [],
        "permissionSets": if show_permission_sets { json!(c.permission_sets) } else { json!([]) },
        "defaultSelfTradePreventionMode": c.default_stp_mode.as_str(),
        "allowedSelfTradePreventionModes": c.allowed_stp_modes.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
    })
}

/// Which symbols a request selects: `symbol`, `symbols`, `symbolStatus` (and for exchangeInfo `permissions`).
/// Unknown symbols are -1121; a single symbol whose status does not match is -1220.
pub(super) fn select_symbols(ctx: &Ctx<'_>, p: &Params, allow_permissions: bool) -> Result<Vec<SymbolConfig>, ApiErr> {
    let one = p.opt_str("symbol")?;
    let many = symbol_list(p)?;
    let permissions = if allow_permissions {
        match p.get("permissions") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.starts_with('[') => {
                Some(serde_json::from_str::<Vec<String>>(s).map_err(|_| ApiErr::invalid("permissions"))?)
            }
            Some(Value::String(s)) => Some(vec![s.clone()]),
            Some(_) => p.opt_str_list("permissions")?,
        }
    } else {
        None
    };
    let status = symbol_status(p)?;
    let given = [one.is_some(), many.is_some(), permissions.is_some()].iter().filter(|b| **b).count();
    if given > 1 || (status.is_some() && (one.is_some() || many.is_some()) && allow_permissions) {
        return Err(ApiErr::new(-1128, "Combination of optional parameters invalid."));
    }
    let ex = ctx.sim.exchange.lock();
    let find = |s: &str| ex.symbol(s).cloned().ok_or_else(ApiErr::bad_symbol);
    let mut out = match (one, many) {
        (Some(s), _) => {
            let c = find(&s)?;
            if status.as_deref().is_some_and(|st| st != c.status) {
                return Err(ApiErr::new(-1220, "The symbol's status does not match the requested symbolStatus."));
            }
            return Ok(vec![c]);
        }
        (None, Some(list)) => list.iter().map(|s| find(s)).collect::<Result<Vec<_>, _>>()?,
        (None, None) => {
            let perms = permissions.clone().unwrap_or_else(|| vec!["SPOT".into(), "MARGIN".into(), "LEVERAGED".into()]);
            ex.symbols().filter(|c| c.permission_sets.iter().flatten().any(|s| perms.contains(s))).cloned().collect()
        }
    };
    if let Some(st) = status {
        out.retain(|c| c.status == st);
    }
    Ok(out)
}

fn rate_limits(ctx: &Ctx<'_>) -> Value {
    let cfg = &ctx.sim.config;
    json!([
        {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": cfg.weight_per_minute},
        {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": cfg.orders_per_10s},
        {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": cfg.orders_per_day},
        {"rateLimitType": "CONNECTIONS", "interval": "MINUTE", "intervalNum": 5, "limit": 300},
    ])
}

fn exchange_info(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let show_sets = p.opt_bool("showPermissionSets")?.unwrap_or(true);
    let symbols = select_symbols(ctx, p, true)?;
    // SOR is available for every base asset: each group holds the symbols sharing it.
    let mut sors: Vec<(String, Vec<String>)> = Vec::new();
    for c in ctx.sim.exchange.lock().symbols() {
        match sors.iter_mut().find(|(b, _)| *b == c.base_asset) {
            Some((_, list)) => list.push(c.symbol.clone()),
            None => sors.push((c.base_asset.clone(), vec![c.symbol.clone()])),
        }
    }
    Ok(json!({
        "timezone": "UTC",
        "serverTime": ctx.now_ms,
        "rateLimits": rate_limits(ctx),
        "exchangeFilters": [],
        "symbols": symbols.iter().map(|c| symbol_json(c, show_sets)).collect::<Vec<_>>(),
        "sors": sors.into_iter().map(|(b, s)| json!({"baseAsset": b, "symbols": s})).collect::<Vec<_>>(),
    }))
}

fn execution_rules_weight(p: &Params) -> u64 {
    if p.get("symbol").is_some() {
        2
    } else if let Some(n) = symbols_count(p) {
        (2 * n as u64).min(40)
    } else {
        40
    }
}

/// The exchange applies no execution rules, so every selected symbol has an empty list.
fn execution_rules(ctx: &mut Ctx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let given = ["symbol", "symbols", "symbolStatus"].iter().filter(|k| p.get(**k).is_some()).count();
    if given > 1 {
        return Err(ApiErr::new(-1128, "Combination of optional parameters invalid."));
    }
    let symbols = select_symbols(ctx, p, false)?;
    Ok(json!({
        "symbolRules": symbols.iter().map(|c| json!({"symbol": c.symbol, "rules": []})).collect::<Vec<_>>(),
    }))
}
