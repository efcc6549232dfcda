//! No secret key, private key material or signature appears in the `tracing` logs, captured at TRACE, of whole
//! signed sessions against the local exchange with HMAC, RSA and Ed25519 keys: logon, signed reads, an order
//! placed, queried and canceled, a dropped connection and a malformed frame, and a request refused for its
//! timestamp. One test alone in its binary: the capturing subscriber is the process-wide default.

mod secrets_support;

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use binance_ws::api::{ApiClient, ApiEvent, Params, Security};
use binance_ws::model::Side;
use binance_ws::spot::{Api, NewOrder, OrderRef};
use binance_ws::transport::ConnectionEvent;
use binance_ws::Credentials;
use binance_ws_sim::config::{
    DEFAULT_ED25519_API_KEY, DEFAULT_ED25519_PRIVATE_PEM, DEFAULT_HMAC_API_KEY, DEFAULT_HMAC_SECRET,
};
use binance_ws_sim::{ConnFault, Sim};
use parking_lot::Mutex;
use secrets_support::*;
use serde_json::{json, Value};

/// A `tracing` writer that appends to a shared buffer.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Capture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock()).into_owned()
    }
}

async fn wait_reconnected(events: &mut tokio::sync::broadcast::Receiver<ApiEvent>) {
    tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            if let Ok(ApiEvent::Connection(ConnectionEvent::Connected { generation, .. })) = events.recv().await {
                if generation > 0 {
                    return;
                }
            }
        }
    })
    .await
    .expect("reconnected");
}

/// Logs on (Ed25519) or signs every request (HMAC, RSA); reads the account, places, queries and cancels an
/// order, survives a dropped connection and a malformed frame, and has one request refused for its signature.
async fn signed_session(sim: &Sim, creds: Credentials) {
    let client = ApiClient::connect(&sim.api_url(), Some(creds.clone()), fast()).await.unwrap();
    let api = Api::from_client(client.clone());
    let mut events = client.events();
    assert_eq!(client.is_logged_on(), creds.can_logon());
    api.account_status().await.unwrap();
    let placed = api
        .place_order(NewOrder::limit("BTCUSDT", Side::Buy, "0.01".parse().unwrap(), "40000.00".parse().unwrap()))
        .await
        .unwrap();
    api.order_status("BTCUSDT", OrderRef::Id(placed.order_id)).await.unwrap();
    sim.inject(ConnFault::Malformed);
    sim.inject(ConnFault::Drop);
    wait_reconnected(&mut events).await;
    api.cancel_order("BTCUSDT", OrderRef::Id(placed.order_id)).await.unwrap();
    let params: Params = serde_json::from_value(json!({"symbol": "BTCUSDT"})).unwrap();
    client.request::<Value>("openOrders.status", params, Security::Signed).await.unwrap();
    // The exchange's clock jumps ahead: the next signed request is refused (-1021), and that is logged nowhere
    // with its signature.
    sim.clock().set_skew_ms(120_000);
    let err = api.account_status().await.unwrap_err();
    assert_eq!(err.code(), Some(-1021), "{err}");
    sim.clock().set_skew_ms(0);
    client.close().await;
}

#[tokio::test]
async fn trace_logs_of_signed_sessions_with_every_key_type_are_clean() {
    let capture = Capture::default();
    let writer = capture.clone();
    // Everything, TRACE included, except the local exchange's own logs (it is not the library under test).
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::Layer as _;
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_filter(tracing_subscriber::filter::filter_fn(|m| !m.target().starts_with("binance_ws_sim")));
    let subscriber = tracing_subscriber::registry().with(layer);
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber of this test binary");

    let sim = Sim::start(rsa_sim_config()).await.unwrap();
    for creds in [
        Credentials::hmac(DEFAULT_HMAC_API_KEY, DEFAULT_HMAC_SECRET),
        Credentials::from_pem(RSA_API_KEY, RSA_PKCS8).unwrap(),
        Credentials::from_pem(DEFAULT_ED25519_API_KEY, DEFAULT_ED25519_PRIVATE_PEM).unwrap(),
    ] {
        signed_session(&sim, creds).await;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let logs = capture.text();
    // The capture works and saw the sessions' connection changes and the malformed frame.
    assert!(logs.contains("API connected"), "nothing captured:\n{logs}");
    assert!(logs.contains("API connection lost"), "{logs}");
    assert!(logs.contains("undecodable API frame"), "{logs}");
    Secrets::new().assert_clean("TRACE logs", &logs);
    eprintln!("{} lines of TRACE logs checked", logs.lines().count());
}
