//! The task that owns one stream connection ("shard"): sends control messages through the limiter, routes
//! replies to their callers, decodes frames into the shared queue, answers pings, watches for stalls,
//! reconnects with backoff and restores every subscription, and rotates before the lifetime cut-off (or
//! on `serverShutdown`) with an overlap in which duplicates are removed.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::{FutureExt, SinkExt, StreamExt};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};
use tokio::time::{sleep_until, Instant};
use tokio_websockets::Message;

use super::decode::{decode_text, split_event, Backend, ControlReply, Decoded};
use super::event::{MarketEvent, Notice, Tagged};
use super::item::{undecodable, with_symbol, EventFrame, Item};
use super::limiter::Limiter;
use super::queue::{History, Queue};
use super::StreamsConfig;
use crate::error::ApiError;
use crate::transport::{classify_close, connect, Backoff, CloseKind, WsStream};
use crate::{Error, Result};

/// What the handle asks of a shard.
pub(crate) enum Cmd {
    Subscribe(Vec<Arc<str>>, oneshot::Sender<Result<()>>),
    Unsubscribe(Vec<Arc<str>>, oneshot::Sender<Result<()>>),
    SetCombined(bool, oneshot::Sender<Result<()>>),
    /// LIST_SUBSCRIPTIONS or GET_PROPERTY.
    Query(&'static str, Vec<Value>, oneshot::Sender<Result<Value>>),
    Close,
}

/// What a shard needs to know.
pub(crate) struct ShardCtx {
    pub id: usize,
    /// Stream base URL with the route prefix, without `/ws` or `/stream`.
    pub base: String,
    pub cfg: Arc<StreamsConfig>,
    /// Messages per second the server accepts.
    pub max_per_sec: usize,
    pub queue: Arc<Queue>,
    pub history: Arc<History>,
}

impl ShardCtx {
    pub(crate) fn url(&self, combined: bool) -> String {
        format!("{}{}", self.base, if combined { "/stream" } else { "/ws" })
    }
}

enum Waiter {
    Unit(oneshot::Sender<Result<()>>),
    Value(oneshot::Sender<Result<Value>>),
}

struct Outgoing {
    method: &'static str,
    params: Vec<Value>,
    waiters: Vec<Waiter>,
    /// Part of restoring subscriptions on a fresh connection.
    restore: bool,
}

struct Link {
    ws: WsStream,
    limiter: Limiter,
    outbox: VecDeque<Outgoing>,
    inflight: HashMap<u64, Outgoing>,
    last_rx: Instant,
    last_tx: Instant,
    /// When our last idle ping went out. Another waits until something arrives after it: pings sent into a
    /// silent connection queue up in front of the server, which would read them all at once when the silence
    /// ends and count them toward its limit (5 a second on spot).
    last_ping: Option<Instant>,
    /// Restore messages not yet answered.
    restoring: usize,
    /// Emitted when the restore is complete.
    on_restored: Option<Notice>,
}

impl Link {
    fn new(ws: WsStream, cfg: &StreamsConfig, max_per_sec: usize) -> Link {
        let now = Instant::now();
        Link {
            ws,
            limiter: Limiter::new(max_per_sec, Duration::from_secs(1) + cfg.limiter_margin),
            outbox: VecDeque::new(),
            inflight: HashMap::new(),
            last_rx: now,
            last_tx: now,
            last_ping: None,
            restoring: 0,
            on_restored: None,
        }
    }

    /// Queues a control message, merging it into a queued one of the same kind when there is room.
    fn enqueue(&mut self, method: &'static str, params: Vec<Value>, waiter: Option<Waiter>, per_message: usize) {
        if matches!(method, "SUBSCRIBE" | "UNSUBSCRIBE") {
            if let Some(last) = self.outbox.back_mut() {
                if last.method == method && !last.restore && last.params.len() + params.len() <= per_message {
                    last.params.extend(params);
                    last.waiters.extend(waiter);
                    return;
                }
            }
        }
        self.outbox.push_back(Outgoing { method, params, waiters: waiter.into_iter().collect(), restore: false });
    }

    /// Queues SUBSCRIBE messages for `names` (chunked) ahead of everything else, as a restore; `waiters`
    /// resolve with the last one and `notice` is emitted when all are answered.
    fn restore(&mut self, names: &[Arc<str>], waiters: Vec<Waiter>, per_message: usize, notice: Option<Notice>) {
        let mut msgs: Vec<Outgoing> = names
            .chunks(per_message.max(1))
            .map(|c| Outgoing {
                method: "SUBSCRIBE",
                params: c.iter().map(|s| Value::String(s.to_string())).collect(),
                waiters: Vec::new(),
                restore: true,
            })
            .collect();
        self.restoring = msgs.len();
        self.on_restored = notice;
        match msgs.last_mut() {
            Some(last) => last.waiters = waiters,
            None => waiters.into_iter().for_each(|w| resolve_ok(w, Value::Null)),
        }
        for m in msgs.into_iter().rev() {
            self.outbox.push_front(m);
        }
    }

    /// When the next queued message may be sent (far future when none is queued).
    fn send_at(&mut self, now: Instant) -> Instant {
        if self.outbox.is_empty() {
            return far_future();
        }
        self.limiter.next_slot(now, 1).unwrap_or(now)
    }

    async fn send_next(&mut self, id: u64) -> std::result::Result<(), String> {
        let now = Instant::now();
        if self.limiter.next_slot(now, 1).is_some() {
            return Ok(());
        }
        let Some(out) = self.outbox.pop_front() else { return Ok(()) };
        let frame = serde_json::json!({"method": out.method, "params": out.params, "id": id});
        let frame = if out.method == "LIST_SUBSCRIPTIONS" {
            serde_json::json!({"method": out.method, "id": id})
        } else {
            frame
        };
        self.limiter.record(now);
        self.last_tx = now;
        self.inflight.insert(id, out);
        self.ws.send(Message::text(frame.to_string())).await.map_err(|e| format!("send failed: {e}"))
    }

    /// True while our last ping has had no answer (nor anything else) yet.
    fn ping_unanswered(&self) -> bool {
        self.last_ping.is_some_and(|p| p >= self.last_rx)
    }

    async fn ping_if_idle(&mut self, idle: Duration) -> std::result::Result<(), String> {
        let now = Instant::now();
        if now < self.last_tx + idle || self.ping_unanswered() || self.limiter.next_slot(now, 1).is_some() {
            return Ok(());
        }
        self.limiter.record(now);
        self.last_tx = now;
        self.last_ping = Some(now);
        self.ws.send(Message::ping(Bytes::new())).await.map_err(|e| format!("ping failed: {e}"))
    }

    fn ping_at(&mut self, idle: Duration) -> Instant {
        if self.ping_unanswered() {
            // The next frame to arrive wakes the loop and makes the ping due again.
            return far_future();
        }
        let due = self.last_tx + idle;
        let now = Instant::now();
        if due <= now {
            self.limiter.next_slot(now, 1).unwrap_or(now)
        } else {
            due
        }
    }

    /// Everything queued or in flight, for carrying over to the next connection.
    fn take_pending(&mut self) -> Vec<Outgoing> {
        let mut ids: Vec<u64> = self.inflight.keys().copied().collect();
        ids.sort_unstable();
        let mut out: Vec<Outgoing> = ids.into_iter().filter_map(|id| self.inflight.remove(&id)).collect();
        out.extend(self.outbox.drain(..));
        out
    }
}

fn resolve_ok(w: Waiter, v: Value) {
    match w {
        Waiter::Unit(tx) => {
            let _ = tx.send(Ok(()));
        }
        Waiter::Value(tx) => {
            let _ = tx.send(Ok(v));
        }
    }
}

fn resolve_err(w: Waiter, e: impl Fn() -> Error) {
    match w {
        Waiter::Unit(tx) => {
            let _ = tx.send(Err(e()));
        }
        Waiter::Value(tx) => {
            let _ = tx.send(Err(e()));
        }
    }
}

fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(86400 * 365)
}

enum Exit {
    Lost(String),
    Refused(u16, String),
    Closed,
}

/// State of a rotation: the new link itself is held by `serve` beside the current one.
struct Rotation {
    reason: String,
    /// Events of the new connection held back until the switch.
    buffer: VecDeque<Tagged>,
    /// Set once the new connection has all subscriptions: the switch happens then.
    switch_at: Option<Instant>,
}

/// Per-stream high-water marks of event identities, active around a switch of connections.
struct Dedupe {
    marks: HashMap<Arc<str>, u64>,
    /// `None` while the old connection still delivers (marks are noted), then until when new events are filtered.
    until: Option<Instant>,
}

impl Dedupe {
    fn note(&mut self, t: &Tagged) {
        if let (Some(s), Some(id)) = (&t.stream, t.event.identity()) {
            let m = self.marks.entry(s.clone()).or_insert(id);
            *m = (*m).max(id);
        }
    }

    fn admit(&mut self, t: &Tagged) -> bool {
        match (&t.stream, t.event.identity()) {
            (Some(s), Some(id)) => match self.marks.get_mut(s) {
                Some(m) if id <= *m => false,
                Some(m) => {
                    *m = id;
                    true
                }
                None => true,
            },
            // Without an identity, the old connection covered the overlap: drop the new one's copy.
            _ => false,
        }
    }
}

struct Shard {
    ctx: ShardCtx,
    desired: Vec<Arc<str>>,
    desired_set: HashSet<Arc<str>>,
    combined: bool,
    next_id: u64,
    rotation: Option<Rotation>,
    dedupe: Option<Dedupe>,
    backend: Backend,
    /// Events of the current batch of frames, pushed to the queue together (one lock per batch).
    pending: VecDeque<Item>,
    /// The stream name of the last combined frame: most frames repeat it, so it is compared before hashing.
    last_stream: Option<Arc<str>>,
}

/// Frames read from a socket that has them ready, before the other branches of the loop get a turn.
const FRAME_BATCH: usize = 256;

/// Which link a frame came from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    Current,
    Next,
}

fn lifetime_deadline(cfg: &StreamsConfig) -> Instant {
    cfg.transport.lifetime.map(|l| Instant::now() + l).unwrap_or_else(far_future)
}

pub(crate) async fn run_shard(ctx: ShardCtx, first: WsStream, combined: bool, mut cmds: mpsc::Receiver<Cmd>) {
    let cfg = ctx.cfg.clone();
    let mut shard = Shard {
        backend: cfg.backend,
        ctx,
        desired: Vec::new(),
        desired_set: HashSet::new(),
        combined,
        next_id: 0,
        rotation: None,
        dedupe: None,
        pending: VecDeque::with_capacity(FRAME_BATCH),
        last_stream: None,
    };
    let t = &cfg.transport;
    let mut backoff = Backoff::new(t.backoff_floor, t.backoff_ceiling, t.max_attempts);
    let mut link = Link::new(first, &cfg, shard.ctx.max_per_sec);
    loop {
        let exit = shard.serve(&mut link, &mut cmds).await;
        let id = shard.ctx.id;
        let reason = match exit {
            Exit::Lost(reason) => reason,
            Exit::Refused(code, reason) => {
                let why = format!("refused by the server (close code {code}: {reason})");
                shard.finish(&mut link, &mut cmds, why);
                return;
            }
            Exit::Closed => {
                let _ = link.ws.close().await;
                shard.finish(&mut link, &mut cmds, "closed by the user".into());
                return;
            }
        };
        tracing::warn!(connection = id, %reason, "stream connection lost");
        shard.ctx.queue.notice(Notice::Disconnected { connection: id, reason: reason.clone() });
        let down = Instant::now();
        let pending = link.take_pending();
        let fresh = loop {
            let Some(delay) = backoff.next_delay() else { break None };
            tracing::info!(connection = id, attempt = backoff.attempt(), ?delay, "reconnecting");
            tokio::time::sleep(delay).await;
            match connect(&shard.ctx.url(shard.combined), cfg.transport.connect_timeout).await {
                Ok(ws) => break Some(ws),
                Err(e) => tracing::warn!(connection = id, error = %e, "reconnect failed"),
            }
        };
        let Some(ws) = fresh else {
            link.outbox.extend(pending);
            let why = format!("gave up after {} attempts: {reason}", backoff.attempt());
            shard.finish(&mut link, &mut cmds, why);
            return;
        };
        backoff.reset();
        link = Link::new(ws, &cfg, shard.ctx.max_per_sec);
        let mut sub_waiters = Vec::new();
        for out in pending {
            match out.method {
                // The restore below re-sends every wanted stream, these included.
                "SUBSCRIBE" => sub_waiters.extend(out.waiters),
                // Already reflected in the wanted set and the URL of the new connection.
                "UNSUBSCRIBE" | "SET_PROPERTY" => out.waiters.into_iter().for_each(|w| resolve_ok(w, Value::Null)),
                // Reads are idempotent: ask again.
                _ => link.outbox.push_back(out),
            }
        }
        let notice = Notice::Reconnected { connection: id, restored: shard.desired.len(), down_for: down.elapsed() };
        let names = shard.desired.clone();
        link.restore(&names, sub_waiters, cfg.max_streams_per_message, Some(notice));
        if link.restoring == 0 {
            if let Some(n) = link.on_restored.take() {
                shard.ctx.queue.notice(n);
            }
        }
    }
}

impl Shard {
    /// Ends the shard: fails whatever waits and reports the close.
    fn finish(&mut self, link: &mut Link, cmds: &mut mpsc::Receiver<Cmd>, reason: String) {
        for out in link.take_pending() {
            out.waiters.into_iter().for_each(|w| resolve_err(w, || Error::Closed));
        }
        cmds.close();
        while let Ok(cmd) = cmds.try_recv() {
            match cmd {
                Cmd::Subscribe(_, tx) | Cmd::Unsubscribe(_, tx) | Cmd::SetCombined(_, tx) => {
                    let _ = tx.send(Err(Error::Closed));
                }
                Cmd::Query(_, _, tx) => {
                    let _ = tx.send(Err(Error::Closed));
                }
                Cmd::Close => {}
            }
        }
        self.ctx.queue.notice(Notice::Closed { connection: self.ctx.id, reason });
    }

    fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    async fn serve(&mut self, link: &mut Link, cmds: &mut mpsc::Receiver<Cmd>) -> Exit {
        let cfg = self.ctx.cfg.clone();
        let t = &cfg.transport;
        self.rotation = None;
        self.dedupe = None;
        let mut next: Option<Link> = None;
        let mut rotate_at = lifetime_deadline(&cfg);
        loop {
            if let Some(reason) = self.rotation.as_ref().filter(|_| next.is_none()).map(|r| r.reason.clone()) {
                // A rotation was asked for (serverShutdown): open the new connection now.
                self.rotation = None;
                match self.open_next(&reason).await {
                    Ok(l) => next = Some(l),
                    Err(e) => {
                        tracing::warn!(connection = self.ctx.id, error = %e, "rotation failed, keeping the connection");
                        rotate_at = Instant::now() + t.backoff_ceiling;
                    }
                }
            }
            let now = Instant::now();
            let send_at = link.send_at(now);
            let ping_at = link.ping_at(t.idle_ping);
            let stall_at = link.last_rx + t.stall_timeout;
            let (next_send_at, next_ping_at, next_stall_at) = match next.as_mut() {
                Some(n) => (n.send_at(now), n.ping_at(t.idle_ping), n.last_rx + t.stall_timeout),
                None => (far_future(), far_future(), far_future()),
            };
            let switch_at = self.rotation.as_ref().and_then(|r| r.switch_at).unwrap_or_else(far_future);
            let dedupe_end = self.dedupe.as_ref().and_then(|d| d.until).unwrap_or_else(far_future);
            let mut lost: Option<Exit> = None;
            let mut next_failed: Option<String> = None;
            tokio::select! {
                msg = link.ws.next() => {
                    link.last_rx = Instant::now();
                    if let Err(exit) = self.on_frames(link, msg).await {
                        lost = Some(exit);
                    }
                }
                msg = next_frame(&mut next) => match (msg, next.as_mut()) {
                    (Some(Ok(m)), Some(n)) => {
                        n.last_rx = Instant::now();
                        if let Err(Exit::Lost(e) | Exit::Refused(_, e)) = self.on_message(n, Source::Next, m).await {
                            next_failed = Some(e);
                        }
                    }
                    _ => next_failed = Some("new connection dropped".into()),
                },
                cmd = cmds.recv() => match cmd {
                    Some(Cmd::Close) | None => return Exit::Closed,
                    Some(cmd) => self.on_command(link, next.as_mut(), cmd),
                },
                _ = sleep_until(send_at) => {
                    let id = self.next_id();
                    if let Err(e) = link.send_next(id).await { lost = Some(Exit::Lost(e)); }
                }
                _ = sleep_until(ping_at) => {
                    if let Err(e) = link.ping_if_idle(t.idle_ping).await { lost = Some(Exit::Lost(e)); }
                }
                _ = sleep_until(stall_at) => {
                    lost = Some(Exit::Lost(format!("stalled: nothing received for {:?}", t.stall_timeout)));
                }
                _ = sleep_until(rotate_at), if next.is_none() => {
                    rotate_at = far_future();
                    match self.open_next("connection lifetime reached").await {
                        Ok(l) => next = Some(l),
                        Err(e) => {
                            tracing::warn!(connection = self.ctx.id, error = %e, "rotation failed, keeping the connection");
                            rotate_at = Instant::now() + t.backoff_ceiling;
                        }
                    }
                }
                _ = sleep_until(next_send_at) => {
                    let id = self.next_id();
                    if let Some(n) = next.as_mut() {
                        if let Err(e) = n.send_next(id).await { next_failed = Some(e); }
                    }
                }
                _ = sleep_until(next_ping_at) => {
                    if let Some(n) = next.as_mut() {
                        if let Err(e) = n.ping_if_idle(t.idle_ping).await { next_failed = Some(e); }
                    }
                }
                _ = sleep_until(next_stall_at) => next_failed = Some("new connection stalled".into()),
                _ = sleep_until(switch_at) => {
                    if let Some(n) = next.take() {
                        self.switch(link, n);
                        rotate_at = lifetime_deadline(&cfg);
                    }
                }
                _ = sleep_until(dedupe_end) => self.dedupe = None,
            }
            if let Some(why) = next_failed {
                if let Some(n) = next.take() {
                    self.abandon(n, &why);
                }
                rotate_at = Instant::now() + t.backoff_ceiling;
            }
            if let Some(exit) = lost {
                // The old connection ended while the new one is ready: switch now, losing nothing.
                let ready = matches!(exit, Exit::Lost(_))
                    && next.as_ref().is_some_and(|n| n.restoring == 0)
                    && self.rotation.as_ref().is_some_and(|r| r.switch_at.is_some());
                match next.take() {
                    Some(n) if ready => {
                        self.switch(link, n);
                        rotate_at = lifetime_deadline(&cfg);
                    }
                    Some(n) => {
                        self.abandon(n, "old connection lost first");
                        return exit;
                    }
                    None => return exit,
                }
            }
        }
    }

    async fn open_next(&mut self, reason: &str) -> std::result::Result<Link, String> {
        let cfg = self.ctx.cfg.clone();
        let ws =
            connect(&self.ctx.url(self.combined), cfg.transport.connect_timeout).await.map_err(|e| e.to_string())?;
        let mut link = Link::new(ws, &cfg, self.ctx.max_per_sec);
        let names = self.desired.clone();
        link.restore(&names, Vec::new(), cfg.max_streams_per_message, None);
        let switch_at = (link.restoring == 0).then(|| Instant::now() + cfg.rotation_overlap);
        self.rotation = Some(Rotation { reason: reason.to_string(), buffer: VecDeque::new(), switch_at });
        self.dedupe = Some(Dedupe { marks: HashMap::new(), until: None });
        tracing::info!(connection = self.ctx.id, reason, "rotating stream connection");
        Ok(link)
    }

    fn abandon(&mut self, mut n: Link, why: &str) {
        tracing::warn!(connection = self.ctx.id, why, "rotation abandoned");
        n.take_pending();
        tokio::spawn(async move {
            let _ = n.ws.close().await;
        });
        self.rotation = None;
        if self.dedupe.as_ref().is_some_and(|d| d.until.is_none()) {
            self.dedupe = None;
        }
    }

    /// Makes the new link current: what it buffered is delivered past the old link's marks, then the old
    /// link is closed.
    fn switch(&mut self, link: &mut Link, fresh: Link) {
        let Some(Rotation { reason, buffer, .. }) = self.rotation.take() else { return };
        let mut old = std::mem::replace(link, fresh);
        for out in old.take_pending() {
            match out.method {
                // The new link was given the same change when the command arrived.
                "SUBSCRIBE" | "UNSUBSCRIBE" | "SET_PROPERTY" => {
                    out.waiters.into_iter().for_each(|w| resolve_ok(w, Value::Null))
                }
                _ => link.outbox.push_back(out),
            }
        }
        tokio::spawn(async move {
            let _ = old.ws.close().await;
        });
        let mut dedupe = self.dedupe.take().unwrap_or(Dedupe { marks: HashMap::new(), until: None });
        for t in buffer {
            if dedupe.admit(&t) {
                self.ctx.queue.push_now(Item::Ready(t));
            }
        }
        dedupe.until = Some(Instant::now() + self.ctx.cfg.rotation_overlap);
        self.dedupe = Some(dedupe);
        tracing::info!(connection = self.ctx.id, %reason, "stream connection rotated");
        self.ctx.queue.notice(Notice::Rotated { connection: self.ctx.id, reason });
    }

    fn on_command(&mut self, link: &mut Link, next: Option<&mut Link>, cmd: Cmd) {
        let per = self.ctx.cfg.max_streams_per_message;
        match cmd {
            Cmd::Subscribe(names, tx) => {
                let fresh: Vec<Arc<str>> = names.into_iter().filter(|n| self.desired_set.insert(n.clone())).collect();
                self.desired.extend(fresh.iter().cloned());
                if fresh.is_empty() {
                    let _ = tx.send(Ok(()));
                    return;
                }
                let params: Vec<Value> = fresh.iter().map(|s| Value::String(s.to_string())).collect();
                if let Some(n) = next {
                    for chunk in params.chunks(per.max(1)) {
                        n.enqueue("SUBSCRIBE", chunk.to_vec(), None, per);
                    }
                }
                let chunks: Vec<&[Value]> = params.chunks(per.max(1)).collect();
                let last = chunks.len() - 1;
                let mut tx = Some(tx);
                for (i, chunk) in chunks.into_iter().enumerate() {
                    let w = if i == last { tx.take().map(Waiter::Unit) } else { None };
                    link.enqueue("SUBSCRIBE", chunk.to_vec(), w, per);
                }
            }
            Cmd::Unsubscribe(names, tx) => {
                let gone: Vec<Arc<str>> = names.into_iter().filter(|n| self.desired_set.remove(n)).collect();
                if gone.is_empty() {
                    let _ = tx.send(Ok(()));
                    return;
                }
                self.desired.retain(|d| !gone.contains(d));
                let params: Vec<Value> = gone.iter().map(|s| Value::String(s.to_string())).collect();
                if let Some(n) = next {
                    n.enqueue("UNSUBSCRIBE", params.clone(), None, usize::MAX);
                }
                link.enqueue("UNSUBSCRIBE", params, Some(Waiter::Unit(tx)), usize::MAX);
            }
            Cmd::SetCombined(on, tx) => {
                self.combined = on;
                let params = vec![Value::from("combined"), Value::from(on)];
                if let Some(n) = next {
                    n.enqueue("SET_PROPERTY", params.clone(), None, per);
                }
                link.enqueue("SET_PROPERTY", params, Some(Waiter::Unit(tx)), per);
            }
            Cmd::Query(method, params, tx) => link.enqueue(method, params, Some(Waiter::Value(tx)), per),
            Cmd::Close => {}
        }
    }

    /// Handles `first` and then every frame the current socket already has ready (up to a batch), so that
    /// the loop's timers and the queue's lock are paid once per batch rather than once per frame.
    async fn on_frames(
        &mut self,
        link: &mut Link,
        first: Option<std::result::Result<Message, tokio_websockets::Error>>,
    ) -> std::result::Result<(), Exit> {
        let mut msg = first;
        let mut handled = 0;
        let result = loop {
            let result = match msg {
                Some(Ok(m)) => self.on_message(link, Source::Current, m).await,
                Some(Err(e)) => Err(Exit::Lost(format!("socket error: {e}"))),
                None => Err(Exit::Lost("socket closed".into())),
            };
            handled += 1;
            // Take the next ready frame only when this batch will handle it: a frame taken and not handled is lost.
            if result.is_err() || handled == FRAME_BATCH {
                break result;
            }
            match link.ws.next().now_or_never() {
                Some(next) => msg = next,
                None => break result,
            }
        };
        self.flush().await;
        result
    }

    /// Pushes the batch's events to the queue.
    async fn flush(&mut self) {
        self.ctx.queue.push_batch(&mut self.pending).await;
    }

    async fn on_message(&mut self, link: &mut Link, from: Source, msg: Message) -> std::result::Result<(), Exit> {
        if msg.is_ping() {
            // tokio-websockets queued the pong; it counts toward the limit (the reserved slot) and goes now.
            let now = Instant::now();
            link.limiter.record(now);
            link.last_tx = now;
            return link.ws.flush().await.map_err(|e| Exit::Lost(format!("could not answer ping: {e}")));
        }
        if let Some((code, reason)) = msg.as_close() {
            let code: u16 = code.into();
            let reason = reason.to_string();
            return Err(match classify_close(code) {
                CloseKind::Permanent => Exit::Refused(code, reason),
                CloseKind::Retry => Exit::Lost(format!("server closed ({code}: {reason})")),
            });
        }
        let Some(frame) = msg.as_text() else { return Ok(()) };
        self.ctx.history.push(msg.as_payload());
        // A market event of a combined frame is left for the consumer to decode, unless a connection switch is
        // under way (duplicates are then filtered by event identity, which needs the decoded event).
        if from == Source::Current && self.dedupe.is_none() {
            if let Some((name, data)) = split_event(frame) {
                let (connection, backend) = (self.ctx.id, self.backend);
                self.pending.push_back(Item::Frame(EventFrame { message: msg, name, data, connection, backend }));
                return Ok(());
            }
        }
        match decode_text(frame, self.backend) {
            Ok(Decoded::Event { stream, event }) => {
                let stream = match stream {
                    Some(s) => Some(self.intern(&s)),
                    None => self.infer(&event),
                };
                let event = with_symbol(event, stream.as_deref());
                self.deliver(from, Tagged { stream, event });
            }
            Ok(Decoded::Reply(reply)) => {
                // Notices the reply causes come after the events before it.
                self.flush().await;
                self.on_reply(link, from, reply)
            }
            Ok(Decoded::ServerShutdown) => {
                if from == Source::Current && self.rotation.is_none() {
                    // Picked up at the top of the serve loop, which owns the new link.
                    self.rotation = Some(Rotation {
                        reason: "server announced shutdown".into(),
                        buffer: VecDeque::new(),
                        switch_at: None,
                    });
                }
            }
            Err(reason) => {
                self.flush().await;
                self.ctx.queue.notice(undecodable(self.ctx.id, reason, frame));
            }
        }
        Ok(())
    }

    /// Buffers an event of the new connection during a rotation, or adds one of the current connection to
    /// the batch (past the duplicate filter).
    fn deliver(&mut self, from: Source, t: Tagged) {
        match from {
            Source::Next => {
                let cap = self.ctx.cfg.queue_capacity;
                if let Some(r) = self.rotation.as_mut() {
                    if r.buffer.len() >= cap {
                        r.buffer.pop_front();
                    }
                    r.buffer.push_back(t);
                }
            }
            Source::Current => {
                if let Some(d) = self.dedupe.as_mut() {
                    if d.until.is_none() {
                        d.note(&t);
                    } else if !d.admit(&t) {
                        return;
                    }
                }
                self.pending.push_back(Item::Ready(t));
            }
        }
    }

    fn on_reply(&mut self, link: &mut Link, from: Source, reply: ControlReply) {
        let Some(id) = reply.id.as_ref().and_then(Value::as_u64) else {
            if let Some(e) = reply.error {
                self.ctx.queue.notice(Notice::Error {
                    connection: self.ctx.id,
                    message: format!("server error {}: {}", e.code, e.msg),
                });
            }
            return;
        };
        let Some(out) = link.inflight.remove(&id) else { return };
        if out.restore {
            link.restoring = link.restoring.saturating_sub(1);
        }
        match reply.error {
            Some(e) => {
                if out.method == "SUBSCRIBE" && from == Source::Current {
                    for p in &out.params {
                        if let Some(n) = p.as_str() {
                            self.desired_set.remove(n);
                            self.desired.retain(|d| &**d != n);
                        }
                    }
                }
                if out.restore {
                    self.ctx.queue.notice(Notice::Error {
                        connection: self.ctx.id,
                        message: format!("restoring subscriptions failed: code {}: {}", e.code, e.msg),
                    });
                }
                let method = out.method;
                for w in out.waiters {
                    resolve_err(w, || {
                        Error::from(ApiError {
                            method: method.to_string(),
                            status: 400,
                            code: e.code,
                            msg: e.msg.clone(),
                            retry_after_ms: None,
                        })
                    });
                }
            }
            None => {
                let result = reply.result.unwrap_or(Value::Null);
                for w in out.waiters {
                    resolve_ok(w, result.clone());
                }
            }
        }
        if out.restore && link.restoring == 0 {
            if let Some(n) = link.on_restored.take() {
                self.ctx.queue.notice(n);
            }
            if from == Source::Next {
                if let Some(r) = self.rotation.as_mut() {
                    r.switch_at = Some(Instant::now() + self.ctx.cfg.rotation_overlap);
                }
            }
        }
    }

    fn intern(&mut self, name: &str) -> Arc<str> {
        if let Some(last) = self.last_stream.as_ref().filter(|l| &***l == name) {
            return last.clone();
        }
        let s = self.desired_set.get(name).cloned().unwrap_or_else(|| Arc::from(name));
        self.last_stream = Some(s.clone());
        s
    }

    /// For raw connections: the subscribed stream an event belongs to, from its type, symbol and interval.
    /// A kline stream with and without a time zone cannot be told apart; the first subscribed one is used.
    fn infer(&self, event: &MarketEvent) -> Option<Arc<str>> {
        use MarketEvent as M;
        let window = |e: &str| e.strip_suffix("Ticker").unwrap_or(e).to_string();
        let (sym, kind): (Option<&str>, String) = match event {
            M::Trade(t) => (Some(&t.symbol), "trade".into()),
            M::AggTrade(t) => (Some(&t.symbol), "aggTrade".into()),
            M::BlockTrade(t) => (Some(&t.symbol), "blockTrade".into()),
            M::ReferencePrice(t) => (Some(&t.symbol), "referencePrice".into()),
            M::Kline(k) => (Some(&k.symbol), format!("kline_{}", k.kline.interval)),
            M::MiniTicker(t) => (Some(&t.symbol), "miniTicker".into()),
            M::MiniTickers(_) => (None, "!miniTicker@arr".into()),
            M::Ticker(t) => (Some(&t.symbol), "ticker".into()),
            M::Tickers(_) => (None, "!ticker@arr".into()),
            M::RollingTicker(t) => (Some(&t.symbol), format!("ticker_{}", window(&t.event_type))),
            M::RollingTickers(v) => (None, format!("!ticker_{}@arr", window(&v.first()?.event_type))),
            M::BookTicker(t) => (Some(&t.symbol), "bookTicker".into()),
            M::AvgPrice(t) => (Some(&t.symbol), "avgPrice".into()),
            M::DepthUpdate(d) => (Some(&d.symbol), "depth".into()),
            M::PartialDepth(_) => {
                let mut it = self.desired.iter().filter(|n| {
                    n.split_once("@depth").is_some_and(|(_, r)| r.starts_with(|c: char| c.is_ascii_digit()))
                });
                let first = it.next()?;
                return it.next().is_none().then(|| first.clone());
            }
            M::MarkPrice(m) => (Some(&m.symbol), "markPrice".into()),
            M::MarkPrices(_) => (None, "!markPrice@arr".into()),
            M::ForceOrder(f) => (Some(&f.order.symbol), "forceOrder".into()),
            _ => return None,
        };
        let fits = |r: &str| r == kind || r.strip_prefix(kind.as_str()).is_some_and(|x| x.starts_with('@'));
        match sym {
            Some(sym) => {
                let sym = sym.to_ascii_lowercase();
                self.desired
                    .iter()
                    .find(|n| n.strip_prefix(sym.as_str()).and_then(|r| r.strip_prefix('@')).is_some_and(fits))
                    .cloned()
            }
            None => self.desired.iter().find(|n| fits(n)).cloned(),
        }
    }
}

async fn next_frame(n: &mut Option<Link>) -> Option<std::result::Result<Message, tokio_websockets::Error>> {
    match n {
        Some(l) => l.ws.next().await,
        None => std::future::pending().await,
    }
}
