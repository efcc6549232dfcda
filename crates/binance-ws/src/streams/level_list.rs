//! [`LevelList`]: the price levels of one side of a depth update, in a buffer that is reused.
//!
//! Why: a depth update is decoded on its connection's thread and usually dropped on the consumer's. With
//! plain `Vec`s every update cost two allocations there and two frees here, and glibc serializes such
//! cross-thread frees on the allocating arena's lock: in `perf` the connection task spent a third of its
//! time in `malloc`, partly waiting for that lock. A dropped list's buffer goes to its thread's spares
//! instead; spares move to and from one shared pool 64 at a time, so the decoding thread takes buffers the
//! consumer's thread gave back with one lock per 64 updates, not one allocation per side.

use std::cell::RefCell;
use std::fmt;
use std::ops::{Deref, DerefMut};

use parking_lot::Mutex;
use serde::{Deserialize, Deserializer};

use super::event::Level;

/// Buffers moved between a thread's spares and the shared pool at once.
const MOVE: usize = 64;
/// A thread keeps at most this many spare buffers; past it, [`MOVE`] go to the shared pool.
const LOCAL_MAX: usize = 2 * MOVE;
/// The shared pool keeps at most this many; past it, buffers are freed. It has to hold what the consumer gives
/// back while the connection is still filling its batch (256 frames, two buffers each), a few batches over.
const SHARED_MAX: usize = 4096;
/// Larger buffers are freed rather than kept (32 levels: 1 KiB), so that the spares stay small: at most
/// 4 MiB in the shared pool and 128 KiB per thread, and a few hundred KiB in practice (a busy depth stream's
/// lists hold a handful of levels).
const KEEP_CAPACITY: usize = 32;
/// Capacity of a new buffer.
const FIRST_CAPACITY: usize = 4;

type Spares = Vec<Vec<Level>>;

thread_local! {
    static SPARES: RefCell<Spares> = const { RefCell::new(Vec::new()) };
}

static SHARED: Mutex<Spares> = Mutex::new(Vec::new());

/// An empty buffer: a spare of this thread, else up to [`MOVE`] from the shared pool, else a new one.
fn take() -> Vec<Level> {
    let spare = SPARES.try_with(|s| s.try_borrow_mut().ok().and_then(|mut s| take_from(&mut s, &SHARED)));
    let spare = spare.ok().flatten();
    spare.unwrap_or_else(|| Vec::with_capacity(FIRST_CAPACITY))
}

/// Keeps `buf` as a spare of this thread when it is worth keeping.
fn give(buf: Vec<Level>) {
    if buf.capacity() == 0 || buf.capacity() > KEEP_CAPACITY {
        return;
    }
    // During thread teardown the spares are gone: `buf` is simply freed.
    let _ = SPARES.try_with(move |s| {
        if let Ok(mut s) = s.try_borrow_mut() {
            give_to(&mut s, &SHARED, buf);
        }
    });
}

fn take_from(local: &mut Spares, shared: &Mutex<Spares>) -> Option<Vec<Level>> {
    if local.is_empty() {
        let mut shared = shared.lock();
        let from = shared.len().saturating_sub(MOVE);
        local.extend(shared.drain(from..));
    }
    local.pop()
}

fn give_to(local: &mut Spares, shared: &Mutex<Spares>, mut buf: Vec<Level>) {
    buf.clear();
    local.push(buf);
    if local.len() >= LOCAL_MAX {
        // The oldest go; the newest (warm in this core's cache) stay.
        let mut shared = shared.lock();
        let room = SHARED_MAX.saturating_sub(shared.len()).min(MOVE);
        shared.extend(local.drain(..MOVE).take(room));
    }
}

/// The price levels of one side of a [`DepthUpdate`](super::DepthUpdate), in the order received.
///
/// It reads like a slice of [`Level`]s (`len`, `iter`, indexing, `first`, `&list[..]`), compares with slices
/// and `Vec`s, and converts from and to `Vec<Level>`. The difference is in dropping: the buffer is kept for
/// the next update decoded rather than freed (see the module's notes), so that a busy depth stream costs no
/// allocation per update.
///
/// ```
/// use binance_ws::streams::{Level, LevelList};
/// use rust_decimal::Decimal;
///
/// let level = |price, qty| Level { price: Decimal::new(price, 1), qty: Decimal::from(qty) };
/// let bids: LevelList = vec![level(1005, 2), level(1004, 0)].into();
/// assert_eq!(bids.len(), 2);
/// assert_eq!(bids[0].price.to_string(), "100.5");
/// let removed: Vec<String> = bids.iter().filter(|l| l.qty.is_zero()).map(|l| l.price.to_string()).collect();
/// assert_eq!(removed, ["100.4"]);
/// assert_eq!(bids, vec![level(1005, 2), level(1004, 0)]);
/// let owned: Vec<Level> = bids.into_vec();
/// assert_eq!(owned.len(), 2);
/// ```
#[derive(Default, PartialEq, Eq)]
pub struct LevelList(Vec<Level>);

impl LevelList {
    /// An empty list (no allocation).
    pub const fn new() -> LevelList {
        LevelList(Vec::new())
    }

    /// An empty list with a buffer to fill, reused when one is spare.
    pub(crate) fn recycled() -> LevelList {
        LevelList(take())
    }

    /// Appends a level.
    pub fn push(&mut self, level: Level) {
        self.0.push(level);
    }

    /// The levels as a `Vec` (the buffer is then the caller's, and not reused).
    pub fn into_vec(mut self) -> Vec<Level> {
        std::mem::take(&mut self.0)
    }
}

impl Drop for LevelList {
    fn drop(&mut self) {
        give(std::mem::take(&mut self.0));
    }
}

impl Clone for LevelList {
    fn clone(&self) -> LevelList {
        let mut copy = LevelList::recycled();
        copy.0.extend_from_slice(&self.0);
        copy
    }
}

impl Deref for LevelList {
    type Target = [Level];

    fn deref(&self) -> &[Level] {
        &self.0
    }
}

impl DerefMut for LevelList {
    fn deref_mut(&mut self) -> &mut [Level] {
        &mut self.0
    }
}

impl fmt::Debug for LevelList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.iter()).finish()
    }
}

impl From<Vec<Level>> for LevelList {
    fn from(v: Vec<Level>) -> LevelList {
        LevelList(v)
    }
}

impl From<LevelList> for Vec<Level> {
    fn from(l: LevelList) -> Vec<Level> {
        l.into_vec()
    }
}

impl FromIterator<Level> for LevelList {
    fn from_iter<I: IntoIterator<Item = Level>>(iter: I) -> LevelList {
        let mut l = LevelList::recycled();
        l.0.extend(iter);
        l
    }
}

impl<'a> IntoIterator for &'a LevelList {
    type Item = &'a Level;
    type IntoIter = std::slice::Iter<'a, Level>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl IntoIterator for LevelList {
    type Item = Level;
    type IntoIter = std::vec::IntoIter<Level>;

    fn into_iter(self) -> Self::IntoIter {
        self.into_vec().into_iter()
    }
}

impl PartialEq<[Level]> for LevelList {
    fn eq(&self, other: &[Level]) -> bool {
        self.0 == other
    }
}

impl PartialEq<Vec<Level>> for LevelList {
    fn eq(&self, other: &Vec<Level>) -> bool {
        &self.0 == other
    }
}

impl<const N: usize> PartialEq<[Level; N]> for LevelList {
    fn eq(&self, other: &[Level; N]) -> bool {
        self.0 == other
    }
}

impl<'de> Deserialize<'de> for LevelList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<LevelList, D::Error> {
        Vec::<Level>::deserialize(d).map(LevelList)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn level(p: i64) -> Level {
        Level { price: Decimal::new(p, 2), qty: Decimal::ONE }
    }

    fn spares() -> usize {
        SPARES.with(|s| s.borrow().len())
    }

    #[test]
    fn reads_compares_and_converts_like_a_vec() {
        let v = vec![level(101), level(100)];
        let l = LevelList::from(v.clone());
        assert_eq!(l, v);
        assert_eq!(l, v[..]);
        assert_eq!(l, [level(101), level(100)]);
        assert_eq!(l.len(), 2);
        assert_eq!(l.first(), Some(&level(101)));
        assert_eq!((&l).into_iter().count(), 2);
        assert_eq!(format!("{l:?}"), format!("{v:?}"));
        assert_eq!(l.clone(), l);
        assert_eq!(l.clone().into_vec(), v);
        assert_eq!(l.into_iter().collect::<Vec<_>>(), v);
        let json: LevelList = serde_json::from_str(r#"[["1.01","1"],["1.00","1"]]"#).unwrap();
        assert_eq!(json, v);
        assert!(LevelList::new().is_empty());
    }

    #[test]
    fn a_dropped_buffer_is_taken_again_empty_and_large_ones_are_freed() {
        // Each test runs on its own thread, so this thread's spares are this test's.
        let mut l = LevelList::recycled();
        l.push(level(1));
        let ptr = l.as_ptr();
        drop(l);
        assert!(spares() > 0);
        let again = LevelList::recycled();
        assert!(again.is_empty(), "a reused buffer starts empty");
        assert_eq!(again.as_ptr(), ptr, "the dropped buffer is the one taken again");
        drop(again);

        let big: LevelList = (0..KEEP_CAPACITY as i64 + 1).map(level).collect();
        let before = spares();
        drop(big);
        assert_eq!(spares(), before, "a buffer over {KEEP_CAPACITY} levels is freed, not kept");
        drop(LevelList::new());
        assert_eq!(spares(), before, "a list that never allocated leaves nothing");
    }

    #[test]
    fn spares_overflow_to_the_shared_pool_and_come_back_to_a_thread_without_spares() {
        let shared = Mutex::new(Vec::new());
        let (mut giver, mut taker) = (Vec::new(), Vec::new());
        let bufs: Vec<Vec<Level>> = (0..LOCAL_MAX).map(|i| vec![level(i as i64)]).collect();
        let ptrs: Vec<*const Level> = bufs.iter().map(|b| b.as_ptr()).collect();
        for b in bufs {
            give_to(&mut giver, &shared, b);
        }
        assert_eq!(giver.len(), LOCAL_MAX - MOVE, "at {LOCAL_MAX} spares, {MOVE} went to the shared pool");
        assert_eq!(shared.lock().len(), MOVE);
        // The oldest went: the newest stay with the thread that dropped them.
        assert_eq!(giver.last().map(|b| b.as_ptr()), ptrs.last().copied());
        let got = take_from(&mut taker, &shared).expect("a buffer from the shared pool");
        assert!(got.is_empty(), "a reused buffer starts empty");
        assert!(ptrs[..MOVE].contains(&got.as_ptr()), "one of the buffers given back");
        assert_eq!(taker.len(), MOVE - 1, "{MOVE} moved to the taker at once");
        assert!(shared.lock().is_empty());
    }

    #[test]
    fn a_full_shared_pool_frees_what_does_not_fit() {
        let shared = Mutex::new((0..SHARED_MAX).map(|_| Vec::with_capacity(1)).collect());
        let mut local = Vec::new();
        for _ in 0..LOCAL_MAX {
            give_to(&mut local, &shared, Vec::with_capacity(1));
        }
        assert_eq!(shared.lock().len(), SHARED_MAX);
        assert_eq!(local.len(), LOCAL_MAX - MOVE);
        let mut empty = Vec::new();
        assert!(take_from(&mut empty, &Mutex::new(Vec::new())).is_none(), "nothing spare anywhere");
    }
}
