//! Every order type placed through the API and filled, with its executionReport and outboundAccountPosition
//! events arriving on a subscribed connection, in order, after the reply that caused them.

mod wsapi_support;

use std::time::Duration;

use binance_ws_sim::{Sim, SimConfig};
use serde_json::{json, Value};
use wsapi_support::*;

const WAIT: Duration = Duration::from_secs(3);

struct Desk {
    a: Client,
    b: Client,
    c: Client,
    /// Every user event of account A, in arrival order.
    seen: Vec<Value>,
}

impl Desk {
    async fn new(sim: &Sim) -> Desk {
        let url = sim.api_url();
        let mut a = Client::with_signer(&url, Signer::hmac(&test_key(1), &test_secret(1))).await;
        let b = Client::with_signer(&url, Signer::hmac(&test_key(2), &test_secret(2))).await;
        let c = Client::with_signer(&url, Signer::hmac(&test_key(3), &test_secret(3))).await;
        let sub = a.signed("userDataStream.subscribe.signature", json!({})).await;
        assert_eq!(ok(&sub)["subscriptionId"], 0);
        Desk { a, b, c, seen: Vec::new() }
    }

    /// Makes the last price `price`: C offers 0.001 there and B buys it.
    async fn trade_at(&mut self, price: &str) {
        ok(&self
            .c
            .signed(
                "order.place",
                json!({"symbol": "BTCUSDT", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC",
                "price": price, "quantity": "0.001"}),
            )
            .await);
        let r = self
            .b
            .signed("order.place", json!({"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.001"}))
            .await;
        assert_eq!(ok(&r)["status"], "FILLED", "{r}");
    }

    async fn clear(&mut self) {
        for cl in [&mut self.b, &mut self.c] {
            let r = cl.signed("openOrders.cancelAll", json!({"symbol": "BTCUSDT"})).await;
            assert!(r["status"] == 200 || r["error"]["code"] == -2011, "{r}");
        }
    }

    /// A places an order; its reply must come before any event it caused.
    async fn place(&mut self, params: Value) -> Value {
        let before = self.a.log.len();
        let mut p = params;
        p["symbol"] = json!("BTCUSDT");
        p["newOrderRespType"] = json!("RESULT");
        let r = self.a.signed("order.place", p).await;
        assert_eq!(self.a.log[before].0, "reply", "the reply comes first: {:?}", &self.a.log[before..]);
        ok(&r).clone()
    }

    /// Waits for order `id` to be FILLED and for the account update that follows; checks the events.
    async fn expect_filled(&mut self, id: &Value, maker: bool) {
        let mut reports = Vec::new();
        let mut filled_at = None;
        loop {
            let ev = self.a.next_event(WAIT).await.unwrap_or_else(|| panic!("order {id}: events stopped: {reports:?}"));
            assert_event_shape(&ev);
            let e = ev["event"].clone();
            self.seen.push(e.clone());
            if e["e"] == "executionReport" && e["i"] == *id {
                reports.push(e.clone());
                if e["X"] == "FILLED" {
                    filled_at = Some(e.clone());
                }
            }
            if filled_at.is_some() && e["e"] == "outboundAccountPosition" {
                break;
            }
        }
        assert_eq!(reports[0]["x"], "NEW", "{reports:?}");
        let f = filled_at.unwrap();
        assert_eq!(f["x"], "TRADE");
        assert_eq!(f["z"], f["q"], "{f}");
        assert_eq!(f["m"], maker, "{f}");
        assert_ne!(f["N"], Value::Null, "commission asset of a fill: {f}");
        assert!(f["t"].as_i64().unwrap() > 0);
    }
}

#[tokio::test]
async fn each_order_type_fills_with_its_events_in_order() {
    let funds = [("BTC", "10"), ("USDT", "1000000")];
    let sim = Sim::start(SimConfig {
        accounts: (1..=3).map(|n| hmac_account(&test_key(n), &test_secret(n), &funds)).collect(),
        activity: None,
        ..Default::default()
    })
    .await
    .unwrap();
    let mut d = Desk::new(&sim).await;

    // LIMIT, taking B's offer at once.
    ok(&d
        .b
        .signed(
            "order.place",
            json!({"symbol": "BTCUSDT", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC",
            "price": "60000.00", "quantity": "0.01"}),
        )
        .await);
    let o = d
        .place(json!({"side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "price": "60000.00", "quantity": "0.01"}))
        .await;
    d.expect_filled(&o["orderId"], false).await;

    // MARKET.
    ok(&d
        .b
        .signed(
            "order.place",
            json!({"symbol": "BTCUSDT", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC",
            "price": "60100.00", "quantity": "0.01"}),
        )
        .await);
    let o = d.place(json!({"side": "BUY", "type": "MARKET", "quantity": "0.01"})).await;
    d.expect_filled(&o["orderId"], false).await;

    // LIMIT_MAKER, filled later by B as the maker side.
    let o = d.place(json!({"side": "SELL", "type": "LIMIT_MAKER", "price": "60500.00", "quantity": "0.01"})).await;
    assert_eq!(o["status"], "NEW");
    ok(&d
        .b
        .signed("order.place", json!({"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.01"}))
        .await);
    d.expect_filled(&o["orderId"], true).await;

    // The conditional types: placed at last price 60000, triggered by a trade beyond the stop, filled by B's bid.
    for (ty, stop, limit, trigger, bid) in [
        ("STOP_LOSS", "59900.00", None, "59850.00", "59800.00"),
        ("STOP_LOSS_LIMIT", "59900.00", Some("59800.00"), "59850.00", "59800.00"),
        ("TAKE_PROFIT", "60100.00", None, "60150.00", "60050.00"),
        ("TAKE_PROFIT_LIMIT", "60100.00", Some("60050.00"), "60150.00", "60050.00"),
    ] {
        d.clear().await;
        d.trade_at("60000.00").await;
        let mut p = json!({"side": "SELL", "type": ty, "quantity": "0.01", "stopPrice": stop});
        if let Some(l) = limit {
            p["price"] = json!(l);
            p["timeInForce"] = json!("GTC");
        }
        let o = d.place(p).await;
        assert_eq!(o["status"], "NEW", "{ty}: {o}");
        ok(&d
            .b
            .signed(
                "order.place",
                json!({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
                "price": bid, "quantity": "0.02"}),
            )
            .await);
        d.trade_at(trigger).await;
        d.expect_filled(&o["orderId"], false).await;
        let st = d.a.signed("order.status", json!({"symbol": "BTCUSDT", "orderId": o["orderId"]})).await;
        assert_eq!(ok(&st)["status"], "FILLED", "{ty}: {st}");
    }

    // Events arrived in the order they happened: execution ids only grow, event times never go back.
    let ids: Vec<u64> =
        d.seen.iter().filter(|e| e["e"] == "executionReport").map(|e| e["I"].as_u64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    let times: Vec<u64> = d.seen.iter().map(|e| e["E"].as_u64().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");

    // The account's balances agree with the last account update and with the exchange's own state.
    let account = d.a.signed("account.status", json!({})).await;
    let btc = ok(&account)["balances"].as_array().unwrap().iter().find(|b| b["asset"] == "BTC").unwrap().clone();
    let truth = sim.balances(&test_key(1)).unwrap();
    let (_, tb) = truth.iter().find(|(a, _)| a == "BTC").unwrap();
    assert_eq!(dec(btc["free"].as_str().unwrap()), tb.free);
    let last_pos = d.seen.iter().rev().find(|e| e["e"] == "outboundAccountPosition").unwrap();
    let pos_btc = last_pos["B"].as_array().unwrap().iter().find(|b| b["a"] == "BTC").unwrap();
    assert_eq!(dec(pos_btc["f"].as_str().unwrap()), tb.free, "{last_pos}");
}

#[tokio::test]
async fn deposits_reach_subscribers_and_unsubscribe_ends_the_stream() {
    let sim = Sim::start(SimConfig {
        accounts: vec![hmac_account(&test_key(1), &test_secret(1), &[("USDT", "100")])],
        activity: None,
        ..Default::default()
    })
    .await
    .unwrap();
    let mut a = Client::with_signer(&sim.api_url(), Signer::hmac(&test_key(1), &test_secret(1))).await;
    ok(&a.signed("userDataStream.subscribe.signature", json!({})).await);
    let again = a.signed("userDataStream.subscribe.signature", json!({})).await;
    err(&again, 400, -2035);
    sim.deposit(&test_key(1), "BTC", dec("1.5")).unwrap();
    let first = a.next_event(WAIT).await.unwrap();
    assert_event_shape(&first);
    assert_eq!(first["event"]["e"], "balanceUpdate");
    assert_eq!(first["event"]["d"], "1.50000000");
    let second = a.next_event(WAIT).await.unwrap();
    assert_eq!(second["event"]["e"], "outboundAccountPosition");
    assert_eq!(sim.balances(&test_key(1)).unwrap().iter().find(|(a, _)| a == "BTC").unwrap().1.free, dec("1.5"));
    let r = a.call("userDataStream.unsubscribe", json!({"subscriptionId": 0})).await;
    ok(&r);
    let end = a.next_event(WAIT).await.unwrap();
    assert_eq!(end, json!({"subscriptionId": 0, "event": {"e": "eventStreamTerminated", "E": end["event"]["E"]}}));
    sim.deposit(&test_key(1), "BTC", dec("1")).unwrap();
    assert!(a.next_event(Duration::from_millis(300)).await.is_none(), "no events after unsubscribing");
    let subs = a.call("session.subscriptions", json!({})).await;
    assert_eq!(ok(&subs), &json!([]));
}
