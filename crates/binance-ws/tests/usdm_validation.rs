//! USDⓈ-M orders are checked before sending (on by default, switchable off): each order type's
//! missing and mutually exclusive parameters and the symbol filters the caller set are refused with the
//! field, the value and what would be accepted, and a refused order never reaches the server (the
//! scripted server below logs every request it receives).

mod futures_common;

use std::str::FromStr;
use std::sync::Arc;

use binance_ws::model::{Decimal, Filter, Side};
use binance_ws::usdm::{Api, ModifyOrder, NewOrder, PositionSide, PriceMatch, TimeInForce};
use binance_ws::validate::TradingRules;
use binance_ws::{Credentials, Env, Error};
use futures_common::{api_loop, count, serve, usdm_order_result, Log};

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

async fn setup() -> (Api, Log) {
    let log: Log = Arc::default();
    let server_log = log.clone();
    let base = serve(move |path, ws| {
        let log = server_log.clone();
        async move {
            assert_eq!(path, "/ws-fapi/v1", "the USDⓈ-M API path of Env::Local");
            api_loop(ws, log, |method, params| match method {
                "order.place" | "order.modify" => Ok(usdm_order_result(params)),
                other => Err((400, -1020, format!("not scripted: {other}"))),
            })
            .await
        }
    })
    .await;
    let api = Api::connect(&Env::Local(base), Some(Credentials::hmac("key", "secret"))).await.expect("connects");
    (api, log)
}

#[track_caller]
fn refusal(err: Error, field: &str, value: Option<&str>, rule_has: &str) -> String {
    let Error::Validation(v) = &err else { panic!("expected a validation error, got {err}") };
    assert_eq!((v.field.as_str(), v.value.as_deref()), (field, value), "{err}");
    assert!(v.rule.contains(rule_has), "rule `{}` should mention `{rule_has}`", v.rule);
    assert!(!v.accepted.is_empty(), "says what would be accepted: {err}");
    err.to_string()
}

#[tokio::test]
async fn missing_and_exclusive_fields_per_type_are_refused_before_sending() {
    let (api, log) = setup().await;
    assert!(api.validator().is_enabled(), "on by default");

    let mut limit = NewOrder::limit("BTCUSDT", Side::Buy, d("0.1"), d("43187.0"));
    limit.time_in_force = None;
    refusal(api.place_order(limit).await.unwrap_err(), "timeInForce", None, "mandatory for LIMIT");

    let mut market = NewOrder::market("BTCUSDT", Side::Buy, d("1"));
    market.quantity = None;
    refusal(api.place_order(market).await.unwrap_err(), "quantity", None, "mandatory for MARKET");

    let mut stop = NewOrder::stop("BTCUSDT", Side::Sell, d("1"), d("40000"), d("40100"));
    stop.price = None;
    refusal(api.place_order(stop).await.unwrap_err(), "price", None, "mandatory for STOP");

    let mut tp = NewOrder::take_profit("BTCUSDT", Side::Sell, d("1"), d("50000"), d("49900"));
    tp.stop_price = None;
    refusal(api.place_order(tp).await.unwrap_err(), "stopPrice", None, "mandatory for TAKE_PROFIT");

    let mut sm = NewOrder::stop_market("BTCUSDT", Side::Sell, d("1"), d("40000"));
    sm.stop_price = None;
    refusal(api.place_order(sm).await.unwrap_err(), "stopPrice", None, "mandatory for STOP_MARKET");

    let mut tpm = NewOrder::take_profit_market("BTCUSDT", Side::Sell, d("1"), d("50000"));
    tpm.stop_price = None;
    refusal(api.place_order(tpm).await.unwrap_err(), "stopPrice", None, "mandatory for TAKE_PROFIT_MARKET");

    let mut trailing = NewOrder::trailing_stop_market("BTCUSDT", Side::Sell, d("1"), d("1"));
    trailing.callback_rate = None;
    refusal(api.place_order(trailing).await.unwrap_err(), "callbackRate", None, "mandatory for TRAILING_STOP_MARKET");
    let wide = NewOrder::trailing_stop_market("BTCUSDT", Side::Sell, d("1"), d("12"));
    let msg = refusal(api.place_order(wide).await.unwrap_err(), "callbackRate", Some("12"), "out of range");
    assert!(msg.contains("0.1 to 10"), "{msg}");

    // Mutually exclusive parameters.
    let mut both = NewOrder::limit("BTCUSDT", Side::Buy, d("0.1"), d("43187.0"));
    both.price_match = Some(PriceMatch::Opponent);
    refusal(api.place_order(both).await.unwrap_err(), "price", Some("43187.0"), "together with priceMatch");
    let mut close_all = NewOrder::stop_market("BTCUSDT", Side::Sell, d("1"), d("40000")).close_position();
    close_all.quantity = Some(d("1"));
    refusal(api.place_order(close_all).await.unwrap_err(), "quantity", Some("1"), "closePosition=true");
    let hedge_reduce =
        NewOrder::market("BTCUSDT", Side::Sell, d("1")).position_side(PositionSide::Long).reduce_only(true);
    refusal(api.place_order(hedge_reduce).await.unwrap_err(), "reduceOnly", Some("true"), "Hedge Mode");
    let wrong_side = NewOrder::stop_market("BTCUSDT", Side::Buy, d("1"), d("40000"))
        .close_position()
        .position_side(PositionSide::Long);
    refusal(api.place_order(wrong_side).await.unwrap_err(), "closePosition", Some("true"), "LONG position side");
    let mut gtd = NewOrder::limit("BTCUSDT", Side::Buy, d("0.1"), d("43187.0"));
    gtd.time_in_force = Some(TimeInForce::Gtd);
    refusal(api.place_order(gtd).await.unwrap_err(), "goodTillDate", None, "mandatory");
    let soon = NewOrder::limit("BTCUSDT", Side::Buy, d("0.1"), d("43187.0")).good_till_date(1_000);
    refusal(api.place_order(soon).await.unwrap_err(), "goodTillDate", Some("1000"), "now + 600 s");

    // order.modify: price or priceMatch, not both; and an order to modify.
    let mut modify = ModifyOrder::new("BTCUSDT", 1u64, Side::Buy, d("1"), d("43000"));
    modify.price = None;
    refusal(api.modify_order(modify).await.unwrap_err(), "price", None, "order.modify");

    assert_eq!(count(&log, "order.place") + count(&log, "order.modify"), 0, "nothing was sent");

    // A valid order passes and reaches the server; with the checks off, so does an invalid one.
    let ok = api.place_order(NewOrder::limit("BTCUSDT", Side::Buy, d("0.1"), d("43187.0")).post_only()).await;
    assert_eq!(ok.expect("sent and answered").order_id, 325078477);
    let sent = log.lock().iter().find(|(m, _)| m == "order.place").map(|(_, p)| p.clone()).unwrap();
    assert_eq!((sent["timeInForce"].as_str(), sent["price"].as_str()), (Some("GTX"), Some("43187.0")));
    api.validator().set_enabled(false);
    let mut unchecked = NewOrder::limit("BTCUSDT", Side::Buy, d("0.1"), d("43187.0"));
    unchecked.time_in_force = None;
    api.place_order(unchecked).await.expect("sent as built");
    assert_eq!(count(&log, "order.place"), 2);
}

#[tokio::test]
async fn symbol_filters_given_by_the_caller_are_applied() {
    let (api, log) = setup().await;
    let filters: Vec<Filter> = serde_json::from_value(serde_json::json!([
        {"filterType": "PRICE_FILTER", "minPrice": "556.80", "maxPrice": "4529764", "tickSize": "0.10"},
        {"filterType": "LOT_SIZE", "minQty": "0.001", "maxQty": "1000", "stepSize": "0.001"},
        {"filterType": "MARKET_LOT_SIZE", "minQty": "0.001", "maxQty": "120", "stepSize": "0.001"},
        {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": 200}
    ]))
    .unwrap();
    api.set_rules([TradingRules::from_filters("BTCUSDT", filters)]);

    let off_tick = NewOrder::limit("BTCUSDT", Side::Buy, d("0.1"), d("43187.05"));
    let msg = refusal(api.place_order(off_tick).await.unwrap_err(), "price", Some("43187.05"), "PRICE_FILTER");
    assert!(msg.contains("accepted: 43187.0 or 43187.1"), "{msg}");
    let stop_low = NewOrder::stop_market("BTCUSDT", Side::Sell, d("1"), d("500"));
    refusal(api.place_order(stop_low).await.unwrap_err(), "stopPrice", Some("500"), "minPrice");
    let off_step = NewOrder::limit("BTCUSDT", Side::Buy, d("0.0015"), d("43187.0"));
    refusal(api.place_order(off_step).await.unwrap_err(), "quantity", Some("0.0015"), "LOT_SIZE");
    let big_market = NewOrder::market("BTCUSDT", Side::Buy, d("121"));
    refusal(api.place_order(big_market).await.unwrap_err(), "quantity", Some("121"), "MARKET_LOT_SIZE");
    let modify = ModifyOrder::new("BTCUSDT", "my-1", Side::Buy, d("1"), d("43187.01"));
    refusal(api.modify_order(modify).await.unwrap_err(), "price", Some("43187.01"), "PRICE_FILTER");
    assert_eq!(count(&log, "order.place") + count(&log, "order.modify"), 0, "nothing was sent");

    // Another symbol has no rules: only the per-type checks apply.
    api.place_order(NewOrder::limit("ETHUSDT", Side::Buy, d("0.0015"), d("1.05"))).await.expect("sent");
    api.modify_order(ModifyOrder::new("BTCUSDT", 7u64, Side::Buy, d("1"), d("43187.1"))).await.expect("sent");
    assert_eq!(count(&log, "order.place") + count(&log, "order.modify"), 2);
}
