//! USD-M and COIN-M futures: contracts and settings, the matching engine with positions and margin, and (in
//! the modules around it) the WebSocket APIs, market streams and listenKey user data streams.
//!
//! A running [`Sim`](crate::Sim) serves them on the same listener as spot: the WebSocket APIs at `/ws-fapi/v1`
//! and `/ws-dapi/v1`, streams under `/fstream` and `/dstream`. What the WebSocket APIs cannot do (position mode,
//! leverage, deposits, pinning the mark price) is done on the `Sim`:
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use binance_ws_sim::config::DEFAULT_HMAC_API_KEY;
//! use binance_ws_sim::futures::Product;
//! use binance_ws_sim::{Sim, SimConfig};
//!
//! let sim = Sim::start(SimConfig { activity: None, ..Default::default() }).await?;
//! println!("USD-M API at {}", sim.futures_api_url(Product::UsdM)); // ws://127.0.0.1:PORT/ws-fapi/v1
//! println!("COIN-M streams under {}", sim.futures_stream_url(Product::CoinM)); // ws://127.0.0.1:PORT/dstream
//! sim.set_position_mode(Product::UsdM, DEFAULT_HMAC_API_KEY, true)?; // hedge mode
//! sim.set_leverage(Product::UsdM, DEFAULT_HMAC_API_KEY, "BTCUSDT", 10)?;
//! sim.set_mark_price(Product::UsdM, "BTCUSDT", Some("61000".parse()?))?;
//! # Ok(()) }
//! ```

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
