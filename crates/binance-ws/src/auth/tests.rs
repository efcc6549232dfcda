//! Unit tests: payload rendering, key detection, errors, redaction.

use serde_json::json;

use super::payload::recv_window_number;
use super::*;
use crate::{api::Params, Error};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
const ED25519_PEM: &str = include_str!("../../tests/fixtures/test-ed25519.pem");
const RSA_PKCS8_PEM: &str = include_str!("../../tests/fixtures/test-rsa-pkcs8.pem");
const RSA_PKCS1_PEM: &str = include_str!("../../tests/fixtures/test-rsa-pkcs1.pem");
const RSA_PUBLIC_PEM: &str = include_str!("../../tests/fixtures/test-rsa-public.pem");
const ENCRYPTED_PEM: &str = include_str!("../../tests/fixtures/test-ed25519-encrypted.pem");
const EC_PEM: &str = include_str!("../../tests/fixtures/test-ec-p256.pem");
const HMAC_SECRET: &str = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

fn params(v: serde_json::Value) -> Params {
    v.as_object().unwrap().clone()
}

fn key_error(r: crate::Result<Credentials>) -> String {
    match r {
        Err(Error::Key(m)) => m,
        Err(other) => panic!("expected Error::Key, got {other:?}"),
        Ok(c) => panic!("expected an error, got {c:?}"),
    }
}

/// The base64 body lines of a PEM (what must never appear in output).
fn pem_body(pem: &str) -> Vec<&str> {
    pem.lines().filter(|l| !l.starts_with("-----") && !l.is_empty()).collect()
}

#[test]
fn payload_sorts_by_name_and_excludes_signature() {
    let p = params(json!({
        "symbol": "BTCUSDT", "apiKey": "k", "timestamp": 1645423376532_u64, "signature": "old", "side": "SELL",
    }));
    assert_eq!(signature_payload(&p), "apiKey=k&side=SELL&symbol=BTCUSDT&timestamp=1645423376532");
}

#[test]
fn payload_sorts_by_bytes() {
    // Uppercase sorts before lowercase in byte order.
    let p = params(json!({"b": "1", "B": "2", "a": "3", "aa": "4"}));
    assert_eq!(signature_payload(&p), "B=2&a=3&aa=4&b=1");
}

#[test]
fn payload_renders_values_as_json_text() {
    let p = params(json!({
        "int": 100, "neg": -5, "float": 0.5, "t": true, "f": false,
        "list": ["BTCUSDT", "ETHUSDT"], "obj": {"a": 1, "b": [true]}, "str": "a b&c=d", "nothing": null,
    }));
    assert_eq!(
        signature_payload(&p),
        r#"f=false&float=0.5&int=100&list=["BTCUSDT","ETHUSDT"]&neg=-5&nothing=null&obj={"a":1,"b":[true]}&str=a b&c=d&t=true"#
    );
}

#[test]
fn payload_is_raw_utf8_without_percent_encoding() {
    let p = params(json!({"symbol": "１２３４５６", "note": "ä ö/%"}));
    let payload = signature_payload(&p);
    assert_eq!(payload, "note=ä ö/%&symbol=１２３４５６");
    assert_eq!(&payload.as_bytes()[payload.len() - 3..], "６".as_bytes());
}

#[test]
fn payload_of_docs_hmac_example() {
    let p = params(json!({
        "symbol": "BTCUSDT", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.01000000",
        "price": "52000.00", "recvWindow": 100, "timestamp": 1645423376532_u64,
        "apiKey": "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
    }));
    assert_eq!(
        signature_payload(&p),
        "apiKey=vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A&price=52000.00&quantity=0.01000000\
         &recvWindow=100&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT"
    );
}

#[test]
fn recv_window_renders_up_to_three_decimals() {
    let cases = [
        (5000.0, "5000"),
        (100.0, "100"),
        (6000.346, "6000.346"),
        (6000.3, "6000.3"),
        (6000.30, "6000.3"),
        (6000.3456, "6000.346"),
        (0.001, "0.001"),
        (59999.999, "59999.999"),
        (60000.0004, "60000"),
        (1234.5, "1234.5"),
    ];
    for (ms, want) in cases {
        assert_eq!(recv_window_number(ms).unwrap().to_string(), want, "recvWindow {ms}");
    }
    // Every 3-decimal value in a range prints as exactly its 3 decimals.
    for thousandths in (0..=60_000_000u64).step_by(997) {
        let text = format!("{}.{:03}", thousandths / 1000, thousandths % 1000);
        let want = text.trim_end_matches('0').trim_end_matches('.');
        let got = recv_window_number(text.parse().unwrap()).unwrap().to_string();
        assert_eq!(got, want);
    }
    assert!(recv_window_number(f64::NAN).is_none());
    assert!(recv_window_number(f64::INFINITY).is_none());
}

#[test]
fn sign_params_adds_fields_in_the_documented_way() {
    let creds = Credentials::hmac("vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A", HMAC_SECRET);
    let mut p = params(json!({
        "symbol": "BTCUSDT", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.01000000",
        "price": "52000.00", "signature": "stale",
    }));
    sign_params(&creds, &mut p, 1645423376532, Some(100.0), true);
    assert_eq!(p["apiKey"], json!("vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"));
    assert_eq!(p["timestamp"], json!(1645423376532_u64));
    assert_eq!(p["recvWindow"].to_string(), "100");
    // The documented signature of this request.
    assert_eq!(p["signature"], json!("aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24"));

    // Session-authenticated form: no apiKey, no recvWindow.
    let mut p = Params::new();
    sign_params(&creds, &mut p, 1578963600000, None, false);
    assert_eq!(p.len(), 2);
    assert_eq!(p["signature"], json!("d84e6641b1e328e7b418fff030caed655c266299c9355e36ce801ed14631eed4"));

    // recvWindow with decimals is sent and signed with the same text.
    let mut p = Params::new();
    sign_params(&creds, &mut p, 1, Some(6000.346), false);
    assert_eq!(serde_json::to_string(&p["recvWindow"]).unwrap(), "6000.346");
    let sig = p["signature"].as_str().unwrap().to_owned();
    assert_eq!(sig, creds.sign(b"recvWindow=6000.346&timestamp=1"));
    let mut p = Params::new();
    sign_params(&creds, &mut p, 1, Some(5000.0), false);
    // A whole number is sent without a fraction (compared as values: key order follows serde_json's features).
    assert_eq!(p["recvWindow"].to_string(), "5000");
    assert_eq!(
        serde_json::Value::Object(p),
        json!({"recvWindow": 5000, "signature": creds.sign(b"recvWindow=5000&timestamp=1"), "timestamp": 1})
    );
}

#[test]
fn detects_key_types() {
    let ed = Credentials::from_pem("k", ED25519_PEM).unwrap();
    assert_eq!(ed.key_type(), KeyType::Ed25519);
    assert!(ed.can_logon());
    let rsa8 = Credentials::from_pem("k", RSA_PKCS8_PEM).unwrap();
    assert_eq!(rsa8.key_type(), KeyType::Rsa);
    assert!(!rsa8.can_logon());
    let rsa1 = Credentials::from_pem("k", RSA_PKCS1_PEM).unwrap();
    assert_eq!(rsa1.key_type(), KeyType::Rsa);
    // PKCS#1 v1.5 signatures are deterministic: both encodings of the same key sign alike.
    assert_eq!(rsa8.sign(b"x=1"), rsa1.sign(b"x=1"));
    let hmac = Credentials::hmac("k", "s");
    assert_eq!(hmac.key_type(), KeyType::Hmac);
    assert!(!hmac.can_logon());
    // Surrounding text and other PEM blocks are skipped.
    let bundle = format!("my key:\n{RSA_PUBLIC_PEM}\n{ED25519_PEM}");
    assert_eq!(Credentials::from_pem("k", &bundle).unwrap().key_type(), KeyType::Ed25519);
}

#[test]
fn signatures_have_the_documented_encodings() {
    let hmac = Credentials::hmac("k", HMAC_SECRET).sign(b"timestamp=1578963600000");
    assert_eq!(hmac.len(), 64);
    assert!(hmac.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    let ed = Credentials::from_pem("k", ED25519_PEM).unwrap().sign(b"x");
    assert_eq!(ed.len(), 88); // 64 bytes in padded base64
    let rsa = Credentials::from_pem("k", RSA_PKCS8_PEM).unwrap().sign(b"x");
    assert_eq!(rsa.len(), 344); // 256 bytes in padded base64
}

#[test]
fn encrypted_key_says_decrypt_first() {
    let msg = key_error(Credentials::from_pem("k", ENCRYPTED_PEM));
    assert!(msg.contains("encrypted") && msg.contains("decrypt it first"), "{msg}");
    let legacy = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
    let msg = key_error(Credentials::from_pem("k", legacy));
    assert!(msg.contains("decrypt it first"), "{msg}");
}

#[test]
fn garbage_and_wrong_keys_give_clear_errors() {
    let msg = key_error(Credentials::from_pem("k", "not a key at all"));
    assert!(msg.contains("no PEM block"), "{msg}");
    let msg = key_error(Credentials::from_pem("k", "-----BEGIN PRIVATE KEY-----\n@@@@\n-----END PRIVATE KEY-----\n"));
    assert!(msg.contains("PEM"), "{msg}");
    let msg = key_error(Credentials::from_pem("k", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"));
    assert!(msg.contains("PKCS#8"), "{msg}");
    let msg = key_error(Credentials::from_pem("k", RSA_PUBLIC_PEM));
    assert!(msg.contains("public key") && msg.contains("private key"), "{msg}");
    let msg = key_error(Credentials::from_pem("k", EC_PEM));
    assert!(msg.contains("EC"), "{msg}");
    // A PKCS#1 block with a broken body.
    let msg =
        key_error(Credentials::from_pem("k", "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"));
    assert!(msg.contains("RSA"), "{msg}");
}

#[test]
fn errors_never_echo_key_material() {
    for pem in [ENCRYPTED_PEM, EC_PEM, RSA_PUBLIC_PEM] {
        let msg = key_error(Credentials::from_pem("k", pem));
        for line in pem_body(pem) {
            assert!(!msg.contains(line), "{msg}");
        }
    }
}

#[test]
fn unreadable_file_error_names_the_path() {
    let path = format!("{FIXTURES}/does-not-exist.pem");
    let msg = key_error(Credentials::from_pem_file("k", &path));
    assert!(msg.contains(&path), "{msg}");
    let msg = key_error(Credentials::ed25519("k", &path));
    assert!(msg.contains(&path), "{msg}");
}

#[test]
fn typed_constructors_check_the_key_type() {
    let ed = format!("{FIXTURES}/test-ed25519.pem");
    let rsa = format!("{FIXTURES}/test-rsa-pkcs8.pem");
    assert_eq!(Credentials::ed25519("k", &ed).unwrap().key_type(), KeyType::Ed25519);
    assert_eq!(Credentials::rsa("k", &rsa).unwrap().key_type(), KeyType::Rsa);
    assert_eq!(Credentials::from_pem_file("k", &rsa).unwrap().key_type(), KeyType::Rsa);
    let msg = key_error(Credentials::ed25519("k", &rsa));
    assert!(msg.contains("RSA") && msg.contains("Ed25519") && msg.contains(&rsa), "{msg}");
    let msg = key_error(Credentials::rsa("k", &ed));
    assert!(msg.contains("RSA") && msg.contains("Ed25519"), "{msg}");
    // A bad file's error names the file too.
    let enc = format!("{FIXTURES}/test-ed25519-encrypted.pem");
    let msg = key_error(Credentials::from_pem_file("k", &enc));
    assert!(msg.contains(&enc) && msg.contains("decrypt"), "{msg}");
}

#[test]
fn env_lookup() {
    let env = |vars: &'static [(&'static str, &'static str)]| {
        move |name: &str| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
    };
    let hmac =
        Credentials::from_lookup(env(&[("BINANCE_API_KEY", "abcdef"), ("BINANCE_SECRET_KEY", "s3cr3t")])).unwrap();
    assert_eq!(hmac.key_type(), KeyType::Hmac);
    assert_eq!(hmac.api_key(), "abcdef");

    let path: &'static str = Box::leak(format!("{FIXTURES}/test-ed25519.pem").into_boxed_str());
    let vars: &'static [(&'static str, &'static str)] =
        Box::leak(vec![("BINANCE_API_KEY", "abcdef"), ("BINANCE_PRIVATE_KEY_PATH", path)].into_boxed_slice());
    assert_eq!(Credentials::from_lookup(env(vars)).unwrap().key_type(), KeyType::Ed25519);

    let msg = key_error(Credentials::from_lookup(env(&[])));
    assert!(msg.contains("BINANCE_API_KEY") && msg.contains("BINANCE_SECRET_KEY"), "{msg}");
    assert!(msg.contains("BINANCE_PRIVATE_KEY_PATH"), "{msg}");
    let msg = key_error(Credentials::from_lookup(env(&[("BINANCE_SECRET_KEY", "s")])));
    assert!(msg.contains("BINANCE_API_KEY"), "{msg}");
    let msg = key_error(Credentials::from_lookup(env(&[("BINANCE_API_KEY", "k"), ("BINANCE_SECRET_KEY", "")])));
    assert!(msg.contains("BINANCE_SECRET_KEY") && msg.contains("BINANCE_PRIVATE_KEY_PATH"), "{msg}");
    let msg = key_error(Credentials::from_lookup(env(&[
        ("BINANCE_API_KEY", "k"),
        ("BINANCE_SECRET_KEY", "s"),
        ("BINANCE_PRIVATE_KEY_PATH", "/x.pem"),
    ])));
    assert!(msg.contains("only"), "{msg}");
    let msg = key_error(Credentials::from_lookup(env(&[
        ("BINANCE_API_KEY", "k"),
        ("BINANCE_PRIVATE_KEY_PATH", "/nope/key.pem"),
    ])));
    assert!(msg.contains("/nope/key.pem"), "{msg}");
}

#[test]
fn debug_redacts_secrets() {
    let api_key = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
    let hmac = Credentials::hmac(api_key, HMAC_SECRET);
    for shown in [format!("{hmac:?}"), format!("{hmac:#?}")] {
        assert!(shown.contains("vmPU…"), "{shown}");
        assert!(!shown.contains("vmPUZ"), "{shown}");
        assert!(!shown.contains(HMAC_SECRET), "{shown}");
        assert!(!shown.contains(&HMAC_SECRET[..8]), "{shown}");
    }
    for pem in [ED25519_PEM, RSA_PKCS8_PEM, RSA_PKCS1_PEM] {
        let creds = Credentials::from_pem(api_key, pem).unwrap();
        let shown = format!("{creds:?} {creds:#?}");
        assert!(!shown.contains(&api_key[4..]), "{shown}");
        for line in pem_body(pem) {
            assert!(!shown.contains(line), "{shown}");
            assert!(!shown.contains(&line[..line.len().min(16)]), "{shown}");
        }
    }
    // Short and non-ASCII keys are cut on character boundaries.
    assert_eq!(format!("{:?}", Credentials::hmac("ab", "s")), "Credentials { api_key: \"ab…\", key_type: Hmac }");
    assert_eq!(format!("{:?}", Credentials::hmac("äöüßx", "s")), "Credentials { api_key: \"äöüß…\", key_type: Hmac }");
}

#[test]
fn credentials_can_move_between_tasks() {
    fn send_sync<T: Send + Sync + Clone + 'static>() {}
    send_sync::<Credentials>();
}

#[test]
fn absurd_recv_windows_are_left_out_never_sent_with_an_exponent() {
    // Found by fuzzing (fuzz target `sign_payload`): an integral window beyond 2^63 thousandths was sent as
    // `-2.152527361715694e252`, a number with an exponent that no server reads as milliseconds.
    for ms in [-2.152527361715694e252, 1e300, 9.3e15, -9.3e15, f64::MAX, f64::MIN] {
        assert!(recv_window_number(ms).is_none(), "{ms}");
        let mut p = Params::new();
        sign_params(&Credentials::hmac("k", "s"), &mut p, 1, Some(ms), false);
        assert!(!p.contains_key("recvWindow"), "{ms}: {p:?}");
    }
    // The largest windows that still have a plain form keep it.
    assert_eq!(recv_window_number(8.9e15).unwrap().to_string(), "8900000000000000");
    assert_eq!(recv_window_number(-5.0).unwrap().to_string(), "-5");
}

#[test]
fn a_damaged_rsa_key_is_refused_when_loaded_not_used_to_sign_empty_signatures() {
    // Found by fuzzing (target `pem_keys`): one changed byte of the CRT exponent dP. ring loads such a key,
    // and every signature then failed, which came out as an empty `signature` on every request.
    let damaged = include_str!("../../tests/fixtures/test-rsa-inconsistent.pem");
    let msg = key_error(Credentials::from_pem("k", damaged));
    assert!(msg.contains("damaged") && msg.contains("openssl pkey"), "{msg}");
    for line in pem_body(damaged) {
        assert!(!msg.contains(line), "{msg}");
    }
    // The intact key still loads and signs.
    assert_eq!(Credentials::from_pem("k", RSA_PKCS8_PEM).unwrap().sign(b"x").len(), 344);
}
