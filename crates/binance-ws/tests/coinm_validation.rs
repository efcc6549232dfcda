//! COIN-M orders get the futures checks too, on the COIN-M rules (no `goodTillDate`), and a refused
//! order never reaches the scripted server.

mod futures_common;

use std::sync::Arc;

use binance_ws::coinm::{Api, NewOrder};
use binance_ws::model::{Decimal, Side};
use binance_ws::{Credentials, Env, Error};
use futures_common::{api_loop, coinm_order_result, count, serve, Log};

#[tokio::test]
async fn refused_orders_are_not_sent_and_valid_ones_are() {
    let log: Log = Arc::default();
    let server_log = log.clone();
    let base = serve(move |path, ws| {
        let log = server_log.clone();
        async move {
            assert_eq!(path, "/ws-dapi/v1", "the COIN-M API path of Env::Local");
            api_loop(ws, log, |method, params| match method {
                "order.place" => Ok(coinm_order_result(params)),
                other => Err((400, -1020, format!("not scripted: {other}"))),
            })
            .await
        }
    })
    .await;
    let api = Api::connect(&Env::Local(base), Some(Credentials::hmac("key", "secret"))).await.unwrap();
    let mut stop = NewOrder::stop_market("BTCUSD_PERP", Side::Sell, Decimal::ONE, Decimal::from(40000));
    stop.stop_price = None;
    let err = api.place_order(stop).await.unwrap_err();
    let Error::Validation(v) = &err else { panic!("{err}") };
    assert_eq!((v.field.as_str(), v.value.as_deref()), ("stopPrice", None));
    let mut bad_id = NewOrder::market("BTCUSD_PERP", Side::Buy, Decimal::ONE);
    bad_id.new_client_order_id = Some("has space".into());
    let err = api.place_order(bad_id).await.unwrap_err();
    assert!(err.to_string().contains("newClientOrderId has space does not match"), "{err}");
    assert_eq!(count(&log, "order.place"), 0);

    let order = api.place_order(NewOrder::limit("BTCUSD_PERP", Side::Buy, Decimal::ONE, Decimal::from(50000))).await;
    assert_eq!(order.expect("sent").pair, "BTCUSD");
    assert_eq!(count(&log, "order.place"), 1);
    assert!(count(&log, "session.status") >= 1, "the clock is read with session.status, not time");
    assert_eq!(count(&log, "time"), 0);
}
