//! No secret key, private key material or signature is shown by `{:?}` or `{:#?}` of any type that holds
//! credentials (every kind of `Credentials`, the API clients holding them, configurations, errors).
//! The logs are checked by `secrets_in_logs.rs`.

mod secrets_support;

use binance_ws::api::{ApiClient, ApiConfig, Security};
use binance_ws::dex::DexConfig;
use binance_ws::spot::Api;
use binance_ws::streams::StreamsConfig;
use binance_ws::transport::TransportConfig;
use binance_ws::Credentials;
use binance_ws_sim::config::{
    DEFAULT_ED25519_API_KEY, DEFAULT_ED25519_PRIVATE_PEM, DEFAULT_HMAC_API_KEY, DEFAULT_HMAC_SECRET,
};
use binance_ws_sim::Sim;
use secrets_support::*;
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

#[test]
fn the_detector_finds_what_it_looks_for() {
    // Guards the tests below against a detector that finds nothing.
    let s = Secrets::new();
    let hmac = Credentials::hmac("k", DEFAULT_HMAC_SECRET);
    let ed = Credentials::from_pem("k", ED25519).unwrap();
    let rsa = Credentials::from_pem("k", RSA_PKCS8).unwrap();
    for sig in [hmac.sign(b"a=1"), ed.sign(b"a=1"), rsa.sign(b"a=1")] {
        assert!(!s.leaks(&format!("signature={sig}&x")).is_empty(), "{sig} not detected");
    }
    assert!(!s.leaks(&format!("secret {}", &DEFAULT_HMAC_SECRET[..12])).is_empty());
    assert!(!s.leaks(RSA_PKCS1).is_empty());
    assert!(s.leaks("API connected url=ws://127.0.0.1:9443/ws-api/v3 generation=0 apiKey=vmPU…").is_empty());
}

fn all_credentials() -> Vec<Credentials> {
    vec![
        Credentials::hmac(DEFAULT_HMAC_API_KEY, DEFAULT_HMAC_SECRET),
        Credentials::from_pem(DEFAULT_ED25519_API_KEY, DEFAULT_ED25519_PRIVATE_PEM).unwrap(),
        Credentials::from_pem("k", ED25519).unwrap(),
        Credentials::from_pem("k", RSA_PKCS8).unwrap(),
        Credentials::from_pem("k", RSA_PKCS1).unwrap(),
        Credentials::ed25519("k", format!("{FIXTURES}/test-ed25519.pem")).unwrap(),
        Credentials::rsa("k", format!("{FIXTURES}/test-rsa-pkcs1.pem")).unwrap(),
        Credentials::from_lookup(|name| match name {
            "BINANCE_API_KEY" => Some(DEFAULT_HMAC_API_KEY.into()),
            "BINANCE_SECRET_KEY" => Some(DEFAULT_HMAC_SECRET.into()),
            _ => None,
        })
        .unwrap(),
        Credentials::from_lookup(|name| match name {
            "BINANCE_API_KEY" => Some("k".into()),
            "BINANCE_PRIVATE_KEY_PATH" => Some(format!("{FIXTURES}/test-rsa-pkcs8.pem")),
            _ => None,
        })
        .unwrap(),
    ]
}

#[tokio::test]
async fn debug_output_of_every_credential_holder_is_clean() {
    let secrets = Secrets::new();
    let creds = all_credentials();
    for c in &creds {
        secrets.assert_clean("Credentials {:?}", &format!("{c:?}"));
        secrets.assert_clean("Credentials {:#?}", &format!("{c:#?}"));
        // The full API key is not shown either, only its first 4 characters.
        if c.api_key().len() > 8 {
            assert!(!format!("{c:?}{c:#?}").contains(c.api_key()), "{c:?}");
        }
    }
    // The clients that hold them, connected (and logged on, for Ed25519).
    let sim = Sim::start(rsa_sim_config()).await.unwrap();
    let signed = [
        Credentials::hmac(DEFAULT_HMAC_API_KEY, DEFAULT_HMAC_SECRET),
        Credentials::from_pem(DEFAULT_ED25519_API_KEY, DEFAULT_ED25519_PRIVATE_PEM).unwrap(),
        Credentials::from_pem(RSA_API_KEY, RSA_PKCS8).unwrap(),
    ];
    for c in signed {
        let client = ApiClient::connect(&sim.api_url(), Some(c.clone()), fast()).await.unwrap();
        let api = Api::from_client(client.clone());
        let shown =
            format!("{client:?}\n{client:#?}\n{:?}\n{:#?}\n{:?}", api.client(), api.client(), client.credentials());
        assert!(shown.contains("ApiClient") && shown.contains("Credentials"), "{shown}");
        secrets.assert_clean("ApiClient", &shown);
        // A refused signed request's error (and its Debug) names the problem, not the signature.
        let wrong = Credentials::hmac(DEFAULT_HMAC_API_KEY, "not-the-secret");
        let bad = ApiClient::connect(&sim.api_url(), Some(wrong), fast()).await.unwrap();
        let err = bad.call("account.status", Value::Null, Security::Signed).await.unwrap_err();
        assert_eq!(err.code(), Some(-1022), "{err}");
        secrets.assert_clean("Error", &format!("{err} {err:?} {err:#?}"));
    }
    // Configurations hold no credentials, and show none.
    let configs = format!(
        "{:?}{:#?}{:?}{:?}{:?}",
        ApiConfig::default(),
        ApiConfig::default(),
        StreamsConfig::default(),
        DexConfig::default(),
        TransportConfig::default()
    );
    secrets.assert_clean("configs", &configs);
    // Key errors never echo the key they could not use.
    for bad in [RSA_PUBLIC, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"] {
        let err = Credentials::from_pem("k", bad).unwrap_err();
        secrets.assert_clean("key error", &format!("{err} {err:?}"));
    }
}
