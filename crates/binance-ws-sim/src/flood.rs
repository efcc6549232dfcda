//! Flood mode for benchmarks: stream connections fed with realistic frames encoded ahead of time, at a
//! configured rate or as fast as the socket takes them, so that the server is never the bottleneck of a
//! client benchmark. Frames follow the payloads of web-socket-streams.md; ids increase by one per frame
//! and wrap around the pre-encoded ring.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_websockets::{CloseCode, Message, WebSocketStream};

/// What a flood connection sends.
#[derive(Debug, Clone)]
pub struct FloodConfig {
    /// Frames per second per connection; `None` for as fast as possible.
    pub rate_per_sec: Option<u64>,
    /// Frames to send before closing normally (1000); `None` for no end.
    pub total: Option<u64>,
    /// Distinct frames encoded ahead of time per stream.
    pub ring: usize,
}

impl Default for FloodConfig {
    fn default() -> Self {
        FloodConfig { rate_per_sec: None, total: Some(1_000_000), ring: 16_384 }
    }
}

/// The frame kinds flood mode can produce, from the stream name's suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Trade,
    BookTicker,
    Depth,
}

fn kind_of(stream: &str) -> Option<Kind> {
    let (_, suffix) = stream.split_once('@')?;
    match suffix {
        "trade" => Some(Kind::Trade),
        "bookTicker" => Some(Kind::BookTicker),
        s if s.starts_with("depth")
            && !s.starts_with("depth5")
            && !s.starts_with("depth10")
            && !s.starts_with("depth20") =>
        {
            Some(Kind::Depth)
        }
        _ => None,
    }
}

/// The `i`-th event of a stream, as its raw payload.
fn payload(kind: Kind, symbol: &str, i: u64) -> Value {
    let t = 1_700_000_000_000u64 + i;
    let price = format!("{}.{:02}", 30_000 + (i % 500), i % 100);
    match kind {
        Kind::Trade => json!({"e": "trade", "E": t, "s": symbol, "t": i + 1, "p": price,
            "q": format!("0.{:05}", 1 + i % 99_999), "T": t, "m": i.is_multiple_of(2), "M": true}),
        Kind::BookTicker => json!({"u": i + 1, "s": symbol, "b": price, "B": "1.50000000",
            "a": format!("{}.{:02}", 30_001 + (i % 500), i % 100), "A": "2.25000000"}),
        Kind::Depth => json!({"e": "depthUpdate", "E": t, "s": symbol, "U": i * 3 + 1, "u": i * 3 + 3,
            "b": [[price, "0.50000000"], [format!("{}.00", 29_990 + (i % 500)), "0.00000000"]],
            "a": [[format!("{}.{:02}", 30_002 + (i % 500), i % 100), "1.00000000"]]}),
    }
}

/// Encodes `ring` frames for each stream, interleaved, raw or wrapped as combined-stream frames.
fn encode(streams: &[String], combined: bool, ring: usize) -> Vec<String> {
    let mut out = Vec::with_capacity(ring * streams.len());
    for i in 0..ring as u64 {
        for stream in streams {
            let Some(kind) = kind_of(stream) else { continue };
            let symbol = stream.split('@').next().unwrap_or("").to_uppercase();
            let data = payload(kind, &symbol, i);
            out.push(if combined { json!({"stream": stream, "data": data}).to_string() } else { data.to_string() });
        }
    }
    out
}

/// Streams named in the path: `/ws/a/b` (raw) or `/stream?streams=a/b` (combined).
fn streams_in(path_and_query: &str) -> (Vec<String>, bool) {
    if let Some(rest) = path_and_query.strip_prefix("/stream") {
        let list = rest.split_once("streams=").map(|(_, s)| s.split('&').next().unwrap_or("")).unwrap_or("");
        (list.split('/').filter(|s| !s.is_empty()).map(str::to_string).collect(), true)
    } else {
        let rest = path_and_query.strip_prefix("/ws").unwrap_or("").split('?').next().unwrap_or("");
        (rest.split('/').filter(|s| !s.is_empty()).map(str::to_string).collect(), false)
    }
}

/// Serves one flood connection: streams from the path and from `SUBSCRIBE` messages.
pub async fn serve_flood<S: AsyncRead + AsyncWrite + Unpin>(
    mut ws: WebSocketStream<S>,
    path_and_query: &str,
    cfg: FloodConfig,
) {
    let (mut streams, combined) = streams_in(path_and_query);
    let mut frames = encode(&streams, combined, cfg.ring);
    let mut next = 0usize;
    let mut sent: u64 = 0;
    let batch: u64 = 64;
    let pause = cfg.rate_per_sec.map(|r| Duration::from_secs_f64(batch as f64 / r.max(1) as f64));
    let mut ticker = pause.map(tokio::time::interval);
    loop {
        if cfg.total.is_some_and(|t| sent >= t) {
            let _ = ws.send(Message::close(Some(CloseCode::NORMAL_CLOSURE), "flood complete")).await;
            return;
        }
        tokio::select! {
            biased;
            msg = ws.next() => {
                let Some(Ok(msg)) = msg else { return };
                if msg.is_close() {
                    let _ = ws.flush().await;
                    return;
                }
                if let Some(text) = msg.as_text() {
                    let Ok(req) = serde_json::from_str::<Value>(text) else { continue };
                    if req["method"] == "SUBSCRIBE" {
                        for s in req["params"].as_array().into_iter().flatten().filter_map(Value::as_str) {
                            streams.push(s.to_string());
                        }
                        frames = encode(&streams, combined, cfg.ring);
                        next = 0;
                    }
                    let reply = json!({"result": null, "id": req["id"]}).to_string();
                    if ws.send(Message::text(reply)).await.is_err() { return; }
                } else if msg.is_ping() && ws.flush().await.is_err() {
                    return;
                }
            }
            _ = tick(&mut ticker), if !frames.is_empty() => {
                let n = cfg.total.map(|t| (t - sent).min(batch)).unwrap_or(batch);
                for _ in 0..n {
                    if ws.feed(Message::text(frames[next].clone())).await.is_err() { return; }
                    next = (next + 1) % frames.len();
                }
                if ws.flush().await.is_err() { return; }
                sent += n;
            }
        }
    }
}

async fn tick(ticker: &mut Option<tokio::time::Interval>) {
    match ticker {
        Some(t) => {
            t.tick().await;
        }
        None => tokio::task::yield_now().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_follow_the_documented_payloads_with_rising_ids() {
        let frames = encode(&["btcusdt@trade".into(), "btcusdt@bookTicker".into()], true, 3);
        assert_eq!(frames.len(), 6);
        let first: Value = serde_json::from_str(&frames[0]).unwrap();
        assert_eq!(first["stream"], "btcusdt@trade");
        assert_eq!(first["data"]["e"], "trade");
        assert_eq!(first["data"]["s"], "BTCUSDT");
        assert!(first["data"]["p"].is_string());
        let third: Value = serde_json::from_str(&frames[2]).unwrap();
        assert_eq!(third["data"]["t"], 2);
        let depth = encode(&["ethusdt@depth@100ms".into()], false, 2);
        let a: Value = serde_json::from_str(&depth[0]).unwrap();
        let b: Value = serde_json::from_str(&depth[1]).unwrap();
        assert_eq!(b["U"].as_u64().unwrap(), a["u"].as_u64().unwrap() + 1, "diffs are contiguous");
    }

    #[test]
    fn streams_come_from_raw_and_combined_paths() {
        assert_eq!(streams_in("/ws/btcusdt@trade"), (vec!["btcusdt@trade".to_string()], false));
        assert_eq!(streams_in("/ws"), (vec![], false));
        assert_eq!(
            streams_in("/stream?streams=a@trade/b@bookTicker&timeUnit=MICROSECOND"),
            (vec!["a@trade".to_string(), "b@bookTicker".to_string()], true)
        );
    }
}
