//! The futures ORDERS rate limits per account: USD-M counts new orders per 10 seconds and per minute, COIN-M per
//! minute (the intervals the docs' `rateLimits` examples show). Intervals start at fixed boundaries.

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::exchange::AccountId;

/// One ORDERS interval.
#[derive(Debug, Clone)]
pub struct OrderWindow {
    /// `SECOND`, `MINUTE`.
    pub interval: &'static str,
    /// `intervalNum`.
    pub num: u64,
    /// Its length in ms.
    pub ms: u64,
    /// Orders allowed per interval.
    pub limit: u64,
}

/// ORDERS counters of every account.
pub struct OrderLimits {
    windows: Vec<OrderWindow>,
    /// Per account: (interval index, count) per window.
    counts: HashMap<AccountId, Vec<(u64, u64)>>,
}

impl OrderLimits {
    /// Counters for these windows.
    pub fn new(windows: Vec<OrderWindow>) -> OrderLimits {
        OrderLimits { windows, counts: HashMap::new() }
    }

    fn rolled(&mut self, account: AccountId, now_ms: u64) -> &mut Vec<(u64, u64)> {
        let windows = &self.windows;
        let c = self.counts.entry(account).or_insert_with(|| vec![(0, 0); windows.len()]);
        for (w, slot) in windows.iter().zip(c.iter_mut()) {
            let idx = now_ms / w.ms;
            if slot.0 != idx {
                *slot = (idx, 0);
            }
        }
        c
    }

    /// Counts `n` new orders, or refuses with -1015's message (counting nothing) when a limit would be exceeded.
    pub fn charge(&mut self, account: AccountId, n: u64, now_ms: u64) -> Result<(), String> {
        let windows = self.windows.clone();
        let c = self.rolled(account, now_ms);
        for (w, slot) in windows.iter().zip(c.iter()) {
            if slot.1 + n > w.limit {
                return Err(format!(
                    "Too many new orders; current limit is {} orders per {} {}.",
                    w.limit, w.num, w.interval
                ));
            }
        }
        for slot in c.iter_mut() {
            slot.1 += n;
        }
        Ok(())
    }

    /// The ORDERS entries of `rateLimits`.
    pub fn usage_json(&mut self, account: AccountId, now_ms: u64) -> Vec<Value> {
        let windows = self.windows.clone();
        let c = self.rolled(account, now_ms).clone();
        windows
            .iter()
            .zip(c)
            .map(|(w, (_, count))| {
                json!({"rateLimitType": "ORDERS", "interval": w.interval, "intervalNum": w.num, "limit": w.limit,
                       "count": count})
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_window_must_have_room() {
        let mut l = OrderLimits::new(vec![
            OrderWindow { interval: "SECOND", num: 10, ms: 10_000, limit: 2 },
            OrderWindow { interval: "MINUTE", num: 1, ms: 60_000, limit: 3 },
        ]);
        let a = AccountId(1);
        let t = 1_200_000_000_000; // a multiple of a minute
        assert!(l.charge(a, 2, t).is_ok());
        assert!(l.charge(a, 1, t + 1).unwrap_err().contains("2 orders per 10 SECOND"));
        assert!(l.charge(a, 1, t + 10_000).is_ok());
        assert!(l.charge(a, 1, t + 20_000).unwrap_err().contains("3 orders per 1 MINUTE"));
        let u = l.usage_json(a, t + 20_000);
        assert_eq!((u[0]["count"].as_u64(), u[1]["count"].as_u64()), (Some(0), Some(3)));
    }
}
