//! The built `bws` binary against the local exchange: success and failure exits.

use std::process::Command;

fn bws(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_bws")).args(args).env("NO_COLOR", "1").output().expect("bws runs")
}

#[test]
fn demo_runs_to_the_end_and_exits_zero() {
    let out = bws(&["demo", "--fast"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "stdout: {stdout}\nstderr: {}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("demo finished"), "{stdout}");
    for expected in [
        "logged on: true",
        "refused before sending",
        "event: executionReport TRADE FILLED",
        "BTCUSDT in sync in",
        "equals the exchange's own book: all",
        "refused before sending: stopPrice (not sent) is mandatory for STOP_MARKET",
        "PRICE_FILTER",
        "LIMIT BUY 0.010 @",
        "event: ORDER_TRADE_UPDATE TRADE FILLED",
        "event: TRADE_LITE BUY",
        "event: ACCOUNT_UPDATE ORDER: position BTCUSDT 0.010",
        "code -1121",
        "one-off blockheight",
        "book tickers",
    ] {
        assert!(stdout.contains(expected), "missing `{expected}` in:\n{stdout}");
    }
}

#[test]
fn api_calls_a_public_method_and_prints_json() {
    let out = bws(&["api", "time", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON value");
    assert!(v["serverTime"].as_u64().is_some(), "{v}");
}

#[test]
fn errors_exit_one_with_a_single_clear_line() {
    let out = bws(&["api", "time", "--env", "nowhere"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("error: unknown --env `nowhere`"), "{stderr}");

    let out = bws(&["api", "no.such.method"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("-1020"));
}

#[test]
fn bad_usage_exits_two() {
    let out = bws(&["no-such-command"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn sim_refuses_a_bad_fault_schedule_with_a_clear_message() {
    let out = bws(&["sim", "--port", "0", "--faults", "every=1s,kinds=explode"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown fault `explode`"));
}
