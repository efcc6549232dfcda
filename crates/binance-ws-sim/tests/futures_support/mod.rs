//! Shared by the futures_* tests: a quiet local exchange, a signed futures API client (the raw client of
//! `wsapi_support`), a raw stream client for market and listenKey connections, and order helpers.
#![allow(dead_code)]

use std::time::Duration;

use binance_ws_sim::config::{
    Activity, DEFAULT_ED25519_API_KEY, DEFAULT_ED25519_PRIVATE_PEM, DEFAULT_HMAC_API_KEY, DEFAULT_HMAC_SECRET,
};
use binance_ws_sim::futures::Product;
use binance_ws_sim::{Sim, SimConfig};
use futures::{SinkExt, StreamExt};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_websockets::{ClientBuilder, MaybeTlsStream, Message, WebSocketStream};

use crate::wsapi_support::{Client, Signer};

pub const USDM: Product = Product::UsdM;
pub const COINM: Product = Product::CoinM;

pub fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// A quiet exchange (no simulated traders) with the default accounts.
pub async fn quiet() -> Sim {
    Sim::start(SimConfig { activity: None, ..Default::default() }).await.expect("local exchange starts")
}

/// A quiet exchange with a changed configuration.
pub async fn quiet_with(f: impl FnOnce(&mut SimConfig)) -> Sim {
    let mut cfg = SimConfig { activity: None, ..Default::default() };
    f(&mut cfg);
    Sim::start(cfg).await.expect("local exchange starts")
}

/// The HMAC account's signer (the docs' example key).
pub fn hmac() -> Signer {
    Signer::hmac(DEFAULT_HMAC_API_KEY, DEFAULT_HMAC_SECRET)
}

/// The Ed25519 account's signer.
pub fn ed25519() -> Signer {
    Signer::ed25519(DEFAULT_ED25519_API_KEY, DEFAULT_ED25519_PRIVATE_PEM)
}

/// A futures API connection signing as `signer`.
pub async fn api(sim: &Sim, product: Product, signer: Signer) -> Client {
    Client::with_signer(&sim.futures_api_url(product), signer).await
}

/// The result of a successful reply.
pub fn ok(reply: &Value) -> Value {
    assert_eq!(reply["status"], 200, "expected success, got {reply}");
    reply["result"].clone()
}

/// Asserts an error reply with this status and code.
pub fn err(reply: &Value, status: u64, code: i64) {
    assert_eq!(reply["status"], status, "{reply}");
    assert_eq!(reply["error"]["code"], code, "{reply}");
}

/// order.place with `params`; returns the whole reply.
pub async fn place(c: &mut Client, params: Value) -> Value {
    c.signed("order.place", params).await
}

/// order.place that must succeed; returns its result.
pub async fn placed(c: &mut Client, params: Value) -> Value {
    ok(&place(c, params).await)
}

/// A resting LIMIT GTC order.
pub async fn limit(c: &mut Client, symbol: &str, side: &str, qty: &str, price: &str) -> Value {
    placed(
        c,
        json!({"symbol": symbol, "side": side, "type": "LIMIT", "timeInForce": "GTC", "quantity": qty,
                     "price": price, "newOrderRespType": "RESULT"}),
    )
    .await
}

/// A MARKET order with the final result.
pub async fn market(c: &mut Client, symbol: &str, side: &str, qty: &str) -> Value {
    placed(c, json!({"symbol": symbol, "side": side, "type": "MARKET", "quantity": qty, "newOrderRespType": "RESULT"}))
        .await
}

/// order.status of an order id.
pub async fn status(c: &mut Client, symbol: &str, order_id: &Value) -> Value {
    ok(&c.signed("order.status", json!({"symbol": symbol, "orderId": order_id})).await)
}

/// A raw stream connection.
pub struct StreamClient {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: u64,
}

impl StreamClient {
    pub async fn connect(url: &str) -> StreamClient {
        let (ws, _) = ClientBuilder::new().uri(url).unwrap().connect().await.expect("stream connects");
        StreamClient { ws, next_id: 0 }
    }

    /// The WebSocket handshake for `url` on a TCP connection already open.
    pub async fn handshake_on(tcp: TcpStream, url: &str) -> StreamClient {
        let (ws, _) =
            ClientBuilder::new().uri(url).unwrap().connect_on(MaybeTlsStream::Plain(tcp)).await.expect("handshake");
        StreamClient { ws, next_id: 0 }
    }

    /// The next JSON text frame within `wait`; None on timeout or close.
    pub async fn next(&mut self, wait: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let msg = tokio::time::timeout(left, self.ws.next()).await.ok()??.ok()?;
            if msg.is_close() {
                return None;
            }
            if let Some(t) = msg.as_text() {
                return Some(serde_json::from_str(t).expect("JSON frame"));
            }
        }
    }

    /// The next frame whose `e` (or, for arrays, first element's `e`) is `event`, skipping others.
    pub async fn next_event(&mut self, event: &str, wait: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let v = self.next(left).await?;
            let data = if v.get("data").is_some() { &v["data"] } else { &v };
            let e = if data.is_array() { &data[0]["e"] } else { &data["e"] };
            if e == event {
                return Some(v);
            }
        }
    }

    /// Frames until none arrives for `quiet`.
    pub async fn drain(&mut self, quiet: Duration) -> Vec<Value> {
        let mut out = Vec::new();
        while let Some(v) = self.next(quiet).await {
            out.push(v);
        }
        out
    }

    /// Sends a control message and returns the reply with the same id (other frames are skipped).
    pub async fn control(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut req = json!({"method": method, "id": id});
        if !params.is_null() {
            req["params"] = params;
        }
        self.ws.send(Message::text(req.to_string())).await.expect("sent");
        loop {
            let v = self.next(Duration::from_secs(5)).await.expect("a reply");
            if v["id"] == json!(id) {
                return v;
            }
        }
    }

    /// The next JSON frame, or the close code when the server closes (Err(None) on timeout).
    pub async fn read(&mut self, wait: Duration) -> Result<Value, Option<u16>> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match tokio::time::timeout(left, self.ws.next()).await {
                Err(_) => return Err(None),
                Ok(None) | Ok(Some(Err(_))) => return Err(Some(0)),
                Ok(Some(Ok(m))) if m.is_close() => return Err(m.as_close().map(|(c, _)| c.into())),
                Ok(Some(Ok(m))) => {
                    if let Some(t) = m.as_text() {
                        return Ok(serde_json::from_str(t).expect("JSON frame"));
                    }
                }
            }
        }
    }

    /// Sends a raw text frame.
    pub async fn send(&mut self, text: &str) -> bool {
        self.ws.send(Message::text(text.to_string())).await.is_ok()
    }

    /// Waits for the server to close; returns the close code.
    pub async fn closed(&mut self, wait: Duration) -> Option<u16> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match tokio::time::timeout(left, self.ws.next()).await {
                Err(_) => return None,
                Ok(None) | Ok(Some(Err(_))) => return Some(0),
                Ok(Some(Ok(m))) if m.is_close() => return m.as_close().map(|(c, _)| c.into()),
                Ok(Some(Ok(_))) => {}
            }
        }
    }
}

/// userDataStream.start for the client's key; returns the listenKey.
pub async fn listen_key(c: &mut Client) -> String {
    let key = c.signer.as_ref().expect("signer").api_key().to_string();
    let r = c.request("userDataStream.start", json!({"apiKey": key})).await;
    ok(&r)["listenKey"].as_str().expect("listenKey").to_string()
}

/// A listenKey connection of `product`.
pub async fn user_stream(sim: &Sim, product: Product, key: &str) -> StreamClient {
    StreamClient::connect(&format!("{}/ws/{key}", sim.futures_stream_url(product))).await
}

/// User data events until none arrives for `quiet`, as their `e` and payload.
pub async fn events(s: &mut StreamClient, quiet: Duration) -> Vec<Value> {
    s.drain(quiet).await
}

pub const SHORT: Duration = Duration::from_millis(400);
pub const LONG: Duration = Duration::from_secs(5);

/// A stream name and the schema of its events in the streams spec.
pub type SpecStream = (&'static str, &'static str);

/// The USD-M market streams the local exchange produces, with their events' schemas.
pub const USDM_MARKET_STREAMS: &[SpecStream] = &[
    ("btcusdt@aggTrade", "aggregateTradeEvent"),
    ("btcusdt@markPrice@1s", "markPriceEvent"),
    ("!markPrice@arr@1s", "markPriceEvent"),
    ("btcusdt@kline_1m", "klineEvent"),
    ("btcusdt@miniTicker", "miniTickerEvent"),
    ("btcusdt@ticker", "tickerEvent"),
    ("btcusdt@bookTicker", "bookTickerEvent"),
    ("btcusdt@depth10@100ms", "partialDepthEvent"),
    ("btcusdt@depth@100ms", "diffDepthEvent"),
];

/// The COIN-M market streams the local exchange produces, with their events' schemas.
pub const COINM_MARKET_STREAMS: &[SpecStream] = &[
    ("btcusd_perp@aggTrade", "aggregateTradeEvent"),
    ("btcusd_perp@markPrice@1s", "markPriceEvent"),
    ("btcusd@indexPrice@1s", "indexPriceEvent"),
    ("btcusd_perp@kline_1m", "klineEvent"),
    ("btcusd_perp@markPriceKline_1m", "markPriceKlineEvent"),
    ("btcusd@indexPriceKline_1m", "indexKlineEvent"),
    ("btcusd_perp@miniTicker", "miniTickerEvent"),
    ("btcusd_perp@ticker", "tickerEvent"),
    ("btcusd_perp@bookTicker", "bookTickerEvent"),
    ("btcusd_perp@depth5@100ms", "partialDepthEvent"),
    ("btcusd_perp@depth@100ms", "diffDepthEvent"),
];

/// A local exchange with simulated traders on BTCUSDT, so that every market stream has something to send.
pub async fn busy_sim() -> Sim {
    let activity = Activity { ops_per_sec: 60.0, symbols: vec!["BTCUSDT".into()], traders: 4 };
    Sim::start(SimConfig { activity: Some(activity), ..Default::default() }).await.unwrap()
}

/// Reads one combined connection to `streams` until each has sent a frame (20 s at most; panics naming the
/// silent ones), calling `each(frame, schema, event)` for every event (those of an array frame one by one).
/// Returns the connection for further requests.
pub async fn each_market_event(
    sim: &Sim,
    product: Product,
    streams: &[SpecStream],
    mut each: impl FnMut(&Value, &str, &Value),
) -> StreamClient {
    let names: Vec<&str> = streams.iter().map(|(n, _)| *n).collect();
    let url = format!("{}/stream?streams={}", sim.futures_stream_url(product), names.join("/"));
    let mut s = StreamClient::connect(&url).await;
    let mut seen = std::collections::BTreeSet::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while seen.len() < streams.len() && tokio::time::Instant::now() < deadline {
        let Some(frame) = s.next(Duration::from_secs(5)).await else { break };
        let stream = frame["stream"].as_str().expect("a combined frame").to_string();
        let schema = streams.iter().find(|(n, _)| *n == stream).map(|(_, s)| *s).expect("a subscribed stream");
        match &frame["data"] {
            Value::Array(items) => items.iter().for_each(|i| each(&frame, schema, i)),
            one => each(&frame, schema, one),
        }
        seen.insert(stream);
    }
    let missing: Vec<&&str> = names.iter().filter(|n| !seen.contains(**n)).collect();
    assert!(missing.is_empty(), "{product:?}: no frame from {missing:?}");
    s
}

/// Every frame up to and including the first `event` one (none is skipped, however late a loaded machine
/// delivers it); what came until `wait` ran out if that event never came.
pub async fn frames_until(s: &mut StreamClient, event: &str, wait: Duration) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + wait;
    let mut out = Vec::new();
    while let Some(v) = s.next(deadline.saturating_duration_since(tokio::time::Instant::now())).await {
        let done = v["e"] == event;
        out.push(v);
        if done {
            break;
        }
    }
    out
}

/// One USD-M account's story on a quiet exchange: an order placed, amended and canceled, a fill, a trailing stop,
/// a leverage change, a deposit, a margin call, a liquidation, and at last an expired listenKey. Returns the
/// listenKey stream's events up to and including `listenKeyExpired`, and the liquidation's frame of the
/// `btcusdt@forceOrder` market stream.
pub async fn usdm_account_story(sim: &Sim) -> (Vec<Value>, Option<Value>) {
    sim.set_mark_price(USDM, "BTCUSDT", Some(d("60000"))).unwrap();
    let mut a = api(sim, USDM, hmac()).await;
    let mut b = api(sim, USDM, ed25519()).await;
    let mut s = user_stream(sim, USDM, &listen_key(&mut a).await).await;
    let mut force = StreamClient::connect(&format!("{}/ws/btcusdt@forceOrder", sim.futures_stream_url(USDM))).await;
    sim.futures_deposit(USDM, DEFAULT_HMAC_API_KEY, "USDT", d("-999000")).unwrap();
    let o = limit(&mut a, "BTCUSDT", "BUY", "0.010", "59000").await;
    let amend = json!({"symbol": "BTCUSDT", "orderId": o["orderId"], "side": "BUY", "quantity": "0.020",
                       "price": "59100"});
    ok(&a.signed("order.modify", amend).await);
    ok(&a.signed("order.cancel", json!({"symbol": "BTCUSDT", "orderId": o["orderId"]})).await);
    limit(&mut b, "BTCUSDT", "SELL", "0.300", "60000").await;
    market(&mut a, "BTCUSDT", "BUY", "0.300").await;
    placed(
        &mut a,
        json!({"symbol": "BTCUSDT", "side": "SELL", "type": "TRAILING_STOP_MARKET", "quantity": "0.010",
               "callbackRate": "1", "activationPrice": "61000", "reduceOnly": "true"}),
    )
    .await;
    sim.set_leverage(USDM, DEFAULT_HMAC_API_KEY, "BTCUSDT", 20).unwrap();
    limit(&mut b, "BTCUSDT", "BUY", "1.000", "56000").await;
    sim.set_mark_price(USDM, "BTCUSDT", Some(d("56980"))).unwrap();
    sim.set_mark_price(USDM, "BTCUSDT", Some(d("56700"))).unwrap();
    let mut got = s.drain(SHORT).await;
    sim.clock().set_skew_ms(61 * 60_000);
    got.extend(frames_until(&mut s, "listenKeyExpired", LONG).await);
    sim.clock().set_skew_ms(0);
    (got, force.next_event("forceOrder", LONG).await)
}

/// The streams spec's schema of a USD-M user data event, by its `e`.
pub fn user_event_schema(e: &str) -> &'static str {
    match e {
        "ORDER_TRADE_UPDATE" => "orderTradeUpdateEvent",
        "TRADE_LITE" => "tradeLiteEvent",
        "ACCOUNT_UPDATE" => "accountUpdateEvent",
        "MARGIN_CALL" => "marginCallEvent",
        "ACCOUNT_CONFIG_UPDATE" => "accountConfigUpdateEvent",
        "listenKeyExpired" => "listenKeyExpiredEvent",
        other => panic!("unexpected event {other}"),
    }
}
