//! The DEX connection: one task owns the socket; the [`DexClient`] handle talks to it over a channel.

use std::collections::{BTreeMap, BTreeSet};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures::{SinkExt, StreamExt};
use parking_lot::{Mutex, RwLock};
use serde_json::json;
use tokio::sync::{mpsc, oneshot};
use tokio::time::{sleep_until, Instant};
use tokio_websockets::Message;

use super::model::{decode_frame, DexEvent};
use super::topic::{Topic, TopicKind};
use crate::env::Env;
use crate::transport::{classify_close, connect, Backoff, CloseKind, ConnectionEvent, TransportConfig, WsStream};
use crate::{Error, Result};

/// Where the DEX service is. The upstream Binance DEX (Binance Chain) was shut down; `Mainnet` and `Testnet`
/// keep its documented endpoints, and the local exchange (`binance-ws-sim`) serves the protocol under `/api/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DexEnv {
    /// `wss://dex.binance.org/api/` (shut down upstream).
    Mainnet,
    /// `wss://testnet-dex.binance.org/api/` (shut down upstream).
    Testnet,
    /// A local exchange at this base URL (`ws://127.0.0.1:9443`); `/api/` is appended.
    Local(String),
    /// This base URL as is (it should end where `ws/...` and `stream?...` follow, like `.../api/`).
    Custom(String),
}

impl DexEnv {
    /// The base URL, ending in `/`: the single stream URL is `<base>ws/<stream>`.
    pub fn base(&self) -> String {
        match self {
            DexEnv::Mainnet => "wss://dex.binance.org/api/".into(),
            DexEnv::Testnet => "wss://testnet-dex.binance.org/api/".into(),
            DexEnv::Local(base) => format!("{}/api/", base.trim_end_matches('/')),
            DexEnv::Custom(url) if url.ends_with('/') => url.clone(),
            DexEnv::Custom(url) => format!("{url}/"),
        }
    }

    /// The URL for method messages (`subscribe`, ...): `<base>ws`.
    pub fn ws_url(&self) -> String {
        format!("{}ws", self.base())
    }

    /// The URL of one stream: `<base>ws/<stream>` (an address, `<symbol>@<topic>` or `$all@<topic>`).
    pub fn stream_url(&self, stream: &str) -> String {
        format!("{}ws/{stream}", self.base())
    }

    /// The URL of combined streams: `<base>stream?streams=<a>/<b>/...`.
    pub fn combined_url<S: AsRef<str>>(&self, streams: &[S]) -> String {
        let names: Vec<&str> = streams.iter().map(|s| s.as_ref()).collect();
        format!("{}stream?streams={}", self.base(), names.join("/"))
    }
}

impl From<&Env> for DexEnv {
    fn from(env: &Env) -> DexEnv {
        match env {
            Env::Mainnet => DexEnv::Mainnet,
            Env::Testnet => DexEnv::Testnet,
            Env::Local(base) => DexEnv::Local(base.clone()),
            Env::Custom(url) => DexEnv::Custom(url.clone()),
        }
    }
}

/// The DEX base URL (ending in `/api/`) of an [`Env`].
pub fn dex_base(env: &Env) -> String {
    DexEnv::from(env).base()
}

/// Settings of a DEX connection.
#[derive(Debug, Clone)]
pub struct DexConfig {
    /// Connect timeout, pings, stall watchdog and reconnect backoff.
    pub transport: TransportConfig,
    /// Send `{"method":"keepAlive"}` this often. The server closes connections without one for 30 minutes;
    /// the default (10 minutes) stays well inside that window.
    pub keepalive_interval: Duration,
    /// Reconnect (and resubscribe) when the connection drops.
    pub reconnect: bool,
    /// Events buffered for [`DexClient::events`] before they are dropped (reported as [`DexEvent::Lagged`]).
    pub event_capacity: usize,
}

impl Default for DexConfig {
    fn default() -> Self {
        DexConfig {
            transport: TransportConfig {
                // The DEX server pings every 30 s.
                stall_timeout: Duration::from_secs(90),
                lifetime: None,
                ..TransportConfig::default()
            },
            keepalive_interval: Duration::from_secs(10 * 60),
            reconnect: true,
            event_capacity: 4096,
        }
    }
}

/// A subscription change, kept so that it can be replayed after a reconnect.
#[derive(Debug, Clone)]
enum SubChange {
    Subscribe { topic: Topic, address: Option<String>, symbols: Vec<String> },
    Unsubscribe { topic: Topic, symbols: Option<Vec<String>> },
}

impl SubChange {
    fn message(&self) -> String {
        match self {
            SubChange::Subscribe { topic, address: Some(a), .. } => {
                json!({"method": "subscribe", "topic": topic.name(), "address": a}).to_string()
            }
            SubChange::Subscribe { topic, symbols, .. } => {
                json!({"method": "subscribe", "topic": topic.name(), "symbols": symbols}).to_string()
            }
            SubChange::Unsubscribe { topic, symbols: None } => {
                json!({"method": "unsubscribe", "topic": topic.name()}).to_string()
            }
            SubChange::Unsubscribe { topic, symbols: Some(s) } => {
                json!({"method": "unsubscribe", "topic": topic.name(), "symbols": s}).to_string()
            }
        }
    }
}

/// What the connection has subscribed to by message (the URL's streams come back with the URL).
#[derive(Debug, Default, Clone)]
struct Subscriptions {
    address: Option<String>,
    personal: BTreeSet<Topic>,
    symbols: BTreeMap<Topic, BTreeSet<String>>,
    all: BTreeSet<Topic>,
}

impl Subscriptions {
    fn apply(&mut self, change: &SubChange) {
        match change {
            SubChange::Subscribe { topic, address, symbols } => match topic.kind() {
                TopicKind::Address => {
                    let a = address.clone().unwrap_or_default();
                    if self.address.as_deref() != Some(a.as_str()) {
                        // One address per connection: a new one replaces the previous one's topics.
                        self.personal.clear();
                        self.address = Some(a);
                    }
                    self.personal.insert(*topic);
                }
                TopicKind::All => {
                    self.all.insert(*topic);
                }
                TopicKind::Symbol => self.symbols.entry(*topic).or_default().extend(symbols.iter().cloned()),
            },
            SubChange::Unsubscribe { topic, symbols } => match (topic.kind(), symbols) {
                (TopicKind::Address, _) => {
                    self.personal.remove(topic);
                }
                (TopicKind::All, _) => {
                    self.all.remove(topic);
                }
                (TopicKind::Symbol, None) => {
                    self.symbols.remove(topic);
                }
                (TopicKind::Symbol, Some(list)) => {
                    if let Some(set) = self.symbols.get_mut(topic) {
                        for s in list {
                            set.remove(s);
                        }
                        if set.is_empty() {
                            self.symbols.remove(topic);
                        }
                    }
                }
            },
        }
    }

    /// The messages that restore these subscriptions on a fresh connection.
    fn replay(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(a) = &self.address {
            for t in &self.personal {
                out.push(SubChange::Subscribe { topic: *t, address: Some(a.clone()), symbols: vec![] }.message());
            }
        }
        for (t, set) in &self.symbols {
            let symbols = set.iter().cloned().collect();
            out.push(SubChange::Subscribe { topic: *t, address: None, symbols }.message());
        }
        for t in &self.all {
            out.push(SubChange::Subscribe { topic: *t, address: None, symbols: vec!["$all".into()] }.message());
        }
        out
    }
}

enum Command {
    Send { text: String, change: Option<SubChange>, done: oneshot::Sender<Result<()>> },
    Close { done: oneshot::Sender<()> },
}

type Handler = Arc<dyn Fn(&DexEvent) + Send + Sync>;

#[derive(Clone, Copy, PartialEq)]
enum Filter {
    Topic(Topic),
    Connection,
    Any,
}

/// Identifies a registered callback, to remove it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandlerId(u64);

struct Shared {
    url: String,
    config: DexConfig,
    handlers: RwLock<Vec<(u64, Filter, Handler)>>,
    next_handler: AtomicU64,
    events: mpsc::Sender<DexEvent>,
    dropped: AtomicU64,
}

impl Shared {
    /// Hands an event to the matching callbacks, then to the event stream (counting what does not fit).
    fn deliver(&self, ev: DexEvent) {
        let topic = ev.topic();
        let is_conn = matches!(ev, DexEvent::Connection(_));
        let handlers: Vec<Handler> = self
            .handlers
            .read()
            .iter()
            .filter(|(_, f, _)| match f {
                Filter::Any => true,
                Filter::Connection => is_conn,
                Filter::Topic(t) => topic == Some(*t),
            })
            .map(|(_, _, h)| h.clone())
            .collect();
        for h in handlers {
            h(&ev);
        }
        let dropped = self.dropped.load(Ordering::Relaxed);
        if dropped > 0 {
            match self.events.try_send(DexEvent::Lagged { dropped }) {
                Ok(()) => {
                    self.dropped.fetch_sub(dropped, Ordering::Relaxed);
                }
                Err(mpsc::error::TrySendError::Full(_)) => {
                    self.dropped.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                Err(mpsc::error::TrySendError::Closed(_)) => return,
            }
        }
        if let Err(mpsc::error::TrySendError::Full(_)) = self.events.try_send(ev) {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// A connection to the Binance DEX WebSocket service.
///
/// The upstream service (Binance Chain) was shut down; the documented endpoints stay in [`DexEnv`], and the
/// local exchange (`binance-ws-sim`, `Sim::dex`) serves the same protocol for tests and demos.
///
/// Streams can be named in the URL ([`DexClient::connect_streams`]) or subscribed by message on one
/// connection ([`DexClient::connect`] then [`DexClient::subscribe`] / [`DexClient::subscribe_address`]).
/// `keepAlive` is sent automatically; after a drop the client reconnects with backoff and restores every
/// subscription. Events arrive through callbacks ([`DexClient::on`]) and/or a `futures::Stream`
/// ([`DexClient::events`]); connection changes are events too.
///
/// ```no_run
/// # async fn run() -> binance_ws::Result<()> {
/// use binance_ws::dex::{DexClient, DexConfig, DexEnv, DexEvent, Topic};
/// use futures::StreamExt;
///
/// let dex = DexClient::connect(&DexEnv::Local("ws://127.0.0.1:9443".into()), DexConfig::default()).await?;
/// dex.on(Topic::BlockHeight, |ev| println!("block {ev:?}"));
/// dex.subscribe_all(Topic::BlockHeight).await?;
/// dex.subscribe(Topic::Trades, ["BNB_BTCB-1DE"]).await?;
/// dex.subscribe_address(Topic::Orders, "bnb1m4m9etgf3ca5wpgkqe5nr6r33a4ynxfln3yz4v").await?;
/// let mut events = dex.events().expect("first call");
/// while let Some(ev) = events.next().await {
///     match ev {
///         DexEvent::Trades(trades) => println!("{} trades", trades.len()),
///         DexEvent::Orders(orders) => println!("order {:?}", orders[0].status),
///         DexEvent::Connection(c) => println!("connection: {c:?}"),
///         _ => {}
///     }
/// }
/// # Ok(()) }
/// ```
pub struct DexClient {
    shared: Arc<Shared>,
    commands: mpsc::Sender<Command>,
    events: Mutex<Option<mpsc::Receiver<DexEvent>>>,
}

impl std::fmt::Debug for DexClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DexClient").field("url", &self.shared.url).finish_non_exhaustive()
    }
}

impl DexClient {
    /// Connects to `<base>ws` for subscribing by message.
    pub async fn connect(env: &DexEnv, config: DexConfig) -> Result<DexClient> {
        DexClient::connect_url(&env.ws_url(), config).await
    }

    /// Connects with streams named in the URL: `/ws/<stream>` for one, `/stream?streams=a/b` for several.
    /// Stream names: an address (its orders, accounts and transfers), `<symbol>@<topic>`, `$all@<topic>`
    /// (see [`Topic::stream`]). More can be subscribed by message afterwards.
    pub async fn connect_streams<I, S>(env: &DexEnv, streams: I, config: DexConfig) -> Result<DexClient>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let streams: Vec<String> = streams.into_iter().map(Into::into).collect();
        let url = match streams.as_slice() {
            [] => return Err(Error::InvalidRequest("connect_streams needs at least one stream name".into())),
            [one] => env.stream_url(one),
            many => env.combined_url(many),
        };
        DexClient::connect_url(&url, config).await
    }

    /// Connects to exactly this URL.
    pub async fn connect_url(url: &str, config: DexConfig) -> Result<DexClient> {
        let ws = connect(url, config.transport.connect_timeout).await?;
        let (events_tx, events_rx) = mpsc::channel(config.event_capacity.max(16));
        let (commands, rx) = mpsc::channel(256);
        let shared = Arc::new(Shared {
            url: url.to_string(),
            config,
            handlers: RwLock::new(Vec::new()),
            next_handler: AtomicU64::new(1),
            events: events_tx,
            dropped: AtomicU64::new(0),
        });
        tokio::spawn(run(shared.clone(), ws, rx));
        Ok(DexClient { shared, commands, events: Mutex::new(Some(events_rx)) })
    }

    /// The URL connected to.
    pub fn url(&self) -> &str {
        &self.shared.url
    }

    async fn send(&self, text: String, change: Option<SubChange>) -> Result<()> {
        let (done, rx) = oneshot::channel();
        self.commands.send(Command::Send { text, change, done }).await.map_err(|_| Error::Closed)?;
        rx.await.map_err(|_| Error::Closed)?
    }

    /// Subscribes a per-symbol topic (`trades`, `marketDiff`, `marketDepth*`, `kline_*`, `ticker`,
    /// `miniTicker`) for these symbols; repeated calls add symbols. The server sends no confirmation.
    pub async fn subscribe<I, S>(&self, topic: Topic, symbols: I) -> Result<()>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let symbols: Vec<String> = symbols.into_iter().map(Into::into).collect();
        match topic.kind() {
            TopicKind::Address => {
                return Err(Error::InvalidRequest(format!("`{topic}` is personal: use subscribe_address")))
            }
            TopicKind::All => return self.subscribe_all(topic).await,
            TopicKind::Symbol if symbols.is_empty() => {
                return Err(Error::InvalidRequest(format!("subscribing `{topic}` needs at least one symbol")))
            }
            TopicKind::Symbol => {}
        }
        let change = SubChange::Subscribe { topic, address: None, symbols };
        self.send(change.message(), Some(change)).await
    }

    /// Subscribes a personal topic (`orders`, `accounts`, `transfers`) for an address. One connection follows
    /// one address: subscribing another replaces the previous address's topics (server and client alike).
    pub async fn subscribe_address(&self, topic: Topic, address: &str) -> Result<()> {
        if topic.kind() != TopicKind::Address {
            return Err(Error::InvalidRequest(format!("`{topic}` is not personal: use subscribe or subscribe_all")));
        }
        let change = SubChange::Subscribe { topic, address: Some(address.to_string()), symbols: vec![] };
        self.send(change.message(), Some(change)).await
    }

    /// Subscribes an all-symbols topic (`allTickers`, `allMiniTickers`, `blockheight`) with `symbols: ["$all"]`.
    pub async fn subscribe_all(&self, topic: Topic) -> Result<()> {
        if topic.kind() != TopicKind::All {
            return Err(Error::InvalidRequest(format!("`{topic}` is not an all-symbols topic")));
        }
        let change = SubChange::Subscribe { topic, address: None, symbols: vec!["$all".into()] };
        self.send(change.message(), Some(change)).await
    }

    /// Unsubscribes a whole topic.
    pub async fn unsubscribe(&self, topic: Topic) -> Result<()> {
        let change = SubChange::Unsubscribe { topic, symbols: None };
        self.send(change.message(), Some(change)).await
    }

    /// Unsubscribes some symbols of a per-symbol topic.
    pub async fn unsubscribe_symbols<I, S>(&self, topic: Topic, symbols: I) -> Result<()>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let change = SubChange::Unsubscribe { topic, symbols: Some(symbols.into_iter().map(Into::into).collect()) };
        self.send(change.message(), Some(change)).await
    }

    /// Sends `keepAlive` now (the connection task also sends it every `keepalive_interval`).
    pub async fn keep_alive(&self) -> Result<()> {
        self.send(json!({"method": "keepAlive"}).to_string(), None).await
    }

    /// Sends a text message as is (for messages this client has no method for). The answer, if any, arrives
    /// as an event ([`DexEvent::ServerError`] for error answers).
    pub async fn send_raw(&self, text: impl Into<String>) -> Result<()> {
        self.send(text.into(), None).await
    }

    /// Calls `f` for every event of `topic` (on the connection task: keep it short, never block).
    pub fn on(&self, topic: Topic, f: impl Fn(&DexEvent) + Send + Sync + 'static) -> HandlerId {
        self.add_handler(Filter::Topic(topic), Arc::new(f))
    }

    /// Calls `f` for every connection state change.
    pub fn on_connection(&self, f: impl Fn(&ConnectionEvent) + Send + Sync + 'static) -> HandlerId {
        self.add_handler(
            Filter::Connection,
            Arc::new(move |ev: &DexEvent| {
                if let DexEvent::Connection(c) = ev {
                    f(c)
                }
            }),
        )
    }

    /// Calls `f` for every event of any kind.
    pub fn on_any(&self, f: impl Fn(&DexEvent) + Send + Sync + 'static) -> HandlerId {
        self.add_handler(Filter::Any, Arc::new(f))
    }

    /// Removes a callback.
    pub fn remove_handler(&self, id: HandlerId) {
        self.shared.handlers.write().retain(|(i, _, _)| *i != id.0);
    }

    fn add_handler(&self, filter: Filter, h: Handler) -> HandlerId {
        let id = self.shared.next_handler.fetch_add(1, Ordering::Relaxed);
        self.shared.handlers.write().push((id, filter, h));
        HandlerId(id)
    }

    /// The stream of every event (data, errors, connection changes). Returns `None` after the first call.
    /// Events are buffered (`event_capacity`) from the moment of connecting; what does not fit is
    /// dropped and reported as [`DexEvent::Lagged`].
    pub fn events(&self) -> Option<DexEvents> {
        self.events.lock().take().map(|rx| DexEvents { rx })
    }

    /// Sends `{"method":"close"}`, closes the socket and ends the connection task.
    pub async fn close(&self) -> Result<()> {
        let (done, rx) = oneshot::channel();
        self.commands.send(Command::Close { done }).await.map_err(|_| Error::Closed)?;
        let _ = rx.await;
        Ok(())
    }
}

/// The events of a [`DexClient`] as a `futures::Stream`. Ends when the connection is closed for good.
pub struct DexEvents {
    rx: mpsc::Receiver<DexEvent>,
}

impl futures::Stream for DexEvents {
    type Item = DexEvent;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<DexEvent>> {
        self.rx.poll_recv(cx)
    }
}

/// Connects to one stream, returns its first message and closes (the old Python library's one-off mode).
/// A server error answer becomes [`Error::InvalidRequest`].
pub async fn one_off(env: &DexEnv, stream: &str, timeout: Duration) -> Result<DexEvent> {
    let url = env.stream_url(stream);
    let mut ws = connect(&url, timeout).await?;
    let result = tokio::time::timeout(timeout, async {
        loop {
            match ws.next().await {
                Some(Ok(msg)) if msg.is_text() => return decode_frame(msg.as_payload()),
                Some(Ok(msg)) if msg.is_ping() => {
                    let _ = ws.flush().await;
                }
                Some(Ok(msg)) => {
                    if let Some((code, reason)) = msg.as_close() {
                        return Err(Error::Refused { code: code.into(), reason: reason.to_string() });
                    }
                }
                Some(Err(e)) => return Err(Error::Transport(e.to_string())),
                None => return Err(Error::Transport("connection closed before any message".into())),
            }
        }
    })
    .await;
    let _ = ws.close().await;
    match result {
        Ok(Ok(DexEvent::ServerError(msg))) => Err(Error::InvalidRequest(format!("the server answered: {msg}"))),
        Ok(r) => r,
        Err(_) => Err(Error::Transport(format!("no message on {url} within {timeout:?}"))),
    }
}

enum Exit {
    Lost(String),
    Refused(u16, String),
    Closed,
}

async fn run(shared: Arc<Shared>, first: WsStream, mut commands: mpsc::Receiver<Command>) {
    let cfg = shared.config.transport.clone();
    let mut backoff = Backoff::new(cfg.backoff_floor, cfg.backoff_ceiling, cfg.max_attempts);
    let mut subs = Subscriptions::default();
    let mut socket = Some(first);
    let mut generation = 0u64;
    loop {
        let ws = match socket.take() {
            Some(ws) => ws,
            None => break,
        };
        backoff.reset();
        shared.deliver(DexEvent::Connection(ConnectionEvent::Connected { url: shared.url.clone(), generation }));
        let exit = serve(&shared, ws, &mut commands, &mut subs).await;
        let reason = match exit {
            Exit::Closed => {
                shared.deliver(DexEvent::Connection(ConnectionEvent::Closed { reason: "closed by the user".into() }));
                break;
            }
            Exit::Refused(code, reason) => {
                shared.deliver(DexEvent::Connection(ConnectionEvent::Closed {
                    reason: format!("refused by the server (close code {code}: {reason})"),
                }));
                break;
            }
            Exit::Lost(reason) => reason,
        };
        tracing::warn!(%reason, url = %shared.url, "DEX connection lost");
        if !shared.config.reconnect {
            shared.deliver(DexEvent::Connection(ConnectionEvent::Closed { reason }));
            break;
        }
        socket = reconnect(&shared, &mut backoff, &reason, &mut commands, &mut subs).await;
        generation += 1;
    }
}

/// Waits out the backoff and connects again; subscription changes made meanwhile are recorded and sent
/// with the replay. `None` when the attempts are used up or the user closed the client.
async fn reconnect(
    shared: &Arc<Shared>,
    backoff: &mut Backoff,
    reason: &str,
    commands: &mut mpsc::Receiver<Command>,
    subs: &mut Subscriptions,
) -> Option<WsStream> {
    loop {
        let Some(delay) = backoff.next_delay() else {
            shared.deliver(DexEvent::Connection(ConnectionEvent::Closed {
                reason: format!("gave up after {} attempts: {reason}", backoff.attempt()),
            }));
            return None;
        };
        shared.deliver(DexEvent::Connection(ConnectionEvent::Reconnecting {
            reason: reason.to_string(),
            attempt: backoff.attempt(),
            delay,
        }));
        let wake = Instant::now() + delay;
        loop {
            tokio::select! {
                _ = sleep_until(wake) => break,
                cmd = commands.recv() => match cmd {
                    Some(Command::Send { change: Some(change), done, .. }) => {
                        subs.apply(&change);
                        let _ = done.send(Ok(()));
                    }
                    Some(Command::Send { done, .. }) => {
                        let _ = done.send(Err(Error::Transport("not connected (reconnecting); not sent".into())));
                    }
                    Some(Command::Close { done }) => {
                        shared.deliver(DexEvent::Connection(ConnectionEvent::Closed { reason: "closed by the user".into() }));
                        let _ = done.send(());
                        return None;
                    }
                    None => return None,
                },
            }
        }
        match connect(&shared.url, shared.config.transport.connect_timeout).await {
            Ok(ws) => return Some(ws),
            Err(e) => tracing::warn!(error = %e, attempt = backoff.attempt(), "DEX reconnect failed"),
        }
    }
}

fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(86_400 * 365)
}

async fn serve(
    shared: &Arc<Shared>,
    mut ws: WsStream,
    commands: &mut mpsc::Receiver<Command>,
    subs: &mut Subscriptions,
) -> Exit {
    let cfg = &shared.config;
    // Restore what was subscribed by message before the drop.
    for text in subs.replay() {
        if let Err(e) = ws.send(Message::text(text)).await {
            return Exit::Lost(format!("resubscribe failed: {e}"));
        }
    }
    let mut last_rx = Instant::now();
    let mut last_tx = Instant::now();
    let mut keepalive_at = Instant::now() + cfg.keepalive_interval;
    let mut closing: Option<oneshot::Sender<()>> = None;
    let mut close_at: Option<Instant> = None;
    loop {
        let stall_at = last_rx + cfg.transport.stall_timeout;
        let ping_at = last_tx + cfg.transport.idle_ping;
        let close_deadline = close_at.unwrap_or_else(far_future);
        tokio::select! {
            biased;
            frame = ws.next() => match frame {
                Some(Ok(msg)) => {
                    last_rx = Instant::now();
                    if msg.is_ping() {
                        if ws.flush().await.is_err() {
                            return Exit::Lost("could not answer ping".into());
                        }
                    } else if let Some((code, reason)) = msg.as_close() {
                        if let Some(done) = closing.take() {
                            let _ = done.send(());
                            return Exit::Closed;
                        }
                        let code: u16 = code.into();
                        let reason = reason.to_string();
                        return match classify_close(code) {
                            CloseKind::Permanent => Exit::Refused(code, reason),
                            CloseKind::Retry => Exit::Lost(format!("server closed ({code}: {reason})")),
                        };
                    } else if msg.is_text() {
                        let ev = decode_frame(msg.as_payload()).unwrap_or_else(DexEvent::Malformed);
                        shared.deliver(ev);
                    }
                }
                Some(Err(e)) => {
                    if let Some(done) = closing.take() {
                        let _ = done.send(());
                        return Exit::Closed;
                    }
                    return Exit::Lost(format!("socket error: {e}"));
                }
                None => {
                    if let Some(done) = closing.take() {
                        let _ = done.send(());
                        return Exit::Closed;
                    }
                    return Exit::Lost("socket closed".into());
                }
            },
            cmd = commands.recv(), if closing.is_none() => match cmd {
                Some(Command::Send { text, change, done }) => {
                    if let Some(c) = &change {
                        subs.apply(c);
                    }
                    match ws.send(Message::text(text)).await {
                        Ok(()) => {
                            last_tx = Instant::now();
                            let _ = done.send(Ok(()));
                        }
                        Err(e) => {
                            // A subscription change is kept and replayed after the reconnect.
                            let _ = done.send(if change.is_some() { Ok(()) } else { Err(Error::Transport(e.to_string())) });
                            return Exit::Lost(format!("send failed: {e}"));
                        }
                    }
                }
                Some(Command::Close { done }) => {
                    let _ = ws.send(Message::text(json!({"method": "close"}).to_string())).await;
                    let _ = ws.close().await;
                    closing = Some(done);
                    // Wait briefly for the server's close frame.
                    close_at = Some(Instant::now() + Duration::from_secs(2));
                }
                None => {
                    let _ = ws.close().await;
                    return Exit::Closed;
                }
            },
            _ = sleep_until(close_deadline) => {
                if let Some(done) = closing.take() {
                    let _ = done.send(());
                }
                return Exit::Closed;
            }
            _ = sleep_until(keepalive_at) => {
                if let Err(e) = ws.send(Message::text(json!({"method": "keepAlive"}).to_string())).await {
                    return Exit::Lost(format!("keepAlive failed: {e}"));
                }
                last_tx = Instant::now();
                keepalive_at = Instant::now() + cfg.keepalive_interval;
            }
            _ = sleep_until(ping_at) => {
                if ws.send(Message::ping(Bytes::new())).await.is_err() {
                    return Exit::Lost("could not send ping".into());
                }
                last_tx = Instant::now();
            }
            _ = sleep_until(stall_at) => {
                return Exit::Lost(format!("stalled: nothing received for {:?}", cfg.transport.stall_timeout));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dex::KlineInterval;

    #[test]
    fn endpoints() {
        assert_eq!(DexEnv::Mainnet.ws_url(), "wss://dex.binance.org/api/ws");
        assert_eq!(
            DexEnv::Testnet.stream_url("$all@blockheight"),
            "wss://testnet-dex.binance.org/api/ws/$all@blockheight"
        );
        let local = DexEnv::Local("ws://127.0.0.1:9443/".into());
        assert_eq!(
            local.combined_url(&["a@trades", "b@marketDiff"]),
            "ws://127.0.0.1:9443/api/stream?streams=a@trades/b@marketDiff"
        );
        assert_eq!(dex_base(&Env::Local("ws://h:1".into())), "ws://h:1/api/");
        assert_eq!(DexEnv::Custom("ws://x/api".into()).ws_url(), "ws://x/api/ws");
    }

    #[test]
    fn subscriptions_replay_what_is_left() {
        let mut s = Subscriptions::default();
        let sub = |t, a: Option<&str>, sy: &[&str]| SubChange::Subscribe {
            topic: t,
            address: a.map(String::from),
            symbols: sy.iter().map(|x| x.to_string()).collect(),
        };
        s.apply(&sub(Topic::Orders, Some("bnb1a"), &[]));
        s.apply(&sub(Topic::Accounts, Some("bnb1a"), &[]));
        s.apply(&sub(Topic::Transfers, Some("bnb1b"), &[])); // replaces bnb1a's topics
        s.apply(&sub(Topic::Trades, None, &["X_Y", "Z_W"]));
        s.apply(&SubChange::Unsubscribe { topic: Topic::Trades, symbols: Some(vec!["Z_W".into()]) });
        s.apply(&sub(Topic::Kline(KlineInterval::H1), None, &["X_Y"]));
        s.apply(&SubChange::Unsubscribe { topic: Topic::Kline(KlineInterval::H1), symbols: None });
        s.apply(&sub(Topic::BlockHeight, None, &["$all"]));
        // Compared as values: key order follows serde_json's features.
        let replay: Vec<serde_json::Value> =
            s.replay().iter().map(|m| serde_json::from_str(m).expect("a JSON message")).collect();
        assert_eq!(
            replay,
            vec![
                serde_json::json!({"address": "bnb1b", "method": "subscribe", "topic": "transfers"}),
                serde_json::json!({"method": "subscribe", "symbols": ["X_Y"], "topic": "trades"}),
                serde_json::json!({"method": "subscribe", "symbols": ["$all"], "topic": "blockheight"}),
            ]
        );
    }
}
