//! Failure paths with Binance's codes and messages: unknown symbol, missing parameter, filter failure,
//! insufficient balance, cancelling an unknown order, the ORDERS limit.

mod wsapi_support;

use binance_ws_sim::{Sim, SimConfig};
use serde_json::json;
use wsapi_support::*;

async fn sim(orders_per_10s: u64) -> Sim {
    Sim::start(SimConfig {
        accounts: vec![hmac_account(&test_key(1), &test_secret(1), &[("BTC", "1"), ("USDT", "1000")])],
        activity: None,
        orders_per_10s,
        ..Default::default()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn bad_requests_get_the_documented_errors() {
    let sim = sim(50).await;
    let mut c = Client::with_signer(&sim.api_url(), Signer::hmac(&test_key(1), &test_secret(1))).await;
    let limit = |price: &str, qty: &str| json!({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "price": price, "quantity": qty});

    let r = c.call("depth", json!({"symbol": "NOPEUSDT"})).await;
    err(&r, 400, -1121);
    assert_eq!(r["error"]["msg"], "Invalid symbol.");
    let mut p = limit("100.00", "0.001");
    p["symbol"] = json!("NOPEUSDT");
    err(&c.signed("order.place", p).await, 400, -1121);

    let r = c.signed("order.place", json!({"symbol": "BTCUSDT", "type": "LIMIT"})).await;
    err(&r, 400, -1102);
    assert_eq!(r["error"]["msg"], "Mandatory parameter 'side' was not sent, was empty/null, or malformed.");
    let r = c.call("klines", json!({"symbol": "BTCUSDT"})).await;
    err(&r, 400, -1102);

    // LOT_SIZE: 0.000001 is below the step of 0.00001. PRICE_FILTER: not a multiple of the 0.01 tick.
    let r = c.signed("order.place", limit("100.00", "0.000001")).await;
    err(&r, 400, -1013);
    assert_eq!(r["error"]["msg"], "Filter failure: LOT_SIZE");
    let r = c.signed("order.place", limit("100.001", "0.1")).await;
    err(&r, 400, -1013);
    assert_eq!(r["error"]["msg"], "Filter failure: PRICE_FILTER");
    let r = c.signed("order.place", limit("10.00", "0.1")).await;
    err(&r, 400, -1013);
    assert_eq!(r["error"]["msg"], "Filter failure: NOTIONAL");

    // 1 BTC at 60000 needs 60000 USDT; the account has 1000.
    let r = c.signed("order.place", limit("60000.00", "1")).await;
    err(&r, 400, -2010);
    assert_eq!(r["error"]["msg"], "Account has insufficient balance for requested action.");

    let r = c.signed("order.cancel", json!({"symbol": "BTCUSDT", "orderId": 424242})).await;
    err(&r, 400, -2011);
    assert_eq!(r["error"]["msg"], "Unknown order sent.");
    let r = c.signed("order.cancel", json!({"symbol": "BTCUSDT"})).await;
    err(&r, 400, -1102);

    // Nothing was locked by the failures.
    let b = sim.balances(&test_key(1)).unwrap();
    assert!(b.iter().all(|(_, b)| b.locked.is_zero()), "{b:?}");
}

#[tokio::test]
async fn the_orders_limit_answers_429_and_shows_the_counts() {
    let sim = sim(3).await;
    let mut c = Client::with_signer(&sim.api_url(), Signer::hmac(&test_key(1), &test_secret(1))).await;
    let order = json!({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "price": "100.00",
        "quantity": "0.1"});
    let mut placed = 0;
    let refused = loop {
        let r = c.signed("order.place", order.clone()).await;
        if r["status"] == 429 {
            break r;
        }
        ok(&r);
        let orders = &r["rateLimits"][0];
        assert_eq!(orders["rateLimitType"], "ORDERS");
        assert_eq!(orders["intervalNum"], 10);
        assert_eq!(orders["limit"], 3);
        placed += 1;
        assert!(placed <= 6, "the limit never applied");
    };
    err(&refused, 429, -1015);
    assert_eq!(refused["error"]["msg"], "Too many new orders; current limit is 3 orders per 10 SECOND.");
    assert_eq!(refused["rateLimits"][0]["count"], 3, "{refused}");
    assert_eq!(refused["rateLimits"][2]["rateLimitType"], "REQUEST_WEIGHT");
    let counts = c.signed("account.rateLimits.orders", json!({})).await;
    assert_eq!(ok(&counts)[0]["count"], 3);
    assert_eq!(ok(&counts)[1]["interval"], "DAY");
    // Reads are not limited by ORDERS.
    ok(&c.signed("openOrders.status", json!({"symbol": "BTCUSDT"})).await);
}
