//! User data streams: the account's own events (orders, balances), typed, per product.

pub mod spot;

mod spot_events;
mod spot_queue;
mod spot_reconcile;
mod spot_restore;
mod spot_router;
mod spot_stream;

pub(crate) use spot_router::SessionSubscriptions;
