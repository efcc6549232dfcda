//! Five clients trading at once leave balances that add up: for each asset, the sum over all accounts of
//! free + locked, plus the commissions the exchange collected, equals what the accounts started with.
//! Read both through the API (account.status) and through the control API.

mod wsapi_support;

use std::collections::BTreeMap;

use binance_ws_sim::{Sim, SimConfig};
use rust_decimal::Decimal;
use serde_json::json;
use wsapi_support::*;

const CLIENTS: usize = 5;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_clients_trading_at_once_conserve_every_asset() {
    let funds = [("BTC", "10"), ("ETH", "100"), ("USDT", "1000000")];
    let sim = Sim::start(SimConfig {
        accounts: (0..CLIENTS).map(|n| hmac_account(&test_key(n), &test_secret(n), &funds)).collect(),
        activity: None,
        orders_per_10s: 10_000,
        ..Default::default()
    })
    .await
    .unwrap();
    let url = sim.api_url();
    let mut tasks = Vec::new();
    for n in 0..CLIENTS {
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            let mut c = Client::with_signer(&url, Signer::hmac(&test_key(n), &test_secret(n))).await;
            let mut placed = 0;
            for i in 0..60usize {
                // Alternate sides and cross the spread often; prices around 60000 and 3000.
                let (symbol, mid, qty) =
                    if i % 3 == 0 { ("ETHUSDT", 3000, "0.05") } else { ("BTCUSDT", 60000, "0.002") };
                let side = if (i + n) % 2 == 0 { "BUY" } else { "SELL" };
                let offset = ((i * 7 + n * 13) % 11) as i64 - 5;
                let price = format!("{}.00", mid + offset);
                let p = match i % 5 {
                    4 => json!({"symbol": symbol, "side": side, "type": "MARKET", "quantity": qty}),
                    3 => json!({"symbol": symbol, "side": side, "type": "LIMIT", "timeInForce": "IOC", "price": price,
                        "quantity": qty}),
                    _ => json!({"symbol": symbol, "side": side, "type": "LIMIT", "timeInForce": "GTC", "price": price,
                        "quantity": qty}),
                };
                let r = c.signed("order.place", p).await;
                if r["status"] == 200 {
                    placed += 1;
                    if i % 7 == 0 && r["result"]["status"] == "NEW" {
                        let id = r["result"]["orderId"].clone();
                        let cancel = c.signed("order.cancel", json!({"symbol": symbol, "orderId": id})).await;
                        assert!(cancel["status"] == 200 || cancel["error"]["code"] == -2011, "{cancel}");
                    }
                } else {
                    // A market order may find an empty book side; nothing else may fail.
                    assert_eq!(r["error"]["code"], -2010, "{r}");
                }
            }
            placed
        }));
    }
    let mut placed = 0;
    for t in tasks {
        placed += t.await.unwrap();
    }
    assert!(placed > 200, "{placed} orders placed");

    let mut start: BTreeMap<String, Decimal> = BTreeMap::new();
    for (a, q) in funds {
        start.insert(a.into(), dec(q) * Decimal::from(CLIENTS as u64));
    }
    let commissions = sim.commissions_collected();
    assert!(commissions.values().any(|c| !c.is_zero()), "trades happened: {commissions:?}");

    let mut via_api: BTreeMap<String, Decimal> = BTreeMap::new();
    let mut via_control: BTreeMap<String, Decimal> = BTreeMap::new();
    for n in 0..CLIENTS {
        let mut c = Client::with_signer(&url, Signer::hmac(&test_key(n), &test_secret(n))).await;
        let r = c.signed("account.status", json!({})).await;
        for b in ok(&r)["balances"].as_array().unwrap() {
            let total = dec(b["free"].as_str().unwrap()) + dec(b["locked"].as_str().unwrap());
            *via_api.entry(b["asset"].as_str().unwrap().to_string()).or_default() += total;
        }
        for (asset, b) in sim.balances(&test_key(n)).unwrap() {
            *via_control.entry(asset).or_default() += b.free + b.locked;
        }
    }
    assert_eq!(via_api, via_control);
    for (asset, initial) in &start {
        let now = via_api.get(asset).copied().unwrap_or_default() + commissions.get(asset).copied().unwrap_or_default();
        assert_eq!(now, *initial, "{asset}: balances {via_api:?} + commissions {commissions:?}");
    }
    // Every open order's lock is accounted for: the locked totals equal what the open orders hold.
    let locked: Decimal = (0..CLIENTS).flat_map(|n| sim.open_orders(&test_key(n)).unwrap()).map(|o| o.locked).sum();
    let locked_balances: Decimal =
        (0..CLIENTS).flat_map(|n| sim.balances(&test_key(n)).unwrap()).map(|(_, b)| b.locked).sum();
    assert_eq!(locked, locked_balances);
}
