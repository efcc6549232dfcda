//! A dropped stream connection resyncs the books it carried and no other. The local exchange drops every
//! connection at once, so this uses a small scripted stream server instead: one symbol per connection, and the
//! connection carrying `AAAUSDT` is cut once. Each update sets bid 1.00 to the quantity of its update id, so a book
//! is right exactly when its best bid's quantity equals its update id.

mod book_common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use binance_ws::book::{BookConfig, BookEvent, BookManager, ResyncReason, Snapshot, SnapshotSource};
use binance_ws::env::{Env, Product};
use binance_ws::model::Decimal;
use binance_ws::streams::{Level, Notice, Streams, StreamsConfig};
use book_common::{count, pump_until};
use futures::future::BoxFuture;
use futures::{SinkExt, StreamExt};
use parking_lot::Mutex;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio_websockets::{Message, ServerBuilder};

/// Update ids per symbol, shared by the stream server and the snapshot source.
type Ids = Arc<Mutex<HashMap<String, u64>>>;

fn level(id: u64) -> Level {
    Level { price: Decimal::new(100, 2), qty: Decimal::from(id) }
}

struct Source(Ids);

impl SnapshotSource for Source {
    fn snapshot(&self, symbol: &str, _limit: u32) -> BoxFuture<'static, binance_ws::Result<Snapshot>> {
        let id = self.0.lock().get(symbol).copied().unwrap_or(0);
        Box::pin(async move { Ok(Snapshot { last_update_id: id, bids: vec![level(id)], asks: vec![] }) })
    }
}

/// Serves combined stream connections: answers SUBSCRIBE, then sends one depth update per subscribed symbol every
/// 10 ms. The first connection that carries `AAAUSDT` is dropped after 30 updates.
async fn serve(listener: TcpListener, ids: Ids, cut: Arc<AtomicBool>) {
    loop {
        let Ok((tcp, _)) = listener.accept().await else { return };
        let (ids, cut) = (ids.clone(), cut.clone());
        tokio::spawn(async move {
            let Ok((_req, mut ws)) = ServerBuilder::new().accept(tcp).await else { return };
            let mut names: Vec<String> = Vec::new();
            let mut sent = 0;
            let mut tick = tokio::time::interval(Duration::from_millis(10));
            loop {
                tokio::select! {
                    msg = ws.next() => {
                        let Some(Ok(msg)) = msg else { return };
                        let Some(text) = msg.as_text() else { continue };
                        let v: Value = serde_json::from_str(text).unwrap();
                        if v["method"] == "SUBSCRIBE" {
                            names.extend(v["params"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_string()));
                        }
                        let reply = json!({"result": null, "id": v["id"]});
                        if ws.send(Message::text(reply.to_string())).await.is_err() { return }
                    }
                    _ = tick.tick() => {
                        for name in &names {
                            let symbol = name.split('@').next().unwrap().to_ascii_uppercase();
                            let id = {
                                let mut ids = ids.lock();
                                let id = ids.entry(symbol.clone()).or_insert(0);
                                *id += 1;
                                *id
                            };
                            let data = json!({"e": "depthUpdate", "E": 1, "s": symbol, "U": id, "u": id,
                                "b": [["1.00", id.to_string()]], "a": []});
                            let frame = json!({"stream": name, "data": data}).to_string();
                            if ws.send(Message::text(frame)).await.is_err() { return }
                            sent += 1;
                            if symbol == "AAAUSDT" && sent >= 30 && !cut.swap(true, Ordering::SeqCst) {
                                return; // dropped without a close frame
                            }
                        }
                    }
                }
            }
        });
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_connection_resyncs_only_its_own_books() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let ids: Ids = Arc::default();
    let cut = Arc::new(AtomicBool::new(false));
    tokio::spawn(serve(listener, ids.clone(), cut.clone()));

    let cfg = StreamsConfig { max_streams_per_connection: 1, ..Default::default() };
    let streams = Streams::connect_with(Env::Custom(format!("ws://{addr}")), Product::Spot, cfg).await.unwrap();
    let mut mgr = BookManager::new(streams, Source(ids.clone()), BookConfig::default());
    let books = mgr.watch(["AAAUSDT", "BBBUSDT"]).await.unwrap();
    let mut log = Vec::new();
    pump_until(&mut mgr, &mut log, "AAAUSDT resynced after its connection dropped", |l| {
        count(l, |e| matches!(e, BookEvent::Resynced { .. })) == 1
    })
    .await;
    assert!(cut.load(Ordering::SeqCst));
    let disconnected: Vec<_> =
        log.iter().filter(|e| matches!(e, BookEvent::Notice(Notice::Disconnected { .. }))).collect();
    assert_eq!(disconnected.len(), 1, "{disconnected:?}");
    let out: Vec<_> = log.iter().filter(|e| matches!(e, BookEvent::OutOfSync { .. })).collect();
    assert_eq!(out.len(), 1, "only the dropped connection's book: {out:?}");
    assert!(
        matches!(out[0], BookEvent::OutOfSync { symbol, reason: ResyncReason::Disconnected(_) } if &**symbol == "AAAUSDT"),
        "{out:?}"
    );
    assert_eq!((books[0].resync_count(), books[1].resync_count()), (1, 0));
    // Both books keep following their streams, and each is exactly right.
    let (a, b) = (books[0].last_update_id(), books[1].last_update_id());
    pump_until(&mut mgr, &mut log, "both books moving", |_| {
        books[0].last_update_id() > a + 10 && books[1].last_update_id() > b + 10
    })
    .await;
    for book in &books {
        book.read(|levels, id| {
            assert_eq!(levels.best_bid(), Some(level(id)), "{}", book.symbol());
            assert_eq!(levels.bid_len(), 1);
        });
    }
}
