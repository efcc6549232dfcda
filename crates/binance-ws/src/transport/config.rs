//! Connection settings shared by the API and stream clients.

use std::time::Duration;

/// How a connection is kept alive and replaced.
#[derive(Debug, Clone)]
pub struct TransportConfig {
    /// Limit for TCP + TLS + WebSocket handshake.
    pub connect_timeout: Duration,
    /// Send our own ping after this long without sending anything.
    pub idle_ping: Duration,
    /// Reconnect when nothing at all (data, ping, pong) arrived for this long.
    pub stall_timeout: Duration,
    /// First reconnect delay.
    pub backoff_floor: Duration,
    /// Longest reconnect delay.
    pub backoff_ceiling: Duration,
    /// Give up after this many failed attempts in a row (None: never).
    pub max_attempts: Option<u32>,
    /// Replace the connection before the server's 24-hour cut-off (None: never rotate).
    pub lifetime: Option<Duration>,
}

impl Default for TransportConfig {
    fn default() -> Self {
        TransportConfig {
            connect_timeout: Duration::from_secs(10),
            idle_ping: Duration::from_secs(30),
            // Binance pings every 20 s, so a minute of silence means the connection is dead.
            stall_timeout: Duration::from_secs(60),
            backoff_floor: Duration::from_millis(250),
            backoff_ceiling: Duration::from_secs(30),
            max_attempts: None,
            lifetime: Some(Duration::from_secs(23 * 3600 + 50 * 60)),
        }
    }
}
