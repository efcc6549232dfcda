//! STP modes, cancel / cancel-replace / amend, order lists.

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

fn sell(q: &str, p: &str) -> NewOrder {
    NewOrder::limit("BTCUSDT", Side::Sell, d(q), d(p))
}

fn buy(q: &str, p: &str) -> NewOrder {
    NewOrder::limit("BTCUSDT", Side::Buy, d(q), d(p))
}

fn status(ex: &Exchange, acc: AccountId, id: u64) -> Order {
    ex.query_order(acc, "BTCUSDT", &OrderRef::id(id)).unwrap()
}

#[test]
fn stp_expire_taker_maker_both() {
    for (mode, taker_st, maker_st) in [
        (StpMode::ExpireTaker, OrderStatus::ExpiredInMatch, OrderStatus::New),
        (StpMode::ExpireMaker, OrderStatus::New, OrderStatus::ExpiredInMatch),
        (StpMode::ExpireBoth, OrderStatus::ExpiredInMatch, OrderStatus::ExpiredInMatch),
    ] {
        let (mut ex, a, _) = setup();
        let m = ex.place_order(a, sell("0.1", "30000"), 1).unwrap().order;
        let t = ex.place_order(a, buy("0.1", "30000").stp(mode), 2).unwrap().order;
        assert_eq!(t.status, taker_st, "{mode}");
        assert_eq!(status(&ex, a, m.order_id).status, maker_st, "{mode}");
        let pm = ex.prevented_matches(a, "BTCUSDT", None, Some(t.order_id), None, None).unwrap();
        assert_eq!(pm.len(), 1);
        assert_eq!((pm[0].taker_order_id, pm[0].maker_order_id, pm[0].price), (t.order_id, m.order_id, d("30000")));
        assert!(ex.my_trades(a, "BTCUSDT", None, &Default::default()).unwrap().is_empty());
        let ev = ex.drain_user_events();
        assert!(ev.iter().any(|(_, e)| matches!(e, UserEvent::Execution(r)
            if r.exec_type == ExecType::TradePrevention && r.prevention.is_some())));
        // Nothing stays locked for expired orders.
        let locked_usdt: Decimal =
            ex.open_orders(a, None).unwrap().iter().filter(|o| o.side == Side::Buy).map(|o| o.locked).sum();
        assert_eq!(ex.balance(a, "USDT").locked, locked_usdt);
    }
}

#[test]
fn stp_decrement_reduces_both() {
    let (mut ex, a, b) = setup();
    let m = ex.place_order(a, sell("0.3", "30000"), 1).unwrap().order;
    ex.place_order(b, sell("0.2", "30000"), 1).unwrap();
    let t = ex.place_order(a, buy("0.1", "30000").stp(StpMode::Decrement), 2).unwrap().order;
    assert_eq!((t.status, t.prevented_qty), (OrderStatus::ExpiredInMatch, d("0.1")));
    let m = status(&ex, a, m.order_id);
    assert_eq!((m.status, m.prevented_qty, m.remaining()), (OrderStatus::New, d("0.1"), d("0.2")));
    assert_eq!(ex.depth("BTCUSDT", 5).unwrap().asks, vec![(d("30000"), d("0.4"))]);
    assert_eq!(ex.balance(a, "BTC").locked, d("0.2"));
    // STP NONE trades with itself.
    let t = ex.place_order(a, buy("0.1", "30000").stp(StpMode::None), 3).unwrap();
    assert_eq!(t.order.status, OrderStatus::Filled);
}

#[test]
fn cancel_by_id_client_id_restrictions_and_all() {
    let (mut ex, a, _) = setup();
    let o = ex.place_order(a, buy("0.1", "20000").client_id("mine"), 1).unwrap().order;
    assert_eq!(ex.balance(a, "USDT").locked, d("2000"));
    let e =
        ex.cancel_order(a, "BTCUSDT", &OrderRef::id(o.order_id), None, Some(CancelRestriction::OnlyPartiallyFilled), 2);
    assert_eq!(
        e.unwrap_err(),
        Reject { code: -2011, msg: "Order was not canceled due to cancel restrictions.".into() }
    );
    let r = ex.cancel_order(a, "BTCUSDT", &OrderRef::client("mine"), Some("gone".into()), None, 2).unwrap();
    match r {
        CancelResult::Order { orig_client_order_id, order, .. } => {
            assert_eq!(orig_client_order_id, "mine");
            assert_eq!((order.client_order_id.as_str(), order.status), ("gone", OrderStatus::Canceled));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(ex.balance(a, "USDT").locked, d("0"));
    let e = ex.cancel_order(a, "BTCUSDT", &OrderRef::id(o.order_id), None, None, 3).unwrap_err();
    assert_eq!((e.code, e.msg.as_str()), (-2011, "Unknown order sent."));
    // The client id is free again.
    ex.place_order(a, buy("0.1", "20000").client_id("mine"), 4).unwrap();
    ex.place_order(a, buy("0.1", "20001"), 4).unwrap();
    let all = ex.cancel_all(a, "BTCUSDT", 5).unwrap();
    assert_eq!(all.len(), 2);
    assert!(ex.open_orders(a, Some("BTCUSDT")).unwrap().is_empty());
    assert_eq!(ex.cancel_all(a, "BTCUSDT", 6).unwrap_err().code, -2011);
}

#[test]
fn cancel_replace_modes() {
    let (mut ex, a, b) = setup();
    let o = ex.place_order(a, buy("0.1", "20000"), 1).unwrap().order;
    let req = |cancel: OrderRef, mode, new: NewOrder| CancelReplace {
        mode,
        cancel,
        cancel_new_client_order_id: None,
        cancel_restrictions: None,
        new_order: new,
    };
    let r = ex
        .cancel_replace(a, req(OrderRef::id(o.order_id), CancelReplaceMode::StopOnFailure, buy("0.2", "20000")), 2)
        .unwrap();
    assert_eq!((r.error(), r.status()), (None, 200));
    assert_eq!(ex.balance(a, "USDT").locked, d("4000"));
    // Cancel fails: STOP_ON_FAILURE does not place.
    let r =
        ex.cancel_replace(a, req(OrderRef::id(999), CancelReplaceMode::StopOnFailure, buy("0.2", "20000")), 3).unwrap();
    assert_eq!(r.error().unwrap(), Reject { code: -2022, msg: "Order cancel-replace failed.".into() });
    assert_eq!(r.new_order, NewOrderOutcome::NotAttempted);
    assert_eq!(r.cancel.as_ref().unwrap_err().msg, "Unknown order sent.");
    // ALLOW_FAILURE places anyway: partial failure.
    let r =
        ex.cancel_replace(a, req(OrderRef::id(999), CancelReplaceMode::AllowFailure, buy("0.2", "20000")), 4).unwrap();
    assert_eq!((r.error().unwrap().code, r.status()), (-2021, 409));
    assert!(matches!(r.new_order, NewOrderOutcome::Placed(_)));
    // Cancel succeeds, placement fails (LIMIT_MAKER would match): -2021.
    ex.place_order(b, sell("0.1", "25000"), 5).unwrap();
    let open = ex.open_orders(a, None).unwrap();
    let lm = NewOrder::new("BTCUSDT", Side::Buy, OrderType::LimitMaker).qty(d("0.1")).price(d("25000"));
    let r = ex.cancel_replace(a, req(OrderRef::id(open[0].order_id), CancelReplaceMode::StopOnFailure, lm), 6).unwrap();
    assert_eq!(r.error().unwrap().msg, "Order cancel-replace partially failed.");
    assert!(r.cancel.is_ok());
    assert_eq!(
        r.new_order,
        NewOrderOutcome::Failed(Reject { code: -2010, msg: "Order would immediately match and take.".into() })
    );
    // A filter failure of the new order is a plain error and cancels nothing.
    let e = ex.cancel_replace(
        a,
        req(OrderRef::id(open[1].order_id), CancelReplaceMode::AllowFailure, buy("0.2", "20000.001")),
        7,
    );
    assert_eq!(e.unwrap_err().msg, "Filter failure: PRICE_FILTER");
    assert_eq!(ex.open_orders(a, None).unwrap().len(), 1);
}

#[test]
fn amend_keeps_priority_and_records_history() {
    let (mut ex, a, b) = setup();
    let first = ex.place_order(a, buy("0.5", "30000").client_id("amend-me"), 1).unwrap().order;
    ex.place_order(b, buy("0.4", "30000"), 2).unwrap();
    let r = ex.amend_order(a, "BTCUSDT", &OrderRef::id(first.order_id), d("0.3"), None, 3).unwrap();
    assert_eq!(r.orig_client_order_id, "amend-me");
    assert_eq!((r.amended_order.order_id, r.amended_order.orig_qty), (first.order_id, d("0.3")));
    assert_ne!(r.amended_order.client_order_id, "amend-me");
    assert_eq!(ex.balance(a, "USDT").locked, d("9000"));
    assert_eq!(ex.depth("BTCUSDT", 5).unwrap().bids, vec![(d("30000"), d("0.7"))]);
    // Priority kept: a seller of 0.3 fills the amended order first.
    ex.place_order(b, NewOrder::market("BTCUSDT", Side::Sell, d("0.3")).stp(StpMode::None), 4).unwrap();
    assert_eq!(status(&ex, a, first.order_id).status, OrderStatus::Filled);
    let h = ex.order_amendments(a, "BTCUSDT", first.order_id, None, None).unwrap();
    assert_eq!((h.len(), h[0].orig_qty, h[0].new_qty), (1, d("0.5"), d("0.3")));
    assert_eq!(h[0].execution_id, r.execution_id);
    let o2 = ex.place_order(a, buy("0.5", "29000"), 5).unwrap().order;
    let e = ex.amend_order(a, "BTCUSDT", &OrderRef::id(o2.order_id), d("0.6"), None, 6).unwrap_err();
    assert_eq!((e.code, e.msg.as_str()), (-2038, "Order amend (quantity increase) is not supported."));
    let e = ex.amend_order(a, "BTCUSDT", &OrderRef::id(o2.order_id), d("0.5"), None, 6).unwrap_err();
    assert_eq!(e.msg, "The requested action would change no state; rejecting");
    let ev = ex.drain_user_events();
    assert!(ev.iter().any(|(_, e)| matches!(e, UserEvent::Execution(r) if r.exec_type == ExecType::Replaced)));
}

fn establish_last(ex: &mut Exchange, a: AccountId, b: AccountId, price: &str) {
    ex.place_order(a, sell("0.01", price), 1).unwrap();
    ex.place_order(b, NewOrder::market("BTCUSDT", Side::Buy, d("0.01")), 1).unwrap();
}

#[test]
fn oco_leg_fill_expires_the_other() {
    let (mut ex, a, b) = setup();
    establish_last(&mut ex, a, b, "30000");
    let oco = NewOco {
        symbol: "BTCUSDT".into(),
        list_client_order_id: Some("my-oco".into()),
        side: Side::Sell,
        quantity: d("0.5"),
        above: ListLeg::new(OrderType::LimitMaker).price(d("31000")),
        below: ListLeg::new(OrderType::StopLossLimit).price(d("28900")).stop(d("29000")).tif(TimeInForce::Gtc),
        stp_mode: None,
    };
    let mut bad = oco.clone();
    bad.below = ListLeg::new(OrderType::LimitMaker).price(d("29000"));
    assert_eq!(ex.place_oco(a, bad, 2).unwrap_err().code, -1168);
    let mut bad = oco.clone();
    bad.below = ListLeg::new(OrderType::TakeProfit).stop(d("29000"));
    assert_eq!(ex.place_oco(a, bad, 2).unwrap_err().msg, "A take profit order in a sell OCO must be above.");
    let mut bad = oco.clone();
    bad.below.stop_price = Some(d("30500"));
    assert_eq!(
        ex.place_oco(a, bad, 2).unwrap_err().msg,
        "The relationship of the prices for the orders is not correct."
    );
    let r = ex.place_oco(a, oco, 2).unwrap();
    assert_eq!(
        (r.status.contingency_type, r.status.list_order_status),
        (ContingencyType::Oco, ListOrderStatus::Executing)
    );
    assert_eq!(ex.balance(a, "BTC").locked, d("0.5"));
    let (above, below) = (r.orders[0].order_id, r.orders[1].order_id);
    // The limit maker leg gets a partial fill: the stop leg expires.
    ex.place_order(b, buy("0.2", "31000"), 3).unwrap();
    let s = status(&ex, a, below);
    assert_eq!((s.status, s.expiry_reason), (OrderStatus::Expired, Some(ExpiryReason::OcoTrigger)));
    assert_eq!(status(&ex, a, above).status, OrderStatus::PartiallyFilled);
    assert_eq!(ex.balance(a, "BTC").locked, d("0.3"));
    ex.place_order(b, buy("0.3", "31000"), 4).unwrap();
    let l = ex.query_order_list(a, Some(r.status.order_list_id), None).unwrap();
    assert_eq!((l.list_status_type, l.list_order_status), (ListStatusType::AllDone, ListOrderStatus::AllDone));
    assert_eq!(ex.balance(a, "BTC").locked, d("0"));
    let ev = ex.drain_user_events();
    assert!(ev
        .iter()
        .any(|(_, e)| matches!(e, UserEvent::ListStatus(s) if s.list_status_type == ListStatusType::AllDone)));
}

#[test]
fn oco_stop_trigger_expires_limit_maker_and_cancel_leg_cancels_list() {
    let (mut ex, a, b) = setup();
    establish_last(&mut ex, a, b, "30000");
    let oco = NewOco {
        symbol: "BTCUSDT".into(),
        list_client_order_id: None,
        side: Side::Buy,
        quantity: d("0.1"),
        above: ListLeg::new(OrderType::StopLoss).stop(d("31000")),
        below: ListLeg::new(OrderType::LimitMaker).price(d("29000")),
        stp_mode: None,
    };
    let r = ex.place_oco(a, oco.clone(), 2).unwrap();
    assert_eq!(ex.balance(a, "USDT").locked, d("2900"));
    ex.place_order(b, sell("0.5", "31000"), 3).unwrap();
    ex.place_order(a, NewOrder::market("BTCUSDT", Side::Buy, d("0.01")).stp(StpMode::None), 4).unwrap();
    let stop = status(&ex, a, r.orders[0].order_id);
    assert_eq!((stop.status, stop.executed_qty), (OrderStatus::Filled, d("0.1")));
    assert_eq!(status(&ex, a, r.orders[1].order_id).expiry_reason, Some(ExpiryReason::OcoTrigger));
    assert_eq!(ex.balance(a, "USDT").locked, d("0"));
    // Cancelling one leg of a new OCO cancels the whole list.
    let mut oco2 = oco;
    oco2.above.stop_price = Some(d("32000"));
    let r = ex.place_oco(a, oco2, 5).unwrap();
    let c = ex.cancel_order(a, "BTCUSDT", &OrderRef::id(r.orders[1].order_id), None, None, 6).unwrap();
    match c {
        CancelResult::List(l) => {
            assert_eq!(l.status.list_status_type, ListStatusType::AllDone);
            assert!(l.orders.iter().all(|o| o.status == OrderStatus::Canceled));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(ex.balance(a, "USDT").locked, d("0"));
}

#[test]
fn oto_pending_activates_when_working_fills() {
    let (mut ex, a, b) = setup();
    let oto = NewOto {
        symbol: "BTCUSDT".into(),
        list_client_order_id: None,
        stp_mode: None,
        working: WorkingLeg {
            side: Side::Buy,
            quantity: d("0.2"),
            leg: ListLeg::new(OrderType::Limit).price(d("30000")).tif(TimeInForce::Gtc),
        },
        pending: WorkingLeg {
            side: Side::Sell,
            quantity: d("0.2"),
            leg: ListLeg::new(OrderType::Limit).price(d("32000")).tif(TimeInForce::Gtc),
        },
    };
    let r = ex.place_oto(a, oto, 1).unwrap();
    assert_eq!(r.orders[1].status, OrderStatus::PendingNew);
    assert_eq!(r.orders[1].working_time, None);
    ex.place_order(b, sell("0.1", "30000"), 2).unwrap();
    assert_eq!(status(&ex, a, r.orders[1].order_id).status, OrderStatus::PendingNew);
    ex.place_order(b, sell("0.1", "30000"), 3).unwrap();
    let p = status(&ex, a, r.orders[1].order_id);
    assert_eq!((p.status, p.is_working), (OrderStatus::New, true));
    assert_eq!(ex.balance(a, "BTC").locked, d("0.2"));
    // OTOCO: the pending pair becomes an OCO once the working order fills.
    let otoco = NewOtoco {
        symbol: "BTCUSDT".into(),
        list_client_order_id: None,
        stp_mode: None,
        working: WorkingLeg {
            side: Side::Buy,
            quantity: d("0.1"),
            leg: ListLeg::new(OrderType::Limit).price(d("30000")).tif(TimeInForce::Gtc),
        },
        pending_side: Side::Sell,
        pending_quantity: d("0.1"),
        pending_above: ListLeg::new(OrderType::LimitMaker).price(d("33000")),
        pending_below: ListLeg::new(OrderType::StopLoss).stop(d("29000")),
    };
    let r = ex.place_otoco(a, otoco, 4).unwrap();
    assert_eq!(r.orders.len(), 3);
    ex.place_order(b, sell("0.1", "30000"), 5).unwrap();
    assert_eq!(status(&ex, a, r.orders[1].order_id).status, OrderStatus::New);
    assert_eq!(status(&ex, a, r.orders[2].order_id).status, OrderStatus::New);
    // Working order cancelled: the whole list goes.
    let oto2 = NewOto {
        symbol: "BTCUSDT".into(),
        list_client_order_id: Some("L2".into()),
        stp_mode: None,
        working: WorkingLeg {
            side: Side::Buy,
            quantity: d("0.1"),
            leg: ListLeg::new(OrderType::LimitMaker).price(d("20000")),
        },
        pending: WorkingLeg {
            side: Side::Sell,
            quantity: d("0.1"),
            leg: ListLeg::new(OrderType::StopLoss).stop(d("19000")),
        },
    };
    let r = ex.place_oto(a, oto2, 6).unwrap();
    let c = ex.cancel_order_list(a, "BTCUSDT", None, Some("L2"), None, 7).unwrap();
    assert_eq!(c.status.list_order_status, ListOrderStatus::AllDone);
    assert_eq!(status(&ex, a, r.orders[1].order_id).status, OrderStatus::Canceled);
    assert!(ex.open_order_lists(a).iter().all(|l| l.order_list_id != r.status.order_list_id));
}
