//! `wss://` verifies the server's certificate by default, and nothing turns that off: a server whose certificate
//! no trusted authority signed is refused by the transport, the API client and the streams client alike.
//!
//! The server is a local TLS WebSocket echo server for `localhost`, with a self-signed certificate or one signed
//! by a throw-away CA (tests/fixtures/tls-*.pem). A client that trusts that CA completes the handshake with the
//! same server, which shows that the refusal is the certificate check and not a broken server.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use binance_ws::api::{ApiClient, ApiConfig};
use binance_ws::env::{Env, Product};
use binance_ws::streams::{Streams, StreamsConfig};
use binance_ws::Error;
use futures::{SinkExt, StreamExt};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio_websockets::{ClientBuilder, Connector, Message, ServerBuilder};

const CA: &str = include_str!("fixtures/tls-test-ca.pem");
const CERT: &str = include_str!("fixtures/tls-localhost-cert.pem");
const KEY: &str = include_str!("fixtures/tls-localhost-key.pem");
const SELF_SIGNED_CERT: &str = include_str!("fixtures/tls-self-signed-cert.pem");
const SELF_SIGNED_KEY: &str = include_str!("fixtures/tls-self-signed-key.pem");

fn der(pem_text: &str) -> Vec<u8> {
    pem::parse(pem_text).expect("fixture PEM").into_contents()
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A TLS WebSocket server with this certificate that echoes text frames; counts the TLS handshakes that failed.
async fn tls_echo_server(cert: &str, key: &str) -> (SocketAddr, Arc<std::sync::atomic::AtomicUsize>) {
    let config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(der(cert))],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(der(key))),
        )
        .expect("fixture certificate and key match");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let refused = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = refused.clone();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else { return };
            let acceptor = acceptor.clone();
            let counter = counter.clone();
            tokio::spawn(async move {
                let tls = match acceptor.accept(tcp).await {
                    Ok(tls) => tls,
                    Err(_) => {
                        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        return;
                    }
                };
                let Ok((_req, mut ws)) = ServerBuilder::new().accept(tls).await else { return };
                while let Some(Ok(msg)) = ws.next().await {
                    if msg.is_text() && ws.send(msg).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (addr, refused)
}

fn assert_certificate_refusal(err: &Error) {
    match err {
        Error::Connect { reason, .. } => {
            assert!(reason.contains("invalid peer certificate"), "refused, but not for the certificate: {reason}");
            assert!(reason.contains("UnknownIssuer"), "no trusted authority signed it: {reason}");
        }
        other => panic!("expected a connect error about the certificate, got {other:?}"),
    }
}

#[tokio::test]
async fn a_self_signed_certificate_is_refused_by_default() {
    let (addr, refused) = tls_echo_server(SELF_SIGNED_CERT, SELF_SIGNED_KEY).await;
    let err = binance_ws::transport::connect(&format!("wss://localhost:{}/ws", addr.port()), Duration::from_secs(10))
        .await
        .unwrap_err();
    assert_certificate_refusal(&err);
    let err = ApiClient::connect(&format!("wss://127.0.0.1:{}/ws-api/v3", addr.port()), None, ApiConfig::default())
        .await
        .unwrap_err();
    assert_certificate_refusal(&err);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while refused.load(std::sync::atomic::Ordering::SeqCst) < 2 {
        assert!(tokio::time::Instant::now() < deadline, "the server did not see two refused handshakes");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn a_certificate_from_an_unknown_authority_is_refused_by_default() {
    let (addr, refused) = tls_echo_server(CERT, KEY).await;
    let base = format!("wss://localhost:{}", addr.port());

    let err = binance_ws::transport::connect(&format!("{base}/ws"), Duration::from_secs(10)).await.unwrap_err();
    assert_certificate_refusal(&err);

    let err = ApiClient::connect(&format!("{base}/ws-api/v3"), None, ApiConfig::default()).await.unwrap_err();
    assert_certificate_refusal(&err);

    let err =
        Streams::connect_with(Env::Custom(base.clone()), Product::Spot, StreamsConfig::default()).await.err().unwrap();
    assert_certificate_refusal(&err);

    // The server saw each client abort the TLS handshake.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while refused.load(std::sync::atomic::Ordering::SeqCst) < 3 {
        assert!(tokio::time::Instant::now() < deadline, "the server did not see three refused handshakes");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn the_same_server_works_for_a_client_that_trusts_its_authority() {
    let (addr, _) = tls_echo_server(CERT, KEY).await;
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from(der(CA))).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = Connector::Rustls(tokio_rustls::TlsConnector::from(Arc::new(config)));
    let tcp = TcpStream::connect(addr).await.unwrap();
    let tls = connector.wrap("localhost", tcp).await.expect("a CA-trusting client completes the TLS handshake");
    let uri: http::Uri = format!("wss://localhost:{}/ws", addr.port()).parse().unwrap();
    let (mut ws, _) = ClientBuilder::from_uri(uri).connect_on(tls).await.expect("WebSocket handshake");
    ws.send(Message::text("hello")).await.unwrap();
    let echo = tokio::time::timeout(Duration::from_secs(10), ws.next()).await.unwrap().unwrap().unwrap();
    assert_eq!(echo.as_text(), Some("hello"));
}
