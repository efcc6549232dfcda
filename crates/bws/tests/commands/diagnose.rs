//! `bws diagnose`: a line per category, and the number of failures as the exit code.

use crate::common::*;

const CATEGORIES: [&str; 11] = [
    "connection",
    "general",
    "market data",
    "account",
    "trading",
    "user data",
    "streams",
    "order book",
    "USD-M futures",
    "COIN-M futures",
    "DEX",
];

#[test]
fn every_check_passes_on_the_embedded_exchange() {
    let out = bws(&["diagnose"]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    let line = |name: &str| {
        let mark = format!("✔ {name} ");
        text.lines().find(|l| l.contains(&mark)).unwrap_or_else(|| panic!("`{mark}` in\n{text}")).to_string()
    };
    for name in CATEGORIES {
        line(name);
    }
    assert!(text.contains("placed and canceled on the embedded exchange reported NEW, CANCELED"), "{text}");
    let book = line("order book");
    assert!(book.contains("top 20 levels a side equal a fresh depth snapshot"), "{book}");
    for futures in ["USD-M futures", "COIN-M futures"] {
        let l = line(futures);
        for part in [
            "session.status: logged on",
            "placed and canceled: ORDER_TRADE_UPDATE NEW, CANCELED",
            "listen key started, pinged, stopped",
        ] {
            assert!(l.contains(part), "{part} in {l}");
        }
    }
    assert!(line("USD-M futures").contains("BTCUSDT bid"), "{text}");
    assert!(line("COIN-M futures").contains("BTCUSD_PERP mark price"), "{text}");
    assert!(text.contains("11 checks: 11 passed, 0 failed, 0 skipped"), "{text}");
}

#[test]
fn without_keys_the_keyed_checks_are_skipped_and_say_so() {
    let ex = TestSim::busy();
    let out = bws(&["diagnose", "--json", "--env", &ex.url()]);
    assert_exit(&out, 0);
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 12, "{lines:?}");
    for v in &lines[..11] {
        let name = v["check"].as_str().unwrap();
        let expected = match name {
            "account" | "trading" | "user data" => "skip",
            _ => "pass",
        };
        assert_eq!(v["status"], expected, "{v}");
        if expected == "skip" {
            assert!(v["detail"].as_str().unwrap().contains("needs an API key"), "{v}");
        }
        if name.ends_with("futures") {
            let detail = v["detail"].as_str().unwrap();
            assert!(detail.contains("not logged on") && detail.contains("skipped: no API key"), "{v}");
        }
    }
    assert_eq!(lines[11]["failed"], 0);
    assert_eq!(lines[11]["skipped"], 3);
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
    // Not the embedded exchange: the futures checks use the key but place nothing.
    for name in ["USD-M futures", "COIN-M futures"] {
        let v = lines.iter().find(|v| v["check"] == name).unwrap();
        let detail = v["detail"].as_str().unwrap();
        assert!(detail.contains("listen key started, pinged, stopped") && !detail.contains("placed"), "{v}");
    }
    assert_eq!(lines[11]["passed"], 11);
}

#[test]
fn an_unlisted_futures_symbol_fails_that_check_alone() {
    let ex = TestSim::busy();
    let out = bws(&["diagnose", "--json", "--env", &ex.url(), "--usdm-symbol", "NOPEUSDT", "--timeout", "3s"]);
    assert_exit(&out, 1);
    let lines = json_lines(&out);
    let failed: Vec<&serde_json::Value> = lines.iter().filter(|v| v["status"] == "fail").collect();
    assert_eq!(failed.len(), 1, "{lines:?}");
    assert_eq!(failed[0]["check"], "USD-M futures");
    assert!(failed[0]["detail"].as_str().unwrap().starts_with("depth: "), "{}", failed[0]);
    assert_eq!(lines[11]["failed"], 1);
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
