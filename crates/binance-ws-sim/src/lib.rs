//! # binance-ws-sim: a local Binance-compatible exchange
//!
//! Speaks Binance's WebSocket API and market streams over real sockets, backed by a matching engine.
//! It builds its wire messages from Binance's documentation, independently of the client library.
//!
//! Feature `wire-order`: event payloads keep the key order of Binance's docs (`"e"` before `"E"`, ...), as
//! Binance sends them; without it their keys are sorted. It switches on serde_json's `preserve_order`, which
//! then holds for every crate in the build.
//!
//! ```no_run
//! # async fn run() {
//! let sim = binance_ws_sim::Sim::start(Default::default()).await.expect("listening");
//! println!("API at {}", sim.api_url());
//! # }
//! ```
#![forbid(unsafe_code)]

pub mod auth;
pub mod chaos;
pub mod clock;
pub mod config;
pub mod dex;
pub mod exchange;
pub mod faults;
pub mod flood;
pub mod futures;
pub mod market;
pub mod ratelimit;
pub mod server;
pub mod streams;
pub mod traders;
pub mod user_data;
pub mod wsapi;

pub use config::SimConfig;
pub use faults::ConnFault;
pub use server::Sim;
