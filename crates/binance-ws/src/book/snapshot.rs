//! Where a book's snapshot comes from: [`SnapshotSource`], implemented for the Spot WebSocket API and open to
//! any other source (the futures APIs, a recorded file, a test double).

use futures::future::BoxFuture;

use crate::api::spot::{Api, DepthSnapshot};
use crate::streams::Level;
use crate::Result;

/// A depth snapshot: the top levels of each side and the update id they include.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snapshot {
    /// Update id of the last change included (`lastUpdateId`).
    pub last_update_id: u64,
    /// Bids, best (highest) first.
    pub bids: Vec<Level>,
    /// Asks, best (lowest) first.
    pub asks: Vec<Level>,
}

impl From<DepthSnapshot> for Snapshot {
    fn from(d: DepthSnapshot) -> Snapshot {
        let conv = |v: Vec<crate::api::spot::PriceLevel>| v.into_iter().map(|l| Level { price: l.price, qty: l.qty });
        Snapshot { last_update_id: d.last_update_id, bids: conv(d.bids).collect(), asks: conv(d.asks).collect() }
    }
}

/// Something that can fetch a depth snapshot of a symbol: the `depth` method of a WebSocket API, usually.
///
/// Implemented for [`spot::Api`](crate::spot::Api). A futures API implements it the same way, from its own
/// `depth` method:
///
/// ```
/// use binance_ws::book::{Snapshot, SnapshotSource};
/// use futures::future::BoxFuture;
///
/// /// A fixed book, for tests and replays.
/// struct Fixed(Snapshot);
///
/// impl SnapshotSource for Fixed {
///     fn snapshot(&self, _symbol: &str, _limit: u32) -> BoxFuture<'static, binance_ws::Result<Snapshot>> {
///         let s = self.0.clone();
///         Box::pin(async move { Ok(s) })
///     }
/// }
/// ```
pub trait SnapshotSource: Send + Sync + 'static {
    /// The top `limit` levels of each side of `symbol`'s book.
    fn snapshot(&self, symbol: &str, limit: u32) -> BoxFuture<'static, Result<Snapshot>>;
}

impl SnapshotSource for Api {
    /// `depth` with `limit` (spot accepts up to 5000).
    fn snapshot(&self, symbol: &str, limit: u32) -> BoxFuture<'static, Result<Snapshot>> {
        let (api, symbol) = (self.clone(), symbol.to_string());
        Box::pin(async move { api.depth(symbol).limit(limit).await.map(Snapshot::from) })
    }
}
