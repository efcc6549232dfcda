//! Order lists in the user data stream: an OCO and an OTO placed, then triggered by fills. Each order of a
//! list reports its executionReports with the list's id, and the list its listStatus events, whose orders
//! are the list's; when one OCO leg fills the other expires, and when an OTO's working order fills its
//! pending order goes on the book.

mod user_data_common;

use std::collections::BTreeSet;

use binance_ws::model::{ContingencyType, ExecutionType, ListOrderStatus, ListStatusType, OrderStatus, Side};
use binance_ws::spot::{NewOrder, OcoOrderList, OrderListLeg, OtoOrderList};
use binance_ws::user_data::spot::{ListStatus, UserEvent};
use user_data_common::*;

fn lists(events: &[UserEvent]) -> Vec<&ListStatus> {
    events.iter().filter_map(|e| if let UserEvent::ListStatus(l) = e { Some(l) } else { None }).collect()
}

fn reports(events: &[UserEvent]) -> Vec<(u64, i64, ExecutionType, OrderStatus)> {
    events
        .iter()
        .filter_map(|e| match e {
            UserEvent::ExecutionReport(r) => Some((r.order_id, r.order_list_id, r.execution_type, r.status)),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn oco_and_oto_lists_report_their_orders_and_list_status() {
    let sim = quiet_sim().await;
    let other = hmac(&sim).await;
    let api = ed25519(&sim).await;
    // A last price of 50000 for the stop leg to sit against.
    other.place_order(NewOrder::limit("BTCUSDT", Side::Sell, d("0.01"), d("50000.00"))).await.unwrap();
    api.place_order(NewOrder::market("BTCUSDT", Side::Buy, d("0.01"))).await.unwrap();
    let mut mine = api.user_data().await.unwrap();

    // OCO sell: LIMIT_MAKER above, STOP_LOSS below.
    let oco = api
        .place_oco(
            OcoOrderList::new(
                "BTCUSDT",
                Side::Sell,
                d("0.01"),
                OrderListLeg::limit_maker(d("53000.00")).client_order_id("oco-above"),
                OrderListLeg::stop_loss(d("46000.00")).client_order_id("oco-below"),
            )
            .list_client_order_id("ud-oco"),
        )
        .await
        .unwrap();
    let oco_id = oco.order_list_id;
    let oco_orders: BTreeSet<u64> = oco.orders.iter().map(|o| o.order_id).collect();
    let got = until(&mut mine, is_position).await;
    let placed = lists(&got);
    assert_eq!(placed.len(), 1, "{got:#?}");
    let l = placed[0];
    assert_eq!(
        (l.order_list_id, l.contingency_type, l.list_client_order_id.as_str()),
        (oco_id, ContingencyType::Oco, "ud-oco")
    );
    assert_eq!((l.list_status_type, l.list_order_status), (ListStatusType::ExecStarted, ListOrderStatus::Executing));
    assert_eq!((l.symbol.as_str(), l.list_reject_reason.as_str()), ("BTCUSDT", "NONE"));
    assert_eq!(l.orders.iter().map(|o| o.order_id).collect::<BTreeSet<_>>(), oco_orders);
    let news = reports(&got);
    assert_eq!(news.len(), 2);
    for (id, list, x, status) in &news {
        assert!(oco_orders.contains(id));
        assert_eq!((*list, *x, *status), (oco_id, ExecutionType::New, OrderStatus::New));
    }

    // The other account lifts the LIMIT_MAKER leg: it fills, the stop leg expires, the list is done.
    other.place_order(NewOrder::market("BTCUSDT", Side::Buy, d("0.01"))).await.unwrap();
    let got = until(&mut mine, |e| matches!(e, UserEvent::ListStatus(_))).await;
    let above = oco.orders.iter().find(|o| o.client_order_id == "oco-above").unwrap().order_id;
    let below = oco.orders.iter().find(|o| o.client_order_id == "oco-below").unwrap().order_id;
    let done = reports(&got);
    assert!(done.contains(&(above, oco_id, ExecutionType::Trade, OrderStatus::Filled)), "{got:#?}");
    assert!(done.contains(&(below, oco_id, ExecutionType::Expired, OrderStatus::Expired)), "{got:#?}");
    let expired = got.iter().find_map(|e| match e {
        UserEvent::ExecutionReport(r) if r.order_id == below => Some(r),
        _ => None,
    });
    assert_eq!(expired.unwrap().expiry_reason, Some(binance_ws::model::ExpiryReason::OcoTrigger));
    let l = lists(&got)[0];
    assert_eq!(
        (l.order_list_id, l.list_status_type, l.list_order_status),
        (oco_id, ListStatusType::AllDone, ListOrderStatus::AllDone)
    );
    until(&mut mine, is_position).await;

    // OTO: a working LIMIT buy and a pending LIMIT sell.
    let oto = api
        .place_oto(
            OtoOrderList::new(
                "BTCUSDT",
                Side::Buy,
                d("0.01"),
                OrderListLeg::limit(d("48000.00")).client_order_id("oto-working"),
                Side::Sell,
                d("0.01"),
                OrderListLeg::limit(d("52500.00")).client_order_id("oto-pending"),
            )
            .list_client_order_id("ud-oto"),
        )
        .await
        .unwrap();
    let got = until(&mut mine, is_position).await;
    let working = oto.orders.iter().find(|o| o.client_order_id == "oto-working").unwrap().order_id;
    let pending = oto.orders.iter().find(|o| o.client_order_id == "oto-pending").unwrap().order_id;
    let news = reports(&got);
    assert!(news.contains(&(working, oto.order_list_id, ExecutionType::New, OrderStatus::New)), "{got:#?}");
    assert!(news.contains(&(pending, oto.order_list_id, ExecutionType::New, OrderStatus::PendingNew)), "{got:#?}");
    let l = lists(&got)[0];
    assert_eq!(
        (l.contingency_type, l.list_status_type, l.orders.len()),
        (ContingencyType::Oto, ListStatusType::ExecStarted, 2)
    );

    // The working order fills: the pending one becomes NEW on the book.
    other.place_order(NewOrder::market("BTCUSDT", Side::Sell, d("0.01"))).await.unwrap();
    let mut got = until(&mut mine, |e| matches!(e, UserEvent::ExecutionReport(r) if r.order_id == pending)).await;
    got.extend(until(&mut mine, is_position).await);
    let after = reports(&got);
    assert!(after.contains(&(working, oto.order_list_id, ExecutionType::Trade, OrderStatus::Filled)), "{got:#?}");
    assert!(after.contains(&(pending, oto.order_list_id, ExecutionType::New, OrderStatus::New)), "{got:#?}");
    let open: BTreeSet<u64> = sim.open_orders(ED_KEY).unwrap().iter().map(|o| o.order_id).collect();
    assert_eq!(open, [pending].into());
}
