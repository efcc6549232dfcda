//! Futures (USDⓈ-M and COIN-M) user data: typed events ([`UserEvent`]), their one-pass decoder
//! ([`decode_event`]) and [`UserDataStream`], which obtains, keeps alive and renews the listen key over
//! the WebSocket API and reconnects the event stream by itself.
//!
//! ```no_run
//! # async fn run() -> binance_ws::Result<()> {
//! use binance_ws::{coinm, Credentials, Env};
//! use binance_ws::user_data::futures::{UserDataConfig, UserEvent};
//! use futures::StreamExt;
//! use std::time::Duration;
//!
//! let api = coinm::Api::connect(&Env::Testnet, Some(Credentials::from_env()?)).await?;
//! let config = UserDataConfig { keepalive_interval: Duration::from_secs(20 * 60), ..Default::default() };
//! let mut events = api.user_data_with(config).await?;
//! if let Some(UserEvent::Notice(n)) = events.next().await {
//!     println!("{n:?}");
//! }
//! # Ok(()) }
//! ```

mod decode;
mod events;
mod queue;
mod stream;

pub use decode::decode_event;
pub use events::*;
pub use stream::{StreamPath, UserDataConfig, UserDataStream};
