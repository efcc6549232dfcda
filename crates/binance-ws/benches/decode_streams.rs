//! Decoding stream frames, raw and combined, for trade, bookTicker and depth frames. Frames in Binance's own
//! key order take the fixed-order readers (`streams/fast.rs`) whichever backend is chosen; the `*_reordered`
//! frames (same payload, `E` before `e`) take the serde path and so compare serde_json with sonic-rs.
//! `cargo bench -p binance-ws --bench decode_streams`

use binance_ws::streams::{decode_frame, Backend, Decoded, MarketEvent};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

const TRADE: &str = r#"{"e":"trade","E":1672515782136,"s":"BNBBTC","t":12345,"p":"0.00100000","q":"100.00000000","T":1672515782136,"m":true,"M":true}"#;
const BOOK: &str =
    r#"{"u":400900217,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}"#;

fn depth_frame(levels: usize) -> String {
    let side = |base: f64, step: f64| {
        (0..levels)
            .map(|i| format!(r#"["{:.8}","{:.8}"]"#, base + step * i as f64, 1.0 + i as f64 * 0.25))
            .collect::<Vec<_>>()
            .join(",")
    };
    format!(
        r#"{{"e":"depthUpdate","E":1672515782136,"s":"BTCUSDT","U":157,"u":160,"b":[{}],"a":[{}]}}"#,
        side(25000.0, -0.01),
        side(25000.01, 0.01)
    )
}

/// The same payload with `E` moved before `e`: no longer Binance's order, so the fixed-order readers decline it.
fn reorder(data: &str) -> String {
    let (e, rest) = data.trim_start_matches('{').split_once(',').expect("two keys at least");
    let (big_e, rest) = rest.split_once(',').expect("three keys at least");
    format!("{{{big_e},{e},{rest}")
}

fn combined(stream: &str, data: &str) -> String {
    format!(r#"{{"stream":"{stream}","data":{data}}}"#)
}

/// A depth update as the local exchange's flood mode sends it (`binance-ws-sim/src/flood.rs`): 2 bids, 1 ask.
const DEPTH_FLOOD: &str = r#"{"e":"depthUpdate","E":1672515782136,"s":"BTCUSDT","U":1000157,"u":1000160,"b":[["25000.01","0.50000000"],["24999.00","0.00000000"]],"a":[["25001.37","1.00000000"]]}"#;

fn bench(c: &mut Criterion) {
    let depth = depth_frame(20);
    let frames = [
        ("depth_flood_combined", combined("btcusdt@depth@100ms", DEPTH_FLOOD)),
        ("trade", TRADE.to_string()),
        ("trade_combined", combined("bnbbtc@trade", TRADE)),
        ("bookTicker", BOOK.to_string()),
        ("bookTicker_combined", combined("bnbusdt@bookTicker", BOOK)),
        ("depth20", depth.clone()),
        ("depth20_combined", combined("btcusdt@depth@100ms", &depth)),
        ("trade_reordered", reorder(TRADE)),
        ("depth20_reordered", reorder(&depth)),
    ];
    for (name, frame) in &frames {
        let mut g = c.benchmark_group(*name);
        g.throughput(Throughput::Bytes(frame.len() as u64));
        for (label, backend) in [("serde_json", Backend::SerdeJson), ("sonic_rs", Backend::SonicRs)] {
            assert!(matches!(
                decode_frame(frame.as_bytes(), backend),
                Ok(Decoded::Event {
                    event: MarketEvent::Trade(_) | MarketEvent::BookTicker(_) | MarketEvent::DepthUpdate(_),
                    ..
                })
            ));
            g.bench_function(label, |b| b.iter(|| decode_frame(black_box(frame.as_bytes()), backend)));
        }
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
