//! account.position, account.balance, account.status (USD-M also their v2 forms, COIN-M its own shapes).
//! Margin is cross only: `marginType` "cross", `isolated` false, isolated figures zero.

use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::{symbol_param, FCtx, FMethod, FSec};
use crate::futures::engine::{AssetSummary, Engine, PositionSummary};
use crate::futures::fmt::{account_alias, money, Fmt};
use crate::wsapi::{ApiErr, Params, ParamsExt};

pub const USDM_METHODS: &[FMethod] = &[
    FMethod { name: "account.position", security: FSec::Signed, weight: |_| 5, handler: usdm_position },
    FMethod { name: "v2/account.position", security: FSec::Signed, weight: |_| 5, handler: usdm_position_v2 },
    FMethod { name: "account.balance", security: FSec::Signed, weight: |_| 5, handler: usdm_balance },
    FMethod { name: "v2/account.balance", security: FSec::Signed, weight: |_| 5, handler: usdm_balance },
    FMethod { name: "account.status", security: FSec::Signed, weight: |_| 5, handler: usdm_status },
    FMethod { name: "v2/account.status", security: FSec::Signed, weight: |_| 5, handler: usdm_status_v2 },
];

pub const COINM_METHODS: &[FMethod] = &[
    FMethod { name: "account.position", security: FSec::Signed, weight: |_| 5, handler: coinm_position },
    FMethod { name: "account.balance", security: FSec::Signed, weight: |_| 5, handler: coinm_balance },
    FMethod { name: "account.status", security: FSec::Signed, weight: |_| 5, handler: coinm_status },
];

fn fmt(e: &Engine, p: &PositionSummary) -> Fmt {
    e.contract(&p.symbol).map(Fmt::of).expect("positions are of listed contracts")
}

/// Whether a position is worth listing where only positions and open orders are (v2 methods).
fn active(e: &Engine, account: crate::exchange::AccountId, p: &PositionSummary) -> bool {
    !p.amount.is_zero() || !e.open_orders(account, Some(&p.symbol)).is_empty()
}

fn usdm_position(ctx: &mut FCtx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let symbol = p.opt_str("symbol")?.map(|_| symbol_param(ctx, p)).transpose()?;
    let account = ctx.account()?;
    Ok(ctx.venue.read(|e| {
        Value::Array(
            e.positions(account, symbol.as_deref())
                .iter()
                .map(|x| {
                    let f = fmt(e, x);
                    json!({
                        "entryPrice": money(x.entry), "breakEvenPrice": money(x.break_even), "marginType": "cross",
                        "isAutoAddMargin": "false", "isolatedMargin": money(Decimal::ZERO),
                        "leverage": x.leverage.to_string(), "liquidationPrice": money(x.liquidation_price),
                        "markPrice": money(x.mark), "maxNotionalValue": x.max_notional.to_string(),
                        "positionAmt": f.qty(x.amount), "notional": money(x.notional), "isolatedWallet": "0",
                        "symbol": x.symbol, "unRealizedProfit": money(x.unrealized),
                        "positionSide": x.side.as_str(), "updateTime": x.update_time,
                    })
                })
                .collect(),
        )
    }))
}

fn usdm_position_v2(ctx: &mut FCtx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let symbol = p.opt_str("symbol")?.map(|_| symbol_param(ctx, p)).transpose()?;
    let account = ctx.account()?;
    Ok(ctx.venue.read(|e| {
        Value::Array(
            e.positions(account, symbol.as_deref())
                .iter()
                .filter(|x| active(e, account, x))
                .map(|x| {
                    let f = fmt(e, x);
                    json!({
                        "symbol": x.symbol, "positionSide": x.side.as_str(), "positionAmt": f.qty(x.amount),
                        "entryPrice": money(x.entry), "breakEvenPrice": money(x.break_even),
                        "markPrice": money(x.mark), "unrealizedProfit": money(x.unrealized),
                        "liquidationPrice": money(x.liquidation_price), "isolatedMargin": money(Decimal::ZERO),
                        "notional": money(x.notional), "marginAsset": x.margin_asset, "isolatedWallet": "0",
                        "initialMargin": money(x.initial_margin + x.open_order_initial_margin),
                        "maintMargin": money(x.maint_margin), "positionInitialMargin": money(x.initial_margin),
                        "openOrderInitialMargin": money(x.open_order_initial_margin), "adl": 0,
                        "bidNotional": money(x.bid_notional), "askNotional": money(x.ask_notional),
                        "updateTime": x.update_time,
                    })
                })
                .collect(),
        )
    }))
}

fn usdm_balance(ctx: &mut FCtx<'_>, _: &Params) -> Result<Value, ApiErr> {
    let account = ctx.account()?;
    let alias = account_alias(account);
    Ok(ctx.venue.read(|e| {
        Value::Array(
            e.asset_summaries(account)
                .iter()
                .map(|a| {
                    json!({
                        "accountAlias": alias, "asset": a.asset, "balance": money(a.wallet),
                        "crossWalletBalance": money(a.wallet), "crossUnPnl": money(a.unrealized),
                        "availableBalance": money(a.available), "maxWithdrawAmount": money(a.max_withdraw),
                        "marginAvailable": true, "updateTime": a.update_time,
                    })
                })
                .collect(),
        )
    }))
}

fn asset_json(a: &AssetSummary, margin_available: bool) -> Value {
    let mut v = json!({
        "asset": a.asset, "walletBalance": money(a.wallet), "unrealizedProfit": money(a.unrealized),
        "marginBalance": money(a.margin_balance), "maintMargin": money(a.maint_margin),
        "initialMargin": money(a.initial_margin), "positionInitialMargin": money(a.position_initial_margin),
        "openOrderInitialMargin": money(a.open_order_initial_margin), "crossWalletBalance": money(a.wallet),
        "crossUnPnl": money(a.unrealized), "availableBalance": money(a.available),
        "maxWithdrawAmount": money(a.max_withdraw), "updateTime": a.update_time,
    });
    if margin_available {
        v["marginAvailable"] = json!(true);
    }
    v
}

/// The USD-M totals ("only for USDT asset" in single-asset mode).
fn usdm_totals(e: &Engine, account: crate::exchange::AccountId) -> serde_json::Map<String, Value> {
    let a = e.asset_summary(account, "USDT").unwrap_or(AssetSummary {
        asset: "USDT".into(),
        wallet: Decimal::ZERO,
        unrealized: Decimal::ZERO,
        margin_balance: Decimal::ZERO,
        maint_margin: Decimal::ZERO,
        position_initial_margin: Decimal::ZERO,
        open_order_initial_margin: Decimal::ZERO,
        initial_margin: Decimal::ZERO,
        available: Decimal::ZERO,
        max_withdraw: Decimal::ZERO,
        update_time: 0,
    });
    let v = json!({
        "totalInitialMargin": money(a.initial_margin), "totalMaintMargin": money(a.maint_margin),
        "totalWalletBalance": money(a.wallet), "totalUnrealizedProfit": money(a.unrealized),
        "totalMarginBalance": money(a.margin_balance), "totalPositionInitialMargin": money(a.position_initial_margin),
        "totalOpenOrderInitialMargin": money(a.open_order_initial_margin),
        "totalCrossWalletBalance": money(a.wallet), "totalCrossUnPnl": money(a.unrealized),
        "availableBalance": money(a.available), "maxWithdrawAmount": money(a.max_withdraw),
    });
    v.as_object().cloned().unwrap_or_default()
}

fn usdm_status(ctx: &mut FCtx<'_>, _: &Params) -> Result<Value, ApiErr> {
    let account = ctx.account()?;
    Ok(ctx.venue.read(|e| {
        let mut v = json!({
            "feeTier": 0, "canTrade": true, "canDeposit": true, "canWithdraw": true, "updateTime": 0,
            "multiAssetsMargin": false, "tradeGroupId": -1,
        });
        let o = v.as_object_mut().expect("object");
        o.extend(usdm_totals(e, account));
        o.insert("assets".into(), e.asset_summaries(account).iter().map(|a| asset_json(a, true)).collect());
        let positions: Vec<Value> = e
            .positions(account, None)
            .iter()
            .map(|x| {
                let f = fmt(e, x);
                json!({
                    "symbol": x.symbol, "initialMargin": money(x.initial_margin + x.open_order_initial_margin),
                    "maintMargin": money(x.maint_margin), "unrealizedProfit": money(x.unrealized),
                    "positionInitialMargin": money(x.initial_margin),
                    "openOrderInitialMargin": money(x.open_order_initial_margin), "leverage": x.leverage.to_string(),
                    "isolated": false, "entryPrice": money(x.entry), "breakEvenPrice": money(x.break_even),
                    "maxNotional": x.max_notional.to_string(), "bidNotional": money(x.bid_notional),
                    "askNotional": money(x.ask_notional), "positionSide": x.side.as_str(),
                    "positionAmt": f.qty(x.amount), "updateTime": x.update_time,
                })
            })
            .collect();
        o.insert("positions".into(), Value::Array(positions));
        v
    }))
}

fn usdm_status_v2(ctx: &mut FCtx<'_>, _: &Params) -> Result<Value, ApiErr> {
    let account = ctx.account()?;
    Ok(ctx.venue.read(|e| {
        let mut o = usdm_totals(e, account);
        o.insert("assets".into(), e.asset_summaries(account).iter().map(|a| asset_json(a, false)).collect());
        let positions: Vec<Value> = e
            .positions(account, None)
            .iter()
            .filter(|x| active(e, account, x))
            .map(|x| {
                let f = fmt(e, x);
                json!({
                    "symbol": x.symbol, "positionSide": x.side.as_str(), "positionAmt": f.qty(x.amount),
                    "unrealizedProfit": money(x.unrealized), "isolatedMargin": money(Decimal::ZERO),
                    "notional": money(x.notional), "isolatedWallet": "0",
                    "initialMargin": money(x.initial_margin + x.open_order_initial_margin),
                    "maintMargin": money(x.maint_margin), "updateTime": x.update_time,
                })
            })
            .collect();
        o.insert("positions".into(), Value::Array(positions));
        Value::Object(o)
    }))
}

/// Largest position in contracts at the position's leverage (COIN-M `maxQty`).
fn max_qty(e: &Engine, x: &PositionSummary) -> String {
    let size = e.contract(&x.symbol).map(|c| c.contract_size).unwrap_or(Decimal::ONE);
    (x.max_notional / size).floor().to_string()
}

fn coinm_position(ctx: &mut FCtx<'_>, p: &Params) -> Result<Value, ApiErr> {
    let margin_asset = p.opt_str("marginAsset")?;
    let pair = p.opt_str("pair")?;
    let account = ctx.account()?;
    Ok(ctx.venue.read(|e| {
        Value::Array(
            e.positions(account, None)
                .iter()
                .filter(|x| margin_asset.as_ref().is_none_or(|m| *m == x.margin_asset))
                .filter(|x| pair.as_ref().is_none_or(|pr| e.contract(&x.symbol).is_some_and(|c| &c.pair == pr)))
                .map(|x| {
                    let f = fmt(e, x);
                    json!({
                        "symbol": x.symbol, "positionAmt": f.qty(x.amount), "entryPrice": money(x.entry),
                        "markPrice": money(x.mark), "unRealizedProfit": money(x.unrealized),
                        "liquidationPrice": money(x.liquidation_price), "leverage": x.leverage.to_string(),
                        "maxQty": max_qty(e, x), "marginType": "cross", "isolatedMargin": money(Decimal::ZERO),
                        "isAutoAddMargin": "false", "positionSide": x.side.as_str(),
                        "notionalValue": money(x.notional), "isolatedWallet": "0", "updateTime": x.update_time,
                        "breakEvenPrice": money(x.break_even),
                    })
                })
                .collect(),
        )
    }))
}

fn coinm_balance(ctx: &mut FCtx<'_>, _: &Params) -> Result<Value, ApiErr> {
    let account = ctx.account()?;
    let alias = account_alias(account);
    Ok(ctx.venue.read(|e| {
        Value::Array(
            e.asset_summaries(account)
                .iter()
                .map(|a| {
                    json!({
                        "accountAlias": alias, "asset": a.asset, "balance": money(a.wallet),
                        "withdrawAvailable": money(a.max_withdraw), "crossWalletBalance": money(a.wallet),
                        "crossUnPnl": money(a.unrealized), "availableBalance": money(a.available),
                        "updateTime": a.update_time,
                    })
                })
                .collect(),
        )
    }))
}

fn coinm_status(ctx: &mut FCtx<'_>, _: &Params) -> Result<Value, ApiErr> {
    let account = ctx.account()?;
    Ok(ctx.venue.read(|e| {
        let assets: Vec<Value> = e.asset_summaries(account).iter().map(|a| asset_json(a, false)).collect();
        let positions: Vec<Value> = e
            .positions(account, None)
            .iter()
            .map(|x| {
                let f = fmt(e, x);
                json!({
                    "symbol": x.symbol, "initialMargin": money(x.initial_margin + x.open_order_initial_margin),
                    "maintMargin": money(x.maint_margin), "unrealizedProfit": money(x.unrealized),
                    "positionInitialMargin": money(x.initial_margin),
                    "openOrderInitialMargin": money(x.open_order_initial_margin), "leverage": x.leverage.to_string(),
                    "isolated": false, "positionSide": x.side.as_str(), "entryPrice": money(x.entry),
                    "maxQty": max_qty(e, x), "notionalValue": money(x.notional), "isolatedWallet": "0",
                    "updateTime": x.update_time, "positionAmt": f.qty(x.amount), "breakEvenPrice": money(x.break_even),
                })
            })
            .collect();
        json!({
            "feeTier": 0, "canTrade": true, "canDeposit": true, "canWithdraw": true, "updateTime": 0,
            "assets": assets, "positions": positions,
        })
    }))
}
