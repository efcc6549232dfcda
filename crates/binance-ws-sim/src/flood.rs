//! Flood mode for benchmarks: stream connections fed with realistic frames encoded ahead of time, at a
//! configured rate or as fast as the socket takes them, so that the server is never the bottleneck of a
//! client benchmark. Frames follow the payloads of web-socket-streams.md, keys in the docs' order (which is
//! the order Binance sends them in, and the one clients' fast paths expect); ids increase by one per frame
//! and wrap around the pre-encoded ring.

use std::time::Duration;

use bytes::Bytes;
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

/// The `i`-th event of a stream, as its raw payload, with the keys in the order of the docs' examples
/// (`serde_json::json!` would sort them). `symbol` is upper-case letters and digits, so needs no escaping.
fn payload(kind: Kind, symbol: &str, i: u64) -> String {
    let t = 1_700_000_000_000u64 + i;
    let price = format!("{}.{:02}", 30_000 + (i % 500), i % 100);
    match kind {
        Kind::Trade => format!(
            r#"{{"e":"trade","E":{t},"s":"{symbol}","t":{},"p":"{price}","q":"0.{:05}","T":{t},"m":{},"M":true}}"#,
            i + 1,
            1 + i % 99_999,
            i.is_multiple_of(2)
        ),
        Kind::BookTicker => format!(
            r#"{{"u":{},"s":"{symbol}","b":"{price}","B":"1.50000000","a":"{}.{:02}","A":"2.25000000"}}"#,
            i + 1,
            30_001 + (i % 500),
            i % 100
        ),
        Kind::Depth => format!(
            r#"{{"e":"depthUpdate","E":{t},"s":"{symbol}","U":{},"u":{},"b":[["{price}","0.50000000"],["{}.00","0.00000000"]],"a":[["{}.{:02}","1.00000000"]]}}"#,
            i * 3 + 1,
            i * 3 + 3,
            29_990 + (i % 500),
            30_002 + (i % 500),
            i % 100
        ),
    }
}

/// Encodes `ring` frames for each stream, interleaved, raw or wrapped as combined-stream frames
/// (`{"stream":..,"data":..}`, in that order as the docs give it). Sending a frame then only bumps a count.
fn encode(streams: &[String], combined: bool, ring: usize) -> Vec<Bytes> {
    let mut out = Vec::with_capacity(ring * streams.len());
    for i in 0..ring as u64 {
        for stream in streams {
            let Some(kind) = kind_of(stream) else { continue };
            let symbol = stream.split('@').next().unwrap_or("").to_uppercase();
            let data = payload(kind, &symbol, i);
            let frame =
                if combined { format!(r#"{{"stream":{},"data":{data}}}"#, Value::from(stream.as_str())) } else { data };
            out.push(Bytes::from(frame));
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
        let first: Value = serde_json::from_slice(&frames[0]).unwrap();
        assert_eq!(first["stream"], "btcusdt@trade");
        assert_eq!(first["data"]["e"], "trade");
        assert_eq!(first["data"]["s"], "BTCUSDT");
        assert!(first["data"]["p"].is_string());
        let third: Value = serde_json::from_slice(&frames[2]).unwrap();
        assert_eq!(third["data"]["t"], 2);
        let book: Value = serde_json::from_slice(&frames[1]).unwrap();
        assert_eq!(book["data"]["u"], 1);
        assert_eq!(book["data"]["b"], "30000.00");
        assert_eq!(book["data"]["a"], "30001.00");
        let depth = encode(&["ethusdt@depth@100ms".into()], false, 2);
        let a: Value = serde_json::from_slice(&depth[0]).unwrap();
        let b: Value = serde_json::from_slice(&depth[1]).unwrap();
        assert_eq!(b["U"].as_u64().unwrap(), a["u"].as_u64().unwrap() + 1, "diffs are contiguous");
    }

    #[test]
    fn keys_come_in_the_order_of_the_docs_examples() {
        let frames = encode(&["btcusdt@trade".into(), "btcusdt@bookTicker".into(), "btcusdt@depth".into()], true, 1);
        let text = |b: &Bytes| String::from_utf8(b.to_vec()).unwrap();
        assert!(
            text(&frames[0]).starts_with(r#"{"stream":"btcusdt@trade","data":{"e":"trade","E":"#),
            "{}",
            text(&frames[0])
        );
        assert!(text(&frames[0]).ends_with(r#","T":1700000000000,"m":true,"M":true}}"#), "{}", text(&frames[0]));
        assert!(text(&frames[1]).contains(r#""data":{"u":1,"s":"BTCUSDT","b":"#), "{}", text(&frames[1]));
        assert!(text(&frames[2]).contains(r#""data":{"e":"depthUpdate","E":"#), "{}", text(&frames[2]));
        let raw = encode(&["btcusdt@trade".into()], false, 1);
        assert!(text(&raw[0]).starts_with(r#"{"e":"trade","E":1700000000000,"s":"BTCUSDT","t":1,"p":"#));
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
