//! Positions and margin over the WebSocket API: one-way positions that average in, close and flip with the
//! realized PnL and fees in the wallet; account figures that add up (margin balance, initial margin, available
//! balance); hedge mode's LONG and SHORT positions; reduceOnly and closePosition; leverage limits.

mod futures_support;
mod wsapi_support;

use binance_ws_sim::config::{DEFAULT_ED25519_API_KEY, DEFAULT_HMAC_API_KEY};
use futures_support::*;
use rust_decimal::Decimal;
use serde_json::{json, Value};

fn dec_of(v: &Value) -> Decimal {
    d(v.as_str().unwrap_or_else(|| panic!("not a decimal string: {v}")))
}

fn position<'a>(list: &'a Value, symbol: &str, side: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|p| p["symbol"] == symbol && p["positionSide"] == side)
        .unwrap_or_else(|| panic!("no {symbol} {side} in {list}"))
}

#[tokio::test]
async fn one_way_positions_average_close_flip_and_the_account_adds_up() {
    let sim = quiet().await;
    sim.set_mark_price(USDM, "BTCUSDT", Some(d("60000"))).unwrap();
    let mut a = api(&sim, USDM, hmac()).await;
    let mut b = api(&sim, USDM, ed25519()).await;
    limit(&mut b, "BTCUSDT", "SELL", "0.100", "60000").await;
    limit(&mut b, "BTCUSDT", "SELL", "0.100", "61000").await;
    market(&mut a, "BTCUSDT", "BUY", "0.200").await;
    let pos = ok(&a.signed("account.position", json!({"symbol": "BTCUSDT"})).await);
    let p = position(&pos, "BTCUSDT", "BOTH");
    assert_eq!((p["positionAmt"].as_str(), dec_of(&p["entryPrice"])), (Some("0.200"), d("60500")));
    assert_eq!(p["marginType"], "cross");

    // At a mark of 62000: unrealized 0.2 x 1500; position margin 0.2 x 62000 / 20.
    sim.set_mark_price(USDM, "BTCUSDT", Some(d("62000"))).unwrap();
    let fees_in = d("0.0005") * (d("6000") + d("6100"));
    let wallet = d("1000000") - fees_in;
    let v2 = ok(&a.signed("v2/account.status", json!({})).await);
    assert_eq!(dec_of(&v2["totalWalletBalance"]), wallet);
    assert_eq!(dec_of(&v2["totalUnrealizedProfit"]), d("300"));
    assert_eq!(dec_of(&v2["totalMarginBalance"]), wallet + d("300"));
    assert_eq!(dec_of(&v2["totalPositionInitialMargin"]), d("620"));
    assert_eq!(dec_of(&v2["totalInitialMargin"]), d("620"));
    assert_eq!(dec_of(&v2["availableBalance"]), wallet + d("300") - d("620"));
    assert_eq!(dec_of(&v2["totalMaintMargin"]), d("0.2") * d("62000") * d("0.004"));
    let pv2 = ok(&a.signed("v2/account.position", json!({})).await);
    assert_eq!(pv2.as_array().unwrap().len(), 1, "only the symbol with a position: {pv2}");
    let p = position(&pv2, "BTCUSDT", "BOTH");
    assert_eq!((dec_of(&p["unrealizedProfit"]), dec_of(&p["notional"])), (d("300"), d("12400")));
    // A resting order adds open order margin: 0.1 x 59000 / 20 buys on top of the long.
    let resting = limit(&mut a, "BTCUSDT", "BUY", "0.100", "59000").await;
    let v2 = ok(&a.signed("v2/account.status", json!({})).await);
    assert_eq!(dec_of(&v2["totalOpenOrderInitialMargin"]), d("295"));
    assert_eq!(dec_of(&v2["availableBalance"]), wallet + d("300") - d("620") - d("295"));
    ok(&a.signed("order.cancel", json!({"symbol": "BTCUSDT", "orderId": resting["orderId"]})).await);

    // Sell 0.3 at 63000: 0.2 closes (+500), 0.1 opens a short at 63000.
    limit(&mut b, "BTCUSDT", "BUY", "0.300", "63000").await;
    market(&mut a, "BTCUSDT", "SELL", "0.300").await;
    let pos = ok(&a.signed("account.position", json!({"symbol": "BTCUSDT"})).await);
    let p = position(&pos, "BTCUSDT", "BOTH");
    assert_eq!((p["positionAmt"].as_str(), dec_of(&p["entryPrice"])), (Some("-0.100"), d("63000")));
    let fees = fees_in + d("0.0005") * d("18900");
    let balance = ok(&a.signed("account.balance", json!({})).await);
    let usdt = balance.as_array().unwrap().iter().find(|x| x["asset"] == "USDT").unwrap().clone();
    assert_eq!(dec_of(&usdt["balance"]), d("1000000") + d("500") - fees);
    // b, the maker on every trade: the opposite PnL and maker fees.
    let b_fees = d("0.0002") * (d("6000") + d("6100") + d("18900"));
    let bb = ok(&b.signed("account.balance", json!({})).await);
    let b_usdt = bb.as_array().unwrap().iter().find(|x| x["asset"] == "USDT").unwrap().clone();
    assert_eq!(dec_of(&b_usdt["balance"]), d("1000000") - d("500") - b_fees);
    // The exchange's own view agrees.
    let summary = sim.futures_balances(USDM, DEFAULT_HMAC_API_KEY).unwrap();
    let s = summary.iter().find(|s| s.asset == "USDT").unwrap();
    assert_eq!(s.available, s.margin_balance - s.initial_margin);
    assert_eq!(s.margin_balance, s.wallet + s.unrealized);
}

#[tokio::test]
async fn hedge_mode_keeps_long_and_short_apart() {
    let sim = quiet().await;
    sim.set_position_mode(USDM, DEFAULT_HMAC_API_KEY, true).unwrap();
    assert_eq!(sim.set_position_mode(USDM, DEFAULT_HMAC_API_KEY, true).unwrap_err().code, -4059);
    let mut a = api(&sim, USDM, hmac()).await;
    let mut b = api(&sim, USDM, ed25519()).await;
    limit(&mut b, "BTCUSDT", "SELL", "0.100", "60000").await;
    limit(&mut b, "BTCUSDT", "BUY", "0.100", "59900").await;
    let buy = json!({"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.100", "newOrderRespType": "RESULT"});
    // Hedge mode needs LONG or SHORT, and knows no reduceOnly.
    err(&place(&mut a, buy.clone()).await, 400, -4061);
    let mut both = buy.clone();
    both["positionSide"] = json!("BOTH");
    err(&place(&mut a, both).await, 400, -4061);
    let mut ro = buy.clone();
    ro["positionSide"] = json!("LONG");
    ro["reduceOnly"] = json!("true");
    err(&place(&mut a, ro).await, 400, -1106);
    let mut long = buy.clone();
    long["positionSide"] = json!("LONG");
    assert_eq!(placed(&mut a, long).await["positionSide"], "LONG");
    let short = json!({"symbol": "BTCUSDT", "side": "SELL", "type": "MARKET", "quantity": "0.100",
                       "positionSide": "SHORT", "newOrderRespType": "RESULT"});
    assert_eq!(placed(&mut a, short).await["status"], "FILLED");
    let pos = ok(&a.signed("account.position", json!({"symbol": "BTCUSDT"})).await);
    assert_eq!(pos.as_array().unwrap().len(), 2, "LONG and SHORT only: {pos}");
    let (l, s) = (position(&pos, "BTCUSDT", "LONG"), position(&pos, "BTCUSDT", "SHORT"));
    assert_eq!((l["positionAmt"].as_str(), dec_of(&l["entryPrice"])), (Some("0.100"), d("60000")));
    assert_eq!((s["positionAmt"].as_str(), dec_of(&s["entryPrice"])), (Some("-0.100"), d("59900")));
    // Closing more than the LONG holds is refused; closing it exactly works and leaves the SHORT alone.
    limit(&mut b, "BTCUSDT", "BUY", "0.200", "59800").await;
    let close = |q: &str| {
        json!({"symbol": "BTCUSDT", "side": "SELL", "type": "MARKET", "quantity": q, "positionSide": "LONG",
               "newOrderRespType": "RESULT"})
    };
    err(&place(&mut a, close("0.200")).await, 400, -2022);
    assert_eq!(placed(&mut a, close("0.100")).await["status"], "FILLED");
    let pos = ok(&a.signed("v2/account.position", json!({"symbol": "BTCUSDT"})).await);
    assert_eq!(pos.as_array().unwrap().len(), 1, "{pos}");
    assert_eq!(position(&pos, "BTCUSDT", "SHORT")["positionAmt"], "-0.100");
    // The position mode cannot change while a position is open.
    assert_eq!(sim.set_position_mode(USDM, DEFAULT_HMAC_API_KEY, false).unwrap_err().code, -4068);
}

#[tokio::test]
async fn reduce_only_and_close_position() {
    let sim = quiet().await;
    sim.set_mark_price(USDM, "BTCUSDT", Some(d("60000"))).unwrap();
    let mut a = api(&sim, USDM, hmac()).await;
    let mut b = api(&sim, USDM, ed25519()).await;
    let ro = |q: &str| {
        json!({"symbol": "BTCUSDT", "side": "SELL", "type": "MARKET", "quantity": q, "reduceOnly": "true",
               "newOrderRespType": "RESULT"})
    };
    err(&place(&mut a, ro("0.050")).await, 400, -2022);
    limit(&mut b, "BTCUSDT", "SELL", "0.050", "60000").await;
    market(&mut a, "BTCUSDT", "BUY", "0.050").await;
    // A reduce-only order fills only what the position holds; the rest expires.
    limit(&mut b, "BTCUSDT", "BUY", "1.000", "59000").await;
    let r = placed(&mut a, ro("0.200")).await;
    assert_eq!(
        (r["status"].as_str(), r["executedQty"].as_str(), r["reduceOnly"].as_bool()),
        (Some("EXPIRED"), Some("0.050"), Some(true))
    );
    assert!(sim.futures_positions(USDM, DEFAULT_HMAC_API_KEY).unwrap().iter().all(|p| p.amount.is_zero()));
    // No notional minimum for reduce-only orders: 0.001 BTC is far below 100 USDT, but reduces a position.
    limit(&mut b, "BTCUSDT", "SELL", "0.010", "60000").await;
    market(&mut a, "BTCUSDT", "BUY", "0.010").await;
    assert_eq!(placed(&mut a, ro("0.001")).await["status"], "FILLED");

    // closePosition: no quantity, no reduceOnly, STOP_MARKET/TAKE_PROFIT_MARKET only; closes it all on trigger.
    let cp = json!({"symbol": "BTCUSDT", "side": "SELL", "type": "STOP_MARKET", "stopPrice": "59500",
                    "closePosition": "true", "workingType": "MARK_PRICE"});
    let mut with_qty = cp.clone();
    with_qty["quantity"] = json!("0.001");
    err(&place(&mut a, with_qty).await, 400, -4137);
    let mut with_ro = cp.clone();
    with_ro["reduceOnly"] = json!("true");
    err(&place(&mut a, with_ro).await, 400, -1106);
    err(
        &place(
            &mut a,
            json!({"symbol": "BTCUSDT", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC",
                              "price": "60000", "closePosition": "true"}),
        )
        .await,
        400,
        -1106,
    );
    let stop = placed(&mut a, cp).await;
    assert_eq!((stop["closePosition"].as_bool(), stop["origQty"].as_str()), (Some(true), Some("0.000")));
    sim.set_mark_price(USDM, "BTCUSDT", Some(d("59500"))).unwrap();
    let s = status(&mut a, "BTCUSDT", &stop["orderId"]).await;
    assert_eq!((s["status"].as_str(), s["executedQty"].as_str()), (Some("FILLED"), Some("0.009")));
    assert!(sim.futures_positions(USDM, DEFAULT_HMAC_API_KEY).unwrap().iter().all(|p| p.amount.is_zero()));
}

#[tokio::test]
async fn leverage_decides_margin_and_position_size() {
    let sim = quiet().await;
    sim.set_mark_price(USDM, "BTCUSDT", Some(d("60000"))).unwrap();
    let mut a = api(&sim, USDM, hmac()).await;
    let mut b = api(&sim, USDM, ed25519()).await;
    sim.futures_deposit(USDM, DEFAULT_HMAC_API_KEY, "USDT", d("-999000")).unwrap();
    limit(&mut b, "BTCUSDT", "SELL", "1.000", "60000").await;
    let buy = |q: &str| {
        json!({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": q,
                               "price": "59000", "newOrderRespType": "RESULT"})
    };
    // 0.2 BTC at 59000 needs 1180 at 10x (too much for 1000) and 590 at 20x.
    sim.set_leverage(USDM, DEFAULT_HMAC_API_KEY, "BTCUSDT", 10).unwrap();
    err(&place(&mut a, buy("0.200")).await, 400, -2019);
    sim.set_leverage(USDM, DEFAULT_HMAC_API_KEY, "BTCUSDT", 20).unwrap();
    assert_eq!(placed(&mut a, buy("0.200")).await["status"], "NEW");
    // At 125x positions up to 50000 USDT are allowed.
    sim.set_leverage(USDM, DEFAULT_HMAC_API_KEY, "BTCUSDT", 125).unwrap();
    err(&place(&mut a, buy("0.900")).await, 400, -2027);
    assert_eq!(sim.set_leverage(USDM, DEFAULT_HMAC_API_KEY, "BTCUSDT", 126).unwrap_err().code, -4028);
    assert_eq!(sim.set_leverage(USDM, DEFAULT_HMAC_API_KEY, "BTCUSDT", 0).unwrap_err().code, -4028);
    assert_eq!(sim.set_leverage(USDM, "unknown", "BTCUSDT", 5).unwrap_err().code, -2015);
    let pos = ok(&a.signed("account.position", json!({"symbol": "BTCUSDT"})).await);
    assert_eq!(
        (
            position(&pos, "BTCUSDT", "BOTH")["leverage"].as_str(),
            position(&pos, "BTCUSDT", "BOTH")["maxNotionalValue"].as_str()
        ),
        (Some("125"), Some("50000"))
    );
    // COIN-M margin is in the coin: 30 contracts of 100 USD at 60000 at 20x need 0.0025 BTC.
    sim.futures_deposit(COINM, DEFAULT_ED25519_API_KEY, "BTC", d("-9.999")).unwrap();
    let mut c = api(&sim, COINM, ed25519()).await;
    let coin = |q: &str| json!({"symbol": "BTCUSD_PERP", "side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": q, "price": "60000"});
    err(&place(&mut c, coin("30")).await, 400, -2019);
    assert_eq!(placed(&mut c, coin("10")).await["status"], "NEW");
    let st = ok(&c.signed("account.status", json!({})).await);
    let btc = st["assets"].as_array().unwrap().iter().find(|x| x["asset"] == "BTC").unwrap().clone();
    // 10 contracts: 1000 USD / 60000 / 20 of open order margin.
    assert_eq!(dec_of(&btc["openOrderInitialMargin"]), d("0.00083333"));
    assert_eq!(dec_of(&btc["availableBalance"]), d("0.001") - dec_of(&btc["openOrderInitialMargin"]));
}
