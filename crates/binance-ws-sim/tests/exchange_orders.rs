//! Order types, time in force, filters and their exact rejections, commissions, events.

use binance_ws_sim::exchange::*;
use rust_decimal::Decimal;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn setup() -> (Exchange, AccountId, AccountId) {
    let mut ex = Exchange::new(ExchangeConfig::default());
    let a = ex.add_account([("BTC", d("10")), ("USDT", d("1000000"))]);
    let b = ex.add_account([("BTC", d("10")), ("USDT", d("1000000"))]);
    (ex, a, b)
}

fn rej(r: Result<impl std::fmt::Debug, Reject>) -> (i64, String) {
    let e = r.expect_err("expected a rejection");
    (e.code, e.msg)
}

#[test]
fn limit_gtc_rests_then_fills_at_maker_price_with_priority_and_commission() {
    let (mut ex, a, b) = setup();
    let m1 = ex.place_order(a, NewOrder::limit("BTCUSDT", Side::Sell, d("0.5"), d("30000")), 1).unwrap();
    let m2 = ex.place_order(b, NewOrder::limit("BTCUSDT", Side::Sell, d("0.5"), d("30000")), 2).unwrap();
    assert_eq!(m1.order.status, OrderStatus::New);
    assert!(m1.order.is_working);
    assert_eq!(ex.balance(a, "BTC"), Balance { free: d("9.5"), locked: d("0.5") });
    // Taker buys 0.7 with limit 31000: trades at 30000 with m1 first (time priority), then m2.
    let t =
        ex.place_order(b, NewOrder::limit("BTCUSDT", Side::Buy, d("0.7"), d("31000")).stp(StpMode::None), 3).unwrap();
    assert_eq!(t.order.status, OrderStatus::Filled);
    assert_eq!(t.fills.len(), 2);
    assert_eq!((t.fills[0].price, t.fills[0].qty), (d("30000"), d("0.5")));
    assert_eq!((t.fills[1].price, t.fills[1].qty), (d("30000"), d("0.2")));
    assert_eq!(t.fills[0].commission, d("0.0005"));
    assert_eq!(t.fills[0].commission_asset, "BTC");
    assert_eq!(t.order.cumulative_quote_qty, d("21000"));
    let q1 = ex.query_order(a, "BTCUSDT", &OrderRef::id(m1.order.order_id)).unwrap();
    assert_eq!(q1.status, OrderStatus::Filled);
    let q2 = ex.query_order(b, "BTCUSDT", &OrderRef::id(m2.order.order_id)).unwrap();
    assert_eq!((q2.status, q2.executed_qty), (OrderStatus::PartiallyFilled, d("0.2")));
    // Seller a: received 15000 USDT minus 0.1% maker commission in USDT.
    assert_eq!(ex.balance(a, "USDT").free, d("1000000") + d("15000") - d("15"));
    assert_eq!(ex.balance(a, "BTC"), Balance { free: d("9.5"), locked: d("0") });
    // The taker locked 0.7 x 31000 and got the difference back.
    assert_eq!(ex.balance(b, "USDT").locked, d("0"));
    assert_eq!(ex.commissions_collected()["USDT"], d("15") + d("6"));
    let trades = ex.my_trades(a, "BTCUSDT", None, &Default::default()).unwrap();
    assert_eq!(trades.len(), 1);
    assert!(trades[0].is_maker && !trades[0].is_buyer);
    let market = ex.drain_market_events();
    assert_eq!(market.iter().filter(|e| matches!(e, MarketEvent::Trade(_))).count(), 2);
    let user = ex.drain_user_events();
    let kinds: Vec<ExecType> = user
        .iter()
        .filter_map(|(acc, e)| match e {
            UserEvent::Execution(r) if *acc == a => Some(r.exec_type),
            _ => None,
        })
        .collect();
    assert_eq!(kinds, vec![ExecType::New, ExecType::Trade]);
    assert!(user.iter().any(|(acc, e)| *acc == a && matches!(e, UserEvent::AccountPosition { .. })));
}

#[test]
fn ioc_expires_the_rest_and_fok_all_or_nothing() {
    let (mut ex, a, b) = setup();
    ex.place_order(a, NewOrder::limit("BTCUSDT", Side::Sell, d("0.3"), d("30000")), 1).unwrap();
    let fok = ex
        .place_order(b, NewOrder::limit("BTCUSDT", Side::Buy, d("0.5"), d("30000")).tif(TimeInForce::Fok), 2)
        .unwrap();
    assert_eq!(fok.order.status, OrderStatus::Expired);
    assert_eq!(fok.order.expiry_reason, Some(ExpiryReason::UnfilledFokOrderExpired));
    assert!(fok.fills.is_empty());
    let ioc = ex
        .place_order(b, NewOrder::limit("BTCUSDT", Side::Buy, d("0.5"), d("30000")).tif(TimeInForce::Ioc), 3)
        .unwrap();
    assert_eq!((ioc.order.status, ioc.order.executed_qty), (OrderStatus::Expired, d("0.3")));
    assert_eq!(ioc.order.expiry_reason, Some(ExpiryReason::UnfilledIocQuantityExpired));
    assert_eq!(ex.balance(b, "USDT").locked, d("0"));
    ex.place_order(a, NewOrder::limit("BTCUSDT", Side::Sell, d("0.3"), d("30000")), 4).unwrap();
    let fok2 = ex
        .place_order(b, NewOrder::limit("BTCUSDT", Side::Buy, d("0.3"), d("30000")).tif(TimeInForce::Fok), 5)
        .unwrap();
    assert_eq!(fok2.order.status, OrderStatus::Filled);
}

#[test]
fn market_by_quantity_and_by_quote_qty() {
    let (mut ex, a, b) = setup();
    ex.place_order(a, NewOrder::limit("BTCUSDT", Side::Sell, d("0.1"), d("30000")), 1).unwrap();
    ex.place_order(a, NewOrder::limit("BTCUSDT", Side::Sell, d("0.1"), d("30100")), 1).unwrap();
    let m = ex.place_order(b, NewOrder::market("BTCUSDT", Side::Buy, d("0.15")), 2).unwrap();
    assert_eq!(m.order.status, OrderStatus::Filled);
    assert_eq!(m.fills.len(), 2);
    assert_eq!(m.order.cumulative_quote_qty, d("3000") + d("1505"));
    assert_eq!(ex.balance(b, "USDT").locked, d("0"));
    let mut q = NewOrder::new("BTCUSDT", Side::Buy, OrderType::Market);
    q.quote_order_qty = Some(d("602"));
    let m = ex.place_order(b, q, 3).unwrap();
    // 602 / 30100 = 0.02 exactly.
    assert_eq!((m.order.status, m.order.executed_qty, m.order.orig_qty), (OrderStatus::Filled, d("0.02"), d("0.02")));
    assert_eq!(m.order.orig_quote_order_qty, d("602"));
    // Market order beyond liquidity expires.
    let m = ex.place_order(b, NewOrder::market("BTCUSDT", Side::Buy, d("1")), 4).unwrap();
    assert_eq!((m.order.status, m.order.executed_qty), (OrderStatus::Expired, d("0.03")));
    assert_eq!(m.order.expiry_reason, Some(ExpiryReason::InsufficientLiquidity));
    let mut q = NewOrder::new("BTCUSDT", Side::Buy, OrderType::Market);
    q.quote_order_qty = Some(d("100"));
    assert_eq!(
        rej(ex.place_order(b, q, 5)),
        (-2010, "Order book liquidity is less than symbol minimum quantity.".into())
    );
}

#[test]
fn limit_maker_rests_or_is_rejected() {
    let (mut ex, a, b) = setup();
    ex.place_order(a, NewOrder::limit("BTCUSDT", Side::Sell, d("0.1"), d("30000")), 1).unwrap();
    let lm = |p: &str| NewOrder::new("BTCUSDT", Side::Buy, OrderType::LimitMaker).qty(d("0.1")).price(d(p));
    assert_eq!(rej(ex.place_order(b, lm("30000"), 2)), (-2010, "Order would immediately match and take.".into()));
    let ok = ex.place_order(b, lm("29999.99"), 2).unwrap();
    assert_eq!(ok.order.status, OrderStatus::New);
    assert!(ok.order.is_working);
}

#[test]
fn stop_orders_trigger_on_last_price() {
    let (mut ex, a, b) = setup();
    // Establish a last price of 30000.
    ex.place_order(a, NewOrder::limit("BTCUSDT", Side::Sell, d("0.1"), d("30000")), 1).unwrap();
    ex.place_order(b, NewOrder::market("BTCUSDT", Side::Buy, d("0.1")), 2).unwrap();
    // STOP_LOSS SELL must be below the market.
    let sl = |p: &str| NewOrder::new("BTCUSDT", Side::Sell, OrderType::StopLoss).qty(d("0.1")).stop(d(p));
    assert_eq!(rej(ex.place_order(a, sl("30000"), 3)), (-2010, "Order would trigger immediately.".into()));
    let stop = ex.place_order(a, sl("29000"), 3).unwrap();
    assert_eq!(stop.order.working_time, None);
    assert!(!stop.order.is_working);
    let tpl = NewOrder::new("BTCUSDT", Side::Sell, OrderType::TakeProfitLimit)
        .qty(d("0.1"))
        .stop(d("31000"))
        .price(d("31000"))
        .tif(TimeInForce::Gtc);
    let tp = ex.place_order(a, tpl, 3).unwrap();
    // Bids at 28900 and 29000; a trade at 29000 triggers the stop, which sells at market into 28900.
    ex.place_order(b, NewOrder::limit("BTCUSDT", Side::Buy, d("0.5"), d("28900")), 4).unwrap();
    ex.place_order(b, NewOrder::limit("BTCUSDT", Side::Buy, d("0.01"), d("29000")), 4).unwrap();
    ex.place_order(a, NewOrder::market("BTCUSDT", Side::Sell, d("0.01")), 5).unwrap();
    let s = ex.query_order(a, "BTCUSDT", &OrderRef::id(stop.order.order_id)).unwrap();
    assert_eq!((s.status, s.executed_qty), (OrderStatus::Filled, d("0.1")));
    assert_eq!(s.cumulative_quote_qty, d("2890"));
    assert_eq!(s.working_time, Some(5));
    let t = ex.query_order(a, "BTCUSDT", &OrderRef::id(tp.order.order_id)).unwrap();
    assert_eq!(t.status, OrderStatus::New);
    // Take profit rises above 31000: it becomes a limit order at 31000 on the book.
    ex.place_order(a, NewOrder::limit("BTCUSDT", Side::Sell, d("0.01"), d("31000")), 6).unwrap();
    ex.place_order(b, NewOrder::limit("BTCUSDT", Side::Buy, d("0.01"), d("31000")), 7).unwrap();
    let t = ex.query_order(a, "BTCUSDT", &OrderRef::id(tp.order.order_id)).unwrap();
    assert!(t.is_working);
    assert_eq!(ex.depth("BTCUSDT", 5).unwrap().asks, vec![(d("31000"), d("0.1"))]);
}

#[test]
fn iceberg_shows_only_its_visible_part_and_reloads() {
    let (mut ex, a, b) = setup();
    let mut o = NewOrder::limit("BTCUSDT", Side::Sell, d("1"), d("30000"));
    o.iceberg_qty = Some(d("0.2"));
    ex.place_order(a, o, 1).unwrap();
    ex.place_order(b, NewOrder::limit("BTCUSDT", Side::Sell, d("0.1"), d("30000")), 2).unwrap();
    assert_eq!(ex.depth("BTCUSDT", 5).unwrap().asks, vec![(d("30000"), d("0.3"))]);
    // 0.25: 0.2 from the iceberg's visible part, then the iceberg reloads behind b's order, 0.05 from b.
    let t = ex.place_order(b, NewOrder::market("BTCUSDT", Side::Buy, d("0.25")).stp(StpMode::None), 3).unwrap();
    assert_eq!(t.fills.len(), 2);
    assert_eq!(ex.depth("BTCUSDT", 5).unwrap().asks, vec![(d("30000"), d("0.25"))]);
    let mut bad = NewOrder::limit("BTCUSDT", Side::Sell, d("1"), d("30000")).tif(TimeInForce::Ioc);
    bad.iceberg_qty = Some(d("0.2"));
    assert_eq!(rej(ex.place_order(a, bad, 4)), (-2010, "Unsupported order combination".into()));
    let mut parts = NewOrder::limit("BTCUSDT", Side::Sell, d("1"), d("30000"));
    parts.iceberg_qty = Some(d("0.05"));
    assert_eq!(rej(ex.place_order(a, parts, 4)), (-1013, "Filter failure: ICEBERG_PARTS".into()));
}

#[test]
fn parameter_rules_per_order_type() {
    let (mut ex, a, _) = setup();
    let mut o = NewOrder::new("BTCUSDT", Side::Buy, OrderType::Limit).qty(d("0.1")).price(d("30000"));
    assert_eq!(
        rej(ex.place_order(a, o.clone(), 1)),
        (-1102, "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed.".into())
    );
    o = NewOrder::market("BTCUSDT", Side::Buy, d("0.1")).price(d("30000"));
    assert_eq!(rej(ex.place_order(a, o, 1)), (-1106, "Parameter 'price' sent when not required.".into()));
    o = NewOrder::new("BTCUSDT", Side::Buy, OrderType::Market);
    assert_eq!(
        rej(ex.place_order(a, o, 1)),
        (-1102, "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!".into())
    );
    o = NewOrder::new("BTCUSDT", Side::Sell, OrderType::StopLoss).qty(d("0.1"));
    assert_eq!(
        rej(ex.place_order(a, o, 1)),
        (-1102, "Param 'stopPrice' or 'trailingDelta' must be sent, but both were empty/null!".into())
    );
    o = NewOrder::limit("BTCUSDT", Side::Buy, d("0.1"), d("30000")).stop(d("1"));
    assert_eq!(rej(ex.place_order(a, o, 1)), (-1106, "Parameter 'stopPrice' sent when not required.".into()));
    o = NewOrder::limit("BTCUSDT", Side::Buy, d("0.1"), d("30000"));
    o.trailing_delta = None;
    o.strategy_type = Some(5);
    assert_eq!(rej(ex.place_order(a, o, 1)), (-1134, "strategyType was less than 1000000.".into()));
    o = NewOrder::limit("XXXUSDT", Side::Buy, d("0.1"), d("30000"));
    assert_eq!(rej(ex.place_order(a, o, 1)), (-1121, "Invalid symbol.".into()));
    o = NewOrder::limit("BTCUSDT", Side::Buy, d("0.1"), d("30000.000000001"));
    assert_eq!(rej(ex.place_order(a, o, 1)), (-1111, "Parameter 'price' has too much precision.".into()));
    o = NewOrder::limit("BTCUSDT", Side::Buy, d("0.1"), d("30000")).client_id("x1");
    ex.place_order(a, o.clone(), 1).unwrap();
    assert_eq!(rej(ex.place_order(a, o, 1)), (-2010, "Duplicate order sent.".into()));
    o = NewOrder::limit("BTCUSDT", Side::Buy, d("100"), d("30000"));
    assert_eq!(rej(ex.place_order(a, o, 1)), (-2010, "Account has insufficient balance for requested action.".into()));
    // Nothing was changed by the rejections.
    assert_eq!(ex.open_orders(a, None).unwrap().len(), 1);
}

#[test]
fn filters_accept_and_reject() {
    let (mut ex, a, b) = setup();
    let lim = |q: &str, p: &str| NewOrder::limit("BTCUSDT", Side::Buy, d(q), d(p));
    let f = |n: &str| (-1013, format!("Filter failure: {n}"));
    // PRICE_FILTER: tick 0.01, max 1000000.
    assert_eq!(rej(ex.place_order(a, lim("0.001", "10000.005"), 1)), f("PRICE_FILTER"));
    assert_eq!(rej(ex.place_order(a, lim("0.001", "2000000"), 1)), f("PRICE_FILTER"));
    ex.place_order(a, lim("0.001", "10000.01"), 1).unwrap();
    // LOT_SIZE: step 0.00001, min 0.00001, max 9000.
    assert_eq!(rej(ex.place_order(a, lim("0.000015", "10000"), 1)), f("LOT_SIZE"));
    assert_eq!(rej(ex.place_order(a, lim("9001", "1"), 1)), f("LOT_SIZE"));
    ex.place_order(a, lim("0.00101", "10000"), 1).unwrap();
    // NOTIONAL: min 5.
    assert_eq!(rej(ex.place_order(a, lim("0.0001", "10000"), 1)), f("NOTIONAL"));
    ex.place_order(a, lim("0.0005", "10000"), 1).unwrap();
    // MARKET_LOT_SIZE: max 100 for market orders.
    assert_eq!(rej(ex.place_order(a, NewOrder::market("BTCUSDT", Side::Sell, d("101")), 1)), f("MARKET_LOT_SIZE"));
    // PERCENT_PRICE_BY_SIDE (bid 0.2..5 x average price) once there is an average price.
    ex.set_avg_price("BTCUSDT", Some(d("30000"))).unwrap();
    assert_eq!(rej(ex.place_order(a, lim("0.001", "5999.99"), 1)), f("PERCENT_PRICE_BY_SIDE"));
    assert_eq!(rej(ex.place_order(a, lim("0.001", "150000.01"), 1)), f("PERCENT_PRICE_BY_SIDE"));
    ex.place_order(a, lim("0.001", "6000"), 1).unwrap();
    // NOTIONAL applies to market orders by the average price.
    assert_eq!(rej(ex.place_order(b, NewOrder::market("BTCUSDT", Side::Sell, d("0.0001")), 1)), f("NOTIONAL"));
    // MAX_NUM_ORDERS: 200 open orders per symbol.
    let c = ex.add_account([("USDT", d("1000000"))]);
    for i in 0..200 {
        ex.place_order(c, lim("0.001", &format!("{}", 10000 + i)), 2).unwrap();
    }
    assert_eq!(rej(ex.place_order(c, lim("0.001", "9000"), 2)), f("MAX_NUM_ORDERS"));
    assert_eq!(ex.open_order_count(c, "BTCUSDT"), 200);
}

#[test]
fn adjust_balance_records_balance_update() {
    let (mut ex, a, _) = setup();
    ex.drain_user_events();
    let b = ex.adjust_balance(a, "ETH", d("2.5"), 9).unwrap();
    assert_eq!(b.free, d("2.5"));
    assert_eq!(
        rej(ex.adjust_balance(a, "ETH", d("-3"), 9)),
        (-2010, "Account has insufficient balance for requested action.".into())
    );
    let ev = ex.drain_user_events();
    assert!(matches!(&ev[0].1, UserEvent::BalanceUpdate { asset, delta, .. } if asset == "ETH" && *delta == d("2.5")));
    assert!(matches!(&ev[1].1, UserEvent::AccountPosition { balances, .. } if balances[0].0 == "ETH"));
}

#[test]
fn external_lock_moves_free_to_locked_and_back_with_its_event() {
    let (mut ex, a, _) = setup();
    ex.drain_user_events();
    assert_eq!(ex.external_lock(a, "BTC", d("4"), 11).unwrap(), Balance { free: d("6"), locked: d("4") });
    assert_eq!(ex.external_lock(a, "BTC", d("-1.5"), 12).unwrap(), Balance { free: d("7.5"), locked: d("2.5") });
    // Short of free to lock, or of locked to release: refused, nothing changes, no event.
    assert_eq!(rej(ex.external_lock(a, "BTC", d("8"), 13)).0, -2010);
    assert_eq!(rej(ex.external_lock(a, "BTC", d("-3"), 13)).0, -2010);
    assert_eq!(ex.balance(a, "BTC"), Balance { free: d("7.5"), locked: d("2.5") });
    let ev = ex.drain_user_events();
    assert_eq!(ev.len(), 4, "{ev:?}");
    assert!(matches!(&ev[0].1, UserEvent::ExternalLock { asset, delta, transaction_time: 11, .. }
        if asset == "BTC" && *delta == d("4")));
    assert!(matches!(&ev[1].1, UserEvent::AccountPosition { balances, .. }
        if balances == &[("BTC".to_string(), Balance { free: d("6"), locked: d("4") })]));
    assert!(matches!(&ev[2].1, UserEvent::ExternalLock { delta, .. } if *delta == d("-1.5")));
}

#[test]
fn the_new_report_of_a_gtc_limit_order_says_it_is_on_the_book() {
    let (mut ex, a, b) = setup();
    ex.drain_user_events();
    ex.place_order(a, NewOrder::limit("BTCUSDT", Side::Sell, d("0.5"), d("30000")), 1).unwrap();
    ex.place_order(b, NewOrder::market("BTCUSDT", Side::Buy, d("0.1")), 2).unwrap();
    let new_reports: Vec<(OrderType, bool, Option<u64>)> = ex
        .drain_user_events()
        .into_iter()
        .filter_map(|(_, e)| match e {
            UserEvent::Execution(r) if r.exec_type == ExecType::New => {
                Some((r.order.order_type, r.order.is_working, r.order.working_time))
            }
            _ => None,
        })
        .collect();
    // user-data-stream.md's NEW example: a LIMIT GTC order, "w": true with its working time "W".
    assert_eq!(new_reports, [(OrderType::Limit, true, Some(1)), (OrderType::Market, false, Some(2))]);
}
