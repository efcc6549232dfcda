//! PLACEHOLDER (HMAC and Ed25519 only) with the agreed API; replaced by the auth work.

use ring::signature::{UnparsedPublicKey, ED25519};

/// Key material.
#[derive(Debug, Clone)]
pub enum KeyMaterial {
    /// HMAC.
    Hmac {
        /// Secret.
        secret: String,
    },
    /// RSA.
    Rsa {
        /// DER.
        public_key: Vec<u8>,
    },
    /// Ed25519.
    Ed25519 {
        /// Raw key.
        public_key: [u8; 32],
    },
}

impl KeyMaterial {
    /// HMAC.
    pub fn hmac(secret: impl Into<String>) -> Self {
        KeyMaterial::Hmac { secret: secret.into() }
    }
    /// From PEM.
    pub fn from_public_pem(pem: &str) -> Result<Self, String> {
        use base64::Engine;
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = base64::engine::general_purpose::STANDARD.decode(body).map_err(|e| e.to_string())?;
        if der.len() == 44 {
            let mut k = [0u8; 32];
            k.copy_from_slice(&der[12..]);
            return Ok(KeyMaterial::Ed25519 { public_key: k });
        }
        Err("unsupported".into())
    }
    /// Verify.
    pub fn verify(&self, payload: &[u8], signature: &str) -> bool {
        use base64::Engine;
        match self {
            KeyMaterial::Hmac { secret } => {
                let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
                hex::decode(signature).map(|s| ring::hmac::verify(&key, payload, &s).is_ok()).unwrap_or(false)
            }
            KeyMaterial::Ed25519 { public_key } => base64::engine::general_purpose::STANDARD
                .decode(signature)
                .map(|s| UnparsedPublicKey::new(&ED25519, public_key).verify(payload, &s).is_ok())
                .unwrap_or(false),
            KeyMaterial::Rsa { .. } => false,
        }
    }
}

/// Payload.
pub fn signature_payload(params: &serde_json::Map<String, serde_json::Value>) -> String {
    let mut parts: Vec<(&String, String)> = params
        .iter()
        .filter(|(k, _)| *k != "signature")
        .map(|(k, v)| (k, v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())))
        .collect();
    parts.sort_by(|a, b| a.0.cmp(b.0));
    parts.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
}
