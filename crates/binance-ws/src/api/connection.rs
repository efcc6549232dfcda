//! The task that owns the API connection: connects, logs on after every connect, answers pings,
//! watches for stalls, rotates before the lifetime cut-off or on `serverShutdown`, and reconnects with
//! backoff. The handles write their requests themselves (`writer.rs`) and read the socket themselves
//! while they wait for a reply (`reader.rs`); this task reads whenever no handle does, writes only its own
//! frames (logon, pings) and, after a (re)connect, the requests queued while no connection took them.
//! A request in flight when the socket drops fails at once; it is never resent.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::stream::SplitStream;
use futures::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tokio::time::{sleep_until, Instant};
use tokio_websockets::Message;

use super::client::{ApiEvent, Shared};
use super::frame::{build, request_frame};
use super::inflight::{Claim, Pending};
use super::reader::{Control, WATCH};
use super::route::{route_frame, INTERNAL_IDS};
use super::writer::{Queued, Sink};
use super::Params;
use crate::auth::sign_params;
use crate::transport::{classify_close, connect, Backoff, CloseKind, ConnectionEvent, WsStream};
use crate::Error;

/// What the handles ask of the task.
pub(crate) enum Command {
    /// Close the connection and end the task.
    Close,
    /// A handle's write on connection `generation` failed: that connection is lost.
    WriteFailed { generation: u64, reason: String },
    /// A handle went away before flushing the request it fed, or found the writer busy: flush it.
    Flush,
    /// A handle found the writer busy: write this request (or queue it) as the handle would have.
    Write(Queued),
    /// A handle found the socket of `generation` full after claiming a request for it: write its frame there.
    WriteFrame { generation: u64, frame: String },
}

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

/// A connection being retired after a rotation, read until its replies are in.
struct OldConn {
    stream: SplitStream<WsStream>,
    sink: Option<Sink>,
    generation: u64,
    until: Instant,
}

struct Conn {
    shared: Arc<Shared>,
    generation: u64,
    next_internal: u64,
    old: Option<OldConn>,
}

pub(crate) async fn run_connection(
    shared: Arc<Shared>,
    first: WsStream,
    mut commands: mpsc::UnboundedReceiver<Command>,
) {
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
        let exit = conn.serve(socket, &mut commands).await;
        // Nobody reads the finished connection any more.
        drop(shared.reader.take());
        match exit {
            Exit::Lost(reason) => {
                tracing::warn!(%reason, "API connection lost");
                conn.fail_pending(conn.generation, &reason);
                // Let the dead socket go now rather than when the next one replaces it.
                if let Ok(mut writer) = shared.writer.try_lock() {
                    writer.sink = None;
                }
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
    // Whatever is left (including requests queued while reconnecting) fails now, and nothing more is taken.
    let left = shared.pending.lock().close();
    for p in left {
        if let Some(tx) = p.reply {
            let _ = tx.send(Err(Error::Closed));
        }
    }
    if let Ok(mut writer) = shared.writer.try_lock() {
        writer.sink = None;
        writer.queue.clear();
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
    async fn serve(&mut self, socket: WsStream, commands: &mut mpsc::UnboundedReceiver<Command>) -> Exit {
        let cfg = self.shared.config.transport.clone();
        self.shared.logged_on.store(false, Ordering::Release);
        let (mut sink, stream) = socket.split();
        if let Err(e) = self.logon(&mut sink, self.generation).await {
            return Exit::Lost(e);
        }
        drop(self.shared.reader.install(stream, self.generation));
        if let Err(e) = self.open_writes(sink, self.generation).await {
            return Exit::Lost(e);
        }
        let never = Instant::now() + Duration::from_secs(86400 * 365 * 30);
        let mut watch_at: Option<Instant> = None;
        let mut watch_seen = None;
        let mut ping_at = Instant::now() + cfg.idle_ping;
        let mut rotate_at = cfg.lifetime.map(|l| Instant::now() + l);
        let mut rotate_reason: Option<String> = None;
        // One timer for the stall watchdog, the idle ping, rotation, the old connection's drain and the
        // watch over reading callers. A frame only moves the stall deadline later, so the timer is re-armed
        // when it fires or an earlier deadline appears, never per frame.
        let timer = sleep_until(never);
        tokio::pin!(timer);
        let mut armed = never;
        loop {
            if let Some(reason) = rotate_reason.take() {
                match self.rotate(&reason).await {
                    Ok(()) => rotate_at = cfg.lifetime.map(|l| Instant::now() + l),
                    // The old connection still works: keep it and try again later.
                    Err(e) => {
                        tracing::warn!(error = %e, "rotation failed, keeping the current connection");
                        rotate_at = Some(Instant::now() + cfg.backoff_ceiling);
                    }
                }
            }
            let stall_at = self.shared.reader.last_rx() + cfg.stall_timeout;
            let old_until = self.old.as_ref().map_or(never, |o| o.until);
            let due =
                stall_at.min(ping_at).min(rotate_at.unwrap_or(never)).min(old_until).min(watch_at.unwrap_or(never));
            if due < armed {
                timer.as_mut().reset(due);
                armed = due;
            }
            tokio::select! {
                biased;
                control = std::future::poll_fn(|cx| self.shared.reader.poll_control(&self.shared, cx)) => match control {
                    Control::Ping => {
                        // tokio-websockets queues the pong; flush it now rather than with the next send.
                        if let Err(e) = self.flush_pong().await {
                            return Exit::Lost(format!("could not answer ping: {e}"));
                        }
                    }
                    Control::Close(code, reason) => {
                        return match classify_close(code) {
                            CloseKind::Permanent => Exit::Refused(code, reason),
                            CloseKind::Retry => Exit::Lost(format!("server closed ({code}: {reason})")),
                        };
                    }
                    Control::Rotate(reason) => rotate_reason = Some(reason),
                    Control::Lost(reason) => return Exit::Lost(reason),
                    Control::Watch => {
                        watch_at.get_or_insert_with(|| Instant::now() + WATCH);
                    }
                },
                cmd = commands.recv() => match cmd {
                    Some(Command::WriteFailed { generation, reason }) if generation == self.generation => {
                        return Exit::Lost(reason);
                    }
                    Some(Command::WriteFailed { .. }) => {}
                    Some(Command::Flush) => {
                        if let Err((generation, e)) = self.shared.writer.lock().await.flush().await {
                            if generation == self.generation {
                                return Exit::Lost(format!("send failed: {e}"));
                            }
                        }
                    }
                    Some(Command::Write(request)) => {
                        if let Err(e) = self.write_for_handle(request).await {
                            return Exit::Lost(e);
                        }
                    }
                    Some(Command::WriteFrame { generation, frame }) => {
                        if let Err(e) = self.write_frame(generation, frame).await {
                            return Exit::Lost(e);
                        }
                    }
                    Some(Command::Close) | None => {
                        self.close_current().await;
                        return Exit::Closed;
                    }
                },
                old = next_old(&mut self.old) => {
                    match old {
                        Some(Ok(msg)) if msg.is_text() => {
                            let generation = self.old.as_ref().map_or(self.generation, |o| o.generation);
                            route_frame(&self.shared, msg.into_payload().into(), generation, None);
                        }
                        Some(Ok(_)) => {}
                        _ => self.retire_old("old connection ended"),
                    }
                    if self.old.as_ref().is_some_and(|o| !self.owes(o.generation)) {
                        self.retire_old("all replies received");
                    }
                }
                () = &mut timer => {
                    armed = never;
                    let now = Instant::now();
                    if now >= old_until {
                        self.retire_old("drain time over");
                    }
                    if now >= self.shared.reader.last_rx() + cfg.stall_timeout {
                        return Exit::Lost(format!("stalled: nothing received for {:?}", cfg.stall_timeout));
                    }
                    if watch_at.is_some_and(|t| now >= t) {
                        watch_at = self.shared.reader.watch(&mut watch_seen).then(|| now + WATCH);
                    }
                    if now >= ping_at {
                        match self.ping_if_idle(cfg.idle_ping).await {
                            Ok(next) => ping_at = next,
                            Err(e) => return Exit::Lost(e),
                        }
                    }
                    if rotate_at.is_some_and(|t| now >= t) {
                        rotate_reason = Some("connection lifetime reached".into());
                    }
                }
            }
        }
    }

    /// Makes `sink` (connection `generation`) the one the handles write on, after writing the requests
    /// queued meanwhile. Returns the write half it replaces.
    async fn open_writes(&mut self, mut sink: Sink, generation: u64) -> Result<Option<Sink>, String> {
        let mut writer = self.shared.writer.lock().await;
        let mut wrote = false;
        while let Some(mut q) = writer.queue.pop_front() {
            // A request that timed out while queued is never sent.
            if !self.shared.pending.lock().mark_written(q.id, generation) {
                continue;
            }
            let session = self.shared.logged_on.load(Ordering::Acquire);
            let frame = build(&self.shared, q.id, &q.method, &mut q.params, q.security, session);
            sink.feed(Message::text(frame)).await.map_err(|e| format!("send failed: {e}"))?;
            wrote = true;
        }
        if wrote {
            sink.flush().await.map_err(|e| format!("send failed: {e}"))?;
        }
        // Requests fed to the old connection and not flushed yet still go out on it (its replies are awaited).
        let _ = writer.flush().await;
        let old = writer.sink.replace((sink, generation)).map(|(s, _)| s);
        writer.last_write = Instant::now();
        self.shared.pending.lock().set_writable(Some(generation));
        Ok(old)
    }

    /// Writes (or queues) a request a handle found the writer busy for, as the handle would have.
    async fn write_for_handle(&self, mut q: Queued) -> Result<(), String> {
        let mut writer = self.shared.writer.lock().await;
        match self.shared.pending.lock().claim(q.id, writer.generation()) {
            Claim::Gone => return Ok(()),
            Claim::Queue => {
                writer.queue.push_back(q);
                return Ok(());
            }
            Claim::Write => {}
        }
        let session = self.shared.logged_on.load(Ordering::Acquire);
        let frame = build(&self.shared, q.id, &q.method, &mut q.params, q.security, session);
        let generation = writer.generation().unwrap_or(self.generation);
        drop(writer);
        self.write_frame(generation, frame).await
    }

    /// Writes a frame claimed for connection `generation`, if that connection is still the one written on
    /// (otherwise the request was failed with it). Err only when the current connection failed.
    async fn write_frame(&self, generation: u64, frame: String) -> Result<(), String> {
        let mut writer = self.shared.writer.lock().await;
        let Some((sink, g)) = writer.sink.as_mut() else { return Ok(()) };
        if *g != generation {
            return Ok(());
        }
        let sent = sink.send(Message::text(frame)).await;
        writer.unflushed = false;
        writer.last_write = Instant::now();
        match sent {
            Err(e) if generation == self.generation => Err(format!("send failed: {e}")),
            _ => Ok(()),
        }
    }

    /// Flushes the pong tokio-websockets queued. A handle busy writing flushes it with its own frame.
    async fn flush_pong(&self) -> Result<(), tokio_websockets::Error> {
        let Ok(mut writer) = self.shared.writer.try_lock() else { return Ok(()) };
        match writer.sink.as_mut() {
            Some((sink, g)) if *g == self.generation => sink.flush().await,
            _ => Ok(()),
        }
    }

    /// Sends our own ping when nothing was written for `idle`; returns when to look again.
    async fn ping_if_idle(&self, idle: Duration) -> Result<Instant, String> {
        let now = Instant::now();
        // A handle is writing right now: the socket is not idle.
        let Ok(mut writer) = self.shared.writer.try_lock() else { return Ok(now + idle) };
        let next = writer.last_write + idle;
        if now < next {
            return Ok(next);
        }
        writer.last_write = now;
        match writer.sink.as_mut() {
            Some((sink, g)) if *g == self.generation => {
                sink.send(Message::ping(Bytes::new())).await.map_err(|_| "could not send ping".to_string())?;
            }
            _ => {}
        }
        Ok(now + idle)
    }

    /// Closes the current connection (the user closed the client): no more writes, a close frame out.
    async fn close_current(&mut self) {
        let sink = {
            let mut writer = self.shared.writer.lock().await;
            self.shared.pending.lock().set_writable(None);
            writer.sink.take()
        };
        if let (Some((sink, _)), Some(stream)) = (sink, self.shared.reader.take()) {
            if let Ok(mut ws) = stream.reunite(sink) {
                let _ = ws.close().await;
            }
        }
    }

    /// Opens the replacement connection, logs it on and makes it current; the old one is read until
    /// the replies still owed on it arrive.
    async fn rotate(&mut self, reason: &str) -> Result<(), String> {
        let fresh =
            connect(&self.shared.url, self.shared.config.transport.connect_timeout).await.map_err(|e| e.to_string())?;
        self.shared.logged_on.store(false, Ordering::Release);
        self.retire_old("replaced again");
        let old_generation = self.generation;
        let generation = old_generation + 1;
        let (mut sink, fresh_stream) = fresh.split();
        if let Err(e) = self.logon(&mut sink, generation).await {
            self.fail_pending(generation, &e);
            return Err(e);
        }
        let old_sink = match self.open_writes(sink, generation).await {
            Ok(old) => old,
            Err(e) => {
                self.fail_pending(generation, &e);
                return Err(e);
            }
        };
        self.generation = generation;
        if let Some(old_stream) = self.shared.reader.install(fresh_stream, generation) {
            let until = Instant::now() + DRAIN_OLD;
            self.old = Some(OldConn { stream: old_stream, sink: old_sink, generation: old_generation, until });
        }
        tracing::info!(%reason, generation = self.generation, "API connection rotated");
        self.shared.publish(ApiEvent::Connection(ConnectionEvent::Rotated {
            reason: reason.to_string(),
            generation: self.generation,
        }));
        Ok(())
    }

    fn retire_old(&mut self, why: &str) {
        if let Some(old) = self.old.take() {
            self.fail_pending(old.generation, why);
            self.shared.user_data.retired(old.generation);
            if let Some(sink) = old.sink {
                if let Ok(mut ws) = old.stream.reunite(sink) {
                    tokio::spawn(async move {
                        let _ = ws.close().await;
                    });
                }
            }
        }
    }

    /// True while a request written on `generation` still waits for its reply, or a user data subscription
    /// on it has not moved to the new connection yet.
    fn owes(&self, generation: u64) -> bool {
        self.shared.pending.lock().owes(generation) || self.shared.user_data.holds(generation)
    }

    /// Sends `session.logon` on connection `generation` when the key allows it; the reply flips `logged_on`.
    async fn logon(&mut self, sink: &mut Sink, generation: u64) -> Result<(), String> {
        let Some(creds) = self.shared.credentials.as_ref() else { return Ok(()) };
        if !(creds.can_logon() && self.shared.config.auto_logon) {
            return Ok(());
        }
        let id = self.next_internal;
        self.next_internal += 1;
        let pending = Pending {
            method: "session.logon".into(),
            changes_state: false,
            client_order_id: None,
            generation: Some(generation),
            deadline: Instant::now() + self.shared.config.request_timeout,
            reply: None,
        };
        self.shared.pending.lock().insert(id, pending).map_err(|e| e.to_string())?;
        let mut params = Params::new();
        sign_params(creds, &mut params, self.shared.server_now_ms(), self.shared.config.recv_window_ms, true);
        let frame = request_frame(id, "session.logon", &params);
        sink.send(Message::text(frame)).await.map_err(|e| format!("logon send failed: {e}"))
    }

    /// Fails every request written on `generation`: trading requests as "execution unknown". Requests
    /// not yet written stay queued for the next connection.
    fn fail_pending(&self, generation: u64, reason: &str) {
        let failed = self.shared.pending.lock().take_generation(generation);
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

async fn next_old(old: &mut Option<OldConn>) -> Option<Result<Message, tokio_websockets::Error>> {
    match old {
        Some(o) => o.stream.next().await,
        None => std::future::pending().await,
    }
}
