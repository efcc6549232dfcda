//! Every futures order type, USD-M and COIN-M, from the client to the local exchange and back over real sockets:
//! a bad order of each type is refused before sending by the filters the exchange publishes (and the exchange
//! refuses it too when the check is off), a good one is accepted, triggered by the mark price (`set_mark_price`)
//! or by trades that move the last price, and filled; the trader's user data stream delivers its NEW,
//! triggered NEW, TRADE_LITE (USD-M), TRADE and ACCOUNT_UPDATE in that order, and the wallet, the position and
//! `order.status` agree with the fills the events reported.

mod futures_e2e_common;

use binance_ws::api::futures::{Api, CoinMargined, ModifyOrder, NewOrder, UsdMargined};
use binance_ws::model::{Decimal, Side};
use binance_ws::usdm::{ExecutionType as X, OrderStatus as S, OrderType as T, PositionSide, UpdateReason, WorkingType};
use binance_ws::user_data::futures::{UserDataConfig, UserEvent};
use binance_ws::validate::Context;
use binance_ws::Error;
use binance_ws_sim::Sim;
use futures_e2e_common::*;

/// The mark price every step starts from (both products' BTC contracts start at 60000, tick 0.1).
const BASE: &str = "60000";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usdm_every_order_type_validated_accepted_triggered_filled() {
    every_order_type::<UsdMargined>().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coinm_every_order_type_validated_accepted_triggered_filled() {
    every_order_type::<CoinMargined>().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usdm_modify_and_cancel() {
    modify_and_cancel::<UsdMargined>().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coinm_modify_and_cancel() {
    modify_and_cancel::<CoinMargined>().await;
}

/// A resting LIMIT order modified (AMENDMENT, new price and quantity in order.status), a bad modify refused by the
/// filters before sending, then canceled (CANCELED).
async fn modify_and_cancel<P: Kit>() {
    let sim = start_sim(|_| {}).await;
    sim.set_mark_price(P::SIM, P::SYMBOL, Some(d(BASE))).unwrap();
    let desk = Desk::<P>::open(&sim).await;
    let mut feed = Feed::start(&desk.me, UserDataConfig::default()).await;
    let q = P::unit();
    let o = desk.place(NewOrder::limit(P::SYMBOL, Side::Buy, q, d("59000")).new_client_order_id("to-modify")).await;
    feed.until_update(o.order_id, X::New, S::New).await;

    let bad = ModifyOrder::<P>::new(P::SYMBOL, o.order_id, Side::Buy, q, d("59100.05"));
    refused(desk.me.send(&bad).await, "price", "PRICE_FILTER");
    let m = ModifyOrder::<P>::new(P::SYMBOL, "to-modify", Side::Buy, q * d("2"), d("59100"));
    let modified = P::snap(&desk.me.send(&m).await.expect("modified"));
    assert_eq!((modified.order_id, modified.status), (o.order_id, S::New));
    feed.until_update(o.order_id, X::Amendment, S::New).await;
    let amended = updates(&feed.log, o.order_id).into_iter().find(|u| u.execution_type == X::Amendment).unwrap();
    assert_eq!((amended.price, amended.orig_qty), (d("59100"), q * d("2")));
    let (status, _) = P::status_by_client(&desk.me, "to-modify").await.unwrap();
    assert_eq!((status.status, status.executed), (S::New, Decimal::ZERO));

    let canceled = P::cancel(&desk.me, o.order_id).await.unwrap();
    assert_eq!(canceled.status, S::Canceled);
    feed.until_final(o.order_id).await;
    let flow: Vec<_> = updates(&feed.log, o.order_id).iter().map(|u| (u.execution_type, u.status)).collect();
    assert_eq!(flow, vec![(X::New, S::New), (X::Amendment, S::New), (X::Canceled, S::Canceled)]);
    let again = P::cancel(&desk.me, o.order_id).await.unwrap_err();
    assert_eq!(again.code(), Some(-2011), "{again}");
}

/// The refusal of a client-side check: the field and the filter named.
#[track_caller]
fn refused(result: Result<impl std::fmt::Debug, Error>, field: &str, filter: &str) {
    match result {
        Err(Error::Validation(v)) => {
            assert_eq!(v.field, field, "{v}");
            assert_eq!(v.filter(), Some(filter), "{v}");
        }
        other => panic!("expected a refusal of {field} by {filter}, got {other:?}"),
    }
}

/// Each bad order is refused by the client with the filter it breaks, and by the exchange when sent anyway.
async fn bad_orders_are_refused<P: Kit>(api: &Api<P>) {
    let q = P::unit();
    let half_step = if P::SIM == binance_ws_sim::futures::Product::UsdM { d("0.0005") } else { d("0.5") };
    let too_many = if P::SIM == binance_ws_sim::futures::Product::UsdM { d("121") } else { d("60001") };
    let mut cases: Vec<(NewOrder<P>, &str, &str)> = vec![
        (NewOrder::limit(P::SYMBOL, Side::Buy, q, d("60000.05")), "price", "PRICE_FILTER"),
        (NewOrder::market(P::SYMBOL, Side::Sell, q + half_step), "quantity", "LOT_SIZE"),
        (NewOrder::stop(P::SYMBOL, Side::Buy, q, d("60030"), d("60020.05")), "stopPrice", "PRICE_FILTER"),
        (NewOrder::stop_market(P::SYMBOL, Side::Sell, q, d("0.5")), "stopPrice", "PRICE_FILTER"),
        (NewOrder::take_profit(P::SYMBOL, Side::Sell, q, d("5000000"), d("60020")), "price", "PRICE_FILTER"),
        (NewOrder::take_profit_market(P::SYMBOL, Side::Buy, too_many, d("59960")), "quantity", "MARKET_LOT_SIZE"),
        (
            NewOrder::trailing_stop_market(P::SYMBOL, Side::Sell, q, d("1")).activation_price(d("61000.05")),
            "activationPrice",
            "PRICE_FILTER",
        ),
    ];
    if P::SIM == binance_ws_sim::futures::Product::UsdM {
        // 0.001 x 60000 = 60 USDT, below the contract's MIN_NOTIONAL of 100.
        cases.push((NewOrder::limit(P::SYMBOL, Side::Buy, d("0.001"), d("60000")), "quantity", "MIN_NOTIONAL"));
    }
    for (order, field, filter) in &cases {
        refused(api.send(order).await, field, filter);
    }
    api.validator().set_enabled(false);
    for (order, field, _) in &cases {
        let err = api.send(order).await.expect_err("the exchange refuses it too");
        let code = err.code().unwrap_or_else(|| panic!("{field}: not an exchange error: {err}"));
        assert!(
            [-1111, -4002, -4005, -4013, -4014, -4023, -4135, -4164].contains(&code),
            "{field}: unexpected refusal {err}"
        );
    }
    api.validator().set_enabled(true);

    // PERCENT_PRICE is checked against the mark price the caller gives as the symbol's context. Futures bound a BUY
    // above (mark x 1.05) and a SELL below (mark x 0.95) only: a BUY far under the mark is a fine resting order.
    api.validator().set_context(P::SYMBOL, Context::new().avg_price(d("60000")));
    let high_buy = NewOrder::<P>::limit(P::SYMBOL, Side::Buy, q, d("63000.1"));
    let low_sell = NewOrder::<P>::limit(P::SYMBOL, Side::Sell, q, d("56999.9"));
    refused(api.send(&high_buy).await, "price", "PERCENT_PRICE");
    refused(api.send(&low_sell).await, "price", "PERCENT_PRICE");
    api.validator().set_enabled(false);
    assert_eq!(api.send(&high_buy).await.unwrap_err().code(), Some(-4016), "the exchange's multiplier cap");
    assert_eq!(api.send(&low_sell).await.unwrap_err().code(), Some(-4024), "the exchange's multiplier floor");
    api.validator().set_enabled(true);
    for (side, price) in [(Side::Buy, "50000"), (Side::Sell, "70000")] {
        let o = api.send(&NewOrder::<P>::limit(P::SYMBOL, side, q, d(price))).await.expect("accepted by both");
        P::cancel(api, P::snap(&o).order_id).await.unwrap();
    }
    api.validator().set_context(P::SYMBOL, Context::new());
}

/// What one filled order left in the events: its fill price and quantity, realized PnL and commission.
#[derive(Debug)]
struct Fill {
    price: Decimal,
    realized: Decimal,
    commission: Decimal,
}

/// Checks the events of an order that filled in one trade: its ORDER_TRADE_UPDATEs are `flow` in this order, the
/// fill's TRADE_LITE (USD-M) came right before its TRADE update, and the first ACCOUNT_UPDATE after the fill (reason
/// ORDER) carries the position `position_after`.
fn check_events<P: Kit>(
    log: &[UserEvent],
    order_id: u64,
    flow: &[(X, S, T)],
    orig_type: T,
    position_after: Decimal,
) -> Fill {
    let mine: Vec<(usize, &binance_ws::user_data::futures::OrderUpdate)> = log
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match e {
            UserEvent::OrderTradeUpdate(u) if u.order.order_id == order_id => Some((i, &u.order)),
            _ => None,
        })
        .collect();
    let seen: Vec<(X, S, T)> = mine.iter().map(|(_, u)| (u.execution_type, u.status, u.order_type)).collect();
    assert_eq!(seen, flow, "{} order {order_id}: ORDER_TRADE_UPDATE sequence", P::NAME);
    for (_, u) in &mine {
        assert_eq!(u.orig_type, orig_type, "`ot` stays the type placed");
        assert_eq!(u.symbol, P::SYMBOL);
    }
    let (at, trade) = *mine.iter().find(|(_, u)| u.execution_type == X::Trade).expect("a TRADE update");
    assert_eq!(trade.filled_qty, trade.last_filled_qty, "filled in one trade");
    if P::SIM == binance_ws_sim::futures::Product::UsdM {
        let lite = log[..at].iter().rposition(|e| matches!(e, UserEvent::TradeLite(t) if t.order_id == order_id));
        let lite = lite.expect("a TRADE_LITE before the TRADE update");
        let UserEvent::TradeLite(t) = &log[lite] else { unreachable!() };
        assert_eq!(
            (t.trade_id, t.last_filled_price, t.last_filled_qty),
            (trade.trade_id, trade.last_filled_price, trade.last_filled_qty)
        );
        assert!(
            log[lite + 1..at]
                .iter()
                .all(|e| !matches!(e, UserEvent::OrderTradeUpdate(u) if u.order.order_id == order_id)),
            "TRADE_LITE is right before its order's TRADE update"
        );
    } else {
        assert!(!log.iter().any(|e| matches!(e, UserEvent::TradeLite(_))), "COIN-M sends no TRADE_LITE");
    }
    let account = log[at..].iter().find_map(|e| match e {
        UserEvent::AccountUpdate(a) => Some(a),
        _ => None,
    });
    let account = account.expect("an ACCOUNT_UPDATE after the fill");
    assert_eq!(account.update.reason, UpdateReason::Order);
    let pos = account.update.positions.iter().find(|p| p.symbol == P::SYMBOL).expect("the symbol's position");
    assert_eq!((pos.position_amt, pos.position_side), (position_after, PositionSide::Both), "{:?}", account);
    assert!(account.update.balances.iter().any(|b| b.asset == P::MARGIN), "the margin wallet is reported");
    Fill {
        price: trade.last_filled_price,
        realized: trade.realized_profit,
        commission: trade.commission.unwrap_or_default(),
    }
}

fn new_then_fill(t: T) -> Vec<(X, S, T)> {
    vec![(X::New, S::New, t), (X::Trade, S::Filled, t)]
}

fn triggered_fill(placed: T, becomes: T) -> Vec<(X, S, T)> {
    vec![(X::New, S::New, placed), (X::New, S::New, becomes), (X::Trade, S::Filled, becomes)]
}

async fn every_order_type<P: Kit>() {
    let sim: Sim = start_sim(|_| {}).await;
    sim.set_mark_price(P::SIM, P::SYMBOL, Some(d(BASE))).unwrap();
    let mut desk = Desk::<P>::open(&sim).await;
    let mut feed = Feed::start(&desk.me, UserDataConfig::default()).await;
    let q = P::unit();
    let start_wallet = P::wallet(&desk.me).await.unwrap();

    bad_orders_are_refused(&desk.me).await;

    let mut fills: Vec<Fill> = Vec::new();
    let mut ids = Vec::new();

    // LIMIT: rests, then the maker sells into it (the trader is the maker of that trade).
    let limit = desk.place(NewOrder::limit(P::SYMBOL, Side::Buy, q, d("60000"))).await;
    assert_eq!((limit.status, limit.order_type), (S::New, T::Limit));
    feed.until_update(limit.order_id, X::New, S::New).await;
    desk.quote(Side::Sell, "60000", q).await;
    feed.until_settled(limit.order_id).await;
    let f = check_events::<P>(&feed.log, limit.order_id, &new_then_fill(T::Limit), T::Limit, q);
    assert_eq!(f.price, d("60000"));
    fills.push(f);
    ids.push(limit.order_id);
    desk.clear_quotes().await;

    // MARKET: sells the long into the maker's bid.
    desk.quote(Side::Buy, "59990", q).await;
    let market = desk.place(NewOrder::market(P::SYMBOL, Side::Sell, q)).await;
    feed.until_settled(market.order_id).await;
    let f = check_events::<P>(&feed.log, market.order_id, &new_then_fill(T::Market), T::Market, Decimal::ZERO);
    assert_eq!(f.realized, P::pnl(q, d("60000"), d("59990"), true), "closing the long realizes its loss");
    fills.push(f);
    ids.push(market.order_id);
    desk.clear_quotes().await;

    // STOP on the mark price: a BUY stop-limit, triggered by pinning the mark at its stop.
    let stop = desk
        .place(NewOrder::stop(P::SYMBOL, Side::Buy, q, d("60030"), d("60020")).working_type(WorkingType::MarkPrice))
        .await;
    feed.until_update(stop.order_id, X::New, S::New).await;
    desk.quote(Side::Sell, "60010", q).await;
    assert!(final_update(&feed.log, stop.order_id).is_none(), "not triggered before the mark moves");
    sim.set_mark_price(P::SIM, P::SYMBOL, Some(d("60020"))).unwrap();
    feed.until_settled(stop.order_id).await;
    let f = check_events::<P>(&feed.log, stop.order_id, &triggered_fill(T::Stop, T::Limit), T::Stop, q);
    assert_eq!(f.price, d("60010"), "the triggered limit order takes the best ask");
    fills.push(f);
    ids.push(stop.order_id);
    sim.set_mark_price(P::SIM, P::SYMBOL, Some(d(BASE))).unwrap();
    desk.clear_quotes().await;

    // STOP_MARKET on the last price (the default CONTRACT_PRICE): a trade at the stop triggers it.
    let stop_market = desk.place(NewOrder::stop_market(P::SYMBOL, Side::Sell, q, d("59980"))).await;
    feed.until_update(stop_market.order_id, X::New, S::New).await;
    desk.quote(Side::Buy, "59980", q).await; // what the triggered order sells into
    desk.print_trade("59980", Side::Sell).await;
    feed.until_settled(stop_market.order_id).await;
    let flow = triggered_fill(T::StopMarket, T::Market);
    let f = check_events::<P>(&feed.log, stop_market.order_id, &flow, T::StopMarket, Decimal::ZERO);
    assert_eq!(f.realized, P::pnl(q, d("60010"), d("59980"), true));
    fills.push(f);
    ids.push(stop_market.order_id);
    desk.clear_quotes().await;

    // TAKE_PROFIT on the mark price: a SELL limit once the mark reaches its stop from below.
    let tp = desk
        .place(
            NewOrder::take_profit(P::SYMBOL, Side::Sell, q, d("59970"), d("60020"))
                .working_type(WorkingType::MarkPrice),
        )
        .await;
    feed.until_update(tp.order_id, X::New, S::New).await;
    desk.quote(Side::Buy, "59970", q).await;
    sim.set_mark_price(P::SIM, P::SYMBOL, Some(d("60020"))).unwrap();
    feed.until_settled(tp.order_id).await;
    let f = check_events::<P>(&feed.log, tp.order_id, &triggered_fill(T::TakeProfit, T::Limit), T::TakeProfit, -q);
    assert_eq!(f.price, d("59970"));
    fills.push(f);
    ids.push(tp.order_id);
    sim.set_mark_price(P::SIM, P::SYMBOL, Some(d(BASE))).unwrap();
    desk.clear_quotes().await;

    // TAKE_PROFIT_MARKET on the last price: a BUY once a trade prints at or below its stop; it covers the short.
    let tpm = desk.place(NewOrder::take_profit_market(P::SYMBOL, Side::Buy, q, d("59960"))).await;
    feed.until_update(tpm.order_id, X::New, S::New).await;
    desk.quote(Side::Sell, "59965", q).await;
    desk.print_trade("59960", Side::Sell).await;
    feed.until_settled(tpm.order_id).await;
    let flow = triggered_fill(T::TakeProfitMarket, T::Market);
    let f = check_events::<P>(&feed.log, tpm.order_id, &flow, T::TakeProfitMarket, Decimal::ZERO);
    assert_eq!((f.price, f.realized), (d("59965"), P::pnl(q, d("59970"), d("59965"), false)));
    fills.push(f);
    ids.push(tpm.order_id);
    desk.clear_quotes().await;

    // TRAILING_STOP_MARKET, 1%: follows a print at 60100 up, then triggers on a print 1% below it (59499).
    let trail = desk.place(NewOrder::trailing_stop_market(P::SYMBOL, Side::Sell, q, d("1"))).await;
    feed.until_update(trail.order_id, X::New, S::New).await;
    desk.print_trade("60100", Side::Buy).await;
    desk.clear_quotes().await;
    desk.print_trade("59600", Side::Sell).await;
    desk.clear_quotes().await;
    let status = P::status(&desk.me, trail.order_id).await.unwrap();
    assert_eq!(status.status, S::New, "59600 is above 60100 x 0.99: not triggered yet");
    desk.quote(Side::Buy, "59490", q).await;
    desk.print_trade("59490", Side::Sell).await;
    feed.until_settled(trail.order_id).await;
    let flow = triggered_fill(T::TrailingStopMarket, T::Market);
    let f = check_events::<P>(&feed.log, trail.order_id, &flow, T::TrailingStopMarket, -q);
    assert_eq!(f.price, d("59490"));
    fills.push(f);
    ids.push(trail.order_id);
    desk.clear_quotes().await;

    // order.status agrees with the events: filled, the triggered ones as the type they became.
    for id in &ids {
        let s = P::status(&desk.me, *id).await.unwrap();
        let last = final_update(&feed.log, *id).unwrap();
        assert_eq!((s.status, s.executed, s.order_type, s.orig_type), (S::Filled, q, last.order_type, last.orig_type));
    }
    // The wallet moved by exactly the realized PnL less the commissions the events reported; the position is the
    // sum of the fills.
    let realized: Decimal = fills.iter().map(|f| f.realized - f.commission).sum();
    let wallet = P::wallet(&desk.me).await.unwrap();
    assert_eq!(wallet, start_wallet + realized, "{} wallet = start + PnL - commission", P::NAME);
    let last_wb = feed.log.iter().rev().find_map(|e| match e {
        UserEvent::AccountUpdate(a) => {
            a.update.balances.iter().find(|b| b.asset == P::MARGIN).map(|b| b.wallet_balance)
        }
        _ => None,
    });
    assert_eq!(last_wb, Some(wallet), "the last ACCOUNT_UPDATE shows the wallet account.balance shows");
    let (status_wallet, status_positions) = P::account(&desk.me).await.unwrap();
    assert_eq!(status_wallet, wallet);
    let positions = P::positions(&desk.me).await.unwrap();
    assert_eq!(positions.len(), 1, "one-way mode: one BOTH position");
    assert_eq!((positions[0].side, positions[0].amount, positions[0].entry), (PositionSide::Both, -q, d("59490")));
    assert_eq!(status_positions.iter().map(|p| p.amount).collect::<Vec<_>>(), vec![-q]);
    // Event times never go backwards.
    let times: Vec<u64> = feed
        .log
        .iter()
        .filter_map(|e| match e {
            UserEvent::OrderTradeUpdate(u) => Some(u.event_time),
            UserEvent::TradeLite(t) => Some(t.event_time),
            UserEvent::AccountUpdate(a) => Some(a.event_time),
            _ => None,
        })
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "event times in order: {times:?}");
}
