//! Futures requests that must fail, and how: parameter and filter errors with the futures codes, security
//! (signatures of every key type, timestamps, unknown keys), and the rate limits (REQUEST_WEIGHT per IP with
//! 429 then 418, ORDERS per account with -1015). Nothing is placed by a refused request.

mod futures_support;
mod wsapi_support;

use base64::Engine;
use binance_ws_sim::config::{AccountConfig, AccountKey, DEFAULT_HMAC_API_KEY};
use futures_support::*;
use serde_json::{json, Map, Value};
use wsapi_support::{now_ms, payload, Client};

fn base() -> Value {
    json!({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.010",
           "price": "59000"})
}

fn with(mut v: Value, changes: Value) -> Value {
    for (k, x) in changes.as_object().unwrap() {
        if x.is_null() {
            v.as_object_mut().unwrap().remove(k);
        } else {
            v[k] = x.clone();
        }
    }
    v
}

#[tokio::test]
async fn bad_orders_get_the_futures_codes_and_place_nothing() {
    let sim = quiet().await;
    sim.set_mark_price(USDM, "BTCUSDT", Some(d("60000"))).unwrap();
    let mut a = api(&sim, USDM, hmac()).await;
    let cases: Vec<(Value, i64)> = vec![
        (with(base(), json!({"symbol": null})), -1102),
        (with(base(), json!({"symbol": "NOPEUSDT"})), -1121),
        (with(base(), json!({"side": "UP"})), -1117),
        (with(base(), json!({"type": "LIMIT_MAKER"})), -1116),
        (with(base(), json!({"type": "LIQUIDATION"})), -1116),
        (with(base(), json!({"timeInForce": "GTE"})), -1115),
        (with(base(), json!({"timeInForce": null})), -1102),
        (with(base(), json!({"price": null})), -1102),
        (with(base(), json!({"type": "MARKET", "timeInForce": null})), -1106),
        (with(base(), json!({"quantity": "0"})), -4003),
        (with(base(), json!({"quantity": "1e"})), -1100),
        (with(base(), json!({"quantity": "0.0105"})), -1111),
        (with(base(), json!({"quantity": "1001"})), -4005),
        (with(base(), json!({"type": "MARKET", "timeInForce": null, "price": null, "quantity": "121"})), -4005),
        (with(base(), json!({"price": "59000.05"})), -4014),
        (with(base(), json!({"price": "59000.001"})), -1111),
        (with(base(), json!({"price": "0"})), -4001),
        (with(base(), json!({"price": "0.5"})), -4013),
        (with(base(), json!({"price": "5000000"})), -4002),
        (with(base(), json!({"price": "63000.1"})), -4016),
        (with(base(), json!({"side": "SELL", "price": "56999.9"})), -4024),
        (with(base(), json!({"quantity": "0.001"})), -4164),
        (with(base(), json!({"positionSide": "LONG"})), -4061),
        (with(base(), json!({"positionSide": "UP"})), -4060),
        (with(base(), json!({"reduceOnly": "true", "side": "SELL"})), -2022),
        (with(base(), json!({"reduceOnly": "maybe"})), -1130),
        (with(base(), json!({"newClientOrderId": "not valid!"})), -4015),
        (with(base(), json!({"newClientOrderId": "x".repeat(37)})), -4015),
        (with(base(), json!({"workingType": "INDEX_PRICE"})), -4031),
        (with(base(), json!({"newOrderRespType": "FULL"})), -1136),
        (with(base(), json!({"selfTradePreventionMode": "DECREMENT"})), -5039),
        (with(base(), json!({"stopPrice": "61000"})), -1106),
        (with(base(), json!({"type": "STOP_MARKET", "timeInForce": null, "price": null})), -1102),
        (with(base(), json!({"type": "STOP_MARKET", "timeInForce": null, "price": null, "stopPrice": "59000"})), -2021),
        (with(base(), json!({"type": "TRAILING_STOP_MARKET", "timeInForce": null, "price": null})), -1102),
        (
            with(
                base(),
                json!({"type": "TRAILING_STOP_MARKET", "timeInForce": null, "price": null, "callbackRate": "0.05"}),
            ),
            -1130,
        ),
        (with(base(), json!({"timeInForce": "GTD", "goodTillDate": now_ms() + 1000})), -5040),
        (with(base(), json!({"goodTillDate": now_ms() + 3_600_000})), -1106),
        (with(base(), json!({"closePosition": "true"})), -1106),
    ];
    for (params, code) in &cases {
        let r = place(&mut a, params.clone()).await;
        assert_eq!(r["status"], 400, "{params} -> {r}");
        assert_eq!(r["error"]["code"], *code, "{params} -> {r}");
        assert!(r["error"]["msg"].as_str().is_some_and(|m| !m.is_empty()), "{r}");
    }
    let depth = ok(&a.call("depth", json!({"symbol": "BTCUSDT", "limit": 5})).await);
    assert_eq!((depth["bids"].clone(), depth["asks"].clone()), (json!([]), json!([])), "nothing rests");

    // Messages carry the filter's figures.
    let r = place(&mut a, with(base(), json!({"quantity": "0.001"}))).await;
    assert_eq!(r["error"]["msg"], "Order's notional must be no smaller than 100 (unless you choose reduce only)");

    // Duplicate client ids among open orders; the algo order limit (10 conditional orders per symbol).
    placed(&mut a, with(base(), json!({"newClientOrderId": "dup"}))).await;
    err(&place(&mut a, with(base(), json!({"newClientOrderId": "dup"}))).await, 400, -4116);
    for i in 0..10 {
        let stop = json!({"symbol": "BTCUSDT", "side": "BUY", "type": "STOP_MARKET", "quantity": "0.010",
                          "stopPrice": format!("{}", 61000 + i * 10)});
        placed(&mut a, stop).await;
    }
    let stop =
        json!({"symbol": "BTCUSDT", "side": "BUY", "type": "STOP_MARKET", "quantity": "0.010", "stopPrice": "62000"});
    err(&place(&mut a, stop).await, 400, -4045);
    // Depth limits are a fixed list.
    err(&a.call("depth", json!({"symbol": "BTCUSDT", "limit": 7})).await, 400, -4021);
    err(&a.call("depth", json!({"symbol": "XYZ"})).await, 400, -1121);
    err(&a.call("no.such.method", json!({})).await, 400, -1020);
}

/// An RSA key from the client's test fixtures.
fn rsa_material() -> Option<(String, Vec<u8>)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../binance-ws/tests/fixtures/");
    let public = std::fs::read_to_string(format!("{dir}test-rsa-public.pem")).ok()?;
    let private = std::fs::read_to_string(format!("{dir}test-rsa-pkcs8.pem")).ok()?;
    let body: String = private.lines().filter(|l| !l.starts_with("-----")).collect();
    Some((public, base64::engine::general_purpose::STANDARD.decode(body).ok()?))
}

async fn rsa_signed(c: &mut Client, key: &str, pkcs8: &[u8], method: &str, params: Value) -> Value {
    let mut p: Map<String, Value> = params.as_object().cloned().unwrap_or_default();
    p.insert("apiKey".into(), json!(key));
    p.insert("timestamp".into(), json!(now_ms()));
    let kp = ring::signature::RsaKeyPair::from_pkcs8(pkcs8).expect("RSA key");
    let mut sig = vec![0; kp.public().modulus_len()];
    kp.sign(&ring::signature::RSA_PKCS1_SHA256, &ring::rand::SystemRandom::new(), payload(&p).as_bytes(), &mut sig)
        .expect("signs");
    p.insert("signature".into(), json!(base64::engine::general_purpose::STANDARD.encode(sig)));
    c.request(method, Value::Object(p)).await
}

#[tokio::test]
async fn requests_are_signed_and_timed_like_spot() {
    let Some((rsa_public, rsa_private)) = rsa_material() else {
        eprintln!("skipped: the client's RSA test fixtures are missing");
        return;
    };
    let rsa_key = "r".repeat(64);
    let sim = quiet_with(|c| {
        c.accounts.push(AccountConfig {
            api_key: rsa_key.clone(),
            key: AccountKey::PublicPem(rsa_public),
            balances: vec![],
        })
    })
    .await;
    // HMAC, Ed25519 and RSA keys all sign futures requests.
    let mut h = api(&sim, USDM, hmac()).await;
    ok(&h.signed("account.balance", json!({})).await);
    let mut e = api(&sim, COINM, ed25519()).await;
    ok(&e.signed("account.balance", json!({})).await);
    let mut r = api(&sim, USDM, hmac()).await;
    let bal = ok(&rsa_signed(&mut r, &rsa_key, &rsa_private, "account.balance", json!({})).await);
    let usdt = bal.as_array().unwrap().iter().find(|x| x["asset"] == "USDT").cloned();
    assert_eq!(
        usdt.map(|u| u["balance"].clone()),
        Some(json!("1000000.00000000")),
        "configured futures wallets: {bal}"
    );

    let mut raw = Client::connect(&sim.futures_api_url(USDM)).await;
    // A wrong signature, a missing one, an old timestamp, an unknown key.
    let mut p = json!({"apiKey": DEFAULT_HMAC_API_KEY, "timestamp": now_ms(), "signature": "00".repeat(32)});
    err(&raw.request("account.balance", p.clone()).await, 400, -1022);
    p.as_object_mut().unwrap().remove("signature");
    err(&raw.request("account.balance", p.clone()).await, 400, -1102);
    let old = json!({"apiKey": DEFAULT_HMAC_API_KEY, "timestamp": now_ms() - 10_000});
    let mut signed_old = old.as_object().cloned().unwrap();
    let k = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, binance_ws_sim::config::DEFAULT_HMAC_SECRET.as_bytes());
    signed_old.insert("signature".into(), json!(hex::encode(ring::hmac::sign(&k, payload(&signed_old).as_bytes()))));
    err(&raw.request("account.balance", Value::Object(signed_old)).await, 400, -1021);
    err(
        &raw.request("account.balance", json!({"apiKey": "k".repeat(64), "timestamp": now_ms(), "signature": "x"}))
            .await,
        401,
        -2015,
    );
    // session.logon with Ed25519 lets later requests go unsigned; HMAC keys cannot log on.
    let mut s = api(&sim, USDM, ed25519()).await;
    let logon = ok(&s.signed("session.logon", json!({})).await);
    assert_eq!(logon["apiKey"], binance_ws_sim::config::DEFAULT_ED25519_API_KEY);
    ok(&s.request("account.balance", json!({"timestamp": now_ms()})).await);
    err(&h.signed("session.logon", json!({})).await, 400, -1020);
    let out = ok(&s.request("session.logout", json!({})).await);
    assert!(out["apiKey"].is_null());
    err(&s.request("account.balance", json!({"timestamp": now_ms()})).await, 400, -1102);
    // USER_STREAM requests need an API key but no signature.
    err(&raw.request("userDataStream.start", json!({})).await, 400, -1102);
    err(&raw.request("userDataStream.start", json!({"apiKey": "k".repeat(64)})).await, 401, -2015);
    err(&raw.request("userDataStream.ping", json!({"apiKey": DEFAULT_HMAC_API_KEY})).await, 400, -1125);
}

#[tokio::test]
async fn weight_and_order_limits_refuse_with_429_then_418() {
    let sim = quiet_with(|c| {
        c.futures.weight_per_minute = 45;
        c.futures.usdm_orders_per_10s = 3;
        c.violations_before_ban = 1;
    })
    .await;
    // The handshake costs 5.
    let mut a = api(&sim, USDM, hmac()).await;
    let r = place(&mut a, base()).await;
    ok(&r);
    let limits = r["rateLimits"].as_array().unwrap();
    let kinds: Vec<&str> = limits.iter().map(|l| l["rateLimitType"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["ORDERS", "ORDERS", "REQUEST_WEIGHT"]);
    assert_eq!((limits[0]["interval"].as_str(), limits[0]["limit"].as_u64()), (Some("SECOND"), Some(3)));
    assert_eq!(limits[2]["limit"], 45);
    // 3 orders per 10 seconds: within 7 more orders (whatever 10-second boundary falls between) one is refused.
    let mut refused = None;
    for _ in 0..7 {
        let r = place(&mut a, base()).await;
        if r["status"] != 200 {
            refused = Some(r);
            break;
        }
    }
    let r = refused.expect("the ORDERS limit refused an order");
    err(&r, 429, -1015);
    assert_eq!(r["error"]["msg"], "Too many new orders; current limit is 3 orders per 10 SECOND.");
    // depth with limit 1000 weighs 20 of the 45 per minute: soon 429, and after that 418 (banned).
    let mut codes = Vec::new();
    for _ in 0..12 {
        let r = a.call("depth", json!({"symbol": "BTCUSDT", "limit": 1000})).await;
        if r["status"] != 200 {
            assert_eq!(r["error"]["code"], -1003, "{r}");
            codes.push((r["status"].as_u64().unwrap(), r["error"]["msg"].as_str().unwrap().to_string()));
            if r["status"] == 418 {
                break;
            }
        }
    }
    assert_eq!(codes.first().map(|c| c.0), Some(429), "{codes:?}");
    assert!(codes[0].1.starts_with("Too many requests; current limit is 45 requests per minute."), "{codes:?}");
    assert_eq!(codes.last().map(|c| c.0), Some(418), "{codes:?}");
    assert!(codes.last().unwrap().1.starts_with("Way too many requests; IP banned until "), "{codes:?}");
    // The spot API keeps its own budget.
    let mut spot = Client::connect(&sim.api_url()).await;
    ok(&spot.call("ping", json!({})).await);
}
