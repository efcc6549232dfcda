//! Futures market and user data streams under a product's prefix (`/fstream`, `/dstream`):
//!
//! * `{prefix}/ws`, `{prefix}/ws/<s1>/<s2>`, `{prefix}/stream?streams=<s1>/<s2>`: every stream;
//! * USD-M `{prefix}/public/...` (book tickers and depth) and `{prefix}/market/...` (the others), each with the
//!   same `/ws` and `/stream` forms;
//! * user data: `{prefix}/ws/<listenKey>`, and for USD-M `{prefix}/private/ws?listenKey=<listenKey>`.
//!
//! Control messages, the 1024-stream and 10 messages per second limits, pings and faults are the spot stream
//! server's ([`crate::streams::serve_session`]).

pub mod name;
pub mod payload;
pub mod session;
pub mod user;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio_websockets::{CloseCode, WebSocketStream};

pub use name::{parse_futures_stream, FStreamKind};
pub use session::{FuturesSession, Scope};
pub use user::{UserFeed, UserFrame, UserSession};

use super::listen_key::KeyStatus;
use super::market::FuturesMarket;
use super::venue::FuturesVenue;
use crate::futures::config::Product;
use crate::streams::control::percent_decode;
use crate::streams::server::close;
use crate::streams::{serve_session, Listener};

/// Where a futures stream URL leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// Market streams of a scope; the path is left in `/ws...` or `/stream...` form.
    Market(Scope, String),
    /// A listenKey connection.
    User(String),
    /// Not a futures stream URL.
    Unknown,
}

fn is_listen_key(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Splits a path (after the product prefix) into its route.
pub fn route(product: Product, path_and_query: &str) -> Route {
    let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
    let usdm = product == Product::UsdM;
    if usdm && path.trim_end_matches('/') == "/private/ws" {
        let key = query.split('&').find_map(|kv| kv.strip_prefix("listenKey=")).map(percent_decode);
        return match key {
            Some(k) if is_listen_key(&k) => Route::User(k),
            _ => Route::Unknown,
        };
    }
    if let Some(rest) = path.strip_prefix("/ws/") {
        let rest = rest.trim_end_matches('/');
        if is_listen_key(rest) {
            return Route::User(rest.to_string());
        }
    }
    for (prefix, scope) in [("/public", Scope::Public), ("/market", Scope::Market)] {
        if let Some(rest) = path_and_query.strip_prefix(prefix).filter(|r| usdm && r.starts_with('/')) {
            return Route::Market(scope, rest.to_string());
        }
    }
    if path == "/ws" || path.starts_with("/ws/") || path == "/stream" {
        return Route::Market(Scope::All, path_and_query.to_string());
    }
    Route::Unknown
}

/// Serves one stream connection of `venue`; `path_and_query` is what follows the product prefix. `market` and
/// `user`: the venue's two feeds, listened to since before the handshake completed (see [`Listener`]).
pub async fn serve_futures_stream<S>(
    mut ws: WebSocketStream<S>,
    path_and_query: &str,
    venue: &FuturesVenue,
    (market, user): (Listener<FuturesMarket>, Listener<UserFeed>),
) where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let now_ms = venue.clock().now_ms();
    match route(venue.product(), path_and_query) {
        Route::Market(scope, rest) => {
            let cfg = venue.hub().config().session.clone();
            match FuturesSession::from_path(venue.product(), scope, &rest, cfg, now_ms) {
                Ok(session) => serve_session(ws, session, market).await,
                Err(e) => close(&mut ws, CloseCode::POLICY_VIOLATION, &e.to_string()).await,
            }
        }
        Route::User(key) => {
            let status = venue.listen_keys().lock().status(&key, now_ms);
            let KeyStatus::Active(account) = status else {
                close(&mut ws, CloseCode::POLICY_VIOLATION, "Invalid listenKey").await;
                return;
            };
            let max = venue.user_hub().config().session.max_incoming_per_sec;
            let session = UserSession::new(key, account, venue.listen_keys().clone(), venue.clock().clone(), max);
            serve_session(ws, session, user).await;
        }
        Route::Unknown => close(&mut ws, CloseCode::POLICY_VIOLATION, "Unknown path").await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        let key = "a".repeat(64);
        assert_eq!(route(Product::UsdM, &format!("/ws/{key}")), Route::User(key.clone()));
        assert_eq!(route(Product::UsdM, &format!("/private/ws?listenKey={key}")), Route::User(key.clone()));
        assert_eq!(route(Product::CoinM, &format!("/private/ws?listenKey={key}")), Route::Unknown);
        assert_eq!(route(Product::UsdM, "/ws/btcusdt@depth"), Route::Market(Scope::All, "/ws/btcusdt@depth".into()));
        assert_eq!(
            route(Product::UsdM, "/public/stream?streams=btcusdt@bookTicker"),
            Route::Market(Scope::Public, "/stream?streams=btcusdt@bookTicker".into())
        );
        assert_eq!(route(Product::UsdM, "/market/ws"), Route::Market(Scope::Market, "/ws".into()));
        assert_eq!(route(Product::CoinM, "/market/ws"), Route::Unknown);
        assert_eq!(
            route(Product::CoinM, "/stream?streams=btcusd_perp@aggTrade").clone(),
            Route::Market(Scope::All, "/stream?streams=btcusd_perp@aggTrade".into())
        );
        assert_eq!(route(Product::UsdM, "/other"), Route::Unknown);
    }
}
