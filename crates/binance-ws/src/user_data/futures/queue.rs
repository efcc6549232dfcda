//! The bounded queue between the futures user data connection task and its reader: notices are never
//! dropped, and a count of dropped events is itself an item. (The market streams queue in `streams::queue` is
//! specialised for batches of market events; this one stays generic and simple for a low-rate feed.)

use std::collections::VecDeque;
use std::task::{Context, Poll, Waker};

use parking_lot::Mutex;
use tokio::sync::Notify;

use crate::streams::Overflow;

/// An item of a [`Queue`]: notices are never dropped, and a count of dropped items is itself an item.
pub(crate) trait Queued {
    /// Connection notices (kept when the queue is full).
    fn is_notice(&self) -> bool;
    /// The item that reports `dropped` lost items.
    fn lagged(dropped: u64) -> Self;
}

struct State<T> {
    items: VecDeque<T>,
    dropped: u64,
    waker: Option<Waker>,
    closed: bool,
}

pub(crate) struct Queue<T> {
    state: Mutex<State<T>>,
    capacity: usize,
    policy: Overflow,
    space: Notify,
}

impl<T: Queued> Queue<T> {
    pub(crate) fn new(capacity: usize, policy: Overflow) -> Queue<T> {
        Queue {
            state: Mutex::new(State { items: VecDeque::new(), dropped: 0, waker: None, closed: false }),
            capacity: capacity.max(1),
            policy,
            space: Notify::new(),
        }
    }

    /// Adds an item; with [`Overflow::Wait`] waits for room (notices never wait).
    pub(crate) async fn push(&self, item: T) {
        if self.policy == Overflow::Wait && !item.is_notice() {
            loop {
                let notified = self.space.notified();
                tokio::pin!(notified);
                notified.as_mut().enable();
                {
                    let st = self.state.lock();
                    if st.items.len() < self.capacity || st.closed {
                        break;
                    }
                }
                notified.await;
            }
        }
        self.push_now(item);
    }

    /// Adds an item at once, dropping the oldest event when full.
    pub(crate) fn push_now(&self, item: T) {
        let waker = {
            let mut st = self.state.lock();
            if st.closed {
                return;
            }
            // Notices may exceed the capacity a little; events never do.
            while st.items.len() >= self.capacity && !(item.is_notice() && st.items.len() < self.capacity + 64) {
                match st.items.iter().position(|t| !t.is_notice()) {
                    Some(i) => {
                        st.items.remove(i);
                        st.dropped += 1;
                    }
                    None => {
                        st.items.pop_front();
                    }
                }
            }
            st.items.push_back(item);
            st.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    pub(crate) fn poll_pop(&self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let mut st = self.state.lock();
        if st.dropped > 0 {
            let dropped = std::mem::take(&mut st.dropped);
            return Poll::Ready(Some(T::lagged(dropped)));
        }
        if let Some(item) = st.items.pop_front() {
            drop(st);
            if self.policy == Overflow::Wait {
                self.space.notify_waiters();
            }
            return Poll::Ready(Some(item));
        }
        if st.closed {
            return Poll::Ready(None);
        }
        st.waker = Some(cx.waker().clone());
        Poll::Pending
    }

    pub(crate) fn len(&self) -> usize {
        self.state.lock().items.len()
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
