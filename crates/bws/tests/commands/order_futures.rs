//! `bws order --market usdm|coinm`: futures orders checked before sending, placed, queried and canceled on the
//! local exchange's futures side; what the futures APIs lack (open orders, order.test) is a usage error.

use binance_ws_sim::futures::Product;

use crate::common::*;

fn keyed<'a>(url: &'a str, market: &'a str, args: &[&'a str]) -> Vec<&'a str> {
    let mut v = args.to_vec();
    v.extend([
        "--market",
        market,
        "--env",
        url,
        "--api-key",
        DEFAULT_HMAC_API_KEY,
        "--secret-key",
        DEFAULT_HMAC_SECRET,
    ]);
    v
}

/// The HMAC account's open futures orders on the exchange.
fn open_orders(ex: &TestSim, product: Product) -> Vec<u64> {
    let account = ex.sim().shared().account_of(DEFAULT_HMAC_API_KEY).expect("the HMAC test account");
    ex.sim().futures(product).read(|e| e.open_orders(account, None).iter().map(|o| o.order_id).collect())
}

#[test]
fn a_usdm_order_is_placed_queried_and_canceled() {
    let ex = TestSim::quiet();
    let url = ex.url();
    let out = bws(&keyed(
        &url,
        "usdm",
        &["order", "place", "BTCUSDT", "BUY", "LIMIT", "--qty", "0.010", "--price", "50000.0"],
    ));
    assert_exit(&out, 0);
    let open = open_orders(&ex, Product::UsdM);
    assert_eq!(open.len(), 1, "the order reached the exchange");
    let id = open[0].to_string();
    let text = stdout(&out);
    assert!(text.contains(&format!("placed order {id} ")) && text.contains("NEW"), "{text}");
    assert!(text.contains("BUY LIMIT GTC BOTH price 50000"), "{text}");
    // Elsewhere than the embedded exchange the symbol's filters are unknown: the output says who checks them.
    assert!(stderr(&out).contains("filters are left to the exchange"), "{}", stderr(&out));

    let out = bws(&keyed(&url, "usdm", &["order", "status", "BTCUSDT", &id, "--json"]));
    assert_exit(&out, 0);
    let v = &json_lines(&out)[0];
    assert_eq!(
        (v["orderId"].to_string(), v["status"].as_str(), v["timeInForce"].as_str()),
        (id.clone(), Some("NEW"), Some("GTC"))
    );

    let out = bws(&keyed(&url, "usdm", &["order", "cancel", "BTCUSDT", &id]));
    assert_exit(&out, 0);
    assert!(
        stdout(&out).contains(&format!("canceled order {id}")) && stdout(&out).contains("CANCELED"),
        "{}",
        stdout(&out)
    );
    assert!(open_orders(&ex, Product::UsdM).is_empty());
}

#[test]
fn a_coinm_order_is_placed_and_canceled_by_client_id() {
    let ex = TestSim::quiet();
    let url = ex.url();
    let place =
        ["order", "place", "btcusd_perp", "BUY", "LIMIT", "--qty", "1", "--price", "50000.0", "--client-id", "bws-1"];
    let out = bws(&keyed(&url, "coinm", &place));
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("(bws-1) on BTCUSD_PERP"), "{}", stdout(&out));
    assert_eq!(open_orders(&ex, Product::CoinM).len(), 1);
    assert!(open_orders(&ex, Product::UsdM).is_empty(), "COIN-M, not USD-M");
    let out = bws(&keyed(&url, "coinm", &["order", "cancel", "BTCUSD_PERP", "--client-id", "bws-1", "--json"]));
    assert_exit(&out, 0);
    assert_eq!(json_lines(&out)[0]["status"], "CANCELED");
    assert!(open_orders(&ex, Product::CoinM).is_empty());
}

#[test]
fn futures_orders_are_checked_before_connecting() {
    // Nothing listens there: each refusal comes before any connection, so the errors are about the orders.
    let nowhere = "ws://127.0.0.1:1";
    let cases: [(&[&str], &str); 5] = [
        (
            &["BTCUSDT", "SELL", "STOP_MARKET", "--close-position"],
            "not sent: stopPrice (not sent) is mandatory for STOP_MARKET",
        ),
        (
            &["BTCUSDT", "SELL", "STOP_MARKET", "--stop-price", "40000", "--close-position", "--qty", "1"],
            "quantity 1 cannot be sent with closePosition=true",
        ),
        (
            &["BTCUSDT", "SELL", "TRAILING_STOP_MARKET", "--qty", "1", "--callback-rate", "20"],
            "callbackRate 20 is out of range",
        ),
        (
            &["BTCUSDT", "BUY", "LIMIT", "--qty", "1", "--price", "50000", "--tif", "GTD"],
            "goodTillDate (not sent) is mandatory",
        ),
        (&["BTCUSDT", "BUY", "LIMIT", "--qty", "1", "--price", "50000", "--good-till-date", "1000"], "now + 600 s"),
    ];
    for (args, expected) in cases {
        let mut all = vec!["order", "place"];
        all.extend(args);
        let out = bws(&keyed(nowhere, "usdm", &all));
        assert_exit(&out, 1);
        let err = stderr(&out);
        assert!(err.starts_with("error: not sent: ") && err.contains(expected), "{expected} in {err}");
        assert!(err.contains("hint: nothing was sent"), "{err}");
    }
}

#[test]
fn on_the_embedded_exchange_futures_filters_are_checked_before_sending() {
    let out = bws(&[
        "order", "place", "BTCUSDT", "BUY", "LIMIT", "--market", "usdm", "--qty", "0.010", "--price", "50000.05",
    ]);
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(err.starts_with("error: not sent: price 50000.05 is not a multiple of tickSize"), "{err}");
    assert!(err.contains("PRICE_FILTER") && err.contains("accepted: 50000.0"), "{err}");
    // A good-till-date order 15 minutes ahead passes every check and rests.
    let out = bws(&[
        "order",
        "place",
        "BTCUSDT",
        "BUY",
        "LIMIT",
        "--market",
        "usdm",
        "--qty",
        "0.010",
        "--price",
        "50000.0",
        "--good-till-date",
        "15m",
    ]);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("BUY LIMIT GTD BOTH price 50000"), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("checked before sending: the LIMIT order's fields and PRICE_FILTER, LOT_SIZE"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn elsewhere_the_exchange_refuses_what_only_the_filters_catch() {
    let ex = TestSim::quiet();
    let out = bws(&keyed(
        &ex.url(),
        "usdm",
        &["order", "place", "BTCUSDT", "BUY", "LIMIT", "--qty", "0.010", "--price", "50000.05"],
    ));
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("code -4014"), "{}", stderr(&out));
    assert!(open_orders(&ex, Product::UsdM).is_empty());
}

#[test]
fn what_the_futures_apis_lack_is_a_usage_error() {
    let ex = TestSim::quiet();
    let url = ex.url();
    let out = bws(&keyed(&url, "usdm", &["order", "open"]));
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("the USD-M futures WebSocket API has no open-orders method"), "{}", stderr(&out));
    let out = bws(&keyed(
        &url,
        "coinm",
        &["order", "place", "BTCUSD_PERP", "BUY", "LIMIT", "--qty", "1", "--price", "1", "--test"],
    ));
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("no order.test"), "{}", stderr(&out));
    let out = bws(&keyed(
        &url,
        "coinm",
        &["order", "place", "BTCUSD_PERP", "BUY", "LIMIT", "--qty", "1", "--price", "1", "--good-till-date", "15m"],
    ));
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("USDⓈ-M only"), "{}", stderr(&out));
    let out = bws(&keyed(&url, "usdm", &["order", "place", "BTCUSDT", "BUY", "STOP_LOSS_LIMIT", "--qty", "1"]));
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("TRAILING_STOP_MARKET"), "{}", stderr(&out));
    let out = bws(&keyed(&url, "usdm", &["order", "place", "BTCUSDT", "BUY", "LIMIT", "--position-side", "UP"]));
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("--position-side: `UP` is not one of BOTH, LONG, SHORT"), "{}", stderr(&out));
    let out = bws(&keyed(&url, "spot", &["order", "place", "BTCUSDT", "BUY", "LIMIT", "--reduce-only"]));
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("--reduce-only only apply to futures orders"), "{}", stderr(&out));
    assert_exit(&bws(&["order", "open", "--market", "margin"]), 2);
    assert!(open_orders(&ex, Product::UsdM).is_empty() && open_orders(&ex, Product::CoinM).is_empty());
}
