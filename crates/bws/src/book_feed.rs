//! Feeds the book view from `binance_ws::book`: a [`BookManager`] keeps the symbol's book in sync (the
//! `<symbol>@depth@100ms` diff stream joined to a `depth` snapshot, resynced by itself after a gap or a
//! disconnect). Its events move the view's sync state, resync count and reason and update rate; the levels
//! are read from the [`OrderBook`] handle.

use std::time::Instant;

use anyhow::Context;
use binance_ws::book::{BookConfig, BookEvent, BookManager, OrderBook};
use binance_ws::env::{Env, Product};
use binance_ws::spot::Api;
use binance_ws::streams::{Notice, Streams};

use crate::book_view::{BookView, Level, SyncState};

/// What the view says it follows.
pub const SOURCE: &str = "depth@100ms diffs + depth snapshot";

/// A symbol's book kept in sync, and the manager that keeps it (poll [`Feed::books`] to keep it moving).
pub struct Feed {
    /// The manager: a `futures::Stream` of [`BookEvent`]s.
    pub books: BookManager,
    /// The book.
    pub book: OrderBook,
}

/// Subscribes `symbol`'s diff depth stream on `env` and starts syncing its book, snapshots from `api`.
pub async fn connect(env: &Env, api: Api, symbol: &str) -> anyhow::Result<Feed> {
    let base = env.stream_base(Product::Spot);
    let streams =
        Streams::connect(env.clone(), Product::Spot).await.with_context(|| format!("connecting to {base}"))?;
    let mut books = BookManager::new(streams, api, BookConfig::default());
    let book = books.watch([symbol]).await.context("subscribing to the diff depth stream")?.remove(0);
    Ok(Feed { books, book })
}

/// Applies one event of the manager to the view: true when it changed the view's state or counts.
pub fn apply(view: &mut BookView, event: &BookEvent, at: Instant) -> bool {
    let mine = |symbol: &str| symbol == view.symbol;
    match event {
        BookEvent::Synced { symbol, .. } if mine(symbol) => {
            view.set_state(SyncState::Synced);
            view.snapshot_error = None;
        }
        BookEvent::OutOfSync { symbol, reason } if mine(symbol) => {
            view.set_state(SyncState::Resyncing);
            view.set_resync(view.resyncs + 1, reason.to_string());
        }
        BookEvent::Resynced { symbol, reason, resync_count, .. } if mine(symbol) => {
            view.set_state(SyncState::Synced);
            view.set_resync(*resync_count, reason.to_string());
            view.snapshot_error = None;
        }
        BookEvent::Updated { symbol, .. } if mine(symbol) => view.count_update(at),
        BookEvent::SnapshotFailed { symbol, error, retry_in } if mine(symbol) => {
            view.snapshot_error = Some(format!("{error} (retry in {retry_in:.1?})"));
        }
        BookEvent::Notice(Notice::Closed { .. }) => view.set_state(SyncState::Closed),
        _ => return false,
    }
    true
}

/// Copies the best `per_side` levels of each side (and their update id) from the book into the view.
pub fn refresh(view: &mut BookView, book: &OrderBook, per_side: usize) {
    let top = book.top(per_side);
    let conv = |side: Vec<binance_ws::streams::Level>| side.into_iter().map(|l| Level { price: l.price, qty: l.qty });
    view.set_book(conv(top.bids).collect(), conv(top.asks).collect(), top.last_update_id);
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use binance_ws::book::ResyncReason;

    use super::*;

    fn sym() -> Arc<str> {
        Arc::from("BNBBTC")
    }

    #[test]
    fn sync_events_move_the_state_count_resyncs_and_keep_the_reason() {
        let mut view = BookView::new("BNBBTC", SOURCE);
        let t = Instant::now();
        assert_eq!(view.state, SyncState::Syncing);
        let failed = BookEvent::SnapshotFailed {
            symbol: sym(),
            error: "code -1003".into(),
            retry_in: std::time::Duration::from_millis(250),
        };
        assert!(apply(&mut view, &failed, t));
        assert!(view.snapshot_error.as_deref().unwrap().starts_with("code -1003"));
        assert!(apply(&mut view, &BookEvent::Synced { symbol: sym(), last_update_id: 160 }, t));
        assert_eq!((view.state, view.snapshot_error.as_deref()), (SyncState::Synced, None));
        let gap = ResyncReason::Gap { last_update_id: 160, first_update_id: 165 };
        assert!(apply(&mut view, &BookEvent::OutOfSync { symbol: sym(), reason: gap.clone() }, t));
        assert_eq!((view.state, view.resyncs), (SyncState::Resyncing, 1));
        let back = BookEvent::Resynced { symbol: sym(), reason: gap, last_update_id: 170, resync_count: 1 };
        assert!(apply(&mut view, &back, t));
        assert_eq!((view.state, view.resyncs), (SyncState::Synced, 1));
        assert_eq!(view.resync_reason.as_deref(), Some("gap: book at 160, event starts at 165"));
    }

    #[test]
    fn updates_count_toward_the_rate_and_other_symbols_are_ignored() {
        let mut view = BookView::new("BNBBTC", SOURCE);
        let t = Instant::now();
        let other = BookEvent::Updated { symbol: Arc::from("ETHBTC"), first_update_id: 1, last_update_id: 2 };
        assert!(!apply(&mut view, &other, t));
        assert_eq!(view.rate(t), 0.0);
        let mine = BookEvent::Updated { symbol: sym(), first_update_id: 1, last_update_id: 2 };
        assert!(apply(&mut view, &mine, t));
        assert!(view.rate(t) > 0.0);
        let closed = BookEvent::Notice(Notice::Closed { connection: 0, reason: "gone".into() });
        assert!(apply(&mut view, &closed, t));
        assert_eq!(view.state, SyncState::Closed);
    }
}
