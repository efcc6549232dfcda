//! What the secrets tests look for: the test keys' secret material and signature-shaped text.
#![allow(dead_code)]

use std::time::Duration;

use base64::Engine as _;
use binance_ws::api::ApiConfig;
use binance_ws::model::Decimal;
use binance_ws_sim::config::{AccountConfig, AccountKey, DEFAULT_ED25519_PRIVATE_PEM, DEFAULT_HMAC_SECRET};
use binance_ws_sim::SimConfig;

pub const RSA_PKCS8: &str = include_str!("../fixtures/test-rsa-pkcs8.pem");
pub const RSA_PKCS1: &str = include_str!("../fixtures/test-rsa-pkcs1.pem");
pub const RSA_PUBLIC: &str = include_str!("../fixtures/test-rsa-public.pem");
pub const ED25519: &str = include_str!("../fixtures/test-ed25519.pem");
/// The API key of the RSA account [`rsa_sim_config`] adds.
pub const RSA_API_KEY: &str = "rsaSecretsTestKey0000000000000000000000000000000000000000000000";

/// Everything that must never be shown, and a detector for signature-shaped text.
pub struct Secrets {
    needles: Vec<String>,
}

impl Secrets {
    pub fn new() -> Secrets {
        let mut needles = vec![DEFAULT_HMAC_SECRET.to_string(), DEFAULT_HMAC_SECRET[..12].to_string()];
        for pem_text in [RSA_PKCS8, RSA_PKCS1, ED25519, DEFAULT_ED25519_PRIVATE_PEM] {
            // Every base64 line of the PEM body, and a 16-character piece of each.
            for line in pem_text.lines().filter(|l| !l.starts_with("-----") && !l.is_empty()) {
                needles.push(line.to_string());
                needles.push(line[..line.len().min(16)].to_string());
            }
            // The key's DER bytes in hex and base64, whole and the last 32 bytes (an Ed25519 seed sits there).
            let der = pem::parse(pem_text).expect("fixture PEM").into_contents();
            let tail = &der[der.len() - 32..];
            for bytes in [&der[..], tail] {
                needles.push(hex::encode(bytes));
                needles.push(base64::engine::general_purpose::STANDARD.encode(bytes));
            }
            needles.push(hex::encode(tail)[..24].to_string());
        }
        Secrets { needles }
    }

    /// What in `text` is a secret or looks like a signature: 64 hex digits (HMAC-SHA256) or a base64 run of
    /// 86 characters or more (Ed25519: 88, RSA-2048: 344).
    pub fn leaks(&self, text: &str) -> Vec<String> {
        let mut found: Vec<String> = self.needles.iter().filter(|n| text.contains(n.as_str())).cloned().collect();
        // Maximal runs of hex digits, and of base64 characters ('=' padding ends a run).
        for (is_part, min, what) in [
            (&(|c: char| c.is_ascii_hexdigit()) as &dyn Fn(char) -> bool, 64, "hex"),
            (&(|c: char| c.is_ascii_alphanumeric() || c == '+' || c == '/') as &dyn Fn(char) -> bool, 86, "base64"),
        ] {
            let mut run = String::new();
            for c in text.chars().chain(std::iter::once(' ')) {
                if is_part(c) {
                    run.push(c);
                    continue;
                }
                if run.len() >= min {
                    found.push(format!("signature-shaped {what} text {run}"));
                }
                run.clear();
            }
        }
        found
    }

    pub fn assert_clean(&self, what: &str, text: &str) {
        let leaks = self.leaks(text);
        assert!(leaks.is_empty(), "{what} shows secrets {leaks:?} in:\n{text}");
    }
}

pub fn rsa_sim_config() -> SimConfig {
    let mut config = SimConfig { activity: None, ..Default::default() };
    config.accounts.push(AccountConfig {
        api_key: RSA_API_KEY.into(),
        key: AccountKey::PublicPem(RSA_PUBLIC.into()),
        balances: vec![("BTC".into(), Decimal::from(10)), ("USDT".into(), Decimal::from(1_000_000))],
    });
    config
}

pub fn fast() -> ApiConfig {
    let mut c = ApiConfig { request_timeout: Duration::from_secs(10), ..Default::default() };
    c.transport.backoff_floor = Duration::from_millis(20);
    c.transport.backoff_ceiling = Duration::from_millis(100);
    c
}
