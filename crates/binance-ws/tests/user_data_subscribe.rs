//! `Api::user_data` against the local exchange: a logged-on Ed25519 session (`userDataStream.subscribe`) and
//! an HMAC session (`userDataStream.subscribe.signature`). Orders placed, filled and canceled arrive as typed
//! executionReport and outboundAccountPosition events in order, with fields equal to the exchange's own
//! records; deposits as balanceUpdate, external locks as externalLockUpdate; unsubscribe, `session.logout`
//! and dropping the stream end the subscription; several subscriptions on one connection stay separate.

mod user_data_common;

use binance_ws::model::{ExecutionType, OrderStatus, OrderType, Side, TimeInForce};
use binance_ws::spot::{Api, NewOrder};
use binance_ws::user_data::spot::{ExecutionReport, OrderRejectReason, UserEvent};
use binance_ws::{Env, Error};
use user_data_common::*;

fn report(e: &UserEvent) -> &ExecutionReport {
    match e {
        UserEvent::ExecutionReport(r) => r,
        other => panic!("not an executionReport: {other:?}"),
    }
}

/// The balances of an outboundAccountPosition are the exchange's.
#[track_caller]
fn assert_position_is_truth(sim: &binance_ws_sim::Sim, key: &str, e: &UserEvent) {
    let UserEvent::AccountPosition(p) = e else { panic!("not a position: {e:?}") };
    assert!(!p.balances.is_empty());
    for b in &p.balances {
        assert_eq!((b.free, b.locked), truth_balance(sim, key, &b.asset), "{}: {p:?}", b.asset);
    }
}

#[tokio::test]
async fn logon_subscription_streams_orders_balances_and_locks_in_order() {
    let sim = quiet_sim().await;
    let maker = hmac(&sim).await;
    let api = ed25519(&sim).await;
    assert!(api.client().is_logged_on());
    let mut mine = api.user_data().await.unwrap();
    let sid = mine.subscription_id().expect("subscribed");
    assert_eq!(api.session_subscriptions().await.unwrap().iter().map(|s| s.subscription_id).collect::<Vec<_>>(), [sid]);
    // One subscription per account and connection: the exchange's refusal, and the first one is untouched.
    assert_eq!(api.user_data().await.unwrap_err().code(), Some(-2035));
    assert_eq!(mine.subscription_id(), Some(sid));

    // Another account's order sends nothing here.
    maker.place_order(NewOrder::limit("BTCUSDT", Side::Sell, d("0.01"), d("50000.00"))).await.unwrap();
    assert_eq!(quiet_for(&mut mine, 200).await, None, "no events of another account");

    // A crossing market buy: NEW, TRADE/FILLED, then the account position.
    let order = api
        .place_order(NewOrder::market("BTCUSDT", Side::Buy, d("0.01")).new_client_order_id("ud-taker"))
        .await
        .unwrap();
    let got = until(&mut mine, is_position).await;
    assert_eq!(shape(&got), ["NEW/NEW", "TRADE/FILLED", "pos"], "{got:#?}");
    for e in &got[..2] {
        let r = report(e);
        assert_eq!(
            (r.symbol.as_str(), r.order_id, r.client_order_id.as_str()),
            ("BTCUSDT", order.order_id, "ud-taker")
        );
        assert_eq!((r.side, r.order_type, r.order_list_id), (Side::Buy, OrderType::Market, -1));
        assert_eq!((r.quantity, r.reject_reason), (d("0.01"), OrderRejectReason::None));
    }
    let fill = report(&got[1]);
    let trades = api.my_trades("BTCUSDT").order_id(order.order_id).await.unwrap();
    assert_eq!((fill.last_price, fill.last_qty, fill.cumulative_qty), (d("50000"), d("0.01"), d("0.01")));
    assert_eq!((fill.last_quote_qty, fill.cumulative_quote_qty), (d("500"), d("500")));
    assert_eq!((fill.trade_id, fill.commission), (trades[0].id as i64, trades[0].commission));
    assert_eq!(fill.commission_asset.as_deref(), Some(trades[0].commission_asset.as_str()));
    assert!(!fill.is_maker && !fill.is_working && fill.is_final());
    assert!(report(&got[0]).execution_id < fill.execution_id);
    assert_position_is_truth(&sim, ED_KEY, &got[2]);

    // A resting order: NEW (working, on the book) and position; canceled: CANCELED (naming the order's own id
    // as the original client id) and position.
    let rest = api
        .place_order(
            NewOrder::limit("BTCUSDT", Side::Buy, d("0.01"), d("48000.00"))
                .time_in_force(TimeInForce::Gtc)
                .new_client_order_id("ud-rest"),
        )
        .await
        .unwrap();
    let got = until(&mut mine, is_position).await;
    assert_eq!(shape(&got), ["NEW/NEW", "pos"]);
    let new = report(&got[0]);
    assert_eq!((new.order_id, new.price, new.time_in_force), (rest.order_id, d("48000"), TimeInForce::Gtc));
    assert!(new.is_working && new.working_time.is_some(), "{new:?}");
    assert_position_is_truth(&sim, ED_KEY, &got[1]);
    api.cancel_order("BTCUSDT", rest.order_id).await.unwrap();
    let got = until(&mut mine, is_position).await;
    assert_eq!(shape(&got), ["CANCELED/CANCELED", "pos"]);
    let canceled = report(&got[0]);
    assert_eq!((canceled.order_id, canceled.orig_client_order_id.as_str()), (rest.order_id, "ud-rest"));
    assert_eq!(canceled.execution_type, ExecutionType::Canceled);
    assert_position_is_truth(&sim, ED_KEY, &got[1]);

    // A deposit: balanceUpdate, then the position.
    sim.deposit(ED_KEY, "ETH", d("2.5")).unwrap();
    let got = until(&mut mine, is_position).await;
    assert_eq!(shape(&got), ["bal", "pos"]);
    let UserEvent::BalanceUpdate(b) = &got[0] else { unreachable!() };
    assert_eq!((b.asset.as_str(), b.delta), ("ETH", d("2.5")));
    assert_position_is_truth(&sim, ED_KEY, &got[1]);

    // An external lock and its release: externalLockUpdate, then the position each time.
    for delta in ["0.004", "-0.004"] {
        sim.external_lock(ED_KEY, "BTC", d(delta)).unwrap();
        let got = until(&mut mine, is_position).await;
        assert_eq!(shape(&got), ["lock", "pos"]);
        let UserEvent::ExternalLockUpdate(x) = &got[0] else { unreachable!() };
        assert_eq!((x.asset.as_str(), x.delta), ("BTC", d(delta)));
        assert_position_is_truth(&sim, ED_KEY, &got[1]);
    }

    // Unsubscribe: eventStreamTerminated ends the stream; the exchange lists no subscription.
    mine.unsubscribe().await.unwrap();
    let got = until(&mut mine, |e| matches!(e, UserEvent::StreamTerminated(_))).await;
    assert_eq!(shape(&got), ["end"]);
    assert_eq!(next(&mut mine).await, None, "the stream ended");
    assert!(api.session_subscriptions().await.unwrap().is_empty());
    // Subscribing again works.
    let mut again = api.user_data().await.unwrap();
    sim.deposit(ED_KEY, "ETH", d("1")).unwrap();
    assert_eq!(shape(&until(&mut again, is_position).await), ["bal", "pos"]);
}

#[tokio::test]
async fn signature_subscription_streams_the_maker_fill_and_dropping_it_unsubscribes() {
    let sim = quiet_sim().await;
    let api = hmac(&sim).await;
    let taker = ed25519(&sim).await;
    assert!(!api.client().is_logged_on(), "HMAC keys cannot log on");
    let mut mine = api.user_data().await.unwrap();
    let sid = mine.subscription_id().unwrap();

    let ask = api
        .place_order(NewOrder::limit("BTCUSDT", Side::Sell, d("0.01"), d("50000.00")).new_client_order_id("ud-maker"))
        .await
        .unwrap();
    let got = until(&mut mine, is_position).await;
    assert_eq!(shape(&got), ["NEW/NEW", "pos"]);
    taker.place_order(NewOrder::market("BTCUSDT", Side::Buy, d("0.004"))).await.unwrap();
    taker.place_order(NewOrder::market("BTCUSDT", Side::Buy, d("0.006"))).await.unwrap();
    let mut fills = until(&mut mine, is_position).await;
    fills.extend(until(&mut mine, is_position).await);
    assert_eq!(shape(&fills), ["TRADE/PARTIALLY_FILLED", "pos", "TRADE/FILLED", "pos"]);
    let (first, second) = (report(&fills[0]), report(&fills[2]));
    assert!(first.is_maker && second.is_maker, "the resting order was the maker");
    assert_eq!(
        (first.last_qty, first.cumulative_qty, first.status),
        (d("0.004"), d("0.004"), OrderStatus::PartiallyFilled)
    );
    assert_eq!((second.last_qty, second.cumulative_qty, second.order_id), (d("0.006"), d("0.01"), ask.order_id));
    assert_position_is_truth(&sim, HMAC_KEY, &fills[3]);

    // Dropping the stream unsubscribes.
    assert_eq!(api.session_subscriptions().await.unwrap().len(), 1);
    drop(mine);
    let deadline = tokio::time::Instant::now() + WAIT;
    while !api.session_subscriptions().await.unwrap().is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "subscription {sid} still active after the drop");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn several_subscriptions_on_one_connection_stay_separate() {
    let sim = quiet_sim().await;
    let api = ed25519(&sim).await;
    let hmac_api = hmac(&sim).await;
    // This connection carries two accounts: its own (logon) and the HMAC account (by signature).
    let mut mine = api.user_data().await.unwrap();
    let mut theirs = api.user_data_with(hmac_credentials()).await.unwrap();
    // The HMAC account's own connection subscribes too.
    let mut theirs_elsewhere = hmac_api.user_data().await.unwrap();
    let ids = [mine.subscription_id().unwrap(), theirs.subscription_id().unwrap()];
    assert_ne!(ids[0], ids[1]);
    let mut listed: Vec<u64> = api.session_subscriptions().await.unwrap().iter().map(|s| s.subscription_id).collect();
    listed.sort();
    assert_eq!(listed, {
        let mut i = ids;
        i.sort();
        i
    });

    sim.deposit(HMAC_KEY, "ETH", d("3")).unwrap();
    for stream in [&mut theirs, &mut theirs_elsewhere] {
        let got = until(stream, is_position).await;
        assert_eq!(shape(&got), ["bal", "pos"]);
        assert!(matches!(&got[0], UserEvent::BalanceUpdate(b) if b.delta == d("3")));
    }
    assert_eq!(quiet_for(&mut mine, 200).await, None, "the other account's deposit is not mine");

    sim.deposit(ED_KEY, "ETH", d("7")).unwrap();
    let got = until(&mut mine, is_position).await;
    assert!(matches!(&got[0], UserEvent::BalanceUpdate(b) if b.delta == d("7")));
    assert_eq!(quiet_for(&mut theirs, 200).await, None);
    assert_eq!(quiet_for(&mut theirs_elsewhere, 50).await, None);

    // Reconciling a stream queries its own account.
    let state = theirs.reconcile().await.unwrap();
    let eth = state.account.balances.iter().find(|b| b.asset == "ETH").unwrap();
    assert_eq!((eth.free, eth.locked), truth_balance(&sim, HMAC_KEY, "ETH"));
    let state = mine.reconcile().await.unwrap();
    let eth = state.account.balances.iter().find(|b| b.asset == "ETH").unwrap();
    assert_eq!((eth.free, eth.locked), truth_balance(&sim, ED_KEY, "ETH"));

    // Unsubscribing one leaves the other.
    theirs.unsubscribe().await.unwrap();
    assert_eq!(shape(&until(&mut theirs, |e| matches!(e, UserEvent::StreamTerminated(_))).await), ["end"]);
    sim.deposit(ED_KEY, "ETH", d("1")).unwrap();
    assert_eq!(shape(&until(&mut mine, is_position).await), ["bal", "pos"]);
}

#[tokio::test]
async fn logout_ends_the_logon_subscription_but_not_the_signature_one() {
    let sim = quiet_sim().await;
    let api = ed25519(&sim).await;
    let mut mine = api.user_data().await.unwrap();
    let mut theirs = api.user_data_with(hmac_credentials()).await.unwrap();
    api.session_logout().await.unwrap();
    let got = until(&mut mine, |e| matches!(e, UserEvent::StreamTerminated(_))).await;
    assert_eq!(shape(&got), ["end"]);
    assert_eq!(next(&mut mine).await, None);
    // web-socket-api.md: session.logout closes only the userDataStream.subscribe subscription.
    sim.deposit(HMAC_KEY, "ETH", d("1")).unwrap();
    assert_eq!(shape(&until(&mut theirs, is_position).await), ["bal", "pos"]);
}

#[tokio::test]
async fn without_credentials_there_is_nothing_to_subscribe_to() {
    let sim = quiet_sim().await;
    let api = Api::connect(&Env::Local(sim.base_url()), None).await.unwrap();
    assert!(matches!(api.user_data().await.unwrap_err(), Error::NoCredentials { .. }));
    // A signature subscription with a key the exchange does not know: its error, nothing left behind.
    let unknown = binance_ws::Credentials::hmac("x".repeat(64), "secret");
    assert_eq!(api.user_data_with(unknown).await.unwrap_err().code(), Some(-2015));
    assert!(api.session_subscriptions().await.unwrap().is_empty());
}

#[tokio::test]
async fn closing_the_client_ends_the_stream_with_a_notice() {
    let sim = quiet_sim().await;
    let api = ed25519(&sim).await;
    let mut mine = api.user_data().await.unwrap();
    api.client().close().await;
    match next(&mut mine).await {
        Some(UserEvent::Notice(binance_ws::user_data::spot::Notice::Closed { reason })) => {
            assert!(reason.contains("closed by the user"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(next(&mut mine).await, None);
}
