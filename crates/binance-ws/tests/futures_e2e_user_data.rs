//! The futures user data stream while trading goes on, USD-M and COIN-M, over real sockets:
//!
//! * keepalives (`userDataStream.ping`, counted by the exchange) keep a short-lived listenKey alive: no expiry, no
//!   gap, every order's events arrive;
//! * without keepalives the key expires by the exchange's clock (`listenKeyExpired`, then close), the client
//!   renews it and moves to the new key, and events keep flowing;
//! * every connection of the exchange is dropped in the middle of trading;
//!
//! and in every case no event is left unexplained: each order's final state is either in the events (and equal
//! to what `order.status` says) or inside an `EventsMayBeMissing` window and reconciled with `order.status`, and
//! the position `account.status` reports is the sum of what the orders filled.

mod futures_e2e_common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use binance_ws::api::futures::{Api, CoinMargined, NewOrder, UsdMargined};
use binance_ws::model::{Decimal, Side};
use binance_ws::usdm::OrderStatus as S;
use binance_ws::user_data::futures::{Notice, UserDataConfig, UserEvent};
use binance_ws::Error;
use binance_ws_sim::config::DEFAULT_HMAC_API_KEY;
use binance_ws_sim::{ConnFault, Sim};
use futures_e2e_common::*;
use tokio::time::sleep;

/// A listenKey lifetime short enough to expire during a test.
const TTL: Duration = Duration::from_secs(3);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usdm_keepalives_keep_a_short_lived_key_alive() {
    keepalives_keep_the_key::<UsdMargined>().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coinm_keepalives_keep_a_short_lived_key_alive() {
    keepalives_keep_the_key::<CoinMargined>().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usdm_expired_key_is_renewed_while_trading() {
    expired_key_is_renewed::<UsdMargined>().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coinm_expired_key_is_renewed_while_trading() {
    expired_key_is_renewed::<CoinMargined>().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usdm_reconnect_in_the_middle_of_trading() {
    reconnect_mid_trading::<UsdMargined>().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coinm_reconnect_in_the_middle_of_trading() {
    reconnect_mid_trading::<CoinMargined>().await;
}

/// One order the trading loop sent: its client order id, and whether the exchange's answer came back.
struct Sent {
    client_order_id: String,
    answered: bool,
}

/// Trades until `stop`: each round the maker quotes one unit and the trader takes it with a MARKET order (buying and
/// selling in turn), each with its own client order id. Errors are kept: a request in flight when a connection drops
/// may or may not have executed.
async fn trade_until<P: Kit>(me: Api<P>, maker: Api<P>, prefix: &'static str, stop: Arc<AtomicBool>) -> Vec<Sent> {
    let q = P::unit();
    let mut sent = Vec::new();
    let mut i = 0;
    while !stop.load(Ordering::Relaxed) {
        let (side, price) = if i % 2 == 0 { (Side::Buy, "60010") } else { (Side::Sell, "59990") };
        let quote = NewOrder::<P>::limit(P::SYMBOL, opposite(side), q, d(price));
        let _ = maker.send(&quote).await; // a lost quote only means the MARKET order may expire unfilled
        let client_order_id = format!("{prefix}-{i}");
        let order = NewOrder::<P>::market(P::SYMBOL, side, q).new_client_order_id(client_order_id.clone());
        let answered = match me.send(&order).await {
            Ok(_) => true,
            Err(Error::ExecutionUnknown { .. } | Error::ConnectionLost { .. } | Error::Timeout { .. }) => false,
            Err(e) => panic!("{client_order_id}: {e}"),
        };
        sent.push(Sent { client_order_id, answered });
        i += 1;
        sleep(Duration::from_millis(100)).await;
    }
    sent
}

fn opposite(side: Side) -> Side {
    match side {
        Side::Buy => Side::Sell,
        Side::Sell => Side::Buy,
    }
}

/// The windows of the `EventsMayBeMissing` notices: from `since_ms` to when the notice was read.
fn gap_windows(feed: &Feed) -> Vec<(u64, u64)> {
    feed.log
        .iter()
        .zip(&feed.read_ms)
        .filter_map(|(e, at)| match e {
            UserEvent::Notice(Notice::EventsMayBeMissing { since_ms, .. }) => Some((*since_ms, *at)),
            _ => None,
        })
        .collect()
}

/// What reconciling the orders with the events found.
#[derive(Debug, Default, PartialEq)]
struct Reconciled {
    /// Final state seen in the events.
    seen: usize,
    /// Final state not seen, inside a gap window, taken from `order.status`.
    covered: usize,
    /// Never reached the exchange (the request was lost with its connection).
    never_placed: usize,
}

/// Checks every order against the events and `order.status`; returns the counts and the position the orders add
/// up to.
async fn reconcile<P: Kit>(me: &Api<P>, feed: &Feed, sent: &[Sent]) -> (Reconciled, Decimal) {
    let windows = gap_windows(feed);
    let mut r = Reconciled::default();
    let mut position = Decimal::ZERO;
    for s in sent {
        let cid = &s.client_order_id;
        let (snap, update_time) = match P::status_by_client(me, cid).await {
            Ok(x) => x,
            Err(e) if e.code() == Some(-2013) && !s.answered => {
                r.never_placed += 1;
                continue;
            }
            Err(e) => panic!("{cid}: order.status: {e}"),
        };
        assert!(matches!(snap.status, S::Filled | S::Expired), "{cid} ended: {:?}", snap.status);
        let last = feed.log.iter().rev().find_map(|e| match e {
            UserEvent::OrderTradeUpdate(u) if &u.order.client_order_id == cid => Some(&u.order),
            _ => None,
        });
        match last {
            Some(u) if u.status == snap.status => {
                assert_eq!(u.filled_qty, snap.executed, "{cid}: the events' filled quantity is order.status'");
                r.seen += 1;
            }
            _ => {
                assert!(
                    windows.iter().any(|(from, to)| *from <= update_time && update_time <= *to),
                    "{cid} ended at {update_time} ({:?}) unseen and outside every gap window {windows:?}; its last \
                     event: {last:?}",
                    snap.status
                );
                r.covered += 1;
            }
        }
        let side = if cid.ends_with(|c: char| c.to_digit(10).is_some_and(|n| n % 2 == 0)) { 1 } else { -1 };
        position += snap.executed * Decimal::from(side);
    }
    // No event about an order nobody sent.
    for e in &feed.log {
        if let UserEvent::OrderTradeUpdate(u) = e {
            assert!(
                sent.iter().any(|s| s.client_order_id == u.order.client_order_id),
                "unexplained event {:?}",
                u.order
            );
        }
    }
    (r, position)
}

/// The last sent order's final update is in the events (or it is covered by a gap that ended after it).
async fn drain<P: Kit>(feed: &mut Feed, me: &Api<P>, sent: &[Sent]) {
    let last = sent.iter().rev().find(|s| s.answered).expect("orders were answered");
    let (snap, _) = P::status_by_client(me, &last.client_order_id).await.unwrap();
    let cid = last.client_order_id.clone();
    feed.until(&format!("the final update of {cid}"), |l| {
        l.iter().any(|e| matches!(e, UserEvent::OrderTradeUpdate(u) if u.order.client_order_id == cid && u.order.status == snap.status))
    })
    .await;
}

fn count(log: &[UserEvent], f: impl Fn(&UserEvent) -> bool) -> usize {
    log.iter().filter(|e| f(e)).count()
}

async fn setup<P: Kit>(ttl: Duration) -> (Sim, Desk<P>) {
    let sim = start_sim(|c| c.futures.listen_key_ttl = ttl).await;
    sim.set_mark_price(P::SIM, P::SYMBOL, Some(d("60000"))).unwrap();
    let desk = Desk::<P>::open(&sim).await;
    (sim, desk)
}

fn account(sim: &Sim) -> binance_ws_sim::exchange::AccountId {
    sim.shared().account_of(DEFAULT_HMAC_API_KEY).unwrap()
}

async fn keepalives_keep_the_key<P: Kit>() {
    let (sim, desk) = setup::<P>(TTL).await;
    let config = UserDataConfig { keepalive_interval: Duration::from_millis(500), ..Default::default() };
    let mut feed = Feed::start(&desk.me, config).await;
    let keys = sim.futures(P::SIM).listen_keys().clone();
    let now = || sim.clock().now_ms();
    let (key, first_expiry) = keys.lock().active(account(&sim), now()).expect("a key is active");

    let stop = Arc::new(AtomicBool::new(false));
    let trading = tokio::spawn(trade_until(desk.me.clone(), desk.maker.clone(), "ka", stop.clone()));
    // Three lifetimes of the key go by while orders fill.
    let until = first_expiry + 2 * TTL.as_millis() as u64;
    feed.until("three key lifetimes", |_| now() > until).await;
    stop.store(true, Ordering::Relaxed);
    let sent = trading.await.unwrap();
    drain(&mut feed, &desk.me, &sent).await;

    let pings = keys.lock().keepalives(account(&sim));
    println!("{}: {} orders, {pings} keepalives", P::NAME, sent.len());
    assert!(pings >= 4, "the exchange saw {pings} keepalives in three lifetimes of the key");
    let (still, expiry) = keys.lock().active(account(&sim), now()).expect("the key is still active");
    assert_eq!(still, key, "the same key all along");
    assert!(expiry > until, "each keepalive moved the expiry on");
    assert_eq!(count(&feed.log, |e| matches!(e, UserEvent::ListenKeyExpired(_))), 0);
    assert_eq!(
        count(&feed.log, |e| matches!(
            e,
            UserEvent::Notice(Notice::EventsMayBeMissing { .. } | Notice::ListenKeyRenewed { .. })
        )),
        0,
        "{:?}",
        feed.log.iter().filter(|e| e.is_notice()).collect::<Vec<_>>()
    );
    let (r, position) = reconcile(&desk.me, &feed, &sent).await;
    assert_eq!(r, Reconciled { seen: sent.len(), ..Default::default() }, "every order seen in the events");
    let positions = P::positions(&desk.me).await.unwrap();
    assert_eq!(positions[0].amount, position);
}

async fn expired_key_is_renewed<P: Kit>() {
    let (_sim, desk) = setup::<P>(TTL).await;
    // Keepalives too rare to save the key: it expires, and the client must renew it.
    let config = UserDataConfig { keepalive_interval: Duration::from_secs(3600), ..Default::default() };
    let mut feed = Feed::start(&desk.me, config).await;
    let stop = Arc::new(AtomicBool::new(false));
    let trading = tokio::spawn(trade_until(desk.me.clone(), desk.maker.clone(), "exp", stop.clone()));
    feed.until("two renewals", |l| count(l, |e| matches!(e, UserEvent::Notice(Notice::ListenKeyRenewed { .. }))) >= 2)
        .await;
    // Events flow on the renewed key.
    let renewed_at = feed.log.len();
    feed.until("events after the renewal", |l| {
        l[renewed_at..].iter().filter(|e| matches!(e, UserEvent::OrderTradeUpdate(_))).count() >= 4
    })
    .await;
    stop.store(true, Ordering::Relaxed);
    let sent = trading.await.unwrap();
    drain(&mut feed, &desk.me, &sent).await;

    let expired = count(&feed.log, |e| matches!(e, UserEvent::ListenKeyExpired(_)));
    assert!(expired >= 2, "the exchange reported each expiry");
    // Each expiry: listenKeyExpired, renewed, reconnected, and the gap reported.
    let i = feed.log.iter().position(|e| matches!(e, UserEvent::ListenKeyExpired(_))).unwrap();
    let after: Vec<&UserEvent> = feed.log[i..].iter().filter(|e| e.is_notice()).take(3).collect();
    assert!(matches!(after[0], UserEvent::Notice(Notice::ListenKeyRenewed { .. })), "{after:?}");
    assert!(matches!(after[1], UserEvent::Notice(Notice::Connected { .. })), "{after:?}");
    assert!(matches!(after[2], UserEvent::Notice(Notice::EventsMayBeMissing { .. })), "{after:?}");
    let (r, position) = reconcile(&desk.me, &feed, &sent).await;
    println!("{}: {} orders, {r:?}, {expired} expiries", P::NAME, sent.len());
    assert_eq!(r.never_placed, 0);
    assert_eq!(r.seen + r.covered, sent.len());
    assert!(r.seen > r.covered, "most orders were seen: {r:?}");
    let positions = P::positions(&desk.me).await.unwrap();
    assert_eq!(positions[0].amount, position, "account.position adds up to the orders' fills");
}

async fn reconnect_mid_trading<P: Kit>() {
    let (sim, desk) = setup::<P>(Duration::from_secs(3600)).await;
    let mut feed = Feed::start(&desk.me, UserDataConfig::default()).await;
    let stop = Arc::new(AtomicBool::new(false));
    let trading = tokio::spawn(trade_until(desk.me.clone(), desk.maker.clone(), "rc", stop.clone()));
    feed.until("trading under way", |l| count(l, |e| matches!(e, UserEvent::OrderTradeUpdate(_))) >= 6).await;
    // First only the user data connections, then every connection (the API's too, with orders in flight).
    sim.futures(P::SIM).user_hub().inject(ConnFault::Drop);
    feed.until("a reconnect", |l| count(l, |e| matches!(e, UserEvent::Notice(Notice::EventsMayBeMissing { .. }))) >= 1)
        .await;
    let mark = feed.log.len();
    feed.until("trading goes on", |l| {
        l[mark..].iter().filter(|e| matches!(e, UserEvent::OrderTradeUpdate(_))).count() >= 6
    })
    .await;
    sim.inject(ConnFault::Drop);
    feed.until("a second reconnect", |l| {
        count(l, |e| matches!(e, UserEvent::Notice(Notice::EventsMayBeMissing { .. }))) >= 2
    })
    .await;
    let mark = feed.log.len();
    feed.until("trading goes on again", |l| {
        l[mark..].iter().filter(|e| matches!(e, UserEvent::OrderTradeUpdate(_))).count() >= 6
    })
    .await;
    stop.store(true, Ordering::Relaxed);
    let sent = trading.await.unwrap();
    drain(&mut feed, &desk.me, &sent).await;

    assert_eq!(count(&feed.log, |e| matches!(e, UserEvent::Notice(Notice::Disconnected { .. }))), 2);
    let (r, position) = reconcile(&desk.me, &feed, &sent).await;
    println!("{}: {} orders, {r:?}", P::NAME, sent.len());
    assert_eq!(r.seen + r.covered + r.never_placed, sent.len());
    let positions = P::positions(&desk.me).await.unwrap();
    assert_eq!(positions[0].amount, position, "account.position adds up to the orders' fills");
    let (_, status_positions) = P::account(&desk.me).await.unwrap();
    assert_eq!(status_positions[0].amount, position, "and so does account.status");
}
