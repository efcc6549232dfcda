//! `bws book --once` (the live view is tested through ratatui's TestBackend in `src/book_ui.rs`): the book that
//! `binance_ws::book` keeps in sync, compared with the exchange's own.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use binance_ws_sim::exchange::{DepthSnapshot, NewOrder, Side};
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
    assert!(lines[0].starts_with("BTCUSDT SYNCED  spread"), "{text}");
    assert!(lines[0].contains("resyncs 0"), "{text}");
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
    assert_eq!(v["state"], "SYNCED");
    assert_eq!(v["lastUpdateId"].as_u64(), Some(book.last_update_id), "{v}");
}

/// The market moves (orders placed by the test, one at a time, the simulated traders held still) while bws
/// syncs; the book it prints must be the exchange's true book at the update id it prints.
#[test]
fn once_equals_the_exchanges_true_book_at_its_update_id_while_the_market_moves() {
    let ex = TestSim::still();
    let sim = ex.sim();
    let account = sim.shared().account_of(DEFAULT_HMAC_API_KEY).expect("the HMAC test account");
    let top = |s: &DepthSnapshot| (s.bids.clone(), s.asks.clone());
    let first = sim.depth("BTCUSDT", 5).unwrap();
    let (bid, ask) = (first.bids[0].0, first.asks[0].0);
    let tick = Decimal::new(1, 2);
    let mut truths = HashMap::from([(first.last_update_id, top(&first))]);
    let stop = AtomicBool::new(false);
    let done = &stop;
    let out = std::thread::scope(|s| {
        let mover = s.spawn(move || {
            let mut i = 0u32;
            while !done.load(Ordering::Relaxed) {
                // Resting orders inside the top five levels, bids and asks in turn: every one changes the top.
                let steps = Decimal::from(i % 4);
                let order = if i.is_multiple_of(2) {
                    NewOrder::limit("BTCUSDT", Side::Buy, Decimal::new(1, 3), bid - tick * steps)
                } else {
                    NewOrder::limit("BTCUSDT", Side::Sell, Decimal::new(1, 3), ask + tick * steps)
                };
                sim.with_exchange(|e, now| e.place_order(account, order, now)).expect("the order rests");
                let now = sim.depth("BTCUSDT", 5).unwrap();
                truths.insert(now.last_update_id, top(&now));
                i += 1;
                std::thread::sleep(Duration::from_millis(15));
            }
            (truths, i)
        });
        let out = bws(&["book", "BTCUSDT", "--once", "--json", "--depth", "5", "--env", &ex.url()]);
        done.store(true, Ordering::Relaxed);
        let (truths, placed) = mover.join().unwrap();
        (out, truths, placed)
    });
    let (out, truths, placed) = out;
    assert_exit(&out, 0);
    let v = &json_lines(&out)[0];
    let id = v["lastUpdateId"].as_u64().expect("an update id");
    assert!(placed > 5, "the market moved while bws synced ({placed} orders)");
    let (bids, asks) = truths.get(&id).unwrap_or_else(|| panic!("update id {id} is not one the exchange was at: {v}"));
    let levels = |side: &serde_json::Value| -> Vec<(Decimal, Decimal)> {
        let d = |x: &serde_json::Value| x.as_str().unwrap().parse::<Decimal>().unwrap();
        side.as_array().unwrap().iter().map(|l| (d(&l[0]), d(&l[1]))).collect()
    };
    assert_eq!(&levels(&v["bids"]), bids, "{v}");
    assert_eq!(&levels(&v["asks"]), asks, "{v}");
}

#[test]
fn an_unknown_symbol_fails_with_the_exchanges_code() {
    let ex = TestSim::still();
    let out = bws(&["book", "NOPEUSDT", "--once", "--env", &ex.url()]);
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("code -1121"), "{}", stderr(&out));
}

#[test]
fn a_book_that_cannot_sync_in_time_fails_and_says_so() {
    // A quiet exchange with no traders has no diff events: the snapshot comes after the first-event wait
    // (2 s), later than this timeout.
    let ex = TestSim::quiet();
    let out = bws(&["book", "BTCUSDT", "--once", "--timeout", "300ms", "--env", &ex.url()]);
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("the BTCUSDT book was not in sync within 300ms"), "{}", stderr(&out));
}

#[test]
fn the_live_view_needs_a_terminal() {
    let out = bws(&["book", "BTCUSDT"]);
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("use --once"), "{}", stderr(&out));
}
