//! Signing and credentials. PLACEHOLDER with the agreed signatures; replaced by the auth work.
use crate::api::Params;

/// Key kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    /// HMAC.
    Hmac,
    /// RSA.
    Rsa,
    /// Ed25519.
    Ed25519,
}

/// Credentials.
#[derive(Clone)]
pub struct Credentials {
    api_key: String,
    secret: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credentials(..)")
    }
}

impl Credentials {
    /// HMAC.
    pub fn hmac(api_key: impl Into<String>, secret: impl Into<String>) -> Credentials {
        Credentials { api_key: api_key.into(), secret: secret.into() }
    }
    /// The key.
    pub fn api_key(&self) -> &str {
        &self.api_key
    }
    /// Type.
    pub fn key_type(&self) -> KeyType {
        KeyType::Hmac
    }
    /// Logon.
    pub fn can_logon(&self) -> bool {
        false
    }
    /// Sign.
    pub fn sign(&self, payload: &[u8]) -> String {
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, self.secret.as_bytes());
        hex::encode(ring::hmac::sign(&key, payload).as_ref())
    }
}

/// Payload.
pub fn signature_payload(params: &Params) -> String {
    let mut out = String::new();
    for (k, v) in params.iter().filter(|(k, _)| *k != "signature") {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        match v {
            serde_json::Value::String(s) => out.push_str(s),
            other => out.push_str(&other.to_string()),
        }
    }
    out
}

/// Sign params.
pub fn sign_params(
    credentials: &Credentials,
    params: &mut Params,
    timestamp_ms: u64,
    recv_window_ms: Option<f64>,
    include_api_key: bool,
) {
    if include_api_key {
        params.insert("apiKey".into(), credentials.api_key().into());
    }
    params.insert("timestamp".into(), timestamp_ms.into());
    if let Some(w) = recv_window_ms {
        params.insert("recvWindow".into(), serde_json::json!(w));
    }
    let sig = credentials.sign(signature_payload(params).as_bytes());
    params.insert("signature".into(), sig.into());
}
