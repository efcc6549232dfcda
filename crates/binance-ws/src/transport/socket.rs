//! Opening one WebSocket, `ws://` or `wss://`.
//!
//! `wss://` uses rustls with the ring crypto provider and Mozilla's root certificates (webpki-roots).
//! Certificates and host names are always verified: there is no option to turn verification off.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tokio::net::TcpStream;
use tokio_websockets::{ClientBuilder, Connector, MaybeTlsStream, WebSocketStream};

use crate::{Error, Result};

/// The socket type every connection task owns.
pub type WsStream = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// One TLS connector for the process: building it parses the root certificates.
fn tls() -> std::result::Result<&'static Connector, String> {
    static TLS: OnceLock<std::result::Result<Connector, String>> = OnceLock::new();
    TLS.get_or_init(build_tls).as_ref().map_err(Clone::clone)
}

/// A verifying rustls client configuration. The provider is named here rather than taken from the process
/// default, which rustls cannot pick when no (or more than one) provider feature is on in the build.
fn build_tls() -> std::result::Result<Connector, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Connector::Rustls(tokio_rustls::TlsConnector::from(Arc::new(config))))
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
