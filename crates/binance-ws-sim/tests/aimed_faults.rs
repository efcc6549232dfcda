//! What a fault storm needs to match a client's view with the exchange's: live connections listed with a label
//! (a stream connection's streams, an API connection's logged-on key), faults aimed at one of them, per-connection
//! records for stream connections (with the update a gap left out), 1008 closes logged, every trading request
//! logged, and extra symbols.

mod wsapi_support;

use std::time::Duration;

use binance_ws_sim::config::{
    Activity, DEFAULT_ED25519_API_KEY, DEFAULT_ED25519_PRIVATE_PEM, DEFAULT_HMAC_API_KEY, DEFAULT_HMAC_SECRET,
};
use binance_ws_sim::exchange::{ExchangeConfig, SymbolConfig};
use binance_ws_sim::faults::{ConnKind, FaultKind};
use binance_ws_sim::{ConnFault, Sim, SimConfig};
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_websockets::{ClientBuilder, MaybeTlsStream, Message, WebSocketStream};
use wsapi_support::{ok, Client, Signer};

type Ws = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

const BOUND: Duration = Duration::from_secs(20);

async fn stream_client(sim: &Sim, streams: &str) -> Ws {
    let url = format!("{}/stream?streams={streams}", sim.base_url());
    ClientBuilder::new().uri(&url).unwrap().connect().await.expect("connects").0
}

/// Waits until the exchange lists a connection of `kind` labeled `label`; returns its number.
async fn connection(sim: &Sim, kind: ConnKind, label: &str) -> u64 {
    tokio::time::timeout(BOUND, async {
        loop {
            if let Some(c) = sim.faults().live_connections().into_iter().find(|c| c.kind == kind && c.label == label) {
                return c.id;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no {kind:?} connection labeled {label:?}: {:?}", sim.faults().live_connections()))
}

/// Text frames until one matches (or `wait` passes without one).
async fn frame_where(ws: &mut Ws, wait: Duration, f: impl Fn(&str) -> bool) -> Option<String> {
    tokio::time::timeout(wait, async {
        while let Some(Ok(msg)) = ws.next().await {
            if let Some(t) = msg.as_text() {
                if f(t) {
                    return Some(t.to_string());
                }
            }
        }
        None
    })
    .await
    .ok()
    .flatten()
}

#[tokio::test]
async fn a_fault_aimed_at_one_connection_hits_it_alone_and_is_logged_with_its_label() {
    let sim = Sim::start(SimConfig { activity: None, ..Default::default() }).await.unwrap();
    let mut a = stream_client(&sim, "btcusdt@trade").await;
    let mut b = stream_client(&sim, "ethusdt@trade/ethusdt@bookTicker").await;
    let id_a = connection(&sim, ConnKind::Stream, "btcusdt@trade").await;
    let id_b = connection(&sim, ConnKind::Stream, "ethusdt@bookTicker,ethusdt@trade").await;
    assert_ne!(id_a, id_b);

    sim.inject_into(id_a, ConnFault::Malformed);
    let malformed = |t: &str| serde_json::from_str::<Value>(t).is_err();
    assert!(frame_where(&mut a, BOUND, malformed).await.is_some(), "the aimed connection got the malformed frame");
    assert!(frame_where(&mut b, Duration::from_millis(500), malformed).await.is_none(), "the other did not");

    let log = sim.faults().log();
    let injected: Vec<_> = log.iter().filter(|r| r.injected).collect();
    assert_eq!(injected.len(), 1, "{log:?}");
    assert_eq!(
        (injected[0].connection, injected[0].kind, injected[0].label.as_str()),
        (id_a, FaultKind::Malformed, "btcusdt@trade")
    );
    let effects: Vec<_> = log.iter().filter(|r| !r.injected).collect();
    assert_eq!(effects.len(), 1, "{log:?}");
    assert_eq!((effects[0].connection, effects[0].kind), (id_a, FaultKind::Malformed));
    assert_eq!(effects[0].label, "btcusdt@trade");
    assert_eq!(sim.faults().count(FaultKind::Malformed), 1);

    // A drop aimed at `b` ends `b` alone; it leaves the list.
    sim.inject_into(id_b, ConnFault::Drop);
    assert!(frame_where(&mut b, BOUND, |_| false).await.is_none());
    let gone = tokio::time::timeout(BOUND, async {
        while sim.faults().live_connections().iter().any(|c| c.id == id_b) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    });
    gone.await.expect("the dropped connection is no longer listed");
    assert!(sim.faults().live_connections().iter().any(|c| c.id == id_a));
    let drop = sim.faults().log().into_iter().find(|r| !r.injected && r.kind == FaultKind::Drop).expect("logged");
    assert_eq!(drop.connection, id_b);
}

#[tokio::test]
async fn api_connections_are_labeled_with_their_logged_on_key() {
    let sim = Sim::start(SimConfig { activity: None, ..Default::default() }).await.unwrap();
    let mut anon = Client::connect(&sim.api_url()).await;
    ok(&anon.call("ping", json!({})).await);
    let signer = Signer::ed25519(DEFAULT_ED25519_API_KEY, DEFAULT_ED25519_PRIVATE_PEM);
    let mut mine = Client::with_signer(&sim.api_url(), signer).await;
    ok(&mine.signed("session.logon", json!({})).await);
    let logged_on = connection(&sim, ConnKind::Api, DEFAULT_ED25519_API_KEY).await;
    let api: Vec<_> = sim.faults().live_connections().into_iter().filter(|c| c.kind == ConnKind::Api).collect();
    assert_eq!(api.len(), 2, "{api:?}");
    assert!(api.iter().any(|c| c.id != logged_on && c.label.is_empty()), "the anonymous one: {api:?}");
    // A stall aimed at the logged-on connection is logged on it with its key.
    sim.inject_into(logged_on, ConnFault::Stall(Duration::from_millis(50)));
    let stall = tokio::time::timeout(BOUND, async {
        loop {
            if let Some(r) = sim.faults().log().into_iter().find(|r| !r.injected && r.kind == FaultKind::Stall) {
                return r;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the stall is logged");
    assert_eq!((stall.connection, stall.label.as_str()), (logged_on, DEFAULT_ED25519_API_KEY));
}

#[tokio::test]
async fn a_gap_logs_the_update_it_left_out() {
    let sim = Sim::start(SimConfig {
        activity: Some(Activity { ops_per_sec: 200.0, symbols: vec!["BTCUSDT".into()], traders: 2 }),
        ..Default::default()
    })
    .await
    .unwrap();
    let mut ws = stream_client(&sim, "btcusdt@depth@100ms").await;
    let id = connection(&sim, ConnKind::Stream, "btcusdt@depth@100ms").await;
    let ids = |t: &str| {
        let v: Value = serde_json::from_str(t).ok()?;
        Some((v["data"]["U"].as_u64()?, v["data"]["u"].as_u64()?))
    };
    let is_depth = |t: &str| t.contains("depthUpdate");
    let (_, mut last) = ids(&frame_where(&mut ws, BOUND, is_depth).await.expect("a depth update")).unwrap();
    sim.inject_into(id, ConnFault::SkipDepthUpdate);
    // Read on until the stream jumps: the ids it skipped are the ones logged.
    let (first, _) = loop {
        let (u_first, u_last) = ids(&frame_where(&mut ws, BOUND, is_depth).await.expect("depth updates")).unwrap();
        if u_first != last + 1 {
            break (u_first, u_last);
        }
        last = u_last;
    };
    let gap = sim.faults().log().into_iter().find(|r| r.kind == FaultKind::Gap && !r.injected).expect("gap logged");
    let skipped = gap.skipped.expect("with the update left out");
    assert_eq!(gap.connection, id);
    assert_eq!(skipped.symbol, "BTCUSDT");
    assert_eq!((skipped.first_update_id, skipped.last_update_id), (last + 1, first - 1), "{}", gap.what);
}

#[tokio::test]
async fn a_client_over_the_message_limit_is_closed_with_1008_and_that_is_logged() {
    let sim = Sim::start(SimConfig { activity: None, ..Default::default() }).await.unwrap();
    let mut ws = stream_client(&sim, "btcusdt@trade").await;
    for i in 0..10 {
        ws.send(Message::text(format!(r#"{{"method":"LIST_SUBSCRIPTIONS","id":{i}}}"#))).await.unwrap();
    }
    let closed = tokio::time::timeout(BOUND, async {
        while let Some(Ok(msg)) = ws.next().await {
            if let Some((code, _)) = msg.as_close() {
                return Some(u16::from(code));
            }
        }
        None
    })
    .await
    .unwrap();
    assert_eq!(closed, Some(1008));
    assert_eq!(sim.faults().rate_limit_closes(), 1);
    let r = sim.faults().log().into_iter().find(|r| r.kind == FaultKind::TooManyMessages).expect("logged");
    assert!(!r.injected && r.connection > 0, "{r:?}");
    assert_eq!(sim.faults().counts().get(&FaultKind::TooManyMessages), None, "not counted as an injected fault");
}

#[tokio::test]
async fn every_trading_request_is_logged_with_its_client_order_ids_and_extra_symbols_trade() {
    let mut exchange = ExchangeConfig::default();
    exchange.symbols.push(SymbolConfig::spot("SOL", "USDT", "0.01", "0.001", "5"));
    let sim = Sim::start(SimConfig { activity: None, exchange, ..Default::default() }).await.unwrap();
    let mut c = Client::with_signer(&sim.api_url(), Signer::hmac(DEFAULT_HMAC_API_KEY, DEFAULT_HMAC_SECRET)).await;
    let order = json!({"symbol": "SOLUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "1",
        "price": "90", "newClientOrderId": "a-1"});
    ok(&c.signed("order.place", order.clone()).await);
    // The same id again: refused by the exchange (an open order has it), but received and logged.
    let again = c.signed("order.place", order).await;
    assert_eq!(again["status"], 400, "{again}");
    ok(&c.signed("order.status", json!({"symbol": "SOLUSDT", "origClientOrderId": "a-1"})).await);
    ok(&c.signed("order.cancel", json!({"symbol": "SOLUSDT", "origClientOrderId": "a-1"})).await);
    let log = sim.order_requests();
    let seen: Vec<_> = log
        .iter()
        .map(|r| (r.method.as_str(), r.new_client_order_id.as_deref(), r.orig_client_order_id.as_deref()))
        .collect();
    assert_eq!(
        seen,
        vec![
            ("order.place", Some("a-1"), None),
            ("order.place", Some("a-1"), None),
            ("order.cancel", None, Some("a-1"))
        ],
        "order.status is a read, not logged"
    );
    assert!(log.iter().all(|r| r.connection > 0));
    assert_eq!(sim.depth("SOLUSDT", 5).unwrap().bids.len(), 0, "canceled");
}

#[tokio::test]
async fn futures_stream_connections_are_listed_and_a_fault_aimed_at_one_reaches_it() {
    use binance_ws_sim::futures::Product;
    let sim = Sim::start(SimConfig { activity: None, ..Default::default() }).await.unwrap();
    let url = format!("{}/stream?streams=btcusdt@markPrice@1s", sim.futures_stream_url(Product::UsdM));
    let mut ws = ClientBuilder::new().uri(&url).unwrap().connect().await.expect("connects").0;
    let id = connection(&sim, ConnKind::Stream, "btcusdt@markPrice@1s").await;

    sim.inject_into(id, ConnFault::Drop);
    let ended = tokio::time::timeout(BOUND, async { while let Some(Ok(_)) = ws.next().await {} }).await;
    assert!(ended.is_ok(), "the aimed futures connection was dropped");
    let log = sim.faults().log();
    assert!(log.iter().any(|r| r.connection == id && !r.injected && r.what == "dropped"), "{log:?}");
}
