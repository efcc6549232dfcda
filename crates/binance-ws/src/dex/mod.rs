//! The Binance DEX (Binance Chain) WebSocket streams.
//!
//! **The upstream service is shut down** (Binance Chain was retired in 2022-2024). Its protocol is kept here
//! as documented (`dex-docs/ws-connection.md`, `ws-streams.md`), and the local exchange (`binance-ws-sim`,
//! served under `/api/`) implements it, so code written against this module runs against
//! [`DexEnv::Local`]. [`DexEnv::Mainnet`] and [`DexEnv::Testnet`] keep the documented endpoints
//! (`wss://dex.binance.org/api/`, `wss://testnet-dex.binance.org/api/`).
//!
//! * Both ways in: streams named in the URL ([`DexClient::connect_streams`]: an address, `<symbol>@<topic>`,
//!   `$all@<topic>`) and `subscribe`/`unsubscribe` messages on one connection ([`DexClient::connect`]).
//! * `keepAlive` is sent automatically well inside the server's 30-minute window
//!   ([`DexConfig::keepalive_interval`]).
//! * Typed payloads for every topic ([`DexEvent`]), exact decimals, fee strings parsed ([`Fee`]), integer
//!   times kept exactly (nanoseconds fit); unknown streams stay raw ([`DexEvent::Other`]), malformed frames
//!   become [`DexEvent::Malformed`] values.
//! * Callbacks per topic ([`DexClient::on`]) and a `futures::Stream` ([`DexClient::events`]); reconnect with
//!   backoff and resubscription; connection changes as [`DexEvent::Connection`].
//! * One-off reads ([`one_off`]): connect, take the first message, close.
//!
//! `marketDepth1000` needs permessage-deflate upstream; the WebSocket library used here has no compression,
//! so that topic works against the local exchange (which serves it uncompressed) only.

mod client;
mod model;
mod topic;

pub use client::{dex_base, one_off, DexClient, DexConfig, DexEnv, DexEvents, HandlerId};
pub use model::{
    decode_frame, decode_payload, AccountUpdate, Balance, BlockHeight, Candle, Coin, DepthDiff, DepthSnapshot,
    DexEvent, Fee, FeeItem, Kline, MiniTicker, OrderStatus, OrderType, OrderUpdate, PriceLevel, Side, TickType, Ticker,
    TimeInForce, Trade, Transfer, TransferOutput,
};
pub use topic::{DepthLevels, KlineInterval, Topic, TopicKind};
