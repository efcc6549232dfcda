//! Market streams: typed stream names, typed events decoded in one pass, and a client that shards
//! subscriptions over connections, never breaks the server's message-rate limit, reconnects and restores
//! subscriptions, rotates connections before the 24-hour cut-off without losing or repeating events, and
//! reports every gap in the same feed.
//!
//! ```no_run
//! # async fn run() -> Result<(), binance_ws::Error> {
//! use binance_ws::env::{Env, Product};
//! use binance_ws::streams::{Levels, MarketEvent, Notice, Speed, Stream, Streams};
//! use futures::StreamExt;
//!
//! let mut feed = Streams::connect(Env::Local("ws://127.0.0.1:9443".into()), Product::Spot)
//!     .await?
//!     .subscribed([Stream::trade("BTCUSDT"), Stream::partial_depth("BTCUSDT", Levels::L5, Speed::Ms100)])
//!     .await?;
//! while let Some(ev) = feed.next().await {
//!     match ev {
//!         MarketEvent::Trade(t) => println!("trade {} {}", t.price, t.qty),
//!         MarketEvent::PartialDepth(d) => println!("best bid {:?}", d.bids.first()),
//!         MarketEvent::Notice(Notice::Disconnected { reason, .. }) => eprintln!("gap: {reason}"),
//!         _ => {}
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! * [`Stream`]: constructors for every spot and futures stream, rendering the exact wire names; `FromStr`.
//! * [`decode_frame`] / [`decode_text`]: the decoder (fixed-order readers for the busiest spot payloads, then
//!   [`Backend::SonicRs`] by default; see `benches/decode_streams.rs`).
//! * [`Streams`] / [`StreamsHandle`]: the client; [`StreamsConfig`] for limits, queue policy and timings. A
//!   connection's task reads the socket and splits each combined frame; the consumer decodes the events as it
//!   takes them, so the two run on two threads.
//! * [`Dispatcher`]: callbacks by stream-name pattern; [`StreamsHandle::history`] keeps the last raw frames.
//! * [`LevelList`]: a depth update's price levels; reads like a `Vec<Level>`, and its buffer is reused for the
//!   next update rather than freed, so a busy depth stream allocates nothing per update.

mod client;
mod conn;
pub(crate) mod decode;
mod dispatch;
mod event;
mod fast;
mod fast_decimal;
mod item;
mod level_list;
mod limiter;
mod name;
pub(crate) mod queue;

pub use client::{Streams, StreamsConfig, StreamsHandle};
pub use decode::{decode_frame, decode_payload, decode_text, Backend, ControlError, ControlReply, Decoded};
pub use dispatch::{glob, Dispatcher};
pub use event::*;
pub use level_list::LevelList;
pub use limiter::Limiter;
pub use name::{ContractType, Interval, Levels, Route, Speed, Stream, UnknownStream, Window};
pub use queue::Overflow;
