//! The exchange's state: books, matching, accounts, orders.

pub mod events;
