//! The futures user data events of the AsyncAPI streams specs decode into their typed events: an
//! instance of each event schema is built from the spec's own field examples (no one here wrote it),
//! decoded in one pass, and checked field by field against those examples. Event types without a typed
//! event (STRATEGY_UPDATE, GRID_UPDATE, CONDITIONAL_ORDER_TRIGGER_REJECT) are kept raw.

mod futures_common;

use std::str::FromStr;

use binance_ws::model::futures::{ExecutionType, MarginType, OrderStatus, OrderType, PositionSide, UpdateReason};
use binance_ws::model::{Decimal, Side};
use binance_ws::user_data::futures::{decode_event, UserEvent};
use futures_common::{example_of, spec};
use serde_json::Value;

fn d(v: &Value) -> Decimal {
    Decimal::from_str(v.as_str().expect("a decimal string")).unwrap()
}

/// The example instance of `components.schemas.<name>` of a streams spec.
fn instance(spec: &serde_yaml_ng::Value, name: &str) -> Value {
    let schema = &spec["components"]["schemas"][name];
    assert!(!schema.is_null(), "no schema {name}");
    example_of(spec, schema)
}

fn check_product(file: &str) {
    let Some(s) = spec(file) else { return };
    let schemas = s["components"]["schemas"].as_mapping().unwrap();
    let mut decoded = 0;

    let ex = instance(&s, "orderTradeUpdateEvent");
    let UserEvent::OrderTradeUpdate(u) = decode_event(ex.to_string().as_bytes()).unwrap() else { panic!("{ex}") };
    let o = &ex["o"];
    assert_eq!((u.event_time, u.transaction_time), (ex["E"].as_u64().unwrap(), ex["T"].as_u64().unwrap()));
    assert_eq!(u.account_alias.as_deref(), ex.get("i").and_then(|v| v.as_str()));
    assert_eq!(u.order.symbol, o["s"].as_str().unwrap());
    assert_eq!(u.order.client_order_id, o["c"].as_str().unwrap());
    assert_eq!(u.order.side.as_str(), o["S"].as_str().unwrap());
    assert_eq!(u.order.order_type.as_str(), o["o"].as_str().unwrap());
    assert_ne!(u.order.order_type, OrderType::Unknown);
    assert_eq!(u.order.execution_type, ExecutionType::New);
    assert_eq!(u.order.status, OrderStatus::New);
    assert_eq!(u.order.order_id, o["i"].as_u64().unwrap());
    assert_eq!((u.order.orig_qty, u.order.price, u.order.stop_price), (d(&o["q"]), d(&o["p"]), d(&o["sp"])));
    assert_eq!(u.order.asks_notional, d(&o["a"]));
    assert_eq!(u.order.realized_profit, d(&o["rp"]));
    assert_eq!(u.order.callback_rate, Some(d(&o["cr"])));
    assert_eq!(u.order.position_side.as_str(), o["ps"].as_str().unwrap());
    assert_eq!(u.order.self_trade_prevention_mode.map(|m| m.as_str()), o["V"].as_str());
    assert_eq!(u.order.good_till_date, o.get("gtd").and_then(|v| v.as_u64()));
    decoded += 1;

    let ex = instance(&s, "accountUpdateEvent");
    let UserEvent::AccountUpdate(a) = decode_event(ex.to_string().as_bytes()).unwrap() else { panic!("{ex}") };
    assert_eq!(a.update.reason, UpdateReason::Order);
    let (b, p) = (&ex["a"]["B"][0], &ex["a"]["P"][0]);
    assert_eq!(a.update.balances[0].asset, b["a"].as_str().unwrap());
    assert_eq!(a.update.balances[0].wallet_balance, d(&b["wb"]));
    assert_eq!(a.update.balances[0].balance_change, d(&b["bc"]));
    let pos = &a.update.positions[0];
    assert_eq!((pos.symbol.as_str(), pos.position_side), (p["s"].as_str().unwrap(), PositionSide::Both));
    assert_eq!((pos.entry_price, pos.break_even_price), (d(&p["ep"]), Some(d(&p["bep"]))));
    assert_ne!(pos.margin_type, MarginType::Unknown, "{}", p["mt"]);
    decoded += 1;

    let ex = instance(&s, "marginCallEvent");
    let UserEvent::MarginCall(m) = decode_event(ex.to_string().as_bytes()).unwrap() else { panic!("{ex}") };
    assert_eq!(m.cross_wallet_balance, Some(d(&ex["cw"])));
    let p = &ex["p"][0];
    assert_eq!((m.positions[0].position_side, m.positions[0].margin_type), (PositionSide::Long, MarginType::Cross));
    assert_eq!((m.positions[0].mark_price, m.positions[0].maint_margin), (d(&p["mp"]), d(&p["mm"])));
    decoded += 1;

    let ex = instance(&s, "accountConfigUpdateEvent");
    let UserEvent::AccountConfigUpdate(c) = decode_event(ex.to_string().as_bytes()).unwrap() else { panic!("{ex}") };
    let lev = c.leverage.expect("ac");
    assert_eq!(
        (lev.symbol.as_str(), u64::from(lev.leverage)),
        (ex["ac"]["s"].as_str().unwrap(), ex["ac"]["l"].as_u64().unwrap())
    );
    assert_eq!(c.multi_assets.map(|m| m.multi_assets_margin), ex.get("ai").map(|ai| ai["j"].as_bool().unwrap()));
    decoded += 1;

    let ex = instance(&s, "listenKeyExpiredEvent");
    let UserEvent::ListenKeyExpired(k) = decode_event(ex.to_string().as_bytes()).unwrap() else { panic!("{ex}") };
    assert_eq!(k.listen_key, ex["listenKey"].as_str().unwrap());
    assert!(!format!("{k:?}").contains(&k.listen_key), "Debug does not show the whole key");
    decoded += 1;

    if schemas.contains_key("tradeLiteEvent") {
        let ex = instance(&s, "tradeLiteEvent");
        let UserEvent::TradeLite(t) = decode_event(ex.to_string().as_bytes()).unwrap() else { panic!("{ex}") };
        assert_eq!((t.side, t.trade_id, t.order_id), (Side::Buy, 987654321, 123456789));
        assert_eq!((t.last_filled_price, t.last_filled_qty), (d(&ex["L"]), d(&ex["l"])));
        decoded += 1;
    }

    // Types without a typed event are kept whole.
    for name in ["strategyUpdateEvent", "gridUpdateEvent", "conditionalOrderTriggerRejectEvent"] {
        if !schemas.contains_key(name) {
            continue;
        }
        let ex = instance(&s, name);
        let text = ex.to_string();
        match decode_event(text.as_bytes()).unwrap() {
            UserEvent::Unknown { event_type, raw } => {
                assert_eq!(event_type, ex["e"].as_str().unwrap());
                assert_eq!(raw, text, "kept exactly as received");
            }
            other => panic!("{name} should stay raw, got {other:?}"),
        }
        decoded += 1;
    }
    println!("{file}: {decoded} user data event schemas decoded");
}

#[test]
fn usdm_user_data_events_from_the_spec_decode() {
    check_product("umfutures-streams.yaml");
}

#[test]
fn coinm_user_data_events_from_the_spec_decode() {
    check_product("cmfutures-streams.yaml");
}

#[test]
fn combined_frames_other_key_orders_and_garbage() {
    let ev = r#"{"e":"TRADE_LITE","E":1,"T":2,"s":"BTCUSDT","q":"0.001","p":"0","m":false,"c":"c","S":"SELL","L":"30000.00","l":"0.001","t":5,"i":6}"#;
    let combined = format!(r#"{{"stream":"key","data":{ev}}}"#);
    assert!(matches!(decode_event(combined.as_bytes()).unwrap(), UserEvent::TradeLite(t) if t.trade_id == 5));
    let reordered = format!(r#"{{"data":{ev},"stream":"key"}}"#);
    assert!(matches!(decode_event(reordered.as_bytes()).unwrap(), UserEvent::TradeLite(_)));
    let e_last = r#"{"E":"1576653824250","listenKey":"k","e":"listenKeyExpired"}"#;
    assert!(
        matches!(decode_event(e_last.as_bytes()).unwrap(), UserEvent::ListenKeyExpired(k) if k.event_time == 1576653824250)
    );
    assert!(decode_event(b"not json").is_err());
    assert!(decode_event(br#"{"E":1}"#).unwrap_err().contains("no event type"));
    let broken = decode_event(br#"{"e":"ORDER_TRADE_UPDATE","E":1,"T":2,"o":{"s":"X"}}"#).unwrap_err();
    assert!(broken.contains("missing field"), "{broken}");
}
