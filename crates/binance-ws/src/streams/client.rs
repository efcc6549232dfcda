//! The user's side: [`Streams`] (a `futures::Stream` of [`MarketEvent`]s) and [`StreamsHandle`] (subscribe,
//! unsubscribe, list, properties), sharding subscriptions over as many connections as needed.

use std::collections::{HashMap, VecDeque};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use serde_json::Value;
use tokio::sync::{mpsc, oneshot, Mutex};

use super::conn::{run_shard, Cmd, ShardCtx};
use super::decode::Backend;
use super::event::{MarketEvent, Tagged};
use super::item::{Item, Names};
use super::name::{Route, Stream};
use super::queue::{History, Overflow, Queue};
use crate::env::{Env, Product};
use crate::transport::{connect, TransportConfig};
use crate::{Error, Result};

/// Settings of a [`Streams`] client. `Default` matches Binance's limits.
#[derive(Debug, Clone)]
pub struct StreamsConfig {
    /// Keep-alive, stall watchdog, backoff and lifetime (rotation before Binance's 24 h cut-off).
    pub transport: TransportConfig,
    /// Combined connections (`/stream`, every event carries its stream name) or raw ones (`/ws`).
    pub combined: bool,
    /// Streams per connection before another connection is opened (Binance: at most 1024).
    pub max_streams_per_connection: usize,
    /// Outgoing messages per second per connection (text, ping and pong frames); `None`: 5 for spot,
    /// 10 for futures. One slot is always kept free for pongs.
    pub max_messages_per_sec: Option<usize>,
    /// Added to the limiter's one-second window against network jitter.
    pub limiter_margin: Duration,
    /// Streams per SUBSCRIBE message (larger sets are split).
    pub max_streams_per_message: usize,
    /// Events held for the consumer. A combined connection's market events wait undecoded (the consumer decodes
    /// them as it takes them), each holding its frame's bytes: a full default queue of small frames (trades,
    /// book tickers, small depth updates) took 24-41 MiB above an idle client (`bws bench backlog`); lower it
    /// for large frames.
    pub queue_capacity: usize,
    /// What happens when the queue is full.
    pub overflow: Overflow,
    /// How long old and new connections overlap during a rotation (and how long duplicates are filtered after).
    pub rotation_overlap: Duration,
    /// How long a control request (SUBSCRIBE, LIST_SUBSCRIPTIONS, ...) may wait for its reply.
    pub request_timeout: Duration,
    /// Raw frames kept for [`StreamsHandle::history`] (0: none).
    pub history: usize,
    /// JSON parser for payloads.
    pub backend: Backend,
    /// USD-M endpoint split (`/public` for book tickers and depth, `/market` for the rest); `None`: on for
    /// Binance's own USD-M hosts, off for local and custom URLs.
    pub usdm_split: Option<bool>,
}

impl Default for StreamsConfig {
    fn default() -> Self {
        StreamsConfig {
            transport: TransportConfig::default(),
            combined: true,
            max_streams_per_connection: 1024,
            max_messages_per_sec: None,
            limiter_margin: Duration::from_millis(100),
            max_streams_per_message: 256,
            queue_capacity: 65_536,
            overflow: Overflow::DropOldest,
            rotation_overlap: Duration::from_secs(2),
            request_timeout: Duration::from_secs(30),
            history: 0,
            backend: Backend::default(),
            usdm_split: None,
        }
    }
}

struct ShardEntry {
    route: Route,
    tx: mpsc::Sender<Cmd>,
    count: usize,
}

struct Table {
    shards: Vec<ShardEntry>,
    owner: HashMap<Arc<str>, usize>,
    combined: bool,
}

struct Inner {
    base: String,
    product: Product,
    split: bool,
    cfg: Arc<StreamsConfig>,
    queue: Arc<Queue>,
    history: Arc<History>,
    table: Mutex<Table>,
}

/// Controls a [`Streams`] client from anywhere (cheap to clone).
#[derive(Clone)]
pub struct StreamsHandle {
    inner: Arc<Inner>,
}

/// Market streams as a `futures::Stream` of [`MarketEvent`]s, reconnecting, resubscribing, rotating and
/// sharding by itself. Connection notices ([`MarketEvent::Notice`]) arrive in the same stream.
///
/// ```no_run
/// # async fn run() -> Result<(), binance_ws::Error> {
/// use binance_ws::env::{Env, Product};
/// use binance_ws::streams::{Interval, MarketEvent, Stream, Streams};
/// use futures::StreamExt;
///
/// let mut feed = Streams::connect(Env::Mainnet, Product::Spot).await?;
/// feed.subscribe([Stream::trade("BTCUSDT"), Stream::kline("BTCUSDT", Interval::M1)]).await?;
/// while let Some(ev) = feed.next().await {
///     match ev {
///         MarketEvent::Trade(t) => println!("{} {} @ {}", t.symbol, t.qty, t.price),
///         MarketEvent::Notice(n) => eprintln!("notice: {n:?}"),
///         _ => {}
///     }
/// }
/// # Ok(()) }
/// ```
///
/// Dropping it closes every connection.
pub struct Streams {
    handle: StreamsHandle,
    /// Events taken from the shared queue in one batch, popped one by one without locking.
    local: VecDeque<Item>,
    /// Stream names as [`Streams::next_tagged`] hands them out.
    names: Names,
}

impl Streams {
    /// Connects to the product's market streams with the default settings.
    pub async fn connect(env: Env, product: Product) -> Result<Streams> {
        Streams::connect_with(env, product, StreamsConfig::default()).await
    }

    /// Connects to spot-like market streams at `base` (e.g. `ws://127.0.0.1:9443`; `/stream` or `/ws` is added).
    pub async fn connect_url(base: &str) -> Result<Streams> {
        Streams::connect_with(Env::Custom(base.to_string()), Product::Spot, StreamsConfig::default()).await
    }

    /// Connects with explicit settings. One connection is opened now (so that an unreachable endpoint fails
    /// here); more open as subscriptions need them.
    pub async fn connect_with(env: Env, product: Product, cfg: StreamsConfig) -> Result<Streams> {
        let official = matches!(env, Env::Mainnet | Env::Testnet);
        let split = product == Product::UsdM && cfg.usdm_split.unwrap_or(official);
        let inner = Arc::new(Inner {
            base: env.stream_base(product),
            product,
            split,
            queue: Arc::new(Queue::new(cfg.queue_capacity, cfg.overflow)),
            history: Arc::new(History::new(cfg.history)),
            table: Mutex::new(Table { shards: Vec::new(), owner: HashMap::new(), combined: cfg.combined }),
            cfg: Arc::new(cfg),
        });
        let handle = StreamsHandle { inner };
        {
            let mut table = handle.inner.table.lock().await;
            let route = if split { Route::Market } else { Route::Default };
            handle.open_shard(&mut table, route).await?;
        }
        Ok(Streams { handle, local: VecDeque::new(), names: Names::default() })
    }

    /// Subscribes and returns `self`, for building a feed in one expression.
    pub async fn subscribed(self, streams: impl IntoIterator<Item = Stream>) -> Result<Streams> {
        self.handle.subscribe(streams).await?;
        Ok(self)
    }

    /// A handle to control the client while this value is being consumed.
    pub fn handle(&self) -> StreamsHandle {
        self.handle.clone()
    }

    /// See [`StreamsHandle::subscribe`].
    pub async fn subscribe(&self, streams: impl IntoIterator<Item = Stream>) -> Result<()> {
        self.handle.subscribe(streams).await
    }

    /// See [`StreamsHandle::unsubscribe`].
    pub async fn unsubscribe(&self, streams: impl IntoIterator<Item = Stream>) -> Result<()> {
        self.handle.unsubscribe(streams).await
    }

    /// See [`StreamsHandle::list_subscriptions`].
    pub async fn list_subscriptions(&self) -> Result<Vec<String>> {
        self.handle.list_subscriptions().await
    }

    /// See [`StreamsHandle::set_combined`].
    pub async fn set_combined(&self, on: bool) -> Result<()> {
        self.handle.set_combined(on).await
    }

    /// See [`StreamsHandle::get_property`].
    pub async fn get_property(&self, name: &str) -> Result<Value> {
        self.handle.get_property(name).await
    }

    /// The next event with the stream it came on.
    pub async fn next_tagged(&mut self) -> Option<Tagged> {
        let Streams { handle, local, names } = self;
        let item = std::future::poll_fn(|cx| handle.inner.queue.poll_next(cx, local)).await;
        item.map(|i| i.into_tagged(names))
    }

    /// Closes every connection; the stream ends after the events already queued.
    pub fn close(&self) {
        self.handle.close();
    }
}

impl Drop for Streams {
    fn drop(&mut self) {
        self.handle.close();
    }
}

impl futures::Stream for Streams {
    type Item = MarketEvent;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<MarketEvent>> {
        let this = self.get_mut();
        this.handle.inner.queue.poll_next(cx, &mut this.local).map(|o| o.map(Item::into_event))
    }
}

impl StreamsHandle {
    async fn open_shard(&self, table: &mut Table, route: Route) -> Result<usize> {
        let inner = &self.inner;
        let id = table.shards.len();
        let max_per_sec = inner.cfg.max_messages_per_sec.unwrap_or(match inner.product {
            Product::Spot => 5,
            Product::UsdM | Product::CoinM => 10,
        });
        let ctx = ShardCtx {
            id,
            base: format!("{}{}", inner.base, route.prefix()),
            cfg: inner.cfg.clone(),
            max_per_sec,
            queue: inner.queue.clone(),
            history: inner.history.clone(),
        };
        let ws = connect(&ctx.url(table.combined), inner.cfg.transport.connect_timeout).await?;
        let (tx, rx) = mpsc::channel(1024);
        tokio::spawn(run_shard(ctx, ws, table.combined, rx));
        table.shards.push(ShardEntry { route, tx, count: 0 });
        Ok(id)
    }

    async fn wait<T>(&self, method: &str, rx: oneshot::Receiver<Result<T>>) -> Result<T> {
        let timeout = self.inner.cfg.request_timeout;
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(r)) => r,
            Ok(Err(_)) => Err(Error::Closed),
            Err(_) => Err(Error::Timeout { method: method.to_string(), timeout, may_have_executed: false }),
        }
    }

    /// Subscribes to streams (those already subscribed are skipped). They are spread over connections of at
    /// most `max_streams_per_connection` streams; one SUBSCRIBE message carries many streams, and calls made
    /// while a message waits for the rate limiter are merged into it. Returns once the server confirmed.
    pub async fn subscribe(&self, streams: impl IntoIterator<Item = Stream>) -> Result<()> {
        let cap = self.inner.cfg.max_streams_per_connection.max(1);
        let mut per_shard: HashMap<usize, Vec<Arc<str>>> = HashMap::new();
        {
            let mut table = self.inner.table.lock().await;
            for s in streams {
                let name: Arc<str> = Arc::from(s.name());
                if table.owner.contains_key(&name) {
                    continue;
                }
                let route = if self.inner.split { s.route(self.inner.product) } else { Route::Default };
                let idx = match table.shards.iter().position(|e| e.route == route && e.count < cap) {
                    Some(i) => i,
                    None => self.open_shard(&mut table, route).await?,
                };
                table.shards[idx].count += 1;
                table.owner.insert(name.clone(), idx);
                per_shard.entry(idx).or_default().push(name);
            }
        }
        let mut waits = Vec::new();
        for (idx, names) in per_shard {
            let (tx, rx) = oneshot::channel();
            let sender = self.inner.table.lock().await.shards[idx].tx.clone();
            if sender.send(Cmd::Subscribe(names.clone(), tx)).await.is_err() {
                self.forget(idx, &names).await;
                return Err(Error::Closed);
            }
            waits.push((idx, names, rx));
        }
        let mut result = Ok(());
        for (idx, names, rx) in waits {
            if let Err(e) = self.wait("SUBSCRIBE", rx).await {
                if !matches!(e, Error::Timeout { .. }) {
                    self.forget(idx, &names).await;
                }
                result = Err(e);
            }
        }
        result
    }

    async fn forget(&self, idx: usize, names: &[Arc<str>]) {
        let mut table = self.inner.table.lock().await;
        for n in names {
            if table.owner.get(n) == Some(&idx) {
                table.owner.remove(n);
                table.shards[idx].count -= 1;
            }
        }
    }

    /// Unsubscribes from streams (unknown ones are skipped).
    pub async fn unsubscribe(&self, streams: impl IntoIterator<Item = Stream>) -> Result<()> {
        let mut per_shard: HashMap<usize, Vec<Arc<str>>> = HashMap::new();
        let mut senders = HashMap::new();
        {
            let mut table = self.inner.table.lock().await;
            for s in streams {
                let name: Arc<str> = Arc::from(s.name());
                if let Some(idx) = table.owner.remove(&name) {
                    table.shards[idx].count -= 1;
                    senders.insert(idx, table.shards[idx].tx.clone());
                    per_shard.entry(idx).or_default().push(name);
                }
            }
        }
        let mut waits = Vec::new();
        for (idx, names) in per_shard {
            let (tx, rx) = oneshot::channel();
            senders[&idx].send(Cmd::Unsubscribe(names, tx)).await.map_err(|_| Error::Closed)?;
            waits.push(rx);
        }
        for rx in waits {
            self.wait("UNSUBSCRIBE", rx).await?;
        }
        Ok(())
    }

    async fn senders(&self) -> Vec<mpsc::Sender<Cmd>> {
        self.inner.table.lock().await.shards.iter().map(|s| s.tx.clone()).collect()
    }

    /// Asks every connection for its subscriptions (LIST_SUBSCRIPTIONS) and returns them all, sorted.
    pub async fn list_subscriptions(&self) -> Result<Vec<String>> {
        let mut all = Vec::new();
        for tx in self.senders().await {
            let (otx, rx) = oneshot::channel();
            tx.send(Cmd::Query("LIST_SUBSCRIPTIONS", Vec::new(), otx)).await.map_err(|_| Error::Closed)?;
            let v = self.wait("LIST_SUBSCRIPTIONS", rx).await?;
            let list: Vec<String> = serde_json::from_value(v)
                .map_err(|e| Error::decode("LIST_SUBSCRIPTIONS result", e, b"(not a list of names)"))?;
            all.extend(list);
        }
        all.sort();
        Ok(all)
    }

    /// Switches every connection between combined and raw payloads (SET_PROPERTY `combined`); new and
    /// reconnected connections follow the setting.
    pub async fn set_combined(&self, on: bool) -> Result<()> {
        let senders = {
            let mut table = self.inner.table.lock().await;
            table.combined = on;
            table.shards.iter().map(|s| s.tx.clone()).collect::<Vec<_>>()
        };
        let mut waits = Vec::new();
        for tx in senders {
            let (otx, rx) = oneshot::channel();
            tx.send(Cmd::SetCombined(on, otx)).await.map_err(|_| Error::Closed)?;
            waits.push(rx);
        }
        for rx in waits {
            self.wait("SET_PROPERTY", rx).await?;
        }
        Ok(())
    }

    /// GET_PROPERTY on the first connection (`"combined"` is the only property Binance has).
    pub async fn get_property(&self, name: &str) -> Result<Value> {
        let tx = self.senders().await.into_iter().next().ok_or(Error::Closed)?;
        let (otx, rx) = oneshot::channel();
        tx.send(Cmd::Query("GET_PROPERTY", vec![Value::from(name)], otx)).await.map_err(|_| Error::Closed)?;
        self.wait("GET_PROPERTY", rx).await
    }

    /// The streams subscribed through this client (what reconnects restore), sorted.
    pub async fn subscriptions(&self) -> Vec<String> {
        let mut v: Vec<String> = self.inner.table.lock().await.owner.keys().map(|s| s.to_string()).collect();
        v.sort();
        v
    }

    /// The connection carrying `stream` (the `connection` of [`Notice`](super::Notice)s), if subscribed here.
    pub async fn connection_of(&self, stream: &Stream) -> Option<usize> {
        self.inner.table.lock().await.owner.get(stream.name().as_str()).copied()
    }

    /// Number of connections opened.
    pub async fn connections(&self) -> usize {
        self.inner.table.lock().await.shards.len()
    }

    /// Events waiting for the consumer.
    pub fn queued(&self) -> usize {
        self.inner.queue.len()
    }

    /// The last raw frames received (oldest first), up to [`StreamsConfig::history`].
    pub fn history(&self) -> Vec<Bytes> {
        self.inner.history.snapshot()
    }

    /// Closes every connection; the feed ends after the events already queued.
    pub fn close(&self) {
        if let Ok(table) = self.inner.table.try_lock() {
            for s in &table.shards {
                let _ = s.tx.try_send(Cmd::Close);
            }
        } else if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let inner = self.inner.clone();
            runtime.spawn(async move {
                for s in &inner.table.lock().await.shards {
                    let _ = s.tx.send(Cmd::Close).await;
                }
            });
        }
        // Outside a runtime (a `Streams` dropped on a plain thread) nothing can be spawned, which must not panic:
        // the connections still end once the last handle is gone and their command channels close.
        self.inner.queue.close();
    }
}
