//! User data subscriptions survive connection changes without the user doing anything.
//!
//! * A forced drop in the middle of trading: the subscription is restored on the new connection, the
//!   stream says between which times events may be missing, and after reconciling every order of the
//!   account is explained: orders finished before the gap and orders placed after it by their events,
//!   orders touched during the gap by the reconciliation, all equal to the exchange's own records.
//! * The same for a subscription by signature (HMAC).
//! * A rotation (`serverShutdown`): the subscription moves to the new connection with overlap; nothing is
//!   missed and nothing is delivered twice, although both connections carried the events for a while.

mod user_data_common;

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use binance_ws::api::ApiEvent;
use binance_ws::model::{Decimal, OrderStatus, Side};
use binance_ws::spot::{Api, NewOrder};
use binance_ws::transport::ConnectionEvent;
use binance_ws::user_data::spot::{Missed, MissedCause, Notice, UserDataStream, UserEvent};
use binance_ws_sim::exchange::query::HistoryQuery;
use binance_ws_sim::exchange::{self as ex};
use binance_ws_sim::{ConnFault, Sim};
use user_data_common::*;

/// The exchange's view of every order of `api_key` on BTCUSDT: id -> (client id, status, executed qty,
/// placed at, last update).
fn truth_orders(sim: &Sim, api_key: &str) -> BTreeMap<u64, (String, String, Decimal, u64, u64)> {
    let account = sim.shared().account_of(api_key).unwrap();
    let q = HistoryQuery { limit: Some(1000), ..Default::default() };
    let orders = sim.with_exchange(|e, _| e.all_orders(account, "BTCUSDT", &q)).unwrap();
    assert!(orders.len() < 1000, "one page holds them all");
    orders
        .into_iter()
        .map(|o| {
            (o.order_id, (o.client_order_id, o.status.as_str().to_string(), o.executed_qty, o.time, o.update_time))
        })
        .collect()
}

/// Places an order for `api_key` straight into the engine (no connection involved).
fn engine_order(sim: &Sim, api_key: &str, order: ex::NewOrder) -> u64 {
    let account = sim.shared().account_of(api_key).unwrap();
    sim.with_exchange(|e, now| e.place_order(account, order, now)).unwrap().transact_time
}

/// Trades on the Ed25519 account from its own connection until told to stop: market buys that fill against
/// the HMAC account's ask, and limit buys that rest, every other one canceled.
fn spawn_trader(api: Api, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<usize> {
    tokio::spawn(async move {
        let mut resting = Vec::new();
        let mut i = 0;
        while !stop.load(Ordering::Relaxed) {
            i += 1;
            // Failures (during the drop) are fine: the exchange's records are the truth checked later.
            let _ = api
                .place_order(NewOrder::market("BTCUSDT", Side::Buy, d("0.001")).new_client_order_id(format!("m-{i}")))
                .await;
            if let Ok(o) = api
                .place_order(
                    NewOrder::limit("BTCUSDT", Side::Buy, d("0.001"), d("48000.00"))
                        .new_client_order_id(format!("l-{i}")),
                )
                .await
            {
                resting.push(o.order_id);
            }
            if i % 2 == 0 {
                if let Some(id) = resting.pop() {
                    let _ = api.cancel_order("BTCUSDT", id).await;
                }
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        i
    })
}

/// Each order's last report in the stream: id -> (status, cumulative qty).
fn last_reports(events: &[UserEvent]) -> BTreeMap<u64, (String, Decimal)> {
    let mut out = BTreeMap::new();
    for e in events {
        if let UserEvent::ExecutionReport(r) = e {
            out.insert(r.order_id, (r.status.as_str().to_string(), r.cumulative_qty));
        }
    }
    out
}

fn missed(events: &[UserEvent]) -> Vec<&Missed> {
    events.iter().filter_map(|e| if let UserEvent::Notice(Notice::Missed(m)) = e { Some(m) } else { None }).collect()
}

/// Waits until the client saw its connection drop (the exchange has then forgotten its subscriptions).
async fn wait_for_loss(events: &mut tokio::sync::broadcast::Receiver<ApiEvent>) {
    let lost = async {
        loop {
            match events.recv().await {
                Ok(ApiEvent::Connection(ConnectionEvent::Reconnecting { .. })) => return,
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(e) => panic!("{e}"),
            }
        }
    };
    tokio::time::timeout(WAIT, lost).await.expect("the client noticed the drop");
}

/// Reads the stream until `done` says so, keeping everything.
async fn read_until(
    mine: &mut UserDataStream,
    events: &mut Vec<UserEvent>,
    mut done: impl FnMut(&[UserEvent]) -> bool,
) {
    while !done(events) {
        let ev = next(mine).await.unwrap_or_else(|| panic!("stream stopped after {} events", events.len()));
        events.push(ev);
    }
}

#[tokio::test]
async fn a_drop_mid_trading_is_restored_reported_and_reconciled() {
    let sim = trading_sim().await;
    // Liquidity for the market buys, straight in the engine.
    engine_order(&sim, HMAC_KEY, ex::NewOrder::limit("BTCUSDT", ex::Side::Sell, d("1"), d("50000")));
    let api = ed25519(&sim).await;
    let (eth_at_start, _) = truth_balance(&sim, ED_KEY, "ETH");
    let mut mine = api.user_data().await.unwrap();
    let first_id = mine.subscription_id().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let trader = spawn_trader(ed25519(&sim).await, stop.clone());

    // Trading is under way...
    let mut events = Vec::new();
    read_until(&mut mine, &mut events, |e| last_reports(e).len() >= 6).await;
    // ... when every connection drops and reconnecting is refused for a while. Meanwhile the account
    // trades through the engine: those events cannot reach the client.
    let mut changes = api.client().events();
    sim.faults().refuse_connections(Duration::from_millis(800));
    sim.inject(ConnFault::Drop);
    wait_for_loss(&mut changes).await;
    let gap_times = [
        engine_order(&sim, ED_KEY, ex::NewOrder::market("BTCUSDT", ex::Side::Buy, d("0.002")).client_id("gap-market")),
        engine_order(
            &sim,
            ED_KEY,
            ex::NewOrder::limit("BTCUSDT", ex::Side::Buy, d("0.003"), d("47000")).client_id("gap-rest"),
        ),
    ];
    sim.deposit(ED_KEY, "ETH", d("5")).unwrap();

    // The stream goes on by itself: the gap is reported once, then events flow again.
    read_until(&mut mine, &mut events, |e| !missed(e).is_empty()).await;
    let gap = missed(&events)[0].clone();
    let MissedCause::Reconnected { subscription_id, .. } = &gap.cause else { panic!("{gap:?}") };
    assert_eq!(mine.subscription_id(), Some(*subscription_id));
    assert_eq!(mine.last_missed(), Some(&gap));
    for t in gap_times {
        assert!(gap.from_ms <= t && t <= gap.until_ms, "gap order at {t} outside {gap:?}");
    }
    let listed: Vec<u64> = api.session_subscriptions().await.unwrap().iter().map(|s| s.subscription_id).collect();
    assert_eq!(listed, [*subscription_id], "the restored subscription (the first was {first_id})");
    // Trading goes on until several orders were placed well after the gap.
    let placed_after = |e: &[UserEvent]| {
        let ids: HashSet<u64> = e
            .iter()
            .filter_map(|e| match e {
                UserEvent::ExecutionReport(r) if r.order_creation_time > gap.until_ms + 50 => Some(r.order_id),
                _ => None,
            })
            .collect();
        ids.len()
    };
    read_until(&mut mine, &mut events, |e| placed_after(e) >= 6).await;
    stop.store(true, Ordering::Relaxed);
    trader.await.unwrap();
    while let Some(ev) = quiet_for(&mut mine, 500).await {
        events.push(ev);
    }
    assert_eq!(missed(&events).len(), 1, "one gap");

    // Reconcile, then explain every order the exchange has for this account.
    let state = mine.reconcile().await.unwrap();
    assert_eq!(state.since_ms, gap.from_ms);
    let reconciled: BTreeMap<u64, (String, Decimal)> = state
        .changed_orders
        .iter()
        .chain(&state.open_orders)
        .map(|o| (o.order_id, (o.status.as_str().to_string(), o.executed_qty)))
        .collect();
    let streamed = last_reports(&events);
    let truth = truth_orders(&sim, ED_KEY);
    let (mut by_events, mut by_reconcile) = (0, 0);
    for (id, (client_id, status, executed, placed, updated)) in &truth {
        let want = (status.clone(), *executed);
        if *updated < gap.from_ms || *placed > gap.until_ms + 50 {
            // Finished before the gap, or placed after it: its events tell all.
            assert_eq!(streamed.get(id), Some(&want), "order {id} ({client_id}) by its events");
            by_events += 1;
        } else {
            // Touched during the gap: the reconciliation has it.
            assert_eq!(reconciled.get(id), Some(&want), "order {id} ({client_id}) by the reconciliation");
            by_reconcile += 1;
        }
    }
    assert!(by_events >= 6 && by_reconcile >= 2, "{by_events} by events, {by_reconcile} by reconciliation");
    for gap_order in ["gap-market", "gap-rest"] {
        let (id, _) = truth.iter().find(|(_, o)| o.0 == gap_order).unwrap();
        assert!(!streamed.contains_key(id), "{gap_order} happened while nothing could be received");
    }
    // Open orders and balances are the exchange's.
    let open: HashSet<u64> = state.open_orders.iter().map(|o| o.order_id).collect();
    assert_eq!(open, sim.open_orders(ED_KEY).unwrap().iter().map(|o| o.order_id).collect());
    for b in &state.account.balances {
        assert_eq!((b.free, b.locked), truth_balance(&sim, ED_KEY, &b.asset), "{}", b.asset);
    }
    assert!(
        state.account.balances.iter().any(|b| b.asset == "ETH" && b.free == eth_at_start + d("5")),
        "the gap's deposit"
    );
    assert_eq!(state.open_orders.iter().filter(|o| o.status == OrderStatus::New).count(), open.len());
}

#[tokio::test]
async fn a_signature_subscription_is_restored_after_a_drop() {
    let sim = quiet_sim().await;
    let api = hmac(&sim).await;
    let mut mine = api.user_data().await.unwrap();
    let (eth_at_start, _) = truth_balance(&sim, HMAC_KEY, "ETH");
    sim.deposit(HMAC_KEY, "ETH", d("1")).unwrap();
    let mut events = until(&mut mine, is_position).await;

    let mut changes = api.client().events();
    sim.faults().refuse_connections(Duration::from_millis(500));
    sim.inject(ConnFault::Drop);
    wait_for_loss(&mut changes).await;
    sim.deposit(HMAC_KEY, "ETH", d("2")).unwrap();
    read_until(&mut mine, &mut events, |e| !missed(e).is_empty()).await;
    let gap = missed(&events)[0].clone();
    assert_eq!(gap.from_ms, events[1].event_time().unwrap(), "the gap starts at the last event received");

    // Events flow again on the new subscription; the missed deposit is in the reconciliation.
    sim.deposit(HMAC_KEY, "ETH", d("4")).unwrap();
    let after = until(&mut mine, is_position).await;
    assert_eq!(shape(&after), ["bal", "pos"]);
    assert!(matches!(&after[0], UserEvent::BalanceUpdate(b) if b.delta == d("4")));
    let state = mine.reconcile().await.unwrap();
    let eth = state.account.balances.iter().find(|b| b.asset == "ETH").unwrap();
    assert_eq!(eth.free, eth_at_start + d("7"), "all three deposits, the missed one included");
}

#[tokio::test]
async fn a_rotation_moves_the_subscription_without_loss_or_repeats() {
    let sim = trading_sim().await;
    engine_order(&sim, HMAC_KEY, ex::NewOrder::limit("BTCUSDT", ex::Side::Sell, d("1"), d("50000")));
    let api = ed25519(&sim).await;
    let mut raw = api.client().events();
    let mut mine = api.user_data().await.unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let trader = spawn_trader(ed25519(&sim).await, stop.clone());

    let mut events = Vec::new();
    read_until(&mut mine, &mut events, |e| last_reports(e).len() >= 4).await;
    sim.inject(ConnFault::ServerShutdown);
    read_until(&mut mine, &mut events, |e| e.iter().any(|e| matches!(e, UserEvent::Notice(Notice::Moved { .. }))))
        .await;
    let moved_at = events.len();
    read_until(&mut mine, &mut events, |e| last_reports(&e[moved_at..]).len() >= 6).await;
    stop.store(true, Ordering::Relaxed);
    trader.await.unwrap();
    while let Some(ev) = quiet_for(&mut mine, 500).await {
        events.push(ev);
    }
    assert!(missed(&events).is_empty(), "nothing missed: {:?}", missed(&events));
    assert!(events.iter().all(|e| !matches!(e, UserEvent::Notice(Notice::Undecodable { .. }))));

    // Every execution once, and every order's events complete: the fills add up to what the exchange
    // executed, and the last report is the order's final state.
    let mut executions = HashSet::new();
    let mut filled: BTreeMap<u64, Decimal> = BTreeMap::new();
    for e in &events {
        if let UserEvent::ExecutionReport(r) = e {
            assert!(executions.insert(r.execution_id), "execution {} delivered twice", r.execution_id);
            *filled.entry(r.order_id).or_default() += r.last_qty;
        }
    }
    let streamed = last_reports(&events);
    let truth = truth_orders(&sim, ED_KEY);
    for (id, (client_id, status, executed, _, updated)) in &truth {
        if *updated < events.iter().find_map(UserEvent::event_time).unwrap() {
            continue; // Before the subscription.
        }
        assert_eq!(streamed.get(id), Some(&(status.clone(), *executed)), "order {id} ({client_id})");
        assert_eq!(filled.get(id).copied().unwrap_or_default(), *executed, "fills of order {id}");
    }

    // Both connections did carry events at the same time: the raw feed (every frame of both sockets) holds
    // the duplicates that the stream removed.
    let mut seen = HashSet::new();
    let mut duplicates = 0;
    while let Ok(ev) = raw.try_recv() {
        if let ApiEvent::UserData { raw, .. } = ev {
            if !seen.insert(raw) {
                duplicates += 1;
            }
        }
    }
    assert!(duplicates > 0, "the connections never overlapped; the test proved nothing");
    assert_eq!(mine.subscription_id(), api.session_subscriptions().await.unwrap().first().map(|s| s.subscription_id));
}

/// Subscribing while the account trades: the events that follow the subscribe reply on the socket can be
/// read before the subscribing task has recorded the new id; they are kept, not lost. Every executionReport
/// the connection received for the subscription (the client's raw event feed) is in the stream, once.
#[tokio::test]
async fn subscribing_mid_trading_loses_nothing_the_connection_received() {
    let sim = trading_sim().await;
    engine_order(&sim, HMAC_KEY, ex::NewOrder::limit("BTCUSDT", ex::Side::Sell, d("1"), d("50000")));
    let api = ed25519(&sim).await;
    let stop = Arc::new(AtomicBool::new(false));
    let trader = spawn_trader(ed25519(&sim).await, stop.clone());
    let mut raw = api.client().events();
    // Let trading get going, then subscribe in the middle of it, several times over.
    tokio::time::sleep(Duration::from_millis(50)).await;
    for round in 0..5 {
        let mut mine = api.user_data().await.unwrap();
        let sid = mine.subscription_id().unwrap();
        let mut events = Vec::new();
        read_until(&mut mine, &mut events, |e| last_reports(e).len() >= 4).await;
        mine.unsubscribe().await.unwrap();
        read_until(&mut mine, &mut events, |e| matches!(e.last(), Some(UserEvent::StreamTerminated(_)))).await;
        let streamed: Vec<u64> = events
            .iter()
            .filter_map(|e| if let UserEvent::ExecutionReport(r) = e { Some(r.execution_id) } else { None })
            .collect();
        let mut received = Vec::new();
        while let Ok(ev) = raw.try_recv() {
            if let ApiEvent::UserData { subscription_id: Some(s), event_type, raw } = ev {
                if s == sid && event_type == "executionReport" {
                    let v: serde_json::Value = serde_json::from_str(&raw).unwrap();
                    received.push(v["I"].as_u64().unwrap());
                }
            }
        }
        assert_eq!(streamed, received, "round {round}: the stream vs what the connection received");
    }
    stop.store(true, Ordering::Relaxed);
    trader.await.unwrap();
}

/// A restore the exchange refuses (here: the client's clock offset went stale, so every signature is
/// outside recvWindow) is reported in the stream and retried with backoff until it succeeds; the gap is
/// then reported as usual. On a logged-on session whose logon failed too, the subscription falls back to a
/// signature subscription with the session's own key.
#[tokio::test]
async fn a_refused_restore_is_reported_and_retried_until_it_succeeds() {
    for ed in [false, true] {
        let sim = quiet_sim().await;
        let api = if ed { ed25519(&sim).await } else { hmac(&sim).await };
        let key = if ed { ED_KEY } else { HMAC_KEY };
        let mut mine = api.user_data().await.unwrap();
        let mut changes = api.client().events();
        sim.clock().set_skew_ms(120_000);
        sim.inject(ConnFault::Drop);
        wait_for_loss(&mut changes).await;
        let mut events = Vec::new();
        read_until(&mut mine, &mut events, |e| {
            e.iter().filter(|e| matches!(e, UserEvent::Notice(Notice::RestoreFailed { .. }))).count() >= 2
        })
        .await;
        let UserEvent::Notice(Notice::RestoreFailed { error, retry_in }) = &events[0] else { panic!("{events:?}") };
        assert!(error.contains("-1021") || error.contains("-1002"), "ed25519 {ed}: {error}");
        let UserEvent::Notice(Notice::RestoreFailed { retry_in: later, .. }) = &events[1] else { panic!() };
        assert!(later > retry_in, "backoff grows: {retry_in:?} then {later:?}");
        assert_eq!(mine.subscription_id(), None, "not subscribed while refused");

        sim.clock().set_skew_ms(0);
        read_until(&mut mine, &mut events, |e| !missed(e).is_empty()).await;
        assert!(mine.subscription_id().is_some());
        sim.deposit(key, "ETH", d("1")).unwrap();
        let after = until(&mut mine, is_position).await;
        assert_eq!(shape(&after), ["bal", "pos"], "ed25519 {ed}");
    }
}

/// Two accounts on one connection: after a drop both subscriptions are restored, each stream reports its
/// own gap, and their events stay apart whatever ids the new connection gave them.
#[tokio::test]
async fn several_subscriptions_are_all_restored_and_stay_separate() {
    let sim = quiet_sim().await;
    let api = ed25519(&sim).await;
    let mut mine = api.user_data().await.unwrap();
    let mut theirs = api.user_data_with(hmac_credentials()).await.unwrap();
    let mut changes = api.client().events();
    sim.inject(ConnFault::Drop);
    wait_for_loss(&mut changes).await;
    for stream in [&mut mine, &mut theirs] {
        let mut events = Vec::new();
        read_until(stream, &mut events, |e| !missed(e).is_empty()).await;
    }
    let ids = [mine.subscription_id().unwrap(), theirs.subscription_id().unwrap()];
    assert_ne!(ids[0], ids[1]);
    let mut listed: Vec<u64> = api.session_subscriptions().await.unwrap().iter().map(|s| s.subscription_id).collect();
    listed.sort();
    let mut want = ids.to_vec();
    want.sort();
    assert_eq!(listed, want);
    sim.deposit(HMAC_KEY, "ETH", d("2")).unwrap();
    sim.deposit(ED_KEY, "ETH", d("3")).unwrap();
    let got = until(&mut theirs, is_position).await;
    assert!(matches!(&got[0], UserEvent::BalanceUpdate(b) if b.delta == d("2")), "{got:?}");
    let got = until(&mut mine, is_position).await;
    assert!(matches!(&got[0], UserEvent::BalanceUpdate(b) if b.delta == d("3")), "{got:?}");
    assert_eq!(quiet_for(&mut theirs, 200).await, None);
}
