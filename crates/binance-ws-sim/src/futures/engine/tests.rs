//! The engine alone: fills move positions and wallets so that they add up, and the order rules hold.

use rust_decimal::Decimal;

use super::*;
use crate::exchange::Side;
use crate::futures::config::{default_contracts, FuturesConfig, Product};

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

const T: u64 = 1_700_000_000_000;

fn engine(product: Product) -> (Engine, AccountId, AccountId) {
    let mut e = Engine::new(product, default_contracts(product), EngineSettings::from(&FuturesConfig::default()));
    let asset = if product == Product::UsdM { "USDT" } else { "BTC" };
    let amount = if product == Product::UsdM { d("100000") } else { d("10") };
    let a = e.add_account(None, [(asset, amount)]);
    let b = e.add_account(None, [(asset, amount)]);
    (e, a, b)
}

fn wallet(e: &Engine, a: AccountId, asset: &str) -> Decimal {
    e.account(a).unwrap().wallet(asset)
}

fn sum_fills(events: &[(AccountId, FUserEvent)], who: AccountId) -> (Decimal, Decimal) {
    let mut rp = Decimal::ZERO;
    let mut fee = Decimal::ZERO;
    for (a, ev) in events {
        if let (true, FUserEvent::Order(u)) = (*a == who, ev) {
            rp += u.realized_profit;
            fee += u.commission.as_ref().map(|c| c.1).unwrap_or_default();
        }
    }
    (rp, fee)
}

#[test]
fn a_round_trip_books_pnl_and_fees_that_add_up() {
    let (mut e, a, b) = engine(Product::UsdM);
    e.place(b, NewFOrder::limit("BTCUSDT", Side::Sell, d("0.5"), d("60000")), T).unwrap();
    let r = e.place(a, NewFOrder::market("BTCUSDT", Side::Buy, d("0.5")), T).unwrap();
    assert_eq!(r.result.status, FOrderStatus::Filled);
    let p = e.position_summary(a, "BTCUSDT", PositionSide::Both).unwrap();
    assert_eq!((p.amount, p.entry), (d("0.5"), d("60000")));
    // Price rises; a closes at 61000 against b's bid.
    e.place(b, NewFOrder::limit("BTCUSDT", Side::Buy, d("0.5"), d("61000")), T + 1).unwrap();
    e.place(a, NewFOrder::market("BTCUSDT", Side::Sell, d("0.5")), T + 1).unwrap();
    let events = e.drain_user_events();
    let (rp, fee) = sum_fills(&events, a);
    assert_eq!(rp, d("500"));
    // Taker twice: 0.0005 x (30000 + 30500).
    assert_eq!(fee, d("30.25"));
    assert_eq!(wallet(&e, a, "USDT"), d("100000") + rp - fee);
    assert_eq!(e.position_summary(a, "BTCUSDT", PositionSide::Both).unwrap().amount, Decimal::ZERO);
    // b: -500 realized, maker fees 0.0002 x (30000 + 30500).
    let (rp_b, fee_b) = sum_fills(&events, b);
    assert_eq!((rp_b, fee_b), (d("-500"), d("12.1")));
    assert_eq!(wallet(&e, b, "USDT"), d("100000") - d("500") - d("12.1"));
}

#[test]
fn inverse_contracts_settle_in_the_coin() {
    let (mut e, a, b) = engine(Product::CoinM);
    e.place(b, NewFOrder::limit("BTCUSD_PERP", Side::Sell, d("10"), d("60000")), T).unwrap();
    e.place(a, NewFOrder::market("BTCUSD_PERP", Side::Buy, d("10")), T).unwrap();
    e.place(b, NewFOrder::limit("BTCUSD_PERP", Side::Buy, d("10"), d("62500")), T).unwrap();
    e.place(a, NewFOrder::market("BTCUSD_PERP", Side::Sell, d("10")), T).unwrap();
    let events = e.drain_user_events();
    let (rp, fee) = sum_fills(&events, a);
    let one = Decimal::ONE;
    // 10 contracts x 100 USD x (1/60000 - 1/62500) BTC.
    assert_eq!(rp, position::round8(d("1000") * (one / d("60000") - one / d("62500"))));
    // 0.0005 of 1000/60000 and of 1000/62500 BTC.
    let fees = position::round8(d("0.0005") * d("1000") / d("60000")) + position::round8(d("0.0005") * d("0.016"));
    assert_eq!(fee, fees);
    assert_eq!(wallet(&e, a, "BTC"), d("10") + rp - fee);
}

#[test]
fn reduce_only_and_position_side_rules() {
    let (mut e, a, b) = engine(Product::UsdM);
    let mut ro = NewFOrder::market("BTCUSDT", Side::Sell, d("0.1"));
    ro.reduce_only = Some(true);
    assert_eq!(e.place(a, ro.clone(), T).unwrap_err().code, -2022);
    let mut long = NewFOrder::market("BTCUSDT", Side::Buy, d("0.1"));
    long.position_side = Some(PositionSide::Long);
    assert_eq!(e.place(a, long, T).unwrap_err().code, -4061);
    // With a 0.1 long, a reduce-only sell of 0.3 fills only 0.1.
    e.place(b, NewFOrder::limit("BTCUSDT", Side::Sell, d("0.1"), d("60000")), T).unwrap();
    e.place(a, NewFOrder::market("BTCUSDT", Side::Buy, d("0.1")), T).unwrap();
    e.place(b, NewFOrder::limit("BTCUSDT", Side::Buy, d("1"), d("59000")), T).unwrap();
    ro.quantity = Some(d("0.3"));
    let r = e.place(a, ro, T).unwrap();
    assert_eq!((r.result.executed_qty, r.result.status), (d("0.1"), FOrderStatus::Expired));
    assert_eq!(e.position_summary(a, "BTCUSDT", PositionSide::Both).unwrap().amount, Decimal::ZERO);
}

#[test]
fn stops_trigger_on_the_chosen_price_and_trailing_stops_follow() {
    let (mut e, a, b) = engine(Product::UsdM);
    e.set_mark_price("BTCUSDT", Some(d("60000")), T).unwrap();
    let mut stop = NewFOrder::new("BTCUSDT", Side::Buy, FOrderType::StopMarket);
    stop.quantity = Some(d("0.01"));
    stop.stop_price = Some(d("59000"));
    stop.working_type = Some(WorkingType::MarkPrice);
    assert_eq!(e.place(a, stop.clone(), T).unwrap_err().code, -2021);
    stop.stop_price = Some(d("61000"));
    let placed = e.place(a, stop, T).unwrap();
    e.place(b, NewFOrder::limit("BTCUSDT", Side::Sell, d("1"), d("61500")), T).unwrap();
    e.set_mark_price("BTCUSDT", Some(d("60999")), T).unwrap();
    assert_eq!(e.order(placed.ack.order_id).unwrap().status, FOrderStatus::New);
    e.set_mark_price("BTCUSDT", Some(d("61000")), T).unwrap();
    let o = e.order(placed.ack.order_id).unwrap();
    assert_eq!(
        (o.status, o.order_type, o.orig_type),
        (FOrderStatus::Filled, FOrderType::Market, FOrderType::StopMarket)
    );

    // Trailing SELL, 1% callback, activation at 62000 on the mark.
    let mut trail = NewFOrder::new("BTCUSDT", Side::Sell, FOrderType::TrailingStopMarket);
    trail.quantity = Some(d("0.01"));
    trail.callback_rate = Some(d("1"));
    trail.activation_price = Some(d("62000"));
    trail.working_type = Some(WorkingType::MarkPrice);
    e.place(b, NewFOrder::limit("BTCUSDT", Side::Buy, d("1"), d("60000")), T).unwrap();
    let t = e.place(a, trail, T).unwrap().ack.order_id;
    for m in ["61500", "62500", "63000", "62400"] {
        e.set_mark_price("BTCUSDT", Some(d(m)), T).unwrap();
        assert_eq!(e.order(t).unwrap().status, FOrderStatus::New, "at {m}");
    }
    // 63000 x 0.99 = 62370.
    e.set_mark_price("BTCUSDT", Some(d("62370")), T).unwrap();
    assert_eq!(e.order(t).unwrap().status, FOrderStatus::Filled);
}

#[test]
fn a_refused_modification_leaves_the_order_where_it_was() {
    let (mut e, a, b) = engine(Product::UsdM);
    e.deposit(a, "USDT", d("-99000"), T).unwrap();
    let first = e.place(a, NewFOrder::limit("BTCUSDT", Side::Buy, d("0.1"), d("59000")), T).unwrap().ack.order_id;
    e.place(b, NewFOrder::limit("BTCUSDT", Side::Buy, d("0.1"), d("59000")), T).unwrap();
    // 1 BTC at 59000 needs 2950 at 20x; the account holds 1000.
    let r = FOrderRef { order_id: Some(first), orig_client_order_id: None };
    let refused = e.modify(a, "BTCUSDT", &r, Side::Buy, d("1"), Some(d("59000")), None, T).unwrap_err();
    assert_eq!(refused.code, -2019);
    let (front, _) = e.symbols["BTCUSDT"].book.front(Side::Buy).unwrap();
    assert_eq!(front, d("59000"));
    assert_eq!(e.symbols["BTCUSDT"].book.front(Side::Buy).unwrap().1.order_id, first, "still first in the queue");
    assert_eq!(e.order(first).unwrap().orig_qty, d("0.1"));
    // A smaller one is fine, and goes to the back of the queue.
    e.modify(a, "BTCUSDT", &r, Side::Buy, d("0.2"), Some(d("59000")), None, T).unwrap();
    assert_ne!(e.symbols["BTCUSDT"].book.front(Side::Buy).unwrap().1.order_id, first);
}

#[test]
fn triggered_post_only_and_fill_or_kill_orders_expire_rather_than_take_or_fill_partly() {
    let (mut e, a, b) = engine(Product::UsdM);
    e.set_mark_price("BTCUSDT", Some(d("60000")), T).unwrap();
    e.place(b, NewFOrder::limit("BTCUSDT", Side::Sell, d("0.01"), d("60500")), T).unwrap();
    let stop = |tif: FTimeInForce, qty: &str| {
        let mut o = NewFOrder::new("BTCUSDT", Side::Buy, FOrderType::Stop);
        o.quantity = Some(d(qty));
        o.price = Some(d("60600"));
        o.stop_price = Some(d("60400"));
        o.time_in_force = Some(tif);
        o.working_type = Some(WorkingType::MarkPrice);
        o
    };
    let gtx = e.place(a, stop(FTimeInForce::Gtx, "0.01"), T).unwrap().ack.order_id;
    let fok = e.place(a, stop(FTimeInForce::Fok, "0.02"), T).unwrap().ack.order_id;
    e.set_mark_price("BTCUSDT", Some(d("60400")), T).unwrap();
    for id in [gtx, fok] {
        let o = e.order(id).unwrap();
        assert_eq!((o.status, o.executed_qty), (FOrderStatus::Expired, Decimal::ZERO), "{:?}", o.time_in_force);
    }
    assert_eq!(e.depth("BTCUSDT", 5).unwrap().0.asks, vec![(d("60500"), d("0.01"))], "nothing was taken");
}

#[test]
fn hedge_mode_closing_orders_cannot_cover_more_than_the_position() {
    let (mut e, a, b) = engine(Product::UsdM);
    e.set_hedge_mode(a, true).unwrap();
    e.place(b, NewFOrder::limit("BTCUSDT", Side::Sell, d("0.1"), d("60000")), T).unwrap();
    let mut long = NewFOrder::market("BTCUSDT", Side::Buy, d("0.1"));
    long.position_side = Some(PositionSide::Long);
    e.place(a, long, T).unwrap();
    let close = |q: &str| {
        let mut o = NewFOrder::limit("BTCUSDT", Side::Sell, d(q), d("61000"));
        o.position_side = Some(PositionSide::Long);
        o
    };
    e.place(a, close("0.06"), T).unwrap();
    assert_eq!(e.place(a, close("0.05"), T).unwrap_err().code, -2022);
    e.place(a, close("0.04"), T).unwrap();
}
