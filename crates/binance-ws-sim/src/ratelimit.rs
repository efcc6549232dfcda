//! Binance's request-weight limit per IP and minute, with 429 and then a 418 ban for repeat offenders,
//! and the ORDERS limits per account.

use std::collections::HashMap;
use std::net::IpAddr;

use serde_json::{json, Value};

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// 429: over the weight limit; accepted again at `retry_after` (epoch ms).
    TooMuchWeight { retry_after: u64 },
    /// 418: banned until `until` (epoch ms).
    Banned { until: u64 },
}

#[derive(Default)]
struct IpState {
    minute: u64,
    weight: u64,
    violations: u32,
    bans: u32,
    banned_until: u64,
}

/// Weight counters per IP.
pub struct WeightLimiter {
    limit: u64,
    violations_before_ban: u32,
    ban_ms: u64,
    ips: HashMap<IpAddr, IpState>,
}

impl WeightLimiter {
    /// A limiter of `limit` weight per minute.
    pub fn new(limit: u64, violations_before_ban: u32, ban_ms: u64) -> Self {
        WeightLimiter { limit, violations_before_ban, ban_ms, ips: HashMap::new() }
    }

    /// Adds `weight` for `ip` at `now_ms`; refuses when over the limit or banned.
    pub fn charge(&mut self, ip: IpAddr, weight: u64, now_ms: u64) -> Result<(), Refusal> {
        let st = self.ips.entry(ip).or_default();
        if now_ms < st.banned_until {
            return Err(Refusal::Banned { until: st.banned_until });
        }
        let minute = now_ms / 60_000;
        if st.minute != minute {
            st.minute = minute;
            st.weight = 0;
        }
        if st.weight + weight > self.limit {
            st.violations += 1;
            if st.violations > self.violations_before_ban {
                // Bans grow for repeat offenders (Binance: from 2 minutes to 3 days).
                st.bans += 1;
                st.banned_until = now_ms + self.ban_ms * (1u64 << (st.bans - 1).min(10));
                st.violations = 0;
                return Err(Refusal::Banned { until: st.banned_until });
            }
            return Err(Refusal::TooMuchWeight { retry_after: (minute + 1) * 60_000 });
        }
        st.weight += weight;
        st.violations = 0;
        Ok(())
    }

    /// The current minute's weight of `ip`.
    pub fn used(&self, ip: IpAddr, now_ms: u64) -> u64 {
        self.ips.get(&ip).filter(|s| s.minute == now_ms / 60_000).map(|s| s.weight).unwrap_or(0)
    }

    /// The `rateLimits` entry for request weight.
    pub fn usage_json(&self, ip: IpAddr, now_ms: u64) -> Value {
        json!({"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1,
               "limit": self.limit, "count": self.used(ip, now_ms)})
    }

    /// The configured limit.
    pub fn limit(&self) -> u64 {
        self.limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_the_limit_is_429_then_418_and_the_ban_expires() {
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let mut l = WeightLimiter::new(10, 2, 1000);
        let t = 60_000 * 5;
        assert!(l.charge(ip, 10, t).is_ok());
        assert_eq!(l.charge(ip, 1, t + 1), Err(Refusal::TooMuchWeight { retry_after: 60_000 * 6 }));
        assert!(matches!(l.charge(ip, 1, t + 2), Err(Refusal::TooMuchWeight { .. })));
        assert_eq!(l.charge(ip, 1, t + 3), Err(Refusal::Banned { until: t + 1003 }));
        assert_eq!(l.charge(ip, 1, t + 500), Err(Refusal::Banned { until: t + 1003 }));
        // Next minute, ban over: fresh budget.
        assert!(l.charge(ip, 5, 60_000 * 6 + 1).is_ok());
        assert_eq!(l.used(ip, 60_000 * 6 + 2), 5);
    }
}
