//! The typed Spot API against the local exchange over real sockets.

use binance_ws::spot::Api;
use binance_ws::{Credentials, Env};
use binance_ws_sim::config::{DEFAULT_ED25519_API_KEY, DEFAULT_ED25519_PRIVATE_PEM};
use binance_ws_sim::{Sim, SimConfig};

async fn setup() -> (Sim, Api) {
    let sim = Sim::start(SimConfig::default()).await.expect("local exchange starts");
    let creds = Credentials::from_pem(DEFAULT_ED25519_API_KEY, DEFAULT_ED25519_PRIVATE_PEM).unwrap();
    let api = Api::connect(&Env::Local(sim.base_url()), Some(creds)).await.expect("connects");
    (sim, api)
}

#[tokio::test]
async fn general_and_session_methods_decode_into_their_types() {
    let (_sim, api) = setup().await;
    api.ping().await.unwrap();
    let time = api.time().await.unwrap();
    assert!(time.server_time > 1_600_000_000_000);
    let status = api.session_status().await.unwrap();
    assert_eq!(status.api_key.as_deref(), Some(DEFAULT_ED25519_API_KEY));
    let out = api.session_logout().await.unwrap();
    assert!(out.api_key.is_none());
    assert!(!api.client().is_logged_on(), "the client knows it must sign again");
}
