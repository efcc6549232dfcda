//! Market events of a combined connection reach the consumer undecoded and are decoded on its side. From a
//! scripted server sending Binance's own frame layout (`stream` first, payload keys in the documented order
//! in the payloads too): what the consumer gets, in order, is what decoding each frame whole gives, malformed
//! payloads included.

use std::time::Duration;

use binance_ws::streams::{decode_text, Backend, Decoded, MarketEvent, Notice, Streams, StreamsConfig, Tagged};
use futures::{SinkExt, StreamExt};
use tokio::net::TcpListener;
use tokio_websockets::{Message, ServerBuilder};

/// Payloads as the docs show them (web-socket-streams.md), one per kind, and the stream each comes on.
const PAYLOADS: &[(&str, &str)] = &[
    (
        "bnbbtc@trade",
        r#"{"e":"trade","E":1672515782136,"s":"BNBBTC","t":12345,"p":"0.001","q":"100","T":1672515782136,"m":true,"M":true}"#,
    ),
    (
        "bnbbtc@aggTrade",
        r#"{"e":"aggTrade","E":1672515782136,"s":"BNBBTC","a":12345,"p":"0.001","q":"100","f":100,"l":105,"T":1672515782136,"m":true,"M":true}"#,
    ),
    (
        "bnbbtc@kline_1m",
        r#"{"e":"kline","E":1672515782136,"s":"BNBBTC","k":{"t":1672515780000,"T":1672515839999,"s":"BNBBTC","i":"1m","f":100,"L":200,"o":"0.0010","c":"0.0020","h":"0.0025","l":"0.0015","v":"1000","n":100,"x":false,"q":"1.0000","V":"500","Q":"0.500","B":"123456"}}"#,
    ),
    (
        "bnbbtc@miniTicker",
        r#"{"e":"24hrMiniTicker","E":1672515782136,"s":"BNBBTC","c":"0.0025","o":"0.0010","h":"0.0025","l":"0.0010","v":"10000","q":"18"}"#,
    ),
    (
        "bnbbtc@bookTicker",
        r#"{"u":400900217,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}"#,
    ),
    (
        "bnbbtc@depth@100ms",
        r#"{"e":"depthUpdate","E":1672515782136,"s":"BNBBTC","U":157,"u":160,"b":[["0.0024","10"]],"a":[["0.0026","100"]]}"#,
    ),
    (
        "btcusdt@avgPrice",
        r#"{"e":"avgPrice","E":1693907033000,"s":"BTCUSDT","i":"5m","w":"25776.86000000","T":1693907032213}"#,
    ),
    // A partial depth (no `e`; its symbol is named from the stream), an array.
    ("bnbbtc@depth5@100ms", r#"{"lastUpdateId":160,"bids":[["0.0024","10"]],"asks":[["0.0026","100"]]}"#),
    (
        "!miniTicker@arr",
        r#"[{"e":"24hrMiniTicker","E":1672515782136,"s":"BNBBTC","c":"0.0025","o":"0.0010","h":"0.0025","l":"0.0010","v":"10000","q":"18"}]"#,
    ),
    // An event type no one knows yet, and a trade whose fields do not fit.
    ("bnbbtc@brandNew", r#"{"e":"brandNew","E":1,"x":[1,2]}"#),
    ("bnbbtc@trade", r#"{"e":"trade","E":"not a number","s":"BNBBTC"}"#),
];

fn frames() -> Vec<String> {
    let mut out = Vec::new();
    for round in 0..50 {
        for (stream, data) in PAYLOADS {
            // Vary a number so that consecutive rounds differ.
            let data = data.replace("1672515782136", &(1672515782136u64 + round).to_string());
            out.push(format!(r#"{{"stream":"{stream}","data":{data}}}"#));
        }
    }
    out
}

/// What decoding `frame` whole gives, as the client hands it out (a partial depth's symbol named from its
/// stream; a frame that does not decode as an `Undecodable` notice of connection 0).
fn decoded_whole(frame: &str) -> Tagged {
    match decode_text(frame, Backend::default()) {
        Ok(Decoded::Event { stream, mut event }) => {
            if let MarketEvent::PartialDepth(p) = &mut event {
                p.symbol = stream.as_deref().and_then(|s| s.split_once('@')).map(|(s, _)| s.to_uppercase().into());
            }
            Tagged { stream: stream.map(|s| s.as_ref().into()), event }
        }
        Ok(other) => panic!("not an event: {other:?}"),
        Err(reason) => Tagged {
            stream: None,
            event: MarketEvent::Notice(Notice::Undecodable { connection: 0, reason, frame: frame.to_string() }),
        },
    }
}

async fn scripted_server(frames: Vec<String>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let (_req, mut ws) = ServerBuilder::new().accept(tcp).await.unwrap();
        for f in frames {
            ws.feed(Message::text(f)).await.unwrap();
        }
        ws.flush().await.unwrap();
        // Keep the connection open while the client reads.
        while let Some(Ok(_)) = ws.next().await {}
    });
    format!("ws://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_the_consumer_decodes_equals_each_frame_decoded_whole_in_order() {
    let frames = frames();
    let url = scripted_server(frames.clone()).await;
    let mut feed = Streams::connect_url(&url).await.unwrap();
    let mut got = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), async {
        while got.len() < frames.len() {
            got.push(feed.next_tagged().await.expect("feed open"));
        }
    })
    .await
    .expect("every frame's event");
    for (i, (g, f)) in got.iter().zip(&frames).enumerate() {
        assert_eq!(g, &decoded_whole(f), "frame {i}: {f}");
    }
    // Events of one stream share one name.
    let trades: Vec<_> = got.iter().filter(|t| matches!(t.event, MarketEvent::Trade(_))).collect();
    assert!(trades
        .windows(2)
        .all(|w| std::sync::Arc::ptr_eq(w[0].stream.as_ref().unwrap(), w[1].stream.as_ref().unwrap())));
}

/// The same frames as plain `MarketEvent`s (the `Stream` impl, which hands out no stream name).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plain_event_feed_gets_the_same_events() {
    let frames = frames();
    let url = scripted_server(frames.clone()).await;
    let mut feed =
        Streams::connect_with(binance_ws::Env::Custom(url), binance_ws::env::Product::Spot, StreamsConfig::default())
            .await
            .unwrap();
    let mut got = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), async {
        while got.len() < frames.len() {
            got.push(feed.next().await.expect("feed open"));
        }
    })
    .await
    .expect("every frame's event");
    for (i, (g, f)) in got.iter().zip(&frames).enumerate() {
        assert_eq!(g, &decoded_whole(f).event, "frame {i}: {f}");
    }
}
