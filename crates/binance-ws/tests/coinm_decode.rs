//! Every successful example response of the COIN-M WebSocket API pages (the general info page's
//! session examples included) decodes into the typed response of its method, through the path a
//! waiting request takes (`decode_reply`).

mod futures_common;

use std::collections::BTreeSet;

use binance_ws::api::{decode_reply, ApiRequest};
use binance_ws::coinm::*;
use binance_ws::model::Decimal;
use futures_common::examples;

fn decode(method: &str, frame: &[u8]) -> Option<Result<String, String>> {
    macro_rules! by_method {
        ($($t:ty),* $(,)?) => {
            $( if method == <$t as ApiRequest>::METHOD {
                return Some(decode_reply::<<$t as ApiRequest>::Response>(frame).map(|r| format!("{r:?}")).map_err(|e| e.to_string()));
            } )*
        };
    }
    by_method!(
        SessionLogon,
        SessionStatusRequest,
        SessionLogout,
        NewOrder,
        ModifyOrder,
        CancelOrder,
        OrderStatusRequest,
        PositionRequest,
        BalanceRequest,
        AccountStatus,
        UserDataStreamStart,
        UserDataStreamPing,
        UserDataStreamStop,
    );
    None
}

#[test]
fn every_example_response_decodes() {
    let all = examples("cmfutures-");
    if all.is_empty() {
        return;
    }
    let mut covered = BTreeSet::new();
    for ex in &all {
        let frame = ex.response.to_string();
        match decode(&ex.method, frame.as_bytes()) {
            Some(Ok(_)) => {
                covered.insert(ex.method.clone());
            }
            Some(Err(e)) => panic!("{}: the {} example does not decode: {e}\n{frame}", ex.page, ex.method),
            None => panic!("{}: no typed request for {}", ex.page, ex.method),
        }
    }
    println!("{} examples decoded, methods: {covered:?}", all.len());
    for m in METHODS {
        assert!(covered.contains(*m), "no example response decoded for {m}");
    }
}

#[test]
fn decoded_values_are_the_examples() {
    let all = examples("cmfutures-");
    let Some(status) = all.iter().find(|e| e.method == "order.status") else { return };
    let o: Order = decode_reply(status.response.to_string().as_bytes()).unwrap();
    assert_eq!((o.order_id, o.pair.as_str(), o.cum_base), (328999071, "BTCUSD", Decimal::ZERO));
    assert_eq!(o.self_trade_prevention_mode, Some(binance_ws::model::SelfTradePreventionMode::ExpireTaker));
    assert_eq!(o.time, Some(1733740063619));
    let logout = all.iter().find(|e| e.method == "session.logout").unwrap();
    let s: SessionStatus = decode_reply(logout.response.to_string().as_bytes()).unwrap();
    assert_eq!((s.api_key, s.authorized_since), (None, None));
    let pos = all.iter().find(|e| e.method == "account.position").unwrap();
    let p: Vec<Position> = decode_reply(pos.response.to_string().as_bytes()).unwrap();
    assert_eq!((p[0].leverage, p[0].margin_type, p[0].max_qty), (7, MarginType::Cross, Decimal::from(100)));
}
