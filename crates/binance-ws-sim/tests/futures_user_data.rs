//! Futures user data over listenKey connections: the key's lifecycle (start, ping extends it, expiry sends
//! `listenKeyExpired`, a new key follows, stop closes it), the events of an order's life in order with wallets
//! that add up, leverage changes, margin calls and liquidation, and the COIN-M variant.

mod futures_support;
mod wsapi_support;

use std::time::Duration;

use futures_support::*;
use rust_decimal::Decimal;
use serde_json::{json, Value};

const MINUTE: i64 = 60_000;

/// A deposit through the exchange's control API: an ACCOUNT_UPDATE that needs no signed request.
fn deposit(sim: &binance_ws_sim::Sim, amount: &str) {
    sim.futures_deposit(USDM, binance_ws_sim::config::DEFAULT_HMAC_API_KEY, "USDT", d(amount)).unwrap();
}

#[tokio::test]
async fn a_listen_key_lives_while_pinged_expires_and_is_replaced() {
    let sim = quiet().await;
    let mut a = api(&sim, USDM, hmac()).await;
    let key = listen_key(&mut a).await;
    assert_eq!(key.len(), 64);
    let mut s = user_stream(&sim, USDM, &key).await;
    deposit(&sim, "10");
    let ev = s.next_event("ACCOUNT_UPDATE", LONG).await.expect("deposit event");
    assert_eq!((ev["a"]["m"].as_str(), ev["a"]["B"][0]["bc"].as_str()), (Some("DEPOSIT"), Some("10.00000000")));

    // 40 minutes on, a ping extends the key by 60 minutes from then.
    sim.clock().set_skew_ms(40 * MINUTE);
    let r = a.request("userDataStream.ping", json!({"apiKey": binance_ws_sim::config::DEFAULT_HMAC_API_KEY})).await;
    assert_eq!(ok(&r)["listenKey"], json!(key));
    // 70 minutes after the start the key still works.
    sim.clock().set_skew_ms(70 * MINUTE);
    deposit(&sim, "1");
    assert!(s.next_event("ACCOUNT_UPDATE", LONG).await.is_some(), "events flow after the original hour");
    // Past the extended hour: listenKeyExpired, then the connection closes.
    sim.clock().set_skew_ms(101 * MINUTE);
    let expired = s.next_event("listenKeyExpired", LONG).await.expect("listenKeyExpired");
    assert_eq!(expired["listenKey"], json!(key));
    assert!(expired["E"].is_u64());
    assert_eq!(s.closed(LONG).await, Some(1000));
    let r = a.request("userDataStream.ping", json!({"apiKey": binance_ws_sim::config::DEFAULT_HMAC_API_KEY})).await;
    err(&r, 400, -1125);

    // A new key, and events flow on it.
    let fresh = listen_key(&mut a).await;
    assert_ne!(fresh, key);
    let mut s2 = user_stream(&sim, USDM, &fresh).await;
    deposit(&sim, "2");
    assert!(s2.next_event("ACCOUNT_UPDATE", LONG).await.is_some());
    // The expired key cannot be used any more.
    let mut old = user_stream(&sim, USDM, &key).await;
    assert_eq!(old.closed(LONG).await, Some(1008));
    // stop closes the key and its connections.
    let r = a.request("userDataStream.stop", json!({"apiKey": binance_ws_sim::config::DEFAULT_HMAC_API_KEY})).await;
    assert_eq!(ok(&r), json!({}));
    assert_eq!(s2.closed(LONG).await, Some(1000));
    sim.clock().set_skew_ms(0);
}

#[tokio::test]
async fn the_listen_key_lifetime_is_configurable() {
    let sim = quiet_with(|c| c.futures.listen_key_ttl = Duration::from_millis(300)).await;
    let mut a = api(&sim, USDM, hmac()).await;
    let key = listen_key(&mut a).await;
    // Over the USD-M private path.
    let mut s = StreamClient::connect(&format!("{}/private/ws?listenKey={key}", sim.futures_stream_url(USDM))).await;
    let ev = s.next_event("listenKeyExpired", LONG).await.expect("the short-lived key expires");
    assert_eq!(ev["listenKey"], json!(key));
}

fn of(events: &[Value], e: &str) -> Vec<Value> {
    events.iter().filter(|v| v["e"] == e).cloned().collect()
}

fn dec_of(v: &Value) -> Decimal {
    d(v.as_str().unwrap_or_else(|| panic!("not a decimal string: {v}")))
}

#[tokio::test]
async fn an_orders_life_arrives_in_order_and_the_wallet_adds_up() {
    let sim = quiet().await;
    sim.set_mark_price(USDM, "BTCUSDT", Some(d("60000"))).unwrap();
    let mut a = api(&sim, USDM, hmac()).await;
    let mut b = api(&sim, USDM, ed25519()).await;
    let mut sa = user_stream(&sim, USDM, &listen_key(&mut a).await).await;
    let mut sb = user_stream(&sim, USDM, &listen_key(&mut b).await).await;

    let maker = limit(&mut a, "BTCUSDT", "SELL", "0.100", "60000").await;
    market(&mut b, "BTCUSDT", "BUY", "0.040").await;
    market(&mut b, "BTCUSDT", "BUY", "0.060").await;
    // b closes half at a higher price against a's bid: realized profit.
    limit(&mut a, "BTCUSDT", "BUY", "0.050", "60100").await;
    market(&mut b, "BTCUSDT", "SELL", "0.050").await;
    let ea = events(&mut sa, SHORT).await;
    let eb = events(&mut sb, SHORT).await;

    // a: NEW, then per fill TRADE_LITE and ORDER_TRADE_UPDATE, then ACCOUNT_UPDATE.
    let kinds: Vec<String> = ea.iter().map(|v| v["e"].as_str().unwrap().to_string()).collect();
    assert_eq!(
        kinds[..7],
        [
            "ORDER_TRADE_UPDATE",
            "TRADE_LITE",
            "ORDER_TRADE_UPDATE",
            "ACCOUNT_UPDATE",
            "TRADE_LITE",
            "ORDER_TRADE_UPDATE",
            "ACCOUNT_UPDATE"
        ],
        "{kinds:?}"
    );
    let updates: Vec<Value> =
        of(&ea, "ORDER_TRADE_UPDATE").into_iter().filter(|v| v["o"]["i"] == maker["orderId"]).collect();
    let states: Vec<(&str, &str, &str)> = updates
        .iter()
        .map(|v| (v["o"]["x"].as_str().unwrap(), v["o"]["X"].as_str().unwrap(), v["o"]["z"].as_str().unwrap()))
        .collect();
    assert_eq!(states, [("NEW", "NEW", "0.000"), ("TRADE", "PARTIALLY_FILLED", "0.040"), ("TRADE", "FILLED", "0.100")]);
    assert_eq!((updates[1]["o"]["m"].as_bool(), updates[1]["o"]["l"].as_str()), (Some(true), Some("0.040")));
    let lite = &of(&ea, "TRADE_LITE")[0];
    assert_eq!(
        (lite["s"].as_str(), lite["l"].as_str(), lite["L"].as_str(), lite["m"].as_bool()),
        (Some("BTCUSDT"), Some("0.040"), Some("60000.00"), Some(true))
    );
    let pos = &of(&ea, "ACCOUNT_UPDATE")[1]["a"]["P"][0];
    assert_eq!(
        (pos["pa"].as_str(), dec_of(&pos["ep"]), pos["ps"].as_str()),
        (Some("-0.100"), d("60000"), Some("BOTH"))
    );

    // b's wallet: the last ACCOUNT_UPDATE's wb is the start plus realized profit minus commissions.
    let start = d("1000000");
    let (mut rp, mut fees) = (Decimal::ZERO, Decimal::ZERO);
    for u in of(&eb, "ORDER_TRADE_UPDATE") {
        rp += dec_of(&u["o"]["rp"]);
        if u["o"].get("n").is_some() {
            assert_eq!(u["o"]["N"], "USDT");
            fees += dec_of(&u["o"]["n"]);
        }
    }
    assert_eq!(rp, d("5"), "0.05 closed 100 higher");
    // Taker fees: 0.0005 x (2400 + 3600 + 3005).
    assert_eq!(fees, d("4.5025"));
    let last = of(&eb, "ACCOUNT_UPDATE").pop().unwrap();
    assert_eq!(dec_of(&last["a"]["B"][0]["wb"]), start + rp - fees);
    assert_eq!(dec_of(&last["a"]["P"][0]["cr"]), rp);
    let balance = ok(&b.signed("account.balance", json!({})).await);
    let usdt = balance.as_array().unwrap().iter().find(|x| x["asset"] == "USDT").unwrap();
    assert_eq!(dec_of(&usdt["balance"]), start + rp - fees);

    // Amendments, cancels and leverage changes are events too.
    let rest = limit(&mut a, "BTCUSDT", "BUY", "0.010", "59000").await;
    ok(&a
        .signed(
            "order.modify",
            json!({"symbol": "BTCUSDT", "orderId": rest["orderId"], "side": "BUY",
                                        "quantity": "0.020", "price": "59500"}),
        )
        .await);
    ok(&a.signed("order.cancel", json!({"symbol": "BTCUSDT", "orderId": rest["orderId"]})).await);
    sim.set_leverage(USDM, binance_ws_sim::config::DEFAULT_HMAC_API_KEY, "BTCUSDT", 7).unwrap();
    let ea = events(&mut sa, SHORT).await;
    let updates = of(&ea, "ORDER_TRADE_UPDATE");
    let xs: Vec<(&str, &str)> =
        updates.iter().map(|v| (v["o"]["x"].as_str().unwrap(), v["o"]["q"].as_str().unwrap())).collect();
    assert_eq!(xs, [("NEW", "0.010"), ("AMENDMENT", "0.020"), ("CANCELED", "0.020")]);
    let cfg = of(&ea, "ACCOUNT_CONFIG_UPDATE").pop().expect("leverage change");
    assert_eq!(cfg["ac"], json!({"s": "BTCUSDT", "l": 7}));
    assert_eq!(ok(&a.signed("account.position", json!({"symbol": "BTCUSDT"})).await)[0]["leverage"], "7");
}

#[tokio::test]
async fn margin_runs_low_then_the_position_is_liquidated() {
    let sim = quiet().await;
    sim.set_mark_price(USDM, "BTCUSDT", Some(d("60000"))).unwrap();
    let mut a = api(&sim, USDM, hmac()).await;
    let mut b = api(&sim, USDM, ed25519()).await;
    // a keeps 1000 USDT.
    sim.futures_deposit(USDM, binance_ws_sim::config::DEFAULT_HMAC_API_KEY, "USDT", d("-999000")).unwrap();
    let mut sa = user_stream(&sim, USDM, &listen_key(&mut a).await).await;
    let mut market_stream =
        StreamClient::connect(&format!("{}/ws/btcusdt@forceOrder", sim.futures_stream_url(USDM))).await;
    limit(&mut b, "BTCUSDT", "SELL", "0.400", "60000").await;
    // 0.4 BTC at 20x needs 1200: too much.
    err(
        &place(&mut a, json!({"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.400"})).await,
        400,
        -2019,
    );
    // 0.3 BTC needs 900.
    market(&mut a, "BTCUSDT", "BUY", "0.300").await;
    limit(&mut b, "BTCUSDT", "BUY", "1.000", "56000").await;
    events(&mut sa, SHORT).await;
    // Maintenance margin 0.3 x mark x 0.004 against 991 + 0.3 x (mark - 60000): the ratio passes 0.8 below
    // 56981.6, the margin balance meets the maintenance margin below 56924.4.
    sim.set_mark_price(USDM, "BTCUSDT", Some(d("57500"))).unwrap();
    assert!(of(&events(&mut sa, SHORT).await, "MARGIN_CALL").is_empty(), "not yet");
    sim.set_mark_price(USDM, "BTCUSDT", Some(d("56980"))).unwrap();
    let call = sa.next_event("MARGIN_CALL", LONG).await.expect("MARGIN_CALL");
    let p = &call["p"][0];
    assert_eq!(
        (p["s"].as_str(), p["ps"].as_str(), p["pa"].as_str(), p["mt"].as_str()),
        (Some("BTCUSDT"), Some("BOTH"), Some("0.300"), Some("cross"))
    );
    assert_eq!(dec_of(&p["mp"]), d("56980"));
    // Below the maintenance margin: a LIQUIDATION order closes the position against the book.
    sim.set_mark_price(USDM, "BTCUSDT", Some(d("56700"))).unwrap();
    let liq = sa.next_event("ORDER_TRADE_UPDATE", LONG).await.expect("liquidation fill");
    let o = &liq["o"];
    assert_eq!(
        (o["o"].as_str(), o["x"].as_str(), o["X"].as_str(), o["S"].as_str()),
        (Some("LIQUIDATION"), Some("CALCULATED"), Some("FILLED"), Some("SELL"))
    );
    assert!(o["c"].as_str().unwrap().starts_with("autoclose-"));
    let force = market_stream.next_event("forceOrder", LONG).await.expect("forceOrder");
    assert_eq!(
        (force["o"]["s"].as_str(), force["o"]["S"].as_str(), force["o"]["X"].as_str()),
        (Some("BTCUSDT"), Some("SELL"), Some("FILLED"))
    );
    assert_eq!(dec_of(&force["o"]["ap"]), d("56000"));
    let pos = sim.futures_positions(USDM, binance_ws_sim::config::DEFAULT_HMAC_API_KEY).unwrap();
    assert!(pos.iter().all(|p| p.amount.is_zero()));
}

#[tokio::test]
async fn coin_m_events_carry_the_account_alias_and_no_trade_lite() {
    let sim = quiet().await;
    let mut a = api(&sim, COINM, hmac()).await;
    let mut b = api(&sim, COINM, ed25519()).await;
    let mut sa = user_stream(&sim, COINM, &listen_key(&mut a).await).await;
    limit(&mut a, "BTCUSD_PERP", "SELL", "5", "60000").await;
    market(&mut b, "BTCUSD_PERP", "BUY", "5").await;
    let ea = events(&mut sa, SHORT).await;
    assert!(of(&ea, "TRADE_LITE").is_empty());
    let fill = of(&ea, "ORDER_TRADE_UPDATE").pop().unwrap();
    assert_eq!((fill["o"]["X"].as_str(), fill["o"]["N"].as_str()), (Some("FILLED"), Some("BTC")));
    assert!(fill["i"].is_string(), "{fill}");
    let acc = of(&ea, "ACCOUNT_UPDATE").pop().unwrap();
    assert_eq!((acc["a"]["B"][0]["a"].as_str(), acc["a"]["P"][0]["pa"].as_str()), (Some("BTC"), Some("-5")));
    // The maker fee in BTC: 0.0002 x 500 / 60000.
    assert_eq!(dec_of(&fill["o"]["n"]), d("0.00000167"));
}

/// A connection sees what happens as soon as it is connected: the exchange starts listening for it when it
/// accepts the TCP connection, before the handshake completes. Here the deposit is made between the two; a
/// connection that started listening after its handshake (as before) misses it, and under load a deposit made
/// right after connecting was missed now and then.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_during_the_handshake_reaches_the_connection() {
    let sim = quiet().await;
    let mut a = api(&sim, USDM, hmac()).await;
    let key = listen_key(&mut a).await;
    let hub = sim.futures(USDM).user_hub();
    let before = hub.connections();
    let addr = sim.base_url().trim_start_matches("ws://").to_string();
    let tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
    tokio::time::timeout(LONG, async {
        while hub.connections() == before {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
    .await
    .expect("the exchange listens once it accepted the connection");
    deposit(&sim, "1");
    let mut s = StreamClient::handshake_on(tcp, &format!("{}/ws/{key}", sim.futures_stream_url(USDM))).await;
    assert!(s.next_event("ACCOUNT_UPDATE", LONG).await.is_some(), "the deposit's event was missed");
}
