//! The socket side of the stream server: a hub shared by all connections and one loop per connection.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures::{SinkExt, StreamExt};
use parking_lot::Mutex;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{broadcast, watch};
use tokio::time::{Instant, MissedTickBehavior};
use tokio_websockets::{CloseCode, Message, WebSocketStream};

use super::session::{CloseReason, SessionConfig, StreamSession};
use crate::exchange::events::MarketEvent;
use crate::faults::{Aimed, ConnFault, ConnKind, FaultKind, Faults, SkippedUpdate};
use crate::market::MarketState;

/// Timings and limits of the stream server.
#[derive(Debug, Clone)]
pub struct StreamServerConfig {
    /// Per-connection limits (1024 streams, 5 incoming messages per second).
    pub session: SessionConfig,
    /// The server pings every connection this often (20 s).
    pub ping_interval: Duration,
    /// A connection whose ping got no pong (with the same payload) within this is closed (60 s).
    pub pong_timeout: Duration,
    /// How often time-driven streams are checked (100 ms, the fastest stream period).
    pub tick_interval: Duration,
    /// Connections are closed after this long (24 h), `None` for never.
    pub max_lifetime: Option<Duration>,
    /// Events buffered per connection before it counts as too slow (broadcast channel capacity).
    pub event_buffer: usize,
}

impl Default for StreamServerConfig {
    fn default() -> Self {
        StreamServerConfig {
            session: SessionConfig::default(),
            ping_interval: Duration::from_secs(20),
            pong_timeout: Duration::from_secs(60),
            tick_interval: Duration::from_millis(100),
            max_lifetime: Some(Duration::from_secs(24 * 3600)),
            event_buffer: 65_536,
        }
    }
}

/// Market state a hub keeps up to date from the events it broadcasts.
pub trait HubState: Send + 'static {
    /// What the hub broadcasts.
    type Event: Send + Sync + 'static;
    /// Applies one event.
    fn apply(&mut self, ev: &Self::Event);
    /// Called once after each batch of events (one engine operation).
    fn end_batch(&mut self) {}
}

impl HubState for MarketState {
    type Event = MarketEvent;
    fn apply(&mut self, ev: &MarketEvent) {
        MarketState::apply(self, ev);
    }
    fn end_batch(&mut self) {
        self.seal_aggregates();
    }
}

struct HubInner<St: HubState> {
    state: Arc<Mutex<St>>,
    tx: broadcast::Sender<Arc<St::Event>>,
    shutdown: watch::Sender<u64>,
    /// Faults for every open connection, or aimed at one.
    faults: broadcast::Sender<Aimed>,
    /// Where connections are numbered and listed and what faults did to them is logged (the exchange's own
    /// log; a hub of its own when there is none, whose connections are numbered 0 and not logged).
    log: Option<Arc<Faults>>,
    cfg: StreamServerConfig,
}

/// What every stream connection of one market shares: the market state and the feed of its events.
pub struct Hub<St: HubState> {
    inner: Arc<HubInner<St>>,
}

impl<St: HubState> Clone for Hub<St> {
    fn clone(&self) -> Self {
        Hub { inner: self.inner.clone() }
    }
}

/// The spot market's hub.
pub type StreamHub = Hub<MarketState>;

impl<St: HubState> Hub<St> {
    /// A hub over `state` with the default configuration.
    pub fn new(state: St) -> Hub<St> {
        Hub::with_config(state, StreamServerConfig::default())
    }

    /// A hub with explicit timings and limits.
    pub fn with_config(state: St, cfg: StreamServerConfig) -> Hub<St> {
        Hub::build(state, cfg, None)
    }

    /// A hub whose connections are numbered, listed and logged in `log` (the exchange's fault log), so that
    /// faults can be aimed at one of them ([`Hub::inject_into`]) and their effects matched with a client's view.
    pub fn with_fault_log(state: St, cfg: StreamServerConfig, log: Arc<Faults>) -> Hub<St> {
        Hub::build(state, cfg, Some(log))
    }

    fn build(state: St, cfg: StreamServerConfig, log: Option<Arc<Faults>>) -> Hub<St> {
        let (tx, _) = broadcast::channel(cfg.event_buffer.max(1));
        let (shutdown, _) = watch::channel(0);
        let (faults, _) = broadcast::channel(4096);
        Hub { inner: Arc::new(HubInner { state: Arc::new(Mutex::new(state)), tx, shutdown, faults, log, cfg }) }
    }

    /// The shared market state (also read by the WebSocket API's market-data methods).
    pub fn state(&self) -> Arc<Mutex<St>> {
        self.inner.state.clone()
    }

    /// The configuration.
    pub fn config(&self) -> &StreamServerConfig {
        &self.inner.cfg
    }

    /// Applies a batch of events (one engine operation, e.g. one taker order) to the market state, ends the batch
    /// (sealing aggregate trades) and broadcasts the events to every connection, in order. The state lock is held
    /// while broadcasting, so concurrent publishers cannot reorder events.
    pub fn publish(&self, events: Vec<St::Event>) {
        let mut st = self.inner.state.lock();
        for ev in &events {
            st.apply(ev);
        }
        st.end_batch();
        for ev in events {
            let _ = self.inner.tx.send(Arc::new(ev));
        }
    }

    /// Sends the `serverShutdown` event to every open connection (they stay open; close them by stopping
    /// the server).
    pub fn shutdown_notice(&self) {
        self.inner.shutdown.send_modify(|n| *n += 1);
    }

    /// Fault hook: drops every open stream connection at once, without a close frame (as a network failure
    /// would). New connections are accepted as usual.
    pub fn drop_connections(&self) {
        self.inject(ConnFault::Drop);
    }

    /// Applies a fault to every open stream connection: drop, stall, a malformed frame, `serverShutdown`,
    /// or a skipped depth update (a sequence gap the client must detect).
    pub fn inject(&self, fault: ConnFault) {
        let _ = self.inner.faults.send(Aimed { to: None, fault });
    }

    /// Applies a fault to the open connection numbered `connection` (see
    /// [`Faults::live_connections`]); nothing happens when no connection of this hub has that number.
    pub fn inject_into(&self, connection: u64, fault: ConnFault) {
        let _ = self.inner.faults.send(Aimed { to: Some(connection), fault });
    }

    /// Number of connections currently listening.
    pub fn connections(&self) -> usize {
        self.inner.tx.receiver_count()
    }

    /// Starts receiving this hub's events, shutdown notices and faults for a connection about to be served.
    pub fn listen(&self) -> Listener<St> {
        Listener {
            hub: self.clone(),
            events: self.inner.tx.subscribe(),
            shutdown: self.inner.shutdown.subscribe(),
            faults: self.inner.faults.subscribe(),
        }
    }
}

/// A connection's receivers of one hub's feeds. The exchange takes them before the WebSocket handshake
/// completes, so that whatever happens once the client is connected reaches it: a client may act on its
/// connection at once (place an order, make a deposit) and must see the events. A [`Hub`] converts into one
/// that starts listening at that point.
pub struct Listener<St: HubState> {
    hub: Hub<St>,
    events: broadcast::Receiver<Arc<St::Event>>,
    shutdown: watch::Receiver<u64>,
    faults: broadcast::Receiver<Aimed>,
}

impl<St: HubState> From<Hub<St>> for Listener<St> {
    fn from(hub: Hub<St>) -> Self {
        hub.listen()
    }
}

/// One stream connection's logic without the socket, as the connection loop drives it.
pub trait StreamConn<St: HubState>: Send {
    /// Counts one incoming message; an error closes the connection with that code and reason.
    fn on_incoming(&mut self, now_ms: u64) -> Result<(), CloseReason>;
    /// Answers a text frame (a control message).
    fn on_text(&mut self, text: &str, now_ms: u64) -> String;
    /// Frames for one broadcast event; `state` already contains it.
    fn frames_for(&mut self, ev: &St::Event, state: &St, now_ms: u64) -> Vec<String>;
    /// Frames of the time-driven streams due at `now_ms` (called every `tick_interval`).
    fn on_tick(&mut self, state: &St, now_ms: u64) -> Vec<String>;
    /// The `serverShutdown` frame.
    fn shutdown_frame(&self, now_ms: u64) -> String;
    /// Checked after every tick: `Some` closes the connection (after the tick's frames are sent).
    fn closing(&mut self, _now_ms: u64) -> Option<CloseReason> {
        None
    }
    /// Who the connection serves, for the fault log ([`crate::faults::LiveConn::label`]).
    fn label(&self) -> String {
        String::new()
    }
}

impl StreamConn<MarketState> for StreamSession {
    fn on_incoming(&mut self, now_ms: u64) -> Result<(), CloseReason> {
        StreamSession::on_incoming(self, now_ms)
    }
    fn on_text(&mut self, text: &str, now_ms: u64) -> String {
        StreamSession::on_text(self, text, now_ms)
    }
    fn frames_for(&mut self, ev: &MarketEvent, state: &MarketState, now_ms: u64) -> Vec<String> {
        StreamSession::frames_for(self, ev, state, now_ms)
    }
    fn on_tick(&mut self, state: &MarketState, now_ms: u64) -> Vec<String> {
        StreamSession::on_tick(self, state, now_ms)
    }
    fn shutdown_frame(&self, now_ms: u64) -> String {
        StreamSession::shutdown_frame(self, now_ms)
    }
    fn label(&self) -> String {
        streams_label(self.subscriptions())
    }
}

/// A market stream connection's label: its streams, sorted and joined by `,`.
pub(crate) fn streams_label(mut names: Vec<String>) -> String {
    names.sort();
    names.join(",")
}

/// Milliseconds since the epoch.
pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut i = max;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    &s[..i]
}

pub(crate) async fn close<S: AsyncRead + AsyncWrite + Unpin>(
    ws: &mut WebSocketStream<S>,
    code: CloseCode,
    reason: &str,
) {
    let _ = ws.send(Message::close(Some(code), truncate(reason, 123))).await;
    // Wait (briefly) for the peer's close frame so that the close handshake completes.
    let _ = tokio::time::timeout(Duration::from_secs(2), async { while let Some(Ok(_)) = ws.next().await {} }).await;
}

/// Removes the first depth diff frame when a SkipDepthUpdate fault is pending, and logs which update it was.
fn skip_one_depth(mut frames: Vec<String>, pending: &mut bool, log: &ConnLog) -> Vec<String> {
    if *pending {
        if let Some(i) = frames.iter().position(|f| f.contains("\"e\":\"depthUpdate\"")) {
            let frame = frames.remove(i);
            *pending = false;
            let skipped = skipped_update(&frame);
            let what = match &skipped {
                Some(u) => format!("left out {} depth update {}..={}", u.symbol, u.first_update_id, u.last_update_id),
                None => "left out a depth update".to_string(),
            };
            log.record(FaultKind::Gap, what, skipped);
        }
    }
    frames
}

/// The symbol and update ids of a depth update frame (raw or combined).
fn skipped_update(frame: &str) -> Option<SkippedUpdate> {
    let v: serde_json::Value = serde_json::from_str(frame).ok()?;
    let data = v.get("data").unwrap_or(&v);
    Some(SkippedUpdate {
        symbol: data.get("s")?.as_str()?.to_string(),
        first_update_id: data.get("U")?.as_u64()?,
        last_update_id: data.get("u")?.as_u64()?,
    })
}

/// One stream connection's entry in the exchange's fault log (none for hubs without a log).
struct ConnLog {
    log: Option<(Arc<Faults>, crate::faults::Registered)>,
}

impl ConnLog {
    fn id(&self) -> u64 {
        self.log.as_ref().map_or(0, |(_, r)| r.id)
    }

    fn record(&self, kind: FaultKind, what: String, skipped: Option<SkippedUpdate>) {
        if let Some((log, r)) = &self.log {
            log.record_skip(r.id, kind, what, skipped);
        }
    }

    fn label(&self, label: &str) {
        if let Some((log, r)) = &self.log {
            log.set_label(r.id, label);
        }
    }
}

async fn send_all<S: AsyncRead + AsyncWrite + Unpin>(
    ws: &mut WebSocketStream<S>,
    frames: Vec<String>,
) -> Result<(), tokio_websockets::Error> {
    if frames.is_empty() {
        return Ok(());
    }
    for f in frames {
        ws.feed(Message::text(f)).await?;
    }
    ws.flush().await
}

/// Serves one market stream connection after the HTTP upgrade, until it closes.
///
/// * Control messages are answered per the docs; every incoming text, binary, ping or pong frame counts toward
///   the 5 messages per second limit, and the connection is closed with 1008 beyond it.
/// * Pings are answered with the same payload (the WebSocket layer queues the pong; this loop flushes it).
/// * The server pings every `ping_interval` and closes with 1001 when a ping got no matching pong within
///   `pong_timeout`; unsolicited pongs do not count.
/// * A connection that falls more than `event_buffer` events behind is closed with 1013 ("too slow"):
///   like a real exchange, the server drops slow consumers instead of buffering without bound, and the
///   client sees the loss as a disconnect rather than a silent gap in the diff stream.
/// * An invalid URL (unknown path, invalid stream name, more than 1024 streams) is closed with 1008.
pub async fn serve_stream_connection<S: AsyncRead + AsyncWrite + Unpin + Send>(
    mut ws: WebSocketStream<S>,
    path_and_query: &str,
    hub: impl Into<Listener<MarketState>>,
) {
    let listener = hub.into();
    let session = match StreamSession::from_path(path_and_query, listener.hub.inner.cfg.session.clone(), now_ms()) {
        Ok(s) => s,
        Err(e) => {
            close(&mut ws, CloseCode::POLICY_VIOLATION, &e.to_string()).await;
            return;
        }
    };
    serve_session(ws, session, listener).await;
}

/// Serves one stream connection with an already built session until it closes: the loop of
/// [`serve_stream_connection`] for any market.
pub async fn serve_session<S, St, C>(mut ws: WebSocketStream<S>, mut session: C, hub: impl Into<Listener<St>>)
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
    St: HubState,
    C: StreamConn<St>,
{
    let Listener { hub, events: mut rx, shutdown: mut shutdown_rx, faults: mut fault_rx } = hub.into();
    let cfg = hub.inner.cfg.clone();
    let conn_log = ConnLog { log: hub.inner.log.as_ref().map(|l| (l.clone(), l.register(ConnKind::Stream))) };
    let conn_id = conn_log.id();
    conn_log.label(&session.label());
    // Set by a SkipDepthUpdate fault: the next depth diff frame is not sent.
    let mut skip_depth = false;
    let started = Instant::now();
    // When the connection is closed as at the end of its lifetime (sooner after a Lifetime fault).
    let mut close_at = cfg.max_lifetime.map(|l| started + l);
    let mut tick = tokio::time::interval(cfg.tick_interval);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut ping = tokio::time::interval_at(started + cfg.ping_interval, cfg.ping_interval);
    ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
    // Since when a ping has been waiting for its pong, and the payloads of the pings not yet answered.
    let mut awaiting: Option<Instant> = None;
    let mut outstanding: std::collections::VecDeque<String> = std::collections::VecDeque::new();
    let mut ping_seq: u64 = 0;

    loop {
        tokio::select! {
            msg = ws.next() => {
                let msg = match msg {
                    Some(Ok(m)) => m,
                    _ => return,
                };
                if msg.is_close() {
                    // The WebSocket layer queued the close reply; flush it and stop.
                    let _ = ws.flush().await;
                    return;
                }
                if let Err(c) = session.on_incoming(now_ms()) {
                    if c.code == 1008 {
                        if let Some(log) = &hub.inner.log {
                            log.rate_limit_closed(conn_id, &c.reason);
                        }
                    }
                    let code = CloseCode::try_from(c.code).unwrap_or(CloseCode::POLICY_VIOLATION);
                    close(&mut ws, code, &c.reason).await;
                    return;
                }
                if msg.is_ping() {
                    if ws.flush().await.is_err() {
                        return;
                    }
                } else if msg.is_pong() {
                    if outstanding.iter().any(|p| msg.as_payload()[..] == *p.as_bytes()) {
                        awaiting = None;
                        outstanding.clear();
                    }
                } else if let Some(text) = msg.as_text() {
                    let reply = session.on_text(text, now_ms());
                    conn_log.label(&session.label());
                    if ws.send(Message::text(reply)).await.is_err() {
                        return;
                    }
                }
            }
            ev = rx.recv() => {
                match ev {
                    Ok(ev) => {
                        let frames = {
                            let st = hub.inner.state.lock();
                            session.frames_for(&ev, &st, now_ms())
                        };
                        if send_all(&mut ws, skip_one_depth(frames, &mut skip_depth, &conn_log)).await.is_err() {
                            return;
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        let reason = format!("Client too slow: {n} market events dropped");
                        close(&mut ws, CloseCode::SERVICE_OVERLOAD, &reason).await;
                        return;
                    }
                    Err(broadcast::error::RecvError::Closed) => {
                        close(&mut ws, CloseCode::GOING_AWAY, "Server stopped").await;
                        return;
                    }
                }
            }
            _ = tick.tick() => {
                let frames = {
                    let st = hub.inner.state.lock();
                    session.on_tick(&st, now_ms())
                };
                if send_all(&mut ws, skip_one_depth(frames, &mut skip_depth, &conn_log)).await.is_err() {
                    return;
                }
                if let Some(c) = session.closing(now_ms()) {
                    let code = CloseCode::try_from(c.code).unwrap_or(CloseCode::NORMAL_CLOSURE);
                    close(&mut ws, code, &c.reason).await;
                    return;
                }
                if let Some(sent) = &awaiting {
                    if sent.elapsed() > cfg.pong_timeout {
                        close(&mut ws, CloseCode::GOING_AWAY, "No pong received").await;
                        return;
                    }
                }
                if close_at.is_some_and(|t| Instant::now() >= t) {
                    close(&mut ws, CloseCode::GOING_AWAY, "Connection lifetime exceeded").await;
                    return;
                }
            }
            _ = ping.tick() => {
                ping_seq += 1;
                let payload = format!("{ping_seq}");
                awaiting.get_or_insert_with(Instant::now);
                outstanding.push_back(payload.clone());
                if outstanding.len() > 16 {
                    outstanding.pop_front();
                }
                if ws.send(Message::ping(payload)).await.is_err() {
                    return;
                }
            }
            fault = fault_rx.recv() => match fault.map(|f| (f.hits(conn_id), f.fault)) {
                Ok((false, _)) | Err(_) => {}
                Ok((true, ConnFault::Drop)) => {
                    conn_log.record(FaultKind::Drop, "dropped".into(), None);
                    return;
                }
                Ok((true, ConnFault::Stall(d))) => {
                    conn_log.record(FaultKind::Stall, format!("stalled for {d:?}"), None);
                    // Read nothing and send nothing until the stall ends (a drop still ends it).
                    let until = Instant::now() + d;
                    loop {
                        tokio::select! {
                            _ = tokio::time::sleep_until(until) => break,
                            f = fault_rx.recv() => if f.is_ok_and(|f| f.hits(conn_id) && f.fault == ConnFault::Drop) {
                                conn_log.record(FaultKind::Drop, "dropped".into(), None);
                                return;
                            },
                        }
                    }
                }
                Ok((true, ConnFault::Malformed)) => {
                    conn_log.record(FaultKind::Malformed, "sent a malformed frame".into(), None);
                    if ws.send(Message::text("{\"e\":")).await.is_err() {
                        return;
                    }
                }
                Ok((true, ConnFault::ServerShutdown)) => {
                    conn_log.record(FaultKind::ServerShutdown, "sent serverShutdown".into(), None);
                    if ws.send(Message::text(session.shutdown_frame(now_ms()))).await.is_err() {
                        return;
                    }
                }
                Ok((true, ConnFault::SkipDepthUpdate)) => skip_depth = true,
                Ok((true, ConnFault::Lifetime(d))) => {
                    conn_log.record(FaultKind::Lifetime, format!("closing in {d:?}"), None);
                    let at = Instant::now() + d;
                    close_at = Some(close_at.map_or(at, |t| t.min(at)));
                }
            },
            changed = shutdown_rx.changed() => {
                if changed.is_err() {
                    continue;
                }
                let frame = session.shutdown_frame(now_ms());
                if ws.send(Message::text(frame)).await.is_err() {
                    return;
                }
            }
        }
    }
}
