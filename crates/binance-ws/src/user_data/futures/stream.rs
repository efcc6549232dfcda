//! [`UserDataStream`]: a futures account's user data as a `futures::Stream`, kept alive by itself.
//!
//! One task owns the stream socket. It obtains the listen key over the API (`userDataStream.start`),
//! keeps it alive (`userDataStream.ping` every [`UserDataConfig::keepalive_interval`]), renews it when
//! the server reports `listenKeyExpired` or a keepalive says it no longer exists, reconnects with
//! backoff when the socket drops, and reports every moment events may have been lost as
//! [`Notice::EventsMayBeMissing`].

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures::{SinkExt, StreamExt};
use tokio::time::{sleep, sleep_until, Instant};
use tokio_websockets::Message;

use super::decode::decode_event;
use super::events::{Notice, UserEvent};
use super::queue::{Queue, Queued};
use crate::api::futures::{redact_key, Api, FuturesProduct, ListenKey};
use crate::api::{ApiClient, Params, Security};
use crate::streams::Overflow;
use crate::transport::{classify_close, connect, Backoff, CloseKind, TransportConfig, WsStream};
use crate::{Error, Result};

/// `userDataStream.ping` answers this when the listen key is gone (errors.md: "This listenKey does not exist.").
const NO_SUCH_LISTEN_KEY: i64 = -1125;

/// Which URL form the stream is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamPath {
    /// `{stream_base}/private/ws?listenKey=<key>`: USDⓈ-M's private route (the default for USDⓈ-M).
    Private,
    /// `{stream_base}/ws/<key>`: the form of the AsyncAPI streams specs (the default for COIN-M).
    Legacy,
}

impl StreamPath {
    /// The stream URL for `key` under `base`.
    ///
    /// ```
    /// use binance_ws::user_data::futures::StreamPath;
    /// assert_eq!(StreamPath::Private.url("wss://fstream.binance.com", "abc"), "wss://fstream.binance.com/private/ws?listenKey=abc");
    /// assert_eq!(StreamPath::Legacy.url("ws://127.0.0.1:9443/dstream/", "abc"), "ws://127.0.0.1:9443/dstream/ws/abc");
    /// ```
    pub fn url(self, base: &str, key: &str) -> String {
        let base = base.trim_end_matches('/');
        match self {
            StreamPath::Private => format!("{base}/private/ws?listenKey={key}"),
            StreamPath::Legacy => format!("{base}/ws/{key}"),
        }
    }
}

/// Settings of a [`UserDataStream`].
#[derive(Debug, Clone)]
pub struct UserDataConfig {
    /// How often the listen key is kept alive with `userDataStream.ping`. A key lives 60 minutes after
    /// its last keepalive; the default, 30 minutes, leaves room for a failed ping and its retries.
    pub keepalive_interval: Duration,
    /// How soon a failed keepalive or listen key request is tried again.
    pub retry_interval: Duration,
    /// The URL form; `None`: [`StreamPath::Private`] for USDⓈ-M, [`StreamPath::Legacy`] for COIN-M.
    pub path: Option<StreamPath>,
    /// The stream host; `None`: the API's environment ([`crate::Env::stream_base`]).
    pub stream_base: Option<String>,
    /// Keep-alive pings, stall watchdog, reconnect backoff and lifetime rotation of the socket.
    pub transport: TransportConfig,
    /// Events held for the consumer.
    pub queue_capacity: usize,
    /// What happens when the consumer falls behind (dropped events are reported as [`Notice::Lagged`]).
    pub overflow: Overflow,
}

impl Default for UserDataConfig {
    fn default() -> Self {
        UserDataConfig {
            keepalive_interval: Duration::from_secs(30 * 60),
            retry_interval: Duration::from_secs(10),
            path: None,
            stream_base: None,
            transport: TransportConfig::default(),
            queue_capacity: 65_536,
            overflow: Overflow::DropOldest,
        }
    }
}

impl Queued for UserEvent {
    fn is_notice(&self) -> bool {
        UserEvent::is_notice(self)
    }
    fn lagged(dropped: u64) -> Self {
        UserEvent::Notice(Notice::Lagged { dropped })
    }
}

/// The user data of a futures account as a `futures::Stream` of [`UserEvent`]s.
///
/// Started from a futures API handle with credentials; it keeps the listen key alive, renews it and
/// reconnects by itself, and says when events may have been missed ([`Notice::EventsMayBeMissing`]):
/// query `account.status` and `order.status` then. Dropping it stops the task (the listen key stays
/// valid until it expires; [`UserDataStream::stop`] closes it at once).
///
/// ```no_run
/// # async fn run() -> binance_ws::Result<()> {
/// use binance_ws::{usdm, Credentials, Env};
/// use binance_ws::user_data::futures::{Notice, UserEvent};
/// use futures::StreamExt;
///
/// let api = usdm::Api::connect(&Env::Testnet, Some(Credentials::from_env()?)).await?;
/// let mut events = api.user_data().await?;
/// while let Some(ev) = events.next().await {
///     match ev {
///         UserEvent::OrderTradeUpdate(u) => println!("{} {:?} {}", u.order.symbol, u.order.status, u.order.filled_qty),
///         UserEvent::AccountUpdate(a) => println!("{} balances changed", a.update.balances.len()),
///         UserEvent::Notice(Notice::EventsMayBeMissing { .. }) => {
///             let account = api.account_status_v2().await?; // reconcile
///             println!("positions: {}", account.positions.len());
///         }
///         _ => {}
///     }
/// }
/// # Ok(()) }
/// ```
pub struct UserDataStream {
    queue: Arc<Queue<UserEvent>>,
    client: ApiClient,
    key: Arc<parking_lot::Mutex<String>>,
    task: tokio::task::AbortHandle,
}

impl std::fmt::Debug for UserDataStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserDataStream").field("listen_key", &redact_key(&self.key.lock())).finish_non_exhaustive()
    }
}

impl<P: FuturesProduct> Api<P> {
    /// Starts this account's user data stream with the default [`UserDataConfig`] (see [`UserDataStream`]).
    pub async fn user_data(&self) -> Result<UserDataStream> {
        self.user_data_with(UserDataConfig::default()).await
    }

    /// Starts this account's user data stream with `config`.
    pub async fn user_data_with(&self, config: UserDataConfig) -> Result<UserDataStream> {
        let base = match (&config.stream_base, self.env()) {
            (Some(base), _) => base.clone(),
            (None, Some(env)) => env.stream_base(P::PRODUCT),
            (None, None) => {
                return Err(Error::InvalidRequest(
                    "this Api was made with from_client and knows no environment: set UserDataConfig::stream_base"
                        .into(),
                ))
            }
        };
        let path = config.path.unwrap_or(match P::PRODUCT {
            crate::env::Product::UsdM => StreamPath::Private,
            _ => StreamPath::Legacy,
        });
        UserDataStream::start(self.client().clone(), base, path, config).await
    }
}

impl UserDataStream {
    /// Starts a user data stream on any futures API engine: the listen key comes from `client`
    /// (`userDataStream.start`), the events from `path` under `stream_base`. Fails if the key cannot be
    /// obtained or the first connection cannot be made.
    pub async fn start(
        client: ApiClient,
        stream_base: String,
        path: StreamPath,
        config: UserDataConfig,
    ) -> Result<UserDataStream> {
        let key = start_key(&client).await?;
        let url = path.url(&stream_base, &key);
        let ws = connect(&url, config.transport.connect_timeout).await.map_err(|e| redact_err(e, &key))?;
        tracing::info!(key = %redact_key(&key), "futures user data stream connected");
        let queue = Arc::new(Queue::new(config.queue_capacity, config.overflow));
        queue.push_now(UserEvent::Notice(Notice::Connected { reconnects: 0 }));
        let shared_key = Arc::new(parking_lot::Mutex::new(key.clone()));
        let task = Task {
            client: client.clone(),
            base: stream_base,
            path,
            config,
            queue: queue.clone(),
            key,
            shared_key: shared_key.clone(),
            // Events before the stream started are not missing: the first gap can start no earlier.
            last_event_ms: server_now_ms(&client),
            reconnects: 0,
        };
        let handle = tokio::spawn(task.run(ws));
        Ok(UserDataStream { queue, client, key: shared_key, task: handle.abort_handle() })
    }

    /// Closes the listen key (`userDataStream.stop`) and ends the stream.
    pub async fn stop(self) -> Result<()> {
        self.task.abort();
        self.queue.close();
        let _: crate::api::spot::Empty =
            self.client.request("userDataStream.stop", Params::new(), Security::ApiKey).await?;
        Ok(())
    }

    /// Events waiting to be read.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }
}

impl Drop for UserDataStream {
    fn drop(&mut self) {
        self.task.abort();
        self.queue.close();
    }
}

impl futures::Stream for UserDataStream {
    type Item = UserEvent;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<UserEvent>> {
        self.queue.poll_pop(cx)
    }
}

/// The exchange's time as the API connection estimates it (local clock plus the measured offset).
fn server_now_ms(client: &ApiClient) -> u64 {
    (crate::api::client_now_ms() as i64 + client.time_offset_ms()).max(0) as u64
}

async fn start_key(client: &ApiClient) -> Result<String> {
    let k: ListenKey = client.request("userDataStream.start", Params::new(), Security::ApiKey).await?;
    Ok(k.listen_key)
}

/// Connection errors name the URL, which holds the listen key: keep only its start.
fn redact_err(e: Error, key: &str) -> Error {
    match e {
        Error::Connect { url, reason } => Error::Connect { url: url.replace(key, &redact_key(key)), reason },
        other => other,
    }
}

/// Why one connection ended.
enum Exit {
    /// The socket dropped or stalled.
    Lost(String),
    /// The listen key changed: move to the new one.
    Renewed(String),
}

struct Task {
    client: ApiClient,
    base: String,
    path: StreamPath,
    config: UserDataConfig,
    queue: Arc<Queue<UserEvent>>,
    key: String,
    shared_key: Arc<parking_lot::Mutex<String>>,
    /// The event time (`E`, exchange clock) of the last account event delivered, or the stream's start. The
    /// exchange sends in order, so what it generated after that event is what a gap may have lost. (The arrival
    /// time of the last frame is no bound: an event can be lost in the very millisecond a frame is received, and a
    /// `listenKeyExpired` arrives after the events the expiry already cost.)
    last_event_ms: u64,
    reconnects: u64,
}

impl Task {
    fn notice(&self, n: Notice) {
        self.queue.push_now(UserEvent::Notice(n));
    }

    fn url(&self) -> String {
        self.path.url(&self.base, &self.key)
    }

    fn set_key(&mut self, key: String) {
        *self.shared_key.lock() = key.clone();
        self.key = key;
    }

    async fn run(mut self, first: WsStream) {
        let cfg = self.config.transport.clone();
        let mut backoff = Backoff::new(cfg.backoff_floor, cfg.backoff_ceiling, cfg.max_attempts);
        let mut ws = first;
        let mut next_keepalive = Instant::now() + self.config.keepalive_interval;
        loop {
            let gap = match self.serve(ws, &mut next_keepalive).await {
                Exit::Lost(reason) => {
                    tracing::warn!(%reason, "futures user data stream lost");
                    self.notice(Notice::Disconnected { reason: reason.clone() });
                    format!("the user data connection was down ({reason})")
                }
                Exit::Renewed(reason) => {
                    tracing::info!(%reason, key = %redact_key(&self.key), "listen key renewed");
                    self.notice(Notice::ListenKeyRenewed { reason: reason.clone() });
                    next_keepalive = Instant::now() + self.config.keepalive_interval;
                    backoff.reset();
                    // The old connection closes before the new one opens: what happened between is unknown.
                    format!("the stream moved to a new listen key ({reason})")
                }
            };
            ws = match self.reconnect(&mut backoff, gap).await {
                Some(s) => s,
                None => return,
            };
        }
    }

    /// Connects again (with backoff), renewing the key when connecting keeps failing; reports the gap.
    async fn reconnect(&mut self, backoff: &mut Backoff, gap: String) -> Option<WsStream> {
        let down_since = Instant::now();
        let since_ms = self.last_event_ms;
        loop {
            let Some(delay) = backoff.next_delay() else {
                self.notice(Notice::Closed { reason: format!("gave up after {} attempts", backoff.attempt()) });
                self.queue.close();
                return None;
            };
            sleep(delay).await;
            // A key the server no longer knows makes every attempt fail: get one after two failures.
            if backoff.attempt() > 2 {
                match start_key(&self.client).await {
                    Ok(k) if k != self.key => {
                        self.set_key(k);
                        self.notice(Notice::ListenKeyRenewed { reason: "reconnecting kept failing".into() });
                    }
                    Ok(_) => {}
                    Err(e) => self.notice(Notice::KeepaliveFailed { error: e.to_string() }),
                }
            }
            match connect(&self.url(), self.config.transport.connect_timeout).await {
                Ok(ws) => {
                    backoff.reset();
                    self.reconnects += 1;
                    self.notice(Notice::Connected { reconnects: self.reconnects });
                    self.notice(Notice::EventsMayBeMissing {
                        reason: gap,
                        since_ms,
                        down_for: Some(down_since.elapsed()),
                    });
                    return Some(ws);
                }
                Err(e) => tracing::warn!(error = %redact_err(e, &self.key), "user data reconnect failed"),
            }
        }
    }

    /// Gets a fresh key (retrying until it comes) after the current one expired or vanished.
    async fn renew(&mut self, why: &str) -> Exit {
        loop {
            match start_key(&self.client).await {
                Ok(k) => {
                    self.set_key(k);
                    return Exit::Renewed(why.to_string());
                }
                Err(e) => {
                    self.notice(Notice::KeepaliveFailed { error: e.to_string() });
                    sleep(self.config.retry_interval).await;
                }
            }
        }
    }

    /// Serves one connection until it ends; a renewed key ends it too (the caller moves to the new key
    /// with a fresh connection and reports the gap).
    async fn serve(&mut self, mut ws: WsStream, next_keepalive: &mut Instant) -> Exit {
        let cfg = self.config.transport.clone();
        let mut last_rx = Instant::now();
        let mut last_tx = Instant::now();
        let mut rotate_at = cfg.lifetime.map(|l| Instant::now() + l);
        let exit = loop {
            let stall_at = last_rx + cfg.stall_timeout;
            let ping_at = last_tx + cfg.idle_ping;
            let rotate_deadline = rotate_at.unwrap_or_else(|| Instant::now() + Duration::from_secs(86400 * 365));
            tokio::select! {
                biased;
                frame = ws.next() => match frame {
                    Some(Ok(msg)) => {
                        last_rx = Instant::now();
                        if msg.is_ping() {
                            if ws.flush().await.is_err() {
                                break Exit::Lost("could not answer ping".into());
                            }
                        } else if let Some((code, reason)) = msg.as_close() {
                            let code: u16 = code.into();
                            let kind = match classify_close(code) {
                                CloseKind::Permanent => "refused",
                                CloseKind::Retry => "closed",
                            };
                            break Exit::Lost(format!("server {kind} the connection ({code}: {reason})"));
                        } else if msg.is_text() {
                            let payload: Bytes = msg.into_payload().into();
                            if let Some(exit) = self.on_frame(&payload).await {
                                break exit;
                            }
                        }
                    }
                    Some(Err(e)) => break Exit::Lost(format!("socket error: {e}")),
                    None => break Exit::Lost("socket closed".into()),
                },
                _ = sleep_until(*next_keepalive) => {
                    match self.client.request::<ListenKey>("userDataStream.ping", Params::new(), Security::ApiKey).await {
                        Ok(k) => {
                            *next_keepalive = Instant::now() + self.config.keepalive_interval;
                            if k.listen_key != self.key {
                                self.set_key(k.listen_key);
                                break Exit::Renewed("the keepalive answered with another listen key".into());
                            }
                        }
                        Err(e) if e.code() == Some(NO_SUCH_LISTEN_KEY) => {
                            self.notice(Notice::KeepaliveFailed { error: e.to_string() });
                            break self.renew("the listen key no longer exists").await;
                        }
                        Err(e) => {
                            self.notice(Notice::KeepaliveFailed { error: e.to_string() });
                            *next_keepalive = Instant::now() + self.config.retry_interval;
                        }
                    }
                }
                _ = sleep_until(ping_at) => {
                    if ws.send(Message::ping(Bytes::new())).await.is_err() {
                        break Exit::Lost("could not send ping".into());
                    }
                    last_tx = Instant::now();
                }
                _ = sleep_until(stall_at) => {
                    break Exit::Lost(format!("stalled: nothing received for {:?}", cfg.stall_timeout));
                }
                _ = sleep_until(rotate_deadline) => {
                    // Make before break: both connections carry the same events, so none is lost.
                    match connect(&self.url(), cfg.connect_timeout).await {
                        Ok(fresh) => {
                            let mut old = std::mem::replace(&mut ws, fresh);
                            tokio::spawn(async move {
                                let _ = tokio::time::timeout(Duration::from_secs(5), old.close()).await;
                            });
                            last_rx = Instant::now();
                            rotate_at = cfg.lifetime.map(|l| Instant::now() + l);
                        }
                        Err(_) => rotate_at = Some(Instant::now() + cfg.backoff_ceiling),
                    }
                }
            }
        };
        // A close handshake the server never answers must not hold up the reconnect.
        tokio::spawn(async move {
            let _ = tokio::time::timeout(Duration::from_secs(5), ws.close()).await;
        });
        exit
    }

    /// Handles one text frame; returns how the connection ends when the frame ends it.
    async fn on_frame(&mut self, payload: &Bytes) -> Option<Exit> {
        match decode_event(payload) {
            Ok(UserEvent::ListenKeyExpired(k)) => {
                let ours = k.listen_key == self.key;
                self.queue.push(UserEvent::ListenKeyExpired(k)).await;
                if ours {
                    return Some(self.renew("the server reported listenKeyExpired").await);
                }
            }
            Ok(ev) => {
                if let Some(t) = ev.event_time() {
                    self.last_event_ms = self.last_event_ms.max(t);
                }
                self.queue.push(ev).await
            }
            Err(error) => {
                let cut = payload.len().min(256);
                let frame = String::from_utf8_lossy(&payload[..cut]).replace(&self.key, &redact_key(&self.key));
                self.notice(Notice::Malformed { error, frame });
            }
        }
        None
    }
}
