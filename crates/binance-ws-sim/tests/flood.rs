//! Flood mode over a real socket: the configured number of frames, valid and in sequence, then a normal close.

use binance_ws_sim::flood::FloodConfig;
use binance_ws_sim::{Sim, SimConfig};
use futures::StreamExt;
use serde_json::Value;

#[tokio::test]
async fn a_flood_connection_sends_the_configured_frames_then_closes_normally() {
    let flood = FloodConfig { rate_per_sec: None, total: Some(1000), ring: 256 };
    let sim = Sim::start(SimConfig { flood: Some(flood), activity: None, ..Default::default() }).await.unwrap();
    let url = format!("{}/ws/btcusdt@trade", sim.base_url());
    let (mut ws, _) = tokio_websockets::ClientBuilder::new().uri(&url).unwrap().connect().await.unwrap();
    let mut frames = 0u64;
    let mut last_id = 0u64;
    let mut close_code = None;
    while let Some(msg) = ws.next().await {
        let msg = msg.unwrap();
        if let Some((code, _)) = msg.as_close() {
            close_code = Some(u16::from(code));
            break;
        }
        let v: Value = serde_json::from_str(msg.as_text().unwrap()).unwrap();
        assert_eq!(v["e"], "trade");
        let id = v["t"].as_u64().unwrap();
        assert!(id == last_id + 1 || id == 1, "ids rise by one and wrap: {last_id} -> {id}");
        last_id = id;
        frames += 1;
    }
    assert_eq!(frames, 1000);
    assert_eq!(close_code, Some(1000));
}
