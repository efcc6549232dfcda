//! What the storm watches besides the client's own reports: panics on any thread, and the process's memory.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Once;

static PANICS: AtomicU64 = AtomicU64::new(0);

/// Counts every panic in the process from now on (tokio catches a task's panic, but the hook still runs),
/// keeping the default report.
pub fn count_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.fetch_add(1, Ordering::SeqCst);
            previous(info);
        }));
    });
}

/// Panics so far.
pub fn panics() -> u64 {
    PANICS.load(Ordering::SeqCst)
}

/// A field of `/proc/self/status` in bytes (`VmRSS`: resident now; `VmHWM`: the kernel's resident peak).
fn status_bytes(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: u64 = line[field.len()..].trim_start_matches(':').trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kb * 1024)
}

/// Resident memory now, where `/proc` exists.
pub fn rss_bytes() -> Option<u64> {
    status_bytes("VmRSS")
}

/// The kernel's record of the process's resident peak, where `/proc` exists.
pub fn rss_peak_bytes() -> Option<u64> {
    status_bytes("VmHWM")
}

/// Memory and queue samples taken during the storm.
#[derive(Debug, Default)]
pub struct Samples {
    /// RSS after the clients were set up, before the first fault.
    pub rss_start: Option<u64>,
    /// Highest RSS sampled.
    pub rss_max: Option<u64>,
    /// Most events waiting in the market client's queue at a sample.
    pub market_queue_max: usize,
    /// Most events waiting in the books' streams queue at a sample.
    pub book_queue_max: usize,
    pub samples: u64,
}

impl Samples {
    pub fn sample(&mut self, market_queued: usize, book_queued: usize) {
        self.samples += 1;
        if let Some(rss) = rss_bytes() {
            self.rss_max = Some(self.rss_max.map_or(rss, |m| m.max(rss)));
        }
        self.market_queue_max = self.market_queue_max.max(market_queued);
        self.book_queue_max = self.book_queue_max.max(book_queued);
    }
}

pub fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}
