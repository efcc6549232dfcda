//! `bws book --once` (the live view is tested through ratatui's TestBackend in `src/book_ui.rs`).

use rust_decimal::Decimal;

use crate::common::*;

#[test]
fn once_prints_the_ladder_of_the_exchanges_book() {
    let ex = TestSim::still();
    let out = bws(&["book", "btcusdt", "--once", "--depth", "3", "--env", &ex.url()]);
    assert_exit(&out, 0);
    let book = ex.sim().depth("BTCUSDT", 3).unwrap();
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("BTCUSDT LIVE  spread"), "{text}");
    assert_eq!(lines.len(), 1 + 6, "{text}");
    // Asks from the third best down to the best, then bids from the best.
    let expected: Vec<(&str, Decimal, Decimal)> = book
        .asks
        .iter()
        .rev()
        .map(|(p, q)| ("ask", *p, *q))
        .chain(book.bids.iter().map(|(p, q)| ("bid", *p, *q)))
        .collect();
    let shown: Vec<(&str, Decimal, Decimal)> = lines[1..]
        .iter()
        .map(|l| {
            let cells: Vec<&str> = l.split_whitespace().collect();
            (cells[0], cells[1].parse().unwrap(), cells[2].parse().unwrap())
        })
        .collect();
    assert_eq!(shown, expected, "{text}");
}

#[test]
fn once_as_json_has_exact_levels() {
    let ex = TestSim::still();
    let out = bws(&["book", "BTCUSDT", "--once", "--json", "--depth", "2", "--env", &ex.url()]);
    assert_exit(&out, 0);
    let v = &json_lines(&out)[0];
    let book = ex.sim().depth("BTCUSDT", 2).unwrap();
    // Exact decimals, compared by value (the wire pads them to eight places).
    let levels = |side: &serde_json::Value| -> Vec<(Decimal, Decimal)> {
        let d = |x: &serde_json::Value| x.as_str().expect("a decimal string").parse::<Decimal>().unwrap();
        side.as_array().unwrap().iter().map(|l| (d(&l[0]), d(&l[1]))).collect()
    };
    assert_eq!(levels(&v["bids"]), book.bids, "{v}");
    assert_eq!(levels(&v["asks"]), book.asks, "{v}");
    assert_eq!(v["spread"].as_str().unwrap().parse::<Decimal>().unwrap(), book.asks[0].0 - book.bids[0].0);
    assert_eq!(v["state"], "LIVE");
}

#[test]
fn an_unknown_symbol_fails_with_the_exchanges_code() {
    let ex = TestSim::still();
    let out = bws(&["book", "NOPEUSDT", "--once", "--env", &ex.url()]);
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("code -1121"), "{}", stderr(&out));
}

#[test]
fn the_live_view_needs_a_terminal() {
    let out = bws(&["book", "BTCUSDT"]);
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("use --once"), "{}", stderr(&out));
}
