//! Every successful example response of the USDⓈ-M WebSocket API pages decodes into the typed response
//! of its method, through the same path a waiting request takes (`decode_reply`), and the decoded
//! values are the example's (decimals exact, spot checks below).

mod futures_common;

use std::collections::BTreeSet;
use std::str::FromStr;

use binance_ws::api::{decode_reply, ApiRequest};
use binance_ws::model::Decimal;
use binance_ws::usdm::*;
use futures_common::examples;

/// Decodes `frame` as the response of `method`; `None` for a method with no typed request.
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
        Depth,
        TickerPrice,
        TickerBook,
        NewOrder,
        ModifyOrder,
        CancelOrder,
        OrderStatusRequest,
        PositionRequest,
        PositionV2Request,
        BalanceRequest,
        BalanceV2Request,
        AccountStatus,
        AccountStatusV2,
        UserDataStreamStart,
        UserDataStreamPing,
        UserDataStreamStop,
    );
    None
}

#[test]
fn every_example_response_decodes() {
    let all = examples("umfutures-");
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
    // Every method with a page has an example answer (session.* have no USDⓈ-M page in the reference).
    for m in METHODS.iter().filter(|m| !m.starts_with("session.")) {
        assert!(covered.contains(*m), "no example response decoded for {m}");
    }
}

#[test]
fn decoded_values_are_the_examples() {
    let all = examples("umfutures-");
    let Some(place) = all.iter().find(|e| e.method == "order.place") else { return };
    let o: Order = decode_reply(place.response.to_string().as_bytes()).unwrap();
    assert_eq!(o.order_id, 325078477);
    assert_eq!(o.price.to_string(), "43187.00", "scale kept");
    assert_eq!(o.orig_qty, Decimal::from_str("0.1").unwrap());
    assert_eq!((o.status, o.position_side, o.time_in_force), (OrderStatus::New, PositionSide::Both, TimeInForce::Gtc));
    assert_eq!(o.price_match, Some(PriceMatch::None));

    let status = all.iter().find(|e| e.method == "order.status").unwrap();
    let o: Order = decode_reply(status.response.to_string().as_bytes()).unwrap();
    assert_eq!(
        (o.order_type, o.activate_price, o.price_rate.map(|r| r.to_string())),
        (OrderType::TrailingStopMarket, Some(Decimal::from(9020)), Some("0.3".into()))
    );

    let pos = all.iter().find(|e| e.method == "account.position").unwrap();
    let p: Vec<Position> = decode_reply(pos.response.to_string().as_bytes()).unwrap();
    assert_eq!((p[0].leverage, p[0].margin_type, p[0].is_auto_add_margin), (10, MarginType::Isolated, false));

    let book = all.iter().find(|e| e.method == "depth").unwrap();
    let b: DepthSnapshot = decode_reply(book.response.to_string().as_bytes()).unwrap();
    assert_eq!((b.last_update_id, b.event_time, b.transaction_time), (1027024, 1589436922972, 1589436922959));
    assert_eq!(b.asks[0].price.to_string(), "4.00000200");

    let many = all.iter().filter(|e| e.method == "ticker.price").find(|e| e.response["result"].is_array()).unwrap();
    let t: OneOrMany<PriceTicker> = decode_reply(many.response.to_string().as_bytes()).unwrap();
    assert!(matches!(t, OneOrMany::Many(ref v) if v.len() == 1));
}
