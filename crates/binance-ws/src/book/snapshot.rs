//! Where a book's snapshot comes from: [`SnapshotSource`], implemented for the Spot and USDⓈ-M WebSocket APIs
//! and open to any other source (a recorded file, a test double). COIN-M's WebSocket API has no `depth` method.

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

fn levels(v: Vec<crate::api::spot::PriceLevel>) -> Vec<Level> {
    v.into_iter().map(|l| Level { price: l.price, qty: l.qty }).collect()
}

impl From<DepthSnapshot> for Snapshot {
    fn from(d: DepthSnapshot) -> Snapshot {
        Snapshot { last_update_id: d.last_update_id, bids: levels(d.bids), asks: levels(d.asks) }
    }
}

impl From<crate::usdm::DepthSnapshot> for Snapshot {
    fn from(d: crate::usdm::DepthSnapshot) -> Snapshot {
        Snapshot { last_update_id: d.last_update_id, bids: levels(d.bids), asks: levels(d.asks) }
    }
}

/// Something that can fetch a depth snapshot of a symbol: the `depth` method of a WebSocket API, usually.
///
/// Implemented for [`spot::Api`](crate::spot::Api) and [`usdm::Api`](crate::usdm::Api). Another source implements
/// it the same way:
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

impl SnapshotSource for crate::usdm::Api {
    /// `depth` with `limit` (USDⓈ-M accepts 5, 10, 20, 50, 100, 500 or 1000 levels; weight 2 to 20).
    ///
    /// ```no_run
    /// # async fn run() -> binance_ws::Result<()> {
    /// use binance_ws::book::{BookConfig, BookManager, SyncRule};
    /// use binance_ws::env::{Env, Product};
    /// use binance_ws::{streams::Streams, usdm};
    ///
    /// let env = Env::Mainnet;
    /// let api = usdm::Api::connect(&env, None).await?;
    /// let streams = Streams::connect(env, Product::UsdM).await?;
    /// let cfg = BookConfig { rule: SyncRule::Futures, ..Default::default() };
    /// let mut books = BookManager::new(streams, api, cfg);
    /// let btc = books.watch(["BTCUSDT"]).await?.remove(0);
    /// # let _ = btc; Ok(()) }
    /// ```
    fn snapshot(&self, symbol: &str, limit: u32) -> BoxFuture<'static, Result<Snapshot>> {
        let (api, symbol) = (self.clone(), symbol.to_string());
        Box::pin(async move { api.depth(symbol).limit(limit).await.map(Snapshot::from) })
    }
}
