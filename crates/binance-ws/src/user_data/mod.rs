//! User data streams: the account's own events (orders, balances, positions), typed, per product.
//! Spot events come over the WebSocket API session; futures events over a listenKey stream.

pub mod futures;
pub mod spot;

mod spot_events;
mod spot_queue;
mod spot_reconcile;
mod spot_restore;
mod spot_router;
mod spot_stream;

pub(crate) use spot_router::SessionSubscriptions;
