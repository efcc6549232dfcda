//! Exponential backoff with full jitter, so that many clients reconnecting at once spread out.

use std::time::Duration;

use rand::Rng;

/// Delays between reconnect attempts: attempt `n` waits a random time in `[0, min(ceiling, floor * 2^n)]`,
/// never less than `floor / 2` so that a refused server is not hammered.
#[derive(Debug, Clone)]
pub struct Backoff {
    floor: Duration,
    ceiling: Duration,
    max_attempts: Option<u32>,
    attempt: u32,
}

impl Backoff {
    /// A backoff between `floor` and `ceiling`, giving up after `max_attempts` (None: never).
    pub fn new(floor: Duration, ceiling: Duration, max_attempts: Option<u32>) -> Self {
        Backoff { floor, ceiling: ceiling.max(floor), max_attempts, attempt: 0 }
    }

    /// The delay before the next attempt, or `None` when the attempts are used up.
    pub fn next_delay(&mut self) -> Option<Duration> {
        if self.max_attempts.is_some_and(|max| self.attempt >= max) {
            return None;
        }
        let exp = self.floor.saturating_mul(1u32 << self.attempt.min(20));
        let cap = exp.min(self.ceiling);
        self.attempt += 1;
        let low = self.floor / 2;
        if cap <= low {
            return Some(cap);
        }
        let nanos = rand::rng().random_range(low.as_nanos() as u64..=cap.as_nanos() as u64);
        Some(Duration::from_nanos(nanos))
    }

    /// The number of attempts made since the last reset.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// Starts over after a successful connection.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_stay_capped_and_stop_at_the_limit() {
        let floor = Duration::from_millis(100);
        let ceiling = Duration::from_secs(2);
        let mut b = Backoff::new(floor, ceiling, Some(12));
        let mut max_seen = Duration::ZERO;
        for n in 0..12 {
            let d = b.next_delay().expect("within the limit");
            assert!(d >= floor / 2, "attempt {n}: {d:?} below half the floor");
            assert!(d <= ceiling, "attempt {n}: {d:?} above the ceiling");
            assert!(d <= floor * (1 << n), "attempt {n}: {d:?} above the exponential cap");
            max_seen = max_seen.max(d);
        }
        assert!(b.next_delay().is_none());
        assert!(max_seen > floor, "jitter never went past the floor");
        b.reset();
        assert_eq!(b.attempt(), 0);
        assert!(b.next_delay().is_some());
    }

    #[test]
    fn unlimited_by_default_never_gives_up() {
        let mut b = Backoff::new(Duration::from_millis(1), Duration::from_millis(5), None);
        for _ in 0..1000 {
            assert!(b.next_delay().is_some());
        }
    }
}
