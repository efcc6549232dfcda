//! The API client handle: builds and signs requests, registers them in the in-flight map, writes
//! them on the socket itself and waits for the reply, reading the socket itself while it waits
//! (`reader.rs`); whoever reads routes every reply to its waiter.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use futures::SinkExt;
use parking_lot::Mutex;
use serde::de::DeserializeOwned;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio_websockets::Message;

use super::connection::{run_connection, Command};
use super::frame::{build, uses_session};
use super::inflight::{expire_requests, Claim, InFlight, Pending};
use super::ratelimit::RateLimitLog;
use super::reader::{Ended, Reader, ReplyWait};
use super::writer::{Queued, Writer};
use super::{changes_state, Params, RateLimits, Security};
use crate::env::Product;
use crate::error::ApiError;
use crate::transport::{ConnectionEvent, TransportConfig};
use crate::{Credentials, Error, Result};

/// Settings of an API connection.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// How long to wait for a reply before failing with [`Error::Timeout`].
    pub request_timeout: Duration,
    /// `recvWindow` sent with signed requests, in milliseconds (up to 3 decimals); `None` uses the server's 5000.
    pub recv_window_ms: Option<f64>,
    /// Log the session on (`session.logon`) after every (re)connect when the key is Ed25519, so that
    /// signed requests need only a `timestamp`.
    pub auto_logon: bool,
    /// Measure the server-time offset (`time`) on connect when credentials are given.
    pub sync_time: bool,
    /// Connection keep-alive and reconnect settings.
    pub transport: TransportConfig,
    /// Capacity of the event channel (user data, connection events). A slow reader sees `Lagged`.
    pub event_capacity: usize,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            request_timeout: Duration::from_secs(10),
            recv_window_ms: None,
            auto_logon: true,
            sync_time: true,
            transport: TransportConfig::default(),
            event_capacity: 4096,
        }
    }
}

/// Something the server pushed on the API connection, or a change of the connection itself.
#[derive(Debug, Clone)]
pub enum ApiEvent {
    /// A user data stream event (`{"subscriptionId":..,"event":{..}}`), kept as its raw JSON.
    UserData {
        /// The subscription it belongs to.
        subscription_id: Option<u64>,
        /// The event's `e` field.
        event_type: String,
        /// The event object's JSON.
        raw: Arc<str>,
    },
    /// Connected, reconnecting, rotated or closed.
    Connection(ConnectionEvent),
    /// A frame that could not be read as a WebSocket API message (not JSON): skipped. If it was the reply to
    /// a request, that request fails with [`Error::Timeout`](crate::Error::Timeout) when its time is up.
    Undecodable {
        /// The decoder's message.
        reason: String,
        /// The start of the frame (at most 200 bytes).
        frame: String,
    },
}

/// The reply to one request, as the connection task hands it over: the whole frame and where things are.
pub(crate) struct Reply {
    pub frame: Bytes,
    pub status: u16,
    pub result: Option<Range<usize>>,
    pub error: Option<(i64, String, Option<u64>)>,
}

/// State shared by the handles and the connection task.
pub(crate) struct Shared {
    pub url: String,
    /// Which API this is: decides how the server clock is read (spot `time`, futures `session.status`).
    pub product: Product,
    pub credentials: Option<Credentials>,
    pub config: ApiConfig,
    pub pending: Mutex<InFlight>,
    /// The socket's write half; a handle holds it only while writing its own request.
    pub writer: tokio::sync::Mutex<Writer>,
    /// The socket's read half, read by the waiting handles and the connection task.
    pub reader: Reader,
    pub next_id: AtomicU64,
    pub rate_limits: Mutex<RateLimitLog>,
    /// Epoch ms until which nothing is sent (429 back-off or 418 ban), and which of the two.
    pub blocked: Mutex<Option<(u64, &'static str)>>,
    pub time_offset_ms: AtomicI64,
    pub logged_on: AtomicBool,
    pub events: broadcast::Sender<ApiEvent>,
    /// Spot user data subscriptions made with `Api::user_data`: routing and restoring (crate::user_data).
    pub user_data: crate::user_data::SessionSubscriptions,
}

impl Shared {
    pub fn now_ms() -> u64 {
        SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
    }

    /// Local time corrected by the measured server-time offset.
    pub fn server_now_ms(&self) -> u64 {
        (Self::now_ms() as i64 + self.time_offset_ms.load(Ordering::Relaxed)).max(0) as u64
    }

    pub fn publish(&self, event: ApiEvent) {
        if let ApiEvent::Connection(change) = &event {
            self.user_data.on_connection(change);
        }
        // No receiver is fine: events are optional to consume.
        let _ = self.events.send(event);
    }
}

/// A connection to a Binance WebSocket API endpoint. Cheap to clone; all clones share one socket,
/// which reconnects by itself (see [`TransportConfig`]).
///
/// ```no_run
/// # async fn run() -> binance_ws::Result<()> {
/// use binance_ws::api::{ApiClient, Security};
/// let api = ApiClient::connect("ws://127.0.0.1:9443/ws-api/v3", None, Default::default()).await?;
/// let time = api.call("time", serde_json::Value::Null, Security::None).await?;
/// println!("{time}");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ApiClient {
    shared: Arc<Shared>,
    /// Unbounded: a caller hands over at most one command per request and must never wait to do so.
    commands: mpsc::UnboundedSender<Command>,
    _task: Arc<TaskGuard>,
}

/// Stops the connection task and the timeout timer when the last handle is dropped.
struct TaskGuard([tokio::task::AbortHandle; 2]);

impl Drop for TaskGuard {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

impl std::fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiClient")
            .field("url", &self.shared.url)
            .field("credentials", &self.shared.credentials)
            .finish_non_exhaustive()
    }
}

impl ApiClient {
    /// Connects to `url` (for example `Env::api_url(Product::Spot)`), logs on when the key allows it and
    /// measures the server-time offset. Fails if the first connection cannot be made.
    pub async fn connect(url: &str, credentials: Option<Credentials>, config: ApiConfig) -> Result<Self> {
        Self::connect_product(url, credentials, config, Product::Spot).await
    }

    /// Like [`ApiClient::connect`] for a futures endpoint (`Product::UsdM`, `Product::CoinM`), whose
    /// server clock is read from `session.status` (the futures APIs have no `time` method).
    pub async fn connect_product(
        url: &str,
        credentials: Option<Credentials>,
        config: ApiConfig,
        product: Product,
    ) -> Result<Self> {
        super::check_recv_window(config.recv_window_ms)?;
        let ws = crate::transport::connect(url, config.transport.connect_timeout).await?;
        let (events, _) = broadcast::channel(config.event_capacity.max(16));
        let shared = Arc::new(Shared {
            url: url.to_string(),
            product,
            credentials,
            config,
            pending: Mutex::new(InFlight::default()),
            writer: tokio::sync::Mutex::new(Writer::new()),
            reader: Reader::new(),
            next_id: AtomicU64::new(1),
            rate_limits: Mutex::new(RateLimitLog::default()),
            blocked: Mutex::new(None),
            time_offset_ms: AtomicI64::new(0),
            logged_on: AtomicBool::new(false),
            events,
            user_data: Default::default(),
        });
        let (commands, rx) = mpsc::unbounded_channel();
        let task = tokio::spawn(run_connection(shared.clone(), ws, rx));
        let timer = tokio::spawn(expire_requests(shared.clone()));
        let client =
            ApiClient { shared, commands, _task: Arc::new(TaskGuard([task.abort_handle(), timer.abort_handle()])) };
        if client.shared.credentials.is_some() && client.shared.config.sync_time {
            client.sync_time().await?;
        }
        if client.shared.credentials.as_ref().is_some_and(|c| c.can_logon()) && client.shared.config.auto_logon {
            client.wait_logged_on().await?;
        }
        Ok(client)
    }

    /// Sends `method` with `params`, signed as `security` asks, and decodes the reply's `result` into `T`.
    pub async fn request<T: DeserializeOwned>(&self, method: &str, params: Params, security: Security) -> Result<T> {
        let reply = self.send(method, params, security).await?;
        let range = reply.result.ok_or_else(|| Error::decode("response", "no `result`", &reply.frame))?;
        let body = &reply.frame[range];
        serde_json::from_slice(body).map_err(|e| {
            // Binance documents some errors as status 200 with an error object as the `result`
            // (web-socket-api.md, "Query Reference Price": "If no reference price has ever been set",
            // `{"code": -2043, "msg": ...}`): when that is what failed to decode, it is that error.
            #[derive(serde::Deserialize)]
            #[serde(deny_unknown_fields)]
            struct ErrorResult {
                code: i64,
                msg: String,
            }
            match serde_json::from_slice::<ErrorResult>(body) {
                Ok(ErrorResult { code, msg }) if code < 0 => {
                    ApiError { method: method.to_string(), status: reply.status, code, msg, retry_after_ms: None }
                        .into()
                }
                _ => Error::decode("response result", e, body),
            }
        })
    }

    /// Any method, untyped: signed when `security` asks; returns the raw `result`.
    pub async fn call(&self, method: &str, params: serde_json::Value, security: Security) -> Result<serde_json::Value> {
        self.request(method, params_from_value(params)?, security).await
    }

    /// Sends without waiting for the reply (fire-and-forget); returns the request id.
    /// The reply still updates the rate-limit usage.
    pub async fn send_no_wait(&self, method: &str, params: Params, security: Security) -> Result<u64> {
        let (id, mut rx) = self.register(method, &params, security)?;
        // Failures before the request was written (closed, timed out) are reported; its reply is not awaited.
        if let Some(Ok(Err(e))) = self.dispatch(id, method, params, security, &mut rx, None).await {
            return Err(e);
        }
        Ok(id)
    }

    /// The rate-limit usage reported by the latest responses.
    pub fn rate_limits(&self) -> RateLimits {
        self.shared.rate_limits.lock().usage().clone()
    }

    /// Events pushed on this connection (user data) and its state changes.
    pub fn events(&self) -> broadcast::Receiver<ApiEvent> {
        self.shared.events.subscribe()
    }

    /// The user data subscriptions of this connection (crate::user_data).
    pub(crate) fn session_subscriptions(&self) -> &crate::user_data::SessionSubscriptions {
        &self.shared.user_data
    }

    /// The credentials this client signs with, if any.
    pub fn credentials(&self) -> Option<&Credentials> {
        self.shared.credentials.as_ref()
    }

    /// True while the session is logged on (`session.logon` answered 200 on the current connection).
    pub fn is_logged_on(&self) -> bool {
        self.shared.logged_on.load(Ordering::Acquire)
    }

    /// The measured offset of the server clock against ours, in ms (added to `timestamp`).
    pub fn time_offset_ms(&self) -> i64 {
        self.shared.time_offset_ms.load(Ordering::Relaxed)
    }

    /// Measures the server-time offset and applies it to every later `timestamp`: with `time` on spot,
    /// with `session.status` (which carries `serverTime`) on the futures APIs.
    pub async fn sync_time(&self) -> Result<i64> {
        #[derive(serde::Deserialize)]
        struct Time {
            #[serde(rename = "serverTime")]
            server_time: i64,
        }
        let method = match self.shared.product {
            Product::Spot => "time",
            Product::UsdM | Product::CoinM => "session.status",
        };
        let before = Shared::now_ms() as i64;
        let t: Time = self.request(method, Params::new(), Security::None).await?;
        let after = Shared::now_ms() as i64;
        let offset = t.server_time - (before + after) / 2;
        self.shared.time_offset_ms.store(offset, Ordering::Relaxed);
        Ok(offset)
    }

    /// Closes the connection; pending requests fail and the task ends.
    pub async fn close(&self) {
        let _ = self.commands.send(Command::Close);
    }

    async fn wait_logged_on(&self) -> Result<()> {
        let deadline = tokio::time::Instant::now() + self.shared.config.request_timeout;
        while !self.is_logged_on() {
            if tokio::time::Instant::now() >= deadline {
                return Err(Error::Connect {
                    url: self.shared.url.clone(),
                    reason: "session.logon was not accepted in time".into(),
                });
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        Ok(())
    }

    fn next_id(&self) -> u64 {
        self.shared.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Sends a request and waits for its reply; error statuses become errors.
    async fn send(&self, method: &str, params: Params, security: Security) -> Result<Reply> {
        let order_id = client_order_id(&params);
        let (id, mut rx) = self.register(method, &params, security)?;
        let mut wait = ReplyWait::new(&self.shared, id);
        let ended = match self.dispatch(id, method, params, security, &mut rx, Some(&mut wait)).await {
            Some(ended) => ended,
            None => std::future::poll_fn(|cx| wait.poll_reply(&mut rx, cx)).await,
        };
        drop(wait);
        // The sender goes away without a word only when the connection task is gone.
        let reply = ended.map_err(|_| Error::Closed)??;
        check_status(method, order_id, &reply)?;
        Ok(reply)
    }

    /// Checks that the request may be sent and enters it in the in-flight map, with its deadline.
    fn register(
        &self,
        method: &str,
        params: &Params,
        security: Security,
    ) -> Result<(u64, oneshot::Receiver<Result<Reply>>)> {
        if let Some((until, kind)) = *self.shared.blocked.lock() {
            if Shared::now_ms() < until {
                return Err(Error::RateLimited { kind, until_ms: until });
            }
        }
        if security != Security::None && self.shared.credentials.is_none() {
            return Err(Error::NoCredentials { method: method.to_string() });
        }
        let id = self.next_id();
        let (tx, rx) = oneshot::channel();
        let pending = Pending {
            method: method.to_string(),
            changes_state: changes_state(method),
            client_order_id: client_order_id(params),
            generation: None,
            deadline: tokio::time::Instant::now() + self.shared.config.request_timeout,
            reply: Some(tx),
        };
        self.shared.pending.lock().insert(id, pending)?;
        Ok((id, rx))
    }

    /// Signs, serializes and writes request `id` (or queues it while no connection takes requests).
    /// Returns what arrived on `rx` if the request ended (timed out, connection closed) before that;
    /// such a request is never written. With `wait`, the socket is read meanwhile (see [`ReplyWait`]).
    async fn dispatch(
        &self,
        id: u64,
        method: &str,
        mut params: Params,
        security: Security,
        rx: &mut oneshot::Receiver<Result<Reply>>,
        wait: Option<&mut ReplyWait<'_>>,
    ) -> Option<Ended> {
        // Signing and serializing happen before any lock is taken.
        let session = self.shared.logged_on.load(Ordering::Acquire);
        let frame = build(&self.shared, id, method, &mut params, security, session);
        let read = async {
            match wait {
                Some(wait) => std::future::poll_fn(|cx| wait.poll_meanwhile(cx)).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            ended = rx => Some(ended),
            // Polled before the write: the reply to this request wakes this caller, not the connection task.
            () = read => None,
            () = self.write(id, method, params, security, frame) => None,
        }
    }

    /// Writes a built request on the current connection, or queues it.
    ///
    /// A caller never waits for the writer or the socket while holding either: a caller's future polled
    /// once and then left unpolled (kept in a `select!`, say) would hold them and stop every other write.
    /// When the writer or the socket is busy, the connection task, which is always polled, writes the
    /// request instead.
    async fn write(&self, id: u64, method: &str, mut params: Params, security: Security, mut frame: String) {
        // The caller's waker: the writer's work below is done without awaiting (a `Context` is not `Send`, so
        // one is made where it is needed).
        let waker = std::future::poll_fn(|cx| Poll::Ready(cx.waker().clone())).await;
        let Ok(mut guard) = self.shared.writer.try_lock() else {
            let request = Queued { id, method: method.to_string(), params, security };
            let _ = self.commands.send(Command::Write(request));
            return;
        };
        let writer = &mut *guard;
        match self.shared.pending.lock().claim(id, writer.generation()) {
            Claim::Gone => return,
            Claim::Queue => {
                writer.queue.push_back(Queued { id, method: method.to_string(), params, security });
                return;
            }
            Claim::Write => {}
        }
        if uses_session(&params, security, true) && !self.shared.logged_on.load(Ordering::Acquire) {
            // Built for a session that has ended since (or on a connection not yet logged on): sign in full.
            frame = build(&self.shared, id, method, &mut params, security, false);
        }
        let Some((sink, generation)) = writer.sink.as_mut() else { return };
        let generation = *generation;
        match sink.poll_ready_unpin(&mut Context::from_waker(&waker)) {
            Poll::Ready(Ok(())) => {}
            Poll::Ready(Err(e)) => return self.write_failed(generation, e),
            Poll::Pending => {
                // The socket is full: the connection task writes the frame on the connection it was claimed for.
                let _ = self.commands.send(Command::WriteFrame { generation, frame });
                return;
            }
        }
        if let Err(e) = sink.start_send_unpin(Message::text(frame)) {
            return self.write_failed(generation, e);
        }
        writer.last_write = tokio::time::Instant::now();
        writer.unflushed = true;
        drop(guard);
        // The flush waits one turn of the caller's task, so that requests made in the same turn (pipelined
        // callers polled together) go out in one write. Whoever flushes first sends them all; a caller
        // dropped meanwhile, or one that finds the writer or the socket busy, leaves the flush to the
        // connection task.
        let pending_flush = FlushOnDrop(&self.commands);
        tokio::task::yield_now().await;
        std::mem::forget(pending_flush);
        let flushed = match self.shared.writer.try_lock() {
            Ok(mut writer) => writer.poll_flush(&mut Context::from_waker(&waker)),
            Err(_) => Poll::Pending,
        };
        match flushed {
            Poll::Ready(Ok(())) => {}
            Poll::Ready(Err((generation, e))) => self.write_failed(generation, e),
            Poll::Pending => {
                let _ = self.commands.send(Command::Flush);
            }
        }
    }

    /// The request is failed with the connection it was written on; the task learns of the loss here in
    /// case the read half has not noticed.
    fn write_failed(&self, generation: u64, e: tokio_websockets::Error) {
        let reason = format!("send failed: {e}");
        let _ = self.commands.send(Command::WriteFailed { generation, reason });
    }
}

/// Asks the connection task to flush the socket when a caller whose request is still unflushed goes away.
struct FlushOnDrop<'a>(&'a mpsc::UnboundedSender<Command>);

impl Drop for FlushOnDrop<'_> {
    fn drop(&mut self) {
        let _ = self.0.send(Command::Flush);
    }
}

/// The client order id a request names, to look the order up by when its outcome is unknown.
fn client_order_id(params: &Params) -> Option<String> {
    params
        .get("newClientOrderId")
        .or_else(|| params.get("origClientOrderId"))
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

/// Turns error statuses into errors: 4xx as [`Error::Api`], 5xx as "execution status unknown"
/// (with the request's client order id).
fn check_status(method: &str, client_order_id: Option<String>, reply: &Reply) -> Result<()> {
    if reply.status < 400 {
        return Ok(());
    }
    let (code, msg, retry_after_ms) = reply.error.clone().unwrap_or((0, String::from("(no error object)"), None));
    if reply.status >= 500 {
        return Err(Error::ExecutionUnknown {
            method: method.to_string(),
            reason: format!("server answered {} ({code}: {msg})", reply.status),
            client_order_id,
        });
    }
    Err(ApiError { method: method.to_string(), status: reply.status, code, msg, retry_after_ms }.into())
}

/// Untyped params: an object or nothing.
pub(crate) fn params_from_value(params: serde_json::Value) -> Result<Params> {
    match params {
        serde_json::Value::Object(m) => Ok(m),
        serde_json::Value::Null => Ok(Params::new()),
        other => Err(Error::InvalidRequest(format!("params must be a JSON object, not {other}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(status: u16, error: Option<(i64, &str, Option<u64>)>) -> Reply {
        Reply { frame: Bytes::new(), status, result: None, error: error.map(|(c, m, r)| (c, m.to_string(), r)) }
    }

    #[test]
    fn server_errors_mean_execution_unknown_and_client_errors_keep_their_code() {
        let err = check_status("order.place", Some("o-1".into()), &reply(503, Some((-1007, "Timeout waiting", None))))
            .unwrap_err();
        assert!(matches!(&err, Error::ExecutionUnknown { client_order_id: Some(c), .. } if c == "o-1"), "{err}");
        assert!(err.to_string().contains("query the order"), "{err}");
        let err = check_status("depth", None, &reply(400, Some((-1121, "Invalid symbol.", None)))).unwrap_err();
        assert_eq!(err.code(), Some(-1121));
        assert!(err.to_string().contains("unknown symbol"), "hint missing: {err}");
        let err = check_status("time", None, &reply(418, Some((-1003, "banned", Some(42))))).unwrap_err();
        match err {
            Error::Api(e) => assert_eq!((e.status, e.retry_after_ms), (418, Some(42))),
            other => panic!("{other}"),
        }
        assert!(check_status("time", None, &reply(200, None)).is_ok());
    }
}
