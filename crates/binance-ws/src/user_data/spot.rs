//! Spot user data streams over the WebSocket API session.
//!
//! [`Api::user_data`](crate::spot::Api::user_data) subscribes (`userDataStream.subscribe` on a session
//! logged on with an Ed25519 key, `userDataStream.subscribe.signature` otherwise) and returns a
//! [`UserDataStream`]: a `futures::Stream` of [`UserEvent`]s for that subscription only, decoded in one pass
//! into exact types. The subscription is restored by itself when the connection is replaced; a
//! [`Notice::Missed`] in the same stream then says between which server times events may be missing, and
//! [`UserDataStream::reconcile`] fetches what they would have said.
//!
//! ```no_run
//! # async fn run() -> binance_ws::Result<()> {
//! use binance_ws::user_data::spot::{Notice, UserEvent};
//! use binance_ws::{spot::Api, Credentials, Env};
//! use futures::StreamExt;
//!
//! let api = Api::connect(&Env::Testnet, Some(Credentials::ed25519("key", "key.pem")?)).await?;
//! let mut mine = api.user_data().await?;
//! while let Some(ev) = mine.next().await {
//!     match ev {
//!         UserEvent::ExecutionReport(r) => println!("order {} {:?}", r.order_id, r.status),
//!         UserEvent::BalanceUpdate(b) => println!("{} {}", b.asset, b.delta),
//!         UserEvent::Notice(Notice::Missed(gap)) => {
//!             let state = mine.reconcile().await?;
//!             println!("gap {}..{}: {} orders changed", gap.from_ms, gap.until_ms, state.changed_orders.len());
//!         }
//!         _ => {}
//!     }
//! }
//! # Ok(()) }
//! ```

pub use super::spot_events::{
    decode_event, decode_frame, AccountPosition, AssetBalance, BalanceUpdate, ExecutionReport, ExternalLockUpdate,
    ListStatus, ListStatusOrder, MatchType, Missed, MissedCause, Notice, OrderRejectReason, StreamTerminated,
    UserEvent,
};
pub use super::spot_reconcile::Reconciliation;
pub use super::spot_stream::UserDataStream;
