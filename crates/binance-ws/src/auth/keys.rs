//! Loading private keys from PEM and signing with them (all crypto by `ring`).

use std::sync::Arc;

use base64::Engine as _;
use ring::{hmac, rand::SystemRandom, signature};

use crate::{Error, Result};

/// DER of the algorithm OID `1.3.101.112` (Ed25519), as it appears inside a PKCS#8 `AlgorithmIdentifier`.
const OID_ED25519: &[u8] = &[0x06, 0x03, 0x2b, 0x65, 0x70];
/// DER of the algorithm OID `1.2.840.113549.1.1.1` (rsaEncryption).
const OID_RSA: &[u8] = &[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
/// DER of the algorithm OID `1.2.840.10045.2.1` (id-ecPublicKey), recognised only to say it is unsupported.
const OID_EC: &[u8] = &[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];

/// A validated signing key. Cheap to clone: the key pairs are shared.
#[derive(Clone)]
pub(crate) enum Signer {
    Hmac(hmac::Key),
    Rsa(Arc<signature::RsaKeyPair>, SystemRandom),
    Ed25519(Arc<signature::Ed25519KeyPair>),
}

impl Signer {
    pub(crate) fn hmac(secret: &str) -> Signer {
        Signer::Hmac(hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes()))
    }

    /// Signs `payload`, encoded as Binance expects for this key type.
    pub(crate) fn sign(&self, payload: &[u8]) -> String {
        match self {
            Signer::Hmac(key) => hex::encode(hmac::sign(key, payload).as_ref()),
            Signer::Ed25519(pair) => base64::engine::general_purpose::STANDARD.encode(pair.sign(payload).as_ref()),
            Signer::Rsa(pair, rng) => {
                let mut sig = vec![0u8; pair.public().modulus_len()];
                match pair.sign(&signature::RSA_PKCS1_SHA256, rng, payload, &mut sig) {
                    Ok(()) => base64::engine::general_purpose::STANDARD.encode(&sig),
                    Err(_) => {
                        // The key signed once when it was loaded, so only a failing system RNG gets here. An
                        // empty signature makes Binance reject the request (-1022), which reaches the caller as an
                        // error value instead of a panic.
                        tracing::error!("RSA signing failed (system random number generator unavailable)");
                        String::new()
                    }
                }
            }
        }
    }
}

/// Parses a PEM text holding one private key: PKCS#8 (`PRIVATE KEY`, Ed25519 or RSA) or PKCS#1
/// (`RSA PRIVATE KEY`). Other blocks in the text (a certificate, a public key) are skipped.
pub(crate) fn signer_from_pem(pem_text: &str) -> Result<Signer> {
    let blocks = pem::parse_many(pem_text.as_bytes()).map_err(|e| {
        Error::Key(format!("not a valid PEM file ({e}); expected a `-----BEGIN PRIVATE KEY-----` block"))
    })?;
    if blocks.is_empty() {
        return Err(Error::Key(
            "no PEM block found; expected an unencrypted Ed25519 or RSA private key \
             (`-----BEGIN PRIVATE KEY-----` or `-----BEGIN RSA PRIVATE KEY-----`)"
                .into(),
        ));
    }
    if blocks.iter().any(|b| b.tag() == "ENCRYPTED PRIVATE KEY") {
        return Err(Error::Key(
            "the private key is encrypted (`ENCRYPTED PRIVATE KEY`); decrypt it first, e.g. \
             `openssl pkey -in encrypted.pem -out key.pem`, and keep the decrypted file private"
                .into(),
        ));
    }
    let Some(block) = blocks.iter().find(|b| b.tag() == "PRIVATE KEY" || b.tag() == "RSA PRIVATE KEY") else {
        let tags: Vec<&str> = blocks.iter().map(|b| b.tag()).collect();
        let hint = if tags.iter().any(|t| t.contains("PUBLIC KEY")) {
            "; this is a public key, signing needs the private key (the public key is what you register with Binance)"
        } else if tags.iter().any(|t| t.contains("PRIVATE KEY")) {
            "; only unencrypted PKCS#8 Ed25519/RSA keys and PKCS#1 RSA keys are supported \
             (convert with `openssl pkey -in key.pem -out key-pkcs8.pem`)"
        } else {
            ""
        };
        return Err(Error::Key(format!("no private key in the PEM (found {}){hint}", tags.join(", "))));
    };
    if block.headers().get("Proc-Type").is_some_and(|v| v.contains("ENCRYPTED")) {
        return Err(Error::Key(
            "the RSA private key is encrypted (Proc-Type: ENCRYPTED); decrypt it first, e.g. \
             `openssl rsa -in encrypted.pem -out key.pem`"
                .into(),
        ));
    }
    let der = block.contents();
    if block.tag() == "RSA PRIVATE KEY" {
        return rsa_signer(signature::RsaKeyPair::from_der(der), "PKCS#1");
    }
    // PKCS#8: look at the algorithm identifier (it sits near the start, before the key bytes) to pick the parser.
    let head = &der[..der.len().min(32)];
    if contains(head, OID_ED25519) {
        signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(der)
            .map(|pair| Signer::Ed25519(Arc::new(pair)))
            .map_err(|e| Error::Key(format!("invalid Ed25519 PKCS#8 private key: {e}")))
    } else if contains(head, OID_RSA) {
        rsa_signer(signature::RsaKeyPair::from_pkcs8(der), "PKCS#8")
    } else if contains(head, OID_EC) {
        Err(Error::Key("this is an EC (ECDSA) key; Binance accepts only HMAC, RSA and Ed25519 keys".into()))
    } else {
        Err(Error::Key("unsupported or malformed PKCS#8 private key; expected an Ed25519 or RSA key".into()))
    }
}

fn rsa_signer(parsed: Result<signature::RsaKeyPair, ring::error::KeyRejected>, format: &str) -> Result<Signer> {
    let pair = parsed.map_err(|e| {
        Error::Key(format!("invalid RSA {format} private key ({e}); RSA keys must be 2048 to 4096 bits"))
    })?;
    // ring accepts some damaged keys (a CRT exponent that does not match `d`, found by fuzzing) and only notices
    // when a signature fails its own check. Sign once now, so that such a key is refused here instead of
    // producing empty signatures later.
    let rng = SystemRandom::new();
    let mut probe = vec![0u8; pair.public().modulus_len()];
    pair.sign(&signature::RSA_PKCS1_SHA256, &rng, b"binance-ws key check", &mut probe).map_err(|_| {
        Error::Key(format!(
            "the RSA {format} private key is damaged: its parts do not fit together (a test signature failed); \
             check it with `openssl pkey -in key.pem -check -noout`"
        ))
    })?;
    Ok(Signer::Rsa(Arc::new(pair), rng))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
