//! Opening one WebSocket, `ws://` or `wss://` (rustls with the webpki roots; certificates are always verified).

use std::time::Duration;

use tokio::net::TcpStream;
use tokio_websockets::{ClientBuilder, MaybeTlsStream, WebSocketStream};

use crate::{Error, Result};

/// The socket type every connection task owns.
pub type WsStream = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Connects to `url` within `timeout`.
pub async fn connect(url: &str, timeout: Duration) -> Result<WsStream> {
    let uri: http::Uri =
        url.parse().map_err(|e| Error::Connect { url: url.into(), reason: format!("bad URL: {e}") })?;
    let builder = ClientBuilder::from_uri(uri);
    let attempt = builder.connect();
    match tokio::time::timeout(timeout, attempt).await {
        Ok(Ok((ws, _response))) => Ok(ws),
        Ok(Err(e)) => Err(Error::Connect { url: url.into(), reason: e.to_string() }),
        Err(_) => Err(Error::Connect { url: url.into(), reason: format!("no handshake within {timeout:?}") }),
    }
}
