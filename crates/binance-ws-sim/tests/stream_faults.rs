//! Faults on stream connections through the exchange's fault API: a skipped depth update shows as exactly
//! one sequence gap, a malformed frame arrives, `serverShutdown` is announced, a drop ends the connection.

use std::time::Duration;

use binance_ws_sim::exchange::events::{DepthDiff, MarketEvent};
use binance_ws_sim::{ConnFault, Sim, SimConfig};
use futures::StreamExt;
use rust_decimal::Decimal;
use serde_json::Value;
use tokio_websockets::{ClientBuilder, MaybeTlsStream, WebSocketStream};

type Client = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

fn diff(id: u64) -> MarketEvent {
    MarketEvent::Depth(DepthDiff {
        symbol: "BTCUSDT".into(),
        first_update_id: id,
        final_update_id: id,
        time_ms: 1,
        bids: vec![(Decimal::from(100 + id), Decimal::ONE)],
        asks: vec![],
    })
}

/// The next text frame, or None when the connection ended.
async fn next_text(c: &mut Client) -> Option<String> {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(5), c.next()).await.expect("a frame in time")?;
        let Ok(msg) = msg else { return None };
        if msg.is_close() {
            return None;
        }
        if let Some(t) = msg.as_text() {
            return Some(t.to_string());
        }
    }
}

#[tokio::test]
async fn stream_faults_reach_stream_connections() {
    let sim = Sim::start(SimConfig { activity: None, ..Default::default() }).await.unwrap();
    let url = format!("{}/ws/btcusdt@depth@100ms", sim.base_url());
    let (mut ws, _) = ClientBuilder::new().uri(&url).unwrap().connect().await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;

    // Diffs 1..=30 published one by one, 100 ms frames merge them; one frame is skipped on demand.
    let publisher = {
        let hub = sim.hub().clone();
        tokio::spawn(async move {
            for id in 1..=30 {
                hub.publish(vec![diff(id)]);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(250)).await;
    sim.inject(ConnFault::SkipDepthUpdate);
    let mut last_u = 0u64;
    let mut gaps = 0;
    while last_u < 30 {
        let v: Value = serde_json::from_str(&next_text(&mut ws).await.expect("frames until id 30")).unwrap();
        let (first, last) = (v["U"].as_u64().unwrap(), v["u"].as_u64().unwrap());
        if last_u != 0 && first != last_u + 1 {
            gaps += 1;
        }
        last_u = last;
    }
    publisher.await.unwrap();
    assert_eq!(gaps, 1, "exactly one sequence gap");

    sim.inject(ConnFault::Malformed);
    let text = next_text(&mut ws).await.expect("the malformed frame");
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");

    sim.inject(ConnFault::ServerShutdown);
    let v: Value = serde_json::from_str(&next_text(&mut ws).await.unwrap()).unwrap();
    assert_eq!(v["e"], "serverShutdown", "{v}");

    sim.inject(ConnFault::Drop);
    assert!(next_text(&mut ws).await.is_none(), "the connection ends");
    assert!(sim.faults().log().iter().any(|r| r.what.contains("SkipDepthUpdate")));
}
