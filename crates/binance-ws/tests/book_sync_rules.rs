//! The sync procedure on hand-written update-id sequences, rule by rule, for spot (`U`/`u`, from
//! web-socket-streams.md "How to manage a local order book correctly") and futures (`U`/`u`/`pu`, from the USD-M
//! and COIN-M "How to manage a local order book correctly": drop `u < lastUpdateId`; the first processed event has
//! `U <= lastUpdateId AND u >= lastUpdateId`; each new event's `pu` equals the previous event's `u`).
//! The ids 157, 160 and 156 are the docs' example payload (`U`, `u`, `pu`).

use std::str::FromStr;

use binance_ws::book::{BookSync, EventOutcome, ResyncReason, Snapshot, SnapshotOutcome, SyncRule};
use binance_ws::model::Decimal;
use binance_ws::streams::{DepthUpdate, Level, LevelList};

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn lvl(p: &str, q: &str) -> Level {
    Level { price: d(p), qty: d(q) }
}

/// A futures event `U..=u` with `pu`, setting bid 100.00 to quantity `u` (so the book shows the last event applied).
fn fut(first: u64, last: u64, pu: u64) -> DepthUpdate {
    DepthUpdate {
        event_time: 1,
        transaction_time: Some(1),
        symbol: "BTCUSDT".into(),
        pair: None,
        first_update_id: first,
        final_update_id: last,
        prev_final_update_id: Some(pu),
        bids: vec![lvl("100.00", &last.to_string())].into(),
        asks: LevelList::new(),
    }
}

/// A spot event `U..=u`, setting bid 100.00 to quantity `u`.
fn spot(first: u64, last: u64) -> DepthUpdate {
    DepthUpdate { prev_final_update_id: None, transaction_time: None, ..fut(first, last, 0) }
}

fn snap(id: u64) -> Snapshot {
    Snapshot { last_update_id: id, bids: vec![lvl("100.00", "1"), lvl("99.00", "2")], asks: vec![lvl("101.00", "3")] }
}

fn bid_100(b: &BookSync) -> Option<Decimal> {
    b.levels().bid_qty(d("100"))
}

fn applied(first: u64, last: u64) -> EventOutcome {
    EventOutcome::Applied { first_update_id: first, last_update_id: last }
}

// ---------------------------------------------------------------------------------------------- futures

#[test]
fn futures_drops_u_below_the_snapshot_and_processes_the_event_that_brackets_it() {
    let mut b = BookSync::new(SyncRule::Futures);
    for ev in [fut(140, 150, 139), fut(151, 156, 150), fut(157, 160, 156), fut(161, 165, 160)] {
        assert_eq!(b.on_event(ev), EventOutcome::Buffered);
    }
    // lastUpdateId 158: 140..=150 and 151..=156 have u < 158 (dropped); 157..=160 brackets it (U <= 158 <= u).
    assert_eq!(b.on_snapshot(snap(158)), SnapshotOutcome::Synced { last_update_id: 165, applied: 2 });
    assert_eq!(bid_100(&b), Some(d("165")));
    assert_eq!(b.on_event(fut(166, 170, 165)), applied(166, 170));
    assert_eq!(b.last_update_id(), 170);
    assert_eq!(b.resync_count(), 0);
}

#[test]
fn futures_keeps_the_event_whose_u_equals_the_snapshot_id() {
    // "Drop any event where u is < lastUpdateId": u == lastUpdateId stays, and it brackets the snapshot.
    let mut b = BookSync::new(SyncRule::Futures);
    b.on_event(fut(157, 160, 156));
    assert_eq!(b.on_snapshot(snap(160)), SnapshotOutcome::Synced { last_update_id: 160, applied: 1 });
    assert_eq!(bid_100(&b), Some(d("160")));
}

#[test]
fn futures_pu_break_discards_the_book_and_counts_a_resync() {
    let mut b = BookSync::new(SyncRule::Futures);
    b.on_event(fut(157, 160, 156));
    b.on_snapshot(snap(159));
    assert_eq!(b.on_event(fut(161, 163, 160)), applied(161, 163));
    // 164..=166 was lost: the next event's pu (166) is not the previous u (163).
    let out = b.on_event(fut(167, 170, 166));
    let reason = ResyncReason::Break { last_update_id: 163, prev_final_update_id: Some(166), first_update_id: 167 };
    assert_eq!(out, EventOutcome::OutOfSync(reason.clone()));
    assert!(!b.is_synced());
    assert!(b.levels().is_empty(), "the docs: discard the local book");
    assert_eq!(b.resync_count(), 1);
    assert_eq!(b.last_resync_reason(), Some(&reason));
    // The event that showed the break is kept; later ones buffer until the new snapshot.
    assert_eq!(b.on_event(fut(171, 175, 170)), EventOutcome::Buffered);
    assert_eq!(b.on_snapshot(snap(172)), SnapshotOutcome::Synced { last_update_id: 175, applied: 1 });
    assert_eq!(bid_100(&b), Some(d("175")));
    assert_eq!(b.resync_count(), 1);
}

#[test]
fn futures_snapshot_older_than_the_first_event_is_refused_and_the_buffer_kept() {
    let mut b = BookSync::new(SyncRule::Futures);
    b.on_event(fut(157, 160, 156));
    b.on_event(fut(161, 165, 160));
    // U 157 > lastUpdateId 150: nothing can bracket it.
    assert_eq!(b.on_snapshot(snap(150)), SnapshotOutcome::TooOld { snapshot: 150, first_buffered: 157 });
    assert!(!b.is_synced());
    assert_eq!(b.buffered(), 2);
    assert_eq!(b.on_snapshot(snap(162)), SnapshotOutcome::Synced { last_update_id: 165, applied: 1 });
    assert_eq!(b.resync_count(), 0, "a retaken snapshot is not a resync");
}

#[test]
fn futures_first_event_after_an_empty_buffer_must_bracket_or_follow_the_snapshot() {
    // Bracketing: U <= lastUpdateId <= u.
    let mut b = BookSync::new(SyncRule::Futures);
    b.on_snapshot(snap(158));
    assert_eq!(b.on_event(fut(157, 160, 156)), applied(157, 160));
    // Following: pu == lastUpdateId (the snapshot was taken exactly at an event's end).
    let mut b = BookSync::new(SyncRule::Futures);
    b.on_snapshot(snap(160));
    assert_eq!(b.on_event(fut(161, 165, 160)), applied(161, 165));
    // Neither: events between the snapshot and this one are unknown.
    let mut b = BookSync::new(SyncRule::Futures);
    b.on_snapshot(snap(160));
    assert!(matches!(b.on_event(fut(163, 165, 162)), EventOutcome::OutOfSync(ResyncReason::Break { .. })));
    // The snapshot had been reported in sync, so losing it counts as a resync.
    assert_eq!(b.resync_count(), 1);
}

#[test]
fn futures_old_and_duplicate_events_are_ignored() {
    let mut b = BookSync::new(SyncRule::Futures);
    b.on_snapshot(snap(160));
    assert_eq!(b.on_event(fut(150, 155, 149)), EventOutcome::Stale);
    assert_eq!(b.on_event(fut(161, 165, 160)), applied(161, 165));
    // The same event again (a connection overlap): nothing changes, no resync.
    assert_eq!(b.on_event(fut(161, 165, 160)), EventOutcome::Stale);
    assert_eq!(b.on_event(fut(166, 170, 165)), applied(166, 170));
    assert_eq!(b.resync_count(), 0);
}

#[test]
fn futures_event_without_pu_is_a_break() {
    let mut b = BookSync::new(SyncRule::Futures);
    b.on_snapshot(snap(160));
    b.on_event(fut(161, 165, 160));
    let out = b.on_event(spot(166, 170));
    assert!(matches!(out, EventOutcome::OutOfSync(ResyncReason::Break { prev_final_update_id: None, .. })), "{out:?}");
}

#[test]
fn futures_ids_need_not_be_consecutive() {
    // Futures update ids jump between events; only pu links them.
    let mut b = BookSync::new(SyncRule::Futures);
    b.on_snapshot(snap(1000));
    assert_eq!(b.on_event(fut(990, 1010, 980)), applied(990, 1010));
    assert_eq!(b.on_event(fut(1050, 1060, 1010)), applied(1050, 1060));
    assert_eq!(b.on_event(fut(2000, 2001, 1060)), applied(2000, 2001));
}

// ---------------------------------------------------------------------------------------------- spot

#[test]
fn spot_drops_u_up_to_the_snapshot_and_applies_the_rest_in_order() {
    let mut b = BookSync::new(SyncRule::Spot);
    for ev in [spot(150, 156), spot(157, 160), spot(161, 163)] {
        b.on_event(ev);
    }
    // u <= 160 dropped: 150..=156 and 157..=160; 161 == lastUpdateId + 1 follows.
    assert_eq!(b.on_snapshot(snap(160)), SnapshotOutcome::Synced { last_update_id: 163, applied: 1 });
    assert_eq!(bid_100(&b), Some(d("163")));
    assert_eq!(b.levels().bid_qty(d("99")), Some(d("2")));
    // A snapshot inside an event's range: that event applies (U <= lastUpdateId + 1).
    let mut b = BookSync::new(SyncRule::Spot);
    b.on_event(spot(157, 160));
    assert_eq!(b.on_snapshot(snap(158)), SnapshotOutcome::Synced { last_update_id: 160, applied: 1 });
}

#[test]
fn spot_gap_resyncs_and_reports_the_ids() {
    let mut b = BookSync::new(SyncRule::Spot);
    b.on_snapshot(snap(156));
    assert_eq!(b.on_event(spot(157, 160)), applied(157, 160));
    let out = b.on_event(spot(162, 165));
    assert_eq!(out, EventOutcome::OutOfSync(ResyncReason::Gap { last_update_id: 160, first_update_id: 162 }));
    assert!(b.levels().is_empty());
    assert_eq!(b.resync_count(), 1);
    assert_eq!(b.on_snapshot(snap(163)), SnapshotOutcome::Synced { last_update_id: 165, applied: 1 });
}

#[test]
fn spot_snapshot_too_old_then_newer() {
    let mut b = BookSync::new(SyncRule::Spot);
    b.on_event(spot(157, 160));
    assert_eq!(b.on_snapshot(snap(155)), SnapshotOutcome::TooOld { snapshot: 155, first_buffered: 157 });
    assert_eq!(b.on_snapshot(snap(156)), SnapshotOutcome::Synced { last_update_id: 160, applied: 1 });
}

#[test]
fn spot_gap_inside_the_buffer_is_not_a_resync_but_needs_a_new_snapshot() {
    let mut b = BookSync::new(SyncRule::Spot);
    b.on_event(spot(157, 160));
    b.on_event(spot(165, 170));
    let out = b.on_snapshot(snap(158));
    assert_eq!(out, SnapshotOutcome::OutOfSync(ResyncReason::Gap { last_update_id: 160, first_update_id: 165 }));
    assert!(!b.is_synced());
    assert_eq!(b.resync_count(), 0);
    assert_eq!(b.on_snapshot(snap(166)), SnapshotOutcome::Synced { last_update_id: 170, applied: 1 });
}

#[test]
fn spot_stale_events_and_desync() {
    let mut b = BookSync::new(SyncRule::Spot);
    b.on_snapshot(snap(160));
    assert_eq!(b.on_event(spot(157, 160)), EventOutcome::Stale);
    assert_eq!(b.on_event(spot(161, 161)), applied(161, 161));
    assert!(b.desync(ResyncReason::Disconnected("test".into())));
    assert!(!b.desync(ResyncReason::Requested), "already out of sync");
    assert_eq!(b.resync_count(), 1);
    assert_eq!(b.last_resync_reason(), Some(&ResyncReason::Disconnected("test".into())));
}

#[test]
fn an_unstorable_price_in_an_event_forces_a_resync() {
    let mut b = BookSync::new(SyncRule::Spot);
    b.on_snapshot(snap(160));
    let mut ev = spot(161, 161);
    ev.bids = vec![lvl("99999999999999999999", "1")].into();
    assert!(matches!(b.on_event(ev), EventOutcome::OutOfSync(ResyncReason::InvalidLevel(_))));
    assert!(!b.is_synced());
}

#[test]
fn the_buffer_is_bounded_and_keeps_the_newest() {
    let mut b = BookSync::with_buffer_limit(SyncRule::Spot, 3);
    for i in 0..10 {
        b.on_event(spot(100 + i, 100 + i));
    }
    assert_eq!(b.buffered(), 3);
    assert_eq!(b.on_snapshot(snap(100)), SnapshotOutcome::TooOld { snapshot: 100, first_buffered: 107 });
    assert_eq!(b.on_snapshot(snap(106)), SnapshotOutcome::Synced { last_update_id: 109, applied: 3 });
}
