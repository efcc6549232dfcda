//! # binance-ws-sim: a local Binance-compatible exchange
//!
//! Speaks Binance's WebSocket API and market streams over real sockets, backed by a matching engine.
//! It builds its wire messages from Binance's documentation, independently of the client library.
#![forbid(unsafe_code)]

pub mod exchange;
pub mod market;
pub mod streams;
