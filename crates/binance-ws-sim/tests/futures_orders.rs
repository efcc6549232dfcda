//! Futures order types over the WebSocket API of a local exchange: each type accepted, triggered (on the mark
//! price or the last price, as `workingType` says) and filled; timeInForce GTC/IOC/FOK/GTX/GTD; priceMatch;
//! self-trade prevention; newOrderRespType; order.modify, order.cancel, order.status; a COIN-M round.

mod futures_support;
mod wsapi_support;

use std::time::Duration;

use futures_support::*;
use serde_json::{json, Value};

fn num(v: &Value) -> rust_decimal::Decimal {
    d(v.as_str().unwrap_or_else(|| panic!("not a decimal string: {v}")))
}

#[tokio::test]
async fn limit_and_market_orders_match_and_report_ack_or_result() {
    let sim = quiet().await;
    let mut a = api(&sim, USDM, hmac()).await;
    let mut b = api(&sim, USDM, ed25519()).await;
    let maker = limit(&mut a, "BTCUSDT", "SELL", "0.020", "60000").await;
    assert_eq!((maker["status"].as_str(), maker["origQty"].as_str()), (Some("NEW"), Some("0.020")));
    assert_eq!(maker["price"], "60000.00");

    // ACK answers with the order as accepted, even though it filled at once.
    let ack = placed(&mut b, json!({"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.005"})).await;
    assert_eq!((ack["status"].as_str(), ack["executedQty"].as_str()), (Some("NEW"), Some("0.000")));
    assert_eq!(status(&mut b, "BTCUSDT", &ack["orderId"]).await["status"], "FILLED");

    let taker = market(&mut b, "BTCUSDT", "BUY", "0.015").await;
    assert_eq!(taker["status"], "FILLED");
    assert_eq!(taker["executedQty"], "0.015");
    assert_eq!(num(&taker["avgPrice"]), d("60000"));
    assert_eq!(num(&taker["cumQuote"]), d("900"));
    let m = status(&mut a, "BTCUSDT", &maker["orderId"]).await;
    assert_eq!((m["status"].as_str(), m["executedQty"].as_str()), (Some("FILLED"), Some("0.020")));
    // The book is empty again: a market order finds nothing and expires.
    let none = market(&mut b, "BTCUSDT", "BUY", "0.010").await;
    assert_eq!((none["status"].as_str(), none["executedQty"].as_str()), (Some("EXPIRED"), Some("0.000")));
}

#[tokio::test]
async fn conditional_orders_trigger_on_their_working_price_and_fill() {
    let sim = quiet().await;
    sim.set_mark_price(USDM, "BTCUSDT", Some(d("60000"))).unwrap();
    let mut a = api(&sim, USDM, hmac()).await;
    let mut b = api(&sim, USDM, ed25519()).await;

    // STOP_MARKET BUY on the mark price: a stop below the mark would trigger at once.
    let mut stop = json!({"symbol": "BTCUSDT", "side": "BUY", "type": "STOP_MARKET", "quantity": "0.010",
                          "stopPrice": "59000", "workingType": "MARK_PRICE"});
    err(&place(&mut a, stop.clone()).await, 400, -2021);
    stop["stopPrice"] = json!("61000");
    let stop = placed(&mut a, stop).await;
    assert_eq!((stop["type"].as_str(), stop["stopPrice"].as_str()), (Some("STOP_MARKET"), Some("61000.00")));
    limit(&mut b, "BTCUSDT", "SELL", "0.010", "61200").await;
    sim.set_mark_price(USDM, "BTCUSDT", Some(d("60999.9"))).unwrap();
    assert_eq!(status(&mut a, "BTCUSDT", &stop["orderId"]).await["status"], "NEW");
    sim.set_mark_price(USDM, "BTCUSDT", Some(d("61000"))).unwrap();
    let s = status(&mut a, "BTCUSDT", &stop["orderId"]).await;
    assert_eq!(
        (s["status"].as_str(), s["type"].as_str(), s["origType"].as_str()),
        (Some("FILLED"), Some("MARKET"), Some("STOP_MARKET"))
    );
    assert_eq!(num(&s["avgPrice"]), d("61200"));

    // TAKE_PROFIT (a limit order once triggered) SELL on the contract price.
    let tp = placed(
        &mut a,
        json!({"symbol": "BTCUSDT", "side": "SELL", "type": "TAKE_PROFIT", "quantity": "0.010",
                                   "price": "61900", "stopPrice": "62000", "timeInForce": "GTC"}),
    )
    .await;
    limit(&mut b, "BTCUSDT", "BUY", "0.010", "61950").await;
    // A trade at 62000 (b trades with itself; selfTradePreventionMode NONE allows it) moves the last price.
    limit(&mut b, "BTCUSDT", "SELL", "0.002", "62000").await;
    market(&mut b, "BTCUSDT", "BUY", "0.002").await;
    let t = status(&mut a, "BTCUSDT", &tp["orderId"]).await;
    assert_eq!(
        (t["status"].as_str(), t["type"].as_str(), t["origType"].as_str()),
        (Some("FILLED"), Some("LIMIT"), Some("TAKE_PROFIT"))
    );
    assert_eq!(num(&t["avgPrice"]), d("61950"), "the triggered limit order took the best bid");

    // STOP (limit) BUY and TAKE_PROFIT_MARKET SELL on the mark price.
    let stop_limit = placed(
        &mut a,
        json!({"symbol": "BTCUSDT", "side": "BUY", "type": "STOP", "quantity": "0.010",
                                           "price": "63200", "stopPrice": "62400", "workingType": "MARK_PRICE"}),
    )
    .await;
    let tpm = placed(
        &mut a,
        json!({"symbol": "BTCUSDT", "side": "SELL", "type": "TAKE_PROFIT_MARKET", "quantity": "0.010",
                                    "stopPrice": "63000", "workingType": "MARK_PRICE"}),
    )
    .await;
    limit(&mut b, "BTCUSDT", "BUY", "0.010", "62900").await;
    limit(&mut b, "BTCUSDT", "SELL", "0.010", "63100").await;
    sim.set_mark_price(USDM, "BTCUSDT", Some(d("62400"))).unwrap();
    let sl = status(&mut a, "BTCUSDT", &stop_limit["orderId"]).await;
    assert_eq!((sl["status"].as_str(), sl["type"].as_str()), (Some("FILLED"), Some("LIMIT")));
    assert_eq!(num(&sl["avgPrice"]), d("63100"));
    assert_eq!(status(&mut a, "BTCUSDT", &tpm["orderId"]).await["status"], "NEW");
    sim.set_mark_price(USDM, "BTCUSDT", Some(d("63000"))).unwrap();
    let x = status(&mut a, "BTCUSDT", &tpm["orderId"]).await;
    assert_eq!((x["status"].as_str(), x["type"].as_str()), (Some("FILLED"), Some("MARKET")));
    assert_eq!(num(&x["avgPrice"]), d("62900"));
}

#[tokio::test]
async fn price_protect_holds_a_trigger_while_mark_and_last_price_disagree() {
    let sim = quiet().await;
    sim.set_mark_price(USDM, "BTCUSDT", Some(d("60000"))).unwrap();
    let mut a = api(&sim, USDM, hmac()).await;
    let mut b = api(&sim, USDM, ed25519()).await;
    // The last price is 60000.
    limit(&mut b, "BTCUSDT", "SELL", "0.002", "60000").await;
    market(&mut b, "BTCUSDT", "BUY", "0.002").await;
    let stop = placed(
        &mut a,
        json!({"symbol": "BTCUSDT", "side": "BUY", "type": "STOP_MARKET", "quantity": "0.010",
                                     "stopPrice": "63000", "workingType": "MARK_PRICE", "priceProtect": "TRUE"}),
    )
    .await;
    assert_eq!(stop["priceProtect"], true);
    limit(&mut b, "BTCUSDT", "SELL", "0.010", "63100").await;
    // Mark 63500 is past the stop, but 5.8% from the last price (triggerProtect 5%): no trigger.
    sim.set_mark_price(USDM, "BTCUSDT", Some(d("63500"))).unwrap();
    assert_eq!(status(&mut a, "BTCUSDT", &stop["orderId"]).await["status"], "NEW");
    // Mark 63000 is 4.8% from it: the stop triggers.
    sim.set_mark_price(USDM, "BTCUSDT", Some(d("63000"))).unwrap();
    assert_eq!(status(&mut a, "BTCUSDT", &stop["orderId"]).await["status"], "FILLED");
}

#[tokio::test]
async fn trailing_stops_activate_follow_the_best_price_and_trigger_on_the_callback() {
    let sim = quiet().await;
    sim.set_mark_price(USDM, "BTCUSDT", Some(d("60000"))).unwrap();
    let mut a = api(&sim, USDM, hmac()).await;
    let mut b = api(&sim, USDM, ed25519()).await;
    let base = json!({"symbol": "BTCUSDT", "side": "BUY", "type": "TRAILING_STOP_MARKET", "quantity": "0.010",
                      "callbackRate": "1", "workingType": "MARK_PRICE"});
    // A BUY's activation price must be below the latest price.
    let mut bad = base.clone();
    bad["activationPrice"] = json!("60500");
    err(&place(&mut a, bad).await, 400, -2021);
    let mut bad_rate = base.clone();
    bad_rate["callbackRate"] = json!("10.5");
    err(&place(&mut a, bad_rate).await, 400, -1130);
    let mut ok_req = base.clone();
    ok_req["activationPrice"] = json!("59000");
    let t = placed(&mut a, ok_req).await;
    assert_eq!((t["activatePrice"].as_str(), t["priceRate"].as_str()), (Some("59000.00"), Some("1")));
    limit(&mut b, "BTCUSDT", "SELL", "0.010", "59500").await;
    // Not active until the mark reaches 59000; the lowest price then sets the trigger at +1%.
    for m in ["59500", "59100", "58800", "59300"] {
        sim.set_mark_price(USDM, "BTCUSDT", Some(d(m))).unwrap();
        assert_eq!(status(&mut a, "BTCUSDT", &t["orderId"]).await["status"], "NEW", "mark {m}");
    }
    sim.set_mark_price(USDM, "BTCUSDT", Some(d("59388"))).unwrap(); // 58800 x 1.01
    let s = status(&mut a, "BTCUSDT", &t["orderId"]).await;
    assert_eq!((s["status"].as_str(), s["type"].as_str()), (Some("FILLED"), Some("MARKET")));
    assert_eq!(num(&s["avgPrice"]), d("59500"));
}

#[tokio::test]
async fn time_in_force_ioc_fok_gtx_and_gtd() {
    let sim = quiet().await;
    let mut a = api(&sim, USDM, hmac()).await;
    let mut b = api(&sim, USDM, ed25519()).await;
    limit(&mut a, "BTCUSDT", "SELL", "0.010", "60000").await;
    let order = |tif: &str, qty: &str| {
        json!({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": tif, "quantity": qty,
               "price": "60000", "newOrderRespType": "RESULT"})
    };
    // FOK: all or nothing, and nothing is rejected outright.
    err(&place(&mut b, order("FOK", "0.020")).await, 400, -5021);
    // GTX: post-only.
    err(&place(&mut b, order("GTX", "0.001")).await, 400, -5022);
    // IOC: takes what it can, the rest expires.
    let ioc = placed(&mut b, order("IOC", "0.015")).await;
    assert_eq!((ioc["status"].as_str(), ioc["executedQty"].as_str()), (Some("EXPIRED"), Some("0.010")));
    limit(&mut a, "BTCUSDT", "SELL", "0.010", "60000").await;
    let fok = placed(&mut b, order("FOK", "0.010")).await;
    assert_eq!(fok["status"], "FILLED");
    let mut gtx = order("GTX", "0.010");
    gtx["price"] = json!("59000");
    assert_eq!(placed(&mut b, gtx).await["status"], "NEW");

    // GTD: at least 600 s ahead, whole seconds; it expires when its time comes.
    let now = wsapi_support::now_ms();
    let mut gtd = order("GTD", "0.010");
    gtd["price"] = json!("58000");
    gtd["goodTillDate"] = json!(now + 10_000);
    err(&place(&mut b, gtd.clone()).await, 400, -5040);
    gtd.as_object_mut().unwrap().remove("goodTillDate");
    err(&place(&mut b, gtd.clone()).await, 400, -1102);
    gtd["goodTillDate"] = json!(now + 700_123);
    let g = placed(&mut b, gtd).await;
    assert_eq!(
        (g["timeInForce"].as_str(), g["goodTillDate"].as_u64()),
        (Some("GTD"), Some((now + 700_123) / 1000 * 1000))
    );
    let id = g["orderId"].as_u64().unwrap();
    // Move the exchange's clock past the expiry; the next engine tick expires the order.
    sim.clock().set_skew_ms(800_000);
    let mut expired = false;
    for _ in 0..100 {
        if sim.futures(USDM).read(|e| e.order(id).map(|o| o.status.as_str())) == Some("EXPIRED") {
            expired = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    sim.clock().set_skew_ms(0);
    assert!(expired, "the GTD order expired");
}

#[tokio::test]
async fn price_match_self_trade_prevention_and_their_errors() {
    let sim = quiet().await;
    let mut a = api(&sim, USDM, hmac()).await;
    let mut b = api(&sim, USDM, ed25519()).await;
    limit(&mut a, "BTCUSDT", "SELL", "0.010", "60010").await;
    limit(&mut a, "BTCUSDT", "SELL", "0.010", "60020").await;
    limit(&mut a, "BTCUSDT", "BUY", "0.010", "59990").await;
    let pm = |mode: &str| {
        json!({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.010",
               "priceMatch": mode, "newOrderRespType": "RESULT"})
    };
    // QUEUE: the best price of its own side; OPPONENT: the best price of the other side.
    let q = placed(&mut b, pm("QUEUE")).await;
    assert_eq!(
        (q["price"].as_str(), q["status"].as_str(), q["priceMatch"].as_str()),
        (Some("59990.00"), Some("NEW"), Some("QUEUE"))
    );
    let o = placed(&mut b, pm("OPPONENT")).await;
    assert_eq!((o["price"].as_str(), o["status"].as_str()), (Some("60010.00"), Some("FILLED")));
    err(&place(&mut b, pm("OPPONENT_5")).await, 400, -5041);
    err(&place(&mut b, pm("BEST")).await, 400, -5037);
    let mut with_price = pm("QUEUE");
    with_price["price"] = json!("59000");
    err(&place(&mut b, with_price).await, 400, -1106);
    err(
        &place(
            &mut b,
            json!({"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.010",
                              "priceMatch": "OPPONENT"}),
        )
        .await,
        400,
        -5038,
    );

    // Self-trade prevention: a's sell at 60020 meets a's own buys.
    let taker = |mode: &str| {
        json!({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.010",
               "price": "60020", "selfTradePreventionMode": mode, "newOrderRespType": "RESULT"})
    };
    let t = placed(&mut a, taker("EXPIRE_TAKER")).await;
    assert_eq!(
        (t["status"].as_str(), t["selfTradePreventionMode"].as_str()),
        (Some("EXPIRED_IN_MATCH"), Some("EXPIRE_TAKER"))
    );
    let t = placed(&mut a, taker("EXPIRE_MAKER")).await;
    // The maker at 60020 expired in match; the taker rests.
    assert_eq!(t["status"], "NEW");
    let depth = ok(&a.call("depth", json!({"symbol": "BTCUSDT", "limit": 5})).await);
    assert_eq!(depth["asks"], json!([]), "{depth}");
    err(&place(&mut a, taker("DECREMENT")).await, 400, -5039);
}

#[tokio::test]
async fn modify_cancel_and_status() {
    let sim = quiet().await;
    let mut a = api(&sim, USDM, hmac()).await;
    let o = placed(
        &mut a,
        json!({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
                                  "quantity": "0.010", "price": "59000", "newClientOrderId": "my-order_1"}),
    )
    .await;
    let id = o["orderId"].clone();
    let m = ok(&a
        .signed(
            "order.modify",
            json!({"symbol": "BTCUSDT", "orderId": id, "side": "BUY",
                                                 "quantity": "0.020", "price": "59100"}),
        )
        .await);
    assert_eq!(
        (m["price"].as_str(), m["origQty"].as_str(), m["status"].as_str()),
        (Some("59100.00"), Some("0.020"), Some("NEW"))
    );
    err(
        &a.signed(
            "order.modify",
            json!({"symbol": "BTCUSDT", "orderId": id, "side": "BUY", "quantity": "0.020",
                                         "price": "59100"}),
        )
        .await,
        400,
        -5027,
    );
    err(
        &a.signed(
            "order.modify",
            json!({"symbol": "BTCUSDT", "orderId": id, "side": "BUY", "quantity": "0.020",
                                         "price": "59100.05"}),
        )
        .await,
        400,
        -4014,
    );
    err(
        &a.signed("order.modify", json!({"symbol": "BTCUSDT", "side": "BUY", "quantity": "0.020", "price": "1"})).await,
        400,
        -1102,
    );
    let s = ok(&a.signed("order.status", json!({"symbol": "BTCUSDT", "origClientOrderId": "my-order_1"})).await);
    assert_eq!((s["orderId"].clone(), s["price"].as_str()), (id.clone(), Some("59100.00")));
    assert!(s["time"].is_u64() && s["updateTime"].is_u64());
    let c = ok(&a.signed("order.cancel", json!({"symbol": "BTCUSDT", "origClientOrderId": "my-order_1"})).await);
    assert_eq!(c["status"], "CANCELED");
    err(&a.signed("order.cancel", json!({"symbol": "BTCUSDT", "orderId": id})).await, 400, -2011);
    err(&a.signed("order.status", json!({"symbol": "BTCUSDT", "orderId": 987654321})).await, 400, -2013);
    // Only LIMIT orders can be modified.
    let stop = placed(
        &mut a,
        json!({"symbol": "BTCUSDT", "side": "BUY", "type": "STOP_MARKET", "quantity": "0.010",
                                     "stopPrice": "65000"}),
    )
    .await;
    err(
        &a.signed(
            "order.modify",
            json!({"symbol": "BTCUSDT", "orderId": stop["orderId"], "side": "BUY",
                                         "quantity": "0.010", "price": "60000"}),
        )
        .await,
        400,
        -5025,
    );
}

#[tokio::test]
async fn coin_m_orders_trade_contracts_and_report_base_amounts() {
    let sim = quiet().await;
    let mut a = api(&sim, COINM, hmac()).await;
    let mut b = api(&sim, COINM, ed25519()).await;
    let maker = limit(&mut a, "BTCUSD_PERP", "SELL", "10", "60000").await;
    assert_eq!(
        (maker["pair"].as_str(), maker["origQty"].as_str(), maker["price"].as_str()),
        (Some("BTCUSD"), Some("10"), Some("60000.0"))
    );
    let taker = market(&mut b, "BTCUSD_PERP", "BUY", "4").await;
    assert_eq!(taker["status"], "FILLED");
    // 4 contracts of 100 USD at 60000: 400 / 60000 BTC.
    assert_eq!(num(&taker["cumBase"]), d("0.00666667"));
    assert!(taker.get("cumQuote").is_none());
    let positions = ok(&b.signed("account.position", json!({"pair": "BTCUSD"})).await);
    let p = positions.as_array().unwrap().iter().find(|p| p["symbol"] == "BTCUSD_PERP").unwrap().clone();
    assert_eq!((p["positionAmt"].as_str(), num(&p["entryPrice"])), (Some("4"), d("60000")));
    err(
        &place(&mut b, json!({"symbol": "BTCUSD_PERP", "side": "BUY", "type": "MARKET", "quantity": "1.5"})).await,
        400,
        -1111,
    );
    // COIN-M's WebSocket API has no market data methods.
    err(&b.call("depth", json!({"symbol": "BTCUSD_PERP"})).await, 400, -1020);
}
