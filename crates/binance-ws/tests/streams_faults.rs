//! Frames the local exchange never sends (garbage, unknown events) from a tiny scripted server.

use std::time::Duration;

use binance_ws::streams::{MarketEvent, Notice, Streams};
use futures::{SinkExt, StreamExt};
use tokio::net::TcpListener;
use tokio_websockets::{Message, ServerBuilder};

#[tokio::test]
async fn malformed_frames_become_notices_and_unknown_events_are_kept() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let (_req, mut ws) = ServerBuilder::new().accept(tcp).await.unwrap();
        for f in [
            "this is not json",
            r#"{"stream":"btcusdt@trade","data":{"e":"trade","E":"oops"}}"#,
            r#"{"stream":"btcusdt@brandNew","data":{"e":"brandNew","E":1}}"#,
            r#"{"e":"anotherNew","E":2}"#,
            r#"{"stream":"btcusdt@trade","data":{"e":"trade","E":1,"s":"BTCUSDT","t":9,"p":"1.5","q":"2","T":1,"m":true,"M":true}}"#,
        ] {
            ws.send(Message::text(f.to_string())).await.unwrap();
        }
        // Keep the connection open while the client reads.
        while let Some(Ok(_)) = ws.next().await {}
    });
    let mut feed = Streams::connect_url(&format!("ws://{addr}")).await.unwrap();
    let mut got = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), async {
        while got.len() < 5 {
            got.push(feed.next_tagged().await.unwrap());
        }
    })
    .await
    .expect("five items");
    // Each names the connection it came on (the only one here).
    assert!(matches!(got[0].event, MarketEvent::Notice(Notice::Undecodable { connection: 0, .. })), "{:?}", got[0]);
    assert!(matches!(got[1].event, MarketEvent::Notice(Notice::Undecodable { connection: 0, .. })), "{:?}", got[1]);
    assert!(matches!(&got[2].event, MarketEvent::Other { raw, .. } if raw.contains("brandNew")), "{:?}", got[2]);
    assert_eq!(got[2].stream.as_deref(), Some("btcusdt@brandNew"));
    assert!(matches!(&got[3].event, MarketEvent::Other { raw, .. } if raw.contains("anotherNew")), "{:?}", got[3]);
    let MarketEvent::Trade(t) = &got[4].event else { panic!("{:?}", got[4]) };
    assert_eq!(t.price.to_string(), "1.5");
}
