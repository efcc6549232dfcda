//! The stream server over real sockets: tokio-websockets server on 127.0.0.1:0, tokio-websockets client.

use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

use binance_ws_sim::exchange::events::{DepthDiff, MarketEvent, Trade};
use binance_ws_sim::market::MarketState;
use binance_ws_sim::streams::{now_ms, serve_stream_connection, StreamHub, StreamServerConfig};
use futures::{SinkExt, StreamExt};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;
use tokio_websockets::{ClientBuilder, CloseCode, MaybeTlsStream, Message, ServerBuilder, WebSocketStream};

type Client = WebSocketStream<MaybeTlsStream<TcpStream>>;

async fn start(hub: StreamHub) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let hub = hub.clone();
            tokio::spawn(async move {
                let Ok((req, ws)) = ServerBuilder::new().accept(tcp).await else { return };
                let pq = req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default();
                serve_stream_connection(ws, &pq, hub).await;
            });
        }
    });
    addr
}

async fn connect(addr: SocketAddr, path: &str) -> Client {
    ClientBuilder::new().uri(&format!("ws://{addr}{path}")).unwrap().connect().await.unwrap().0
}

/// The next text frame as JSON (skipping pings/pongs), within 5 s.
async fn next_json(c: &mut Client) -> Value {
    loop {
        let m = timeout(Duration::from_secs(5), c.next()).await.expect("timed out").expect("closed").unwrap();
        if let Some(t) = m.as_text() {
            return serde_json::from_str(t).unwrap();
        }
        assert!(!m.is_close(), "unexpected close: {:?}", m.as_close());
    }
}

/// Reads until a close frame arrives; returns its code.
async fn close_code(c: &mut Client) -> Option<CloseCode> {
    loop {
        match timeout(Duration::from_secs(5), c.next()).await.expect("timed out") {
            Some(Ok(m)) if m.is_close() => return m.as_close().map(|(c, _)| c),
            Some(Ok(_)) => {}
            _ => return None,
        }
    }
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn trade(id: u64) -> MarketEvent {
    MarketEvent::Trade(Trade {
        symbol: "BTCUSDT".into(),
        id,
        price: d("100"),
        qty: d("1"),
        quote_qty: d("100"),
        time_ms: now_ms(),
        buyer_order_id: id,
        seller_order_id: 10_000 + id,
        buyer_is_maker: false,
    })
}

fn diff(first: u64, last: u64, qty: &str) -> MarketEvent {
    MarketEvent::Depth(DepthDiff {
        symbol: "BTCUSDT".into(),
        first_update_id: first,
        final_update_id: last,
        time_ms: now_ms(),
        bids: vec![(d("99"), d(qty))],
        asks: vec![],
    })
}

#[tokio::test]
async fn subscribe_then_events_flow() {
    let hub = StreamHub::new(MarketState::default());
    let addr = start(hub.clone()).await;
    let mut c = connect(addr, "/ws").await;
    c.send(Message::text(r#"{"method":"SUBSCRIBE","params":["btcusdt@trade","btcusdt@depth@100ms"],"id":1}"#))
        .await
        .unwrap();
    assert_eq!(next_json(&mut c).await, json!({"result": null, "id": 1}));
    hub.publish(vec![trade(1), diff(1, 1, "1")]);
    hub.publish(vec![diff(2, 3, "2")]);
    let t = next_json(&mut c).await;
    assert_eq!((t["e"].clone(), t["t"].clone(), t["s"].clone()), (json!("trade"), json!(1), json!("BTCUSDT")));
    // Diffs arrive merged on the 100 ms clock, contiguous from the first one seen.
    let mut last_u = 0;
    while last_u < 3 {
        let f = next_json(&mut c).await;
        assert_eq!(f["e"], json!("depthUpdate"));
        assert_eq!(f["U"].as_u64().unwrap(), last_u + 1);
        last_u = f["u"].as_u64().unwrap();
    }
    assert_eq!(hub.connections(), 1);
}

#[tokio::test]
async fn combined_streams_are_wrapped_and_shutdown_is_announced() {
    let hub = StreamHub::new(MarketState::default());
    let addr = start(hub.clone()).await;
    let mut c = connect(addr, "/stream?streams=btcusdt@trade/btcusdt@aggTrade").await;
    // Let the server subscribe to the hub before publishing.
    c.send(Message::text(r#"{"method":"LIST_SUBSCRIPTIONS","id":7}"#)).await.unwrap();
    assert_eq!(next_json(&mut c).await, json!({"result": ["btcusdt@trade", "btcusdt@aggTrade"], "id": 7}));
    hub.publish(vec![trade(1)]);
    let a = next_json(&mut c).await;
    let b = next_json(&mut c).await;
    assert_eq!(a["stream"], json!("btcusdt@trade"));
    assert_eq!(a["data"]["e"], json!("trade"));
    assert_eq!(b["stream"], json!("btcusdt@aggTrade"));
    assert_eq!(
        (b["data"]["a"].clone(), b["data"]["f"].clone(), b["data"]["l"].clone()),
        (json!(1), json!(1), json!(1))
    );
    hub.shutdown_notice();
    let s = next_json(&mut c).await;
    assert_eq!(s["stream"], json!("!serverShutdown"));
    assert_eq!(s["data"]["e"], json!("serverShutdown"));
}

#[tokio::test]
async fn six_messages_in_a_second_close_1008() {
    let hub = StreamHub::new(MarketState::default());
    let addr = start(hub).await;
    let mut c = connect(addr, "/ws").await;
    for i in 0..6 {
        c.send(Message::text(format!(r#"{{"method":"LIST_SUBSCRIPTIONS","id":{i}}}"#))).await.unwrap();
    }
    for i in 0..5 {
        assert_eq!(next_json(&mut c).await, json!({"result": [], "id": i}));
    }
    assert_eq!(close_code(&mut c).await, Some(CloseCode::POLICY_VIOLATION));
}

#[tokio::test]
async fn pings_count_toward_the_limit_and_are_answered_with_their_payload() {
    let hub = StreamHub::new(MarketState::default());
    let addr = start(hub).await;
    let mut c = connect(addr, "/ws/btcusdt@trade").await;
    c.send(Message::ping("hello")).await.unwrap();
    let m = timeout(Duration::from_secs(5), c.next()).await.unwrap().unwrap().unwrap();
    assert!(m.is_pong());
    assert_eq!(&m.as_payload()[..], b"hello");
    for _ in 0..5 {
        c.send(Message::ping("x")).await.unwrap();
    }
    assert_eq!(close_code(&mut c).await, Some(CloseCode::POLICY_VIOLATION));
}

#[tokio::test]
async fn invalid_url_is_closed() {
    let hub = StreamHub::new(MarketState::default());
    let addr = start(hub).await;
    let mut c = connect(addr, "/ws/btcusdt@bogus").await;
    assert_eq!(close_code(&mut c).await, Some(CloseCode::POLICY_VIOLATION));
}

#[tokio::test]
async fn silent_client_is_dropped_after_the_pong_timeout() {
    let cfg = StreamServerConfig {
        ping_interval: Duration::from_millis(400),
        pong_timeout: Duration::from_millis(1000),
        ..StreamServerConfig::default()
    };
    let hub = StreamHub::with_config(MarketState::default(), cfg);
    let addr = start(hub).await;
    // A client that keeps reading answers pings by itself (the WebSocket layer queues the pongs).
    let mut live = connect(addr, "/ws").await;
    let mut pings = 0;
    let until = tokio::time::Instant::now() + Duration::from_millis(2500);
    while let Ok(m) = tokio::time::timeout_at(until, live.next()).await {
        let m = m.unwrap().unwrap();
        assert!(!m.is_close(), "a responsive client must stay connected: {:?}", m.as_close());
        pings += usize::from(m.is_ping());
    }
    assert!(pings >= 4, "server pinged {pings} times");
    // A client that does not read never pongs: the server closes it.
    let mut silent = connect(addr, "/ws").await;
    tokio::time::sleep(Duration::from_millis(1800)).await;
    assert_eq!(close_code(&mut silent).await, Some(CloseCode::GOING_AWAY));
}
