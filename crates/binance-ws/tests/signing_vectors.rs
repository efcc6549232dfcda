//! Signatures against Binance's published vectors (`shared/reference/binance/signing-vectors.json`) and the
//! three signed-request examples of the WebSocket API docs (HMAC, RSA, Ed25519).
//!
//! The reference folder lives outside the repository; without it the vector test prints a notice and passes.
//! The docs' examples are written out here, so they always run; when the docs are present, the test also
//! checks that every expected payload and signature written here appears in them verbatim.

use base64::Engine as _;
use binance_ws::{
    api::Params,
    auth::{sign_params, signature_payload, KeyType},
    Credentials,
};
use ring::signature::{UnparsedPublicKey, ED25519, RSA_PKCS1_2048_8192_SHA256};
use serde_json::{json, Value};

const REFERENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/reference/binance");
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn reference_file(name: &str) -> Option<String> {
    let path = format!("{REFERENCE}/{name}");
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(_) => {
            eprintln!("skipped: ../shared/reference not found ({path} is not readable)");
            None
        }
    }
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}/{name}")).unwrap()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn unb64(text: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(text).unwrap()
}

/// The raw key bytes inside an SPKI `PUBLIC KEY` PEM (the BIT STRING at the end of the structure): for RSA the
/// PKCS#1 RSAPublicKey DER, for Ed25519 the 32 key bytes. Minimal DER walk, enough for the fixtures.
fn spki_key(pem_text: &str) -> Vec<u8> {
    fn element(input: &[u8]) -> (u8, &[u8], &[u8]) {
        let (tag, first) = (input[0], input[1]);
        let (len, start) = if first < 0x80 {
            (first as usize, 2)
        } else {
            let n = (first & 0x7f) as usize;
            (input[2..2 + n].iter().fold(0, |acc, &b| (acc << 8) | b as usize), 2 + n)
        };
        (tag, &input[start..start + len], &input[start + len..])
    }
    let der = pem::parse(pem_text).unwrap().into_contents();
    let (_, spki, _) = element(&der);
    let (_, _algorithm, rest) = element(spki);
    let (tag, bits, _) = element(rest);
    assert_eq!((tag, bits[0]), (0x03, 0));
    bits[1..].to_vec()
}

fn docs_params(api_key: &str, ascii: bool) -> Params {
    // The parameters of the docs' two examples, as in their "sorted parameters" tables (the `signature`
    // placeholder is left in to show it is not signed).
    let v = if ascii {
        json!({
            "symbol": "BTCUSDT", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.01000000",
            "price": "52000.00", "recvWindow": 100, "timestamp": 1645423376532_u64, "apiKey": api_key,
            "signature": "------ FILL ME ------",
        })
    } else {
        json!({
            "symbol": "１２３４５６", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "1.00000000",
            "price": "0.10000000", "recvWindow": 5000, "timestamp": 1645423376532_u64, "apiKey": api_key,
            "signature": "------ FILL ME ------",
        })
    };
    v.as_object().unwrap().clone()
}

/// The same request built through `sign_params`, as the library does it.
fn docs_params_signed_by_library(creds: &Credentials, ascii: bool) -> Params {
    let mut p = docs_params(creds.api_key(), ascii);
    for field in ["apiKey", "timestamp", "recvWindow", "signature"] {
        p.remove(field);
    }
    sign_params(creds, &mut p, 1645423376532, Some(if ascii { 100.0 } else { 5000.0 }), true);
    p
}

/// The docs' payloads for an API key.
fn docs_payload(api_key: &str, ascii: bool) -> String {
    if ascii {
        format!("apiKey={api_key}&price=52000.00&quantity=0.01000000&recvWindow=100&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT")
    } else {
        format!("apiKey={api_key}&price=0.10000000&quantity=1.00000000&recvWindow=5000&side=BUY&symbol=１２３４５６&timeInForce=GTC&timestamp=1645423376532&type=LIMIT")
    }
}

/// The non-ASCII payload as percent-encoded UTF-8, which is NOT what is signed.
fn percent_encoded(payload: &str) -> String {
    payload.replace("１２３４５６", "%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96")
}

/// Checks, when the docs are present, that the expected texts written in this file appear in them.
fn assert_in_docs(texts: &[&str]) {
    let Some(docs) = reference_file("spot-docs/web-socket-api.md") else { return };
    for text in texts {
        assert!(docs.contains(text), "not found in web-socket-api.md: {text}");
    }
}

#[test]
fn published_vectors() {
    let Some(text) = reference_file("signing-vectors.json") else { return };
    let vectors: Value = serde_json::from_str(&text).unwrap();

    let hmac = vectors["hmac_sha256_hex"].as_array().unwrap();
    assert!(!hmac.is_empty());
    for v in hmac {
        let creds = Credentials::hmac("unused", v["secret"].as_str().unwrap());
        let payload = v["payload"].as_str().unwrap();
        assert_eq!(creds.sign(payload.as_bytes()), v["signature"].as_str().unwrap(), "HMAC vector {payload}");
    }

    let ed = vectors["ed25519_base64"].as_array().unwrap();
    assert!(!ed.is_empty());
    for v in ed {
        let creds = Credentials::from_pem("unused", v["private_key_pem"].as_str().unwrap()).unwrap();
        assert_eq!(creds.key_type(), KeyType::Ed25519);
        let fields: Vec<&str> =
            v["payload_fields_joined_by_byte_0x01"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
        let payload = fields.join("\u{1}");
        let signature = creds.sign(payload.as_bytes());
        assert_eq!(signature, v["signature"].as_str().unwrap());
        let public = spki_key(v["public_key_pem"].as_str().unwrap());
        UnparsedPublicKey::new(&ED25519, &public).verify(payload.as_bytes(), &unb64(&signature)).unwrap();
    }
}

#[test]
fn docs_hmac_example() {
    let creds = Credentials::hmac(
        "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
        "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j",
    );
    let expected = [
        (true, "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24"),
        (false, "b33892ae8e687c939f4468c6268ddd4c40ac1af18ad19a064864c47bae0752cd"),
    ];
    for (ascii, signature) in expected {
        let payload = signature_payload(&docs_params(creds.api_key(), ascii));
        assert_eq!(payload, docs_payload(creds.api_key(), ascii));
        assert_eq!(creds.sign(payload.as_bytes()), signature);
        assert_eq!(docs_params_signed_by_library(&creds, ascii)["signature"], json!(signature));
        if !ascii {
            // Signed over the raw UTF-8 bytes (３ bytes per full-width digit), not a percent-encoded form.
            assert!(payload.as_bytes().windows(3).any(|w| w == "１".as_bytes()));
            assert_ne!(creds.sign(percent_encoded(&payload).as_bytes()), signature);
        }
        assert_in_docs(&[&payload, signature]);
    }
}

#[test]
fn docs_rsa_example() {
    // The docs do not publish their RSA private key (`test-rsa-prv.pem`), so their signatures cannot be
    // reproduced. The payloads are checked exactly; the signatures with the test-only fixture key, against
    // signatures `openssl dgst -sha256 -sign test-rsa-pkcs8.pem | openssl enc -base64 -A` made for these payloads
    // (RSASSA-PKCS1-v1_5 is deterministic), and verified with the fixture's public key.
    let api_key = "CAvIjXy3F44yW6Pou5k8Dy1swsYDWJZLeoK2r8G4cFDnE9nosRppc2eKc1T8TRTQ";
    let openssl = [
        (true, "KgMFpjYHCc9gbXOv0kXwLUKGQbrZe2VQtrT5xPaInc0EHH1rgncfsuQpVv7Uo9G8kFFU8m8AEeXOl6QAkGpYD2V3mO+vQ2R9FjLCQn8rqYWjHBgZR/B6AbsVLOzJDZiUI4+EBw4RcXHCXPoiHbTw/S54NvTqaWqI/kKfovMIsQAMdryG+J5p7UCi4OnD+p8HjuS+j8YOy+pkwxhCJN3VpAP6I9gftfLQ47d6/7biTPPo/YjdYCPOO4nBl6tKYhlcjVfCW9KUXUpKxWfUG4CnPnTOwH1L4V5vORtk2RfYFRGA/BvAnwJeza3kRJwUpoaceja8mezKdSb7CSVd4sAvEg=="),
        (false, "A/KBM0LEbj/YoV+Wpj1t/A6UaomHacrBS4oirwXja77fx719v6PFbmQmo6a2BsnB6i4G8mjaahbYXKuVEDpeds2I4Xru9JZau3aMT0qYoNEgMqUZXt7Nn1mL0xg2Enh6W3ETkUqIj7L+PXKAP+yh7omwleuADCEobt+kE4dIT2yeHixZcrTnVnxnOkcK5bzRRxv6DkA8t9Br0Pk1RpTH2TEKEyfd7jZdGj2TAYdTL6IzWfyGBqD0M+hI5zye1UTvYZBfq/lnnNX8IEN05Y+efLGe9Ap4HSrRjv/knDLou2gKi3V1e0HYDvUcuJsALQgu+Kh1trnosC6VWMm4nSV1Og=="),
    ];
    let public = spki_key(&fixture("test-rsa-public.pem"));
    let verifier = UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &public);
    let pkcs8 = Credentials::rsa(api_key, format!("{FIXTURES}/test-rsa-pkcs8.pem")).unwrap();
    let pkcs1 = Credentials::rsa(api_key, format!("{FIXTURES}/test-rsa-pkcs1.pem")).unwrap();
    for (ascii, expected) in openssl {
        let payload = signature_payload(&docs_params(api_key, ascii));
        assert_eq!(payload, docs_payload(api_key, ascii));
        assert_in_docs(&[&payload]);
        for creds in [&pkcs8, &pkcs1] {
            let signature = creds.sign(payload.as_bytes());
            assert_eq!(signature, expected);
            verifier.verify(payload.as_bytes(), &unb64(&signature)).unwrap();
            assert_eq!(docs_params_signed_by_library(creds, ascii)["signature"], json!(expected));
            if !ascii {
                assert!(verifier.verify(percent_encoded(&payload).as_bytes(), &unb64(&signature)).is_err());
            }
        }
        assert!(verifier.verify(format!("{payload}x").as_bytes(), &unb64(expected)).is_err());
    }
}

#[test]
fn docs_ed25519_example() {
    // The docs do not publish their Ed25519 private key (`test-ed25519-prv.pem`) either: the key in
    // signing-vectors.json is a different one. Payloads are checked exactly; signatures with the published
    // vector key (fixture `test-ed25519.pem`) against `openssl pkeyutl -sign -rawin` output for these payloads
    // (Ed25519 is deterministic), and verified with its public key.
    let api_key = "4yNzx3yWC5bS6YTwEkSRaC0nRmSQIIStAUOh1b6kqaBrTLIhjCpI5lJH8q8R8WNO";
    let openssl = [
        (true, "82wlF5RobwT7JZehRQgOaupNEm5GrAqJj5tqZeCCE6ZxkhlUbWBThOx00q3FVnCKn882P+9p85phztjk4bOMAQ=="),
        (false, "c54NpyUZhXB0TQWxM60+OHcwRu50TfjPg5I3J3mPeFasLGjHZnuNGE6Ych+fRF6te6sr6URRF4lxUmYXbQ/rCA=="),
    ];
    let public = spki_key(&fixture("test-ed25519-public.pem"));
    let verifier = UnparsedPublicKey::new(&ED25519, &public);
    let creds = Credentials::ed25519(api_key, format!("{FIXTURES}/test-ed25519.pem")).unwrap();
    assert!(creds.can_logon());
    for (ascii, expected) in openssl {
        let payload = signature_payload(&docs_params(api_key, ascii));
        assert_eq!(payload, docs_payload(api_key, ascii));
        assert_in_docs(&[&payload]);
        let signature = creds.sign(payload.as_bytes());
        assert_eq!(signature, expected);
        assert_eq!(b64(&unb64(&signature)), signature);
        verifier.verify(payload.as_bytes(), &unb64(&signature)).unwrap();
        assert_eq!(docs_params_signed_by_library(&creds, ascii)["signature"], json!(expected));
        if !ascii {
            assert!(verifier.verify(percent_encoded(&payload).as_bytes(), &unb64(&signature)).is_err());
        }
    }
    // The docs' own signatures are at least well-formed 64-byte Ed25519 signatures, and present in the docs.
    for sig in [
        "EocljwPl29jDxWYaaRaOo4pJ9wEblFbklJvPugNscLLuKd5vHM2grWjn1z+rY0aJ7r/44enxHL6mOAJuJ1kqCg==",
        "dtNHJeyKry+cNjiGv+sv5kynO9S40tf8k7D5CfAEQAp0s2scunZj+ovJdz2OgW8XhkB9G3/HmASkA9uY9eyFCA==",
    ] {
        assert_eq!(unb64(sig).len(), 64);
        assert_in_docs(&[sig]);
    }
}

/// The client signs; the simulator (an independent implementation) checks, for every key type.
#[test]
fn simulator_accepts_client_signatures() {
    use binance_ws_sim::auth::{signature_payload as sim_payload, KeyMaterial};
    let cases = [
        (Credentials::hmac("k", "s3cr3t"), KeyMaterial::hmac("s3cr3t")),
        (
            Credentials::from_pem_file("k", format!("{FIXTURES}/test-rsa-pkcs1.pem")).unwrap(),
            KeyMaterial::from_public_pem(&fixture("test-rsa-public.pem")).unwrap(),
        ),
        (
            Credentials::from_pem_file("k", format!("{FIXTURES}/test-ed25519.pem")).unwrap(),
            KeyMaterial::from_public_pem(&fixture("test-ed25519-public.pem")).unwrap(),
        ),
    ];
    let extra = json!({
        "symbol": "１２３４５６", "quantity": "1.5", "icebergQty": 0.25, "newOrderRespType": "ACK",
        "symbols": ["BTCUSDT", "ETHUSDT"], "omitZeroBalances": true,
    });
    for (creds, key) in cases {
        let mut params = extra.as_object().unwrap().clone();
        sign_params(&creds, &mut params, 1_700_000_000_123, Some(6000.346), true);
        // What the server sees: the request's JSON text, parsed again.
        let wire = serde_json::to_string(&params).unwrap();
        let received: Params = serde_json::from_str(&wire).unwrap();
        let payload = sim_payload(&received);
        assert_eq!(payload, signature_payload(&params));
        assert!(payload.contains("recvWindow=6000.346&"), "{payload}");
        let signature = received["signature"].as_str().unwrap();
        assert!(key.verify(payload.as_bytes(), signature), "{:?}", creds.key_type());
        assert!(!key.verify(payload.replace("1.5", "1.6").as_bytes(), signature));
    }
}
