//! Trading through the typed client against the local exchange: every order type with ACK, RESULT and
//! FULL replies, their queries, cancel, cancel-replace, amend and cancel-all, and the failure paths.
//! Each reply is compared with the exchange's truth (its open orders, book and balances).

mod spot_e2e_common;

use std::collections::BTreeSet;

use binance_ws::model::{NewOrderRespType, OrderStatus, OrderType, Side, TimeInForce};
use binance_ws::spot::*;
use binance_ws::Error;
use rust_decimal::Decimal;
use spot_e2e_common::*;

/// The ids of the account's open orders as the exchange knows them.
fn truth_open(sim: &binance_ws_sim::Sim, key: &str) -> BTreeSet<u64> {
    sim.open_orders(key).unwrap().iter().map(|o| o.order_id).collect()
}

#[tokio::test]
async fn orders_of_every_type_and_their_queries() {
    let sim = quiet_sim().await;
    let maker = hmac(&sim).await;
    let api = ed25519(&sim).await;
    let mut cov = Coverage::new();
    // A book to trade against: asks at 50000, bids at 49000 (the other account).
    maker.place_order(NewOrder::limit("BTCUSDT", Side::Sell, d("1"), d("50000.00"))).await.unwrap();
    maker.place_order(NewOrder::limit("BTCUSDT", Side::Buy, d("1"), d("49000.00"))).await.unwrap();
    let (btc0, usdt0) = (truth_balance(&sim, ED_KEY, "BTC"), truth_balance(&sim, ED_KEY, "USDT"));

    // order.test, with and without commission rates.
    let t = api.test_order(NewOrder::limit("BTCUSDT", Side::Buy, d("0.01"), d("48000.00"))).await.unwrap();
    assert_eq!(t, TestOrderResponse::default(), "empty without computeCommissionRates");
    let t =
        api.test_order(NewOrder::market("BTCUSDT", Side::Buy, d("0.01"))).compute_commission_rates(true).await.unwrap();
    let commission = api.account_commission("BTCUSDT").await.unwrap();
    let std = t.standard_commission_for_order.expect("standard rates");
    assert_eq!((std.maker, std.taker), (commission.standard_commission.maker, commission.standard_commission.taker));
    assert_eq!(truth_open(&sim, ED_KEY), BTreeSet::new(), "order.test places nothing");
    cov.hit::<TestOrder>();

    // LIMIT, ACK: only the five ACK fields.
    let limit = api
        .place_order(
            NewOrder::limit("BTCUSDT", Side::Buy, d("0.01"), d("48000.00"))
                .new_client_order_id("e2e-limit")
                .new_order_resp_type(NewOrderRespType::Ack),
        )
        .await
        .unwrap();
    assert_eq!(
        (limit.symbol.as_str(), limit.client_order_id.as_str(), limit.order_list_id),
        ("BTCUSDT", "e2e-limit", -1)
    );
    assert!(limit.status.is_none() && limit.price.is_none() && limit.fills.is_none(), "{limit:?}");
    // LIMIT_MAKER, RESULT: the order's state, no fills.
    let maker_only = api
        .place_order(
            NewOrder::limit_maker("BTCUSDT", Side::Sell, d("0.01"), d("51000.00"))
                .new_order_resp_type(NewOrderRespType::Result),
        )
        .await
        .unwrap();
    assert_eq!(maker_only.status, Some(OrderStatus::New));
    assert_eq!(maker_only.order_type, Some(OrderType::LimitMaker));
    assert_eq!((maker_only.price, maker_only.orig_qty), (Some(d("51000")), Some(d("0.01"))));
    assert!(maker_only.fills.is_none());
    // A LIMIT_MAKER that would trade at once is rejected (-2010).
    let err = api.place_order(NewOrder::limit_maker("BTCUSDT", Side::Buy, d("0.01"), d("50000.00"))).await.unwrap_err();
    assert_code(&err, -2010);
    // MARKET by quantity, FULL: filled at 50000 with its fills.
    let market = api
        .place_order(NewOrder::market("BTCUSDT", Side::Buy, d("0.02")).new_order_resp_type(NewOrderRespType::Full))
        .await
        .unwrap();
    assert_eq!(market.status, Some(OrderStatus::Filled));
    assert_eq!((market.executed_qty, market.cumulative_quote_qty), (Some(d("0.02")), Some(d("1000"))));
    let fills = market.fills.clone().unwrap();
    assert_eq!(fills.len(), 1);
    assert_eq!((fills[0].price, fills[0].qty), (d("50000"), d("0.02")));
    // MARKET by quote quantity, RESULT: sells for 490 USDT at 49000.
    let quote = api
        .place_order(
            NewOrder::market_quote("BTCUSDT", Side::Sell, d("490.00")).new_order_resp_type(NewOrderRespType::Result),
        )
        .await
        .unwrap();
    assert_eq!(quote.status, Some(OrderStatus::Filled));
    assert_eq!((quote.executed_qty, quote.cumulative_quote_qty), (Some(d("0.01")), Some(d("490"))));
    assert_eq!(quote.orig_quote_order_qty, Some(d("490")));
    // LIMIT IOC crossing, FULL (default for LIMIT): fills 0.01 at 50000.
    let ioc = api
        .place_order(NewOrder::limit("BTCUSDT", Side::Buy, d("0.01"), d("50000.00")).time_in_force(TimeInForce::Ioc))
        .await
        .unwrap();
    assert_eq!(ioc.status, Some(OrderStatus::Filled));
    assert_eq!(ioc.fills.as_ref().map(Vec::len), Some(1), "LIMIT answers FULL by default");
    // Stop and take-profit orders, not triggered (last price 49000 or 50000).
    let stop = api.place_order(NewOrder::stop_loss("BTCUSDT", Side::Sell, d("0.01"), d("45000.00"))).await.unwrap();
    assert!(stop.status.is_none(), "STOP_LOSS answers ACK by default");
    let stop_limit = api
        .place_order(
            NewOrder::stop_loss_limit("BTCUSDT", Side::Sell, d("0.01"), d("44900.00"), d("45000.00"))
                .new_order_resp_type(NewOrderRespType::Result),
        )
        .await
        .unwrap();
    assert_eq!((stop_limit.status, stop_limit.conditional.stop_price), (Some(OrderStatus::New), Some(d("45000"))));
    assert_eq!(stop_limit.working_time, Some(-1), "not working until triggered");
    let tp = api
        .place_order(
            NewOrder::take_profit("BTCUSDT", Side::Sell, d("0.01"), d("55000.00"))
                .new_order_resp_type(NewOrderRespType::Full),
        )
        .await
        .unwrap();
    assert_eq!((tp.status, tp.fills.as_ref().map(Vec::len)), (Some(OrderStatus::New), Some(0)));
    let tpl = api
        .place_order(
            NewOrder::take_profit_limit("BTCUSDT", Side::Sell, d("0.01"), d("55100.00"), d("55000.00"))
                .new_order_resp_type(NewOrderRespType::Result),
        )
        .await
        .unwrap();
    assert_eq!(tpl.order_type, Some(OrderType::TakeProfitLimit));
    cov.hit::<NewOrder>();

    // Balances after the fills: the exchange's truth moved by exactly what the replies say.
    let (btc1, usdt1) = (truth_balance(&sim, ED_KEY, "BTC"), truth_balance(&sim, ED_KEY, "USDT"));
    let my_trades = api.my_trades("BTCUSDT").await.unwrap();
    let comm =
        |asset: &str| my_trades.iter().filter(|t| t.commission_asset == asset).map(|t| t.commission).sum::<Decimal>();
    let btc_in = d("0.02") + d("0.01") - d("0.01"); // bought, bought, sold
    let usdt_in = d("490") - d("1000") - d("500");
    assert_eq!(btc1.0 + btc1.1, btc0.0 + btc0.1 + btc_in - comm("BTC"), "BTC total");
    assert_eq!(usdt1.0 + usdt1.1, usdt0.0 + usdt0.1 + usdt_in - comm("USDT"), "USDT total");
    let account = api.account_status().await.unwrap();
    for (asset, b) in sim.balances(ED_KEY).unwrap() {
        let got = account.balances.iter().find(|x| x.asset == asset).unwrap_or_else(|| panic!("{asset} missing"));
        assert_eq!((got.free, got.locked), (b.free, b.locked), "{asset}");
    }

    // myTrades: the FULL fills of the market order and the IOC, the quote order's trade; ids and order ids.
    assert_eq!(my_trades.len(), 3, "{my_trades:?}");
    assert_eq!(my_trades[0].order_id, market.order_id);
    assert_eq!(
        (my_trades[0].price, my_trades[0].qty, my_trades[0].is_buyer, my_trades[0].is_maker),
        (d("50000"), d("0.02"), true, false)
    );
    assert_eq!(my_trades[0].id as i64, fills[0].trade_id);
    assert_eq!(my_trades[0].commission, fills[0].commission);
    assert_eq!((my_trades[1].order_id, my_trades[1].is_buyer), (quote.order_id, false));
    let of_ioc = api.my_trades("BTCUSDT").order_id(ioc.order_id).await.unwrap();
    assert_eq!(of_ioc.len(), 1);
    assert_eq!(of_ioc[0].quote_qty, d("500"));
    cov.hit::<MyTrades>();

    // order.status by id and by client id.
    let s = api.order_status("BTCUSDT", limit.order_id).await.unwrap();
    assert_eq!((s.status, s.price, s.orig_qty, s.executed_qty), (OrderStatus::New, d("48000"), d("0.01"), d("0")));
    assert_eq!(
        (s.time_in_force, s.order_type, s.side, s.is_working),
        (TimeInForce::Gtc, OrderType::Limit, Side::Buy, true)
    );
    let by_client = api.order_status("BTCUSDT", "e2e-limit").await.unwrap();
    assert_eq!(by_client, s);
    let s = api.order_status("BTCUSDT", market.order_id).await.unwrap();
    assert_eq!((s.status, s.executed_qty, s.cumulative_quote_qty), (OrderStatus::Filled, d("0.02"), d("1000")));
    let s = api.order_status("BTCUSDT", stop.order_id).await.unwrap();
    assert_eq!((s.status, s.conditional.stop_price, s.is_working), (OrderStatus::New, Some(d("45000")), false));
    assert_code(&api.order_status("BTCUSDT", 999_999u64).await.unwrap_err(), -2013);
    cov.hit::<OrderStatusRequest>();

    // openOrders.status: exactly the exchange's open orders.
    let open = api.open_orders_status().symbol("BTCUSDT").await.unwrap();
    let ids: BTreeSet<u64> = open.iter().map(|o| o.order_id).collect();
    assert_eq!(ids, truth_open(&sim, ED_KEY));
    let expected: BTreeSet<u64> =
        [limit.order_id, maker_only.order_id, stop.order_id, stop_limit.order_id, tp.order_id, tpl.order_id].into();
    assert_eq!(ids, expected);
    assert_eq!(api.open_orders_status().await.unwrap().len(), expected.len());
    cov.hit::<OpenOrdersStatus>();

    // allOrders: every order placed, each as order.status shows it.
    let all = api.all_orders("BTCUSDT").await.unwrap();
    assert_eq!(all.len(), 9, "six open, three filled");
    for o in &all {
        let s = api.order_status("BTCUSDT", o.order_id).await.unwrap();
        assert_eq!(s.status, o.status, "order {}", o.order_id);
    }
    cov.hit::<AllOrders>();

    // order.cancel by id and by client id; afterwards CANCELED, and off the exchange's open orders.
    let c = api.cancel_order("BTCUSDT", limit.order_id).await.unwrap();
    let CancelResult::Order(c) = c else { panic!("a single order: {c:?}") };
    assert_eq!(
        (c.status, c.order_id, c.orig_client_order_id.as_deref()),
        (OrderStatus::Canceled, limit.order_id, Some("e2e-limit"))
    );
    assert_eq!(api.order_status("BTCUSDT", limit.order_id).await.unwrap().status, OrderStatus::Canceled);
    let c = api.cancel_order("BTCUSDT", tp.client_order_id.as_str()).new_client_order_id("e2e-cxl").await.unwrap();
    let CancelResult::Order(c) = c else { panic!("a single order: {c:?}") };
    assert_eq!((c.status, c.client_order_id.as_str()), (OrderStatus::Canceled, "e2e-cxl"));
    assert!(!truth_open(&sim, ED_KEY).contains(&limit.order_id));
    assert!(!truth_open(&sim, ED_KEY).contains(&tp.order_id));
    // Cancel an unknown order: -2011.
    assert_code(&api.cancel_order("BTCUSDT", 987_654u64).await.unwrap_err(), -2011);
    assert_code(&api.cancel_order("BTCUSDT", limit.order_id).await.unwrap_err(), -2011);
    cov.hit::<CancelOrder>();

    // Failure paths: unknown symbol, insufficient balance, and a filter failure caught before sending.
    assert_code(&api.place_order(NewOrder::limit("NOPEUSDT", Side::Buy, d("1"), d("1.00"))).await.unwrap_err(), -1121);
    let too_big = NewOrder::limit("BTCUSDT", Side::Buy, d("100"), d("48000.00"));
    let err = api.place_order(too_big).await.unwrap_err();
    assert_code(&err, -2010);
    assert!(err.to_string().contains("insufficient balance for requested action"), "{err}");
    api.load_rules(["BTCUSDT", "ETHUSDT"]).await.unwrap();
    let open_before = truth_open(&sim, ED_KEY);
    let last_id = api.all_orders("BTCUSDT").await.unwrap().iter().map(|o| o.order_id).max();
    for bad in [
        NewOrder::limit("BTCUSDT", Side::Buy, d("0.01"), d("48000.005")), // off the tick size
        NewOrder::limit("BTCUSDT", Side::Buy, d("0.000001"), d("48000.00")), // below the lot step
        NewOrder::limit("BTCUSDT", Side::Buy, d("0.0001"), d("48000.00")), // notional 4.8 < 5
    ] {
        let err = api.place_order(bad.clone()).await.unwrap_err();
        assert!(matches!(err, Error::Validation(_)), "{bad:?}: {err}");
    }
    assert_eq!(truth_open(&sim, ED_KEY), open_before, "nothing reached the exchange");
    assert_eq!(api.all_orders("BTCUSDT").await.unwrap().iter().map(|o| o.order_id).max(), last_id);
    cov.finish("spot_e2e_trading::orders_of_every_type_and_their_queries");
}

#[tokio::test]
async fn cancel_replace_amend_and_cancel_all() {
    let sim = quiet_sim().await;
    let api = hmac(&sim).await;
    let mut cov = Coverage::new();

    let first = api
        .place_order(NewOrder::limit("ETHUSDT", Side::Buy, d("0.5000"), d("2000.00")).new_client_order_id("cr-1"))
        .await
        .unwrap();
    // cancelReplace: the old order CANCELED, the new one NEW on the book.
    let r = api
        .cancel_replace(
            CancelReplace::new(
                "cr-1",
                CancelReplaceMode::StopOnFailure,
                NewOrder::limit("ETHUSDT", Side::Buy, d("0.6000"), d("2001.00"))
                    .new_client_order_id("cr-2")
                    .new_order_resp_type(NewOrderRespType::Result),
            )
            .cancel_new_client_order_id("cr-1-cxl"),
        )
        .await
        .unwrap();
    assert_eq!((r.cancel_result, r.new_order_result), (CancelReplaceResult::Success, CancelReplaceResult::Success));
    assert_eq!((r.cancel_response.order_id, r.cancel_response.status), (first.order_id, OrderStatus::Canceled));
    assert_eq!(r.cancel_response.client_order_id, "cr-1-cxl");
    assert_eq!(
        (r.new_order_response.client_order_id.as_str(), r.new_order_response.status),
        ("cr-2", Some(OrderStatus::New))
    );
    let second = r.new_order_response.order_id;
    assert_eq!(api.order_status("ETHUSDT", first.order_id).await.unwrap().status, OrderStatus::Canceled);
    assert_eq!(api.order_status("ETHUSDT", second).await.unwrap().price, d("2001"));
    let book = sim.depth("ETHUSDT", 5).unwrap();
    assert_eq!(book.bids, vec![(d("2001"), d("0.6"))]);
    // The cancel fails (the order is gone) and STOP_ON_FAILURE places nothing: -2022.
    let err = api
        .cancel_replace(CancelReplace::new(
            first.order_id,
            CancelReplaceMode::StopOnFailure,
            NewOrder::limit("ETHUSDT", Side::Buy, d("0.1000"), d("1990.00")),
        ))
        .await
        .unwrap_err();
    assert_code(&err, -2022);
    assert_eq!(sim.open_orders(HMAC_KEY).unwrap().len(), 1);
    cov.hit::<CancelReplace>();

    // amend keepPriority: quantity down, same order id, the book level shrinks.
    let a = api.amend_order("ETHUSDT", second, d("0.2500")).new_client_order_id("cr-2-amended").await.unwrap();
    assert_eq!((a.amended_order.order_id, a.amended_order.qty), (second, d("0.25")));
    assert_eq!(
        (a.amended_order.orig_client_order_id.as_str(), a.amended_order.client_order_id.as_str()),
        ("cr-2", "cr-2-amended")
    );
    assert_eq!(a.amended_order.status, OrderStatus::New);
    assert!(a.list_status.is_none());
    assert_eq!(api.order_status("ETHUSDT", second).await.unwrap().orig_qty, d("0.25"));
    assert_eq!(sim.depth("ETHUSDT", 5).unwrap().bids, vec![(d("2001"), d("0.25"))]);
    // Amending up is refused.
    assert!(api.amend_order("ETHUSDT", second, d("1.0000")).await.is_err());
    cov.hit::<AmendOrder>();
    let amendments = api.order_amendments("ETHUSDT", second).await.unwrap();
    assert_eq!(amendments.len(), 1);
    let am = &amendments[0];
    assert_eq!((am.order_id, am.execution_id, am.orig_qty, am.new_qty), (second, a.execution_id, d("0.6"), d("0.25")));
    assert_eq!((am.orig_client_order_id.as_str(), am.new_client_order_id.as_str()), ("cr-2", "cr-2-amended"));
    cov.hit::<OrderAmendments>();

    // cancelAll: every open order of the symbol, each CANCELED; the exchange has none left.
    api.place_order(NewOrder::limit("ETHUSDT", Side::Sell, d("0.1000"), d("2100.00"))).await.unwrap();
    api.place_order(NewOrder::limit("BTCUSDT", Side::Sell, d("0.01"), d("60000.00"))).await.unwrap();
    let all = api.cancel_open_orders("ETHUSDT").await.unwrap();
    assert_eq!(all.len(), 2);
    for c in &all {
        let CancelResult::Order(c) = c else { panic!("no lists here: {c:?}") };
        assert_eq!(c.status, OrderStatus::Canceled);
    }
    let left = sim.open_orders(HMAC_KEY).unwrap();
    assert_eq!(left.iter().map(|o| o.symbol.as_str()).collect::<Vec<_>>(), ["BTCUSDT"]);
    assert!(api.open_orders_status().symbol("ETHUSDT").await.unwrap().is_empty());
    assert!(sim.depth("ETHUSDT", 5).unwrap().bids.is_empty());
    assert_code(&api.cancel_open_orders("ETHUSDT").await.unwrap_err(), -2011);
    cov.hit::<CancelOpenOrders>();
    cov.finish("spot_e2e_trading::cancel_replace_amend_and_cancel_all");
}
