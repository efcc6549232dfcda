//! The task that owns the API socket: signs and sends requests, routes replies to their waiters,
//! answers pings, watches for stalls, logs on after every connect, rotates before the lifetime
//! cut-off or on `serverShutdown`, and reconnects with backoff. A request in flight when the socket
//! drops fails at once; it is never resent.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tokio::time::{sleep_until, Instant};
use tokio_websockets::Message;

use super::client::{ApiEvent, Pending, Reply, Shared};
use super::envelope::{Envelope, Push};
use super::{Params, Security};
use crate::auth::sign_params;
use crate::transport::{classify_close, connect, Backoff, CloseKind, ConnectionEvent, WsStream};
use crate::Error;

/// What the handles ask of the task.
pub(crate) enum Command {
    /// Sign (if asked) and send a request already registered in the in-flight map.
    Send { id: u64, method: String, params: Params, security: Security },
    /// Close the connection and end the task.
    Close,
}

/// Ids of requests the task sends for itself (logon) live above this, never colliding with the handles'.
const INTERNAL_IDS: u64 = 1 << 62;

/// How long a replaced connection is kept to receive the replies still owed on it.
const DRAIN_OLD: Duration = Duration::from_secs(10);

/// Why the inner loop ended.
enum Exit {
    /// The socket dropped or stalled: reconnect.
    Lost(String),
    /// The server closed with a code that a reconnect will not fix.
    Refused(u16, String),
    /// The user closed the client.
    Closed,
}

struct Conn {
    shared: Arc<Shared>,
    generation: u64,
    next_internal: u64,
    /// A connection being retired after a rotation, read until its replies are in.
    old: Option<(WsStream, u64, Instant)>,
}

pub(crate) async fn run_connection(shared: Arc<Shared>, first: WsStream, mut commands: mpsc::Receiver<Command>) {
    let mut conn = Conn { shared: shared.clone(), generation: 0, next_internal: INTERNAL_IDS, old: None };
    let cfg = shared.config.transport.clone();
    let mut backoff = Backoff::new(cfg.backoff_floor, cfg.backoff_ceiling, cfg.max_attempts);
    let mut ws = Some(first);
    loop {
        let socket = match ws.take() {
            Some(s) => s,
            None => match reconnect(&shared, &mut backoff, "connection lost").await {
                Some(s) => s,
                None => break,
            },
        };
        backoff.reset();
        shared.publish(ApiEvent::Connection(ConnectionEvent::Connected {
            url: shared.url.clone(),
            generation: conn.generation,
        }));
        tracing::info!(url = %shared.url, generation = conn.generation, "API connected");
        match conn.serve(socket, &mut commands).await {
            Exit::Lost(reason) => {
                tracing::warn!(%reason, "API connection lost");
                conn.fail_pending(conn.generation, &reason);
                conn.generation += 1;
                match reconnect(&shared, &mut backoff, &reason).await {
                    Some(s) => ws = Some(s),
                    None => break,
                }
            }
            Exit::Refused(code, reason) => {
                conn.fail_pending(conn.generation, &reason);
                shared.publish(ApiEvent::Connection(ConnectionEvent::Closed {
                    reason: format!("refused by the server (close code {code}: {reason})"),
                }));
                break;
            }
            Exit::Closed => {
                conn.fail_pending(conn.generation, "client closed");
                shared.publish(ApiEvent::Connection(ConnectionEvent::Closed { reason: "closed by the user".into() }));
                break;
            }
        }
    }
    // Whatever is left (including requests queued while reconnecting) fails now.
    let left: Vec<_> = shared.pending.lock().drain().collect();
    for (_, p) in left {
        if let Some(tx) = p.reply {
            let _ = tx.send(Err(Error::Closed));
        }
    }
}

/// Waits out the backoff and connects again; `None` when the attempts are used up.
async fn reconnect(shared: &Arc<Shared>, backoff: &mut Backoff, reason: &str) -> Option<WsStream> {
    shared.logged_on.store(false, Ordering::Release);
    loop {
        let Some(delay) = backoff.next_delay() else {
            shared.publish(ApiEvent::Connection(ConnectionEvent::Closed {
                reason: format!("gave up after {} attempts: {reason}", backoff.attempt()),
            }));
            return None;
        };
        shared.publish(ApiEvent::Connection(ConnectionEvent::Reconnecting {
            reason: reason.to_string(),
            attempt: backoff.attempt(),
            delay,
        }));
        tokio::time::sleep(delay).await;
        match connect(&shared.url, shared.config.transport.connect_timeout).await {
            Ok(ws) => return Some(ws),
            Err(e) => tracing::warn!(error = %e, attempt = backoff.attempt(), "API reconnect failed"),
        }
    }
}

impl Conn {
    /// Serves one connection until it ends.
    async fn serve(&mut self, mut ws: WsStream, commands: &mut mpsc::Receiver<Command>) -> Exit {
        let cfg = self.shared.config.transport.clone();
        self.shared.logged_on.store(false, Ordering::Release);
        if let Err(e) = self.logon(&mut ws).await {
            return Exit::Lost(e);
        }
        let mut last_rx = Instant::now();
        let mut last_tx = Instant::now();
        let mut rotate_at = cfg.lifetime.map(|l| Instant::now() + l);
        let mut rotate_reason: Option<String> = None;
        loop {
            if let Some(reason) = rotate_reason.take() {
                match self.rotate(&mut ws, &reason).await {
                    Ok(()) => {
                        last_rx = Instant::now();
                        rotate_at = cfg.lifetime.map(|l| Instant::now() + l);
                    }
                    // The old connection still works: keep it and try again later.
                    Err(e) => {
                        tracing::warn!(error = %e, "rotation failed, keeping the current connection");
                        rotate_at = Some(Instant::now() + cfg.backoff_ceiling);
                    }
                }
            }
            let stall_at = last_rx + cfg.stall_timeout;
            let ping_at = last_tx + cfg.idle_ping;
            let rotate_deadline = rotate_at.unwrap_or_else(far_future);
            let old_deadline = self.old.as_ref().map(|o| o.2).unwrap_or_else(far_future);
            tokio::select! {
                biased;
                frame = ws.next() => match frame {
                    Some(Ok(msg)) => {
                        last_rx = Instant::now();
                        if msg.is_ping() {
                            // tokio-websockets queues the pong; flush it now rather than with the next send.
                            if ws.flush().await.is_err() {
                                return Exit::Lost("could not answer ping".into());
                            }
                        } else if let Some((code, reason)) = msg.as_close() {
                            let code: u16 = code.into();
                            let reason = reason.to_string();
                            return match classify_close(code) {
                                CloseKind::Permanent => Exit::Refused(code, reason),
                                CloseKind::Retry => Exit::Lost(format!("server closed ({code}: {reason})")),
                            };
                        } else if msg.is_text() {
                            if let Some(reason) = self.on_frame(msg.into_payload().into(), self.generation) {
                                rotate_reason = Some(reason);
                            }
                        }
                    }
                    Some(Err(e)) => return Exit::Lost(format!("socket error: {e}")),
                    None => return Exit::Lost("socket closed".into()),
                },
                cmd = commands.recv() => match cmd {
                    Some(Command::Send { id, method, params, security }) => {
                        let Some(frame) = self.build_frame(id, &method, params, security) else { continue };
                        if let Err(e) = ws.send(Message::text(frame)).await {
                            return Exit::Lost(format!("send failed: {e}"));
                        }
                        last_tx = Instant::now();
                    }
                    Some(Command::Close) | None => {
                        let _ = ws.close().await;
                        return Exit::Closed;
                    }
                },
                old = next_old(&mut self.old) => {
                    match old {
                        Some(Ok(msg)) if msg.is_text() => {
                            let generation = self.old.as_ref().map_or(self.generation, |o| o.1);
                            self.on_frame(msg.into_payload().into(), generation);
                        }
                        Some(Ok(_)) => {}
                        _ => self.retire_old("old connection ended"),
                    }
                    if self.old.as_ref().is_some_and(|o| !self.owes(o.1)) {
                        self.retire_old("all replies received");
                    }
                }
                _ = sleep_until(old_deadline) => self.retire_old("drain time over"),
                _ = sleep_until(ping_at) => {
                    if ws.send(Message::ping(Bytes::new())).await.is_err() {
                        return Exit::Lost("could not send ping".into());
                    }
                    last_tx = Instant::now();
                }
                _ = sleep_until(stall_at) => {
                    return Exit::Lost(format!("stalled: nothing received for {:?}", cfg.stall_timeout));
                }
                _ = sleep_until(rotate_deadline) => {
                    rotate_reason = Some("connection lifetime reached".into());
                }
            }
        }
    }

    /// Opens the replacement connection, logs it on and makes it current; the old one is read until
    /// the replies still owed on it arrive.
    async fn rotate(&mut self, ws: &mut WsStream, reason: &str) -> Result<(), String> {
        let mut fresh =
            connect(&self.shared.url, self.shared.config.transport.connect_timeout).await.map_err(|e| e.to_string())?;
        self.shared.logged_on.store(false, Ordering::Release);
        self.retire_old("replaced again");
        let old_generation = self.generation;
        self.generation += 1;
        self.logon(&mut fresh).await?;
        let old = std::mem::replace(ws, fresh);
        self.old = Some((old, old_generation, Instant::now() + DRAIN_OLD));
        tracing::info!(%reason, generation = self.generation, "API connection rotated");
        self.shared.publish(ApiEvent::Connection(ConnectionEvent::Rotated {
            reason: reason.to_string(),
            generation: self.generation,
        }));
        Ok(())
    }

    fn retire_old(&mut self, why: &str) {
        if let Some((mut ws, generation, _)) = self.old.take() {
            self.fail_pending(generation, why);
            self.shared.user_data.retired(generation);
            tokio::spawn(async move {
                let _ = ws.close().await;
            });
        }
    }

    /// True while a request sent on `generation` still waits for its reply, or a user data subscription
    /// on it has not moved to the new connection yet.
    fn owes(&self, generation: u64) -> bool {
        self.shared.pending.lock().values().any(|p| p.generation == generation && p.reply.is_some())
            || self.shared.user_data.holds(generation)
    }

    /// Sends `session.logon` when the key allows it; the reply flips `logged_on`.
    async fn logon(&mut self, ws: &mut WsStream) -> Result<(), String> {
        let Some(creds) = self.shared.credentials.as_ref() else { return Ok(()) };
        if !(creds.can_logon() && self.shared.config.auto_logon) {
            return Ok(());
        }
        let id = self.next_internal;
        self.next_internal += 1;
        self.shared.pending.lock().insert(
            id,
            Pending {
                method: "session.logon".into(),
                changes_state: false,
                client_order_id: None,
                generation: self.generation,
                reply: None,
            },
        );
        let mut params = Params::new();
        sign_params(creds, &mut params, self.shared.server_now_ms(), self.shared.config.recv_window_ms, true);
        let frame = request_frame(id, "session.logon", &params);
        ws.send(Message::text(frame)).await.map_err(|e| format!("logon send failed: {e}"))
    }

    /// Signs and serializes a request; `None` when its waiter gave up in the meantime (never send a
    /// request whose caller was told it timed out).
    fn build_frame(&self, id: u64, method: &str, mut params: Params, security: Security) -> Option<String> {
        {
            let mut pending = self.shared.pending.lock();
            let entry = pending.get_mut(&id)?;
            entry.generation = self.generation;
        }
        if let (Security::Signed, Some(creds)) = (security, self.shared.credentials.as_ref()) {
            let ts = self.shared.server_now_ms();
            if self.shared.logged_on.load(Ordering::Acquire) {
                // A logged-on session needs only the timestamp (web-socket-api.md, Session Authentication).
                params.insert("timestamp".into(), ts.into());
                if let Some(w) = self.shared.config.recv_window_ms {
                    params.insert("recvWindow".into(), super::recv_window_value(w));
                }
            } else {
                sign_params(creds, &mut params, ts, self.shared.config.recv_window_ms, true);
            }
        } else if let (Security::ApiKey, Some(creds)) = (security, self.shared.credentials.as_ref()) {
            params.insert("apiKey".into(), creds.api_key().into());
        }
        Some(request_frame(id, method, &params))
    }

    /// Routes one text frame that arrived on the socket of `generation`. Returns a rotation reason when the
    /// server announced its shutdown.
    fn on_frame(&mut self, frame: Bytes, generation: u64) -> Option<String> {
        let env = match Envelope::parse(&frame) {
            Ok(env) => env,
            Err(e) => {
                tracing::warn!(error = %e, frame = %String::from_utf8_lossy(&frame[..frame.len().min(200)]), "undecodable API frame");
                return None;
            }
        };
        if let Some(limits) = env.rate_limits.clone() {
            self.shared.rate_limits.lock().update(limits);
        }
        match env.push(&frame) {
            Some(Push::ServerShutdown) => return Some("server announced shutdown".into()),
            Some(Push::Event { subscription_id, event_type, raw }) => {
                if let Some(range) = env.event_range(&frame) {
                    self.shared.user_data.route(generation, subscription_id, frame.slice(range));
                }
                self.shared.publish(ApiEvent::UserData { subscription_id, event_type, raw });
                return None;
            }
            None => {}
        }
        let status = env.status.unwrap_or(0);
        let error = env.error.as_ref().map(|e| (e.code, e.msg.clone(), e.data.as_ref().and_then(|d| d.retry_after)));
        if status == 418 || status == 429 {
            let until = error.as_ref().and_then(|e| e.2).unwrap_or_else(|| Shared::now_ms() + 60_000);
            let kind = if status == 418 { "IP ban (418)" } else { "rate limit (429)" };
            *self.shared.blocked.lock() = Some((until, kind));
        }
        let Some(id) = env.numeric_id() else {
            if let Some((code, msg, _)) = error {
                // `id: null` errors concern the session itself (e.g. a revoked key).
                tracing::warn!(code, %msg, "session-level error from the server");
                if code == -2015 {
                    self.shared.logged_on.store(false, Ordering::Release);
                }
            }
            return None;
        };
        let result = env.result_range(&frame);
        let pending = self.shared.pending.lock().remove(&id)?;
        if id >= INTERNAL_IDS {
            if pending.method == "session.logon" {
                let ok = status == 200;
                self.shared.logged_on.store(ok, Ordering::Release);
                if !ok {
                    tracing::error!(?error, "session.logon refused; signing every request instead");
                }
            }
            return None;
        }
        // A user's own logon/logout changes how later requests must be signed.
        match (pending.method.as_str(), status) {
            ("session.logout", 200) => self.shared.logged_on.store(false, Ordering::Release),
            ("session.logon", 200) => self.shared.logged_on.store(true, Ordering::Release),
            _ => {}
        }
        if let Some(tx) = pending.reply {
            let _ = tx.send(Ok(Reply { frame, status, result, error }));
        }
        None
    }

    /// Fails every request sent on `generation` (or still unsent): trading requests as "execution unknown".
    fn fail_pending(&self, generation: u64, reason: &str) {
        let failed: Vec<Pending> = {
            let mut pending = self.shared.pending.lock();
            let ids: Vec<u64> = pending.iter().filter(|(_, p)| p.generation == generation).map(|(id, _)| *id).collect();
            ids.into_iter().filter_map(|id| pending.remove(&id)).collect()
        };
        for p in failed {
            let Some(tx) = p.reply else { continue };
            let err = if p.changes_state {
                Error::ExecutionUnknown {
                    method: p.method,
                    reason: reason.to_string(),
                    client_order_id: p.client_order_id,
                }
            } else {
                Error::ConnectionLost { method: p.method }
            };
            let _ = tx.send(Err(err));
        }
    }
}

async fn next_old(old: &mut Option<(WsStream, u64, Instant)>) -> Option<Result<Message, tokio_websockets::Error>> {
    match old {
        Some((ws, _, _)) => ws.next().await,
        None => std::future::pending().await,
    }
}

fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(86400 * 365)
}

/// `{"id":..,"method":..,"params":{..}}`, params omitted when empty.
fn request_frame(id: u64, method: &str, params: &Params) -> String {
    let mut out = String::with_capacity(64 + params.len() * 32);
    out.push_str("{\"id\":");
    out.push_str(&id.to_string());
    out.push_str(",\"method\":");
    out.push_str(&serde_json::to_string(method).unwrap_or_else(|_| "\"\"".into()));
    if !params.is_empty() {
        out.push_str(",\"params\":");
        out.push_str(&serde_json::to_string(params).unwrap_or_else(|_| "{}".into()));
    }
    out.push('}');
    out
}
