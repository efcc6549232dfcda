//! The outgoing message limiter of one connection: at most `max` messages (text frames, pings and pongs)
//! in any rolling window. Binance closes a stream connection with 1008 beyond 5 incoming messages per
//! second (10 on futures); the window used here is a little longer than a second so that network jitter
//! cannot squeeze two of our seconds into one of the server's.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

/// A rolling-window counter of sent messages.
#[derive(Debug, Clone)]
pub struct Limiter {
    max: usize,
    window: Duration,
    sent: VecDeque<Instant>,
}

impl Limiter {
    /// At most `max` messages in any `window`.
    pub fn new(max: usize, window: Duration) -> Limiter {
        Limiter { max: max.max(1), window, sent: VecDeque::new() }
    }

    fn prune(&mut self, now: Instant) {
        while self.sent.front().is_some_and(|t| *t + self.window <= now) {
            self.sent.pop_front();
        }
    }

    /// When one more message may go out while keeping `reserve` slots free (for pongs, which must not
    /// wait): `None` means now.
    pub fn next_slot(&mut self, now: Instant, reserve: usize) -> Option<Instant> {
        self.prune(now);
        let need = self.sent.len() + 1 + reserve;
        if need <= self.max {
            return None;
        }
        // This many of the oldest sends must expire first.
        let k = need - self.max;
        Some(self.sent.get(k - 1).map(|t| *t + self.window).unwrap_or(now + self.window))
    }

    /// Counts one message sent at `now`.
    pub fn record(&mut self, now: Instant) {
        self.prune(now);
        self.sent.push_back(now);
    }

    /// Messages sent within the window ending at `now`.
    pub fn in_window(&mut self, now: Instant) -> usize {
        self.prune(now);
        self.sent.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_more_than_max_in_any_window_with_a_reserved_slot() {
        let start = Instant::now();
        let window = Duration::from_millis(1000);
        let mut l = Limiter::new(5, window);
        let mut now = start;
        let mut sends = Vec::new();
        for _ in 0..40 {
            if let Some(at) = l.next_slot(now, 1) {
                assert!(at > now);
                now = at;
            }
            assert!(l.next_slot(now, 1).is_none());
            l.record(now);
            sends.push(now);
        }
        for (i, t) in sends.iter().enumerate() {
            let n = sends[i..].iter().take_while(|u| **u < *t + window).count();
            assert!(n <= 4, "{n} sends within a window starting at send {i}");
        }
        // The reserved slot is still there for a pong.
        assert!(l.in_window(now) <= 4);
    }
}
