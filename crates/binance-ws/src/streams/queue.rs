//! The bounded queue between the connection tasks and the consumer, and the raw-frame history.
//!
//! No lock per frame: a connection task pushes the events of everything its socket had ready in one batch
//! (one lock), and the consumer moves up to [`Queue::take_batch`]'s limit into its own buffer at a time (one
//! lock), then pops from there without touching shared state except one relaxed store.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use parking_lot::Mutex;
use tokio::sync::Notify;
use tokio_websockets::Payload;

use super::event::{MarketEvent, Notice, Tagged};

/// What happens when the consumer falls behind and the queue is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Overflow {
    /// Drop the oldest events and report how many with [`Notice::Lagged`] (connection notices are kept).
    #[default]
    DropOldest,
    /// Stop reading the sockets until there is room. Nothing is dropped here, but a server that sees a
    /// client fall too far behind disconnects it (reported as `Disconnected`).
    Wait,
}

/// Events the consumer takes from the shared queue at once.
const BATCH: usize = 64;

struct State {
    items: VecDeque<Tagged>,
    dropped: u64,
    waker: Option<Waker>,
    closed: bool,
}

pub(crate) struct Queue {
    state: Mutex<State>,
    capacity: usize,
    policy: Overflow,
    space: Notify,
    /// Events already moved to the consumer's own buffer and not yet popped (they count toward the capacity).
    at_consumer: AtomicUsize,
}

impl Queue {
    pub(crate) fn new(capacity: usize, policy: Overflow) -> Queue {
        Queue {
            state: Mutex::new(State { items: VecDeque::new(), dropped: 0, waker: None, closed: false }),
            capacity: capacity.max(1),
            policy,
            space: Notify::new(),
            at_consumer: AtomicUsize::new(0),
        }
    }

    /// Events the consumer may hold in its own buffer: small, and at most half the capacity so that the
    /// oldest events are still in the shared queue when it is full.
    fn batch_limit(&self) -> usize {
        BATCH.min(self.capacity / 2).max(1)
    }

    /// Adds a batch of events (no notices) in order, leaving `items` empty; with [`Overflow::Wait`] waits
    /// for room as often as needed.
    pub(crate) async fn push_batch(&self, items: &mut Vec<Tagged>) {
        if items.is_empty() {
            return;
        }
        if self.policy == Overflow::DropOldest {
            let waker = {
                let mut st = self.state.lock();
                for item in items.drain(..) {
                    self.insert(&mut st, item);
                }
                st.waker.take()
            };
            if let Some(w) = waker {
                w.wake();
            }
            return;
        }
        let mut rest = items.drain(..).peekable();
        while rest.peek().is_some() {
            let notified = self.space.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let waker = {
                let mut st = self.state.lock();
                if st.closed {
                    return;
                }
                while st.items.len() + self.at_consumer.load(Ordering::Relaxed) < self.capacity {
                    let Some(item) = rest.next() else { break };
                    st.items.push_back(item);
                }
                st.waker.take()
            };
            if let Some(w) = waker {
                w.wake();
            }
            if rest.peek().is_some() {
                notified.await;
            }
        }
    }

    /// Adds an item at once, dropping the oldest event when full.
    pub(crate) fn push_now(&self, item: Tagged) {
        let waker = {
            let mut st = self.state.lock();
            self.insert(&mut st, item);
            st.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Appends under the lock, making room by dropping the oldest queued event when full. Notices may
    /// exceed the capacity a little; events never do (when the consumer's own buffer alone fills the
    /// capacity, the new event is the one dropped).
    fn insert(&self, st: &mut State, item: Tagged) {
        if st.closed {
            return;
        }
        let held = self.at_consumer.load(Ordering::Relaxed);
        let notice = item.event.is_notice();
        while st.items.len() + held >= self.capacity && !(notice && st.items.len() + held < self.capacity + 64) {
            match st.items.iter().position(|t| !t.event.is_notice()) {
                Some(i) => {
                    st.items.remove(i);
                    st.dropped += 1;
                }
                None if notice => {
                    st.items.pop_front();
                }
                None => {
                    st.dropped += 1;
                    return;
                }
            }
        }
        st.items.push_back(item);
    }

    pub(crate) fn notice(&self, n: Notice) {
        self.push_now(Tagged { stream: None, event: MarketEvent::Notice(n) });
    }

    /// Moves the next events into the consumer's buffer `local` (which must be empty): a `Lagged` notice
    /// first if events were dropped, then up to the batch limit. `Ready(false)`: closed and drained.
    pub(crate) fn poll_fill(&self, cx: &mut Context<'_>, local: &mut VecDeque<Tagged>) -> Poll<bool> {
        let mut st = self.state.lock();
        if st.dropped > 0 {
            let dropped = std::mem::take(&mut st.dropped);
            local.push_back(Tagged { stream: None, event: MarketEvent::Notice(Notice::Lagged { dropped }) });
        }
        let n = st.items.len().min(self.batch_limit());
        local.extend(st.items.drain(..n));
        if !local.is_empty() {
            // The `Lagged` notice is not an event of the queue: only what was moved counts.
            self.at_consumer.store(n, Ordering::Relaxed);
            drop(st);
            if self.policy == Overflow::Wait && n > 0 {
                self.space.notify_waiters();
            }
            return Poll::Ready(true);
        }
        if st.closed {
            return Poll::Ready(false);
        }
        st.waker = Some(cx.waker().clone());
        Poll::Pending
    }

    /// The consumer popped from its buffer, which now holds `held` events.
    pub(crate) fn consumed(&self, held: usize) {
        self.at_consumer.store(held, Ordering::Relaxed);
    }

    /// The next event for a consumer with buffer `local`.
    pub(crate) fn poll_next(&self, cx: &mut Context<'_>, local: &mut VecDeque<Tagged>) -> Poll<Option<Tagged>> {
        if local.is_empty() && !std::task::ready!(self.poll_fill(cx, local)) {
            return Poll::Ready(None);
        }
        let item = local.pop_front();
        self.consumed(local.len());
        Poll::Ready(item)
    }

    /// Events waiting for the consumer, its own buffer included.
    pub(crate) fn len(&self) -> usize {
        self.state.lock().items.len() + self.at_consumer.load(Ordering::Relaxed)
    }

    pub(crate) fn close(&self) {
        let waker = {
            let mut st = self.state.lock();
            st.closed = true;
            st.waker.take()
        };
        self.space.notify_waiters();
        if let Some(w) = waker {
            w.wake();
        }
    }
}

/// The last N raw frames received (all connections), for debugging. Capacity 0 keeps nothing and costs nothing.
pub(crate) struct History {
    capacity: usize,
    frames: Mutex<VecDeque<Bytes>>,
}

impl History {
    pub(crate) fn new(capacity: usize) -> History {
        History { capacity, frames: Mutex::new(VecDeque::with_capacity(capacity.min(4096))) }
    }

    pub(crate) fn push(&self, frame: &Payload) {
        if self.capacity == 0 {
            return;
        }
        let mut f = self.frames.lock();
        if f.len() == self.capacity {
            f.pop_front();
        }
        f.push_back(Bytes::from(frame.clone()));
    }

    pub(crate) fn snapshot(&self) -> Vec<Bytes> {
        self.frames.lock().iter().cloned().collect()
    }
}
