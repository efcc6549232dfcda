//! User data over the WebSocket API session through the typed client: a logged-on Ed25519 session with
//! `userDataStream.subscribe`, an HMAC session with `userDataStream.subscribe.signature`. A crossing
//! order's executionReport and outboundAccountPosition events arrive (as raw JSON via
//! `ApiEvent::UserData`) in order, with their balances equal to the exchange's; unsubscribing ends them.

mod spot_e2e_common;

use binance_ws::model::{NewOrderRespType, OrderStatus, Side};
use binance_ws::spot::*;
use serde_json::Value;
use spot_e2e_common::*;

/// `(e, x, X)` of each event, for order checks.
fn shape(events: &[(Option<u64>, Value)]) -> Vec<(String, String, String)> {
    let s = |v: &Value| v.as_str().unwrap_or("").to_string();
    events.iter().map(|(_, e)| (s(&e["e"]), s(&e["x"]), s(&e["X"]))).collect()
}

fn ex(x: &str, status: &str) -> (String, String, String) {
    ("executionReport".into(), x.into(), status.into())
}

fn pos() -> (String, String, String) {
    ("outboundAccountPosition".into(), String::new(), String::new())
}

/// The `B` balances of an outboundAccountPosition agree with the exchange's for the assets it lists.
#[track_caller]
fn assert_position_is_truth(sim: &binance_ws_sim::Sim, key: &str, ev: &Value) {
    let balances = ev["B"].as_array().expect("B");
    assert!(!balances.is_empty());
    for b in balances {
        let asset = b["a"].as_str().unwrap();
        let (free, locked) = truth_balance(sim, key, asset);
        assert_eq!((d(b["f"].as_str().unwrap()), d(b["l"].as_str().unwrap())), (free, locked), "{asset}: {ev}");
    }
}

#[tokio::test]
async fn logged_on_subscription_streams_the_fill() {
    let sim = quiet_sim().await;
    let maker = hmac(&sim).await;
    let api = ed25519(&sim).await;
    assert!(api.client().is_logged_on());
    let mut cov = Coverage::new();
    let mut events = Events::of(&api);

    let sub = api.user_data_stream_subscribe().await.unwrap();
    assert_code(&api.user_data_stream_subscribe().await.unwrap_err(), -2035); // already active
    cov.hit::<UserDataStreamSubscribe>();
    let subs = api.session_subscriptions().await.unwrap();
    assert_eq!(subs, vec![sub]);
    assert_eq!(api.session_status().await.unwrap().user_data_stream, Some(true));
    cov.hit::<SessionSubscriptions>();

    // The other account's resting order sends nothing here.
    maker.place_order(NewOrder::limit("BTCUSDT", Side::Sell, d("0.01"), d("50000.00"))).await.unwrap();
    assert!(events.quiet_for(200).await.is_none(), "no events of another account");

    // A crossing market buy: NEW, TRADE/FILLED, then the account position.
    let order = api
        .place_order(
            NewOrder::market("BTCUSDT", Side::Buy, d("0.01"))
                .new_client_order_id("ud-taker")
                .new_order_resp_type(NewOrderRespType::Result),
        )
        .await
        .unwrap();
    assert_eq!(order.status, Some(OrderStatus::Filled));
    let got = events.until(|e| e["e"] == "outboundAccountPosition").await;
    assert_eq!(shape(&got), [ex("NEW", "NEW"), ex("TRADE", "FILLED"), pos()], "{got:?}");
    for (sid, e) in &got {
        assert_eq!(*sid, Some(sub.subscription_id));
        if e["e"] == "executionReport" {
            assert_eq!(
                (e["s"].as_str(), e["i"].as_u64(), e["c"].as_str()),
                (Some("BTCUSDT"), Some(order.order_id), Some("ud-taker"))
            );
            assert_eq!((e["S"].as_str(), e["o"].as_str()), (Some("BUY"), Some("MARKET")));
        }
    }
    let trade = &got[1].1;
    assert_eq!((d(trade["L"].as_str().unwrap()), d(trade["l"].as_str().unwrap())), (d("50000"), d("0.01")));
    assert_eq!((d(trade["z"].as_str().unwrap()), trade["m"].as_bool()), (d("0.01"), Some(false)));
    let my = api.my_trades("BTCUSDT").order_id(order.order_id).await.unwrap();
    assert_eq!(trade["t"].as_u64(), Some(my[0].id));
    assert_eq!(d(trade["n"].as_str().unwrap()), my[0].commission);
    assert_position_is_truth(&sim, ED_KEY, &got[2].1);

    // A resting order canceled: NEW, position (funds locked), CANCELED, position (released).
    let rest = api.place_order(NewOrder::limit("BTCUSDT", Side::Buy, d("0.01"), d("48000.00"))).await.unwrap();
    let got = events.until(|e| e["e"] == "outboundAccountPosition").await;
    assert_eq!(shape(&got), [ex("NEW", "NEW"), pos()], "{got:?}");
    assert_eq!(got[0].1["i"].as_u64(), Some(rest.order_id));
    assert_position_is_truth(&sim, ED_KEY, &got[1].1);
    api.cancel_order("BTCUSDT", rest.order_id).await.unwrap();
    let got = events.until(|e| e["e"] == "outboundAccountPosition").await;
    assert_eq!(shape(&got), [ex("CANCELED", "CANCELED"), pos()], "{got:?}");
    assert_eq!(got[0].1["i"].as_u64(), Some(rest.order_id));
    assert_position_is_truth(&sim, ED_KEY, &got[1].1);

    // Unsubscribe: eventStreamTerminated, no subscriptions, no more events.
    api.user_data_stream_unsubscribe().subscription_id(sub.subscription_id).await.unwrap();
    let (sid, e) = events.next().await.expect("eventStreamTerminated");
    assert_eq!((sid, e["e"].as_str()), (Some(sub.subscription_id), Some("eventStreamTerminated")));
    assert!(api.session_subscriptions().await.unwrap().is_empty());
    api.place_order(NewOrder::limit("BTCUSDT", Side::Buy, d("0.01"), d("48000.00"))).await.unwrap();
    assert!(events.quiet_for(300).await.is_none(), "unsubscribed");
    cov.hit::<UserDataStreamUnsubscribe>();
    cov.finish("spot_e2e_user_data::logged_on_subscription_streams_the_fill");
}

#[tokio::test]
async fn signature_subscription_streams_the_fill() {
    let sim = quiet_sim().await;
    let api = hmac(&sim).await;
    let taker = ed25519(&sim).await;
    let mut cov = Coverage::new();
    let mut events = Events::of(&api);
    assert!(!api.client().is_logged_on(), "HMAC keys sign every request");

    let sub = api.user_data_stream_subscribe_signature().await.unwrap();
    assert_eq!(api.session_subscriptions().await.unwrap(), vec![sub]);
    cov.hit::<UserDataStreamSubscribeSignature>();

    // This account rests an ask; the other account takes it: NEW, position, TRADE/FILLED (maker), position.
    let ask = api
        .place_order(NewOrder::limit("BTCUSDT", Side::Sell, d("0.01"), d("50000.00")).new_client_order_id("ud-maker"))
        .await
        .unwrap();
    let got = events.until(|e| e["e"] == "outboundAccountPosition").await;
    assert_eq!(shape(&got), [ex("NEW", "NEW"), pos()], "{got:?}");
    taker.place_order(NewOrder::market("BTCUSDT", Side::Buy, d("0.01"))).await.unwrap();
    let got2 = events.until(|e| e["e"] == "outboundAccountPosition").await;
    assert_eq!(shape(&got2), [ex("TRADE", "FILLED"), pos()], "{got2:?}");
    for (sid, e) in got.iter().chain(&got2) {
        assert_eq!(*sid, Some(sub.subscription_id));
        if e["e"] == "executionReport" {
            assert_eq!(
                (e["s"].as_str(), e["i"].as_u64(), e["c"].as_str()),
                (Some("BTCUSDT"), Some(ask.order_id), Some("ud-maker"))
            );
        }
    }
    assert_eq!(got2[0].1["m"].as_bool(), Some(true), "the resting order was the maker");
    assert_position_is_truth(&sim, HMAC_KEY, &got2[1].1);
    assert_eq!(api.order_status("BTCUSDT", ask.order_id).await.unwrap().status, OrderStatus::Filled);

    // Unsubscribe all (no id).
    api.user_data_stream_unsubscribe().await.unwrap();
    let (_, e) = events.next().await.expect("eventStreamTerminated");
    assert_eq!(e["e"], "eventStreamTerminated");
    assert!(api.session_subscriptions().await.unwrap().is_empty());
    cov.finish("spot_e2e_user_data::signature_subscription_streams_the_fill");
}
