//! The bounded queue between the connection tasks and the consumer, and the raw-frame history.
//!
//! No lock per frame: a connection task pushes the events of everything its socket had ready in one batch
//! (one lock), and the consumer takes a batch into its own buffer at a time (one lock), then pops from there
//! without touching shared state except one relaxed store. While the consumer keeps up, batches change hands
//! by swapping buffers, so events are not copied on the way either.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use parking_lot::Mutex;
use tokio::sync::Notify;
use tokio_websockets::Payload;

use super::event::Notice;
use super::item::Item;

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
const BATCH: usize = 256;

/// An empty buffer handed back after a swap is shrunk to this when it grew far beyond it (after a lag), so
/// that no more than one large buffer stays allocated.
const SPARE: usize = 1024;

fn spare(mut buf: VecDeque<Item>) -> VecDeque<Item> {
    if buf.capacity() > 2 * SPARE {
        buf.shrink_to(SPARE);
    }
    buf
}

struct State {
    items: VecDeque<Item>,
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
    pub(crate) async fn push_batch(&self, items: &mut VecDeque<Item>) {
        if items.is_empty() {
            return;
        }
        if self.policy == Overflow::DropOldest {
            let waker = {
                let mut st = self.state.lock();
                if st.items.is_empty() && !st.closed {
                    // The consumer took everything: hand the batch over whole, then trim to the capacity.
                    std::mem::swap(&mut st.items, items);
                    *items = spare(std::mem::take(items));
                    let held = self.at_consumer.load(Ordering::Relaxed);
                    while st.items.len() + held > self.capacity && st.items.pop_front().is_some() {
                        st.dropped += 1;
                    }
                } else {
                    for item in items.drain(..) {
                        self.insert(&mut st, item);
                    }
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
    pub(crate) fn push_now(&self, item: Item) {
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
    fn insert(&self, st: &mut State, item: Item) {
        if st.closed {
            return;
        }
        let held = self.at_consumer.load(Ordering::Relaxed);
        let notice = item.is_notice();
        while st.items.len() + held >= self.capacity && !(notice && st.items.len() + held < self.capacity + 64) {
            match st.items.iter().position(|t| !t.is_notice()) {
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
        self.push_now(Item::notice(n));
    }

    /// Moves the next events into the consumer's buffer `local` (which must be empty): a `Lagged` notice
    /// first if events were dropped, then up to the batch limit. `Ready(false)`: closed and drained.
    pub(crate) fn poll_fill(&self, cx: &mut Context<'_>, local: &mut VecDeque<Item>) -> Poll<bool> {
        let mut st = self.state.lock();
        let n = st.items.len().min(self.batch_limit());
        if n == st.items.len() {
            // All of it: swap buffers rather than move events.
            std::mem::swap(&mut st.items, local);
            st.items = spare(std::mem::take(&mut st.items));
        } else {
            local.extend(st.items.drain(..n));
        }
        if st.dropped > 0 {
            let dropped = std::mem::take(&mut st.dropped);
            local.push_front(Item::notice(Notice::Lagged { dropped }));
        }
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

    /// The next item for a consumer with buffer `local` (a frame is decoded by the caller, see `item.rs`).
    pub(crate) fn poll_next(&self, cx: &mut Context<'_>, local: &mut VecDeque<Item>) -> Poll<Option<Item>> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::streams::event::{MarketEvent, Tagged, Trade};
    use rust_decimal::Decimal;

    fn trade(id: u64) -> Item {
        let t = Trade {
            event_time: id,
            symbol: "BTCUSDT".into(),
            trade_id: id,
            price: Decimal::ONE,
            qty: Decimal::ONE,
            buyer_order_id: None,
            seller_order_id: None,
            trade_time: id,
            buyer_is_maker: false,
        };
        Item::Ready(Tagged { stream: None, event: MarketEvent::Trade(t) })
    }

    fn batch(ids: impl IntoIterator<Item = u64>) -> VecDeque<Item> {
        ids.into_iter().map(trade).collect()
    }

    /// Pops what is ready without waiting: trade ids, and `u64::MAX - dropped` for a `Lagged`.
    fn drain(q: &Queue, local: &mut VecDeque<Item>) -> Vec<u64> {
        let waker = futures::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        let mut out = Vec::new();
        while let Poll::Ready(Some(t)) = q.poll_next(&mut cx, local) {
            out.push(match t.into_event() {
                MarketEvent::Trade(t) => t.trade_id,
                MarketEvent::Notice(Notice::Lagged { dropped }) => u64::MAX - dropped,
                other => panic!("{other:?}"),
            });
        }
        out
    }

    #[tokio::test]
    async fn drop_oldest_keeps_the_newest_within_capacity_and_reports_the_loss_first() {
        let q = Queue::new(10, Overflow::DropOldest);
        let mut local = VecDeque::new();
        // Into an empty queue (handed over whole), then into a non-empty one (appended).
        q.push_batch(&mut batch(1..=8)).await;
        q.push_batch(&mut batch(9..=15)).await;
        assert_eq!(q.len(), 10);
        let got = drain(&q, &mut local);
        assert_eq!(got[0], u64::MAX - 5, "Lagged{{5}} first: {got:?}");
        assert_eq!(&got[1..], (6..=15).collect::<Vec<_>>());
        assert_eq!(q.len(), 0);
        // A batch larger than the capacity on its own.
        q.push_batch(&mut batch(16..=40)).await;
        assert_eq!(q.len(), 10);
        let got = drain(&q, &mut local);
        assert_eq!(got[0], u64::MAX - 15);
        assert_eq!(&got[1..], (31..=40).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn events_held_by_the_consumer_count_toward_the_capacity() {
        let q = Queue::new(10, Overflow::DropOldest);
        let mut local = VecDeque::new();
        q.push_batch(&mut batch(1..=10)).await;
        let waker = futures::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        // The consumer takes at most half the capacity into its buffer and pops one.
        let Poll::Ready(Some(first)) = q.poll_next(&mut cx, &mut local) else { panic!("nothing ready") };
        assert!(matches!(first.into_event(), MarketEvent::Trade(ref t) if t.trade_id == 1));
        assert_eq!(local.len(), 4);
        assert_eq!(q.len(), 9);
        q.push_batch(&mut batch(11..=13)).await;
        assert_eq!(q.len(), 10, "one slot was free, two of the oldest shared events made room");
        let got = drain(&q, &mut local);
        assert_eq!(got, vec![2, 3, 4, 5, u64::MAX - 2, 8, 9, 10, 11, 12, 13]);
    }

    #[tokio::test]
    async fn notices_are_never_dropped_for_events() {
        let q = Queue::new(4, Overflow::DropOldest);
        let mut local = VecDeque::new();
        q.push_batch(&mut batch(1..=4)).await;
        q.notice(Notice::Closed { connection: 0, reason: "x".into() });
        assert_eq!(q.len(), 5, "a notice may exceed the capacity");
        q.push_batch(&mut batch(5..=5)).await;
        let waker = futures::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        let mut kinds = Vec::new();
        while let Poll::Ready(Some(t)) = q.poll_next(&mut cx, &mut local) {
            kinds.push(match t.into_event() {
                MarketEvent::Trade(t) => format!("t{}", t.trade_id),
                MarketEvent::Notice(Notice::Lagged { dropped }) => format!("lagged{dropped}"),
                MarketEvent::Notice(Notice::Closed { .. }) => "closed".to_string(),
                other => panic!("{other:?}"),
            });
        }
        assert_eq!(kinds, ["lagged2", "t3", "t4", "closed", "t5"]);
    }

    #[tokio::test]
    async fn wait_blocks_the_producer_until_there_is_room_and_loses_nothing() {
        let q = std::sync::Arc::new(Queue::new(8, Overflow::Wait));
        let producer = {
            let q = q.clone();
            tokio::spawn(async move {
                for b in 0..10u64 {
                    q.push_batch(&mut batch(b * 5 + 1..=b * 5 + 5)).await;
                }
            })
        };
        let mut local = VecDeque::new();
        let mut got = Vec::new();
        while got.len() < 50 {
            let t = std::future::poll_fn(|cx| q.poll_next(cx, &mut local)).await.expect("open");
            assert!(q.len() <= 8, "queue grew to {}", q.len());
            match t.into_event() {
                MarketEvent::Trade(t) => got.push(t.trade_id),
                other => panic!("{other:?}"),
            }
        }
        producer.await.unwrap();
        assert_eq!(got, (1..=50).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn close_ends_the_feed_after_what_is_queued() {
        let q = Queue::new(8, Overflow::DropOldest);
        let mut local = VecDeque::new();
        q.push_batch(&mut batch(1..=3)).await;
        q.close();
        q.push_batch(&mut batch(4..=4)).await;
        assert_eq!(drain(&q, &mut local), vec![1, 2, 3]);
        let waker = futures::task::noop_waker();
        assert!(matches!(q.poll_next(&mut Context::from_waker(&waker), &mut local), Poll::Ready(None)));
    }
}
