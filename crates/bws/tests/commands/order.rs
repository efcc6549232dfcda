//! `bws order`: refused orders are never sent; accepted ones show the exchange's answer.

use crate::common::*;

fn hmac<'a>(url: &'a str, args: &[&'a str]) -> Vec<&'a str> {
    let mut v = args.to_vec();
    v.extend(["--env", url, "--api-key", DEFAULT_HMAC_API_KEY, "--secret-key", DEFAULT_HMAC_SECRET]);
    v
}

/// A price well under the seeded book, so the order rests.
const LOW: &str = "30000.00";

#[test]
fn place_status_open_and_cancel_an_order() {
    let ex = TestSim::quiet();
    let url = ex.url();
    let out = bws(&hmac(&url, &["order", "place", "BTCUSDT", "buy", "limit", "--qty", "0.001", "--price", LOW]));
    assert_exit(&out, 0);
    let open = ex.sim().open_orders(DEFAULT_HMAC_API_KEY).unwrap();
    assert_eq!(open.len(), 1, "the order reached the exchange");
    let id = open[0].order_id.to_string();
    let text = stdout(&out);
    assert!(text.contains(&format!("order {id} ")) && text.contains("NEW"), "{text}");
    assert!(text.contains("BUY LIMIT price 30000.00000000 qty 0.00100000"), "{text}");

    let out = bws(&hmac(&url, &["order", "status", "BTCUSDT", &id, "--json"]));
    assert_exit(&out, 0);
    let v = &json_lines(&out)[0];
    assert_eq!((v["orderId"].to_string(), v["status"].as_str()), (id.clone(), Some("NEW")), "{v}");

    let out = bws(&hmac(&url, &["order", "open"]));
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.starts_with("ORDER ID") && text.contains(&id) && text.contains("30000.00000000"), "{text}");

    let out = bws(&hmac(&url, &["order", "cancel", "BTCUSDT", &id]));
    assert_exit(&out, 0);
    assert!(
        stdout(&out).contains(&format!("canceled order {id}")) && stdout(&out).contains("CANCELED"),
        "{}",
        stdout(&out)
    );
    assert!(ex.sim().open_orders(DEFAULT_HMAC_API_KEY).unwrap().is_empty());
}

#[test]
fn an_order_breaking_a_filter_is_refused_and_never_sent() {
    let ex = TestSim::quiet();
    let url = ex.url();
    let out =
        bws(&hmac(&url, &["order", "place", "BTCUSDT", "BUY", "LIMIT", "--qty", "0.001", "--price", "30000.005"]));
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(err.starts_with("error: not sent: price 30000.005 is not a multiple of tickSize"), "{err}");
    assert!(err.contains("PRICE_FILTER") && err.contains("hint: nothing was sent"), "{err}");
    assert!(ex.sim().open_orders(DEFAULT_HMAC_API_KEY).unwrap().is_empty());
}

#[test]
fn a_missing_price_is_refused_before_connecting() {
    // The endpoint does not exist: the refusal comes first, so the error is about the order.
    let out = bws(&hmac("ws://127.0.0.1:1", &["order", "place", "BTCUSDT", "BUY", "LIMIT", "--qty", "1"]));
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(err.starts_with("error: not sent: price (not sent) is mandatory for LIMIT orders"), "{err}");
}

#[test]
fn order_test_checks_without_placing() {
    let ex = TestSim::quiet();
    let out = bws(&hmac(
        &ex.url(),
        &["order", "place", "BTCUSDT", "BUY", "LIMIT", "--qty", "0.001", "--price", LOW, "--test"],
    ));
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("order.test accepted BTCUSDT BUY LIMIT"), "{}", stdout(&out));
    assert!(ex.sim().open_orders(DEFAULT_HMAC_API_KEY).unwrap().is_empty());
}

#[test]
fn an_unknown_symbol_fails_with_the_exchanges_code() {
    let ex = TestSim::quiet();
    let out = bws(&hmac(&ex.url(), &["order", "place", "NOPEUSDT", "BUY", "LIMIT", "--qty", "1", "--price", "1"]));
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("code -1121"), "{}", stderr(&out));
}

#[test]
fn an_unknown_order_fails_with_the_exchanges_code() {
    let ex = TestSim::quiet();
    let out = bws(&hmac(&ex.url(), &["order", "cancel", "BTCUSDT", "--client-id", "never-placed"]));
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("code -2011"), "{}", stderr(&out));
}

#[test]
fn without_a_key_nothing_is_sent_and_the_hint_says_how_to_give_one() {
    let ex = TestSim::quiet();
    let out = bws(&["order", "open", "--env", &ex.url()]);
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(err.starts_with("error: `bws order open` needs an API key"), "{err}");
    assert!(err.contains("hint: pass --api-key"), "{err}");
}

#[test]
fn bad_sides_and_types_are_usage_errors() {
    assert_exit(&bws(&["order", "place", "BTCUSDT", "HOLD", "LIMIT"]), 2);
    assert_exit(&bws(&["order", "place", "BTCUSDT", "BUY", "TRAILING"]), 2);
    assert_exit(&bws(&["order", "status", "BTCUSDT"]), 2);
}
