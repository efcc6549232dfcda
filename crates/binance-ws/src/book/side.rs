//! One side of a book: price keys in a sorted `Vec<i64>` with the quantities in a parallel `Vec<Decimal>`,
//! ordered so that the best level is the last element. Best level: O(1). Updates cluster near the best price,
//! so the search gallops from the end and inserting or removing there moves only the few levels above it.
//! `benches/book.rs` compares this with `BTreeMap`s; the numbers are in the module docs of `book`.

use rust_decimal::Decimal;

/// Levels of one side. Keys are ticks for bids and negated ticks for asks, so that both sides keep their best
/// level (highest bid, lowest ask) at the end.
#[derive(Debug, Clone, Default)]
pub(crate) struct SideLevels {
    keys: Vec<i64>,
    qtys: Vec<Decimal>,
}

impl SideLevels {
    /// Index of `key`, or where it would be inserted. Gallops from the end: O(log d) for a key d levels from
    /// the best.
    #[inline]
    fn find(&self, key: i64) -> Result<usize, usize> {
        let n = self.keys.len();
        let mut step = 1;
        let mut hi = n;
        // Find a window [lo, hi) with keys[lo - 1] < key <= keys[hi - 1] (or the ends).
        while hi > 0 {
            let probe = hi.saturating_sub(step);
            if self.keys[probe] < key {
                return self.keys[probe + 1..hi].binary_search(&key).map(|i| i + probe + 1).map_err(|i| i + probe + 1);
            }
            if probe == 0 {
                return self.keys[..hi].binary_search(&key);
            }
            hi = probe + 1;
            step *= 2;
        }
        Err(0)
    }

    /// Sets the quantity at `key` (zero removes the level). Returns whether the side changed.
    #[inline]
    pub(crate) fn set(&mut self, key: i64, qty: Decimal) -> bool {
        match self.find(key) {
            Ok(i) if qty.is_zero() => {
                self.keys.remove(i);
                self.qtys.remove(i);
                true
            }
            Ok(i) => {
                self.qtys[i] = qty;
                true
            }
            // Removing a level that is not there happens (levels beyond the snapshot) and is harmless.
            Err(_) if qty.is_zero() => false,
            Err(i) => {
                self.keys.insert(i, key);
                self.qtys.insert(i, qty);
                true
            }
        }
    }

    /// The quantity at `key`.
    #[inline]
    pub(crate) fn get(&self, key: i64) -> Option<Decimal> {
        self.find(key).ok().map(|i| self.qtys[i])
    }

    /// The best level.
    #[inline]
    pub(crate) fn best(&self) -> Option<(i64, Decimal)> {
        Some((*self.keys.last()?, *self.qtys.last()?))
    }

    /// Levels from the best outwards.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (i64, Decimal)> + '_ {
        self.keys.iter().rev().copied().zip(self.qtys.iter().rev().copied())
    }

    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    pub(crate) fn clear(&mut self) {
        self.keys.clear();
        self.qtys.clear();
    }

    /// Replaces every key with `f(key)`; `f` must keep the order.
    pub(crate) fn map_keys<E>(&mut self, f: impl Fn(i64) -> Result<i64, E>) -> Result<(), E> {
        let keys = self.keys.iter().map(|k| f(*k)).collect::<Result<Vec<_>, E>>()?;
        self.keys = keys;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(s: &SideLevels) -> Vec<i64> {
        s.iter().map(|(k, _)| k).collect()
    }

    #[test]
    fn keeps_keys_sorted_with_best_last() {
        let mut s = SideLevels::default();
        for k in [5, 1, 9, 3, 7, 2, 8, 6, 4, 0] {
            assert!(s.set(k, Decimal::ONE));
        }
        assert_eq!(keys(&s), vec![9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
        assert_eq!(s.best(), Some((9, Decimal::ONE)));
        for k in 0..10 {
            assert_eq!(s.find(k), Ok(k as usize), "key {k}");
        }
        assert_eq!(s.find(-1), Err(0));
        assert_eq!(s.find(10), Err(10));
    }

    #[test]
    fn zero_removes_and_missing_removals_change_nothing() {
        let mut s = SideLevels::default();
        s.set(3, Decimal::TWO);
        s.set(4, Decimal::ONE);
        assert!(!s.set(5, Decimal::ZERO));
        assert!(s.set(4, Decimal::ZERO));
        assert_eq!(keys(&s), vec![3]);
        assert_eq!(s.get(3), Some(Decimal::TWO));
        assert_eq!(s.get(4), None);
    }

    #[test]
    fn search_agrees_with_binary_search_at_every_size() {
        for n in 0..70i64 {
            let mut s = SideLevels::default();
            for k in 0..n {
                s.set(k * 2, Decimal::ONE);
            }
            for probe in -1..=(2 * n + 1) {
                assert_eq!(s.find(probe), s.keys.binary_search(&probe), "n {n} probe {probe}");
            }
        }
    }
}
