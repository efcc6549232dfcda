//! `bws dex`: the DEX streams served by the local exchange.

use crate::common::*;

#[test]
fn a_one_off_read_prints_the_block_height() {
    let ex = TestSim::quiet();
    let out = bws(&["dex", "blockheight", "--once", "--json", "--env", &ex.url()]);
    assert_exit(&out, 0);
    let v = &json_lines(&out)[0];
    assert_eq!((v["event"].as_str(), v["source"].as_str()), (Some("blockheight"), Some("$all@blockheight")), "{v}");
    assert!(v["height"].as_u64().is_some(), "{v}");
}

#[test]
fn a_long_lived_stream_prints_trades_until_the_count() {
    let ex = TestSim::quiet();
    let out =
        bws(&["dex", "trades", "BNB_BTCB-1DE", "--count", "2", "--json", "--duration", "60s", "--env", &ex.url()]);
    assert_exit(&out, 0);
    let rows = json_lines(&out);
    let trades: Vec<_> = rows.iter().filter(|v| v["event"] == "trade").collect();
    assert!(trades.len() >= 2, "{rows:?}");
    for t in trades {
        assert_eq!(t["source"], "BNB_BTCB-1DE@trades");
        assert!(t["price"].as_str().is_some_and(|p| p.parse::<rust_decimal::Decimal>().is_ok()), "{t}");
    }
    // The connection is reported as a notice, not counted as data.
    assert!(rows.iter().any(|v| v["event"] == "connected" && v["notice"] == true), "{rows:?}");
}

#[test]
fn an_unknown_symbol_ends_with_the_servers_answer() {
    let ex = TestSim::quiet();
    let out = bws(&["dex", "marketDepth", "NOPE_X", "--duration", "30s", "--env", &ex.url()]);
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("the DEX server answered: unknown symbol"), "{}", stderr(&out));
}

#[test]
fn topics_and_their_arguments_are_checked_as_usage() {
    let out = bws(&["dex", "nope"]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("unknown DEX topic `nope`"), "{}", stderr(&out));
    let out = bws(&["dex", "trades"]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("`trades` needs at least one symbol"), "{}", stderr(&out));
    assert_exit(&bws(&["dex", "blockheight", "BNB_BTCB-1DE"]), 2);
}
