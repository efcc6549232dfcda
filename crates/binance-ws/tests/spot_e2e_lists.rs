//! Order lists (OCO in both forms, OTO, OTOCO, and the documented refusal of OPO/OPOCO) and SOR orders
//! through the typed client against the local exchange, compared with the exchange's open orders.

mod spot_e2e_common;

use std::collections::BTreeSet;

use binance_ws::model::{
    ContingencyType, ListOrderStatus, ListStatusType, NewOrderRespType, OrderStatus, OrderType, Side,
};
use binance_ws::spot::*;
use spot_e2e_common::*;

fn truth_open(sim: &binance_ws_sim::Sim) -> BTreeSet<u64> {
    sim.open_orders(ED_KEY).unwrap().iter().map(|o| o.order_id).collect()
}

fn ids(list: &OrderListResponse) -> BTreeSet<u64> {
    list.orders.iter().map(|o| o.order_id).collect()
}

#[tokio::test]
async fn order_lists_placed_queried_and_canceled() {
    let sim = quiet_sim().await;
    let maker = hmac(&sim).await;
    let api = ed25519(&sim).await;
    let mut cov = Coverage::new();
    // A last price of 50000 for the stop legs to sit against.
    maker.place_order(NewOrder::limit("BTCUSDT", Side::Sell, d("0.01"), d("50000.00"))).await.unwrap();
    api.place_order(NewOrder::market("BTCUSDT", Side::Buy, d("0.01"))).await.unwrap();

    // Deprecated OCO (orderList.place): LIMIT_MAKER above, STOP_LOSS_LIMIT below.
    let legacy = api
        .place_oco_legacy("BTCUSDT", Side::Sell, d("0.01"), d("52000.00"))
        .stop_price(d("45000.00"))
        .stop_limit_price(d("44900.00"))
        .stop_limit_time_in_force(binance_ws::model::TimeInForce::Gtc)
        .list_client_order_id("legacy-oco")
        .await
        .unwrap();
    assert_eq!((legacy.contingency_type, legacy.list_status_type), (ContingencyType::Oco, ListStatusType::ExecStarted));
    assert_eq!(
        (legacy.list_order_status, legacy.list_client_order_id.as_str()),
        (ListOrderStatus::Executing, "legacy-oco")
    );
    assert_eq!(legacy.orders.len(), 2);
    assert_eq!(legacy.order_reports.len(), 2);
    let types: BTreeSet<_> = legacy.order_reports.iter().map(|r| r.order_type.unwrap().as_str()).collect();
    assert_eq!(types, ["LIMIT_MAKER", "STOP_LOSS_LIMIT"].into());
    assert!(legacy.order_reports.iter().all(|r| r.order_list_id == legacy.order_list_id));
    cov.hit::<OcoOrderListLegacy>();

    // OCO: LIMIT_MAKER above, STOP_LOSS below; RESULT reports.
    let oco = api
        .place_oco(
            OcoOrderList::new(
                "BTCUSDT",
                Side::Sell,
                d("0.01"),
                OrderListLeg::limit_maker(d("53000.00")).client_order_id("oco-above"),
                OrderListLeg::stop_loss(d("46000.00")).client_order_id("oco-below"),
            )
            .new_order_resp_type(NewOrderRespType::Result),
        )
        .await
        .unwrap();
    assert_eq!(oco.contingency_type, ContingencyType::Oco);
    let above = oco.order_reports.iter().find(|r| r.client_order_id == "oco-above").unwrap();
    assert_eq!(
        (above.order_type, above.price, above.status),
        (Some(OrderType::LimitMaker), Some(d("53000")), Some(OrderStatus::New))
    );
    let below = oco.order_reports.iter().find(|r| r.client_order_id == "oco-below").unwrap();
    assert_eq!((below.order_type, below.conditional.stop_price), (Some(OrderType::StopLoss), Some(d("46000"))));
    cov.hit::<OcoOrderList>();

    // OTO: a LIMIT buy working, a LIMIT sell pending.
    let oto = api
        .place_oto(
            OtoOrderList::new(
                "BTCUSDT",
                Side::Buy,
                d("0.01"),
                OrderListLeg::limit(d("48000.00")),
                Side::Sell,
                d("0.01"),
                OrderListLeg::limit(d("52500.00")),
            )
            .list_client_order_id("oto-1"),
        )
        .await
        .unwrap();
    assert_eq!(oto.contingency_type, ContingencyType::Oto);
    let statuses: Vec<_> = oto.order_reports.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [Some(OrderStatus::New), Some(OrderStatus::PendingNew)], "working, then pending");
    cov.hit::<OtoOrderList>();

    // OTOCO: a LIMIT buy working, an OCO sell pending.
    let otoco = api
        .place_otoco(
            OtocoOrderList::new(
                "BTCUSDT",
                Side::Buy,
                d("0.01"),
                OrderListLeg::limit(d("47000.00")),
                Side::Sell,
                d("0.01"),
                OrderListLeg::limit_maker(d("54000.00")),
            )
            .pending_below(OrderListLeg::stop_loss(d("44000.00"))),
        )
        .await
        .unwrap();
    assert_eq!((otoco.contingency_type, otoco.orders.len()), (ContingencyType::Oto, 3));
    let pending = otoco.order_reports.iter().filter(|r| r.status == Some(OrderStatus::PendingNew)).count();
    assert_eq!(pending, 2);
    cov.hit::<OtocoOrderList>();

    // The exchange's open orders are exactly the lists' orders.
    let all_ids: BTreeSet<u64> = [&legacy, &oco, &oto, &otoco].iter().flat_map(|l| ids(l)).collect();
    assert_eq!(truth_open(&sim), all_ids);

    // OPO and OPOCO: every symbol says opoAllowed false; the documented rejection.
    let info = api.exchange_info().symbols("BTCUSDT").await.unwrap();
    assert!(!info.symbols[0].opo_allowed);
    let err = api
        .place_opo(OpoOrderList::new(
            "BTCUSDT",
            Side::Buy,
            d("0.01"),
            OrderListLeg::limit(d("48000.00")),
            Side::Sell,
            OrderListLeg::limit(d("52000.00")),
        ))
        .await
        .unwrap_err();
    assert_code(&err, -2010);
    assert!(err.to_string().contains("OPO orders are not supported for this symbol."), "{err}");
    cov.hit::<OpoOrderList>();
    let err = api
        .place_opoco(
            OpocoOrderList::new(
                "BTCUSDT",
                Side::Buy,
                d("0.01"),
                OrderListLeg::limit(d("48000.00")),
                Side::Sell,
                OrderListLeg::limit_maker(d("52000.00")),
            )
            .pending_below(OrderListLeg::stop_loss(d("45000.00"))),
        )
        .await
        .unwrap_err();
    assert_code(&err, -2010);
    assert!(err.to_string().contains("OPO orders are not supported for this symbol."), "{err}");
    cov.hit::<OpocoOrderList>();
    assert_eq!(truth_open(&sim), all_ids, "nothing placed");

    // orderList.status by id and by client id.
    let s = api.order_list_status(oco.order_list_id as u64).await.unwrap();
    assert_eq!(
        (s.order_list_id, s.contingency_type, s.list_order_status),
        (oco.order_list_id, ContingencyType::Oco, ListOrderStatus::Executing)
    );
    assert_eq!(s.orders, oco.orders);
    let s2 = api.order_list_status("oto-1").await.unwrap();
    assert_eq!(s2.order_list_id, oto.order_list_id);
    assert_code(&api.order_list_status(999_999u64).await.unwrap_err(), -2011);
    cov.hit::<OrderListStatusRequest>();

    // openOrderLists.status: the four lists.
    let open = api.open_order_lists_status().await.unwrap();
    let open_ids: BTreeSet<i64> = open.iter().map(|l| l.order_list_id).collect();
    let placed: BTreeSet<i64> = [&legacy, &oco, &oto, &otoco].iter().map(|l| l.order_list_id).collect();
    assert_eq!(open_ids, placed);
    cov.hit::<OpenOrderListsStatus>();

    // orderList.cancel by id and by client id; order.cancel of a list's order cancels the list.
    let c = api.cancel_order_list("BTCUSDT", oco.order_list_id as u64).await.unwrap();
    assert_eq!((c.list_status_type, c.list_order_status), (ListStatusType::AllDone, ListOrderStatus::AllDone));
    assert!(c.order_reports.iter().all(|r| r.status == OrderStatus::Canceled));
    assert_eq!(c.order_reports.len(), 2);
    let c = api.cancel_order_list("BTCUSDT", "legacy-oco").await.unwrap();
    assert_eq!(c.order_list_id, legacy.order_list_id);
    assert_code(&api.cancel_order_list("BTCUSDT", "legacy-oco").await.unwrap_err(), -2011);
    cov.hit::<CancelOrderList>();
    let c = api.cancel_order("BTCUSDT", oto.orders[0].order_id).await.unwrap();
    let CancelResult::OrderList(c) = c else { panic!("the list is canceled: {c:?}") };
    assert_eq!((c.order_list_id, c.order_reports.len()), (oto.order_list_id, 2));
    // openOrders.cancelAll cancels the last list as a list.
    let all = api.cancel_open_orders("BTCUSDT").await.unwrap();
    assert_eq!(all.len(), 1);
    assert!(matches!(&all[0], CancelResult::OrderList(l) if l.order_list_id == otoco.order_list_id), "{all:?}");
    assert!(truth_open(&sim).is_empty());
    assert!(api.open_order_lists_status().await.unwrap().is_empty());

    // allOrderLists: all four, all done; every order CANCELED.
    let hist = api.all_order_lists().await.unwrap();
    assert_eq!(hist.iter().map(|l| l.order_list_id).collect::<BTreeSet<_>>(), placed);
    assert!(hist.iter().all(|l| l.list_order_status == ListOrderStatus::AllDone), "{hist:?}");
    for id in &all_ids {
        assert_eq!(api.order_status("BTCUSDT", *id).await.unwrap().status, OrderStatus::Canceled, "order {id}");
    }
    cov.hit::<AllOrderLists>();
    cov.finish("spot_e2e_lists::order_lists_placed_queried_and_canceled");
}

#[tokio::test]
async fn sor_place_and_test() {
    let sim = quiet_sim().await;
    let maker = hmac(&sim).await;
    let api = ed25519(&sim).await;
    let mut cov = Coverage::new();
    maker.place_order(NewOrder::limit("BTCUSDT", Side::Sell, d("0.05"), d("50000.00"))).await.unwrap();
    let info = api.exchange_info().await.unwrap();
    let sors = info.sors.expect("the exchange routes orders");
    assert!(sors.iter().any(|s| s.symbols.contains(&"BTCUSDT".to_string())), "{sors:?}");

    let t = api.test_sor_order(SorOrder::market("BTCUSDT", Side::Buy, d("0.01"))).await.unwrap();
    assert_eq!(t, TestOrderResponse::default());
    let t = api
        .test_sor_order(SorOrder::market("BTCUSDT", Side::Buy, d("0.01")))
        .compute_commission_rates(true)
        .await
        .unwrap();
    let commission = api.account_commission("BTCUSDT").await.unwrap();
    let std = t.standard_commission_for_order.expect("standard rates");
    assert_eq!(std.taker, commission.standard_commission.taker);
    assert!(sim.open_orders(ED_KEY).unwrap().is_empty());
    assert_code(&api.test_sor_order(SorOrder::market("NOPEUSDT", Side::Buy, d("1"))).await.unwrap_err(), -1121);
    cov.hit::<SorTestOrder>();

    let placed = api.place_sor_order(SorOrder::market("BTCUSDT", Side::Buy, d("0.02"))).await.unwrap();
    assert_eq!(placed.len(), 1);
    let o = &placed[0];
    assert_eq!((o.status, o.executed_qty), (Some(OrderStatus::Filled), Some(d("0.02"))));
    assert_eq!(
        (o.conditional.used_sor, o.conditional.working_floor),
        (Some(true), Some(binance_ws::model::WorkingFloor::Sor))
    );
    let fills = o.fills.clone().unwrap();
    assert_eq!(fills.len(), 1);
    assert_eq!((fills[0].price, fills[0].qty, fills[0].trade_id), (d("50000"), d("0.02"), -1));
    assert_eq!(fills[0].match_type.as_deref(), Some("ONE_PARTY_TRADE_REPORT"));
    let limit = api
        .place_sor_order(
            SorOrder::limit("BTCUSDT", Side::Buy, d("0.01"), d("49000.00"))
                .new_order_resp_type(NewOrderRespType::Result),
        )
        .await
        .unwrap();
    assert_eq!(limit[0].status, Some(OrderStatus::New));
    assert_eq!(sim.open_orders(ED_KEY).unwrap().iter().map(|o| o.order_id).collect::<Vec<_>>(), [limit[0].order_id]);
    cov.hit::<SorOrder>();

    let allocs = api.my_allocations("BTCUSDT").await.unwrap();
    assert_eq!(allocs.len(), 1, "{allocs:?}");
    let a = &allocs[0];
    assert_eq!((a.order_id, a.price, a.qty, a.quote_qty), (o.order_id, d("50000"), d("0.02"), d("1000")));
    assert_eq!(Some(a.allocation_id), fills[0].alloc_id);
    assert_eq!((a.commission, a.commission_asset.as_str()), (fills[0].commission, fills[0].commission_asset.as_str()));
    assert!(a.is_buyer && !a.is_maker);
    assert!(api.my_allocations("BTCUSDT").order_id(limit[0].order_id).await.unwrap().is_empty());
    cov.hit::<MyAllocations>();
    cov.finish("spot_e2e_lists::sor_place_and_test");
}
