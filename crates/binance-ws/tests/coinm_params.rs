//! COIN-M requests serialise with the docs' parameter names: each request example of the pages is
//! rebuilt with the typed API and gives the same params (less what the engine adds), and every name a
//! fully set `NewOrder` sends is in the "New Order" parameter table.

mod futures_common;

use std::str::FromStr;

use binance_ws::api::ApiRequest;
use binance_ws::coinm::*;
use binance_ws::model::{Decimal, SelfTradePreventionMode, Side};
use futures_common::{assert_same_params, param_tables, requests, user_params};

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// The typed request for each documented example, built by hand from what the example means.
fn typed(method: &str) -> serde_json::Map<String, serde_json::Value> {
    match method {
        "order.place" => NewOrder::limit("BTCUSD_PERP", Side::Buy, d("1"), d("50000")).params(),
        "order.modify" => ModifyOrder::new("BTCUSD_PERP", 333245211u64, Side::Buy, d("1"), d("51000")).params(),
        "order.cancel" => CancelOrder::new("BTCUSD_PERP", 333245211u64).params(),
        "order.status" => OrderStatusRequest::new("BTCUSD_PERP", 328999071u64).params(),
        "account.position" => PositionRequest::new().pair("BTCUSD").params(),
        "account.balance" => BalanceRequest::new().params(),
        "account.status" => AccountStatus::new().params(),
        "session.logon" => SessionLogon::new().params(),
        "session.status" => SessionStatusRequest::new().params(),
        "session.logout" => SessionLogout::new().params(),
        "userDataStream.start" => UserDataStreamStart::new().params(),
        "userDataStream.ping" => UserDataStreamPing::new().params(),
        "userDataStream.stop" => UserDataStreamStop::new().params(),
        other => panic!("no typed rebuild for {other}"),
    }
}

#[test]
fn documented_request_examples_rebuild_exactly() {
    let examples = requests("cmfutures-");
    if examples.is_empty() {
        return;
    }
    for (page, method, params) in &examples {
        let docs = user_params(params);
        assert_same_params(&format!("{page} ({method})"), &typed(method), &docs);
    }
    println!("{} request examples rebuilt", examples.len());
}

#[test]
fn every_order_parameter_name_is_in_the_docs_table() {
    let tables = param_tables("cmfutures-");
    let Some(place) = tables.get("order.place") else { return };
    let full = NewOrder::new("BTCUSDT", Side::Buy, OrderType::TrailingStopMarket)
        .position_side(PositionSide::Long)
        .time_in_force(TimeInForce::Gtc)
        .quantity(d("1"))
        .reduce_only(true)
        .price(d("1"))
        .new_client_order_id("id-1")
        .stop_price(d("1"))
        .activation_price(d("1"))
        .callback_rate(d("1"))
        .working_type(WorkingType::MarkPrice)
        .price_protect(true)
        .new_order_resp_type(NewOrderRespType::Result)
        .self_trade_prevention_mode(SelfTradePreventionMode::ExpireBoth);
    let mut names: Vec<String> = full.params().keys().cloned().collect();
    names.extend(
        NewOrder::limit("X", Side::Buy, d("1"), d("1"))
            .close_position()
            .price_match(PriceMatch::Queue)
            .params()
            .keys()
            .cloned(),
    );
    for n in &names {
        assert!(place.contains(n), "order.place sends {n}, which the New Order table does not list: {place:?}");
    }
    let modify = &tables["order.modify"];
    let m = ModifyOrder::new("X", "c-1", Side::Buy, d("1"), d("1")).params();
    for n in m.keys() {
        assert!(modify.contains(n), "order.modify sends {n}, not in {modify:?}");
    }
    for (method, table) in &tables {
        println!("{method}: {table:?}");
    }
}
