//! Local order books against the local exchange over real sockets: after thousands of updates from the simulated
//! traders, after injected sequence gaps and after dropped connections, every book equals the exchange's own book
//! level by level; a gap in one symbol resyncs that symbol alone.

mod book_common;

use binance_ws::book::{BookConfig, BookEvent, ResyncReason, SyncState};
use binance_ws::streams::Notice;
use binance_ws_sim::ConnFault;
use book_common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn books_equal_the_exchange_after_thousands_of_updates() {
    let sim = busy_sim(400.0).await;
    let mut mgr = manager(&sim, BookConfig::default()).await;
    let books = mgr.watch(SYMBOLS).await.unwrap();
    let mut log = Vec::new();
    pump_until(&mut mgr, &mut log, "every book synced", |l| {
        count(l, |e| matches!(e, BookEvent::Synced { .. })) == SYMBOLS.len()
    })
    .await;
    for b in &books {
        assert_eq!(b.state(), SyncState::Synced);
    }
    pump_until(&mut mgr, &mut log, "3000 level updates", |l| applied_updates(l) >= 3000).await;
    sim.pause_market();
    for b in &books {
        assert_matches_exchange(&sim, &mut mgr, &mut log, b).await;
        assert_eq!(b.resync_count(), 0, "{}: no gap was injected", b.symbol());
    }
    assert_eq!(
        count(&log, |e| matches!(e, BookEvent::OutOfSync { .. })),
        0,
        "{:?}",
        log.iter().find(|e| matches!(e, BookEvent::OutOfSync { .. }))
    );
    // Updates go on being applied after the comparison.
    sim.resume_market();
    let before = applied_updates(&log);
    pump_until(&mut mgr, &mut log, "more updates", |l| applied_updates(l) > before + 200).await;
    sim.pause_market();
    for b in &books {
        assert_matches_exchange(&sim, &mut mgr, &mut log, b).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gap_in_one_symbol_resyncs_that_symbol_alone() {
    let sim = busy_sim(400.0).await;
    let mut mgr = manager(&sim, BookConfig::default()).await;
    let books = mgr.watch(SYMBOLS).await.unwrap();
    let mut log = Vec::new();
    pump_until(&mut mgr, &mut log, "every book synced and moving", |l| {
        count(l, |e| matches!(e, BookEvent::Synced { .. })) == SYMBOLS.len() && applied_updates(l) >= 500
    })
    .await;
    sim.inject(ConnFault::SkipDepthUpdate);
    pump_until(&mut mgr, &mut log, "a resync after the skipped update", |l| {
        count(l, |e| matches!(e, BookEvent::Resynced { .. })) >= 1
    })
    .await;
    let out: Vec<_> = log.iter().filter(|e| matches!(e, BookEvent::OutOfSync { .. })).cloned().collect();
    assert_eq!(out.len(), 1, "one skipped frame, one symbol out of sync: {out:?}");
    let BookEvent::OutOfSync { symbol, reason } = &out[0] else { unreachable!() };
    let ResyncReason::Gap { last_update_id, first_update_id } = reason else { panic!("not a gap: {reason}") };
    assert!(first_update_id > &(last_update_id + 1), "{reason}");
    let Some(BookEvent::Resynced { symbol: again, reason: why, resync_count, .. }) =
        log.iter().find(|e| matches!(e, BookEvent::Resynced { .. }))
    else {
        unreachable!()
    };
    assert_eq!((again, why, *resync_count), (symbol, reason, 1));
    sim.pause_market();
    for b in &books {
        let expected = u64::from(b.symbol() == &**symbol);
        assert_eq!(b.resync_count(), expected, "{}", b.symbol());
        if expected == 1 {
            assert_eq!(b.last_resync_reason().as_ref(), Some(reason));
        } else {
            assert_eq!(b.last_resync_reason(), None);
        }
        assert_matches_exchange(&sim, &mut mgr, &mut log, b).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn books_recover_from_gaps_and_dropped_connections() {
    let sim = busy_sim(400.0).await;
    let mut mgr = manager(&sim, BookConfig::default()).await;
    let books = mgr.watch(SYMBOLS).await.unwrap();
    let mut log = Vec::new();
    pump_until(&mut mgr, &mut log, "every book synced", |l| {
        count(l, |e| matches!(e, BookEvent::Synced { .. })) == SYMBOLS.len()
    })
    .await;
    // Three gaps in a row, each waited for.
    for n in 1..=3 {
        sim.inject(ConnFault::SkipDepthUpdate);
        pump_until(&mut mgr, &mut log, &format!("resync {n} after a skipped update"), |l| {
            count(l, |e| matches!(e, BookEvent::Resynced { reason: ResyncReason::Gap { .. }, .. })) >= n
        })
        .await;
    }
    // Every connection dropped (streams and API alike): each book resyncs once the stream is back.
    let before = count(&log, |e| matches!(e, BookEvent::Resynced { .. }));
    sim.inject(ConnFault::Drop);
    pump_until(&mut mgr, &mut log, "every book resynced after the drop", |l| {
        count(l, |e| matches!(e, BookEvent::Resynced { reason: ResyncReason::Disconnected(_), .. })) == SYMBOLS.len()
    })
    .await;
    assert!(count(&log, |e| matches!(e, BookEvent::Notice(Notice::Disconnected { .. }))) >= 1);
    assert!(count(&log, |e| matches!(e, BookEvent::Notice(Notice::Reconnected { .. }))) >= 1);
    assert_eq!(count(&log, |e| matches!(e, BookEvent::Resynced { .. })), before + SYMBOLS.len());
    let total: u64 = books.iter().map(|b| b.resync_count()).sum();
    assert_eq!(total, 3 + SYMBOLS.len() as u64);
    // Let thousands of updates flow over the new connections, then compare.
    let base = applied_updates(&log);
    pump_until(&mut mgr, &mut log, "2000 more level updates", |l| applied_updates(l) >= base + 2000).await;
    sim.pause_market();
    for b in &books {
        assert_matches_exchange(&sim, &mut mgr, &mut log, b).await;
    }
}
