//! The exact `params` of requests, checked against the docs' request examples (without
//! `apiKey`, `timestamp`, `signature` and `recvWindow`, which the engine adds).

use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::*;
use crate::model::*;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn params<R: ApiRequest>(r: &R) -> Value {
    Value::Object(r.params())
}

#[test]
fn general_and_market_data() {
    assert_eq!(params(&Ping::new()), json!({}));
    assert_eq!(params(&ExchangeInfoRequest::new().symbols(vec!["BNBBTC"])), json!({"symbols": ["BNBBTC"]}));
    assert_eq!(
        params(&ExchangeInfoRequest::new().permissions(vec!["SPOT".to_string()]).show_permission_sets(false)),
        json!({"permissions": ["SPOT"], "showPermissionSets": false})
    );
    assert_eq!(params(&ExecutionRulesRequest::new().symbols("BAZUSD")), json!({"symbol": "BAZUSD"}));
    assert_eq!(params(&Depth::new("BNBBTC").limit(10)), json!({"symbol": "BNBBTC", "limit": 10}));
    assert_eq!(params(&HistoricalTrades::new("BNBBTC").from_id(0)), json!({"symbol": "BNBBTC", "fromId": 0}));
    assert_eq!(params(&HistoricalBlockTrades::new("BNBBTC", 582)), json!({"symbol": "BNBBTC", "fromId": 582}));
    assert_eq!(
        params(&Klines::new("BNBBTC", Interval::H1).start_time(1655969280000).limit(1)),
        json!({"symbol": "BNBBTC", "interval": "1h", "startTime": 1655969280000u64, "limit": 1})
    );
    assert_eq!(params(&UiKlines::new("BNBBTC", Interval::Mo1)), json!({"symbol": "BNBBTC", "interval": "1M"}));
    assert_eq!(
        params(&TradingDayTicker::new(["BNBBTC", "BTCUSDT"]).time_zone("00:00")),
        json!({"symbols": ["BNBBTC", "BTCUSDT"], "timeZone": "00:00"})
    );
    assert_eq!(
        params(&RollingTicker::new(["BNBBTC", "BTCUSDT"]).window_size("7d").ticker_type(TickerType::Mini)),
        json!({"symbols": ["BNBBTC", "BTCUSDT"], "windowSize": "7d", "type": "MINI"})
    );
    assert_eq!(
        params(&Ticker24hrRequest::new().symbols("BNBBTC").symbol_status(SymbolStatus::Trading)),
        json!({"symbol": "BNBBTC", "symbolStatus": "TRADING"})
    );
    assert_eq!(params(&TickerPrice::new()), json!({}));
    assert_eq!(params(&ReferencePriceRequest::new("BAZUSD")), json!({"symbol": "BAZUSD"}));
}

#[test]
fn orders() {
    // order.place example: a LIMIT SELL, decimals as strings with their scale.
    let order = NewOrder::limit("BTCUSDT", Side::Sell, d("0.00847000"), d("23416.10000000"));
    assert_eq!(
        params(&order),
        json!({"symbol": "BTCUSDT", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC",
               "price": "23416.10000000", "quantity": "0.00847000"})
    );
    assert_eq!(<NewOrder as ApiRequest>::SECURITY, Security::Signed);

    let all = NewOrder::stop_loss_limit("BTCUSDT", Side::Buy, d("1"), d("52000.00"), d("51000.00"))
        .time_in_force(TimeInForce::Fok)
        .new_client_order_id("c1")
        .new_order_resp_type(NewOrderRespType::Ack)
        .trailing_delta(100)
        .iceberg_qty(d("0.5"))
        .strategy_id(7)
        .strategy_type(1000000)
        .self_trade_prevention_mode(SelfTradePreventionMode::ExpireMaker)
        .peg_price_type(PegPriceType::PrimaryPeg)
        .peg_offset_type(PegOffsetType::PriceLevel)
        .peg_offset_value(5);
    assert_eq!(
        params(&all),
        json!({"symbol": "BTCUSDT", "side": "BUY", "type": "STOP_LOSS_LIMIT", "timeInForce": "FOK",
               "quantity": "1", "price": "52000.00", "stopPrice": "51000.00", "newClientOrderId": "c1",
               "newOrderRespType": "ACK", "trailingDelta": 100, "icebergQty": "0.5", "strategyId": 7,
               "strategyType": 1000000, "selfTradePreventionMode": "EXPIRE_MAKER",
               "pegPriceType": "PRIMARY_PEG", "pegOffsetType": "PRICE_LEVEL", "pegOffsetValue": 5})
    );

    assert_eq!(
        params(&NewOrder::market_quote("BTCUSDT", Side::Buy, d("100.00"))),
        json!({"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quoteOrderQty": "100.00"})
    );
    assert_eq!(
        params(&NewOrder::limit("BTCUSDT", Side::Buy, d("1"), d("2")).post_only()),
        json!({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT_MAKER", "quantity": "1", "price": "2"})
    );
    assert_eq!(
        params(&TestOrder::new(NewOrder::market("BTCUSDT", Side::Sell, d("0.1"))).compute_commission_rates(true)),
        json!({"symbol": "BTCUSDT", "side": "SELL", "type": "MARKET", "quantity": "0.1", "computeCommissionRates": true})
    );
}

#[test]
fn cancel_replace_amend() {
    assert_eq!(
        params(&CancelOrder::new("BTCUSDT", "4d96324ff9d44481926157")),
        json!({"symbol": "BTCUSDT", "origClientOrderId": "4d96324ff9d44481926157"})
    );
    assert_eq!(
        params(&CancelOrder::new("BTCUSDT", 12569099453u64).cancel_restrictions(CancelRestrictions::OnlyNew)),
        json!({"symbol": "BTCUSDT", "orderId": 12569099453u64, "cancelRestrictions": "ONLY_NEW"})
    );
    let replace = CancelReplace::new(
        "4d96324ff9d44481926157",
        CancelReplaceMode::AllowFailure,
        NewOrder::limit("BTCUSDT", Side::Sell, d("0.00847000"), d("23416.10000000")),
    );
    assert_eq!(
        params(&replace),
        json!({"symbol": "BTCUSDT", "cancelReplaceMode": "ALLOW_FAILURE", "cancelOrigClientOrderId": "4d96324ff9d44481926157",
               "side": "SELL", "type": "LIMIT", "timeInForce": "GTC", "price": "23416.10000000", "quantity": "0.00847000"})
    );
    assert_eq!(
        params(&AmendOrder::new("BTCUSDT", "my_test_order1", d("5"))),
        json!({"symbol": "BTCUSDT", "origClientOrderId": "my_test_order1", "newQty": "5"})
    );
    assert_eq!(params(&CancelOpenOrders::new("BTCUSDT")), json!({"symbol": "BTCUSDT"}));
}

#[test]
fn order_lists() {
    // orderList.place.oco example (the docs send `quantity` as the number 1; decimals go as strings here).
    let oco = OcoOrderList::new(
        "LTCBNB",
        Side::Buy,
        d("1"),
        OrderListLeg::stop_loss_limit(d("1.5"), d("1.50000001")),
        OrderListLeg::limit_maker(d("1.49999999")),
    );
    assert_eq!(
        params(&oco),
        json!({"symbol": "LTCBNB", "side": "BUY", "quantity": "1", "aboveType": "STOP_LOSS_LIMIT", "abovePrice": "1.5",
               "aboveStopPrice": "1.50000001", "aboveTimeInForce": "GTC", "belowType": "LIMIT_MAKER",
               "belowPrice": "1.49999999"})
    );
    // orderList.place.opoco example, plus the mandatory `symbol` its example leaves out.
    let opoco = OpocoOrderList::new(
        "BTCUSDT",
        Side::Buy,
        d("0.0017"),
        OrderListLeg::limit(d("102496")),
        Side::Sell,
        OrderListLeg::limit_maker(d("104261")),
    )
    .pending_below(OrderListLeg::stop_loss_limit(d("101613"), d("10100")).time_in_force(TimeInForce::Ioc));
    assert_eq!(
        params(&opoco),
        json!({"symbol": "BTCUSDT", "workingPrice": "102496", "workingQuantity": "0.0017", "workingType": "LIMIT",
               "workingTimeInForce": "GTC", "pendingAboveType": "LIMIT_MAKER", "pendingAbovePrice": "104261",
               "pendingBelowStopPrice": "10100", "pendingBelowPrice": "101613", "pendingBelowType": "STOP_LOSS_LIMIT",
               "pendingBelowTimeInForce": "IOC", "pendingSide": "SELL", "workingSide": "BUY"})
    );
    let oto = OtoOrderList::new(
        "LTCBNB",
        Side::Sell,
        d("1"),
        OrderListLeg::limit(d("1")),
        Side::Buy,
        d("1"),
        OrderListLeg::market(),
    )
    .list_client_order_id("l1");
    assert_eq!(
        params(&oto),
        json!({"symbol": "LTCBNB", "workingSide": "SELL", "workingQuantity": "1", "workingType": "LIMIT",
               "workingPrice": "1", "workingTimeInForce": "GTC", "pendingSide": "BUY", "pendingQuantity": "1",
               "pendingType": "MARKET", "listClientOrderId": "l1"})
    );
    let legacy = OcoOrderListLegacy::new("BTCUSDT", Side::Sell, d("0.00650000"), d("23420.00000000"))
        .stop_price(d("23410.00000000"))
        .stop_limit_price(d("23405.00000000"))
        .stop_limit_time_in_force(TimeInForce::Gtc)
        .new_order_resp_type(NewOrderRespType::Result);
    assert_eq!(
        params(&legacy),
        json!({"symbol": "BTCUSDT", "side": "SELL", "price": "23420.00000000", "quantity": "0.00650000",
               "stopPrice": "23410.00000000", "stopLimitPrice": "23405.00000000", "stopLimitTimeInForce": "GTC",
               "newOrderRespType": "RESULT"})
    );
    assert_eq!(
        params(&CancelOrderList::new("BTCUSDT", 1274512u64)),
        json!({"symbol": "BTCUSDT", "orderListId": 1274512})
    );
    assert_eq!(
        params(&CancelOrderList::new("BTCUSDT", "08985fedd9ea2cf6b28996")),
        json!({"symbol": "BTCUSDT", "listClientOrderId": "08985fedd9ea2cf6b28996"})
    );
    assert_eq!(
        params(&SorTestOrder::new(SorOrder::limit("BTCUSDT", Side::Buy, d("0.1"), d("0.1")))),
        json!({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "quantity": "0.1", "timeInForce": "GTC", "price": "0.1"})
    );
    assert_eq!(
        params(&SorOrder::market("BTCUSDT", Side::Sell, d("0.5"))),
        json!({"symbol": "BTCUSDT", "side": "SELL", "type": "MARKET", "quantity": "0.5"})
    );
}

#[test]
fn account_session_user_stream() {
    assert_eq!(
        params(&AllOrders::new("BTCUSDT").start_time(1660780800000).end_time(1660867200000).limit(5)),
        json!({"symbol": "BTCUSDT", "startTime": 1660780800000u64, "endTime": 1660867200000u64, "limit": 5})
    );
    assert_eq!(
        params(&OrderStatusRequest::new("BTCUSDT", 12569099453u64)),
        json!({"symbol": "BTCUSDT", "orderId": 12569099453u64})
    );
    assert_eq!(
        params(&OrderListStatusRequest::new("08985fedd9ea2cf6b28996")),
        json!({"origClientOrderId": "08985fedd9ea2cf6b28996"})
    );
    assert_eq!(params(&MyPreventedMatches::new("BTCUSDT").order_id(35)), json!({"symbol": "BTCUSDT", "orderId": 35}));
    assert_eq!(params(&OrderAmendments::new("BTCUSDT", 23)), json!({"symbol": "BTCUSDT", "orderId": 23}));
    assert_eq!(params(&AccountStatus::new().omit_zero_balances(true)), json!({"omitZeroBalances": true}));
    assert_eq!(params(&OpenOrdersStatus::new()), json!({}));
    assert_eq!(<AccountStatus as ApiRequest>::SECURITY, Security::Signed);
    assert_eq!(params(&SessionLogon::new()), json!({}));
    assert_eq!(<SessionLogon as ApiRequest>::SECURITY, Security::Signed);
    assert_eq!(<SessionStatusRequest as ApiRequest>::SECURITY, Security::None);
    assert_eq!(params(&UserDataStreamUnsubscribe::new().subscription_id(1)), json!({"subscriptionId": 1}));
    assert_eq!(params(&UserDataStreamUnsubscribe::new()), json!({}));
    assert_eq!(<UserDataStreamSubscribeSignature as ApiRequest>::SECURITY, Security::Signed);
}
