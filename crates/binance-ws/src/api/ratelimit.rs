//! Rate-limit tracking from the `rateLimits` array of responses, and the 429/418 back-off.
//!
//! A reply's `rateLimits` are recorded raw (a slice of the frame, no parse) when the reply is routed,
//! and decoded later, off the round trip: by a caller while it waits for its own reply, by the
//! connection task, or when the usage is read. Reading the usage applies every report recorded before,
//! in order, so what [`RateLimits`] shows is never older than the replies already handed over.

use bytes::Bytes;

/// One rate limit's usage, as the latest response reported it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimitUsage {
    /// `REQUEST_WEIGHT`, `ORDERS`, `RAW_REQUESTS`, `CONNECTIONS`.
    pub rate_limit_type: String,
    /// `SECOND`, `MINUTE`, `HOUR`, `DAY`.
    pub interval: String,
    /// Multiplier of the interval.
    pub interval_num: u32,
    /// The limit per interval.
    pub limit: u64,
    /// Usage in the current interval.
    pub count: u64,
}

/// One entry of a response's `rateLimits`, borrowed from the frame: updating a window already known
/// allocates nothing.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReportedUsage<'a> {
    #[serde(borrow)]
    pub rate_limit_type: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    pub interval: std::borrow::Cow<'a, str>,
    pub interval_num: u32,
    pub limit: u64,
    pub count: u64,
}

/// Reports recorded but not decoded yet beyond this many are decoded at once (a bound on memory when
/// nobody waits and nobody reads the usage).
const UNAPPLIED_LIMIT: usize = 64;

/// The rate-limit reports of a connection's replies: decoded ones, and ones recorded raw.
#[derive(Default)]
pub(crate) struct RateLimitLog {
    usage: RateLimits,
    unapplied: Vec<Bytes>,
}

impl RateLimitLog {
    /// Records a reply's raw `rateLimits` array.
    pub fn record(&mut self, raw: Bytes) {
        self.unapplied.push(raw);
        if self.unapplied.len() >= UNAPPLIED_LIMIT {
            self.apply();
        }
    }

    /// True when reports wait to be decoded.
    pub fn has_unapplied(&self) -> bool {
        !self.unapplied.is_empty()
    }

    /// Decodes the recorded reports, oldest first. A malformed one is skipped with a warning.
    pub fn apply(&mut self) {
        for raw in self.unapplied.drain(..) {
            self.usage.update_raw(&raw);
        }
    }

    /// The usage, with every recorded report applied.
    pub fn usage(&mut self) -> &RateLimits {
        self.apply();
        &self.usage
    }
}

/// The latest usage of every rate limit seen on a connection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RateLimits {
    /// One entry per (type, interval, intervalNum), in the order first seen.
    pub usages: Vec<RateLimitUsage>,
}

impl RateLimits {
    /// Applies a response's raw `rateLimits` array; a malformed one is skipped with a warning.
    pub(crate) fn update_raw(&mut self, raw: &[u8]) {
        match serde_json::from_slice::<Vec<ReportedUsage<'_>>>(raw) {
            Ok(reported) => self.update(&reported),
            Err(e) => tracing::warn!(error = %e, "undecodable rateLimits in a reply"),
        }
    }

    /// Replaces the entries the response reported; keeps the others.
    pub(crate) fn update(&mut self, reported: &[ReportedUsage<'_>]) {
        for usage in reported {
            match self.usages.iter_mut().find(|u| {
                u.rate_limit_type == usage.rate_limit_type
                    && u.interval == usage.interval
                    && u.interval_num == usage.interval_num
            }) {
                Some(slot) => (slot.limit, slot.count) = (usage.limit, usage.count),
                None => self.usages.push(RateLimitUsage {
                    rate_limit_type: usage.rate_limit_type.to_string(),
                    interval: usage.interval.to_string(),
                    interval_num: usage.interval_num,
                    limit: usage.limit,
                    count: usage.count,
                }),
            }
        }
    }

    /// The request-weight usage per minute, if reported: (count, limit).
    pub fn request_weight(&self) -> Option<(u64, u64)> {
        self.usages.iter().find(|u| u.rate_limit_type == "REQUEST_WEIGHT").map(|u| (u.count, u.limit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage<'a>(t: &'a str, interval: &'a str, num: u32, count: u64) -> ReportedUsage<'a> {
        ReportedUsage { rate_limit_type: t.into(), interval: interval.into(), interval_num: num, limit: 100, count }
    }

    #[test]
    fn recorded_reports_are_applied_in_order_when_the_usage_is_read() {
        let report = |count: u64| {
            Bytes::from(format!(
                r#"[{{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000,"count":{count}}}]"#
            ))
        };
        let mut log = RateLimitLog::default();
        log.record(report(3));
        log.record(Bytes::from_static(b"[{\"rateLimitType\":1}]"));
        log.record(report(5));
        assert!(log.has_unapplied());
        assert_eq!(log.usage().request_weight(), Some((5, 6000)), "the latest report wins; a bad one is skipped");
        assert!(!log.has_unapplied());
        for n in 0..UNAPPLIED_LIMIT as u64 {
            log.record(report(n));
        }
        assert!(!log.has_unapplied(), "a long backlog is decoded at once");
    }

    #[test]
    fn updates_replace_matching_windows_and_keep_the_rest() {
        let mut r = RateLimits::default();
        r.update(&[usage("ORDERS", "SECOND", 10, 1), usage("REQUEST_WEIGHT", "MINUTE", 1, 5)]);
        r.update(&[usage("REQUEST_WEIGHT", "MINUTE", 1, 9)]);
        assert_eq!(r.usages.len(), 2);
        assert_eq!(r.request_weight(), Some((9, 100)));
        assert_eq!(r.usages[0].count, 1);
    }
}
