//! The WebSocket API engine against the local exchange over real sockets: replies, errors, rate limits,
//! timeouts, dropped connections with requests in flight, reconnects and rotation.

use std::time::Duration;

use binance_ws::api::{ApiClient, ApiConfig, ApiEvent, Params, Security};
use binance_ws::transport::ConnectionEvent;
use binance_ws::{Credentials, Error};
use binance_ws_sim::config::{DEFAULT_HMAC_API_KEY, DEFAULT_HMAC_SECRET};
use binance_ws_sim::{ConnFault, Sim, SimConfig};
use serde_json::{json, Value};

async fn sim_with(config: SimConfig) -> Sim {
    Sim::start(config).await.expect("local exchange starts")
}

fn fast_config() -> ApiConfig {
    let mut c = ApiConfig { request_timeout: Duration::from_secs(3), ..Default::default() };
    c.transport.backoff_floor = Duration::from_millis(20);
    c.transport.backoff_ceiling = Duration::from_millis(100);
    c
}

fn hmac() -> Credentials {
    Credentials::hmac(DEFAULT_HMAC_API_KEY, DEFAULT_HMAC_SECRET)
}

/// Waits for the first connection event matching `want`.
async fn wait_for(events: &mut tokio::sync::broadcast::Receiver<ApiEvent>, want: impl Fn(&ConnectionEvent) -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let ev = tokio::time::timeout_at(deadline, events.recv()).await.expect("event in time").expect("channel open");
        if let ApiEvent::Connection(c) = ev {
            if want(&c) {
                return;
            }
        }
    }
}

#[tokio::test]
async fn time_round_trip_reports_rate_limits() {
    let sim = sim_with(SimConfig::default()).await;
    let api = ApiClient::connect(&sim.api_url(), None, fast_config()).await.unwrap();
    let v: Value = api.call("time", Value::Null, Security::None).await.unwrap();
    let server_time = v["serverTime"].as_u64().expect("serverTime");
    assert!(server_time > 1_600_000_000_000);
    let (count, limit) = api.rate_limits().request_weight().expect("weight reported");
    assert_eq!(limit, 6000);
    assert!(count >= 3, "connect (2) + time (1), got {count}");
    let pong: Value = api.call("ping", json!({}), Security::None).await.unwrap();
    assert_eq!(pong, json!({}));
}

#[tokio::test]
async fn errors_keep_code_and_message_and_add_a_hint() {
    let sim = sim_with(SimConfig::default()).await;
    let api = ApiClient::connect(&sim.api_url(), None, fast_config()).await.unwrap();
    let err = api.call("no.such.method", Value::Null, Security::None).await.unwrap_err();
    assert_eq!(err.code(), Some(-1020), "{err}");
    let err = api.call("time", json!([1]), Security::None).await.unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err}");
    let err = api.call("session.logon", Value::Null, Security::Signed).await.unwrap_err();
    assert!(matches!(err, Error::NoCredentials { .. }), "{err}");
}

#[tokio::test]
async fn bad_signature_and_stale_timestamp_are_refused_with_binance_codes() {
    let sim = sim_with(SimConfig::default()).await;
    let wrong = Credentials::hmac(DEFAULT_HMAC_API_KEY, "not-the-secret");
    let api = ApiClient::connect(&sim.api_url(), Some(wrong), fast_config()).await.unwrap();
    let err = api.call("session.logon", Value::Null, Security::Signed).await.unwrap_err();
    assert_eq!(err.code(), Some(-1022), "{err}");
    assert!(err.to_string().contains("hint"), "{err}");

    // The right key, but the exchange's clock runs 20 s ahead of ours after we synced.
    let api = ApiClient::connect(&sim.api_url(), Some(hmac()), fast_config()).await.unwrap();
    sim.clock().set_skew_ms(20_000);
    let err = api.call("session.logon", Value::Null, Security::Signed).await.unwrap_err();
    assert_eq!(err.code(), Some(-1021), "{err}");
    // Resyncing the clock fixes it: the request now passes the timestamp check (and fails only because
    // HMAC keys cannot log on).
    let offset = api.sync_time().await.unwrap();
    assert!((19_000..21_000).contains(&offset), "offset {offset}");
    let err = api.call("session.logon", Value::Null, Security::Signed).await.unwrap_err();
    assert_eq!(err.code(), Some(-1020), "{err}");
}

#[tokio::test]
async fn over_the_weight_limit_is_429_and_then_the_client_refuses_to_send() {
    let sim = sim_with(SimConfig { weight_per_minute: 10, ..Default::default() }).await;
    let api = ApiClient::connect(&sim.api_url(), None, fast_config()).await.unwrap();
    let mut saw_429 = None;
    for _ in 0..20 {
        match api.call("time", Value::Null, Security::None).await {
            Ok(_) => continue,
            Err(e) => {
                saw_429 = Some(e);
                break;
            }
        }
    }
    let err = saw_429.expect("the limit was hit");
    match &err {
        Error::Api(e) => {
            assert_eq!((e.status, e.code), (429, -1003));
            assert!(e.retry_after_ms.is_some());
        }
        other => panic!("expected a 429, got {other}"),
    }
    // Now the client itself refuses, without sending anything.
    let err = api.call("time", Value::Null, Security::None).await.unwrap_err();
    assert!(matches!(err, Error::RateLimited { .. }), "{err}");
}

#[tokio::test]
async fn a_dropped_connection_fails_requests_in_flight_and_never_resends_orders() {
    let sim = sim_with(SimConfig::default()).await;
    let api = ApiClient::connect(&sim.api_url(), Some(hmac()), fast_config()).await.unwrap();
    let mut events = api.events();
    sim.faults().delay_replies(Duration::from_millis(300));
    let read = tokio::spawn({
        let api = api.clone();
        async move { api.call("time", Value::Null, Security::None).await }
    });
    let order = tokio::spawn({
        let api = api.clone();
        async move {
            let params: Params = serde_json::from_value(json!({
                "symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
                "price": "10000", "quantity": "0.01", "newClientOrderId": "my-order-1"
            }))
            .unwrap();
            api.request::<Value>("order.place", params, Security::Signed).await
        }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    sim.faults().inject(ConnFault::Drop);
    match read.await.unwrap() {
        Err(Error::ConnectionLost { method }) => assert_eq!(method, "time"),
        other => panic!("expected ConnectionLost, got {other:?}"),
    }
    match order.await.unwrap() {
        Err(Error::ExecutionUnknown { method, client_order_id, .. }) => {
            assert_eq!(method, "order.place");
            assert_eq!(client_order_id.as_deref(), Some("my-order-1"));
        }
        other => panic!("expected ExecutionUnknown, got {other:?}"),
    }
    sim.faults().delay_replies(Duration::ZERO);
    wait_for(&mut events, |e| matches!(e, ConnectionEvent::Connected { generation: 1, .. })).await;
    // The client is usable again after the automatic reconnect.
    api.call("time", Value::Null, Security::None).await.unwrap();
    let log = sim.faults().log();
    assert!(log.iter().any(|r| r.what == "dropped"), "{log:?}");
}

#[tokio::test]
async fn timeouts_fail_the_request_and_a_late_reply_is_ignored() {
    let sim = sim_with(SimConfig::default()).await;
    let config = ApiConfig { request_timeout: Duration::from_millis(150), ..fast_config() };
    let api = ApiClient::connect(&sim.api_url(), None, config).await.unwrap();
    sim.faults().delay_replies(Duration::from_millis(400));
    let err = api.call("time", Value::Null, Security::None).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { may_have_executed: false, .. }), "{err}");
    sim.faults().delay_replies(Duration::ZERO);
    tokio::time::sleep(Duration::from_millis(500)).await;
    api.call("time", Value::Null, Security::None).await.unwrap();
}

#[tokio::test]
async fn server_shutdown_rotates_to_a_new_connection_without_failing_requests() {
    let sim = sim_with(SimConfig::default()).await;
    let api = ApiClient::connect(&sim.api_url(), None, fast_config()).await.unwrap();
    let mut events = api.events();
    sim.faults().inject(ConnFault::ServerShutdown);
    wait_for(&mut events, |e| matches!(e, ConnectionEvent::Rotated { .. })).await;
    for _ in 0..5 {
        api.call("time", Value::Null, Security::None).await.unwrap();
    }
}

#[tokio::test]
async fn a_stalled_connection_is_replaced() {
    let sim = sim_with(SimConfig::default()).await;
    let mut config = fast_config();
    config.transport.stall_timeout = Duration::from_millis(300);
    config.transport.idle_ping = Duration::from_millis(100);
    let api = ApiClient::connect(&sim.api_url(), None, config).await.unwrap();
    let mut events = api.events();
    sim.faults().inject(ConnFault::Stall(Duration::from_secs(30)));
    wait_for(&mut events, |e| matches!(e, ConnectionEvent::Reconnecting { reason, .. } if reason.contains("stalled")))
        .await;
    wait_for(&mut events, |e| matches!(e, ConnectionEvent::Connected { generation, .. } if *generation > 0)).await;
    api.call("time", Value::Null, Security::None).await.unwrap();
}

#[tokio::test]
async fn fire_and_forget_returns_the_id_and_still_tracks_rate_limits() {
    let sim = sim_with(SimConfig::default()).await;
    let api = ApiClient::connect(&sim.api_url(), None, fast_config()).await.unwrap();
    let a = api.send_no_wait("time", Params::new(), Security::None).await.unwrap();
    let b = api.send_no_wait("time", Params::new(), Security::None).await.unwrap();
    assert!(b > a);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    while api.rate_limits().request_weight().map(|w| w.0).unwrap_or(0) < 4 {
        assert!(tokio::time::Instant::now() < deadline, "replies never counted");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn refused_reconnects_back_off_and_recover() {
    let sim = sim_with(SimConfig::default()).await;
    let api = ApiClient::connect(&sim.api_url(), None, fast_config()).await.unwrap();
    let mut events = api.events();
    sim.faults().refuse_connections(Duration::from_millis(400));
    sim.faults().inject(ConnFault::Drop);
    let mut attempts = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        match tokio::time::timeout_at(deadline, events.recv()).await.expect("in time").unwrap() {
            ApiEvent::Connection(ConnectionEvent::Reconnecting { attempt, .. }) => attempts = attempts.max(attempt),
            ApiEvent::Connection(ConnectionEvent::Connected { generation, .. }) if generation > 0 => break,
            _ => {}
        }
    }
    assert!(attempts >= 2, "expected several refused attempts, saw {attempts}");
    api.call("time", Value::Null, Security::None).await.unwrap();
}

fn ed25519() -> Credentials {
    Credentials::from_pem(
        binance_ws_sim::config::DEFAULT_ED25519_API_KEY,
        binance_ws_sim::config::DEFAULT_ED25519_PRIVATE_PEM,
    )
    .expect("the published Ed25519 test key loads")
}

#[tokio::test]
async fn ed25519_sessions_log_on_by_themselves_and_again_after_a_reconnect() {
    let sim = sim_with(SimConfig::default()).await;
    let api = ApiClient::connect(&sim.api_url(), Some(ed25519()), fast_config()).await.unwrap();
    assert!(api.is_logged_on());
    let status: Value = api.call("session.status", Value::Null, Security::None).await.unwrap();
    assert_eq!(status["apiKey"], binance_ws_sim::config::DEFAULT_ED25519_API_KEY);
    let mut events = api.events();
    sim.faults().inject(ConnFault::Drop);
    wait_for(&mut events, |e| matches!(e, ConnectionEvent::Connected { generation, .. } if *generation > 0)).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    while !api.is_logged_on() {
        assert!(tokio::time::Instant::now() < deadline, "not logged on again after the reconnect");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let status: Value = api.call("session.status", Value::Null, Security::None).await.unwrap();
    assert_eq!(status["apiKey"], binance_ws_sim::config::DEFAULT_ED25519_API_KEY, "the new connection is logged on");
}

#[tokio::test]
async fn rsa_keys_sign_requests_the_exchange_accepts() {
    use binance_ws_sim::config::{AccountConfig, AccountKey};
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let public = std::fs::read_to_string(format!("{fixtures}/test-rsa-public.pem")).unwrap();
    let mut config = SimConfig::default();
    let api_key = "rsaTestKey".repeat(6) + "rsaT";
    config.accounts.push(AccountConfig {
        api_key: api_key.clone(),
        key: AccountKey::PublicPem(public),
        balances: vec![],
    });
    let sim = sim_with(config).await;
    let creds = Credentials::rsa(&api_key, format!("{fixtures}/test-rsa-pkcs8.pem")).unwrap();
    let api = ApiClient::connect(&sim.api_url(), Some(creds), fast_config()).await.unwrap();
    // The signature passes; RSA keys cannot log on, which is the answer we get past the signature check.
    let err = api.call("session.logon", Value::Null, Security::Signed).await.unwrap_err();
    assert_eq!(err.code(), Some(-1020), "{err}");
}

/// A trading request that times out before any connection took it was never written and never will be:
/// its timeout says it cannot have executed, and the exchange never sees it. One that was written and
/// got no reply may have executed.
#[tokio::test]
async fn an_order_that_timed_out_unwritten_did_not_execute_and_is_never_sent() {
    let sim = sim_with(SimConfig { activity: None, ..Default::default() }).await;
    let config = ApiConfig { request_timeout: Duration::from_millis(300), ..fast_config() };
    let api = ApiClient::connect(&sim.api_url(), Some(hmac()), config).await.unwrap();
    let mut events = api.events();
    let order = |id: &str| -> Params {
        serde_json::from_value(json!({
            "symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC",
            "price": "10000", "quantity": "0.01", "newClientOrderId": id
        }))
        .unwrap()
    };

    // Written, then no reply: it may have executed.
    sim.faults().delay_replies(Duration::from_millis(1000));
    let err = api.request::<Value>("order.place", order("written-1"), Security::Signed).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { may_have_executed: true, .. }), "{err}");
    sim.faults().delay_replies(Duration::ZERO);

    // No connection while it waits: never written.
    sim.faults().refuse_connections(Duration::from_millis(1500));
    sim.faults().inject(ConnFault::Drop);
    wait_for(&mut events, |e| matches!(e, ConnectionEvent::Reconnecting { .. })).await;
    let err = api.request::<Value>("order.place", order("unwritten-1"), Security::Signed).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { may_have_executed: false, .. }), "{err}");
    assert!(!err.to_string().contains("may have executed"), "{err}");

    wait_for(&mut events, |e| matches!(e, ConnectionEvent::Connected { generation, .. } if *generation > 0)).await;
    let status = |id: &'static str| {
        let api = api.clone();
        async move {
            let params: Params = serde_json::from_value(json!({"symbol": "BTCUSDT", "origClientOrderId": id})).unwrap();
            api.request::<Value>("order.status", params, Security::Signed).await
        }
    };
    assert!(status("written-1").await.is_ok(), "the written order reached the exchange");
    match status("unwritten-1").await {
        Err(Error::Api(e)) => assert_eq!(e.code, -2013, "{e}"),
        other => panic!("the unwritten order must be unknown to the exchange, got {other:?}"),
    }
}

/// A frame that is not JSON is reported as an event, skipped, and the connection goes on serving requests.
#[tokio::test]
async fn a_malformed_frame_is_reported_and_the_connection_goes_on() {
    let sim = sim_with(SimConfig { activity: None, ..Default::default() }).await;
    let api = ApiClient::connect(&sim.api_url(), None, fast_config()).await.unwrap();
    let mut events = api.events();
    sim.faults().inject(ConnFault::Malformed);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    let (reason, frame) = loop {
        match tokio::time::timeout_at(deadline, events.recv()).await.expect("an event in time").unwrap() {
            ApiEvent::Undecodable { reason, frame } => break (reason, frame),
            ApiEvent::Connection(ConnectionEvent::Connected { generation: 0, .. }) => {}
            ApiEvent::Connection(c) => panic!("the connection must not change: {c:?}"),
            ApiEvent::UserData { .. } => {}
        }
    };
    assert!(!reason.is_empty() && !frame.is_empty(), "{reason} / {frame}");
    assert!(serde_json::from_str::<Value>(&frame).is_err(), "the reported frame is the malformed one: {frame}");
    api.call("time", Value::Null, Security::None).await.unwrap();
}
