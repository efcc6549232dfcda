//! Local order books kept exactly in sync with the exchange, as Binance's "How to manage a local order book
//! correctly" describes: the diff depth stream is buffered, a snapshot is taken over the WebSocket API, buffered
//! events older than the snapshot are dropped, the first applied event must bracket the snapshot's update id, and
//! every later event must follow the one before. A gap discards that symbol's book alone and syncs it again.
//!
//! * [`BookManager`]: many symbols over one [`Streams`](crate::streams::Streams) client and one
//!   [`SnapshotSource`]; a `futures::Stream` of [`BookEvent`]s (`Synced`, `OutOfSync`, `Resynced`, `Updated`).
//! * [`OrderBook`]: a cloneable read handle: best bid/ask (O(1)), top N, quantity at a price, update id, sync
//!   state, resync count.
//! * [`BookSync`]: the procedure itself without I/O, for spot (`U`/`u`) and futures (`U`/`u`/`pu`) streams
//!   ([`SyncRule`]).
//! * [`Levels`]: the level store, prices as integer ticks in sorted vectors with the best level last.
//!
//! ```no_run
//! # async fn run() -> binance_ws::Result<()> {
//! use binance_ws::book::{BookConfig, BookEvent, BookManager};
//! use binance_ws::Env;
//! use futures::StreamExt;
//!
//! let mut books = BookManager::connect_spot(&Env::Mainnet, BookConfig { snapshot_limit: 5000, ..Default::default() })
//!     .await?;
//! let btc = books.watch(["BTCUSDT"]).await?.remove(0);
//! tokio::spawn(async move { while books.next().await.is_some() {} });
//! // Anywhere else, at any time:
//! println!("{:?} {:?} at {}", btc.best_bid(), btc.best_ask(), btc.last_update_id());
//! # Ok(()) }
//! ```
//!
//! Level storage was chosen by measurement (`cargo bench -p binance-ws --bench book`, realistic spot updates, one
//! core, on a 2-core machine loaded by other builds): prices as `i64` ticks in a sorted vector with the best level
//! last applied about 1.4× as many level updates per second as a `BTreeMap` on the same ticks and about 3× as many
//! as a `BTreeMap<Decimal, Decimal>` (7 to 8 million a second against 2 to 3 million). Figures: `docs/BENCHMARKS.md`.
//!
//! Gaps are found per symbol by the update ids, so a [`Notice::Lagged`](crate::streams::Notice::Lagged) from the
//! streams client (events dropped for a slow consumer) needs no action of its own: the next event of an affected
//! symbol shows the gap. A [`Notice::Disconnected`](crate::streams::Notice::Disconnected) discards the books of that
//! connection at once, and they sync again when it is back.

mod handle;
mod levels;
mod manager;
mod price;
mod side;
mod snapshot;
mod sync;

pub use handle::{Depth, OrderBook, SyncState};
pub use levels::{Levels, PriceOutOfRange};
pub use manager::{BookConfig, BookEvent, BookManager};
pub use snapshot::{Snapshot, SnapshotSource};
pub use sync::{BookSync, EventOutcome, ResyncReason, SnapshotOutcome, SyncRule, DEFAULT_BUFFER_LIMIT};
