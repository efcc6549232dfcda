//! The market stream server: stream names, a sans-IO per-connection session, payload builders, and the
//! socket loop with its shared hub.
//!
//! * [`name`]: `<symbol>@trade`, `@aggTrade`, `@kline_<i>[@+08:00]`, `@miniTicker`, `!miniTicker@arr`, `@ticker`,
//!   `@ticker_<w>`, `!ticker_<w>@arr`, `@bookTicker`, `@avgPrice`, `@depth<N>[@100ms]`, `@depth[@100ms]`.
//! * [`session::StreamSession`]: subscriptions and properties, control messages and their replies, the
//!   5 messages/s limit, frames for events and for clock ticks.
//! * [`server`]: [`StreamHub`] (market state + event broadcast) and [`serve_stream_connection`].

pub mod control;
pub mod name;
pub mod payload;
pub mod server;
pub mod session;

pub use name::{parse_stream_name, StreamKind, TickerWindow};
pub use server::{
    now_ms, serve_session, serve_stream_connection, Hub, HubState, Listener, StreamConn, StreamHub, StreamServerConfig,
};
pub use session::{CloseReason, PathError, SessionConfig, StreamSession};
