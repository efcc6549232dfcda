//! # binance-ws
//!
//! A client for Binance's WebSocket interfaces: the WebSocket API (request/response) with automatic
//! signing, market streams and a local order book. See `DESIGN.md` for the map.
//!
//! ```no_run
//! # async fn run() -> Result<(), binance_ws::Error> {
//! use binance_ws::{spot, Env};
//! let api = spot::Api::connect(&Env::Local("ws://127.0.0.1:9443".into()), None).await?;
//! let time = api.time().await?;
//! println!("server time {}", time.server_time);
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]

pub mod api;
pub mod auth;
pub mod book;
pub mod dex;
pub mod env;
pub mod error;
pub mod model;
pub mod streams;
pub mod transport;
pub mod user_data;
pub mod validate;

pub use auth::Credentials;
pub use env::Env;
pub use error::{Error, Result};

/// The Spot WebSocket API and the spot local order book.
pub mod spot {
    #[allow(unused_imports)]
    pub use crate::api::spot::*;
    pub use crate::book::OrderBook;
    pub use crate::user_data::spot::{UserDataStream, UserEvent};
}

/// The USDⓈ-M futures WebSocket API (`ws-fapi/v1`) and its user data stream.
pub mod usdm {
    pub use crate::api::usdm::*;
    pub use crate::user_data::futures::{UserDataConfig, UserDataStream, UserEvent};
}

/// The COIN-M futures WebSocket API (`ws-dapi/v1`) and its user data stream.
pub mod coinm {
    pub use crate::api::coinm::*;
    pub use crate::user_data::futures::{UserDataConfig, UserDataStream, UserEvent};
}
