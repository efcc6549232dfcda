//! The read half of the API socket, read by whoever waits for a reply.
//!
//! A caller waiting for its reply reads the socket itself ("read while you wait"), so the reply wakes
//! the caller directly, as it would wake a bare socket's reader, instead of waking the connection task,
//! which would parse it and then wake the caller: one thread hop less per request. Only a caller that
//! started while no other was waiting does so; pipelined requests leave the reading to the connection
//! task, which then parses replies on another thread while the callers write. Every frame is routed
//! whoever reads it (replies to their waiters, user data events to their subscriptions, `route.rs`);
//! frames only the connection task can act on (ping, close, socket errors, `serverShutdown`) are queued
//! for it as [`Control`]s and the task is woken.
//!
//! The socket keeps one waker, and it is always [`Reader`]'s own, which wakes whoever [`Target`] names:
//! the caller that last read while waiting, or the connection task. A caller names itself before its
//! request is written and steps back when its reply is in or it is dropped, waking the task if the
//! socket may hold unread frames; so the task reads whenever no caller waits. A caller that is woken
//! but then not polled (its future kept but left aside, say by a `select!` that moved on) would hold up
//! everyone's frames: while callers read, the task looks every [`WATCH`] and takes the socket back from
//! a caller that was woken and has not read since the last look.
//!
//! The locks are plain mutexes, never held across an `.await`. A caller that finds the socket being
//! read waits on its reply channel: the reader routes every frame it reads.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use futures::stream::SplitStream;
use futures::StreamExt;
use parking_lot::Mutex;
use tokio::sync::oneshot;
use tokio::time::Instant;

use super::client::{Reply, Shared};
use super::route::{route_frame, Routed};
use crate::transport::WsStream;
use crate::Result;

/// How often the connection task looks for a caller that was woken to read but is not polled.
pub(crate) const WATCH: Duration = Duration::from_millis(10);

/// What a reply channel yields.
pub(crate) type Ended = std::result::Result<Result<Reply>, oneshot::error::RecvError>;

/// Something read from the socket that the connection task must act on.
#[derive(Debug)]
pub(crate) enum Control {
    /// A ping arrived: tokio-websockets queued the pong, which needs a flush.
    Ping,
    /// The server sent a close frame.
    Close(u16, String),
    /// The server announced its shutdown: rotate.
    Rotate(String),
    /// The socket failed or ended.
    Lost(String),
    /// Callers read now: look for an unpolled one every [`WATCH`].
    Watch,
}

/// The current connection's read half. Shared by the connection task and the waiting callers.
pub(crate) struct Reader {
    slot: Mutex<Slot>,
    signal: Arc<Signal>,
    /// The waker every read registers with the socket (it wakes whoever `signal` names).
    waker: Waker,
    /// Someone found the socket being read and left the reading to its holder, who reads again.
    wanted: AtomicBool,
    /// Callers waiting for a reply right now.
    waiting: AtomicUsize,
    /// When anything was last read, in ns since `epoch` (the stall watchdog).
    last_rx: AtomicU64,
    epoch: Instant,
}

struct Slot {
    stream: Option<SplitStream<WsStream>>,
    generation: u64,
    /// Frames for the connection task, oldest first.
    control: VecDeque<Control>,
    /// The socket ended or failed: it is not read again.
    ended: bool,
}

/// Who the socket wakes.
struct Signal {
    /// How often the socket's waker was woken.
    wakes: AtomicU64,
    /// `wakes` when a read last ended with the waker registered; `u64::MAX`: not registered.
    armed_at: AtomicU64,
    target: Mutex<Target>,
}

#[derive(Default)]
struct Target {
    /// The connection task's waker.
    task: Option<Waker>,
    /// The caller that reads while it waits (its request id), if any.
    caller: Option<(u64, Waker)>,
    /// Set when the socket woke `caller`, until it reads: which wake-up it was.
    unread: Option<u64>,
    /// Wake-ups delivered to callers so far.
    signals: u64,
    watch: WatchState,
}

#[derive(Default, PartialEq, Eq)]
enum WatchState {
    #[default]
    Off,
    /// A caller started reading: the task is to start watching.
    Requested,
    On,
}

impl Wake for Signal {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::AcqRel);
        let waker = {
            let mut t = self.target.lock();
            let t = &mut *t;
            match &t.caller {
                Some((_, w)) => {
                    t.signals += 1;
                    t.unread = Some(t.signals);
                    Some(w.clone())
                }
                None => t.task.clone(),
            }
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

impl Reader {
    pub fn new() -> Self {
        let signal = Arc::new(Signal {
            wakes: AtomicU64::new(0),
            armed_at: AtomicU64::new(u64::MAX),
            target: Mutex::new(Target::default()),
        });
        Reader {
            slot: Mutex::new(Slot { stream: None, generation: 0, control: VecDeque::new(), ended: false }),
            waker: Waker::from(signal.clone()),
            signal,
            wanted: AtomicBool::new(false),
            waiting: AtomicUsize::new(0),
            last_rx: AtomicU64::new(0),
            epoch: Instant::now(),
        }
    }

    /// Makes `stream` (connection `generation`) the one to read; returns the one it replaces.
    pub fn install(&self, stream: SplitStream<WsStream>, generation: u64) -> Option<SplitStream<WsStream>> {
        let mut slot = self.slot.lock();
        slot.generation = generation;
        slot.control.clear();
        slot.ended = false;
        self.signal.armed_at.store(u64::MAX, Ordering::Release);
        self.touch();
        let old = slot.stream.replace(stream);
        drop(slot);
        // Whoever is named reads the new socket now.
        Wake::wake_by_ref(&self.signal);
        old
    }

    /// Takes the read half out: nobody reads it any more.
    pub fn take(&self) -> Option<SplitStream<WsStream>> {
        let mut slot = self.slot.lock();
        slot.control.clear();
        slot.stream.take()
    }

    /// When anything was last read from the current socket (or it was installed).
    pub fn last_rx(&self) -> Instant {
        self.epoch + Duration::from_nanos(self.last_rx.load(Ordering::Relaxed))
    }

    fn touch(&self) {
        self.last_rx.store(self.epoch.elapsed().as_nanos() as u64, Ordering::Relaxed);
    }

    /// True while the socket's waker is registered and has not fired since: nothing is left unread.
    fn armed(&self) -> bool {
        self.signal.armed_at.load(Ordering::Acquire) == self.signal.wakes.load(Ordering::Acquire)
    }

    /// Reads and routes every frame the socket has now, until it has none (then the socket's waker is
    /// registered) or it ended. The reply to request `mine` is put in `own`. Returns true if it queued
    /// something for the connection task.
    fn pump(&self, slot: &mut Slot, shared: &Shared, mine: Option<u64>, own: &mut Option<Reply>) -> bool {
        if slot.ended {
            return false;
        }
        let generation = slot.generation;
        let Some(stream) = slot.stream.as_mut() else { return false };
        let mut cx = Context::from_waker(&self.waker);
        let queued = slot.control.len();
        loop {
            let wakes = self.signal.wakes.load(Ordering::Acquire);
            let item = match stream.poll_next_unpin(&mut cx) {
                Poll::Pending => {
                    self.signal.armed_at.store(wakes, Ordering::Release);
                    break;
                }
                Poll::Ready(item) => item,
            };
            self.touch();
            let control = match item {
                Some(Ok(msg)) if msg.is_text() => {
                    match route_frame(shared, msg.into_payload().into(), generation, mine) {
                        Routed::Done => None,
                        Routed::Rotate(reason) => Some(Control::Rotate(reason)),
                        Routed::Mine(reply) => {
                            *own = Some(reply);
                            None
                        }
                    }
                }
                Some(Ok(msg)) if msg.is_ping() => Some(Control::Ping),
                Some(Ok(msg)) => msg.as_close().map(|(code, reason)| Control::Close(code.into(), reason.to_string())),
                Some(Err(e)) => Some(Control::Lost(format!("socket error: {e}"))),
                None => Some(Control::Lost("socket closed".into())),
            };
            if let Some(c) = control {
                let last = matches!(c, Control::Close(..) | Control::Lost(_));
                slot.control.push_back(c);
                if last {
                    slot.ended = true;
                    break;
                }
            }
        }
        slot.control.len() > queued
    }

    /// Reads and routes what the socket has, unless someone else is reading right now: then the one
    /// reading reads again once done, so a frame never waits for a reader that has just finished. The
    /// reply to request `mine`, if read here, is put in `own` (otherwise it comes on its channel).
    fn read_now(&self, shared: &Shared, mine: Option<u64>, own: &mut Option<Reply>) {
        let mut queued = false;
        loop {
            self.wanted.store(true, Ordering::SeqCst);
            let Some(mut slot) = self.slot.try_lock() else { break };
            self.wanted.store(false, Ordering::SeqCst);
            queued |= self.pump(&mut slot, shared, mine, own);
            drop(slot);
            if !self.wanted.load(Ordering::SeqCst) {
                break;
            }
        }
        if queued {
            self.wake_task();
        }
    }

    fn wake_task(&self) {
        let task = self.signal.target.lock().task.clone();
        if let Some(w) = task {
            w.wake();
        }
    }

    /// The connection task's side: registers its waker, reads when no caller does, and returns the next
    /// frame it must act on.
    pub fn poll_control(&self, shared: &Shared, cx: &mut Context<'_>) -> Poll<Control> {
        let watch = {
            let mut t = self.signal.target.lock();
            if !t.task.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                t.task = Some(cx.waker().clone());
            }
            let watch = t.watch == WatchState::Requested;
            if watch {
                t.watch = WatchState::On;
            }
            watch
        };
        if watch {
            return Poll::Ready(Control::Watch);
        }
        // Read even while a caller is named: the task is woken for its own reasons (timers, commands,
        // frames queued for it), rarely while callers read, and reading is never wrong.
        self.read_now(shared, None, &mut None);
        let mut log = shared.rate_limits.lock();
        if log.has_unapplied() {
            log.apply();
        }
        drop(log);
        match self.slot.lock().control.pop_front() {
            Some(c) => Poll::Ready(c),
            None => Poll::Pending,
        }
    }

    /// The connection task's look at the reading caller: takes the socket back from one that was woken
    /// and has not read since the last look (`seen`). Returns whether to look again after [`WATCH`].
    pub fn watch(&self, seen: &mut Option<u64>) -> bool {
        let mut t = self.signal.target.lock();
        if t.caller.is_some() && (t.unread.is_none() || t.unread != *seen) {
            *seen = t.unread;
            return true;
        }
        if t.caller.take().is_some() {
            tracing::debug!("a caller woken to read the API socket was not polled; the connection task reads");
        }
        t.unread = None;
        t.watch = WatchState::Off;
        *seen = None;
        false
    }
}

/// A caller's part in reading while its request `id` is outstanding. Dropping it steps back.
pub(crate) struct ReplyWait<'a> {
    shared: &'a Shared,
    id: u64,
    /// This caller named itself (and may still be the one named).
    named: bool,
    /// The reply, when this caller read it itself (it then never comes on the channel).
    own: Option<Reply>,
    /// No other caller was waiting when this one started. Only such a caller reads: with requests
    /// pipelined, the connection task reads on another thread while the callers write, which keeps
    /// both busy; a lone request is what a thread hop less per reply speeds up.
    alone: bool,
}

impl<'a> ReplyWait<'a> {
    pub fn new(shared: &'a Shared, id: u64) -> Self {
        let others = shared.reader.waiting.fetch_add(1, Ordering::Relaxed);
        ReplyWait { shared, id, named: false, own: None, alone: others == 0 }
    }

    /// Names this caller as the one the socket wakes, and reads what the socket has (its own reply is
    /// kept when `keep` is set); only a caller that started alone does.
    fn read(&mut self, cx: &Context<'_>, keep: bool) {
        if !self.alone {
            return;
        }
        let reader = &self.shared.reader;
        let start_watch = {
            let mut t = reader.signal.target.lock();
            match &mut t.caller {
                Some((id, w)) if *id == self.id => {
                    if !w.will_wake(cx.waker()) {
                        *w = cx.waker().clone();
                    }
                }
                other => *other = Some((self.id, cx.waker().clone())),
            }
            t.unread = None;
            let start = t.watch == WatchState::Off;
            if start {
                t.watch = WatchState::Requested;
            }
            start
        };
        self.named = true;
        // With the socket's waker registered and not fired since, there is nothing to read.
        if !reader.armed() {
            reader.read_now(self.shared, keep.then_some(self.id), &mut self.own);
        }
        if start_watch {
            reader.wake_task();
        }
    }

    /// Reads for everyone while the request is being written; never completes. (Reading here also keeps
    /// a write that waits on a full socket from stopping the replies from being read.) The reply, should
    /// it come this early, is sent on the channel: `dispatch` watches that.
    pub fn poll_meanwhile(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        self.read(cx, false);
        Poll::Pending
    }

    /// Waits for the reply on `rx`, reading meanwhile.
    pub fn poll_reply(&mut self, rx: &mut oneshot::Receiver<Result<Reply>>, cx: &mut Context<'_>) -> Poll<Ended> {
        if let Poll::Ready(r) = Pin::new(&mut *rx).poll(cx) {
            self.step_back();
            return Poll::Ready(r);
        }
        self.read(cx, true);
        if let Some(reply) = self.own.take() {
            self.step_back();
            return Poll::Ready(Ok(Ok(reply)));
        }
        match Pin::new(&mut *rx).poll(cx) {
            Poll::Ready(r) => {
                self.step_back();
                Poll::Ready(r)
            }
            Poll::Pending => {
                // Idle until the reply comes: decode the rate limits of earlier replies now.
                if let Some(mut log) = self.shared.rate_limits.try_lock() {
                    if log.has_unapplied() {
                        log.apply();
                    }
                }
                Poll::Pending
            }
        }
    }

    /// Stops being the one the socket wakes; wakes the connection task when the socket may hold unread
    /// frames (a wake-up this caller will not act on, or a read that did not end registered).
    fn step_back(&mut self) {
        if !std::mem::take(&mut self.named) {
            return;
        }
        let reader = &self.shared.reader;
        let wake = {
            let mut t = reader.signal.target.lock();
            if t.caller.as_ref().is_some_and(|(id, _)| *id == self.id) {
                t.caller = None;
                let unread = t.unread.take().is_some();
                (unread || !reader.armed()).then(|| t.task.clone()).flatten()
            } else {
                None
            }
        };
        if let Some(w) = wake {
            w.wake();
        }
    }
}

impl Drop for ReplyWait<'_> {
    fn drop(&mut self) {
        self.step_back();
        self.shared.reader.waiting.fetch_sub(1, Ordering::Relaxed);
    }
}
