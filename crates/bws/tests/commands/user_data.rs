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
