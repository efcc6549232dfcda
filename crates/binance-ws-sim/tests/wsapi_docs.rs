//! The docs' example request of every Spot WebSocket API method, sent to the local exchange (with our own key,
//! timestamp and signature, and symbols/prices/ids changed where the example's would not exist here), and the
//! reply compared with the docs' example response: the same keys with the same JSON types.

mod wsapi_support;

use binance_ws_sim::config::{
    default_accounts, DEFAULT_ED25519_API_KEY, DEFAULT_ED25519_PRIVATE_PEM, DEFAULT_HMAC_API_KEY, DEFAULT_HMAC_SECRET,
};
use binance_ws_sim::{Sim, SimConfig};
use serde_json::{json, Map, Value};
use wsapi_support::*;

/// Sends `method`'s doc example with `overrides` (and without `remove`), checks the status and, for a success
/// or a documented error, the shape.
async fn check(doc: &str, c: &mut Client, method: &str, overrides: Value, remove: &[&str], status: u64) -> Value {
    let (req, _) = examples(doc, method);
    let mut params: Map<String, Value> = req.get("params").and_then(Value::as_object).cloned().unwrap_or_default();
    let signed = params.contains_key("signature");
    for k in ["apiKey", "signature", "timestamp"].iter().chain(remove) {
        params.remove(*k);
    }
    if let Value::Object(o) = overrides {
        params.extend(o);
    }
    let reply = if signed {
        c.signed(method, Value::Object(params)).await
    } else {
        c.call(method, Value::Object(params)).await
    };
    assert_eq!(reply["status"], status, "{method}: {reply}");
    assert_doc_shape(doc, method, &reply);
    reply
}

#[tokio::test]
async fn every_method_answers_with_the_documented_shape() {
    let Some(doc) = docs() else { return };
    let mut accounts = default_accounts();
    accounts.push(hmac_account(&test_key(1), &test_secret(1), &[("BTC", "100"), ("ETH", "100"), ("USDT", "10000000")]));
    let sim = Sim::start(SimConfig { accounts, activity: None, ..Default::default() }).await.unwrap();
    let url = sim.api_url();
    let mut c = Client::with_signer(&url, Signer::hmac(DEFAULT_HMAC_API_KEY, DEFAULT_HMAC_SECRET)).await;
    let mut maker = Client::with_signer(&url, Signer::hmac(&test_key(1), &test_secret(1))).await;

    // A book and a trade on BTCUSDT.
    for (side, price) in [("SELL", "60000.00"), ("SELL", "60010.00"), ("BUY", "59990.00"), ("BUY", "59980.00")] {
        let r = maker
            .signed(
                "order.place",
                json!({"symbol": "BTCUSDT", "side": side, "type": "LIMIT", "timeInForce": "GTC",
                "price": price, "quantity": "0.05"}),
            )
            .await;
        ok(&r);
    }
    ok(&c
        .signed("order.place", json!({"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.001"}))
        .await);

    // General and market data.
    check(&doc, &mut c, "ping", json!({}), &[], 200).await;
    check(&doc, &mut c, "time", json!({}), &[], 200).await;
    check(&doc, &mut c, "exchangeInfo", json!({"symbols": ["BNBUSDT"]}), &[], 200).await;
    check(&doc, &mut c, "exchangeInfo", json!({}), &["symbols"], 200).await;
    check(&doc, &mut c, "executionRules", json!({"symbol": "BTCUSDT"}), &[], 200).await;
    let depth = check(&doc, &mut c, "depth", json!({"symbol": "BTCUSDT"}), &[], 200).await;
    assert_eq!(depth["result"]["asks"][0][0], "60000.00000000", "{depth}");
    check(&doc, &mut c, "trades.recent", json!({"symbol": "BTCUSDT"}), &[], 200).await;
    check(&doc, &mut c, "trades.historical", json!({"symbol": "BTCUSDT"}), &[], 200).await;
    check(&doc, &mut c, "blockTrades.historical", json!({"symbol": "BTCUSDT"}), &[], 200).await;
    check(&doc, &mut c, "trades.aggregate", json!({"symbol": "BTCUSDT", "fromId": 0}), &[], 200).await;
    let k = check(&doc, &mut c, "klines", json!({"symbol": "BTCUSDT"}), &["startTime"], 200).await;
    assert_eq!(k["result"].as_array().unwrap().len(), 1, "{k}");
    check(&doc, &mut c, "uiKlines", json!({"symbol": "BTCUSDT"}), &["startTime"], 200).await;
    check(&doc, &mut c, "avgPrice", json!({"symbol": "BTCUSDT"}), &[], 200).await;
    check(&doc, &mut c, "ticker.24hr", json!({"symbol": "BTCUSDT"}), &[], 200).await;
    check(&doc, &mut c, "ticker.tradingDay", json!({"symbols": ["BNBUSDT", "BTCUSDT"]}), &[], 200).await;
    check(&doc, &mut c, "ticker", json!({"symbols": ["BNBUSDT", "BTCUSDT"]}), &[], 200).await;
    check(&doc, &mut c, "ticker.price", json!({"symbol": "BTCUSDT"}), &[], 200).await;
    check(&doc, &mut c, "ticker.price", json!({}), &["symbol"], 200).await;
    let book = check(&doc, &mut c, "ticker.book", json!({"symbols": ["BNBUSDT", "BTCUSDT"]}), &[], 200).await;
    assert_eq!(book["result"][1]["bidPrice"], "59990.00000000", "{book}");
    check(&doc, &mut c, "referencePrice", json!({"symbol": "BTCUSDT"}), &[], 200).await;
    check(&doc, &mut c, "referencePrice.calculation", json!({"symbol": "BTCUSDT"}), &[], 400).await;

    // Trading.
    let placed = check(&doc, &mut c, "order.place", json!({}), &[], 200).await;
    assert_eq!(placed["result"]["status"], "FILLED", "sells into the 59990 bid: {placed}");
    assert_eq!(placed["rateLimits"][0]["rateLimitType"], "ORDERS", "{placed}");
    check(&doc, &mut c, "order.test", json!({}), &[], 200).await;
    check(&doc, &mut c, "order.test", json!({"computeCommissionRates": true}), &[], 200).await;
    let resting = json!({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
        "price": "59000.00", "quantity": "0.001", "newClientOrderId": "4d96324ff9d44481926157"});
    let r = c.signed("order.place", resting.clone()).await;
    let order_id = ok(&r)["orderId"].clone();
    check(&doc, &mut c, "order.status", json!({"orderId": order_id}), &[], 200).await;
    check(&doc, &mut c, "order.cancel", json!({}), &[], 200).await;
    ok(&c.signed("order.place", resting).await);
    let cr = check(&doc, &mut c, "order.cancelReplace", json!({}), &[], 200).await;
    assert_eq!(cr["result"]["cancelResult"], "SUCCESS", "{cr}");
    let r = c
        .signed(
            "order.place",
            json!({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
            "price": "59000.00", "quantity": "0.01", "newClientOrderId": "my_test_order1"}),
        )
        .await;
    let amend_id = ok(&r)["orderId"].clone();
    check(&doc, &mut c, "order.amend.keepPriority", json!({"newQty": "0.005"}), &[], 200).await;
    check(&doc, &mut c, "order.amendments", json!({"orderId": amend_id}), &[], 200).await;
    let legacy = check(
        &doc,
        &mut c,
        "orderList.place",
        json!({"price": "61000.00", "stopPrice": "59500.00", "stopLimitPrice": "59400.00"}),
        &[],
        200,
    )
    .await;
    let list_client = legacy["result"]["listClientOrderId"].clone();
    let list_id = legacy["result"]["orderListId"].clone();
    check(&doc, &mut c, "orderList.status", json!({"origClientOrderId": list_client}), &[], 200).await;
    check(&doc, &mut c, "openOrderLists.status", json!({}), &[], 200).await;
    check(&doc, &mut c, "allOrderLists", json!({}), &["startTime", "endTime"], 200).await;
    check(&doc, &mut c, "orderList.cancel", json!({"orderListId": list_id}), &[], 200).await;
    check(
        &doc,
        &mut c,
        "orderList.place.oco",
        json!({"symbol": "BTCUSDT", "quantity": "0.001", "abovePrice": "61010.00", "aboveStopPrice": "61000.00",
            "belowPrice": "59000.00"}),
        &[],
        200,
    )
    .await;
    check(
        &doc,
        &mut c,
        "orderList.place.oto",
        json!({"symbol": "BTCUSDT", "workingPrice": "61000.00", "workingQuantity": "0.001", "pendingQuantity": "0.001"}),
        &[],
        200,
    )
    .await;
    check(
        &doc,
        &mut c,
        "orderList.place.otoco",
        json!({"symbol": "BTCUSDT", "workingPrice": "59000.00", "workingQuantity": "0.001", "pendingQuantity": "0.001",
            "pendingAboveType": "LIMIT_MAKER", "pendingAbovePrice": "62000.00", "pendingBelowType": "STOP_LOSS",
            "pendingBelowStopPrice": "58000.00"}),
        &["pendingAboveStopPrice", "pendingBelowPrice"],
        200,
    )
    .await;
    let opo = c
        .signed(
            "orderList.place.opo",
            json!({"symbol": "BTCUSDT", "workingType": "LIMIT", "workingSide": "BUY",
            "workingPrice": "59000.00", "workingQuantity": "0.001", "workingTimeInForce": "GTC",
            "pendingType": "MARKET", "pendingSide": "SELL"}),
        )
        .await;
    err(&opo, 400, -2010);
    check(&doc, &mut c, "openOrders.status", json!({}), &[], 200).await;
    check(&doc, &mut c, "allOrders", json!({}), &["startTime", "endTime"], 200).await;
    check(&doc, &mut c, "myTrades", json!({}), &["startTime", "endTime"], 200).await;
    let all = check(&doc, &mut c, "openOrders.cancelAll", json!({}), &[], 200).await;
    assert!(all["result"].as_array().unwrap().len() >= 3, "orders and lists: {all}");
    let sor = check(&doc, &mut c, "sor.order.place", json!({"quantity": "0.001", "price": "61000"}), &[], 200).await;
    let fills = sor["result"][0]["fills"].as_array().unwrap();
    assert!(!fills.is_empty(), "{sor}");
    let sor_id = sor["result"][0]["orderId"].clone();
    check(&doc, &mut c, "sor.order.test", json!({"price": "59000"}), &[], 200).await;
    check(&doc, &mut c, "sor.order.test", json!({"price": "59000", "computeCommissionRates": true}), &[], 200).await;
    let allocs = check(&doc, &mut c, "myAllocations", json!({"orderId": sor_id}), &[], 200).await;
    assert_eq!(allocs["result"].as_array().unwrap().len(), fills.len(), "{allocs}");

    // A self-trade prevented on ETHUSDT (EXPIRE_MAKER by default).
    ok(&c
        .signed(
            "order.place",
            json!({"symbol": "ETHUSDT", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC",
            "price": "3000.00", "quantity": "1"}),
        )
        .await);
    let taker = c
        .signed(
            "order.place",
            json!({"symbol": "ETHUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
            "price": "3000.00", "quantity": "1"}),
        )
        .await;
    let taker_id = ok(&taker)["orderId"].clone();
    let pm =
        check(&doc, &mut c, "myPreventedMatches", json!({"symbol": "ETHUSDT", "orderId": taker_id}), &[], 200).await;
    assert_eq!(pm["result"].as_array().unwrap().len(), 1, "{pm}");

    // Account.
    check(&doc, &mut c, "account.status", json!({}), &[], 200).await;
    check(&doc, &mut c, "account.rateLimits.orders", json!({}), &[], 200).await;
    check(&doc, &mut c, "account.commission", json!({}), &[], 200).await;
    check(&doc, &mut c, "myFilters", json!({}), &[], 200).await;

    // User data streams: by signature on any connection, and on a logged-on (Ed25519) session.
    check(&doc, &mut c, "userDataStream.subscribe.signature", json!({}), &[], 200).await;
    check(&doc, &mut c, "session.subscriptions", json!({}), &[], 200).await;
    check(&doc, &mut c, "userDataStream.unsubscribe", json!({}), &[], 200).await;
    let mut ed = Client::with_signer(&url, Signer::ed25519(DEFAULT_ED25519_API_KEY, DEFAULT_ED25519_PRIVATE_PEM)).await;
    check(&doc, &mut ed, "session.logon", json!({}), &[], 200).await;
    check(&doc, &mut ed, "userDataStream.subscribe", json!({}), &[], 200).await;
    let st = check(&doc, &mut ed, "session.status", json!({}), &[], 200).await;
    assert_eq!(st["result"]["userDataStream"], true, "{st}");
    let out = check(&doc, &mut ed, "session.logout", json!({}), &[], 200).await;
    assert_eq!(out["result"]["userDataStream"], false, "logout closes the logon subscription: {out}");
    let ended = ed.next_event(std::time::Duration::from_secs(2)).await.expect("eventStreamTerminated");
    assert_eq!(ended["event"]["e"], "eventStreamTerminated");
}
