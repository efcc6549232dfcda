//! USD-M and COIN-M futures: contracts and settings, the matching engine with positions and margin, and (in
//! the modules around it) the WebSocket APIs, market streams and listenKey user data streams.

pub mod config;
pub mod engine;

pub use config::{ContractSpec, FuturesConfig, Product};
pub mod fmt;
pub mod listen_key;
pub mod market;
pub mod order_limits;
pub mod streams;
pub mod traders;
pub mod user_data;
pub mod venue;
pub mod wsapi;

pub use venue::FuturesVenue;
