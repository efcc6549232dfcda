//! Futures user data events as the listenKey streams carry them, field names as `umfutures-streams.yaml` and
//! `cmfutures-streams.yaml` give them: ORDER_TRADE_UPDATE, TRADE_LITE (USD-M), ACCOUNT_UPDATE, MARGIN_CALL,
//! ACCOUNT_CONFIG_UPDATE, listenKeyExpired.

use serde_json::{json, Map, Value};

use super::config::Product;
use super::engine::events::{BalanceUpdate, PositionUpdate};
use super::engine::{Engine, FOrderType, FUserEvent, OrderUpdate};
use super::fmt::{account_alias, money, Fmt};
use crate::exchange::AccountId;

/// The margin type written in events: cross margin is all the simulator has.
const MARGIN_TYPE: &str = "cross";

/// One user event as JSON, at event time `now_ms`.
pub fn event_json(engine: &Engine, account: AccountId, ev: &FUserEvent, now_ms: u64) -> Value {
    let product = engine.product();
    let mut v = match ev {
        FUserEvent::Order(u) => order_trade_update(engine, u, now_ms),
        FUserEvent::TradeLite(t) => {
            let f = engine.contract(&t.symbol).map(Fmt::of);
            let (p, q, l, lp) = match f {
                Some(f) => (f.price(t.orig_price), f.qty(t.orig_qty), f.qty(t.last_qty), f.price(t.last_price)),
                None => Default::default(),
            };
            json!({
                "e": "TRADE_LITE", "E": now_ms, "T": t.time, "s": t.symbol, "q": q, "p": p, "m": t.is_maker,
                "c": t.client_order_id, "S": t.side.as_str(), "L": lp, "l": l, "t": t.trade_id, "i": t.order_id,
            })
        }
        FUserEvent::Account { reason, time, balances, positions } => json!({
            "e": "ACCOUNT_UPDATE",
            "E": now_ms,
            "T": time,
            "a": {
                "m": reason,
                "B": balances.iter().map(balance_json).collect::<Vec<_>>(),
                "P": positions.iter().map(|p| position_json(engine, p)).collect::<Vec<_>>(),
            }
        }),
        FUserEvent::MarginCall { cross_wallet, positions, .. } => json!({
            "e": "MARGIN_CALL",
            "E": now_ms,
            "cw": money(*cross_wallet),
            "p": positions.iter().map(|p| {
                let f = engine.contract(&p.symbol).map(Fmt::of);
                json!({
                    "s": p.symbol, "ps": p.side.as_str(), "pa": f.map(|f| f.qty(p.amount)).unwrap_or_default(),
                    "mt": MARGIN_TYPE, "iw": "0", "mp": money(p.mark_price), "up": money(p.unrealized),
                    "mm": money(p.maint_margin),
                })
            }).collect::<Vec<_>>(),
        }),
        FUserEvent::Leverage { time, symbol, leverage } => json!({
            "e": "ACCOUNT_CONFIG_UPDATE", "E": now_ms, "T": time, "ac": {"s": symbol, "l": leverage},
        }),
    };
    if product == Product::CoinM && !matches!(ev, FUserEvent::Leverage { .. }) {
        v = with_alias(v, &account_alias(account));
    }
    v
}

/// Adds COIN-M's account alias (`i`) where its docs put it: after the transaction time (`T`), or after the event
/// time (`E`) in events without one (MARGIN_CALL).
fn with_alias(v: Value, alias: &str) -> Value {
    let Value::Object(fields) = v else { return v };
    let after = if fields.contains_key("T") { "T" } else { "E" };
    let mut out = Map::with_capacity(fields.len() + 1);
    for (k, x) in fields {
        let here = k == after;
        out.insert(k, x);
        if here {
            out.insert("i".into(), json!(alias));
        }
    }
    Value::Object(out)
}

fn balance_json(b: &BalanceUpdate) -> Value {
    json!({"a": b.asset, "wb": money(b.wallet), "cw": money(b.cross_wallet), "bc": money(b.change)})
}

/// A position of ACCOUNT_UPDATE: the docs show the same fields for both products (no margin asset).
fn position_json(engine: &Engine, p: &PositionUpdate) -> Value {
    let f = engine.contract(&p.symbol).map(Fmt::of);
    json!({
        "s": p.symbol,
        "pa": f.map(|f| f.qty(p.amount)).unwrap_or_default(),
        "ep": money(p.entry_price),
        "bep": money(p.break_even_price),
        "cr": money(p.accumulated_realized),
        "up": money(p.unrealized),
        "mt": MARGIN_TYPE,
        "iw": "0",
        "ps": p.side.as_str(),
    })
}

fn order_trade_update(engine: &Engine, u: &OrderUpdate, now_ms: u64) -> Value {
    let o = &u.order;
    let (f, inverse, size) = match engine.contract(&o.symbol) {
        Some(c) => (Fmt::of(c), engine.product().is_inverse(), c.contract_size),
        None => return Value::Null,
    };
    let mut m = Map::new();
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_string(), v);
    };
    put("s", json!(o.symbol));
    put("c", json!(o.client_order_id));
    put("S", json!(o.side.as_str()));
    put("o", json!(o.order_type.as_str()));
    put("f", json!(o.time_in_force.as_str()));
    put("q", json!(f.qty(o.orig_qty)));
    put("p", json!(f.price(o.price)));
    put("ap", json!(f.avg(o.avg_price(inverse, size))));
    put("sp", json!(f.price(o.stop_price)));
    put("x", json!(u.exec_type.as_str()));
    put("X", json!(o.status.as_str()));
    put("i", json!(o.order_id));
    put("l", json!(f.qty(u.last_qty)));
    put("z", json!(f.qty(o.executed_qty)));
    put("L", json!(f.price(u.last_price)));
    if let Some((asset, n)) = &u.commission {
        put("N", json!(asset));
        put("n", json!(money(*n)));
    }
    put("T", json!(u.transact_time));
    put("t", json!(u.trade_id));
    // The docs put the realized profit here for COIN-M, after `pP` (and `si`, `ss`) for USD-M.
    let usd_m = engine.product() == Product::UsdM;
    if !usd_m {
        put("rp", json!(money(u.realized_profit)));
    }
    put("b", json!(money(u.bids_notional)));
    put("a", json!(money(u.asks_notional)));
    put("m", json!(u.is_maker));
    put("R", json!(o.reduce_only));
    put("wt", json!(o.working_type.as_str()));
    put("ot", json!(o.orig_type.as_str()));
    put("ps", json!(o.position_side.as_str()));
    put("cp", json!(o.close_position));
    if o.orig_type == FOrderType::TrailingStopMarket {
        if let Some(a) = o.activation_price {
            put("AP", json!(f.price(a)));
        }
        if let Some(cr) = o.callback_rate {
            put("cr", json!(cr.to_string()));
        }
    }
    put("pP", json!(o.price_protect));
    if usd_m {
        put("si", json!(0));
        put("ss", json!(0));
        put("rp", json!(money(u.realized_profit)));
    }
    put("V", json!(o.stp.as_str()));
    put("pm", json!(o.price_match.as_str()));
    if usd_m {
        put("gtd", json!(o.good_till_date));
    }
    json!({"e": "ORDER_TRADE_UPDATE", "E": now_ms, "T": u.transact_time, "o": Value::Object(m)})
}

/// The `listenKeyExpired` event.
pub fn listen_key_expired(key: &str, now_ms: u64) -> Value {
    json!({"e": "listenKeyExpired", "E": now_ms, "listenKey": key})
}
