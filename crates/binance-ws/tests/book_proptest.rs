//! Property: under random diffs, dropped events (gaps), duplicates, disconnects and snapshots taken a little before
//! or after the stream's position, a `BookSync` never applies an event out of sequence and, whenever it says it is
//! in sync, its levels equal a plain model of the exchange's book (two `BTreeMap`s) at its update id.

use std::collections::BTreeMap;

use binance_ws::book::{BookSync, EventOutcome, ResyncReason, Snapshot, SnapshotOutcome, SyncRule};
use binance_ws::model::Decimal;
use binance_ws::streams::{DepthUpdate, Level, LevelList};
use proptest::prelude::*;

/// One level change as generated: bid?, price index, quantity (0 removes), print the price with 4 decimals?
type Change = (bool, u8, u8, bool);

#[derive(Debug, Clone, Copy)]
enum Action {
    Deliver,
    Drop,
    Duplicate,
    Snapshot(i8),
    Disconnect,
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        12 => Just(Action::Deliver),
        1 => Just(Action::Drop),
        1 => Just(Action::Duplicate),
        3 => (-3i8..=3).prop_map(Action::Snapshot),
        1 => Just(Action::Disconnect),
    ]
}

/// Bids at 1.00..=1.29, asks at 1.30..=1.59; sometimes printed with more decimals (same price, other scale).
fn price(bid: bool, idx: u8, fine: bool) -> Decimal {
    let cents = 100 + i64::from(idx % 30) + if bid { 0 } else { 30 };
    if fine {
        Decimal::new(cents * 100, 4)
    } else {
        Decimal::new(cents, 2)
    }
}

#[derive(Clone, Default, PartialEq, Debug)]
struct Model {
    bids: BTreeMap<Decimal, Decimal>,
    asks: BTreeMap<Decimal, Decimal>,
}

impl Model {
    fn apply(&mut self, changes: &[Change]) {
        for &(bid, idx, qty, fine) in changes {
            let side = if bid { &mut self.bids } else { &mut self.asks };
            let p = price(bid, idx, fine).normalize();
            if qty == 0 {
                side.remove(&p);
            } else {
                side.insert(p, Decimal::from(qty));
            }
        }
    }
    fn snapshot(&self, id: u64) -> Snapshot {
        let lv = |(p, q): (&Decimal, &Decimal)| Level { price: *p, qty: *q };
        Snapshot {
            last_update_id: id,
            bids: self.bids.iter().rev().map(lv).collect(),
            asks: self.asks.iter().map(lv).collect(),
        }
    }
}

fn levels_of(b: &BookSync) -> Model {
    Model {
        bids: b.levels().bids().map(|l| (l.price.normalize(), l.qty)).collect(),
        asks: b.levels().asks().map(|l| (l.price.normalize(), l.qty)).collect(),
    }
}

/// The exchange: diffs with their update ids, and the book after each.
struct Exchange {
    events: Vec<DepthUpdate>,
    /// `states[k]`: the book after `k` diffs, at update id `ids[k]`.
    states: Vec<Model>,
    ids: Vec<u64>,
}

fn exchange(rule: SyncRule, diffs: &[(Vec<Change>, u8)]) -> Exchange {
    let mut model = Model::default();
    let (mut events, mut states, mut ids) = (Vec::new(), vec![model.clone()], vec![1000u64]);
    let mut last = 1000u64;
    for (changes, jump) in diffs {
        // Spot ids are consecutive, one per level changed; futures ids may jump (only pu links events).
        let first = match rule {
            SyncRule::Spot => last + 1,
            _ => last + 1 + u64::from(*jump),
        };
        let final_id = first + changes.len() as u64 - 1;
        let lv = |bid: bool| -> LevelList {
            changes
                .iter()
                .filter(|c| c.0 == bid)
                .map(|&(b, idx, q, fine)| Level { price: price(b, idx, fine), qty: Decimal::from(q) })
                .collect()
        };
        events.push(DepthUpdate {
            event_time: 0,
            transaction_time: None,
            symbol: "TEST".into(),
            pair: None,
            first_update_id: first,
            final_update_id: final_id,
            prev_final_update_id: (rule == SyncRule::Futures).then_some(last),
            bids: lv(true),
            asks: lv(false),
        });
        // Bids first, then asks, as the event applies them.
        let (b, a): (Vec<Change>, Vec<Change>) = changes.iter().partition(|c| c.0);
        model.apply(&b);
        model.apply(&a);
        states.push(model.clone());
        ids.push(final_id);
        last = final_id;
    }
    Exchange { events, states, ids }
}

fn run(rule: SyncRule, diffs: Vec<(Vec<Change>, u8)>, mut script: Vec<Action>) -> Result<(), TestCaseError> {
    let ex = exchange(rule, &diffs);
    let n = ex.events.len();
    // Finally every event left is delivered, under the same checks.
    script.extend(std::iter::repeat_n(Action::Deliver, n));
    let state_at = |id: u64| ex.ids.iter().position(|i| *i == id);
    let mut book = BookSync::new(rule);
    // Next exchange event to deliver; the exchange state index the book is at (while in sync).
    let mut pos = 0usize;
    let mut at: Option<usize> = None;
    // Whether the next applied event is the first after a snapshot (futures may re-apply the bracketing event).
    let mut fresh = false;
    for act in script {
        match act {
            Action::Deliver | Action::Duplicate => {
                let k = match act {
                    Action::Deliver if pos < n => {
                        pos += 1;
                        pos - 1
                    }
                    Action::Duplicate if pos > 0 => pos - 1,
                    _ => continue,
                };
                let out = book.on_event(ex.events[k].clone());
                match out {
                    EventOutcome::Applied { last_update_id, .. } => {
                        let cur = at.expect("applied while not in sync");
                        // In sequence: the event that follows the book's state, or (futures, first event after a
                        // snapshot) the event that ends exactly at the snapshot's id.
                        let bracketing = fresh && rule == SyncRule::Futures && k + 1 == cur;
                        prop_assert!(k == cur || bracketing, "event {} applied to a book at state {}", k, cur);
                        prop_assert_eq!(last_update_id, ex.ids[k + 1]);
                        at = Some(k + 1);
                        fresh = false;
                        prop_assert_eq!(levels_of(&book), ex.states[k + 1].clone(), "after event {}", k);
                    }
                    EventOutcome::Stale => {
                        if let Some(cur) = at {
                            prop_assert!(k < cur, "event {} ignored as stale at state {}", k, cur);
                            prop_assert_eq!(levels_of(&book), ex.states[cur].clone());
                        }
                    }
                    EventOutcome::OutOfSync(reason) => {
                        let cur = at.expect("out of sync while not in sync");
                        prop_assert!(k > cur, "in-sequence event {} refused at state {}: {}", k, cur, reason);
                        let gap = matches!(reason, ResyncReason::Gap { .. } | ResyncReason::Break { .. });
                        prop_assert!(gap, "unexpected reason {}", reason);
                        prop_assert!(levels_of(&book).bids.is_empty() && levels_of(&book).asks.is_empty());
                        at = None;
                    }
                    EventOutcome::Buffered => prop_assert!(at.is_none()),
                }
            }
            Action::Drop => pos = (pos + 1).min(n),
            Action::Disconnect => {
                book.desync(ResyncReason::Disconnected("test".into()));
                at = None;
            }
            Action::Snapshot(off) => {
                if book.is_synced() {
                    continue;
                }
                let j = (pos as i64 + i64::from(off)).clamp(0, n as i64) as usize;
                match book.on_snapshot(ex.states[j].snapshot(ex.ids[j])) {
                    SnapshotOutcome::Synced { last_update_id, applied } => {
                        let k = state_at(last_update_id).expect("synced at an id the exchange had");
                        prop_assert_eq!(levels_of(&book), ex.states[k].clone(), "synced at {}", last_update_id);
                        prop_assert!(book.is_synced());
                        prop_assert!(k >= j, "synced at state {} before the snapshot's {}", k, j);
                        at = Some(k);
                        fresh = applied == 0;
                    }
                    SnapshotOutcome::TooOld { .. } | SnapshotOutcome::OutOfSync(_) => {
                        prop_assert!(!book.is_synced());
                        at = None;
                    }
                }
            }
        }
    }
    // A book that ends behind lost events it could not notice yet (no later event came to show the gap); a real
    // client learns it from the next event. Either way, a fresh snapshot brings it to the exchange's final state.
    if at != Some(n) {
        book.desync(ResyncReason::Requested);
        let out = book.on_snapshot(ex.states[n].snapshot(ex.ids[n]));
        prop_assert!(matches!(out, SnapshotOutcome::Synced { .. }), "{:?}", out);
    }
    prop_assert!(book.is_synced());
    prop_assert_eq!(book.last_update_id(), ex.ids[n]);
    prop_assert_eq!(levels_of(&book), ex.states[n].clone());
    Ok(())
}

fn diffs() -> impl Strategy<Value = Vec<(Vec<Change>, u8)>> {
    prop::collection::vec(
        (prop::collection::vec((any::<bool>(), 0u8..30, 0u8..4, prop::bool::weighted(0.2)), 1..6), 0u8..3),
        1..120,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn spot_book_follows_the_model(diffs in diffs(), script in prop::collection::vec(action(), 1..300)) {
        run(SyncRule::Spot, diffs, script)?;
    }

    #[test]
    fn futures_book_follows_the_model(diffs in diffs(), script in prop::collection::vec(action(), 1..300)) {
        run(SyncRule::Futures, diffs, script)?;
    }
}
