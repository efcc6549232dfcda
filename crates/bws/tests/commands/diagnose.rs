//! `bws diagnose`: a line per category, and the number of failures as the exit code.

use crate::common::*;

const CATEGORIES: [&str; 10] = [
    "connection",
    "general",
    "market data",
    "account",
    "trading",
    "user data",
    "streams",
    "order book",
    "futures",
    "DEX",
];

#[test]
fn every_check_passes_on_the_embedded_exchange() {
    let out = bws(&["diagnose"]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    for name in CATEGORIES {
        let mark = if name == "futures" { "- futures" } else { &format!("✔ {name} ") };
        let line = text.lines().find(|l| l.contains(mark)).unwrap_or_else(|| panic!("`{mark}` in\n{text}"));
        if name == "futures" {
            assert!(line.contains("skipped: not yet available"), "{line}");
        }
    }
    assert!(text.contains("placed and canceled on the embedded exchange reported NEW, CANCELED"), "{text}");
    assert!(text.contains("10 checks: 9 passed, 0 failed, 1 skipped"), "{text}");
}

#[test]
fn without_keys_the_keyed_checks_are_skipped_and_say_so() {
    let ex = TestSim::busy();
    let out = bws(&["diagnose", "--json", "--env", &ex.url()]);
    assert_exit(&out, 0);
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 11, "{lines:?}");
    for v in &lines[..10] {
        let name = v["check"].as_str().unwrap();
        let expected = match name {
            "account" | "trading" | "user data" => "skip",
            "futures" => "skip",
            _ => "pass",
        };
        assert_eq!(v["status"], expected, "{v}");
        if expected == "skip" && name != "futures" {
            assert!(v["detail"].as_str().unwrap().contains("needs an API key"), "{v}");
        }
    }
    assert_eq!(lines[10]["failed"], 0);
    assert_eq!(lines[10]["skipped"], 4);
}

#[test]
fn with_an_hmac_key_the_keyed_checks_run_against_any_endpoint() {
    let ex = TestSim::busy();
    let out = bws(&[
        "diagnose",
        "--json",
        "--env",
        &ex.url(),
        "--api-key",
        DEFAULT_HMAC_API_KEY,
        "--secret-key",
        DEFAULT_HMAC_SECRET,
    ]);
    assert_exit(&out, 0);
    let lines = json_lines(&out);
    let status = |name: &str| lines.iter().find(|v| v["check"] == name).map(|v| v["status"].clone());
    for name in ["account", "trading", "user data"] {
        assert_eq!(status(name), Some("pass".into()), "{lines:?}");
    }
    let user = lines.iter().find(|v| v["check"] == "user data").unwrap();
    assert!(user["detail"].as_str().unwrap().contains("subscribed (subscription"), "{user}");
    assert_eq!(lines[10]["passed"], 9);
}

#[test]
fn an_unreachable_endpoint_fails_and_the_exit_code_counts_the_failures() {
    let out = bws(&["diagnose", "--env", "ws://127.0.0.1:1"]);
    let text = stdout(&out);
    let failures = text.lines().filter(|l| l.contains('✘')).count();
    assert!(failures >= 5, "{text}");
    assert_exit(&out, failures as i32);
    let connection = text.lines().find(|l| l.contains("connection")).unwrap();
    assert!(connection.contains("✘") && connection.contains("refused"), "{connection}");
    assert!(text.contains(&format!("{failures} failed")), "{text}");
}

#[test]
fn quiet_diagnose_speaks_through_its_exit_code_only() {
    let out = bws(&["diagnose", "-q", "--env", "ws://127.0.0.1:1"]);
    assert!(out.status.code().unwrap_or(0) >= 5, "{out:?}");
    assert_eq!((stdout(&out).as_str(), stderr(&out).as_str()), ("", ""));
}
