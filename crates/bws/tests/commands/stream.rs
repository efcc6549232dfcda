//! `bws stream`.

use rust_decimal::Decimal;

use crate::common::*;

#[test]
fn events_print_as_an_aligned_table_and_stop_at_the_count() {
    let ex = TestSim::busy();
    let out = bws(&[
        "stream",
        "btcusdt@depth20@100ms",
        "btcusdt@bookTicker",
        "--count",
        "3",
        "--duration",
        "60s",
        "--env",
        &ex.url(),
    ]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "a header and three events:\n{text}");
    assert!(lines[0].starts_with("TIME (UTC)") && lines[0].contains("SOURCE") && lines[0].contains("EVENT"), "{text}");
    // The event column starts at the same place on every line.
    let column = lines[0].find("EVENT").unwrap();
    for line in &lines[1..] {
        let rest = &line[column..];
        assert!(rest.starts_with("depth ") || rest.starts_with("bookTicker "), "misaligned: {line}\n{text}");
    }
    assert!(stderr(&out).contains("subscribed to btcusdt@depth20@100ms, btcusdt@bookTicker"), "{}", stderr(&out));
}

#[test]
fn json_lines_carry_the_books_exact_decimals() {
    let ex = TestSim::still();
    let out =
        bws(&["stream", "btcusdt@depth20@100ms", "--count", "2", "--json", "--duration", "60s", "--env", &ex.url()]);
    assert_exit(&out, 0);
    let book = ex.sim().depth("BTCUSDT", 1).unwrap();
    let (bid, bid_qty) = book.bids[0];
    let (ask, ask_qty) = book.asks[0];
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 2);
    // `price x qty` as the wire spells them (eight decimals), equal to the exchange's book.
    let level = |text: &str| -> (Decimal, Decimal) {
        let (p, q) = text.split_once('x').expect("price x qty");
        assert_eq!(p.split_once('.').map(|(_, d)| d.len()), Some(8), "the wire's eight decimals kept: {text}");
        (p.parse().unwrap(), q.parse().unwrap())
    };
    for v in lines {
        assert_eq!(v["event"], "depth");
        assert_eq!(v["source"], "btcusdt@depth20@100ms");
        assert_eq!(level(v["bid"].as_str().unwrap()), (bid, bid_qty), "{v}");
        assert_eq!(level(v["ask"].as_str().unwrap()), (ask, ask_qty), "{v}");
        assert_eq!(v["lastUpdateId"], book.last_update_id, "{v}");
    }
}

#[test]
fn duration_stops_a_stream_that_has_nothing_to_say() {
    // No traders: no trades; the command still ends, successfully, with just the header.
    let ex = TestSim::quiet();
    let out = bws(&["stream", "btcusdt@trade", "--duration", "1s", "--env", &ex.url()]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out).lines().count(), 1, "{}", stdout(&out));
}

#[test]
fn quiet_prints_nothing_and_exits_zero() {
    let ex = TestSim::busy();
    let out = bws(&["stream", "btcusdt@depth20@100ms", "--count", "2", "-q", "--duration", "60s", "--env", &ex.url()]);
    assert_exit(&out, 0);
    assert_eq!((stdout(&out).as_str(), stderr(&out).as_str()), ("", ""));
}

#[test]
fn a_bad_stream_name_is_a_usage_error_before_anything_connects() {
    let out = bws(&["stream", "btcusdt@trades", "--env", "ws://127.0.0.1:1"]);
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(err.contains("unknown stream name `btcusdt@trades`") && err.contains("btcusdt@trade,"), "{err}");
    let out = bws(&["stream", "BTCUSDT@trade"]);
    assert_exit(&out, 2);
}

#[test]
fn an_unreachable_endpoint_fails_with_one_line_and_a_hint() {
    let out = bws(&["stream", "btcusdt@trade", "--env", "ws://127.0.0.1:1"]);
    assert_exit(&out, 1);
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(lines[0].starts_with("error: connecting to ws://127.0.0.1:1"), "{err}");
    assert!(lines[1].starts_with("hint: is the endpoint reachable?"), "{err}");
    assert_eq!(stdout(&out), "");
}

#[test]
fn connection_trouble_is_shown_as_notices_in_the_same_feed() {
    let ex = TestSim::busy();
    let run = Running::spawn(&[
        "stream",
        "btcusdt@depth20@100ms",
        "--json",
        "--count",
        "30",
        "--duration",
        "60s",
        "--env",
        &ex.url(),
    ]);
    run.wait_for_stderr("subscribed");
    ex.sim().inject(binance_ws_sim::faults::ConnFault::Malformed);
    ex.sim().inject(binance_ws_sim::faults::ConnFault::Drop);
    let out = run.finish();
    assert_exit(&out, 0);
    let rows = json_lines(&out);
    let notices: Vec<&str> = rows.iter().filter(|v| v["notice"] == true).filter_map(|v| v["event"].as_str()).collect();
    for expected in ["undecodable", "disconnected", "reconnected"] {
        assert!(notices.contains(&expected), "{expected} in {notices:?}");
    }
    assert_eq!(rows.iter().filter(|v| v["notice"].is_null()).count(), 30, "notices are not counted as events");
}
