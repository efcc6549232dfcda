//! The queue between the connection task and one subscription's reader: raw event bytes (decoded by the
//! reader) and notices, bounded, never blocking the connection task. When the reader falls this far behind,
//! new events are dropped and the reader gets one `Missed` notice at the place of the gap.

use std::collections::VecDeque;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::task::AtomicWaker;
use parking_lot::Mutex;

use super::spot_events::{MissedCause, Notice};

/// Events a reader may fall behind by before events are dropped (user data is a low-rate feed; this is
/// minutes of a very busy account).
pub(crate) const QUEUE_CAPACITY: usize = 65_536;

/// What the reader takes out.
#[derive(Debug)]
pub(crate) enum Item {
    /// An event object's bytes.
    Event(Bytes),
    /// Events may be missing up to `until_ms`; the reader knows where the gap starts (its last event).
    Missed { until_ms: u64, cause: MissedCause },
    /// Any other notice.
    Notice(Notice),
}

#[derive(Default)]
struct Inner {
    items: VecDeque<Item>,
    /// Events dropped since the queue filled up: (server time of the last drop, count).
    overflow: Option<(u64, u64)>,
    /// Nothing more will be pushed: the reader ends after the items left.
    closed: bool,
}

#[derive(Default)]
pub(crate) struct Queue {
    inner: Mutex<Inner>,
    waker: AtomicWaker,
}

impl Queue {
    /// Queues an event, or counts it as dropped when the queue is full. `now_ms` is the server time.
    pub fn push_event(&self, event: Bytes, now_ms: u64) {
        let mut q = self.inner.lock();
        if q.closed {
            return;
        }
        if q.items.len() >= QUEUE_CAPACITY {
            let o = q.overflow.get_or_insert((now_ms, 0));
            o.0 = now_ms;
            o.1 += 1;
            return;
        }
        if let Some((until_ms, dropped)) = q.overflow.take() {
            q.items.push_back(Item::Missed { until_ms, cause: MissedCause::Overflow { dropped } });
        }
        q.items.push_back(Item::Event(event));
        drop(q);
        self.waker.wake();
    }

    /// Queues a notice (notices are never dropped).
    pub fn push(&self, item: Item) {
        let mut q = self.inner.lock();
        if q.closed {
            return;
        }
        if let Some((until_ms, dropped)) = q.overflow.take() {
            q.items.push_back(Item::Missed { until_ms, cause: MissedCause::Overflow { dropped } });
        }
        q.items.push_back(item);
        drop(q);
        self.waker.wake();
    }

    /// Ends the queue: the reader gets what is queued, then the end.
    pub fn close(&self) {
        self.inner.lock().closed = true;
        self.waker.wake();
    }

    /// The next item, `None` at the end.
    pub fn poll_pop(&self, cx: &mut Context<'_>) -> Poll<Option<Item>> {
        if let Some(item) = self.try_pop() {
            return Poll::Ready(item);
        }
        self.waker.register(cx.waker());
        // Something may have arrived between the check and the registration.
        match self.try_pop() {
            Some(item) => Poll::Ready(item),
            None => Poll::Pending,
        }
    }

    /// `Some(Some(item))`, `Some(None)` at the end, `None` when nothing is there yet.
    fn try_pop(&self) -> Option<Option<Item>> {
        let mut q = self.inner.lock();
        if let Some(item) = q.items.pop_front() {
            return Some(Some(item));
        }
        if let Some((until_ms, dropped)) = q.overflow.take() {
            return Some(Some(Item::Missed { until_ms, cause: MissedCause::Overflow { dropped } }));
        }
        q.closed.then_some(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::task::noop_waker;

    fn pop(q: &Queue) -> Poll<Option<Item>> {
        let waker = noop_waker();
        q.poll_pop(&mut Context::from_waker(&waker))
    }

    #[test]
    fn a_full_queue_drops_events_and_reports_the_gap_where_it_happened() {
        let q = Queue::default();
        for i in 0..QUEUE_CAPACITY + 3 {
            q.push_event(Bytes::from(i.to_string()), 100 + i as u64);
        }
        // The reader catches up: everything queued, then the gap, then what comes after.
        for i in 0..QUEUE_CAPACITY {
            assert!(matches!(pop(&q), Poll::Ready(Some(Item::Event(b))) if b == i.to_string()));
        }
        q.push_event(Bytes::from_static(b"after"), 1_000_000);
        match pop(&q) {
            Poll::Ready(Some(Item::Missed { until_ms, cause: MissedCause::Overflow { dropped } })) => {
                assert_eq!((until_ms, dropped), (100 + QUEUE_CAPACITY as u64 + 2, 3));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(pop(&q), Poll::Ready(Some(Item::Event(b))) if b == "after"));
        assert!(pop(&q).is_pending());
        q.close();
        assert!(matches!(pop(&q), Poll::Ready(None)));
    }

    #[test]
    fn a_gap_at_the_end_is_reported_without_waiting_for_more_events() {
        let q = Queue::default();
        for _ in 0..QUEUE_CAPACITY + 1 {
            q.push_event(Bytes::from_static(b"x"), 7);
        }
        for _ in 0..QUEUE_CAPACITY {
            assert!(matches!(pop(&q), Poll::Ready(Some(Item::Event(_)))));
        }
        assert!(matches!(pop(&q), Poll::Ready(Some(Item::Missed { until_ms: 7, .. }))));
        assert!(pop(&q).is_pending());
    }
}
