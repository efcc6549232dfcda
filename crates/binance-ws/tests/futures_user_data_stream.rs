//! The futures user data stream over real sockets, against a scripted server that plays both the
//! WebSocket API (`/ws-fapi/v1`, `/ws-dapi/v1`: listen key start and ping) and the event stream
//! (`/fstream/private/ws?listenKey=`, `/dstream/ws/<key>`): keepalive pings keep coming at the configured
//! interval, `listenKeyExpired` and a vanished key lead to a new key and connection, a dropped connection
//! is restored, and every gap is reported as `EventsMayBeMissing`.

mod futures_common;

use std::sync::Arc;
use std::time::Duration;

use binance_ws::user_data::futures::{Notice, UserDataConfig, UserDataStream, UserEvent};
use binance_ws::{coinm, usdm, Credentials, Env};
use futures::StreamExt;
use futures_common::{api_loop, count, send_json, serve, Log};
use parking_lot::Mutex;
use serde_json::{json, Value};
use tokio::sync::mpsc;

/// What the test tells the newest stream connection to do.
enum Cmd {
    Send(Value),
    Drop,
}

#[derive(Default)]
struct State {
    /// The key `userDataStream.start` hands out.
    key: String,
    /// `userDataStream.ping` answers -1125 while set.
    key_gone: bool,
    /// Paths of the stream connections, in order.
    paths: Vec<String>,
    /// The newest stream connection.
    stream: Option<mpsc::UnboundedSender<Cmd>>,
}

struct Server {
    base: String,
    state: Arc<Mutex<State>>,
    log: Log,
}

impl Server {
    async fn start() -> Server {
        let state = Arc::new(Mutex::new(State { key: "key-1".into(), ..Default::default() }));
        let log: Log = Arc::default();
        let (st, lg) = (state.clone(), log.clone());
        let base = serve(move |path, mut ws| {
            let (state, log) = (st.clone(), lg.clone());
            async move {
                if path.starts_with("/ws-fapi/v1") || path.starts_with("/ws-dapi/v1") {
                    let answer = |method: &str, _: &Value| {
                        let s = state.lock();
                        match method {
                            "userDataStream.start" => Ok(json!({"listenKey": s.key})),
                            "userDataStream.ping" if s.key_gone => {
                                Err((400, -1125, "This listenKey does not exist.".to_string()))
                            }
                            "userDataStream.ping" => Ok(json!({"listenKey": s.key})),
                            "userDataStream.stop" => Ok(json!({})),
                            other => Err((400, -1020, format!("not scripted: {other}"))),
                        }
                    };
                    return api_loop(ws, log, answer).await;
                }
                let (tx, mut rx) = mpsc::unbounded_channel();
                {
                    let mut s = state.lock();
                    s.paths.push(path);
                    s.stream = Some(tx);
                }
                while let Some(cmd) = rx.recv().await {
                    match cmd {
                        Cmd::Send(v) => {
                            if !send_json(&mut ws, &v).await {
                                return;
                            }
                        }
                        Cmd::Drop => return,
                    }
                }
            }
        })
        .await;
        Server { base, state, log }
    }

    fn paths(&self) -> Vec<String> {
        self.state.lock().paths.clone()
    }

    fn to_stream(&self, cmd: Cmd) {
        let tx = self.state.lock().stream.clone().expect("a stream connection");
        let _ = tx.send(cmd);
    }

    /// Waits until `n` stream connections were made.
    async fn wait_connections(&self, n: usize) {
        wait_until(|| self.paths().len() >= n).await;
    }
}

async fn wait_until(mut cond: impl FnMut() -> bool) {
    tokio::time::timeout(Duration::from_secs(10), async {
        while !cond() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("condition met in time");
}

fn fast(keepalive: Duration) -> UserDataConfig {
    let mut c = UserDataConfig {
        keepalive_interval: keepalive,
        retry_interval: Duration::from_millis(50),
        ..Default::default()
    };
    c.transport.backoff_floor = Duration::from_millis(20);
    c.transport.backoff_ceiling = Duration::from_millis(100);
    c
}

/// The next event that `want` accepts (others are collected), within a generous bound.
async fn next_where(
    events: &mut UserDataStream,
    seen: &mut Vec<UserEvent>,
    want: impl Fn(&UserEvent) -> bool,
) -> UserEvent {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let ev = events.next().await.expect("the stream goes on");
            if want(&ev) {
                return ev;
            }
            seen.push(ev);
        }
    })
    .await
    .unwrap_or_else(|_| panic!("event not seen in time; saw {seen:?}"))
}

fn order_update(id: u64) -> Value {
    json!({"e": "ORDER_TRADE_UPDATE", "E": 1568879465651u64, "T": 1568879465650u64, "o": {
        "s": "BTCUSDT", "c": "myOrder1", "S": "SELL", "o": "LIMIT", "f": "GTC", "q": "0.001", "p": "9000", "ap": "0",
        "sp": "0", "x": "NEW", "X": "NEW", "i": id, "l": "0", "z": "0", "L": "0", "T": 1568879465651u64, "t": 0,
        "b": "0", "a": "9.91", "m": false, "R": false, "wt": "CONTRACT_PRICE", "ot": "LIMIT", "ps": "BOTH",
        "cp": false, "rp": "0", "pP": false, "si": 0, "ss": 0, "V": "NONE", "pm": "NONE", "gtd": 0}})
}

async fn usdm_stream(server: &Server, config: UserDataConfig) -> (usdm::Api, UserDataStream) {
    let api = usdm::Api::connect(&Env::Local(server.base.clone()), Some(Credentials::hmac("the-key", "secret")))
        .await
        .expect("API connects");
    let events = api.user_data_with(config).await.expect("user data starts");
    (api, events)
}

#[tokio::test]
async fn keepalive_pings_follow_the_configured_interval_with_the_api_key() {
    let server = Server::start().await;
    let (_api, mut events) = usdm_stream(&server, fast(Duration::from_millis(100))).await;
    assert_eq!(server.paths(), ["/fstream/private/ws?listenKey=key-1"], "USDⓈ-M private route under /fstream");
    let first = events.next().await.unwrap();
    assert_eq!(first, UserEvent::Notice(Notice::Connected { reconnects: 0 }));
    wait_until(|| count(&server.log, "userDataStream.ping") >= 3).await;
    for (method, params) in server.log.lock().iter().filter(|(m, _)| m.starts_with("userDataStream.")) {
        assert_eq!(params, &json!({"apiKey": "the-key"}), "{method} carries the API key and nothing else");
    }
    assert_eq!(count(&server.log, "userDataStream.start"), 1);
    assert_eq!(server.paths().len(), 1, "keepalives do not reconnect");
    assert!(!format!("{events:?}").contains("key-1"), "Debug hides the listen key");
}

#[tokio::test]
async fn listen_key_expired_renews_the_key_and_reports_the_gap() {
    let server = Server::start().await;
    let (_api, mut events) = usdm_stream(&server, fast(Duration::from_secs(3600))).await;
    let mut seen = Vec::new();
    server.to_stream(Cmd::Send(order_update(1)));
    next_where(&mut events, &mut seen, |e| matches!(e, UserEvent::OrderTradeUpdate(u) if u.order.order_id == 1)).await;

    server.state.lock().key = "key-2".into();
    server.to_stream(Cmd::Send(json!({"e": "listenKeyExpired", "E": "1576653824250", "listenKey": "key-1"})));
    next_where(&mut events, &mut seen, |e| matches!(e, UserEvent::ListenKeyExpired(k) if k.listen_key == "key-1"))
        .await;
    next_where(&mut events, &mut seen, |e| matches!(e, UserEvent::Notice(Notice::ListenKeyRenewed { .. }))).await;
    let gap =
        next_where(&mut events, &mut seen, |e| matches!(e, UserEvent::Notice(Notice::EventsMayBeMissing { .. }))).await;
    let UserEvent::Notice(Notice::EventsMayBeMissing { reason, since_ms, .. }) = gap else { unreachable!() };
    assert!(reason.contains("new listen key"), "{reason}");
    assert!(since_ms > 0);
    server.wait_connections(2).await;
    assert_eq!(server.paths()[1], "/fstream/private/ws?listenKey=key-2");
    assert_eq!(count(&server.log, "userDataStream.start"), 2);

    server.to_stream(Cmd::Send(order_update(2)));
    next_where(&mut events, &mut seen, |e| matches!(e, UserEvent::OrderTradeUpdate(u) if u.order.order_id == 2)).await;
}

#[tokio::test]
async fn a_dropped_connection_is_restored_and_the_gap_reported() {
    let server = Server::start().await;
    let (_api, mut events) = usdm_stream(&server, fast(Duration::from_secs(3600))).await;
    let mut seen = Vec::new();
    next_where(&mut events, &mut seen, |e| matches!(e, UserEvent::Notice(Notice::Connected { reconnects: 0 }))).await;
    server.to_stream(Cmd::Drop);
    next_where(&mut events, &mut seen, |e| matches!(e, UserEvent::Notice(Notice::Disconnected { .. }))).await;
    next_where(&mut events, &mut seen, |e| matches!(e, UserEvent::Notice(Notice::Connected { reconnects: 1 }))).await;
    let gap =
        next_where(&mut events, &mut seen, |e| matches!(e, UserEvent::Notice(Notice::EventsMayBeMissing { .. }))).await;
    assert!(matches!(gap, UserEvent::Notice(Notice::EventsMayBeMissing { down_for: Some(_), .. })), "{gap:?}");
    server.wait_connections(2).await;
    assert_eq!(server.paths()[1], server.paths()[0], "same key, same URL");
    server.to_stream(Cmd::Send(order_update(3)));
    next_where(&mut events, &mut seen, |e| matches!(e, UserEvent::OrderTradeUpdate(u) if u.order.order_id == 3)).await;
    // Something that is not an event is reported and skipped; the stream goes on.
    server.to_stream(Cmd::Send(json!({"E": 1})));
    next_where(&mut events, &mut seen, |e| matches!(e, UserEvent::Notice(Notice::Malformed { .. }))).await;
    server.to_stream(Cmd::Send(json!({"e": "STRATEGY_UPDATE", "E": 1, "T": 2, "su": {}})));
    let raw = next_where(&mut events, &mut seen, |e| matches!(e, UserEvent::Unknown { .. })).await;
    assert!(matches!(raw, UserEvent::Unknown { ref event_type, .. } if event_type == "STRATEGY_UPDATE"));
}

#[tokio::test]
async fn a_keepalive_for_a_vanished_key_gets_a_new_one_and_coinm_uses_the_legacy_path() {
    let server = Server::start().await;
    let api = coinm::Api::connect(&Env::Local(server.base.clone()), Some(Credentials::hmac("the-key", "secret")))
        .await
        .unwrap();
    let mut events = api.user_data_with(fast(Duration::from_millis(100))).await.unwrap();
    assert_eq!(server.paths(), ["/dstream/ws/key-1"], "COIN-M: /ws/<listenKey> under /dstream");
    {
        let mut s = server.state.lock();
        s.key_gone = true;
        s.key = "key-2".into();
    }
    let mut seen = Vec::new();
    next_where(
        &mut events,
        &mut seen,
        |e| matches!(e, UserEvent::Notice(Notice::KeepaliveFailed { error }) if error.contains("-1125")),
    )
    .await;
    server.state.lock().key_gone = false;
    next_where(&mut events, &mut seen, |e| matches!(e, UserEvent::Notice(Notice::ListenKeyRenewed { .. }))).await;
    next_where(&mut events, &mut seen, |e| matches!(e, UserEvent::Notice(Notice::EventsMayBeMissing { .. }))).await;
    server.wait_connections(2).await;
    assert_eq!(server.paths()[1], "/dstream/ws/key-2");
    events.stop().await.expect("userDataStream.stop answered");
    assert_eq!(count(&server.log, "userDataStream.stop"), 1);
}
