//! One WebSocket connection: connecting (TLS via rustls for `wss://`), reconnect backoff, close-code
//! classification and connection state events. The connection tasks of the API and stream clients
//! are built from these pieces.

mod backoff;
mod close;
mod config;
mod events;
mod socket;

pub use backoff::Backoff;
pub use close::{classify_close, CloseKind};
pub use config::TransportConfig;
pub use events::ConnectionEvent;
pub use socket::{connect, WsStream};
