//! `bws user-data`: the account's events as they come.

use rust_decimal::Decimal;

use crate::common::*;

fn deposit(ex: &TestSim, key: &str) {
    ex.sim().deposit(key, "USDT", Decimal::from(25)).expect("deposit");
}

#[test]
fn an_hmac_key_subscribes_by_signature_and_sees_a_balance_update() {
    let ex = TestSim::quiet();
    let url = ex.url();
    let run = Running::spawn(&[
        "user-data",
        "--env",
        &url,
        "--api-key",
        DEFAULT_HMAC_API_KEY,
        "--secret-key",
        DEFAULT_HMAC_SECRET,
        "--json",
        "--count",
        "2",
        "--duration",
        "30s",
    ]);
    run.wait_for_stderr("subscribed");
    deposit(&ex, DEFAULT_HMAC_API_KEY);
    let out = run.finish();
    assert_exit(&out, 0);
    let events = json_lines(&out);
    let kinds: Vec<&str> = events.iter().filter_map(|v| v["event"].as_str()).collect();
    assert!(kinds.contains(&"balanceUpdate") && kinds.contains(&"outboundAccountPosition"), "{events:?}");
    let update = events.iter().find(|v| v["event"] == "balanceUpdate").unwrap();
    assert_eq!((update["asset"].as_str(), update["delta"].as_str()), (Some("USDT"), Some("25.00000000")), "{update}");
}

#[test]
fn an_ed25519_key_logs_on_and_sees_its_order() {
    let ex = TestSim::quiet();
    let url = ex.url();
    let dir = tempfile::tempdir().unwrap();
    let pem = dir.path().join("key.pem");
    std::fs::write(&pem, DEFAULT_ED25519_PRIVATE_PEM).unwrap();
    let pem = pem.to_str().unwrap();
    let run = Running::spawn(&[
        "user-data",
        "--env",
        &url,
        "--api-key",
        DEFAULT_ED25519_API_KEY,
        "--private-key",
        pem,
        "--count",
        "2",
        "--duration",
        "30s",
    ]);
    run.wait_for_stderr("subscribed");
    let placed = bws(&[
        "order",
        "place",
        "BTCUSDT",
        "BUY",
        "LIMIT",
        "--qty",
        "0.001",
        "--price",
        "30000",
        "--env",
        &url,
        "--api-key",
        DEFAULT_ED25519_API_KEY,
        "--private-key",
        pem,
    ]);
    assert_exit(&placed, 0);
    let out = run.finish();
    assert_exit(&out, 0);
    let text = stdout(&out);
    let report = text.lines().find(|l| l.contains("executionReport")).unwrap_or_else(|| panic!("{text}"));
    for field in ["symbol=BTCUSDT", "side=BUY", "status=NEW", "price=30000.00000000"] {
        assert!(report.contains(field), "{field} in {report}");
    }
}

#[test]
fn without_a_key_it_fails_at_once() {
    let ex = TestSim::quiet();
    let out = bws(&["user-data", "--env", &ex.url()]);
    assert_exit(&out, 1);
    assert!(stderr(&out).starts_with("error: `bws user-data` needs an API key"), "{}", stderr(&out));
}

/// `--market usdm`: a listen key, then the account's order updates, typed.
#[test]
fn usdm_user_data_shows_an_orders_updates() {
    let ex = TestSim::quiet();
    let url = ex.url();
    let keys = ["--env", &url, "--api-key", DEFAULT_HMAC_API_KEY, "--secret-key", DEFAULT_HMAC_SECRET];
    let mut args = vec!["user-data", "--market", "usdm", "--json", "--count", "2", "--duration", "30s"];
    args.extend(keys);
    let run = Running::spawn(&args);
    run.wait_for_stderr("waiting for account events");
    let mut place =
        vec!["order", "place", "BTCUSDT", "BUY", "LIMIT", "--market", "usdm", "--qty", "0.010", "--price", "50000.0"];
    place.extend(["--client-id", "ud-1"]);
    place.extend(keys);
    assert_exit(&bws(&place), 0);
    let mut cancel = vec!["order", "cancel", "BTCUSDT", "--client-id", "ud-1", "--market", "usdm"];
    cancel.extend(keys);
    assert_exit(&bws(&cancel), 0);
    let out = run.finish();
    assert_exit(&out, 0);
    let events: Vec<serde_json::Value> = json_lines(&out).into_iter().filter(|v| v["notice"] != true).collect();
    let updates: Vec<(&str, &str)> = events
        .iter()
        .filter(|v| v["event"] == "ORDER_TRADE_UPDATE")
        .map(|v| (v["exec"].as_str().unwrap(), v["clientId"].as_str().unwrap()))
        .collect();
    assert_eq!(updates, [("NEW", "ud-1"), ("CANCELED", "ud-1")], "{events:?}");
    assert_eq!(events[0]["source"], "usdm userData");
    // Exact decimals as the exchange sent them, compared by value.
    assert_eq!(events[0]["price"].as_str().unwrap().parse::<Decimal>().unwrap(), Decimal::from(50000), "{events:?}");
}

/// `--market coinm`: a deposit shows as ACCOUNT_UPDATE with its reason and wallet.
#[test]
fn coinm_user_data_shows_a_deposit() {
    let ex = TestSim::quiet();
    let url = ex.url();
    let run = Running::spawn(&[
        "user-data",
        "--market",
        "coinm",
        "--count",
        "1",
        "--duration",
        "30s",
        "--env",
        &url,
        "--api-key",
        DEFAULT_HMAC_API_KEY,
        "--secret-key",
        DEFAULT_HMAC_SECRET,
    ]);
    run.wait_for_stderr("waiting for account events");
    ex.sim()
        .futures_deposit(binance_ws_sim::futures::Product::CoinM, DEFAULT_HMAC_API_KEY, "BTC", Decimal::ONE)
        .expect("deposit");
    let out = run.finish();
    assert_exit(&out, 0);
    let text = stdout(&out);
    let line = text.lines().find(|l| l.contains("ACCOUNT_UPDATE")).unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("reason=DEPOSIT") && line.contains("BTC:11"), "{line}");
}

/// A dropped connection: the spot subscription is restored by itself and the gap is shown as a notice before
/// the next event.
#[test]
fn a_reconnect_shows_as_a_missed_events_notice() {
    let ex = TestSim::quiet();
    let url = ex.url();
    let run = Running::spawn(&[
        "user-data",
        "--env",
        &url,
        "--api-key",
        DEFAULT_HMAC_API_KEY,
        "--secret-key",
        DEFAULT_HMAC_SECRET,
        "--json",
        "--count",
        "1",
        "--duration",
        "30s",
    ]);
    run.wait_for_stderr("subscribed");
    ex.sim().inject(binance_ws_sim::ConnFault::Drop);
    // Wait until the API connection is really gone (faults reach the connections asynchronously).
    wait_for_fault(&ex, "dropped");
    // Deposits made while the connection is down are missed; the first one after the subscription is back
    // ends the command (--count 1).
    let mut run = run;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while run.is_running() && std::time::Instant::now() < deadline {
        deposit(&ex, DEFAULT_HMAC_API_KEY);
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    let out = run.finish();
    assert_exit(&out, 0);
    let lines = json_lines(&out);
    let missed = lines.iter().find(|v| v["notice"] == true && v["event"] == "missed");
    let missed = missed.unwrap_or_else(|| panic!("no missed-events notice in {lines:?}"));
    assert_eq!(missed["cause"], "reconnected", "{missed}");
    assert!(missed["until"].as_u64() >= missed["from"].as_u64(), "{missed}");
}

#[test]
fn futures_user_data_without_a_key_fails_at_once() {
    let ex = TestSim::quiet();
    let out = bws(&["user-data", "--market", "coinm", "--env", &ex.url()]);
    assert_exit(&out, 1);
    assert!(stderr(&out).starts_with("error: `bws user-data` needs an API key"), "{}", stderr(&out));
    assert_exit(&bws(&["user-data", "--market", "options"]), 2);
}

/// Waits until the exchange's fault log shows `what` done to a connection.
fn wait_for_fault(ex: &TestSim, what: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !ex.sim().faults().log().iter().any(|r| r.connection != 0 && r.what == what) {
        assert!(std::time::Instant::now() < deadline, "no connection {what}");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// `serverShutdown`: the API connection is replaced by a new one that overlaps it, and the subscription moves
/// with it without a gap: a `moved` notice, not a `missed` one.
#[test]
fn a_connection_rotation_shows_as_a_moved_notice() {
    let ex = TestSim::quiet();
    let url = ex.url();
    let keys = ["--env", &url, "--api-key", DEFAULT_HMAC_API_KEY, "--secret-key", DEFAULT_HMAC_SECRET];
    let mut args = vec!["user-data", "--json", "--count", "40", "--duration", "30s"];
    args.extend(keys);
    let mut run = Running::spawn(&args);
    run.wait_for_stderr("subscribed");
    ex.sim().inject(binance_ws_sim::ConnFault::ServerShutdown);
    wait_for_fault(&ex, "sent serverShutdown");
    // Two events a deposit: the command ends after 20 of them, seconds after the rotation.
    while run.is_running() {
        deposit(&ex, DEFAULT_HMAC_API_KEY);
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    let out = run.finish();
    assert_exit(&out, 0);
    let lines = json_lines(&out);
    let moved = lines.iter().find(|v| v["notice"] == true && v["event"] == "moved");
    let moved = moved.unwrap_or_else(|| panic!("no moved notice in {lines:?}"));
    assert!(moved["subscriptionId"].as_u64().is_some(), "{moved}");
    assert!(!lines.iter().any(|v| v["event"] == "missed"), "a rotation loses nothing: {lines:?}");
}

/// A dropped futures stream: reconnected by itself, with notices saying so and from when events may be missing.
#[test]
fn a_dropped_futures_stream_shows_disconnected_and_missed_notices() {
    let ex = TestSim::quiet();
    let url = ex.url();
    let keys = ["--env", &url, "--api-key", DEFAULT_HMAC_API_KEY, "--secret-key", DEFAULT_HMAC_SECRET];
    let mut args = vec!["user-data", "--market", "usdm", "--json", "--count", "1", "--duration", "30s"];
    args.extend(keys);
    let mut run = Running::spawn(&args);
    run.wait_for_stderr("waiting for account events");
    // Aimed at the listenKey stream itself: a drop sent to every connection could cut the API connection first
    // and let a deposit's event out on the stream before the stream's own drop (seen once in CI).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let stream = loop {
        let live = ex.sim().faults().live_connections();
        if let Some(c) = live.iter().find(|c| c.kind == binance_ws_sim::faults::ConnKind::Stream) {
            break c.id;
        }
        assert!(std::time::Instant::now() < deadline, "the user data stream never connected: {live:?}");
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    ex.sim().inject_into(stream, binance_ws_sim::ConnFault::Drop);
    while !ex.sim().faults().log().iter().any(|r| r.connection == stream && r.what == "dropped") {
        assert!(std::time::Instant::now() < deadline, "the user data stream was not dropped");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let usdm = binance_ws_sim::futures::Product::UsdM;
    while run.is_running() {
        ex.sim().futures_deposit(usdm, DEFAULT_HMAC_API_KEY, "USDT", Decimal::ONE).expect("deposit");
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    let out = run.finish();
    assert_exit(&out, 0);
    let lines = json_lines(&out);
    let notices: Vec<&str> = lines.iter().filter(|v| v["notice"] == true).filter_map(|v| v["event"].as_str()).collect();
    assert!(notices.contains(&"disconnected") && notices.contains(&"missed"), "{lines:?}");
    let last = lines.last().unwrap();
    assert_eq!(
        (last["event"].as_str(), last["reason"].as_str()),
        (Some("ACCOUNT_UPDATE"), Some("DEPOSIT")),
        "{lines:?}"
    );
}
