//! User data streams: account and order events pushed to the account's owner.

pub mod futures;
