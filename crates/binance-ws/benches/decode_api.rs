//! Decoding WebSocket API replies into typed responses, through the real path
//! (`binance_ws::api::decode_reply`: one pass over the envelope that borrows `result` as raw JSON,
//! then `result` straight into the typed model), against the naive double parse
//! (`serde_json::from_slice::<Value>` of the whole frame, then `from_value::<T>` of `result`).
//!
//! Two more variants decode only the `result` slice, with serde_json (the second step of the real path)
//! and with sonic-rs (which DESIGN.md names for decoding hot paths but the engine does not use yet):
//! they show how the real path's time splits between envelope and result, and what switching the
//! second step to sonic-rs would give.
//!
//! `cargo bench -p binance-ws --bench decode_api`
//!
//! Criterion measures the variants one after the other. On a shared machine the load changes between
//! them, so after criterion this bench also runs the variants in alternating short blocks (rotating
//! their order every round) and prints the median of each and the per-round ratios
//! (`--- paired ---`): those ratios are the figures to quote. `-- --paired-only [NAME]` skips criterion.

use binance_ws::api::{decode_reply, RateLimitUsage};
use binance_ws::spot::{DepthSnapshot, ExchangeInfo, OrderResponse, ServerTime};
use criterion::{black_box, criterion_group, BenchmarkId, Criterion, Throughput};
use std::time::Instant;

use serde::de::DeserializeOwned;
use serde_json::{json, Value};

/// The `rateLimits` a response of the real exchange carries.
fn rate_limits(count: u64) -> Value {
    json!([{"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000, "count": count}])
}

/// A whole reply frame as the server sends it: compact JSON.
fn frame(id: u64, result: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({"id": id, "status": 200, "result": result, "rateLimits": rate_limits(id)})).unwrap()
}

fn time_frame() -> Vec<u8> {
    frame(1, json!({"serverTime": 1_656_400_526_260u64}))
}

/// `depth` with `limit: 100`: 100 bids and 100 asks.
fn depth_frame() -> Vec<u8> {
    let level = |i: u32, up: bool| {
        let cents = if up { 6_500_001 + i } else { 6_500_000 - i };
        json!([format!("{}.{:02}000000", cents / 100, cents % 100), format!("0.{:08}", 1_000 + i * 37)])
    };
    let bids: Vec<Value> = (0..100).map(|i| level(i, false)).collect();
    let asks: Vec<Value> = (0..100).map(|i| level(i, true)).collect();
    frame(2, json!({"lastUpdateId": 2_731_179_239u64, "bids": bids, "asks": asks}))
}

/// `order.place` with `newOrderRespType: FULL`, a LIMIT order filled by 3 trades (web-socket-api.md example).
fn order_full_frame() -> Vec<u8> {
    let fills: Vec<Value> = (0..3)
        .map(|i| {
            json!({"price": format!("23416.{}0000000", i + 1), "qty": "0.00282000", "commission": "0.00000000",
                   "commissionAsset": "BNB", "tradeId": 1_650_422_481u64 + i})
        })
        .collect();
    frame(
        3,
        json!({
            "symbol": "BTCUSDT", "orderId": 12_569_099_453u64, "orderListId": -1,
            "clientOrderId": "4d96324ff9d44481926157ec08158a40", "transactTime": 1_660_801_715_793u64,
            "price": "23416.10000000", "origQty": "0.00847000", "executedQty": "0.00847000",
            "origQuoteOrderQty": "0.000000", "cummulativeQuoteQty": "198.33521500", "status": "FILLED",
            "timeInForce": "GTC", "type": "LIMIT", "side": "SELL", "workingTime": 1_660_801_715_793u64,
            "selfTradePreventionMode": "NONE", "fills": fills
        }),
    )
}

/// `exchangeInfo` for 3 symbols, each with the filter set Binance's mainnet lists for a major pair.
fn exchange_info_frame() -> Vec<u8> {
    let symbol = |name: &str, base: &str, quote: &str| {
        json!({
            "symbol": name, "status": "TRADING", "baseAsset": base, "baseAssetPrecision": 8, "quoteAsset": quote,
            "quotePrecision": 8, "quoteAssetPrecision": 8, "baseCommissionPrecision": 8, "quoteCommissionPrecision": 8,
            "orderTypes": ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"],
            "icebergAllowed": true, "ocoAllowed": true, "otoAllowed": true, "opoAllowed": true,
            "quoteOrderQtyMarketAllowed": true, "allowTrailingStop": true, "cancelReplaceAllowed": true,
            "amendAllowed": true, "pegInstructionsAllowed": true, "isSpotTradingAllowed": true,
            "isMarginTradingAllowed": true,
            "filters": [
                {"filterType": "PRICE_FILTER", "minPrice": "0.01000000", "maxPrice": "1000000.00000000", "tickSize": "0.01000000"},
                {"filterType": "LOT_SIZE", "minQty": "0.00001000", "maxQty": "9000.00000000", "stepSize": "0.00001000"},
                {"filterType": "ICEBERG_PARTS", "limit": 10},
                {"filterType": "MARKET_LOT_SIZE", "minQty": "0.00000000", "maxQty": "107.21325720", "stepSize": "0.00000000"},
                {"filterType": "TRAILING_DELTA", "minTrailingAboveDelta": 10, "maxTrailingAboveDelta": 2000,
                 "minTrailingBelowDelta": 10, "maxTrailingBelowDelta": 2000},
                {"filterType": "PERCENT_PRICE_BY_SIDE", "bidMultiplierUp": "5", "bidMultiplierDown": "0.2",
                 "askMultiplierUp": "5", "askMultiplierDown": "0.2", "avgPriceMins": 5},
                {"filterType": "NOTIONAL", "minNotional": "5.00000000", "applyMinToMarket": true,
                 "maxNotional": "9000000.00000000", "applyMaxToMarket": false, "avgPriceMins": 5},
                {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": 200},
                {"filterType": "MAX_NUM_ORDER_LISTS", "maxNumOrderLists": 20},
                {"filterType": "MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders": 5},
                {"filterType": "MAX_NUM_ORDER_AMENDS", "maxNumOrderAmends": 10}
            ],
            "permissions": [], "permissionSets": [["SPOT", "MARGIN", "TRD_GRP_004", "TRD_GRP_005"]],
            "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
            "allowedSelfTradePreventionModes": ["NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH", "DECREMENT"]
        })
    };
    frame(
        4,
        json!({
            "timezone": "UTC", "serverTime": 1_655_969_291_181u64,
            "rateLimits": [
                {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000},
                {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 50},
                {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": 160000},
                {"rateLimitType": "CONNECTIONS", "interval": "MINUTE", "intervalNum": 5, "limit": 300}
            ],
            "exchangeFilters": [],
            "symbols": [symbol("BTCUSDT", "BTC", "USDT"), symbol("ETHUSDT", "ETH", "USDT"), symbol("BNBBTC", "BNB", "BTC")]
        }),
    )
}

/// The naive path: the whole frame into a `Value` tree, then `result` (and `rateLimits`) out of it.
fn double_parse<T: DeserializeOwned>(frame: &[u8]) -> T {
    let mut v: Value = serde_json::from_slice(frame).unwrap();
    let limits: Vec<RateLimitUsage> = serde_json::from_value(v["rateLimits"].take()).unwrap();
    black_box(limits);
    serde_json::from_value(v["result"].take()).unwrap()
}

/// The `result` slice of a frame, for the sonic-rs variant (found once, outside the timed loop).
fn result_slice(frame: &[u8]) -> &[u8] {
    let v: Value = serde_json::from_slice(frame).unwrap();
    let text = serde_json::to_vec(&v["result"]).unwrap();
    let start = frame.windows(text.len()).position(|w| w == text.as_slice()).expect("compact frame holds its result");
    &frame[start..start + text.len()]
}

fn bench_one<T: DeserializeOwned + PartialEq + std::fmt::Debug>(c: &mut Criterion, name: &str, frame: &[u8]) {
    // Both paths must give the same answer before their speed means anything.
    let one: T = decode_reply(frame).expect("decodes");
    assert_eq!(one, double_parse::<T>(frame));
    let body = result_slice(frame);
    assert_eq!(one, sonic_rs::from_slice::<T>(body).expect("sonic-rs decodes"));

    let mut g = c.benchmark_group(format!("decode/{name}"));
    g.throughput(Throughput::Bytes(frame.len() as u64));
    g.bench_function(BenchmarkId::new("one_pass", frame.len()), |b| {
        b.iter(|| decode_reply::<T>(black_box(frame)).unwrap())
    });
    g.bench_function(BenchmarkId::new("value_then_typed", frame.len()), |b| {
        b.iter(|| double_parse::<T>(black_box(frame)))
    });
    g.bench_function(BenchmarkId::new("serde_result_only", frame.len()), |b| {
        b.iter(|| serde_json::from_slice::<T>(black_box(body)).unwrap())
    });
    g.bench_function(BenchmarkId::new("sonic_result_only", frame.len()), |b| {
        b.iter(|| sonic_rs::from_slice::<T>(black_box(body)).unwrap())
    });
    g.finish();
}

fn decode(c: &mut Criterion) {
    bench_one::<ServerTime>(c, "time", &time_frame());
    bench_one::<DepthSnapshot>(c, "depth100", &depth_frame());
    bench_one::<OrderResponse>(c, "order_place_full", &order_full_frame());
    bench_one::<ExchangeInfo>(c, "exchange_info3", &exchange_info_frame());
}

/// Mean seconds per call of `f` over `n` calls.
fn per_call(n: u64, f: &dyn Fn()) -> f64 {
    let t = Instant::now();
    for _ in 0..n {
        f();
    }
    t.elapsed().as_secs_f64() / n as f64
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    v[v.len() / 2]
}

/// A labelled decoding variant, called once per call.
type Variant<'a> = (&'static str, Box<dyn Fn() + 'a>);

/// The four variants in alternating blocks of about 5 ms each, 31 rounds, order rotated every round.
fn paired<T: DeserializeOwned>(name: &str, frame: &[u8]) {
    // `-- --paired-only NAME` runs the one message (for profiling).
    let only: Vec<String> = std::env::args().skip_while(|a| a != "--paired-only").skip(1).take(1).collect();
    if only.first().is_some_and(|o| !o.starts_with('-') && o != name) {
        return;
    }
    let body = result_slice(frame);
    let variants: [Variant; 4] = [
        ("one_pass", Box::new(|| drop(black_box(decode_reply::<T>(black_box(frame)).unwrap())))),
        ("value_then_typed", Box::new(|| drop(black_box(double_parse::<T>(black_box(frame)))))),
        ("serde_result_only", Box::new(|| drop(black_box(serde_json::from_slice::<T>(black_box(body)).unwrap())))),
        ("sonic_result_only", Box::new(|| drop(black_box(sonic_rs::from_slice::<T>(black_box(body)).unwrap())))),
    ];
    let n = (0.005 / per_call(200, &*variants[1].1)).max(10.0) as u64;
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); variants.len()];
    let (mut double_vs_one, mut sonic_vs_serde) = (Vec::new(), Vec::new());
    for round in 0..31 {
        let mut t = [0.0; 4];
        for k in 0..variants.len() {
            let i = (round + k) % variants.len();
            t[i] = per_call(n, &*variants[i].1);
            times[i].push(t[i]);
        }
        double_vs_one.push(t[1] / t[0]);
        sonic_vs_serde.push(t[3] / t[2]);
    }
    let cells: Vec<String> = variants
        .iter()
        .zip(times.iter_mut())
        .map(|((label, _), v)| format!("{label} {:.2} µs", median(v) * 1e6))
        .collect();
    println!(
        "{name:<18} {:>5} B | {} | value_then_typed/one_pass {:.2} | sonic/serde (result) {:.2}",
        frame.len(),
        cells.join(", "),
        median(&mut double_vs_one),
        median(&mut sonic_vs_serde)
    );
}

fn paired_all() {
    println!("--- paired (alternating blocks, medians of 31 rounds; ratios are medians of per-round ratios) ---");
    paired::<ServerTime>("time", &time_frame());
    paired::<DepthSnapshot>("depth100", &depth_frame());
    paired::<OrderResponse>("order_place_full", &order_full_frame());
    paired::<ExchangeInfo>("exchange_info3", &exchange_info_frame());
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3));
    targets = decode
}

fn main() {
    if !std::env::args().any(|a| a == "--paired-only") {
        benches();
        Criterion::default().configure_from_args().final_summary();
    }
    // `cargo test --benches` runs this binary with `--bench` absent: keep that quick.
    if std::env::args().any(|a| a == "--bench" || a == "--paired-only") {
        paired_all();
    }
}
