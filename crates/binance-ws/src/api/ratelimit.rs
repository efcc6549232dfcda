//! Rate-limit tracking from the `rateLimits` array of responses, and the 429/418 back-off.

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

/// The latest usage of every rate limit seen on a connection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RateLimits {
    /// One entry per (type, interval, intervalNum), in the order first seen.
    pub usages: Vec<RateLimitUsage>,
}

impl RateLimits {
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
    fn updates_replace_matching_windows_and_keep_the_rest() {
        let mut r = RateLimits::default();
        r.update(&[usage("ORDERS", "SECOND", 10, 1), usage("REQUEST_WEIGHT", "MINUTE", 1, 5)]);
        r.update(&[usage("REQUEST_WEIGHT", "MINUTE", 1, 9)]);
        assert_eq!(r.usages.len(), 2);
        assert_eq!(r.request_weight(), Some((9, 100)));
        assert_eq!(r.usages[0].count, 1);
    }
}
