//! Opening one WebSocket, `ws://` or `wss://` (rustls with the webpki roots; certificates are always verified).

use std::sync::OnceLock;
use std::time::Duration;

use tokio::net::TcpStream;
use tokio_websockets::{ClientBuilder, Connector, MaybeTlsStream, WebSocketStream};

use crate::{Error, Result};

/// The socket type every connection task owns.
pub type WsStream = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// One TLS connector for the process: building it parses the root certificates.
fn tls() -> std::result::Result<&'static Connector, String> {
    static TLS: OnceLock<std::result::Result<Connector, String>> = OnceLock::new();
    TLS.get_or_init(|| Connector::new().map_err(|e| e.to_string())).as_ref().map_err(Clone::clone)
}

/// Connects to `url` within `timeout`. TCP_NODELAY is set: requests are small and latency matters more
/// than packet count.
pub async fn connect(url: &str, timeout: Duration) -> Result<WsStream> {
    let fail = |reason: String| Error::Connect { url: url.into(), reason };
    let uri: http::Uri = url.parse().map_err(|e| fail(format!("bad URL: {e}")))?;
    let attempt = async {
        let host =
            uri.host().ok_or_else(|| "no host in URL".to_string())?.trim_start_matches('[').trim_end_matches(']');
        let secure = match uri.scheme_str() {
            Some("wss") => true,
            Some("ws") => false,
            other => return Err(format!("unsupported scheme {other:?} (use ws:// or wss://)")),
        };
        let port = uri.port_u16().unwrap_or(if secure { 443 } else { 80 });
        let tcp = TcpStream::connect((host, port)).await.map_err(|e| e.to_string())?;
        tcp.set_nodelay(true).map_err(|e| e.to_string())?;
        let stream = if secure { tls()?.wrap(host, tcp).await } else { Connector::Plain.wrap(host, tcp).await }
            .map_err(|e| e.to_string())?;
        let (ws, _response) =
            ClientBuilder::from_uri(uri.clone()).connect_on(stream).await.map_err(|e| e.to_string())?;
        Ok(ws)
    };
    match tokio::time::timeout(timeout, attempt).await {
        Ok(Ok(ws)) => Ok(ws),
        Ok(Err(reason)) => Err(fail(reason)),
        Err(_) => Err(fail(format!("no handshake within {timeout:?}"))),
    }
}
