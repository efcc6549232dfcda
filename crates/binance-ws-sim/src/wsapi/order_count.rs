//! The ORDERS rate limits per account: new orders per 10 seconds and per day, in intervals that start at
//! fixed boundaries (web-socket-api.md, "Rate limits": 10 SECOND resets at :00, :10, ...; 1 DAY at 00:00 UTC).

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::exchange::AccountId;

const TEN_SECONDS: u64 = 10_000;
const DAY: u64 = 86_400_000;

#[derive(Default, Clone, Copy)]
struct Counts {
    window_10s: u64,
    count_10s: u64,
    day: u64,
    count_day: u64,
}

impl Counts {
    fn roll(&mut self, now_ms: u64) {
        if self.window_10s != now_ms / TEN_SECONDS {
            self.window_10s = now_ms / TEN_SECONDS;
            self.count_10s = 0;
        }
        if self.day != now_ms / DAY {
            self.day = now_ms / DAY;
            self.count_day = 0;
        }
    }
}

/// Which ORDERS limit refused a request.
#[derive(Debug, Clone, PartialEq)]
pub enum OrdersRefusal {
    /// Over the per-10-seconds limit.
    TenSeconds(u64),
    /// Over the daily limit.
    Day(u64),
}

impl OrdersRefusal {
    /// Binance's -1015 message.
    pub fn message(&self) -> String {
        match self {
            OrdersRefusal::TenSeconds(l) => format!("Too many new orders; current limit is {l} orders per 10 SECOND."),
            OrdersRefusal::Day(l) => format!("Too many new orders; current limit is {l} orders per 1 DAY."),
        }
    }
}

/// ORDERS counters of every account.
pub struct OrderLimiter {
    per_10s: u64,
    per_day: u64,
    accounts: HashMap<AccountId, Counts>,
}

impl OrderLimiter {
    /// Limits of `per_10s` and `per_day` new orders.
    pub fn new(per_10s: u64, per_day: u64) -> Self {
        OrderLimiter { per_10s, per_day, accounts: HashMap::new() }
    }

    /// Counts `n` new orders for `account`, or refuses (counting nothing) when a limit would be exceeded.
    pub fn charge(&mut self, account: AccountId, n: u64, now_ms: u64) -> Result<(), OrdersRefusal> {
        let c = self.accounts.entry(account).or_default();
        c.roll(now_ms);
        if c.count_10s + n > self.per_10s {
            return Err(OrdersRefusal::TenSeconds(self.per_10s));
        }
        if c.count_day + n > self.per_day {
            return Err(OrdersRefusal::Day(self.per_day));
        }
        c.count_10s += n;
        c.count_day += n;
        Ok(())
    }

    /// The two ORDERS entries of `rateLimits` (and of account.rateLimits.orders).
    pub fn usage_json(&mut self, account: AccountId, now_ms: u64) -> [Value; 2] {
        let c = self.accounts.entry(account).or_default();
        c.roll(now_ms);
        [
            json!({"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": self.per_10s,
                   "count": c.count_10s}),
            json!({"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": self.per_day,
                   "count": c.count_day}),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_reset_on_their_boundaries() {
        let mut l = OrderLimiter::new(3, 5);
        let a = AccountId(1);
        let t = 1_000_000_000_000; // a multiple of 10 s
        assert!(l.charge(a, 2, t).is_ok());
        assert!(l.charge(a, 1, t + 9_999).is_ok());
        assert_eq!(l.charge(a, 1, t + 9_999), Err(OrdersRefusal::TenSeconds(3)));
        assert!(l.charge(a, 2, t + 10_000).is_ok());
        assert_eq!(l.charge(a, 1, t + 20_000), Err(OrdersRefusal::Day(5)));
        let usage = l.usage_json(a, t + 20_000);
        assert_eq!(usage[0]["count"], 0);
        assert_eq!(usage[1]["count"], 5);
    }
}
