//! Futures market streams through the streams client against the local exchange's simulated futures market, over
//! real sockets: markPrice, bookTicker, aggTrade, diff depth (with `pu`) and kline decode into their typed events,
//! for USD-M with its `/public` + `/market` endpoint split on and off, and for COIN-M.

mod futures_e2e_common;

use binance_ws::env::Product;
use binance_ws::streams::{Interval, MarketEvent, Speed, Stream, Streams, StreamsConfig};
use binance_ws::Env;
use binance_ws_sim::config::Activity;
use binance_ws_sim::Sim;
use futures::StreamExt;
use futures_e2e_common::*;
use tokio::time::{sleep_until, Instant};

async fn busy_sim() -> Sim {
    start_sim(|c| c.activity = Some(Activity { ops_per_sec: 300.0, symbols: Vec::new(), traders: 4 })).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usdm_streams_decode_with_the_endpoint_split_off() {
    let sim = busy_sim().await;
    five_streams(&sim, Product::UsdM, "BTCUSDT", None, Some(false), 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usdm_streams_decode_with_the_endpoint_split_on() {
    let sim = busy_sim().await;
    // Book tickers and depth on /fstream/public, the others on /fstream/market: the exchange refuses a stream on
    // the wrong route, so the subscriptions succeeding shows each went where it belongs.
    five_streams(&sim, Product::UsdM, "ETHUSDT", None, Some(true), 2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coinm_streams_decode() {
    let sim = busy_sim().await;
    five_streams(&sim, Product::CoinM, "BTCUSD_PERP", Some("BTCUSD"), None, 1).await;
}

#[derive(Default, Debug)]
struct Seen {
    mark: usize,
    book: usize,
    agg: usize,
    depth: usize,
    kline: usize,
}

async fn five_streams(
    sim: &Sim,
    product: Product,
    symbol: &str,
    pair: Option<&str>,
    split: Option<bool>,
    connections: usize,
) {
    let cfg = StreamsConfig { usdm_split: split, ..Default::default() };
    let mut feed = Streams::connect_with(Env::Local(sim.base_url()), product, cfg).await.expect("connects");
    feed.subscribe([
        Stream::mark_price_1s(symbol),
        Stream::book_ticker(symbol),
        Stream::agg_trade(symbol),
        Stream::diff_depth(symbol, Speed::Ms100),
        Stream::kline(symbol, Interval::M1),
    ])
    .await
    .expect("the exchange takes every subscription");
    assert_eq!(feed.handle().connections().await, connections);
    let mut listed = feed.list_subscriptions().await.unwrap();
    listed.sort();
    let lower = symbol.to_ascii_lowercase();
    let mut expected = vec![
        format!("{lower}@aggTrade"),
        format!("{lower}@bookTicker"),
        format!("{lower}@depth@100ms"),
        format!("{lower}@kline_1m"),
        format!("{lower}@markPrice@1s"),
    ];
    expected.sort();
    assert_eq!(listed, expected);

    let mut seen = Seen::default();
    let mut last_depth: Option<u64> = None;
    let deadline = Instant::now() + LIMIT;
    let done = |s: &Seen| s.mark >= 2 && s.book >= 5 && s.agg >= 5 && s.depth >= 10 && s.kline >= 2;
    while !done(&seen) {
        let ev = tokio::select! {
            ev = feed.next() => ev.expect("the feed ended"),
            _ = sleep_until(deadline) => panic!("timed out; seen {seen:?}"),
        };
        match ev {
            MarketEvent::MarkPrice(m) => {
                assert_eq!(m.symbol, symbol);
                assert!(m.mark_price > d("1000") && m.index_price.is_some() && m.funding_rate.is_some(), "{m:?}");
                seen.mark += 1;
            }
            MarketEvent::BookTicker(b) => {
                assert_eq!((b.symbol.as_str(), b.pair.as_deref()), (symbol, pair));
                if !b.bid_price.is_zero() && !b.ask_price.is_zero() {
                    assert!(b.bid_price < b.ask_price, "{b:?}");
                }
                assert!(b.transaction_time.is_some() && b.event_time.is_some(), "futures book tickers carry E and T");
                seen.book += 1;
            }
            MarketEvent::AggTrade(a) => {
                assert_eq!(a.symbol, symbol);
                assert!(a.qty > d("0") && a.first_trade_id <= a.last_trade_id, "{a:?}");
                seen.agg += 1;
            }
            MarketEvent::DepthUpdate(u) => {
                assert_eq!((u.symbol.as_str(), u.pair.as_deref()), (symbol, pair));
                let pu = u.prev_final_update_id.expect("futures depth events carry pu");
                if let Some(prev) = last_depth {
                    assert_eq!(pu, prev, "pu is the previous event's u");
                }
                assert!(u.first_update_id <= u.final_update_id && u.transaction_time.is_some(), "{u:?}");
                last_depth = Some(u.final_update_id);
                seen.depth += 1;
            }
            MarketEvent::Kline(k) => {
                assert_eq!((k.symbol.as_str(), k.kline.interval.as_str()), (symbol, "1m"));
                assert!(k.kline.low <= k.kline.high && k.kline.close_time > k.kline.open_time, "{k:?}");
                seen.kline += 1;
            }
            MarketEvent::Notice(n) => panic!("unexpected notice {n:?}"),
            other => panic!("an event of no subscribed stream, or undecoded: {other:?}"),
        }
    }
}
