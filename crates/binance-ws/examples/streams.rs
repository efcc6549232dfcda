//! Market streams against the local exchange: typed events, notices, and a callback dispatcher.
//!
//! `cargo run -p binance-ws --example streams` starts a local exchange in-process and feeds it synthetic
//! trades and book changes; pass a base URL (`ws://HOST:PORT`) to use a running one instead.

use std::str::FromStr;
use std::time::Duration;

use binance_ws::env::{Env, Product};
use binance_ws::streams::{Dispatcher, Interval, Levels, MarketEvent, Speed, Stream, Streams};
use binance_ws_sim::exchange::events::{DepthDiff, MarketEvent as SimEvent, Trade};
use binance_ws_sim::streams::now_ms;
use rust_decimal::Decimal;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (base, _sim) = match std::env::args().nth(1) {
        Some(url) => (url, None),
        None => {
            let sim = binance_ws_sim::Sim::start(Default::default()).await?;
            let hub = sim.hub().clone();
            tokio::spawn(async move {
                for id in 1u64.. {
                    let px = Decimal::from_str("100").unwrap() + Decimal::new((id % 10) as i64, 2);
                    hub.publish(vec![
                        SimEvent::Depth(DepthDiff {
                            symbol: "BTCUSDT".into(),
                            first_update_id: id,
                            final_update_id: id,
                            time_ms: now_ms(),
                            bids: vec![(px - Decimal::ONE, Decimal::from(id % 5 + 1))],
                            asks: vec![(px + Decimal::ONE, Decimal::from(id % 3 + 1))],
                        }),
                        SimEvent::Trade(Trade {
                            symbol: "BTCUSDT".into(),
                            id,
                            price: px,
                            qty: Decimal::new(5, 1),
                            quote_qty: px * Decimal::new(5, 1),
                            time_ms: now_ms(),
                            buyer_order_id: id,
                            seller_order_id: id + 1_000_000,
                            buyer_is_maker: id % 2 == 0,
                        }),
                    ]);
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            });
            (sim.base_url(), Some(sim))
        }
    };

    // A typed feed.
    let mut feed = Streams::connect(Env::Local(base.clone()), Product::Spot)
        .await?
        .subscribed([
            Stream::trade("BTCUSDT"),
            Stream::book_ticker("BTCUSDT"),
            Stream::kline("BTCUSDT", Interval::S1),
            Stream::partial_depth("BTCUSDT", Levels::L5, Speed::Ms100),
        ])
        .await?;
    println!("subscribed: {:?}", feed.list_subscriptions().await?);
    let mut shown = 0;
    while shown < 12 {
        let Some(t) = feed.next_tagged().await else { break };
        match &t.event {
            MarketEvent::Trade(tr) => {
                println!("{:<28} trade {} x {}", t.stream.as_deref().unwrap_or("?"), tr.price, tr.qty)
            }
            MarketEvent::BookTicker(b) => {
                println!("{:<28} bid {} ask {}", t.stream.as_deref().unwrap_or("?"), b.bid_price, b.ask_price)
            }
            MarketEvent::Kline(k) => println!("{:<28} close {}", t.stream.as_deref().unwrap_or("?"), k.kline.close),
            MarketEvent::PartialDepth(d) => {
                println!("{:<28} {} bid levels", t.stream.as_deref().unwrap_or("?"), d.bids.len())
            }
            MarketEvent::Notice(n) => println!("notice: {n:?}"),
            _ => {}
        }
        shown += 1;
    }
    drop(feed);

    // Callbacks by pattern.
    let feed = Streams::connect(Env::Local(base), Product::Spot)
        .await?
        .subscribed([Stream::trade("BTCUSDT"), Stream::book_ticker("BTCUSDT")])
        .await?;
    let run = Dispatcher::new()
        .on("*@trade", |stream, ev| {
            if let MarketEvent::Trade(t) = ev {
                println!("callback {stream}: trade #{}", t.trade_id)
            }
        })
        .on("btcusdt@book*", |stream, _| println!("callback {stream}"))
        .on_notice(|n| println!("notice: {n:?}"))
        .run(feed);
    let _ = tokio::time::timeout(Duration::from_secs(2), run).await;
    Ok(())
}
