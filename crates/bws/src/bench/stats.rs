//! Small statistics and process figures shared by the benchmarks.

use std::time::Duration;

/// The median of `v` (the upper middle for an even count); 0 for an empty slice.
pub fn median(v: &[f64]) -> f64 {
    percentile(v, 0.5)
}

/// The `p`-quantile (0..=1) of `v` by nearest rank; 0 for an empty slice.
pub fn percentile(v: &[f64], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    let i = ((s.len() as f64 - 1.0) * p.clamp(0.0, 1.0)).round() as usize;
    s[i]
}

/// Microseconds of a duration, as a float.
pub fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// Resident memory of this process from /proc/self/status: (current VmRSS, peak VmHWM) in KiB.
/// `None` where /proc is not available.
pub fn rss_kib() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// KiB as MiB for printing.
pub fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// A rate for people: 1.23 M/s, 456 k/s.
pub fn rate(per_sec: f64) -> String {
    if per_sec >= 1e6 {
        format!("{:.2} M/s", per_sec / 1e6)
    } else if per_sec >= 1e3 {
        format!("{:.0} k/s", per_sec / 1e3)
    } else {
        format!("{per_sec:.0}/s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_by_nearest_rank() {
        let v = [5.0, 1.0, 3.0, 2.0, 4.0];
        assert_eq!(median(&v), 3.0);
        assert_eq!(percentile(&v, 0.0), 1.0);
        assert_eq!(percentile(&v, 1.0), 5.0);
        assert_eq!(median(&[]), 0.0);
    }

    #[test]
    fn rss_is_read_from_proc_on_linux() {
        if cfg!(target_os = "linux") {
            let (rss, hwm) = rss_kib().expect("VmRSS and VmHWM");
            assert!(rss > 0 && hwm >= rss, "rss {rss} hwm {hwm}");
        }
    }

    #[test]
    fn rates_read_well() {
        assert_eq!(rate(1_234_000.0), "1.23 M/s");
        assert_eq!(rate(456_700.0), "457 k/s");
        assert_eq!(rate(12.0), "12/s");
    }
}
