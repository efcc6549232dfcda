//! Request signature checking, written from Binance's documentation independently of the client crate.
//!
//! A `SIGNED` request carries `signature`, computed over the request's other parameters sorted by name,
//! each rendered `name=value`, joined with `&`, as UTF-8 bytes (no percent-encoding). HMAC keys sign with
//! HMAC-SHA256 (hex, any letter case); RSA keys with RSASSA-PKCS1-v1_5 over SHA-256 and Ed25519 keys with
//! Ed25519 (both base64 with the standard alphabet, compared exactly).

use base64::Engine as _;
use ring::{hmac, signature};
use serde_json::{Map, Value};

/// What the exchange knows about an API key's signing key.
#[derive(Clone, PartialEq, Eq)]
pub enum KeyMaterial {
    /// A shared HMAC secret.
    Hmac {
        /// The secret key, as text.
        secret: String,
    },
    /// An RSA public key.
    Rsa {
        /// The PKCS#1 `RSAPublicKey` DER (modulus and exponent), the form `ring` verifies with.
        public_key: Vec<u8>,
    },
    /// An Ed25519 public key.
    Ed25519 {
        /// The 32 raw public key bytes.
        public_key: [u8; 32],
    },
}

impl std::fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The HMAC secret is a secret even in the simulator's logs; public keys are fine to show by size.
        match self {
            KeyMaterial::Hmac { .. } => f.write_str("Hmac { secret: <redacted> }"),
            KeyMaterial::Rsa { public_key } => write!(f, "Rsa {{ public_key: {} DER bytes }}", public_key.len()),
            KeyMaterial::Ed25519 { public_key } => write!(f, "Ed25519 {{ public_key: {} }}", hex::encode(public_key)),
        }
    }
}

/// `1.3.101.112`, id-Ed25519 (RFC 8410), content bytes of the OID.
const ED25519_OID: [u8; 3] = [0x2b, 0x65, 0x70];
/// `1.2.840.113549.1.1.1`, rsaEncryption (RFC 8017), content bytes of the OID.
const RSA_OID: [u8; 9] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

const DER_SEQUENCE: u8 = 0x30;
const DER_OID: u8 = 0x06;
const DER_BIT_STRING: u8 = 0x03;

impl KeyMaterial {
    /// An HMAC key from its secret.
    pub fn hmac(secret: impl Into<String>) -> Self {
        KeyMaterial::Hmac { secret: secret.into() }
    }

    /// A public key from PEM: SPKI (`PUBLIC KEY`) holding an RSA or Ed25519 key, or PKCS#1 (`RSA PUBLIC KEY`).
    pub fn from_public_pem(pem: &str) -> Result<Self, String> {
        let block = pem::parse(pem.as_bytes()).map_err(|e| format!("not a PEM public key: {e}"))?;
        match block.tag() {
            "PUBLIC KEY" => Self::from_spki_der(block.contents()),
            "RSA PUBLIC KEY" => {
                let (tag, _, rest) = der_element(block.contents())?;
                if tag != DER_SEQUENCE || !rest.is_empty() {
                    return Err("malformed PKCS#1 RSA public key".into());
                }
                Ok(KeyMaterial::Rsa { public_key: block.contents().to_vec() })
            }
            other => Err(format!("expected a `PUBLIC KEY` PEM block, found `{other}`")),
        }
    }

    /// SubjectPublicKeyInfo ::= SEQUENCE { algorithm SEQUENCE { OID, params OPTIONAL }, key BIT STRING }
    fn from_spki_der(der: &[u8]) -> Result<Self, String> {
        let (tag, spki, rest) = der_element(der)?;
        if tag != DER_SEQUENCE || !rest.is_empty() {
            return Err("SubjectPublicKeyInfo is not a single DER SEQUENCE".into());
        }
        let (tag, algorithm, after_algorithm) = der_element(spki)?;
        if tag != DER_SEQUENCE {
            return Err("SubjectPublicKeyInfo has no AlgorithmIdentifier".into());
        }
        let (tag, oid, _params) = der_element(algorithm)?;
        if tag != DER_OID {
            return Err("AlgorithmIdentifier has no OID".into());
        }
        let (tag, bits, trailing) = der_element(after_algorithm)?;
        if tag != DER_BIT_STRING || !trailing.is_empty() {
            return Err("SubjectPublicKeyInfo has no subjectPublicKey BIT STRING".into());
        }
        let key = match bits.split_first() {
            Some((0, key)) => key,
            _ => return Err("subjectPublicKey BIT STRING has unused bits".into()),
        };
        if oid == ED25519_OID {
            let public_key: [u8; 32] =
                key.try_into().map_err(|_| format!("Ed25519 public key is {} bytes, expected 32", key.len()))?;
            Ok(KeyMaterial::Ed25519 { public_key })
        } else if oid == RSA_OID {
            let (tag, _, rest) = der_element(key)?;
            if tag != DER_SEQUENCE || !rest.is_empty() {
                return Err("malformed RSA public key inside SubjectPublicKeyInfo".into());
            }
            Ok(KeyMaterial::Rsa { public_key: key.to_vec() })
        } else {
            Err("unsupported public key algorithm: only RSA and Ed25519 keys are accepted".into())
        }
    }

    /// Whether `signature` is a valid signature of `payload` by this key.
    ///
    /// HMAC signatures are hex in either letter case and compared in constant time; RSA and Ed25519
    /// signatures are standard base64 and must match exactly (they are case-sensitive).
    pub fn verify(&self, payload: &[u8], signature: &str) -> bool {
        match self {
            KeyMaterial::Hmac { secret } => {
                let Ok(tag) = hex::decode(signature) else { return false };
                let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
                hmac::verify(&key, payload, &tag).is_ok()
            }
            KeyMaterial::Rsa { public_key } => {
                let Ok(sig) = base64::engine::general_purpose::STANDARD.decode(signature) else { return false };
                signature::UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, public_key)
                    .verify(payload, &sig)
                    .is_ok()
            }
            KeyMaterial::Ed25519 { public_key } => {
                let Ok(sig) = base64::engine::general_purpose::STANDARD.decode(signature) else { return false };
                signature::UnparsedPublicKey::new(&signature::ED25519, public_key).verify(payload, &sig).is_ok()
            }
        }
    }
}

/// Splits one DER element off the front of `input`: (tag, content, the bytes after it).
fn der_element(input: &[u8]) -> Result<(u8, &[u8], &[u8]), String> {
    let truncated = || "truncated DER".to_string();
    let (&tag, rest) = input.split_first().ok_or_else(truncated)?;
    let (&first, mut rest) = rest.split_first().ok_or_else(truncated)?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return Err("unsupported DER length".into());
        }
        let (bytes, after) = rest.split_at(count);
        rest = after;
        bytes.iter().fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
    };
    if rest.len() < len {
        return Err(truncated());
    }
    let (content, after) = rest.split_at(len);
    Ok((tag, content, after))
}

/// The bytes a request's signature covers: all params but `signature`, ordered by name, `name=value`
/// joined with `&`. String values are used verbatim; any other value by its compact JSON text.
pub fn signature_payload(params: &Map<String, Value>) -> String {
    let mut names: Vec<&str> = params.keys().map(String::as_str).filter(|&n| n != "signature").collect();
    names.sort_unstable();
    let pairs: Vec<String> = names
        .into_iter()
        .map(|name| match &params[name] {
            Value::String(text) => format!("{name}={text}"),
            value => format!("{name}={}", serde_json::to_string(value).unwrap_or_default()),
        })
        .collect();
    pairs.join("&")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Binance's published example HMAC secret and the first signed example of the WebSocket API docs.
    const SECRET: &str = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
    const HMAC_PAYLOAD: &str = "apiKey=vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A&price=52000.00&quantity=0.01000000&recvWindow=100&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT";
    const HMAC_SIG: &str = "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24";
    /// The docs' example with a non-ASCII symbol.
    const HMAC_PAYLOAD_UTF8: &str = "apiKey=vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A&price=0.10000000&quantity=1.00000000&recvWindow=5000&side=BUY&symbol=１２３４５６&timeInForce=GTC&timestamp=1645423376532&type=LIMIT";
    const HMAC_SIG_UTF8: &str = "b33892ae8e687c939f4468c6268ddd4c40ac1af18ad19a064864c47bae0752cd";

    /// The published Ed25519 test vector: its public key, payload fields joined by 0x01, and signature.
    const ED25519_PUBLIC_PEM: &str =
        "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGUIKv9dSpWXBViXp2m6vAIb8QMFJYBgyFEQsFJlqgA0=\n-----END PUBLIC KEY-----\n";
    const ED25519_PAYLOAD: &[u8] = b"A\x01EXAMPLE\x01SPOT\x011\x0120240627-11:17:25.223";
    const ED25519_SIG: &str =
        "4MHXelVVcpkdwuLbl6n73HQUXUf1dse2PCgT1DYqW9w8AVZ1RACFGM+5UdlGPrQHrgtS3CvsRURC1oj73j8gCA==";

    /// The test-only RSA key of the client's fixtures, and a signature made by `openssl dgst -sha256 -sign`
    /// with its private key over `RSA_PAYLOAD`.
    const RSA_PUBLIC_PEM: &str = include_str!("../../binance-ws/tests/fixtures/test-rsa-public.pem");
    const RSA_PAYLOAD: &str = "apiKey=CAvIjXy3F44yW6Pou5k8Dy1swsYDWJZLeoK2r8G4cFDnE9nosRppc2eKc1T8TRTQ&price=0.10000000&quantity=1.00000000&recvWindow=5000&side=BUY&symbol=１２３４５６&timeInForce=GTC&timestamp=1645423376532&type=LIMIT";
    const RSA_SIG: &str = "A/KBM0LEbj/YoV+Wpj1t/A6UaomHacrBS4oirwXja77fx719v6PFbmQmo6a2BsnB6i4G8mjaahbYXKuVEDpeds2I4Xru9JZau3aMT0qYoNEgMqUZXt7Nn1mL0xg2Enh6W3ETkUqIj7L+PXKAP+yh7omwleuADCEobt+kE4dIT2yeHixZcrTnVnxnOkcK5bzRRxv6DkA8t9Br0Pk1RpTH2TEKEyfd7jZdGj2TAYdTL6IzWfyGBqD0M+hI5zye1UTvYZBfq/lnnNX8IEN05Y+efLGe9Ap4HSrRjv/knDLou2gKi3V1e0HYDvUcuJsALQgu+Kh1trnosC6VWMm4nSV1Og==";

    /// Flips the case of the first letter that has a case.
    fn flip_case(s: &str) -> String {
        let i = s.find(|c: char| c.is_ascii_alphabetic()).unwrap();
        let mut out = s.to_string();
        let c = out.as_bytes()[i] as char;
        let flipped = if c.is_ascii_lowercase() { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() };
        out.replace_range(i..=i, &flipped.to_string());
        out
    }

    #[test]
    fn hmac_vectors_verify() {
        let key = KeyMaterial::hmac(SECRET);
        assert!(key.verify(HMAC_PAYLOAD.as_bytes(), HMAC_SIG));
        assert!(key.verify(HMAC_PAYLOAD_UTF8.as_bytes(), HMAC_SIG_UTF8));
        assert!(
            key.verify(b"timestamp=1578963600000", "d84e6641b1e328e7b418fff030caed655c266299c9355e36ce801ed14631eed4")
        );
        // HMAC signatures are not case-sensitive.
        assert!(key.verify(HMAC_PAYLOAD.as_bytes(), &HMAC_SIG.to_uppercase()));
    }

    #[test]
    fn hmac_rejects_tampering_and_garbage() {
        let key = KeyMaterial::hmac(SECRET);
        assert!(!key.verify(HMAC_PAYLOAD.replace("SELL", "BUY").as_bytes(), HMAC_SIG));
        assert!(!KeyMaterial::hmac("other").verify(HMAC_PAYLOAD.as_bytes(), HMAC_SIG));
        // Percent-encoded UTF-8 is a different payload.
        let encoded =
            HMAC_PAYLOAD_UTF8.replace("１２３４５６", "%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96");
        assert!(!key.verify(encoded.as_bytes(), HMAC_SIG_UTF8));
        for bad in ["", "zz", "not hex at all", &HMAC_SIG[..62], &format!("{HMAC_SIG}00"), &format!(" {HMAC_SIG}")] {
            assert!(!key.verify(HMAC_PAYLOAD.as_bytes(), bad), "{bad:?}");
        }
    }

    #[test]
    fn ed25519_vector_verifies() {
        let key = KeyMaterial::from_public_pem(ED25519_PUBLIC_PEM).unwrap();
        assert!(matches!(key, KeyMaterial::Ed25519 { .. }));
        assert!(key.verify(ED25519_PAYLOAD, ED25519_SIG));
        assert!(!key.verify(b"A\x01EXAMPLE\x01SPOT\x012\x0120240627-11:17:25.223", ED25519_SIG));
        assert!(!key.verify(ED25519_PAYLOAD, &flip_case(ED25519_SIG)));
        let unpadded = ED25519_SIG.trim_end_matches('=');
        assert!(!key.verify(ED25519_PAYLOAD, unpadded));
        let url_safe = ED25519_SIG.replace('+', "-").replace('/', "_");
        assert_ne!(url_safe, ED25519_SIG);
        assert!(!key.verify(ED25519_PAYLOAD, &url_safe));
        for bad in ["", "!!!!", "AAAA", "not base64", HMAC_SIG] {
            assert!(!key.verify(ED25519_PAYLOAD, bad), "{bad:?}");
        }
    }

    #[test]
    fn rsa_fixture_verifies() {
        let key = KeyMaterial::from_public_pem(RSA_PUBLIC_PEM).unwrap();
        let KeyMaterial::Rsa { public_key } = &key else { panic!("expected RSA, got {key:?}") };
        assert_eq!(public_key[0], 0x30);
        assert!(key.verify(RSA_PAYLOAD.as_bytes(), RSA_SIG));
        assert!(!key.verify(RSA_PAYLOAD.replace("BUY", "SELL").as_bytes(), RSA_SIG));
        assert!(!key.verify(RSA_PAYLOAD.as_bytes(), &flip_case(RSA_SIG)));
        assert!(!key.verify(RSA_PAYLOAD.as_bytes(), &RSA_SIG.to_lowercase()));
        for bad in ["", "====", "not base64!", ED25519_SIG] {
            assert!(!key.verify(RSA_PAYLOAD.as_bytes(), bad), "{bad:?}");
        }
        // The same key as PKCS#1 `RSA PUBLIC KEY` PEM.
        let pkcs1 = pem::encode(&pem::Pem::new("RSA PUBLIC KEY", public_key.clone()));
        assert_eq!(KeyMaterial::from_public_pem(&pkcs1).unwrap(), key);
    }

    #[test]
    fn bad_public_keys_are_refused() {
        assert!(KeyMaterial::from_public_pem("garbage").is_err());
        let private = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIIJEYWtGBrhACmb9Dvy+qa8WEf0lQOl1s4CLIAB9m89u\n-----END PRIVATE KEY-----\n";
        assert!(KeyMaterial::from_public_pem(private).unwrap_err().contains("PRIVATE KEY"));
        // The P-256 fixture key's SPKI (`openssl pkey -pubout`): recognised as a key, refused as an algorithm.
        let ec = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEc67MexA0uL99FRwv3f7fWL9/eH0y\n\
                  tfvMCSE9j/z9VI/Y4FPZC9XYItnIW5LLp8secj7KKiK23/XPjvX8kvU8bg==\n-----END PUBLIC KEY-----\n";
        assert!(KeyMaterial::from_public_pem(ec).unwrap_err().contains("unsupported"));
        // Truncated DER.
        let cut = pem::encode(&pem::Pem::new("PUBLIC KEY", vec![0x30, 0x2a, 0x30, 0x05]));
        assert!(KeyMaterial::from_public_pem(&cut).is_err());
    }

    #[test]
    fn debug_hides_the_hmac_secret() {
        assert!(!format!("{:?}", KeyMaterial::hmac(SECRET)).contains(SECRET));
    }

    #[test]
    fn payload_rules() {
        let params = json!({
            "symbol": "１２３４５６", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "1.00000000",
            "price": "0.10000000", "recvWindow": 5000, "timestamp": 1645423376532_u64,
            "apiKey": "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A", "signature": "x",
        });
        let payload = signature_payload(params.as_object().unwrap());
        assert_eq!(payload, HMAC_PAYLOAD_UTF8);
        assert!(KeyMaterial::hmac(SECRET).verify(payload.as_bytes(), HMAC_SIG_UTF8));

        let params = json!({"b": true, "a": [1, "x"], "c": {"k": null}, "d": 6000.346, "E": false});
        assert_eq!(
            signature_payload(params.as_object().unwrap()),
            r#"E=false&a=[1,"x"]&b=true&c={"k":null}&d=6000.346"#
        );
        assert_eq!(signature_payload(&Map::new()), "");
    }
}
