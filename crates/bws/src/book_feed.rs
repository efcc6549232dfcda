//! Fills the book view from the `<symbol>@depth20@100ms` partial depth stream, seeded by a `depth`
//! snapshot. Replace this file's two functions to feed the view from `binance_ws::book` instead.

use std::time::Instant;

use binance_ws::spot::DepthSnapshot;
use binance_ws::streams::{Levels, MarketEvent, Notice, Speed, Stream};

use crate::book_view::{BookView, Level, SyncState};

/// The stream the view follows.
pub fn stream(symbol: &str) -> Stream {
    Stream::partial_depth(symbol, Levels::L20, Speed::Ms100)
}

/// Shows a `depth` snapshot from the API until the stream's first book arrives.
pub fn seed(view: &mut BookView, snapshot: &DepthSnapshot, at: Instant) {
    let bids = snapshot.bids.iter().map(|l| Level { price: l.price, qty: l.qty }).collect();
    let asks = snapshot.asks.iter().map(|l| Level { price: l.price, qty: l.qty }).collect();
    view.set_book(bids, asks, snapshot.last_update_id, at);
}

/// Applies one stream event; true when the view changed.
pub fn apply(view: &mut BookView, event: &MarketEvent, at: Instant) -> bool {
    match event {
        MarketEvent::PartialDepth(d) => {
            if d.last_update_id < view.last_update_id && view.state == SyncState::Live {
                // An older book than the one shown (an overlap after a reconnect): keep the newer one.
                return false;
            }
            let bids = d.bids.iter().map(|l| Level { price: l.price, qty: l.qty }).collect();
            let asks = d.asks.iter().map(|l| Level { price: l.price, qty: l.qty }).collect();
            view.set_book(bids, asks, d.last_update_id, at);
            view.set_state(SyncState::Live);
            true
        }
        MarketEvent::Notice(Notice::Disconnected { .. }) => {
            view.set_state(SyncState::Reconnecting);
            true
        }
        MarketEvent::Notice(Notice::Reconnected { .. }) => {
            // Partial depth books are whole: the next one rebuilds the view.
            view.count_resync();
            true
        }
        MarketEvent::Notice(Notice::Closed { .. }) => {
            view.set_state(SyncState::Closed);
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use binance_ws::streams::{decode_frame, Backend, Decoded};

    use super::*;

    /// The partial depth example of web-socket-streams.md, then a disconnect and a reconnect.
    #[test]
    fn the_documented_partial_depth_fills_the_view_and_notices_move_the_state() {
        let frame = br#"{"lastUpdateId":160,"bids":[["0.0024","10"]],"asks":[["0.0026","100"]]}"#;
        let Ok(Decoded::Event { event, .. }) = decode_frame(frame, Backend::default()) else { panic!("decodes") };
        let mut view = BookView::new("BNBBTC", "depth20@100ms");
        let t = Instant::now();
        assert!(apply(&mut view, &event, t));
        assert_eq!(view.state, SyncState::Live);
        assert_eq!(view.last_update_id, 160);
        assert_eq!(view.spread(), Some("0.0002".parse().unwrap()));
        let down = MarketEvent::Notice(Notice::Disconnected { connection: 0, reason: "test".into() });
        apply(&mut view, &down, t);
        assert_eq!(view.state, SyncState::Reconnecting);
        let back =
            MarketEvent::Notice(Notice::Reconnected { connection: 0, restored: 1, down_for: Duration::from_secs(1) });
        apply(&mut view, &back, t);
        assert_eq!(view.resyncs, 1);
        assert!(apply(&mut view, &event, t));
        assert_eq!(view.state, SyncState::Live);
    }
}
